/* SPDX-License-Identifier: ISC */
/*
 * proto.h: the POP3 codec.  Every byte from the client passes through
 * here before anything acts on it.  Pure functions: no I/O, no
 * allocation, no state outside their arguments.  Inputs are
 * (pointer, length) pairs that need not be NUL-terminated.
 *
 * Command grammar (RFC 1939 s.3, RFC 2449 s.4), strict on purpose:
 *	line	= keyword [ SP argument ]	; CRLF already removed
 *	keyword	= 3*4 ALPHA			; case-insensitive
 *	argument = 1*CHAR			; no NUL, CR or LF
 * and at most POP3_LINE_MAX octets.  Each handler validates its own
 * argument; PASS takes the rest of the line, spaces included.
 */
#ifndef PROTO_H
#define PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "params.h"

enum verb {
	VERB_NONE, VERB_USER, VERB_PASS, VERB_APOP, VERB_AUTH, VERB_STLS,
	VERB_CAPA, VERB_QUIT, VERB_STAT, VERB_LIST, VERB_UIDL, VERB_RETR,
	VERB_TOP, VERB_DELE, VERB_RSET, VERB_NOOP, VERB_LAST
};

enum parse {
	PARSE_OK,		/* known verb; arg may be NULL */
	PARSE_UNKNOWN,		/* well-formed keyword we do not implement */
	PARSE_BAD		/* not a command: NUL, CR, bad spacing, too long */
};

struct command {
	enum verb	 verb;
	const char	*arg;		/* points into the caller's line */
	size_t		 arglen;	/* arg is not NUL-terminated */
};

/* A piece of a caller's buffer. */
struct span {
	const char	*p;
	size_t		 len;
};

/*
 * Splits one command line, CRLF already removed, into keyword and
 * argument.  Does not modify line.  cmd->arg points into line.
 */
enum parse	proto_parse(const char *line, size_t len, struct command *);

/* Strict decimal of 1..9 digits.  Returns 0, or -1 if malformed. */
int		proto_number(const char *, size_t, unsigned long *);

/*
 * "N M" as for TOP (RFC 1939 s.7): two strict numbers and exactly one
 * space.  Returns 0, or -1 if malformed.
 */
int		proto_two_numbers(const char *, size_t, unsigned long *,
		    unsigned long *);

/*
 * Splits s at its last space into two non-empty parts, as for
 * "APOP name digest" and the CRAM-MD5 response "user digest".
 * Returns 0, or -1 if there is no such split.
 */
int		proto_split_last(const char *, size_t, struct span *,
		    struct span *);

/*
 * Splits s at its first space.  rest is empty (len 0) when there is
 * no space; word is never empty.  Returns 0, or -1 if s is empty,
 * starts with a space or ends with one.
 */
int		proto_split_first(const char *, size_t, struct span *,
		    struct span *);

/*
 * True if the span is the keyword name, without regard to case, as
 * SASL mechanism names are matched (RFC 4422 s.3.1).
 */
bool		proto_keyword(const struct span *, const char *name);

/* True if s is exactly 32 lower-case hex digits (RFC 1939 s.7). */
bool		proto_hex_digest(const char *, size_t);

/* True if s is a valid unique-id: 1..70 octets 0x21..0x7e (s.7). */
bool		proto_uidl_ok(const char *, size_t);

/* True if s is a plausible user name: 1..255 bytes, no NUL/CR/LF. */
bool		proto_user_ok(const char *, size_t);

/*
 * Decodes strict base64 (RFC 4648 s.4, padding required, no white
 * space) of at most POP3_SASL_MAX octets into out (size bytes).  "="
 * alone decodes to nothing, as RFC 5034 s.4 uses it for an empty
 * initial response; "" is malformed.  Returns the decoded length, or
 * -1 if malformed, too long, or if it does not fit.
 */
long		proto_b64_decode(const char *, size_t, unsigned char *out,
		    size_t size);

/*
 * Encodes n bytes (at most POP3_SASL_MAX) into out (size bytes) as
 * base64 plus a NUL.  Returns the length without the NUL, or -1 if n
 * is too large or the result does not fit.
 */
long		proto_b64_encode(const unsigned char *, size_t, char *out,
		    size_t size);

/*
 * Splits a decoded SASL PLAIN message "authzid NUL authcid NUL passwd"
 * (RFC 4616 s.2).  Returns 0, or -1 if malformed: not exactly two
 * NULs, an empty authcid or passwd, or an authzid that is neither
 * empty nor equal to the authcid (we do not act for other users).
 */
int		proto_sasl_plain(const unsigned char *, size_t,
		    struct span *authcid, struct span *passwd);

/*
 * The message encoder for RETR and TOP (RFC 1939 s.3): LF and CRLF
 * become CRLF, a lone CR is data, a line starting with "." gets one
 * more ".".  Chunks may split anywhere.  For TOP, the header, the
 * blank line and then `lines` body lines are sent (RFC 1939 s.7).
 */
struct stuffer {
	bool		 bol;	/* the next byte starts a line */
	bool		 cr;	/* a CR is held until we see what follows */
	bool		 body;	/* the blank line after the header is past */
	bool		 limit;	/* TOP: stop after `lines` body lines */
	bool		 done;	/* TOP is complete; ignore further input */
	unsigned long	 lines;
	uint64_t	 dots;	/* dots added by stuffing, so far */
};
#define STUFF_MAX(n)	(2 * (n))	/* worst case: every byte doubles */
#define STUFF_END_MAX	6		/* held CR + CRLF + ".\r\n" */

void	proto_stuff_init(struct stuffer *, bool limit, unsigned long lines);
/* Encodes n bytes into out, which must hold STUFF_MAX(n) bytes. */
size_t	proto_stuff(struct stuffer *, const char *, size_t, char *out);
/* Ends the body: flushes a held CR, ends the last line, adds ".". */
size_t	proto_stuff_end(struct stuffer *, char *out);

/*
 * Counts the octets RETR sends for a message (its size in STAT and
 * LIST): the encoder's output without dot-stuffing and without the
 * final "." line.  Feed the file in chunks, then call proto_size_end.
 */
struct sizer {
	uint64_t	 size;
	bool		 cr;	/* the last byte seen was CR */
	bool		 lf;	/* the last byte seen was LF */
};
#define SIZER_INIT	{ 0, false, false }

void		proto_size(struct sizer *, const char *, size_t);
uint64_t	proto_size_end(const struct sizer *);

#endif /* PROTO_H */
