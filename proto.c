/* SPDX-License-Identifier: ISC */
/*
 * proto.c: the POP3 codec (see proto.h for the grammar).  Trusts no
 * input; does no I/O, allocates nothing and keeps no state of its
 * own.  The main fuzz target.
 */
#include "proto.h"

#include <sys/types.h>

#include <netinet/in.h>

#include <resolv.h>
#include <string.h>
#include <strings.h>

static const struct {
	const char	*name;
	enum verb	 verb;
} verbs[] = {
	{ "USER", VERB_USER }, { "PASS", VERB_PASS }, { "APOP", VERB_APOP },
	{ "AUTH", VERB_AUTH }, { "STLS", VERB_STLS }, { "CAPA", VERB_CAPA },
	{ "QUIT", VERB_QUIT }, { "STAT", VERB_STAT }, { "LIST", VERB_LIST },
	{ "UIDL", VERB_UIDL }, { "RETR", VERB_RETR }, { "TOP", VERB_TOP },
	{ "DELE", VERB_DELE }, { "RSET", VERB_RSET }, { "NOOP", VERB_NOOP },
	{ "LAST", VERB_LAST },
};

static bool	ascii_alpha(char);
static void	wipe_bytes(void *, size_t);
static inline uint64_t	load_le(const char *);
static inline uint64_t	lf_mask(uint64_t);
static inline size_t	first_byte(uint64_t);
static bool	b64_char(char);
static void	end_line(struct stuffer *, bool);

static bool
ascii_alpha(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

enum parse
proto_parse(const char *line, size_t len, struct command *cmd)
{
	size_t	i, kw;

	memset(cmd, 0, sizeof(*cmd));
	cmd->verb = VERB_NONE;
	if (len > POP3_LINE_MAX)
		return PARSE_BAD;
	for (i = 0; i < len; i++)
		if (line[i] == '\0' || line[i] == '\r' || line[i] == '\n')
			return PARSE_BAD;

	for (kw = 0; kw < len && line[kw] != ' '; kw++)
		if (!ascii_alpha(line[kw]))
			return PARSE_BAD;
	if (kw < 3 || kw > 4)
		return PARSE_BAD;
	if (kw < len) {
		if (kw + 1 == len)
			return PARSE_BAD;	/* "STAT ": space, no argument */
		cmd->arg = line + kw + 1;
		cmd->arglen = len - kw - 1;
	}

	for (i = 0; i < nitems(verbs); i++) {
		if (strlen(verbs[i].name) == kw &&
		    strncasecmp(verbs[i].name, line, kw) == 0) {
			cmd->verb = verbs[i].verb;
			return PARSE_OK;
		}
	}
	cmd->arg = NULL;
	cmd->arglen = 0;
	return PARSE_UNKNOWN;
}

int
proto_number(const char *s, size_t len, unsigned long *n)
{
	unsigned long	v = 0;
	size_t		i;

	/* Nine digits stay below 10^9, so v cannot overflow anywhere. */
	if (len == 0 || len > 9)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	*n = v;
	return 0;
}

int
proto_two_numbers(const char *s, size_t len, unsigned long *a,
    unsigned long *b)
{
	const char	*sp;
	size_t		 alen;

	if ((sp = memchr(s, ' ', len)) == NULL)
		return -1;
	alen = (size_t)(sp - s);
	if (proto_number(s, alen, a) == -1 ||
	    proto_number(sp + 1, len - alen - 1, b) == -1)
		return -1;
	return 0;
}

int
proto_split_last(const char *s, size_t len, struct span *a, struct span *b)
{
	size_t	i;

	for (i = len; i > 0; i--)
		if (s[i - 1] == ' ')
			break;
	if (i <= 1 || i == len)
		return -1;	/* no space, or an empty part */
	a->p = s;
	a->len = i - 1;
	b->p = s + i;
	b->len = len - i;
	return 0;
}

int
proto_split_first(const char *s, size_t len, struct span *word,
    struct span *rest)
{
	const char	*sp;

	if (len == 0 || s[0] == ' ' || s[len - 1] == ' ')
		return -1;
	word->p = s;
	rest->p = s + len;
	rest->len = 0;
	if ((sp = memchr(s, ' ', len)) == NULL) {
		word->len = len;
		return 0;
	}
	word->len = (size_t)(sp - s);
	rest->p = sp + 1;
	rest->len = len - word->len - 1;
	return 0;
}

bool
proto_keyword(const struct span *w, const char *name)
{
	return w->len == strlen(name) && strncasecmp(w->p, name, w->len) == 0;
}

bool
proto_hex_digest(const char *s, size_t len)
{
	size_t	i;

	if (len != 32)
		return false;
	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

bool
proto_uidl_ok(const char *s, size_t len)
{
	size_t	i;

	if (len == 0 || len > POP3_UIDL_MAX)
		return false;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return false;
	return true;
}

bool
proto_user_ok(const char *s, size_t len)
{
	size_t	i;

	if (len == 0 || len > 255)
		return false;
	for (i = 0; i < len; i++)
		if (s[i] == '\0' || s[i] == '\r' || s[i] == '\n')
			return false;
	return true;
}

/* The decoded bytes may be a password: clear the scratch copies. */
static void
wipe_bytes(void *p, size_t n)
{
	volatile unsigned char	*v = p;

	while (n-- > 0)
		*v++ = 0;
}

static bool
b64_char(char c)
{
	return ascii_alpha(c) || (c >= '0' && c <= '9') || c == '+' ||
	    c == '/';
}

long
proto_b64_decode(const char *s, size_t len, unsigned char *out, size_t size)
{
	unsigned char	tmp[POP3_SASL_MAX / 4 * 3 + 1];
	char		buf[POP3_SASL_MAX + 1];
	size_t		i, pad = 0;
	int		n;

	if (len == 1 && s[0] == '=')
		return 0;
	/* RFC 4648 s.3.3: reject anything outside the alphabet. */
	if (len == 0 || len % 4 != 0 || len > POP3_SASL_MAX)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] == '=' && i >= len - 2)
			pad++;
		else if (!b64_char(s[i]) || pad > 0)
			return -1;
	}
	if (len / 4 * 3 - pad > size)
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	/* b64_pton() may write a byte past the result: give it room. */
	n = b64_pton(buf, tmp, sizeof(tmp));
	if (n < 0 || (size_t)n > size) {
		wipe_bytes(tmp, sizeof(tmp));
		return -1;
	}
	memcpy(out, tmp, (size_t)n);
	wipe_bytes(tmp, sizeof(tmp));
	wipe_bytes(buf, sizeof(buf));
	return (long)n;
}

long
proto_b64_encode(const unsigned char *in, size_t n, char *out, size_t size)
{
	int	r;

	if (n > POP3_SASL_MAX || (n + 2) / 3 * 4 + 1 > size)
		return -1;
	r = b64_ntop(in, n, out, size);
	return r < 0 ? -1 : (long)r;
}

int
proto_sasl_plain(const unsigned char *m, size_t len, struct span *authcid,
    struct span *passwd)
{
	const unsigned char	*n1, *n2;
	size_t			 zlen;

	if ((n1 = memchr(m, '\0', len)) == NULL)
		return -1;
	zlen = (size_t)(n1 - m);
	n1++;
	if ((n2 = memchr(n1, '\0', len - zlen - 1)) == NULL)
		return -1;
	authcid->p = (const char *)n1;
	authcid->len = (size_t)(n2 - n1);
	n2++;
	passwd->p = (const char *)n2;
	passwd->len = len - (size_t)(n2 - m);
	if (authcid->len == 0 || passwd->len == 0 ||
	    memchr(passwd->p, '\0', passwd->len) != NULL)
		return -1;
	/* RFC 4616 s.2: an authzid equal to the authcid is no proxy. */
	if (zlen != 0 && (zlen != authcid->len ||
	    memcmp(m, authcid->p, zlen) != 0))
		return -1;
	return 0;
}

void
proto_stuff_init(struct stuffer *st, bool limit, unsigned long lines)
{
	st->bol = true;
	st->cr = false;
	st->body = false;
	st->limit = limit;
	st->done = false;
	st->lines = lines;
	st->dots = 0;
}

/* A line just ended; count it for TOP. */
static void
end_line(struct stuffer *st, bool empty)
{
	st->bol = true;
	if (!st->body) {
		/* RFC 5322 s.2.1: the first empty line ends the header. */
		if (empty) {
			st->body = true;
			if (st->limit && st->lines == 0)
				st->done = true;
		}
	} else if (st->limit && --st->lines == 0)
		st->done = true;
}

/*
 * Finding line ends 8 bytes at a time: the word is read little-endian
 * (compilers make that one load where it is one), and lf_mask() sets
 * bit 7 of each byte that is an LF and no other bit (exact, unlike the
 * shorter test that may also mark the byte after a match), so the
 * first LF is the lowest marked byte, found without a loop.
 */
#define ONES	0x0101010101010101ULL
#define LOWS	0x7f7f7f7f7f7f7f7fULL

static inline uint64_t
load_le(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;

	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
	    (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 |
	    (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
	    (uint64_t)p[7] << 56;
}

static inline uint64_t
lf_mask(uint64_t w)
{
	uint64_t	x = w ^ (ONES * '\n');

	return ~(((x & LOWS) + LOWS) | x | LOWS);
}

/* The index of the lowest marked byte of a non-zero mask. */
static inline size_t
first_byte(uint64_t m)
{
	uint64_t	low = m & (~m + 1);	/* bit 8k + 7: byte k */

	/* 256^k - 1 has k bytes of 0xff; sum k bytes of 1 in the top. */
	return (size_t)(((((low >> 7) - 1) & ONES) * ONES) >> 56);
}

size_t
proto_stuff(struct stuffer *st, const char *in, size_t n, char *out)
{
	const char	*p = in, *end = in + n, *line;
	char		*o = out;
	uint64_t	 w, m;
	size_t		 k;
	bool		 empty;

	if (st->done || n == 0)
		return 0;
	if (st->cr) {
		st->cr = false;
		*o++ = '\r';
		if (*p == '\n') {
			*o++ = '\n';
			p++;
			end_line(st, st->bol);
		} else
			st->bol = false;
	}
	while (p < end && !st->done) {
		line = p;
		if (st->bol && *p == '.') {
			*o++ = '.';
			st->dots++;
		}
		/*
		 * Up to the next LF a word at a time, each word stored
		 * whole: bytes after the LF are overwritten next, and
		 * out has room for them (STUFF_MAX).  The last few bytes
		 * of a chunk go one by one.
		 */
		for (;;) {
			if (end - p < 8) {
				while (p < end && *p != '\n')
					*o++ = *p++;
				break;
			}
			w = load_le(p);
			memcpy(o, p, 8);
			if ((m = lf_mask(w)) != 0) {
				k = first_byte(m);
				p += k;
				o += k;
				break;
			}
			p += 8;
			o += 8;
		}
		if (p == end) {
			/* The line goes on; is a final CR half of a CRLF? */
			if (p > line && p[-1] == '\r') {
				o--;
				st->cr = true;
				if (p - line > 1)
					st->bol = false;
			} else if (p > line)
				st->bol = false;
			break;
		}
		/* An LF: CRLF stays CRLF, a bare LF becomes CRLF. */
		empty = st->bol && (p == line || (p == line + 1 && *line == '\r'));
		if (p > line && p[-1] == '\r')
			*o++ = '\n';
		else {
			*o++ = '\r';
			*o++ = '\n';
		}
		p++;
		end_line(st, empty);
	}
	return (size_t)(o - out);
}

size_t
proto_stuff_end(struct stuffer *st, char *out)
{
	char	*o = out;

	if (st->cr) {
		*o++ = '\r';
		st->cr = false;
		st->bol = false;
	}
	if (!st->bol) {
		*o++ = '\r';
		*o++ = '\n';
	}
	memcpy(o, ".\r\n", 3);
	return (size_t)(o - out) + 3;
}

void
proto_size(struct sizer *sz, const char *in, size_t n)
{
	const char	*p = in, *end = in + n, *lf;

	if (n == 0)
		return;
	sz->size += n;
	while ((lf = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		/* A bare LF goes out as CRLF: one more octet. */
		if (lf == in ? !sz->cr : lf[-1] != '\r')
			sz->size++;
		p = lf + 1;
	}
	sz->cr = end[-1] == '\r';
	sz->lf = end[-1] == '\n';
}

uint64_t
proto_size_end(const struct sizer *sz)
{
	/* A last line without LF is ended with CRLF by the encoder. */
	return sz->size > 0 && !sz->lf ? sz->size + 2 : sz->size;
}
