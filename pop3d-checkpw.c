/* SPDX-License-Identifier: ISC */
/*
 * pop3d-checkpw.c: the checkpassword program.  Reads user, password
 * and stamp from fd 3, checks them (checkpw.c), becomes the user and
 * execs SUBPROG in HOME.  The record is untrusted; the passwd-file
 * and the system databases are trusted.  The only file of the helper
 * that exits; it never logs a password or a hash.
 */
#define _DEFAULT_SOURCE		/* initgroups, setgroups */

#include "checkpw.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "io.h"
#include "log.h"

/* What log_escape() may make of a user name in one log line. */
#define ESC_SIZE	256

static char	record[POP3_AUTH_MAX + 1];	/* one more: detects overlong */
static char	esc[ESC_SIZE];			/* the escaped user name */
/* What every login costs in crypt(3); holds other users' hashes. */
static struct checkpw_costs	costs;

static _Noreturn void	usage(void);
static _Noreturn void	finish(int, int, const char *, const char *);
static _Noreturn void	tempfail(const char *, ...)
			    __attribute__((format(printf, 1, 2)));
static size_t	read_record(void);
static void	become(const struct checkpw_user *);

/* Wipes every secret the process holds, logs why, and exits. */
static _Noreturn void
finish(int status, int prio, const char *what, const char *why)
{
	wipe(record, sizeof(record));
	wipe(&costs, sizeof(costs));
	if (why != NULL)
		log_msg(prio, "%s: user=%s reason=%s", what, esc, why);
	else
		log_msg(prio, "%s", what);
	exit(status);
}

/* Exits 111, logging the reason and, unless it is 0, errno's text. */
static _Noreturn void
tempfail(const char *fmt, ...)
{
	char	why[512];
	va_list	ap;
	int	e = errno, n;

	va_start(ap, fmt);
	n = vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = snprintf(why, sizeof(why), "%s", fmt);
	/* errno 0: the reason says it all. */
	if (e != 0 && n >= 0 && (size_t)n < sizeof(why))
		(void)snprintf(why + n, sizeof(why) - (size_t)n, ": %s",
		    strerror(e));
	finish(CHECKPW_EXIT_TEMP, LOG_ERR, "temporary failure", why);
}

static _Noreturn void
usage(void)
{
	finish(CHECKPW_EXIT_MISUSE, LOG_ERR, "usage: pop3d-checkpw "
	    "[-n] [-f passwdfile] [-e | -s] subprogram [argument ...]", NULL);
}

/*
 * Reads the record from fd 3 until EOF, at most POP3_AUTH_MAX + 1
 * bytes (one more than allowed, so an overlong record is seen), within
 * CHECKPW_READ_SECS.  Exits on failure.
 */
static size_t
read_record(void)
{
	struct pollfd	pfd;
	struct timespec	ts;
	time_t		deadline;
	size_t		len = 0;
	ssize_t		r;
	int		left;

	if (fcntl(3, F_GETFD) == -1)
		finish(CHECKPW_EXIT_MISUSE, LOG_ERR,
		    "fd 3 is not open: nothing to check", NULL);
	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		finish(CHECKPW_EXIT_TEMP, LOG_ERR, "clock_gettime failed",
		    NULL);
	deadline = ts.tv_sec + CHECKPW_READ_SECS;
	while (len < sizeof(record)) {
		if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
			finish(CHECKPW_EXIT_TEMP, LOG_ERR,
			    "clock_gettime failed", NULL);
		if (ts.tv_sec >= deadline)
			finish(CHECKPW_EXIT_TEMP, LOG_ERR,
			    "timeout reading fd 3", NULL);
		left = (int)(deadline - ts.tv_sec);
		pfd.fd = 3;
		pfd.events = POLLIN;
		pfd.revents = 0;
		switch (poll(&pfd, 1, left * 1000)) {
		case -1:
			if (errno == EINTR)
				continue;
			tempfail("poll on fd 3");
		case 0:
			continue;	/* the deadline is checked above */
		default:
			break;
		}
		r = read(3, record + len, sizeof(record) - len);
		if (r == 0)
			break;
		if (r == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			if (errno == EBADF || errno == EISDIR ||
			    errno == EINVAL)
				finish(CHECKPW_EXIT_MISUSE, LOG_ERR,
				    "fd 3 is not readable", NULL);
			tempfail("read fd 3");
		}
		len += (size_t)r;
	}
	(void)close(3);		/* read-only; nothing to lose */
	return len;
}

/*
 * Takes on the user's groups, gid and uid, or checks that we already
 * are the user.  Exits on failure.
 */
static void
become(const struct checkpw_user *u)
{
	if (geteuid() != 0) {
		/* Not root: we can only serve the user we already are. */
		if (u->uid != getuid() || u->uid != geteuid() ||
		    u->gid != getgid() || u->gid != getegid())
			finish(CHECKPW_EXIT_TEMP, LOG_ERR, "temporary failure",
			    "not root, cannot switch to the user's uid/gid");
		return;
	}
	if (u->system) {
		if (initgroups(u->name, u->gid) == -1)
			tempfail("initgroups %lu", (unsigned long)u->gid);
	} else if (setgroups(1, &u->gid) == -1)
		tempfail("setgroups %lu", (unsigned long)u->gid);
	if (setgid(u->gid) == -1)
		tempfail("setgid %lu", (unsigned long)u->gid);
	if (setuid(u->uid) == -1)
		tempfail("setuid %lu", (unsigned long)u->uid);
	/* A switch that left a way back to root is no switch. */
	if (setuid(0) != -1 || getuid() != u->uid || geteuid() != u->uid ||
	    getgid() != u->gid || getegid() != u->gid)
		finish(CHECKPW_EXIT_TEMP, LOG_ERR, "temporary failure",
		    "privileges not dropped");
}

int
main(int argc, char *argv[])
{
	static struct checkpw_user	 u;
	struct checkpw_record		 rec;
	enum checkpw_found		 found;
	enum checkpw_verdict		 v;
	enum log_dest			 dest = LOG_DEST_AUTO;
	const char			*file = NULL, *opt;
	size_t				 len, lineno;
	unsigned int			 refused;
	int				 i, bad = 0;
	bool				 nologin_ok = false;

	if (fds_sane() == -1)
		exit(CHECKPW_EXIT_TEMP);	/* nowhere to log yet */
	(void)umask(077);

	/*
	 * By hand rather than getopt(3): options end at SUBPROG on every
	 * libc, and nothing is printed to a stderr that may be a socket.
	 */
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] != '\0';
	    i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		for (opt = argv[i] + 1; *opt != '\0' && !bad; opt++) {
			if (*opt == 'e')
				dest = LOG_DEST_STDERR;
			else if (*opt == 's')
				dest = LOG_DEST_SYSLOG;
			else if (*opt == 'n')
				nologin_ok = true;
			else if (*opt == 'f') {
				if (opt[1] != '\0')
					file = opt + 1;
				else if (i + 1 < argc)
					file = argv[++i];
				else
					bad = 1;
				break;
			} else
				bad = 1;
		}
		if (bad)
			break;
	}
	log_init("pop3d-checkpw", dest);
	if (bad || i >= argc || (file != NULL && *file == '\0'))
		usage();

	len = read_record();
	if (checkpw_record(record, len, &rec) == -1) {
		finish(CHECKPW_EXIT_MISUSE, LOG_ERR, errno == EMSGSIZE ?
		    "bad record on fd 3: longer than 512 bytes" :
		    "bad record on fd 3: want user\\0password\\0stamp\\0",
		    NULL);
	}
	(void)log_escape(esc, sizeof(esc), rec.user, rec.userlen);

	/*
	 * The crypt(3) work of a login is the same whoever the user is:
	 * one run per cost class of the passwd-file (read to its end
	 * anyway), or of the built-in dummy for the system accounts.
	 */
	if (file != NULL)
		found = checkpw_file_lookup_costs(file, rec.user, rec.userlen,
		    &u, &lineno, &costs);
	else {
		checkpw_costs_dummy(&costs);
		found = checkpw_sys_lookup(rec.user, &u);
	}
	/* On every attempt alike, so the line itself tells nobody apart. */
	if (costs.more)
		log_msg(LOG_WARNING, "%s: more than %d kinds of hash; users "
		    "of the others can be told apart by timing (see "
		    "pop3d-passwd list)", file, CHECKPW_COSTS_MAX);
	switch (found) {
	case CHECKPW_FOUND:
		break;
	case CHECKPW_UNKNOWN:
		checkpw_dummies(rec.pass, &costs);
		finish(CHECKPW_EXIT_BAD, LOG_NOTICE, "auth failed",
		    "unknown user");
	case CHECKPW_MALFORMED:
		errno = 0;
		tempfail("%s line %zu: malformed entry", file, lineno);
	case CHECKPW_ERROR:
		if (file != NULL)
			tempfail("cannot read %s", file);
		tempfail("cannot read the system accounts");
	}

	/*
	 * Refused accounts are refused whatever the password, so the log
	 * never confirms root's password; the dummy keeps the timing.
	 */
	refused = checkpw_policy(&u, checkpw_today(), nologin_ok);
	if (refused != 0) {
		checkpw_dummies(rec.pass, &costs);
		wipe((char *)u.secret, strlen(u.secret));
		/* qmail-pop3d's rule: no mail is served as root. */
		finish(CHECKPW_EXIT_BAD, (refused & (CHECKPW_R_UID0 |
		    CHECKPW_R_GID0 | CHECKPW_R_ROOTGROUP)) ? LOG_ERR :
		    LOG_NOTICE, "auth failed", checkpw_refusal(refused));
	}
	v = checkpw_verify_costs(u.secret, rec.pass, rec.passlen, rec.stamp,
	    rec.stamplen, &costs);
	wipe(record, sizeof(record));
	wipe(&costs, sizeof(costs));
	/*
	 * The secret shares u.buf with the name, home and shell, which
	 * are still needed: wipe it alone.
	 */
	wipe((char *)u.secret, strlen(u.secret));
	if (v != CHECKPW_MATCH) {
		finish(CHECKPW_EXIT_BAD, (v == CHECKPW_SCHEME ||
		    v == CHECKPW_BADHASH) ? LOG_ERR : LOG_NOTICE,
		    "auth failed", checkpw_reason(v));
	}

	become(&u);
	if (chdir(u.home) == -1)
		tempfail("chdir %s", u.home);
	if (setenv("USER", u.name, 1) == -1 ||
	    setenv("HOME", u.home, 1) == -1 ||
	    setenv("SHELL", u.shell, 1) == -1)
		tempfail("setenv");
	if (signal(SIGPIPE, SIG_DFL) == SIG_ERR)
		tempfail("signal SIGPIPE");
	(void)execvp(argv[i], argv + i);
	tempfail("exec %s", argv[i]);
}
