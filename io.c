/* SPDX-License-Identifier: ISC */
/*
 * io.c: buffered reads and writes on raw descriptors with deadlines,
 * plus the few descriptor and secret helpers every process needs.
 * Knows no protocol; reports with return values and errno only.
 */
#define _DEFAULT_SOURCE		/* explicit_bzero, closefrom */

#include "io.h"

#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void);
static int	fill(struct io *, long long);
static int	write_all(struct out *, const char *, size_t);

static long long
now_ms(void)
{
	struct timespec	ts;

	/* CLOCK_MONOTONIC cannot fail with a valid pointer. */
	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	/* long long: a 32-bit long overflows after 24 days of uptime. */
	return (long long)ts.tv_sec * 1000LL + ts.tv_nsec / 1000000L;
}

int
io_wait(int fd, short events, long long deadline)
{
	struct pollfd	pfd;
	long long	left;
	int		r;

	for (;;) {
		left = deadline - now_ms();
		if (left <= 0)
			return 0;
		pfd.fd = fd;
		pfd.events = events;
		pfd.revents = 0;
		r = poll(&pfd, 1, left > 1000000 ? 1000000 : (int)left);
		if (r > 0)
			return 1;	/* POLLHUP/POLLERR: the read says which */
		if (r == -1 && errno != EINTR)
			return -1;
	}
}

void
io_init(struct io *io, int fd, int timeout, bool exact)
{
	io->fd = fd;
	io->timeout = timeout;
	io->exact = exact;
	io->nopeek = false;
	io->start = io->end = 0;
}

/* Reads more input into the empty buffer: 1, 0 at EOF, or -1/-2. */
static int
fill(struct io *io, long long deadline)
{
	ssize_t	r;
	size_t	want = sizeof(io->buf);
	char	*lf;

	io->start = io->end = 0;
	for (;;) {
		switch (io_wait(io->fd, POLLIN, deadline)) {
		case 0:
			return -2;
		case -1:
			return -1;
		default:
			break;
		}
		r = 1;
		if (io->exact && !io->nopeek) {
			r = recv(io->fd, io->buf, sizeof(io->buf),
			    MSG_PEEK | MSG_DONTWAIT);
			if (r == -1 && errno == ENOTSOCK) {
				io->nopeek = true;
				continue;
			}
			if (r > 0) {
				lf = memchr(io->buf, '\n', (size_t)r);
				want = lf != NULL ?
				    (size_t)(lf - io->buf) + 1 : (size_t)r;
			}
		} else if (io->exact)
			want = 1;	/* a pipe cannot be peeked at */
		if (r > 0)
			r = read(io->fd, io->buf, want);
		if (r > 0) {
			io->end = (size_t)r;
			return 1;
		}
		if (r == 0)
			return 0;
		if (errno != EINTR && errno != EAGAIN)
			return -1;
	}
}

enum io_status
io_readline(struct io *io, char *line, size_t size, size_t *len)
{
	long long deadline = now_ms() + (long long)io->timeout * 1000;
	size_t	 n = 0, take, avail;
	bool	 toolong = false;
	char	*b, *lf;
	int	 r;

	for (;;) {
		if (io->start == io->end) {
			r = fill(io, deadline);
			if (r == 0)
				return IO_EOF;
			if (r == -2)
				return IO_TIMEOUT;
			if (r == -1)
				return IO_ERROR;
		}
		b = io->buf + io->start;
		avail = io->end - io->start;
		lf = memchr(b, '\n', avail);
		take = lf != NULL ? (size_t)(lf - b) : avail;
		if (!toolong && take > size - n)
			toolong = true;
		if (!toolong) {
			memcpy(line + n, b, take);
			n += take;
		}
		io->start += take;
		if (lf != NULL) {
			io->start++;
			*len = n;
			return toolong ? IO_LONG : IO_OK;
		}
	}
}

bool
io_has_line(const struct io *io)
{
	return memchr(io->buf + io->start, '\n', io->end - io->start) != NULL;
}

void
io_discard(struct io *io)
{
	wipe(io->buf, sizeof(io->buf));
	io->start = io->end = 0;
}

void
io_forget(struct io *io)
{
	/* What is consumed is gone; what is unread stays unread. */
	wipe(io->buf, io->start);
}

long long
io_now_ms(void)
{
	return now_ms();
}

void
out_init(struct out *o, int fd, int timeout)
{
	o->fd = fd;
	o->timeout = timeout;
	o->len = 0;
}

static int
write_all(struct out *o, const char *p, size_t n)
{
	ssize_t	r;

	while (n > 0) {
		switch (io_wait(o->fd, POLLOUT,
		    now_ms() + (long long)o->timeout * 1000)) {
		case 0:
			errno = ETIMEDOUT;
			return -1;
		case -1:
			return -1;
		default:
			break;
		}
		/* MSG_DONTWAIT: a blocking socket must not outlive poll. */
		r = send(o->fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (r == -1 && errno == ENOTSOCK)
			r = write(o->fd, p, n);
		if (r == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -1;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

int
out_flush(struct out *o)
{
	size_t	n = o->len;

	o->len = 0;
	return write_all(o, o->buf, n);
}

int
out_write(struct out *o, const void *p, size_t n)
{
	if (n <= sizeof(o->buf) - o->len) {
		memcpy(o->buf + o->len, p, n);
		o->len += n;
		return 0;
	}
	if (out_flush(o) == -1)
		return -1;
	if (n < sizeof(o->buf)) {
		memcpy(o->buf, p, n);
		o->len = n;
		return 0;
	}
	return write_all(o, p, n);
}

void
wipe(void *p, size_t n)
{
	explicit_bzero(p, n);
}

void
close_from(int lowfd)
{
	closefrom(lowfd);
}

int
fds_sane(void)
{
	int	fd;

	/* Only a closed 0, 1 or 2 needs /dev/null; a jail may lack it. */
	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1)
			continue;
		if (errno != EBADF || open("/dev/null", O_RDWR) != fd)
			return -1;
	}
	return 0;
}
