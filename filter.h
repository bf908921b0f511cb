/* SPDX-License-Identifier: ISC */
/*
 * filter.h: the seccomp programs of the reader and the back end,
 * compiled into pop3d.  The rules are in rules.c; at build time
 * mkfilter turns them, with libseccomp, into the constant BPF
 * programs of filterbpf.h for this architecture, and
 * tests/unit_filter checks that the two still agree, instruction for
 * instruction.  pop3d itself does not link libseccomp: loading a
 * finished program is one system call.
 */
#ifndef FILTER_H
#define FILTER_H

#include <stddef.h>

#include <linux/filter.h>

enum filter_id {
	FILTER_BACKEND,		/* pop3d -m after the scan (sandbox.h) */
	FILTER_READER,		/* the reader (reader.h) */
	FILTER_READER_TLS,	/* the reader with UCSPI-TLS descriptors */
	FILTER_COUNT
};

/*
 * The reader's descriptors are moved to these numbers before its
 * filter is loaded, so that a program compiled ahead of time can
 * name them: the socketpair to the root side, the UCSPI-TLS control,
 * read and write descriptors.  0 and 1 are the client's.
 */
#define READER_FD_SOCK		3
#define READER_FD_TLS_CTL	4
#define READER_FD_TLS_RD	5
#define READER_FD_TLS_WR	6

/*
 * Sets PR_SET_NO_NEW_PRIVS and loads program id for the calling
 * thread, never to be lifted.  Returns 0, or -1 with errno.
 */
int	filter_load(enum filter_id id);

/* Program id as compiled in, and its length in instructions. */
const struct sock_filter *filter_program(enum filter_id id, size_t *len);

#endif /* FILTER_H */
