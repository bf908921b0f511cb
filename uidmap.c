/* SPDX-License-Identifier: ISC */
/*
 * uidmap.c: parsers for the unique-id lists of Dovecot and Courier
 * (see uidmap.h).  The formats, as their servers write them:
 *
 * dovecot-uidlist, version 3 (Dovecot 1.1 and later):
 *	3 V<uidvalidity> N<nextuid> G<guid> ...		header
 *	<uid>[ <key><value>]... :<file name>		one per message
 *   Keys are one capital letter; P holds a POP3 unique-id that
 *   replaces the default one (an empty P stands for the base name),
 *   O a POP3 order number (lower first,
 *   messages without one after them, ties in UID order).  Dovecot's
 *   default pop3_uidl_format is %08Xu%08Xv: UID, then UIDVALIDITY,
 *   each as 8 hex digits.  Its X modifier prints lower case ("%llx"
 *   in var-expand.c), and Dovecot 2.3's pop3 indeed answers
 *   000000016b0f3904: so lower case it is.
 *
 * courierpop3dsizelist, version 2 or 3 (Courier's pop3d):
 *	/<version> <nextuid> <uidvalidity>		header
 *	<file name> <size> <uid>:<uidvalidity>[:<utf8>]	one per message
 *   The unique-id is UID<uid>-<uidvalidity> (UID<uid> when the
 *   uidvalidity is 0); a uid of 0 means the file name up to ':',
 *   with bytes outside 0x21..0x7e and ' " + written as +XX.  Courier
 *   lists messages by the number the name starts with, then by name.
 *
 * Anything else, anywhere, rejects the whole file: the caller then
 * uses pop3d's own unique-ids.  So does a file that would give two
 * messages one unique-id, or one message two.
 */
#include "uidmap.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

struct cursor {
	const char	*p, *end;	/* the rest of the line */
};

static int	fail(struct uidmap *, size_t, const char *);
static bool	take_num(struct cursor *, uint64_t, uint64_t *);
static bool	name_ok(const char *, size_t);
static int	set_name(struct uidmap_ent *, const char *, size_t);
static int	dovecot_header(struct cursor *, uint32_t *);
static int	dovecot_line(struct cursor *, uint32_t, uint32_t *,
		    struct uidmap_ent *, const char **);
static int	courier_header(struct cursor *);
static int	courier_line(struct cursor *, struct uidmap_ent *,
		    const char **);
static int	cmp_name(const void *, const void *);
static int	cmp_uidl(const void *, const void *);
static int	cmp_dovecot(const void *, const void *);
static int	cmp_courier(const void *, const void *);
static int	finish(struct uidmap *, enum uidmap_kind);

const char *
uidmap_file(enum uidmap_kind kind)
{
	switch (kind) {
	case UIDMAP_DOVECOT:
		return "dovecot-uidlist";
	case UIDMAP_COURIER:
		return "courierpop3dsizelist";
	case UIDMAP_NONE:
		break;
	}
	return NULL;
}

size_t
uidmap_lines(const char *buf, size_t len)
{
	size_t	n = 0;

	while (len > 0) {
		const char	*nl = memchr(buf, '\n', len);

		n++;
		if (nl == NULL)
			break;
		len -= (size_t)(nl + 1 - buf);
		buf = nl + 1;
	}
	return n;
}

static int
fail(struct uidmap *map, size_t line, const char *why)
{
	map->count = 0;
	map->line = line;
	map->why = why;
	return -1;
}

/* Decimal digits, at most max; at least one, no sign, no overflow. */
static bool
take_num(struct cursor *c, uint64_t max, uint64_t *v)
{
	const char	*start = c->p;
	uint64_t	 n = 0, d;

	while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		d = (uint64_t)(*c->p - '0');
		if (d > max || n > (max - d) / 10)
			return false;
		n = n * 10 + d;
		c->p++;
	}
	*v = n;
	return c->p > start;
}

/* A Maildir file name: 1..POP3_NAME_MAX bytes, no '/', no dot file. */
static bool
name_ok(const char *s, size_t len)
{
	return len > 0 && len <= POP3_NAME_MAX && s[0] != '.' && s[0] != ':' &&
	    memchr(s, '/', len) == NULL;
}

static int
set_name(struct uidmap_ent *e, const char *s, size_t len)
{
	const char	*colon;

	if (!name_ok(s, len))
		return -1;
	colon = memchr(s, ':', len);
	e->full = s;
	e->flen = (uint32_t)len;
	e->name = s;
	e->nlen = (uint32_t)(colon != NULL ? (size_t)(colon - s) : len);
	return 0;
}

/* "3 V<n> N<n> ...": keys are letters, V is required and not 0. */
static int
dovecot_header(struct cursor *c, uint32_t *uidv)
{
	uint64_t	v;
	bool		have_v = false;

	if (c->end - c->p < 1 || *c->p != '3')
		return -1;
	c->p++;
	while (c->p < c->end) {
		if (*c->p++ != ' ' || c->p == c->end)
			return -1;
		if (*c->p == 'V') {
			c->p++;
			if (have_v || !take_num(c, UINT32_MAX, &v) || v == 0)
				return -1;
			have_v = true;
			*uidv = (uint32_t)v;
			continue;
		}
		if (!((*c->p >= 'A' && *c->p <= 'Z') ||
		    (*c->p >= 'a' && *c->p <= 'z')))
			return -1;
		while (c->p < c->end && *c->p != ' ')
			c->p++;
	}
	return have_v ? 0 : -1;
}

/* "<uid>[ <key><value>]... :<name>", UIDs strictly increasing. */
static int
dovecot_line(struct cursor *c, uint32_t uidv, uint32_t *prev,
    struct uidmap_ent *e, const char **why)
{
	const char	*v, *uidl = NULL;
	uint64_t	 uid, order = UINT64_MAX, n;
	size_t		 vlen, ulen = 0;
	bool		 have_p = false, have_o = false;
	struct cursor	 o;
	int		 r;

	*why = "bad UID";
	if (!take_num(c, UINT32_MAX - 1, &uid) || uid == 0)
		return -1;
	*why = "UIDs not in increasing order";
	if (uid <= *prev)
		return -1;
	*prev = (uint32_t)uid;
	for (;;) {
		*why = "bad field";
		if (c->end - c->p < 2 || *c->p++ != ' ')
			return -1;
		if (*c->p == ':')
			break;
		if (*c->p < 'A' || *c->p > 'Z')
			return -1;
		v = c->p + 1;
		while (c->p < c->end && *c->p != ' ')
			c->p++;
		vlen = (size_t)(c->p - v);
		switch (v[-1]) {
		case 'P':
			*why = "two P fields, or a bad unique-id in one";
			if (have_p || (vlen > 0 && !proto_uidl_ok(v, vlen)))
				return -1;
			have_p = true;
			uidl = v;
			ulen = vlen;
			break;
		case 'O':
			*why = "two O fields, or a bad number in one";
			o.p = v;
			o.end = c->p;
			if (have_o || !take_num(&o, UINT64_MAX - 1, &n) ||
			    o.p != o.end)
				return -1;
			have_o = true;
			order = n;
			break;
		default:
			break;
		}
	}
	*why = "bad file name";
	c->p++;
	if (set_name(e, c->p, (size_t)(c->end - c->p)) == -1)
		return -1;
	e->key1 = order;
	e->key2 = uid;
	/* An empty P means the base name (maildir-mail.c, Dovecot 2.3). */
	if (have_p && ulen == 0) {
		*why = "empty P field, and the base name is no unique-id";
		if (!proto_uidl_ok(e->name, e->nlen))
			return -1;
		uidl = e->name;
		ulen = e->nlen;
	}
	if (ulen > 0) {
		memcpy(e->uidl, uidl, ulen);
		e->uidl[ulen] = '\0';
		e->ulen = (uint8_t)ulen;
		return 0;
	}
	r = snprintf(e->uidl, sizeof(e->uidl), "%08x%08x", (unsigned)uid,
	    (unsigned)uidv);
	e->ulen = (uint8_t)r;
	return 0;
}

/* "/3 <nextuid> <uidvalidity>" (or /2). */
static int
courier_header(struct cursor *c)
{
	uint64_t	v;

	if (c->end - c->p < 2 || c->p[0] != '/' ||
	    (c->p[1] != '2' && c->p[1] != '3'))
		return -1;
	c->p += 2;
	if (c->p == c->end || *c->p++ != ' ' || !take_num(c, UINT64_MAX, &v) ||
	    c->p == c->end || *c->p++ != ' ' || !take_num(c, UINT64_MAX, &v) ||
	    c->p != c->end)
		return -1;
	return 0;
}

/*
 * "<name> <size> <uid>:<uidv>[:<utf8>]".  Courier splits at the last
 * two spaces, so a name could hold one; so do we.
 */
static int
courier_line(struct cursor *c, struct uidmap_ent *e, const char **why)
{
	const char	*sp1 = NULL, *sp2 = NULL, *p;
	struct cursor	 f;
	uint64_t	 size, uid, uidv, utf8, lead;
	size_t		 i, o;
	int		 r;

	*why = "not three fields";
	for (p = c->end; p > c->p; p--) {
		if (p[-1] != ' ')
			continue;
		if (sp2 == NULL)
			sp2 = p - 1;
		else {
			sp1 = p - 1;
			break;
		}
	}
	if (sp1 == NULL)
		return -1;
	*why = "bad size";
	f.p = sp1 + 1;
	f.end = sp2;
	if (!take_num(&f, UINT64_MAX, &size) || f.p != f.end)
		return -1;
	*why = "bad uid:uidvalidity";
	f.p = sp2 + 1;
	f.end = c->end;
	if (!take_num(&f, UINT64_MAX, &uid) || f.p == f.end || *f.p++ != ':' ||
	    !take_num(&f, UINT64_MAX, &uidv))
		return -1;
	if (f.p != f.end && (*f.p++ != ':' || !take_num(&f, 1, &utf8) ||
	    f.p != f.end))
		return -1;
	*why = "bad file name";
	if (set_name(e, c->p, (size_t)(sp1 - c->p)) == -1)
		return -1;
	/* Courier's order: atol() of the name first. */
	for (lead = 0, i = 0; i < e->flen && e->full[i] >= '0' &&
	    e->full[i] <= '9'; i++)
		lead = lead < UINT64_MAX / 20 ? lead * 10 +
		    (uint64_t)(e->full[i] - '0') : UINT64_MAX / 2;
	e->key1 = lead;
	e->key2 = 0;
	if (uid != 0) {
		if (uidv != 0)
			r = snprintf(e->uidl, sizeof(e->uidl), "UID%llu-%llu",
			    (unsigned long long)uid, (unsigned long long)uidv);
		else
			r = snprintf(e->uidl, sizeof(e->uidl), "UID%llu",
			    (unsigned long long)uid);
		/* 3 + 20 + 1 + 20 digits fit in POP3_UIDL_MAX. */
		e->ulen = (uint8_t)r;
		return 0;
	}
	*why = "unique-id from the file name too long";
	for (i = o = 0; i < e->nlen; i++) {
		unsigned char	ch = (unsigned char)e->name[i];

		if (ch < 0x21 || ch > 0x7e || ch == '\'' || ch == '"' ||
		    ch == '+') {
			if (o + 3 > POP3_UIDL_MAX)
				return -1;
			(void)snprintf(e->uidl + o, 4, "+%02X", ch);
			o += 3;
		} else {
			if (o + 1 > POP3_UIDL_MAX)
				return -1;
			e->uidl[o++] = (char)ch;
		}
	}
	e->uidl[o] = '\0';
	e->ulen = (uint8_t)o;
	return 0;
}

static int
cmp_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
	int	r = memcmp(a, b, alen < blen ? alen : blen);

	if (r != 0)
		return r;
	return alen < blen ? -1 : alen > blen;
}

static int
cmp_name(const void *va, const void *vb)
{
	const struct uidmap_ent	*a = va, *b = vb;

	return cmp_bytes(a->name, a->nlen, b->name, b->nlen);
}

static int
cmp_uidl(const void *va, const void *vb)
{
	const struct uidmap_ent	*a = va, *b = vb;

	return cmp_bytes(a->uidl, a->ulen, b->uidl, b->ulen);
}

/* POP3 order number (none: last), then UID. */
static int
cmp_dovecot(const void *va, const void *vb)
{
	const struct uidmap_ent	*a = va, *b = vb;

	if (a->key1 != b->key1)
		return a->key1 < b->key1 ? -1 : 1;
	if (a->key2 != b->key2)
		return a->key2 < b->key2 ? -1 : 1;
	return 0;
}

/*
 * Courier's order: the leading number, then the names byte by byte
 * until both reach ':' (so flags do not count).  Base names are
 * distinct, so no two entries compare equal.
 */
static int
cmp_courier(const void *va, const void *vb)
{
	const struct uidmap_ent	*a = va, *b = vb;
	size_t			 i;
	int			 ca, cb;

	if (a->key1 != b->key1)
		return a->key1 < b->key1 ? -1 : 1;
	for (i = 0; i < a->flen || i < b->flen; i++) {
		ca = i < a->flen ? (unsigned char)a->full[i] : 0;
		cb = i < b->flen ? (unsigned char)b->full[i] : 0;
		if (ca == ':' && cb == ':')
			break;
		if (ca != cb)
			return ca < cb ? -1 : 1;
	}
	return cmp_name(va, vb);
}

/* Distinct unique-ids and names; ranks; sorted by name for lookups. */
static int
finish(struct uidmap *map, enum uidmap_kind kind)
{
	size_t	i;

	qsort(map->ent, map->count, sizeof(*map->ent), cmp_uidl);
	for (i = 1; i < map->count; i++)
		if (cmp_uidl(&map->ent[i - 1], &map->ent[i]) == 0)
			return fail(map, 0, "two messages with one unique-id");
	qsort(map->ent, map->count, sizeof(*map->ent),
	    kind == UIDMAP_DOVECOT ? cmp_dovecot : cmp_courier);
	for (i = 0; i < map->count; i++)
		map->ent[i].rank = (uint32_t)i;
	qsort(map->ent, map->count, sizeof(*map->ent), cmp_name);
	for (i = 1; i < map->count; i++)
		if (cmp_name(&map->ent[i - 1], &map->ent[i]) == 0)
			return fail(map, 0, "one message listed twice");
	return 0;
}

int
uidmap_parse(struct uidmap *map, enum uidmap_kind kind, const char *buf,
    size_t len)
{
	struct cursor	 c;
	const char	*nl, *why;
	uint32_t	 uidv = 0, prev = 0;
	size_t		 line = 0, i;

	map->count = 0;
	map->line = 0;
	map->why = NULL;
	if (kind != UIDMAP_DOVECOT && kind != UIDMAP_COURIER)
		return fail(map, 0, "unknown kind");
	if (len > UIDMAP_FILE_MAX)
		return fail(map, 0, "file too large");
	for (i = 0; i < len; i++) {
		unsigned char	ch = (unsigned char)buf[i];

		if ((ch < 0x20 && ch != '\n') || ch == 0x7f)
			return fail(map, uidmap_lines(buf, i + 1),
			    "control character");
	}
	while (len > 0) {
		line++;
		if ((nl = memchr(buf, '\n', len)) == NULL)
			return fail(map, line, "last line unterminated");
		c.p = buf;
		c.end = nl;
		if ((size_t)(nl - buf) > UIDMAP_LINE_MAX)
			return fail(map, line, "line too long");
		len -= (size_t)(nl + 1 - buf);
		buf = nl + 1;
		if (line == 1) {
			if ((kind == UIDMAP_DOVECOT ? dovecot_header(&c, &uidv) :
			    courier_header(&c)) == -1)
				return fail(map, line, "bad header");
			continue;
		}
		if (map->count == map->cap)
			return fail(map, line, "more messages than allowed");
		if ((kind == UIDMAP_DOVECOT ? dovecot_line(&c, uidv, &prev,
		    &map->ent[map->count], &why) :
		    courier_line(&c, &map->ent[map->count], &why)) == -1)
			return fail(map, line, why);
		map->count++;
	}
	if (line == 0)
		return fail(map, 1, "empty file");
	return finish(map, kind);
}

const struct uidmap_ent *
uidmap_find(const struct uidmap *map, const char *base, size_t len)
{
	size_t	lo = 0, hi = map->count, mid;
	int	r;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		r = cmp_bytes(base, len, map->ent[mid].name,
		    map->ent[mid].nlen);
		if (r == 0)
			return &map->ent[mid];
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}
