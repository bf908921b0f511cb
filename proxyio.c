/* SPDX-License-Identifier: ISC */
/*
 * proxyio.c: reads a PROXY header off the client descriptor, exactly
 * and with a deadline, and finds the connection's real peer.  Every
 * octet read goes to proxy_parse(); this file only decides how many
 * to take.  Reports with return values and errno; never logs, exits
 * or allocates.
 */
#include "proxyio.h"
#include "io.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static ssize_t		read_exact(int, uint8_t *, size_t);

/*
 * Reads n octets that were just peeked at, so they are there.
 * Returns n, 0 at EOF, or -1.
 */
static ssize_t
read_exact(int fd, uint8_t *p, size_t n)
{
	size_t	got = 0;
	ssize_t	r;

	while (got < n) {
		r = read(fd, p + got, n - got);
		if (r == 0)
			return 0;
		if (r == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		got += (size_t)r;
	}
	return (ssize_t)n;
}

enum proxy_read
proxy_read(int fd, int secs, struct proxy_hdr *h)
{
	static uint8_t	 buf[PROXY_V2_MAX];
	long long	 deadline = io_now_ms() + (long long)secs * 1000;
	enum proxy_parse r;
	size_t		 have = 0, used, take;
	ssize_t		 n;
	bool		 peek = true;

	for (;;) {
		r = proxy_parse(buf, have, h, &used);
		if (r == PROXY_OK)
			return PROXY_READ_OK;
		if (r == PROXY_BAD)
			return PROXY_READ_BAD;
		/* NEED: used octets more, at least; they fit (proxy.h). */
		switch (io_wait(fd, POLLIN, deadline)) {
		case 0:
			return PROXY_READ_TIMEOUT;
		case -1:
			return PROXY_READ_ERROR;
		default:
			break;
		}
		take = used;
		if (peek) {
			n = recv(fd, buf + have, sizeof(buf) - have,
			    MSG_PEEK | MSG_DONTWAIT);
			if (n == -1 && errno == ENOTSOCK) {
				peek = false;	/* a pipe: read what is sure */
				continue;
			}
			if (n == -1) {
				if (errno == EINTR || errno == EAGAIN)
					continue;
				return PROXY_READ_ERROR;
			}
			if (n == 0)
				return PROXY_READ_EOF;
			/* Take the header's octets of what is there, no more. */
			r = proxy_parse(buf, have + (size_t)n, h, &used);
			if (r == PROXY_BAD)
				return PROXY_READ_BAD;
			take = r == PROXY_OK ? used - have : (size_t)n;
		}
		if (take > sizeof(buf) - have)
			return PROXY_READ_BAD;	/* cannot happen: proxy.h */
		n = read_exact(fd, buf + have, take);
		if (n == 0)
			return PROXY_READ_EOF;
		if (n == -1)
			return PROXY_READ_ERROR;
		have += take;
	}
}

const char *
proxy_read_text(enum proxy_read r)
{
	switch (r) {
	case PROXY_READ_OK:
		return "ok";
	case PROXY_READ_BAD:
		return "malformed or oversized PROXY header";
	case PROXY_READ_EOF:
		return "connection closed before a whole PROXY header";
	case PROXY_READ_TIMEOUT:
		return "no whole PROXY header in time";
	case PROXY_READ_ERROR:
		break;
	}
	return "cannot read the PROXY header";
}

int
proxy_real_peer(struct proxy_addr *a)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sl = sizeof(ss);
	const char		*env = getenv("TCPREMOTEIP");

	if (env != NULL && proxy_addr_parse(env, strlen(env), a) == 0)
		return 0;
	if (getpeername(0, (struct sockaddr *)&ss, &sl) == -1)
		return -1;
	memset(a, 0, sizeof(*a));
	if (ss.ss_family == AF_INET) {
		a->a[10] = a->a[11] = 0xff;
		memcpy(a->a + 12, &((struct sockaddr_in *)&ss)->sin_addr, 4);
		return 0;
	}
	if (ss.ss_family == AF_INET6) {
		memcpy(a->a, &((struct sockaddr_in6 *)&ss)->sin6_addr, 16);
		return 0;
	}
	errno = EAFNOSUPPORT;
	return -1;
}
