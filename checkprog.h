/* SPDX-License-Identifier: ISC */
/*
 * checkprog.h: the checkpassword call (CHECKPROG SUBPROG [ARG...]),
 * made by the root side only, and the environment CHECKPROG gets.
 *
 * How the front end reads the end of "CHECKPROG SUBPROG [ARG...]":
 *
 *	status		meaning				reply by the front end
 *	took over	SUBPROG (pop3d -m) signalled	none: the back end
 *			on POP3D_TAKEOVER_FD that it	answered; whatever
 *			is answering the client		happens next is its own
 *	0		SUBPROG ran and exited		none
 *	1, unlisted	credentials rejected		-ERR [AUTH] ...
 *	111		temporary failure		-ERR [SYS/TEMP] ...
 *	signal		checkpassword crashed		-ERR [SYS/TEMP] ...
 *
 * The back end writes one byte to the pipe named by POP3D_TAKEOVER_FD
 * just before its first byte to the client, so the front end can
 * never add a second answer to a login that a back end answered, even
 * if that back end later crashes.  Checkpassword programs pass the
 * variable and the descriptor through untouched.
 */
#ifndef CHECKPROG_H
#define CHECKPROG_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>

#include "params.h"

/* The descriptor the back end finds the takeover pipe on. */
#define AUTH_TAKEOVER_FD	4
#define AUTH_TAKEOVER_ENV	"POP3D_TAKEOVER_FD"

enum auth_result { AUTH_SERVED, AUTH_REJECTED, AUTH_TEMPFAIL, AUTH_CRASHED };

/* A CHECKPROG that is running: its pid and the takeover pipe. */
struct auth_child {
	pid_t	pid;
	int	tkfd;
};

/* True if addr (text) is a loopback address, 127.0.0.0/8 or ::1. */
bool		auth_is_loopback(const char *addr);

/*
 * Exports TCPREMOTEIP (peer), TCPLOCALIP and TCPLOCALPORT for the
 * checkpassword program when the superserver did not (inetd, systemd):
 * vchkpw-style checkers need them.  Values come from the kernel or a
 * validated environment, never from client bytes.  Returns 0, or -1
 * with errno set if the environment cannot grow.
 */
int		auth_export_env(const char *peer);

/*
 * After a PROXY header (-P): TCPLOCALIP and TCPLOCALPORT become the
 * destination the header names, where the client connected (vchkpw
 * and others pick the domain by it), and TCPREMOTEHOST,
 * TCPREMOTEINFO and TCPLOCALHOST are removed: the superserver looked
 * them up for the proxy's connection, not the client's.  Returns 0,
 * or -1 with errno set.
 */
int		auth_export_proxy(const char *localip, const char *localport);

/*
 * Lays out "user NUL pass NUL stamp NUL" in buf.  stamp must not be
 * NULL (pass "" and 0 for none).  Returns the record length, or 0 if
 * user or pass is empty, a field contains NUL, or the record would
 * not fit in size bytes.
 */
size_t		auth_record(char *buf, size_t size, const char *user,
		    size_t ulen, const char *pass, size_t plen,
		    const char *stamp, size_t slen);

/*
 * Starts argv[0] with argv, the record on a pipe at fd 3 (write end
 * closed) and the takeover pipe at AUTH_TAKEOVER_FD.  With
 * quiet_stderr the child's fd 2 is /dev/null.  On return the record
 * is in the pipe, so the caller can wipe its copy before it waits.
 * Returns 0, or -1 (nothing runs; a temporary failure).
 */
int		auth_start(char *const argv[], const char *rec, size_t len,
		    bool quiet_stderr, struct auth_child *);

/*
 * Waits for a started CHECKPROG and maps the outcome (table above).
 * Never returns AUTH_SERVED without the child having exited 0 or
 * taken over.
 */
enum auth_result auth_wait(char *const argv[], struct auth_child *);

/* auth_start() and auth_wait() in one. */
enum auth_result auth_run(char *const argv[], const char *rec, size_t len,
		    bool quiet_stderr);

/* Maps a wait status and whether the back end took over. */
enum auth_result auth_classify(int wstatus, bool took_over);

#endif /* CHECKPROG_H */
