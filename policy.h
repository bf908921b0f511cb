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
 * LOGIN-DELAY on the Maildir open as dirfd, at time now: returns 1 if
 * the last successful login was less than delay seconds ago (*wait
 * is how many seconds remain); else records this login as the last
 * one and returns 0, or -1 with errno if it could not be recorded.
 * A stamp from the future (a clock set back) does not count.
 */
int	policy_login(int dirfd, long delay, time_t now, long *wait);

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
