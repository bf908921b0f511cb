/* SPDX-License-Identifier: ISC */
/*
 * trans.h: the TRANSACTION and UPDATE states (RFC 1939 s.5, s.6) over
 * a scanned Maildir.  Runs as the mail user, never as root.  Nothing
 * on disk changes before QUIT.
 */
#ifndef TRANS_H
#define TRANS_H

#include <stddef.h>
#include <stdint.h>

#include "maildir.h"
#include "session.h"
#include "update.h"

struct trans {
	struct maildir		*md;
	unsigned long		 last;		/* LAST (RFC 1460) */
	unsigned long		 start;		/* LAST at login and RSET */
	size_t			 retrieved;	/* RETR completed */
	uint64_t		 retrieved_octets;
	size_t			 marked;	/* marked by DELE now */
	uint64_t		 marked_octets;
	bool			 committed;	/* QUIT ran the UPDATE state */
	struct commit_result	 result;
	long			 expire;	/* EXPIRE days (policy.h) */
	long			 login_delay;	/* LOGIN-DELAY, for CAPA */
	size_t			 expired;	/* marked by EXPIRE at QUIT */
	uint64_t		 expired_octets;
	long			 trash;		/* -K days (trash.h) */
};

/* The verbs of the TRANSACTION state, for session.handlers. */
extern const struct handler	trans_handlers[];
extern const size_t		trans_nhandlers;

/*
 * Starts the TRANSACTION state over md.  LAST begins at the highest
 * message number whose file carries the S flag (maildir(5)), which
 * QUIT adds to what RETR sent: the record of earlier sessions.
 * EXPIRE and LOGIN-DELAY start off (POLICY_OFF); set them after.
 */
void	trans_begin(struct trans *, struct maildir *);

/* Messages and octets not marked for deletion (STAT, RSET). */
void	trans_count(const struct trans *, size_t *, uint64_t *);

/* Room for trans_logout()'s text. */
#define TRANS_LOGOUT_MAX	384

/*
 * What a committed QUIT did, for the logout line (pop3d.8 says what
 * each field counts): "retrieved=N/OCTETS, deleted=N/OCTETS,
 * undeletable=N/OCTETS, unmoved=N", then ", expired=N/OCTETS" with
 * EXPIRE on, ", trashed=N/OCTETS, purged=N" with the trash on, and
 * ", error=TEXT" after a failure.  Every N/OCTETS pair counts the
 * same messages, by their POP3 sizes.  Returns buf.
 */
const char	*trans_logout(const struct trans *, char *buf, size_t size);

#endif /* TRANS_H */
