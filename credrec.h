/* SPDX-License-Identifier: ISC */
/*
 * credrec.h: the messages between the reader (unprivileged, chrooted,
 * parses the client) and the root side (runs CHECKPROG).  They travel
 * over a SOCK_SEQPACKET socketpair, one message per packet, each of
 * a fixed size with a 32-bit type first, in host byte order (both
 * ends are the same binary).  Pure code: no I/O, no allocation, no
 * state, so the root side's checks can be unit-tested and fuzzed.
 *
 *	reader -> root side
 *	CRED_MSG_LOGIN	one per login attempt: mechanism, user, secret,
 *			stamp, whether the channel is secure
 *	CRED_MSG_TLS	STLS done: fds 0 and 1 are the TLS wrapper's now
 *	CRED_MSG_PEER	the client endpoint a PROXY header named (below)
 *	CRED_MSG_LOG	an error line, logged with a "reader: " prefix
 *	CRED_MSG_END	the session ended before login, and why
 *	root side -> reader
 *	CRED_MSG_VERDICT	the answer to CRED_MSG_LOGIN
 *
 * Text fields are fixed arrays: len octets without NUL, then NUL
 * octets to the end of the array.  Anything else (other sizes, a NUL
 * inside, a byte after the NULs, an unknown mechanism) is refused as
 * a whole, and the root side then ends the connection.
 *
 * The PROXY hook: a reader that read a PROXY header (before its
 * greeting) sends one CRED_MSG_PEER with the client's address and
 * port, the destination address and port the client connected to,
 * and the "TLS at the proxy" bit.  The root side accepts it only if PROXY is on
 * and the real peer was allowed (rootside.proxy_ok, set before the
 * reader was forked), only once, and only before the first login;
 * from then on rootside_peer() is the client address for every log
 * line and for CHECKPROG's TCPREMOTEIP and TCPREMOTEPORT, the
 * destination is CHECKPROG's TCPLOCALIP and TCPLOCALPORT, and the TLS
 * bit counts as a secure channel for the plaintext policy.
 */
#ifndef CREDREC_H
#define CREDREC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "params.h"

/* One field can never be longer than the whole checkpassword record. */
#define CRED_FIELD		POP3_AUTH_MAX

enum cred_type {
	CRED_MSG_LOGIN = 0x70330001,	/* far from 0: a zeroed packet is none */
	CRED_MSG_TLS,
	CRED_MSG_PEER,
	CRED_MSG_LOG,
	CRED_MSG_END,
	CRED_MSG_VERDICT
};

enum cred_mech {
	CRED_PASS = 1,		/* USER/PASS: secret is the password */
	CRED_APOP,		/* secret is the hex digest, stamp ours */
	CRED_PLAIN,		/* AUTH PLAIN: secret is the password */
	CRED_CRAM		/* AUTH CRAM-MD5: hex response, our stamp */
};

enum cred_verdict {
	CRED_SERVED = 1,	/* the back end answered: say nothing more */
	CRED_REJECTED,		/* -ERR [AUTH]; the client may retry */
	CRED_REJECTED_LAST,	/* -ERR [AUTH]; the limit is reached */
	CRED_TEMPFAIL,		/* -ERR [SYS/TEMP] */
	CRED_REFUSED		/* malformed: the root side hangs up */
};

/* Why a message was refused; cred_error_text() words it for the log. */
enum cred_error {
	CRED_OK,
	CRED_ESIZE,		/* not the size of its type */
	CRED_ETYPE,		/* unknown or unexpected type */
	CRED_EMECH,		/* unknown mechanism */
	CRED_EFLAG,		/* a flag other than 0 or 1 */
	CRED_ELEN,		/* a length beyond its field */
	CRED_ENUL,		/* a NUL inside, or no NUL padding after */
	CRED_EEMPTY,		/* no user or no secret */
	CRED_EFORM,		/* user, digest or stamp malformed */
	CRED_ERANGE		/* a number out of range */
};

struct cred_login {
	uint32_t	type;		/* CRED_MSG_LOGIN */
	uint32_t	mech;		/* enum cred_mech */
	uint32_t	secure;		/* 0 or 1: TLS (declared or STLS) */
	uint32_t	userlen;
	uint32_t	secretlen;
	uint32_t	stamplen;
	char		user[CRED_FIELD];
	char		secret[CRED_FIELD];
	char		stamp[CRED_FIELD];
};

enum cred_family { CRED_INET4 = 4, CRED_INET6 = 6 };

struct cred_peer {
	uint32_t	type;		/* CRED_MSG_PEER */
	uint32_t	family;		/* enum cred_family */
	uint8_t		addr[16];	/* network order; IPv4: 4, then 0 */
	uint32_t	port;		/* 0..65535 */
	uint32_t	dfamily;	/* the destination: the same three */
	uint8_t		daddr[16];
	uint32_t	dport;
	uint32_t	tls;		/* 0 or 1: TLS ended at the proxy */
};

struct cred_log {
	uint32_t	type;		/* CRED_MSG_LOG */
	uint32_t	prio;		/* syslog priority, 0..7 */
	uint32_t	len;
	char		text[POP3_READER_LOG_MAX];
};

struct cred_short {
	uint32_t	type;		/* CRED_MSG_TLS, _END, _VERDICT */
	uint32_t	value;		/* END: why; VERDICT: enum cred_verdict */
};

/* The largest message, plus one so a longer packet shows as longer. */
#define CRED_MSG_MAX		(sizeof(struct cred_login) + 1)

/*
 * Fills a login record.  Returns 0, or -1 if a field is empty (user,
 * secret), too long or holds a NUL; the record is zeroed first.
 */
int		cred_pack(struct cred_login *, enum cred_mech, bool secure,
		    const char *user, size_t ulen, const char *secret,
		    size_t slen, const char *stamp, size_t stlen);

/* The type of the n-byte message buf, or 0 if it has none. */
uint32_t	cred_type(const void *buf, size_t n);

/*
 * Checks an n-byte login record field by field and copies it into
 * *out.  Returns CRED_OK or the first problem found.
 */
enum cred_error	cred_check_login(const void *buf, size_t n,
		    struct cred_login *out);

enum cred_error	cred_check_peer(const void *buf, size_t n,
		    struct cred_peer *out);
enum cred_error	cred_check_log(const void *buf, size_t n,
		    struct cred_log *out);

/* TLS, END (value < vmax) and VERDICT (a cred_verdict) messages. */
enum cred_error	cred_check_short(const void *buf, size_t n, uint32_t type,
		    uint32_t vmax, uint32_t *value);

const char	*cred_error_text(enum cred_error);

#endif /* CREDREC_H */
