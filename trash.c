/* SPDX-License-Identifier: ISC */
/*
 * trash.c: the Maildir++ ".Trash" folder as a safety net for deleted
 * mail (see trash.h).  Moves are rename(2)s within one Maildir, never
 * copies, and never replace a file, so at every instant a message is
 * in exactly one place.
 */
#include "trash.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mdmove.h"

/* Room for a name, ":2," and every flag letter. */
#define NAME_BUF	(POP3_NAME_MAX + 64)
#define DIR_FLAGS	(O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

static int	make_dir(int, const char *);

int
trash_name(const char *name, bool add, char *out, size_t size)
{
	const char	*colon = strchr(name, ':'), *f;
	size_t		 len = strlen(name), need, o;

	if (colon == NULL && add) {
		if (size < len + 5)
			return -1;
		memcpy(out, name, len);
		memcpy(out + len, ":2,T", 5);
		return 1;
	}
	/* No info, unknown info semantics, or nothing to change. */
	if (colon == NULL || strncmp(colon, ":2,", 3) != 0 ||
	    (strchr(colon + 3, 'T') != NULL) == add) {
		if (size < len + 1)
			return -1;
		memcpy(out, name, len + 1);
		return 0;
	}
	need = len + 2;
	if (!add)
		for (need = len + 1, f = colon + 3; *f != '\0'; f++)
			need -= *f == 'T';
	if (size < need)
		return -1;
	o = (size_t)(colon + 3 - name);
	memcpy(out, name, o);
	if (add) {
		for (f = colon + 3; *f != '\0' && (unsigned char)*f < 'T'; f++)
			out[o++] = *f;
		out[o++] = 'T';
		for (; *f != '\0'; f++)
			out[o++] = *f;
	} else {
		for (f = colon + 3; *f != '\0'; f++)
			if (*f != 'T')
				out[o++] = *f;
	}
	out[o] = '\0';
	return 1;
}

/* mkdir(2) that is content with a directory already there. */
static int
make_dir(int dirfd, const char *name)
{
	struct stat	st;

	if (mkdirat(dirfd, name, 0700) == 0)
		return 0;
	if (errno != EEXIST)
		return -1;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

int
trash_open(int root, bool create)
{
	static const char	*subs[] = { "tmp", "new", "cur" };
	size_t			 i;
	int			 fd, tfd, e;

	if ((tfd = openat(root, TRASH_DIR, DIR_FLAGS)) == -1) {
		if (errno != ENOENT || !create)
			return -1;
		if (make_dir(root, TRASH_DIR) == -1 ||
		    (tfd = openat(root, TRASH_DIR, DIR_FLAGS)) == -1)
			return -1;
	}
	if ((fd = openat(tfd, "cur", DIR_FLAGS)) != -1 || errno != ENOENT ||
	    !create)
		goto done;
	/*
	 * maildirmake's layout.  The marker first: a crash part way
	 * leaves a folder that the next QUIT completes.  The file is made
	 * the one way the sandbox lets a file be made (sandbox.c).
	 */
	if ((fd = openat(tfd, TRASH_MARK, O_WRONLY | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, 0600)) == -1) {
		if (errno != EEXIST)
			goto done;
	} else if (close(fd) == -1)
		goto fail;
	for (i = 0; i < nitems(subs); i++)
		if (make_dir(tfd, subs[i]) == -1)
			goto fail;
	fd = openat(tfd, "cur", DIR_FLAGS);
done:
	e = errno;
	(void)close(tfd);	/* a directory; nothing to lose */
	errno = e;
	return fd;
fail:
	e = errno;
	(void)close(tfd);
	errno = e;
	return -1;
}

void
trash_purge(int trashcur, long days, time_t now, struct trash_purge *res)
{
	struct dirent	*de;
	struct stat	 st;
	time_t		 before;
	DIR		*d;
	int		 fd;

	memset(res, 0, sizeof(res[0]));
	if (days <= 0)
		return;
	before = now - (time_t)days * TRASH_DAY;
	if ((fd = openat(trashcur, ".", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1) {
		res->error = errno;
		return;
	}
	if ((d = fdopendir(fd)) == NULL) {
		res->error = errno;
		(void)close(fd);
		return;
	}
	while (res->examined < TRASH_PURGE_MAX && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		res->examined++;
		if (fstatat(trashcur, de->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) == -1) {
			if (errno != ENOENT && res->error == 0)
				res->error = errno;
			continue;
		}
		/* More than days days: strictly before the bound. */
		if (!S_ISREG(st.st_mode) || st.st_ctime >= before)
			continue;
		if (unlinkat(trashcur, de->d_name, 0) == 0)
			res->purged++;
		else if (errno != ENOENT && res->error == 0)
			res->error = errno;
	}
	(void)closedir(d);	/* a directory; nothing to lose */
}

int
trash_restore(int root, int curfd, time_t since, struct trash_restore *res)
{
	struct dirent	*de;
	struct stat	 st;
	char		 to[NAME_BUF];
	DIR		*d;
	int		 fd;

	memset(res, 0, sizeof(res[0]));
	if ((fd = trash_open(root, false)) == -1)
		return -1;
	if ((d = fdopendir(fd)) == NULL) {
		res->error = errno;
		(void)close(fd);
		errno = res->error;
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (since != 0 && st.st_ctime < since) {
			res->kept++;
			continue;
		}
		if (trash_name(de->d_name, false, to, sizeof(to)) == -1 ||
		    mdmove(fd, de->d_name, curfd, to) == -1) {
			if (res->error == 0)
				res->error = errno;
			res->failed++;
			continue;
		}
		res->restored++;
	}
	(void)closedir(d);	/* a directory; nothing to lose */
	if (res->failed > 0) {
		errno = res->error;
		return -1;
	}
	return 0;
}

int
trash_date(const char *s, size_t len, time_t *t)
{
	struct tm	tm;
	long long	v = 0;
	size_t		i;
	int		f[3] = { 0, 0, 0 };

	if (len >= 2 && len <= 13 && s[0] == '@') {
		/* At most 12 digits: v stays far below 2^63. */
		for (i = 1; i < len; i++) {
			if (s[i] < '0' || s[i] > '9')
				return -1;
			v = v * 10 + (s[i] - '0');
		}
		*t = (time_t)v;
		return 0;
	}
	if (len != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (i = 0; i < len; i++) {
		if (i == 4 || i == 7)
			continue;
		if (s[i] < '0' || s[i] > '9')
			return -1;
		f[i < 4 ? 0 : i < 7 ? 1 : 2] =
		    f[i < 4 ? 0 : i < 7 ? 1 : 2] * 10 + (s[i] - '0');
	}
	if (f[0] < 1970 || f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > 31)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = f[0] - 1900;
	tm.tm_mon = f[1] - 1;
	tm.tm_mday = f[2];
	tm.tm_isdst = -1;
	if ((*t = mktime(&tm)) == (time_t)-1 || tm.tm_mday != f[2])
		return -1;	/* February 30th became March 2nd */
	return 0;
}
