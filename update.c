/* SPDX-License-Identifier: ISC */
/*
 * update.c: the UPDATE state on disk (RFC 1939 s.6, see update.h).
 * Never replaces a file; a failed rename leaves the mail where it was.
 */
#include "update.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "maildir.h"
#include "mdmove.h"
#include "mdname.h"
#include "trash.h"

/* Room for a name, ":2," and every flag letter. */
#define NAME_BUF	(POP3_NAME_MAX + 64)

/* One UPDATE: where deleted mail goes, and the tally. */
struct update {
	struct maildir			*md;
	const struct update_opts	*opts;	/* NULL: unlink */
	struct commit_result		*res;
	int				 trashfd;	/* .Trash/cur, or -1 */
	int				 trash_errno;	/* it cannot be had */
};

static void	undeletable(struct update *, const struct msg *, int);
static int	remove_one(struct update *, const struct msg *, int,
		    const char *, bool);
static int	move_one(const struct maildir *, const struct msg *, int,
		    const char *, bool, struct commit_result *);
static int	commit_moved(void *, struct maildir_moved *, int, const char *,
		    bool);
static void	find_moved(struct update *, struct maildir_moved *, size_t);

/* Marked message m stays, for reason e. */
static void
undeletable(struct update *u, const struct msg *m, int e)
{
	u->res->undeleted++;
	u->res->undeleted_octets += m->size;
	if (u->res->error == 0)
		u->res->error = e;
}

/*
 * Removes marked message m from where it is now (dirfd, name, isnew):
 * unlinks it, or with the trash on renames it into .Trash/cur with
 * the T flag (and the S flag if RETR sent it) under its unique name;
 * that rename is the commit point, and if it cannot be done the
 * message stays where it is.  Counts the outcome.  Returns -1 with
 * errno ENOENT (nothing counted) if it is not there, else 0.
 */
static int
remove_one(struct update *u, const struct msg *m, int dirfd,
    const char *name, bool isnew)
{
	char		 base[NAME_BUF], to[NAME_BUF];
	const char	*from = name;

	if (u->opts == NULL || u->opts->trash < 0) {
		if (unlinkat(dirfd, name, 0) == 0)
			goto done;
		if (errno == ENOENT)
			return -1;
		undeletable(u, m, errno);
		return 0;
	}
	if (u->trashfd == -1 && u->trash_errno == 0 &&
	    (u->trashfd = trash_open(u->md->lockfd, true)) == -1)
		u->trash_errno = errno != 0 ? errno : EIO;
	if (u->trashfd == -1) {
		undeletable(u, m, u->trash_errno);
		return 0;
	}
	if (mdname_target(name, isnew, m->flags & MSG_SEEN, base,
	    sizeof(base)) == 1)
		from = base;
	if (trash_name(from, true, to, sizeof(to)) == -1) {
		undeletable(u, m, ENAMETOOLONG);
		return 0;
	}
	if (mdmove(dirfd, name, u->trashfd, to) == -1) {
		if (errno == ENOENT)
			return -1;
		undeletable(u, m, errno);
		return 0;
	}
	u->res->trashed++;
	u->res->trashed_octets += m->size;
done:
	u->res->deleted++;
	u->res->deleted_octets += m->size;
	return 0;
}

/*
 * Gives message m its UPDATE name, from where it is now (dirfd, name,
 * isnew); counts the outcome.  ENOENT is left to the caller.
 */
static int
move_one(const struct maildir *md, const struct msg *m, int dirfd,
    const char *name, bool isnew, struct commit_result *res)
{
	char	to[NAME_BUF];
	int	r;

	r = mdname_target(name, isnew, m->flags & MSG_SEEN, to, sizeof(to));
	if (r == 0)
		return 0;
	if (r == 1 && mdmove(dirfd, name, md->curfd, to) == 0) {
		res->moved++;
		return 0;
	}
	if (r == 1 && errno == ENOENT)
		return -1;
	res->unmoved++;
	if (res->error == 0)
		res->error = r == -1 ? ENAMETOOLONG : errno;
	return 0;
}

/* UPDATE for one message found under a name another program gave it. */
static int
commit_moved(void *arg, struct maildir_moved *w, int dirfd, const char *name,
    bool isnew)
{
	struct update		*u = arg;
	struct commit_result	*res = u->res;
	struct msg		*m = &u->md->msg[w->idx];

	res->renamed++;
	if (m->flags & MSG_DELE) {
		if (remove_one(u, m, dirfd, name, isnew) == -1)
			/* Renamed once more, this very moment. */
			undeletable(u, m, ENOENT);
	} else if (move_one(u->md, m, dirfd, name, isnew, res) == -1) {
		/* Renamed once more, this very moment. */
		res->unmoved++;
		if (res->error == 0)
			res->error = ENOENT;
	}
	return 0;
}

/*
 * The messages in miss[] were not under the names the scan saw: some
 * other program renamed them since (maildir_find_moved()), and UPDATE
 * is done to each where it is now.  A message found in neither new/
 * nor cur/ is gone: someone deleted it, which for a DELE is what was
 * asked.
 */
static void
find_moved(struct update *u, struct maildir_moved *miss, size_t n)
{
	struct maildir		*md = u->md;
	struct commit_result	*res = u->res;
	struct msg		*m;
	size_t			 i;
	int			 r;

	r = maildir_find_moved(md, miss, n, commit_moved, u);
	for (i = 0; i < n; i++) {
		if (miss[i].done)
			continue;
		m = &md->msg[miss[i].idx];
		if (r == -1) {
			/* Could not look: say so rather than guess. */
			if (m->flags & MSG_DELE)
				undeletable(u, m, errno != 0 ? errno : EIO);
			else {
				res->unmoved++;
				if (res->error == 0)
					res->error = errno != 0 ? errno : EIO;
			}
		} else if (m->flags & MSG_DELE) {
			res->deleted++;		/* gone: deleted elsewhere */
			res->deleted_octets += m->size;
		}
	}
}

int
maildir_unlock(struct maildir *md)
{
	int	fd;

	/* A new open file description: flock(2) locks are per description. */
	if ((fd = openat(md->lockfd, ".", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1)
		return -1;
	/* Closing drops the fcntl(2) lock, whatever close(2) returns. */
	if (md->lockfile != -1)
		(void)close(md->lockfile);
	md->lockfile = -1;
	(void)close(md->lockfd);	/* a directory; drops the flock(2) */
	md->lockfd = fd;
	return 0;
}

int
maildir_commit(struct maildir *md, struct commit_result *res)
{
	return maildir_update(md, NULL, res);
}

int
maildir_update(struct maildir *md, const struct update_opts *opts,
    struct commit_result *res)
{
	struct trash_purge	 tp;
	struct update		 u;
	struct maildir_moved	*miss = NULL;
	struct msg		*m;
	size_t			 i, n = 0;
	int			 dirfd;

	memset(res, 0, sizeof(*res));
	u.md = md;
	u.opts = opts;
	u.res = res;
	u.trashfd = -1;
	u.trash_errno = 0;
	/* In table order, which is cheaper; the order does not matter. */
	for (i = 0; i < md->used; i++) {
		m = &md->msg[i];
		/* Deleted, or neither in new/ nor retrieved: nothing to do. */
		if ((m->flags & MSG_STALE) || ((m->flags & MSG_DELE) == 0 &&
		    (m->flags & (MSG_NEW | MSG_SEEN)) == 0))
			continue;
		dirfd = m->flags & MSG_NEW ? md->newfd : md->curfd;
		if (m->flags & MSG_DELE) {
			if (remove_one(&u, m, dirfd, md->names + m->name,
			    m->flags & MSG_NEW) == 0)
				continue;
		} else if (move_one(md, m, dirfd, md->names + m->name,
		    m->flags & MSG_NEW, res) == 0)
			continue;
		/* ENOENT: renamed by someone else since the scan. */
		if (miss == NULL &&
		    (miss = calloc(md->used, sizeof(*miss))) == NULL) {
			if (m->flags & MSG_DELE)
				undeletable(&u, m, errno);
			else {
				res->unmoved++;
				if (res->error == 0)
					res->error = errno;
			}
			continue;
		}
		miss[n].ino = m->ino;
		miss[n].idx = (uint32_t)i;
		miss[n++].done = false;
	}
	if (n > 0) {
		errno = 0;
		find_moved(&u, miss, n);
	}
	free(miss);
	/* The trash: what has been there long enough goes (trash.h). */
	if (opts != NULL && opts->trash > 0) {
		if (u.trashfd == -1 && u.trash_errno == 0)
			u.trashfd = trash_open(md->lockfd, false);
		if (u.trashfd != -1) {
			trash_purge(u.trashfd, opts->trash, opts->now, &tp);
			res->purged = tp.purged;
			res->purge_error = tp.error;
		} else if (errno != ENOENT)
			res->purge_error = errno;
	}
	if (u.trashfd != -1)
		(void)close(u.trashfd);	/* a directory; nothing to lose */
	if (res->undeleted > 0) {
		errno = res->error;
		return -1;
	}
	return 0;
}
