/* SPDX-License-Identifier: ISC */
/*
 * tests/unit_trash.c: the trash (trash.h) and UPDATE with it
 * (update.h), in a scratch directory: the names, the folder's layout,
 * the purge against an injected clock, restore, and that a message
 * which cannot be trashed stays where it was.
 */
#define _GNU_SOURCE		/* mkdtemp */

#include "../maildir.h"
#include "../scan.h"
#include "../trash.h"
#include "../update.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static const char	*check_prog = "unit_trash";
static char		 top[PATH_MAX];
static char		 dir[256];

static void	test_name(void);
static void	test_date(void);
static void	test_open(void);
static void	test_purge_clock(void);
static void	test_purge_bound(void);
static void	test_update(void);
static void	test_update_failsafe(void);
static void	test_restore(void);

/* A fresh Maildir in a scratch directory; cwd stays at top. */
static void
fresh(void)
{
	char	cmd[300];

	if (dir[0] != '\0') {
		(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", dir);
	}
	(void)snprintf(dir, sizeof(dir), "%s/unit_trash.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL || chdir(dir) == -1 ||
	    mkdir("Maildir", 0700) == -1 || mkdir("Maildir/new", 0700) == -1 ||
	    mkdir("Maildir/cur", 0700) == -1 ||
	    mkdir("Maildir/tmp", 0700) == -1 || chdir(top) == -1) {
		perror("fresh");
		exit(1);
	}
}

/* Writes a file (path under Maildir/). */
static void
put(const char *path, const char *body)
{
	char	p[512];
	int	fd;

	(void)snprintf(p, sizeof(p), "%s/Maildir/%s", dir, path);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd == -1 || write(fd, body, strlen(body)) !=
	    (ssize_t)strlen(body) || close(fd) == -1) {
		perror(p);
		exit(1);
	}
}

/* Whether path under Maildir/ exists, and its inode. */
static bool
there(const char *path, ino_t *ino)
{
	char		p[512];
	struct stat	st;

	(void)snprintf(p, sizeof(p), "%s/Maildir/%s", dir, path);
	if (lstat(p, &st) == -1)
		return false;
	if (ino != NULL)
		*ino = st.st_ino;
	return true;
}

static mode_t
mode_of(const char *path)
{
	char		p[512];
	struct stat	st;

	(void)snprintf(p, sizeof(p), "%s/Maildir/%s", dir, path);
	return lstat(p, &st) == -1 ? (mode_t)-1 : st.st_mode;
}

static int
rootfd(void)
{
	char	p[512];

	(void)snprintf(p, sizeof(p), "%s/Maildir", dir);
	return open(p, O_RDONLY | O_DIRECTORY);
}

static void
test_name(void)
{
	static const struct {
		const char	*in;
		bool		 add;
		int		 r;
		const char	*out;
	} cases[] = {
		{ "1.M1.h",		true,	1,	"1.M1.h:2,T" },
		{ "1.M1.h:2,",		true,	1,	"1.M1.h:2,T" },
		{ "1.M1.h:2,S",		true,	1,	"1.M1.h:2,ST" },
		{ "1.M1.h:2,FRS",	true,	1,	"1.M1.h:2,FRST" },
		{ "1.M1.h:2,Sa",	true,	1,	"1.M1.h:2,STa" },
		{ "1.M1.h:2,ST",	true,	0,	"1.M1.h:2,ST" },
		{ "1.M1.h:1,x",		true,	0,	"1.M1.h:1,x" },
		{ "1.M1.h:2,ST",	false,	1,	"1.M1.h:2,S" },
		{ "1.M1.h:2,T",		false,	1,	"1.M1.h:2," },
		{ "1.M1.h:2,FSTa",	false,	1,	"1.M1.h:2,FSa" },
		{ "1.M1.h:2,S",		false,	0,	"1.M1.h:2,S" },
		{ "1.M1.h",		false,	0,	"1.M1.h" },
	};
	char	out[64], small[8];
	size_t	i;
	int	r;

	for (i = 0; i < nitems(cases); i++) {
		r = trash_name(cases[i].in, cases[i].add, out, sizeof(out));
		CHECK(r == cases[i].r && strcmp(out, cases[i].out) == 0);
		if (r != cases[i].r || strcmp(out, cases[i].out) != 0)
			fprintf(stderr, "  %s: %d %s\n", cases[i].in, r, out);
	}
	/* Too long for out: refused, never cut. */
	CHECK(trash_name("1.M1.h", true, small, sizeof(small)) == -1);
	CHECK(trash_name("1.M1.h:2,S", true, out, 11) == -1);
	CHECK(trash_name("1.M1.h:2,S", true, out, 12) == 1);
	/* Round trip: what goes into the trash comes back the same. */
	CHECK(trash_name("7.M7.h:2,FS", true, out, sizeof(out)) == 1 &&
	    trash_name(out, false, small, sizeof(small)) == -1);
}

static void
test_date(void)
{
	time_t	t;

	CHECK(trash_date("@0", 2, &t) == 0 && t == 0);
	CHECK(trash_date("@1700000000", 11, &t) == 0 && t == 1700000000);
	CHECK(trash_date("2026-12-07", 10, &t) == 0 &&
	    t > 1790000000 && t < 1800000000);
	CHECK(trash_date("2026-02-30", 10, &t) == -1);
	CHECK(trash_date("2026-13-01", 10, &t) == -1);
	CHECK(trash_date("2026-1-01", 9, &t) == -1);
	CHECK(trash_date("2026/12/07", 10, &t) == -1);
	CHECK(trash_date("@", 1, &t) == -1);
	CHECK(trash_date("@12x", 4, &t) == -1);
	CHECK(trash_date("", 0, &t) == -1);
	CHECK(trash_date("@1234567890123", 14, &t) == -1);
}

/* The folder as maildirmake -f Trash makes it; a partial one finished. */
static void
test_open(void)
{
	int	root, fd;

	fresh();
	root = rootfd();
	CHECK(trash_open(root, false) == -1 && errno == ENOENT);
	CHECK(!there(".Trash", NULL));
	fd = trash_open(root, true);
	CHECK(fd != -1);
	(void)close(fd);
	CHECK(mode_of(".Trash") == (S_IFDIR | 0700));
	CHECK(mode_of(".Trash/cur") == (S_IFDIR | 0700));
	CHECK(mode_of(".Trash/new") == (S_IFDIR | 0700));
	CHECK(mode_of(".Trash/tmp") == (S_IFDIR | 0700));
	CHECK(mode_of(".Trash/maildirfolder") == (S_IFREG | 0600));
	/* A crash left it half made: the next one completes it. */
	(void)close(root);
	fresh();
	root = rootfd();
	CHECK(mkdirat(root, ".Trash", 0700) == 0);
	fd = trash_open(root, true);
	CHECK(fd != -1);
	(void)close(fd);
	CHECK(there(".Trash/cur", NULL) && there(".Trash/maildirfolder",
	    NULL) && there(".Trash/tmp", NULL));
	(void)close(root);
	/* A symbolic link is never followed. */
	fresh();
	root = rootfd();
	CHECK(symlinkat("/tmp", root, ".Trash") == 0);
	CHECK(trash_open(root, true) == -1);
	(void)close(root);
	/* A file where the folder should be: it fails, nothing is made. */
	fresh();
	put(".Trash", "not a folder");
	root = rootfd();
	CHECK(trash_open(root, true) == -1);
	CHECK(mode_of(".Trash") == (S_IFREG | 0600));
	(void)close(root);
}

/* The purge against an injected clock: ctime is when the file came. */
static void
test_purge_clock(void)
{
	struct trash_purge	tp;
	time_t			now = time(NULL);
	int			root, fd;

	fresh();
	root = rootfd();
	fd = trash_open(root, true);
	CHECK(fd != -1);
	put(".Trash/cur/1.M1.h:2,T", "one");
	put(".Trash/cur/2.M2.h:2,ST", "two");
	put(".Trash/cur/.hidden", "dot files are not messages");
	/* DAYS 0 keeps everything, however late it is. */
	trash_purge(fd, 0, now + 100L * 365 * TRASH_DAY, &tp);
	CHECK(tp.purged == 0 && tp.examined == 0);
	/* Not yet 7 days. */
	trash_purge(fd, 7, now + 7 * TRASH_DAY - 5, &tp);
	CHECK(tp.purged == 0 && tp.examined == 2 && tp.error == 0);
	CHECK(there(".Trash/cur/1.M1.h:2,T", NULL));
	/* More than 7 days later: both go, the dot file stays. */
	trash_purge(fd, 7, now + 7 * TRASH_DAY + 5, &tp);
	CHECK(tp.purged == 2 && tp.error == 0);
	CHECK(!there(".Trash/cur/1.M1.h:2,T", NULL));
	CHECK(!there(".Trash/cur/2.M2.h:2,ST", NULL));
	CHECK(there(".Trash/cur/.hidden", NULL));
	(void)close(fd);
	(void)close(root);
}

/* A huge trash costs one QUIT at most TRASH_PURGE_MAX looks. */
static void
test_purge_bound(void)
{
	struct trash_purge	tp;
	char			name[64];
	time_t			now = time(NULL);
	size_t			i;
	int			root, fd, f;

	fresh();
	root = rootfd();
	fd = trash_open(root, true);
	for (i = 0; i < TRASH_PURGE_MAX + 5; i++) {
		(void)snprintf(name, sizeof(name), "%zu.M%zu.h:2,T", i, i);
		f = openat(fd, name, O_WRONLY | O_CREAT | O_EXCL, 0600);
		CHECK(f != -1);
		(void)close(f);
	}
	trash_purge(fd, 1, now + 2 * TRASH_DAY, &tp);
	CHECK(tp.examined == TRASH_PURGE_MAX && tp.purged == TRASH_PURGE_MAX);
	trash_purge(fd, 1, now + 2 * TRASH_DAY, &tp);
	CHECK(tp.examined == 5 && tp.purged == 5);
	(void)close(fd);
	(void)close(root);
}

static int
mdopen(struct maildir *md)
{
	char	p[512];

	maildir_init(md, 1000);
	(void)snprintf(p, sizeof(p), "%s/Maildir", dir);
	if (maildir_enter(md, p) == -1)
		return -1;
	return maildir_scan(md);
}

static void
mdclose(struct maildir *md)
{
	maildir_close(md);
	if (chdir(top) == -1)
		exit(1);
}

/* DELE with -K: renamed into the trash, same inode, T (and S) added. */
static void
test_update(void)
{
	struct update_opts	uo = { 7, 0 };
	struct commit_result	res;
	struct maildir		md;
	ino_t			a, b, a2, b2;

	fresh();
	put("new/1.M1.h", "Subject: a\n\na\n");
	put("cur/2.M2.h:2,F", "Subject: b\n\nb\n");
	put("new/3.M3.h", "Subject: c\n\nc\n");
	CHECK(there("new/1.M1.h", &a) && there("cur/2.M2.h:2,F", &b));
	uo.now = time(NULL);
	CHECK(mdopen(&md) == 0 && md.count == 3);
	maildir_msg(&md, 0)->flags |= MSG_DELE | MSG_SEEN;
	maildir_msg(&md, 1)->flags |= MSG_DELE;
	CHECK(maildir_update(&md, &uo, &res) == 0);
	CHECK(res.deleted == 2 && res.trashed == 2 && res.undeleted == 0);
	CHECK(res.deleted_octets == 34 && res.trashed_octets == 34);
	CHECK(res.moved == 1 && res.purged == 0);
	mdclose(&md);
	CHECK(there(".Trash/cur/1.M1.h:2,ST", &a2) && a2 == a);
	CHECK(there(".Trash/cur/2.M2.h:2,FT", &b2) && b2 == b);
	CHECK(!there("new/1.M1.h", NULL) && !there("cur/2.M2.h:2,F", NULL));
	CHECK(there("cur/3.M3.h:2,", NULL));
	/* The next session does not see the trash. */
	CHECK(mdopen(&md) == 0 && md.count == 1);
	/* A week and a bit later, with nothing deleted, the purge runs. */
	uo.now = time(NULL) + 7 * TRASH_DAY + 5;
	CHECK(maildir_update(&md, &uo, &res) == 0);
	CHECK(res.purged == 2 && res.deleted == 0 && res.purge_error == 0);
	mdclose(&md);
	CHECK(!there(".Trash/cur/1.M1.h:2,ST", NULL));
	CHECK(there("cur/3.M3.h:2,", NULL));
}

/* No trash to be had: every marked message stays, -1, counted. */
static void
test_update_failsafe(void)
{
	struct update_opts	uo = { 7, 0 };
	struct commit_result	res;
	struct maildir		md;
	int			root, fd;

	fresh();
	put("cur/1.M1.h:2,", "Subject: a\n\na\n");
	put("cur/2.M2.h:2,", "Subject: b\n\nb\n");
	put(".Trash", "a file where the folder should be");
	uo.now = time(NULL);
	CHECK(mdopen(&md) == 0 && md.count == 2);
	maildir_msg(&md, 0)->flags |= MSG_DELE;
	maildir_msg(&md, 1)->flags |= MSG_DELE;
	CHECK(maildir_update(&md, &uo, &res) == -1);
	CHECK(res.deleted == 0 && res.undeleted == 2 && res.trashed == 0);
	CHECK(res.undeleted_octets == 34 && res.error != 0);
	mdclose(&md);
	CHECK(there("cur/1.M1.h:2,", NULL) && there("cur/2.M2.h:2,", NULL));
	/* A name already in the trash is never replaced. */
	fresh();
	put("cur/1.M1.h:2,", "Subject: a\n\na\n");
	root = rootfd();
	fd = trash_open(root, true);
	CHECK(fd != -1);
	(void)close(fd);
	(void)close(root);
	put(".Trash/cur/1.M1.h:2,T", "an older copy");
	CHECK(mdopen(&md) == 0 && md.count == 1);
	maildir_msg(&md, 0)->flags |= MSG_DELE;
	CHECK(maildir_update(&md, &uo, &res) == -1 && errno == EEXIST);
	mdclose(&md);
	CHECK(there("cur/1.M1.h:2,", NULL));
}

static void
test_restore(void)
{
	struct trash_restore	tr;
	struct maildir		md;
	char			p[512];
	int			root, fd;

	fresh();
	root = rootfd();
	CHECK(trash_restore(root, -1, 0, &tr) == -1 && errno == ENOENT);
	fd = trash_open(root, true);
	(void)close(fd);
	put(".Trash/cur/1.M1.h:2,ST", "one");
	put(".Trash/cur/2.M2.h:2,T", "two");
	put(".Trash/cur/3.M3.h:2,T", "three");
	put("cur/3.M3.h:2,", "a file already under that name");
	(void)snprintf(p, sizeof(p), "%s/Maildir", dir);
	maildir_init(&md, 10);
	CHECK(maildir_enter(&md, p) == 0);
	/* Trashed (ctime) before the date: left there. */
	CHECK(trash_restore(md.lockfd, md.curfd, time(NULL) + 3600,
	    &tr) == 0);
	CHECK(tr.restored == 0 && tr.kept == 3);
	CHECK(trash_restore(md.lockfd, md.curfd, 0, &tr) == -1);
	CHECK(tr.restored == 2 && tr.failed == 1 && tr.error == EEXIST);
	maildir_close(&md);
	if (chdir(top) == -1)
		exit(1);
	CHECK(there("cur/1.M1.h:2,S", NULL) && there("cur/2.M2.h:2,", NULL));
	CHECK(there(".Trash/cur/3.M3.h:2,T", NULL));
	CHECK(!there(".Trash/cur/1.M1.h:2,ST", NULL));
	(void)close(root);
}

int
main(void)
{
	char	cmd[300];

	if (getcwd(top, sizeof(top)) == NULL)
		return 1;
	RUN(test_name);
	RUN(test_date);
	RUN(test_open);
	RUN(test_purge_clock);
	RUN(test_purge_bound);
	RUN(test_update);
	RUN(test_update_failsafe);
	RUN(test_restore);
	if (dir[0] != '\0') {
		(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			return 1;
	}
	return check_exit();
}
