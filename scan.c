/* SPDX-License-Identifier: ISC */
/*
 * scan.c: building the message table from new/ and cur/ (see scan.h).
 * Which messages exist always comes from readdir(3); the size cache
 * (cache.c) only saves reading and stat(2)ing files it knows.
 */
#define _GNU_SOURCE		/* DT_REG, DT_UNKNOWN */

#include "scan.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache.h"
#include "maildir.h"
#include "mdname.h"
#include "proto.h"

static int	add_msg(struct maildir *, const char *, size_t, int64_t,
		    uint64_t, uint64_t, bool);
static int	scan_dir(struct maildir *, int, bool);
static int	file_size(int, const char *, uint64_t *, int64_t *);
static int	msg_cmp(const struct maildir *, const struct msg *,
		    const struct msg *);
static bool	ord_less(const struct maildir *, uint32_t, uint32_t);
static void	sift(const struct maildir *, uint32_t *, size_t, size_t);
static void	sort_ord(const struct maildir *, uint32_t *, size_t);
static void	finish_scan(struct maildir *);
static uint64_t	name_hash(const char *, size_t);
static bool	same_base(const char *, const char *, size_t);
static bool	older(const struct msg *, const struct msg *);
static int	mark_twins(struct maildir *);

/*
 * Reads a message to learn its size, and its mtime from the same
 * descriptor.  Stops after as many bytes as fstat(2) reported, which
 * saves a read(2) that would only say end of file.  A file whose size
 * with CRLF (at most twice its length, and a final CRLF) could pass
 * POP3_SIZE_MAX is refused with EFBIG.
 */
static int
file_size(int dirfd, const char *name, uint64_t *size, int64_t *mtime)
{
	static char	buf[POP3_CHUNK];
	struct sizer	sz = SIZER_INIT;
	struct stat	st;
	uint64_t	got = 0;
	ssize_t		r;
	int		fd, e;

	if ((fd = maildir_open_regular(dirfd, name, &st)) == -1)
		return -1;
	if ((uint64_t)st.st_size > POP3_SIZE_MAX / 2 - 1) {
		errno = EFBIG;
		goto fail;
	}
	while (got < (uint64_t)st.st_size) {
		r = read(fd, buf, sizeof(buf));
		if (r == 0)
			break;
		if (r == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		proto_size(&sz, buf, (size_t)r);
		got += (uint64_t)r;
	}
	(void)close(fd);	/* read-only; nothing to lose */
	*size = proto_size_end(&sz);
	*mtime = (int64_t)st.st_mtime;
	return 0;
fail:
	e = errno;
	(void)close(fd);
	errno = e;
	return -1;
}

static int
add_msg(struct maildir *md, const char *name, size_t len, int64_t mtime,
    uint64_t ino, uint64_t size, bool isnew)
{
	struct msg	*m;
	uint32_t	 off;

	if (maildir_grow(md, md->used + 1) == -1 ||
	    maildir_add_name(md, name, len, &off) == -1)
		return -1;
	m = &md->msg[md->used++];
	m->size = size;
	m->mtime = mtime;
	m->ino = ino;
	m->name = off;
	m->flags = isnew ? MSG_NEW : 0;
	return 0;
}

static int
scan_dir(struct maildir *md, int dirfd, bool isnew)
{
	struct dirent	*de;
	struct stat	 st;
	struct msg	*m;
	uint64_t	 size;
	int64_t		 mtime;
	uint32_t	 off;
	size_t		 len;
	DIR		*d;
	int		 fd, e;

	if ((fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	if ((d = fdopendir(fd)) == NULL) {
		e = errno;
		(void)close(fd);
		errno = e;
		return -1;
	}
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL) {
			if (errno != 0)
				goto fail;
			break;
		}
		len = strlen(de->d_name);
		/* Dot files are not mail; overlong names are not ours. */
		if (de->d_name[0] == '.' || len > POP3_NAME_MAX)
			continue;
		if (de->d_type == DT_UNKNOWN) {
			/* Some file systems do not say; ask. */
			if (fstatat(dirfd, de->d_name, &st,
			    AT_SYMLINK_NOFOLLOW) == -1) {
				if (errno != ENOENT)	/* gone meanwhile */
					md->skipped++;
				continue;
			}
			if (!S_ISREG(st.st_mode))
				continue;
		} else if (de->d_type != DT_REG)
			continue;
		if (md->found == md->max) {
			errno = EFBIG;
			goto fail;
		}
		m = cache_lookup(md, de->d_name, (uint64_t)de->d_ino);
		if (m != NULL) {
			/* Known: no system call at all. */
			m->flags &= (uint8_t)~MSG_STALE;
			md->seen[md->found] = (uint32_t)(m - md->msg);
			md->hits++;
			if (isnew != ((m->flags & MSG_NEW) != 0)) {
				m->flags ^= MSG_NEW;
				md->dirty = true;
			}
			if (strcmp(md->names + m->name, de->d_name) != 0) {
				/* Flags changed: the same message renamed. */
				if (maildir_add_name(md, de->d_name, len,
				    &off) == -1)
					goto fail;
				m->name = off;
				md->dirty = true;
			}
			md->found++;
			continue;
		}
		if (mdname_size(de->d_name, &size) == 1) {
			/* The size is in the name; the order needs a stat. */
			if (de->d_type != DT_UNKNOWN && fstatat(dirfd,
			    de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
				if (errno != ENOENT)
					md->skipped++;
				continue;
			}
			if (!S_ISREG(st.st_mode))
				continue;
			mtime = (int64_t)st.st_mtime;
		} else if (file_size(dirfd, de->d_name, &size, &mtime) == -1) {
			if (errno != ENOENT)
				md->skipped++;
			continue;
		}
		if (add_msg(md, de->d_name, len, mtime, (uint64_t)de->d_ino,
		    size, isnew) == -1)
			goto fail;
		md->seen[md->found++] = (uint32_t)(md->used - 1);
		md->dirty = true;
	}
	(void)closedir(d);	/* a directory; nothing to lose */
	return 0;
fail:
	e = errno;
	(void)closedir(d);
	errno = e;
	return -1;
}

static int
msg_cmp(const struct maildir *md, const struct msg *a, const struct msg *b)
{
	if (a->mtime != b->mtime)
		return a->mtime < b->mtime ? -1 : 1;
	return strcmp(md->names + a->name, md->names + b->name);
}

static bool
ord_less(const struct maildir *md, uint32_t a, uint32_t b)
{
	return msg_cmp(md, &md->msg[a], &md->msg[b]) < 0;
}

/* Heap sort: in place, no recursion, no allocation, n log n. */
static void
sift(const struct maildir *md, uint32_t *a, size_t root, size_t n)
{
	uint32_t	tmp;
	size_t		child;

	while ((child = 2 * root + 1) < n) {
		if (child + 1 < n && ord_less(md, a[child], a[child + 1]))
			child++;
		if (!ord_less(md, a[root], a[child]))
			return;
		tmp = a[root];
		a[root] = a[child];
		a[child] = tmp;
		root = child;
	}
}

static void
sort_ord(const struct maildir *md, uint32_t *a, size_t n)
{
	uint32_t	tmp;
	size_t		i;

	for (i = n / 2; i > 0; i--)
		sift(md, a, i - 1, n);
	for (i = n; i > 1; i--) {
		tmp = a[0];
		a[0] = a[i - 1];
		a[i - 1] = tmp;
		sift(md, a, 0, i - 1);
	}
}

/*
 * Puts the messages in order.  The cached ones are in order already
 * (by their ranks) and the new ones usually come after them (new mail
 * is the newest), so only the new ones are sorted and one pass checks
 * the whole; a full sort is the fallback.  Whatever the cache says,
 * the result is checked to be in order.
 */
static void
finish_scan(struct maildir *md)
{
	struct msg	*prev, *m;
	size_t		 i, k = md->cached, kept;

	cache_done(md);
	/* Passes in message order jump around the table: skip them. */
	if (md->hits < md->cached) {
		md->dirty = true;	/* some files are gone */
		for (i = k = 0; i < md->cached; i++)
			if ((md->msg[md->ord[i]].flags & MSG_STALE) == 0)
				md->ord[k++] = md->ord[i];
	}
	kept = k;
	for (i = md->cached; i < md->used; i++)
		md->ord[k++] = (uint32_t)i;
	md->count = k;
	if (md->count > kept)	/* an empty Maildir has no ord at all */
		sort_ord(md, md->ord + kept, md->count - kept);
	/* One pass checks the order (the ranks are input) and sums. */
	md->total = 0;
	for (i = 0, prev = NULL; i < md->count; i++, prev = m) {
		m = &md->msg[md->ord[i]];
		if (prev != NULL && msg_cmp(md, m, prev) < 0)
			break;
		md->total += m->size;
	}
	if (i < md->count) {
		sort_ord(md, md->ord, md->count);
		md->total = 0;
		for (i = 0; i < md->count; i++)
			md->total += md->msg[md->ord[i]].size;
	}
}

/* FNV-1a over the unique part of a name. */
static uint64_t
name_hash(const char *s, size_t len)
{
	uint64_t	h = 0xcbf29ce484222325ULL;
	size_t		i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	return h;
}

/* Whether name b has the unique part a (ulen bytes, up to ':'). */
static bool
same_base(const char *a, const char *b, size_t ulen)
{
	return strncmp(a, b, ulen) == 0 && (b[ulen] == ':' || b[ulen] == '\0');
}

/* By mtime, then inode: renames keep both, so the order stays put. */
static bool
older(const struct msg *a, const struct msg *b)
{
	if (a->mtime != b->mtime)
		return a->mtime < b->mtime;
	return a->ino < b->ino;
}

/*
 * UIDLs must be unique within the maildrop (RFC 1939 s.7), and
 * maildir_uidl() makes them from the unique part of the name, which
 * two files can share: the same message in new/ and in cur/ after a
 * second delivery or a restore from a backup, or two flag variants
 * left by a broken program.  Of each such group the oldest file keeps
 * the plain UIDL, so a client that saw it before keeps its record;
 * the others are marked MSG_TWIN (maildir.h says what they get).
 * One pass with a hash table of the unique parts.
 */
static int
mark_twins(struct maildir *md)
{
	struct msg	*m, *o;
	const char	*name;
	uint32_t	*tab;
	size_t		 slots, mask, i, h, ulen;

	for (slots = 16; slots < 2 * md->count; slots *= 2)
		continue;
	if ((tab = calloc(slots, sizeof(*tab))) == NULL)
		return -1;
	mask = slots - 1;
	for (i = 0; i < md->count; i++) {
		m = &md->msg[md->ord[i]];
		name = md->names + m->name;
		ulen = strcspn(name, ":");
		for (h = (size_t)name_hash(name, ulen) & mask; tab[h] != 0;
		    h = (h + 1) & mask)
			if (same_base(name, md->names +
			    md->msg[tab[h] - 1].name, ulen))
				break;
		if (tab[h] == 0) {
			tab[h] = md->ord[i] + 1;
			continue;
		}
		o = &md->msg[tab[h] - 1];
		if (older(m, o)) {
			o->flags |= MSG_TWIN;
			tab[h] = md->ord[i] + 1;
		} else
			m->flags |= MSG_TWIN;
	}
	free(tab);
	return 0;
}

int
maildir_scan(struct maildir *md)
{
	cache_load(md);
	if (scan_dir(md, md->newfd, true) == -1 ||
	    scan_dir(md, md->curfd, false) == -1) {
		cache_done(md);
		return -1;
	}
	finish_scan(md);
	return mark_twins(md);
}
