/* SPDX-License-Identifier: ISC */
/*
 * tests/fuzz_sizes.c: the libFuzzer target for the size cache reader
 * (sizes.c), which reads a file the mailbox owner can write.  The
 * input becomes pop3d.sizes in a scratch directory; sizes_open,
 * sizes_read and sizes_read_names must accept it exactly when it is
 * what sizes.h describes (checked by a reference restated from
 * sizes.h), never read or write past the name buffer, and an accepted
 * file written back through sizes_write must come out byte for byte
 * the same (the format has one spelling per content).
 *
 * Input layout: one byte of switches, then the file.  The switches
 * let the fuzzer past the checks it cannot guess: bit 0 writes the
 * magic, bit 1 the Maildir's st_dev, bit 2 a nbytes that makes the
 * length right, bit 3 the right checksum; bits 4-7 pick the maximum
 * count (0..15, 15 meaning POP3_MSGS_MAX).
 */
#define _GNU_SOURCE		/* mkdtemp */

#include "../sizes.h"

#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define IN_MAX	(SIZES_HEADER + 16 * SIZES_REC + 16 * (POP3_NAME_MAX + 1))

static uint8_t	file[IN_MAX + SIZES_HEADER], back[IN_MAX + SIZES_HEADER];
static int	dirfd = -1;

static uint32_t	get32(const uint8_t *);
static uint64_t	get64(const uint8_t *);
static void	put32(uint8_t *, uint32_t);
static void	put64(uint8_t *, uint64_t);
static uint64_t	ref_sum(const uint8_t *, size_t);
static bool	ref_ok(const uint8_t *, size_t, uint64_t, size_t);
static void	put_file(const char *, const uint8_t *, size_t);
static size_t	get_file(const char *, uint8_t *, size_t);
static void	cleanup(void);

static char	tmpl[256];

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static uint64_t
get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void
put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/* sizes.h: over all that follows the header, in 8-byte words. */
static uint64_t
ref_sum(const uint8_t *p, size_t n)
{
	uint64_t	h = 0, w;
	size_t		i, k;

	for (i = 0; i < n; i += 8) {
		w = 0;
		k = n - i < 8 ? n - i : 8;
		memcpy(&w, p + i, k);	/* host order, as the writer */
		h ^= w;
		h *= 0x9e3779b97f4a7c15ULL;
		h ^= h >> 31;
	}
	return h;
}

/* The file format of sizes.h, restated. */
static bool
ref_ok(const uint8_t *f, size_t n, uint64_t dev, size_t max)
{
	uint64_t	count, nbytes;
	const uint8_t	*rec, *names, *p, *nul, *end;
	size_t		i;

	if (n < SIZES_HEADER || memcmp(f, "pop3dsz2", 8) != 0 ||
	    get64(f + 16) != dev)
		return false;
	count = get32(f + 8);
	nbytes = get32(f + 12);
	if (count > max || n != SIZES_HEADER + count * SIZES_REC + nbytes ||
	    get64(f + 24) != ref_sum(f + SIZES_HEADER, n - SIZES_HEADER))
		return false;
	for (i = 0, rec = f + SIZES_HEADER; i < count; i++, rec += SIZES_REC)
		if (get64(rec) > SIZES_SIZE_MAX || get32(rec + 24) >= count ||
		    get32(rec + 28) > 1)
			return false;
	names = rec;
	end = f + n;
	for (p = names, i = 0; i < count; i++) {
		if ((nul = memchr(p, '\0', (size_t)(end - p))) == NULL ||
		    nul == p || nul - p > POP3_NAME_MAX || p[0] == '.' ||
		    memchr(p, '/', (size_t)(nul - p)) != NULL)
			return false;
		p = nul + 1;
	}
	return p == end;
}

static void
put_file(const char *name, const uint8_t *p, size_t n)
{
	int	fd;

	(void)unlinkat(dirfd, name, 0);
	if ((fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL, 0600)) ==
	    -1 || write(fd, p, n) != (ssize_t)n || close(fd) == -1) {
		perror(name);
		abort();
	}
}

static size_t
get_file(const char *name, uint8_t *p, size_t size)
{
	ssize_t	r;
	int	fd;

	if ((fd = openat(dirfd, name, O_RDONLY)) == -1 ||
	    (r = read(fd, p, size)) < 0 || close(fd) == -1) {
		perror(name);
		abort();
	}
	return (size_t)r;
}

/* The scratch directory goes when the process does. */
static void
cleanup(void)
{
	char	tmp[SIZES_TMP_MAX];

	(void)unlinkat(dirfd, SIZES_FILE, 0);
	(void)snprintf(tmp, sizeof(tmp), "%s.%ld", SIZES_TMP, (long)getpid());
	(void)unlinkat(dirfd, tmp, 0);
	(void)rmdir(tmpl);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sizes	 z;
	struct sizes_rec	 r[16];
	struct stat		 st;
	char			*names;
	uint8_t			 sw;
	size_t			 n, max, i, off, len;
	uint64_t		 count;
	bool			 want, got;

	if (size < 1 || size - 1 > IN_MAX)
		return 0;
	if (dirfd == -1) {
		(void)snprintf(tmpl, sizeof(tmpl), "%s/fuzz_sizes.XXXXXX",
		    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
		if (mkdtemp(tmpl) == NULL ||
		    (dirfd = open(tmpl, O_RDONLY | O_DIRECTORY)) == -1) {
			perror(tmpl);
			abort();
		}
		(void)atexit(cleanup);
	}
	if (fstat(dirfd, &st) == -1)
		abort();
	sw = data[0];
	max = (sw >> 4) == 15 ? POP3_MSGS_MAX : (size_t)(sw >> 4);
	n = size - 1;
	memcpy(file, data + 1, n);
	if (n < SIZES_HEADER) {
		memset(file + n, 0, SIZES_HEADER - n);
		if (sw & 0x0f)
			n = SIZES_HEADER;
	}
	if (sw & 1)
		memcpy(file, "pop3dsz2", 8);
	if (sw & 2)
		put64(file + 16, (uint64_t)st.st_dev);
	count = get32(file + 8);
	if ((sw & 4) && n >= SIZES_HEADER + count * SIZES_REC)
		put32(file + 12, (uint32_t)(n - SIZES_HEADER -
		    count * SIZES_REC));
	if ((sw & 8) && n >= SIZES_HEADER)
		put64(file + 24, ref_sum(file + SIZES_HEADER,
		    n - SIZES_HEADER));
	put_file(SIZES_FILE, file, n);
	want = ref_ok(file, n, (uint64_t)st.st_dev, max);

	got = false;
	names = NULL;
	if (sizes_open(&z, dirfd, max) == 0) {
		if (z.count > max || z.count > nitems(r))
			abort();
		for (i = 0; i < z.count; i++)
			if (sizes_read(&z, &r[i]) == -1)
				break;
		/* Exactly nbytes, so ASan sees a name read past the end. */
		if (i == z.count && (names = malloc(z.nbytes > 0 ?
		    z.nbytes : 1)) != NULL &&
		    sizes_read_names(&z, z.nbytes > 0 ? names : NULL) == 0)
			got = true;
		sizes_close(&z, -1);
	}
	if (got != want)
		abort();
	if (!got) {
		free(names);
		return 0;
	}
	for (i = 0; i < z.count; i++)
		if (r[i].size > SIZES_SIZE_MAX || r[i].rank >= z.count)
			abort();

	/* Written back, the same bytes. */
	if (sizes_create(&z, dirfd) == -1)
		abort();
	for (i = 0; i < z.count; i++)
		if (sizes_write(&z, &r[i]) == -1)
			abort();
	for (i = off = 0; i < count; i++, off += len + 1) {
		len = strlen(names + off);
		if (sizes_write_name(&z, names + off, len) == -1)
			abort();
	}
	if (sizes_commit(&z, dirfd) == -1)
		abort();
	free(names);
	if (get_file(SIZES_FILE, back, sizeof(back)) != n ||
	    memcmp(back, file, n) != 0)
		abort();
	return 0;
}
