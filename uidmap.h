/* SPDX-License-Identifier: ISC */
/*
 * uidmap.h: the unique-ids another server gave a Maildir's messages,
 * read from its own list so that clients moving to pop3d download
 * nothing twice.  Dovecot keeps dovecot-uidlist, Courier keeps
 * courierpop3dsizelist; both sit in the Maildir and the mailbox
 * owner can write them, so they are parsed strictly: any fault
 * rejects the whole file.  No I/O, no allocation, no global state:
 * the caller reads the file and supplies the entry array.
 */
#ifndef UIDMAP_H
#define UIDMAP_H

#include <stddef.h>
#include <stdint.h>

#include "params.h"

enum uidmap_kind {
	UIDMAP_NONE = 0,
	UIDMAP_DOVECOT,		/* dovecot-uidlist, version 3 */
	UIDMAP_COURIER		/* courierpop3dsizelist, version 2 or 3 */
};

struct uidmap_ent {
	const char	*name;	/* base name (up to ':') in the input */
	const char	*full;	/* the whole file name in the input */
	uint64_t	 key1;	/* the old server's order: first key */
	uint64_t	 key2;	/* second key */
	uint32_t	 nlen;	/* length of the base name */
	uint32_t	 flen;	/* length of the whole name */
	uint32_t	 rank;	/* place in the old server's order, from 0 */
	uint8_t		 ulen;	/* length of uidl */
	char		 uidl[POP3_UIDL_MAX + 1];
};

struct uidmap {
	struct uidmap_ent *ent;	/* the caller's array; sorted by name */
	size_t		 cap;	/* entries it has room for */
	size_t		 count;	/* entries parsed */
	size_t		 line;	/* after a failure: the line, from 1 */
	const char	*why;	/* after a failure: what was wrong */
};

/* The file each kind keeps in the Maildir, or NULL. */
const char	*uidmap_file(enum uidmap_kind);

/* How many entries a file of len bytes can hold at most: its lines. */
size_t		 uidmap_lines(const char *, size_t);

/*
 * Parses buf (len bytes, which must stay valid as long as the map is
 * used) into map->ent, at most map->cap entries.  On success the
 * entries are sorted by base name, every base name and every
 * unique-id is distinct, and ranks give the order in which the old
 * server listed the messages.  Returns 0, or -1 with map->why and
 * map->line set and map->count 0.
 */
int		 uidmap_parse(struct uidmap *, enum uidmap_kind, const char *,
		    size_t);

/* The entry for a message whose base name is base[0..len), or NULL. */
const struct uidmap_ent *uidmap_find(const struct uidmap *, const char *,
		    size_t);

#endif /* UIDMAP_H */
