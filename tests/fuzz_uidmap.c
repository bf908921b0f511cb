/* SPDX-License-Identifier: ISC */
/*
 * tests/fuzz_uidmap.c: the libFuzzer target for uidmap.c, which reads
 * files the mailbox owner can write.  The first byte picks the kind
 * (even: Dovecot, odd: Courier), the rest is the file.  A rejected
 * file leaves no entries; an accepted one gives valid, distinct
 * unique-ids, distinct base names in sorted order, ranks that are a
 * permutation, and lookups that find every entry.  The same input
 * always gives the same answer.  Any violation calls abort().  Built
 * by "make fuzz" (clang); tests/replay.c runs the corpus with any
 * compiler.
 */
#include "../uidmap.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../proto.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CAP	64		/* small: more entries add nothing */

static struct uidmap_ent	ent[CAP], again[CAP];
static bool			seen[CAP];

static void
check_ok(const struct uidmap *map, const char *in, size_t n)
{
	const struct uidmap_ent	*e, *f;
	size_t			 i, j;

	if (map->count > map->cap)
		abort();
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < map->count; i++) {
		e = &map->ent[i];
		if (e->ulen == 0 || e->ulen > POP3_UIDL_MAX ||
		    strlen(e->uidl) != e->ulen ||
		    !proto_uidl_ok(e->uidl, e->ulen))
			abort();
		if (e->nlen == 0 || e->nlen > e->flen ||
		    e->flen > POP3_NAME_MAX || e->name != e->full ||
		    e->full < in || e->full + e->flen > in + n ||
		    memchr(e->full, '/', e->flen) != NULL ||
		    memchr(e->name, ':', e->nlen) != NULL ||
		    memchr(e->full, '\n', e->flen) != NULL)
			abort();
		if (e->rank >= map->count || seen[e->rank])
			abort();
		seen[e->rank] = true;
		if (uidmap_find(map, e->name, e->nlen) != e)
			abort();
		for (j = 0; j < i; j++) {
			f = &map->ent[j];
			if (f->ulen == e->ulen &&
			    memcmp(f->uidl, e->uidl, e->ulen) == 0)
				abort();
			if (f->nlen == e->nlen &&
			    memcmp(f->name, e->name, e->nlen) == 0)
				abort();
		}
		if (i > 0) {
			f = &map->ent[i - 1];
			j = f->nlen < e->nlen ? f->nlen : e->nlen;
			if (memcmp(f->name, e->name, j) > 0 ||
			    (memcmp(f->name, e->name, j) == 0 &&
			    f->nlen > e->nlen))
				abort();
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uidmap	 map, map2;
	enum uidmap_kind kind;
	const char	*in;
	size_t		 n, i;
	int		 r;

	if (size == 0)
		return 0;
	kind = (data[0] & 1) ? UIDMAP_COURIER : UIDMAP_DOVECOT;
	in = (const char *)data + 1;
	n = size - 1;
	memset(&map, 0, sizeof(map));
	map.ent = ent;
	map.cap = CAP;
	r = uidmap_parse(&map, kind, in, n);
	if (r == -1) {
		if (map.count != 0 || map.why == NULL ||
		    map.line > uidmap_lines(in, n) + 1)
			abort();
	} else if (r == 0)
		check_ok(&map, in, n);
	else
		abort();
	memset(&map2, 0, sizeof(map2));
	map2.ent = again;
	map2.cap = CAP;
	if (uidmap_parse(&map2, kind, in, n) != r || map2.count != map.count ||
	    map2.line != map.line)
		abort();
	for (i = 0; i < map.count; i++)
		if (strcmp(ent[i].uidl, again[i].uidl) != 0 ||
		    ent[i].rank != again[i].rank)
			abort();
	return 0;
}
