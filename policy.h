/* SPDX-License-Identifier: ISC */
/*
 * policy.h: the retention and poll limits of RFC 2449 for the back
 * end: EXPIRE (s.6.7), messages retrieved in an earlier session are
 * deleted at QUIT once they are old enough; LOGIN-DELAY (s.6.5, s.8.1),
 * a user's logins closer together than the delay are refused.  Both
 * are off unless an option or checkpassword's environment turns them
 * on.  Never exits, logs or talks to the client.
 */
#ifndef POLICY_H
#define POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "maildir.h"

#define POLICY_OFF	(-1L)

/* The last successful login: the mtime of this file in the Maildir. */
#define POLICY_STAMP	"pop3d.login"

/*
 * The value for this user: the variable env (POP3D_EXPIRE or
 * POP3D_LOGIN_DELAY) if checkpassword set it, else opt (POLICY_OFF or
 * the option's value).  "NEVER" (any case) or "" in env turns the
 * limit off for the user; a number 0..max sets it.  Returns -1 (and
 * *val = opt) if env holds anything else.
 */
int	policy_value(const char *env, long opt, long max, long *val);

/*
 * LOGIN-DELAY counts accepted logins only (RFC 2449 s.8.1: "the
 * minimum time between logins"; a refused one is no login), so it
 * takes three steps, all on the Maildir open as dirfd with its lock
 * held:
 *
 * policy_login_check, before the scan: returns 1 if the last accepted
 * login was less than delay seconds before now (*wait is how many
 * seconds remain), else 0.  A stamp from the future (a clock set
 * back) does not count.
 *
 * policy_login_open, before the sandbox (which opens no file for
 * writing): opens the stamp for writing, creating it if need be with
 * a time of 0, which is no login, so a login refused after this does
 * not count either.  Returns an fd, or -1 with errno set.
 *
 * policy_login_stamp, when the +OK answering the login is due: makes
 * now the stamp's time by writing one octet to fd (the sandbox allows
 * write(2), not futimens(2)).  Returns 0, or -1 with errno set; fd is
 * closed either way.
 */
int	policy_login_check(int dirfd, long delay, time_t now, long *wait);
int	policy_login_open(int dirfd);
int	policy_login_stamp(int fd);

/*
 * EXPIRE at QUIT: marks MSG_DELE every message not marked yet whose
 * file had the S flag at login (retrieved in an earlier session) and
 * whose mtime (when it was delivered) is at least days days before
 * now; with days 0 also those RETR sent in full in this session.
 * Returns how many it marked; *octets gets their size.
 */
size_t	policy_expire(struct maildir *, long days, time_t now,
	    uint64_t *octets);

#endif /* POLICY_H */
