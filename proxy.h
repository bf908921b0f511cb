/* SPDX-License-Identifier: ISC */
/*
 * proxy.h: the PROXY protocol header a load balancer puts in front of
 * a connection (HAProxy's proxy-protocol specification, versions 1
 * and 2), and the list of peers allowed to send one (-P).  Pure
 * functions, as in proto.c: no I/O, no allocation, no state outside
 * their arguments.  Inputs are (pointer, length) pairs that need not
 * be NUL-terminated.
 *
 * Accepted, and nothing else (spec s.2.1, s.2.2):
 *	v1 = "PROXY" SP ( "TCP4" SP ip4 SP ip4 | "TCP6" SP ip6 SP ip6 )
 *	     SP port SP port CRLF | "PROXY UNKNOWN" [ SP *octet ] CRLF
 *	     at most PROXY_V1_MAX octets, no CR or NUL before the CRLF;
 *	     ip4 dotted decimal without leading zeros, ip6 as inet_pton(3)
 *	     reads it, port 0..65535 without leading zeros;
 *	v2 = the 12-octet signature, version 2, command LOCAL or PROXY,
 *	     family AF_UNSPEC, AF_INET or AF_INET6 over STREAM (or
 *	     UNSPEC), at most PROXY_V2_MAX octets in all, TLVs that
 *	     exactly fill what follows the addresses, at most one SSL TLV
 *	     (its sub-TLVs checked the same way) and at most one CRC32C
 *	     TLV, whose checksum must match.
 */
#ifndef PROXY_H
#define PROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "params.h"

enum proxy_parse {
	PROXY_OK,		/* a whole header; *used is its length */
	PROXY_NEED,		/* a valid start; *used more octets at least */
	PROXY_BAD		/* not a header we accept */
};

/* An IPv4 address is kept as ::ffff:a.b.c.d, so one compare fits both. */
struct proxy_addr {
	uint8_t		 a[16];
};

struct proxy_hdr {
	int		 version;	/* 1 or 2 */
	/*
	 * No addresses: v1 UNKNOWN, v2 LOCAL (the proxy's own health
	 * check), or v2 PROXY for an unspecified family.  The real
	 * endpoints of the connection stand (spec s.2.1, s.2.2).
	 */
	bool		 local;
	bool		 inet6;		/* the header said TCP6 / AF_INET6 */
	bool		 ssl;		/* v2: SSL TLV with PP2_CLIENT_SSL */
	struct proxy_addr src, dst;
	uint16_t	 sport, dport;
};

/*
 * Parses the start of a connection, buf[0..len).  PROXY_OK: a header
 * of *used octets (<= len) was read into *h; the octets after it
 * belong to the session.  PROXY_NEED: every one of the len octets
 * belongs to the header, which needs at least *used (>= 1) octets
 * more; a reader may consume them all and ask again.  PROXY_BAD: the
 * connection must be closed.  Neither answer changes when octets are
 * appended to a buf that gave PROXY_OK or PROXY_BAD.
 */
enum proxy_parse proxy_parse(const uint8_t *buf, size_t len,
		    struct proxy_hdr *h, size_t *used);

/*
 * Parses an address as text: dotted-quad IPv4 or IPv6 (as for v1).
 * Returns 0, or -1 if malformed.
 */
int		proxy_addr_parse(const char *, size_t, struct proxy_addr *);

/* True if the address is IPv4 (stored as ::ffff:a.b.c.d). */
bool		proxy_addr_v4(const struct proxy_addr *);

/*
 * Writes the address as text into dst (size >= PROXY_ADDR_TEXT):
 * IPv4 dotted, else IPv6 as inet_ntop(3) writes it.  Returns dst.
 */
#define PROXY_ADDR_TEXT	46	/* INET6_ADDRSTRLEN */
char		*proxy_addr_text(const struct proxy_addr *, char *dst,
		    size_t size);

/* The -P list: allowed proxies, as addresses or CIDR ranges. */
struct proxy_net {
	struct proxy_addr addr;		/* host bits are zero */
	unsigned	 bits;		/* prefix length, of the 128 */
};

struct proxy_allow {
	size_t		 n;
	struct proxy_net net[PROXY_ALLOW_MAX];
};

/*
 * Parses "ENTRY[,ENTRY...]", each entry an IPv4 or IPv6 address or
 * ADDR/BITS with 0..32 (IPv4) or 0..128 (IPv6) bits, no leading
 * zeros, and no host bits set (10.0.0.1/8 is a typing error, not a
 * range).  No spaces, no empty entries, at most PROXY_ALLOW_MAX.
 * Returns 0, or -1 if malformed.
 */
int		proxy_allow_parse(const char *, size_t, struct proxy_allow *);

/*
 * True if addr lies in one of the ranges.  An IPv4 peer and an IPv4
 * range match whether either was written as ::ffff:a.b.c.d or not.
 */
bool		proxy_allow_match(const struct proxy_allow *,
		    const struct proxy_addr *);

/* CRC32c (RFC 4960 appendix B) of n octets, as v2's CRC32C TLV uses. */
uint32_t	proxy_crc32c(const uint8_t *, size_t);

#endif /* PROXY_H */
