/* SPDX-License-Identifier: ISC */
/*
 * io.h: small buffered I/O on raw descriptors, with deadlines.  Knows
 * nothing of POP3 wording; never exits or logs.  stdio never touches
 * the client.
 */
#ifndef IO_H
#define IO_H

#include <stdbool.h>
#include <stddef.h>

#include "params.h"

enum io_status {
	IO_OK,			/* a line was read */
	IO_LONG,		/* line too long; discarded through its LF */
	IO_EOF,			/* end of input (a partial last line is lost) */
	IO_TIMEOUT,		/* the deadline passed */
	IO_ERROR		/* read error; errno is set */
};

struct io {
	int	 fd;
	int	 timeout;	/* seconds allowed for one line */
	bool	 exact;		/* never consume past the end of a line */
	bool	 nopeek;	/* fd is not a socket: read byte by byte */
	size_t	 start, end;	/* unread bytes are buf[start..end) */
	char	 buf[POP3_CHUNK];
};

struct out {
	int	 fd;
	int	 timeout;	/* seconds allowed without progress */
	size_t	 len;
	char	 buf[POP3_CHUNK];
};

/*
 * Sets up input on fd.  With exact set, io_readline() reads no byte
 * past the LF that ends a line (MSG_PEEK on sockets, one byte at a
 * time otherwise), so a process exec'd later finds the rest on fd.
 */
void		io_init(struct io *, int fd, int timeout, bool exact);

/*
 * Reads one line ending in LF into line (size bytes).  On IO_OK *len
 * is its length without the LF; a CR before the LF is left in place
 * and line is not NUL-terminated.  A line of more than size bytes is
 * read through its LF and thrown away (IO_LONG).  The deadline is
 * io->timeout seconds from the call.
 */
enum io_status	io_readline(struct io *, char *line, size_t size, size_t *len);

/* True if a whole line is already buffered, so reading will not block. */
bool		io_has_line(const struct io *);

/* Drops everything buffered (RFC 2595 s.4 after a TLS switch). */
void		io_discard(struct io *);

/* Wipes the bytes already consumed (they may have held a password). */
void		io_forget(struct io *);

/* Milliseconds on the monotonic clock, for deadlines. */
long long	io_now_ms(void);

/*
 * Waits until fd is ready for events (POLLIN or POLLOUT) or the
 * absolute deadline (io_now_ms() clock) passes, retrying on EINTR.
 * Returns 1 when ready (or at EOF or error on fd), 0 at the deadline,
 * -1 with errno on a poll failure.
 */
int	io_wait(int, short, long long);

void		out_init(struct out *, int fd, int timeout);

/*
 * Buffers n bytes, writing when the buffer fills.  Returns 0, or -1
 * with errno set (ETIMEDOUT if the peer made no progress for
 * o->timeout seconds).  After -1 the stream is unusable.
 */
int		out_write(struct out *, const void *, size_t n);
int		out_flush(struct out *);

/* Overwrites a secret so the compiler cannot skip it. */
void		wipe(void *, size_t);

/* Closes every descriptor >= lowfd. */
void		close_from(int lowfd);

/*
 * Makes sure descriptors 0, 1 and 2 are open, so that a later open()
 * cannot become one of them.  Returns 0, or -1 with errno set.
 */
int		fds_sane(void);

#endif /* IO_H */
