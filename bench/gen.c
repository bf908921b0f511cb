/* SPDX-License-Identifier: ISC */
/*
 * bench/gen.c: writes a deterministic benchmark Maildir.
 *
 *	gen [-bw] [-s seed] DIR COUNT MINSIZE MAXSIZE
 *
 * Creates DIR/Maildir/{new,cur,tmp} with COUNT messages in cur/, named
 * "T.MuuuuuuPpppppQn.bench.example.org[,S=raw,W=wire]:2,S" with mtime T
 * (distinct, increasing), so that every server sees them in the same
 * order.  Each message has a 12-line header, a blank line and LF-ended
 * body lines, some of them starting with "." to exercise dot-stuffing,
 * until its raw size lies in [MINSIZE, MAXSIZE].  -w adds ",S=" and
 * ",W=" to the names.  -b makes the body what large mail is: a few
 * text lines, then an attachment in base64 lines of 76 characters.
 *
 * Also writes, in DIR:
 *	expect	one line per message in order: wire-size header-wire-size
 *		(RETR and TOP n 0 payloads), then a line "total COUNT
 *		WIRE RAW HEADRAW"
 *	files	the message paths relative to DIR, one a line, in order
 * The same arguments and seed always give the same bytes.
 */
#include <sys/stat.h>

#include <err.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define HEADER_LINES	12
#define BASE_TIME	1600000000L

static uint64_t	rng;

static uint64_t
next(void)
{
	/* xorshift64*: fast, fixed, good enough for test data. */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}

static size_t
range(size_t lo, size_t hi)
{
	return lo + (size_t)(next() % (hi - lo + 1));
}

static void
usage(void)
{
	fprintf(stderr, "usage: gen [-bw] [-s seed] dir count min max\n");
	exit(2);
}

static unsigned long
num(const char *s)
{
	char		*end;
	unsigned long	 v;

	v = strtoul(s, &end, 10);
	if (*s == '\0' || *end != '\0')
		usage();
	return v;
}

int
main(int argc, char *argv[])
{
	static const char	 b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	static const char	 alpha[] =
	    "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789"
	    " .,;:-";
	static const char	*hdr[HEADER_LINES] = {
		"Return-Path: <sender%zu@example.org>",
		"Delivered-To: bench@example.org",
		"Received: from mx%zu.example.org by bench.example.org",
		"Message-ID: <%zu.bench@example.org>",
		"Date: Sun, 13 Sep 2020 12:26:40 +0000",
		"From: Sender %zu <sender@example.org>",
		"To: Bench <bench@example.org>",
		"Subject: benchmark message %zu",
		"MIME-Version: 1.0",
		"Content-Type: text/plain; charset=us-ascii",
		"Content-Transfer-Encoding: 7bit",
		"X-Bench: %zu",
	};
	char		 path[512], name[256], *buf;
	FILE		*exp, *files;
	struct timespec	 ts[2];
	size_t		 count, min, max, i, len, target, cap, nl, hraw, j;
	size_t		 hwire, wire, ll;
	uint64_t	 twire = 0, traw = 0, thead = 0, seed = 1;
	int		 c, fd, wflag = 0, bflag = 0, n;

	while ((c = getopt(argc, argv, "bs:w")) != -1) {
		switch (c) {
		case 'b':
			bflag = 1;
			break;
		case 's':
			seed = num(optarg);
			break;
		case 'w':
			wflag = 1;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 4)
		usage();
	count = num(argv[1]);
	min = num(argv[2]);
	max = num(argv[3]);
	if (min < 1024 || max < min)
		usage();
	rng = seed * 0x9e3779b97f4a7c15ULL + count + max;
	if (rng == 0)
		rng = 1;
	cap = max + 4096;
	if ((buf = malloc(cap)) == NULL)
		err(1, "malloc");

	if (mkdir(argv[0], 0755) == -1 || chdir(argv[0]) == -1)
		err(1, "%s", argv[0]);
	if (mkdir("Maildir", 0755) == -1 || mkdir("Maildir/new", 0755) == -1 ||
	    mkdir("Maildir/cur", 0755) == -1 || mkdir("Maildir/tmp", 0755) == -1)
		err(1, "mkdir Maildir");
	if ((exp = fopen("expect", "w")) == NULL)
		err(1, "expect");
	if ((files = fopen("files", "w")) == NULL)
		err(1, "files");

	for (i = 0; i < count; i++) {
		target = range(min, max);
		len = 0;
		nl = 0;
		for (j = 0; j < HEADER_LINES; j++) {
			n = snprintf(buf + len, cap - len, hdr[j], i);
			len += (size_t)n;
			buf[len++] = '\n';
			nl++;
		}
		buf[len++] = '\n';
		nl++;
		hraw = len;
		hwire = hraw + nl;
		while (len < target) {
			ll = range(0, 76);
			/* After 20 text lines, the attachment. */
			if (bflag && nl > HEADER_LINES + 20) {
				ll = target - len - 1 < 76 ? target - len - 1 : 76;
				for (j = 0; j < ll; j++)
					buf[len + j] = b64[next() % 64];
				len += ll;
				buf[len++] = '\n';
				nl++;
				continue;
			}
			if (len + ll + 1 > target)
				ll = target - len - 1;
			for (j = 0; j < ll; j++)
				buf[len + j] = alpha[next() % (sizeof(alpha) - 1)];
			/* About one line in 16 starts with a dot. */
			if (ll > 0 && next() % 16 == 0)
				buf[len] = '.';
			len += ll;
			buf[len++] = '\n';
			nl++;
		}
		wire = len + nl;
		if (wflag)
			(void)snprintf(name, sizeof(name),
			    "%ld.M%06zuP%zuQ%zu.bench.example.org,S=%zu,W=%zu"
			    ":2,S", BASE_TIME + (long)i, (size_t)(next() % 1000000),
			    1000 + i % 30000, i, len, wire);
		else
			(void)snprintf(name, sizeof(name),
			    "%ld.M%06zuP%zuQ%zu.bench.example.org:2,S",
			    BASE_TIME + (long)i, (size_t)(next() % 1000000),
			    1000 + i % 30000, i);
		(void)snprintf(path, sizeof(path), "Maildir/cur/%s", name);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd == -1)
			err(1, "%s", path);
		if (write(fd, buf, len) != (ssize_t)len)
			err(1, "write %s", path);
		ts[0].tv_sec = ts[1].tv_sec = BASE_TIME + (long)i;
		ts[0].tv_nsec = ts[1].tv_nsec = 0;
		if (futimens(fd, ts) == -1 || close(fd) == -1)
			err(1, "%s", path);
		fprintf(exp, "%zu %zu\n", wire, hwire);
		fprintf(files, "Maildir/cur/%s\n", name);
		twire += wire;
		traw += len;
		thead += hraw;
	}
	fprintf(exp, "total %zu %" PRIu64 " %" PRIu64 " %" PRIu64 "\n",
	    count, twire, traw, thead);
	if (fclose(exp) == EOF || fclose(files) == EOF)
		err(1, "fclose");
	free(buf);
	return 0;
}
