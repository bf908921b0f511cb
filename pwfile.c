/* SPDX-License-Identifier: ISC */
/*
 * pwfile.c: the passwd-file as pop3d-passwd changes it.  The file is
 * streamed line by line through the parser pop3d-checkpw uses
 * (checkpw_line), so both agree on what a line says; nothing is held
 * but one line, and every line not changed is copied byte for byte.
 * Never exits or prints.
 */
#include "pwfile.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "checkpw.h"
#include "io.h"

/* Policy: how often a waiting change tries the lock again. */
#define LOCK_POLL_NSEC	10000000L	/* 10 ms */

/* One pass over a passwd-file, copying it to out unless out is -1. */
struct walk {
	int			 in;	/* -1: no file (add creates one) */
	int			 out;	/* -1: scan only */
	size_t			 lineno;
	size_t			 held;	/* bytes in line[] */
	bool			 spill;	/* too long: the rest goes through */
	bool			 lastlf; /* no line yet, or the last had LF */
	size_t			 olen;	/* bytes in obuf[] */
	enum pwfile_op		 op;
	const char		*user;
	size_t			 userlen;
	const char		*text;
	size_t			 found;	/* line of the user's entry; 0: none */
	enum pwfile_result	 res;
	pwfile_warn		*warn;	/* malformed lines of others; or scan */
	void			*arg;
	struct checkpw_user	 pu;	/* the parse of work[] */
	/* Up to CHECKPW_LINE_MAX, one byte to see more, and a NUL. */
	char			 line[CHECKPW_LINE_MAX + 2];
	char			 work[CHECKPW_LINE_MAX + 2];
	char			 obuf[POP3_CHUNK];
	char			 ibuf[POP3_CHUNK];
};

static struct walk	W;	/* static: too large for the stack */

static int	put(struct walk *, const char *, size_t);
static int	flush(struct walk *);
static int	line_end(struct walk *, bool);
static int	feed(struct walk *, const char *, size_t);
static int	walk_file(struct walk *);
static int	lock_path(const char *, int *);
static int	sync_dir(const char *);

/* Buffers n bytes for out; 0, or -1 with errno set. */
static int
put(struct walk *w, const char *p, size_t n)
{
	size_t	take;

	while (n > 0) {
		if (w->olen == sizeof(w->obuf) && flush(w) == -1)
			return -1;
		take = sizeof(w->obuf) - w->olen;
		if (take > n)
			take = n;
		memcpy(w->obuf + w->olen, p, take);
		w->olen += take;
		p += take;
		n -= take;
	}
	return 0;
}

static int
flush(struct walk *w)
{
	size_t	done = 0;
	ssize_t	r;

	while (done < w->olen) {
		r = write(w->out, w->obuf + done, w->olen - done);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return -1;
		done += (size_t)r;
	}
	w->olen = 0;
	return 0;
}

/*
 * One line is complete (lf: it ended in LF).  Decides what becomes of
 * it and writes it.  Returns 0 to go on, or -1 to stop with w->res
 * set (and errno, for PWFILE_ERROR).
 */
static int
line_end(struct walk *w, bool lf)
{
	struct pwfile_line	 pl;
	enum checkpw_line	 kind;
	const char		*c1, *c2;
	size_t			 n = w->held, len;
	bool			 mine;

	w->lineno++;
	memcpy(w->work, w->line, n);
	memset(&pl, 0, sizeof(pl));
	/* A line cut short is too long, so checkpw_line calls it bad. */
	kind = checkpw_line(w->work, n, &w->pu, &pl.name, &pl.namelen);
	pl.lineno = w->lineno;
	pl.ok = kind == CHECKPW_LINE_OK;
	if (pl.ok) {
		pl.secret = w->pu.secret;
		pl.home = w->pu.home;
		pl.shell = w->pu.shell;
		pl.uid = (unsigned long)w->pu.uid;
		pl.gid = (unsigned long)w->pu.gid;
	}
	mine = kind != CHECKPW_LINE_SKIP && w->user != NULL &&
	    pl.namelen == w->userlen &&
	    memcmp(pl.name, w->user, w->userlen) == 0;
	w->lastlf = lf;

	if (w->out == -1) {		/* a scan */
		if (kind != CHECKPW_LINE_SKIP && w->warn != NULL)
			w->warn(&pl, w->arg);
		return 0;
	}
	if (mine) {
		if (w->found != 0)
			w->res = PWFILE_DUPLICATE;
		else if (kind == CHECKPW_LINE_BAD)
			w->res = PWFILE_MALFORMED;
		else if (w->op == PWFILE_ADD)
			w->res = PWFILE_EXISTS;
		w->found = w->lineno;
		if (w->res != PWFILE_OK)
			return -1;
		if (w->op == PWFILE_DEL)
			return 0;
		/* PWFILE_SET: name, ':', the new secret, then the rest. */
		c1 = memchr(w->line, ':', n);
		c2 = memchr(c1 + 1, ':', n - (size_t)(c1 + 1 - w->line));
		len = (size_t)(c1 + 1 - w->line) + strlen(w->text) +
		    (n - (size_t)(c2 - w->line));
		if (len > CHECKPW_LINE_MAX) {
			errno = E2BIG;
			w->res = PWFILE_ERROR;
			return -1;
		}
		if (put(w, w->line, (size_t)(c1 + 1 - w->line)) == -1 ||
		    put(w, w->text, strlen(w->text)) == -1 ||
		    put(w, c2, n - (size_t)(c2 - w->line)) == -1 ||
		    (lf && put(w, "\n", 1) == -1))
			goto fail;
		return 0;
	}
	if (kind == CHECKPW_LINE_BAD && w->warn != NULL)
		w->warn(&pl, w->arg);
	/* A spilled line's bytes are out already. */
	if ((!w->spill && put(w, w->line, n) == -1) ||
	    (lf && put(w, "\n", 1) == -1))
		goto fail;
	return 0;
fail:
	w->res = PWFILE_ERROR;
	return -1;
}

/* Splits n input bytes into lines; 0, or -1 to stop (w->res). */
static int
feed(struct walk *w, const char *p, size_t n)
{
	const char	*lf;
	size_t		 take, room;

	while (n > 0) {
		lf = memchr(p, '\n', n);
		take = lf != NULL ? (size_t)(lf - p) : n;
		room = CHECKPW_LINE_MAX + 1 - w->held;
		if (w->spill) {
			if (w->out != -1 && put(w, p, take) == -1)
				goto fail;
		} else if (take > room) {
			/* Keep what shows the line is too long; copy it all. */
			memcpy(w->line + w->held, p, room);
			w->held += room;
			w->spill = true;
			if (w->out != -1 && (put(w, w->line, w->held) == -1 ||
			    put(w, p + room, take - room) == -1))
				goto fail;
		} else {
			memcpy(w->line + w->held, p, take);
			w->held += take;
		}
		if (lf == NULL)
			break;
		if (line_end(w, true) == -1)
			return -1;
		w->held = 0;
		w->spill = false;
		p += take + 1;
		n -= take + 1;
	}
	return 0;
fail:
	w->res = PWFILE_ERROR;
	return -1;
}

/* Reads w->in to its end through feed(); 0, or -1 (w->res). */
static int
walk_file(struct walk *w)
{
	ssize_t	r;

	w->lineno = w->held = w->olen = w->found = 0;
	w->spill = false;
	w->lastlf = true;
	w->res = PWFILE_OK;
	if (w->in == -1)
		return 0;
	for (;;) {
		r = read(w->in, w->ibuf, sizeof(w->ibuf));
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			w->res = PWFILE_ERROR;
			return -1;
		}
		if (r == 0)
			break;
		if (feed(w, w->ibuf, (size_t)r) == -1)
			return -1;
	}
	if ((w->held > 0 || w->spill) && line_end(w, false) == -1)
		return -1;
	return 0;
}

/*
 * Takes the exclusive lock on path's lock file, trying for at most
 * PWFILE_LOCK_SECS.  A lock file rather than the passwd-file itself:
 * the passwd-file is replaced by rename, and a process that waited
 * for a lock on the old file would hold it on a file no longer in
 * place, read stale contents and lose the other's change.  fcntl
 * locks, so that the lock also holds over NFS.  Returns 0, 1 if the
 * lock stayed taken, or -1 with errno set.
 */
static int
lock_path(const char *path, int *fd)
{
	char		 lock[PATH_MAX];
	struct flock	 fl;
	struct timespec	 now, end, nap = { 0, LOCK_POLL_NSEC };
	int		 n, e;

	n = snprintf(lock, sizeof(lock), "%s%s", path, PWFILE_LOCK_SUFFIX);
	if (n < 0 || (size_t)n >= sizeof(lock)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	*fd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (*fd == -1)
		return -1;
	if (clock_gettime(CLOCK_MONOTONIC, &end) == -1)
		goto fail;
	end.tv_sec += PWFILE_LOCK_SECS;
	for (;;) {
		memset(&fl, 0, sizeof(fl));
		fl.l_type = F_WRLCK;
		fl.l_whence = SEEK_SET;
		if (fcntl(*fd, F_SETLK, &fl) == 0)
			return 0;
		if (errno != EACCES && errno != EAGAIN && errno != EINTR)
			goto fail;
		if (clock_gettime(CLOCK_MONOTONIC, &now) == -1)
			goto fail;
		if (now.tv_sec > end.tv_sec || (now.tv_sec == end.tv_sec &&
		    now.tv_nsec >= end.tv_nsec)) {
			(void)close(*fd);
			return 1;
		}
		(void)nanosleep(&nap, NULL);
	}
fail:
	e = errno;
	(void)close(*fd);
	errno = e;
	return -1;
}

/* fsyncs the directory that holds path, so the rename is durable. */
static int
sync_dir(const char *path)
{
	char		 dir[PATH_MAX];
	const char	*slash = strrchr(path, '/');
	size_t		 len;
	int		 fd, r, e;

	if (slash == NULL)
		len = 0;
	else
		len = slash == path ? 1 : (size_t)(slash - path);
	if (len >= sizeof(dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (len == 0)
		memcpy(dir, ".", 2);
	else {
		memcpy(dir, path, len);
		dir[len] = '\0';
	}
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	r = fsync(fd);
	e = errno;
	(void)close(fd);	/* read-only */
	errno = e;
	return r;
}

enum pwfile_result
pwfile_change(const char *path, enum pwfile_op op, const char *user,
    const char *text, size_t *lineno, pwfile_warn *warn, void *arg)
{
	struct walk	*w = &W;
	struct stat	 st;
	char		 tmp[PATH_MAX];
	int		 lockfd, n, e, r;
	bool		 made = false;

	*lineno = 0;
	if ((r = lock_path(path, &lockfd)) != 0)
		return r == 1 ? PWFILE_LOCKED : PWFILE_ERROR;
	w->op = op;
	w->user = user;
	w->userlen = strlen(user);
	w->text = text;
	w->warn = warn;
	w->arg = arg;
	w->out = -1;
	w->in = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (w->in == -1) {
		if (errno != ENOENT || op != PWFILE_ADD)
			goto error;
		/* A new file: ours, as a new one would be. */
		st.st_uid = geteuid();
		st.st_gid = getegid();
	} else if (fstat(w->in, &st) == -1)
		goto error;
	else if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		goto error;
	}

	n = snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		goto error;
	}
	if ((w->out = mkstemp(tmp)) == -1)
		goto error;
	made = true;
	if (fchmod(w->out, 0600) == -1)
		goto error;
	if ((st.st_uid != geteuid() || st.st_gid != getegid()) &&
	    fchown(w->out, st.st_uid, st.st_gid) == -1)
		goto error;

	if (walk_file(w) == -1)
		goto stop;
	if (op != PWFILE_ADD && w->found == 0) {
		w->res = PWFILE_UNKNOWN;
		goto stop;
	}
	if (op == PWFILE_ADD && ((!w->lastlf && put(w, "\n", 1) == -1) ||
	    put(w, text, strlen(text)) == -1 || put(w, "\n", 1) == -1))
		goto error;
	if (flush(w) == -1 || fsync(w->out) == -1)
		goto error;
	r = close(w->out);
	w->out = -1;
	if (r == -1 || rename(tmp, path) == -1)
		goto error;
	made = false;
	if (sync_dir(path) == -1)
		goto error;	/* renamed, but not known to be on disk */
	w->res = PWFILE_OK;
	goto done;
error:
	w->res = PWFILE_ERROR;
stop:
	*lineno = w->found;
done:
	e = errno;
	if (w->out != -1)
		(void)close(w->out);	/* given up: unlinked below */
	if (made)
		(void)unlink(tmp);
	if (w->in != -1)
		(void)close(w->in);	/* read-only */
	(void)close(lockfd);		/* drops the lock */
	wipe(w->line, sizeof(w->line));
	wipe(w->work, sizeof(w->work));
	wipe(w->obuf, sizeof(w->obuf));
	wipe(w->ibuf, sizeof(w->ibuf));
	wipe(&w->pu, sizeof(w->pu));
	errno = e;
	return w->res;
}

int
pwfile_scan(const char *path, pwfile_warn *fn, void *arg)
{
	struct walk	*w = &W;
	int		 r, e;

	w->user = NULL;
	w->userlen = 0;
	w->warn = fn;
	w->arg = arg;
	w->out = -1;
	if ((w->in = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	r = walk_file(w);
	e = errno;
	(void)close(w->in);	/* read-only */
	wipe(w->line, sizeof(w->line));
	wipe(w->work, sizeof(w->work));
	wipe(w->ibuf, sizeof(w->ibuf));
	wipe(&w->pu, sizeof(w->pu));
	errno = e;
	return r;
}
