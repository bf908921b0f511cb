/* SPDX-License-Identifier: ISC */
/*
 * rootside.h: the root side of the split front end.  It stays root
 * because CHECKPROG must be able to switch users, so it is kept
 * small: it never reads the client socket and never parses POP3.  It
 * reads fixed-layout messages from the reader (credrec.h), checks
 * each one field by field and against its own view of the connection
 * (mechanisms offered, the stamp it made, the plaintext policy, TLS),
 * runs CHECKPROG as checkprog.h describes, applies the failed-login
 * brake and limit itself, logs LOGIN FAILED with the address it
 * knows, and answers with a verdict.  Anything malformed ends the
 * connection: the reader is killed, nothing is run.
 *
 * Started as a user there is no split; the same functions are then
 * called directly by the parsing code (rootside_gate()).
 */
#ifndef ROOTSIDE_H
#define ROOTSIDE_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>

#include "credrec.h"
#include "login.h"

struct rootside {
	char *const	*argv;		/* CHECKPROG SUBPROG [ARG...] NULL */
	bool		 quiet_stderr;	/* fd 2 is the client: hide it */
	enum plain_policy policy;
	bool		 secure;	/* declared, or TLS at STLS/the proxy */
	bool		 loopback;	/* the client is on this host */
	bool		 apop, cram;	/* mechanisms offered */
	enum tls_state	 tls;
	int		 tls_rd, tls_wr;	/* the wrapper's, for STLS */
	bool		 shared_fds;	/* no split: fds 0, 1 are switched */
	unsigned	 failmax;	/* failed logins before hanging up */
	unsigned	 fails;
	unsigned	 delay;		/* seconds after the first failure */
	bool		 tried;		/* a login record arrived */
	bool		 final;		/* the last verdict was given */
	size_t		 stamplen;	/* the only stamp a digest may use */
	char		 stamp[AUTH_STAMP_MAX];
	bool		 proxy_ok;	/* PROXY is on and the peer allowed */
	bool		 endpoint;	/* a CRED_MSG_PEER was taken */
	char		 peer[64];	/* the client address, for the log */
};

/*
 * Copies the connection's view (policy, mechanisms, stamp, TLS fds)
 * from the AUTHORIZATION set-up a, which the reader will inherit, so
 * that both sides start from the same facts.
 */
void		rootside_init(struct rootside *, const struct authz *a,
		    char *const argv[], unsigned failmax, unsigned delay,
		    bool quiet_stderr);

/*
 * The client address every log line and CHECKPROG's TCPREMOTEIP use:
 * from the superserver or the socket, or what a PROXY header said.
 */
const char	*rootside_peer(const struct rootside *);

/*
 * Sets the client address: addr must parse as an IPv4 or IPv6
 * address.  Exports TCPREMOTEIP, TCPREMOTEPORT (port, unless NULL)
 * and TCPLOCALIP/TCPLOCALPORT (see auth_export_env()).  Returns 0, or
 * -1 with errno set.
 */
int		rootside_set_peer(struct rootside *, const char *addr,
		    const char *port);

/*
 * Checks a login record, runs CHECKPROG if it passes, gives a verdict.
 * Wipes the n bytes at buf first thing: the copies it keeps are its
 * own, and wiped before CHECKPROG is waited for.
 */
enum cred_verdict rootside_login(struct rootside *, void *buf, size_t n);

/*
 * The reader says STLS switched fds 0 and 1.  Returns 0, or -1 if no
 * switch was possible (a reader that says so is lying).
 */
int		rootside_tls(struct rootside *);

/*
 * Takes a CRED_MSG_PEER: only if proxy_ok, only once, only before
 * any login.  Returns 0, or -1 (refused; the reason is logged).
 */
int		rootside_endpoint(struct rootside *, const void *buf,
		    size_t n);

/* Logs why a session ended before login (not for QUIT or a login). */
void		rootside_end(struct rootside *, enum session_end);

/*
 * Serves the reader's messages on sock until it exits, at most secs
 * (the -A deadline) plus POP3_AUTHZ_SLACK seconds of waiting, then
 * reaps it.  A reader that sends garbage or overruns is killed; every
 * such end is logged.  Returns the exit status for pop3d.
 */
int		rootside_run(struct rootside *, int sock, pid_t reader,
		    unsigned long secs);

/* The gate of an unsplit front end: rs's functions, called directly. */
void		rootside_gate(struct rootside *, struct gate *);

#endif /* ROOTSIDE_H */
