/* SPDX-License-Identifier: ISC */
/*
 * scan.h: fills the Maildir model (maildir.h) from new/ and cur/.
 */
#ifndef SCAN_H
#define SCAN_H

struct maildir;

/*
 * Builds the message table: regular files in new/ and cur/, not dot
 * files, oldest first by mtime, ties by name.  Sizes are exact: a
 * ",W=N" in the name is trusted, otherwise the file is read, unless
 * the size cache (cache.h) knows the file by name and inode; then
 * neither size nor mtime costs a system call.  errno EFBIG means more
 * than md->max messages.  Call once, after maildir_enter().
 */
int	maildir_scan(struct maildir *);

#endif /* SCAN_H */
