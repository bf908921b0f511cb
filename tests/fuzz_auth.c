/* SPDX-License-Identifier: ISC */
/*
 * tests/fuzz_auth.c: the libFuzzer target for the checkpassword
 * record, the one structure that crosses from the unprivileged,
 * client-facing side to the password checker.  The input is cut into
 * a buffer size and three fields (any bytes, NULs included); the
 * record must be exactly "user NUL pass NUL stamp NUL" when every
 * rule holds, 0 otherwise, and nothing may be written past it.
 *
 * Input layout: size (2 bytes, little-endian, mod 1100), ulen (1),
 * plen (1), then user, pass, and the rest is the stamp.
 */
#include "../auth.h"
#include "../checkprog.h"

#include <sys/wait.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define SENTINEL	0xa5

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*user, *pass, *stamp;
	size_t		 bufsize, ulen, plen, slen, want, got, i;
	unsigned char	*buf;
	bool		 ok;
	int		 st;

	if (size < 4)
		return 0;
	bufsize = (size_t)(data[0] | data[1] << 8) % 1100;
	ulen = data[2];
	plen = data[3];
	data += 4;
	size -= 4;
	if (ulen > size)
		ulen = size;
	if (plen > size - ulen)
		plen = size - ulen;
	user = (const char *)data;
	pass = user + ulen;
	stamp = pass + plen;
	slen = size - ulen - plen;

	ok = ulen > 0 && plen > 0 && memchr(user, '\0', ulen) == NULL &&
	    memchr(pass, '\0', plen) == NULL &&
	    memchr(stamp, '\0', slen) == NULL &&
	    ulen + plen + slen + 3 <= bufsize;
	want = ok ? ulen + plen + slen + 3 : 0;

	/* Exactly bufsize bytes (one if 0), so ASan sees an overrun. */
	if ((buf = malloc(bufsize > 0 ? bufsize : 1)) == NULL)
		return 0;
	memset(buf, SENTINEL, bufsize > 0 ? bufsize : 1);
	got = auth_record((char *)buf, bufsize, user, ulen, pass, plen,
	    stamp, slen);
	if (got != want)
		abort();
	if (ok && (memcmp(buf, user, ulen) != 0 || buf[ulen] != '\0' ||
	    memcmp(buf + ulen + 1, pass, plen) != 0 ||
	    buf[ulen + 1 + plen] != '\0' ||
	    memcmp(buf + ulen + plen + 2, stamp, slen) != 0 ||
	    buf[want - 1] != '\0'))
		abort();
	for (i = want; i < (bufsize > 0 ? bufsize : 1); i++)
		if (buf[i] != SENTINEL)
			abort();
	free(buf);

	/* Any wait status maps as auth.h's table says; takeover wins. */
	if (size >= sizeof(st)) {
		enum auth_result	exp;

		memcpy(&st, data, sizeof(st));
		if (!WIFEXITED(st))
			exp = AUTH_CRASHED;
		else if (WEXITSTATUS(st) == 0)
			exp = AUTH_SERVED;
		else if (WEXITSTATUS(st) == POP3_EXIT_TEMP)
			exp = AUTH_TEMPFAIL;
		else
			exp = AUTH_REJECTED;
		if (auth_classify(st, false) != exp ||
		    auth_classify(st, true) != AUTH_SERVED)
			abort();
	}
	return 0;
}
