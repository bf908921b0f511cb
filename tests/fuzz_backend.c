/* SPDX-License-Identifier: ISC */
/*
 * tests/fuzz_backend.c: the whole back end in one process.  One input
 * builds a scratch Maildir (names, flags, contents) and a command
 * stream; the TRANSACTION state runs over it exactly as pop3d -m runs
 * it (maildir_enter, maildir_scan, trans_begin, session_run), reading
 * the commands from a pipe and writing the replies to a file.  Checked:
 *   - exactly one status line per command, and nothing after QUIT;
 *   - RETR sends the octets LIST announced, and they are the file's;
 *   - without QUIT nothing on disk changes; after QUIT each message
 *     not marked by DELE is in cur/ unchanged, and the marked ones
 *     are gone.
 *
 * Input layout: a count byte (messages = count % 8); per message a
 * flags byte (bit 0: in new/, bit 1: a true ",W=" in the name, bit 2:
 * ":2," info, bit 3: with the S flag, bit 4: a ",S=" that lies) and a
 * length byte, then that many bytes of contents; the rest are
 * commands, two bytes each (verb, argument).
 */
#define _GNU_SOURCE		/* mkdtemp */

#include "../maildir.h"
#include "../log.h"
#include "../proto.h"
#include "../scan.h"
#include "../session.h"
#include "../trans.h"

#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define MSGS_MAX	8
#define CMDS_MAX	32
#define OUT_MAX		(1 << 20)

struct file {
	char	 name[128];
	bool	 isnew;
	size_t	 len;
	char	 body[256];
};

struct cmd {
	int	 verb;		/* index in verbs[] */
	unsigned long n, k;
	bool	 multi;		/* a +OK answer has a body to "." */
};

static const char *const verbs[] = {
	"STAT", "LIST", "LIST %lu", "UIDL", "UIDL %lu", "RETR %lu",
	"TOP %lu %lu", "DELE %lu", "RSET", "NOOP", "LAST", "XYZZY",
	"RETR", "LIST 0", "DELE %lu", "QUIT",
};
enum { V_LIST = 1, V_UIDL = 3, V_RETR = 5, V_TOP = 6, V_DELE = 7,
    V_RSET = 8, V_DELE2 = 14, V_QUIT = 15 };

static char	dir[256], mdpath[300];
static int	topfd = -1;
static struct file files[MSGS_MAX];
static size_t	nfiles;
static char	out[OUT_MAX + 1];

static void	setup(void);
static void	cleanup(void);
static void	clear(void);
static void	snapshot(char *, size_t *);
static size_t	wire(const char *, size_t, char *);

static void
rmfiles(const char *sub)
{
	char		 p[600];
	DIR		*d;
	struct dirent	*e;

	(void)snprintf(p, sizeof(p), "%s/%s", mdpath, sub);
	if ((d = opendir(p)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' && (e->d_name[1] == '\0' ||
		    (e->d_name[1] == '.' && e->d_name[2] == '\0')))
			continue;
		(void)snprintf(p, sizeof(p), "%s/%s/%s", mdpath, sub,
		    e->d_name);
		(void)unlink(p);
	}
	(void)closedir(d);
}

static void
clear(void)
{
	rmfiles("new");
	rmfiles("cur");
	rmfiles("tmp");
	rmfiles(".");
}

static void
cleanup(void)
{
	char	p[400];

	clear();
	(void)snprintf(p, sizeof(p), "%s/new", mdpath);
	(void)rmdir(p);
	(void)snprintf(p, sizeof(p), "%s/cur", mdpath);
	(void)rmdir(p);
	(void)snprintf(p, sizeof(p), "%s/tmp", mdpath);
	(void)rmdir(p);
	(void)rmdir(mdpath);
	(void)snprintf(p, sizeof(p), "%s/out", dir);
	(void)unlink(p);
	(void)rmdir(dir);
}

static void
setup(void)
{
	char	p[400];

	(void)snprintf(dir, sizeof(dir), "%s/fuzz_backend.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if ((topfd = open(".", O_RDONLY | O_DIRECTORY)) == -1 ||
	    mkdtemp(dir) == NULL)
		abort();
	(void)snprintf(mdpath, sizeof(mdpath), "%s/Maildir", dir);
	if (mkdir(mdpath, 0700) == -1)
		abort();
	(void)snprintf(p, sizeof(p), "%s/new", mdpath);
	if (mkdir(p, 0700) == -1)
		abort();
	(void)snprintf(p, sizeof(p), "%s/cur", mdpath);
	if (mkdir(p, 0700) == -1)
		abort();
	(void)snprintf(p, sizeof(p), "%s/tmp", mdpath);
	if (mkdir(p, 0700) == -1)
		abort();
	log_init("fuzz_backend", LOG_DEST_STDERR);
	(void)atexit(cleanup);
}

/* "sub/name size crc" of every file in new/ and cur/, sorted. */
static void
snapshot(char *buf, size_t *len)
{
	struct dirent	**names;
	const char	*subs[2] = { "new", "cur" };
	char		 p[600], b[512];
	uint32_t	 h;
	ssize_t		 r, i;
	int		 n, k, s, fd;

	*len = 0;
	buf[0] = '\0';		/* an empty Maildir leaves nothing here */
	for (s = 0; s < 2; s++) {
		(void)snprintf(p, sizeof(p), "%s/%s", mdpath, subs[s]);
		if ((n = scandir(p, &names, NULL, alphasort)) == -1)
			abort();
		for (k = 0; k < n; k++) {
			if (names[k]->d_name[0] != '.') {
				(void)snprintf(p, sizeof(p), "%s/%s/%s",
				    mdpath, subs[s], names[k]->d_name);
				if ((fd = open(p, O_RDONLY)) == -1)
					abort();
				h = 2166136261u;
				while ((r = read(fd, b, sizeof(b))) > 0)
					for (i = 0; i < r; i++)
						h = (h ^ (unsigned char)b[i]) *
						    16777619u;
				(void)close(fd);
				*len += (size_t)snprintf(buf + *len, 300,
				    "%s/%s %08x\n", subs[s],
				    names[k]->d_name, h);
			}
			free(names[k]);
		}
		free(names);
	}
}

/* What RETR sends for a body: CRLF line ends, before stuffing. */
static size_t
wire(const char *in, size_t n, char *o)
{
	size_t	i, k = 0;

	for (i = 0; i < n; i++) {
		if (in[i] == '\n') {
			o[k++] = '\r';
			o[k++] = '\n';
		} else if (in[i] == '\r' && i + 1 < n && in[i + 1] == '\n') {
			o[k++] = '\r';
			o[k++] = '\n';
			i++;
		} else
			o[k++] = in[i];
	}
	if (n > 0 && in[n - 1] != '\n') {
		o[k++] = '\r';
		o[k++] = '\n';
	}
	return k;
}

/* One status line at p; returns the next line, or NULL if none. */
static const char *
line_end(const char *p, const char *end)
{
	const char	*q = memchr(p, '\n', (size_t)(end - p));

	if (q == NULL || q == p || q[-1] != '\r')
		return NULL;
	return q + 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct session	 s;
	static struct maildir	 md;
	static struct trans	 t;
	static struct cmd	 cmds[CMDS_MAX];
	static char		 before[8192], after[8192], w[600];
	static uint64_t		 listed[MSGS_MAX];
	static bool		 marked[MSGS_MAX];
	static const struct file *byord[MSGS_MAX];
	char			 p[4096], cmdbuf[64];
	const char		*o, *end, *nl;
	size_t			 pos = 0, i, k, ncmds = 0, blen, alen, wl;
	size_t			 got, count;
	enum session_end	 why;
	int			 pfd[2], ofd, fd, quit = -1;
	ssize_t			 r;
	uint8_t			 f;

	if (size < 1 || size > 4096)
		return 0;
	if (topfd == -1)
		setup();
	clear();

	/* The Maildir. */
	nfiles = data[pos++] % MSGS_MAX;
	for (i = 0; i < nfiles; i++) {
		struct file	*fl = &files[i];
		char		 wpart[40] = "", spart[40] = "", info[8] = "";

		f = pos < size ? data[pos++] : 0;
		fl->len = pos < size ? data[pos++] : 0;
		if (fl->len > size - pos)
			fl->len = size - pos;
		memcpy(fl->body, data + pos, fl->len);
		pos += fl->len;
		fl->isnew = f & 1;
		if (f & 2)
			(void)snprintf(wpart, sizeof(wpart), ",W=%zu",
			    wire(fl->body, fl->len, w));
		if (f & 16)
			(void)snprintf(spart, sizeof(spart), ",S=%u", f);
		if ((f & 4) && !fl->isnew)
			(void)snprintf(info, sizeof(info), ":2,%s",
			    f & 8 ? "S" : "");
		(void)snprintf(fl->name, sizeof(fl->name),
		    "16000000%02zu.M%zuP%u.fuzz%s%s%s", i, i, f, spart,
		    wpart, info);
		(void)snprintf(p, sizeof(p), "%s/%s/%s", mdpath,
		    fl->isnew ? "new" : "cur", fl->name);
		if ((fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600)) == -1 ||
		    write(fd, fl->body, fl->len) != (ssize_t)fl->len)
			abort();
		{
			struct timespec	ts[2] = {{ 1600000000 + (time_t)i, 0 },
			    { 1600000000 + (time_t)i, 0 }};

			if (futimens(fd, ts) == -1 || close(fd) == -1)
				abort();
		}
		byord[i] = fl;
		marked[i] = false;
	}

	/* The commands, into a pipe the session reads to its end. */
	if (pipe(pfd) == -1)
		abort();
	for (; pos + 1 < size && ncmds < CMDS_MAX; pos += 2) {
		struct cmd	*c = &cmds[ncmds++];

		c->verb = data[pos] % (int)nitems(verbs);
		c->n = data[pos + 1] % (nfiles + 2);
		c->k = data[pos + 1] >> 4;
		if (c->verb == V_TOP)
			(void)snprintf(cmdbuf, sizeof(cmdbuf), "TOP %lu %lu",
			    c->n, c->k);
		else if (strchr(verbs[c->verb], '%') != NULL)
			(void)snprintf(cmdbuf, sizeof(cmdbuf), "%.4s %lu",
			    verbs[c->verb], c->n);
		else
			(void)snprintf(cmdbuf, sizeof(cmdbuf), "%s",
			    verbs[c->verb]);
		k = strlen(cmdbuf);
		memcpy(cmdbuf + k, "\r\n", 2);
		if (write(pfd[1], cmdbuf, k + 2) != (ssize_t)(k + 2))
			abort();
		if (c->verb == V_QUIT)
			break;
	}
	(void)close(pfd[1]);
	snapshot(before, &blen);

	(void)snprintf(p, sizeof(p), "%s/out", dir);
	if ((ofd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0600)) == -1)
		abort();
	session_init(&s, pfd[0], ofd, 10, false, 1000);
	maildir_init(&md, 100);
	if (maildir_enter(&md, mdpath) == -1 || maildir_scan(&md) == -1 ||
	    md.count != nfiles)
		abort();
	count = md.count;
	for (i = 0; i < count; i++)
		listed[i] = maildir_msg(&md, i)->size;
	trans_begin(&t, &md);
	s.trans = &t;
	s.handlers = trans_handlers;
	s.nhandlers = trans_nhandlers;
	why = session_run(&s);
	maildir_close(&md);
	(void)close(pfd[0]);
	if (fchdir(topfd) == -1)
		abort();
	if (lseek(ofd, 0, SEEK_SET) == -1)
		abort();
	for (got = 0; got < OUT_MAX &&
	    (r = read(ofd, out + got, OUT_MAX - got)) > 0; got += (size_t)r)
		continue;
	(void)close(ofd);
	snapshot(after, &alen);

	/* One status line per command, then a body where one is due. */
	o = out;
	end = out + got;
	for (i = 0; i < ncmds; i++) {
		const struct cmd	*c = &cmds[i];
		bool			 ok;

		if ((nl = line_end(o, end)) == NULL)
			abort();
		if (strncmp(o, "+OK", 3) == 0)
			ok = true;
		else if (strncmp(o, "-ERR", 4) == 0)
			ok = false;
		else
			abort();
		o = nl;
		if (c->verb == V_DELE || c->verb == V_DELE2) {
			if (ok != (c->n >= 1 && c->n <= count &&
			    !marked[c->n - 1]))
				abort();
			if (ok)
				marked[c->n - 1] = true;
		}
		if (c->verb == V_RSET)
			memset(marked, 0, sizeof(marked));
		if (c->verb == V_QUIT) {
			quit = (int)i;
			break;
		}
		if (!ok || (c->verb != V_LIST && c->verb != V_UIDL &&
		    c->verb != V_RETR && c->verb != V_TOP))
			continue;
		/* The body, undone: stuffing off, up to the "." line. */
		wl = 0;
		for (;;) {
			if ((nl = line_end(o, end)) == NULL)
				abort();
			if (nl - o == 3 && o[0] == '.')
				break;
			if (o[0] == '.')
				o++;
			memcpy(w + wl, o, (size_t)(nl - o));
			wl += (size_t)(nl - o);
			if (wl > 512)
				abort();
			o = nl;
		}
		o = nl;
		if (c->verb == V_RETR) {
			const struct file	*fl = byord[c->n - 1];
			char			 want[600];

			if (wl != listed[c->n - 1] ||
			    wire(fl->body, fl->len, want) != wl ||
			    memcmp(want, w, wl) != 0)
				abort();
		}
	}
	if (o != end)			/* nothing more, after QUIT too */
		abort();
	if ((quit >= 0) != (why == END_QUIT))
		abort();

	/* The disk. */
	if (quit < 0) {
		if (alen != blen || memcmp(before, after, blen) != 0)
			abort();
	} else {
		for (i = 0; i < nfiles; i++) {
			const struct file	*fl = byord[i];
			struct stat		 st;
			size_t			 u = strcspn(fl->name, ":");
			char			*hit;

			/* The unique part, with the separator after it. */
			(void)snprintf(p, sizeof(p), "cur/%.*s", (int)u,
			    fl->name);
			hit = strstr(after, p);
			if (marked[i] ? hit != NULL : hit == NULL)
				abort();
			if (strstr(after, fl->name) != NULL &&
			    strncmp(strstr(after, fl->name) - 4, "new/", 4) == 0)
				abort();
			if (!marked[i]) {
				nl = strchr(hit, ' ');
				(void)snprintf(p, sizeof(p), "%s/%.*s", mdpath,
				    (int)(nl - hit), hit);
				if (stat(p, &st) == -1 ||
				    (size_t)st.st_size != fl->len)
					abort();
			}
		}
	}
	return 0;
}
