/* SPDX-License-Identifier: ISC */
/*
 * tests/fuzz_proxy.c: the libFuzzer target for proxy.c, which reads
 * what a proxy sends before the client's first byte.  Properties,
 * each a call to abort() when broken: the answer for every prefix of
 * the input is NEED until it turns OK or BAD and then stays so, with
 * the same header and length; NEED's count never overshoots the
 * header; an accepted header, written out again as v1 and as v2,
 * parses to the same addresses; addresses agree with inet_pton(3);
 * every net of an accepted -P list matches its own address and is
 * written back to the same list.  Built by "make fuzz" (clang);
 * tests/replay.c runs the corpus with any compiler.
 */
#include "../proxy.h"

#include <sys/socket.h>

#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define IN_MAX	(PROXY_V2_MAX + 64)

static void	check_prefixes(const uint8_t *, size_t);
static void	check_reencode(const struct proxy_hdr *);
static void	check_addr(const char *, size_t);
static void	check_allow(const char *, size_t);
static size_t	put_v2(const struct proxy_hdr *, uint8_t *);
static bool	same(const struct proxy_hdr *, const struct proxy_hdr *,
		    bool);

static bool
same(const struct proxy_hdr *a, const struct proxy_hdr *b, bool ssl)
{
	return a->local == b->local && a->inet6 == b->inet6 &&
	    memcmp(&a->src, &b->src, sizeof(a->src)) == 0 &&
	    memcmp(&a->dst, &b->dst, sizeof(a->dst)) == 0 &&
	    a->sport == b->sport && a->dport == b->dport &&
	    (!ssl || a->ssl == b->ssl);
}

/* Parses every prefix: NEED ... NEED, then OK or BAD for good. */
static void
check_prefixes(const uint8_t *in, size_t n)
{
	struct proxy_hdr	h, first;
	enum proxy_parse	r, seen = PROXY_NEED;
	size_t			p, used, fused = 0, reach = 0;

	for (p = 0; p <= n; p++) {
		r = proxy_parse(in, p, &h, &used);
		switch (seen) {
		case PROXY_NEED:
			if (r == PROXY_NEED) {
				/* All p octets are header; used more, at least. */
				if (used == 0)
					abort();
				if (p + used > reach)
					reach = p + used;
				break;
			}
			if (r == PROXY_OK) {
				if (used > p || used < 15 || used < reach ||
				    (h.version == 1 && used > PROXY_V1_MAX) ||
				    (h.version == 2 && used > PROXY_V2_MAX) ||
				    (h.version != 1 && h.version != 2) ||
				    (h.version == 1 && h.ssl))
					abort();
				/* OK comes as soon as the header is complete. */
				if (used != p)
					abort();
				first = h;
				fused = used;
				check_reencode(&h);
			}
			seen = r;
			break;
		case PROXY_OK:
			if (r != PROXY_OK || used != fused ||
			    h.version != first.version || !same(&h, &first,
			    true))
				abort();
			break;
		case PROXY_BAD:
			if (r != PROXY_BAD)
				abort();
			break;
		}
	}
}

/* The v2 form of h, with an SSL TLV if h->ssl; returns its length. */
static size_t
put_v2(const struct proxy_hdr *h, uint8_t *b)
{
	static const uint8_t	sig[12] = { 0x0d, 0x0a, 0x0d, 0x0a, 0x00,
	    0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a };
	size_t			n = 16;

	memcpy(b, sig, sizeof(sig));
	b[12] = 0x21;
	if (h->inet6 || !proxy_addr_v4(&h->src) || !proxy_addr_v4(&h->dst)) {
		b[13] = 0x21;
		memcpy(b + n, h->src.a, 16);
		memcpy(b + n + 16, h->dst.a, 16);
		n += 32;
	} else {
		b[13] = 0x11;
		memcpy(b + n, h->src.a + 12, 4);
		memcpy(b + n + 4, h->dst.a + 12, 4);
		n += 8;
	}
	b[n++] = (uint8_t)(h->sport >> 8);
	b[n++] = (uint8_t)h->sport;
	b[n++] = (uint8_t)(h->dport >> 8);
	b[n++] = (uint8_t)h->dport;
	if (h->ssl) {
		static const uint8_t	tlv[] = { 0x20, 0, 12, 0x01, 0, 0, 0,
		    0, 0x21, 0, 4, 'T', 'L', 'S', '3' };

		memcpy(b + n, tlv, sizeof(tlv));
		n += sizeof(tlv);
	}
	b[14] = (uint8_t)((n - 16) >> 8);
	b[15] = (uint8_t)(n - 16);
	return n;
}

/* Written out again, v1 and v2 say the same. */
static void
check_reencode(const struct proxy_hdr *h)
{
	struct proxy_hdr	g;
	char			line[256], s[PROXY_ADDR_TEXT], d[PROXY_ADDR_TEXT];
	uint8_t			b[128];
	size_t			n, used;
	int			k;

	if (h->local)
		return;
	if (h->inet6) {
		if (inet_ntop(AF_INET6, h->src.a, s, sizeof(s)) == NULL ||
		    inet_ntop(AF_INET6, h->dst.a, d, sizeof(d)) == NULL)
			abort();
	} else {
		(void)proxy_addr_text(&h->src, s, sizeof(s));
		(void)proxy_addr_text(&h->dst, d, sizeof(d));
	}
	k = snprintf(line, sizeof(line), "PROXY TCP%c %s %s %u %u\r\n",
	    h->inet6 ? '6' : '4', s, d, h->sport, h->dport);
	if (k < 0 || (size_t)k >= sizeof(line))
		abort();
	if ((size_t)k <= PROXY_V1_MAX) {
		if (proxy_parse((const uint8_t *)line, (size_t)k, &g,
		    &used) != PROXY_OK || used != (size_t)k ||
		    g.version != 1 || !same(h, &g, false))
			abort();
	}
	n = put_v2(h, b);
	if (proxy_parse(b, n, &g, &used) != PROXY_OK || used != n ||
	    g.version != 2 || !same(h, &g, true))
		abort();
}

/* proxy_addr_parse against inet_pton(3), both families. */
static void
check_addr(const char *in, size_t n)
{
	struct proxy_addr	a;
	unsigned char		ref[16];
	char			text[64];
	int			r, want;

	if (n >= sizeof(text) || memchr(in, '\0', n) != NULL)
		return;
	memcpy(text, in, n);
	text[n] = '\0';
	r = proxy_addr_parse(in, n, &a);
	if (strchr(text, ':') == NULL) {
		want = inet_pton(AF_INET, text, ref) == 1 ? 0 : -1;
		if (r != want || (r == 0 && (!proxy_addr_v4(&a) ||
		    memcmp(a.a + 12, ref, 4) != 0)))
			abort();
	} else {
		want = inet_pton(AF_INET6, text, ref) == 1 ? 0 : -1;
		if (r != want || (r == 0 && memcmp(a.a, ref, 16) != 0))
			abort();
	}
}

/* An accepted list matches its own nets and prints back the same. */
static void
check_allow(const char *in, size_t n)
{
	static struct proxy_allow	al, again;
	static char			list[PROXY_ALLOW_MAX * 56];
	struct proxy_addr		probe;
	char				t[PROXY_ADDR_TEXT];
	size_t				i, k, o = 0;
	bool				in_net, want;
	int				w;

	if (proxy_allow_parse(in, n, &al) == -1)
		return;
	if (al.n == 0 || al.n > PROXY_ALLOW_MAX)
		abort();
	for (i = 0; i < al.n; i++) {
		if (al.net[i].bits > 128 || !proxy_allow_match(&al,
		    &al.net[i].addr))
			abort();
		w = snprintf(list + o, sizeof(list) - o, "%s%s/%u",
		    i > 0 ? "," : "", proxy_addr_text(&al.net[i].addr, t,
		    sizeof(t)), proxy_addr_v4(&al.net[i].addr) &&
		    al.net[i].bits >= 96 ? al.net[i].bits - 96 :
		    al.net[i].bits);
		if (w < 0 || (size_t)w >= sizeof(list) - o)
			abort();
		o += (size_t)w;
	}
	/* A v4-mapped net shorter than 96 bits has no IPv4 spelling. */
	for (i = 0; i < al.n; i++)
		if (proxy_addr_v4(&al.net[i].addr) && al.net[i].bits < 96)
			return;
	if (proxy_allow_parse(list, o, &again) == -1 || again.n != al.n ||
	    memcmp(again.net, al.net, al.n * sizeof(al.net[0])) != 0)
		abort();

	/* Matching against a bit-by-bit model, on an address from in. */
	memset(&probe, 0, sizeof(probe));
	memcpy(probe.a, in, n < 16 ? n : 16);
	want = false;
	for (i = 0; i < al.n; i++) {
		in_net = true;
		for (k = 0; k < al.net[i].bits; k++)
			if (((probe.a[k / 8] ^ al.net[i].addr.a[k / 8]) &
			    (0x80 >> (k % 8))) != 0)
				in_net = false;
		want = want || in_net;
	}
	if (proxy_allow_match(&al, &probe) != want)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > IN_MAX)
		return 0;
	check_prefixes(data, size);
	check_addr((const char *)data, size);
	check_allow((const char *)data, size);
	return 0;
}
