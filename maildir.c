/* SPDX-License-Identifier: ISC */
/*
 * maildir.c: the Maildir model (see maildir.h): the table, the lock,
 * and opening a message.  Trusts neither file names nor contents:
 * names are length-checked and never used as paths outside new/ and
 * cur/, files are opened without following links and must be regular.
 * Reports with return values and errno; never exits, logs or talks to
 * the client.  The table is filled by scan.c and cache.c and committed
 * by update.c.
 */
#define _GNU_SOURCE		/* flock, F_OFD_SETLK */

#include "maildir.h"

#include <sys/file.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <md5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto.h"

/* open_moved()'s search for one message. */
struct reopen {
	struct stat	*st;
	int		 fd;
	int		 error;		/* errno if fd is -1 */
};

static int	lock_file(struct maildir *);
static int	moved_cmp(const void *, const void *);
static int	reopen_found(void *, struct maildir_moved *, int,
		    const char *, bool);
static int	open_moved(const struct maildir *, size_t, struct stat *);

void
maildir_init(struct maildir *md, size_t max)
{
	memset(md, 0, sizeof(*md));
	md->max = max;
	md->lockfd = md->newfd = md->curfd = md->lockfile = -1;
}

/*
 * The lock that works on NFS too: an exclusive fcntl(2) lock on a
 * file opened for writing, which NFSv4 (and NLM before it) carry to
 * the server, where flock(2) on a read-only directory descriptor
 * fails.  An open file description lock (F_OFD_SETLK), so that it
 * belongs to this descriptor alone and not to whatever else the
 * process opens and closes; kernels before 3.15 get a plain F_SETLK.
 * The kernel drops either when the process dies.
 */
static int
lock_file(struct maildir *md)
{
	struct flock	fl;
	struct stat	st;
	int		r;

	md->lockfile = openat(md->lockfd, MAILDIR_LOCK, O_RDWR | O_CREAT |
	    O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
	if (md->lockfile == -1)
		return -1;
	if (fstat(md->lockfile, &st) == -1)
		return -1;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		return -1;
	}
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;	/* l_start = l_len = 0: the whole file */
	if ((r = fcntl(md->lockfile, F_OFD_SETLK, &fl)) == -1 &&
	    errno == EINVAL)
		r = fcntl(md->lockfile, F_SETLK, &fl);
	if (r == -1 && (errno == EAGAIN || errno == EACCES))
		errno = EWOULDBLOCK;	/* another session has it */
	return r;
}

int
maildir_enter(struct maildir *md, const char *path)
{
	if (chdir(path) == -1)
		return -1;
	if ((md->lockfd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	if ((md->newfd = open("new", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	if ((md->curfd = open("cur", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	if (lock_file(md) == -1) {
		if (errno != EACCES && errno != EPERM && errno != EROFS)
			return -1;
		/*
		 * A Maildir root we may not write (the lock file cannot be
		 * made): the directory lock below is the only one.
		 */
		if (md->lockfile != -1)
			(void)close(md->lockfile);
		md->lockfile = -1;
	}
	/*
	 * flock(2) on the directory as well: it is what pop3d before the
	 * lock file took, so a session of an old and of a new version
	 * during an upgrade still exclude each other.  Where flock(2)
	 * cannot work (NFS: EBADF, ENOLCK) the lock file does the job.
	 */
	if (flock(md->lockfd, LOCK_EX | LOCK_NB) == -1 &&
	    (errno == EWOULDBLOCK || md->lockfile == -1))
		return -1;
	return 0;
}

/*
 * Opens name in dirfd for reading if it is a regular file, and fills
 * *st.  O_NONBLOCK: a FIFO planted in the Maildir cannot hang us;
 * O_NOFOLLOW: a link cannot lead elsewhere.  Returns an fd, or -1.
 */
int
maildir_open_regular(int dirfd, const char *name, struct stat *st)
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

/* Makes room for want entries in all. */
int
maildir_grow(struct maildir *md, size_t want)
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
int
maildir_name_room(struct maildir *md, size_t n)
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
int
maildir_add_name(struct maildir *md, const char *name, size_t len,
    uint32_t *off)
{
	if (maildir_name_room(md, len + 1) == -1)
		return -1;
	*off = (uint32_t)md->nlen;
	memcpy(md->names + md->nlen, name, len);
	md->names[md->nlen + len] = '\0';
	md->nlen += len + 1;
	return 0;
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
	const struct msg	*m = maildir_msg(md, i);
	const char		*name = md->names + m->name;
	size_t			 len = strcspn(name, ":");
	char			 ino[32];
	MD5_CTX			 ctx;
	int			 n;

	if (md->given != NULL && md->given[md->ord[i]] != NULL) {
		/* Checked in uidmap.c: 1..70 octets of 0x21..0x7e. */
		len = strlen(md->given[md->ord[i]]);
		memcpy(out, md->given[md->ord[i]], len + 1);
		return len;
	}
	if (m->flags & MSG_TWIN) {
		n = snprintf(ino, sizeof(ino), "/%" PRIu64, m->ino);
		MD5Init(&ctx);
		MD5Update(&ctx, (const uint8_t *)name, len);
		/* Twenty digits at most: it fits. */
		MD5Update(&ctx, (const uint8_t *)ino, (size_t)n);
		(void)MD5End(&ctx, out);
		return 32;
	}
	if (proto_uidl_ok(name, len)) {
		memcpy(out, name, len);
		out[len] = '\0';
		return len;
	}
	(void)MD5Data((const uint8_t *)name, len, out);
	return 32;
}

static int
moved_cmp(const void *a, const void *b)
{
	const struct maildir_moved	*x = a, *y = b;

	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

int
maildir_find_moved(const struct maildir *md, struct maildir_moved *miss,
    size_t n, int (*found)(void *, struct maildir_moved *, int, const char *,
    bool), void *arg)
{
	static const bool	 isnew[] = { false, true };
	const int		 dirs[] = { md->curfd, md->newfd };
	struct maildir_moved	 key, *hit;
	struct dirent		*de;
	const char		*old;
	size_t			 k, ulen;
	DIR			*d;
	int			 fd, e, stop = 0;

	qsort(miss, n, sizeof(*miss), moved_cmp);
	for (k = 0; k < nitems(dirs) && !stop; k++) {
		/* A descriptor of its own: readdir(3) moves its offset. */
		if ((fd = openat(dirs[k], ".", O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC)) == -1)
			return -1;
		if ((d = fdopendir(fd)) == NULL) {
			e = errno;
			(void)close(fd);
			errno = e;
			return -1;
		}
		for (;;) {
			errno = 0;
			if ((de = readdir(d)) == NULL)
				break;
			key.ino = (uint64_t)de->d_ino;
			hit = bsearch(&key, miss, n, sizeof(*miss), moved_cmp);
			if (hit == NULL || hit->done)
				continue;
			old = md->names + md->msg[hit->idx].name;
			ulen = strcspn(old, ":");
			if (strncmp(de->d_name, old, ulen) != 0 ||
			    (de->d_name[ulen] != ':' &&
			    de->d_name[ulen] != '\0'))
				continue;
			hit->done = true;
			if ((stop = found(arg, hit, dirs[k], de->d_name,
			    isnew[k])) != 0)
				break;
		}
		e = errno;
		(void)closedir(d);	/* a directory; nothing to lose */
		if (de == NULL && e != 0) {
			errno = e;
			return -1;
		}
	}
	return 0;
}

/* The message under its new name, if it is the same file. */
static int
reopen_found(void *arg, struct maildir_moved *w, int dirfd, const char *name,
    bool isnew)
{
	struct reopen	*ro = arg;

	(void)isnew;
	if ((ro->fd = maildir_open_regular(dirfd, name, ro->st)) == -1) {
		ro->error = errno;
		return 1;
	}
	if ((uint64_t)ro->st->st_ino != w->ino) {
		/* Replaced between readdir(3) and open(2): not ours. */
		(void)close(ro->fd);	/* read-only; nothing to lose */
		ro->fd = -1;
		return 0;
	}
	return 1;
}

/* Message i, renamed by another program since the scan: an fd, or -1. */
static int
open_moved(const struct maildir *md, size_t i, struct stat *st)
{
	struct maildir_moved	w;
	struct reopen		ro;

	w.ino = maildir_msg(md, i)->ino;
	w.idx = md->ord[i];
	w.done = false;
	ro.st = st;
	ro.fd = -1;
	ro.error = ENOENT;
	if (maildir_find_moved(md, &w, 1, reopen_found, &ro) == -1)
		return -1;	/* could not look: not the same as gone */
	if (ro.fd == -1)
		errno = ro.error;
	return ro.fd;
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
	fd = maildir_open_regular(maildir_msg(md, i)->flags & MSG_NEW ?
	    md->newfd : md->curfd, maildir_name(md, i), &st);
	if (fd == -1 && errno == ENOENT)
		fd = open_moved(md, i, &st);
	if (fd != -1)
		*bytes = (uint64_t)st.st_size;
	return fd;
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
	if (md->lockfile != -1)
		(void)close(md->lockfile);	/* drops its lock */
	if (md->lockfd != -1)
		(void)close(md->lockfd);	/* drops the flock */
	maildir_init(md, md->max);
}
