/*
 * tests/unit_io.c: line reading with its limits, and buffered
 * writing, over pipes.  No network.
 */
#include "../io.h"

#include <string.h>
#include <unistd.h>

#include "check.h"

static const char	*check_prog = "unit_io";

static void	test_lines(void);
static void	test_long(void);
static void	test_write(void);

/* Writes s into a new pipe and closes it; returns the read end. */
static int
feed(const char *s, size_t n)
{
	int	p[2];

	if (pipe(p) == -1)
		return -1;
	if (write(p[1], s, n) != (ssize_t)n) {
		(void)close(p[0]);
		(void)close(p[1]);
		return -1;
	}
	(void)close(p[1]);
	return p[0];
}

static void
test_lines(void)
{
	static struct io	io;
	char			line[16];
	size_t			len;
	int			fd;

	CHECK((fd = feed("STAT\r\nLIST 1\n", 13)) != -1);
	io_init(&io, fd, 5, false);
	CHECK(io_readline(&io, line, sizeof(line), &len) == IO_OK);
	CHECK(len == 5 && memcmp(line, "STAT\r", 5) == 0);
	CHECK(io_has_line(&io));
	CHECK(io_readline(&io, line, sizeof(line), &len) == IO_OK);
	CHECK(len == 6 && memcmp(line, "LIST 1", 6) == 0);
	CHECK(io_readline(&io, line, sizeof(line), &len) == IO_EOF);
	(void)close(fd);
}

/* An overlong line is thrown away through its LF; the next survives. */
static void
test_long(void)
{
	static struct io	io;
	char			line[8];
	size_t			len;
	int			fd;

	CHECK((fd = feed("0123456789abc\nNOOP\n", 19)) != -1);
	io_init(&io, fd, 5, true);
	CHECK(io_readline(&io, line, sizeof(line), &len) == IO_LONG);
	CHECK(io_readline(&io, line, sizeof(line), &len) == IO_OK);
	CHECK(len == 4 && memcmp(line, "NOOP", 4) == 0);
	(void)close(fd);
}

static void
test_write(void)
{
	static struct out	o;
	static char		big[3 * POP3_CHUNK], back[3 * POP3_CHUNK];
	size_t			got = 0;
	ssize_t			r;
	int			p[2];

	CHECK(pipe(p) == 0);
	memset(big, 'x', sizeof(big));
	/* Less than a pipe holds, so no reader is needed. */
	out_init(&o, p[1], 5);
	CHECK(out_write(&o, "+OK\r\n", 5) == 0);
	CHECK(out_write(&o, big, 20000) == 0);
	CHECK(out_flush(&o) == 0);
	(void)close(p[1]);
	while ((r = read(p[0], back + got, sizeof(back) - got)) > 0)
		got += (size_t)r;
	CHECK(got == 20005 && memcmp(back, "+OK\r\n", 5) == 0 &&
	    memcmp(back + 5, big, 20000) == 0);
	(void)close(p[0]);
}

int
main(void)
{
	RUN(test_lines);
	RUN(test_long);
	RUN(test_write);
	return check_exit();
}
