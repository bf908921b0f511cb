/* SPDX-License-Identifier: ISC */
/*
 * tests/fuzz_names.c: the libFuzzer target for what pop3d reads out of
 * a Maildir file name, which anyone who can deliver mail chooses:
 * ",W=N" (trusted as the size, mdname_size), the ":2,FLAGS" info and
 * the name UPDATE gives (mdname_target), and the UIDL (maildir_uidl).
 * Each is checked against a reference restated from maildir(5),
 * DESIGN.md and mdname.h; ",S=N" (the size on disk, which pop3d does
 * not use) must never be taken for a size.  Output buffers are
 * exactly as large as the caller says, so ASan sees any overrun.
 *
 * Input layout: one byte of switches (bit 0: in new/, bit 1: sent in
 * full by RETR, bits 2-7: how many bytes short of the needed size the
 * output buffer is, 0 to 3, or more), then the name up to any NUL.
 */
#include "../maildir.h"
#include "../mdname.h"
#include "../proto.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define NAME_IN	(POP3_NAME_MAX + 16)

static int	ref_size(const char *, uint64_t *);
static size_t	ref_target(const char *, bool, bool, char *);
static void	check_uidl(const char *);

static bool
isdigit_(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * The first ",W=" in the unique part (before any ':') followed by
 * digits that end the part or are followed by ',', their value below
 * 10^18; if that one is above POP3_SIZE_MAX, none is believed.
 */
static int
ref_size(const char *name, uint64_t *size)
{
	size_t		end = strcspn(name, ":"), i, j;
	uint64_t	v;
	bool		big;

	for (i = 0; i + 3 <= end; i++) {
		if (memcmp(name + i, ",W=", 3) != 0)
			continue;
		v = 0;
		big = false;
		for (j = i + 3; j < end && isdigit_(name[j]); j++) {
			if (v >= 100000000000000000ULL)
				big = true;
			else
				v = v * 10 + (uint64_t)(name[j] - '0');
		}
		if (j > i + 3 && !big && (j == end || name[j] == ',')) {
			if (v > POP3_SIZE_MAX)	/* absurd: not believed */
				return 0;
			*size = v;
			return 1;
		}
	}
	return 0;
}

/*
 * mdname.h: new/ mail gets ":2," when it has no info; seen mail with
 * ":2," info gets "S" among its flags in ASCII order unless it has
 * one; other info is kept as it is.  Returns 0 if the name stays
 * (and the file stays where it is), else the new name's length.
 */
static size_t
ref_target(const char *name, bool isnew, bool seen, char *out)
{
	const char	*colon = strchr(name, ':');
	size_t		 pre, o, i;

	if (colon == NULL) {
		if (!isnew && !seen)
			return 0;
		strcpy(out, name);
		strcat(out, seen ? ":2,S" : ":2,");
		return strlen(out);
	}
	if (strncmp(colon, ":2,", 3) != 0 || !seen ||
	    strchr(colon + 3, 'S') != NULL) {
		if (!isnew)
			return 0;
		strcpy(out, name);
		return strlen(out);
	}
	pre = (size_t)(colon + 3 - name);
	memcpy(out, name, pre);
	o = pre;
	for (i = pre; name[i] != '\0' && (unsigned char)name[i] < 'S'; i++)
		out[o++] = name[i];
	out[o++] = 'S';
	for (; name[i] != '\0'; i++)
		out[o++] = name[i];
	out[o] = '\0';
	return o;
}

/* A UIDL is always valid (RFC 1939 s.7), and qmail's when it can be. */
static void
check_uidl(const char *name)
{
	struct maildir	md;
	struct msg	m;
	uint32_t	ord = 0;
	char		uid[POP3_UIDL_MAX + 1], uid2[POP3_UIDL_MAX + 1];
	static char	other[NAME_IN + 8];
	size_t		len, ulen = strcspn(name, ":"), i;

	memset(&md, 0, sizeof(md));
	memset(&m, 0, sizeof(m));
	md.msg = &m;
	md.ord = &ord;
	md.used = md.count = 1;
	md.names = (char *)name;
	md.nlen = strlen(name) + 1;
	len = maildir_uidl(&md, 0, uid);
	if (len == 0 || len > POP3_UIDL_MAX || strlen(uid) != len ||
	    !proto_uidl_ok(uid, len))
		abort();
	if (proto_uidl_ok(name, ulen)) {
		if (len != ulen || memcmp(uid, name, ulen) != 0)
			abort();
	} else {
		if (len != 32)
			abort();
		for (i = 0; i < 32; i++)
			if (!isdigit_(uid[i]) && (uid[i] < 'a' || uid[i] > 'f'))
				abort();
	}
	/* Flags never change a UIDL: the same message after UPDATE. */
	memcpy(other, name, ulen);
	memcpy(other + ulen, ":2,S", 5);
	md.names = other;
	if (maildir_uidl(&md, 0, uid2) != len || memcmp(uid, uid2, len) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char	 name[NAME_IN + 1], want[NAME_IN + 8];
	char		*out;
	uint64_t	 a = 0, b = 0;
	size_t		 n, wlen, room, slack;
	bool		 isnew, seen;
	int		 r, e;

	if (size < 1)
		return 0;
	isnew = data[0] & 1;
	seen = data[0] & 2;
	slack = (size_t)(data[0] >> 2);
	n = size - 1;
	if (n > NAME_IN)
		n = NAME_IN;
	memcpy(name, data + 1, n);
	name[n] = '\0';
	n = strlen(name);

	/* ,W=: exactly the reference; ,S= alone never gives a size. */
	r = mdname_size(name, &a);
	e = ref_size(name, &b);
	if (r != e || (r == 1 && a != b))
		abort();

	/* The UPDATE name, into a buffer of exactly room bytes. */
	wlen = ref_target(name, isnew, seen, want);
	room = (wlen > 0 ? wlen : n) + 1;
	room = slack < 4 ? room - (slack < room ? slack : 0) : room + slack;
	if ((out = malloc(room > 0 ? room : 1)) == NULL)
		return 0;
	r = mdname_target(name, isnew, seen, out, room);
	if (wlen == 0) {
		if (r != 0)
			abort();
	} else if (wlen + 1 > room) {
		if (r != -1)
			abort();
	} else if (r != 1 || strcmp(out, want) != 0)
		abort();
	free(out);

	if (n > 0)
		check_uidl(name);
	return 0;
}
