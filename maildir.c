/*
 * maildir.c: the Maildir model (see maildir.h).  Trusts neither file
 * names nor contents: names are length-checked and never used as
 * paths outside new/ and cur/, files are opened without following
 * links and must be regular.  Reports with return values and errno;
 * never exits, logs or talks to the client.
 */
#define _GNU_SOURCE		/* renameat2, RENAME_NOREPLACE, flock */

#include "maildir.h"

#include <sys/file.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <md5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto.h"
#include "sizes.h"

/* Room for a name, ":2," and every flag letter. */
#define NAME_BUF	(POP3_NAME_MAX + 64)

static int	grow(struct maildir *, size_t);
static int	name_room(struct maildir *, size_t);
static int	add_name(struct maildir *, const char *, size_t, uint32_t *);
static int	add_msg(struct maildir *, const char *, size_t, int64_t,
		    uint64_t, uint64_t, bool);
static void	load_cache(struct maildir *);
static size_t	slot_of(const struct maildir *, uint64_t);
static int	make_hash(struct maildir *);
static bool	same_file(const struct maildir *, const struct msg *,
		    const char *, size_t, uint64_t);
static struct msg *lookup(struct maildir *, const char *, uint64_t);
static int	scan_dir(struct maildir *, int, bool);
static int	name_size(const char *, uint64_t *);
static int	open_regular(int, const char *, struct stat *);
static int	file_size(int, const char *, uint64_t *, int64_t *);
static int	msg_cmp(const struct maildir *, const struct msg *,
		    const struct msg *);
static bool	ord_less(const struct maildir *, uint32_t, uint32_t);
static void	sift(const struct maildir *, uint32_t *, size_t, size_t);
static void	sort_ord(const struct maildir *, uint32_t *, size_t);
static void	finish_scan(struct maildir *);
static int	target_name(const char *, bool, bool, char *, size_t);
static int	move_file(int, const char *, int, const char *);

void
maildir_init(struct maildir *md, size_t max)
{
	memset(md, 0, sizeof(*md));
	md->max = max;
	md->lockfd = md->newfd = md->curfd = -1;
}

int
maildir_enter(struct maildir *md, const char *path)
{
	if (chdir(path) == -1)
		return -1;
	if ((md->lockfd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	if (flock(md->lockfd, LOCK_EX | LOCK_NB) == -1)
		return -1;
	if ((md->newfd = open("new", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	if ((md->curfd = open("cur", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	return 0;
}

/* ",W=N" in the name (before any ':') gives the CRLF size; 1 if so. */
static int
name_size(const char *name, uint64_t *size)
{
	const char	*p = name, *end = strchr(name, ':');
	uint64_t	 v;

	if (end == NULL)
		end = name + strlen(name);
	/* Each ",W=" is tried once; p never passes end. */
	while ((p = strstr(p, ",W=")) != NULL && p < end) {
		p += 3;
		v = 0;
		/* Eighteen digits cannot overflow 64 bits. */
		while (p < end && *p >= '0' && *p <= '9' &&
		    v < 100000000000000000ULL)
			v = v * 10 + (uint64_t)(*p++ - '0');
		if (p > name && p[-1] >= '0' && p[-1] <= '9' &&
		    (p == end || *p == ',')) {
			*size = v;
			return 1;
		}
	}
	return 0;
}

/*
 * Opens name in dirfd for reading if it is a regular file, and fills
 * *st.  O_NONBLOCK: a FIFO planted in the Maildir cannot hang us;
 * O_NOFOLLOW: a link cannot lead elsewhere.  Returns an fd, or -1.
 */
static int
open_regular(int dirfd, const char *name, struct stat *st)
{
	int	fd, e;

	fd = openat(dirfd, name, O_RDONLY | O_NONBLOCK | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd == -1)
		return -1;
	if (fstat(fd, st) == -1)
		goto fail;
	if (!S_ISREG(st->st_mode)) {
		errno = EINVAL;
		goto fail;
	}
	return fd;
fail:
	e = errno;
	(void)close(fd);	/* read-only fd; nothing to lose */
	errno = e;
	return -1;
}

/*
 * Reads a message to learn its size, and its mtime from the same
 * descriptor.  Stops after as many bytes as fstat(2) reported, which
 * saves a read(2) that would only say end of file.
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

	if ((fd = open_regular(dirfd, name, &st)) == -1)
		return -1;
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

/* Makes room for want entries in all. */
static int
grow(struct maildir *md, size_t want)
{
	struct msg	*m;
	uint32_t	*o;
	size_t		 cap;

	if (want <= md->cap)
		return 0;
	/*
	 * The table holds at most the cached entries plus md->max found
	 * ones, both at most POP3_MSGS_LIMIT: no product can overflow.
	 */
	if (want > md->max + md->cached) {
		errno = EFBIG;
		return -1;
	}
	cap = md->cap == 0 ? 256 : md->cap * 2;
	if (cap < want)
		cap = want;
	if (cap > md->max + md->cached)
		cap = md->max + md->cached;
	if ((m = realloc(md->msg, cap * sizeof(*m))) == NULL)
		return -1;
	md->msg = m;
	if ((o = realloc(md->ord, cap * sizeof(*o))) == NULL)
		return -1;
	md->ord = o;
	if ((o = realloc(md->seen, cap * sizeof(*o))) == NULL)
		return -1;
	md->seen = o;
	md->cap = cap;
	return 0;
}

/* Makes room for n more bytes of names. */
static int
name_room(struct maildir *md, size_t n)
{
	char	*p;
	size_t	 cap;

	if (n <= md->ncap - md->nlen)
		return 0;
	cap = md->ncap == 0 ? 65536 : md->ncap;
	while (n > cap - md->nlen) {
		/* Offsets are 32 bits. */
		if (cap > UINT32_MAX / 2) {
			errno = EFBIG;
			return -1;
		}
		cap *= 2;
	}
	if ((p = realloc(md->names, cap)) == NULL)
		return -1;
	md->names = p;
	md->ncap = cap;
	return 0;
}

/* Copies a name of len bytes into the arena; *off is where. */
static int
add_name(struct maildir *md, const char *name, size_t len, uint32_t *off)
{
	if (name_room(md, len + 1) == -1)
		return -1;
	*off = (uint32_t)md->nlen;
	memcpy(md->names + md->nlen, name, len);
	md->names[md->nlen + len] = '\0';
	md->nlen += len + 1;
	return 0;
}

static int
add_msg(struct maildir *md, const char *name, size_t len, int64_t mtime,
    uint64_t ino, uint64_t size, bool isnew)
{
	struct msg	*m;
	uint32_t	 off;

	if (grow(md, md->used + 1) == -1 ||
	    add_name(md, name, len, &off) == -1)
		return -1;
	m = &md->msg[md->used++];
	m->size = size;
	m->mtime = mtime;
	m->ino = ino;
	m->name = off;
	m->flags = isnew ? MSG_NEW : 0;
	return 0;
}

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
 * What a cached entry is trusted for, and why (see also README):
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
static void
load_cache(struct maildir *md)
{
	static struct sizes	 z;
	struct sizes_rec	 r;
	struct msg		*m;
	size_t			 i, off;

	if (sizes_open(&z, md->lockfd, md->max) == -1) {
		md->dirty = true;	/* none, or a bad one: write anew */
		return;
	}
	if (grow(md, z.count) == -1 || name_room(md, z.nbytes) == -1)
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
static struct msg *
lookup(struct maildir *md, const char *name, uint64_t ino)
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
		m = lookup(md, de->d_name, (uint64_t)de->d_ino);
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
				if (add_name(md, de->d_name, len, &off) == -1)
					goto fail;
				m->name = off;
				md->dirty = true;
			}
			md->found++;
			continue;
		}
		if (name_size(de->d_name, &size) == 1) {
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

	free(md->hash);
	md->hash = NULL;
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

int
maildir_scan(struct maildir *md)
{
	load_cache(md);
	if (scan_dir(md, md->newfd, true) == -1 ||
	    scan_dir(md, md->curfd, false) == -1) {
		free(md->hash);
		md->hash = NULL;
		return -1;
	}
	finish_scan(md);
	return 0;
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
 * maildir_commit() gave it (see lookup() for why that is safe even
 * if a rename failed).
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
		moved = target_name(md->names + m->name, m->flags & MSG_NEW,
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
		if (target_name(name, m->flags & MSG_NEW, m->flags & MSG_SEEN,
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
	return 0;
fail:
	free(rank);
	sizes_close(&z, md->lockfd);
	return -1;
}

struct msg *
maildir_msg(const struct maildir *md, size_t i)
{
	return &md->msg[md->ord[i]];
}

const char *
maildir_name(const struct maildir *md, size_t i)
{
	return md->names + maildir_msg(md, i)->name;
}

size_t
maildir_uidl(const struct maildir *md, size_t i, char out[POP3_UIDL_MAX + 1])
{
	const char	*name = maildir_name(md, i);
	size_t		 len = strcspn(name, ":");

	if (md->given != NULL && md->given[md->ord[i]] != NULL) {
		name = md->given[md->ord[i]];
		len = strlen(name);	/* checked in uidmap.c: 1..70 */
	}
	if (proto_uidl_ok(name, len)) {
		memcpy(out, name, len);
		out[len] = '\0';
		return len;
	}
	(void)MD5Data((const uint8_t *)name, len, out);
	return 32;
}

int
maildir_open(const struct maildir *md, size_t i, uint64_t *bytes)
{
	struct stat	st;
	int		fd;

	if (i >= md->count) {
		errno = EINVAL;
		return -1;
	}
	fd = open_regular(maildir_msg(md, i)->flags & MSG_NEW ? md->newfd :
	    md->curfd, maildir_name(md, i), &st);
	if (fd != -1)
		*bytes = (uint64_t)st.st_size;
	return fd;
}

/*
 * The name a message gets at UPDATE: new/ mail moves to cur/ with
 * ":2," (maildir(5)); RETR'd mail gains "S", flags kept in ASCII
 * order.  Returns 1 if out differs from name, 0 if no move is
 * needed, -1 if it does not fit.
 */
static int
target_name(const char *name, bool isnew, bool seen, char *out, size_t size)
{
	const char	*colon = strchr(name, ':'), *f;
	size_t		 pre, o;
	int		 n;

	if (colon == NULL) {
		if (!isnew && !seen)
			return 0;
		n = snprintf(out, size, "%s:2,%s", name, seen ? "S" : "");
		return n < 0 || (size_t)n >= size ? -1 : 1;
	}
	/* Unknown info semantics, or S already there: keep the name. */
	if (strncmp(colon, ":2,", 3) != 0 || !seen ||
	    strchr(colon + 3, 'S') != NULL) {
		if (!isnew)
			return 0;
		n = snprintf(out, size, "%s", name);
		return n < 0 || (size_t)n >= size ? -1 : 1;
	}
	if (strlen(name) + 2 > size)
		return -1;
	pre = (size_t)(colon + 3 - name);
	memcpy(out, name, pre);
	o = pre;
	for (f = colon + 3; *f != '\0' && (unsigned char)*f < 'S'; f++)
		out[o++] = *f;
	out[o++] = 'S';
	for (; *f != '\0'; f++)
		out[o++] = *f;
	out[o] = '\0';
	return 1;
}

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
		r = target_name(md->names + m->name, m->flags & MSG_NEW,
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

void
maildir_close(struct maildir *md)
{
	free(md->msg);
	free(md->ord);
	free(md->seen);
	free(md->hash);
	free(md->names);
	if (md->newfd != -1)
		(void)close(md->newfd);
	if (md->curfd != -1)
		(void)close(md->curfd);
	if (md->lockfd != -1)
		(void)close(md->lockfd);	/* drops the lock */
	maildir_init(md, md->max);
}
