/* SPDX-License-Identifier: ISC */
/*
 * tests/model.h: the reference message encoder shared by the unit
 * test and the fuzz target, written for obviousness, not speed.
 */
#ifndef MODEL_H
#define MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/*
 * The reference model: obviously correct, line by line.  Cuts the
 * input at each LF; a CR just before the LF belongs to the line end;
 * every line goes out with CRLF, with one more "." if it starts with
 * "."; a last piece without LF is a line too.  TOP stops after the
 * first empty line plus `lines` more.  *dots counts stuffed dots.
 */
static size_t
model(bool limit, unsigned long lines, const char *in, size_t n, char *out,
    size_t *dots)
{
	size_t		o = 0, start = 0, end, len;
	unsigned long	body = 0;
	bool		inbody = false;

	*dots = 0;
	while (start < n) {
		if (limit && inbody && body == lines)
			break;
		for (end = start; end < n && in[end] != '\n'; end++)
			continue;
		len = end - start;
		if (end < n && len > 0 && in[end - 1] == '\r')
			len--;
		if (len > 0 && in[start] == '.') {
			out[o++] = '.';
			(*dots)++;
		}
		memcpy(out + o, in + start, len);
		o += len;
		out[o++] = '\r';
		out[o++] = '\n';
		if (inbody)
			body++;
		else if (len == 0 && end < n)
			inbody = true;
		start = end + 1;
	}
	memcpy(out + o, ".\r\n", 3);
	return o + 3;
}

#endif /* MODEL_H */
