/* SPDX-License-Identifier: ISC */
/*
 * tests/unit_maildir.c: maildir.c on real Maildirs built in a fresh
 * temporary directory: what the scan lists and ignores, its order and
 * exact sizes, the message cap, the lock, UIDLs, opening messages
 * that changed under us, and the UPDATE state's renames and unlinks,
 * including the ones that fail.  maildir_enter() chdir()s, so every
 * case starts from the saved working directory.  No root needed.
 */
#define _GNU_SOURCE		/* nftw, mkdtemp, utimensat */

#include "../maildir.h"
#include "../cache.h"
#include "../scan.h"
#include "../update.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <md5.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static const char	*check_prog = "unit_maildir";

/* Where maildir_open() reports the length on disk. */
static uint64_t	bytes;

#define S(s)	s, sizeof(s) - 1	/* a literal and its length */
#define NOTFOUND ((size_t)-1)

static void	test_empty(void);
static void	test_scan(void);
static void	test_ignored(void);
static void	test_order(void);
static void	test_order_many(void);
static void	test_wsize(void);
static void	test_wsize_repeated(void);
static void	test_sizes(void);
static void	test_sizes_chunks(void);
static void	test_max(void);
static void	test_lock(void);
static void	test_missing(void);
static void	test_uidl(void);
static void	test_open(void);
static void	test_commit(void);
static void	test_commit_noreplace(void);
static void	test_commit_vanished(void);
static void	test_commit_unlink_fails(void);
static void	test_commit_readonly(void);
static void	test_commit_longname(void);
static void	test_unreadable(void);
static void	test_wsize_absurd(void);
static void	test_twins(void);
static void	test_commit_renamed(void);
static void	test_lock_fcntl(void);

static void	pathf(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static const char *maildir(const char *);
static int	put(const char *, const char *, const char *, size_t, time_t);
static int	enter(struct maildir *, const char *, size_t);
static size_t	find(const struct maildir *, const char *);
static int	mark(struct maildir *, const char *, uint8_t);
static bool	has(const char *, const char *, const char *, size_t);
static bool	listing(const char *, const char *, const char *const *,
		    size_t);
static int	cmp_str(const void *, const void *);
static void	home(void);
static int	rm_one(const char *, const struct stat *, int, struct FTW *);
static int	unlock_one(const char *, const struct stat *, int,
		    struct FTW *);

static char	root[PATH_MAX];		/* the temporary directory */
static char	mdpath[PATH_MAX];
static int	homefd = -1;		/* the working directory to return to */

/* snprintf that refuses to truncate: a cut path tests the wrong file. */
static void
pathf(char *buf, size_t size, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size) {
		fprintf(stderr, "path too long\n");
		abort();
	}
}

/* Back to where we started: maildir_enter() moved us. */
static void
home(void)
{
	if (fchdir(homefd) == -1) {
		perror("fchdir");
		abort();
	}
}

/* Makes root/name with new/, cur/ and tmp/; returns its path. */
static const char *
maildir(const char *name)
{
	static const char *const sub[] = { "", "/new", "/cur", "/tmp" };
	char	p[PATH_MAX];
	size_t	i;

	for (i = 0; i < nitems(sub); i++) {
		pathf(p, sizeof(p), "%s/%s%s", root, name, sub[i]);
		if (mkdir(p, 0700) == -1 && errno != EEXIST) {
			perror(p);
			abort();
		}
	}
	pathf(mdpath, sizeof(mdpath), "%s/%s", root, name);
	return mdpath;
}

/* Writes md/rel with n bytes of data and mtime t (0: leave it). */
static int
put(const char *md, const char *rel, const char *data, size_t n, time_t t)
{
	char		p[PATH_MAX];
	struct timespec	ts[2];
	int		fd;

	pathf(p, sizeof(p), "%s/%s", md, rel);
	if ((fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
		return -1;
	if (n > 0 && write(fd, data, n) != (ssize_t)n) {
		(void)close(fd);
		return -1;
	}
	if (close(fd) == -1)
		return -1;
	if (t == 0)
		return 0;
	ts[0].tv_sec = ts[1].tv_sec = t;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	return utimensat(AT_FDCWD, p, ts, 0);
}

/* maildir_init, maildir_enter and maildir_scan from home; 0 or -1. */
static int
enter(struct maildir *md, const char *path, size_t max)
{
	home();
	maildir_init(md, max);
	if (maildir_enter(md, path) == -1)
		return -1;
	return maildir_scan(md);
}

static size_t
find(const struct maildir *md, const char *name)
{
	size_t	i;

	for (i = 0; i < md->count; i++)
		if (strcmp(maildir_name(md, i), name) == 0)
			return i;
	return NOTFOUND;
}

static int
mark(struct maildir *md, const char *name, uint8_t flag)
{
	size_t	i = find(md, name);

	if (i == NOTFOUND) {
		fprintf(stderr, "no message %s\n", name);
		return -1;
	}
	maildir_msg(md, i)->flags |= flag;
	return 0;
}

/* True if md/rel holds exactly these n bytes. */
static bool
has(const char *md, const char *rel, const char *data, size_t n)
{
	char	p[PATH_MAX], buf[4096];
	ssize_t	r;
	size_t	got = 0;
	int	fd;

	pathf(p, sizeof(p), "%s/%s", md, rel);
	if ((fd = open(p, O_RDONLY)) == -1) {
		fprintf(stderr, "missing: %s\n", p);
		return false;
	}
	while ((r = read(fd, buf + got, sizeof(buf) - got)) > 0)
		got += (size_t)r;
	(void)close(fd);
	return got == n && memcmp(buf, data, n) == 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* True if md/dir holds exactly the n names in want (any order). */
static bool
listing(const char *md, const char *dir, const char *const *want,
    size_t n)
{
	char		 p[PATH_MAX], *got[64];
	const char	*sorted[64];
	struct dirent	*de;
	DIR		*d;
	size_t		 ng = 0, i;
	bool		 ok;

	pathf(p, sizeof(p), "%s/%s", md, dir);
	if ((d = opendir(p)) == NULL || n > nitems(sorted))
		return false;
	while ((de = readdir(d)) != NULL && ng < nitems(got))
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			got[ng++] = strdup(de->d_name);
	(void)closedir(d);
	if (n > 0)
		memcpy(sorted, want, n * sizeof(*want));
	qsort(got, ng, sizeof(*got), cmp_str);
	qsort(sorted, n, sizeof(*sorted), cmp_str);
	ok = ng == n;
	for (i = 0; ok && i < n; i++)
		ok = got[i] != NULL && strcmp(got[i], sorted[i]) == 0;
	if (!ok) {
		fprintf(stderr, "%s holds:", p);
		for (i = 0; i < ng; i++)
			fprintf(stderr, " [%s]", got[i]);
		fprintf(stderr, "\n");
	}
	for (i = 0; i < ng; i++)
		free(got[i]);
	return ok;
}

static void
test_empty(void)
{
	struct maildir		md;
	struct commit_result	res;
	const char		*p = maildir("empty");

	CHECK(enter(&md, p, POP3_MSGS_MAX) == 0);
	CHECK(md.count == 0 && md.total == 0 && md.skipped == 0);
	CHECK(maildir_open(&md, 0, &bytes) == -1 && errno == EINVAL);
	CHECK(maildir_commit(&md, &res) == 0);
	CHECK(res.deleted == 0 && res.undeleted == 0 && res.moved == 0 &&
	    res.unmoved == 0 && res.error == 0);
	maildir_close(&md);
	/* Closing twice is harmless: close re-initialises. */
	maildir_close(&md);
	home();
}

/* new/ and cur/ both count; only new/ ones carry MSG_NEW. */
static void
test_scan(void)
{
	struct maildir	 md;
	const char	*p = maildir("scan");
	size_t		 i;

	CHECK(put(p, "new/1000.a.host", S("A\n"), 1000) == 0);
	CHECK(put(p, "cur/2000.b.host:2,S", S("BB\r\n"), 2000) == 0);
	CHECK(put(p, "new/3000.c.host", S("CCC"), 3000) == 0);
	CHECK(enter(&md, p, POP3_MSGS_MAX) == 0);
	CHECK(md.count == 3);
	if (md.count == 3) {
		CHECK(strcmp(maildir_name(&md, 0), "1000.a.host") == 0);
		CHECK(strcmp(maildir_name(&md, 1), "2000.b.host:2,S") == 0);
		CHECK(strcmp(maildir_name(&md, 2), "3000.c.host") == 0);
		CHECK(maildir_msg(&md, 0)->flags == MSG_NEW && maildir_msg(&md, 0)->size == 3);
		CHECK(maildir_msg(&md, 1)->flags == 0 && maildir_msg(&md, 1)->size == 4);
		CHECK(maildir_msg(&md, 2)->flags == MSG_NEW && maildir_msg(&md, 2)->size == 5);
		CHECK(maildir_msg(&md, 0)->mtime == 1000 && maildir_msg(&md, 2)->mtime == 3000);
		CHECK(md.total == 12);
	}
	for (i = 0; i < md.count; i++)
		CHECK((maildir_msg(&md, i)->flags & (MSG_DELE | MSG_SEEN)) == 0);
	maildir_close(&md);
	home();
}

/* Dot files, directories, FIFOs, symlinks and tmp/ are not mail. */
static void
test_ignored(void)
{
	struct maildir	 md;
	const char	*p = maildir("ignored");
	char		 q[PATH_MAX];

	CHECK(put(p, "cur/1.real:2,", S("x\n"), 100) == 0);
	CHECK(put(p, "new/2.real", S("y\n"), 200) == 0);
	CHECK(put(p, "new/.hidden", S("h\n"), 0) == 0);
	CHECK(put(p, "cur/.3.dot:2,", S("h\n"), 0) == 0);
	CHECK(put(p, "tmp/4.tmp", S("t\n"), 0) == 0);
	pathf(q, sizeof(q), "%s/cur/5.subdir", p);
	CHECK(mkdir(q, 0700) == 0);
	pathf(q, sizeof(q), "%s/cur/6.fifo:2,", p);
	CHECK(mkfifo(q, 0600) == 0);
	pathf(q, sizeof(q), "%s/new/7.link", p);
	CHECK(symlink("../cur/1.real:2,", q) == 0);
	pathf(q, sizeof(q), "%s/cur/8.dangling:2,", p);
	CHECK(symlink("/nonexistent/file", q) == 0);
	pathf(q, sizeof(q), "%s/cur/9.passwd:2,", p);
	CHECK(symlink("/etc/passwd", q) == 0);
	pathf(q, sizeof(q), "%s/notnewcur", p);
	CHECK(mkdir(q, 0700) == 0);
	CHECK(put(p, "notnewcur/10.other", S("o\n"), 0) == 0);
	CHECK(put(p, "11.toplevel", S("o\n"), 0) == 0);

	CHECK(enter(&md, p, POP3_MSGS_MAX) == 0);
	CHECK(md.count == 2 && md.skipped == 0);
	if (md.count == 2) {
		CHECK(strcmp(maildir_name(&md, 0), "1.real:2,") == 0);
		CHECK(strcmp(maildir_name(&md, 1), "2.real") == 0);
	}
	maildir_close(&md);
	home();
}

/* Oldest first by mtime; equal mtimes by name (strcmp order). */
static void
test_order(void)
{
	static const char *const want[] = {
		"0500.x:2,", "1000.a", "1000.b:2,S", "1000.c", "2000.a",
		"9999.z",
	};
	struct maildir	 md;
	const char	*p = maildir("order");
	size_t		 i;

	CHECK(put(p, "new/2000.a", S("1\n"), 2000) == 0);
	CHECK(put(p, "new/1000.c", S("1\n"), 1000) == 0);
	CHECK(put(p, "cur/1000.b:2,S", S("1\n"), 1000) == 0);
	CHECK(put(p, "new/1000.a", S("1\n"), 1000) == 0);
	CHECK(put(p, "cur/0500.x:2,", S("1\n"), 500) == 0);
	/* The name does not decide: mtime first. */
	CHECK(put(p, "cur/9999.z", S("1\n"), 3000) == 0);
	CHECK(enter(&md, p, POP3_MSGS_MAX) == 0);
	CHECK(md.count == nitems(want));
	for (i = 0; i < md.count && i < nitems(want); i++) {
		if (strcmp(maildir_name(&md, i), want[i]) != 0)
			fprintf(stderr, "order %zu: %s\n", i,
			    maildir_name(&md, i));
		CHECK(strcmp(maildir_name(&md, i), want[i]) == 0);
	}
	maildir_close(&md);
	home();
}

/* Enough messages to exercise the heap sort; few distinct mtimes. */
static void
test_order_many(void)
{
	struct maildir	 md;
	const char	*p = maildir("many");
	char		 name[64];
	uint32_t	 x = 12345;
	size_t		 i;

	for (i = 0; i < 300; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		pathf(name, sizeof(name), "%s/%u.m%zu",
		    i % 3 == 0 ? "new" : "cur", x % 1000, i);
		CHECK(put(p, name, S("m\n"), (time_t)(1000000 + x % 17)) ==
		    0);
	}
	CHECK(enter(&md, p, POP3_MSGS_MAX) == 0);
	CHECK(md.count == 300);
	CHECK(md.total == 300 * 3);
	for (i = 1; i < md.count; i++) {
		CHECK(maildir_msg(&md, i - 1)->mtime <= maildir_msg(&md, i)->mtime);
		if (maildir_msg(&md, i - 1)->mtime == maildir_msg(&md, i)->mtime)
			CHECK(strcmp(maildir_name(&md, i - 1),
			    maildir_name(&md, i)) < 0);
	}
	maildir_close(&md);
	home();
}

/* ",W=N" before any ':' is trusted; anything malformed is not. */
static void
test_wsize(void)
{
	static const struct {
		const char	*name;
		uint64_t	 size;
	} cases[] = {
		{ "new/01.x,W=123",			123 },
		{ "cur/02.x,W=123:2,S",			123 },
		{ "cur/03.x,S=10,W=20:2,S",		20 },
		{ "cur/04.x,W=20,S=10:2,",		20 },
		{ "new/05.x,W=0",			0 },
		/* Above POP3_SIZE_MAX: not believed, computed. */
		{ "new/06.x,W=999999999999999999",	7 },
		{ "new/17.x,W=1099511627776",		1099511627776ULL },
		{ "new/18.x,W=1099511627777",		7 },
		/* Malformed: the size is computed (7 octets). */
		{ "new/07.x,W=",			7 },
		{ "cur/08.x,W=:2,",			7 },
		{ "cur/09.x,W=12a:2,",			7 },
		{ "new/10.x,W=-1",			7 },
		{ "new/11.x,W=+1",			7 },
		{ "new/12.x,W= 1",			7 },
		{ "new/13.x,W=1234567890123456789",	7 },	/* 19 digits */
		{ "cur/14.x:2,W=5",			7 },	/* after ':' */
		{ "new/15.x,w=5",			7 },
		{ "new/16.xW=5",			7 },
	};
	struct maildir	 md;
	const char	*p = maildir("wsize");
	uint64_t	 total = 0;
	size_t		 i, k;

	for (i = 0; i < nitems(cases); i++) {
		/* "ab\ncd\n" is 8 octets with CRLF, "abcde\n" is 7. */
		CHECK(put(p, cases[i].name, S("abcde\n"), (time_t)(1000 + i)) ==
		    0);
		total += cases[i].size;
	}
	CHECK(enter(&md, p, POP3_MSGS_MAX) == 0);
	CHECK(md.count == nitems(cases));
	for (i = 0; i < nitems(cases); i++) {
		k = find(&md, cases[i].name + 4);
		CHECK(k != NOTFOUND);
		if (k == NOTFOUND)
			continue;
		if (maildir_msg(&md, k)->size != cases[i].size)
			fprintf(stderr, "%s: size %llu\n", cases[i].name,
			    (unsigned long long)maildir_msg(&md, k)->size);
		CHECK(maildir_msg(&md, k)->size == cases[i].size);
	}
	CHECK(md.total == total);
	maildir_close(&md);
	home();
}

/*
 * A name with a malformed ",W=" followed by a good one: the good one
 * is "a ,W=N in the name" (DESIGN.md) and is trusted like any other.
 */
static void
test_wsize_repeated(void)
{
	static const struct {
		const char	*name;
		uint64_t	 size;
	} cases[] = {
		{ "new/1.x,W=,W=9",		9 },
		{ "new/2.x,W=1a,W=9",		9 },
		{ "cur/3.x,W=,W=9:2,",		9 },
		{ "new/4.x,W=abc,W=9",		9 },	/* far enough apart */
	};
	struct maildir	 md;
	const char	*p = maildir("wsize2");
	size_t		 i, k;

	for (i = 0; i < nitems(cases); i++)
		CHECK(put(p, cases[i].name, S("abcde\n"), (time_t)(1000 + i)) ==
		    0);
	CHECK(enter(&md, p, POP3_MSGS_MAX) == 0);
	CHECK(md.count == nitems(cases));
	for (i = 0; i < nitems(cases); i++) {
		k = find(&md, cases[i].name + 4);
		CHECK(k != NOTFOUND);
		if (k == NOTFOUND)
			continue;
		if (maildir_msg(&md, k)->size != cases[i].size)
			fprintf(stderr, "%s: size %llu, want %llu\n",
			    cases[i].name,
			    (unsigned long long)maildir_msg(&md, k)->size,
			    (unsigned long long)cases[i].size);
		CHECK(maildir_msg(&md, k)->size == cases[i].size);
	}
	maildir_close(&md);
	home();
}

/* Sizes are what RETR sends with CRLF, before stuffing, without ".". */
static void
test_sizes(void)
{
	static const struct {
		const char	*name;
		const char	*data;
		size_t		 len;
		uint64_t	 size;
	} cases[] = {
		{ "cur/1.lf:2,",	S("a\nb\n"),		6 },
		{ "cur/2.crlf:2,",	S("a\r\nb\r\n"),	6 },
		{ "cur/3.nofinal:2,",	S("a\nb"),		6 },
		{ "cur/4.empty:2,",	S(""),			0 },
		{ "cur/5.nul:2,",	S("a\0b\n"),		5 },
		{ "cur/6.dot:2,",	S(".\n..\n"),		7 },
		{ "cur/7.cr:2,",	S("a\r"),		4 },
		{ "cur/8.crcrlf:2,",	S("a\r\r\n"),		4 },
		{ "cur/9.mixed:2,",	S("H: v\r\n\nb\n"),	11 },
		{ "new/10.blank",	S("\n\n\n"),		6 },
	};
	struct maildir	 md;
	const char	*p = maildir("sizes");
	uint64_t	 total = 0;
	size_t		 i, k;

	for (i = 0; i < nitems(cases); i++) {
		CHECK(put(p, cases[i].name, cases[i].data, cases[i].len,
		    (time_t)(1000 + i)) == 0);
		total += cases[i].size;
	}
	CHECK(enter(&md, p, POP3_MSGS_MAX) == 0);
	CHECK(md.count == nitems(cases));
	for (i = 0; i < nitems(cases); i++) {
		k = find(&md, cases[i].name + 4);
		CHECK(k != NOTFOUND);
		if (k != NOTFOUND)
			CHECK(maildir_msg(&md, k)->size == cases[i].size);
	}
	CHECK(md.total == total);
	maildir_close(&md);
	home();
}

/* Files longer than one read: CR and LF on either side of a chunk. */
static void
test_sizes_chunks(void)
{
	static char	 buf[3 * POP3_CHUNK];
	struct maildir	 md;
	const char	*p = maildir("chunks");
	size_t		 k;

	/* CRLF split across the first read boundary: kept as is. */
	memset(buf, 'a', sizeof(buf));
	buf[POP3_CHUNK - 1] = '\r';
	buf[POP3_CHUNK] = '\n';
	buf[sizeof(buf) - 1] = '\n';
	CHECK(put(p, "cur/1.crlf:2,", buf, sizeof(buf), 1000) == 0);
	/* A bare LF first in the second read: one more octet. */
	buf[POP3_CHUNK - 1] = 'a';
	CHECK(put(p, "cur/2.lf:2,", buf, sizeof(buf), 1001) == 0);
	/* 3 * POP3_CHUNK / 2 lines "x\n". */
	for (k = 0; k < sizeof(buf); k += 2)
		memcpy(buf + k, "x\n", 2);
	CHECK(put(p, "cur/3.lines:2,", buf, sizeof(buf), 1002) == 0);
	CHECK(enter(&md, p, POP3_MSGS_MAX) == 0);
	CHECK(md.count == 3);
	if (md.count == 3) {
		CHECK(maildir_msg(&md, 0)->size == sizeof(buf) + 1);
		CHECK(maildir_msg(&md, 1)->size == sizeof(buf) + 2);
		CHECK(maildir_msg(&md, 2)->size == sizeof(buf) / 2 * 3);
	}
	maildir_close(&md);
	home();
}

/* md->max messages are fine; one more is EFBIG. */
static void
test_max(void)
{
	struct maildir	 md;
	const char	*p = maildir("max");

	CHECK(put(p, "new/1", S("1\n"), 1000) == 0);
	CHECK(put(p, "cur/2:2,", S("2\n"), 1001) == 0);
	CHECK(enter(&md, p, 2) == 0);
	CHECK(md.count == 2);
	maildir_close(&md);
	CHECK(put(p, "cur/3:2,", S("3\n"), 1002) == 0);
	errno = 0;
	CHECK(enter(&md, p, 2) == -1 && errno == EFBIG);
	maildir_close(&md);
	CHECK(enter(&md, p, 3) == 0);
	CHECK(md.count == 3);
	maildir_close(&md);
	errno = 0;
	CHECK(enter(&md, p, 1) == -1 && errno == EFBIG);
	maildir_close(&md);
	errno = 0;
	CHECK(enter(&md, p, 0) == -1 && errno == EFBIG);
	maildir_close(&md);
	/* Dot files and the like do not count towards the cap. */
	CHECK(put(p, "cur/.x", S("x\n"), 0) == 0);
	CHECK(put(p, "tmp/y", S("y\n"), 0) == 0);
	CHECK(enter(&md, p, 3) == 0);
	maildir_close(&md);
	CHECK(enter(&md, maildir("max0"), 0) == 0);
	CHECK(md.count == 0);
	maildir_close(&md);
	home();
}

/*
 * One session per Maildir: a second open file description in the
 * same process is refused with EWOULDBLOCK until the first closes.
 */
static void
test_lock(void)
{
	struct maildir	 a, b;
	const char	*p = maildir("lock");

	CHECK(put(p, "new/1", S("1\n"), 1000) == 0);
	CHECK(enter(&a, p, POP3_MSGS_MAX) == 0);
	home();
	maildir_init(&b, POP3_MSGS_MAX);
	errno = 0;
	CHECK(maildir_enter(&b, p) == -1 && errno == EWOULDBLOCK);
	maildir_close(&b);
	maildir_close(&a);
	home();
	CHECK(maildir_enter(&b, p) == 0);
	CHECK(maildir_scan(&b) == 0 && b.count == 1);
	/* And now the first is refused. */
	home();
	maildir_init(&a, POP3_MSGS_MAX);
	errno = 0;
	CHECK(maildir_enter(&a, p) == -1 && errno == EWOULDBLOCK);
	maildir_close(&a);
	maildir_close(&b);
	home();
}

static void
test_missing(void)
{
	struct maildir	 md;
	char		 q[PATH_MAX];
	const char	*p;

	pathf(q, sizeof(q), "%s/nonexistent", root);
	home();
	maildir_init(&md, POP3_MSGS_MAX);
	errno = 0;
	CHECK(maildir_enter(&md, q) == -1 && errno == ENOENT);
	maildir_close(&md);

	p = maildir("nonew");
	pathf(q, sizeof(q), "%s/new", p);
	CHECK(rmdir(q) == 0);
	home();
	errno = 0;
	CHECK(maildir_enter(&md, p) == -1 && errno == ENOENT);
	maildir_close(&md);

	p = maildir("nocur");
	pathf(q, sizeof(q), "%s/cur", p);
	CHECK(rmdir(q) == 0);
	home();
	errno = 0;
	CHECK(maildir_enter(&md, p) == -1 && errno == ENOENT);
	maildir_close(&md);

	/* A file where a directory should be. */
	p = maildir("curfile");
	pathf(q, sizeof(q), "%s/cur", p);
	CHECK(rmdir(q) == 0);
	CHECK(put(p, "cur", S("x"), 0) == 0);
	home();
	errno = 0;
	CHECK(maildir_enter(&md, p) == -1 && errno == ENOTDIR);
	maildir_close(&md);
	pathf(q, sizeof(q), "%s/cur/x", maildir("isfile"));
	CHECK(put(mdpath, "cur/x", S("x"), 0) == 0);
	home();
	errno = 0;
	CHECK(maildir_enter(&md, q) == -1 && errno == ENOTDIR);
	maildir_close(&md);
	home();
}

/* The name up to ':' if it is a valid unique-id, else its MD5. */
static void
test_uidl(void)
{
	char		 n70[80], n71[80], name[128], out[POP3_UIDL_MAX + 1];
	char		 want[64];
	const char	*p = maildir("uidl");
	struct maildir	 md;
	size_t		 i, k, n;
	static const struct {
		const char	*name;		/* in cur/ */
		const char	*plain;		/* NULL: the MD5 case */
		size_t		 hashlen;	/* bytes before ':' */
	} cases[] = {
		{ "1000000001.M1P1.test",	"1000000001.M1P1.test", 0 },
		{ "1000000002.M2P2.test:2,S",	"1000000002.M2P2.test", 0 },
		{ "x:y:2,",			"x", 0 },
		{ "~!:2,",			"~!", 0 },
		{ "has space:2,S",		NULL, 9 },
		{ "del\x7f:2,",			NULL, 4 },
		{ "high\x80\xff",		NULL, 6 },
		{ "tab\there",			NULL, 8 },
		{ ":2,",			NULL, 0 },
	};

	memset(n70, 'q', sizeof(n70));
	n70[70] = '\0';
	memset(n71, 'r', sizeof(n71));
	n71[71] = '\0';
	for (i = 0; i < nitems(cases); i++) {
		pathf(name, sizeof(name), "cur/%s", cases[i].name);
		CHECK(put(p, name, S("m\n"), (time_t)(1000 + i)) == 0);
	}
	pathf(name, sizeof(name), "cur/%s:2,S", n70);
	CHECK(put(p, name, S("m\n"), 2000) == 0);
	pathf(name, sizeof(name), "new/%s", n71);
	CHECK(put(p, name, S("m\n"), 2001) == 0);
	CHECK(enter(&md, p, POP3_MSGS_MAX) == 0);
	CHECK(md.count == nitems(cases) + 2);

	for (i = 0; i < nitems(cases); i++) {
		k = find(&md, cases[i].name);
		CHECK(k != NOTFOUND);
		if (k == NOTFOUND)
			continue;
		memset(out, 0x5a, sizeof(out));
		n = maildir_uidl(&md, k, out);
		if (cases[i].plain != NULL)
			pathf(want, sizeof(want), "%s",
			    cases[i].plain);
		else
			(void)MD5Data((const uint8_t *)cases[i].name,
			    cases[i].hashlen, want);
		if (strcmp(out, want) != 0)
			fprintf(stderr, "uidl %zu: %s\n", i, out);
		CHECK(n == strlen(want) && strcmp(out, want) == 0);
	}
	/* 70 octets are a unique-id; 71 are hashed (RFC 1939 s.7). */
	pathf(name, sizeof(name), "%s:2,S", n70);
	k = find(&md, name);
	CHECK(k != NOTFOUND);
	if (k != NOTFOUND) {
		n = maildir_uidl(&md, k, out);
		CHECK(n == 70 && strcmp(out, n70) == 0);
	}
	k = find(&md, n71);
	CHECK(k != NOTFOUND);
	if (k != NOTFOUND) {
		(void)MD5Data((const uint8_t *)n71, 71, want);
		n = maildir_uidl(&md, k, out);
		CHECK(n == 32 && strcmp(out, want) == 0);
	}
	/* The MD5 of "" is the well-known one. */
	k = find(&md, ":2,");
	if (k != NOTFOUND) {
		(void)maildir_uidl(&md, k, out);
		CHECK(strcmp(out, "d41d8cd98f00b204e9800998ecf8427e") == 0);
	}
	maildir_close(&md);
	home();
}

/* maildir_open: contents, range, and files that changed since scan. */
static void
test_open(void)
{
	struct maildir	 md;
	const char	*p = maildir("open");
	char		 q[PATH_MAX], buf[64];
	size_t		 i;
	ssize_t		 r;
	int		 fd;

	CHECK(put(p, "new/1.gone", S("gone\n"), 1000) == 0);
	CHECK(put(p, "cur/2.fifo:2,", S("fifo\n"), 1001) == 0);
	CHECK(put(p, "cur/3.link:2,", S("link\n"), 1002) == 0);
	CHECK(put(p, "cur/4.dir:2,", S("dir\n"), 1003) == 0);
	CHECK(put(p, "new/5.ok", S("ok\n"), 1004) == 0);
	CHECK(put(p, "cur/6.ok:2,S", S("fine\r\n"), 1005) == 0);
	CHECK(enter(&md, p, POP3_MSGS_MAX) == 0);
	CHECK(md.count == 6);
	if (md.count != 6) {
		maildir_close(&md);
		home();
		return;
	}
	/* Both directories serve their messages. */
	i = find(&md, "5.ok");
	fd = maildir_open(&md, i, &bytes);
	CHECK(fd != -1);
	r = read(fd, buf, sizeof(buf));
	CHECK(r == 3 && memcmp(buf, "ok\n", 3) == 0);
	(void)close(fd);
	i = find(&md, "6.ok:2,S");
	fd = maildir_open(&md, i, &bytes);
	CHECK(fd != -1);
	r = read(fd, buf, sizeof(buf));
	CHECK(r == 6 && memcmp(buf, "fine\r\n", 6) == 0);
	/* The descriptor does not survive exec. */
	CHECK((fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
	(void)close(fd);

	errno = 0;
	CHECK(maildir_open(&md, md.count, &bytes) == -1 && errno == EINVAL);
	CHECK(maildir_open(&md, (size_t)-1, &bytes) == -1 && errno == EINVAL);

	/* Gone between LIST and RETR. */
	pathf(q, sizeof(q), "%s/new/1.gone", p);
	CHECK(unlink(q) == 0);
	errno = 0;
	CHECK(maildir_open(&md, find(&md, "1.gone"), &bytes) == -1 &&
	    errno == ENOENT);

	/* Replaced by a FIFO: fails at once (the alarm guards a hang). */
	pathf(q, sizeof(q), "%s/cur/2.fifo:2,", p);
	CHECK(unlink(q) == 0 && mkfifo(q, 0600) == 0);
	errno = 0;
	CHECK(maildir_open(&md, find(&md, "2.fifo:2,"), &bytes) == -1 &&
	    errno == EINVAL);

	/* Replaced by a symlink: not followed. */
	pathf(q, sizeof(q), "%s/cur/3.link:2,", p);
	CHECK(unlink(q) == 0 && symlink("6.ok:2,S", q) == 0);
	errno = 0;
	CHECK(maildir_open(&md, find(&md, "3.link:2,"), &bytes) == -1 &&
	    errno == ELOOP);

	/* Replaced by a directory. */
	pathf(q, sizeof(q), "%s/cur/4.dir:2,", p);
	CHECK(unlink(q) == 0 && mkdir(q, 0700) == 0);
	CHECK(maildir_open(&md, find(&md, "4.dir:2,"), &bytes) == -1);
	maildir_close(&md);
	home();
}

/*
 * UPDATE: marked files unlinked; new/ moved to cur/NAME:2,; S added
 * in ASCII order to messages sent in full; other names untouched.
 */
static void
test_commit(void)
{
	static const char *const names[] = {
		"new/n1", "new/n2", "new/n3", "new/n4:2,F", "cur/c1:2,",
		"cur/c2:2,FR", "cur/c3:2,T", "cur/c4:2,S", "cur/c5:1,xyz",
		"cur/c6:2,", "cur/c7", "cur/c8:2,a", "cur/c9:2,DFPRT",
	};
	static const char *const cur[] = {
		"n1:2,", "n3:2,S", "n4:2,FS", "c2:2,FRS", "c3:2,ST",
		"c4:2,S", "c5:1,xyz", "c6:2,", "c7:2,S", "c8:2,Sa",
		"c9:2,DFPRST",
	};
	static const struct {
		const char	*from, *to;
	} moved[] = {
		{ "new/n1",		"cur/n1:2," },
		{ "new/n3",		"cur/n3:2,S" },
		{ "new/n4:2,F",		"cur/n4:2,FS" },
		{ "cur/c2:2,FR",	"cur/c2:2,FRS" },
		{ "cur/c3:2,T",		"cur/c3:2,ST" },
		{ "cur/c5:1,xyz",	"cur/c5:1,xyz" },
		{ "cur/c7",		"cur/c7:2,S" },
		{ "cur/c9:2,DFPRT",	"cur/c9:2,DFPRST" },
	};
	struct maildir		 md;
	struct commit_result	 res;
	const char		*p = maildir("commit");
	size_t			 i;

	for (i = 0; i < nitems(names); i++)
		CHECK(put(p, names[i], names[i], strlen(names[i]),
		    (time_t)(1000 + i)) == 0);
	CHECK(enter(&md, p, POP3_MSGS_MAX) == 0);
	CHECK(md.count == nitems(names));
	CHECK(mark(&md, "n2", MSG_DELE) == 0);
	CHECK(mark(&md, "c1:2,", MSG_DELE | MSG_SEEN) == 0);
	CHECK(mark(&md, "n3", MSG_SEEN) == 0);
	CHECK(mark(&md, "n4:2,F", MSG_SEEN) == 0);
	CHECK(mark(&md, "c2:2,FR", MSG_SEEN) == 0);
	CHECK(mark(&md, "c3:2,T", MSG_SEEN) == 0);
	CHECK(mark(&md, "c4:2,S", MSG_SEEN) == 0);
	CHECK(mark(&md, "c5:1,xyz", MSG_SEEN) == 0);
	CHECK(mark(&md, "c7", MSG_SEEN) == 0);
	CHECK(mark(&md, "c8:2,a", MSG_SEEN) == 0);
	CHECK(mark(&md, "c9:2,DFPRT", MSG_SEEN) == 0);
	CHECK(maildir_commit(&md, &res) == 0);
	CHECK(res.deleted == 2 && res.undeleted == 0);
	CHECK(res.moved == 8 && res.unmoved == 0 && res.error == 0);
	maildir_close(&md);
	home();

	CHECK(listing(p, "new", NULL, 0));
	CHECK(listing(p, "cur", cur, nitems(cur)));
	/* Every surviving file still holds its own bytes. */
	for (i = 0; i < nitems(moved); i++)
		CHECK(has(p, moved[i].to, moved[i].from,
		    strlen(moved[i].from)));
	CHECK(has(p, "cur/c4:2,S", S("cur/c4:2,S")));
	CHECK(has(p, "cur/c6:2,", S("cur/c6:2,")));
	CHECK(has(p, "cur/c8:2,Sa", S("cur/c8:2,a")));

	/* A second session finds the same messages, now all in cur/. */
	CHECK(enter(&md, p, POP3_MSGS_MAX) == 0);
	CHECK(md.count == nitems(cur));
	CHECK(maildir_commit(&md, &res) == 0);
	CHECK(res.moved == 0 && res.deleted == 0 && res.unmoved == 0);
	maildir_close(&md);
	home();
}

/* A rename never replaces a file: both must survive. */
static void
test_commit_noreplace(void)
{
	struct maildir		 md;
	struct commit_result	 res;
	const char		*p = maildir("noreplace");
	static const char *const cur[] = { "x:2,", "y:2,", "y:2,S" };

	CHECK(put(p, "new/x", S("new x\n"), 1000) == 0);
	CHECK(put(p, "cur/x:2,", S("old x\n"), 1001) == 0);
	CHECK(put(p, "cur/y:2,", S("y\n"), 1002) == 0);
	CHECK(enter(&md, p, POP3_MSGS_MAX) == 0);
	/* Someone else creates the S name meanwhile. */
	CHECK(put(p, "cur/y:2,S", S("other y\n"), 0) == 0);
	CHECK(mark(&md, "y:2,", MSG_SEEN) == 0);
	CHECK(maildir_commit(&md, &res) == 0);
	CHECK(res.moved == 0 && res.unmoved == 2 && res.error == EEXIST);
	CHECK(res.deleted == 0 && res.undeleted == 0);
	maildir_close(&md);
	home();
	CHECK(has(p, "new/x", S("new x\n")));
	CHECK(has(p, "cur/x:2,", S("old x\n")));
	CHECK(has(p, "cur/y:2,", S("y\n")));
	CHECK(has(p, "cur/y:2,S", S("other y\n")));
	CHECK(listing(p, "cur", cur, nitems(cur)));
}

/* Files that vanished before QUIT count as done. */
static void
test_commit_vanished(void)
{
	struct maildir		 md;
	struct commit_result	 res;
	const char		*p = maildir("vanished");
	char			 q[PATH_MAX];
	static const char *const cur[] = { "c:2,S" };

	CHECK(put(p, "cur/a:2,", S("a\n"), 1000) == 0);
	CHECK(put(p, "new/b", S("b\n"), 1001) == 0);
	CHECK(put(p, "cur/c:2,", S("c\n"), 1002) == 0);
	CHECK(enter(&md, p, POP3_MSGS_MAX) == 0);
	CHECK(mark(&md, "a:2,", MSG_DELE) == 0);
	CHECK(mark(&md, "c:2,", MSG_SEEN) == 0);
	pathf(q, sizeof(q), "%s/cur/a:2,", p);
	CHECK(unlink(q) == 0);
	pathf(q, sizeof(q), "%s/new/b", p);
	CHECK(unlink(q) == 0);
	CHECK(maildir_commit(&md, &res) == 0);
	CHECK(res.deleted == 1 && res.undeleted == 0);
	CHECK(res.moved == 1 && res.unmoved == 0 && res.error == 0);
	maildir_close(&md);
	home();
	CHECK(listing(p, "new", NULL, 0));
	CHECK(listing(p, "cur", cur, nitems(cur)));
}

/*
 * unlink fails, as root too: the marked name is now a directory
 * (EISDIR).  Reported, -1, and nothing else is lost.
 */
static void
test_commit_unlink_fails(void)
{
	struct maildir		 md;
	struct commit_result	 res;
	const char		*p = maildir("unlinkfail");
	char			 q[PATH_MAX];
	static const char *const cur[] = { "a:2,", "c:2,", "d:2,S" };

	CHECK(put(p, "cur/a:2,", S("a\n"), 1000) == 0);
	CHECK(put(p, "cur/b:2,", S("b\n"), 1001) == 0);
	CHECK(put(p, "new/c", S("c\n"), 1002) == 0);
	CHECK(put(p, "cur/d:2,", S("d\n"), 1003) == 0);
	CHECK(enter(&md, p, POP3_MSGS_MAX) == 0);
	CHECK(mark(&md, "a:2,", MSG_DELE) == 0);
	CHECK(mark(&md, "b:2,", MSG_DELE) == 0);
	CHECK(mark(&md, "d:2,", MSG_SEEN) == 0);
	pathf(q, sizeof(q), "%s/cur/a:2,", p);
	CHECK(unlink(q) == 0 && mkdir(q, 0700) == 0);
	errno = 0;
	CHECK(maildir_commit(&md, &res) == -1 && errno == EISDIR);
	CHECK(res.deleted == 1 && res.undeleted == 1 && res.error == EISDIR);
	CHECK(res.moved == 2 && res.unmoved == 0);
	maildir_close(&md);
	home();
	CHECK(listing(p, "new", NULL, 0));
	CHECK(listing(p, "cur", cur, nitems(cur)));
	CHECK(has(p, "cur/c:2,", S("c\n")));
	CHECK(has(p, "cur/d:2,S", S("d\n")));
	CHECK(rmdir(q) == 0);
}

/* cur/ read-only: nothing can be unlinked or moved; nothing is lost. */
static void
test_commit_readonly(void)
{
	struct maildir		 md;
	struct commit_result	 res;
	const char		*p = maildir("readonly");
	char			 q[PATH_MAX];
	static const char *const cur[] = { "a:2,", "b:2,", "d:2," };
	static const char *const new[] = { "c" };

	CHECK(put(p, "cur/a:2,", S("a\n"), 1000) == 0);
	CHECK(put(p, "cur/b:2,", S("b\n"), 1001) == 0);
	CHECK(put(p, "new/c", S("c\n"), 1002) == 0);
	CHECK(put(p, "cur/d:2,", S("d\n"), 1003) == 0);
	CHECK(enter(&md, p, POP3_MSGS_MAX) == 0);
	CHECK(mark(&md, "a:2,", MSG_DELE) == 0);
	CHECK(mark(&md, "b:2,", MSG_DELE) == 0);
	CHECK(mark(&md, "d:2,", MSG_SEEN) == 0);
	pathf(q, sizeof(q), "%s/cur", p);
	CHECK(chmod(q, 0555) == 0);
	errno = 0;
	CHECK(maildir_commit(&md, &res) == -1 && errno == EACCES);
	CHECK(res.deleted == 0 && res.undeleted == 2 && res.error == EACCES);
	CHECK(res.moved == 0 && res.unmoved == 2);
	CHECK(chmod(q, 0700) == 0);
	maildir_close(&md);
	home();
	CHECK(listing(p, "cur", cur, nitems(cur)));
	CHECK(listing(p, "new", new, nitems(new)));
	CHECK(has(p, "new/c", S("c\n")));
}

/*
 * A name too long to gain ":2," stays in new/: the rename fails, the
 * mail is safe, and it is reported as unmoved.
 */
static void
test_commit_longname(void)
{
	struct maildir		 md;
	struct commit_result	 res;
	const char		*p = maildir("longname");
	char			 name[300];

	memcpy(name, "new/", 4);
	memset(name + 4, 'L', 254);
	name[4 + 254] = '\0';
	CHECK(put(p, name, S("long\n"), 1000) == 0);
	CHECK(enter(&md, p, POP3_MSGS_MAX) == 0);
	CHECK(md.count == 1);
	CHECK(maildir_commit(&md, &res) == 0);
	CHECK(res.moved == 0 && res.unmoved == 1 &&
	    res.error == ENAMETOOLONG);
	maildir_close(&md);
	home();
	CHECK(has(p, name, S("long\n")));
}

/* A file we may not read is left out and counted, not fatal. */
static void
test_unreadable(void)
{
	struct maildir	 md;
	const char	*p = maildir("unreadable");
	char		 q[PATH_MAX];

	CHECK(put(p, "cur/a:2,", S("a\n"), 1000) == 0);
	CHECK(put(p, "cur/b:2,", S("b\n"), 1001) == 0);
	pathf(q, sizeof(q), "%s/cur/a:2,", p);
	CHECK(chmod(q, 0) == 0);
	CHECK(enter(&md, p, POP3_MSGS_MAX) == 0);
	CHECK(md.count == 1 && md.skipped == 1);
	if (md.count == 1)
		CHECK(strcmp(maildir_name(&md, 0), "b:2,") == 0);
	maildir_close(&md);
	home();
	/* With ",W=" the size needs no read: listed, opening fails. */
	CHECK(put(p, "cur/c,W=3:2,", S("c\n"), 1002) == 0);
	pathf(q, sizeof(q), "%s/cur/c,W=3:2,", p);
	CHECK(chmod(q, 0) == 0);
	CHECK(enter(&md, p, POP3_MSGS_MAX) == 0);
	CHECK(md.count == 2 && md.skipped == 1);
	errno = 0;
	CHECK(maildir_open(&md, find(&md, "c,W=3:2,"), &bytes) == -1 &&
	    errno == EACCES);
	maildir_close(&md);
	home();
}

static int
unlock_one(const char *p, const struct stat *st, int type, struct FTW *f)
{
	(void)f;
	if (type == FTW_D && (st->st_mode & 0700) != 0700)
		(void)chmod(p, 0700);
	return 0;
}

static int
rm_one(const char *p, const struct stat *st, int type, struct FTW *f)
{
	(void)st;
	(void)f;
	if ((type == FTW_DP ? rmdir(p) : unlink(p)) == -1)
		perror(p);
	return 0;
}

/*
 * Twenty names claiming 10^18 octets each: believed, the total would
 * wrap past 2^64 and the size cache, which refuses such sizes, would
 * never be written again.  Computed instead; the cache works.
 */
static void
test_wsize_absurd(void)
{
	struct maildir		 md;
	struct commit_result	 res;
	const char		*p = maildir("wabsurd");
	char			 name[64];
	size_t			 i;

	for (i = 0; i < 20; i++) {
		pathf(name, sizeof(name), "cur/%02zu.x,W=999999999999999999:2,",
		    i);
		CHECK(put(p, name, S("abcde\n"), (time_t)(1000 + i)) == 0);
	}
	CHECK(enter(&md, p, POP3_MSGS_MAX) == 0);
	CHECK(md.count == 20 && md.total == 20 * 7);
	CHECK(maildir_commit(&md, &res) == 0);
	CHECK(maildir_save(&md) == 0);
	maildir_close(&md);
	CHECK(enter(&md, p, POP3_MSGS_MAX) == 0);
	CHECK(md.count == 20 && md.cached == 20 && md.hits == 20);
	CHECK(md.total == 20 * 7);
	maildir_close(&md);
	home();
}

/*
 * The same unique name in new/ and cur/ (twice in cur/, too): every
 * message still gets its own UIDL.  The oldest keeps the plain one;
 * the others get the MD5 of the name and their inode, so the answer
 * does not change with flags, directory or session.
 */
static void
test_twins(void)
{
	struct maildir	 md;
	const char	*p = maildir("twins");
	char		 uid[8][POP3_UIDL_MAX + 1], again[POP3_UIDL_MAX + 1];
	char		 q[PATH_MAX], r[PATH_MAX];
	size_t		 i, k, a;

	CHECK(put(p, "cur/1000.x.host:2,S", S("old\n"), 1000) == 0);
	CHECK(put(p, "new/1000.x.host", S("again\n"), 2000) == 0);
	CHECK(put(p, "cur/1000.x.host:2,T", S("third\n"), 3000) == 0);
	CHECK(put(p, "cur/bad name:2,", S("b1\n"), 4000) == 0);
	CHECK(put(p, "new/bad name", S("b2\n"), 5000) == 0);
	CHECK(put(p, "new/2000.y.host", S("lone\n"), 6000) == 0);
	CHECK(enter(&md, p, POP3_MSGS_MAX) == 0);
	CHECK(md.count == 6);
	for (i = 0; i < md.count && i < 8; i++)
		(void)maildir_uidl(&md, i, uid[i]);
	for (i = 0; i < md.count && i < 8; i++)
		for (k = i + 1; k < md.count && k < 8; k++)
			CHECK(strcmp(uid[i], uid[k]) != 0);
	a = find(&md, "1000.x.host:2,S");
	CHECK(a != NOTFOUND && strcmp(uid[a], "1000.x.host") == 0);
	CHECK((maildir_msg(&md, a)->flags & MSG_TWIN) == 0);
	a = find(&md, "2000.y.host");
	CHECK(a != NOTFOUND && strcmp(uid[a], "2000.y.host") == 0);
	a = find(&md, "1000.x.host");
	CHECK(a != NOTFOUND && strlen(uid[a]) == 32);
	maildir_close(&md);
	/* The new/ one moves to cur/ and gains a flag: the same UIDL. */
	pathf(q, sizeof(q), "%s/new/1000.x.host", p);
	pathf(r, sizeof(r), "%s/cur/1000.x.host:2,RS", p);
	CHECK(rename(q, r) == 0);
	CHECK(enter(&md, p, POP3_MSGS_MAX) == 0);
	k = find(&md, "1000.x.host:2,RS");
	CHECK(k != NOTFOUND);
	if (k != NOTFOUND && a != NOTFOUND) {
		(void)maildir_uidl(&md, k, again);
		CHECK(strcmp(again, uid[a]) == 0);
	}
	maildir_close(&md);
	home();
}

/*
 * Another program renames messages during the session (a flag change
 * over IMAP, its own move to cur/): DELE still deletes them, found by
 * unique name and inode, and RETR'd mail still gets its S flag.  A
 * file with the same unique name but another inode is not touched.
 */
static void
test_commit_renamed(void)
{
	struct maildir		 md;
	struct commit_result	 res;
	const char		*p = maildir("renamed");
	char			 q[PATH_MAX], r[PATH_MAX];
	static const char *const cur[] = { "a:2,X", "b:2,FS", "e:2," };

	CHECK(put(p, "cur/a:2,", S("a\n"), 1000) == 0);
	CHECK(put(p, "new/b", S("b\n"), 1001) == 0);
	CHECK(put(p, "new/c", S("c\n"), 1002) == 0);
	CHECK(put(p, "cur/d:2,", S("d\n"), 1003) == 0);
	CHECK(put(p, "cur/e:2,", S("e\n"), 1004) == 0);
	CHECK(enter(&md, p, POP3_MSGS_MAX) == 0);
	CHECK(mark(&md, "a:2,", MSG_DELE) == 0);	/* renamed, in cur/ */
	CHECK(mark(&md, "b", MSG_SEEN) == 0);	/* moved to cur/, flagged */
	CHECK(mark(&md, "c", MSG_DELE) == 0);	/* moved to cur/ */
	CHECK(mark(&md, "d:2,", MSG_DELE) == 0);	/* deleted elsewhere */
	pathf(q, sizeof(q), "%s/cur/a:2,", p);
	pathf(r, sizeof(r), "%s/cur/a:2,F", p);
	CHECK(rename(q, r) == 0);
	/* A decoy: the same unique name, another file. */
	CHECK(put(p, "cur/a:2,X", S("other\n"), 1000) == 0);
	pathf(q, sizeof(q), "%s/new/b", p);
	pathf(r, sizeof(r), "%s/cur/b:2,F", p);
	CHECK(rename(q, r) == 0);
	pathf(q, sizeof(q), "%s/new/c", p);
	pathf(r, sizeof(r), "%s/cur/c:2,", p);
	CHECK(rename(q, r) == 0);
	pathf(q, sizeof(q), "%s/cur/d:2,", p);
	CHECK(unlink(q) == 0);
	CHECK(maildir_commit(&md, &res) == 0);
	CHECK(res.deleted == 3 && res.undeleted == 0);
	CHECK(res.renamed == 3 && res.moved == 1 && res.unmoved == 0);
	CHECK(res.error == 0);
	maildir_close(&md);
	home();
	CHECK(listing(p, "new", NULL, 0));
	CHECK(listing(p, "cur", cur, nitems(cur)));
	CHECK(has(p, "cur/a:2,X", S("other\n")));
}

/*
 * The lock as NFS sees it: another process holds an fcntl(2) lock on
 * the lock file (and no flock).  Refused while it lives; once it dies
 * the kernel drops the lock and the Maildir opens.
 */
static void
test_lock_fcntl(void)
{
	struct maildir	 md;
	struct flock	 fl;
	const char	*p = maildir("lockfcntl");
	char		 q[PATH_MAX], c;
	int		 fd, ready[2], st;
	pid_t		 pid;

	CHECK(put(p, "new/1", S("1\n"), 1000) == 0);
	pathf(q, sizeof(q), "%s/%s", p, MAILDIR_LOCK);
	CHECK(pipe(ready) == 0);
	if ((pid = fork()) == 0) {
		(void)close(ready[0]);
		memset(&fl, 0, sizeof(fl));
		fl.l_type = F_WRLCK;
		fl.l_whence = SEEK_SET;
		if ((fd = open(q, O_RDWR | O_CREAT, 0600)) == -1 ||
		    fcntl(fd, F_SETLK, &fl) == -1 ||
		    write(ready[1], "y", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	CHECK(pid != -1);
	(void)close(ready[1]);
	CHECK(read(ready[0], &c, 1) == 1);
	(void)close(ready[0]);
	home();
	maildir_init(&md, POP3_MSGS_MAX);
	errno = 0;
	CHECK(maildir_enter(&md, p) == -1 && errno == EWOULDBLOCK);
	maildir_close(&md);
	CHECK(kill(pid, SIGKILL) == 0 && waitpid(pid, &st, 0) == pid);
	CHECK(enter(&md, p, POP3_MSGS_MAX) == 0 && md.count == 1);
	CHECK(md.lockfile != -1);
	maildir_close(&md);
	home();
}

int
main(void)
{
	const char	*t = getenv("TMPDIR");
	char		 tmpl[PATH_MAX];

	/* A FIFO that blocked would hang the test: make that a failure. */
	(void)alarm(60);
	umask(077);
	if ((homefd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		perror(".");
		return 1;
	}
	pathf(tmpl, sizeof(tmpl), "%s/unit_maildir.XXXXXX",
	    t != NULL && *t == '/' ? t : "/tmp");
	if (mkdtemp(tmpl) == NULL || realpath(tmpl, root) == NULL) {
		perror(tmpl);
		return 1;
	}

	RUN(test_empty);
	RUN(test_scan);
	RUN(test_ignored);
	RUN(test_order);
	RUN(test_order_many);
	RUN(test_wsize);
	RUN(test_wsize_repeated);
	RUN(test_sizes);
	RUN(test_sizes_chunks);
	RUN(test_max);
	RUN(test_lock);
	RUN(test_missing);
	RUN(test_uidl);
	RUN(test_open);
	RUN(test_commit);
	RUN(test_commit_noreplace);
	RUN(test_commit_vanished);
	RUN(test_commit_unlink_fails);
	RUN(test_commit_longname);
	RUN(test_wsize_absurd);
	RUN(test_twins);
	RUN(test_commit_renamed);
	RUN(test_lock_fcntl);
	/* Root ignores permissions, so these would prove nothing. */
	if (geteuid() == 0) {
		printf("skip %s:test_commit_readonly: root ignores "
		    "permissions\n", check_prog);
		printf("skip %s:test_unreadable: root ignores permissions\n",
		    check_prog);
	} else {
		RUN(test_commit_readonly);
		RUN(test_unreadable);
	}

	home();
	(void)nftw(root, unlock_one, 16, FTW_PHYS);
	if (nftw(root, rm_one, 16, FTW_PHYS | FTW_DEPTH) == -1)
		perror(root);
	return check_exit();
}
