/* SPDX-License-Identifier: ISC */
/*
 * cache.c: matching the size cache (sizes.c owns its format) against
 * the files the scan finds, and writing it back after UPDATE.  What a
 * cached entry is trusted for is decided here (see cache_load()).
 */
#include "cache.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "maildir.h"
#include "mdname.h"
#include "sizes.h"

/* Room for a name, ":2," and every flag letter. */
#define NAME_BUF	(POP3_NAME_MAX + 64)

static size_t	slot_of(const struct maildir *, uint64_t);
static int	make_hash(struct maildir *);
static bool	same_file(const struct maildir *, const struct msg *,
		    const char *, size_t, uint64_t);

static size_t
slot_of(const struct maildir *md, uint64_t ino)
{
	return (size_t)((ino * 0x9e3779b97f4a7c15ULL) >> 32) & md->hmask;
}

/*
 * Fills the table from the size cache, every entry MSG_STALE until the
 * scan finds its file, and ord[] from the ranks.  A cache that fails
 * any check is ignored as a whole.
 *
 * What a cached entry is trusted for, and why (see also
 * doc/performance.md):
 * - It is used only for a file that readdir(3) returns now, as a
 *   regular file, under the same unique name (up to ':') and with the
 *   same inode number.  Which messages exist always comes from the
 *   directories, never from the cache, so the cache can neither lose
 *   nor add a message.
 * - The size: a Maildir file never changes its content once it is in
 *   new/ or cur/ (maildir(5)); programs that change flags rename it,
 *   which keeps the inode, and programs that rewrite a message write
 *   a new file, which gets a new inode.  So the size computed when
 *   the entry was written is still the size.  A file rewritten in
 *   place breaks the Maildir rules; RETR counts what it sends and a
 *   difference stops the entry from being cached again.
 * - The mtime, for the order: the same argument; renames keep it.
 *   Someone who touch(1)es a message afterwards moves it in the order
 *   only when its entry is next rebuilt; the order within a session
 *   is still a strict total order over exactly the files on disk.
 * - The file is ours: owned by us and writable by no one else (checked
 *   in sizes.c).  Forging it takes the rights that could just as well
 *   rename a message to a false ",W=N", which DESIGN.md trusts.
 */
void
cache_load(struct maildir *md)
{
	static struct sizes	 z;
	struct sizes_rec	 r;
	struct msg		*m;
	size_t			 i, off;

	if (sizes_open(&z, md->lockfd, md->max) == -1) {
		md->dirty = true;	/* none, or a bad one: write anew */
		return;
	}
	if (maildir_grow(md, z.count) == -1 ||
	    maildir_name_room(md, z.nbytes) == -1)
		goto fail;
	for (i = 0; i < z.count; i++)
		md->ord[i] = UINT32_MAX;
	for (i = 0; i < z.count; i++) {
		/* Each rank once: a permutation of the records. */
		if (sizes_read(&z, &r) == -1 || md->ord[r.rank] != UINT32_MAX)
			goto fail;
		md->ord[r.rank] = (uint32_t)i;
		m = &md->msg[i];
		m->size = r.size;
		m->mtime = r.mtime;
		m->ino = r.ino;
		m->flags = MSG_STALE | (r.isnew ? MSG_NEW : 0);
	}
	/* Checked there: count NUL-terminated names, nbytes in all. */
	if (sizes_read_names(&z, md->names) == -1)
		goto fail;
	for (i = off = 0; i < z.count; i++) {
		md->msg[i].name = (uint32_t)off;
		off += strlen(md->names + off) + 1;
	}
	sizes_close(&z, -1);
	md->nlen = off;
	md->used = md->cached = z.count;
	return;
fail:
	sizes_close(&z, -1);
	md->dirty = true;
}

/* Indexes the cached entries by inode, for files met out of order. */
static int
make_hash(struct maildir *md)
{
	size_t	slots, i, h;

	for (slots = 16; slots < 2 * md->cached; slots *= 2)
		continue;
	if ((md->hash = calloc(slots, sizeof(*md->hash))) == NULL)
		return -1;
	md->hmask = slots - 1;
	for (i = 0; i < md->cached; i++) {
		for (h = slot_of(md, md->msg[i].ino); md->hash[h] != 0;
		    h = (h + 1) & md->hmask)
			continue;
		md->hash[h] = (uint32_t)i + 1;
	}
	return 0;
}

/* Whether cached entry m, not yet found, is this file. */
static bool
same_file(const struct maildir *md, const struct msg *m, const char *name,
    size_t ulen, uint64_t ino)
{
	const char	*n = md->names + m->name;

	return m->ino == ino && (m->flags & MSG_STALE) &&
	    strncmp(n, name, ulen) == 0 && (n[ulen] == ':' || n[ulen] == '\0');
}

/*
 * The cached entry for this unique name and inode.  The scan meets
 * files in the order of the last scan while the directories are
 * unchanged, so the entry after the last one found is tried first,
 * and usually has the very same name.
 */
struct msg *
cache_lookup(struct maildir *md, const char *name, uint64_t ino)
{
	struct msg	*m;
	size_t		 h, i, ulen;

	if (md->cursor < md->cached) {
		m = &md->msg[md->cursor];
		if (m->ino == ino && (m->flags & MSG_STALE) &&
		    strcmp(md->names + m->name, name) == 0) {
			md->cursor++;
			return m;
		}
	}
	if (md->cached == 0 || (md->hash == NULL && make_hash(md) == -1))
		return NULL;	/* then it is read again: slower, still right */
	ulen = strcspn(name, ":");
	for (h = slot_of(md, ino); md->hash[h] != 0; h = (h + 1) & md->hmask) {
		i = md->hash[h] - 1;
		m = &md->msg[i];
		if (same_file(md, m, name, ulen, ino)) {
			md->cursor = i + 1;
			return m;
		}
	}
	return NULL;
}

void
cache_done(struct maildir *md)
{
	free(md->hash);
	md->hash = NULL;
}

bool
maildir_sent(struct maildir *md, size_t i, uint64_t sent)
{
	struct msg	*m = maildir_msg(md, i);

	if (m->size == sent)
		return true;
	m->flags |= MSG_WRONG;
	md->dirty = true;
	return false;
}

/*
 * Writes the cache in the order this scan met the files, each with
 * its place among the messages written, under the name
 * maildir_commit() gave it (see cache_lookup() for why that is safe
 * even if a rename failed).
 */
int
maildir_save(struct maildir *md)
{
	static struct sizes	 z;
	struct sizes_rec	 r;
	const struct msg	*m;
	const char		*name;
	char			 to[NAME_BUF];
	uint32_t		*rank;
	size_t			 i, n = 0;
	int			 moved;

	if (!md->dirty)
		return 0;
	/* Ranks count only the entries that are written. */
	if ((rank = calloc(md->used + 1, sizeof(*rank))) == NULL)
		return -1;
	for (i = 0; i < md->count; i++)
		if ((maildir_msg(md, i)->flags & (MSG_DELE | MSG_WRONG)) == 0)
			rank[md->ord[i]] = (uint32_t)n++;
	if (sizes_create(&z, md->lockfd) == -1)
		goto fail;
	for (i = 0; i < md->found; i++) {
		m = &md->msg[md->seen[i]];
		if (m->flags & (MSG_DELE | MSG_WRONG))
			continue;
		moved = mdname_target(md->names + m->name, m->flags & MSG_NEW,
		    m->flags & MSG_SEEN, to, sizeof(to));
		r.size = m->size;
		r.mtime = m->mtime;
		r.ino = m->ino;
		r.rank = rank[md->seen[i]];
		r.isnew = (m->flags & MSG_NEW) && moved != 1;
		if (sizes_write(&z, &r) == -1)
			goto fail;
	}
	for (i = 0; i < md->found; i++) {
		m = &md->msg[md->seen[i]];
		if (m->flags & (MSG_DELE | MSG_WRONG))
			continue;
		name = md->names + m->name;
		if (mdname_target(name, m->flags & MSG_NEW, m->flags & MSG_SEEN,
		    to, sizeof(to)) == 1)
			name = to;
		/* Too long a name fails here; the cache is then not written. */
		if (sizes_write_name(&z, name, strlen(name)) == -1)
			goto fail;
	}
	free(rank);
	if (sizes_commit(&z, md->lockfd) == -1)
		return -1;
	md->dirty = false;
	/* What writers killed mid-write left (sizes.h); costs no mail. */
	(void)sizes_sweep(md->lockfd, time(NULL));
	return 0;
fail:
	free(rank);
	sizes_close(&z, md->lockfd);
	return -1;
}
