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

/* Room for a name, ":2," and every flag letter. */
#define NAME_BUF	(POP3_NAME_MAX + 64)

static int	scan_dir(struct maildir *, int, bool);
static int	add_msg(struct maildir *, const char *, size_t,
		    const struct stat *, uint64_t, bool);
static int	name_size(const char *, uint64_t *);
static int	file_size(int, const char *, uint64_t *);
static int	msg_cmp(const struct maildir *, const struct msg *,
		    const struct msg *);
static void	sift(struct maildir *, size_t, size_t);
static void	sort_msgs(struct maildir *);
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

static int
file_size(int dirfd, const char *name, uint64_t *size)
{
	static char	buf[POP3_CHUNK];
	struct sizer	sz = SIZER_INIT;
	struct stat	st;
	ssize_t		r;
	int		fd, e;

	fd = openat(dirfd, name, O_RDONLY | O_NONBLOCK | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd == -1)
		return -1;
	if (fstat(fd, &st) == -1)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		goto fail;
	}
	for (;;) {
		r = read(fd, buf, sizeof(buf));
		if (r == 0)
			break;
		if (r == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		proto_size(&sz, buf, (size_t)r);
	}
	(void)close(fd);	/* read-only; nothing to lose */
	*size = proto_size_end(&sz);
	return 0;
fail:
	e = errno;
	(void)close(fd);
	errno = e;
	return -1;
}

static int
add_msg(struct maildir *md, const char *name, size_t len,
    const struct stat *st, uint64_t size, bool isnew)
{
	struct msg	*m;
	char		*n;
	size_t		 cap;

	if (md->count == md->cap) {
		cap = md->cap == 0 ? 256 : md->cap * 2;
		if (cap > md->max)
			cap = md->max;
		/* cap <= POP3_MSGS_LIMIT, so the product cannot overflow. */
		if ((m = realloc(md->msg, cap * sizeof(*m))) == NULL)
			return -1;
		md->msg = m;
		md->cap = cap;
	}
	if (len + 1 > md->ncap - md->nlen) {
		cap = md->ncap == 0 ? 65536 : md->ncap;
		while (len + 1 > cap - md->nlen) {
			if (cap > UINT32_MAX / 2) {
				errno = EFBIG;
				return -1;
			}
			cap *= 2;
		}
		if ((n = realloc(md->names, cap)) == NULL)
			return -1;
		md->names = n;
		md->ncap = cap;
	}
	m = &md->msg[md->count++];
	m->size = size;
	m->mtime = (int64_t)st->st_mtime;
	m->name = (uint32_t)md->nlen;
	m->flags = isnew ? MSG_NEW : 0;
	memcpy(md->names + md->nlen, name, len + 1);
	md->nlen += len + 1;
	md->total += size;
	return 0;
}

static int
scan_dir(struct maildir *md, int dirfd, bool isnew)
{
	struct dirent	*de;
	struct stat	 st;
	uint64_t	 size;
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
		if (de->d_type != DT_REG && de->d_type != DT_UNKNOWN)
			continue;
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
			if (errno != ENOENT)	/* ENOENT: gone meanwhile */
				md->skipped++;
			continue;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		if (md->count == md->max) {
			errno = EFBIG;
			goto fail;
		}
		if (name_size(de->d_name, &size) == 0 &&
		    file_size(dirfd, de->d_name, &size) == -1) {
			if (errno != ENOENT)
				md->skipped++;
			continue;
		}
		if (add_msg(md, de->d_name, len, &st, size, isnew) == -1)
			goto fail;
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

/* Heap sort: in place, no recursion, no allocation, n log n. */
static void
sift(struct maildir *md, size_t root, size_t n)
{
	struct msg	tmp;
	size_t		child;

	while ((child = 2 * root + 1) < n) {
		if (child + 1 < n &&
		    msg_cmp(md, &md->msg[child], &md->msg[child + 1]) < 0)
			child++;
		if (msg_cmp(md, &md->msg[root], &md->msg[child]) >= 0)
			return;
		tmp = md->msg[root];
		md->msg[root] = md->msg[child];
		md->msg[child] = tmp;
		root = child;
	}
}

static void
sort_msgs(struct maildir *md)
{
	struct msg	tmp;
	size_t		i, n = md->count;

	for (i = n / 2; i > 0; i--)
		sift(md, i - 1, n);
	for (i = n; i > 1; i--) {
		tmp = md->msg[0];
		md->msg[0] = md->msg[i - 1];
		md->msg[i - 1] = tmp;
		sift(md, 0, i - 1);
	}
}

int
maildir_scan(struct maildir *md)
{
	if (scan_dir(md, md->newfd, true) == -1 ||
	    scan_dir(md, md->curfd, false) == -1)
		return -1;
	sort_msgs(md);
	return 0;
}

const char *
maildir_name(const struct maildir *md, size_t i)
{
	return md->names + md->msg[i].name;
}

size_t
maildir_uidl(const struct maildir *md, size_t i, char out[POP3_UIDL_MAX + 1])
{
	const char	*name = maildir_name(md, i);
	size_t		 len = strcspn(name, ":");

	if (proto_uidl_ok(name, len)) {
		memcpy(out, name, len);
		out[len] = '\0';
		return len;
	}
	(void)MD5Data((const uint8_t *)name, len, out);
	return 32;
}

int
maildir_open(const struct maildir *md, size_t i)
{
	struct stat	st;
	int		fd, e;

	if (i >= md->count) {
		errno = EINVAL;
		return -1;
	}
	/* O_NONBLOCK: a FIFO planted in cur/ must not hang the session. */
	fd = openat(md->msg[i].flags & MSG_NEW ? md->newfd : md->curfd,
	    maildir_name(md, i), O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1)
		return -1;
	if (fstat(fd, &st) == -1)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
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
	for (i = 0; i < md->count; i++) {
		m = &md->msg[i];
		if ((m->flags & MSG_DELE) == 0)
			continue;
		dirfd = m->flags & MSG_NEW ? md->newfd : md->curfd;
		if (unlinkat(dirfd, maildir_name(md, i), 0) == 0 ||
		    errno == ENOENT)
			res->deleted++;
		else {
			res->undeleted++;
			if (res->error == 0)
				res->error = errno;
		}
	}
	for (i = 0; i < md->count; i++) {
		m = &md->msg[i];
		if (m->flags & MSG_DELE)
			continue;
		r = target_name(maildir_name(md, i), m->flags & MSG_NEW,
		    m->flags & MSG_SEEN, to, sizeof(to));
		if (r == 0)
			continue;
		dirfd = m->flags & MSG_NEW ? md->newfd : md->curfd;
		if (r == 1 && move_file(dirfd, maildir_name(md, i),
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
	free(md->names);
	if (md->newfd != -1)
		(void)close(md->newfd);
	if (md->curfd != -1)
		(void)close(md->curfd);
	if (md->lockfd != -1)
		(void)close(md->lockfd);	/* drops the lock */
	maildir_init(md, md->max);
}
