/* SPDX-License-Identifier: ISC */
/*
 * tests/unit_pwfile.c: pwfile.c's changes, as a table of file before,
 * change, and file after (or the refusal, with the file unchanged and
 * still the same inode).  Files live in tests/scratch/.
 */
#include "../pwfile.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static const char	*check_prog = "unit_pwfile";

static void	test_changes(void);
static void	test_long_lines(void);
static void	test_scan(void);
static void	test_no_file(void);

#define DIR	"tests/scratch/unit_pwfile"
#define FILE_	DIR "/passwd"

static const struct {
	const char		*before;	/* NULL: no file */
	enum pwfile_op		 op;
	const char		*user, *text;
	enum pwfile_result	 want;
	size_t			 lineno;
	const char		*after;		/* NULL: unchanged */
} changes[] = {
	{ NULL, PWFILE_ADD, "a", "a:{PLAIN}x:1:1::/h::", PWFILE_OK, 0,
	    "a:{PLAIN}x:1:1::/h::\n" },
	{ "", PWFILE_ADD, "a", "a:s:1:1::/h::", PWFILE_OK, 0,
	    "a:s:1:1::/h::\n" },
	{ "# c\n\nb:s:2:2::/h\n", PWFILE_ADD, "a", "a:s:1:1::/h::",
	    PWFILE_OK, 0, "# c\n\nb:s:2:2::/h\na:s:1:1::/h::\n" },
	/* No LF at the end: one is added before the new line. */
	{ "b:s:2:2::/h", PWFILE_ADD, "a", "a:s:1:1::/h::", PWFILE_OK, 0,
	    "b:s:2:2::/h\na:s:1:1::/h::\n" },
	{ "# c\na:s:1:1::/h\n", PWFILE_ADD, "a", "a:t:1:1::/h::",
	    PWFILE_EXISTS, 2, NULL },
	{ "a:s:1\n", PWFILE_ADD, "a", "a:t:1:1::/h::", PWFILE_MALFORMED, 1,
	    NULL },
	/* A commented-out line is no user. */
	{ "#a:s:1:1::/h\n", PWFILE_ADD, "a", "a:t:1:1::/h::", PWFILE_OK, 0,
	    "#a:s:1:1::/h\na:t:1:1::/h::\n" },
	/* A prefix of the name is another user. */
	{ "ab:s:1:1::/h\n", PWFILE_SET, "a", "x", PWFILE_UNKNOWN, 0, NULL },
	{ "x\n a:s:1:1::/h\na:old:1:1:G e:/h:/bin/sh:k=v:w\r\n# end",
	    PWFILE_SET, "a", "{CRYPT}new", PWFILE_OK, 0,
	    "x\n a:s:1:1::/h\na:{CRYPT}new:1:1:G e:/h:/bin/sh:k=v:w\r\n# end" },
	{ "a::1:1::/h\n", PWFILE_SET, "a", "{PLAIN}p", PWFILE_OK, 0,
	    "a:{PLAIN}p:1:1::/h\n" },
	{ "a:s:1:1::/h\nb:s:1:1::/h\na:t:1:1::/h\n", PWFILE_SET, "a", "x",
	    PWFILE_DUPLICATE, 3, NULL },
	{ "b:bad\na:s:x:1::/h\n", PWFILE_SET, "a", "x", PWFILE_MALFORMED, 2,
	    NULL },
	{ "b:bad\na:s:1:1::/h\nc\n", PWFILE_DEL, "a", NULL, PWFILE_OK, 0,
	    "b:bad\nc\n" },
	{ "a:s:1:1::/h", PWFILE_DEL, "a", NULL, PWFILE_OK, 0, "" },
	{ "b:s:1:1::/h\na:s:1:1::/h", PWFILE_DEL, "a", NULL, PWFILE_OK, 0,
	    "b:s:1:1::/h\n" },
	{ "a:s:1:1::/h\na:s:1:1::/h\n", PWFILE_DEL, "a", NULL,
	    PWFILE_DUPLICATE, 2, NULL },
	{ "# only\n", PWFILE_DEL, "a", NULL, PWFILE_UNKNOWN, 0, NULL },
	/* Bytes that are no text pass through untouched. */
	{ "\xff\x01:\0x\nb:s:1:1::/h\n\n", PWFILE_DEL, "b", NULL, PWFILE_OK,
	    0, "\xff\x01:\0x\n\n" },
};

/* Writes len bytes to FILE_, or removes it for NULL. */
static int
put_file(const char *data, size_t len)
{
	int	fd;

	(void)unlink(FILE_);
	if (data == NULL)
		return 0;
	if ((fd = open(FILE_, O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1)
		return -1;
	if (write(fd, data, len) != (ssize_t)len) {
		(void)close(fd);
		return -1;
	}
	return close(fd);
}

/* Reads FILE_ into buf (size bytes); returns the length or -1. */
static ssize_t
get_file(char *buf, size_t size)
{
	ssize_t	n;
	int	fd;

	if ((fd = open(FILE_, O_RDONLY)) == -1)
		return -1;
	n = read(fd, buf, size);
	(void)close(fd);
	return n;
}

/* Every malformed line of another user, as "N," in a string. */
static char	warned[256];

static void
warn(const struct pwfile_line *l, void *arg)
{
	size_t	len = strlen(warned);

	(void)arg;
	(void)snprintf(warned + len, sizeof(warned) - len, "%zu%s,",
	    l->lineno, l->ok ? "ok" : "");
}

/* The table's strings hold NULs: their lengths, by hand. */
static size_t
blen(const char *s, size_t i)
{
	if (i == nitems(changes) - 1)
		return 19;	/* "\xff\x01:\0x\nb:s:1:1::/h\n\n" */
	return strlen(s);
}

static void
test_changes(void)
{
	static char	buf[8192];
	struct stat	st0, st1;
	size_t		i, lineno, len;
	ssize_t		n;

	for (i = 0; i < nitems(changes); i++) {
		enum pwfile_result	got;

		len = changes[i].before != NULL ?
		    blen(changes[i].before, i) : 0;
		CHECK(put_file(changes[i].before, len) == 0);
		if (changes[i].before != NULL)
			CHECK(stat(FILE_, &st0) == 0);
		got = pwfile_change(FILE_, changes[i].op, changes[i].user,
		    changes[i].text, &lineno, NULL, NULL);
		CHECK(got == changes[i].want);
		if (got != changes[i].want) {
			fprintf(stderr, "change %zu: got %d\n", i, (int)got);
			continue;
		}
		if (got != PWFILE_OK)
			CHECK(lineno == changes[i].lineno);
		n = get_file(buf, sizeof(buf));
		if (changes[i].after == NULL) {
			/* Refused: the very same file, byte for byte. */
			CHECK(n == (ssize_t)len &&
			    memcmp(buf, changes[i].before, len) == 0);
			CHECK(stat(FILE_, &st1) == 0 &&
			    st1.st_ino == st0.st_ino);
			continue;
		}
		len = i == nitems(changes) - 1 ? 7 : strlen(changes[i].after);
		CHECK(n == (ssize_t)len &&
		    memcmp(buf, changes[i].after, len) == 0);
		if (n != (ssize_t)len || memcmp(buf, changes[i].after, len))
			fprintf(stderr, "change %zu: got [%.*s]\n", i,
			    (int)(n > 0 ? n : 0), buf);
		CHECK(stat(FILE_, &st1) == 0 &&
		    (st1.st_mode & 07777) == 0600);
	}
	/* The malformed lines of others are reported, and only those. */
	CHECK(put_file("a:s:1:1::/h\nbad\n# c\nb:s\nc:s:1:1::/h\n", 36) == 0);
	warned[0] = '\0';
	CHECK(pwfile_change(FILE_, PWFILE_DEL, "c", NULL, &lineno, warn,
	    NULL) == PWFILE_OK);
	CHECK(strcmp(warned, "2,4,") == 0);
	/* No temporary file is left, on success or refusal. */
	CHECK(access(FILE_ ".lock", F_OK) == 0);
}

/* Lines longer than any entry are malformed and copied whole. */
static void
test_long_lines(void)
{
	static char	in[20000], out[20000], want[20000];
	size_t		lineno, len, wlen;
	ssize_t		n;

	memset(in, 'x', 10000);
	memcpy(in, "big:", 4);
	in[10000] = '\n';
	memcpy(in + 10001, "a:s:1:1::/h\n", 12);
	memset(in + 10013, '#', 5000);		/* a long comment, no LF */
	len = 15013;
	CHECK(put_file(in, len) == 0);
	CHECK(pwfile_change(FILE_, PWFILE_SET, "a", "t", &lineno, NULL,
	    NULL) == PWFILE_OK);
	memcpy(want, in, 10001);
	memcpy(want + 10001, "a:t:1:1::/h\n", 12);
	memcpy(want + 10013, in + 10013, 5000);
	wlen = 15013;
	n = get_file(out, sizeof(out));
	CHECK(n == (ssize_t)wlen && memcmp(out, want, wlen) == 0);
	/* The long line's user cannot be changed. */
	CHECK(pwfile_change(FILE_, PWFILE_DEL, "big", NULL, &lineno, NULL,
	    NULL) == PWFILE_MALFORMED && lineno == 1);
	/* A new password that would make the line too long: refused. */
	memset(in, 'y', 4090);
	memcpy(in, "a:s:1:1::/h:", 12);
	in[4090] = '\n';
	CHECK(put_file(in, 4091) == 0);
	errno = 0;
	CHECK(pwfile_change(FILE_, PWFILE_SET, "a", "0123456789", &lineno,
	    NULL, NULL) == PWFILE_ERROR && errno == E2BIG);
	n = get_file(out, sizeof(out));
	CHECK(n == 4091 && memcmp(out, in, 4091) == 0);
}

static char	seen[256];

static void
scan_fn(const struct pwfile_line *l, void *arg)
{
	size_t	len = strlen(seen);

	(void)arg;
	(void)snprintf(seen + len, sizeof(seen) - len, "%zu:%.*s:%s:%lu,",
	    l->lineno, (int)l->namelen, l->name, l->ok ? l->home : "bad",
	    l->ok ? l->uid : 0UL);
}

static void
test_scan(void)
{
	static const char	text[] = "# c\na:s:7:8::/h\n\nb:s\nc:{X}y:9:9::/c";

	CHECK(put_file(text, sizeof(text) - 1) == 0);
	seen[0] = '\0';
	CHECK(pwfile_scan(FILE_, scan_fn, NULL) == 0);
	CHECK(strcmp(seen, "2:a:/h:7,4:b:bad:0,5:c:/c:9,") == 0);
	(void)unlink(FILE_);
	CHECK(pwfile_scan(FILE_, scan_fn, NULL) == -1 && errno == ENOENT);
}

static void
test_no_file(void)
{
	size_t	lineno;

	(void)unlink(FILE_);
	CHECK(pwfile_change(FILE_, PWFILE_DEL, "a", NULL, &lineno, NULL,
	    NULL) == PWFILE_ERROR && errno == ENOENT);
	CHECK(pwfile_change(DIR "/no/such/dir", PWFILE_ADD, "a", "a:s:1:1::/h",
	    &lineno, NULL, NULL) == PWFILE_ERROR);
	/* A directory is no passwd-file. */
	CHECK(mkdir(DIR "/d", 0700) == 0 || errno == EEXIST);
	CHECK(pwfile_change(DIR "/d", PWFILE_ADD, "a", "a:s:1:1::/h",
	    &lineno, NULL, NULL) == PWFILE_ERROR);
}

int
main(void)
{
	(void)mkdir("tests/scratch", 0755);
	(void)mkdir(DIR, 0755);
	RUN(test_changes);
	RUN(test_long_lines);
	RUN(test_scan);
	RUN(test_no_file);
	return check_exit();
}
