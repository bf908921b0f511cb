/* SPDX-License-Identifier: ISC */
/*
 * tests/fuzz_trash.c: the libFuzzer target for the trash's names
 * (trash_name(), over Maildir file names that anyone who can deliver
 * mail chooses) and restore's --since argument (trash_date()).
 *
 * Input layout: one byte of switches (bit 0: add the T flag, else
 * remove it; bits 1-2: how many bytes short of the needed size the
 * output buffer is, 0 to 3), then the name up to any NUL.  Checked:
 * - out is never overrun (exactly sized buffers, ASan), and -1 comes
 *   exactly when the result does not fit;
 * - the unique part (up to the first ':') never changes;
 * - adding gives ":2," info with one T, other flags as they were and
 *   in place; removing leaves no T; removing what adding made gives
 *   the name back when it had no T;
 * - trash_date() on the same bytes reads within them only.
 */
#include "../trash.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define NAME_IN	(POP3_NAME_MAX + 16)

/* What trash_name() must give, restated from trash.h. */
static size_t
ref(const char *name, bool add, char *out)
{
	const char	*colon = strchr(name, ':'), *f;
	size_t		 o;
	bool		 put = false;

	if (colon == NULL)
		return (size_t)sprintf(out, add ? "%s:2,T" : "%s", name);
	if (strncmp(colon, ":2,", 3) != 0 ||
	    (strchr(colon + 3, 'T') != NULL) == add)
		return (size_t)sprintf(out, "%s", name);
	o = (size_t)(colon + 3 - name);
	memcpy(out, name, o);
	for (f = colon + 3; *f != '\0'; f++) {
		if (*f == 'T')
			continue;	/* removing; adding never meets one */
		if (add && !put && (unsigned char)*f > 'T') {
			out[o++] = 'T';
			put = true;
		}
		out[o++] = *f;
	}
	if (add && !put)
		out[o++] = 'T';
	out[o] = '\0';
	return o;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	 name[NAME_IN + 1], want[2 * NAME_IN + 8], back[2 * NAME_IN + 8];
	char	*out;
	size_t	 n, need, short_by;
	bool	 add;
	time_t	 t;
	int	 r;

	if (size < 1)
		return 0;
	/* trash_date reads exactly len bytes: give it a copy that long. */
	if ((out = malloc(size - 1 + 1)) == NULL)
		abort();
	memcpy(out, data + 1, size - 1);
	(void)trash_date(out, size - 1, &t);
	free(out);

	add = data[0] & 1;
	short_by = (data[0] >> 1) & 3;
	n = strnlen((const char *)data + 1, size - 1);
	if (n > NAME_IN)
		n = NAME_IN;
	memcpy(name, data + 1, n);
	name[n] = '\0';
	need = ref(name, add, want) + 1;
	if (need < short_by + 1)
		return 0;
	if ((out = malloc(need - short_by)) == NULL)
		abort();
	r = trash_name(name, add, out, need - short_by);
	if (short_by > 0) {
		/* Too small by a byte or more: refused, never cut. */
		if (r != -1)
			abort();
		free(out);
		return 0;
	}
	if (r == -1 || strcmp(out, want) != 0 ||
	    r != (strcmp(out, name) != 0))
		abort();
	if (strcspn(out, ":") != strcspn(name, ":") ||
	    strncmp(out, name, strcspn(name, ":")) != 0)
		abort();
	/* Out of the trash again: the name it had, if it had no T. */
	if (add && r == 1 && strchr(name, 'T') == NULL) {
		if (trash_name(out, false, back, sizeof(back)) != 1)
			abort();
		if (strchr(name, ':') != NULL && strcmp(back, name) != 0)
			abort();
	}
	free(out);
	return 0;
}
