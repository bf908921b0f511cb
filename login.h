/* SPDX-License-Identifier: ISC */
/*
 * login.h: the state of AUTHORIZATION (RFC 1939 s.4) as the process
 * that parses the client sees it, the plaintext policy, and the one
 * way a login attempt leaves that process: a credential record
 * (credrec.h) handed to a gate, which answers with a verdict.  In the
 * split front end the gate is the socketpair to the root side
 * (reader.c); started as a user, it is the root side's code called
 * directly (rootside.c).  Either way the same checks run on the same
 * record.  Used by auth.c (USER, PASS, APOP, ...) and sasl.c (AUTH).
 */
#ifndef LOGIN_H
#define LOGIN_H

#include <stdbool.h>
#include <stddef.h>

#include "params.h"
#include "credrec.h"
#include "session.h"

/* A DNS name is at most 253 octets (RFC 1035 s.2.3.4), and gethostname
 * may return up to HOST_NAME_MAX (64 on Linux): 256 holds either. */
#define AUTH_HOST_MAX		256
/* "<pid.time.random@host>": RFC 1939 s.7 msg-id syntax; the host plus
 * at most 44 octets of numbers and punctuation. */
#define AUTH_STAMP_MAX		300

/* STLS through a UCSPI-TLS wrapper (UCSPITLS, SSLCTLFD, ...). */
enum tls_state {
	TLS_NONE,		/* no wrapper: STLS is not offered */
	TLS_OFFERED,		/* UCSPITLS set: STLS offered */
	TLS_REQUIRED,		/* UCSPITLS="!": no login before STLS */
	TLS_ACTIVE		/* switched: fds 0 and 1 are the wrapper's */
};

/* Where USER/PASS and AUTH PLAIN are allowed (-p). */
enum plain_policy {
	PLAIN_SECURE,		/* only on a secure connection (default) */
	PLAIN_LOOPBACK,		/* also from 127.0.0.0/8 and ::1 */
	PLAIN_ANY		/* everywhere: the policy is off */
};

/*
 * Where login attempts go.  login() gets a checked-out record and
 * returns the verdict (the record is wiped by then); tls() reports
 * that STLS switched fds 0 and 1 (0, or -1: end the session); end()
 * reports why the session ended before login.
 */
struct gate {
	enum cred_verdict (*login)(void *, struct cred_login *);
	int		(*tls)(void *);
	void		(*end)(void *, enum session_end);
	void		*ctx;
};

struct authz {
	const struct gate *gate;
	enum plain_policy policy;
	bool		 secure;	/* TLS: declared, by wrapper or STLS */
	bool		 loopback;	/* the client is on this host */
	bool		 apop;		/* APOP offered (stamp in greeting) */
	bool		 cram;		/* AUTH CRAM-MD5 offered */
	long		 expire;	/* -X: CAPA EXPIRE, or -1 */
	long		 login_delay;	/* -L: CAPA LOGIN-DELAY, or -1 */
	enum tls_state	 tls;
	int		 tls_ctl, tls_rd, tls_wr;	/* UCSPI-TLS fds */
	size_t		 userlen;	/* 0: no USER yet */
	char		 user[POP3_LINE_MAX];
	size_t		 stamplen;	/* APOP stamp, CRAM-MD5 challenge */
	char		 stamp[AUTH_STAMP_MAX];
	char		 host[AUTH_HOST_MAX];	/* for the stamp */
};

/*
 * True if passwords may travel in the clear on this connection: the
 * secure-channel policy (like Dovecot's disable_plaintext_auth).
 */
bool		auth_plain_ok(const struct authz *);

/*
 * Answers a login command: if TLS is required and not yet active,
 * says so (-ERR) and returns false.
 */
bool		auth_may_login(struct session *);

/*
 * Sends the credentials through the gate and answers the login
 * command: nothing if the back end took over, else -ERR [AUTH] or
 * -ERR [SYS/TEMP].  Before it waits for the verdict (which, for a
 * login that works, comes only when the mail session is over) it
 * wipes every copy it can reach: its record, the command line, the
 * input buffer, a->user and the n bytes at scratch (the caller's
 * decoded SASL response); user and secret must point into those.
 */
void		auth_login(struct session *, enum cred_mech, const char *user,
		    size_t ulen, const char *secret, size_t slen,
		    void *scratch, size_t n);

/*
 * Sets a->host from host, or from gethostname(2) if host is NULL; a
 * name that is not a plain DNS name becomes "localhost".
 */
void		auth_set_host(struct authz *, const char *host);

/*
 * Makes a stamp "<pid.time.random@host>" (APOP greeting, CRAM-MD5
 * challenge) from the process id, the clock and 64 bits of
 * getrandom(2).  Returns its length, or 0 with errno set.  Made once
 * per connection, before the reader is forked, so that the root side
 * knows the only stamp a digest may be made against.
 */
size_t		auth_make_stamp(const struct authz *, char *buf, size_t size);

/*
 * Reads the UCSPI-TLS environment (UCSPITLS, SSLCTLFD, SSLREADFD,
 * SSLWRITEFD, DISABLETLS) into a->tls and the fds.  A wrapper that
 * names descriptors that are not open is ignored.  Returns 0, or -1
 * (errno EBADF) if UCSPITLS asked for TLS but the fds are unusable.
 */
int		auth_tls_init(struct authz *);

#endif /* LOGIN_H */
