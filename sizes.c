/* SPDX-License-Identifier: ISC */
/*
 * sizes.c: the size cache file format (see sizes.h).  Reading trusts
 * nothing in the file: every length is checked before use, and a
 * file that fails any check is reported as EINVAL, never in part.
 * Never exits, logs or talks to the client.
 */
#include "sizes.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char	magic[8] = { 'p', 'o', 'p', '3', 'd', 's', 'z', '2' };

static uint64_t	mix(uint64_t, uint64_t);
static uint64_t	mix_bytes(uint64_t, const char *, size_t);
static void	put32(unsigned char *, uint32_t);
static void	put64(unsigned char *, uint64_t);
static uint32_t	get32(const unsigned char *);
static uint64_t	get64(const unsigned char *);
static int	fill(struct sizes *, size_t);
static int	flush(struct sizes *);
static int	put(struct sizes *, const void *, size_t);
static void	sum_name(struct sizes *, const char *, size_t);

/* A checksum against damage, not against forgery (see cache.c). */
static uint64_t
mix(uint64_t h, uint64_t v)
{
	h ^= v;
	h *= 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 31);
}

/* Mixes n bytes in; n is a multiple of 8 except at the very end. */
static uint64_t
mix_bytes(uint64_t h, const char *p, size_t n)
{
	uint64_t	w;

	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		h = mix(h, w);
	}
	if (n > 0) {
		w = 0;
		memcpy(&w, p, n);
		h = mix(h, w);
	}
	return h;
}

static void
put32(unsigned char *p, uint32_t v)
{
	size_t	i;

	for (i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void
put64(unsigned char *p, uint64_t v)
{
	size_t	i;

	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static uint64_t
get64(const unsigned char *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* Makes n bytes available at buf[start]: 1, 0 at end of file, -1. */
static int
fill(struct sizes *z, size_t n)
{
	ssize_t	r;

	if (z->end - z->start >= n)
		return 1;
	memmove(z->buf, z->buf + z->start, z->end - z->start);
	z->end -= z->start;
	z->start = 0;
	while (z->end < n) {
		r = read(z->fd, z->buf + z->end, sizeof(z->buf) - z->end);
		if (r == 0)
			return 0;
		if (r == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		z->end += (size_t)r;
	}
	return 1;
}

int
sizes_open(struct sizes *z, int dirfd, size_t max)
{
	const unsigned char	*h;
	struct stat		 st, dst;

	z->start = z->end = 0;
	z->done = 0;
	z->sum = 0;
	z->fd = openat(dirfd, SIZES_FILE,
	    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (z->fd == -1) {
		if (errno != ENOENT)
			errno = EINVAL;
		return -1;
	}
	if (fstat(z->fd, &st) == -1 || fstat(dirfd, &dst) == -1)
		goto fail;
	/* Ours alone: written by this user, and no one else can. */
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0 || st.st_nlink != 1)
		goto bad;
	if (fill(z, SIZES_HEADER) != 1)
		goto bad;
	h = (const unsigned char *)z->buf;
	if (memcmp(h, magic, sizeof(magic)) != 0 ||
	    get64(h + 16) != (uint64_t)dst.st_dev)
		goto bad;
	z->count = get32(h + 8);
	z->nbytes = get32(h + 12);
	z->want = get64(h + 24);
	z->dev = (uint64_t)dst.st_dev;
	z->start = SIZES_HEADER;
	/* Exactly this long; count <= max <= POP3_MSGS_LIMIT. */
	if (z->count > max || (uint64_t)st.st_size != SIZES_HEADER +
	    (uint64_t)z->count * SIZES_REC + z->nbytes ||
	    z->nbytes < (uint64_t)z->count * 2 ||
	    z->nbytes > (uint64_t)z->count * (POP3_NAME_MAX + 1))
		goto bad;
	return 0;
bad:
	errno = EINVAL;
fail:
	sizes_close(z, -1);
	return -1;
}

int
sizes_read(struct sizes *z, struct sizes_rec *r)
{
	const unsigned char	*p;
	uint32_t		 flags;
	int			 n;

	if (z->done == z->count || (n = fill(z, SIZES_REC)) == 0) {
		errno = EINVAL;
		return -1;
	}
	if (n == -1)
		return -1;
	p = (const unsigned char *)z->buf + z->start;
	r->size = get64(p);
	r->mtime = (int64_t)get64(p + 8);
	r->ino = get64(p + 16);
	r->rank = get32(p + 24);
	flags = get32(p + 28);
	r->isnew = flags & 1;
	if (flags > 1 || r->size > SIZES_SIZE_MAX || r->rank >= z->count) {
		errno = EINVAL;
		return -1;
	}
	z->sum = mix_bytes(z->sum, z->buf + z->start, SIZES_REC);
	z->start += SIZES_REC;
	z->done++;
	return 0;
}

int
sizes_read_names(struct sizes *z, char *buf)
{
	const char	*p, *end, *nul;
	size_t		 have, n = 0;
	uint32_t	 i;
	ssize_t		 r;

	if (z->done != z->count)
		goto bad;
	/* What is buffered, then the rest straight into buf. */
	have = z->end - z->start;
	if (have > z->nbytes)
		goto bad;
	if (z->nbytes == 0)		/* an empty Maildir: buf may be NULL */
		buf = z->buf;
	memcpy(buf, z->buf + z->start, have);
	z->start = z->end = 0;
	while (have < z->nbytes) {
		r = read(z->fd, buf + have, z->nbytes - have);
		if (r == 0)
			goto bad;
		if (r == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		have += (size_t)r;
	}
	/* Nothing may follow. */
	while ((r = read(z->fd, z->buf, 1)) == -1 && errno == EINTR)
		continue;
	if (r != 0)
		goto bad;
	z->sum = mix_bytes(z->sum, buf, have);
	if (z->sum != z->want)
		goto bad;
	/* count names, each one we could have written. */
	if (memchr(buf, '/', have) != NULL)
		goto bad;
	for (p = buf, end = buf + have, i = 0; i < z->count; i++) {
		if ((nul = memchr(p, '\0', (size_t)(end - p))) == NULL)
			goto bad;
		n = (size_t)(nul - p);
		if (n == 0 || n > POP3_NAME_MAX || p[0] == '.')
			goto bad;
		p = nul + 1;
	}
	if (p != end)
		goto bad;
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

int
sizes_create(struct sizes *z, int dirfd)
{
	struct stat	st;
	int		n;

	z->fd = -1;
	if (fstat(dirfd, &st) == -1)
		return -1;
	n = snprintf(z->tmp, sizeof(z->tmp), "%s.%ld", SIZES_TMP,
	    (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(z->tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	/*
	 * No live process here has our id: a leftover is from a crash.
	 * (Another host on a shared Maildir with the same id costs at
	 * most one cache that the next reader rejects, never mail.)
	 */
	if (unlinkat(dirfd, z->tmp, 0) == -1 && errno != ENOENT)
		return -1;
	z->fd = openat(dirfd, z->tmp,
	    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (z->fd == -1)
		return -1;
	z->done = z->names = 0;
	z->nbytes = 0;
	z->wlen = 0;
	z->sum = 0;
	z->dev = (uint64_t)st.st_dev;
	z->start = 0;
	memset(z->buf, 0, SIZES_HEADER);	/* filled in by commit */
	z->end = SIZES_HEADER;
	return 0;
}

static int
flush(struct sizes *z)
{
	size_t	off = 0;
	ssize_t	r;

	while (off < z->end) {
		r = write(z->fd, z->buf + off, z->end - off);
		if (r == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		off += (size_t)r;
	}
	z->end = 0;
	return 0;
}

/* Buffers n bytes (n <= the buffer) and adds them to the checksum. */
static int
put(struct sizes *z, const void *p, size_t n)
{
	if (sizeof(z->buf) - z->end < n && flush(z) == -1)
		return -1;
	memcpy(z->buf + z->end, p, n);
	z->end += n;
	return 0;
}

int
sizes_write(struct sizes *z, const struct sizes_rec *r)
{
	unsigned char	rec[SIZES_REC];

	if (z->names > 0 || z->done == UINT32_MAX ||
	    r->size > SIZES_SIZE_MAX) {
		errno = EINVAL;
		return -1;
	}
	put64(rec, r->size);
	put64(rec + 8, (uint64_t)r->mtime);
	put64(rec + 16, r->ino);
	put32(rec + 24, r->rank);
	put32(rec + 28, r->isnew ? 1 : 0);
	if (put(z, rec, sizeof(rec)) == -1)
		return -1;
	z->sum = mix_bytes(z->sum, (const char *)rec, sizeof(rec));
	z->done++;
	return 0;
}

/*
 * The reader sums the names as one string in words of 8 bytes; so
 * does this, holding back a word that is not yet complete.
 */
static void
sum_name(struct sizes *z, const char *p, size_t n)
{
	size_t	take;

	if (z->wlen > 0) {
		take = 8 - z->wlen < n ? 8 - z->wlen : n;
		memcpy(z->word + z->wlen, p, take);
		z->wlen += take;
		p += take;
		n -= take;
		if (z->wlen < 8)
			return;
		z->sum = mix_bytes(z->sum, z->word, 8);
		z->wlen = 0;
	}
	z->sum = mix_bytes(z->sum, p, n - n % 8);
	memcpy(z->word, p + n - n % 8, n % 8);
	z->wlen = n % 8;
}

int
sizes_write_name(struct sizes *z, const char *name, size_t len)
{
	if (z->names == z->done || len == 0 || len > POP3_NAME_MAX) {
		errno = EINVAL;
		return -1;
	}
	if (put(z, name, len) == -1 || put(z, "", 1) == -1)
		return -1;
	sum_name(z, name, len);
	sum_name(z, "", 1);
	z->nbytes += len + 1;
	z->names++;
	return 0;
}

int
sizes_commit(struct sizes *z, int dirfd)
{
	unsigned char	h[SIZES_HEADER];
	int		fd = z->fd;

	if (z->names != z->done || z->nbytes > UINT32_MAX) {
		errno = EINVAL;
		goto fail;
	}
	if (flush(z) == -1)
		goto fail;
	if (z->wlen > 0)
		z->sum = mix_bytes(z->sum, z->word, z->wlen);
	memcpy(h, magic, sizeof(magic));
	put32(h + 8, z->done);
	put32(h + 12, (uint32_t)z->nbytes);
	put64(h + 16, z->dev);
	put64(h + 24, z->sum);
	if (pwrite(fd, h, sizeof(h), 0) != (ssize_t)sizeof(h))
		goto fail;
	/*
	 * No fsync: after a crash the file may be empty or partial, which
	 * the reader rejects; a cache costs nothing to lose.
	 */
	z->fd = -1;
	if (close(fd) == -1) {
		(void)unlinkat(dirfd, z->tmp, 0);
		return -1;
	}
	if (renameat(dirfd, z->tmp, dirfd, SIZES_FILE) == -1) {
		(void)unlinkat(dirfd, z->tmp, 0);
		return -1;
	}
	return 0;
fail:
	sizes_close(z, dirfd);
	return -1;
}

int
sizes_sweep(int dirfd, time_t now)
{
	struct dirent	*de;
	struct stat	 st;
	DIR		*d;
	int		 fd, n = 0;

	if ((fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1)
		return -1;
	if ((d = fdopendir(fd)) == NULL) {
		(void)close(fd);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, SIZES_TMP ".", sizeof(SIZES_TMP)) != 0)
			continue;
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
		    !S_ISREG(st.st_mode) ||
		    st.st_mtime > now - SIZES_TMP_STALE)
			continue;
		if (unlinkat(dirfd, de->d_name, 0) == 0)
			n++;
	}
	(void)closedir(d);	/* a directory; nothing to lose */
	return n;
}

void
sizes_close(struct sizes *z, int dirfd)
{
	int	e = errno;

	if (z->fd != -1) {
		(void)close(z->fd);	/* nothing worth keeping */
		z->fd = -1;
		if (dirfd != -1)
			(void)unlinkat(dirfd, z->tmp, 0);
	}
	errno = e;
}
