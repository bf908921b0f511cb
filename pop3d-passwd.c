/* SPDX-License-Identifier: ISC */
/*
 * pop3d-passwd.c: manages the passwd-file that pop3d-checkpw reads.
 * add, passwd, del, list and test; hashes from libcrypt; the file is
 * changed by pwfile.c, and test asks checkpw.c, so it decides exactly
 * what pop3d-checkpw decides.  An admin's tool: it talks on stderr,
 * reads passwords (pwsecret.c) from the terminal or one line of
 * standard input, never from the command line.  The only file of it
 * that exits.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "checkpw.h"
#include "io.h"
#include "pwfile.h"
#include "pwsecret.h"
#include "restore.h"

/* Exit statuses (pop3d-passwd.8). */
#define EX_REFUSED	1	/* refused, or test found a failing check */
#define EX_USAGE	2	/* bad command line or bad input */
#define EX_TEMP		POP3_EXIT_TEMP	/* system error, lock timeout */

/* Where the file is when -f does not say. */
#define DEFAULT_FILE	"/etc/pop3d/passwd"
/* Policy: a user name pop3d-passwd writes: printable ASCII, this long. */
#define NAME_MAX_LEN	64
/* The Maildir that "pop3d -m Maildir" opens in the home directory. */
#define MAILDIR		"Maildir"

struct opts {
	const char		*file;
	const char		*uid, *gid, *home;
	const struct pwmethod	*method;
	unsigned long		 cost;		/* 0: libcrypt's default */
	bool			 maildir, stdin_pw, nologin_ok;
};

static const char	*prog = "pop3d-passwd";
static char		 pw1[PWSECRET_PASS_SIZE];
static char		 secret[PWSECRET_SIZE];
static char		 newline[CHECKPW_LINE_MAX + 1];

static _Noreturn void	usage(void);
static _Noreturn void	die(int, const char *, ...)
			    __attribute__((format(printf, 2, 3)));
static void	warnx_(const char *, ...) __attribute__((format(printf, 1, 2)));
static void	check_name(const char *);
static void	check_text(const char *, const char *);
static unsigned long	parse_num(const char *, const char *);
static void	ids(const struct opts *, uid_t *, gid_t *);
static size_t	get_password(const struct opts *, bool);
static void	make_secret(const struct opts *);
static void	warn_line(const struct pwfile_line *, void *);
static void	list_line(const struct pwfile_line *, void *);
static void	list_summary(const char *);
static const char	*scheme_of(const char *);
static int	report(const char *, enum pwfile_result, size_t);
static void	mkmaildir(const char *, uid_t, gid_t);
static int	cmd_test(const struct opts *, const char *);

static _Noreturn void
usage(void)
{
	fprintf(stderr,
	    "usage: %s [-f file] add -u uid [-g gid] -d home [-m] [-s]"
	    " [-c method] [-r cost] user\n"
	    "       %s [-f file] passwd [-s] [-c method] [-r cost] user\n"
	    "       %s [-f file] del user\n"
	    "       %s [-f file] list\n"
	    "       %s [-f file] test [-n] [-s] user\n"
	    "       %s [-f file] restore [-m maildir] --since DATE|--all"
	    " user\n",
	    prog, prog, prog, prog, prog, prog);
	exit(EX_USAGE);
}

/* Wipes what may be secret, prints the reason and exits. */
static _Noreturn void
die(int status, const char *fmt, ...)
{
	va_list	ap;

	wipe(pw1, sizeof(pw1));
	wipe(secret, sizeof(secret));
	wipe(newline, sizeof(newline));
	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

static void
warnx_(const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/*
 * A name pop3d-passwd writes: 1..NAME_MAX_LEN bytes of 0x21..0x7e,
 * no ':' (the field separator), not starting with '#' (a comment).
 */
static void
check_name(const char *name)
{
	size_t	i, len = strlen(name);

	if (len == 0 || len > NAME_MAX_LEN)
		die(EX_USAGE, "bad user name: 1 to %d characters",
		    NAME_MAX_LEN);
	for (i = 0; i < len; i++)
		if (name[i] < 0x21 || name[i] > 0x7e || name[i] == ':')
			die(EX_USAGE, "bad user name: only printable ASCII, "
			    "no space, no ':'");
	if (name[0] == '#')
		die(EX_USAGE, "bad user name: '#' starts a comment");
}

/* A field of the line: no ':', no control bytes. */
static void
check_text(const char *what, const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f || *s == ':')
			die(EX_USAGE, "bad %s: no ':' and no control "
			    "characters", what);
}

/* Strict decimal, 1..10 digits. */
static unsigned long
parse_num(const char *what, const char *s)
{
	unsigned long	v = 0;
	size_t		i;

	for (i = 0; s[i] != '\0'; i++) {
		if (i == 10 || s[i] < '0' || s[i] > '9')
			die(EX_USAGE, "bad %s: %s", what, s);
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (i == 0)
		die(EX_USAGE, "bad %s: empty", what);
	return v;
}

/* -u and -g, as numbers or names; the gid defaults to -u's account. */
static void
ids(const struct opts *o, uid_t *uid, gid_t *gid)
{
	struct passwd	*pw = NULL;
	struct group	*gr;
	unsigned long	 v;

	if (o->uid[0] >= '0' && o->uid[0] <= '9') {
		v = parse_num("uid", o->uid);
		*uid = (uid_t)v;
		if ((unsigned long)*uid != v || *uid == (uid_t)-1)
			die(EX_USAGE, "bad uid: %s", o->uid);
		*gid = (gid_t)v;
	} else {
		if ((pw = getpwnam(o->uid)) == NULL)
			die(EX_USAGE, "no such account: %s", o->uid);
		*uid = pw->pw_uid;
		*gid = pw->pw_gid;
	}
	if (o->gid != NULL && o->gid[0] >= '0' && o->gid[0] <= '9') {
		v = parse_num("gid", o->gid);
		*gid = (gid_t)v;
		if ((unsigned long)*gid != v || *gid == (gid_t)-1)
			die(EX_USAGE, "bad gid: %s", o->gid);
	} else if (o->gid != NULL) {
		if ((gr = getgrnam(o->gid)) == NULL)
			die(EX_USAGE, "no such group: %s", o->gid);
		*gid = gr->gr_gid;
	}
	/* pop3d-checkpw refuses both: an entry that can never log in. */
	if (*uid == 0)
		die(EX_USAGE, "uid 0 refused: no mail is served as root");
	if (*gid == 0)
		die(EX_USAGE, "gid 0 refused: pop3d-checkpw refuses it");
}

/* The password into pw1, twice from a terminal when confirm is set. */
static size_t
get_password(const struct opts *o, bool confirm)
{
	enum pwsecret	e;
	size_t		n;

	e = pwsecret_read(o->stdin_pw, confirm, pw1, &n);
	switch (e) {
	case PWSECRET_OK:
		return n;
	case PWSECRET_DIFFER:
		die(EX_REFUSED, "%s", pwsecret_error(e));
	case PWSECRET_IO:
		die(EX_TEMP, "%s: %s", pwsecret_error(e), strerror(errno));
	default:
		die(EX_USAGE, "%s", pwsecret_error(e));
	}
}

/* The password field for pw1, in secret[]; pw1 is wiped. */
static void
make_secret(const struct opts *o)
{
	enum pwsecret	e;

	if (o->method->prefix == NULL)
		warnx_("warning: the password is stored in the clear: "
		    "anyone who can read %s can read it; only APOP and "
		    "CRAM-MD5 need that", o->file);
	e = pwsecret_make(o->method, o->cost, pw1, secret);
	wipe(pw1, sizeof(pw1));
	if (e == PWSECRET_COST)
		die(EX_USAGE, "cost %lu is not valid for %s", o->cost,
		    o->method->name);
	if (e == PWSECRET_CRYPT)
		die(EX_TEMP, "crypt failed for %s", o->method->name);
	if (e != PWSECRET_OK)
		die(EX_USAGE, "%s", pwsecret_error(e));
}

/* Prints up to len bytes of s, control and high bytes escaped. */
static void
put_escaped(FILE *f, const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < len && s[i] != '\0'; i++) {
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
			fprintf(f, "\\x%02x", (unsigned char)s[i]);
		else
			fputc(s[i], f);
	}
}

static void
warn_line(const struct pwfile_line *l, void *arg)
{
	const char	*file = arg;

	if (l->ok)
		return;
	fprintf(stderr, "%s: %s: line %zu: malformed, kept as it is (user ",
	    prog, file, l->lineno);
	put_escaped(stderr, l->name, l->namelen);
	fputs(")\n", stderr);
}

/* What kind of secret a password field holds; never the secret. */
static const char *
scheme_of(const char *s)
{
	static const struct {
		const char	*prefix, *name;
	} kinds[] = {
		{ "$y$", "yescrypt" }, { "$7$", "scrypt" },
		{ "$6$", "sha512-crypt" }, { "$5$", "sha256-crypt" },
		{ "$2b$", "bcrypt" }, { "$2y$", "bcrypt" },
		{ "$2a$", "bcrypt" }, { "$1$", "md5-crypt" },
	};
	static char	 buf[32];
	const char	*end;
	size_t		 i;

	if (*s == '{' && (end = strchr(s, '}')) != NULL) {
		if (strncasecmp(s, "{PLAIN}", 7) == 0 ||
		    strncasecmp(s, "{CLEAR}", 7) == 0 ||
		    strncasecmp(s, "{CLEARTEXT}", 11) == 0)
			return s[end - s + 1] == '\0' ? "empty" : "plain";
		if (strncasecmp(s, "{CRYPT}", 7) != 0 &&
		    strncasecmp(s, "{MD5-CRYPT}", 11) != 0 &&
		    strncasecmp(s, "{SHA256-CRYPT}", 14) != 0 &&
		    strncasecmp(s, "{SHA512-CRYPT}", 14) != 0 &&
		    strncasecmp(s, "{BLF-CRYPT}", 11) != 0) {
			(void)snprintf(buf, sizeof(buf), "unknown:%.*s",
			    (int)(end - s + 1 < 20 ? end - s + 1 : 20), s);
			return buf;
		}
		s = end + 1;
	}
	if (*s == '\0')
		return "empty";
	if (*s == '!' || *s == '*')
		return "locked";
	for (i = 0; i < nitems(kinds); i++)
		if (strncmp(s, kinds[i].prefix, strlen(kinds[i].prefix)) == 0)
			return kinds[i].name;
	return "crypt";
}

/* What list found: weak entries, and the cost classes of the file. */
static size_t			list_weak;
static struct checkpw_costs	list_costs;

/*
 * One entry; "weak" at the end when its secret is weaker than the
 * default method (checkpw_weaker: plaintext, another scheme than
 * yescrypt, or yescrypt of a lower cost).
 */
static void
list_line(const struct pwfile_line *l, void *arg)
{
	bool	weak;

	if (!l->ok) {
		warn_line(l, arg);
		return;
	}
	weak = checkpw_weaker(l->secret);
	checkpw_costs_add(&list_costs, l->secret);
	put_escaped(stdout, l->name, l->namelen);
	printf(" %lu %lu ", l->uid, l->gid);
	put_escaped(stdout, l->home, strlen(l->home));
	printf(" %s%s\n", scheme_of(l->secret), weak ? " weak" : "");
	if (weak)
		list_weak++;
}

/* Says on stderr what list's marks mean for the admin; wipes. */
static void
list_summary(const char *file)
{
	if (list_weak > 0)
		warnx_("%s: %zu %s weaker than yescrypt at the default "
		    "cost: set %s again (passwd), unless APOP or CRAM-MD5 "
		    "needs {PLAIN}", file, list_weak,
		    list_weak == 1 ? "entry is" : "entries are",
		    list_weak == 1 ? "its password" : "their passwords");
	if (list_costs.more)
		warnx_("%s: more than %d kinds of hash (scheme and cost): "
		    "users of the kinds beyond them can be told apart by "
		    "the time a login takes", file, CHECKPW_COSTS_MAX);
	else if (list_costs.n > 1)
		warnx_("%s: %zu kinds of hash (scheme and cost): every "
		    "login costs one crypt(3) of each", file, list_costs.n);
	wipe(&list_costs, sizeof(list_costs));
}

/* Says what a change came to; returns the exit status. */
static int
report(const char *file, enum pwfile_result r, size_t lineno)
{
	switch (r) {
	case PWFILE_OK:
		return 0;
	case PWFILE_EXISTS:
		die(EX_REFUSED, "%s: line %zu: the user exists already", file,
		    lineno);
	case PWFILE_UNKNOWN:
		die(EX_REFUSED, "%s: no such user", file);
	case PWFILE_MALFORMED:
		die(EX_REFUSED, "%s: line %zu: the user's line is malformed; "
		    "nothing changed, fix it by hand", file, lineno);
	case PWFILE_DUPLICATE:
		die(EX_REFUSED, "%s: line %zu: the user has more than one "
		    "line; nothing changed, fix it by hand", file, lineno);
	case PWFILE_LOCKED:
		die(EX_TEMP, "%s%s: still locked after %d seconds; nothing "
		    "changed", file, PWFILE_LOCK_SUFFIX, PWFILE_LOCK_SECS);
	case PWFILE_ERROR:
		break;
	}
	die(EX_TEMP, "%s: %s; nothing changed", file, strerror(errno));
}

/* Makes one directory in dirfd, owned by uid:gid, mode 0700. */
static int
mkdir_owned(int dirfd, const char *name, uid_t uid, gid_t gid)
{
	int	fd;

	if (mkdirat(dirfd, name, 0700) == -1)
		return -1;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd == -1)
		return -1;
	if (fchown(fd, uid, gid) == -1 || fchmod(fd, 0700) == -1) {
		(void)close(fd);
		return -1;
	}
	return fd;
}

/*
 * Creates home (if missing, its parent must exist) and home/Maildir
 * with cur, new and tmp, each owned by uid:gid and mode 0700.  An
 * existing home is used as it is; an existing Maildir is left alone.
 */
static void
mkmaildir(const char *home, uid_t uid, gid_t gid)
{
	static const char	*subs[] = { "cur", "new", "tmp" };
	int			 hfd, mfd, sfd;
	size_t			 i;

	hfd = open(home, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (hfd == -1 && errno == ENOENT)
		hfd = mkdir_owned(AT_FDCWD, home, uid, gid);
	if (hfd == -1)
		die(EX_TEMP, "%s: %s; nothing changed", home,
		    strerror(errno));
	if ((mfd = mkdir_owned(hfd, MAILDIR, uid, gid)) == -1) {
		if (errno == EEXIST) {
			warnx_("%s/%s exists: left as it is", home, MAILDIR);
			(void)close(hfd);
			return;
		}
		die(EX_TEMP, "%s/%s: %s; the user was not added", home,
		    MAILDIR, strerror(errno));
	}
	for (i = 0; i < nitems(subs); i++) {
		if ((sfd = mkdir_owned(mfd, subs[i], uid, gid)) == -1)
			die(EX_TEMP, "%s/%s/%s: %s; the user was not added",
			    home, MAILDIR, subs[i], strerror(errno));
		(void)close(sfd);
	}
	(void)close(mfd);
	(void)close(hfd);
}

/* Is home/sub a directory? */
static bool
is_dir(const char *home, const char *sub)
{
	char		path[PATH_MAX];
	struct stat	st;
	int		n;

	n = snprintf(path, sizeof(path), "%s%s%s", home, *sub ? "/" : "",
	    sub);
	return n > 0 && (size_t)n < sizeof(path) && stat(path, &st) == 0 &&
	    S_ISDIR(st.st_mode);
}

/*
 * Runs pop3d-checkpw's checks on user, without executing anything,
 * and prints each that fails.  Returns the exit status.
 */
static int
cmd_test(const struct opts *o, const char *user)
{
	static struct checkpw_user	 u;
	enum checkpw_found		 found;
	enum checkpw_verdict		 v;
	unsigned int			 refused, bit;
	size_t				 lineno, n;
	int				 failed = 0;

	found = checkpw_file_lookup(o->file, user, strlen(user), &u, &lineno);
	switch (found) {
	case CHECKPW_FOUND:
		break;
	case CHECKPW_UNKNOWN:
		printf("%s: FAILED: unknown user\n", user);
		return EX_REFUSED;
	case CHECKPW_MALFORMED:
		printf("%s: FAILED: line %zu is malformed\n", user, lineno);
		return EX_REFUSED;
	case CHECKPW_ERROR:
		die(EX_TEMP, "%s: %s", o->file, strerror(errno));
	}
	n = get_password(o, false);
	v = checkpw_verify(u.secret, pw1, n, "", 0);
	wipe(pw1, sizeof(pw1));
	wipe((char *)u.secret, strlen(u.secret));
	if (v != CHECKPW_MATCH) {
		printf("%s: FAILED: %s\n", user, checkpw_reason(v));
		failed = 1;
	}
	refused = checkpw_policy(&u, checkpw_today(), o->nologin_ok);
	for (bit = 1; bit != 0 && bit <= refused; bit <<= 1) {
		if (refused & bit) {
			printf("%s: FAILED: %s\n", user, checkpw_refusal(bit));
			failed = 1;
		}
	}
	if (!is_dir(u.home, "")) {
		printf("%s: FAILED: home %s missing\n", user, u.home);
		failed = 1;
	} else if (!is_dir(u.home, MAILDIR "/cur") ||
	    !is_dir(u.home, MAILDIR "/new") ||
	    !is_dir(u.home, MAILDIR "/tmp")) {
		printf("%s: FAILED: %s/%s missing or incomplete\n", user,
		    u.home, MAILDIR);
		failed = 1;
	}
	if (!failed)
		printf("%s: ok: line %zu, uid %lu, gid %lu, home %s\n", user,
		    lineno, (unsigned long)u.uid, (unsigned long)u.gid,
		    u.home);
	return failed ? EX_REFUSED : 0;
}

int
main(int argc, char *argv[])
{
	static struct checkpw_user	u;
	struct opts	 o;
	enum pwfile_result res;
	enum checkpw_found found;
	const char	*cmd, *user = NULL;
	size_t		 lineno;
	uid_t		 uid;
	gid_t		 gid;
	int		 c, r;

	if (fds_sane() == -1)
		exit(EX_TEMP);
	(void)umask(077);
	memset(&o, 0, sizeof(o));
	o.file = DEFAULT_FILE;
	o.method = pwsecret_method(NULL);

	while ((c = getopt(argc, argv, "+f:")) != -1) {
		if (c != 'f' || *optarg == '\0')
			usage();
		o.file = optarg;
	}
	if (optind >= argc)
		usage();
	cmd = argv[optind];
	argc -= optind;
	argv += optind;
	optind = 1;
	if (strcmp(cmd, "restore") == 0)
		return restore_main(o.file, argc, argv);
	while ((c = getopt(argc, argv, "+c:d:g:mnr:su:")) != -1) {
		switch (c) {
		case 'c':
			if ((o.method = pwsecret_method(optarg)) == NULL)
				die(EX_USAGE, "unknown method %s (yescrypt, "
				    "sha512, sha256, bcrypt, plain)", optarg);
			break;
		case 'd':
			o.home = optarg;
			break;
		case 'g':
			o.gid = optarg;
			break;
		case 'm':
			o.maildir = true;
			break;
		case 'n':
			o.nologin_ok = true;
			break;
		case 'r':
			o.cost = parse_num("cost", optarg);
			break;
		case 's':
			o.stdin_pw = true;
			break;
		case 'u':
			o.uid = optarg;
			break;
		default:
			usage();
		}
	}
	if (strcmp(cmd, "list") == 0) {
		if (optind != argc || argc > 1)
			usage();
		if (pwfile_scan(o.file, list_line, (void *)o.file) == -1) {
			wipe(&list_costs, sizeof(list_costs));
			die(EX_TEMP, "%s: %s", o.file, strerror(errno));
		}
		if (fflush(stdout) != 0) {
			wipe(&list_costs, sizeof(list_costs));
			return EX_TEMP;
		}
		list_summary(o.file);
		return 0;
	}
	if (optind + 1 != argc)
		usage();
	user = argv[optind];
	check_name(user);
	/* Which options each command takes. */
	if ((strcmp(cmd, "add") != 0 && (o.uid || o.gid || o.home ||
	    o.maildir)) || (strcmp(cmd, "test") != 0 && o.nologin_ok) ||
	    ((strcmp(cmd, "del") == 0 || strcmp(cmd, "test") == 0) &&
	    (o.cost || o.method != pwsecret_method(NULL))) ||
	    (strcmp(cmd, "del") == 0 && o.stdin_pw))
		usage();

	if (strcmp(cmd, "test") == 0)
		return cmd_test(&o, user);
	if (strcmp(cmd, "del") == 0) {
		res = pwfile_change(o.file, PWFILE_DEL, user, NULL, &lineno,
		    warn_line, (void *)o.file);
		return report(o.file, res, lineno);
	}
	if (strcmp(cmd, "passwd") == 0) {
		(void)get_password(&o, true);
		make_secret(&o);
		res = pwfile_change(o.file, PWFILE_SET, user, secret, &lineno,
		    warn_line, (void *)o.file);
		wipe(secret, sizeof(secret));
		return report(o.file, res, lineno);
	}
	if (strcmp(cmd, "add") != 0)
		usage();
	if (o.uid == NULL || o.home == NULL)
		die(EX_USAGE, "add needs -u uid and -d home");
	ids(&o, &uid, &gid);
	if (o.home[0] != '/')
		die(EX_USAGE, "home must be an absolute path: %s", o.home);
	check_text("home", o.home);
	(void)get_password(&o, true);
	make_secret(&o);
	r = snprintf(newline, sizeof(newline), "%s:%s:%lu:%lu::%s::", user,
	    secret, (unsigned long)uid, (unsigned long)gid, o.home);
	wipe(secret, sizeof(secret));
	if (r < 0 || (size_t)r >= sizeof(newline))
		die(EX_USAGE, "the line would be longer than %d bytes",
		    CHECKPW_LINE_MAX);
	/*
	 * The Maildir first, so that no line is added without it; a user
	 * added meanwhile by another run is still caught under the lock.
	 */
	if (o.maildir) {
		found = checkpw_file_lookup(o.file, user, strlen(user), &u,
		    &lineno);
		wipe(&u, sizeof(u));
		if (found == CHECKPW_FOUND || found == CHECKPW_MALFORMED)
			report(o.file, PWFILE_EXISTS, lineno);
		if (found == CHECKPW_ERROR && errno != ENOENT)
			report(o.file, PWFILE_ERROR, 0);
		mkmaildir(o.home, uid, gid);
	}
	res = pwfile_change(o.file, PWFILE_ADD, user, newline, &lineno,
	    warn_line, (void *)o.file);
	wipe(newline, sizeof(newline));
	return report(o.file, res, lineno);
}
