/* SPDX-License-Identifier: ISC */
/*
 * maildir.h: the Maildir model: the frozen message table, the
 * per-Maildir lock, and opening a message.  The modules around it:
 *	mdname.h	what a file name says (",W=", the UPDATE name); pure
 *	scan.h		fills the table from new/ and cur/
 *	cache.h		matches the size cache (sizes.h) during the scan,
 *			writes it back after UPDATE
 *	update.h	the UPDATE state: unlinks and renames
 * Knows nothing of the client or the protocol; never exits, logs or
 * writes to the client.  Functions return 0 or -1 with errno set
 * unless stated otherwise.
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
#define MSG_TWIN	0x20	/* another file has its unique name: UIDL */

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
	int		 lockfd, newfd, curfd;	/* root, new/, cur/ */
	int		 lockfile;	/* MAILDIR_LOCK, locked; or -1 */
};

/* Zeroes md; call before anything else, so maildir_close() is safe. */
void		 maildir_init(struct maildir *, size_t max);

/* The lock file in the Maildir root (maildir_enter()). */
#define MAILDIR_LOCK	"pop3d.lock"

/*
 * chdir()s into path and takes the exclusive per-Maildir lock: an
 * fcntl(2) lock on MAILDIR_LOCK, created if need be, which works on
 * NFSv4 too, and flock(2) on the directory, which earlier versions
 * took (where the root cannot be written, flock(2) alone).  The kernel
 * drops both when the process dies.  errno is EWOULDBLOCK if another
 * session holds either, ENOENT or ENOTDIR if path, new/ or cur/ is
 * missing.  After a failure the process may already be in path; call
 * maildir_close() and give up.
 */
int		 maildir_enter(struct maildir *, const char *path);

/* Message i (from 0, in message order). Valid until close. */
struct msg	*maildir_msg(const struct maildir *, size_t i);

/* The file name of message i (no directory). Valid until close. */
const char	*maildir_name(const struct maildir *, size_t i);

/*
 * Writes message i's unique-id and a NUL into out: the one in
 * md->given if set (migrate.h), else the name up to the
 * first ':' when that is a valid unique-id (RFC 1939 s.7), otherwise
 * the hex MD5 of it.  A MSG_TWIN message (scan.h: the unique part of
 * the name is another file's too) gets the hex MD5 of that part, a
 * '/' and its inode number in decimal instead, so that no two
 * messages of the maildrop share a unique-id.  Returns its length.
 */
size_t		 maildir_uidl(const struct maildir *, size_t i,
		    char out[POP3_UIDL_MAX + 1]);

/*
 * Opens message i for reading: O_NONBLOCK and O_NOFOLLOW, and it must
 * still be a regular file, so nothing planted in the Maildir can hang
 * or redirect the session.  A message another program renamed since
 * the scan is opened under its new name (maildir_find_moved()), if it
 * is still the same inode.  *bytes is its length on disk.  Returns an
 * fd, or -1 with errno set: ENOENT if the message is in neither new/
 * nor cur/ any more (deleted or moved away elsewhere).
 */
int		 maildir_open(const struct maildir *, size_t i,
		    uint64_t *bytes);

/*
 * A message that is not under the name the scan saw.  Another program
 * renamed it since: a flag change by a mail client (over IMAP, or on
 * the same disk), or its own move from new/ to cur/.  Such a rename
 * keeps the unique part of the name (up to the first ':') and the
 * inode, and the two together find it again.
 */
struct maildir_moved {
	uint64_t	 ino;		/* md->msg[idx].ino */
	uint32_t	 idx;		/* the entry in md->msg */
	bool		 done;		/* found: found() was called */
};

/*
 * Looks for the n messages of miss[] (it sorts them by inode): one
 * pass over cur/, then one over new/, and for each entry there that
 * has the inode and the unique part of a message's name, marks it
 * done and calls found(arg, that element, dirfd, name, isnew): dirfd
 * is md->curfd or md->newfd, name the entry's name (valid during the
 * call only), isnew whether it is new/.  found returns 1 to stop the
 * search, 0 to go on.  Only opens directories for reading, as the
 * sandbox allows.  Returns 0 once both directories were read or found
 * stopped it; -1 with errno set if a directory could not be read (the
 * elements not done may be anywhere then).  Used by UPDATE for DELE
 * and flags (update.h) and by maildir_open() for RETR and TOP.
 */
int		 maildir_find_moved(const struct maildir *,
		    struct maildir_moved *miss, size_t n,
		    int (*found)(void *, struct maildir_moved *, int,
		    const char *, bool), void *arg);

/* Releases memory, descriptors and the lock. */
void		 maildir_close(struct maildir *);

/*
 * For the modules that fill the table (scan.c, cache.c).
 */
struct stat;
/* Makes room for want entries; EFBIG past max plus the cached ones. */
int		 maildir_grow(struct maildir *, size_t want);
/* Makes room for n more bytes of names. */
int		 maildir_name_room(struct maildir *, size_t n);
/* Copies a name of len bytes into the arena; *off is where. */
int		 maildir_add_name(struct maildir *, const char *, size_t len,
		    uint32_t *off);
/*
 * Opens name in dirfd for reading if it is a regular file, and fills
 * *st; never follows a link, never blocks on a FIFO.  An fd, or -1.
 */
int		 maildir_open_regular(int dirfd, const char *name,
		    struct stat *st);

#endif /* MAILDIR_H */
