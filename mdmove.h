/* SPDX-License-Identifier: ISC */
/*
 * mdmove.h: the one way a message moves inside a Maildir (UPDATE's
 * new/ to cur/ and flag changes, the trash and its restore): rename(2)
 * that never replaces a file, so a message is always in exactly one
 * place.  Relative names under directory descriptors only.  Never
 * exits, logs or talks to a client.
 */
#ifndef MDMOVE_H
#define MDMOVE_H

/*
 * Renames from (under fromfd) to to (under tofd) unless to exists.
 * Where the file system lacks RENAME_NOREPLACE, links then unlinks,
 * and on a failed unlink removes the link again, so the original
 * stays.  Returns 0, or -1 with errno set (EEXIST if to exists); on
 * -1 the file is still under its old name.
 */
int	mdmove(int fromfd, const char *from, int tofd, const char *to);

#endif /* MDMOVE_H */
