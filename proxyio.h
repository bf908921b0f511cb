/* SPDX-License-Identifier: ISC */
/*
 * proxyio.h: the I/O around proxy.c.  Reads a PROXY header from the
 * client descriptor, exactly, with a deadline; finds the real peer of
 * the connection for the -P check.  Never exits, logs or allocates.
 */
#ifndef PROXYIO_H
#define PROXYIO_H

#include "params.h"
#include "proxy.h"

enum proxy_read {
	PROXY_READ_OK,		/* *h holds the header */
	PROXY_READ_BAD,		/* malformed or too long */
	PROXY_READ_EOF,		/* the peer closed before the header ended */
	PROXY_READ_TIMEOUT,	/* no whole header within the deadline */
	PROXY_READ_ERROR	/* a read failed; errno is set */
};

/*
 * Reads one PROXY header from fd within secs seconds.  Consumes the
 * header's octets and no more, so the session finds its own bytes
 * next on fd: on a socket it peeks and then reads what belongs to the
 * header; on anything else it reads only what the parser says is
 * surely header.  Whatever the outcome, no octet after the header is
 * consumed.
 */
enum proxy_read	proxy_read(int fd, int secs, struct proxy_hdr *h);

/* Words a result for the log. */
const char	*proxy_read_text(enum proxy_read);

/*
 * The real peer of the connection on fd 0: the superserver's
 * TCPREMOTEIP if it parses, else getpeername(0).  Returns 0, or -1 if
 * neither gives an IPv4 or IPv6 address.
 */
int		proxy_real_peer(struct proxy_addr *);

#endif /* PROXYIO_H */
