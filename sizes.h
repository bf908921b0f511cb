/* SPDX-License-Identifier: ISC */
/*
 * sizes.h: the size cache, "pop3d.sizes" in the Maildir root.  It
 * remembers, per message file, what pop3d learnt the expensive way
 * (the exact size, which needs the whole file read, and the mtime,
 * which needs a stat), so that a later session can list the Maildir
 * with one readdir pass.  This module owns only the file format; what
 * an entry may be trusted for is decided in cache.c.
 *
 * The file lives in a directory the user can write, so reading treats
 * it as untrusted input: it must be a regular file owned by us, not
 * writable by group or others, with one link; every length and name
 * is checked, the file must end exactly where the header says, and a
 * checksum over it must match.  Anything else makes the whole file be
 * ignored (never trusted in part).
 *
 * Layout, integers little-endian:
 *	header	"pop3dsz2", u32 count, u32 name bytes, u64 st_dev of
 *		the Maildir, u64 checksum of all that follows	(32 bytes)
 *	records	count times: u64 size, i64 mtime, u64 inode, u32 rank
 *		(the place in message order), u32 flags (bit 0: in new/)
 *							(32 bytes each)
 *	names	count file names, each NUL-terminated, in record order;
 *		1..POP3_NAME_MAX bytes, no '/', not starting with '.'
 * Records come in the order the last scan met the files, which is the
 * order readdir(3) returns them next time too while the directories
 * do not change, so the next scan can match them one after another.
 *
 * Writing goes to "pop3d.sizes.tmp.PID", then rename(2), so a reader
 * sees the old file or the new one, whole; a crash leaves at worst a
 * file that fails the checks above.  The back end writes the cache
 * after it has given up the Maildir lock (QUIT's +OK must find the
 * maildrop free), so the next session may be writing its own at the
 * same time: each writer has its own temporary file, named by its
 * process id, and the last rename wins.  Either cache is whole and
 * either is safe to use (cache.c).  Functions return 0 or -1 with
 * errno.
 */
#ifndef SIZES_H
#define SIZES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "params.h"

#define SIZES_FILE	"pop3d.sizes"
/* The temporary file is this, a '.' and the writer's process id. */
#define SIZES_TMP	"pop3d.sizes.tmp"
#define SIZES_TMP_MAX	(sizeof(SIZES_TMP) + 24)
#define SIZES_HEADER	32
#define SIZES_REC	32
/* A larger size is damage (params.h). */
#define SIZES_SIZE_MAX	POP3_SIZE_MAX

struct sizes_rec {
	uint64_t	 size;
	int64_t		 mtime;
	uint64_t	 ino;
	uint32_t	 rank;
	bool		 isnew;
};

struct sizes {
	int		 fd;
	uint32_t	 count;		/* records in the file */
	uint32_t	 done;		/* records read or written */
	uint32_t	 names;		/* names written */
	uint64_t	 nbytes;	/* bytes of names */
	uint64_t	 dev;
	uint64_t	 sum;		/* running checksum */
	uint64_t	 want;		/* the header's checksum (reading) */
	char		 word[8];	/* names not yet in the checksum */
	size_t		 wlen;
	size_t		 start, end;	/* buffered bytes are buf[start..end) */
	char		 tmp[SIZES_TMP_MAX];	/* the file being written */
	char		 buf[POP3_CHUNK];
};

/*
 * Opens dirfd's cache for reading and checks its header: count
 * records (at most max) and nbytes of names follow.  Fails with
 * ENOENT if there is none, EINVAL if it is not to be trusted.
 */
int	sizes_open(struct sizes *, int dirfd, size_t max);

/*
 * Reads the next of the count records: 0, or -1 (EINVAL) if the file
 * is malformed.  rank is below count; only the caller can tell
 * whether the ranks are distinct.
 */
int	sizes_read(struct sizes *, struct sizes_rec *);

/*
 * After the records: reads the names into buf (nbytes of them) and
 * checks them as above, that nothing follows, and the checksum.
 */
int	sizes_read_names(struct sizes *, char *buf);

/* Starts writing SIZES_TMP.PID in dirfd. */
int	sizes_create(struct sizes *, int dirfd);
/* Appends one record; all of them come before the first name. */
int	sizes_write(struct sizes *, const struct sizes_rec *);
/* Appends the next name (1..POP3_NAME_MAX bytes), in record order. */
int	sizes_write_name(struct sizes *, const char *, size_t);
/* Finishes: one name per record, the header, rename to SIZES_FILE. */
int	sizes_commit(struct sizes *, int dirfd);

/*
 * Removes SIZES_TMP.* files in dirfd last written more than
 * SIZES_TMP_STALE seconds before now: what writers killed mid-write
 * left behind.  Returns how many it removed, or -1.
 */
int	sizes_sweep(int dirfd, time_t now);

/* Closes without committing; removes a half-written SIZES_TMP.PID. */
void	sizes_close(struct sizes *, int dirfd);

#endif /* SIZES_H */
