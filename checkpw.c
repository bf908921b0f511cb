/* SPDX-License-Identifier: ISC */
/*
 * checkpw.c: what pop3d-checkpw decides, without the process around
 * it.  The fd-3 record is untrusted; the passwd-file and the system
 * databases are trusted.  Every comparison of secret material is
 * constant-time, every attempt does the same crypt(3) work whoever
 * the user is (see struct checkpw_costs), and every buffer that held
 * a secret is wiped before return.  Never exits or logs.
 */
#define _DEFAULT_SOURCE		/* getspnam, crypt_rn, getgrouplist */

#include "checkpw.h"

#include <sys/types.h>

#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <md5.h>
#include <pwd.h>
#include <sha2.h>
#include <shadow.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "io.h"

/*
 * A yescrypt hash of a throwaway string at libxcrypt's default cost,
 * the cost of a hash made by passwd(1) today.  Checking against it
 * makes an unknown user cost what a real one does.
 */
static const char	dummy_hash[] = "$y$j9T$Bq9FFQxrfXHopDVbtIvox1$"
    "QJLh3umNV1j9h1UKDDZMGmXfuiUjpI728GD6MN7yKa9";

/* RFC 2104 s.2: HMAC's block size B for MD5. */
#define HMAC_MD5_BLOCK	64
/* Lower-case hex of an MD5 digest, with a NUL. */
#define MD5_HEX_SIZE	(2 * MD5_DIGEST_LENGTH + 1)

enum kind { KIND_PLAIN, KIND_CRYPT };

/* Dovecot's scheme names that we can verify; matched case-insensitively. */
static const struct {
	const char	*name;
	enum kind	 kind;
} schemes[] = {
	{ "PLAIN",		KIND_PLAIN },
	{ "CLEAR",		KIND_PLAIN },
	{ "CLEARTEXT",		KIND_PLAIN },
	{ "CRYPT",		KIND_CRYPT },
	{ "MD5-CRYPT",		KIND_CRYPT },
	{ "SHA256-CRYPT",	KIND_CRYPT },
	{ "SHA512-CRYPT",	KIND_CRYPT },
	{ "BLF-CRYPT",		KIND_CRYPT },
};

struct reader {
	int	fd;
	size_t	start, end;	/* unread bytes are buf[start..end) */
	char	buf[4096];
};

static int	scheme(const char *, enum kind *, const char **);
static int	cost_key(const char *, size_t *);
static int	setting_key(const char *, size_t *);
static unsigned long	family_cost(const char *, const char *, size_t);
static size_t	cost_slot(const struct checkpw_costs *, const char *);
static int	crypt_one(const char *, const char *);
static enum checkpw_verdict	crypt_check(const char *, const char *);
static enum checkpw_verdict	crypt_all(const struct checkpw_costs *,
		    const char *, const char *);
static void	md5_hex(const uint8_t *, char *);
static bool	apop_check(const char *, size_t, const char *, size_t,
		    const char *);
static bool	cram_check(const char *, size_t, const char *, size_t,
		    const char *);
static int	parse_id(const char *, unsigned long long *);
static int	read_line(struct reader *, char *, size_t, size_t *);
static int	copy_field(char *, size_t, size_t *, const char *,
		    const char *, const char **);

int
checkpw_record(const char *buf, size_t len, struct checkpw_record *r)
{
	const char	*nul, *p;
	size_t		 left;

	memset(r, 0, sizeof(*r));
	if (len > POP3_AUTH_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	if ((nul = memchr(buf, '\0', len)) == NULL || nul == buf) {
		errno = EINVAL;
		return -1;
	}
	r->user = buf;
	r->userlen = (size_t)(nul - buf);
	p = nul + 1;
	left = len - r->userlen - 1;
	if ((nul = memchr(p, '\0', left)) == NULL) {
		errno = EINVAL;
		return -1;
	}
	r->pass = p;
	r->passlen = (size_t)(nul - p);
	p = nul + 1;
	left -= r->passlen + 1;
	/* The stamp's NUL may be missing; anything after it is ignored. */
	r->stamp = p;
	nul = memchr(p, '\0', left);
	r->stamplen = nul != NULL ? (size_t)(nul - p) : left;
	return 0;
}

/* Strict decimal of 1..10 digits, so *v < 10^10 cannot overflow. */
static int
parse_id(const char *s, unsigned long long *v)
{
	size_t	i;

	*v = 0;
	for (i = 0; s[i] != '\0'; i++) {
		if (i == 10 || s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (unsigned long long)(s[i] - '0');
	}
	return i == 0 ? -1 : 0;
}

enum checkpw_line
checkpw_line(char *line, size_t len, struct checkpw_user *u,
    const char **name, size_t *namelen)
{
	char			*field[8], *p;
	const char		*colon;
	unsigned long long	 v;
	size_t			 i, n;

	*name = NULL;
	*namelen = 0;
	for (i = 0; i < len && (line[i] == ' ' || line[i] == '\t'); i++)
		continue;
	if (i == len || line[i] == '#')
		return CHECKPW_LINE_SKIP;

	/* The name first, so the caller can tell whose line is bad. */
	colon = memchr(line, ':', len);
	*name = line;
	*namelen = colon != NULL ? (size_t)(colon - line) : len;
	if (len > CHECKPW_LINE_MAX || memchr(line, '\0', len) != NULL)
		return CHECKPW_LINE_BAD;

	line[len] = '\0';
	field[0] = line;
	for (n = 1, p = line; n < nitems(field) &&
	    (p = strchr(p, ':')) != NULL; n++) {
		*p++ = '\0';
		field[n] = p;
	}
	/* user:secret:uid:gid:gecos:home are required; shell is not. */
	if (n < 6 || *field[0] == '\0' || *field[5] != '/')
		return CHECKPW_LINE_BAD;
	if (parse_id(field[2], &v) == -1)
		return CHECKPW_LINE_BAD;
	u->uid = (uid_t)v;
	if ((unsigned long long)u->uid != v || u->uid == (uid_t)-1)
		return CHECKPW_LINE_BAD;
	if (parse_id(field[3], &v) == -1)
		return CHECKPW_LINE_BAD;
	u->gid = (gid_t)v;
	if ((unsigned long long)u->gid != v || u->gid == (gid_t)-1)
		return CHECKPW_LINE_BAD;

	u->name = field[0];
	u->secret = field[1];
	u->home = field[5];
	u->shell = n > 6 && *field[6] != '\0' ? field[6] : "/bin/sh";
	u->system = false;
	u->rootgroup = false;
	u->lastchg = u->maxdays = u->inactive = u->expire = -1;
	return CHECKPW_LINE_OK;
}

/*
 * Reads one line into line (size bytes, size >= 2) without its LF and
 * NUL-terminates it; a longer line is cut at size - 1 bytes and the
 * rest skipped, so *len == size - 1 means "too long" to a caller that
 * allows size - 2.  Returns 1, 0 at EOF, or -1 with errno set.
 */
static int
read_line(struct reader *rd, char *line, size_t size, size_t *len)
{
	ssize_t	 r;
	size_t	 n = 0, take, avail;
	char	*lf;
	bool	 any = false;

	for (;;) {
		if (rd->start == rd->end) {
			r = read(rd->fd, rd->buf, sizeof(rd->buf));
			if (r == -1 && errno == EINTR)
				continue;
			if (r == -1)
				return -1;
			if (r == 0) {
				line[n] = '\0';
				*len = n;
				return any ? 1 : 0;
			}
			rd->start = 0;
			rd->end = (size_t)r;
		}
		any = true;
		avail = rd->end - rd->start;
		lf = memchr(rd->buf + rd->start, '\n', avail);
		take = lf != NULL ?
		    (size_t)(lf - (rd->buf + rd->start)) : avail;
		if (take > size - 1 - n)
			take = size - 1 - n;
		memcpy(line + n, rd->buf + rd->start, take);
		n += take;
		if (lf != NULL) {
			rd->start = (size_t)(lf - rd->buf) + 1;
			line[n] = '\0';
			*len = n;
			return 1;
		}
		rd->start = rd->end;	/* consumed, or skipped if too long */
	}
}

enum checkpw_found
checkpw_file_lookup(const char *path, const char *user, size_t userlen,
    struct checkpw_user *u, size_t *lineno)
{
	return checkpw_file_lookup_costs(path, user, userlen, u, lineno,
	    NULL);
}

enum checkpw_found
checkpw_file_lookup_costs(const char *path, const char *user,
    size_t userlen, struct checkpw_user *u, size_t *lineno,
    struct checkpw_costs *costs)
{
	/* Static: too large for the stack; one lookup per process. */
	static struct reader	 rd;
	static char		 line[CHECKPW_LINE_MAX + 2];
	static char		 work[CHECKPW_LINE_MAX + 2];
	static struct checkpw_user	other;
	enum checkpw_found	 found = CHECKPW_UNKNOWN;
	enum checkpw_line	 kind;
	const char		*name;
	size_t			 len, namelen, n = 0;
	int			 r, e;

	*lineno = 0;
	wipe(u->buf, sizeof(u->buf));
	if (costs != NULL) {
		wipe(costs, sizeof(*costs));
		costs->n = 0;
		costs->more = false;
	}
	rd.start = rd.end = 0;
	if ((rd.fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return CHECKPW_ERROR;
	/*
	 * Every line costs the same whether it matches or not, and the
	 * loop never stops early: the position of the user's line (or
	 * its absence) does not show in the time taken.  The first line
	 * naming the user is parsed once more into u->buf.  Every
	 * well-formed line's hash counts in the costs, the user's too.
	 */
	while ((r = read_line(&rd, line, sizeof(line), &len)) == 1) {
		n++;
		memcpy(work, line, len + 1);
		kind = checkpw_line(work, len, &other, &name, &namelen);
		if (kind == CHECKPW_LINE_OK && costs != NULL)
			checkpw_costs_add(costs, other.secret);
		if (kind == CHECKPW_LINE_SKIP || namelen != userlen ||
		    memcmp(name, user, userlen) != 0 ||
		    found != CHECKPW_UNKNOWN)
			continue;
		*lineno = n;
		memcpy(u->buf, line, len + 1);
		kind = checkpw_line(u->buf, len, u, &name, &namelen);
		found = kind == CHECKPW_LINE_OK ? CHECKPW_FOUND :
		    CHECKPW_MALFORMED;
	}
	e = errno;
	wipe(&rd.buf, sizeof(rd.buf));
	wipe(line, sizeof(line));
	wipe(work, sizeof(work));
	wipe(&other, sizeof(other));
	if (found != CHECKPW_FOUND)
		wipe(u->buf, sizeof(u->buf));
	(void)close(rd.fd);	/* read-only; nothing to lose */
	if (r == -1 || found == CHECKPW_MALFORMED) {
		if (costs != NULL)
			wipe(costs, sizeof(*costs));
	}
	if (r == -1) {
		wipe(u->buf, sizeof(u->buf));
		errno = e;
		return CHECKPW_ERROR;
	}
	return found;
}

/* Appends prefix and s, NUL-terminated, to buf at *off; sets *out. */
static int
copy_field(char *buf, size_t size, size_t *off, const char *prefix,
    const char *s, const char **out)
{
	size_t	pl = strlen(prefix), sl = strlen(s);

	if (pl > size - *off || sl > size - *off - pl ||
	    size - *off - pl - sl < 1) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(buf + *off, prefix, pl);
	memcpy(buf + *off + pl, s, sl + 1);
	*out = buf + *off;
	*off += pl + sl + 1;
	return 0;
}

enum checkpw_found
checkpw_sys_lookup(const char *user, struct checkpw_user *u)
{
	struct passwd	*pw;
	struct spwd	*sp = NULL;
	const char	*secret;
	gid_t		 groups[CHECKPW_GROUPS_MAX];
	size_t		 off = 0;
	int		 r, i, ngroups;

	errno = 0;
	if ((pw = getpwnam(user)) == NULL) {
		/* getpwnam(3): these mean "no such user". */
		if (errno == 0 || errno == ENOENT || errno == ESRCH ||
		    errno == EBADF || errno == EPERM)
			return CHECKPW_UNKNOWN;
		return CHECKPW_ERROR;
	}
	secret = pw->pw_passwd;
	if (strcmp(secret, "x") == 0) {
		errno = 0;
		if ((sp = getspnam(user)) == NULL) {
			/*
			 * glibc reports an unreadable shadow file as "no
			 * entry" when another NSS module answers, so both
			 * mean we cannot check this user: not root, or a
			 * broken shadow file.  Either needs the admin.
			 */
			if (errno == 0 || errno == ENOENT)
				errno = EACCES;
			return CHECKPW_ERROR;
		}
		secret = sp->sp_pwdp;
	}
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	u->system = true;
	u->lastchg = u->maxdays = u->inactive = u->expire = -1;
	if (sp != NULL) {
		u->lastchg = sp->sp_lstchg;
		u->maxdays = sp->sp_max;
		u->inactive = sp->sp_inact;
		u->expire = sp->sp_expire;
	}
	/* What initgroups(3) will grant, asked before it is granted. */
	ngroups = (int)nitems(groups);
	if (getgrouplist(pw->pw_name, pw->pw_gid, groups, &ngroups) == -1) {
		if (sp != NULL)
			wipe(sp->sp_pwdp, strlen(sp->sp_pwdp));
		errno = E2BIG;
		return CHECKPW_ERROR;
	}
	u->rootgroup = false;
	for (i = 0; i < ngroups; i++)
		if (groups[i] == 0)
			u->rootgroup = true;
	/* {CRYPT}: a system hash is never read as a {SCHEME} prefix. */
	r = copy_field(u->buf, sizeof(u->buf), &off, "", pw->pw_name,
	    &u->name);
	if (r == 0)
		r = copy_field(u->buf, sizeof(u->buf), &off, "{CRYPT}",
		    secret, &u->secret);
	if (r == 0)
		r = copy_field(u->buf, sizeof(u->buf), &off, "",
		    pw->pw_dir, &u->home);
	if (r == 0)
		r = copy_field(u->buf, sizeof(u->buf), &off, "",
		    *pw->pw_shell != '\0' ? pw->pw_shell : "/bin/sh",
		    &u->shell);
	if (sp != NULL)
		wipe(sp->sp_pwdp, strlen(sp->sp_pwdp));
	if (r == -1) {
		wipe(u->buf, sizeof(u->buf));
		return CHECKPW_ERROR;
	}
	return CHECKPW_FOUND;
}

long
checkpw_today(void)
{
	return (long)(time(NULL) / 86400);
}

bool
checkpw_nologin(const char *shell)
{
	const char	*base = strrchr(shell, '/');

	base = base != NULL ? base + 1 : shell;
	return strcmp(base, "nologin") == 0 || strcmp(base, "false") == 0;
}

/*
 * shadow(5) as pam_unix(8) reads it: the account expires on the day
 * sp_expire (0 and -1 mean never); sp_lstchg 0 forces a change; the
 * password is expired once more than sp_max days have passed since
 * sp_lstchg, and the account is inactive once sp_inact more have.
 * A POP3 client cannot change a password, so where login(1) would
 * make the user change it, pop3d-checkpw refuses.
 */
unsigned int
checkpw_policy(const struct checkpw_user *u, long today, bool nologin_ok)
{
	unsigned int	r = 0;
	long		age;

	if (u->uid == 0)
		r |= CHECKPW_R_UID0;
	if (u->gid == 0)
		r |= CHECKPW_R_GID0;
	if (u->rootgroup)
		r |= CHECKPW_R_ROOTGROUP;
	if (u->expire > 0 && today >= u->expire)
		r |= CHECKPW_R_EXPIRED;
	if (u->lastchg == 0)
		r |= CHECKPW_R_MUSTCHANGE;
	/* lastchg <= today and both bounds: the sums cannot overflow. */
	if (u->lastchg > 0 && u->lastchg <= today && u->maxdays >= 0 &&
	    u->maxdays <= CHECKPW_DAYS_MAX) {
		age = today - u->lastchg;
		if (age > u->maxdays)
			r |= CHECKPW_R_PWEXPIRED;
		if (u->inactive >= 0 && u->inactive <= CHECKPW_DAYS_MAX &&
		    age > u->maxdays + u->inactive)
			r |= CHECKPW_R_INACTIVE;
	}
	if (!nologin_ok && checkpw_nologin(u->shell))
		r |= CHECKPW_R_NOLOGIN;
	return r;
}

const char *
checkpw_refusal(unsigned int r)
{
	static const struct {
		unsigned int	 bit;
		const char	*why;
	} why[] = {
		{ CHECKPW_R_UID0,	"uid 0 refused" },
		{ CHECKPW_R_GID0,	"gid 0 refused" },
		{ CHECKPW_R_ROOTGROUP,	"member of group 0" },
		{ CHECKPW_R_EXPIRED,	"account expired" },
		{ CHECKPW_R_INACTIVE,	"account inactive" },
		{ CHECKPW_R_PWEXPIRED,	"password expired" },
		{ CHECKPW_R_MUSTCHANGE,	"password change required" },
		{ CHECKPW_R_NOLOGIN,	"nologin shell" },
	};
	size_t	i;

	for (i = 0; i < nitems(why); i++)
		if (r & why[i].bit)
			return why[i].why;
	return "none";
}

const char *
checkpw_reason(enum checkpw_verdict v)
{
	switch (v) {
	case CHECKPW_MATCH:
		return "none";
	case CHECKPW_MISMATCH:
		return "wrong password";
	case CHECKPW_NOPASS:
		return "empty password";
	case CHECKPW_NOSECRET:
		return "no password set";
	case CHECKPW_LOCKED:
		return "account locked";
	case CHECKPW_SCHEME:
		return "unknown password scheme";
	case CHECKPW_BADHASH:
		return "stored hash not supported by crypt(3)";
	}
	return "unknown verdict";
}

bool
checkpw_equal(const char *a, size_t alen, const char *b, size_t blen)
{
	SHA2_CTX	ctx;
	uint8_t		da[SHA256_DIGEST_LENGTH], db[SHA256_DIGEST_LENGTH];
	unsigned int	diff = 0;
	size_t		i;

	SHA256Init(&ctx);
	SHA256Update(&ctx, (const uint8_t *)a, alen);
	SHA256Final(da, &ctx);
	SHA256Init(&ctx);
	SHA256Update(&ctx, (const uint8_t *)b, blen);
	SHA256Final(db, &ctx);
	for (i = 0; i < sizeof(da); i++)
		diff |= (unsigned int)(da[i] ^ db[i]);
	wipe(&ctx, sizeof(ctx));
	wipe(da, sizeof(da));
	wipe(db, sizeof(db));
	return diff == 0;
}

int
checkpw_dummy(const char *pass)
{
	return crypt_one(pass, dummy_hash);
}

/* One crypt(3) of pass against hash, result unused; -1 if refused. */
static int
crypt_one(const char *pass, const char *hash)
{
	static struct crypt_data	 cd;	/* 32 KiB: not on the stack */
	const char			*out;

	memset(&cd, 0, sizeof(cd));
	out = crypt_rn(pass, hash, &cd, (int)sizeof(cd));
	wipe(&cd, sizeof(cd));
	return out == NULL ? -1 : 0;
}

/*
 * The length of hash's cost class: its setting without the salt and
 * the result, which is all that decides what crypt(3) does with it.
 * "$id$[params$]salt$result" (yescrypt, sha*-crypt, md5-crypt, ...)
 * ends before the salt; bcrypt's "$2b$NN$" holds the cost and then
 * salt and result without a '$'; scrypt's "$7$" has 11 characters of
 * parameters before the salt; traditional DES (13 characters) has one
 * class.  Anything else is a class of its own, which is never wrong:
 * a class too fine costs one crypt(3) more, never a difference.
 * Returns 0, or -1 for what crypt(3) cannot run (empty, locked,
 * longer than any hash).
 */
static int
cost_key(const char *hash, size_t *len)
{
	const char	*p, *last = NULL, *prev = NULL;
	size_t		 n = strlen(hash);

	if (n == 0 || n > CHECKPW_HASH_MAX || *hash == '!' || *hash == '*')
		return -1;
	*len = n;
	if (*hash != '$') {
		if (n == 13)
			*len = 0;	/* DES: no parameters */
		return 0;
	}
	if (strncmp(hash, "$7$", 3) == 0) {
		if (n >= 14)
			*len = 14;
		return 0;
	}
	if (hash[1] == '2' && hash[2] != '\0' && hash[3] == '$') {
		if ((p = strchr(hash + 4, '$')) != NULL)
			*len = (size_t)(p - hash) + 1;
		return 0;
	}
	for (p = hash; (p = strchr(p, '$')) != NULL; p++) {
		prev = last;
		last = p;
	}
	/* At least "$id$" before the salt's '$'. */
	if (prev != NULL && prev - hash >= 2)
		*len = (size_t)(prev - hash) + 1;
	return 0;
}

/* The index of hash's class in c, or c->n if it has none there. */
static size_t
cost_slot(const struct checkpw_costs *c, const char *hash)
{
	size_t	i, len, klen;

	if (cost_key(hash, &len) == -1)
		return c->n;
	for (i = 0; i < c->n; i++)
		if (cost_key(c->hash[i], &klen) == 0 && klen == len &&
		    memcmp(c->hash[i], hash, len) == 0)
			return i;
	return c->n;
}

void
checkpw_costs_dummy(struct checkpw_costs *c)
{
	wipe(c, sizeof(*c));
	memcpy(c->hash[0], dummy_hash, sizeof(dummy_hash));
	c->n = 1;
	c->more = false;
}

void
checkpw_costs_add(struct checkpw_costs *c, const char *secret)
{
	const char	*body;
	enum kind	 kind;
	size_t		 len;

	if (scheme(secret, &kind, &body) == -1 || kind != KIND_CRYPT ||
	    cost_key(body, &len) == -1 || cost_slot(c, body) < c->n)
		return;
	if (c->n == CHECKPW_COSTS_MAX) {
		c->more = true;
		return;
	}
	memcpy(c->hash[c->n], body, strlen(body) + 1);
	c->n++;
}

void
checkpw_dummies(const char *pass, const struct checkpw_costs *c)
{
	(void)crypt_all(c, pass, NULL);
}

/*
 * cost_key for a setting (crypt_gensalt's output, no result field):
 * "$id$params$salt" ends its class at its last '$', "$7$" as a hash.
 */
static int
setting_key(const char *setting, size_t *len)
{
	const char	*last;

	if (strncmp(setting, "$7$", 3) == 0)
		return cost_key(setting, len);
	if ((last = strrchr(setting, '$')) == NULL)
		return -1;
	*len = (size_t)(last - setting) + 1;
	return 0;
}

/*
 * The yescrypt-family cost of the class key (len bytes) for prefix
 * ("$y$", "$gy$" or "$7$"): the count crypt_gensalt(3) takes whose
 * setting has that class, 0 if none has.
 */
static unsigned long
family_cost(const char *prefix, const char *key, size_t len)
{
	char		setting[CRYPT_GENSALT_OUTPUT_SIZE];
	size_t		slen;
	unsigned long	count;

	for (count = 1; count <= 11; count++) {
		if (crypt_gensalt_rn(prefix, count, NULL, 0, setting,
		    (int)sizeof(setting)) == NULL ||
		    setting_key(setting, &slen) == -1)
			continue;
		if (slen == len && memcmp(setting, key, len) == 0)
			return count;
	}
	return 0;
}

bool
checkpw_weaker(const char *secret)
{
	static const char	*hard[] = { "$y$", "$gy$", "$7$" };
	char			 setting[CRYPT_GENSALT_OUTPUT_SIZE];
	const char		*body;
	enum kind		 kind;
	unsigned long		 have, dflt;
	size_t			 i, len, slen;

	if (scheme(secret, &kind, &body) == -1 || *body == '\0')
		return false;
	if (kind == KIND_PLAIN)
		return true;
	if (*body == '!' || *body == '*')
		return false;
	for (i = 0; i < nitems(hard); i++) {
		if (strncmp(body, hard[i], strlen(hard[i])) != 0)
			continue;
		if (crypt_gensalt_rn(hard[i], 0, NULL, 0, setting,
		    (int)sizeof(setting)) == NULL ||
		    setting_key(setting, &slen) == -1 ||
		    cost_key(body, &len) == -1)
			return false;	/* libcrypt lacks it: cannot tell */
		have = family_cost(hard[i], body, len);
		dflt = family_cost(hard[i], setting, slen);
		/* Parameters no count gives: not ours to rank. */
		return have != 0 && dflt != 0 && have < dflt;
	}
	return true;
}

/*
 * Splits "{SCHEME}body" or a bare crypt(3) string.  Returns 0, or -1
 * for a scheme we do not know.
 */
static int
scheme(const char *secret, enum kind *kind, const char **body)
{
	const char	*end;
	size_t		 i, len;

	*kind = KIND_CRYPT;
	*body = secret;
	if (*secret != '{' || (end = strchr(secret, '}')) == NULL)
		return 0;
	len = (size_t)(end - secret - 1);
	for (i = 0; i < nitems(schemes); i++) {
		if (strlen(schemes[i].name) == len &&
		    strncasecmp(schemes[i].name, secret + 1, len) == 0) {
			*kind = schemes[i].kind;
			*body = end + 1;
			return 0;
		}
	}
	return -1;
}

static enum checkpw_verdict
crypt_check(const char *pass, const char *hash)
{
	static struct crypt_data	 cd;	/* 32 KiB: not on the stack */
	const char			*out;
	bool				 ok;

	memset(&cd, 0, sizeof(cd));
	out = crypt_rn(pass, hash, &cd, (int)sizeof(cd));
	if (out == NULL) {
		wipe(&cd, sizeof(cd));
		return CHECKPW_BADHASH;
	}
	ok = checkpw_equal(out, strlen(out), hash, strlen(hash));
	wipe(&cd, sizeof(cd));
	return ok ? CHECKPW_MATCH : CHECKPW_MISMATCH;
}

/*
 * The crypt(3) work of one login: one run per class of c, against
 * real (the user's hash, or NULL) for its own class and against the
 * class's dummy for the others, so every user of a class in c costs
 * exactly what an unknown user costs.  A real hash of no class in c
 * (a system account's hash of another kind than the dummy, or a
 * passwd-file with more than CHECKPW_COSTS_MAX classes) runs on top:
 * it costs at least the dummies.  A real hash crypt(3) refuses is
 * replaced by its class's dummy, which keeps the cost.  Returns the
 * verdict for real, CHECKPW_MISMATCH without one.
 */
static enum checkpw_verdict
crypt_all(const struct checkpw_costs *c, const char *pass, const char *real)
{
	enum checkpw_verdict	v = CHECKPW_MISMATCH;
	size_t			i, slot = c->n;

	if (real != NULL)
		slot = cost_slot(c, real);
	for (i = 0; i < c->n; i++) {
		if (i != slot) {
			(void)crypt_one(pass, c->hash[i]);
			continue;
		}
		if ((v = crypt_check(pass, real)) == CHECKPW_BADHASH)
			(void)crypt_one(pass, c->hash[i]);
	}
	if (real != NULL && slot == c->n)
		v = crypt_check(pass, real);
	return v;
}

static void
md5_hex(const uint8_t *d, char *hex)
{
	static const char	digits[] = "0123456789abcdef";
	size_t			i;

	for (i = 0; i < MD5_DIGEST_LENGTH; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[2 * MD5_DIGEST_LENGTH] = '\0';
}

/* RFC 1939 s.7: the digest is MD5(stamp || secret) in lower-case hex. */
static bool
apop_check(const char *pass, size_t passlen, const char *stamp,
    size_t stamplen, const char *secret)
{
	MD5_CTX	ctx;
	uint8_t	d[MD5_DIGEST_LENGTH];
	char	hex[MD5_HEX_SIZE];
	bool	ok;

	MD5Init(&ctx);
	MD5Update(&ctx, (const uint8_t *)stamp, stamplen);
	MD5Update(&ctx, (const uint8_t *)secret, strlen(secret));
	MD5Final(d, &ctx);
	md5_hex(d, hex);
	ok = checkpw_equal(pass, passlen, hex, sizeof(hex) - 1);
	wipe(&ctx, sizeof(ctx));
	wipe(d, sizeof(d));
	wipe(hex, sizeof(hex));
	return ok;
}

/*
 * RFC 2195: the response is HMAC-MD5(secret, challenge) (RFC 2104) in
 * lower-case hex.  pop3d passes the decoded response's digest part.
 */
static bool
cram_check(const char *pass, size_t passlen, const char *stamp,
    size_t stamplen, const char *secret)
{
	MD5_CTX	ctx;
	uint8_t	key[HMAC_MD5_BLOCK], pad[HMAC_MD5_BLOCK];
	uint8_t	d[MD5_DIGEST_LENGTH];
	char	hex[MD5_HEX_SIZE];
	size_t	i, klen = strlen(secret);
	bool	ok;

	/* RFC 2104 s.2: a key longer than B bytes is hashed first. */
	memset(key, 0, sizeof(key));
	if (klen > sizeof(key)) {
		MD5Init(&ctx);
		MD5Update(&ctx, (const uint8_t *)secret, klen);
		MD5Final(key, &ctx);
	} else
		memcpy(key, secret, klen);

	for (i = 0; i < sizeof(pad); i++)
		pad[i] = (uint8_t)(key[i] ^ 0x36);
	MD5Init(&ctx);
	MD5Update(&ctx, pad, sizeof(pad));
	MD5Update(&ctx, (const uint8_t *)stamp, stamplen);
	MD5Final(d, &ctx);
	for (i = 0; i < sizeof(pad); i++)
		pad[i] = (uint8_t)(key[i] ^ 0x5c);
	MD5Init(&ctx);
	MD5Update(&ctx, pad, sizeof(pad));
	MD5Update(&ctx, d, sizeof(d));
	MD5Final(d, &ctx);
	md5_hex(d, hex);
	ok = checkpw_equal(pass, passlen, hex, sizeof(hex) - 1);
	wipe(&ctx, sizeof(ctx));
	wipe(key, sizeof(key));
	wipe(pad, sizeof(pad));
	wipe(d, sizeof(d));
	wipe(hex, sizeof(hex));
	return ok;
}

enum checkpw_verdict
checkpw_verify(const char *secret, const char *pass, size_t passlen,
    const char *stamp, size_t stamplen)
{
	static struct checkpw_costs	c;	/* the dummy's: no secret */

	checkpw_costs_dummy(&c);
	return checkpw_verify_costs(secret, pass, passlen, stamp, stamplen,
	    &c);
}

enum checkpw_verdict
checkpw_verify_costs(const char *secret, const char *pass, size_t passlen,
    const char *stamp, size_t stamplen, const struct checkpw_costs *c)
{
	const char	*body;
	enum kind	 kind;
	bool		 plain, apop = false, cram = false;

	if (scheme(secret, &kind, &body) == -1) {
		checkpw_dummies(pass, c);
		return CHECKPW_SCHEME;
	}
	if (passlen == 0) {
		checkpw_dummies(pass, c);
		return CHECKPW_NOPASS;
	}
	if (*body == '\0') {
		checkpw_dummies(pass, c);
		return CHECKPW_NOSECRET;
	}
	if (kind == KIND_CRYPT) {
		/* passwd(1) -l and useradd mark locked hashes this way. */
		if (*body == '!' || *body == '*') {
			checkpw_dummies(pass, c);
			return CHECKPW_LOCKED;
		}
		/* APOP and CRAM-MD5 need the secret itself: plaintext only. */
		return crypt_all(c, pass, body);
	}

	/*
	 * A PLAIN secret costs the dummies too, so its users are not told
	 * apart from unknown ones by timing.
	 */
	checkpw_dummies(pass, c);
	plain = checkpw_equal(pass, passlen, body, strlen(body));
	if (stamplen > 0) {
		/* Both are computed whatever matched: no early exit. */
		apop = apop_check(pass, passlen, stamp, stamplen, body);
		cram = cram_check(pass, passlen, stamp, stamplen, body);
	}
	return (plain | apop | cram) ? CHECKPW_MATCH : CHECKPW_MISMATCH;
}
