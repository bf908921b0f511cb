/* SPDX-License-Identifier: ISC */
/*
 * reader.c: preparing, confining and connecting the reader
 * (reader.h).  Each step of the confinement is checked and its
 * failure logged; a reader that cannot confine itself never greets.
 */
#define _DEFAULT_SOURCE		/* setgroups */

#include "reader.h"

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "filter.h"
#include "io.h"
#include "log.h"
#include "proto.h"

static int	find_account(struct reader *, const char *);
static int	check_dir(int, const char *);
static int	limits(void);
static int	keep_fds(struct reader *);
static int	filter(const struct reader *);
static void	sink(int, const char *);
static enum cred_verdict gate_login(void *, struct cred_login *);
static int	gate_tls(void *);
static void	gate_end(void *, enum session_end);
static int	send_short(int, uint32_t, uint32_t);

static int	sink_fd = -1;

/* "UID:GID" in numbers, or a name from the account database. */
static int
find_account(struct reader *rd, const char *user)
{
	const struct passwd	*pw = NULL;
	const char		*colon;
	unsigned long		 u, g;

	if (user != NULL && (colon = strchr(user, ':')) != NULL) {
		if (proto_number(user, (size_t)(colon - user), &u) == -1 ||
		    proto_number(colon + 1, strlen(colon + 1), &g) == -1) {
			log_msg(LOG_ERR, "-u %s: not UID:GID", user);
			return -1;
		}
		rd->uid = (uid_t)u;
		rd->gid = (gid_t)g;
	} else {
		if (user != NULL)
			pw = getpwnam(user);
		else if ((pw = getpwnam("pop3d")) == NULL)
			pw = getpwnam(user = "nobody");
		if (pw == NULL) {
			log_msg(LOG_ERR, "no account %s for the reader (-u)",
			    user != NULL ? user : "pop3d");
			return -1;
		}
		rd->uid = pw->pw_uid;
		rd->gid = pw->pw_gid;
	}
	if (rd->uid == 0 || rd->gid == 0) {
		log_msg(LOG_ERR, "the reader's account (-u) must not be root "
		    "or in group 0");
		return -1;
	}
	return 0;
}

/* Root's, not writable by anyone else, and empty. */
static int
check_dir(int fd, const char *dir)
{
	struct stat	 st;
	struct dirent	*de;
	DIR		*d;
	int		 dfd, extra = 0;

	if (fstat(fd, &st) == -1) {
		log_msg(LOG_ERR, "-r %s: %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		log_msg(LOG_ERR, "-r %s: not a directory owned by root and "
		    "writable by no one else", dir);
		return -1;
	}
	if ((dfd = dup(fd)) == -1 || (d = fdopendir(dfd)) == NULL) {
		log_msg(LOG_ERR, "-r %s: %s", dir, strerror(errno));
		if (dfd != -1)
			(void)close(dfd);
		return -1;
	}
	errno = 0;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			extra++;
	if (errno != 0) {
		log_msg(LOG_ERR, "-r %s: %s", dir, strerror(errno));
		extra = -1;
	}
	(void)closedir(d);
	if (extra != 0) {
		if (extra > 0)
			log_msg(LOG_ERR, "-r %s: not empty", dir);
		return -1;
	}
	return 0;
}

int
reader_prepare(struct reader *rd, const char *user, const char *dir)
{
	memset(rd, 0, sizeof(*rd));
	rd->rootfd = rd->sock = -1;
	rd->tls_ctl = rd->tls_rd = rd->tls_wr = -1;
	if (find_account(rd, user) == -1)
		return -1;
	rd->rootfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (rd->rootfd == -1) {
		log_msg(LOG_ERR, "-r %s: %s", dir, strerror(errno));
		return -1;
	}
	if (check_dir(rd->rootfd, dir) == -1) {
		(void)close(rd->rootfd);
		rd->rootfd = -1;
		return -1;
	}
	return 0;
}

static int
limits(void)
{
	static const struct {
		int		res;
		rlim_t		max;
	} lim[] = {
		{ RLIMIT_NPROC,		0 },	/* no fork, no CHECKPROG */
		{ RLIMIT_FSIZE,		0 },	/* no file grows */
		{ RLIMIT_CORE,		0 },	/* no dump of a password */
		{ RLIMIT_MEMLOCK,	0 },
		{ RLIMIT_MSGQUEUE,	0 },
		{ RLIMIT_NOFILE,	POP3_READER_NOFILE },
	};
	struct rlimit	rl;
	size_t		i;

	/*
	 * The sanitizer and valgrind builds need what these forbid:
	 * LeakSanitizer's tracer is a new task, and valgrind refuses to
	 * lower the descriptor limit under its own reserved descriptors.
	 * So the limits go with the seccomp filter (see filter()).
	 */
	if (!POP3D_SANDBOX)
		return 0;
	for (i = 0; i < nitems(lim); i++) {
		rl.rlim_cur = rl.rlim_max = lim[i].max;
		if (setrlimit(lim[i].res, &rl) == -1)
			return -1;
	}
	return 0;
}

/*
 * Everything but 0, 1, the socketpair and the TLS fds is closed, and
 * those move to the numbers the compiled seccomp program names
 * (filter.h): first out of the way, above all of those numbers, then
 * down into place.
 */
static int
keep_fds(struct reader *rd)
{
	int	*fds[] = { &rd->sock, &rd->tls_ctl, &rd->tls_rd, &rd->tls_wr };
	int	 to[] = { READER_FD_SOCK, READER_FD_TLS_CTL, READER_FD_TLS_RD,
		    READER_FD_TLS_WR };
	int	 fd;
	size_t	 i;

	for (i = 0; i < nitems(fds); i++) {
		if (*fds[i] == -1)
			continue;
		if ((fd = fcntl(*fds[i], F_DUPFD_CLOEXEC,
		    READER_FD_TLS_WR + 1)) == -1)
			return -1;
		*fds[i] = fd;
	}
	sink_fd = rd->sock;
	for (fd = 2; fd <= READER_FD_TLS_WR; fd++)
		(void)close(fd);	/* some are not open: EBADF */
	for (i = 0; i < nitems(fds); i++) {
		if (*fds[i] == -1)
			continue;
		if (dup2(*fds[i], to[i]) == -1 ||
		    fcntl(to[i], F_SETFD, FD_CLOEXEC) == -1)
			return -1;
		*fds[i] = to[i];
	}
	sink_fd = rd->sock;
	close_from(READER_FD_TLS_WR + 1);
	return 0;
}

static int
filter(const struct reader *rd)
{
	if (!POP3D_SANDBOX) {
		log_msg(LOG_WARNING, "sandbox disabled at build time: the "
		    "reader runs without its seccomp filter and limits");
		return 0;
	}
	/* The rules: rules.c.  Not a single call after this one but those. */
	return filter_load(rd->tls_ctl != -1 ? FILTER_READER_TLS :
	    FILTER_READER);
}

int
reader_confine(struct reader *rd)
{
	sink_fd = rd->sock;
	log_set_sink(sink);
	if (fchdir(rd->rootfd) == -1 || chroot(".") == -1 ||
	    chdir("/") == -1) {
		log_msg(LOG_ERR, "reader: cannot chroot: %s", strerror(errno));
		return -1;
	}
	(void)close(rd->rootfd);
	rd->rootfd = -1;
	/* As root, setgid and setuid set the real, effective and saved ids. */
	if (setgroups(0, NULL) == -1 || setgid(rd->gid) == -1 ||
	    setuid(rd->uid) == -1) {
		log_msg(LOG_ERR, "reader: cannot drop privileges: %s",
		    strerror(errno));
		return -1;
	}
	/* Paranoia that costs nothing: root must be out of reach. */
	if (getuid() != rd->uid || geteuid() != rd->uid ||
	    getgid() != rd->gid || getegid() != rd->gid || setuid(0) != -1 ||
	    setgid(0) != -1) {
		log_msg(LOG_ERR, "reader: still able to become root");
		return -1;
	}
	/* Not dumpable: no ptrace by others of its uid, no core. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
	    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1 || keep_fds(rd) == -1 ||
	    limits() == -1) {
		log_msg(LOG_ERR, "reader: cannot confine: %s",
		    strerror(errno));
		return -1;
	}
	if (filter(rd) == -1) {
		log_msg(LOG_ERR, "reader: cannot enter the seccomp filter");
		return -1;
	}
	return 0;
}

/* log.c's sink: one CRED_MSG_LOG per line, cut to fit. */
static void
sink(int prio, const char *line)
{
	struct cred_log	m;
	size_t		len = strlen(line);

	memset(&m, 0, sizeof(m));
	m.type = CRED_MSG_LOG;
	m.prio = prio >= 0 && prio <= 7 ? (uint32_t)prio : LOG_ERR;
	if (len >= sizeof(m.text))
		len = sizeof(m.text) - 1;
	memcpy(m.text, line, len);
	m.len = (uint32_t)len;
	(void)send(sink_fd, &m, sizeof(m), MSG_NOSIGNAL);
}

static int
send_short(int fd, uint32_t type, uint32_t value)
{
	struct cred_short	m;

	m.type = type;
	m.value = value;
	return send(fd, &m, sizeof(m), MSG_NOSIGNAL) == (ssize_t)sizeof(m) ?
	    0 : -1;
}

static enum cred_verdict
gate_login(void *ctx, struct cred_login *rec)
{
	const struct reader	*rd = ctx;
	unsigned char		 buf[sizeof(struct cred_short) + 1];
	struct pollfd		 pfd;
	uint32_t		 v;
	ssize_t			 n;

	if (send(rd->sock, rec, sizeof(*rec), MSG_NOSIGNAL) !=
	    (ssize_t)sizeof(*rec))
		return CRED_REFUSED;
	wipe(rec, sizeof(*rec));
	/* No deadline: for a login that works, the mail session runs. */
	for (;;) {
		pfd.fd = rd->sock;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, -1) == -1) {
			if (errno == EINTR)
				continue;
			return CRED_REFUSED;
		}
		n = read(rd->sock, buf, sizeof(buf));
		if (n == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		break;
	}
	if (n <= 0 || cred_check_short(buf, (size_t)n, CRED_MSG_VERDICT, 0,
	    &v) != CRED_OK)
		return CRED_REFUSED;
	return (enum cred_verdict)v;
}

static int
gate_tls(void *ctx)
{
	const struct reader	*rd = ctx;

	return send_short(rd->sock, CRED_MSG_TLS, 0);
}

static void
gate_end(void *ctx, enum session_end why)
{
	const struct reader	*rd = ctx;

	(void)send_short(rd->sock, CRED_MSG_END, (uint32_t)why);
}

void
reader_gate(struct reader *rd, struct gate *g)
{
	g->login = gate_login;
	g->tls = gate_tls;
	g->end = gate_end;
	g->ctx = rd;
}
