/* SPDX-License-Identifier: ISC */
/*
 * proxy.c: the PROXY protocol header (HAProxy's proxy-protocol
 * specification, v1 and v2) and the -P list of allowed proxies.  Sees
 * octets a proxy sent before the client's first byte; trusts none of
 * them.  Pure, as proto.c: no I/O, no allocation, no global state,
 * never exits.  The grammar accepted is in proxy.h.
 */
#include "proxy.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <string.h>

/* v1 starts "PROXY " (s.2.1); v2 with this signature (s.2.2). */
static const char	v1_sig[] = "PROXY ";
static const uint8_t	v2_sig[12] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a
};

#define V1_MIN		15	/* "PROXY UNKNOWN\r\n" */
#define V2_FIXED	16	/* signature, ver/cmd, family, length */
#define V2_CMD_LOCAL	0x0
#define V2_CMD_PROXY	0x1
#define V2_AF_UNSPEC	0x0
#define V2_AF_INET	0x1
#define V2_AF_INET6	0x2
#define V2_AF_UNIX	0x3
#define V2_UNSPEC	0x0
#define V2_STREAM	0x1
#define V2_DGRAM	0x2
#define PP2_TYPE_CRC32C	0x03
#define PP2_TYPE_SSL	0x20
#define PP2_CLIENT_SSL	0x01
#define PP2_SSL_FIXED	5	/* client (1 octet), verify (4 octets) */

static const uint8_t	v4_mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

static enum proxy_parse	parse_v1(const uint8_t *, size_t,
			    struct proxy_hdr *, size_t *);
static enum proxy_parse	parse_v2(const uint8_t *, size_t,
			    struct proxy_hdr *, size_t *);
static int	parse_tlvs(const uint8_t *, size_t, size_t,
		    struct proxy_hdr *);
static int	tlvs_tile(const uint8_t *, size_t);
static int	ip4_parse(const char *, size_t, struct proxy_addr *);
static int	ip6_parse(const char *, size_t, struct proxy_addr *);
static int	port_parse(const char *, size_t, uint16_t *);
static int	small_number(const char *, size_t, unsigned long,
		    unsigned long *);
static size_t	token(const char *, size_t, size_t);
static uint32_t	crc32c_add(uint32_t, const uint8_t *, size_t);

/* Decimal without leading zeros ("0" itself is fine), at most max. */
static int
small_number(const char *s, size_t len, unsigned long max,
    unsigned long *v)
{
	unsigned long	n = 0;
	size_t		i;

	/* Five digits stay below 10^5, so n cannot overflow. */
	if (len == 0 || len > 5 || (len > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		n = n * 10 + (unsigned long)(s[i] - '0');
	}
	if (n > max)
		return -1;
	*v = n;
	return 0;
}

static int
port_parse(const char *s, size_t len, uint16_t *port)
{
	unsigned long	v;

	if (small_number(s, len, 65535, &v) == -1)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/* Four decimals 0..255 and three dots; no leading zeros (s.2.1). */
static int
ip4_parse(const char *s, size_t len, struct proxy_addr *a)
{
	unsigned long	v;
	size_t		i = 0, j, part;

	memcpy(a->a, v4_mapped, sizeof(v4_mapped));
	for (part = 0; part < 4; part++) {
		for (j = i; j < len && s[j] != '.'; j++)
			continue;
		if (small_number(s + i, j - i, 255, &v) == -1)
			return -1;
		a->a[12 + part] = (uint8_t)v;
		if (part < 3 && j == len)
			return -1;
		i = j + 1;
	}
	return i == len + 1 ? 0 : -1;
}

/* IPv6 as inet_pton(3) reads it, a dotted IPv4 tail included. */
static int
ip6_parse(const char *s, size_t len, struct proxy_addr *a)
{
	char	text[PROXY_ADDR_TEXT];

	if (len == 0 || len >= sizeof(text) || memchr(s, '\0', len) != NULL)
		return -1;
	memcpy(text, s, len);
	text[len] = '\0';
	return inet_pton(AF_INET6, text, a->a) == 1 ? 0 : -1;
}

int
proxy_addr_parse(const char *s, size_t len, struct proxy_addr *a)
{
	if (memchr(s, ':', len) == NULL)
		return ip4_parse(s, len, a);
	return ip6_parse(s, len, a);
}

bool
proxy_addr_v4(const struct proxy_addr *a)
{
	return memcmp(a->a, v4_mapped, sizeof(v4_mapped)) == 0;
}

char *
proxy_addr_text(const struct proxy_addr *a, char *dst, size_t size)
{
	const char	*r;

	if (proxy_addr_v4(a))
		r = inet_ntop(AF_INET, a->a + 12, dst, (socklen_t)size);
	else
		r = inet_ntop(AF_INET6, a->a, dst, (socklen_t)size);
	if (r == NULL && size > 0)
		dst[0] = '\0';
	return dst;
}

/* The length of the field at s[i..len) that ends at a space or len. */
static size_t
token(const char *s, size_t len, size_t i)
{
	size_t	j;

	for (j = i; j < len && s[j] != ' '; j++)
		continue;
	return j - i;
}

enum proxy_parse
proxy_parse(const uint8_t *buf, size_t len, struct proxy_hdr *h,
    size_t *used)
{
	memset(h, 0, sizeof(*h));
	*used = 0;
	if (len == 0) {
		*used = V1_MIN;		/* the shortest header of either */
		return PROXY_NEED;
	}
	if (buf[0] == (uint8_t)v1_sig[0])
		return parse_v1(buf, len, h, used);
	if (buf[0] == v2_sig[0])
		return parse_v2(buf, len, h, used);
	return PROXY_BAD;	/* no header: s.2.2 says drop it */
}

static enum proxy_parse
parse_v1(const uint8_t *buf, size_t len, struct proxy_hdr *h, size_t *used)
{
	const char	*s = (const char *)buf;
	size_t		 n = len < PROXY_V1_MAX ? len : PROXY_V1_MAX;
	size_t		 i, k, lf = 0, f[4], flen[4];
	bool		 found = false;

	for (i = 0; i < n && i < sizeof(v1_sig) - 1; i++)
		if (s[i] != v1_sig[i])
			return PROXY_BAD;
	/* s.2.1: CRLF only, within the first 107 octets. */
	for (i = 0; i < n && !found; i++) {
		if (s[i] == '\n') {
			if (i == 0 || s[i - 1] != '\r')
				return PROXY_BAD;
			lf = i;
			found = true;
		} else if (s[i] == '\0' ||
		    (s[i] == '\r' && i + 1 < n && s[i + 1] != '\n'))
			return PROXY_BAD;
	}
	if (!found) {
		if (len >= PROXY_V1_MAX)
			return PROXY_BAD;
		*used = len < V1_MIN ? V1_MIN - len : 1;
		return PROXY_NEED;
	}
	n = lf - 1;		/* the line without its CRLF */
	if (n < sizeof(v1_sig) - 1)
		return PROXY_BAD;
	h->version = 1;
	i = sizeof(v1_sig) - 1;
	k = token(s, n, i);
	if (k == 7 && memcmp(s + i, "UNKNOWN", 7) == 0) {
		/* The rest of the line is to be ignored (s.2.1). */
		if (i + k < n && s[i + k] != ' ')
			return PROXY_BAD;
		h->local = true;
		*used = lf + 1;
		return PROXY_OK;
	}
	if (k != 4 || (memcmp(s + i, "TCP4", 4) != 0 &&
	    memcmp(s + i, "TCP6", 4) != 0))
		return PROXY_BAD;
	h->inet6 = s[i + 3] == '6';
	/* Exactly one space before each of the four fields. */
	i += k;
	for (k = 0; k < 4; k++) {
		if (i >= n || s[i] != ' ')
			return PROXY_BAD;
		f[k] = ++i;
		flen[k] = token(s, n, i);
		i += flen[k];
	}
	if (i != n)
		return PROXY_BAD;
	if (h->inet6 ? ip6_parse(s + f[0], flen[0], &h->src) == -1 ||
	    ip6_parse(s + f[1], flen[1], &h->dst) == -1 :
	    ip4_parse(s + f[0], flen[0], &h->src) == -1 ||
	    ip4_parse(s + f[1], flen[1], &h->dst) == -1)
		return PROXY_BAD;
	if (port_parse(s + f[2], flen[2], &h->sport) == -1 ||
	    port_parse(s + f[3], flen[3], &h->dport) == -1)
		return PROXY_BAD;
	*used = lf + 1;
	return PROXY_OK;
}

static enum proxy_parse
parse_v2(const uint8_t *buf, size_t len, struct proxy_hdr *h, size_t *used)
{
	size_t	i, total, alen = 0;
	int	cmd, fam, proto;

	for (i = 0; i < len && i < sizeof(v2_sig); i++)
		if (buf[i] != v2_sig[i])
			return PROXY_BAD;
	/* Decide what the fixed part allows before waiting for more. */
	if (len > 12) {
		if ((buf[12] >> 4) != 2)
			return PROXY_BAD;	/* only version 2 (s.2.2) */
		cmd = buf[12] & 0xf;
		if (cmd != V2_CMD_LOCAL && cmd != V2_CMD_PROXY)
			return PROXY_BAD;
	}
	if (len > 13) {
		fam = buf[13] >> 4;
		proto = buf[13] & 0xf;
		if (fam > V2_AF_UNIX || proto > V2_DGRAM)
			return PROXY_BAD;
	}
	if (len < V2_FIXED) {
		*used = V2_FIXED - len;
		return PROXY_NEED;
	}
	cmd = buf[12] & 0xf;
	fam = buf[13] >> 4;
	proto = buf[13] & 0xf;
	total = V2_FIXED + ((size_t)buf[14] << 8 | buf[15]);
	if (total > PROXY_V2_MAX)
		return PROXY_BAD;
	h->version = 2;
	if (cmd == V2_CMD_LOCAL)
		h->local = true;	/* s.2.2: the block is discarded */
	else if (proto == V2_DGRAM)
		return PROXY_BAD;	/* a datagram relayed over TCP? */
	else if (proto == V2_STREAM && fam == V2_AF_INET)
		alen = 12;
	else if (proto == V2_STREAM && fam == V2_AF_INET6)
		alen = 36;
	else
		h->local = true;	/* unspecified: the real endpoints */
	if (total - V2_FIXED < alen)
		return PROXY_BAD;
	if (len < total) {
		*used = total - len;
		return PROXY_NEED;
	}
	if (alen == 12) {
		memcpy(h->src.a, v4_mapped, sizeof(v4_mapped));
		memcpy(h->dst.a, v4_mapped, sizeof(v4_mapped));
		memcpy(h->src.a + 12, buf + 16, 4);
		memcpy(h->dst.a + 12, buf + 20, 4);
		h->sport = (uint16_t)(buf[24] << 8 | buf[25]);
		h->dport = (uint16_t)(buf[26] << 8 | buf[27]);
	} else if (alen == 36) {
		h->inet6 = true;
		memcpy(h->src.a, buf + 16, 16);
		memcpy(h->dst.a, buf + 32, 16);
		h->sport = (uint16_t)(buf[48] << 8 | buf[49]);
		h->dport = (uint16_t)(buf[50] << 8 | buf[51]);
	}
	/* Where the address length is unknown, so is where TLVs start. */
	if (alen > 0 && parse_tlvs(buf, V2_FIXED + alen, total, h) == -1)
		return PROXY_BAD;
	*used = total;
	return PROXY_OK;
}

/* True (0) if p[0..n) is a sequence of whole TLVs; else -1. */
static int
tlvs_tile(const uint8_t *p, size_t n)
{
	size_t	off = 0, tlen;

	while (off < n) {
		if (n - off < 3)
			return -1;
		tlen = (size_t)p[off + 1] << 8 | p[off + 2];
		if (tlen > n - off - 3)
			return -1;
		off += 3 + tlen;
	}
	return 0;
}

/*
 * Walks the TLVs in buf[off..total) (s.2.2): they must fill it
 * exactly.  An SSL TLV sets h->ssl from its client field (s.2.2.6); a
 * CRC32C TLV must hold the checksum of the header with its own value
 * taken as zero (s.2.2.3).  Other types are skipped.
 */
static int
parse_tlvs(const uint8_t *buf, size_t off, size_t total, struct proxy_hdr *h)
{
	static const uint8_t	zero[4];
	const uint8_t		*v;
	uint32_t		 crc, want;
	size_t			 tlen;
	bool			 ssl = false, sum = false;

	while (off < total) {
		if (total - off < 3)
			return -1;
		tlen = (size_t)buf[off + 1] << 8 | buf[off + 2];
		if (tlen > total - off - 3)
			return -1;
		v = buf + off + 3;
		switch (buf[off]) {
		case PP2_TYPE_SSL:
			if (ssl || tlen < PP2_SSL_FIXED ||
			    tlvs_tile(v + PP2_SSL_FIXED,
			    tlen - PP2_SSL_FIXED) == -1)
				return -1;
			ssl = true;
			h->ssl = (v[0] & PP2_CLIENT_SSL) != 0;
			break;
		case PP2_TYPE_CRC32C:
			if (sum || tlen != 4)
				return -1;
			sum = true;
			want = (uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 |
			    (uint32_t)v[2] << 8 | v[3];
			crc = crc32c_add(0xffffffffu, buf, (size_t)(v - buf));
			crc = crc32c_add(crc, zero, sizeof(zero));
			crc = crc32c_add(crc, v + 4, total - (size_t)(v - buf) - 4);
			if ((crc ^ 0xffffffffu) != want)
				return -1;
			break;
		default:
			break;
		}
		off += 3 + tlen;
	}
	return 0;
}

/* Bitwise CRC32c, reflected polynomial 0x82f63b78 (RFC 4960 app. B). */
static uint32_t
crc32c_add(uint32_t crc, const uint8_t *p, size_t n)
{
	size_t	i;
	int	k;

	for (i = 0; i < n; i++) {
		crc ^= p[i];
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0x82f63b78u & (0u - (crc & 1)));
	}
	return crc;
}

uint32_t
proxy_crc32c(const uint8_t *p, size_t n)
{
	return crc32c_add(0xffffffffu, p, n) ^ 0xffffffffu;
}

int
proxy_allow_parse(const char *s, size_t len, struct proxy_allow *al)
{
	struct proxy_net	*net;
	unsigned long		 bits;
	size_t			 i = 0, j, slash, k;
	bool			 v4;

	memset(al, 0, sizeof(*al));
	if (len == 0)
		return -1;
	while (i <= len) {
		for (j = i; j < len && s[j] != ','; j++)
			continue;
		if (j == i || al->n == nitems(al->net))
			return -1;
		net = &al->net[al->n++];
		for (slash = i; slash < j && s[slash] != '/'; slash++)
			continue;
		v4 = memchr(s + i, ':', slash - i) == NULL;
		if (proxy_addr_parse(s + i, slash - i, &net->addr) == -1)
			return -1;
		bits = 128;
		if (slash < j) {
			if (small_number(s + slash + 1, j - slash - 1,
			    v4 ? 32 : 128, &bits) == -1)
				return -1;
			if (v4)
				bits += 96;
		}
		net->bits = (unsigned)bits;
		/* No host bits: 10.0.0.1/8 is a typing error, not a net. */
		for (k = 0; k < 128; k++)
			if (k >= bits &&
			    (net->addr.a[k / 8] & (0x80 >> (k % 8))) != 0)
				return -1;
		i = j + 1;
	}
	return 0;
}

bool
proxy_allow_match(const struct proxy_allow *al, const struct proxy_addr *a)
{
	const struct proxy_net	*net;
	size_t			 i, whole;
	unsigned		 rest;
	uint8_t			 mask;

	for (i = 0; i < al->n; i++) {
		net = &al->net[i];
		whole = net->bits / 8;
		rest = net->bits % 8;
		if (memcmp(net->addr.a, a->a, whole) != 0)
			continue;
		if (rest == 0)
			return true;
		mask = (uint8_t)(0xff00 >> rest);
		if ((a->a[whole] & mask) == net->addr.a[whole])
			return true;
	}
	return false;
}
