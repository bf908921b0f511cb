/* SPDX-License-Identifier: ISC */
/*
 * update.h: the UPDATE state on disk (RFC 1939 s.6) for the Maildir
 * model (maildir.h).
 */
#ifndef UPDATE_H
#define UPDATE_H

#include <stddef.h>

struct maildir;

struct commit_result {
	size_t	 deleted;	/* files unlinked */
	size_t	 undeleted;	/* marked files that could not be */
	size_t	 moved;		/* new/ -> cur/ renames, flag changes */
	size_t	 unmoved;	/* renames that failed; mail is safe */
	size_t	 renamed;	/* found under a name another program gave */
	int	 error;		/* errno of the first failure, or 0 */
};

/*
 * Unlinks messages marked MSG_DELE, moves the rest of new/ to
 * cur/NAME:2, and adds the S flag to MSG_SEEN ones, never replacing
 * an existing file.  A message another program renamed since the scan
 * (its flags changed, or it moved to cur/) is found by the unique part
 * of its name and its inode, and handled under its new name; one that
 * is in neither directory any more was deleted elsewhere, which counts
 * as done.  Returns 0, or -1 if some marked message could not be
 * deleted (see res).
 */
int	maildir_commit(struct maildir *, struct commit_result *res);

/*
 * Gives up the Maildir lock (maildir_enter()) once UPDATE is done, so
 * that the next session can start the moment QUIT's reply has left:
 * the lock file's descriptor is closed, and the locked descriptor of
 * the Maildir root is swapped for a fresh, unlocked one, which the
 * size cache is then written through (cache.h).  Returns 0, or -1 if
 * the root could not be opened again: then the lock stays until the
 * process ends, as it always did.
 */
int	maildir_unlock(struct maildir *);

#endif /* UPDATE_H */
