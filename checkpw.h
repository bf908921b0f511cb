/* SPDX-License-Identifier: ISC */
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

#include <crypt.h>
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

/*
 * Policy: group lists longer than this are not examined; such a user
 * is a temporary failure (the admin must look).  Far above the 16
 * groups NFS's AUTH_SYS carries.
 */
#define CHECKPW_GROUPS_MAX	1024
/*
 * Policy: shadow(5) periods above this (273 years) are read as "no
 * limit", as 99999, passwd(1)'s "never", is; it also keeps the date
 * arithmetic far from overflow.
 */
#define CHECKPW_DAYS_MAX	100000L

/*
 * Policy: the cost classes (crypt(3) settings without their salt, see
 * checkpw_costs) of a passwd-file that every login pays for.  Each is
 * one crypt(3) per login; a file with more is a mess to clean up (see
 * pop3d-passwd list), and its users beyond these pay their own hash on
 * top, which tells them apart.
 */
#define CHECKPW_COSTS_MAX	8
/* The longest hash crypt(3) can make; a longer one is not a hash. */
#define CHECKPW_HASH_MAX	(CRYPT_OUTPUT_SIZE - 1)

/*
 * The longest password a login can carry: the fd-3 record holds a
 * user of one byte at least and three NULs.
 */
#define CHECKPW_PASS_MAX	(POP3_AUTH_MAX - 4)

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
	bool		 rootgroup;	/* initgroups would grant group 0 */
	/*
	 * shadow(5)'s dates and periods, in days; -1 where the field is
	 * empty (and for every passwd-file entry: no aging there).
	 */
	long		 lastchg;	/* last change; 0: must change */
	long		 maxdays;	/* password valid for this long */
	long		 inactive;	/* then still accepted this long */
	long		 expire;	/* the account ends on this day */
	/* Up to CHECKPW_LINE_MAX, one byte to see more, and a NUL. */
	char		 buf[CHECKPW_LINE_MAX + 2];
};

/*
 * The work every login does in crypt(3), whoever the user is: one
 * crypt(3) per cost class.  A cost class is a hash's setting without
 * its salt ("$y$j9T$", "$6$rounds=5000$", "$2b$10$", "$1$"): hashes of
 * one class cost the same whatever their salt and result.  For a
 * passwd-file, the classes of its entries in file order; for the
 * system accounts, the built-in dummy's alone.  A login runs one
 * crypt(3) against each hash here, except that the user's own hash
 * stands in for the one of its own class.  Holds other users' hashes:
 * wipe it after use.
 */
struct checkpw_costs {
	size_t	n;		/* classes in hash[] */
	bool	more;		/* the file had classes beyond these */
	/* The first hash of each class: a dummy of exactly its cost. */
	char	hash[CHECKPW_COSTS_MAX][CHECKPW_HASH_MAX + 1];
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
 * Why an account is refused whatever the password: a bit set for each
 * reason that applies (see checkpw_policy).
 */
#define CHECKPW_R_UID0		0x01	/* uid 0: no mail is served as root */
#define CHECKPW_R_GID0		0x02	/* primary group 0 */
#define CHECKPW_R_ROOTGROUP	0x04	/* member of group 0 */
#define CHECKPW_R_EXPIRED	0x08	/* the account's expiry date passed */
#define CHECKPW_R_INACTIVE	0x10	/* password expired, grace over too */
#define CHECKPW_R_PWEXPIRED	0x20	/* password older than its maximum */
#define CHECKPW_R_MUSTCHANGE	0x40	/* the admin forced a change */
#define CHECKPW_R_NOLOGIN	0x80	/* shell is nologin or false */

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
 * are skipped.  The whole file is always read, whichever line matches,
 * so the time taken does not tell where (or whether) the user is.  On CHECKPW_MALFORMED *lineno is its line number; on
 * CHECKPW_ERROR errno tells why.  Buffers that held file contents are
 * wiped before returning.
 */
enum checkpw_found	checkpw_file_lookup(const char *path,
			    const char *user, size_t userlen,
			    struct checkpw_user *u, size_t *lineno);

/*
 * checkpw_file_lookup, and the cost classes of every well-formed line
 * (whoever it names) into *costs; on anything but CHECKPW_FOUND or
 * CHECKPW_UNKNOWN *costs is wiped.
 */
enum checkpw_found	checkpw_file_lookup_costs(const char *path,
			    const char *user, size_t userlen,
			    struct checkpw_user *u, size_t *lineno,
			    struct checkpw_costs *costs);

/* The system accounts' costs: the built-in dummy's class alone. */
void	checkpw_costs_dummy(struct checkpw_costs *);

/*
 * Adds the class of secret ("{SCHEME}..." or a crypt(3) hash) to
 * *costs unless it is there; plaintext, locked and empty secrets and
 * unknown schemes have no class.
 */
void	checkpw_costs_add(struct checkpw_costs *, const char *secret);

/*
 * Finds user (NUL-terminated) with getpwnam(3) and, when its password
 * field is "x", getspnam(3).  Fills in the shadow dates and whether
 * getgrouplist(3) names group 0.  On
 * CHECKPW_ERROR errno tells why; EACCES: the user's shadow entry
 * cannot be read (not root) or is missing.
 */
enum checkpw_found	checkpw_sys_lookup(const char *user,
			    struct checkpw_user *u);

/*
 * The refusals that apply to u on day today (days since 1970-01-01
 * UTC), as CHECKPW_R_* bits; 0 means the account may log in.  With
 * nologin_ok, a nologin or false shell is not a reason.  Pure: no
 * I/O, no clock.
 */
unsigned int	checkpw_policy(const struct checkpw_user *u, long today,
		    bool nologin_ok);

/* True if shell's last component is "nologin" or "false". */
bool	checkpw_nologin(const char *shell);

/* A short text for the lowest CHECKPW_R_* bit set in r, for logs. */
const char	*checkpw_refusal(unsigned int r);

/* A short text for v, for logs. */
const char	*checkpw_reason(enum checkpw_verdict v);

/* Today in days since 1970-01-01 UTC, as shadow(5) counts. */
long	checkpw_today(void);

/*
 * Checks pass (passlen bytes, NUL-terminated) against secret.  With a
 * non-empty stamp, a {PLAIN} secret also accepts the APOP digest
 * (RFC 1939 s.7) or the CRAM-MD5 response (RFC 2195) as lower-case
 * hex.  Every candidate is computed and every comparison takes the
 * same time whatever matches.  crypt(3) runs once per class in costs
 * on every path: against the user's hash for its own class, against
 * the class's dummy for the others (all of them when there is no
 * usable hash); a hash of no class in costs runs on top.
 */
enum checkpw_verdict	checkpw_verify_costs(const char *secret,
			    const char *pass, size_t passlen,
			    const char *stamp, size_t stamplen,
			    const struct checkpw_costs *costs);

/* checkpw_verify_costs with the built-in dummy's class alone. */
enum checkpw_verdict	checkpw_verify(const char *secret, const char *pass,
			    size_t passlen, const char *stamp, size_t stamplen);

/*
 * Runs crypt(3) once against each dummy in costs, for unknown users
 * and refused accounts: what checkpw_verify_costs costs any user.
 */
void	checkpw_dummies(const char *pass, const struct checkpw_costs *costs);

/*
 * Runs crypt(3) once against the built-in dummy hash.  Returns 0, or
 * -1 if crypt(3) rejected the dummy (so it cost nothing).
 */
int	checkpw_dummy(const char *pass);

/*
 * True if secret is weaker than the built-in dummy, a yescrypt hash
 * at libcrypt's default cost (what pop3d-passwd and passwd(1) make):
 * plaintext, any other crypt(3) scheme (not memory-hard), or a
 * yescrypt, gost-yescrypt or scrypt hash of a lower cost than
 * crypt_gensalt(3) gives by default.  Locked, empty and unknown
 * secrets are not weak hashes: false.
 */
bool	checkpw_weaker(const char *secret);

/*
 * Compares a (alen bytes) with b (blen bytes) through their SHA-256
 * digests, so the time taken depends on neither where they differ nor
 * whether their lengths match.  Returns true if they are equal.
 */
bool	checkpw_equal(const char *a, size_t alen, const char *b, size_t blen);

#endif /* CHECKPW_H */
