/* SPDX-License-Identifier: ISC */
/*
 * log.h: one line per event, to syslog (LOG_MAIL) or to stderr.
 * Under inetd and systemd fd 2 may be the client socket, so stderr is
 * used only when it is provably something else (see log_init).
 */
#ifndef LOG_H
#define LOG_H

#include <stdbool.h>
#include <stddef.h>

enum log_dest {
	LOG_DEST_AUTO,		/* stderr if it is not the client, else syslog */
	LOG_DEST_STDERR,	/* -e: tcpserver/multilog, systemd journal */
	LOG_DEST_SYSLOG		/* -s: always syslog */
};

/*
 * True if fd 2 is the client: the same socket as fd 0 or fd 1, as
 * inetd and systemd (Accept=yes, no StandardError=) hand it over.
 */
bool	log_stderr_is_client(void);

/*
 * Chooses the destination once.  AUTO picks stderr unless it is the
 * client (above), closed, or /dev/null.  ident must stay valid for
 * the life of the process.
 */
void	log_init(const char *ident, enum log_dest);

/*
 * Writes one line; priority as in syslog(3).  Never fails visibly.
 * The formatted line goes through log_clean() first.
 */
void	log_msg(int, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * Replaces every control byte (0x00-0x1f, 0x7f) of the NUL-terminated
 * line with '?', in place, so it stays one line.  Returns line.
 */
char	*log_clean(char *line);

/*
 * From now on, finished lines go to sink instead of syslog or stderr
 * (the reader hands its lines to the root side).  NULL restores.
 */
void	log_set_sink(void (*sink)(int, const char *));

/*
 * Copies len bytes of untrusted text into dst (size bytes, size > 0)
 * so that it is safe in a log line: bytes outside [A-Za-z0-9._@+-]
 * become \xHH, so "user=a, ip=[1.2.3.4]" cannot be forged.  Output is
 * truncated with "..." if it does not fit.  Returns dst.
 */
char	*log_escape(char *dst, size_t size, const char *src, size_t len);

/*
 * Writes the client address into dst (size bytes): TCPREMOTEIP, else
 * REMOTE_ADDR, else REMOTE_HOST (stunnel), else getpeername(0), else
 * "unknown".  Values from the environment must parse as an address.
 * Returns dst.
 */
char	*log_peer(char *dst, size_t size);

#endif /* LOG_H */
