/*
 * tests/unit_proto.c: the codec.  The message encoder is checked
 * against a line-at-a-time reference over random messages and random
 * chunk splits, for RETR and for TOP, and the sizer against the
 * encoder; the parser on a table.  No files, no network.
 */
#include "../proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static const char	*check_prog = "unit_proto";

static void	test_parse(void);
static void	test_numbers(void);
static void	test_uidl(void);
static void	test_stuff_fixed(void);
static void	test_stuff_random(void);
static void	test_stuff_top(void);
static size_t	ref_encode(const char *, size_t, int, unsigned long, char *,
		    unsigned long *);
static size_t	encode(const char *, size_t, int, unsigned long, char *,
		    const size_t *, size_t, uint64_t *);

#define S(s)	s, sizeof(s) - 1	/* a literal and its length */

static void
test_parse(void)
{
	static const struct {
		const char	*line;
		size_t		 len;
		enum parse	 want;
		enum verb	 verb;
	} cases[] = {
		{ S("STAT"),		PARSE_OK,	VERB_STAT },
		{ S("stat"),		PARSE_OK,	VERB_STAT },
		{ S("TOP 1 10"),	PARSE_OK,	VERB_TOP },
		{ S("RETR 7"),		PARSE_OK,	VERB_RETR },
		{ S("STAT "),		PARSE_BAD,	VERB_NONE },
		{ S("ST\0T"),		PARSE_BAD,	VERB_NONE },
		{ S("XTND"),		PARSE_UNKNOWN,	VERB_NONE },
		{ S("LI"),		PARSE_BAD,	VERB_NONE },
		{ S("DELE\r1"),		PARSE_BAD,	VERB_NONE },
		{ S(""),		PARSE_BAD,	VERB_NONE },
	};
	struct command	cmd;
	size_t		i;

	for (i = 0; i < nitems(cases); i++) {
		CHECK(proto_parse(cases[i].line, cases[i].len, &cmd) ==
		    cases[i].want);
		CHECK(cmd.verb == cases[i].verb);
	}
	CHECK(proto_parse(S("TOP 1 10"), &cmd) == PARSE_OK &&
	    cmd.arglen == 4 && memcmp(cmd.arg, "1 10", 4) == 0);
}

static void
test_numbers(void)
{
	unsigned long	a, b;

	CHECK(proto_number(S("1"), &a) == 0 && a == 1);
	CHECK(proto_number(S("999999999"), &a) == 0 && a == 999999999);
	CHECK(proto_number(S("1000000000"), &a) == -1);
	CHECK(proto_number(S("-1"), &a) == -1);
	CHECK(proto_number(S(""), &a) == -1);
	CHECK(proto_two_numbers(S("3 0"), &a, &b) == 0 && a == 3 && b == 0);
	CHECK(proto_two_numbers(S("3  0"), &a, &b) == -1);
	CHECK(proto_two_numbers(S("3"), &a, &b) == -1);
}

static void
test_uidl(void)
{
	char	long71[72];

	memset(long71, 'a', 71);
	CHECK(proto_uidl_ok(S("1600000000.M1P1.host")));
	CHECK(!proto_uidl_ok(S("")));
	CHECK(!proto_uidl_ok(S("a b")));
	CHECK(proto_uidl_ok(long71, 70));
	CHECK(!proto_uidl_ok(long71, 71));
}

/*
 * The reference: RFC 1939 s.3 and s.7 read literally, one line at a
 * time over the whole message.  *dots counts the stuffing.
 */
static size_t
ref_encode(const char *in, size_t n, int top, unsigned long lines,
    char *out, unsigned long *dots)
{
	size_t	i = 0, j, o = 0, len;
	int	body = 0, done = 0;

	*dots = 0;
	while (i < n && !done) {
		for (j = i; j < n && in[j] != '\n'; j++)
			continue;
		len = j - i;
		/* A CR right before the LF is the CR of a CRLF. */
		if (j < n && len > 0 && in[j - 1] == '\r')
			len--;
		if (len > 0 && in[i] == '.') {
			out[o++] = '.';
			(*dots)++;
		}
		memcpy(out + o, in + i, len);
		o += len;
		out[o++] = '\r';
		out[o++] = '\n';
		if (j < n && top) {
			if (!body) {
				if (len == 0) {
					body = 1;
					if (lines == 0)
						done = 1;
				}
			} else if (--lines == 0)
				done = 1;
		}
		i = j + 1;
	}
	memcpy(out + o, ".\r\n", 3);
	return o + 3;
}

/* The encoder fed in the given chunk lengths (cycled). */
static size_t
encode(const char *in, size_t n, int top, unsigned long lines, char *out,
    const size_t *cuts, size_t ncuts, uint64_t *dots)
{
	struct stuffer	st;
	size_t		i = 0, o = 0, k = 0, c;

	proto_stuff_init(&st, top, lines);
	while (i < n) {
		c = cuts[k++ % ncuts];
		if (c > n - i)
			c = n - i;
		o += proto_stuff(&st, in + i, c, out + o);
		i += c;
	}
	o += proto_stuff_end(&st, out + o);
	*dots = st.dots;
	return o;
}

static void
test_stuff_fixed(void)
{
	static const char	in[] = "a\n.b\r\n\r\n..c\rd\n.";
	static const char	want[] = "a\r\n..b\r\n\r\n...c\rd\r\n..\r\n.\r\n";
	static const size_t	one = 1, all = sizeof(in);
	char			out[128];
	uint64_t		dots;
	size_t			n;

	n = encode(in, sizeof(in) - 1, 0, 0, out, &all, 1, &dots);
	CHECK(n == sizeof(want) - 1 && memcmp(out, want, n) == 0);
	CHECK(dots == 3);
	n = encode(in, sizeof(in) - 1, 0, 0, out, &one, 1, &dots);
	CHECK(n == sizeof(want) - 1 && memcmp(out, want, n) == 0);
	/* A final CR without LF is data; the encoder ends the line. */
	n = encode(S("x\r"), 0, 0, out, &one, 1, &dots);
	CHECK(n == 7 && memcmp(out, "x\r\r\n.\r\n", 7) == 0);
	n = encode(S(""), 0, 0, out, &one, 1, &dots);
	CHECK(n == 3 && memcmp(out, ".\r\n", 3) == 0);
}

/*
 * Property: for random messages of LF, CR, '.' and letters, cut in
 * random chunks, the encoder agrees with the reference, and the sizer
 * gives the encoder's length without the stuffing and the final dot.
 */
static void
test_stuff_random(void)
{
	static const char	alpha[] = "\n\n\r..abcdefgh";
	static char		in[4096], a[2 * 4096 + 16], b[2 * 4096 + 16];
	struct sizer		sz;
	unsigned long		rdots;
	uint64_t		dots;
	size_t			cuts[4], i, n, na, nb, round;
	unsigned int		seed = 12345;
	int			top, bad = 0;
	unsigned long		lines;

	for (round = 0; round < 3000 && !bad; round++) {
		n = (size_t)rand_r(&seed) % (round < 100 ? 16 : sizeof(in));
		for (i = 0; i < n; i++)
			in[i] = alpha[(size_t)rand_r(&seed) %
			    (sizeof(alpha) - 1)];
		/* Long runs without LF exercise the word loop. */
		if (round % 3 == 0)
			for (i = 0; i + 40 < n; i += 50)
				memset(in + i, 'x', 40);
		/* Small cuts for the edges, large ones for the fast path. */
		for (i = 0; i < nitems(cuts); i++)
			cuts[i] = 1 + (size_t)rand_r(&seed) %
			    (round % 4 < 2 ? 37 : 4096);
		top = round % 2;
		lines = (unsigned long)rand_r(&seed) % 4;
		na = ref_encode(in, n, top, lines, a, &rdots);
		nb = encode(in, n, top, lines, b, cuts, nitems(cuts), &dots);
		if (na != nb || memcmp(a, b, na) != 0) {
			fprintf(stderr, "round %zu: top %d lines %lu n %zu\n",
			    round, top, lines, n);
			bad = 1;
		}
		CHECK(na == nb && memcmp(a, b, na) == 0);
		if (top)
			continue;
		CHECK(dots == rdots);
		sz = (struct sizer)SIZER_INIT;
		for (i = 0; i < n; i += cuts[0])
			proto_size(&sz, in + i, n - i < cuts[0] ? n - i : cuts[0]);
		CHECK(proto_size_end(&sz) == nb - 3 - dots);
	}
}

/* TOP on CRLF and LF messages; the header ends at the first blank. */
static void
test_stuff_top(void)
{
	static const char	crlf[] = "A: 1\r\nB: 2\r\n\r\nx\r\n.y\r\nz\r\n";
	static const char	lf[] = "A: 1\n\nx\ny\n";
	static const size_t	all = 4096;
	char			out[256];
	uint64_t		dots;
	size_t			n;

	n = encode(crlf, sizeof(crlf) - 1, 1, 0, out, &all, 1, &dots);
	CHECK(n == 17 && memcmp(out, "A: 1\r\nB: 2\r\n\r\n.\r\n", n) == 0);
	n = encode(crlf, sizeof(crlf) - 1, 1, 2, out, &all, 1, &dots);
	CHECK(n == 25 &&
	    memcmp(out, "A: 1\r\nB: 2\r\n\r\nx\r\n..y\r\n.\r\n", n) == 0);
	n = encode(lf, sizeof(lf) - 1, 1, 1, out, &all, 1, &dots);
	CHECK(n == 14 && memcmp(out, "A: 1\r\n\r\nx\r\n.\r\n", n) == 0);
	n = encode(lf, sizeof(lf) - 1, 1, 9, out, &all, 1, &dots);
	CHECK(n == 17 && memcmp(out, "A: 1\r\n\r\nx\r\ny\r\n.\r\n", n) == 0);
}

int
main(void)
{
	RUN(test_parse);
	RUN(test_numbers);
	RUN(test_uidl);
	RUN(test_stuff_fixed);
	RUN(test_stuff_random);
	RUN(test_stuff_top);
	return check_exit();
}
