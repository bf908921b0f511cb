/* SPDX-License-Identifier: ISC */
/*
 * tests/fuzz_fd3.c: the libFuzzer target for checkpw_record(), which
 * splits what pop3d-checkpw reads from descriptor 3.  The input is the
 * record itself, any bytes.  A simple model says whether it must be
 * accepted and where the fields are; the parser must agree with it
 * exactly, point only inside the input and never read past it (the
 * replay gives it a buffer of exactly the input's size).
 */
#include "../checkpw.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct checkpw_record	 r;
	const char		*buf = (const char *)data;
	size_t			 nul[2], n = 0, i, end;
	int			 got;

	/* The model: the first two NULs end user and password. */
	for (i = 0; i < size && n < 2; i++)
		if (buf[i] == '\0')
			nul[n++] = i;
	errno = 0;
	got = checkpw_record(buf, size, &r);
	if (size > POP3_AUTH_MAX) {
		if (got != -1 || errno != EMSGSIZE)
			abort();
		return 0;
	}
	if (n < 2 || nul[0] == 0) {
		if (got != -1 || errno != EINVAL)
			abort();
		return 0;
	}
	if (got != 0)
		abort();
	if (r.user != buf || r.userlen != nul[0] ||
	    r.pass != buf + nul[0] + 1 || r.passlen != nul[1] - nul[0] - 1 ||
	    r.stamp != buf + nul[1] + 1)
		abort();
	/* The stamp runs to the next NUL or to the end, never past it. */
	end = nul[1] + 1 + r.stamplen;
	if (end > size || memchr(r.stamp, '\0', r.stamplen) != NULL ||
	    (end < size && buf[end] != '\0'))
		abort();
	if (memchr(r.user, '\0', r.userlen) != NULL ||
	    memchr(r.pass, '\0', r.passlen) != NULL)
		abort();
	return 0;
}
