/* SPDX-License-Identifier: ISC */
/*
 * sandbox.c: the back end's sandbox after login (see sandbox.h).
 *
 * What a forbidden call does, and why.  Two answers, on purpose:
 * - Calls that no code path of the back end makes, and that only code
 *   injected by an attacker would (run a program, start a process,
 *   trace or poke another process, make memory executable), kill the
 *   process at once (SECCOMP_RET_KILL_PROCESS).  An exploit gets no
 *   second try and no error code to probe with, and the kernel logs
 *   the kill (audit) for the administrator.
 * - Every other call off the list fails with EPERM.  The back end
 *   checks every return value and has a safe path for every error:
 *   a file it may not open is a message it cannot read (-ERR
 *   [SYS/TEMP]), a size cache it may not write costs speed.  The C
 *   library, however, makes calls of its own that cannot all be
 *   foreseen (syslog(3) reconnecting with socket(2) and connect(2)
 *   after syslogd restarted, for one); killing the session there
 *   would drop a client in the middle of UPDATE without an answer,
 *   for no gain, since the call is refused either way.
 * Either way the call does not happen.  The rules themselves are in
 * rules.c (FILTER_BACKEND); pop3d loads them as a program compiled at
 * build time (filter.h).
 *
 * Files.  seccomp cannot see path names, so it restricts how files
 * are opened: read-only, or exactly the way sizes.c creates the size
 * cache's temporary file (write-only, O_CREAT | O_EXCL, no links
 * followed, mode 0600), so no existing file can be opened for writing
 * or truncated, and nothing can be created but new private files and
 * (for -K's .Trash folder) directories of mode 0700.
 * Which paths: Landlock's job, since an absolute name makes the
 * descriptor argument of openat(2) meaningless to a filter.  It
 * allows reading, creating, renaming and removing files beneath the
 * Maildir, and nothing else on the file system at all.  Without
 * Landlock (kernels before 5.19, or with it off) the user's other
 * files stay readable to the session, as they were before login.
 * No sockets can be made and no connections opened (socket(2),
 * connect(2) are not on the list; Landlock ABI 4 also refuses TCP).
 */
#define _GNU_SOURCE		/* syscall */

#include "sandbox.h"

#include <sys/prctl.h>
#include <sys/syscall.h>

#include <linux/landlock.h>

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "filter.h"
#include "params.h"

/*
 * Rights of later Landlock ABIs than the oldest kernel headers we build
 * with know; the values are the kernel's ABI and never change.
 */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE	(1ULL << 14)	/* ABI 3 */
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV	(1ULL << 15)	/* ABI 5 */
#endif
#define LL_NET_BIND_TCP			(1ULL << 0)	/* ABI 4 */
#define LL_NET_CONNECT_TCP		(1ULL << 1)
#define LL_SCOPE_ABSTRACT_UNIX		(1ULL << 0)	/* ABI 6 */
#define LL_SCOPE_SIGNAL			(1ULL << 1)

/* struct landlock_ruleset_attr as of ABI 6; older kernels get a prefix. */
struct ll_attr {
	uint64_t	fs;
	uint64_t	net;
	uint64_t	scoped;
};

static int	enter_landlock(int, struct sandbox_result *);

/*
 * Landlock: the Maildir and nothing else.  ABI 1 cannot allow a file
 * to move between directories (new/ to cur/), so only ABI 2 and later
 * are used.  Returns 0 whether or not Landlock could be used (res
 * says), -1 only if a ruleset was made but could not be entered.
 */
static int
enter_landlock(int root, struct sandbox_result *res)
{
	struct landlock_path_beneath_attr	pb;
	struct ll_attr				attr;
	size_t					asize;
	long					abi;
	int					rfd, e;

	abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 1) {
		res->landlock_errno = errno;	/* ENOSYS, EOPNOTSUPP */
		return 0;
	}
	res->landlock_abi = (int)abi;
	if (abi < 2) {
		res->landlock_errno = EOPNOTSUPP;
		return 0;
	}
	memset(&attr, 0, sizeof(attr));
	attr.fs = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |
	    LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR |
	    LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |
	    LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR |
	    LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK |
	    LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |
	    LANDLOCK_ACCESS_FS_MAKE_SYM | LANDLOCK_ACCESS_FS_REFER;
	asize = sizeof(attr.fs);
	if (abi >= 3)
		attr.fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 4) {
		attr.net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
		asize = offsetof(struct ll_attr, scoped);
	}
	if (abi >= 5)
		attr.fs |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	if (abi >= 6) {
		attr.scoped = LL_SCOPE_ABSTRACT_UNIX | LL_SCOPE_SIGNAL;
		asize = sizeof(attr);
	}
	rfd = (int)syscall(SYS_landlock_create_ruleset, &attr, asize, 0);
	if (rfd == -1) {
		res->landlock_errno = errno;
		return 0;
	}
	/*
	 * Read messages, write and rename the size cache, UPDATE.  A
	 * rename into cur/ counts as making a file of its type there, and
	 * what UPDATE moves can have become a FIFO or a directory since
	 * the scan: every MAKE right, so it moves as before.  Nothing new
	 * of those types can be made: mknodat(2) and symlinkat(2) are
	 * not on the seccomp list, mkdirat(2) only with mode 0700.
	 */
	memset(&pb, 0, sizeof(pb));
	pb.allowed_access = LANDLOCK_ACCESS_FS_READ_FILE |
	    LANDLOCK_ACCESS_FS_READ_DIR | LANDLOCK_ACCESS_FS_WRITE_FILE |
	    LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_REFER |
	    LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_FIFO |
	    LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_SOCK |
	    LANDLOCK_ACCESS_FS_MAKE_SYM | LANDLOCK_ACCESS_FS_MAKE_CHAR |
	    LANDLOCK_ACCESS_FS_MAKE_BLOCK;
	pb.parent_fd = root;
	if (syscall(SYS_landlock_add_rule, rfd, LANDLOCK_RULE_PATH_BENEATH,
	    &pb, 0) == -1)
		goto fail;
	/* Landlock needs it; seccomp below sets it again, harmlessly. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		goto fail;
	if (syscall(SYS_landlock_restrict_self, rfd, 0) == -1)
		goto fail;
	(void)close(rfd);
	res->landlock = true;
	return 0;
fail:
	e = errno;
	(void)close(rfd);
	errno = e;
	return -1;
}

int
sandbox_enter(int root, struct sandbox_result *res)
{
	memset(res, 0, sizeof(*res));
	if (enter_landlock(root, res) == -1)
		return -1;
	return filter_load(FILTER_BACKEND);
}
