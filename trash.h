/* SPDX-License-Identifier: ISC */
/*
 * trash.h: the safety net for deleted mail (-K DAYS, doc/trash.md).
 * With it on, UPDATE (update.h) moves a deleted message with rename(2)
 * into the Maildir++ folder ".Trash" of the same Maildir, under its
 * own unique name with the T (trashed) flag, instead of unlinking it;
 * a later UPDATE purges what has been there more than DAYS days (by
 * ctime, which the rename sets), and "pop3d-passwd restore" moves it
 * back.  IMAP servers and mail programs reading the Maildir see the
 * folder as their "Trash".
 *
 * The name functions are pure (no I/O, no state) over untrusted
 * names; the rest works on directory descriptors, relative names
 * only.  Functions return 0 or -1 with errno unless stated otherwise.
 * Never exits, logs or talks to a client.
 */
#ifndef TRASH_H
#define TRASH_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "params.h"

/* The folder, as maildirmake(1) -f Trash names it (Maildir++). */
#define TRASH_DIR	".Trash"
/* Marks a Maildir++ folder (Courier, Dovecot). */
#define TRASH_MARK	"maildirfolder"
/* Policy: seconds in a -K day; ctime is compared in whole seconds. */
#define TRASH_DAY	86400L

/*
 * The name a file gets in .Trash/cur (add) or back in cur/ (!add):
 * the same unique part and info, with the T flag added (and ":2," if
 * the name had no info) or removed, flags kept in ASCII order.  A name
 * whose info is not "2," (unknown semantics) keeps its info as it is.
 * Returns 1 if out (size bytes) differs from name, 0 if it is the
 * same, -1 if it does not fit.
 */
int	trash_name(const char *name, bool add, char *out, size_t size);

/*
 * Opens .Trash/cur in the Maildir open as root.  With create, makes
 * what is missing of the folder first, as maildirmake(1) -f Trash
 * does: .Trash, its tmp/, new/ and cur/ (mode 0700) and an empty
 * maildirfolder file (0600); an existing folder is used as it is.
 * Symbolic links are never followed.  Returns an fd, or -1.
 */
int	trash_open(int root, bool create);

struct trash_purge {
	size_t	 examined;	/* directory entries looked at */
	size_t	 purged;	/* files unlinked */
	int	 error;		/* errno of the first failure, or 0 */
};

/*
 * Unlinks the regular files in the directory trashcur (.Trash/cur)
 * whose ctime is more than days days before now; looks at no more
 * than TRASH_PURGE_MAX entries, so a huge trash never makes QUIT slow
 * (the rest waits for later sessions).  days 0 purges nothing.
 */
void	trash_purge(int trashcur, long days, time_t now,
	    struct trash_purge *);

struct trash_restore {
	size_t	 restored;	/* moved back into cur/ */
	size_t	 kept;		/* trashed before since: left there */
	size_t	 failed;	/* could not be moved; still in the trash */
	int	 error;		/* errno of the first failure, or 0 */
};

/*
 * Moves every regular file of .Trash/cur (in the Maildir open as
 * root, whose cur/ is curfd) that was trashed (ctime) at or after
 * since (0: all of them) back into cur/ without the T flag, never
 * replacing a file.  The caller holds the Maildir lock.  Returns 0,
 * or -1 if the trash could not be read (errno; ENOENT: there is none)
 * or some file could not be moved (res says which).
 */
int	trash_restore(int root, int curfd, time_t since,
	    struct trash_restore *);

/*
 * "YYYY-MM-DD" (midnight, local time) or "@SECONDS" (since the
 * epoch) into *t.  Returns 0, or -1 if s is anything else.
 */
int	trash_date(const char *s, size_t len, time_t *t);

#endif /* TRASH_H */
