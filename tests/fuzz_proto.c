/* SPDX-License-Identifier: ISC */
/*
 * tests/fuzz_proto.c: the libFuzzer target for proto.c, the code that
 * sees every client byte.  Each parser runs on the input and its
 * answer is checked against the grammar in proto.h or a small
 * reference; the body encoder must give the same bytes however the
 * input is cut and agree with a line-by-line model, and the sizer
 * must count what the encoder sends.  Any violation calls abort().
 * Built by "make fuzz" (clang); tests/replay.c runs the corpus with
 * any compiler.
 */
#include "../proto.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define IN_MAX	4096		/* longer inputs add nothing but time */
#define OUT_MAX	(STUFF_MAX(IN_MAX) + STUFF_END_MAX)

static void	check_parse(const char *, size_t);
static void	check_numbers(const char *, size_t);
static void	check_splits(const char *, size_t);
static void	check_predicates(const char *, size_t);
static void	check_b64(const char *, size_t);
static void	check_plain(const unsigned char *, size_t);
static void	check_encoder(const char *, size_t, bool, unsigned long);
static size_t	encode(bool, unsigned long, const char *, size_t,
		    const size_t *, size_t, char *);
static bool	digits(const char *, size_t);

static char	outa[OUT_MAX], outb[OUT_MAX], want[OUT_MAX];

static bool
digits(const char *s, size_t n)
{
	size_t	i;

	if (n == 0 || n > 9)
		return false;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* proto_parse against the grammar in proto.h, restated. */
static void
check_parse(const char *in, size_t n)
{
	static const char *const known[] = {
		"USER", "PASS", "APOP", "AUTH", "STLS", "CAPA", "QUIT",
		"STAT", "LIST", "UIDL", "RETR", "TOP", "DELE", "RSET",
		"NOOP", "LAST",
	};
	struct command	cmd;
	enum parse	got, exp = PARSE_BAD;
	char		kw[5];
	size_t		k = 0, i;

	got = proto_parse(in, n, &cmd);
	if (n <= POP3_LINE_MAX && memchr(in, '\0', n) == NULL &&
	    memchr(in, '\r', n) == NULL && memchr(in, '\n', n) == NULL) {
		while (k < n && ((in[k] >= 'A' && in[k] <= 'Z') ||
		    (in[k] >= 'a' && in[k] <= 'z')))
			k++;
		if (k >= 3 && k <= 4 && (k == n || (in[k] == ' ' &&
		    k + 1 < n))) {
			for (i = 0; i < k; i++)
				kw[i] = (char)(in[i] & ~0x20);	/* upper */
			kw[k] = '\0';
			exp = PARSE_UNKNOWN;
			for (i = 0; i < nitems(known); i++)
				if (strcmp(kw, known[i]) == 0)
					exp = PARSE_OK;
		}
	}
	if (got != exp)
		abort();
	if (got != PARSE_OK) {
		if (cmd.verb != VERB_NONE || cmd.arg != NULL ||
		    cmd.arglen != 0)
			abort();
		return;
	}
	if (cmd.verb == VERB_NONE)
		abort();
	if (k == n ? cmd.arg != NULL || cmd.arglen != 0 :
	    cmd.arg != in + k + 1 || cmd.arglen != n - k - 1)
		abort();
}

static void
check_numbers(const char *in, size_t n)
{
	unsigned long	v, a, b, ref;
	const char	*sp;
	size_t		i;
	int		r;

	r = proto_number(in, n, &v);
	if (r != (digits(in, n) ? 0 : -1))
		abort();
	if (r == 0) {
		for (ref = 0, i = 0; i < n; i++)
			ref = ref * 10 + (unsigned long)(in[i] - '0');
		if (v != ref || v > 999999999UL)
			abort();
	}

	/* Exactly one space between two strict numbers. */
	r = proto_two_numbers(in, n, &a, &b);
	sp = memchr(in, ' ', n);
	if (sp == NULL || !digits(in, (size_t)(sp - in)) ||
	    !digits(sp + 1, n - (size_t)(sp - in) - 1)) {
		if (r != -1)
			abort();
	} else if (r != 0 ||
	    proto_number(in, (size_t)(sp - in), &v) != 0 || v != a ||
	    proto_number(sp + 1, n - (size_t)(sp - in) - 1, &v) != 0 ||
	    v != b)
		abort();
}

/* The spans cover the input around one space, and nothing else. */
static void
check_splits(const char *in, size_t n)
{
	struct span	a, b;

	if (proto_split_last(in, n, &a, &b) == 0) {
		if (a.p != in || a.len == 0 || b.len == 0 ||
		    a.len + 1 + b.len != n || b.p != in + a.len + 1 ||
		    in[a.len] != ' ' || memchr(b.p, ' ', b.len) != NULL)
			abort();
	} else if (n >= 3 && in[0] != ' ' && in[n - 1] != ' ' &&
	    memchr(in + 1, ' ', n - 2) != NULL)
		abort();	/* there was a split to be had */

	if (proto_split_first(in, n, &a, &b) == 0) {
		if (n == 0 || in[0] == ' ' || in[n - 1] == ' ' ||
		    a.p != in || a.len == 0 || memchr(a.p, ' ', a.len) != NULL)
			abort();
		if (b.len == 0 ? a.len != n || b.p != in + n :
		    a.len + 1 + b.len != n || b.p != in + a.len + 1 ||
		    in[a.len] != ' ')
			abort();
	} else if (n > 0 && in[0] != ' ' && in[n - 1] != ' ')
		abort();
}

static void
check_predicates(const char *in, size_t n)
{
	bool	hex = n == 32, uidl = n >= 1 && n <= POP3_UIDL_MAX;
	bool	user = n >= 1 && n <= 255;
	size_t	i;

	for (i = 0; i < n; i++) {
		unsigned char	c = (unsigned char)in[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			hex = false;
		if (c < 0x21 || c > 0x7e)
			uidl = false;
		if (c == '\0' || c == '\r' || c == '\n')
			user = false;
	}
	if (proto_hex_digest(in, n) != hex || proto_uidl_ok(in, n) != uidl ||
	    proto_user_ok(in, n) != user)
		abort();
}

/*
 * Strict base64 decodes only canonical text, so what decodes must
 * encode back to the same bytes; and whatever is encoded decodes.
 * (A buffer of exactly the decoded length is not tried here: see
 * unit_proto's test_b64_decode_exact.)
 */
static void
check_b64(const char *in, size_t n)
{
	static unsigned char	dec[POP3_SASL_MAX + 8];
	static char		enc[2 * POP3_SASL_MAX + 8];
	long			r, e;

	r = proto_b64_decode(in, n, dec, sizeof(dec));
	if (r >= 0) {
		if (n == 1 && in[0] == '=') {
			if (r != 0)
				abort();
		} else {
			e = proto_b64_encode(dec, (size_t)r, enc, sizeof(enc));
			if (e < 0 || (size_t)e != n || memcmp(enc, in, n) != 0)
				abort();
		}
	}
	if (n <= POP3_SASL_MAX / 4 * 3) {
		e = proto_b64_encode((const unsigned char *)in, n, enc,
		    sizeof(enc));
		if (e != (long)((n + 2) / 3 * 4) || enc[e] != '\0')
			abort();
		r = n == 0 ? 0 : proto_b64_decode(enc, (size_t)e, dec,
		    sizeof(dec));
		if (r != (long)n || memcmp(dec, in, n) != 0)
			abort();
	}
}

/* "authzid NUL authcid NUL passwd", authzid empty or the authcid. */
static void
check_plain(const unsigned char *m, size_t n)
{
	struct span		 c, p;
	const unsigned char	*z1, *z2;
	size_t			 zlen;
	bool			 ok = false;

	if ((z1 = memchr(m, '\0', n)) != NULL &&
	    (z2 = memchr(z1 + 1, '\0', n - (size_t)(z1 - m) - 1)) != NULL &&
	    memchr(z2 + 1, '\0', n - (size_t)(z2 - m) - 1) == NULL) {
		zlen = (size_t)(z1 - m);
		ok = z2 > z1 + 1 && z2 + 1 < m + n && (zlen == 0 ||
		    (zlen == (size_t)(z2 - z1 - 1) &&
		    memcmp(m, z1 + 1, zlen) == 0));
		if (ok && proto_sasl_plain(m, n, &c, &p) == 0 &&
		    (c.p != (const char *)z1 + 1 ||
		    c.len != (size_t)(z2 - z1 - 1) ||
		    p.p != (const char *)z2 + 1 ||
		    p.len != n - (size_t)(z2 - m) - 1))
			abort();
	}
	if ((proto_sasl_plain(m, n, &c, &p) == 0) != ok)
		abort();
}

/* Encodes in, cut at the nsplit offsets in split (ascending). */
static size_t
encode(bool limit, unsigned long lines, const char *in, size_t n,
    const size_t *split, size_t nsplit, char *out)
{
	struct stuffer	st;
	size_t		o = 0, from = 0, to, i, k;

	proto_stuff_init(&st, limit, lines);
	for (i = 0; i <= nsplit; i++) {
		to = i < nsplit ? split[i] : n;
		k = proto_stuff(&st, in + from, to - from, out + o);
		if (k > STUFF_MAX(to - from))
			abort();
		o += k;
		from = to;
	}
	k = proto_stuff_end(&st, out + o);
	if (k > STUFF_END_MAX)
		abort();
	return o + k;
}

static void
check_encoder(const char *in, size_t n, bool limit, unsigned long lines)
{
	struct sizer	sz = SIZER_INIT, sz2 = SIZER_INIT;
	size_t		na, nb, nw, dots, cut[3], i;
	uint32_t	h = 2166136261u;

	/* Cut points that depend on the input, so the fuzzer steers them. */
	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)in[i]) * 16777619u;
	cut[0] = n == 0 ? 0 : h % (n + 1);
	cut[1] = n / 2 > cut[0] ? n / 2 : cut[0];
	cut[2] = n;

	nw = model(limit, lines, in, n, want, &dots);
	na = encode(limit, lines, in, n, NULL, 0, outa);
	if (na != nw || memcmp(outa, want, nw) != 0)
		abort();
	nb = encode(limit, lines, in, n, cut, 1, outb);
	if (nb != na || memcmp(outb, outa, na) != 0)
		abort();
	nb = encode(limit, lines, in, n, cut, 3, outb);
	if (nb != na || memcmp(outb, outa, na) != 0)
		abort();
	if (n <= 512) {
		struct stuffer	st;

		proto_stuff_init(&st, limit, lines);
		for (nb = 0, i = 0; i < n; i++)
			nb += proto_stuff(&st, in + i, 1, outb + nb);
		nb += proto_stuff_end(&st, outb + nb);
		if (nb != na || memcmp(outb, outa, na) != 0)
			abort();
	}
	/* Every LF on the wire ends a CRLF (RFC 1939 s.3). */
	for (i = 0; i < na; i++)
		if (outa[i] == '\n' && (i == 0 || outa[i - 1] != '\r'))
			abort();
	if (limit)
		return;

	proto_size(&sz, in, n);
	proto_size(&sz2, in, cut[0]);
	proto_size(&sz2, in + cut[0], n - cut[0]);
	if (proto_size_end(&sz) != nw - dots - 3 ||
	    proto_size_end(&sz2) != nw - dots - 3)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*in = (const char *)data;

	if (size > IN_MAX)
		return 0;
	check_parse(in, size);
	check_numbers(in, size);
	check_splits(in, size);
	check_predicates(in, size);
	check_b64(in, size);
	check_plain(data, size);
	check_encoder(in, size, false, 0);
	/* TOP, with a line count taken from the first byte. */
	check_encoder(in, size, true, size > 0 ? data[0] % 5 : 0);
	return 0;
}
