/* SPDX-License-Identifier: ISC */
/*
 * migrate.c: the old server's unique-ids for pop3d -U (see migrate.h).
 *
 * Collisions: the old list is checked to give distinct unique-ids
 * (uidmap.c), but a message it does not list keeps pop3d's own
 * unique-id, which could equal one the list gives (only a crafted
 * file or name does that).  Then the whole list is dropped and every
 * message gets pop3d's own unique-id, as if there were no list: one
 * rule, the same every session, and never a unique-id twice.
 */
#include "migrate.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int	read_list(int, const char *, char **, size_t *);
static int	cmp_uid(const void *, const void *);
static int	reject(struct migrate *, size_t, const char *);
static int	unique(const struct maildir *, const char **);
static int	reorder(struct migrate *, struct maildir *);

struct uid {
	const char	*s;
	bool		 listed;	/* given by the old list */
};

/* Reads name in dirfd whole, if it is a regular file of sane size. */
static int
read_list(int dirfd, const char *name, char **out, size_t *len)
{
	struct stat	 st;
	char		*buf;
	size_t		 n = 0;
	ssize_t		 r;
	int		 fd, e;

	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	if (fd == -1)
		return -1;
	if (fstat(fd, &st) == -1)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		goto fail;
	}
	if (st.st_size > UIDMAP_FILE_MAX) {
		errno = EFBIG;
		goto fail;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL)
		goto fail;
	/* One byte more than fstat said, to notice a file that grew. */
	while (n <= (size_t)st.st_size) {
		r = read(fd, buf + n, (size_t)st.st_size + 1 - n);
		if (r == 0)
			break;
		if (r == -1) {
			if (errno == EINTR)
				continue;
			e = errno;
			free(buf);
			errno = e;
			goto fail;
		}
		n += (size_t)r;
	}
	(void)close(fd);	/* read-only; nothing to lose */
	if (n > (size_t)st.st_size) {
		free(buf);
		errno = EAGAIN;	/* written to as we read it */
		return -1;
	}
	*out = buf;
	*len = n;
	return 0;
fail:
	e = errno;
	(void)close(fd);
	errno = e;
	return -1;
}

static int
cmp_uid(const void *a, const void *b)
{
	return strcmp(((const struct uid *)a)->s, ((const struct uid *)b)->s);
}

static int
reject(struct migrate *mg, size_t line, const char *why)
{
	free(mg->given);
	mg->given = NULL;
	mg->mapped = 0;
	mg->line = line;
	mg->why = why;
	return -1;
}

/*
 * Whether no unique-id of a listed message equals another message's.
 * Messages pop3d names alike among themselves (a Maildir with one
 * base name in new/ and cur/) are not the list's doing and do not
 * count.  Returns 1, 0, or -1 if out of memory.
 */
static int
unique(const struct maildir *md, const char **given)
{
	struct uid	*all;
	char		(*own)[POP3_UIDL_MAX + 1];
	size_t		 i, j, n = md->count;
	bool		 listed;
	int		 ok = 1;

	if ((own = calloc(n + 1, sizeof(*own))) == NULL)
		return -1;
	if ((all = calloc(n + 1, sizeof(*all))) == NULL) {
		free(own);
		return -1;
	}
	for (i = 0; i < n; i++) {
		all[i].listed = given[md->ord[i]] != NULL;
		if (all[i].listed)
			all[i].s = given[md->ord[i]];
		else {
			(void)maildir_uidl(md, i, own[i]);
			all[i].s = own[i];
		}
	}
	qsort(all, n, sizeof(*all), cmp_uid);
	for (i = 0; i < n && ok; i = j) {
		listed = all[i].listed;
		for (j = i + 1; j < n && strcmp(all[i].s, all[j].s) == 0; j++)
			listed = listed || all[j].listed;
		if (j - i > 1 && listed)
			ok = 0;
	}
	free(all);
	free(own);
	return ok;
}

/* Listed messages first, in the old order; then the others. */
static int
reorder(struct migrate *mg, struct maildir *md)
{
	const struct uidmap_ent	*e;
	const char		*name;
	uint32_t		*byrank, *ord;
	size_t			 i, k = 0;

	byrank = calloc(mg->map.count + 1, sizeof(*byrank));
	ord = calloc(md->count + 1, sizeof(*ord));
	if (byrank == NULL || ord == NULL) {
		free(byrank);
		free(ord);
		return -1;
	}
	for (i = 0; i < mg->map.count; i++)
		byrank[i] = UINT32_MAX;
	for (i = 0; i < md->count; i++) {
		name = maildir_name(md, i);
		if ((e = uidmap_find(&mg->map, name, strcspn(name, ":"))) !=
		    NULL)
			byrank[e->rank] = md->ord[i];
	}
	for (i = 0; i < mg->map.count; i++)
		if (byrank[i] != UINT32_MAX)
			ord[k++] = byrank[i];
	for (i = 0; i < md->count; i++)
		if (mg->given[md->ord[i]] == NULL)
			ord[k++] = md->ord[i];
	memcpy(md->ord, ord, md->count * sizeof(*ord));
	free(byrank);
	free(ord);
	return 0;
}

int
migrate_apply(struct migrate *mg, enum uidmap_kind kind, struct maildir *md)
{
	const struct uidmap_ent	*e;
	const char		*name;
	size_t			 len, cap, i;
	int			 r;

	memset(mg, 0, sizeof(*mg));
	if (read_list(md->lockfd, uidmap_file(kind), &mg->buf, &len) == -1) {
		if (errno == ENOENT)
			return 0;
		mg->error = errno;
		return reject(mg, 0, "cannot read it");
	}
	/* A line per entry, less the header; never more than -M allows. */
	cap = uidmap_lines(mg->buf, len);
	cap = cap > 0 ? cap - 1 : 0;
	if (cap > md->max)
		cap = md->max;
	if ((mg->map.ent = calloc(cap + 1, sizeof(*mg->map.ent))) == NULL)
		return reject(mg, 0, "out of memory");
	mg->map.cap = cap;
	if (uidmap_parse(&mg->map, kind, mg->buf, len) == -1)
		return reject(mg, mg->map.line, mg->map.why);
	if ((mg->given = calloc(md->used + 1, sizeof(*mg->given))) == NULL)
		return reject(mg, 0, "out of memory");
	for (i = 0; i < md->count; i++) {
		name = maildir_name(md, i);
		e = uidmap_find(&mg->map, name, strcspn(name, ":"));
		if (e != NULL) {
			mg->given[md->ord[i]] = e->uidl;
			mg->mapped++;
		}
	}
	if ((r = unique(md, mg->given)) != 1)
		return reject(mg, 0, r == 0 ? "a unique-id it gives is also "
		    "another message's" : "out of memory");
	if (reorder(mg, md) == -1)
		return reject(mg, 0, "out of memory");
	md->given = mg->given;
	return 1;
}

void
migrate_free(struct migrate *mg)
{
	free(mg->given);
	free(mg->map.ent);
	free(mg->buf);
	memset(mg, 0, sizeof(*mg));
}
