/* SPDX-License-Identifier: ISC */
/*
 * tests/fuzz_sasl.c: the libFuzzer target for what AUTH reads from
 * the client (sasl.c): a base64 response line, decoded by
 * proto_b64_decode, then split as PLAIN (RFC 4616) or as CRAM-MD5's
 * "user SP digest" (RFC 2195).  Each step is checked against a
 * reference written from the RFCs alone, into output buffers of
 * exactly the size allowed, so ASan sees any write past them.
 *
 * Input layout: one byte of buffer slack (how much smaller than the
 * decoded length the output buffer is, 0..3), then the response line.
 */
#include "../proto.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static long	ref_decode(const char *, size_t, unsigned char *);
static int	ref_value(int);
static void	check_plain(const unsigned char *, size_t);
static void	check_cram(const unsigned char *, size_t);

static int
ref_value(int c)
{
	static const char	alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	const char		*p;

	if (c == '\0' || (p = strchr(alpha, c)) == NULL)
		return -1;
	return (int)(p - alpha);
}

/*
 * RFC 4648 s.4 with padding, no white space, and the bits a pad
 * leaves over all zero (s.3.5: the canonical encoding); "=" is the
 * empty response of RFC 5034 s.4.  out has room for n / 4 * 3.
 */
static long
ref_decode(const char *in, size_t n, unsigned char *out)
{
	size_t		i, o = 0, pad = 0;
	uint32_t	w;
	int		v, k;

	if (n == 1 && in[0] == '=')
		return 0;
	if (n == 0 || n % 4 != 0 || n > POP3_SASL_MAX)
		return -1;
	if (in[n - 1] == '=')
		pad = in[n - 2] == '=' ? 2 : 1;
	for (i = 0; i < n; i += 4) {
		w = 0;
		for (k = 0; k < 4; k++) {
			if (i + (size_t)k >= n - pad) {
				w <<= 6;
				continue;
			}
			if ((v = ref_value((unsigned char)in[i + (size_t)k])) < 0)
				return -1;
			w = w << 6 | (uint32_t)v;
		}
		out[o++] = (unsigned char)(w >> 16);
		out[o++] = (unsigned char)(w >> 8);
		out[o++] = (unsigned char)w;
	}
	o -= pad;
	/* The leftover bits of the last quantum must be zero. */
	if ((pad == 1 && (out[o] != 0)) || (pad == 2 && out[o] != 0))
		return -1;
	return (long)o;
}

/* Exactly two NULs; authcid and passwd not empty; authzid "" or authcid. */
static void
check_plain(const unsigned char *m, size_t n)
{
	const unsigned char	*z1, *z2;
	struct span		 c, p;
	size_t			 nuls = 0, i, zl, cl;
	bool			 ok;
	int			 r;

	for (i = 0; i < n; i++)
		nuls += m[i] == '\0';
	r = proto_sasl_plain(m, n, &c, &p);
	ok = nuls == 2;
	if (ok) {
		z1 = memchr(m, '\0', n);
		z2 = memchr(z1 + 1, '\0', n - (size_t)(z1 + 1 - m));
		zl = (size_t)(z1 - m);
		cl = (size_t)(z2 - z1 - 1);
		ok = cl > 0 && z2 + 1 < m + n &&
		    (zl == 0 || (zl == cl && memcmp(m, z1 + 1, cl) == 0));
		if (ok && r == 0 && (c.p != (const char *)z1 + 1 ||
		    c.len != cl || p.p != (const char *)z2 + 1 ||
		    p.len != n - (size_t)(z2 + 1 - m)))
			abort();
	}
	if ((r == 0) != ok)
		abort();
}

/* "user SP digest": the digest is what follows the last space. */
static void
check_cram(const unsigned char *m, size_t n)
{
	const char	*s = (const char *)m;
	struct span	 u, d;
	size_t		 i, last = n;

	for (i = 0; i < n; i++)
		if (s[i] == ' ')
			last = i;
	if (proto_split_last(s, n, &u, &d) == 0) {
		if (last == n || last == 0 || last == n - 1 ||
		    u.p != s || u.len != last || d.p != s + last + 1 ||
		    d.len != n - last - 1)
			abort();
	} else if (last != n && last != 0 && last != n - 1)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char	 ref[POP3_SASL_MAX];
	unsigned char		*out;
	const char		*in;
	size_t			 n, room, slack;
	long			 want, got;

	if (size < 1 || size > POP3_SASL_MAX + 8)
		return 0;
	slack = data[0] % 4;
	in = (const char *)data + 1;
	n = size - 1;
	want = ref_decode(in, n, ref);

	/* Room for exactly the decoded length, less the slack. */
	room = want > 0 ? (size_t)want : n / 4 * 3;
	room = room > slack ? room - slack : 0;
	if ((out = malloc(room > 0 ? room : 1)) == NULL)
		return 0;
	got = proto_b64_decode(in, n, out, room);
	if (want >= 0 && (size_t)want <= room) {
		if (got != want || memcmp(out, ref, (size_t)want) != 0)
			abort();
	} else if (got != -1)
		abort();
	free(out);

	/* What sasl.c does next with a decoded response. */
	if (want >= 0) {
		check_plain(ref, (size_t)want);
		check_cram(ref, (size_t)want);
	}
	/* And straight on the input, for NULs and spaces anywhere. */
	check_plain(data + 1, n);
	check_cram(data + 1, n);
	return 0;
}
