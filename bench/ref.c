/* SPDX-License-Identifier: ISC */
/*
 * bench/ref.c: physical-limit references for the benchmark.
 *
 *	ref readdir DIR...	list every entry (opendir/readdir), no stat
 *	ref stat DIR...		the same plus fstatat(2) of every entry
 *	ref crypt PASS SALT	prints crypt(3) of PASS (for the passwd-file)
 *
 * Prints one line "+OK N" with the number of regular entries seen, so
 * the client can read it like a server reply.
 */
#define _GNU_SOURCE

#include <sys/stat.h>

#include <crypt.h>
#include <dirent.h>
#include <err.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char *argv[])
{
	struct dirent	*de;
	struct stat	 st;
	unsigned long	 n = 0;
	DIR		*d;
	int		 i, dostat;

	const char	*h;

	if (argc == 4 && strcmp(argv[1], "crypt") == 0) {
		if ((h = crypt(argv[2], argv[3])) == NULL || h[0] == '*')
			errx(1, "crypt failed");
		printf("%s\n", h);
		return 0;
	}
	if (argc < 3)
		errx(2, "usage: ref readdir|stat dir... | ref crypt pass salt");
	dostat = strcmp(argv[1], "stat") == 0;
	for (i = 2; i < argc; i++) {
		if ((d = opendir(argv[i])) == NULL)
			err(1, "%s", argv[i]);
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			if (dostat) {
				if (fstatat(dirfd(d), de->d_name, &st,
				    AT_SYMLINK_NOFOLLOW) == -1)
					err(1, "%s", de->d_name);
				if (!S_ISREG(st.st_mode))
					continue;
			}
			n++;
		}
		closedir(d);
	}
	printf("+OK %lu\n", n);
	return 0;
}
