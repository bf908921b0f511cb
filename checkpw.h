/*
 * checkpw.h: the logic of pop3d-checkpw.  Parses the fd-3 record and
 * Dovecot passwd-file lines, looks users up, verifies passwords (crypt,
 * PLAIN, APOP, CRAM-MD5) in constant time.  Trusts nothing in the
 * record; trusts the passwd-file and system databases.  Never exits,
 * never prints, never logs a password or a hash.
 */
#ifndef CHECKPW_H
#define CHECKPW_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>

#include "params.h"

/* Policy: a passwd-file line longer than this is malformed. */
#define CHECKPW_LINE_MAX	4096
/*
 * Policy: the front end writes the whole record at once; a writer
 * that stalls this long on fd 3 is broken.
 */
#define CHECKPW_READ_SECS	30

/* Exit statuses, from the checkpassword interface (see pop3d-checkpw.8). */
#define CHECKPW_EXIT_BAD	1	/* credentials rejected */
#define CHECKPW_EXIT_MISUSE	2	/* bad record or invocation */
#define CHECKPW_EXIT_TEMP	POP3_EXIT_TEMP

/* The fd-3 record; every pointer points into the caller's buffer. */
struct checkpw_record {
	const char	*user;		/* NUL-terminated, userlen > 0 */
	size_t		 userlen;
	const char	*pass;		/* NUL-terminated */
	size_t		 passlen;
	const char	*stamp;		/* not necessarily NUL-terminated */
	size_t		 stamplen;
};

/* One account, from a passwd-file line or the system databases. */
struct checkpw_user {
	const char	*name;		/* these point into buf */
	const char	*secret;	/* "{SCHEME}..." or a crypt(3) hash */
	const char	*home;
	const char	*shell;
	uid_t		 uid;
	gid_t		 gid;
	bool		 system;	/* from getpwnam: use initgroups */
	bool		 expired;	/* shadow's account expiry has passed */
	/* Up to CHECKPW_LINE_MAX, one byte to see more, and a NUL. */
	char		 buf[CHECKPW_LINE_MAX + 2];
};

enum checkpw_line {
	CHECKPW_LINE_OK,	/* *u is filled in */
	CHECKPW_LINE_SKIP,	/* comment or blank line */
	CHECKPW_LINE_BAD	/* malformed; see *name */
};

enum checkpw_found {
	CHECKPW_FOUND,		/* *u is filled in */
	CHECKPW_UNKNOWN,	/* no such user */
	CHECKPW_MALFORMED,	/* the user's passwd-file line is malformed */
	CHECKPW_ERROR		/* cannot tell; errno is set */
};

enum checkpw_verdict {
	CHECKPW_MATCH,		/* the password is right */
	CHECKPW_MISMATCH,	/* the password is wrong */
	CHECKPW_NOPASS,		/* the client sent an empty password */
	CHECKPW_NOSECRET,	/* the stored secret is empty */
	CHECKPW_LOCKED,		/* the stored hash starts with '!' or '*' */
	CHECKPW_SCHEME,		/* unknown {SCHEME} */
	CHECKPW_BADHASH		/* crypt(3) cannot use the stored hash */
};

/*
 * Splits the len bytes of buf into user, password and stamp.  len is
 * at most POP3_AUTH_MAX; user and password must end in NUL, the stamp
 * may lack its NUL, and bytes after the stamp's NUL are ignored (the
 * checkpassword interface allows more data).  Returns 0, or -1 with
 * errno EMSGSIZE (too long) or EINVAL (malformed, empty user).
 */
int	checkpw_record(const char *buf, size_t len, struct checkpw_record *);

/*
 * Parses one passwd-file line, "user:secret:uid:gid:gecos:home[:shell
 * [:extra]]", without its LF.  line must hold len + 1 bytes; on
 * CHECKPW_LINE_OK the colons are replaced by NULs, u's pointers point
 * into line and shell defaults to /bin/sh.  A len above
 * CHECKPW_LINE_MAX means the line was too long and is malformed.  On
 * CHECKPW_LINE_BAD, *name and *namelen give the user field (pointing
 * into line, not NUL-terminated) or *name is NULL if there is none.
 * u->buf is not used.
 */
enum checkpw_line	checkpw_line(char *line, size_t len,
			    struct checkpw_user *u, const char **name,
			    size_t *namelen);

/*
 * Finds user (userlen bytes, no NUL inside) in the passwd-file path.
 * The first line naming the user wins; malformed lines of other users
 * are skipped.  On CHECKPW_MALFORMED *lineno is its line number; on
 * CHECKPW_ERROR errno tells why.  Buffers that held file contents are
 * wiped before returning.
 */
enum checkpw_found	checkpw_file_lookup(const char *path,
			    const char *user, size_t userlen,
			    struct checkpw_user *u, size_t *lineno);

/*
 * Finds user (NUL-terminated) with getpwnam(3) and, when its password
 * field is "x", getspnam(3).  Sets u->expired from sp_expire.  On
 * CHECKPW_ERROR errno tells why; EACCES: the user's shadow entry
 * cannot be read (not root) or is missing.
 */
enum checkpw_found	checkpw_sys_lookup(const char *user,
			    struct checkpw_user *u);

/*
 * Checks pass (passlen bytes, NUL-terminated) against secret.  With a
 * non-empty stamp, a {PLAIN} secret also accepts the APOP digest
 * (RFC 1939 s.7) or the CRAM-MD5 response (RFC 2195) as lower-case
 * hex.  Every candidate is computed and every comparison takes the
 * same time whatever matches, and exactly one crypt(3) runs on every
 * path (against a dummy hash when there is no usable one).
 */
enum checkpw_verdict	checkpw_verify(const char *secret, const char *pass,
			    size_t passlen, const char *stamp, size_t stamplen);

/*
 * Runs crypt(3) once against the dummy hash, for unknown users.
 * Returns 0, or -1 if crypt(3) rejected the dummy (so it cost nothing).
 */
int	checkpw_dummy(const char *pass);

/*
 * Compares a (alen bytes) with b (blen bytes) through their SHA-256
 * digests, so the time taken depends on neither where they differ nor
 * whether their lengths match.  Returns true if they are equal.
 */
bool	checkpw_equal(const char *a, size_t alen, const char *b, size_t blen);

#endif /* CHECKPW_H */
