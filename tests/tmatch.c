/* SPDX-License-Identifier: ISC */
/*
 * tests/tmatch.c: compares a server's output with a transcript's
 * expectation, byte for byte, line by line.  An expected status line
 * "+OK *" or "-ERR [CODE] *", or a SASL continuation "+ *", matches
 * any text after that prefix; no other wildcard exists.  Usage: tmatch EXPECTED ACTUAL.  Exit 0 if
 * they match, 1 with the first difference on stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char	*slurp(const char *, size_t *);
static int	 line_match(const char *, size_t, const char *, size_t);
static int	 compare(const char *, size_t, const char *, size_t);

static char *
slurp(const char *path, size_t *len)
{
	FILE	*f;
	char	*buf;
	long	 n;

	if ((f = fopen(path, "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 ||
	    (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    (buf = malloc((size_t)n + 1)) == NULL ||
	    fread(buf, 1, (size_t)n, f) != (size_t)n) {
		perror(path);
		exit(2);
	}
	(void)fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Lines include their LF.  1 if exp matches act. */
static int
line_match(const char *e, size_t elen, const char *a, size_t alen)
{
	size_t	plen;

	if (elen == alen && memcmp(e, a, elen) == 0)
		return 1;
	/* "<status> *\r\n": the prefix, then nothing or a space and text. */
	if (elen == 5 && memcmp(e, "+ *\r\n", 5) == 0)
		return alen >= 4 && memcmp(a, "+ ", 2) == 0 &&
		    memcmp(a + alen - 2, "\r\n", 2) == 0;
	if (elen < 5 || memcmp(e + elen - 4, " *\r\n", 4) != 0 ||
	    !(memcmp(e, "+OK", 3) == 0 || memcmp(e, "-ERR", 4) == 0))
		return 0;
	plen = elen - 4;
	if (alen < plen + 2 || memcmp(e, a, plen) != 0 ||
	    memcmp(a + alen - 2, "\r\n", 2) != 0)
		return 0;
	return alen == plen + 2 || a[plen] == ' ';
}

/* 0 if every line matches, else 1 with the first difference shown. */
static int
compare(const char *e, size_t elen, const char *a, size_t alen)
{
	const char	*el, *al;
	size_t		 ei = 0, ai = 0, n = 1, el_n, al_n;

	while (ei < elen || ai < alen) {
		if (ei >= elen || ai >= alen) {
			fprintf(stderr, "line %zu: %s\n", n, ei >= elen ?
			    "unexpected extra output" : "output ended early");
			if (ai < alen)
				fprintf(stderr, "  got: %.*s\n",
				    (int)strcspn(a + ai, "\r\n"), a + ai);
			return 1;
		}
		el = memchr(e + ei, '\n', elen - ei);
		al = memchr(a + ai, '\n', alen - ai);
		el_n = el != NULL ? (size_t)(el - (e + ei)) + 1 : elen - ei;
		al_n = al != NULL ? (size_t)(al - (a + ai)) + 1 : alen - ai;
		if (!line_match(e + ei, el_n, a + ai, al_n)) {
			fprintf(stderr, "line %zu differs\n  want: ", n);
			fwrite(e + ei, 1, el_n, stderr);
			fprintf(stderr, "\n  got:  ");
			fwrite(a + ai, 1, al_n, stderr);
			fprintf(stderr, "\n");
			return 1;
		}
		ei += el_n;
		ai += al_n;
		n++;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	char	*e, *a;
	size_t	 elen, alen;
	int	 r;

	if (argc != 3) {
		fprintf(stderr, "usage: tmatch expected actual\n");
		return 2;
	}
	e = slurp(argv[1], &elen);
	a = slurp(argv[2], &alen);
	r = compare(e, elen, a, alen);
	free(e);
	free(a);
	return r;
}
