/* SPDX-License-Identifier: ISC */
/*
 * tests/fuzz_encoder.c: the property target of the message body.  The
 * input becomes a message file in a scratch Maildir; the scan (the
 * size LIST and STAT announce, maildir.c reading the file in
 * POP3_CHUNK pieces) must equal the octets RETR sends once the
 * dot-stuffing and the final "." line are taken off, and encoding the
 * file cut into chunks anywhere must give the same bytes as encoding
 * it whole.  A second scan, from the size cache the first one wrote,
 * must announce the same size.
 *
 * Input layout: two bytes that steer the cuts; bit 0 of the first
 * makes the message the rest of the input repeated past POP3_CHUNK,
 * so that the scan's and the encoder's chunk ends fall inside lines
 * the fuzzer wrote.  Then the message.
 */
#define _GNU_SOURCE		/* mkdtemp */

#include "../maildir.h"
#include "../cache.h"
#include "../proto.h"
#include "../scan.h"

#include <sys/stat.h>

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define IN_MAX	8192
#define MSG_MAX	(POP3_CHUNK + 2 * IN_MAX)
#define NAME	"1577836800.M1P1.fuzz"

static char	msgbuf[MSG_MAX], outa[STUFF_MAX(MSG_MAX) + STUFF_END_MAX];
static char	outb[sizeof(outa)];
static char	dir[256];
static int	topfd = -1;

static void	setup(void);
static void	cleanup(void);
static uint64_t	scan_size(void);
static size_t	encode(const char *, size_t, uint32_t, char *);
static uint64_t	unstuffed(const char *, size_t);

static void
cleanup(void)
{
	char	p[300];

	(void)snprintf(p, sizeof(p), "%s/Maildir/new/%s", dir, NAME);
	(void)unlink(p);
	(void)snprintf(p, sizeof(p), "%s/Maildir/pop3d.sizes", dir);
	(void)unlink(p);
	(void)snprintf(p, sizeof(p), "%s/Maildir/new", dir);
	(void)rmdir(p);
	(void)snprintf(p, sizeof(p), "%s/Maildir/cur", dir);
	(void)rmdir(p);
	(void)snprintf(p, sizeof(p), "%s/Maildir", dir);
	(void)rmdir(p);
	(void)rmdir(dir);
}

static void
setup(void)
{
	char	p[300];

	(void)snprintf(dir, sizeof(dir), "%s/fuzz_encoder.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if ((topfd = open(".", O_RDONLY | O_DIRECTORY)) == -1 ||
	    mkdtemp(dir) == NULL)
		abort();
	(void)snprintf(p, sizeof(p), "%s/Maildir", dir);
	if (mkdir(p, 0700) == -1)
		abort();
	(void)snprintf(p, sizeof(p), "%s/Maildir/new", dir);
	if (mkdir(p, 0700) == -1)
		abort();
	(void)snprintf(p, sizeof(p), "%s/Maildir/cur", dir);
	if (mkdir(p, 0700) == -1)
		abort();
	(void)atexit(cleanup);
}

/* What LIST would say of the one message; saves the size cache. */
static uint64_t
scan_size(void)
{
	static struct maildir	md;
	char			p[300];
	uint64_t		size;

	(void)snprintf(p, sizeof(p), "%s/Maildir", dir);
	maildir_init(&md, 10);
	if (maildir_enter(&md, p) == -1 || maildir_scan(&md) == -1 ||
	    md.count != 1 || md.total != maildir_msg(&md, 0)->size)
		abort();
	size = maildir_msg(&md, 0)->size;
	(void)maildir_save(&md);	/* only speed is at stake */
	maildir_close(&md);
	if (fchdir(topfd) == -1)
		abort();
	return size;
}

/* RETR's encoding of in, cut where the bits of seed say. */
static size_t
encode(const char *in, size_t n, uint32_t seed, char *out)
{
	struct stuffer	st;
	size_t		o = 0, from = 0, len;

	proto_stuff_init(&st, false, 0);
	while (from < n) {
		len = seed == 0 ? n - from : 1 + seed % 97;
		seed = seed * 1103515245u + 12345u;
		seed >>= 3;
		if (len > n - from)
			len = n - from;
		o += proto_stuff(&st, in + from, len, out + o);
		from += len;
	}
	return o + proto_stuff_end(&st, out + o);
}

/* The octets of the body: stuffing and the "." line undone. */
static uint64_t
unstuffed(const char *out, size_t n)
{
	uint64_t	size = 0;
	size_t		i;
	bool		bol = true;

	if (n < 3 || memcmp(out + n - 3, ".\r\n", 3) != 0 ||
	    (n > 3 && (n < 5 || memcmp(out + n - 5, "\r\n", 2) != 0)))
		abort();
	n -= 3;
	for (i = 0; i < n; i++) {
		if (bol && out[i] == '.') {
			/* Stuffed: a second dot, never a lone one. */
			if (i + 1 >= n || out[i + 1] != '.')
				abort();
			i++;
		}
		size++;
		bol = out[i] == '\n';
	}
	return size;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		p[300];
	size_t		n, na, nb, i;
	uint64_t	listed, sent;
	uint32_t	seed;
	int		fd;

	if (size < 2 || size - 2 > IN_MAX)
		return 0;
	if (topfd == -1)
		setup();
	seed = (uint32_t)data[0] << 8 | data[1];
	n = size - 2;
	memcpy(msgbuf, data + 2, n);
	if ((data[0] & 1) && n > 0)
		for (; n < POP3_CHUNK + IN_MAX; n += i)
			memcpy(msgbuf + n, data + 2, i = size - 2);

	(void)snprintf(p, sizeof(p), "%s/Maildir/new/%s", dir, NAME);
	if ((fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1 ||
	    write(fd, msgbuf, n) != (ssize_t)n || close(fd) == -1)
		abort();
	(void)snprintf(p, sizeof(p), "%s/Maildir/pop3d.sizes", dir);
	(void)unlink(p);

	listed = scan_size();
	na = encode(msgbuf, n, 0, outa);
	nb = encode(msgbuf, n, seed, outb);
	if (na != nb || memcmp(outa, outb, na) != 0)
		abort();
	sent = unstuffed(outa, na);
	if (sent != listed)
		abort();
	/* From the cache this time: the same size. */
	if (scan_size() != listed)
		abort();
	return 0;
}
