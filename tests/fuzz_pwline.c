/* SPDX-License-Identifier: ISC */
/*
 * tests/fuzz_pwline.c: the libFuzzer target for checkpw_line(), the
 * passwd-file line parser that pop3d-checkpw and pop3d-passwd share.
 * The input is one line (any bytes, no LF added).  An independent
 * model of the format decides skip, bad or good and what each field
 * is; the parser must agree on every one, must name the line's user
 * field even when the line is bad, and must write nothing but NULs
 * over colons, and nothing past line[len].
 */
#include "../checkpw.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Strictly 1..10 decimal digits whose value fits and is not -1. */
static int
model_id(const char *s, size_t len, unsigned long long *v)
{
	size_t	i;

	*v = 0;
	if (len == 0 || len > 10)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (unsigned long long)(s[i] - '0');
	}
	return *v < 0xffffffffULL ? 0 : -1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct checkpw_user	 u;
	const char			*in = (const char *)data, *name;
	const char			*f[8];
	size_t				 flen[8], nf = 0, i, start, namelen;
	unsigned long long		 uid = 0, gid = 0;
	enum checkpw_line		 want, got;
	char				*line;

	if (size > CHECKPW_LINE_MAX + 16)
		return 0;
	/* The model, on the input itself. */
	for (i = 0; i < size && (in[i] == ' ' || in[i] == '\t'); i++)
		continue;
	if (i == size || in[i] == '#')
		want = CHECKPW_LINE_SKIP;
	else {
		/* Split at the first seven colons: the rest is extra. */
		for (nf = 0, start = 0, i = 0; i <= size; i++) {
			if (i == size || (in[i] == ':' && nf < 7)) {
				f[nf] = in + start;
				flen[nf++] = i - start;
				start = i + 1;
			}
		}
		want = CHECKPW_LINE_OK;
		if (size > CHECKPW_LINE_MAX || memchr(in, '\0', size) != NULL ||
		    nf < 6 || flen[0] == 0 || flen[5] == 0 || f[5][0] != '/' ||
		    model_id(f[2], flen[2], &uid) == -1 ||
		    model_id(f[3], flen[3], &gid) == -1)
			want = CHECKPW_LINE_BAD;
	}

	if ((line = malloc(size + 1)) == NULL)
		return 0;
	memcpy(line, in, size);
	got = checkpw_line(line, size, &u, &name, &namelen);
	if (got != want)
		abort();
	if (got == CHECKPW_LINE_SKIP) {
		if (name != NULL || memcmp(line, in, size) != 0)
			abort();
		free(line);
		return 0;
	}
	/* Bad or good, the user field is named: up to the first colon. */
	if (name != line || namelen > size ||
	    memchr(in, ':', namelen) != NULL ||
	    (namelen < size && in[namelen] != ':'))
		abort();
	if (got == CHECKPW_LINE_BAD) {
		free(line);
		return 0;
	}
	/* Only colons became NULs; the fields are the model's. */
	for (i = 0; i < size; i++)
		if (line[i] != in[i] && !(in[i] == ':' && line[i] == '\0'))
			abort();
	if (u.name != line || strlen(u.name) != flen[0] ||
	    u.secret != line + (f[1] - in) || strlen(u.secret) != flen[1] ||
	    u.home != line + (f[5] - in) || strlen(u.home) != flen[5] ||
	    (unsigned long long)u.uid != uid ||
	    (unsigned long long)u.gid != gid)
		abort();
	if (nf > 6 && flen[6] > 0) {
		if (u.shell != line + (f[6] - in) ||
		    strlen(u.shell) != flen[6])
			abort();
	} else if (strcmp(u.shell, "/bin/sh") != 0)
		abort();
	if (u.system || u.rootgroup || u.lastchg != -1 || u.maxdays != -1 ||
	    u.inactive != -1 || u.expire != -1)
		abort();
	free(line);
	return 0;
}
