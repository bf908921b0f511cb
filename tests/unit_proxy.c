/* SPDX-License-Identifier: ISC */
/*
 * tests/unit_proxy.c: proxy.c, the PROXY header parser and the -P
 * list.  Tables with explicit lengths; every limit on both sides of
 * its edge: the 107-octet v1 line, PROXY_V2_MAX, octets 255/256,
 * ports 65535/65536, prefixes 32/33 and 128/129, PROXY_ALLOW_MAX.
 */
#include "../proxy.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static const char	*check_prog = "unit_proxy";

#define S(s)	s, sizeof(s) - 1	/* a literal and its length */
#define BAD	PROXY_BAD, 0, false, false, NULL, NULL, 0, 0

static void	test_v1(void);
static void	test_v1_limit(void);
static void	test_v1_need(void);
static void	test_v1_rest(void);
static void	test_v2(void);
static void	test_v2_limit(void);
static void	test_v2_need(void);
static void	test_v2_tlvs(void);
static void	test_v2_crc(void);
static void	test_addr(void);
static void	test_allow(void);
static void	test_allow_limit(void);
static void	test_allow_match(void);

static size_t	v2(uint8_t *, uint8_t, uint8_t, size_t, const uint8_t *,
		    size_t);
static struct proxy_addr addr(const char *);

static struct proxy_addr
addr(const char *s)
{
	struct proxy_addr	a;

	if (proxy_addr_parse(s, strlen(s), &a) == -1) {
		fprintf(stderr, "bad test address %s\n", s);
		exit(1);
	}
	return a;
}

/* v1 lines: what each gives, and the addresses of the good ones. */
static const struct {
	const char	*in;
	size_t		 len;
	enum proxy_parse want;
	size_t		 used;
	bool		 local, inet6;
	const char	*src, *dst;
	uint16_t	 sport, dport;
} v1s[] = {
	{ S("PROXY TCP4 192.0.2.1 198.51.100.2 56324 110\r\n"), PROXY_OK,
	  45, false, false, "192.0.2.1", "198.51.100.2", 56324, 110 },
	{ S("PROXY TCP4 0.0.0.0 255.255.255.255 0 65535\r\n"), PROXY_OK,
	  44, false, false, "0.0.0.0", "255.255.255.255", 0, 65535 },
	{ S("PROXY TCP6 2001:db8::1 ::1 1 2\r\n"), PROXY_OK,
	  32, false, true, "2001:db8::1", "::1", 1, 2 },
	{ S("PROXY TCP6 ::ffff:192.0.2.1 ::1 1 2\r\n"), PROXY_OK,
	  37, false, true, "192.0.2.1", "::1", 1, 2 },
	{ S("PROXY UNKNOWN\r\n"), PROXY_OK, 15, true, false, NULL, NULL,
	  0, 0 },
	{ S("PROXY UNKNOWN ffff::1 ::2 3 4\r\n"), PROXY_OK, 31, true, false,
	  NULL, NULL, 0, 0 },
	/* What follows the CRLF is the session's. */
	{ S("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\nCAPA\r\n"), PROXY_OK, 32,
	  false, false, "1.2.3.4", "5.6.7.8", 1, 2 },
	/* CRLF only (s.2.1). */
	{ S("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n"), BAD },
	{ S("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\r\n"), BAD },
	{ S("PROXY TCP4 1.2.3.4 5.6.7.8 1\r2\r\n"), BAD },
	{ S("PROXY UNKNOWN x\n"), BAD },
	{ S("PROXY UNKNOWN \0\r\n"), BAD },
	/* Wrong words, spacing, families. */
	{ S("proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n"), BAD },
	{ S("PROXY tcp4 1.2.3.4 5.6.7.8 1 2\r\n"), BAD },
	{ S("PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n"), BAD },
	{ S("PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n"), BAD },
	{ S("PROXY UNKNOWNX\r\n"), BAD },
	{ S("PROXY  TCP4 1.2.3.4 5.6.7.8 1 2\r\n"), BAD },
	{ S("PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n"), BAD },
	{ S("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n"), BAD },
	{ S("PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n"), BAD },
	{ S("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n"), BAD },
	{ S("PROXY TCP4\r\n"), BAD },
	{ S("PROXY\r\n"), BAD },
	{ S("PROXY \r\n"), BAD },
	{ S("\r\n\r\n\r"), BAD },	/* neither v1 nor the v2 signature */
	{ S("USER alice\r\n"), BAD },
	{ S("PROXX TCP4 1.2.3.4 5.6.7.8 1 2\r\n"), BAD },
	/* The family decides the address syntax. */
	{ S("PROXY TCP4 ::1 ::1 1 2\r\n"), BAD },
	{ S("PROXY TCP6 1.2.3.4 5.6.7.8 1 2\r\n"), BAD },
	{ S("PROXY TCP4 1.2.3.4 ::1 1 2\r\n"), BAD },
	/* Strict numbers: no leading zeros, octets to 255, ports 65535. */
	{ S("PROXY TCP4 1.2.3.04 5.6.7.8 1 2\r\n"), BAD },
	{ S("PROXY TCP4 1.2.3.255 5.6.7.8 1 2\r\n"), PROXY_OK, 34, false,
	  false, "1.2.3.255", "5.6.7.8", 1, 2 },
	{ S("PROXY TCP4 1.2.3.256 5.6.7.8 1 2\r\n"), BAD },
	{ S("PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n"), BAD },
	{ S("PROXY TCP4 1.2.3.4.5 5.6.7.8 1 2\r\n"), BAD },
	{ S("PROXY TCP4 1.2.3. 5.6.7.8 1 2\r\n"), BAD },
	{ S("PROXY TCP4 1..3.4 5.6.7.8 1 2\r\n"), BAD },
	{ S("PROXY TCP4 +1.2.3.4 5.6.7.8 1 2\r\n"), BAD },
	{ S("PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n"), BAD },
	{ S("PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n"), BAD },
	{ S("PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n"), BAD },
	{ S("PROXY TCP4 1.2.3.4 5.6.7.8 100000 2\r\n"), BAD },
	{ S("PROXY TCP4 1.2.3.4 5.6.7.8 1 0x2\r\n"), BAD },
	{ S("PROXY TCP6 1::2::3 ::1 1 2\r\n"), BAD },
	{ S("PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n"), BAD },
	{ S("PROXY TCP6 12345::1 ::1 1 2\r\n"), BAD },
};

static void
test_v1(void)
{
	struct proxy_hdr	h;
	struct proxy_addr	a;
	enum proxy_parse	r;
	size_t			i, used;

	for (i = 0; i < nitems(v1s); i++) {
		r = proxy_parse((const uint8_t *)v1s[i].in, v1s[i].len, &h,
		    &used);
		CHECK(r == v1s[i].want);
		if (r != v1s[i].want) {
			fprintf(stderr, "  case %zu: %s\n", i, v1s[i].in);
			continue;
		}
		if (r != PROXY_OK)
			continue;
		CHECK(used == v1s[i].used);
		CHECK(h.version == 1 && !h.ssl);
		CHECK(h.local == v1s[i].local && h.inet6 == v1s[i].inet6);
		if (v1s[i].src == NULL)
			continue;
		a = addr(v1s[i].src);
		CHECK(memcmp(&a, &h.src, sizeof(a)) == 0);
		a = addr(v1s[i].dst);
		CHECK(memcmp(&a, &h.dst, sizeof(a)) == 0);
		CHECK(h.sport == v1s[i].sport && h.dport == v1s[i].dport);
	}
}

/* 107 octets with the CRLF is the longest line; 108 is too long. */
static void
test_v1_limit(void)
{
	static const char	full[] = "PROXY UNKNOWN "
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
	char			line[256];
	struct proxy_hdr	h;
	size_t			used;

	CHECK(sizeof(full) - 1 == PROXY_V1_MAX);
	CHECK(proxy_parse((const uint8_t *)full, sizeof(full) - 1, &h,
	    &used) == PROXY_OK && used == PROXY_V1_MAX && h.local);
	/* One more octet before the CRLF: too long, even if it ends. */
	memcpy(line, full, sizeof(full) - 3);
	memcpy(line + sizeof(full) - 3, "5\r\n", 3);
	CHECK(proxy_parse((const uint8_t *)line, sizeof(full), &h,
	    &used) == PROXY_BAD);
	/* 107 octets without a LF: nothing more can make it a header. */
	memset(line, 'x', sizeof(line));
	memcpy(line, "PROXY UNKNOWN ", 14);
	CHECK(proxy_parse((const uint8_t *)line, PROXY_V1_MAX, &h,
	    &used) == PROXY_BAD);
	CHECK(proxy_parse((const uint8_t *)line, PROXY_V1_MAX - 1, &h,
	    &used) == PROXY_NEED && used == 1);
	/* The CR is the 107th octet: waits for the LF, then takes it. */
	line[PROXY_V1_MAX - 1] = '\r';
	CHECK(proxy_parse((const uint8_t *)line, PROXY_V1_MAX, &h,
	    &used) == PROXY_BAD);
	line[PROXY_V1_MAX - 2] = '\r';
	line[PROXY_V1_MAX - 1] = '\n';
	CHECK(proxy_parse((const uint8_t *)line, PROXY_V1_MAX - 1, &h,
	    &used) == PROXY_NEED && used == 1);
	CHECK(proxy_parse((const uint8_t *)line, PROXY_V1_MAX, &h,
	    &used) == PROXY_OK && used == PROXY_V1_MAX);
}

/* Every prefix of a good line asks for more, and never too much. */
static void
test_v1_need(void)
{
	static const char	in[] = "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n";
	struct proxy_hdr	h;
	size_t			i, used;

	CHECK(proxy_parse((const uint8_t *)in, 0, &h, &used) ==
	    PROXY_NEED && used == 15);
	for (i = 1; i < sizeof(in) - 1; i++) {
		CHECK(proxy_parse((const uint8_t *)in, i, &h, &used) ==
		    PROXY_NEED);
		CHECK(used >= 1 && i + used <= sizeof(in) - 1);
	}
	/* A wrong octet is seen at once, before the line ends. */
	CHECK(proxy_parse((const uint8_t *)"PROXZ", 5, &h, &used) ==
	    PROXY_BAD);
	CHECK(proxy_parse((const uint8_t *)"X", 1, &h, &used) == PROXY_BAD);
	CHECK(proxy_parse((const uint8_t *)"PROXY TCP4 1\n", 13, &h,
	    &used) == PROXY_BAD);
	CHECK(proxy_parse((const uint8_t *)"PROXY TCP4 1\rx", 14, &h,
	    &used) == PROXY_BAD);
}

/* UNKNOWN: the rest of the line is ignored, but must be a line. */
static void
test_v1_rest(void)
{
	struct proxy_hdr	h;
	size_t			used;

	CHECK(proxy_parse((const uint8_t *)S("PROXY UNKNOWN anything at "
	    "all 999.1\r\n"), &h, &used) == PROXY_OK && h.local);
	CHECK(proxy_parse((const uint8_t *)S("PROXY UNKNOWN \r\n"), &h,
	    &used) == PROXY_OK && used == 16);
}

/*
 * Builds a v2 header: signature, ver_cmd, fam, then n octets of
 * body (addresses and TLVs); returns its length.
 */
static size_t
v2(uint8_t *b, uint8_t ver_cmd, uint8_t fam, size_t len,
    const uint8_t *body, size_t n)
{
	static const uint8_t	sig[12] = { 0x0d, 0x0a, 0x0d, 0x0a, 0x00,
	    0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a };

	memcpy(b, sig, sizeof(sig));
	b[12] = ver_cmd;
	b[13] = fam;
	b[14] = (uint8_t)(len >> 8);
	b[15] = (uint8_t)len;
	if (n > 0)	/* memcpy from NULL is undefined even for 0 octets */
		memcpy(b + 16, body, n);
	return 16 + n;
}

/* 192.0.2.1:56324 -> 198.51.100.2:110 */
static const uint8_t	a4[12] = { 192, 0, 2, 1, 198, 51, 100, 2,
	0xdc, 0x04, 0, 110 };
/* 2001:db8::1:1 -> ::1:995 */
static const uint8_t	a6[36] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 1, 0, 1, 0x03, 0xe3 };

static void
test_v2(void)
{
	uint8_t			b[PROXY_V2_MAX + 64], body[64];
	struct proxy_hdr	h;
	struct proxy_addr	a;
	size_t			n, used;

	n = v2(b, 0x21, 0x11, 12, a4, sizeof(a4));
	CHECK(proxy_parse(b, n, &h, &used) == PROXY_OK && used == 28);
	CHECK(h.version == 2 && !h.local && !h.inet6 && !h.ssl);
	a = addr("192.0.2.1");
	CHECK(memcmp(&a, &h.src, sizeof(a)) == 0);
	a = addr("198.51.100.2");
	CHECK(memcmp(&a, &h.dst, sizeof(a)) == 0);
	CHECK(h.sport == 56324 && h.dport == 110);
	/* The session's octets after it are left alone. */
	memcpy(b + n, "CAPA\r\n", 6);
	CHECK(proxy_parse(b, n + 6, &h, &used) == PROXY_OK && used == 28);

	n = v2(b, 0x21, 0x21, 36, a6, sizeof(a6));
	CHECK(proxy_parse(b, n, &h, &used) == PROXY_OK && used == 52);
	CHECK(!h.local && h.inet6);
	a = addr("2001:db8::1");
	CHECK(memcmp(&a, &h.src, sizeof(a)) == 0);
	a = addr("::1");
	CHECK(memcmp(&a, &h.dst, sizeof(a)) == 0);
	CHECK(h.sport == 1 && h.dport == 995);

	/* LOCAL: the block is ignored, whatever it says (s.2.2). */
	n = v2(b, 0x20, 0x00, 0, NULL, 0);
	CHECK(proxy_parse(b, n, &h, &used) == PROXY_OK && used == 16 &&
	    h.local);
	n = v2(b, 0x20, 0x11, 12, a4, sizeof(a4));
	CHECK(proxy_parse(b, n, &h, &used) == PROXY_OK && used == 28 &&
	    h.local);
	memset(body, 0xff, sizeof(body));
	n = v2(b, 0x20, 0x00, 7, body, 7);
	CHECK(proxy_parse(b, n, &h, &used) == PROXY_OK && used == 23 &&
	    h.local);
	/* PROXY for an unspecified or unix family: the real endpoints. */
	n = v2(b, 0x21, 0x00, 0, NULL, 0);
	CHECK(proxy_parse(b, n, &h, &used) == PROXY_OK && h.local);
	n = v2(b, 0x21, 0x31, 0, NULL, 0);
	CHECK(proxy_parse(b, n, &h, &used) == PROXY_OK && h.local);

	/* Version, command, family, protocol: only assigned values. */
	n = v2(b, 0x11, 0x11, 12, a4, sizeof(a4));
	CHECK(proxy_parse(b, n, &h, &used) == PROXY_BAD);
	n = v2(b, 0x31, 0x11, 12, a4, sizeof(a4));
	CHECK(proxy_parse(b, n, &h, &used) == PROXY_BAD);
	n = v2(b, 0x22, 0x11, 12, a4, sizeof(a4));
	CHECK(proxy_parse(b, n, &h, &used) == PROXY_BAD);
	n = v2(b, 0x2f, 0x11, 12, a4, sizeof(a4));
	CHECK(proxy_parse(b, n, &h, &used) == PROXY_BAD);
	n = v2(b, 0x21, 0x41, 12, a4, sizeof(a4));
	CHECK(proxy_parse(b, n, &h, &used) == PROXY_BAD);
	n = v2(b, 0x21, 0x13, 12, a4, sizeof(a4));
	CHECK(proxy_parse(b, n, &h, &used) == PROXY_BAD);
	/* UDP over a TCP connection makes no sense. */
	n = v2(b, 0x21, 0x12, 12, a4, sizeof(a4));
	CHECK(proxy_parse(b, n, &h, &used) == PROXY_BAD);
	/* The announced length must hold the addresses. */
	n = v2(b, 0x21, 0x11, 11, a4, 11);
	CHECK(proxy_parse(b, n, &h, &used) == PROXY_BAD);
	n = v2(b, 0x21, 0x21, 35, a6, 35);
	CHECK(proxy_parse(b, n, &h, &used) == PROXY_BAD);
	/* A wrong signature octet, anywhere. */
	n = v2(b, 0x21, 0x11, 12, a4, sizeof(a4));
	b[4] = 0x01;
	CHECK(proxy_parse(b, n, &h, &used) == PROXY_BAD);
	n = v2(b, 0x21, 0x11, 12, a4, sizeof(a4));
	b[11] = 0x0d;
	CHECK(proxy_parse(b, n, &h, &used) == PROXY_BAD);
}

/* The whole header may be PROXY_V2_MAX octets; one more is refused. */
static void
test_v2_limit(void)
{
	static uint8_t		b[PROXY_V2_MAX + 64], body[PROXY_V2_MAX];
	struct proxy_hdr	h;
	size_t			n, used, tl;

	/* Addresses, then one NOOP TLV filling up to the limit. */
	tl = PROXY_V2_MAX - 16 - 12 - 3;
	memcpy(body, a4, 12);
	body[12] = 0x04;
	body[13] = (uint8_t)(tl >> 8);
	body[14] = (uint8_t)tl;
	memset(body + 15, 0, tl);
	n = v2(b, 0x21, 0x11, PROXY_V2_MAX - 16, body, PROXY_V2_MAX - 16);
	CHECK(n == PROXY_V2_MAX);
	CHECK(proxy_parse(b, n, &h, &used) == PROXY_OK &&
	    used == PROXY_V2_MAX);
	tl++;
	body[13] = (uint8_t)(tl >> 8);
	body[14] = (uint8_t)tl;
	n = v2(b, 0x21, 0x11, PROXY_V2_MAX - 15, body, PROXY_V2_MAX - 15);
	/* Refused from the fixed part alone, before waiting for more. */
	CHECK(proxy_parse(b, 16, &h, &used) == PROXY_BAD);
	CHECK(proxy_parse(b, n, &h, &used) == PROXY_BAD);
	n = v2(b, 0x20, 0x00, 0xffff, NULL, 0);
	CHECK(proxy_parse(b, n, &h, &used) == PROXY_BAD);
}

static void
test_v2_need(void)
{
	uint8_t			b[128];
	struct proxy_hdr	h;
	size_t			n, i, used;

	n = v2(b, 0x21, 0x21, 36, a6, sizeof(a6));
	for (i = 1; i < 16; i++)
		CHECK(proxy_parse(b, i, &h, &used) == PROXY_NEED &&
		    used == 16 - i);
	for (i = 16; i < n; i++)
		CHECK(proxy_parse(b, i, &h, &used) == PROXY_NEED &&
		    used == n - i);
	/* A bad version is refused before the rest arrives. */
	b[12] = 0x11;
	CHECK(proxy_parse(b, 13, &h, &used) == PROXY_BAD);
}

static void
test_v2_tlvs(void)
{
	uint8_t			b[256], body[128];
	struct proxy_hdr	h;
	size_t			n, used;
	/* SSL: client=PP2_CLIENT_SSL, verify=0, sub-TLV VERSION "TLSv1.3" */
	static const uint8_t	ssl[] = { 0x20, 0, 15, 0x01, 0, 0, 0, 0,
	    0x21, 0, 7, 'T', 'L', 'S', 'v', '1', '.', '3' };
	static const uint8_t	alpn[] = { 0x01, 0, 4, 'p', 'o', 'p', '3' };

	memcpy(body, a4, 12);
	memcpy(body + 12, alpn, sizeof(alpn));
	memcpy(body + 12 + sizeof(alpn), ssl, sizeof(ssl));
	n = 12 + sizeof(alpn) + sizeof(ssl);
	n = v2(b, 0x21, 0x11, n, body, n);
	CHECK(proxy_parse(b, n, &h, &used) == PROXY_OK && used == n &&
	    h.ssl);

	/* The SSL TLV without the client-SSL bit does not count. */
	body[12 + sizeof(alpn) + 3] = 0x06;
	n = 12 + sizeof(alpn) + sizeof(ssl);
	n = v2(b, 0x21, 0x11, n, body, n);
	CHECK(proxy_parse(b, n, &h, &used) == PROXY_OK && !h.ssl);
	body[12 + sizeof(alpn) + 3] = 0x01;

	/* Two SSL TLVs: refused. */
	memcpy(body + 12, ssl, sizeof(ssl));
	memcpy(body + 12 + sizeof(ssl), ssl, sizeof(ssl));
	n = 12 + 2 * sizeof(ssl);
	n = v2(b, 0x21, 0x11, n, body, n);
	CHECK(proxy_parse(b, n, &h, &used) == PROXY_BAD);

	/* An SSL TLV shorter than its fixed 5 octets. */
	memcpy(body + 12, "\x20\x00\x04\x01\x00\x00\x00", 7);
	n = v2(b, 0x21, 0x11, 19, body, 19);
	CHECK(proxy_parse(b, n, &h, &used) == PROXY_BAD);
	/* ... exactly 5 is fine (no sub-TLVs). */
	memcpy(body + 12, "\x20\x00\x05\x01\x00\x00\x00\x00", 8);
	n = v2(b, 0x21, 0x11, 20, body, 20);
	CHECK(proxy_parse(b, n, &h, &used) == PROXY_OK && h.ssl);
	/* A sub-TLV running past the SSL TLV. */
	memcpy(body + 12, "\x20\x00\x08\x01\x00\x00\x00\x00\x21\x00\x01",
	    11);
	n = v2(b, 0x21, 0x11, 23, body, 23);
	CHECK(proxy_parse(b, n, &h, &used) == PROXY_BAD);

	/* A TLV longer than what is left, and a stub of 1 or 2 octets. */
	memcpy(body + 12, alpn, sizeof(alpn));
	body[14] = 5;
	n = v2(b, 0x21, 0x11, 12 + sizeof(alpn), body, 12 + sizeof(alpn));
	CHECK(proxy_parse(b, n, &h, &used) == PROXY_BAD);
	body[14] = 4;
	body[12 + sizeof(alpn)] = 0x04;
	body[12 + sizeof(alpn) + 1] = 0;
	n = v2(b, 0x21, 0x11, 12 + sizeof(alpn) + 2, body,
	    12 + sizeof(alpn) + 2);
	CHECK(proxy_parse(b, n, &h, &used) == PROXY_BAD);
	n = v2(b, 0x21, 0x11, 12 + sizeof(alpn) + 1, body,
	    12 + sizeof(alpn) + 1);
	CHECK(proxy_parse(b, n, &h, &used) == PROXY_BAD);
	/* An empty NOOP TLV (3 octets) is whole. */
	n = v2(b, 0x21, 0x11, 12 + sizeof(alpn) + 3, body,
	    12 + sizeof(alpn) + 3);
	CHECK(proxy_parse(b, n, &h, &used) == PROXY_OK && !h.ssl);
}

static void
test_v2_crc(void)
{
	uint8_t			b[128], body[64];
	struct proxy_hdr	h;
	uint32_t		c;
	size_t			n, used;

	/* The check value of CRC32c (RFC 3720 B.4 and common tables). */
	CHECK(proxy_crc32c((const uint8_t *)"123456789", 9) == 0xe3069283u);

	memcpy(body, a4, 12);
	memcpy(body + 12, "\x03\x00\x04\x00\x00\x00\x00", 7);
	n = v2(b, 0x21, 0x11, 19, body, 19);
	c = proxy_crc32c(b, n);
	b[n - 4] = (uint8_t)(c >> 24);
	b[n - 3] = (uint8_t)(c >> 16);
	b[n - 2] = (uint8_t)(c >> 8);
	b[n - 1] = (uint8_t)c;
	CHECK(proxy_parse(b, n, &h, &used) == PROXY_OK && used == n);
	b[n - 1] ^= 1;
	CHECK(proxy_parse(b, n, &h, &used) == PROXY_BAD);
	b[n - 1] ^= 1;
	b[16] ^= 1;		/* a changed address fails the checksum */
	CHECK(proxy_parse(b, n, &h, &used) == PROXY_BAD);
	/* A CRC32C TLV must be 4 octets. */
	memcpy(body + 12, "\x03\x00\x03\x00\x00\x00", 6);
	n = v2(b, 0x21, 0x11, 18, body, 18);
	CHECK(proxy_parse(b, n, &h, &used) == PROXY_BAD);
}

static const struct {
	const char	*in;
	int		 want;
	const char	*text;		/* how it is written back */
} addrs[] = {
	{ "192.0.2.1",			 0, "192.0.2.1" },
	{ "0.0.0.0",			 0, "0.0.0.0" },
	{ "255.255.255.255",		 0, "255.255.255.255" },
	{ "256.0.0.0",			-1, NULL },
	{ "1.2.3.04",			-1, NULL },
	{ "1.2.3",			-1, NULL },
	{ "",				-1, NULL },
	{ "::1",			 0, "::1" },
	{ "::ffff:10.1.2.3",		 0, "10.1.2.3" },
	{ "2001:DB8::A",		 0, "2001:db8::a" },
	{ "2001:db8::1/64",		-1, NULL },
	{ ":::",			-1, NULL },
};

static void
test_addr(void)
{
	struct proxy_addr	a;
	char			t[PROXY_ADDR_TEXT];
	size_t			i;

	for (i = 0; i < nitems(addrs); i++) {
		CHECK(proxy_addr_parse(addrs[i].in, strlen(addrs[i].in),
		    &a) == addrs[i].want);
		if (addrs[i].want == 0)
			CHECK(strcmp(proxy_addr_text(&a, t, sizeof(t)),
			    addrs[i].text) == 0);
	}
	/* A NUL inside is not the end of the text. */
	CHECK(proxy_addr_parse("::1\0", 4, &a) == -1);
	CHECK(proxy_addr_parse("1.2.3.4\0", 8, &a) == -1);
}

static const struct {
	const char	*list;
	int		 want;
	size_t		 n;
} allows[] = {
	{ "127.0.0.1",				 0, 1 },
	{ "10.0.0.0/8,192.168.1.0/24,::1",	 0, 3 },
	{ "2001:db8::/32",			 0, 1 },
	{ "0.0.0.0/0",				 0, 1 },
	{ "::/0",				 0, 1 },
	{ "10.0.0.0/32",			 0, 1 },
	{ "10.0.0.0/33",			-1, 0 },
	{ "::/128",				 0, 1 },
	{ "::/129",				-1, 0 },
	{ "10.0.0.1/8",				-1, 0 },	/* host bits */
	{ "10.0.0.0/08",			-1, 0 },
	{ "10.0.0.0/",				-1, 0 },
	{ "/8",					-1, 0 },
	{ "",					-1, 0 },
	{ ",",					-1, 0 },
	{ "127.0.0.1,",				-1, 0 },
	{ ",127.0.0.1",				-1, 0 },
	{ "127.0.0.1,,::1",			-1, 0 },
	{ "127.0.0.1, ::1",			-1, 0 },
	{ "localhost",				-1, 0 },
	{ "::ffff:10.0.0.0/104",		 0, 1 },
};

static void
test_allow(void)
{
	struct proxy_allow	al;
	size_t			i;
	int			r;

	for (i = 0; i < nitems(allows); i++) {
		r = proxy_allow_parse(allows[i].list, strlen(allows[i].list),
		    &al);
		CHECK(r == allows[i].want);
		if (r != allows[i].want)
			fprintf(stderr, "  list %s\n", allows[i].list);
		if (r == 0)
			CHECK(al.n == allows[i].n);
	}
}

/* PROXY_ALLOW_MAX entries are fine, one more is refused. */
static void
test_allow_limit(void)
{
	static char		list[PROXY_ALLOW_MAX * 16 + 16];
	struct proxy_allow	al;
	struct proxy_addr	a;
	size_t			i, o = 0;

	for (i = 0; i < PROXY_ALLOW_MAX; i++)
		o += (size_t)snprintf(list + o, sizeof(list) - o, "%s10.0.0.%zu",
		    i > 0 ? "," : "", i);
	CHECK(proxy_allow_parse(list, o, &al) == 0 &&
	    al.n == PROXY_ALLOW_MAX);
	a = addr("10.0.0.31");
	CHECK(proxy_allow_match(&al, &a));
	a = addr("10.0.0.32");
	CHECK(!proxy_allow_match(&al, &a));
	o += (size_t)snprintf(list + o, sizeof(list) - o, ",10.0.0.99");
	CHECK(proxy_allow_parse(list, o, &al) == -1);
}

static const struct {
	const char	*list;
	const char	*peer;
	bool		 want;
} matches[] = {
	{ "127.0.0.1",			"127.0.0.1",		true },
	{ "127.0.0.1",			"127.0.0.2",		false },
	{ "127.0.0.1",			"::ffff:127.0.0.1",	true },
	{ "::ffff:127.0.0.1",		"127.0.0.1",		true },
	{ "10.0.0.0/8",			"10.255.255.255",	true },
	{ "10.0.0.0/8",			"11.0.0.0",		false },
	{ "10.0.0.0/8",			"::ffff:10.9.9.9",	true },
	{ "::ffff:10.0.0.0/104",	"10.9.9.9",		true },
	{ "::ffff:10.0.0.0/104",	"11.9.9.9",		false },
	{ "192.168.1.128/25",		"192.168.1.128",	true },
	{ "192.168.1.128/25",		"192.168.1.127",	false },
	{ "192.168.1.128/25",		"192.168.1.255",	true },
	{ "2001:db8::/33",		"2001:db8:7fff::1",	true },
	{ "2001:db8::/33",		"2001:db8:8000::1",	false },
	{ "0.0.0.0/0",			"203.0.113.9",		true },
	{ "0.0.0.0/0",			"2001:db8::1",		false },
	{ "::/0",			"203.0.113.9",		true },
	{ "::1",			"127.0.0.1",		false },
	{ "127.0.0.0/8",		"::1",			false },
	{ "10.0.0.1,::1",		"::1",			true },
};

static void
test_allow_match(void)
{
	struct proxy_allow	al;
	struct proxy_addr	a;
	size_t			i;

	for (i = 0; i < nitems(matches); i++) {
		CHECK(proxy_allow_parse(matches[i].list,
		    strlen(matches[i].list), &al) == 0);
		a = addr(matches[i].peer);
		CHECK(proxy_allow_match(&al, &a) == matches[i].want);
		if (proxy_allow_match(&al, &a) != matches[i].want)
			fprintf(stderr, "  %s in %s\n", matches[i].peer,
			    matches[i].list);
	}
}

int
main(void)
{
	RUN(test_v1);
	RUN(test_v1_limit);
	RUN(test_v1_need);
	RUN(test_v1_rest);
	RUN(test_v2);
	RUN(test_v2_limit);
	RUN(test_v2_need);
	RUN(test_v2_tlvs);
	RUN(test_v2_crc);
	RUN(test_addr);
	RUN(test_allow);
	RUN(test_allow_limit);
	RUN(test_allow_match);
	return check_exit();
}
