/* SPDX-License-Identifier: ISC */
/*
 * tests/unit_uidmap.c: the parsers for dovecot-uidlist and
 * courierpop3dsizelist.  Tables of whole files: the unique-ids and
 * order each good file gives, and for each bad one that it is
 * rejected as a whole, at the right line.
 */
#include "../uidmap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static const char	*check_prog = "unit_uidmap";

#define CAP	16

static void	test_good(void);
static void	test_bad(void);
static void	test_cap(void);
static void	test_size_cap(void);
static void	test_find(void);
static void	test_lines(void);

struct good {
	enum uidmap_kind kind;
	const char	*in;
	/* "base=uidl" in the old server's order, space-separated */
	const char	*want;
};

static const struct good goods[] = {
	/* As Dovecot 2.3 writes it; the default unique-id is lower case. */
	{ UIDMAP_DOVECOT,
	  "3 V1796159748 N4 G5135250f04390f6b071a000083ecc375\n"
	  "1 W23 :1600000001.M1P1.host\n"
	  "2 W23 :1600000002.M2P1.host:2,S\n"
	  "3 :1600000003.M3P1.host\n",
	  "1600000001.M1P1.host=000000016b0f3904 "
	  "1600000002.M2P1.host=000000026b0f3904 "
	  "1600000003.M3P1.host=000000036b0f3904" },
	/* P replaces the default; an empty P means the base name. */
	{ UIDMAP_DOVECOT,
	  "3 V1 N9\n"
	  "5 P:old-id:42 :a\n"
	  "7 P :b:2,\n"
	  "4294967294 Pz G00 W1 :c\n",
	  "a=:old-id:42 b=b c=z" },
	/* O orders first, the rest after in UID order; ties by UID. */
	{ UIDMAP_DOVECOT,
	  "3 V255\n"
	  "1 :m1\n"
	  "2 O3 :m2\n"
	  "3 O1 :m3\n"
	  "4 :m4\n"
	  "5 O3 :m5\n",
	  "m3=00000003000000ff m2=00000002000000ff m5=00000005000000ff "
	  "m1=00000001000000ff m4=00000004000000ff" },
	/* A header alone: no messages. */
	{ UIDMAP_DOVECOT, "3 V7 N1 G0\n", "" },
	/* As Courier writes it (version 3), in its order. */
	{ UIDMAP_COURIER,
	  "/3 4 1764620000\n"
	  "1600000002.M2P1.host:2,S 23 2:1764620000:0\n"
	  "1600000001.M1P1.host:2, 23 1:1764620000:0\n"
	  "1600000003.M3P1.host 23 3:0:1\n",
	  "1600000001.M1P1.host=UID1-1764620000 "
	  "1600000002.M2P1.host=UID2-1764620000 "
	  "1600000003.M3P1.host=UID3" },
	/* Version 2 lines; uid 0: the escaped name; a name with a space. */
	{ UIDMAP_COURIER,
	  "/2 9 5\n"
	  "20 1 0:5\n"
	  "10+'\"x:2,S 1 0:5\n"
	  "3 sp 1 4:5\n",
	  "3 sp=UID4-5 10+'\"x=10+2B+27+22x 20=20" },
	{ UIDMAP_COURIER, "/3 1 2\n", "" },
};

struct bad {
	enum uidmap_kind kind;
	const char	*in;
	size_t		 len;	/* explicit: some hold a NUL */
	size_t		 line;	/* the line named, 0 for the whole file */
};

#define B(kind, in, line)	{ kind, in, sizeof(in) - 1, line }

static const struct bad bads[] = {
	B(UIDMAP_DOVECOT, "", 1),
	B(UIDMAP_DOVECOT, "3 V1\n1 :a", 2),		/* unterminated */
	B(UIDMAP_DOVECOT, "1 5 9\n1 a\n", 1),		/* version 1 */
	B(UIDMAP_DOVECOT, "3 N5\n1 :a\n", 1),		/* no V */
	B(UIDMAP_DOVECOT, "3 V0\n1 :a\n", 1),
	B(UIDMAP_DOVECOT, "3 V4294967296\n1 :a\n", 1),
	B(UIDMAP_DOVECOT, "3 V1 V2\n1 :a\n", 1),
	B(UIDMAP_DOVECOT, "3  V1\n1 :a\n", 1),
	B(UIDMAP_DOVECOT, "3 V1 \n1 :a\n", 1),
	B(UIDMAP_DOVECOT, "3 V1\n0 :a\n", 2),
	B(UIDMAP_DOVECOT, "3 V1\n4294967295 :a\n", 2),
	B(UIDMAP_DOVECOT, "3 V1\n2 :a\n2 :b\n", 3),	/* not increasing */
	B(UIDMAP_DOVECOT, "3 V1\n2 :a\n1 :b\n", 3),
	B(UIDMAP_DOVECOT, "3 V1\n1 a\n", 2),		/* no ':' */
	B(UIDMAP_DOVECOT, "3 V1\n1 W5\n", 2),		/* no name */
	B(UIDMAP_DOVECOT, "3 V1\n1 :\n", 2),
	B(UIDMAP_DOVECOT, "3 V1\n1 :.x\n", 2),		/* dot file */
	B(UIDMAP_DOVECOT, "3 V1\n1 ::2,S\n", 2),	/* empty base */
	B(UIDMAP_DOVECOT, "3 V1\n1 :../x\n", 2),
	B(UIDMAP_DOVECOT, "3 V1\n1  :a\n", 2),
	B(UIDMAP_DOVECOT, "3 V1\n1 w5 :a\n", 2),	/* key not A-Z */
	B(UIDMAP_DOVECOT, "3 V1\n1 Pa Pb :a\n", 2),
	B(UIDMAP_DOVECOT, "3 V1\n1 P\x80 :a\n", 2),
	B(UIDMAP_DOVECOT, "3 V1\n1 P"
	  "12345678901234567890123456789012345678901234567890123456789012345678901"
	  " :a\n", 2),					/* 71 octets */
	B(UIDMAP_DOVECOT, "3 V1\n1 Ox :a\n", 2),
	B(UIDMAP_DOVECOT, "3 V1\n1 P :a\x80\n", 2),	/* base no uid */
	B(UIDMAP_DOVECOT, "3 V1\n1 O :a\n", 2),
	B(UIDMAP_DOVECOT, "3 V1\n1 O1 O2 :a\n", 2),
	B(UIDMAP_DOVECOT, "3 V1\n1 :a\r\n", 2),	/* CR */
	B(UIDMAP_DOVECOT, "3 V1\n1 :a\0b\n", 2),	/* NUL */
	B(UIDMAP_DOVECOT, "3 V1\n1 :a\n2 :a:2,S\n", 0),	/* twice */
	B(UIDMAP_DOVECOT, "3 V1\n1 Px :a\n2 Px :b\n", 0),	/* one uid */
	B(UIDMAP_DOVECOT, "3 V1\n1 P0000000200000001 :a\n2 :b\n", 0),
	B(UIDMAP_COURIER, "", 1),
	B(UIDMAP_COURIER, "/4 1 2\n", 1),
	B(UIDMAP_COURIER, "/3 1\n", 1),
	B(UIDMAP_COURIER, "/3 1 2 \n", 1),
	B(UIDMAP_COURIER, "3 V1\n", 1),
	B(UIDMAP_COURIER, "/3 1 2\na 1\n", 2),
	B(UIDMAP_COURIER, "/3 1 2\na x 1:2\n", 2),
	B(UIDMAP_COURIER, "/3 1 2\na 1 1\n", 2),
	B(UIDMAP_COURIER, "/3 1 2\na 1 1:\n", 2),
	B(UIDMAP_COURIER, "/3 1 2\na 1 1:2:3\n", 2),
	B(UIDMAP_COURIER, "/3 1 2\na 1 1:2:\n", 2),
	B(UIDMAP_COURIER, "/3 1 2\na 1 18446744073709551616:2\n", 2),
	B(UIDMAP_COURIER, "/3 1 2\n 1 1:2\n", 2),	/* empty name */
	B(UIDMAP_COURIER, "/3 1 2\na/b 1 1:2\n", 2),
	B(UIDMAP_COURIER, "/3 1 2\na 1 1:2\na:2,S 1 2:2\n", 0),
	B(UIDMAP_COURIER, "/3 1 2\na 1 1:2\nb 1 1:2\n", 0),
	/* uid 0 and a name that escapes to more than 70 octets */
	B(UIDMAP_COURIER, "/3 1 2\n"
	  "++++++++++++++++++++++++ 1 0:2\n", 2),
	B(UIDMAP_NONE, "3 V1\n", 0),
};

/* Renders the map as "base=uidl ..." in rank order. */
static void
render(const struct uidmap *map, char *out, size_t size)
{
	size_t	r, i, o = 0;

	out[0] = '\0';
	for (r = 0; r < map->count; r++)
		for (i = 0; i < map->count; i++) {
			const struct uidmap_ent	*e = &map->ent[i];

			if (e->rank != r)
				continue;
			o += (size_t)snprintf(out + o, size - o, "%s%.*s=%s",
			    o > 0 ? " " : "", (int)e->nlen, e->name, e->uidl);
		}
}

static void
test_good(void)
{
	struct uidmap_ent	ent[CAP];
	struct uidmap		map;
	char			out[2048];
	size_t			i, j;

	for (i = 0; i < nitems(goods); i++) {
		memset(&map, 0, sizeof(map));
		map.ent = ent;
		map.cap = CAP;
		if (uidmap_parse(&map, goods[i].kind, goods[i].in,
		    strlen(goods[i].in)) == -1) {
			fprintf(stderr, "good %zu rejected: line %zu: %s\n", i,
			    map.line, map.why);
			CHECK(0);
			continue;
		}
		render(&map, out, sizeof(out));
		if (strcmp(out, goods[i].want) != 0) {
			fprintf(stderr, "good %zu:\n got  %s\n want %s\n", i,
			    out, goods[i].want);
			CHECK(0);
		}
		/* Sorted by name, as uidmap_find() needs. */
		for (j = 1; j < map.count; j++)
			CHECK(strncmp(ent[j - 1].name, ent[j].name,
			    ent[j].nlen) <= 0);
	}
}

static void
test_bad(void)
{
	struct uidmap_ent	ent[CAP];
	struct uidmap		map;
	size_t			i;

	for (i = 0; i < nitems(bads); i++) {
		memset(&map, 0, sizeof(map));
		map.ent = ent;
		map.cap = CAP;
		if (uidmap_parse(&map, bads[i].kind, bads[i].in,
		    bads[i].len) == 0) {
			fprintf(stderr, "bad %zu accepted: %s\n", i, bads[i].in);
			CHECK(0);
			continue;
		}
		CHECK(map.count == 0 && map.why != NULL);
		if (map.line != bads[i].line) {
			fprintf(stderr, "bad %zu: line %zu, want %zu (%s)\n",
			    i, map.line, bads[i].line, map.why);
			CHECK(0);
		}
	}
}

/* More entries than the caller allows: rejected, nothing written past. */
static void
test_cap(void)
{
	static const char	in[] = "3 V1\n1 :a\n2 :b\n3 :c\n";
	struct uidmap_ent	ent[3];
	struct uidmap		map;

	memset(ent, 0x5a, sizeof(ent));
	memset(&map, 0, sizeof(map));
	map.ent = ent;
	map.cap = 2;
	CHECK(uidmap_parse(&map, UIDMAP_DOVECOT, in, sizeof(in) - 1) == -1);
	CHECK(map.line == 4);
	CHECK(((unsigned char *)&ent[2])[0] == 0x5a);
	map.cap = 3;
	CHECK(uidmap_parse(&map, UIDMAP_DOVECOT, in, sizeof(in) - 1) == 0);
	CHECK(map.count == 3);
}

/* The size cap holds whatever the caller's room and the content. */
static void
test_size_cap(void)
{
	static struct uidmap_ent	ent[4];
	struct uidmap			map;
	char				*big;

	if ((big = malloc((size_t)UIDMAP_FILE_MAX + 1)) == NULL) {
		CHECK(0);
		return;
	}
	memset(big, '\n', (size_t)UIDMAP_FILE_MAX + 1);
	memcpy(big, "3 V1\n", 5);
	memset(&map, 0, sizeof(map));
	map.ent = ent;
	map.cap = nitems(ent);
	CHECK(uidmap_parse(&map, UIDMAP_DOVECOT, big,
	    (size_t)UIDMAP_FILE_MAX + 1) == -1);
	CHECK(map.line == 0 && map.why != NULL &&
	    strcmp(map.why, "file too large") == 0);
	free(big);
}

static void
test_find(void)
{
	static const char	in[] = "3 V16\n1 :b:2,S\n2 :a\n3 :ab\n";
	struct uidmap_ent	ent[CAP];
	struct uidmap		map;
	const struct uidmap_ent	*e;

	memset(&map, 0, sizeof(map));
	map.ent = ent;
	map.cap = CAP;
	CHECK(uidmap_parse(&map, UIDMAP_DOVECOT, in, sizeof(in) - 1) == 0);
	CHECK((e = uidmap_find(&map, "b", 1)) != NULL &&
	    strcmp(e->uidl, "0000000100000010") == 0 && e->rank == 0);
	CHECK((e = uidmap_find(&map, "a", 1)) != NULL && e->rank == 1);
	CHECK((e = uidmap_find(&map, "ab", 2)) != NULL && e->rank == 2);
	CHECK(uidmap_find(&map, "abc", 3) == NULL);
	CHECK(uidmap_find(&map, "", 0) == NULL);
	CHECK(uidmap_find(&map, "b:2,S", 5) == NULL);
}

static void
test_lines(void)
{
	static const struct {
		const char	*in;
		size_t		 n;
	} t[] = {
		{ "", 0 }, { "a", 1 }, { "a\n", 1 }, { "a\nb", 2 },
		{ "\n\n\n", 3 },
	};
	size_t	i;

	for (i = 0; i < nitems(t); i++)
		CHECK(uidmap_lines(t[i].in, strlen(t[i].in)) == t[i].n);
	CHECK(strcmp(uidmap_file(UIDMAP_DOVECOT), "dovecot-uidlist") == 0);
	CHECK(strcmp(uidmap_file(UIDMAP_COURIER), "courierpop3dsizelist") == 0);
	CHECK(uidmap_file(UIDMAP_NONE) == NULL);
}

int
main(void)
{
	RUN(test_good);
	RUN(test_bad);
	RUN(test_cap);
	RUN(test_size_cap);
	RUN(test_find);
	RUN(test_lines);
	return check_exit();
}
