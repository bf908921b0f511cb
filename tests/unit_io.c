/* SPDX-License-Identifier: ISC */
/*
 * tests/unit_io.c: io.c on real descriptors: pipes and socketpairs.
 * Line reading at its size edge, EOF and the deadline; exact mode,
 * which must leave every byte after the first line in the descriptor
 * for the process exec'd next; buffered writes, large writes, a
 * closed peer and a peer that never reads.  A watchdog alarm turns a
 * hang into a failure.
 */
#define _DEFAULT_SOURCE		/* socketpair flags, MSG_DONTWAIT */

#include "../io.h"

#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static const char	*check_prog = "unit_io";

#define S(s)	s, sizeof(s) - 1	/* a literal and its length */

static void	test_crlf_lf(void);
static void	test_size_edge(void);
static void	test_size_edge_exact(void);
static void	test_long_line(void);
static void	test_eof(void);
static void	test_timeout(void);
static void	test_exact_socket(void);
static void	test_exact_pipe(void);
static void	test_exact_partial(void);
static void	test_greedy(void);
static void	test_has_line(void);
static void	test_discard(void);
static void	test_out_small(void);
static void	test_out_large(void);
static void	test_out_epipe(void);
static void	test_out_timeout(void);
static void	test_wipe(void);
static void	test_close_from(void);
static void	test_fds_sane(void);

static int	pipe_with(const char *, size_t, bool);
static bool	line_is(struct io *, size_t, enum io_status, const char *,
		    size_t);
static size_t	drain(int, char *, size_t);
static double	now(void);
static unsigned char pattern(size_t);
static int	child_status(pid_t);

/* A pipe holding data; the write end is closed unless keep is set. */
static int
pipe_with(const char *data, size_t n, bool keep)
{
	int	p[2];

	if (pipe(p) == -1)
		return -1;
	if (n > 0 && write(p[1], data, n) != (ssize_t)n)
		return -1;
	if (!keep)
		(void)close(p[1]);
	return p[0];
}

/* Reads a line with a size-byte buffer; true if it is as expected. */
static bool
line_is(struct io *io, size_t size, enum io_status want, const char *s,
    size_t n)
{
	char		*line;
	size_t		 len = 12345;
	enum io_status	 got;
	bool		 ok;

	/* Exactly size bytes, so ASan sees a write past the end. */
	if ((line = malloc(size)) == NULL)
		return false;
	got = io_readline(io, line, size, &len);
	ok = got == want;
	if (ok && want == IO_OK)
		ok = len == n && memcmp(line, s, n) == 0;
	if (!ok)
		fprintf(stderr, "line_is: got status %d len %zu, want %d "
		    "\"%.*s\"\n", (int)got, len, (int)want, (int)n, s);
	free(line);
	return ok;
}

/* Reads what is in fd now, without waiting; returns the count. */
static size_t
drain(int fd, char *buf, size_t size)
{
	size_t	n = 0;
	ssize_t	r;
	int	fl;

	fl = fcntl(fd, F_GETFL);
	(void)fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	while (n < size && (r = read(fd, buf + n, size - n)) > 0)
		n += (size_t)r;
	(void)fcntl(fd, F_SETFL, fl);
	return n;
}

static double
now(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned char
pattern(size_t i)
{
	return (unsigned char)(i * 7 + i / 251);
}

/* 0 if the child exited 0, else -1. */
static int
child_status(pid_t pid)
{
	int	st;

	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* LF and CRLF endings; the CR stays, the LF goes (io.h). */
static void
test_crlf_lf(void)
{
	struct io	io;
	int		fd;

	fd = pipe_with(S("USER a\r\nSTAT\n\n\r\nNOOP\r\n"), false);
	CHECK(fd != -1);
	io_init(&io, fd, 5, false);
	CHECK(line_is(&io, 64, IO_OK, S("USER a\r")));
	CHECK(line_is(&io, 64, IO_OK, S("STAT")));
	CHECK(line_is(&io, 64, IO_OK, S("")));
	CHECK(line_is(&io, 64, IO_OK, S("\r")));
	CHECK(line_is(&io, 64, IO_OK, S("NOOP\r")));
	CHECK(line_is(&io, 64, IO_EOF, NULL, 0));
	CHECK(line_is(&io, 64, IO_EOF, NULL, 0));
	(void)close(fd);
}

/* A line of exactly size bytes fits; size + 1 is IO_LONG, then on. */
static void
test_size_edge(void)
{
	struct io	io;
	int		fd;

	fd = pipe_with(S("12345678\n123456789\nok\n1234567\r\n"
	    "12345678\r\nafter\n"), false);
	CHECK(fd != -1);
	io_init(&io, fd, 5, false);
	CHECK(line_is(&io, 8, IO_OK, S("12345678")));
	CHECK(line_is(&io, 8, IO_LONG, NULL, 0));
	CHECK(line_is(&io, 8, IO_OK, S("ok")));
	CHECK(line_is(&io, 8, IO_OK, S("1234567\r")));	/* CR counts */
	CHECK(line_is(&io, 8, IO_LONG, NULL, 0));
	CHECK(line_is(&io, 8, IO_OK, S("after")));
	CHECK(line_is(&io, 8, IO_EOF, NULL, 0));
	(void)close(fd);

	/* The command limit: 253 octets plus CR fit POP3_LINE_MAX + 1. */
	{
		char	buf[600];
		size_t	n = 0;

		memset(buf, 'x', sizeof(buf));
		n += POP3_LINE_MAX;
		memcpy(buf + n, "\r\n", 2);		/* 254 + LF */
		n += 2 + POP3_LINE_MAX + 1;
		memcpy(buf + n, "\r\n", 2);		/* 255 + LF */
		n += 2;
		memcpy(buf + n, "QUIT\r\n", 6);
		n += 6;
		fd = pipe_with(buf, n, false);
		io_init(&io, fd, 5, false);
		CHECK(line_is(&io, POP3_LINE_MAX + 1, IO_OK, buf,
		    POP3_LINE_MAX + 1));
		CHECK(line_is(&io, POP3_LINE_MAX + 1, IO_LONG, NULL, 0));
		CHECK(line_is(&io, POP3_LINE_MAX + 1, IO_OK, S("QUIT\r")));
		CHECK(line_is(&io, POP3_LINE_MAX + 1, IO_EOF, NULL, 0));
		(void)close(fd);
	}
}

/* The same edges in exact mode, where a pipe is read byte by byte. */
static void
test_size_edge_exact(void)
{
	struct io	io;
	int		fd;

	fd = pipe_with(S("12345678\n123456789\nok\nrest"), false);
	CHECK(fd != -1);
	io_init(&io, fd, 5, true);
	CHECK(line_is(&io, 8, IO_OK, S("12345678")));
	CHECK(line_is(&io, 8, IO_LONG, NULL, 0));
	CHECK(line_is(&io, 8, IO_OK, S("ok")));
	CHECK(line_is(&io, 8, IO_EOF, NULL, 0));
	(void)close(fd);
}

/* A line far longer than the buffer is read through and dropped. */
static void
test_long_line(void)
{
	static char	big[3 * POP3_CHUNK + 17];
	struct io	io;
	pid_t		pid;
	int		p[2];

	memset(big, 'L', sizeof(big));
	big[sizeof(big) - 1] = '\n';
	CHECK(pipe(p) == 0);
	if ((pid = fork()) == 0) {
		(void)close(p[0]);
		if (write(p[1], big, sizeof(big)) != (ssize_t)sizeof(big) ||
		    write(p[1], "next\r\n", 6) != 6)
			_exit(1);
		_exit(0);
	}
	CHECK(pid > 0);
	(void)close(p[1]);
	io_init(&io, p[0], 5, false);
	CHECK(line_is(&io, POP3_LINE_MAX + 1, IO_LONG, NULL, 0));
	CHECK(line_is(&io, POP3_LINE_MAX + 1, IO_OK, S("next\r")));
	CHECK(line_is(&io, POP3_LINE_MAX + 1, IO_EOF, NULL, 0));
	CHECK(child_status(pid) == 0);
	(void)close(p[0]);
}

/* EOF mid-line loses the partial line; EOF on nothing is EOF. */
static void
test_eof(void)
{
	struct io	io;
	int		fd;

	fd = pipe_with(S("one\nabc"), false);
	io_init(&io, fd, 5, false);
	CHECK(line_is(&io, 64, IO_OK, S("one")));
	CHECK(line_is(&io, 64, IO_EOF, NULL, 0));
	(void)close(fd);

	fd = pipe_with("", 0, false);
	io_init(&io, fd, 5, true);
	CHECK(line_is(&io, 64, IO_EOF, NULL, 0));
	(void)close(fd);

	/* An overlong line cut off by EOF is EOF too. */
	fd = pipe_with(S("123456789"), false);
	io_init(&io, fd, 5, false);
	CHECK(line_is(&io, 8, IO_EOF, NULL, 0));
	(void)close(fd);
}

/* A silent peer: IO_TIMEOUT after about io->timeout seconds. */
static void
test_timeout(void)
{
	struct io	io;
	double		t;
	int		p[2];

	CHECK(pipe(p) == 0);
	io_init(&io, p[0], 1, false);
	t = now();
	CHECK(line_is(&io, 64, IO_TIMEOUT, NULL, 0));
	t = now() - t;
	CHECK(t >= 0.9 && t < 3.0);

	/* A partial line does not reset the deadline. */
	CHECK(write(p[1], "US", 2) == 2);
	io_init(&io, p[0], 1, true);
	t = now();
	CHECK(line_is(&io, 64, IO_TIMEOUT, NULL, 0));
	t = now() - t;
	CHECK(t >= 0.9 && t < 3.0);
	(void)close(p[0]);
	(void)close(p[1]);
}

/*
 * Exact mode on a socket: the login line is consumed, and everything
 * the client pipelined after it is still in the socket for the back
 * end (RFC 2449 s.6.6).
 */
static void
test_exact_socket(void)
{
	/* Odd lengths: a reader taking 2 bytes at a time would overrun. */
	static const char	all[] = "USER abc\r\nPASS xy\r\nSTAT\r\n";
	char			rest[64];
	struct io		io, io2;
	int			sv[2];

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(write(sv[1], all, sizeof(all) - 1) == sizeof(all) - 1);
	io_init(&io, sv[0], 5, true);
	CHECK(line_is(&io, 64, IO_OK, S("USER abc\r")));
	CHECK(!io_has_line(&io));
	/* A second reader, as if exec'd now, finds the rest. */
	io_init(&io2, sv[0], 5, true);
	CHECK(line_is(&io2, 64, IO_OK, S("PASS xy\r")));
	CHECK(drain(sv[0], rest, sizeof(rest)) == 6 &&
	    memcmp(rest, "STAT\r\n", 6) == 0);
	(void)close(sv[0]);
	(void)close(sv[1]);
}

/* Exact mode on a pipe, which cannot be peeked at. */
static void
test_exact_pipe(void)
{
	char		rest[64];
	struct io	io, io2;
	int		fd;

	fd = pipe_with(S("USER abc\r\nPASS xy\r\nSTAT\r\n"), true);
	CHECK(fd != -1);
	io_init(&io, fd, 5, true);
	CHECK(line_is(&io, 64, IO_OK, S("USER abc\r")));
	CHECK(!io_has_line(&io));
	io_init(&io2, fd, 5, true);
	CHECK(line_is(&io2, 64, IO_OK, S("PASS xy\r")));
	CHECK(drain(fd, rest, sizeof(rest)) == 6 &&
	    memcmp(rest, "STAT\r\n", 6) == 0);
	(void)close(fd);
}

/* A line that arrives in two pieces, with the next one behind it. */
static void
test_exact_partial(void)
{
	char		rest[64];
	struct io	io;
	pid_t		pid;
	int		sv[2];

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	if ((pid = fork()) == 0) {
		struct timespec	ts = { 0, 100000000 };

		(void)close(sv[0]);
		if (write(sv[1], "USER a", 6) != 6)
			_exit(1);
		(void)nanosleep(&ts, NULL);
		if (write(sv[1], "\r\nPASS x\r\n", 10) != 10)
			_exit(1);
		_exit(0);
	}
	CHECK(pid > 0);
	(void)close(sv[1]);
	io_init(&io, sv[0], 5, true);
	CHECK(line_is(&io, 64, IO_OK, S("USER a\r")));
	CHECK(child_status(pid) == 0);
	CHECK(drain(sv[0], rest, sizeof(rest)) == 8 &&
	    memcmp(rest, "PASS x\r\n", 8) == 0);
	(void)close(sv[0]);
}

/*
 * The control for the exact tests: without exact mode the reader
 * may take everything, and here it does, so the exact tests above
 * can tell the difference.
 */
static void
test_greedy(void)
{
	char		rest[64];
	struct io	io;
	int		sv[2];

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(write(sv[1], "USER a\r\nPASS x\r\n", 16) == 16);
	io_init(&io, sv[0], 5, false);
	CHECK(line_is(&io, 64, IO_OK, S("USER a\r")));
	CHECK(io_has_line(&io));
	CHECK(drain(sv[0], rest, sizeof(rest)) == 0);
	CHECK(line_is(&io, 64, IO_OK, S("PASS x\r")));
	(void)close(sv[0]);
	(void)close(sv[1]);
}

static void
test_has_line(void)
{
	struct io	io;
	int		fd;

	fd = pipe_with(S("a\nb\nc"), true);
	io_init(&io, fd, 5, false);
	CHECK(!io_has_line(&io));		/* nothing read yet */
	CHECK(line_is(&io, 64, IO_OK, S("a")));
	CHECK(io_has_line(&io));		/* "b\n" is buffered */
	CHECK(line_is(&io, 64, IO_OK, S("b")));
	CHECK(!io_has_line(&io));		/* only "c" */
	(void)close(fd);
}

/* After io_discard nothing buffered is returned. */
static void
test_discard(void)
{
	struct io	io;
	int		p[2];

	CHECK(pipe(p) == 0);
	CHECK(write(p[1], "a\nold\n", 6) == 6);
	io_init(&io, p[0], 5, false);
	CHECK(line_is(&io, 64, IO_OK, S("a")));
	CHECK(io_has_line(&io));
	io_discard(&io);
	CHECK(!io_has_line(&io));
	CHECK(write(p[1], "new\n", 4) == 4);
	CHECK(line_is(&io, 64, IO_OK, S("new")));
	(void)close(p[0]);
	(void)close(p[1]);
}

/* Small writes stay buffered until out_flush. */
static void
test_out_small(void)
{
	char		buf[64];
	struct out	o;
	int		sv[2];

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	out_init(&o, sv[0], 5);
	CHECK(out_write(&o, "+OK", 3) == 0);
	CHECK(out_write(&o, "", 0) == 0);
	CHECK(out_write(&o, " hi\r\n", 5) == 0);
	CHECK(drain(sv[1], buf, sizeof(buf)) == 0);
	CHECK(out_flush(&o) == 0);
	CHECK(drain(sv[1], buf, sizeof(buf)) == 8 &&
	    memcmp(buf, "+OK hi\r\n", 8) == 0);
	CHECK(out_flush(&o) == 0);		/* nothing left */
	CHECK(drain(sv[1], buf, sizeof(buf)) == 0);

	/* Exactly POP3_CHUNK bytes still fit the buffer. */
	{
		static char	chunk[POP3_CHUNK];

		memset(chunk, 'c', sizeof(chunk));
		CHECK(out_write(&o, chunk, sizeof(chunk)) == 0);
		CHECK(drain(sv[1], buf, sizeof(buf)) == 0);
		CHECK(out_write(&o, "d", 1) == 0);	/* flushes the c's */
		CHECK(drain(sv[1], chunk, sizeof(chunk)) == POP3_CHUNK);
		CHECK(chunk[0] == 'c' && chunk[POP3_CHUNK - 1] == 'c');
		CHECK(out_flush(&o) == 0);
		CHECK(drain(sv[1], buf, sizeof(buf)) == 1 && buf[0] == 'd');
	}
	(void)close(sv[0]);
	(void)close(sv[1]);
}

/*
 * Writes of every awkward size, small and larger than POP3_CHUNK, in
 * a child; the parent reads the socket until EOF and compares every
 * byte with the pattern, so order and completeness are both checked.
 */
static void
test_out_large(void)
{
	static const size_t sizes[] = {
		1, 100, POP3_CHUNK - 1, 1, POP3_CHUNK, POP3_CHUNK + 1, 7,
		2 * POP3_CHUNK + 3, 0, 3, POP3_CHUNK - 3, 5 * POP3_CHUNK,
	};
	static unsigned char	want[12 * POP3_CHUNK], got[12 * POP3_CHUNK];
	size_t			total = 0, n = 0, i;
	struct out		o;
	ssize_t			r;
	pid_t			pid;
	int			sv[2];

	for (i = 0; i < nitems(sizes); i++)
		total += sizes[i];
	CHECK(total <= sizeof(want));
	for (i = 0; i < total; i++)
		want[i] = pattern(i);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	if ((pid = fork()) == 0) {
		size_t	off = 0;

		(void)close(sv[0]);
		out_init(&o, sv[1], 10);
		for (i = 0; i < nitems(sizes); i++) {
			if (out_write(&o, want + off, sizes[i]) == -1)
				_exit(1);
			off += sizes[i];
		}
		_exit(out_flush(&o) == 0 ? 0 : 1);
	}
	CHECK(pid > 0);
	(void)close(sv[1]);
	while (n < sizeof(got) &&
	    (r = read(sv[0], got + n, sizeof(got) - n)) > 0)
		n += (size_t)r;
	CHECK(child_status(pid) == 0);
	CHECK(n == total);
	CHECK(memcmp(got, want, total) == 0);
	(void)close(sv[0]);
}

/* A closed peer: -1 and EPIPE, and the process lives on. */
static void
test_out_epipe(void)
{
	static char	big[2 * POP3_CHUNK];
	struct out	o;
	int		sv[2], p[2];

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	(void)close(sv[1]);
	out_init(&o, sv[0], 5);
	CHECK(out_write(&o, "+OK\r\n", 5) == 0);	/* only buffered */
	errno = 0;
	CHECK(out_flush(&o) == -1 && errno == EPIPE);
	out_init(&o, sv[0], 5);
	errno = 0;
	CHECK(out_write(&o, big, sizeof(big)) == -1 && errno == EPIPE);
	(void)close(sv[0]);

	/* A pipe has no MSG_NOSIGNAL; SIGPIPE is ignored (main). */
	CHECK(pipe(p) == 0);
	(void)close(p[0]);
	out_init(&o, p[1], 5);
	CHECK(out_write(&o, "x", 1) == 0);
	errno = 0;
	CHECK(out_flush(&o) == -1 && errno == EPIPE);
	(void)close(p[1]);
}

/* A peer that never reads: ETIMEDOUT after about o->timeout seconds. */
static void
test_out_timeout(void)
{
	static char	big[8 * 1024 * 1024];
	struct out	o;
	double		t;
	int		sv[2], sz = 4096;

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	(void)setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	out_init(&o, sv[0], 1);
	t = now();
	errno = 0;
	CHECK(out_write(&o, big, sizeof(big)) == -1 && errno == ETIMEDOUT);
	t = now() - t;
	CHECK(t >= 0.9 && t < 3.0);
	(void)close(sv[0]);
	(void)close(sv[1]);
}

static void
test_wipe(void)
{
	char	secret[33];
	size_t	i;

	memset(secret, 's', sizeof(secret));
	wipe(secret, 32);
	for (i = 0; i < 32; i++)
		CHECK(secret[i] == '\0');
	CHECK(secret[32] == 's');
	wipe(secret, 0);
}

/* In a child, so the test's own descriptors are not disturbed. */
static void
test_close_from(void)
{
	pid_t	pid;

	if ((pid = fork()) == 0) {
		if (dup2(0, 40) == -1 || dup2(0, 41) == -1 ||
		    dup2(0, 90) == -1)
			_exit(2);
		close_from(41);
		if (fcntl(40, F_GETFD) == -1 || fcntl(41, F_GETFD) != -1 ||
		    fcntl(90, F_GETFD) != -1 || errno != EBADF)
			_exit(1);
		_exit(fcntl(0, F_GETFD) == -1 ? 1 : 0);
	}
	CHECK(pid > 0);
	CHECK(child_status(pid) == 0);
}

/* With 0, 1 and 2 closed, fds_sane opens all three and no more. */
static void
test_fds_sane(void)
{
	char	dir[] = "/tmp/unit_io.XXXXXX";
	pid_t	pid;

	if ((pid = fork()) == 0) {
		int	fd;

		for (fd = 0; fd < 64; fd++)
			(void)close(fd);
		if (fds_sane() == -1)
			_exit(1);
		if (fcntl(0, F_GETFD) == -1 || fcntl(1, F_GETFD) == -1 ||
		    fcntl(2, F_GETFD) == -1)
			_exit(1);
		if (fcntl(3, F_GETFD) != -1)	/* the probe was closed */
			_exit(1);
		if (fds_sane() == -1 || fcntl(3, F_GETFD) != -1)
			_exit(1);
		_exit(0);
	}
	CHECK(pid > 0);
	CHECK(child_status(pid) == 0);

	/*
	 * With 0, 1 and 2 open it needs no /dev/null, as in a jail that
	 * has none; with one closed and no /dev/null it fails.  chroot(2)
	 * into an empty directory needs root.
	 */
	if (geteuid() != 0) {
		printf("skip %s:test_fds_sane_nodev: chroot needs root\n",
		    check_prog);
		return;
	}
	if (mkdtemp(dir) == NULL) {
		CHECK(!"mkdtemp");
		return;
	}
	if ((pid = fork()) == 0) {
		if (chroot(dir) == -1 || chdir("/") == -1)
			_exit(3);
		if (fds_sane() == -1)
			_exit(1);
		(void)close(2);
		if (fds_sane() != -1)
			_exit(2);
		_exit(0);
	}
	CHECK(pid > 0);
	CHECK(child_status(pid) == 0);
	CHECK(rmdir(dir) == 0);
}

int
main(void)
{
	/* A closed peer must give EPIPE, not kill us (pop3d does this). */
	(void)signal(SIGPIPE, SIG_IGN);
	/* A hang is a failure, not a stuck build. */
	(void)alarm(60);
	RUN(test_crlf_lf);
	RUN(test_size_edge);
	RUN(test_size_edge_exact);
	RUN(test_long_line);
	RUN(test_eof);
	RUN(test_timeout);
	RUN(test_exact_socket);
	RUN(test_exact_pipe);
	RUN(test_exact_partial);
	RUN(test_greedy);
	RUN(test_has_line);
	RUN(test_discard);
	RUN(test_out_small);
	RUN(test_out_large);
	RUN(test_out_epipe);
	RUN(test_out_timeout);
	RUN(test_wipe);
	RUN(test_close_from);
	RUN(test_fds_sane);
	return check_exit();
}
