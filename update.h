/* SPDX-License-Identifier: ISC */
/*
 * update.h: the UPDATE state on disk (RFC 1939 s.6) for the Maildir
 * model (maildir.h).
 */
#ifndef UPDATE_H
#define UPDATE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct maildir;

struct commit_result {
	size_t	 deleted;	/* marked messages gone from the maildrop:
				   unlinked, trashed, or gone already */
	uint64_t deleted_octets;	/* their sizes (msg.size) */
	size_t	 undeleted;	/* marked messages that could not be */
	uint64_t undeleted_octets;
	size_t	 trashed;	/* of the deleted, moved into .Trash */
	uint64_t trashed_octets;
	size_t	 moved;		/* new/ -> cur/ renames, flag changes */
	size_t	 unmoved;	/* renames that failed; mail is safe */
	size_t	 renamed;	/* found under a name another program gave */
	int	 error;		/* errno of the first failure, or 0 */
	size_t	 purged;	/* files older than -K days unlinked */
	int	 purge_error;	/* errno of the purge's first failure */
};

/* How UPDATE deletes. */
struct update_opts {
	long	 trash;		/* -K days (trash.h), or -1: unlink */
	time_t	 now;		/* the time the purge measures from */
};

/*
 * Unlinks messages marked MSG_DELE (or, with opts->trash >= 0, moves
 * them into .Trash/cur with the T flag, trash.h), moves the rest of
 * new/ to cur/NAME:2, and adds the S flag to MSG_SEEN ones, never
 * replacing an existing file.  A message another program renamed since
 * the scan (its flags changed, or it moved to cur/) is found by the
 * unique part of its name and its inode, and handled under its new
 * name; one that is in neither directory any more was deleted
 * elsewhere, which counts as done.  With the trash on, it then purges
 * the trash (trash_purge()).  Returns 0, or -1 if some marked message
 * could not be deleted (see res); a message that could not be trashed
 * stays where it is, as one that could not be unlinked.  opts NULL:
 * unlink.
 */
int	maildir_update(struct maildir *, const struct update_opts *opts,
	    struct commit_result *res);

/* maildir_update() without the trash. */
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
