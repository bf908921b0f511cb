/* SPDX-License-Identifier: ISC */
/*
 * bench/client.c: the benchmark client.  Runs one server over a
 * socketpair (its fd 0 and 1), pipelines a whole scenario at it and
 * checks every reply against the generator's "expect" file, so a
 * wrong answer can never look fast.
 *
 *	client [-g] [-u uid] [-C dir] [-E VAR=VAL]... -x expect
 *	    -s scenario -- command [arg...]
 *
 * Scenarios (each ends with QUIT unless said otherwise):
 *	stat	STAT: count and octets must match
 *	list	UIDL and LIST: one line each per message, LIST sizes match
 *	retr	RETR 1..n: each payload (unstuffed) is the message size
 *	top	TOP i 0 for all: each payload is the header size
 *	dele	DELE 1..n
 *	raw	no commands; read to EOF; the byte count must equal the
 *		number given with -b (for the cat/head references)
 *	none	no commands; read to EOF, ignore the bytes (true, readdir)
 * -g: the server greets first (pop3d -m answers the login with +OK).
 *
 * Prints "wall-seconds maxrss-KiB bytes-read client-cpu-seconds
 * server-cpu-seconds" and exits 0, or reports the first mismatch and
 * exits 1.  Wall time runs from fork to the server's exit with all its
 * output read; maxrss and the CPU time (user + system) are the
 * server's, from wait4(2), which includes every process it started
 * and waited for (xargs and its rm, for example).
 *
 *	client -c port -n sessions -p parallel [-T] [-U users]
 *	    [-S "count octets"] [-r octets] user pass
 * opens sessions to 127.0.0.1:port, each greeting, USER, PASS, STAT,
 * [RETR 1,] QUIT (pipelined after the greeting), with up to `parallel`
 * at a time, and prints "seconds sessions/s".  Connection slot k logs
 * in as user`k` (user0, user1, ...), so no two sessions share a
 * Maildir; with -U users (a multiple of parallel), slot k takes turns
 * with the users k, k + parallel, ... below `users`, still no two at
 * once.  STAT must report 10 messages, or what -S gives; -r adds
 * RETR 1, whose payload (unstuffed, CRLF included) must be `octets`
 * long; -T: check neither (a trivial responder).
 */
#define _GNU_SOURCE

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BUFSZ	(1024 * 1024)

enum scen { S_STAT, S_LIST, S_RETR, S_TOP, S_DELE, S_RAW, S_NONE };
/* What the next reply answers. */
enum want { W_GREET, W_STAT, W_UIDL, W_LIST, W_RETR, W_TOP, W_DELE, W_QUIT };

static size_t	  nmsg;
static uint64_t	 *wire, *head, total_wire;
static enum scen  scen;

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
load_expect(const char *path)
{
	FILE		*f;
	char		 line[256];
	size_t		 cap = 0;
	unsigned long long a, b;

	if ((f = fopen(path, "r")) == NULL)
		err(1, "%s", path);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "total ", 6) == 0)
			break;
		if (sscanf(line, "%llu %llu", &a, &b) != 2)
			errx(1, "%s: bad line", path);
		if (nmsg == cap) {
			cap = cap ? cap * 2 : 1024;
			wire = realloc(wire, cap * sizeof(*wire));
			head = realloc(head, cap * sizeof(*head));
			if (wire == NULL || head == NULL)
				err(1, "realloc");
		}
		wire[nmsg] = a;
		head[nmsg] = b;
		total_wire += a;
		nmsg++;
	}
	fclose(f);
}

/* The pipelined script, and the queue of replies it asks for. */
static char		*script;
static size_t		 slen;
static unsigned char	*wants;
static size_t		 nwants;

static void
add(enum want w, const char *fmt, size_t i)
{
	int	n;

	if (fmt != NULL) {
		n = sprintf(script + slen, fmt, i + 1);
		slen += (size_t)n;
	}
	wants[nwants++] = (unsigned char)w;
}

static void
build(bool greet)
{
	size_t	i;

	if ((script = malloc(nmsg * 24 + 64)) == NULL ||
	    (wants = malloc(nmsg + 8)) == NULL)
		err(1, "malloc");
	if (greet)
		add(W_GREET, NULL, 0);
	switch (scen) {
	case S_STAT:
		add(W_STAT, "STAT\r\n", 0);
		break;
	case S_LIST:
		add(W_UIDL, "UIDL\r\n", 0);
		add(W_LIST, "LIST\r\n", 0);
		break;
	case S_RETR:
		for (i = 0; i < nmsg; i++)
			add(W_RETR, "RETR %zu\r\n", i);
		break;
	case S_TOP:
		for (i = 0; i < nmsg; i++)
			add(W_TOP, "TOP %zu 0\r\n", i);
		break;
	case S_DELE:
		for (i = 0; i < nmsg; i++)
			add(W_DELE, "DELE %zu\r\n", i);
		break;
	default:
		return;
	}
	add(W_QUIT, "QUIT\r\n", 0);
}

/* Reply checking: a line-at-a-time state machine. */
static size_t	 wi;		/* index into wants */
static size_t	 msgi;		/* message a RETR/TOP/LIST line is about */
static int	 multi;		/* inside a multi-line reply */
static uint64_t	 payload;

static void
fail(const char *what, const char *line, size_t len)
{
	errx(1, "reply %zu (%d): %s: %.*s", wi, wi < nwants ? wants[wi] : -1,
	    what, (int)(len > 80 ? 80 : len), line);
}

static void
status(const char *l, size_t len)
{
	unsigned long long	a, b;
	enum want		w = wants[wi];

	if (len < 3 || memcmp(l, "+OK", 3) != 0)
		fail("not +OK", l, len);
	switch (w) {
	case W_STAT:
		if (sscanf(l, "+OK %llu %llu", &a, &b) != 2 || a != nmsg ||
		    b != total_wire)
			fail("STAT mismatch", l, len);
		break;
	case W_UIDL:
	case W_LIST:
	case W_RETR:
	case W_TOP:
		multi = 1;
		payload = 0;
		msgi = 0;
		return;
	default:
		break;
	}
	wi++;
}

static void
body_end(void)
{
	enum want	w = wants[wi];
	size_t		i = 0;

	if (w == W_RETR || w == W_TOP) {
		/* Which message: count the RETR/TOP replies so far. */
		static size_t	done;

		i = done++;
		if (i >= nmsg)
			errx(1, "too many bodies");
		if (payload != (w == W_RETR ? wire[i] : head[i]))
			errx(1, "message %zu: %" PRIu64 " octets, want %"
			    PRIu64, i + 1, payload,
			    w == W_RETR ? wire[i] : head[i]);
	} else if (msgi != nmsg)
		errx(1, "listing has %zu lines, want %zu", msgi, nmsg);
	multi = 0;
	wi++;
}

/* A decimal number at *p, then one space or the CR; no sscanf. */
static int
number(const char **p, const char *end, unsigned long long *v)
{
	const char	*q = *p;

	*v = 0;
	while (q < end && *q >= '0' && *q <= '9')
		*v = *v * 10 + (unsigned long long)(*q++ - '0');
	if (q == *p || q == end || (*q != ' ' && *q != '\r'))
		return -1;
	*p = q + 1;
	return 0;
}

static void
body_line(const char *l, size_t len)
{
	unsigned long long	a, b;
	enum want		w = wants[wi];
	const char		*p;

	if (len < 2 || l[len - 2] != '\r')
		fail("line without CRLF", l, len);
	if (l[0] == '.') {
		if (len == 3) {
			body_end();
			return;
		}
		l++;
		len--;
	}
	if (w == W_LIST) {
		p = l;
		if (number(&p, l + len, &a) == -1 ||
		    number(&p, l + len, &b) == -1 || a != msgi + 1 ||
		    msgi >= nmsg || b != wire[msgi])
			fail("LIST mismatch", l, len);
		msgi++;
	} else if (w == W_UIDL) {
		p = l;
		if (number(&p, l + len, &a) == -1 || a != msgi + 1 ||
		    p >= l + len - 1)
			fail("UIDL mismatch", l, len);
		msgi++;
	} else
		payload += len;
}

/* Consumes complete lines; returns how many bytes were used. */
static size_t
parse(const char *buf, size_t n)
{
	const char	*p = buf, *end = buf + n, *lf;
	size_t		 len;

	while (p < end && (lf = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		len = (size_t)(lf - p) + 1;
		if (wi >= nwants)
			fail("reply after the last one", p, len);
		if (multi)
			body_line(p, len);
		else
			status(p, len);
		p = lf + 1;
	}
	return (size_t)(p - buf);
}

static void
drop_privs(const char *uid)
{
	uid_t	u;

	if (uid == NULL)
		return;
	u = (uid_t)strtoul(uid, NULL, 10);
	if (setgroups(0, NULL) == -1 || setgid(u) == -1 || setuid(u) == -1)
		err(111, "drop privileges");
}

/* User + system time of a rusage, in seconds. */
static double
cpu_seconds(const struct rusage *ru)
{
	return (double)ru->ru_utime.tv_sec +
	    (double)ru->ru_utime.tv_usec / 1e6 +
	    (double)ru->ru_stime.tv_sec + (double)ru->ru_stime.tv_usec / 1e6;
}

static int
run(char *argv[], const char *uid, const char *dir, char **env,
    uint64_t rawwant)
{
	static char	 in[BUFSZ];
	struct rusage	 ru, self;
	struct pollfd	 pfd;
	double		 t0, t1;
	size_t		 have = 0, off = 0, used;
	uint64_t	 got = 0;
	ssize_t		 r;
	pid_t		 pid;
	int		 sv[2], status, eof = 0;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		err(1, "socketpair");
	t0 = now();
	if ((pid = fork()) == -1)
		err(1, "fork");
	if (pid == 0) {
		close(sv[0]);
		if (dup2(sv[1], 0) == -1 || dup2(sv[1], 1) == -1)
			err(111, "dup2");
		if (sv[1] > 1)
			close(sv[1]);
		if (dir != NULL && chdir(dir) == -1)
			err(111, "chdir %s", dir);
		drop_privs(uid);
		execve(argv[0], argv, env);
		err(111, "exec %s", argv[0]);
	}
	close(sv[1]);
	if (fcntl(sv[0], F_SETFL, O_NONBLOCK) == -1)
		err(1, "fcntl");
	if (slen == 0)
		shutdown(sv[0], SHUT_WR);
	while (!eof) {
		pfd.fd = sv[0];
		pfd.events = POLLIN | (off < slen ? POLLOUT : 0);
		if (poll(&pfd, 1, 120000) <= 0)
			errx(1, "timeout or poll error");
		if (off < slen && (pfd.revents & (POLLOUT | POLLERR))) {
			r = write(sv[0], script + off, slen - off);
			if (r > 0)
				off += (size_t)r;
			else if (r == -1 && errno != EAGAIN)
				off = slen;	/* the server hung up */
		}
		if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
			r = read(sv[0], in + have, sizeof(in) - have);
			if (r == 0)
				eof = 1;
			else if (r > 0) {
				got += (uint64_t)r;
				if (scen == S_RAW || scen == S_NONE)
					continue;
				have += (size_t)r;
				used = parse(in, have);
				memmove(in, in + used, have - used);
				have -= used;
				if (have == sizeof(in))
					errx(1, "line too long");
			} else if (errno != EAGAIN)
				err(1, "read");
		}
	}
	if (wait4(pid, &status, 0, &ru) == -1)
		err(1, "wait4");
	t1 = now();
	close(sv[0]);
	if (!WIFEXITED(status) || (WEXITSTATUS(status) != 0 && scen != S_NONE))
		errx(1, "server exit status %d", status);
	if (scen == S_RAW && got != rawwant)
		errx(1, "read %" PRIu64 " bytes, want %" PRIu64, got, rawwant);
	if (scen != S_RAW && scen != S_NONE && (wi != nwants || have != 0))
		errx(1, "%zu of %zu replies", wi, nwants);
	if (getrusage(RUSAGE_SELF, &self) == -1)
		err(1, "getrusage");
	printf("%.6f %ld %" PRIu64 " %.6f %.6f\n", t1 - t0, ru.ru_maxrss, got,
	    cpu_seconds(&self), cpu_seconds(&ru));
	return 0;
}

/* Connection-rate mode. */
struct conn {
	char	 cmds[512];
	int	 fd;
	int	 stage;		/* status lines seen */
	int	 inbody;	/* inside RETR 1's payload */
	uint64_t payload;
	size_t	 have;
	size_t	 turn;		/* sessions this slot has started */
	char	 buf[1024];
};

struct rate {
	size_t		 par;
	size_t		 users;		/* 0: user`slot` */
	int		 trivial;
	const char	*stat;		/* "+OK count octets" prefix */
	int		 retr;
	uint64_t	 retrlen;
	const char	*user, *pass;
};

static int
conn_open(int port)
{
	struct sockaddr_in	sin;
	int			fd;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		err(1, "socket");
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		err(1, "connect");
	return fd;
}

static void
conn_start(struct conn *c, size_t slot, int port, const struct rate *rt)
{
	size_t	u = slot;
	int	n;

	if (rt->users != 0)
		u = (slot + c->turn * rt->par) % rt->users;
	c->turn++;
	n = snprintf(c->cmds, sizeof(c->cmds),
	    "USER %s%zu\r\nPASS %s\r\nSTAT\r\n%sQUIT\r\n", rt->user, u,
	    rt->pass, rt->retr ? "RETR 1\r\n" : "");
	if (n < 0 || (size_t)n >= sizeof(c->cmds))
		errx(1, "connrate: user or password too long");
	c->fd = conn_open(port);
	c->stage = 0;
	c->inbody = 0;
	c->have = 0;
}

/* One reply line: a status line, or a line of RETR 1's payload. */
static void
conn_line(struct conn *c, const char *l, size_t len, const struct rate *rt)
{
	if (c->inbody) {
		if (len < 2 || l[len - 2] != '\r')
			errx(1, "connrate: RETR line without CRLF");
		if (l[0] == '.') {
			if (len == 3) {
				if (c->payload != rt->retrlen)
					errx(1, "connrate: RETR 1: %" PRIu64
					    " octets, want %" PRIu64,
					    c->payload, rt->retrlen);
				c->inbody = 0;
				return;
			}
			len--;
		}
		c->payload += len;
		return;
	}
	if (len < 3 || memcmp(l, "+OK", 3) != 0)
		errx(1, "connrate: stage %d: %.*s", c->stage, (int)len, l);
	if (c->stage == 3 && !rt->trivial &&
	    strncmp(l, rt->stat, strlen(rt->stat)) != 0)
		errx(1, "connrate: STAT: %.*s", (int)len, l);
	if (c->stage == 4 && rt->retr && !rt->trivial) {
		c->inbody = 1;
		c->payload = 0;
	}
	if (++c->stage == 1 && write(c->fd, c->cmds, strlen(c->cmds)) !=
	    (ssize_t)strlen(c->cmds))
		err(1, "connrate: write");
}

static int
connrate(int port, size_t n, const struct rate *rt)
{
	struct conn	*c;
	struct pollfd	*pfd;
	char		*lf;
	size_t		 started = 0, done = 0, i, len, par = rt->par;
	double		 t0, t1;
	ssize_t		 r;
	int		 last = rt->retr ? 6 : 5;

	if ((c = calloc(par, sizeof(*c))) == NULL ||
	    (pfd = calloc(par, sizeof(*pfd))) == NULL)
		err(1, "calloc");
	for (i = 0; i < par; i++)
		c[i].fd = -1;
	t0 = now();
	while (done < n) {
		for (i = 0; i < par; i++) {
			if (c[i].fd == -1 && started < n) {
				conn_start(&c[i], i, port, rt);
				started++;
			}
			pfd[i].fd = c[i].fd;
			pfd[i].events = POLLIN;
		}
		if (poll(pfd, par, 30000) <= 0)
			errx(1, "connrate: timeout");
		for (i = 0; i < par; i++) {
			if (c[i].fd == -1 || pfd[i].revents == 0)
				continue;
			r = read(c[i].fd, c[i].buf + c[i].have,
			    sizeof(c[i].buf) - c[i].have);
			if (r <= 0) {
				if (c[i].stage != last || c[i].inbody)
					errx(1, "connrate: closed at stage %d",
					    c[i].stage);
				close(c[i].fd);
				c[i].fd = -1;
				done++;
				continue;
			}
			c[i].have += (size_t)r;
			while ((lf = memchr(c[i].buf, '\n', c[i].have))
			    != NULL) {
				len = (size_t)(lf - c[i].buf) + 1;
				conn_line(&c[i], c[i].buf, len, rt);
				memmove(c[i].buf, lf + 1, c[i].have - len);
				c[i].have -= len;
			}
			if (c[i].have == sizeof(c[i].buf))
				errx(1, "connrate: line too long");
		}
	}
	t1 = now();
	printf("%.6f %.1f\n", t1 - t0, (double)n / (t1 - t0));
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: client [-g] [-u uid] [-C dir] [-E VAR=VAL] "
	    "[-x expect] [-b bytes] -s scenario -- command [arg...]\n"
	    "       client -c port -n sessions -p parallel [-T] [-U users] "
	    "[-S stat] [-r octets] user pass\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	char		*env[32], *uid = NULL, *dir = NULL, *sc = NULL;
	char		 stat[64] = "+OK 10 ";
	struct rate	 rt;
	uint64_t	 rawwant = 0;
	size_t		 nenv = 0, n = 100;
	int		 c, greet = 0, port = 0;

	memset(&rt, 0, sizeof(rt));
	rt.par = 1;

	signal(SIGPIPE, SIG_IGN);
	while ((c = getopt(argc, argv, "b:c:C:E:gn:p:r:s:S:TU:u:x:")) != -1) {
		switch (c) {
		case 'b':
			rawwant = strtoull(optarg, NULL, 10);
			break;
		case 'c':
			port = atoi(optarg);
			break;
		case 'C':
			dir = optarg;
			break;
		case 'E':
			if (nenv + 1 >= sizeof(env) / sizeof(env[0]))
				usage();
			env[nenv++] = optarg;
			break;
		case 'g':
			greet = 1;
			break;
		case 'n':
			n = strtoul(optarg, NULL, 10);
			break;
		case 'p':
			rt.par = strtoul(optarg, NULL, 10);
			break;
		case 'r':
			rt.retr = 1;
			rt.retrlen = strtoull(optarg, NULL, 10);
			break;
		case 's':
			sc = optarg;
			break;
		case 'S':
			if (snprintf(stat, sizeof(stat), "+OK %s\r", optarg) >=
			    (int)sizeof(stat))
				usage();
			break;
		case 'T':
			rt.trivial = 1;
			break;
		case 'U':
			rt.users = strtoul(optarg, NULL, 10);
			break;
		case 'u':
			uid = optarg;
			break;
		case 'x':
			load_expect(optarg);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (port != 0) {
		if (argc != 2 || rt.par == 0 ||
		    (rt.users != 0 && rt.users % rt.par != 0))
			usage();
		rt.stat = stat;
		rt.user = argv[0];
		rt.pass = argv[1];
		return connrate(port, n, &rt);
	}
	if (argc < 1 || sc == NULL)
		usage();
	env[nenv] = NULL;
	if (strcmp(sc, "stat") == 0)
		scen = S_STAT;
	else if (strcmp(sc, "list") == 0)
		scen = S_LIST;
	else if (strcmp(sc, "retr") == 0)
		scen = S_RETR;
	else if (strcmp(sc, "top") == 0)
		scen = S_TOP;
	else if (strcmp(sc, "dele") == 0)
		scen = S_DELE;
	else if (strcmp(sc, "raw") == 0)
		scen = S_RAW;
	else if (strcmp(sc, "none") == 0)
		scen = S_NONE;
	else
		usage();
	build(greet);
	return run(argv, uid, dir, env, rawwant);
}
