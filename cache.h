/* SPDX-License-Identifier: ISC */
/*
 * cache.h: the size cache (sizes.h owns the file format) matched
 * against the Maildir model: loaded before the scan, consulted for
 * every file the scan meets, written back after UPDATE.
 */
#ifndef CACHE_H
#define CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct maildir;
struct msg;

/*
 * Fills the empty table from the cache, every entry MSG_STALE until
 * the scan finds its file.  A cache that fails any check is ignored
 * as a whole (and rewritten later); never fails.
 */
void		 cache_load(struct maildir *);

/*
 * The cached entry, not yet found, for this file name and inode, or
 * NULL: then the scan learns the file the slow way.
 */
struct msg	*cache_lookup(struct maildir *, const char *name,
		    uint64_t ino);

/* The scan is over: frees the lookup index. */
void		 cache_done(struct maildir *);

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

#endif /* CACHE_H */
