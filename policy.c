/* SPDX-License-Identifier: ISC */
/*
 * policy.c: EXPIRE and LOGIN-DELAY (see policy.h).
 *
 * The login stamp is the mtime of a one-octet file in the Maildir root,
 * set by one write(2): there is no index to keep and nothing to parse,
 * and a session holds the Maildir lock (maildir_enter) while it looks
 * and stamps, so two logins cannot both pass.  Only logins that get
 * their +OK stamp it, at the last moment, inside the sandbox
 * (policy.h).
 */
#include "policy.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "proto.h"

int
policy_value(const char *env, long opt, long max, long *val)
{
	unsigned long	n;

	*val = opt;
	if (env == NULL)
		return 0;
	if (env[0] == '\0' || strcasecmp(env, "NEVER") == 0) {
		*val = POLICY_OFF;
		return 0;
	}
	if (proto_number(env, strlen(env), &n) == -1 || n > (unsigned long)max)
		return -1;
	*val = (long)n;
	return 0;
}

int
policy_login_check(int dirfd, long delay, time_t now, long *wait)
{
	struct stat	st;

	*wait = 0;
	if (fstatat(dirfd, POLICY_STAMP, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(st.st_mode) && st.st_mtime <= now &&
	    now - st.st_mtime < (time_t)delay) {
		*wait = (long)(delay - (now - st.st_mtime));
		return 1;
	}
	return 0;
}

int
policy_login_open(int dirfd)
{
	static const struct timespec	never[2] = { { 0, 0 }, { 0, 0 } };
	struct stat			st;
	int				fd, e;

	fd = openat(dirfd, POLICY_STAMP, O_WRONLY | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
	if (fd != -1) {
		/* New: no login yet, until policy_login_stamp(). */
		if (futimens(fd, never) == -1)
			goto fail;
		return fd;
	}
	if (errno != EEXIST)
		return -1;
	fd = openat(dirfd, POLICY_STAMP, O_WRONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
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
	(void)close(fd);	/* nothing written yet */
	errno = e;
	return -1;
}

int
policy_login_stamp(int fd)
{
	ssize_t	r;
	int	e;

	/* Always the same octet at the same place: the file stays 1 long. */
	while ((r = pwrite(fd, "\n", 1, 0)) == -1 && errno == EINTR)
		continue;
	if (r != 1) {
		e = r == -1 ? errno : EIO;
		(void)close(fd);
		errno = e;
		return -1;
	}
	return close(fd);
}

/* Whether the file name carries the S flag (maildir(5) ":2,...S"). */
static bool
seen_flag(const char *name)
{
	const char	*info = strchr(name, ':');

	return info != NULL && strncmp(info, ":2,", 3) == 0 &&
	    strchr(info + 3, 'S') != NULL;
}

size_t
policy_expire(struct maildir *md, long days, time_t now, uint64_t *octets)
{
	struct msg	*m;
	int64_t		 cut = (int64_t)now - (int64_t)days * 86400;
	size_t		 i, n = 0;

	*octets = 0;
	for (i = 0; i < md->count; i++) {
		m = maildir_msg(md, i);
		if (m->flags & (MSG_DELE | MSG_STALE))
			continue;
		/* The name is still the one the scan found. */
		if (!(seen_flag(maildir_name(md, i)) && m->mtime <= cut) &&
		    !(days == 0 && (m->flags & MSG_SEEN)))
			continue;
		m->flags |= MSG_DELE;
		*octets += m->size;
		n++;
	}
	return n;
}
