/* SPDX-License-Identifier: ISC */
/*
 * tests/replay.c: runs a fuzz target's corpus without libFuzzer, so
 * that "make check" replays it under any compiler and sanitizer.
 * Link with one tests/fuzz_*.o.  Each argument is a directory; every
 * regular file in it, in name order, is one input.  Prints one line
 * "ok replay:NAME (N inputs)" per directory, NAME being its last
 * component.  A target that finds a violation abort()s, so the
 * failure is the crash; an unreadable or empty corpus is a FAIL line.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Corpus files are seeds, not bulk data. */
#define REPLAY_MAX	(1024 * 1024)

static int	replay_file(int, const char *);
static int	replay_dir(const char *);

/* Feeds one file to the target; 0, or -1 with a message. */
static int
replay_file(int dirfd, const char *name)
{
	struct stat	 st;
	uint8_t		*buf;
	size_t		 n = 0;
	ssize_t		 r;
	int		 fd;

	if ((fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW)) == -1) {
		fprintf(stderr, "replay: %s: %s\n", name, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > REPLAY_MAX) {
		fprintf(stderr, "replay: %s: not a small regular file\n", name);
		(void)close(fd);
		return -1;
	}
	/* Exactly the file's size, so ASan sees any read past the end. */
	if ((buf = malloc(st.st_size > 0 ? (size_t)st.st_size : 1)) == NULL) {
		(void)close(fd);
		return -1;
	}
	while (n < (size_t)st.st_size &&
	    (r = read(fd, buf + n, (size_t)st.st_size - n)) > 0)
		n += (size_t)r;
	(void)close(fd);	/* read-only */
	if (n != (size_t)st.st_size) {
		fprintf(stderr, "replay: %s: short read\n", name);
		free(buf);
		return -1;
	}
	(void)LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	return 0;
}

static int
replay_dir(const char *dir)
{
	struct dirent	**names;
	char		  label[256];
	const char	 *base;
	size_t		  len = strlen(dir), inputs = 0;
	int		  n, i, dirfd, bad = 0;

	/* The label: the last component, without trailing slashes. */
	while (len > 1 && dir[len - 1] == '/')
		len--;
	for (base = dir + len; base > dir && base[-1] != '/'; base--)
		continue;
	(void)snprintf(label, sizeof(label), "%.*s",
	    (int)(len - (size_t)(base - dir)), base);

	if ((dirfd = open(dir, O_RDONLY | O_DIRECTORY)) == -1 ||
	    (n = scandir(dir, &names, NULL, alphasort)) == -1) {
		printf("FAIL replay:%s: %s\n", label, strerror(errno));
		if (dirfd != -1)
			(void)close(dirfd);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.') {
			if (replay_file(dirfd, names[i]->d_name) == 0)
				inputs++;
			else
				bad = 1;
		}
		free(names[i]);
	}
	free(names);
	(void)close(dirfd);
	if (bad || inputs == 0) {
		printf("FAIL replay:%s (%zu inputs%s)\n", label, inputs,
		    bad ? ", some unreadable" : "");
		return -1;
	}
	printf("ok replay:%s (%zu inputs)\n", label, inputs);
	return 0;
}

int
main(int argc, char *argv[])
{
	int	i, rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s corpus-dir ...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++)
		if (replay_dir(argv[i]) == -1)
			rc = 1;
	return rc;
}
