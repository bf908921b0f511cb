/* SPDX-License-Identifier: ISC */
/*
 * tests/unit_maildir.c: the Maildir model and its size cache, in a
 * scratch directory.  Every cache test asks one thing: can the cache
 * make a reported size, the order or the message set differ from what
 * a scan without it gives?  It may only save work.
 */
#define _GNU_SOURCE		/* mkdtemp, futimens with the rest */

#include "../maildir.h"
#include "../cache.h"
#include "../scan.h"
#include "../update.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../sizes.h"
#include "check.h"

static const char	*check_prog = "unit_cache";
static char		 top[PATH_MAX];
static char		 dir[256];

static void	test_scan(void);
static void	test_cache_again(void);
static void	test_cache_changes(void);
static void	test_cache_renamed(void);
static void	test_cache_replaced(void);
static void	test_cache_damaged(void);
static void	test_cache_not_ours(void);
static void	test_cache_forged(void);
static void	test_cache_order(void);
static void	test_cache_max(void);
static void	test_sent(void);
static void	test_sweep(void);
static void	test_two_writers(void);
static void	test_unlock(void);

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
	(void)snprintf(dir, sizeof(dir), "%s/unit_maildir.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL || chdir(dir) == -1 ||
	    mkdir("Maildir", 0700) == -1 || mkdir("Maildir/new", 0700) == -1 ||
	    mkdir("Maildir/cur", 0700) == -1 || mkdir("Maildir/tmp", 0700) == -1 ||
	    chdir(top) == -1) {
		perror("fresh");
		exit(1);
	}
}

/* Writes a message (path under Maildir/) with the given mtime. */
static void
put(const char *path, const char *body, time_t mtime)
{
	char		p[512];
	struct timespec	ts[2];
	int		fd;

	(void)snprintf(p, sizeof(p), "%s/Maildir/%s", dir, path);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ts[0].tv_sec = ts[1].tv_sec = mtime;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	if (fd == -1 || write(fd, body, strlen(body)) != (ssize_t)strlen(body) ||
	    futimens(fd, ts) == -1 || close(fd) == -1) {
		perror(p);
		exit(1);
	}
}

static int
mdopen(struct maildir *md, size_t max)
{
	char	p[512];

	maildir_init(md, max);
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

/* One session that ends with QUIT and nothing marked. */
static void
session(size_t max)
{
	struct maildir		md;
	struct commit_result	res;

	CHECK(mdopen(&md, max) == 0);
	CHECK(maildir_commit(&md, &res) == 0);
	CHECK(maildir_save(&md) == 0);
	mdclose(&md);
}

/* "name size" of every message, in order, for comparing scans. */
static void
listing(struct maildir *md, char *buf, size_t size)
{
	size_t	i, o = 0;
	int	n;

	buf[0] = '\0';
	for (i = 0; i < md->count && o < size; i++) {
		n = snprintf(buf + o, size - o, "%s %llu\n",
		    maildir_name(md, i),
		    (unsigned long long)maildir_msg(md, i)->size);
		if (n < 0)
			break;
		o += (size_t)n;
	}
}

/* What a scan with no cache at all says. */
static void
truth(char *buf, size_t size)
{
	struct maildir	md;
	char		p[512], q[512];

	(void)snprintf(p, sizeof(p), "%s/Maildir/" SIZES_FILE, dir);
	(void)snprintf(q, sizeof(q), "%s/Maildir/saved", dir);
	(void)rename(p, q);
	CHECK(mdopen(&md, 100) == 0);
	CHECK(md.hits == 0);
	listing(&md, buf, size);
	mdclose(&md);
	(void)rename(q, p);
}

/* Scans with the cache; the listing must be the truth. */
static size_t
agree(void)
{
	struct maildir	md;
	char		want[4096], got[4096];
	size_t		hits;

	truth(want, sizeof(want));
	CHECK(mdopen(&md, 100) == 0);
	listing(&md, got, sizeof(got));
	hits = md.hits;
	if (strcmp(want, got) != 0)
		fprintf(stderr, "want:\n%sgot:\n%s", want, got);
	CHECK(strcmp(want, got) == 0);
	mdclose(&md);
	return hits;
}

static void
test_scan(void)
{
	struct maildir	md;
	char		p[512];

	fresh();
	put("new/1000000003.a.test", "Subject: c\n\nthree\n", 30);
	put("cur/1000000001.b.test:2,S", "Subject: a\r\n\r\none\r\n", 10);
	put("cur/1000000002.c.test,W=77:2,", "x\n", 20);
	put("cur/1000000004.d.test:2,", "no newline", 20);
	put("cur/.hidden", "x\n", 5);
	put("tmp/1000000009.e.test", "x\n", 5);
	(void)snprintf(p, sizeof(p), "%s/Maildir/cur/fifo", dir);
	CHECK(mkfifo(p, 0600) == 0);
	(void)snprintf(p, sizeof(p), "%s/Maildir/cur/link", dir);
	CHECK(symlink("1000000001.b.test:2,S", p) == 0);
	CHECK(mdopen(&md, 100) == 0);
	CHECK(md.count == 4);
	CHECK(md.hits == 0 && md.dirty);
	CHECK(md.count == 4 &&
	    strcmp(maildir_name(&md, 0), "1000000001.b.test:2,S") == 0 &&
	    maildir_msg(&md, 0)->size == 19);
	/* Equal mtimes: by name. */
	CHECK(md.count == 4 &&
	    strcmp(maildir_name(&md, 1), "1000000002.c.test,W=77:2,") == 0 &&
	    maildir_msg(&md, 1)->size == 77);
	CHECK(md.count == 4 && maildir_msg(&md, 2)->size == 12);
	CHECK(md.count == 4 && maildir_msg(&md, 3)->size == 21 &&
	    (maildir_msg(&md, 3)->flags & MSG_NEW));
	CHECK(md.total == 19 + 77 + 12 + 21);
	mdclose(&md);
}

/* Written at the end of a session, used whole by the next one. */
static void
test_cache_again(void)
{
	struct maildir	md;
	char		p[512];
	struct stat	st;

	fresh();
	put("cur/1000000001.a.test:2,S", "Subject: a\n\none\n", 10);
	put("cur/1000000002.b.test:2,", "Subject: b\r\n\r\n.two\r\n", 20);
	put("new/1000000003.c.test", "Subject: c\n\nthree\n", 30);
	session(100);
	(void)snprintf(p, sizeof(p), "%s/Maildir/" SIZES_FILE, dir);
	CHECK(stat(p, &st) == 0 && (st.st_mode & 077) == 0);
	/* The new/ message moved at QUIT; the cache knows it by inode. */
	CHECK(agree() == 3);
	CHECK(mdopen(&md, 100) == 0);
	CHECK(md.hits == 3 && !md.dirty);
	mdclose(&md);
}

/* Mail added and removed by others between sessions. */
static void
test_cache_changes(void)
{
	char	p[512];

	fresh();
	put("cur/1000000001.a.test:2,S", "Subject: a\n\none\n", 10);
	put("cur/1000000002.b.test:2,S", "Subject: b\n\ntwo\n", 20);
	put("cur/1000000003.c.test:2,S", "Subject: c\n\nthree\n", 30);
	session(100);
	(void)snprintf(p, sizeof(p), "%s/Maildir/cur/1000000002.b.test:2,S",
	    dir);
	CHECK(unlink(p) == 0);
	put("new/1000000004.d.test", "Subject: d\n\nfour, new\n", 40);
	/* Older than everything cached: the order needs the full sort. */
	put("new/0999999999.e.test", "Subject: e\n\nrestored\n", 5);
	CHECK(agree() == 2);
	session(100);
	CHECK(agree() == 4);
}

/* Another client set a flag: same inode, new name; still a hit. */
static void
test_cache_renamed(void)
{
	char	a[512], b[512];

	fresh();
	put("cur/1000000001.a.test:2,", "Subject: a\n\none\n", 10);
	put("cur/1000000002.b.test:2,", "Subject: b\n\ntwo\n", 20);
	session(100);
	(void)snprintf(a, sizeof(a), "%s/Maildir/cur/1000000001.a.test:2,",
	    dir);
	(void)snprintf(b, sizeof(b), "%s/Maildir/cur/1000000001.a.test:2,RS",
	    dir);
	CHECK(rename(a, b) == 0);
	CHECK(agree() == 2);
}

/* A message rewritten as a new file under its old name: a miss. */
static void
test_cache_replaced(void)
{
	char	a[512], b[512];

	fresh();
	put("cur/1000000001.a.test:2,", "Subject: a\n\none\n", 10);
	session(100);
	put("tmp/x", "Subject: a\n\nnow longer than before\n", 10);
	(void)snprintf(a, sizeof(a), "%s/Maildir/tmp/x", dir);
	(void)snprintf(b, sizeof(b), "%s/Maildir/cur/1000000001.a.test:2,",
	    dir);
	CHECK(rename(a, b) == 0);
	CHECK(agree() == 0);
}

/* Writes the cache file's bytes, after the test changed them. */
static void
rewrite(const char *bytes, size_t n, mode_t mode)
{
	char	p[512];
	int	fd;

	(void)snprintf(p, sizeof(p), "%s/Maildir/" SIZES_FILE, dir);
	(void)unlink(p);
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL, mode);
	if (fd == -1 || write(fd, bytes, n) != (ssize_t)n || close(fd) == -1)
		perror(p);
	(void)chmod(p, mode);
}

static size_t
slurp(char *buf, size_t size)
{
	char	p[512];
	ssize_t	n;
	int	fd;

	(void)snprintf(p, sizeof(p), "%s/Maildir/" SIZES_FILE, dir);
	if ((fd = open(p, O_RDONLY)) == -1)
		return 0;
	n = read(fd, buf, size);
	(void)close(fd);
	return n > 0 ? (size_t)n : 0;
}

/* Truncated, flipped, garbage, empty: ignored whole, never a crash. */
static void
test_cache_damaged(void)
{
	char	good[4096], bad[4096];
	size_t	n, i;

	fresh();
	put("cur/1000000001.a.test:2,", "Subject: a\n\none\n", 10);
	put("cur/1000000002.b.test:2,", "Subject: b\n\ntwo two\n", 20);
	session(100);
	CHECK((n = slurp(good, sizeof(good))) > SIZES_HEADER);
	CHECK(agree() == 2);
	/* Every truncation. */
	for (i = 0; i < n; i++) {
		rewrite(good, i, 0600);
		CHECK(agree() == 0);
	}
	/* Every single flipped bit in the records and names. */
	for (i = SIZES_HEADER; i < n * 8 && i / 8 < n; i++) {
		memcpy(bad, good, n);
		bad[i / 8] ^= (char)(1 << (i % 8));
		rewrite(bad, n, 0600);
		CHECK(agree() == 0);
	}
	/* Something appended. */
	memcpy(bad, good, n);
	bad[n] = 'x';
	rewrite(bad, n + 1, 0600);
	CHECK(agree() == 0);
	/* Garbage of every length up to a few records. */
	for (i = 0; i < 200; i++) {
		memset(bad, (int)(i * 37 + 1), sizeof(bad));
		memcpy(bad, "pop3dsz2", 8);
		rewrite(bad, i, 0600);
		CHECK(agree() == 0);
	}
	/* Still usable afterwards: the next session writes a good one. */
	session(100);
	CHECK(agree() == 2);
}

/* Writable by others, a symlink, a hard link, someone else's. */
static void
test_cache_not_ours(void)
{
	char	good[4096], p[512], q[512];
	size_t	n;

	fresh();
	put("cur/1000000001.a.test:2,", "Subject: a\n\none\n", 10);
	session(100);
	CHECK((n = slurp(good, sizeof(good))) > 0);
	rewrite(good, n, 0622);
	CHECK(agree() == 0);
	rewrite(good, n, 0600);
	CHECK(agree() == 1);
	(void)snprintf(p, sizeof(p), "%s/Maildir/" SIZES_FILE, dir);
	(void)snprintf(q, sizeof(q), "%s/Maildir/elsewhere", dir);
	CHECK(rename(p, q) == 0 && symlink("elsewhere", p) == 0);
	CHECK(agree() == 0);
	CHECK(unlink(p) == 0 && link(q, p) == 0);
	CHECK(agree() == 0);
	CHECK(unlink(q) == 0);
	CHECK(agree() == 1);
	if (geteuid() == 0) {
		/* Root runs the tests: give the file to somebody else. */
		CHECK(chown(p, 12345, 12345) == 0);
		CHECK(agree() == 0);
	}
}

/* Writes a cache with the module's own writer, from a table. */
static void
forge(const struct sizes_rec *recs, const char *const *names, size_t n)
{
	static struct sizes	z;
	char			p[512];
	size_t			i;
	int			fd;

	(void)snprintf(p, sizeof(p), "%s/Maildir", dir);
	CHECK((fd = open(p, O_RDONLY | O_DIRECTORY)) != -1);
	CHECK(sizes_create(&z, fd) == 0);
	for (i = 0; i < n; i++)
		CHECK(sizes_write(&z, &recs[i]) == 0);
	for (i = 0; i < n; i++)
		CHECK(sizes_write_name(&z, names[i], strlen(names[i])) == 0);
	CHECK(sizes_commit(&z, fd) == 0);
	(void)close(fd);
}

/*
 * A well-formed cache that lies.  About a file it does not know the
 * inode of: ignored.  With duplicate ranks: ignored.  With the right
 * inode but a false size: the size is trusted (as ",W=" would be)
 * until RETR sends the message and counts; see test_sent.
 */
static void
test_cache_forged(void)
{
	static const char *const	names[] = { "1000000001.a.test:2," };
	static const char *const	two[] = { "1000000001.a.test:2,",
					    "1000000001.a.test:2," };
	struct sizes_rec		r[2];
	struct maildir			md;
	struct stat			st;
	char				p[512];

	fresh();
	put("cur/1000000001.a.test:2,", "Subject: a\n\none\n", 10);
	(void)snprintf(p, sizeof(p), "%s/Maildir/cur/%s", dir, names[0]);
	CHECK(stat(p, &st) == 0);
	memset(r, 0, sizeof(r));
	r[0].size = 999;
	r[0].mtime = 10;
	r[0].ino = (uint64_t)st.st_ino + 1;
	forge(r, names, 1);
	CHECK(agree() == 0);
	r[1] = r[0];
	r[0].ino = r[1].ino = (uint64_t)st.st_ino;
	forge(r, two, 2);
	CHECK(agree() == 0);
	forge(r, names, 1);
	CHECK(mdopen(&md, 100) == 0);
	CHECK(md.hits == 1 && md.count == 1 &&
	    maildir_msg(&md, 0)->size == 999);
	mdclose(&md);
}

/* Ranks out of order (forged or not) still give sorted messages. */
static void
test_cache_order(void)
{
	static const char *const	names[] = { "1000000001.a.test:2,",
					    "1000000002.b.test:2," };
	struct sizes_rec		r[2];
	struct stat			st;
	char				p[512];
	size_t				i;

	fresh();
	put("cur/1000000001.a.test:2,", "Subject: a\n\none\n", 10);
	put("cur/1000000002.b.test:2,", "Subject: b\n\ntwo two\n", 20);
	memset(r, 0, sizeof(r));
	for (i = 0; i < 2; i++) {
		(void)snprintf(p, sizeof(p), "%s/Maildir/cur/%s", dir,
		    names[i]);
		CHECK(stat(p, &st) == 0);
		r[i].ino = (uint64_t)st.st_ino;
		r[i].mtime = (int64_t)st.st_mtime;
		r[i].size = i == 0 ? 19 : 23;
		r[i].rank = (uint32_t)(1 - i);		/* backwards */
	}
	forge(r, names, 2);
	CHECK(agree() == 2);
}

/* -M counts messages on disk, whatever the cache holds. */
static void
test_cache_max(void)
{
	struct maildir	md;

	fresh();
	put("cur/1000000001.a.test:2,", "Subject: a\n\none\n", 10);
	put("cur/1000000002.b.test:2,", "Subject: b\n\ntwo\n", 20);
	put("cur/1000000003.c.test:2,", "Subject: c\n\nthree\n", 30);
	session(100);
	CHECK(mdopen(&md, 2) == -1 && errno == EFBIG);
	mdclose(&md);
	CHECK(mdopen(&md, 3) == 0 && md.count == 3);
	mdclose(&md);
}

/* RETR counted another size: not cached again; the truth comes back. */
static void
test_sent(void)
{
	static const char *const	names[] = { "1000000001.a.test:2," };
	struct commit_result		res;
	struct sizes_rec		r;
	struct maildir			md;
	struct stat			st;
	char				p[512];

	fresh();
	put("cur/1000000001.a.test:2,", "Subject: a\n\none\n", 10);
	(void)snprintf(p, sizeof(p), "%s/Maildir/cur/%s", dir, names[0]);
	CHECK(stat(p, &st) == 0);
	memset(&r, 0, sizeof(r));
	r.size = 999;
	r.mtime = 10;
	r.ino = (uint64_t)st.st_ino;
	forge(&r, names, 1);
	CHECK(mdopen(&md, 100) == 0);
	CHECK(md.count == 1 && maildir_sent(&md, 0, 19) == false);
	CHECK(maildir_commit(&md, &res) == 0 && maildir_save(&md) == 0);
	mdclose(&md);
	CHECK(agree() == 0);
	CHECK(mdopen(&md, 100) == 0);
	CHECK(md.count == 1 && maildir_msg(&md, 0)->size == 19);
	CHECK(maildir_sent(&md, 0, 19));
	mdclose(&md);
}

/* Writers killed mid-write: their files go after SIZES_TMP_STALE. */
static void
test_sweep(void)
{
	const time_t	 now = 2000000000;
	char		 p[512];
	struct stat	 st;
	int		 dfd;

	fresh();
	put("../Maildir/pop3d.sizes.tmp.101", "old", now - SIZES_TMP_STALE - 1);
	put("../Maildir/pop3d.sizes.tmp.102", "busy", now - SIZES_TMP_STALE + 1);
	put("../Maildir/pop3d.sizes.tmpx", "not ours", 1);
	put("cur/pop3d.sizes.tmp.103", "a message", 1);
	(void)snprintf(p, sizeof(p), "%s/Maildir", dir);
	dfd = open(p, O_RDONLY | O_DIRECTORY);
	CHECK(dfd != -1);
	CHECK(sizes_sweep(dfd, now) == 1);
	CHECK(fstatat(dfd, "pop3d.sizes.tmp.101", &st, 0) == -1 &&
	    errno == ENOENT);
	CHECK(fstatat(dfd, "pop3d.sizes.tmp.102", &st, 0) == 0);
	CHECK(fstatat(dfd, "pop3d.sizes.tmpx", &st, 0) == 0);
	CHECK(fstatat(dfd, "cur/pop3d.sizes.tmp.103", &st, 0) == 0);
	/* An hour later the busy one is a leftover too. */
	CHECK(sizes_sweep(dfd, now + SIZES_TMP_STALE) == 1);
	CHECK(fstatat(dfd, "pop3d.sizes.tmp.102", &st, 0) == -1);
	(void)close(dfd);
}

/*
 * Two writers at once (QUIT writes the cache after the lock is gone):
 * separate temporary files, and the cache ends up whole either way.
 */
static void
test_two_writers(void)
{
	static struct sizes	 a, b;
	static struct sizes	 z;
	struct sizes_rec	 r;
	char			 p[512];
	int			 dfd;

	fresh();
	(void)snprintf(p, sizeof(p), "%s/Maildir", dir);
	dfd = open(p, O_RDONLY | O_DIRECTORY);
	CHECK(dfd != -1);
	CHECK(sizes_create(&a, dfd) == 0);
	/* The other one: another process id, as another session has. */
	memset(&r, 0, sizeof(r));
	CHECK(sizes_write(&a, &r) == 0);
	CHECK(a.tmp[0] != '\0');
	(void)snprintf(b.tmp, sizeof(b.tmp), "%s.1", SIZES_TMP);
	b.fd = openat(dfd, b.tmp, O_WRONLY | O_CREAT | O_EXCL, 0600);
	CHECK(b.fd != -1 && strcmp(a.tmp, b.tmp) != 0);
	b.done = b.names = 0;
	b.nbytes = 0;
	b.wlen = 0;
	b.sum = 0;
	b.start = 0;
	memset(b.buf, 0, SIZES_HEADER);
	b.end = SIZES_HEADER;
	r.size = 7;
	r.ino = 2;
	CHECK(sizes_write(&b, &r) == 0 && sizes_write_name(&b, "b", 1) == 0);
	CHECK(sizes_write_name(&a, "a", 1) == 0);
	CHECK(sizes_commit(&b, dfd) == 0);
	CHECK(sizes_commit(&a, dfd) == 0);
	/* The last rename won, and it is whole. */
	CHECK(sizes_open(&z, dfd, 10) == 0 && z.count == 1);
	CHECK(sizes_read(&z, &r) == 0 && r.size == 0);
	sizes_close(&z, -1);
	CHECK(faccessat(dfd, a.tmp, F_OK, 0) == -1 &&
	    faccessat(dfd, b.tmp, F_OK, 0) == -1);
	(void)close(dfd);
}

/*
 * QUIT gives the lock up before its reply (update.h): another session
 * gets in at once, and the first can still write its cache.
 */
static void
test_unlock(void)
{
	struct maildir		a, b;
	struct commit_result	res;
	char			p[512];

	fresh();
	put("new/1.M1.h", "Subject: a\n\na\n", 1000);
	(void)snprintf(p, sizeof(p), "%s/Maildir", dir);
	CHECK(mdopen(&a, 10) == 0);
	maildir_init(&b, 10);
	CHECK(maildir_enter(&b, p) == -1 && errno == EWOULDBLOCK);
	maildir_close(&b);
	CHECK(maildir_commit(&a, &res) == 0 && res.moved == 1);
	CHECK(maildir_unlock(&a) == 0);
	maildir_init(&b, 10);
	CHECK(maildir_enter(&b, p) == 0);
	CHECK(maildir_save(&a) == 0);
	maildir_close(&b);
	mdclose(&a);
	/* The cache a wrote is whole and used. */
	CHECK(mdopen(&a, 10) == 0 && a.count == 1 && a.hits == 1);
	mdclose(&a);
}

int
main(void)
{
	char	cmd[300];

	if (getcwd(top, sizeof(top)) == NULL)
		return 1;
	RUN(test_scan);
	RUN(test_cache_again);
	RUN(test_cache_changes);
	RUN(test_cache_renamed);
	RUN(test_cache_replaced);
	RUN(test_cache_damaged);
	RUN(test_cache_not_ours);
	RUN(test_cache_forged);
	RUN(test_cache_order);
	RUN(test_cache_max);
	RUN(test_sent);
	RUN(test_sweep);
	RUN(test_two_writers);
	RUN(test_unlock);
	if (dir[0] != '\0') {
		(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			return 1;
	}
	return check_exit();
}
