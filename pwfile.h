/* SPDX-License-Identifier: ISC */
/*
 * pwfile.h: reads and changes the passwd-file that pop3d-checkpw
 * reads, for pop3d-passwd.  A change holds an exclusive lock on
 * PATH.lock, streams the file into a temporary file in the same
 * directory (the original's owner, mode 0600), fsyncs it, renames it
 * over PATH and fsyncs the directory.  Every line but the one changed
 * is copied byte for byte: comments, blank lines, unknown schemes,
 * other users' lines and malformed lines.  Never exits or prints.
 */
#ifndef PWFILE_H
#define PWFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "params.h"

/*
 * Policy: a change waits this long for another pop3d-passwd to let go
 * of the lock; it holds the lock only while it copies the file.
 */
#define PWFILE_LOCK_SECS	30
/* What the lock file's name adds to the passwd-file's. */
#define PWFILE_LOCK_SUFFIX	".lock"

enum pwfile_op {
	PWFILE_ADD,		/* append line; the user must have none */
	PWFILE_SET,		/* replace the user's password field */
	PWFILE_DEL		/* remove the user's line */
};

enum pwfile_result {
	PWFILE_OK,
	PWFILE_EXISTS,		/* add: the user has a line (*lineno) */
	PWFILE_UNKNOWN,		/* set, del: the user has no line */
	PWFILE_MALFORMED,	/* the user's line (*lineno) is malformed */
	PWFILE_DUPLICATE,	/* the user has a second line (*lineno) */
	PWFILE_LOCKED,		/* another change held the lock too long */
	PWFILE_ERROR		/* errno tells why; PATH is unchanged */
};

/* One line as pwfile_scan() and the warning callback see it. */
struct pwfile_line {
	size_t		 lineno;
	bool		 ok;		/* a well-formed entry */
	const char	*name;		/* the user field (not NUL-ended) */
	size_t		 namelen;
	/* When ok: the parsed entry (pointers into a wiped buffer). */
	const char	*secret, *home, *shell;
	unsigned long	 uid, gid;
};

/* Called for each malformed line of another user; may be NULL. */
typedef void	pwfile_warn(const struct pwfile_line *, void *arg);

/*
 * Applies op for user (NUL-terminated, already checked by the caller)
 * to path.  PWFILE_ADD appends text (one line, no LF); PWFILE_SET
 * puts text in the password field and keeps every other byte of the
 * line.  A missing file is created by PWFILE_ADD.  On anything but
 * PWFILE_OK the file is unchanged; *lineno names the line concerned.
 */
enum pwfile_result	pwfile_change(const char *path, enum pwfile_op op,
			    const char *user, const char *text,
			    size_t *lineno, pwfile_warn *warn, void *arg);

/*
 * Calls fn for every entry and malformed line of path, in order
 * (comments and blank lines are skipped), without the lock: a change
 * replaces the file at once, so a reader sees it before or after.
 * Returns 0, or -1 with errno set.
 */
int	pwfile_scan(const char *path, pwfile_warn *fn, void *arg);

#endif /* PWFILE_H */
