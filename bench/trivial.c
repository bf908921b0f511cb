/* SPDX-License-Identifier: ISC */
/*
 * bench/trivial.c: the floor for the connection-rate benchmark.  A
 * POP3 responder that checks nothing: a greeting, then "+OK" for every
 * line, "+OK 0 0" for STAT, and it exits after QUIT.  Run under the
 * same superserver as pop3d, it measures what the superserver, one
 * fork+exec and the TCP connection cost by themselves.
 */
#include <string.h>
#include <unistd.h>

static int
say(const char *s)
{
	size_t	n = strlen(s);

	return write(1, s, n) == (ssize_t)n ? 0 : -1;
}

int
main(void)
{
	char	buf[4096];
	size_t	have = 0, len;
	ssize_t	r;
	char	*lf;

	if (say("+OK trivial ready\r\n") == -1)
		return 1;
	for (;;) {
		r = read(0, buf + have, sizeof(buf) - have);
		if (r <= 0)
			return 0;
		have += (size_t)r;
		while ((lf = memchr(buf, '\n', have)) != NULL) {
			len = (size_t)(lf - buf) + 1;
			if (strncmp(buf, "STAT", 4) == 0)
				(void)say("+OK 0 0\r\n");
			else
				(void)say("+OK\r\n");
			if (strncmp(buf, "QUIT", 4) == 0)
				return 0;
			memmove(buf, lf + 1, have - len);
			have -= len;
		}
		if (have == sizeof(buf))
			have = 0;
	}
}
