/*
 * maildir.h: the Maildir model.  Scans new/ and cur/ relative to the
 * current directory, keeps a frozen message table, opens messages and
 * commits the UPDATE state.  Knows nothing of the client or the
 * protocol; never exits, logs or writes to the client.  Functions
 * return 0 or -1 with errno set unless stated otherwise.
 */
#ifndef MAILDIR_H
#define MAILDIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "params.h"

#define MSG_NEW		0x01	/* lives in new/ */
#define MSG_DELE	0x02	/* marked by DELE */
#define MSG_SEEN	0x04	/* sent in full by RETR: add the S flag */
#define MSG_STALE	0x08	/* from the size cache, not (yet) on disk */
#define MSG_WRONG	0x10	/* RETR sent another size: do not cache */

struct msg {
	uint64_t	 size;	/* octets RETR sends (proto_size) */
	int64_t		 mtime;
	uint64_t	 ino;	/* d_ino; with the name, the size cache key */
	uint32_t	 name;	/* offset of the file name in the arena */
	uint8_t		 flags;
};

/*
 * The table keeps entries in the order the scan met the files (so the
 * size cache can be matched in one pass next time); ord[] gives the
 * message order.  Message number n is msg[ord[n - 1]].
 */
struct maildir {
	struct msg	*msg;		/* entries, in the order found */
	size_t		 used;		/* entries in msg */
	size_t		 cap;		/* slots allocated in msg, ord, seen */
	uint32_t	*ord;		/* oldest first by mtime, then name */
	uint32_t	*seen;		/* entries the scan found, in order */
	size_t		 count;		/* messages: entries in ord */
	size_t		 max;		/* refuse more messages than this */
	char		*names;		/* arena of NUL-terminated names */
	size_t		 nlen, ncap;
	uint64_t	 total;		/* sum of sizes */
	size_t		 skipped;	/* unreadable entries left out */
	size_t		 cached;	/* entries from the size cache */
	size_t		 hits;		/* of them, files found on disk */
	size_t		 found;		/* entries in seen */
	size_t		 cursor;	/* the cached entry the scan expects */
	uint32_t	*hash;		/* cached entries by inode, if needed */
	size_t		 hmask;
	bool		 dirty;		/* the size cache needs rewriting */
	const char	**given;	/* per entry: a unique-id from the old
					   server's list, or NULL (migrate.h) */
	int		 lockfd, newfd, curfd;
};

struct commit_result {
	size_t	 deleted;	/* files unlinked */
	size_t	 undeleted;	/* marked files that could not be */
	size_t	 moved;		/* new/ -> cur/ renames, flag changes */
	size_t	 unmoved;	/* renames that failed; mail is safe */
	int	 error;		/* errno of the first failure, or 0 */
};

/* Zeroes md; call before anything else, so maildir_close() is safe. */
void		 maildir_init(struct maildir *, size_t max);

/*
 * chdir()s into path and takes the exclusive lock on it (flock(2) on
 * the directory; the kernel drops it when the process dies).  errno
 * is EWOULDBLOCK if another session holds it, ENOENT or ENOTDIR if
 * path, new/ or cur/ is missing.  After a failure the process may
 * already be in path; call maildir_close() and give up.
 */
int		 maildir_enter(struct maildir *, const char *path);

/*
 * Builds the message table: regular files in new/ and cur/, not dot
 * files, oldest first by mtime, ties by name.  Sizes are exact: a
 * ",W=N" in the name is trusted, otherwise the file is read, unless
 * the size cache (sizes.h) knows the file by name and inode; then
 * neither size nor mtime costs a system call.  errno EFBIG means more
 * than md->max messages.
 */
int		 maildir_scan(struct maildir *);

/*
 * Message i was sent in full and came to `sent` octets: if that is
 * not the size we announced, the file changed under its name (a
 * Maildir never does that), so the size is not cached again.
 * Returns true if the sizes agree.
 */
bool		 maildir_sent(struct maildir *, size_t i, uint64_t sent);

/*
 * Rewrites the size cache if this session learnt anything new, with
 * the names maildir_commit() gave the files.  Call after the commit;
 * a failure costs only speed.
 */
int		 maildir_save(struct maildir *);

/* Message i (from 0, in message order). Valid until close. */
struct msg	*maildir_msg(const struct maildir *, size_t i);

/* The file name of message i (no directory). Valid until close. */
const char	*maildir_name(const struct maildir *, size_t i);

/*
 * Writes message i's unique-id and a NUL into out: the one in
 * md->given if set, else the name up to the first ':' when that is a
 * valid unique-id (RFC 1939 s.7), otherwise the hex MD5 of it.
 * Returns its length.
 */
size_t		 maildir_uidl(const struct maildir *, size_t i,
		    char out[POP3_UIDL_MAX + 1]);

/*
 * Opens message i for reading: O_NONBLOCK and O_NOFOLLOW, and it must
 * still be a regular file, so nothing planted in the Maildir can hang
 * or redirect the session.  *bytes is its length on disk.  Returns an
 * fd, or -1 with errno set.
 */
int		 maildir_open(const struct maildir *, size_t i,
		    uint64_t *bytes);

/*
 * The UPDATE state (RFC 1939 s.6): unlinks messages marked MSG_DELE,
 * moves the rest of new/ to cur/NAME:2, and adds the S flag to
 * MSG_SEEN ones, never replacing an existing file.  A file that has
 * gone already counts as done.  Returns 0, or -1 if some marked
 * message could not be deleted (see res).
 */
int		 maildir_commit(struct maildir *, struct commit_result *res);

/* Releases memory, descriptors and the lock. */
void		 maildir_close(struct maildir *);

#endif /* MAILDIR_H */
