/*
 * tests/unit_checkpw.c: checkpw.c's parsers and verifiers.  Hashes
 * are made at test time with crypt_gensalt_rn and crypt_rn, so the
 * test follows whatever libcrypt supports; APOP and CRAM-MD5 use the
 * RFC vectors.  No files, no root, no network.
 */
#define _DEFAULT_SOURCE		/* crypt_rn, crypt_gensalt_rn */

#include "../checkpw.h"

#include <crypt.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

static const char	*check_prog = "unit_checkpw";

static void	test_dummy(void);
static void	test_record(void);
static void	test_record_limit(void);
static void	test_line(void);
static void	test_line_limit(void);
static void	test_crypt(void);
static void	test_plain(void);
static void	test_apop(void);
static void	test_cram(void);
static void	test_bad_secret(void);
static void	test_equal(void);

#define S(s)	s, sizeof(s) - 1	/* a literal and its length */

/* The dummy must be a hash crypt(3) accepts, or it costs nothing. */
static void
test_dummy(void)
{
	CHECK(checkpw_dummy("x") == 0);
	CHECK(checkpw_dummy("") == 0);
}

static const struct {
	const char	*rec;
	size_t		 len;		/* explicit: the record holds NULs */
	int		 want;
	const char	*user, *pass, *stamp;
	size_t		 stamplen;
} records[] = {
	{ S("u\0p\0s\0"),	0,	"u", "p", "s", 1 },
	{ S("alice\0pw\0<1.2@h>\0"), 0,	"alice", "pw", "<1.2@h>", 7 },
	{ S("u\0p\0\0"),	0,	"u", "p", "", 0 },	/* no stamp */
	{ S("u\0p\0s"),		0,	"u", "p", "s", 1 },	/* no NUL */
	{ S("u\0p\0"),		0,	"u", "p", "", 0 },	/* no field */
	{ S("u\0\0s\0"),	0,	"u", "", "s", 1 },	/* empty pass */
	{ S("u\0p\0s\0more"),	0,	"u", "p", "s", 1 },	/* extra data */
	{ S("up"),		-1,	NULL, NULL, NULL, 0 },	/* no NUL */
	{ S("u\0p"),		-1,	NULL, NULL, NULL, 0 },	/* one NUL */
	{ S("u\0"),		-1,	NULL, NULL, NULL, 0 },
	{ S("\0p\0s\0"),	-1,	NULL, NULL, NULL, 0 },	/* empty user */
	{ S(""),		-1,	NULL, NULL, NULL, 0 },
};

static void
test_record(void)
{
	struct checkpw_record	r;
	size_t			i;

	for (i = 0; i < nitems(records); i++) {
		int	got = checkpw_record(records[i].rec, records[i].len,
			    &r);

		CHECK(got == records[i].want);
		if (got != 0 || records[i].want != 0)
			continue;
		CHECK(r.userlen == strlen(records[i].user) &&
		    strcmp(r.user, records[i].user) == 0);
		CHECK(r.passlen == strlen(records[i].pass) &&
		    strcmp(r.pass, records[i].pass) == 0);
		CHECK(r.stamplen == records[i].stamplen &&
		    memcmp(r.stamp, records[i].stamp, r.stamplen) == 0);
	}
}

/* POP3_AUTH_MAX bytes pass, one more does not. */
static void
test_record_limit(void)
{
	char			buf[POP3_AUTH_MAX + 1];
	struct checkpw_record	r;

	/* user (100) NUL pass NUL NUL: 512 bytes in all. */
	memset(buf, 'p', sizeof(buf));
	memset(buf, 'u', 100);
	buf[100] = '\0';
	buf[POP3_AUTH_MAX - 2] = '\0';
	buf[POP3_AUTH_MAX - 1] = '\0';
	CHECK(checkpw_record(buf, POP3_AUTH_MAX, &r) == 0);
	CHECK(r.userlen == 100 && r.passlen == POP3_AUTH_MAX - 103 &&
	    r.stamplen == 0);

	/* The same with one more stamp byte: 513. */
	buf[POP3_AUTH_MAX - 1] = 's';
	buf[POP3_AUTH_MAX] = '\0';
	errno = 0;
	CHECK(checkpw_record(buf, POP3_AUTH_MAX + 1, &r) == -1);
	CHECK(errno == EMSGSIZE);
}

static const struct {
	const char		*line;
	size_t			 len;
	enum checkpw_line	 want;
	const char		*name;	/* user field; NULL: none */
	unsigned long		 uid, gid;
	const char		*home, *shell;
} lines[] = {
	{ S("alice:{PLAIN}pw:1000:100::/home/alice"), CHECKPW_LINE_OK,
	    "alice", 1000, 100, "/home/alice", "/bin/sh" },
	{ S("alice:{PLAIN}pw:1000:100:Alice A:/home/alice:/bin/zsh"),
	    CHECKPW_LINE_OK, "alice", 1000, 100, "/home/alice", "/bin/zsh" },
	{ S("bob:$6$s$h:7:8::/h::"), CHECKPW_LINE_OK,
	    "bob", 7, 8, "/h", "/bin/sh" },		/* empty shell */
	{ S("bob:x:7:8::/h:/bin/ksh:userdb_quota_rule=*:storage=1G"),
	    CHECKPW_LINE_OK, "bob", 7, 8, "/h", "/bin/ksh" },
	{ S("max:x:4294967294:4294967294::/h"), CHECKPW_LINE_OK,
	    "max", 4294967294UL, 4294967294UL, "/h", "/bin/sh" },
	{ S("nopw::1:1::/h"), CHECKPW_LINE_OK, "nopw", 1, 1, "/h",
	    "/bin/sh" },		/* verify refuses the empty secret */
	{ S("# alice:x:1:1::/h"), CHECKPW_LINE_SKIP, NULL, 0, 0, NULL, NULL },
	{ S("  \t# indented"), CHECKPW_LINE_SKIP, NULL, 0, 0, NULL, NULL },
	{ S(""), CHECKPW_LINE_SKIP, NULL, 0, 0, NULL, NULL },
	{ S(" \t "), CHECKPW_LINE_SKIP, NULL, 0, 0, NULL, NULL },
	{ S("alice:pw:1:1:"), CHECKPW_LINE_BAD, "alice", 0, 0, NULL, NULL },
	{ S("alice:pw:1:1:/h"), CHECKPW_LINE_BAD, "alice", 0, 0, NULL,
	    NULL },			/* five fields, no home */
	{ S("alice:pw:1"), CHECKPW_LINE_BAD, "alice", 0, 0, NULL, NULL },
	{ S("alice"), CHECKPW_LINE_BAD, "alice", 0, 0, NULL, NULL },
	{ S("alice:pw:10x0:1::/h"), CHECKPW_LINE_BAD, "alice", 0, 0, NULL,
	    NULL },
	{ S("alice:pw::1::/h"), CHECKPW_LINE_BAD, "alice", 0, 0, NULL, NULL },
	{ S("alice:pw:1:::/h"), CHECKPW_LINE_BAD, "alice", 0, 0, NULL, NULL },
	{ S("alice:pw:1:-1::/h"), CHECKPW_LINE_BAD, "alice", 0, 0, NULL,
	    NULL },
	{ S("alice:pw:+1:1::/h"), CHECKPW_LINE_BAD, "alice", 0, 0, NULL,
	    NULL },
	{ S("alice:pw:4294967295:1::/h"), CHECKPW_LINE_BAD, "alice", 0, 0,
	    NULL, NULL },		/* (uid_t)-1 */
	{ S("alice:pw:4294967296:1::/h"), CHECKPW_LINE_BAD, "alice", 0, 0,
	    NULL, NULL },		/* does not fit */
	{ S("alice:pw:12345678901:1::/h"), CHECKPW_LINE_BAD, "alice", 0, 0,
	    NULL, NULL },		/* 11 digits */
	{ S("alice:pw:1:1::"), CHECKPW_LINE_BAD, "alice", 0, 0, NULL, NULL },
	{ S("alice:pw:1:1::home/alice"), CHECKPW_LINE_BAD, "alice", 0, 0,
	    NULL, NULL },		/* relative home */
	{ S(":pw:1:1::/h"), CHECKPW_LINE_BAD, "", 0, 0, NULL, NULL },
	{ S("alice:p\0w:1:1::/h"), CHECKPW_LINE_BAD, "alice", 0, 0, NULL,
	    NULL },			/* NUL inside */
};

static void
test_line(void)
{
	struct checkpw_user	u;
	char			buf[256];
	const char		*name;
	size_t			i, namelen;

	for (i = 0; i < nitems(lines); i++) {
		enum checkpw_line	got;

		CHECK(lines[i].len < sizeof(buf));
		memcpy(buf, lines[i].line, lines[i].len);
		got = checkpw_line(buf, lines[i].len, &u, &name, &namelen);
		CHECK(got == lines[i].want);
		if (got != lines[i].want) {
			fprintf(stderr, "line %zu: got %d\n", i, (int)got);
			continue;
		}
		if (lines[i].name == NULL)
			CHECK(name == NULL);
		else
			CHECK(name != NULL &&
			    namelen == strlen(lines[i].name) &&
			    memcmp(name, lines[i].name, namelen) == 0);
		if (got != CHECKPW_LINE_OK)
			continue;
		CHECK(strcmp(u.name, lines[i].name) == 0);
		CHECK((unsigned long)u.uid == lines[i].uid);
		CHECK((unsigned long)u.gid == lines[i].gid);
		CHECK(strcmp(u.home, lines[i].home) == 0);
		CHECK(strcmp(u.shell, lines[i].shell) == 0);
		CHECK(!u.system && !u.expired);
	}
}

/* A line of CHECKPW_LINE_MAX bytes parses; one byte more is malformed. */
static void
test_line_limit(void)
{
	static char		buf[CHECKPW_LINE_MAX + 2];
	static const char	head[] = "bob:{PLAIN}";
	static const char	tail[] = ":1:1::/h";
	struct checkpw_user	u;
	const char		*name;
	size_t			namelen, len;

	for (len = CHECKPW_LINE_MAX; len <= CHECKPW_LINE_MAX + 1; len++) {
		memset(buf, 'x', sizeof(buf));
		memcpy(buf, head, sizeof(head) - 1);
		memcpy(buf + len - (sizeof(tail) - 1), tail,
		    sizeof(tail) - 1);
		CHECK(checkpw_line(buf, len, &u, &name, &namelen) ==
		    (len == CHECKPW_LINE_MAX ? CHECKPW_LINE_OK :
		    CHECKPW_LINE_BAD));
		CHECK(namelen == 3 && memcmp(name, "bob", 3) == 0);
	}
}

static const struct {
	const char	*prefix;	/* crypt_gensalt_rn's */
	const char	*scheme;	/* Dovecot's name for it */
} hashes[] = {
	{ "$y$",	"" },		/* bare crypt(3) string */
	{ "$y$",	"{CRYPT}" },
	{ "$6$",	"{SHA512-CRYPT}" },
	{ "$6$",	"" },
	{ "$5$",	"{SHA256-CRYPT}" },
	{ "$2b$",	"{BLF-CRYPT}" },
	{ "$1$",	"{MD5-CRYPT}" },
	{ "$1$",	"{md5-crypt}" },	/* case-insensitive */
};

static void
test_crypt(void)
{
	static struct crypt_data	 cd;
	static const char		 pw[] = "correct horse";
	static const char		 stamp[] = "<1896.697170952@h>";
	char				 salt[CRYPT_GENSALT_OUTPUT_SIZE];
	char				 secret[CRYPT_OUTPUT_SIZE + 32];
	const char			*h;
	size_t				 i;
	int				 n;

	for (i = 0; i < nitems(hashes); i++) {
		CHECK(crypt_gensalt_rn(hashes[i].prefix, 0, NULL, 0, salt,
		    (int)sizeof(salt)) != NULL);
		memset(&cd, 0, sizeof(cd));
		h = crypt_rn(pw, salt, &cd, (int)sizeof(cd));
		CHECK(h != NULL);
		if (h == NULL)
			continue;
		n = snprintf(secret, sizeof(secret), "%s%s", hashes[i].scheme,
		    h);
		CHECK(n > 0 && (size_t)n < sizeof(secret));

		CHECK(checkpw_verify(secret, S(pw), "", 0) == CHECKPW_MATCH);
		CHECK(checkpw_verify(secret, S(pw), S(stamp)) ==
		    CHECKPW_MATCH);
		CHECK(checkpw_verify(secret, S("correct horsE"), "", 0) ==
		    CHECKPW_MISMATCH);
		CHECK(checkpw_verify(secret, S("correct"), "", 0) ==
		    CHECKPW_MISMATCH);
		CHECK(checkpw_verify(secret, S("wrong"), S(stamp)) ==
		    CHECKPW_MISMATCH);
		/* The hash itself is not a password. */
		CHECK(checkpw_verify(secret, h, strlen(h), "", 0) ==
		    CHECKPW_MISMATCH);
	}
}

static void
test_plain(void)
{
	static const char	*secrets[] = {
		"{PLAIN}s3cret!", "{plain}s3cret!", "{CLEAR}s3cret!",
		"{ClearText}s3cret!",
	};
	size_t			 i;

	for (i = 0; i < nitems(secrets); i++) {
		CHECK(checkpw_verify(secrets[i], S("s3cret!"), "", 0) ==
		    CHECKPW_MATCH);
		CHECK(checkpw_verify(secrets[i], S("s3cret!"), S("<1@h>")) ==
		    CHECKPW_MATCH);
		CHECK(checkpw_verify(secrets[i], S("s3cret"), "", 0) ==
		    CHECKPW_MISMATCH);
		CHECK(checkpw_verify(secrets[i], S("s3cret!!"), "", 0) ==
		    CHECKPW_MISMATCH);
		CHECK(checkpw_verify(secrets[i], S("S3cret!"), "", 0) ==
		    CHECKPW_MISMATCH);
	}
	/* '!' starts a PLAIN secret like any other byte. */
	CHECK(checkpw_verify("{PLAIN}!pw", S("!pw"), "", 0) == CHECKPW_MATCH);
	/* A '}' later in the secret is part of it. */
	CHECK(checkpw_verify("{PLAIN}a}b", S("a}b"), "", 0) == CHECKPW_MATCH);
}

/* RFC 1939 s.7's example. */
static const char	apop_stamp[] = "<1896.697170952@dbc.mtview.ca.us>";
static const char	apop_secret[] = "{PLAIN}tanstaaf";

static const struct {
	const char		*pass;
	size_t			 len;
	enum checkpw_verdict	 want;
} apops[] = {
	{ S("c4c9334bac560ecc979e58001b3e22fb"),	CHECKPW_MATCH },
	{ S("tanstaaf"),				CHECKPW_MATCH },
	{ S("C4C9334BAC560ECC979E58001B3E22FB"),	CHECKPW_MISMATCH },
	{ S("c4c9334bac560ecc979e58001b3e22fB"),	CHECKPW_MISMATCH },
	{ S("c4c9334bac560ecc979e58001b3e22f"),		CHECKPW_MISMATCH },
	{ S("c4c9334bac560ecc979e58001b3e22fb0"),	CHECKPW_MISMATCH },
	{ S("c4c9334bac560ecc979e58001b3e22fc"),	CHECKPW_MISMATCH },
	{ S(" c4c9334bac560ecc979e58001b3e22fb"),	CHECKPW_MISMATCH },
};

static void
test_apop(void)
{
	static struct crypt_data	 cd;
	char				 salt[CRYPT_GENSALT_OUTPUT_SIZE];
	char				 secret[CRYPT_OUTPUT_SIZE + 32];
	const char			*h;
	size_t				 i;

	for (i = 0; i < nitems(apops); i++)
		CHECK(checkpw_verify(apop_secret, apops[i].pass, apops[i].len,
		    S(apop_stamp)) == apops[i].want);

	/*
	 * Without a stamp only the plaintext counts: not even the digests
	 * of an empty stamp, MD5("tanstaaf") and HMAC-MD5("tanstaaf", "").
	 */
	CHECK(checkpw_verify(apop_secret,
	    S("c4c9334bac560ecc979e58001b3e22fb"), "", 0) ==
	    CHECKPW_MISMATCH);
	CHECK(checkpw_verify(apop_secret,
	    S("b3aa0ba4e1f957e5f3ef356cfc147008"), "", 0) ==
	    CHECKPW_MISMATCH);
	CHECK(checkpw_verify(apop_secret,
	    S("66fb26223d7728d5340feba725c03753"), "", 0) ==
	    CHECKPW_MISMATCH);
	/* Another stamp, another digest. */
	CHECK(checkpw_verify(apop_secret,
	    S("c4c9334bac560ecc979e58001b3e22fb"),
	    S("<1897.697170952@dbc.mtview.ca.us>")) == CHECKPW_MISMATCH);

	/* A hashed-only secret cannot check a digest. */
	CHECK(crypt_gensalt_rn("$6$", 0, NULL, 0, salt, (int)sizeof(salt)) !=
	    NULL);
	memset(&cd, 0, sizeof(cd));
	h = crypt_rn("tanstaaf", salt, &cd, (int)sizeof(cd));
	CHECK(h != NULL);
	if (h == NULL)
		return;
	CHECK(snprintf(secret, sizeof(secret), "{SHA512-CRYPT}%s", h) > 0);
	CHECK(checkpw_verify(secret, S("c4c9334bac560ecc979e58001b3e22fb"),
	    S(apop_stamp)) == CHECKPW_MISMATCH);
	CHECK(checkpw_verify(secret, S("tanstaaf"), S(apop_stamp)) ==
	    CHECKPW_MATCH);
}

static void
test_cram(void)
{
	char	secret[7 + 80 + 1];

	/* RFC 2195 s.2's example. */
	CHECK(checkpw_verify("{PLAIN}tanstaaftanstaaf",
	    S("b913a602c7eda7a495b4e6e7334d3890"),
	    S("<1896.697170952@postoffice.reston.mci.net>")) ==
	    CHECKPW_MATCH);
	CHECK(checkpw_verify("{PLAIN}tanstaaftanstaaf",
	    S("B913A602C7EDA7A495B4E6E7334D3890"),
	    S("<1896.697170952@postoffice.reston.mci.net>")) ==
	    CHECKPW_MISMATCH);
	CHECK(checkpw_verify("{PLAIN}tanstaaftanstaaf",
	    S("b913a602c7eda7a495b4e6e7334d389"),
	    S("<1896.697170952@postoffice.reston.mci.net>")) ==
	    CHECKPW_MISMATCH);
	CHECK(checkpw_verify("{PLAIN}tanstaaftanstaaX",
	    S("b913a602c7eda7a495b4e6e7334d3890"),
	    S("<1896.697170952@postoffice.reston.mci.net>")) ==
	    CHECKPW_MISMATCH);

	/* RFC 2202 s.2, test case 2: a short key. */
	CHECK(checkpw_verify("{PLAIN}Jefe",
	    S("750c783e6ab0b503eaa86e310a5db738"),
	    S("what do ya want for nothing?")) == CHECKPW_MATCH);
	/* RFC 2202 s.2, test case 6: a key longer than the block. */
	memcpy(secret, "{PLAIN}", 7);
	memset(secret + 7, 0xaa, 80);
	secret[7 + 80] = '\0';
	CHECK(checkpw_verify(secret, S("6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd"),
	    S("Test Using Larger Than Block-Size Key - Hash Key First")) ==
	    CHECKPW_MATCH);
}

static void
test_bad_secret(void)
{
	CHECK(checkpw_verify("{SSHA}abcdef", S("abcdef"), "", 0) ==
	    CHECKPW_SCHEME);
	CHECK(checkpw_verify("{PLAINX}pw", S("pw"), "", 0) ==
	    CHECKPW_SCHEME);
	CHECK(checkpw_verify("{}pw", S("pw"), "", 0) == CHECKPW_SCHEME);
	CHECK(checkpw_verify("{PLAIN}", S("pw"), "", 0) == CHECKPW_NOSECRET);
	CHECK(checkpw_verify("", S("pw"), "", 0) == CHECKPW_NOSECRET);
	CHECK(checkpw_verify("{SHA512-CRYPT}", S("pw"), "", 0) ==
	    CHECKPW_NOSECRET);
	CHECK(checkpw_verify("{PLAIN}pw", "", 0, "", 0) == CHECKPW_NOPASS);
	CHECK(checkpw_verify("!$6$salt$hash", S("pw"), "", 0) ==
	    CHECKPW_LOCKED);
	CHECK(checkpw_verify("*", S("pw"), "", 0) == CHECKPW_LOCKED);
	CHECK(checkpw_verify("{CRYPT}!", S("!"), "", 0) == CHECKPW_LOCKED);
	CHECK(checkpw_verify("$9$nosuchmethod", S("pw"), "", 0) ==
	    CHECKPW_BADHASH);
	/* No '}': a bare crypt(3) string, and not a valid one. */
	CHECK(checkpw_verify("{PLAIN", S("pw"), "", 0) != CHECKPW_MATCH);
}

static void
test_equal(void)
{
	CHECK(checkpw_equal(S("abc"), S("abc")));
	CHECK(checkpw_equal("", 0, "", 0));
	CHECK(!checkpw_equal(S("abc"), S("abd")));
	CHECK(!checkpw_equal(S("abc"), S("ab")));
	CHECK(!checkpw_equal(S("ab"), S("abc")));
	CHECK(!checkpw_equal(S("a\0b"), S("a\0c")));
	CHECK(!checkpw_equal("", 0, S("a")));
}

int
main(void)
{
	RUN(test_dummy);
	RUN(test_record);
	RUN(test_record_limit);
	RUN(test_line);
	RUN(test_line_limit);
	RUN(test_crypt);
	RUN(test_plain);
	RUN(test_apop);
	RUN(test_cram);
	RUN(test_bad_secret);
	RUN(test_equal);
	return check_exit();
}
