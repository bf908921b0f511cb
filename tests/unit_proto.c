/* SPDX-License-Identifier: ISC */
/*
 * tests/unit_proto.c: proto.c, the codec every client byte passes
 * through.  Tables with explicit lengths, every limit on both sides
 * of its edge, and the body encoder and sizer checked against a
 * line-by-line reference model on deterministic pseudo-random input.
 */
#include "../proto.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "model.h"

static const char	*check_prog = "unit_proto";

#define S(s)	s, sizeof(s) - 1	/* a literal and its length */
#define NONE	((size_t)-1)		/* "no argument" in a table */

/* Encoder tests use inputs up to this long. */
#define IN_MAX	4096
#define OUT_MAX	(STUFF_MAX(IN_MAX) + STUFF_END_MAX)

static void	test_parse(void);
static void	test_parse_limit(void);
static void	test_parse_reset(void);
static void	test_number(void);
static void	test_two_numbers(void);
static void	test_split_last(void);
static void	test_split_first(void);
static void	test_keyword(void);
static void	test_hex_digest(void);
static void	test_uidl_ok(void);
static void	test_user_ok(void);
static void	test_b64_decode(void);
static void	test_b64_decode_exact(void);
static void	test_b64_limit(void);
static void	test_b64_encode(void);
static void	test_sasl_plain(void);
static void	test_stuff(void);
static void	test_stuff_splits(void);
static void	test_top(void);
static void	test_top_splits(void);
static void	test_top_many(void);
static void	test_top_done(void);
static void	test_size(void);
static void	test_model(void);

static size_t	encode(bool, unsigned long, const char *, size_t,
		    const size_t *, size_t, char *);
static size_t	encode_split(bool, unsigned long, const char *, size_t,
		    size_t, char *);
static size_t	encode_bytes(bool, unsigned long, const char *, size_t,
		    char *);
static uint64_t	size_split(const char *, size_t, size_t);
static uint64_t	size_bytes(const char *, size_t);
static uint32_t	rnd(uint32_t *);
static bool	same(const char *, size_t, const char *, size_t);

static bool
same(const char *a, size_t alen, const char *b, size_t blen)
{
	return alen == blen && memcmp(a, b, alen) == 0;
}

/* proto_parse: every verb, case, spacing and forbidden byte. */
static const struct {
	const char	*line;
	size_t		 len;		/* explicit, so NULs can be tested */
	enum parse	 want;
	enum verb	 verb;
	size_t		 argoff;	/* NONE: arg must be NULL */
	size_t		 arglen;
} parses[] = {
	{ S("USER alice"),	PARSE_OK,	VERB_USER,	5, 5 },
	{ S("PASS two words"),	PARSE_OK,	VERB_PASS,	5, 9 },
	{ S("APOP a 0123"),	PARSE_OK,	VERB_APOP,	5, 6 },
	{ S("AUTH PLAIN"),	PARSE_OK,	VERB_AUTH,	5, 5 },
	{ S("AUTH"),		PARSE_OK,	VERB_AUTH,	NONE, 0 },
	{ S("STLS"),		PARSE_OK,	VERB_STLS,	NONE, 0 },
	{ S("CAPA"),		PARSE_OK,	VERB_CAPA,	NONE, 0 },
	{ S("QUIT"),		PARSE_OK,	VERB_QUIT,	NONE, 0 },
	{ S("STAT"),		PARSE_OK,	VERB_STAT,	NONE, 0 },
	{ S("LIST"),		PARSE_OK,	VERB_LIST,	NONE, 0 },
	{ S("LIST 1"),		PARSE_OK,	VERB_LIST,	5, 1 },
	{ S("UIDL"),		PARSE_OK,	VERB_UIDL,	NONE, 0 },
	{ S("UIDL 12"),		PARSE_OK,	VERB_UIDL,	5, 2 },
	{ S("RETR 1"),		PARSE_OK,	VERB_RETR,	5, 1 },
	{ S("TOP 1 10"),	PARSE_OK,	VERB_TOP,	4, 4 },
	{ S("TOP"),		PARSE_OK,	VERB_TOP,	NONE, 0 },
	{ S("DELE 3"),		PARSE_OK,	VERB_DELE,	5, 1 },
	{ S("RSET"),		PARSE_OK,	VERB_RSET,	NONE, 0 },
	{ S("NOOP"),		PARSE_OK,	VERB_NOOP,	NONE, 0 },
	{ S("LAST"),		PARSE_OK,	VERB_LAST,	NONE, 0 },
	/* Case-insensitive keywords (RFC 1939 s.3). */
	{ S("stat"),		PARSE_OK,	VERB_STAT,	NONE, 0 },
	{ S("user Bob"),	PARSE_OK,	VERB_USER,	5, 3 },
	{ S("top 1 2"),		PARSE_OK,	VERB_TOP,	4, 3 },
	{ S("sTaT"),		PARSE_OK,	VERB_STAT,	NONE, 0 },
	{ S("ReTr 1"),		PARSE_OK,	VERB_RETR,	5, 1 },
	{ S("tOp 1 0"),		PARSE_OK,	VERB_TOP,	4, 3 },
	{ S("qUIT"),		PARSE_OK,	VERB_QUIT,	NONE, 0 },
	/* The argument is the rest of the line, spaces included. */
	{ S("LIST  1"),		PARSE_OK,	VERB_LIST,	5, 2 },
	{ S("STAT  "),		PARSE_OK,	VERB_STAT,	5, 1 },
	{ S("PASS  x "),	PARSE_OK,	VERB_PASS,	5, 3 },
	/* Well-formed keywords we do not implement: no argument. */
	{ S("XTND"),		PARSE_UNKNOWN,	VERB_NONE,	NONE, 0 },
	{ S("XTND XLST"),	PARSE_UNKNOWN,	VERB_NONE,	NONE, 0 },
	{ S("XYZ"),		PARSE_UNKNOWN,	VERB_NONE,	NONE, 0 },
	{ S("abc 1 2"),		PARSE_UNKNOWN,	VERB_NONE,	NONE, 0 },
	{ S("USR x"),		PARSE_UNKNOWN,	VERB_NONE,	NONE, 0 },
	{ S("EHLO"),		PARSE_UNKNOWN,	VERB_NONE,	NONE, 0 },
	/* Keywords of the wrong length. */
	{ S("S"),		PARSE_BAD,	VERB_NONE,	NONE, 0 },
	{ S("ST"),		PARSE_BAD,	VERB_NONE,	NONE, 0 },
	{ S("TO 1"),		PARSE_BAD,	VERB_NONE,	NONE, 0 },
	{ S("STATS"),		PARSE_BAD,	VERB_NONE,	NONE, 0 },
	{ S("USERS a"),		PARSE_BAD,	VERB_NONE,	NONE, 0 },
	{ S("RETRIEVE 1"),	PARSE_BAD,	VERB_NONE,	NONE, 0 },
	/* Keywords with something other than ASCII letters. */
	{ S("ST4T"),		PARSE_BAD,	VERB_NONE,	NONE, 0 },
	{ S("TOP1"),		PARSE_BAD,	VERB_NONE,	NONE, 0 },
	{ S("STAT\t1"),		PARSE_BAD,	VERB_NONE,	NONE, 0 },
	{ S("ST\xc3\x84T"),	PARSE_BAD,	VERB_NONE,	NONE, 0 },
	{ S("QUIT\x80"),	PARSE_BAD,	VERB_NONE,	NONE, 0 },
	{ S("\xd3TAT"),		PARSE_BAD,	VERB_NONE,	NONE, 0 },
	/* Spacing. */
	{ S("STAT "),		PARSE_BAD,	VERB_NONE,	NONE, 0 },
	{ S("LIST "),		PARSE_BAD,	VERB_NONE,	NONE, 0 },
	{ S(" STAT"),		PARSE_BAD,	VERB_NONE,	NONE, 0 },
	{ S(" "),		PARSE_BAD,	VERB_NONE,	NONE, 0 },
	{ S("  "),		PARSE_BAD,	VERB_NONE,	NONE, 0 },
	{ S(""),		PARSE_BAD,	VERB_NONE,	NONE, 0 },
	/* NUL, CR and LF anywhere reject the whole line. */
	{ S("\0"),		PARSE_BAD,	VERB_NONE,	NONE, 0 },
	{ S("ST\0T"),		PARSE_BAD,	VERB_NONE,	NONE, 0 },
	{ S("STAT\0"),		PARSE_BAD,	VERB_NONE,	NONE, 0 },
	{ S("USER a\0b"),	PARSE_BAD,	VERB_NONE,	NONE, 0 },
	{ S("PASS x\0"),	PARSE_BAD,	VERB_NONE,	NONE, 0 },
	{ S("STAT\r"),		PARSE_BAD,	VERB_NONE,	NONE, 0 },
	{ S("STAT\r\n"),	PARSE_BAD,	VERB_NONE,	NONE, 0 },
	{ S("USER a\rb"),	PARSE_BAD,	VERB_NONE,	NONE, 0 },
	{ S("USER a\nb"),	PARSE_BAD,	VERB_NONE,	NONE, 0 },
	{ S("\nSTAT"),		PARSE_BAD,	VERB_NONE,	NONE, 0 },
	{ S("XTND\0"),		PARSE_BAD,	VERB_NONE,	NONE, 0 },
};

static void
test_parse(void)
{
	struct command	cmd;
	enum parse	got;
	size_t		i;

	for (i = 0; i < nitems(parses); i++) {
		memset(&cmd, 0xa5, sizeof(cmd));
		got = proto_parse(parses[i].line, parses[i].len, &cmd);
		if (got != parses[i].want || cmd.verb != parses[i].verb)
			fprintf(stderr, "parse case %zu\n", i);
		CHECK(got == parses[i].want);
		CHECK(cmd.verb == parses[i].verb);
		if (parses[i].argoff == NONE) {
			CHECK(cmd.arg == NULL);
			CHECK(cmd.arglen == 0);
		} else {
			CHECK(cmd.arg == parses[i].line + parses[i].argoff);
			CHECK(cmd.arglen == parses[i].arglen);
		}
	}
}

/* RFC 2449 s.4: 255 octets with CRLF, so 253 without. */
static void
test_parse_limit(void)
{
	char		line[300];
	struct command	cmd;

	memset(line, 'a', sizeof(line));
	memcpy(line, "USER ", 5);
	CHECK(proto_parse(line, POP3_LINE_MAX, &cmd) == PARSE_OK);
	CHECK(cmd.verb == VERB_USER && cmd.arg == line + 5 &&
	    cmd.arglen == POP3_LINE_MAX - 5);
	CHECK(POP3_LINE_MAX == 253);
	CHECK(proto_parse(line, 253, &cmd) == PARSE_OK);
	CHECK(proto_parse(line, 254, &cmd) == PARSE_BAD);
	CHECK(cmd.verb == VERB_NONE && cmd.arg == NULL && cmd.arglen == 0);
	CHECK(proto_parse(line, 255, &cmd) == PARSE_BAD);
	CHECK(proto_parse(line, sizeof(line), &cmd) == PARSE_BAD);

	/* An unknown keyword is judged by the same limit. */
	memcpy(line, "XTND ", 5);
	CHECK(proto_parse(line, 253, &cmd) == PARSE_UNKNOWN);
	CHECK(cmd.arg == NULL);
	CHECK(proto_parse(line, 254, &cmd) == PARSE_BAD);

	/* A NUL in the last allowed octet, and just past the limit. */
	memcpy(line, "USER ", 5);
	line[252] = '\0';
	CHECK(proto_parse(line, 253, &cmd) == PARSE_BAD);
	line[252] = 'a';
	line[253] = '\0';
	CHECK(proto_parse(line, 253, &cmd) == PARSE_OK);
	CHECK(proto_parse(line, 254, &cmd) == PARSE_BAD);

	/* The length is respected: bytes past it are never looked at. */
	CHECK(proto_parse("STAT\0junk", 4, &cmd) == PARSE_OK);
	CHECK(cmd.verb == VERB_STAT && cmd.arg == NULL);
	CHECK(proto_parse("LIST 12", 6, &cmd) == PARSE_OK);
	CHECK(cmd.arglen == 1);
}

/* A rejected line leaves no verb or argument from a previous call. */
static void
test_parse_reset(void)
{
	struct command	cmd;

	CHECK(proto_parse(S("RETR 1"), &cmd) == PARSE_OK);
	CHECK(proto_parse(S("RETR\0001"), &cmd) == PARSE_BAD);
	CHECK(cmd.verb == VERB_NONE && cmd.arg == NULL && cmd.arglen == 0);
	CHECK(proto_parse(S("RETR 1"), &cmd) == PARSE_OK);
	CHECK(proto_parse(S("XTND 1"), &cmd) == PARSE_UNKNOWN);
	CHECK(cmd.verb == VERB_NONE && cmd.arg == NULL && cmd.arglen == 0);
}

static const struct {
	const char	*s;
	size_t		 len;
	int		 want;
	unsigned long	 n;
} numbers[] = {
	{ S("0"),		0,	0 },
	{ S("1"),		0,	1 },
	{ S("007"),		0,	7 },
	{ S("42"),		0,	42 },
	{ S("000000000"),	0,	0 },
	{ S("999999999"),	0,	999999999 },	/* nine digits */
	{ S("123456789"),	0,	123456789 },
	{ S("1000000000"),	-1,	0 },		/* ten digits */
	{ S("0000000000"),	-1,	0 },
	{ S("9999999999"),	-1,	0 },
	{ S("18446744073709551617"), -1, 0 },
	{ S(""),		-1,	0 },
	{ S("-1"),		-1,	0 },
	{ S("+1"),		-1,	0 },
	{ S(" 1"),		-1,	0 },
	{ S("1 "),		-1,	0 },
	{ S("abc"),		-1,	0 },
	{ S("1a"),		-1,	0 },
	{ S("0x1"),		-1,	0 },
	{ S("1.0"),		-1,	0 },
	{ S("\0"),		-1,	0 },
	{ S("12\0"),		-1,	0 },
	{ S("1\0002"),		-1,	0 },
	{ S("/"),		-1,	0 },	/* '0' - 1 */
	{ S(":"),		-1,	0 },	/* '9' + 1 */
	{ S("\xb1"),		-1,	0 },
};

static void
test_number(void)
{
	unsigned long	n;
	size_t		i;

	for (i = 0; i < nitems(numbers); i++) {
		n = 12345;
		CHECK(proto_number(numbers[i].s, numbers[i].len, &n) ==
		    numbers[i].want);
		if (numbers[i].want == 0)
			CHECK(n == numbers[i].n);
	}
	/* Only len bytes count. */
	CHECK(proto_number("123", 2, &n) == 0 && n == 12);
	CHECK(proto_number("1234567890", 9, &n) == 0 && n == 123456789);
}

static const struct {
	const char	*s;
	size_t		 len;
	int		 want;
	unsigned long	 a, b;
} twos[] = {
	{ S("1 10"),		0,	1, 10 },
	{ S("0 0"),		0,	0, 0 },
	{ S("01 002"),		0,	1, 2 },
	{ S("999999999 999999999"), 0,	999999999, 999999999 },
	{ S("1000000000 1"),	-1,	0, 0 },
	{ S("1 1000000000"),	-1,	0, 0 },
	{ S("1"),		-1,	0, 0 },
	{ S("1 "),		-1,	0, 0 },
	{ S(" 1"),		-1,	0, 0 },
	{ S(" "),		-1,	0, 0 },
	{ S(""),		-1,	0, 0 },
	{ S("1  2"),		-1,	0, 0 },
	{ S("1 2 "),		-1,	0, 0 },
	{ S("1 2 3"),		-1,	0, 0 },
	{ S("a 1"),		-1,	0, 0 },
	{ S("1 a"),		-1,	0, 0 },
	{ S("-1 2"),		-1,	0, 0 },
	{ S("1 -2"),		-1,	0, 0 },
	{ S("1\t2"),		-1,	0, 0 },
	{ S("1 2\0"),		-1,	0, 0 },
	{ S("1\0 2"),		-1,	0, 0 },
};

static void
test_two_numbers(void)
{
	unsigned long	a, b;
	size_t		i;

	for (i = 0; i < nitems(twos); i++) {
		a = b = 12345;
		CHECK(proto_two_numbers(twos[i].s, twos[i].len, &a, &b) ==
		    twos[i].want);
		if (twos[i].want == 0)
			CHECK(a == twos[i].a && b == twos[i].b);
	}
	CHECK(proto_two_numbers("1 23", 3, &a, &b) == 0 && a == 1 && b == 2);
}

static const struct {
	const char	*s;
	size_t		 len;
	int		 want;
	size_t		 alen;		/* a starts at s, b after the space */
} lasts[] = {
	{ S("alice 0123"),	0,	5 },
	{ S("a b"),		0,	1 },
	{ S("a b c"),		0,	3 },
	{ S("a  b"),		0,	2 },	/* a keeps a space */
	{ S("user name d"),	0,	9 },
	{ S("a\0 b"),		0,	2 },	/* bytes are opaque here */
	{ S("ab"),		-1,	0 },
	{ S(""),		-1,	0 },
	{ S(" "),		-1,	0 },
	{ S("  "),		-1,	0 },
	{ S(" a"),		-1,	0 },
	{ S("a "),		-1,	0 },
	{ S("a b "),		-1,	0 },
};

static void
test_split_last(void)
{
	struct span	a, b;
	size_t		i;

	for (i = 0; i < nitems(lasts); i++) {
		memset(&a, 0, sizeof(a));
		memset(&b, 0, sizeof(b));
		CHECK(proto_split_last(lasts[i].s, lasts[i].len, &a, &b) ==
		    lasts[i].want);
		if (lasts[i].want != 0)
			continue;
		CHECK(a.p == lasts[i].s && a.len == lasts[i].alen);
		CHECK(b.p == lasts[i].s + lasts[i].alen + 1);
		CHECK(b.len == lasts[i].len - lasts[i].alen - 1);
		CHECK(lasts[i].s[lasts[i].alen] == ' ');
		CHECK(memchr(b.p, ' ', b.len) == NULL);
	}
}

static const struct {
	const char	*s;
	size_t		 len;
	int		 want;
	size_t		 wlen;		/* word starts at s */
	size_t		 roff, rlen;	/* rest */
} firsts[] = {
	{ S("a"),		0,	1, 1, 0 },
	{ S("PLAIN"),		0,	5, 5, 0 },
	{ S("PLAIN dGVzdA=="),	0,	5, 6, 8 },
	{ S("a b c"),		0,	1, 2, 3 },
	{ S("a  b"),		0,	1, 2, 2 },	/* rest keeps a space */
	{ S("a\0b c"),		0,	3, 4, 1 },
	{ S(""),		-1,	0, 0, 0 },
	{ S(" "),		-1,	0, 0, 0 },
	{ S(" a"),		-1,	0, 0, 0 },
	{ S("a "),		-1,	0, 0, 0 },
	{ S("a b "),		-1,	0, 0, 0 },
};

static void
test_split_first(void)
{
	struct span	w, r;
	size_t		i;

	for (i = 0; i < nitems(firsts); i++) {
		memset(&w, 0, sizeof(w));
		memset(&r, 0, sizeof(r));
		CHECK(proto_split_first(firsts[i].s, firsts[i].len, &w, &r) ==
		    firsts[i].want);
		if (firsts[i].want != 0)
			continue;
		CHECK(w.p == firsts[i].s && w.len == firsts[i].wlen);
		CHECK(r.p == firsts[i].s + firsts[i].roff);
		CHECK(r.len == firsts[i].rlen);
	}
}

static const struct {
	const char	*s;
	size_t		 len;
	bool		 want;
} hexes[] = {
	{ S("c4c9334bac560ecc979e58001b3e22fb"),	true },
	{ S("0123456789abcdef0123456789abcdef"),	true },
	{ S("00000000000000000000000000000000"),	true },
	{ S("ffffffffffffffffffffffffffffffff"),	true },
	{ S("C4C9334BAC560ECC979E58001B3E22FB"),	false },
	{ S("c4c9334bac560ecc979e58001b3e22fB"),	false },
	{ S("c4c9334bac560ecc979e58001b3e22f"),		false },	/* 31 */
	{ S("c4c9334bac560ecc979e58001b3e22fbb"),	false },	/* 33 */
	{ S("c4c9334bac560ecc979e58001b3e22fg"),	false },
	{ S("c4c9334bac560ecc979e58001b3e22f "),	false },
	{ S("c4c9334bac560ecc979e58001b3e22f\0"),	false },
	{ S("/:`g@GFAfa90/:`g@GFAfa90/:`g@GF"),		false },
	{ S(""),					false },
};

/* SASL mechanism names: any case, whole word, explicit lengths. */
static void
test_keyword(void)
{
	static const struct {
		const char	*word;
		size_t		 len;
		bool		 want;
	} cases[] = {
		{ "PLAIN",	5, true },
		{ "plain",	5, true },
		{ "PlAiN",	5, true },
		{ "PLAI",	4, false },
		{ "PLAINX",	6, false },
		{ "PLA\0N",	5, false },
		{ "",		0, false },
	};
	struct span	w;
	size_t		i;

	for (i = 0; i < nitems(cases); i++) {
		w.p = cases[i].word;
		w.len = cases[i].len;
		CHECK(proto_keyword(&w, "PLAIN") == cases[i].want);
	}
	w.p = "cram-md5";
	w.len = 8;
	CHECK(proto_keyword(&w, "CRAM-MD5"));
	CHECK(!proto_keyword(&w, "PLAIN"));
}

static void
test_hex_digest(void)
{
	size_t	i;

	for (i = 0; i < nitems(hexes); i++)
		CHECK(proto_hex_digest(hexes[i].s, hexes[i].len) ==
		    hexes[i].want);
	/* Only len bytes count. */
	CHECK(proto_hex_digest("0123456789abcdef0123456789abcdefXX", 32));
}

static void
test_uidl_ok(void)
{
	char	s[80];
	int	c;

	memset(s, '!', sizeof(s));
	CHECK(POP3_UIDL_MAX == 70);
	CHECK(proto_uidl_ok(s, 1));
	CHECK(proto_uidl_ok(s, 70));
	CHECK(!proto_uidl_ok(s, 71));
	CHECK(!proto_uidl_ok(s, 0));
	/* Every octet value: only 0x21..0x7e are allowed (s.7). */
	for (c = 0; c < 256; c++) {
		s[35] = (char)c;
		CHECK(proto_uidl_ok(s, 70) == (c >= 0x21 && c <= 0x7e));
		s[0] = (char)c;
		CHECK(proto_uidl_ok(s, 1) == (c >= 0x21 && c <= 0x7e));
		s[0] = s[35] = '!';
	}
	CHECK(proto_uidl_ok(S("1000000001.M1P1.test")));
	CHECK(!proto_uidl_ok(S("a b")));
	CHECK(!proto_uidl_ok(S("a\x7f")));
	CHECK(!proto_uidl_ok(S("a\0")));
	CHECK(proto_uidl_ok(S("~")));
}

static void
test_user_ok(void)
{
	char	s[300];

	memset(s, 'u', sizeof(s));
	CHECK(proto_user_ok(s, 1));
	CHECK(proto_user_ok(s, 255));
	CHECK(!proto_user_ok(s, 256));
	CHECK(!proto_user_ok(s, 0));
	CHECK(proto_user_ok(S("alice")));
	CHECK(proto_user_ok(S("a b")));
	CHECK(proto_user_ok(S("user@example.org")));
	CHECK(proto_user_ok(S("\xff\x01\x7f")));
	CHECK(!proto_user_ok(S("a\0b")));
	CHECK(!proto_user_ok(S("a\rb")));
	CHECK(!proto_user_ok(S("a\nb")));
	CHECK(!proto_user_ok(S("\0")));
	CHECK(!proto_user_ok(S("alice\r")));
	s[254] = '\n';
	CHECK(!proto_user_ok(s, 255));
}

/* RFC 4648 s.10 test vectors, then binary and SASL PLAIN ones. */
static const struct {
	const char	*plain;
	size_t		 plen;
	const char	*enc;
	size_t		 elen;
} vectors[] = {
	{ S("f"),	S("Zg==") },
	{ S("fo"),	S("Zm8=") },
	{ S("foo"),	S("Zm9v") },
	{ S("foob"),	S("Zm9vYg==") },
	{ S("fooba"),	S("Zm9vYmE=") },
	{ S("foobar"),	S("Zm9vYmFy") },
	{ S("\0\1\2\xff"), S("AAEC/w==") },
	{ S("\xfb\xff"), S("+/8=") },
	{ S("\0u\0p"),	S("AHUAcA==") },
};

static const struct {
	const char	*s;
	size_t		 len;
} b64bad[] = {
	{ S("") },		/* empty: only "=" means an empty response */
	{ S("Zg") },		/* padding is required */
	{ S("Zg=") },
	{ S("Zm8") },
	{ S("Zm9vYg") },
	{ S("Zm9vYmE") },
	{ S("==") },
	{ S("====") },
	{ S("Z===") },
	{ S("=Zg=") },
	{ S("Zm=v") },		/* data after padding */
	{ S("Zg==Zg==") },
	{ S("Zg==\n") },
	{ S("Zm8 ") },		/* white space */
	{ S(" Zm8") },
	{ S("Zm\n8") },
	{ S("Zm9v\r\n") },
	{ S("Zm9v    ") },
	{ S("Zm\t8") },
	{ S("Zm9v!A==") },	/* outside the alphabet */
	{ S("Zm-_") },		/* base64url is another alphabet */
	{ S("Zg\0=") },
	{ S("\0\0\0\0") },
	{ S("Zm9\xff") },
	{ S("Zh==") },		/* non-zero pad bits (RFC 4648 s.3.5) */
	{ S("Zm9=") },
};

static void
test_b64_decode(void)
{
	unsigned char	out[64];
	size_t		i;
	long		n;

	for (i = 0; i < nitems(vectors); i++) {
		memset(out, 0xa5, sizeof(out));
		n = proto_b64_decode(vectors[i].enc, vectors[i].elen, out,
		    sizeof(out));
		CHECK(n == (long)vectors[i].plen &&
		    memcmp(out, vectors[i].plain, vectors[i].plen) == 0);
		/* One byte short never fits. */
		CHECK(proto_b64_decode(vectors[i].enc, vectors[i].elen, out,
		    vectors[i].plen - 1) == -1);
	}
	for (i = 0; i < nitems(b64bad); i++) {
		if (proto_b64_decode(b64bad[i].s, b64bad[i].len, out,
		    sizeof(out)) != -1)
			fprintf(stderr, "b64 bad case %zu\n", i);
		CHECK(proto_b64_decode(b64bad[i].s, b64bad[i].len, out,
		    sizeof(out)) == -1);
	}
	/* RFC 5034 s.4: "=" is the empty initial response. */
	CHECK(proto_b64_decode(S("="), out, sizeof(out)) == 0);
	CHECK(proto_b64_decode(S("="), out, 0) == 0);
	/* Only len bytes count. */
	CHECK(proto_b64_decode("Zm9vJUNK", 4, out, sizeof(out)) == 3 &&
	    memcmp(out, "foo", 3) == 0);
	CHECK(proto_b64_decode(S("Zm9vYmFy"), out, 5) == -1);
	CHECK(proto_b64_decode(S("Zm9vYmFy"), out, 0) == -1);
}

/*
 * "Returns the decoded length, or -1 ... if it does not fit": a
 * buffer exactly as long as the decoded data fits it.
 */
static void
test_b64_decode_exact(void)
{
	unsigned char	*out;
	size_t		 i;
	long		 n;

	for (i = 0; i < nitems(vectors); i++) {
		/* Exactly plen bytes on the heap, so ASan sees overruns. */
		if ((out = malloc(vectors[i].plen)) == NULL) {
			CHECK(out != NULL);
			return;
		}
		n = proto_b64_decode(vectors[i].enc, vectors[i].elen, out,
		    vectors[i].plen);
		if (n != (long)vectors[i].plen)
			fprintf(stderr, "b64 \"%s\" into %zu bytes: %ld\n",
			    vectors[i].enc, vectors[i].plen, n);
		CHECK(n == (long)vectors[i].plen &&
		    memcmp(out, vectors[i].plain, vectors[i].plen) == 0);
		free(out);
	}
}

/* POP3_SASL_MAX encoded octets are accepted, one more group is not. */
static void
test_b64_limit(void)
{
	static char		enc[POP3_SASL_MAX + 8];
	static unsigned char	out[POP3_SASL_MAX];
	static unsigned char	plain[POP3_SASL_MAX];
	size_t			i;
	long			n;

	CHECK(POP3_SASL_MAX % 4 == 0);
	for (i = 0; i < sizeof(enc); i += 4)
		memcpy(enc + i, "QUJD", 4);		/* "ABC" */
	n = proto_b64_decode(enc, POP3_SASL_MAX, out, sizeof(out));
	CHECK(n == POP3_SASL_MAX / 4 * 3);
	for (i = 0; n > 0 && i < (size_t)n; i += 3)
		CHECK(memcmp(out + i, "ABC", 3) == 0);
	CHECK(proto_b64_decode(enc, POP3_SASL_MAX + 4, out, sizeof(out)) ==
	    -1);

	/* The encoder takes up to POP3_SASL_MAX bytes. */
	memset(plain, 'x', sizeof(plain));
	n = proto_b64_encode(plain, 768, enc, sizeof(enc));
	CHECK(n == 1024 && strspn(enc, "eHh4") == 1024 && enc[1024] == '\0');
	n = proto_b64_encode(plain, POP3_SASL_MAX, enc, sizeof(enc) - 8);
	CHECK(n == -1);		/* 1368 octets do not fit in 1024 + 1 */
}

static void
test_b64_encode(void)
{
	char	out[64], *exact;
	size_t	i;
	long	n;

	for (i = 0; i < nitems(vectors); i++) {
		memset(out, 0xa5, sizeof(out));
		n = proto_b64_encode((const unsigned char *)vectors[i].plain,
		    vectors[i].plen, out, sizeof(out));
		CHECK(n == (long)vectors[i].elen &&
		    memcmp(out, vectors[i].enc, vectors[i].elen + 1) == 0);

		/* Exactly elen + 1 bytes fit; elen do not. */
		if ((exact = malloc(vectors[i].elen + 1)) == NULL) {
			CHECK(exact != NULL);
			return;
		}
		n = proto_b64_encode((const unsigned char *)vectors[i].plain,
		    vectors[i].plen, exact, vectors[i].elen + 1);
		CHECK(n == (long)vectors[i].elen &&
		    memcmp(exact, vectors[i].enc, vectors[i].elen + 1) == 0);
		CHECK(proto_b64_encode((const unsigned char *)vectors[i].plain,
		    vectors[i].plen, exact, vectors[i].elen) == -1);
		free(exact);
	}
	/* The empty string encodes to "" (RFC 4648 s.10). */
	out[0] = 'x';
	CHECK(proto_b64_encode((const unsigned char *)"", 0, out, 1) == 0 &&
	    out[0] == '\0');
	CHECK(proto_b64_encode((const unsigned char *)"", 0, out, 0) == -1);
}

/* RFC 4616 s.2: authzid NUL authcid NUL passwd. */
static const struct {
	const char	*m;
	size_t		 len;
	int		 want;
	const char	*authcid;
	const char	*passwd;
} plains[] = {
	/* The examples of RFC 4616 s.4. */
	{ S("\0tim\0tanstaaftanstaaf"),	0,  "tim", "tanstaaftanstaaf" },
	{ S("Ursel\0Kurt\0xipj3plmq"),	-1, NULL, NULL },
	/* An authzid equal to the authcid is no proxy. */
	{ S("Kurt\0Kurt\0xipj3plmq"),	0,  "Kurt", "xipj3plmq" },
	{ S("Kur\0Kurt\0xipj3plmq"),	-1, NULL, NULL },
	{ S("Kurtz\0Kurt\0xipj3plmq"),	-1, NULL, NULL },
	{ S("kurt\0Kurt\0xipj3plmq"),	-1, NULL, NULL },
	{ S("\0u\0 p w "),		0,  "u", " p w " },
	{ S("\0\xc3\xa9\0\xff"),	0,  "\xc3\xa9", "\xff" },
	/* Empty authcid or passwd. */
	{ S("\0\0p"),			-1, NULL, NULL },
	{ S("\0u\0"),			-1, NULL, NULL },
	{ S("u\0u\0"),			-1, NULL, NULL },
	{ S("\0\0"),			-1, NULL, NULL },
	/* Not exactly two NULs. */
	{ S("\0u\0p\0q"),		-1, NULL, NULL },
	{ S("\0u\0p\0"),		-1, NULL, NULL },
	{ S("\0u\0\0p"),		-1, NULL, NULL },
	{ S("\0\0\0"),			-1, NULL, NULL },
	{ S("u\0p"),			-1, NULL, NULL },
	{ S("\0up"),			-1, NULL, NULL },
	{ S("up"),			-1, NULL, NULL },
	{ S("\0"),			-1, NULL, NULL },
	{ S(""),			-1, NULL, NULL },
};

static void
test_sasl_plain(void)
{
	struct span	c, p;
	size_t		i;

	for (i = 0; i < nitems(plains); i++) {
		memset(&c, 0, sizeof(c));
		memset(&p, 0, sizeof(p));
		CHECK(proto_sasl_plain((const unsigned char *)plains[i].m,
		    plains[i].len, &c, &p) == plains[i].want);
		if (plains[i].want != 0)
			continue;
		CHECK(same(c.p, c.len, plains[i].authcid,
		    strlen(plains[i].authcid)));
		CHECK(same(p.p, p.len, plains[i].passwd,
		    strlen(plains[i].passwd)));
		/* Both point into the message. */
		CHECK(c.p > plains[i].m && p.p + p.len ==
		    plains[i].m + plains[i].len);
	}
}

/* proto_stuff for RETR: (input, output) with explicit lengths. */
static const struct {
	const char	*in;
	size_t		 inlen;
	const char	*out;
	size_t		 outlen;
} stuffs[] = {
	{ S(""),		S(".\r\n") },
	{ S("a"),		S("a\r\n.\r\n") },	/* no final newline */
	{ S("a\n"),		S("a\r\n.\r\n") },
	{ S("a\r\n"),		S("a\r\n.\r\n") },	/* CRLF is kept */
	{ S("a\nb\n"),		S("a\r\nb\r\n.\r\n") },
	{ S("a\r\nb\r\n"),	S("a\r\nb\r\n.\r\n") },
	{ S("a\r\nb\n"),	S("a\r\nb\r\n.\r\n") },
	{ S("a\nb"),		S("a\r\nb\r\n.\r\n") },
	{ S("\n"),		S("\r\n.\r\n") },
	{ S("\r\n"),		S("\r\n.\r\n") },
	{ S("\n\n"),		S("\r\n\r\n.\r\n") },
	{ S("\r\n\r\n"),	S("\r\n\r\n.\r\n") },
	/* A lone CR is data. */
	{ S("a\rb\n"),		S("a\rb\r\n.\r\n") },
	{ S("a\r"),		S("a\r\r\n.\r\n") },	/* CR at the end */
	{ S("\r"),		S("\r\r\n.\r\n") },
	{ S("\r\r"),		S("\r\r\r\n.\r\n") },
	{ S("a\r\r\n"),		S("a\r\r\n.\r\n") },	/* CR CR LF */
	{ S("\r\r\n"),		S("\r\r\n.\r\n") },
	{ S("a\n\rb"),		S("a\r\n\rb\r\n.\r\n") },
	{ S("\n\r"),		S("\r\n\r\r\n.\r\n") },
	/* Dot-stuffing (RFC 1939 s.3). */
	{ S("."),		S("..\r\n.\r\n") },
	{ S(".\n"),		S("..\r\n.\r\n") },
	{ S(".\r\n"),		S("..\r\n.\r\n") },
	{ S(".."),		S("...\r\n.\r\n") },
	{ S("..\n"),		S("...\r\n.\r\n") },
	{ S(".x\n"),		S("..x\r\n.\r\n") },
	{ S("a\n.\n"),		S("a\r\n..\r\n.\r\n") },
	{ S("a\n.\nb\n"),	S("a\r\n..\r\nb\r\n.\r\n") },
	{ S("\n.\n"),		S("\r\n..\r\n.\r\n") },
	{ S("a\r\n.\r\n"),	S("a\r\n..\r\n.\r\n") },
	{ S("a.\n"),		S("a.\r\n.\r\n") },	/* not at the start */
	{ S(" .\n"),		S(" .\r\n.\r\n") },
	{ S("\r.\n"),		S("\r.\r\n.\r\n") },	/* the line starts CR */
	{ S(".\r"),		S("..\r\r\n.\r\n") },
	{ S(".\r."),		S("..\r.\r\n.\r\n") },
	/* NUL bytes are data. */
	{ S("\0"),		S("\0\r\n.\r\n") },
	{ S("a\0b\n\0.\n"),	S("a\0b\r\n\0.\r\n.\r\n") },
	{ S(".\0\n"),		S("..\0\r\n.\r\n") },
	{ S("\0\r\n"),		S("\0\r\n.\r\n") },
	/* STYLE.md E7. */
	{ S("a\n.b\r\n\r\n..c\rd\n."),
	  S("a\r\n..b\r\n\r\n...c\rd\r\n..\r\n.\r\n") },
	{ S("Subject: dots\n\n.starts with a dot\n"),
	  S("Subject: dots\r\n\r\n..starts with a dot\r\n.\r\n") },
};

/* TOP: the header, the blank line, then `lines` body lines (s.7). */
static const struct {
	const char	*in;
	size_t		 inlen;
	unsigned long	 lines;
	const char	*out;
	size_t		 outlen;
} tops[] = {
	{ S("H: v\n\nb1\nb2\nb3\n"), 0,	S("H: v\r\n\r\n.\r\n") },
	{ S("H: v\n\nb1\nb2\nb3\n"), 1,	S("H: v\r\n\r\nb1\r\n.\r\n") },
	{ S("H: v\n\nb1\nb2\nb3\n"), 2,
	  S("H: v\r\n\r\nb1\r\nb2\r\n.\r\n") },
	{ S("H: v\n\nb1\nb2\nb3\n"), 3,
	  S("H: v\r\n\r\nb1\r\nb2\r\nb3\r\n.\r\n") },
	{ S("H: v\n\nb1\nb2\nb3\n"), 4,
	  S("H: v\r\n\r\nb1\r\nb2\r\nb3\r\n.\r\n") },
	{ S("H: v\n\nb1\nb2\nb3\n"), 999999999,
	  S("H: v\r\n\r\nb1\r\nb2\r\nb3\r\n.\r\n") },
	/* CRLF messages: the blank line is "\r\n". */
	{ S("H: v\r\n\r\nb1\r\nb2\r\n"), 0, S("H: v\r\n\r\n.\r\n") },
	{ S("H: v\r\n\r\nb1\r\nb2\r\n"), 1, S("H: v\r\n\r\nb1\r\n.\r\n") },
	{ S("A: 1\r\nB: 2\r\n\r\nb1\r\n"), 0,
	  S("A: 1\r\nB: 2\r\n\r\n.\r\n") },
	/* Header only. */
	{ S("H: v\n"),		0,	S("H: v\r\n.\r\n") },
	{ S("H: v\n"),		5,	S("H: v\r\n.\r\n") },
	{ S("H: v"),		0,	S("H: v\r\n.\r\n") },
	{ S("H: v\r\n"),	0,	S("H: v\r\n.\r\n") },
	{ S("H: v\n\n"),	0,	S("H: v\r\n\r\n.\r\n") },
	{ S("H: v\n\n"),	1,	S("H: v\r\n\r\n.\r\n") },
	{ S(""),		0,	S(".\r\n") },
	{ S(""),		3,	S(".\r\n") },
	/* No header at all: the first line is the blank one. */
	{ S("\nb1\nb2\n"),	1,	S("\r\nb1\r\n.\r\n") },
	{ S("\nb1\nb2\n"),	0,	S("\r\n.\r\n") },
	/* Only the first empty line ends the header. */
	{ S("H\n\n\n\nb\n"),	2,	S("H\r\n\r\n\r\n\r\n.\r\n") },
	{ S("H\n \nb\n\nc\n"),	0,	S("H\r\n \r\nb\r\n\r\n.\r\n") },
	{ S("H\n\r\rb\n\nc\n"),	0,	S("H\r\n\r\rb\r\n\r\n.\r\n") },
	/* Dots in the body are stuffed, and counted as lines. */
	{ S("H\n\n.x\n.y\n"),	1,	S("H\r\n\r\n..x\r\n.\r\n") },
	{ S("H\n\n.\n.\n.\n"),	2,	S("H\r\n\r\n..\r\n..\r\n.\r\n") },
	/* The last body line may lack its newline. */
	{ S("H\n\nb1"),		5,	S("H\r\n\r\nb1\r\n.\r\n") },
	{ S("H\n\nb1"),		1,	S("H\r\n\r\nb1\r\n.\r\n") },
	{ S("H\n\nb1\r"),	1,	S("H\r\n\r\nb1\r\r\n.\r\n") },
	/* A lone CR does not end a line. */
	{ S("H\n\na\rb\nc\n"),	1,	S("H\r\n\r\na\rb\r\n.\r\n") },
};

/*
 * Encodes in, cut at the nsplit offsets in split (ascending), each
 * piece into its own heap buffer of exactly STUFF_MAX(piece) bytes so
 * that ASan catches a write past the documented bound.
 */
static size_t
encode(bool limit, unsigned long lines, const char *in, size_t n,
    const size_t *split, size_t nsplit, char *out)
{
	struct stuffer	 st;
	char		*piece;
	size_t		 o = 0, from = 0, to, i, k;

	proto_stuff_init(&st, limit, lines);
	for (i = 0; i <= nsplit; i++) {
		to = i < nsplit ? split[i] : n;
		/* malloc(0) may return NULL; an empty piece writes nothing. */
		piece = malloc(to > from ? STUFF_MAX(to - from) : 1);
		if (piece == NULL)
			abort();
		k = proto_stuff(&st, in + from, to - from, piece);
		CHECK(k <= STUFF_MAX(to - from));
		memcpy(out + o, piece, k);
		o += k;
		free(piece);
		from = to;
	}
	piece = malloc(STUFF_END_MAX);
	if (piece == NULL)
		abort();
	k = proto_stuff_end(&st, piece);
	CHECK(k <= STUFF_END_MAX);
	memcpy(out + o, piece, k);
	free(piece);
	return o + k;
}

static size_t
encode_split(bool limit, unsigned long lines, const char *in, size_t n,
    size_t at, char *out)
{
	return encode(limit, lines, in, n, &at, 1, out);
}

static size_t
encode_bytes(bool limit, unsigned long lines, const char *in, size_t n,
    char *out)
{
	struct stuffer	st;
	size_t		o = 0, i;

	proto_stuff_init(&st, limit, lines);
	for (i = 0; i < n; i++)
		o += proto_stuff(&st, in + i, 1, out + o);
	return o + proto_stuff_end(&st, out + o);
}

static void
test_stuff(void)
{
	static char	out[OUT_MAX];
	size_t		i, n;

	for (i = 0; i < nitems(stuffs); i++) {
		n = encode(false, 0, stuffs[i].in, stuffs[i].inlen, NULL, 0,
		    out);
		if (!same(out, n, stuffs[i].out, stuffs[i].outlen))
			fprintf(stderr, "stuff case %zu\n", i);
		CHECK(same(out, n, stuffs[i].out, stuffs[i].outlen));
		/* limit=false ignores lines. */
		n = encode(false, 1, stuffs[i].in, stuffs[i].inlen, NULL, 0,
		    out);
		CHECK(same(out, n, stuffs[i].out, stuffs[i].outlen));
	}
}

/* Every 2-way split, and one byte at a time, change nothing. */
static void
test_stuff_splits(void)
{
	static char	out[OUT_MAX];
	size_t		i, k, n;

	for (i = 0; i < nitems(stuffs); i++) {
		for (k = 0; k <= stuffs[i].inlen; k++) {
			n = encode_split(false, 0, stuffs[i].in,
			    stuffs[i].inlen, k, out);
			CHECK(same(out, n, stuffs[i].out, stuffs[i].outlen));
		}
		n = encode_bytes(false, 0, stuffs[i].in, stuffs[i].inlen, out);
		CHECK(same(out, n, stuffs[i].out, stuffs[i].outlen));
	}
}

static void
test_top(void)
{
	static char	out[OUT_MAX];
	size_t		i, n;

	for (i = 0; i < nitems(tops); i++) {
		n = encode(true, tops[i].lines, tops[i].in, tops[i].inlen,
		    NULL, 0, out);
		if (!same(out, n, tops[i].out, tops[i].outlen))
			fprintf(stderr, "top case %zu\n", i);
		CHECK(same(out, n, tops[i].out, tops[i].outlen));
	}
}

/* The blank line split between chunks, and every other split. */
static void
test_top_splits(void)
{
	static char	out[OUT_MAX];
	static const char in[] = "H: v\r\n\r\nb1\r\nb2\r\n";
	static const char want[] = "H: v\r\n\r\nb1\r\n.\r\n";
	static const size_t cuts[] = { 7, 8 };	/* "\r" | "\n" */
	size_t		i, k, n;

	n = encode(true, 1, in, sizeof(in) - 1, cuts, 1, out);
	CHECK(same(out, n, want, sizeof(want) - 1));
	n = encode(true, 1, in, sizeof(in) - 1, cuts, 2, out);
	CHECK(same(out, n, want, sizeof(want) - 1));

	for (i = 0; i < nitems(tops); i++) {
		for (k = 0; k <= tops[i].inlen; k++) {
			n = encode_split(true, tops[i].lines, tops[i].in,
			    tops[i].inlen, k, out);
			CHECK(same(out, n, tops[i].out, tops[i].outlen));
		}
		n = encode_bytes(true, tops[i].lines, tops[i].in,
		    tops[i].inlen, out);
		CHECK(same(out, n, tops[i].out, tops[i].outlen));
	}
}

/* Many lines: TOP n sends exactly n of them, for several n. */
static void
test_top_many(void)
{
	static char	in[IN_MAX], out[OUT_MAX], want[OUT_MAX];
	static const unsigned long counts[] = { 0, 1, 2, 99, 499, 500, 501 };
	size_t		n, w, i, c;
	int		len;

	n = (size_t)snprintf(in, sizeof(in), "Subject: many\n\n");
	for (i = 0; i < 500; i++) {
		len = snprintf(in + n, sizeof(in) - n, "%s%zu\n",
		    i % 7 == 0 ? "." : "", i);
		n += (size_t)len;
	}
	CHECK(n < sizeof(in));
	for (c = 0; c < nitems(counts); c++) {
		w = (size_t)snprintf(want, sizeof(want),
		    "Subject: many\r\n\r\n");
		for (i = 0; i < counts[c] && i < 500; i++) {
			len = snprintf(want + w, sizeof(want) - w, "%s%zu\r\n",
			    i % 7 == 0 ? ".." : "", i);
			w += (size_t)len;
		}
		memcpy(want + w, ".\r\n", 3);
		w += 3;
		CHECK(same(out, encode(true, counts[c], in, n, NULL, 0, out),
		    want, w));
		CHECK(same(out, encode_bytes(true, counts[c], in, n, out),
		    want, w));
	}
}

/* Once TOP has its lines, further input produces nothing. */
static void
test_top_done(void)
{
	char		out[64];
	struct stuffer	st;
	size_t		n;

	proto_stuff_init(&st, true, 1);
	n = proto_stuff(&st, S("H\n\nb1\nb2"), out);
	CHECK(same(out, n, S("H\r\n\r\nb1\r\n")));
	CHECK(st.done);
	CHECK(proto_stuff(&st, S("more\n"), out) == 0);
	CHECK(proto_stuff(&st, S("\r"), out) == 0);
	n = proto_stuff_end(&st, out);
	CHECK(same(out, n, S(".\r\n")));

	/* RETR is never done early. */
	proto_stuff_init(&st, false, 0);
	n = proto_stuff(&st, S("H\n\nb1\n"), out);
	CHECK(!st.done && same(out, n, S("H\r\n\r\nb1\r\n")));
}

static uint64_t
size_split(const char *in, size_t n, size_t at)
{
	struct sizer	sz = SIZER_INIT;

	proto_size(&sz, in, at);
	proto_size(&sz, in + at, n - at);
	return proto_size_end(&sz);
}

static uint64_t
size_bytes(const char *in, size_t n)
{
	struct sizer	sz = SIZER_INIT;
	size_t		i;

	for (i = 0; i < n; i++)
		proto_size(&sz, in + i, 1);
	return proto_size_end(&sz);
}

/* The sizer on the table: RETR's octets minus stuffing and ".". */
static void
test_size(void)
{
	static const struct {
		const char	*in;
		size_t		 len;
		uint64_t	 size;
	} sizes[] = {
		{ S(""),		0 },
		{ S("a"),		3 },
		{ S("a\n"),		3 },
		{ S("a\r\n"),		3 },
		{ S("a\nb"),		6 },
		{ S("a\r"),		4 },
		{ S("\r"),		3 },
		{ S("a\r\r\n"),		4 },
		{ S("\n\n"),		4 },
		{ S(".\n"),		3 },	/* stuffing is not counted */
		{ S("a\0b\n"),		5 },
		{ S("Subject: x\n\nbody\n"), 20 },
	};
	struct sizer	sz = SIZER_INIT;
	size_t		i, k;

	for (i = 0; i < nitems(sizes); i++) {
		for (k = 0; k <= sizes[i].len; k++)
			CHECK(size_split(sizes[i].in, sizes[i].len, k) ==
			    sizes[i].size);
		CHECK(size_bytes(sizes[i].in, sizes[i].len) == sizes[i].size);
	}
	/* Empty chunks change nothing, even between CR and LF. */
	proto_size(&sz, S("a\r"));
	proto_size(&sz, "", 0);
	proto_size(&sz, S("\n"));
	CHECK(proto_size_end(&sz) == 3);
}

/* xorshift32: deterministic, the same on every platform. */
static uint32_t
rnd(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

/*
 * A few thousand inputs over {a . CR LF NUL}: the encoder agrees
 * with the model for RETR and TOP, whatever the chunking, and the
 * sizer agrees with the encoder.
 */
static void
test_model(void)
{
	static const char mixed[] = { 'a', '.', '\r', '\n', '\0' };
	/* Mostly letters: long runs without LF for the word-wide scan. */
	static const char runs[] = "aaaaaaaaaaaaaaaaaaaaaaaa.\r\n\0";
	static char	in[512], want[STUFF_MAX(512) + STUFF_END_MAX];
	static char	out[STUFF_MAX(512) + STUFF_END_MAX];
	const char	*alphabet;
	uint32_t	x = 0x2545f491;
	size_t		iter, n, i, k, w, got, dots, cuts[8], ncuts, asize;
	unsigned long	lines;
	unsigned	fails = 0;
	struct sizer	sz;

	for (iter = 0; iter < 6000 && fails < 5; iter++) {
		if (iter < 4000) {
			alphabet = mixed;
			asize = sizeof(mixed);
			n = rnd(&x) % 41;
		} else {
			alphabet = runs;
			asize = sizeof(runs) - 1;
			n = rnd(&x) % sizeof(in);
		}
		for (i = 0; i < n; i++)
			in[i] = alphabet[rnd(&x) % asize];

		w = model(false, 0, in, n, want, &dots);
		got = encode(false, 0, in, n, NULL, 0, out);
		if (!same(out, got, want, w))
			fails++;
		CHECK(same(out, got, want, w));
		for (k = 0; k <= n; k++) {
			got = encode_split(false, 0, in, n, k, out);
			CHECK(same(out, got, want, w));
			CHECK(size_split(in, n, k) == w - dots - 3);
		}
		got = encode_bytes(false, 0, in, n, out);
		CHECK(same(out, got, want, w));
		CHECK(size_bytes(in, n) == w - dots - 3);

		/* Random chunking, up to 8 cuts (some of them empty). */
		ncuts = rnd(&x) % 9;
		for (i = 0; i < ncuts; i++)
			cuts[i] = n == 0 ? 0 : rnd(&x) % (n + 1);
		for (i = 1; i < ncuts; i++)	/* insertion sort */
			for (k = i; k > 0 && cuts[k - 1] > cuts[k]; k--) {
				size_t t = cuts[k];

				cuts[k] = cuts[k - 1];
				cuts[k - 1] = t;
			}
		got = encode(false, 0, in, n, cuts, ncuts, out);
		CHECK(same(out, got, want, w));
		sz = (struct sizer)SIZER_INIT;
		for (i = 0, k = 0; i <= ncuts; i++) {
			size_t to = i < ncuts ? cuts[i] : n;

			proto_size(&sz, in + k, to - k);
			k = to;
		}
		CHECK(proto_size_end(&sz) == w - dots - 3);

		/* TOP with 0..3 lines against the model, any chunking. */
		lines = rnd(&x) % 4;
		w = model(true, lines, in, n, want, &dots);
		got = encode(true, lines, in, n, cuts, ncuts, out);
		if (!same(out, got, want, w))
			fails++;
		CHECK(same(out, got, want, w));
		got = encode_bytes(true, lines, in, n, out);
		CHECK(same(out, got, want, w));
	}
	CHECK(fails == 0);
}

int
main(void)
{
	RUN(test_parse);
	RUN(test_parse_limit);
	RUN(test_parse_reset);
	RUN(test_number);
	RUN(test_two_numbers);
	RUN(test_split_last);
	RUN(test_split_first);
	RUN(test_keyword);
	RUN(test_hex_digest);
	RUN(test_uidl_ok);
	RUN(test_user_ok);
	RUN(test_b64_decode);
	RUN(test_b64_decode_exact);
	RUN(test_b64_limit);
	RUN(test_b64_encode);
	RUN(test_sasl_plain);
	RUN(test_stuff);
	RUN(test_stuff_splits);
	RUN(test_top);
	RUN(test_top_splits);
	RUN(test_top_many);
	RUN(test_top_done);
	RUN(test_size);
	RUN(test_model);
	return check_exit();
}
