/* SPDX-License-Identifier: ISC */
/*
 * mdname.c: what a Maildir file name says (see mdname.h).  Pure: no
 * I/O, no allocation, no state; the names are untrusted input.
 */
#include "mdname.h"

#include <stdio.h>
#include <string.h>

/* ",W=N" in the name (before any ':') gives the CRLF size; 1 if so. */
int
mdname_size(const char *name, uint64_t *size)
{
	const char	*p = name, *end = strchr(name, ':');
	uint64_t	 v;

	if (end == NULL)
		end = name + strlen(name);
	/* Each ",W=" is tried once; p never passes end. */
	while ((p = strstr(p, ",W=")) != NULL && p < end) {
		p += 3;
		v = 0;
		/* Eighteen digits cannot overflow 64 bits. */
		while (p < end && *p >= '0' && *p <= '9' &&
		    v < 100000000000000000ULL)
			v = v * 10 + (uint64_t)(*p++ - '0');
		if (p > name && p[-1] >= '0' && p[-1] <= '9' &&
		    (p == end || *p == ',')) {
			/* Absurd: not believed; the file is read. */
			if (v > POP3_SIZE_MAX)
				return 0;
			*size = v;
			return 1;
		}
	}
	return 0;
}

/*
 * The name a message gets at UPDATE: new/ mail moves to cur/ with
 * ":2," (maildir(5)); RETR'd mail gains "S", flags kept in ASCII
 * order.  Returns 1 if out differs from name, 0 if no move is
 * needed, -1 if it does not fit.
 */
int
mdname_target(const char *name, bool isnew, bool seen, char *out, size_t size)
{
	const char	*colon = strchr(name, ':'), *f;
	size_t		 pre, o;
	int		 n;

	if (colon == NULL) {
		if (!isnew && !seen)
			return 0;
		n = snprintf(out, size, "%s:2,%s", name, seen ? "S" : "");
		return n < 0 || (size_t)n >= size ? -1 : 1;
	}
	/* Unknown info semantics, or S already there: keep the name. */
	if (strncmp(colon, ":2,", 3) != 0 || !seen ||
	    strchr(colon + 3, 'S') != NULL) {
		if (!isnew)
			return 0;
		n = snprintf(out, size, "%s", name);
		return n < 0 || (size_t)n >= size ? -1 : 1;
	}
	if (strlen(name) + 2 > size)
		return -1;
	pre = (size_t)(colon + 3 - name);
	memcpy(out, name, pre);
	o = pre;
	for (f = colon + 3; *f != '\0' && (unsigned char)*f < 'S'; f++)
		out[o++] = *f;
	out[o++] = 'S';
	for (; *f != '\0'; f++)
		out[o++] = *f;
	out[o] = '\0';
	return 1;
}
