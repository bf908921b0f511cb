/* SPDX-License-Identifier: ISC */
/*
 * sandbox.h: the back end's sandbox after login.  Entered by pop3d -m
 * once the Maildir is locked and scanned, before the first command of
 * the TRANSACTION state; never left.  Two layers:
 *
 *	seccomp		an allow-list of the system calls TRANSACTION and
 *			UPDATE make (rules.c, loaded as a program compiled
 *			at build time: filter.h); files open read-only,
 *			except the size cache's new temporary file
 *	Landlock	where the kernel has it (ABI 2 or later): the
 *			file system ends at the Maildir
 *
 * Knows nothing of the protocol; never exits or logs (pop3d.c logs
 * what the result says).
 */
#ifndef SANDBOX_H
#define SANDBOX_H

#include <stdbool.h>

struct sandbox_result {
	int	landlock_abi;	/* the kernel's ABI, 0 if none */
	bool	landlock;	/* in force */
	int	landlock_errno;	/* why not, if the kernel has it */
};

/*
 * Enters the sandbox for the Maildir open as root (a directory
 * descriptor); every descriptor the session needs must be open
 * already.  Landlock comes first (a missing or too old one is not an
 * error; res says), then seccomp.  Returns 0, or -1 with errno if
 * either could not be entered; then the mailbox must not be served.
 */
int	sandbox_enter(int root, struct sandbox_result *res);

#endif /* SANDBOX_H */
