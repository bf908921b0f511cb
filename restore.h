/* SPDX-License-Identifier: ISC */
/*
 * restore.h: "pop3d-passwd restore": gives a user back the mail that
 * pop3d -K kept in the Maildir's .Trash (trash.h), as that user and
 * under the maildrop lock, so it never races a POP3 session.
 */
#ifndef RESTORE_H
#define RESTORE_H

/*
 * Runs "restore [-m MAILDIR] [--since DATE | --all] USER" (argv[0] is
 * "restore") for the user's entry in the passwd-file file, or, if it
 * has none, the system account.  Reports on stdout and stderr; returns
 * the exit status (pop3d-passwd.8): 0, 1 refused, 2 usage, 111
 * temporary (the mailbox is in use, or a system error).
 */
int	restore_main(const char *file, int argc, char *argv[]);

#endif /* RESTORE_H */
