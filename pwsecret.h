/* SPDX-License-Identifier: ISC */
/*
 * pwsecret.h: a new password for pop3d-passwd, read from the terminal
 * without echo (or one line of standard input) and made into the
 * password field of a passwd-file line by libcrypt.  Writes only the
 * prompts, and only to the terminal; never exits.
 */
#ifndef PWSECRET_H
#define PWSECRET_H

#include <crypt.h>
#include <stdbool.h>
#include <stddef.h>

#include "checkpw.h"

/* A password field: a {SCHEME} and a crypt(3) hash, with a NUL. */
#define PWSECRET_SIZE		(CRYPT_OUTPUT_SIZE + 32)
/* What pwsecret_read needs: a password, one byte to see more, NUL. */
#define PWSECRET_PASS_SIZE	(CHECKPW_PASS_MAX + 2)

struct pwmethod {
	const char	*name;		/* as -c takes it */
	const char	*prefix;	/* crypt_gensalt's; NULL: plain */
	const char	*scheme;	/* what the passwd-file says */
};

enum pwsecret {
	PWSECRET_OK,
	PWSECRET_NOTTY,		/* no terminal to ask */
	PWSECRET_DIFFER,	/* the two answers differ */
	PWSECRET_EMPTY,		/* an empty password */
	PWSECRET_LONG,		/* longer than CHECKPW_PASS_MAX */
	PWSECRET_NUL,		/* a NUL byte in it */
	PWSECRET_IO,		/* errno tells why */
	PWSECRET_COST,		/* the method does not take that cost */
	PWSECRET_PLAINBYTES,	/* ':' or a control byte in a {PLAIN} one */
	PWSECRET_CRYPT		/* crypt(3) failed */
};

/* The method called name, or the default (yescrypt) for NULL. */
const struct pwmethod	*pwsecret_method(const char *name);

/*
 * Reads a password into pw (PWSECRET_PASS_SIZE bytes) and sets *len:
 * with from_stdin one line of descriptor 0 (its LF and a CR before it
 * dropped), else from /dev/tty without echo, twice if confirm.  The
 * terminal is restored on every path, also on SIGINT and friends.
 */
enum pwsecret	pwsecret_read(bool from_stdin, bool confirm, char *pw,
		    size_t *len);

/*
 * Makes the password field for pw into out (PWSECRET_SIZE bytes):
 * a random salt from crypt_gensalt at cost (0: libcrypt's default)
 * and crypt, or {PLAIN} and pw itself.  Wipes what it used.
 */
enum pwsecret	pwsecret_make(const struct pwmethod *, unsigned long cost,
		    const char *pw, char *out);

/* A short text for an error, for the admin. */
const char	*pwsecret_error(enum pwsecret);

#endif /* PWSECRET_H */
