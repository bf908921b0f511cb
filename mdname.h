/* SPDX-License-Identifier: ISC */
/*
 * mdname.h: what a Maildir file name says (maildir(5)).  Pure
 * functions over untrusted names: no I/O, no allocation, no state, so
 * they can be unit-tested and fuzzed alone.  A name is the unique part,
 * then optionally ':' and the info ("2," and flag letters).
 */
#ifndef MDNAME_H
#define MDNAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "params.h"

/*
 * ",W=N" in the unique part gives the size with CRLF line ends.
 * Returns 1 and sets *size if the name has one, else 0; also 0 for an
 * N above POP3_SIZE_MAX, which no real message has.
 */
int	mdname_size(const char *name, uint64_t *size);

/*
 * The name a message gets at UPDATE: new/ mail (isnew) moves to cur/
 * with ":2,"; retrieved mail (seen) gains the S flag, flags kept in
 * ASCII order.  Returns 1 if out (size bytes) differs from name, 0 if
 * no move is needed, -1 if it does not fit.
 */
int	mdname_target(const char *name, bool isnew, bool seen, char *out,
	    size_t size);

#endif /* MDNAME_H */
