/*
 * update.c: the UPDATE state on disk (RFC 1939 s.6, see update.h).
 * Never replaces a file; a failed rename leaves the mail where it was.
 */
#define _GNU_SOURCE		/* renameat2, RENAME_NOREPLACE */

#include "update.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "maildir.h"
#include "mdname.h"

/* Room for a name, ":2," and every flag letter. */
#define NAME_BUF	(POP3_NAME_MAX + 64)

static int	move_file(int, const char *, int, const char *);

/* rename(2) that never replaces an existing file. */
static int
move_file(int fromfd, const char *from, int tofd, const char *to)
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

int
maildir_commit(struct maildir *md, struct commit_result *res)
{
	char		 to[NAME_BUF];
	struct msg	*m;
	size_t		 i;
	int		 dirfd, r;

	memset(res, 0, sizeof(*res));
	/* In table order, which is cheaper; the order does not matter. */
	for (i = 0; i < md->used; i++) {
		m = &md->msg[i];
		if ((m->flags & MSG_DELE) == 0)	/* never on a stale one */
			continue;
		dirfd = m->flags & MSG_NEW ? md->newfd : md->curfd;
		if (unlinkat(dirfd, md->names + m->name, 0) == 0 ||
		    errno == ENOENT)
			res->deleted++;
		else {
			res->undeleted++;
			if (res->error == 0)
				res->error = errno;
		}
	}
	for (i = 0; i < md->used; i++) {
		m = &md->msg[i];
		/* Deleted, or neither in new/ nor retrieved: no rename. */
		if ((m->flags & (MSG_DELE | MSG_STALE)) ||
		    (m->flags & (MSG_NEW | MSG_SEEN)) == 0)
			continue;
		r = mdname_target(md->names + m->name, m->flags & MSG_NEW,
		    m->flags & MSG_SEEN, to, sizeof(to));
		if (r == 0)
			continue;
		dirfd = m->flags & MSG_NEW ? md->newfd : md->curfd;
		if (r == 1 && move_file(dirfd, md->names + m->name,
		    md->curfd, to) == 0)
			res->moved++;
		else if (r == -1 || errno != ENOENT) {
			res->unmoved++;
			if (res->error == 0)
				res->error = r == -1 ? ENAMETOOLONG : errno;
		}
	}
	if (res->undeleted > 0) {
		errno = res->error;
		return -1;
	}
	return 0;
}
