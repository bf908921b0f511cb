/* SPDX-License-Identifier: ISC */
/*
 * tests/unit_checkpw.c: checkpw.c's parsers and verifiers.  Hashes
 * are made at test time with crypt_gensalt_rn and crypt_rn, so the
 * test follows whatever libcrypt supports; APOP and CRAM-MD5 use the
 * RFC vectors.  No files, no root, no network.
 */
#define _DEFAULT_SOURCE		/* crypt_rn, crypt_gensalt_rn */

#include "../checkpw.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
static void	test_policy(void);
static void	test_nologin(void);
static void	test_lookup(void);
static void	test_lookup_reads_all(void);
static void	test_costs(void);
static void	test_costs_lookup(void);
static void	test_verify_costs(void);
static void	test_weaker(void);

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
		CHECK(!u.system && !u.rootgroup);
		CHECK(u.lastchg == -1 && u.maxdays == -1 &&
		    u.inactive == -1 && u.expire == -1);
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

/* Day 20000 is 2024-10-04; T is "today" in the table below. */
#define T	20000L

static const struct {
	unsigned long	 uid, gid;
	bool		 rootgroup;
	long		 lastchg, maxdays, inactive, expire;
	const char	*shell;
	bool		 nologin_ok;
	unsigned int	 want;
} policies[] = {
	/* A plain account, aging off: allowed. */
	{ 1000, 1000, false, -1, -1, -1, -1, "/bin/sh", false, 0 },
	{ 0, 1000, false, -1, -1, -1, -1, "/bin/sh", false, CHECKPW_R_UID0 },
	{ 1000, 0, false, -1, -1, -1, -1, "/bin/sh", false, CHECKPW_R_GID0 },
	{ 0, 0, false, -1, -1, -1, -1, "/bin/sh", false,
	    CHECKPW_R_UID0 | CHECKPW_R_GID0 },
	{ 1000, 1000, true, -1, -1, -1, -1, "/bin/sh", false,
	    CHECKPW_R_ROOTGROUP },
	/* Account expiry: refused from the day itself; 0 means never. */
	{ 1000, 1000, false, -1, -1, -1, T + 1, "/bin/sh", false, 0 },
	{ 1000, 1000, false, -1, -1, -1, T, "/bin/sh", false,
	    CHECKPW_R_EXPIRED },
	{ 1000, 1000, false, -1, -1, -1, 1, "/bin/sh", false,
	    CHECKPW_R_EXPIRED },
	{ 1000, 1000, false, -1, -1, -1, 0, "/bin/sh", false, 0 },
	/* A forced change (chage -d 0, passwd -e). */
	{ 1000, 1000, false, 0, -1, -1, -1, "/bin/sh", false,
	    CHECKPW_R_MUSTCHANGE },
	{ 1000, 1000, false, 0, 99999, 7, -1, "/bin/sh", false,
	    CHECKPW_R_MUSTCHANGE },
	/* Password age: expired once more than maxdays have passed. */
	{ 1000, 1000, false, T - 30, 30, -1, -1, "/bin/sh", false, 0 },
	{ 1000, 1000, false, T - 31, 30, -1, -1, "/bin/sh", false,
	    CHECKPW_R_PWEXPIRED },
	{ 1000, 1000, false, T - 31, -1, -1, -1, "/bin/sh", false, 0 },
	{ 1000, 1000, false, T - 31, 99999, -1, -1, "/bin/sh", false, 0 },
	{ 1000, 1000, false, T + 5, 1, -1, -1, "/bin/sh", false, 0 },
	/* The inactive period follows the expiry. */
	{ 1000, 1000, false, T - 35, 30, 5, -1, "/bin/sh", false,
	    CHECKPW_R_PWEXPIRED },
	{ 1000, 1000, false, T - 36, 30, 5, -1, "/bin/sh", false,
	    CHECKPW_R_PWEXPIRED | CHECKPW_R_INACTIVE },
	{ 1000, 1000, false, T - 31, 30, 0, -1, "/bin/sh", false,
	    CHECKPW_R_PWEXPIRED | CHECKPW_R_INACTIVE },
	{ 1000, 1000, false, T - 10, 30, 0, -1, "/bin/sh", false, 0 },
	/* Absurd periods are "no limit", never an overflow. */
	{ 1000, 1000, false, 1, 9223372036854775807L, 9223372036854775807L,
	    -1, "/bin/sh", false, 0 },
	{ 1000, 1000, false, 1, 30, 9223372036854775807L, -1, "/bin/sh",
	    false, CHECKPW_R_PWEXPIRED },
	/* Shells that say "no login". */
	{ 1000, 1000, false, -1, -1, -1, -1, "/usr/sbin/nologin", false,
	    CHECKPW_R_NOLOGIN },
	{ 1000, 1000, false, -1, -1, -1, -1, "/sbin/nologin", false,
	    CHECKPW_R_NOLOGIN },
	{ 1000, 1000, false, -1, -1, -1, -1, "/bin/false", false,
	    CHECKPW_R_NOLOGIN },
	{ 1000, 1000, false, -1, -1, -1, -1, "/usr/sbin/nologin", true, 0 },
	{ 1000, 1000, false, -1, -1, -1, -1, "/bin/bash", false, 0 },
	{ 1000, 1000, false, -1, -1, -1, -1, "/usr/bin/falsey", false, 0 },
	{ 1000, 1000, false, -1, -1, -1, -1, "/bin/true", false, 0 },
};

static void
test_policy(void)
{
	struct checkpw_user	u;
	unsigned int		got;
	size_t			i;

	for (i = 0; i < nitems(policies); i++) {
		memset(&u, 0, sizeof(u));
		u.uid = (uid_t)policies[i].uid;
		u.gid = (gid_t)policies[i].gid;
		u.rootgroup = policies[i].rootgroup;
		u.lastchg = policies[i].lastchg;
		u.maxdays = policies[i].maxdays;
		u.inactive = policies[i].inactive;
		u.expire = policies[i].expire;
		u.shell = policies[i].shell;
		got = checkpw_policy(&u, T, policies[i].nologin_ok);
		CHECK(got == policies[i].want);
		if (got != policies[i].want)
			fprintf(stderr, "policy %zu: got %#x\n", i, got);
	}
	CHECK(strcmp(checkpw_refusal(0), "none") == 0);
	CHECK(strcmp(checkpw_refusal(CHECKPW_R_UID0 | CHECKPW_R_NOLOGIN),
	    "uid 0 refused") == 0);
	CHECK(strcmp(checkpw_refusal(CHECKPW_R_INACTIVE |
	    CHECKPW_R_PWEXPIRED), "account inactive") == 0);
	CHECK(strcmp(checkpw_refusal(CHECKPW_R_MUSTCHANGE),
	    "password change required") == 0);
	CHECK(checkpw_today() > T);
}

static void
test_nologin(void)
{
	CHECK(checkpw_nologin("nologin"));
	CHECK(checkpw_nologin("/usr/local/sbin/nologin"));
	CHECK(checkpw_nologin("false"));
	CHECK(!checkpw_nologin("/bin/sh"));
	CHECK(!checkpw_nologin("/usr/sbin/nologin/"));
	CHECK(!checkpw_nologin(""));
}

/* Writes text to a scratch file; returns its path (static). */
static const char *
scratch_file(const char *text)
{
	static char	path[] = "tests/scratch/unit_checkpw.XXXXXX";
	int		fd;
	size_t		n = strlen(text);

	(void)mkdir("tests/scratch", 0755);
	memcpy(path + sizeof(path) - 7, "XXXXXX", 6);
	if ((fd = mkstemp(path)) == -1)
		return NULL;
	if (write(fd, text, n) != (ssize_t)n) {
		(void)close(fd);
		return NULL;
	}
	(void)close(fd);
	return path;
}

static void
test_lookup(void)
{
	static struct checkpw_user	 u;
	const char			*path;
	size_t				 lineno;

	path = scratch_file("# users\n"
	    "bob:x:7:8\n"
	    "alice:{PLAIN}one:1000:100::/home/a\n"
	    "alice:{PLAIN}two:1001:101::/home/b\n"
	    "carol:{PLAIN}c:1:1::/h\n"
	    "bob:{PLAIN}b:7:8::/h\n"
	    "dave:{PLAIN}d:1:1::/h");
	CHECK(path != NULL);
	if (path == NULL)
		return;
	/* The first line naming the user wins. */
	CHECK(checkpw_file_lookup(path, S("alice"), &u, &lineno) ==
	    CHECKPW_FOUND);
	CHECK(lineno == 3 && strcmp(u.secret, "{PLAIN}one") == 0 &&
	    u.uid == 1000 && strcmp(u.home, "/home/a") == 0);
	CHECK(checkpw_file_lookup(path, S("bob"), &u, &lineno) ==
	    CHECKPW_MALFORMED && lineno == 2);
	CHECK(checkpw_file_lookup(path, S("carol"), &u, &lineno) ==
	    CHECKPW_FOUND && lineno == 5 && strcmp(u.name, "carol") == 0);
	/* A last line without LF counts. */
	CHECK(checkpw_file_lookup(path, S("dave"), &u, &lineno) ==
	    CHECKPW_FOUND && lineno == 7);
	CHECK(checkpw_file_lookup(path, S("alic"), &u, &lineno) ==
	    CHECKPW_UNKNOWN);
	CHECK(checkpw_file_lookup(path, S("alice:"), &u, &lineno) ==
	    CHECKPW_UNKNOWN);
	(void)unlink(path);
	CHECK(checkpw_file_lookup(path, S("alice"), &u, &lineno) ==
	    CHECKPW_ERROR && errno == ENOENT);
}

/*
 * The lookup reads the whole file even when the user is on the first
 * line: a writer on a FIFO gets every byte of a tail larger than the
 * pipe buffer through, where a lookup that stopped at the match would
 * close the FIFO and leave the writer with EPIPE.
 */
static void
test_lookup_reads_all(void)
{
	static struct checkpw_user	 u;
	static char			 tail[256 * 1024];
	static const char		 head[] = "alice:{PLAIN}a:1:1::/h\n";
	char				 path[] = "tests/scratch/fifo.XXXXXX";
	size_t				 lineno, i;
	pid_t				 pid;
	int				 fd, status, d;

	(void)mkdir("tests/scratch", 0755);
	d = mkstemp(path);
	CHECK(d != -1 && close(d) == 0 && unlink(path) == 0 &&
	    mkfifo(path, 0600) == 0);
	if (check_failed)
		return;
	for (i = 0; i + 1 < sizeof(tail); i++)
		tail[i] = (i % 64 == 63) ? '\n' : '#';
	tail[sizeof(tail) - 1] = '\n';
	pid = fork();
	CHECK(pid != -1);
	if (pid == -1)
		return;
	if (pid == 0) {
		(void)signal(SIGPIPE, SIG_IGN);
		if ((fd = open(path, O_WRONLY)) == -1)
			_exit(2);
		if (write(fd, head, sizeof(head) - 1) !=
		    (ssize_t)(sizeof(head) - 1))
			_exit(3);
		for (i = 0; i < sizeof(tail); ) {
			ssize_t	r = write(fd, tail + i, sizeof(tail) - i);

			if (r <= 0)
				_exit(4);	/* the reader hung up early */
			i += (size_t)r;
		}
		_exit(close(fd) == 0 ? 0 : 5);
	}
	CHECK(checkpw_file_lookup(path, S("alice"), &u, &lineno) ==
	    CHECKPW_FOUND && lineno == 1);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	(void)unlink(path);
}

/* A hash of pw made by libcrypt for prefix at cost, into out. */
static int
make_hash(const char *prefix, unsigned long cost, const char *pw, char *out,
    size_t size)
{
	static struct crypt_data	 cd;
	char				 salt[CRYPT_GENSALT_OUTPUT_SIZE];
	const char			*h;

	if (crypt_gensalt_rn(prefix, cost, NULL, 0, salt,
	    (int)sizeof(salt)) == NULL)
		return -1;
	memset(&cd, 0, sizeof(cd));
	if ((h = crypt_rn(pw, salt, &cd, (int)sizeof(cd))) == NULL ||
	    strlen(h) >= size)
		return -1;
	memcpy(out, h, strlen(h) + 1);
	return 0;
}

/*
 * Cost classes: one per setting without salt and result, in the order
 * first seen; secrets crypt(3) does not run have none.
 */
static void
test_costs(void)
{
	static struct checkpw_costs	c;
	static const char		*secrets[] = {
		"{CRYPT}$y$j9T$abcdefgh$0123456789",
		"$y$j9T$other.salt$9876543210",		/* same class */
		"{SHA512-CRYPT}$6$salt1$hash",
		"$6$saltsaltsalt2$hash2",		/* same class */
		"$6$rounds=1000$salt$hash",		/* another */
		"$2b$10$abcdefghijklmnopqrstuuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0",
		"$2b$10$zbcdefghijklmnopqrstuuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ1",
		"$2b$12$abcdefghijklmnopqrstuuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0",
		"abcdefghijklm",			/* DES */
		"zzcdefghijklm",			/* DES again */
		"{PLAIN}secret", "{CLEAR}x", "", "{PLAIN}",
		"!$6$salt$hash", "*", "{SSHA}c3NoYQ==", "{CRYPT}",
	};
	static const char		*want[] = {
		"$y$j9T$abcdefgh$0123456789", "$6$salt1$hash",
		"$6$rounds=1000$salt$hash",
		"$2b$10$abcdefghijklmnopqrstuuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0",
		"$2b$12$abcdefghijklmnopqrstuuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0",
		"abcdefghijklm",
	};
	char				 h[64];
	size_t				 i;

	memset(&c, 0, sizeof(c));
	for (i = 0; i < nitems(secrets); i++)
		checkpw_costs_add(&c, secrets[i]);
	CHECK(c.n == nitems(want) && !c.more);
	for (i = 0; i < nitems(want) && i < c.n; i++)
		CHECK(strcmp(c.hash[i], want[i]) == 0);

	/* Beyond CHECKPW_COSTS_MAX classes: noted, not kept. */
	memset(&c, 0, sizeof(c));
	for (i = 0; i < CHECKPW_COSTS_MAX + 2; i++) {
		(void)snprintf(h, sizeof(h), "$6$rounds=%zu$salt$hash",
		    1000 + i);
		checkpw_costs_add(&c, h);
	}
	CHECK(c.n == CHECKPW_COSTS_MAX && c.more);
	CHECK(strcmp(c.hash[0], "$6$rounds=1000$salt$hash") == 0);

	checkpw_costs_dummy(&c);
	CHECK(c.n == 1 && !c.more && strncmp(c.hash[0], "$y$", 3) == 0);
}

/* The lookup collects the classes of every well-formed line. */
static void
test_costs_lookup(void)
{
	static struct checkpw_user	 u;
	static struct checkpw_costs	 c;
	const char			*path;
	size_t				 lineno;

	path = scratch_file("# users\n"
	    "alice:{PLAIN}one:1000:100::/home/a\n"
	    "bob:$6$s$h:7:8\n"				/* malformed */
	    "carol:{SHA512-CRYPT}$6$s$h:1:1::/h\n"
	    "dave:$y$j9T$s$h:1:1::/h\n"
	    "erin:$1$s$h:1:1::/h\n"
	    "bob:{PLAIN}b:7:8::/h\n");
	CHECK(path != NULL);
	if (path == NULL)
		return;
	/* Whoever is asked for: the same classes, the user's too. */
	CHECK(checkpw_file_lookup_costs(path, S("alice"), &u, &lineno, &c) ==
	    CHECKPW_FOUND);
	CHECK(c.n == 3 && strcmp(c.hash[0], "$6$s$h") == 0 &&
	    strcmp(c.hash[1], "$y$j9T$s$h") == 0 &&
	    strcmp(c.hash[2], "$1$s$h") == 0);
	memset(&c, 0, sizeof(c));
	CHECK(checkpw_file_lookup_costs(path, S("nobody"), &u, &lineno, &c) ==
	    CHECKPW_UNKNOWN);
	CHECK(c.n == 3 && strcmp(c.hash[2], "$1$s$h") == 0);
	/* Malformed: nothing to spend, nothing kept. */
	CHECK(checkpw_file_lookup_costs(path, S("bob"), &u, &lineno, &c) ==
	    CHECKPW_MALFORMED && lineno == 3 && c.n == 0);
	(void)unlink(path);
	c.n = 5;
	CHECK(checkpw_file_lookup_costs(path, S("alice"), &u, &lineno, &c) ==
	    CHECKPW_ERROR && errno == ENOENT && c.n == 0);
}

/*
 * The verdict does not depend on the costs: a hash in its class's
 * slot, one of no class in the costs (run on top), none at all.
 */
static void
test_verify_costs(void)
{
	static struct checkpw_costs	 c, none;
	static const char		 pw[] = "pw one";
	char				 y[CRYPT_OUTPUT_SIZE], s6[CRYPT_OUTPUT_SIZE];
	char				 m5[CRYPT_OUTPUT_SIZE];

	CHECK(make_hash("$y$", 1, pw, y, sizeof(y)) == 0);
	CHECK(make_hash("$6$", 0, pw, s6, sizeof(s6)) == 0);
	CHECK(make_hash("$1$", 0, pw, m5, sizeof(m5)) == 0);
	memset(&c, 0, sizeof(c));
	memset(&none, 0, sizeof(none));
	checkpw_costs_add(&c, "$6$othersalt$otherhash");
	checkpw_costs_add(&c, y);
	CHECK(c.n == 2);

	CHECK(checkpw_verify_costs(y, S(pw), "", 0, &c) == CHECKPW_MATCH);
	CHECK(checkpw_verify_costs(y, S("pw two"), "", 0, &c) ==
	    CHECKPW_MISMATCH);
	/* Its class's first hash is another user's: never accepted. */
	CHECK(checkpw_verify_costs(s6, S(pw), "", 0, &c) == CHECKPW_MATCH);
	CHECK(checkpw_verify_costs("$6$othersalt$otherhash", S(pw), "", 0,
	    &c) == CHECKPW_MISMATCH);
	CHECK(checkpw_verify_costs(m5, S(pw), "", 0, &c) == CHECKPW_MATCH);
	CHECK(checkpw_verify_costs(m5, S("x"), "", 0, &c) ==
	    CHECKPW_MISMATCH);
	CHECK(checkpw_verify_costs(m5, S(pw), "", 0, &none) == CHECKPW_MATCH);
	CHECK(checkpw_verify_costs("{PLAIN}pw one", S(pw), "", 0, &none) ==
	    CHECKPW_MATCH);
	CHECK(checkpw_verify_costs("{PLAIN}pw one", S("pw"), "", 0, &c) ==
	    CHECKPW_MISMATCH);
	CHECK(checkpw_verify_costs("$zz$salt$hash", S(pw), "", 0, &c) ==
	    CHECKPW_BADHASH);
	CHECK(checkpw_verify_costs("!$6$s$h", S(pw), "", 0, &c) ==
	    CHECKPW_LOCKED);
	checkpw_dummies(pw, &c);
	checkpw_dummies(pw, &none);
}

/* Weaker than yescrypt at libcrypt's default cost: scheme, then cost. */
static void
test_weaker(void)
{
	char	h[CRYPT_OUTPUT_SIZE], s[CRYPT_OUTPUT_SIZE + 16];

	CHECK(make_hash("$y$", 0, "p", h, sizeof(h)) == 0);
	CHECK(!checkpw_weaker(h));
	(void)snprintf(s, sizeof(s), "{CRYPT}%s", h);
	CHECK(!checkpw_weaker(s));
	CHECK(make_hash("$y$", 1, "p", h, sizeof(h)) == 0);
	CHECK(checkpw_weaker(h));
	CHECK(make_hash("$y$", 7, "p", h, sizeof(h)) == 0);
	CHECK(!checkpw_weaker(h));
	CHECK(make_hash("$gy$", 3, "p", h, sizeof(h)) == 0);
	CHECK(checkpw_weaker(h));
	CHECK(make_hash("$6$", 0, "p", h, sizeof(h)) == 0);
	CHECK(checkpw_weaker(h));
	CHECK(make_hash("$2b$", 12, "p", h, sizeof(h)) == 0);
	CHECK(checkpw_weaker(h));
	CHECK(checkpw_weaker("$1$salt$hash"));
	CHECK(checkpw_weaker("{MD5-CRYPT}$1$salt$hash"));
	CHECK(checkpw_weaker("abcdefghijklm"));
	CHECK(checkpw_weaker("{PLAIN}secret"));
	/* Not hashes at all: other marks say what they are. */
	CHECK(!checkpw_weaker("{PLAIN}"));
	CHECK(!checkpw_weaker(""));
	CHECK(!checkpw_weaker("!$6$salt$hash"));
	CHECK(!checkpw_weaker("*"));
	CHECK(!checkpw_weaker("{SSHA}c3NoYQ=="));
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
	RUN(test_policy);
	RUN(test_nologin);
	RUN(test_lookup);
	RUN(test_lookup_reads_all);
	RUN(test_costs);
	RUN(test_costs_lookup);
	RUN(test_verify_costs);
	RUN(test_weaker);
	return check_exit();
}
