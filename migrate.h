/* SPDX-License-Identifier: ISC */
/*
 * migrate.h: keeps the unique-ids and the order another server gave
 * a Maildir's messages (pop3d -U).  Reads the old server's list in
 * the Maildir (never writes it), parses it with uidmap.c and hands
 * maildir.c one unique-id per listed message.  Never exits, logs or
 * talks to the client.
 */
#ifndef MIGRATE_H
#define MIGRATE_H

#include <stddef.h>

#include "maildir.h"
#include "uidmap.h"

struct migrate {
	struct uidmap	 map;
	char		*buf;		/* the file, which map points into */
	const char	**given;	/* per table entry, for maildir.c */
	size_t		 mapped;	/* messages that got an old unique-id */
	size_t		 line;		/* after a rejection: the line, or 0 */
	const char	*why;		/* after a rejection: what was wrong */
	int		 error;		/* errno of a read error, or 0 */
};

/*
 * After maildir_scan(): reads the list of the given kind from the
 * Maildir (md's directory) and applies it.  Messages it lists get
 * its unique-id and come first, in its order; the rest keep pop3d's
 * unique-id and order after them.  Returns 1 if applied, 0 if there
 * is no list, -1 if the list was rejected as a whole (mg->why says
 * why, mg->error the errno of a read error) and pop3d's own unique-ids stay.
 */
int		 migrate_apply(struct migrate *, enum uidmap_kind,
		    struct maildir *);

/* Frees what migrate_apply() kept; call after maildir_close(). */
void		 migrate_free(struct migrate *);

#endif /* MIGRATE_H */
