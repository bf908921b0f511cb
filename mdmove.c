/* SPDX-License-Identifier: ISC */
/*
 * mdmove.c: rename(2) that never replaces a file (mdmove.h).
 */
#define _GNU_SOURCE		/* renameat2, RENAME_NOREPLACE */

#include "mdmove.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int
mdmove(int fromfd, const char *from, int tofd, const char *to)
{
	int	e;

	if (renameat2(fromfd, from, tofd, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
		return -1;
	/* The file system lacks RENAME_NOREPLACE: link, then unlink. */
	if (linkat(fromfd, from, tofd, to, 0) == -1)
		return -1;
	if (unlinkat(fromfd, from, 0) == -1) {
		e = errno;
		(void)unlinkat(tofd, to, 0);	/* the original stays */
		errno = e;
		return -1;
	}
	return 0;
}
