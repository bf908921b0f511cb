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
	size_t			 retrieved;	/* RETR completed */
	uint64_t		 retrieved_octets;
	size_t			 marked;	/* marked by DELE now */
	uint64_t		 marked_octets;
	bool			 committed;	/* QUIT ran the UPDATE state */
	struct commit_result	 result;
};

/* The verbs of the TRANSACTION state, for session.handlers. */
extern const struct handler	trans_handlers[];
extern const size_t		trans_nhandlers;

/* Messages and octets not marked for deletion (STAT, RSET). */
void	trans_count(const struct trans *, size_t *, uint64_t *);

#endif /* TRANS_H */
