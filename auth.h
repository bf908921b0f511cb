/*
 * auth.h: the AUTHORIZATION state (RFC 1939 s.4) and the
 * checkpassword call.  Runs before login, usually as root, on fixed
 * buffers only: it never touches the file system and never allocates.
 *
 * How the front end reads the end of "CHECKPROG SUBPROG [ARG...]":
 *
 *	status		meaning				reply by the front end
 *	took over	SUBPROG (pop3d -m) signalled	none: the back end
 *			on POP3D_TAKEOVER_FD that it	answered; whatever
 *			is answering the client		happens next is its own
 *	0		SUBPROG ran and exited		none
 *	1, unlisted	credentials rejected		-ERR [AUTH] ...
 *	111		temporary failure		-ERR [SYS/TEMP] ...
 *	signal		checkpassword crashed		-ERR [SYS/TEMP] ...
 *
 * The back end writes one byte to the pipe named by POP3D_TAKEOVER_FD
 * just before its first byte to the client, so the front end can
 * never add a second answer to a login that a back end answered, even
 * if that back end later crashes.  Checkpassword programs pass the
 * variable and the descriptor through untouched.
 */
#ifndef AUTH_H
#define AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "params.h"
#include "session.h"

/* The descriptor the back end finds the takeover pipe on. */
#define AUTH_TAKEOVER_FD	4
#define AUTH_TAKEOVER_ENV	"POP3D_TAKEOVER_FD"
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

enum auth_result { AUTH_SERVED, AUTH_REJECTED, AUTH_TEMPFAIL, AUTH_CRASHED };

/* Where USER/PASS and AUTH PLAIN are allowed (-p). */
enum plain_policy {
	PLAIN_SECURE,		/* only on a secure connection (default) */
	PLAIN_LOOPBACK,		/* also from 127.0.0.0/8 and ::1 */
	PLAIN_ANY		/* everywhere: the policy is off */
};

struct authz {
	char *const	*argv;		/* CHECKPROG SUBPROG [ARG...] NULL */
	enum plain_policy policy;
	bool		 secure;	/* TLS: declared, by wrapper or STLS */
	bool		 loopback;	/* the client is on this host */
	unsigned	 failmax;	/* failed logins before hanging up */
	unsigned	 fails;
	unsigned	 delay;		/* seconds after the first failure */
	bool		 apop;		/* APOP offered (stamp in greeting) */
	bool		 cram;		/* AUTH CRAM-MD5 offered */
	long		 expire;	/* -X: CAPA EXPIRE, or -1 */
	long		 login_delay;	/* -L: CAPA LOGIN-DELAY, or -1 */
	enum tls_state	 tls;
	int		 tls_ctl, tls_rd, tls_wr;	/* UCSPI-TLS fds */
	bool		 quiet_stderr;	/* fd 2 is the client: hide it */
	size_t		 userlen;	/* 0: no USER yet */
	char		 user[POP3_LINE_MAX];
	size_t		 stamplen;
	char		 stamp[AUTH_STAMP_MAX];
	char		 peer[64];	/* client address, for the log */
	char		 host[AUTH_HOST_MAX];	/* for stamps and challenges */
};

/* The verbs of the AUTHORIZATION state, for session.handlers. */
extern const struct handler	authz_handlers[];
extern const size_t		authz_nhandlers;

/*
 * True if passwords may travel in the clear on this connection: the
 * secure-channel policy (like Dovecot's disable_plaintext_auth).
 */
bool		auth_plain_ok(const struct authz *);

/* True if addr (text) is a loopback address, 127.0.0.0/8 or ::1. */
bool		auth_is_loopback(const char *addr);

/*
 * Exports TCPREMOTEIP (peer), TCPLOCALIP and TCPLOCALPORT for the
 * checkpassword program when the superserver did not (inetd, systemd):
 * vchkpw-style checkers need them.  Values come from the kernel or a
 * validated environment, never from client bytes.  Returns 0, or -1
 * with errno set if the environment cannot grow.
 */
int		auth_export_env(const char *peer);

/*
 * Sets a->host from host, or from gethostname(2) if host is NULL; a
 * name that is not a plain DNS name becomes "localhost".
 */
void		auth_set_host(struct authz *, const char *host);

/*
 * Makes a stamp "<pid.time.random@host>" (APOP greeting, CRAM-MD5
 * challenge) from the process id, the clock and 64 bits of
 * getrandom(2).  Returns its length, or 0 with errno set.
 */
size_t		auth_make_stamp(const struct authz *, char *buf, size_t size);

/*
 * Reads the UCSPI-TLS environment (UCSPITLS, SSLCTLFD, SSLREADFD,
 * SSLWRITEFD, DISABLETLS) into a->tls and the fds.  A wrapper that
 * names descriptors that are not open is ignored.  Returns 0, or -1
 * (errno EBADF) if UCSPITLS asked for TLS but the fds are unusable.
 */
int		auth_tls_init(struct authz *);

/*
 * Lays out "user NUL pass NUL stamp NUL" in buf.  stamp must not be
 * NULL (pass "" and 0 for none).  Returns the record length, or 0 if
 * user or pass is empty, a field contains NUL, or the record would
 * not fit in size bytes.
 */
size_t		auth_record(char *buf, size_t size, const char *user,
		    size_t ulen, const char *pass, size_t plen,
		    const char *stamp, size_t slen);

/*
 * Runs argv[0] with argv, the record on a pipe at fd 3 (write end
 * closed) and the takeover pipe at AUTH_TAKEOVER_FD, waits for it and
 * maps the outcome (table above).  With quiet_stderr the child's fd 2
 * is /dev/null.  Never returns AUTH_SERVED without the child having
 * exited 0 or taken over.
 */
enum auth_result auth_run(char *const argv[], const char *rec, size_t len,
		    bool quiet_stderr);

/*
 * Answers a login command: if TLS is required and not yet active,
 * says so (-ERR) and returns false.
 */
bool		auth_may_login(struct session *);

/*
 * Runs CHECKPROG for user/pass/stamp and answers the login command:
 * nothing if the back end took over, else -ERR [AUTH] after the
 * failed-login brake, or -ERR [SYS/TEMP].  Wipes its copy.
 */
void		auth_login(struct session *, const char *user, size_t ulen,
		    const char *pass, size_t plen, const char *stamp,
		    size_t slen);

/* Maps a wait status and whether the back end took over. */
enum auth_result auth_classify(int wstatus, bool took_over);

#endif /* AUTH_H */
