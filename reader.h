/* SPDX-License-Identifier: ISC */
/*
 * reader.h: the unprivileged half of the split front end.  The root
 * side prepares it (account, chroot directory) before forking; the
 * child confines itself and only then greets the client and parses
 * what it sends (auth.c, sasl.c).  Its login attempts, log lines and
 * the end of its session travel to the root side as credrec.h
 * messages over a socketpair.
 *
 * Confinement, in this order, every step checked:
 *	chroot into the checked empty directory (by descriptor, so the
 *	checked directory is the one entered), chdir("/");
 *	setgroups(0), setresgid, setresuid to the account (never 0),
 *	and a check that root cannot be regained;
 *	PR_SET_NO_NEW_PRIVS, and not dumpable (no ptrace by other
 *	processes of the account, no core);
 *	resource limits: no processes (RLIMIT_NPROC 0), no file
 *	growth (RLIMIT_FSIZE 0), no core dumps, no descriptors beyond
 *	POP3_READER_NOFILE, no locked memory;
 *	every descriptor closed but 0, 1, the socketpair and the
 *	UCSPI-TLS ones (fd 2 too: the reader writes no diagnostics),
 *	and those moved to fixed numbers (filter.h);
 *	a seccomp filter (rules.c, compiled at build time and loaded as
 *	a constant program: filter.h) that allows read on 0 and the
 *	socketpair, recvfrom on 0, write and sendto on 1, the
 *	socketpair and the TLS control fd, poll/ppoll, dup2 onto 0 and
 *	1, close, the clock, and exit; any other call kills the
 *	reader, which the root side logs (nothing here has a use for a
 *	failed call: an unexpected one means the reader is subverted).
 * Logging: the reader keeps no log socket; its lines go to the root
 * side, which writes them with a "reader: " prefix, so a subverted
 * reader can neither forge a LOGIN FAILED line nor fill a disk.
 */
#ifndef READER_H
#define READER_H

#include <sys/types.h>

#include <stdbool.h>

#include "login.h"

struct reader {
	uid_t		 uid;		/* the -u account */
	gid_t		 gid;
	int		 rootfd;	/* the -r directory, checked */
	int		 sock;		/* to the root side */
	int		 tls_ctl, tls_rd, tls_wr;	/* or -1 */
};

/*
 * As root, before forking: finds the account (name, or UID:GID in
 * numbers for a jail without an account database; NULL: "pop3d" if
 * it exists, else "nobody"; never uid or gid 0) and opens the chroot
 * directory, which must be a directory owned by root, writable by no
 * one else, and empty.  Returns 0, or -1 after logging why.
 */
int		reader_prepare(struct reader *, const char *user,
		    const char *dir);

/*
 * In the forked child: sends the log to the root side, then confines
 * the process as above; the descriptors in rd then have their new
 * numbers.  Returns 0, or -1 after logging why (the child must then
 * exit without a word to the client).
 */
int		reader_confine(struct reader *);

/* The gate through the socketpair (rd must outlive it). */
void		reader_gate(struct reader *, struct gate *);

#endif /* READER_H */
