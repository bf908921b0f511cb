/* SPDX-License-Identifier: ISC */
/*
 * credrec.c: packing and checking the reader's messages (credrec.h).
 * The checks are the root side's first line of defence against a
 * subverted reader, so each field is checked on its own, and nothing
 * is trusted that was not checked: sizes, flags, lengths, the NUL
 * padding, the mechanism and the shape of user, digest and stamp.
 */
#include "credrec.h"

#include <string.h>

#include "proto.h"

static bool	field_ok(const char *, uint32_t);
static enum cred_error check_end(uint32_t, const uint8_t [16], uint32_t);
static void	put_field(char *, const char *, size_t);

uint32_t
cred_type(const void *buf, size_t n)
{
	uint32_t	t;

	if (n < sizeof(t))
		return 0;
	memcpy(&t, buf, sizeof(t));
	return t;
}

static void
put_field(char *f, const char *s, size_t len)
{
	memcpy(f, s, len);
	/* The rest of the field is NUL already (the record was zeroed). */
}

int
cred_pack(struct cred_login *r, enum cred_mech mech, bool secure,
    const char *user, size_t ulen, const char *secret, size_t slen,
    const char *stamp, size_t stlen)
{
	memset(r, 0, sizeof(*r));
	if (ulen == 0 || slen == 0 || ulen >= CRED_FIELD ||
	    slen >= CRED_FIELD || stlen >= CRED_FIELD ||
	    memchr(user, '\0', ulen) != NULL ||
	    memchr(secret, '\0', slen) != NULL ||
	    (stlen > 0 && memchr(stamp, '\0', stlen) != NULL))
		return -1;
	r->type = CRED_MSG_LOGIN;
	r->mech = (uint32_t)mech;
	r->secure = secure ? 1 : 0;
	r->userlen = (uint32_t)ulen;
	r->secretlen = (uint32_t)slen;
	r->stamplen = (uint32_t)stlen;
	put_field(r->user, user, ulen);
	put_field(r->secret, secret, slen);
	if (stlen > 0)
		put_field(r->stamp, stamp, stlen);
	return 0;
}

/* len octets without NUL, then only NULs: at least one of them. */
static bool
field_ok(const char *f, uint32_t len)
{
	size_t	i;

	if (len >= CRED_FIELD || memchr(f, '\0', len) != NULL)
		return false;
	for (i = len; i < CRED_FIELD; i++)
		if (f[i] != '\0')
			return false;
	return true;
}

enum cred_error
cred_check_login(const void *buf, size_t n, struct cred_login *out)
{
	struct cred_login	*r = out;

	if (n != sizeof(*r))
		return CRED_ESIZE;
	memcpy(r, buf, sizeof(*r));
	if (r->type != CRED_MSG_LOGIN)
		return CRED_ETYPE;
	if (r->mech != CRED_PASS && r->mech != CRED_APOP &&
	    r->mech != CRED_PLAIN && r->mech != CRED_CRAM)
		return CRED_EMECH;
	if (r->secure > 1)
		return CRED_EFLAG;
	if (r->userlen >= CRED_FIELD || r->secretlen >= CRED_FIELD ||
	    r->stamplen >= CRED_FIELD)
		return CRED_ELEN;
	if (!field_ok(r->user, r->userlen) ||
	    !field_ok(r->secret, r->secretlen) ||
	    !field_ok(r->stamp, r->stamplen))
		return CRED_ENUL;
	if (r->userlen == 0 || r->secretlen == 0)
		return CRED_EEMPTY;
	if (!proto_user_ok(r->user, r->userlen))
		return CRED_EFORM;
	/* Digests are what proto.c let through: 32 lower-case hex. */
	if (r->mech == CRED_APOP || r->mech == CRED_CRAM) {
		if (r->stamplen == 0 ||
		    !proto_hex_digest(r->secret, r->secretlen))
			return CRED_EFORM;
	} else if (r->stamplen != 0)
		return CRED_EFORM;
	return CRED_OK;
}

/* One end of a connection: a family, its address, a port. */
static enum cred_error
check_end(uint32_t family, const uint8_t addr[16], uint32_t port)
{
	size_t	i;

	if (family != CRED_INET4 && family != CRED_INET6)
		return CRED_ERANGE;
	if (family == CRED_INET4)
		for (i = 4; i < 16; i++)
			if (addr[i] != 0)
				return CRED_EFORM;
	if (port > 65535)
		return CRED_ERANGE;
	return CRED_OK;
}

enum cred_error
cred_check_peer(const void *buf, size_t n, struct cred_peer *out)
{
	enum cred_error	e;

	if (n != sizeof(*out))
		return CRED_ESIZE;
	memcpy(out, buf, sizeof(*out));
	if (out->type != CRED_MSG_PEER)
		return CRED_ETYPE;
	if ((e = check_end(out->family, out->addr, out->port)) != CRED_OK ||
	    (e = check_end(out->dfamily, out->daddr, out->dport)) != CRED_OK)
		return e;
	if (out->tls > 1)
		return CRED_EFLAG;
	return CRED_OK;
}

enum cred_error
cred_check_log(const void *buf, size_t n, struct cred_log *out)
{
	size_t	i;

	if (n != sizeof(*out))
		return CRED_ESIZE;
	memcpy(out, buf, sizeof(*out));
	if (out->type != CRED_MSG_LOG)
		return CRED_ETYPE;
	if (out->prio > 7)
		return CRED_ERANGE;
	if (out->len >= sizeof(out->text))
		return CRED_ELEN;
	if (memchr(out->text, '\0', out->len) != NULL)
		return CRED_ENUL;
	for (i = out->len; i < sizeof(out->text); i++)
		if (out->text[i] != '\0')
			return CRED_ENUL;
	return CRED_OK;
}

enum cred_error
cred_check_short(const void *buf, size_t n, uint32_t type, uint32_t vmax,
    uint32_t *value)
{
	struct cred_short	m;

	if (n != sizeof(m))
		return CRED_ESIZE;
	memcpy(&m, buf, sizeof(m));
	if (m.type != type)
		return CRED_ETYPE;
	if (type == CRED_MSG_VERDICT ?
	    m.value < CRED_SERVED || m.value > CRED_REFUSED :
	    m.value >= vmax)
		return CRED_ERANGE;
	*value = m.value;
	return CRED_OK;
}

const char *
cred_error_text(enum cred_error e)
{
	switch (e) {
	case CRED_OK:
		return "ok";
	case CRED_ESIZE:
		return "wrong size";
	case CRED_ETYPE:
		return "unexpected message type";
	case CRED_EMECH:
		return "unknown mechanism";
	case CRED_EFLAG:
		return "bad flag";
	case CRED_ELEN:
		return "length beyond its field";
	case CRED_ENUL:
		return "NUL inside a field or missing after it";
	case CRED_EEMPTY:
		return "empty user or secret";
	case CRED_EFORM:
		return "malformed field";
	case CRED_ERANGE:
		break;
	}
	return "value out of range";
}
