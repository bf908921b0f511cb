/* SPDX-License-Identifier: ISC */
/*
 * tests/unit_auth.c: the checkpassword boundary in checkprog.c.  The fd-3
 * record byte for byte and at its 512-byte edge; the exit-status
 * table with real wait statuses; auth_run against small /bin/sh
 * checkpassword stand-ins in a temporary directory (record, exit
 * codes, signals, the takeover pipe, descriptor hygiene); and the
 * APOP stamp.  No root, no network; the temporary files are removed.
 */
#define _DEFAULT_SOURCE		/* mkdtemp */

#include "../auth.h"
#include "../checkprog.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../log.h"
#include "check.h"

static const char	*check_prog = "unit_auth";

#define S(s)	s, sizeof(s) - 1	/* a literal and its length */

static void	test_record(void);
static void	test_record_limit(void);
static void	test_classify(void);
static void	test_run_record(void);
static void	test_run_status(void);
static void	test_run_signal(void);
static void	test_run_takeover(void);
static void	test_run_grandchild(void);
static void	test_run_fds(void);
static void	test_run_stderr(void);
static void	test_run_missing(void);
static void	test_stamp(void);
static void	test_set_host(void);
static void	test_loopback(void);
static void	test_export_env(void);

static int	status_of(int, int);
static int	script(const char *, const char *);
static char	*path(const char *);
static void	hex(const char *, size_t, char *);
static double	now(void);

static char	tmpdir[] = "/tmp/unit_auth.XXXXXX";
static char	pathbuf[PATH_MAX];

static const struct {
	const char	*user;
	size_t		 ulen;
	const char	*pass;
	size_t		 plen;
	const char	*stamp;
	size_t		 slen;
	size_t		 size;
	size_t		 want;		/* 0: rejected */
	const char	*rec;		/* the expected bytes */
} records[] = {
	{ S("alice"), S("secret"), S(""), 512, 14, "alice\0secret\0\0" },
	{ S("u"), S("p"), S(""), 512, 5, "u\0p\0\0" },
	{ S("alice"), S("c4c9334bac560ecc979e58001b3e22fb"),
	  S("<1896.697170952@dbc.mtview.ca.us>"), 512, 73,
	  "alice\0c4c9334bac560ecc979e58001b3e22fb\0"
	  "<1896.697170952@dbc.mtview.ca.us>\0" },
	/* PASS takes the rest of the line: spaces are data. */
	{ S("a b"), S(" pass word "), S(""), 512, 17, "a b\0 pass word \0\0" },
	{ S("\xc3\xa9"), S("\xff\x01"), S("s"), 512, 8,
	  "\xc3\xa9\0\xff\x01\0s\0" },
	/* The smallest record, in the smallest buffer. */
	{ S("u"), S("p"), S("s"), 6, 6, "u\0p\0s\0" },
	{ S("u"), S("p"), S("s"), 5, 0, NULL },
	{ S("u"), S("p"), S(""), 5, 5, "u\0p\0\0" },
	{ S("u"), S("p"), S(""), 4, 0, NULL },
	{ S("u"), S("p"), S(""), 3, 0, NULL },
	{ S("u"), S("p"), S(""), 2, 0, NULL },
	{ S("u"), S("p"), S(""), 0, 0, NULL },
	/* Empty user or password. */
	{ S(""), S("p"), S(""), 512, 0, NULL },
	{ S("u"), S(""), S(""), 512, 0, NULL },
	{ S(""), S(""), S(""), 512, 0, NULL },
	/* A NUL in any field would shift the fields checkpassword sees. */
	{ S("a\0b"), S("p"), S(""), 512, 0, NULL },
	{ S("\0"), S("p"), S(""), 512, 0, NULL },
	{ S("u"), S("p\0"), S(""), 512, 0, NULL },
	{ S("u"), S("\0p"), S(""), 512, 0, NULL },
	{ S("u"), S("p"), S("<a\0b>"), 512, 0, NULL },
};

static void
test_record(void)
{
	char	*buf;
	size_t	 i, n, k;

	for (i = 0; i < nitems(records); i++) {
		/* Exactly size bytes on the heap: ASan sees an overrun. */
		if ((buf = malloc(records[i].size + 1)) == NULL) {
			CHECK(buf != NULL);
			return;
		}
		memset(buf, 0xa5, records[i].size + 1);
		n = auth_record(buf, records[i].size, records[i].user,
		    records[i].ulen, records[i].pass, records[i].plen,
		    records[i].stamp, records[i].slen);
		if (n != records[i].want)
			fprintf(stderr, "record case %zu: %zu\n", i, n);
		CHECK(n == records[i].want);
		if (n != 0 && n == records[i].want)
			CHECK(memcmp(buf, records[i].rec, n) == 0);
		/* Nothing is written past the record. */
		for (k = n; k <= records[i].size; k++)
			CHECK((unsigned char)buf[k] == 0xa5);
		free(buf);
	}
}

/* checkpassword reads at most 512 bytes: 512 fits, 513 does not. */
static void
test_record_limit(void)
{
	char	user[300], pass[300], stamp[300], *buf;
	size_t	n;

	CHECK(POP3_AUTH_MAX == 512);
	memset(user, 'u', sizeof(user));
	memset(pass, 'p', sizeof(pass));
	memset(stamp, 's', sizeof(stamp));
	if ((buf = malloc(POP3_AUTH_MAX)) == NULL) {
		CHECK(buf != NULL);
		return;
	}
	/* 200 + 200 + 109 + 3 NULs = 512. */
	n = auth_record(buf, POP3_AUTH_MAX, user, 200, pass, 200, stamp, 109);
	CHECK(n == 512);
	CHECK(buf[0] == 'u' && buf[199] == 'u' && buf[200] == '\0');
	CHECK(buf[201] == 'p' && buf[400] == 'p' && buf[401] == '\0');
	CHECK(buf[402] == 's' && buf[510] == 's' && buf[511] == '\0');
	CHECK(auth_record(buf, POP3_AUTH_MAX, user, 200, pass, 200, stamp,
	    110) == 0);
	CHECK(auth_record(buf, POP3_AUTH_MAX, user, 201, pass, 200, stamp,
	    109) == 0);
	CHECK(auth_record(buf, POP3_AUTH_MAX, user, 200, pass, 201, stamp,
	    109) == 0);
	/* Each field alone at the edge. */
	CHECK(auth_record(buf, POP3_AUTH_MAX, user, 1, pass, 1, stamp,
	    0) == 5);
	{
		char	big[600];

		memset(big, 'b', sizeof(big));
		CHECK(auth_record(buf, POP3_AUTH_MAX, big, 508, pass, 1,
		    stamp, 0) == 512);
		CHECK(auth_record(buf, POP3_AUTH_MAX, big, 509, pass, 1,
		    stamp, 0) == 0);
		CHECK(auth_record(buf, POP3_AUTH_MAX, user, 1, big, 508,
		    stamp, 0) == 512);
		CHECK(auth_record(buf, POP3_AUTH_MAX, user, 1, big, 509,
		    stamp, 0) == 0);
		CHECK(auth_record(buf, POP3_AUTH_MAX, user, 1, pass, 1,
		    big, 507) == 512);
		CHECK(auth_record(buf, POP3_AUTH_MAX, user, 1, pass, 1,
		    big, 508) == 0);
	}
	/* A huge size must not upset the overflow-free comparison. */
	CHECK(auth_record(buf, SIZE_MAX, user, 1, pass, 1, stamp, 0) == 5);
	CHECK(memcmp(buf, "u\0p\0\0", 5) == 0);
	free(buf);
}

/* A real wait status: a child that exits with code, or dies of sig. */
static int
status_of(int code, int sig)
{
	pid_t	pid;
	int	st = -1;

	if ((pid = fork()) == 0) {
		if (sig != 0) {
			(void)signal(sig, SIG_DFL);
			(void)raise(sig);
		}
		_exit(code);
	}
	if (pid == -1)
		return -1;
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		continue;
	return st;
}

/* The table in auth.h. */
static void
test_classify(void)
{
	static const struct {
		int			code, sig;
		enum auth_result	want;
	} cases[] = {
		{ 0,	0,		AUTH_SERVED },
		{ 1,	0,		AUTH_REJECTED },
		{ 2,	0,		AUTH_REJECTED },	/* unlisted */
		{ 100,	0,		AUTH_REJECTED },	/* unlisted */
		{ 110,	0,		AUTH_REJECTED },
		{ 111,	0,		AUTH_TEMPFAIL },
		{ 112,	0,		AUTH_REJECTED },
		{ 255,	0,		AUTH_REJECTED },
		{ 0,	SIGKILL,	AUTH_CRASHED },
		{ 0,	SIGSEGV,	AUTH_CRASHED },
		{ 0,	SIGTERM,	AUTH_CRASHED },
	};
	size_t	i;
	int	st;

	for (i = 0; i < nitems(cases); i++) {
		st = status_of(cases[i].code, cases[i].sig);
		CHECK(st != -1);
		CHECK(auth_classify(st, false) == cases[i].want);
		/* Once the back end has answered, nothing else counts. */
		CHECK(auth_classify(st, true) == AUTH_SERVED);
	}
}

/* tmpdir/name, in a static buffer; tmpdir is short, so it fits. */
static char *
path(const char *name)
{
	int	n;

	n = snprintf(pathbuf, sizeof(pathbuf), "%s/%s", tmpdir, name);
	if (n < 0 || (size_t)n >= sizeof(pathbuf))
		abort();
	return pathbuf;
}

/* Writes an executable script into the temporary directory. */
static int
script(const char *name, const char *body)
{
	int	fd;
	size_t	n = strlen(body);

	fd = open(path(name), O_WRONLY | O_CREAT | O_TRUNC, 0700);
	if (fd == -1)
		return -1;
	if (write(fd, body, n) != (ssize_t)n) {
		(void)close(fd);
		return -1;
	}
	return close(fd);
}

/* Lower-case hex, as od -An -tx1 | tr -d ' \n' prints it. */
static void
hex(const char *p, size_t n, char *out)
{
	static const char	digits[] = "0123456789abcdef";
	size_t			i;

	for (i = 0; i < n; i++) {
		*out++ = digits[(unsigned char)p[i] >> 4];
		*out++ = digits[(unsigned char)p[i] & 15];
	}
	*out = '\0';
}

static double
now(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * rec.sh RECHEX CODE: reads fd 3 to its end and exits CODE if it held
 * exactly the bytes RECHEX; on any difference it kills itself, which
 * auth_run reports as AUTH_CRASHED, an outcome no case expects.
 */
static const char rec_sh[] =
    "#!/bin/sh\n"
    "got=$(od -An -v -tx1 <&3 | tr -d ' \\n')\n"
    "[ \"$got\" = \"$1\" ] || kill -KILL $$\n"
    "exit \"$2\"\n";

/* The record reaches fd 3 byte for byte, and fd 3 ends there. */
static void
test_run_record(void)
{
	char		 rec[POP3_AUTH_MAX], rechex[2 * POP3_AUTH_MAX + 1];
	char		 user[300], pass[300];
	char		*argv[4];
	size_t		 n;

	CHECK(script("rec.sh", rec_sh) == 0);
	argv[0] = strdup(path("rec.sh"));
	argv[1] = rechex;
	argv[2] = "0";
	argv[3] = NULL;

	n = auth_record(rec, sizeof(rec), S("alice"), S("secret"),
	    S("<1.2.0123456789abcdef@h>"));
	CHECK(n == 38);
	hex(rec, n, rechex);
	CHECK(auth_run(argv, rec, n, false) == AUTH_SERVED);

	/* The largest record, with bytes a shell might mangle. */
	memset(user, '*', sizeof(user));
	memset(pass, '\xff', sizeof(pass));
	user[5] = ' ';
	pass[7] = '\n';
	n = auth_record(rec, sizeof(rec), user, 250, pass, 259, "", 0);
	CHECK(n == POP3_AUTH_MAX);
	hex(rec, n, rechex);
	CHECK(auth_run(argv, rec, n, false) == AUTH_SERVED);

	/* The control: a different record is noticed. */
	rec[0] = 'x';
	CHECK(auth_run(argv, rec, n, false) == AUTH_CRASHED);
	free(argv[0]);
}

/* Exit statuses from a real child through auth_run. */
static void
test_run_status(void)
{
	static const struct {
		const char		*code;
		enum auth_result	 want;
	} cases[] = {
		{ "0",		AUTH_SERVED },
		{ "1",		AUTH_REJECTED },
		{ "2",		AUTH_REJECTED },
		{ "100",	AUTH_REJECTED },
		{ "111",	AUTH_TEMPFAIL },
	};
	char		 rec[64], rechex[129];
	char		*argv[4];
	size_t		 n, i;

	CHECK(script("rec.sh", rec_sh) == 0);
	n = auth_record(rec, sizeof(rec), S("bob"), S("hunter2"), S(""));
	CHECK(n == 13);
	hex(rec, n, rechex);
	argv[0] = strdup(path("rec.sh"));
	argv[1] = rechex;
	argv[3] = NULL;
	for (i = 0; i < nitems(cases); i++) {
		argv[2] = (char *)cases[i].code;
		CHECK(auth_run(argv, rec, n, true) == cases[i].want);
	}
	free(argv[0]);
}

/* A checkpassword killed by a signal before it said anything. */
static void
test_run_signal(void)
{
	char	*argv[2];

	CHECK(script("sig.sh", "#!/bin/sh\nkill -TERM $$\nexit 0\n") == 0);
	argv[0] = strdup(path("sig.sh"));
	argv[1] = NULL;
	CHECK(auth_run(argv, S("u\0p\0\0"), true) == AUTH_CRASHED);
	free(argv[0]);
}

/*
 * The back end says it took over, then fails anyway: the front end
 * must stay silent (AUTH_SERVED), whatever the exit status.  The
 * variable names descriptor AUTH_TAKEOVER_FD.
 */
static void
test_run_takeover(void)
{
	char	*argv[3];

	CHECK(script("take.sh",
	    "#!/bin/sh\n"
	    "[ \"$POP3D_TAKEOVER_FD\" = 4 ] || exit 111\n"
	    "[ -p /proc/self/fd/4 ] || exit 111\n"
	    "printf x >&\"$POP3D_TAKEOVER_FD\" || exit 111\n"
	    "case $1 in\n"
	    "kill) kill -KILL $$ ;;\n"
	    "*) exit \"$1\" ;;\n"
	    "esac\n") == 0);
	argv[0] = strdup(path("take.sh"));
	argv[2] = NULL;
	argv[1] = "1";
	CHECK(auth_run(argv, S("u\0p\0\0"), true) == AUTH_SERVED);
	argv[1] = "111";
	CHECK(auth_run(argv, S("u\0p\0\0"), true) == AUTH_SERVED);
	argv[1] = "kill";
	CHECK(auth_run(argv, S("u\0p\0\0"), true) == AUTH_SERVED);
	free(argv[0]);

	/* The control: the same exit without the byte is a rejection. */
	CHECK(script("notake.sh", "#!/bin/sh\nexit 1\n") == 0);
	argv[0] = strdup(path("notake.sh"));
	argv[1] = NULL;
	CHECK(auth_run(argv, S("u\0p\0\0"), true) == AUTH_REJECTED);
	free(argv[0]);
}

/*
 * A grandchild that keeps the takeover pipe open must not make
 * auth_run wait for it, nor count as a takeover.
 */
static void
test_run_grandchild(void)
{
	char	*argv[2];
	double	 t;

	CHECK(script("bg.sh",
	    "#!/bin/sh\n"
	    "sleep 2 </dev/null >/dev/null 2>&1 &\n"
	    "exit 1\n") == 0);
	argv[0] = strdup(path("bg.sh"));
	argv[1] = NULL;
	t = now();
	CHECK(auth_run(argv, S("u\0p\0\0"), true) == AUTH_REJECTED);
	CHECK(now() - t < 1.5);
	free(argv[0]);
}

/*
 * Descriptor hygiene: the program sees a pipe on fd 3 and one on fd 4
 * and nothing else above 2, even though the caller has descriptors
 * open without close-on-exec.  The check runs in a shell exec'd
 * afresh, so that the script's own descriptor (close-on-exec) is gone.
 */
static void
test_run_fds(void)
{
	char	*argv[2];
	int	 p[2], fds[3] = { -1, -1, -1 };
	size_t	 i;

	CHECK(script("fds.sh",
	    "#!/bin/sh\n"
	    "exec /bin/sh -c '\n"
	    "[ -p /proc/self/fd/3 ] && [ -p /proc/self/fd/4 ] || exit 111\n"
	    "n=5\n"
	    "while [ $n -lt 1024 ]; do\n"
	    "\t[ -e /proc/self/fd/$n ] && exit 1\n"
	    "\tn=$((n + 1))\n"
	    "done\n"
	    "exit 0'\n") == 0);
	argv[0] = strdup(path("fds.sh"));
	argv[1] = NULL;
	/* Leaks the script would see: just above 4, and further up. */
	CHECK(pipe(p) == 0);
	fds[0] = fcntl(p[0], F_DUPFD, 5);
	fds[1] = fcntl(p[1], F_DUPFD, 9);
	fds[2] = fcntl(p[0], F_DUPFD, 200);
	CHECK(fds[0] >= 5 && fds[1] >= 9 && fds[2] >= 200);
	CHECK(auth_run(argv, S("u\0p\0\0"), true) == AUTH_SERVED);
	for (i = 0; i < nitems(fds); i++)
		if (fds[i] != -1)
			(void)close(fds[i]);
	(void)close(p[0]);
	(void)close(p[1]);

	/* The control: the check does see a descriptor left open. */
	CHECK(script("fds7.sh",
	    "#!/bin/sh\n"
	    "exec 7</dev/null\n"
	    "exec /bin/sh -c '\n"
	    "[ -e /proc/self/fd/7 ] && exit 1\n"
	    "exit 0'\n") == 0);
	free(argv[0]);
	argv[0] = strdup(path("fds7.sh"));
	CHECK(auth_run(argv, S("u\0p\0\0"), true) == AUTH_REJECTED);
	free(argv[0]);
}

/* quiet_stderr puts /dev/null on fd 2; otherwise fd 2 is inherited. */
static void
test_run_stderr(void)
{
	char	*argv[3], mine[PATH_MAX];
	ssize_t	 n;

	CHECK(script("err.sh",
	    "#!/bin/sh\n"
	    "[ \"$(readlink /proc/$$/fd/2)\" = \"$1\" ] || exit 1\n"
	    "exit 0\n") == 0);
	argv[0] = strdup(path("err.sh"));
	argv[2] = NULL;
	argv[1] = "/dev/null";
	CHECK(auth_run(argv, S("u\0p\0\0"), true) == AUTH_SERVED);
	n = readlink("/proc/self/fd/2", mine, sizeof(mine) - 1);
	CHECK(n > 0);
	if (n > 0) {
		mine[n] = '\0';
		argv[1] = mine;
		CHECK(auth_run(argv, S("u\0p\0\0"), false) == AUTH_SERVED);
	}
	free(argv[0]);
}

/* A program that cannot run is a temporary failure, not a rejection. */
static void
test_run_missing(void)
{
	char	*argv[2];

	argv[0] = strdup(path("does-not-exist"));
	argv[1] = NULL;
	CHECK(auth_run(argv, S("u\0p\0\0"), true) == AUTH_TEMPFAIL);
	free(argv[0]);

	/* Not executable is the same. */
	CHECK(script("noexec.sh", "#!/bin/sh\nexit 0\n") == 0);
	CHECK(chmod(path("noexec.sh"), 0600) == 0);
	argv[0] = strdup(path("noexec.sh"));
	/* execve needs an x bit even for root. */
	CHECK(auth_run(argv, S("u\0p\0\0"), true) == AUTH_TEMPFAIL);
	free(argv[0]);
}

/* "<pid.time.16hex@host>", RFC 1939 s.7 msg-id syntax, never twice. */
static void
test_stamp(void)
{
	struct authz	 a;
	char		 s1[AUTH_STAMP_MAX], s2[AUTH_STAMP_MAX], want[64];
	char		*p;
	size_t		 n, i;
	time_t		 t0, t1;
	long		 pid;
	long long	 t;
	int		 k;

	memset(&a, 0, sizeof(a));
	auth_set_host(&a, "mail.example.org");
	t0 = time(NULL);
	n = auth_make_stamp(&a, s1, sizeof(s1));
	t1 = time(NULL);
	CHECK(n > 0 && n == strlen(s1));
	CHECK(s1[0] == '<' && s1[n - 1] == '>');
	/* pid. */
	pid = strtol(s1 + 1, &p, 10);
	CHECK(pid == (long)getpid() && *p == '.');
	/* time. */
	t = strtoll(p + 1, &p, 10);
	CHECK(t >= (long long)t0 && t <= (long long)t1 && *p == '.');
	/* 16 lower-case hex digits. */
	for (i = 1; i <= 16; i++)
		CHECK((p[i] >= '0' && p[i] <= '9') ||
		    (p[i] >= 'a' && p[i] <= 'f'));
	CHECK(strcmp(p + 17, "@mail.example.org>") == 0);
	k = snprintf(want, sizeof(want), "<%ld.%lld.", pid, t);
	CHECK(k > 0 && n == (size_t)k + 16 + 18);

	/* Two stamps differ, in their random part at least. */
	CHECK(auth_make_stamp(&a, s2, sizeof(s2)) == n);
	CHECK(strcmp(s1, s2) != 0);

	/* Exactly n + 1 bytes fit; n do not. */
	CHECK(auth_make_stamp(&a, s2, n + 1) == n);
	errno = 0;
	CHECK(auth_make_stamp(&a, s2, n) == 0 && errno == ENAMETOOLONG);
}

/* Only a plain DNS name may end up inside "<...@host>". */
static void
test_set_host(void)
{
	static const struct {
		const char	*in;
		const char	*want;
	} cases[] = {
		{ "mail.example.org",	"mail.example.org" },
		{ "a-b.c9",		"a-b.c9" },
		{ "localhost",		"localhost" },
		{ "",			"localhost" },
		{ "a b",		"localhost" },
		{ "evil>",		"localhost" },
		{ "x@y",		"localhost" },
		{ "h\r\nX: y",		"localhost" },
		{ "\xc3\xa9",		"localhost" },
	};
	struct authz	a;
	char		longname[400];
	size_t		i;

	for (i = 0; i < nitems(cases); i++) {
		memset(&a, 0x5a, sizeof(a));
		auth_set_host(&a, cases[i].in);
		CHECK(strcmp(a.host, cases[i].want) == 0);
	}
	/* From gethostname(2): whatever it is, it is a plain name. */
	memset(&a, 0, sizeof(a));
	auth_set_host(&a, NULL);
	CHECK(a.host[0] != '\0' &&
	    strspn(a.host, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") == strlen(a.host));
	/* A long name is cut to fit, and stays NUL-terminated. */
	memset(longname, 'h', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	auth_set_host(&a, longname);
	CHECK(strlen(a.host) == AUTH_HOST_MAX - 1);
}

static void
test_loopback(void)
{
	CHECK(auth_is_loopback("127.0.0.1"));
	CHECK(auth_is_loopback("127.255.1.2"));
	CHECK(auth_is_loopback("::1"));
	CHECK(!auth_is_loopback("128.0.0.1"));
	CHECK(!auth_is_loopback("126.255.255.255"));
	CHECK(!auth_is_loopback("10.0.0.1"));
	CHECK(!auth_is_loopback("::2"));
	CHECK(!auth_is_loopback("::"));
	/* IPv4 loopback written the IPv6 way, as some environments do. */
	CHECK(auth_is_loopback("::ffff:127.0.0.1"));
	CHECK(!auth_is_loopback("::ffff:10.0.0.1"));
	CHECK(!auth_is_loopback("unknown"));
	CHECK(!auth_is_loopback(""));
	CHECK(!auth_is_loopback("127.0.0.1 "));
	CHECK(!auth_is_loopback("localhost"));
}

/*
 * auth_export_env on a dual-stack socket: an IPv4 client of an IPv6
 * listener shows its local address as a.b.c.d, as tcpserver would.
 * Runs in a child, whose fd 0 becomes the accepted connection.
 */
static void
test_export_env(void)
{
	struct sockaddr_in6	 sa;
	struct sockaddr_in	 sa4;
	socklen_t		 sl = sizeof(sa);
	pid_t			 pid;
	int			 l, c, a, off = 0, status;

	if ((l = socket(AF_INET6, SOCK_STREAM, 0)) == -1) {
		printf("skip %s:test_export_env: no IPv6 here\n", check_prog);
		return;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sin6_family = AF_INET6;
	sa.sin6_addr = in6addr_any;
	CHECK(setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &off,
	    sizeof(off)) == 0);
	CHECK(bind(l, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	CHECK(listen(l, 1) == 0);
	CHECK(getsockname(l, (struct sockaddr *)&sa, &sl) == 0);
	memset(&sa4, 0, sizeof(sa4));
	sa4.sin_family = AF_INET;
	sa4.sin_port = sa.sin6_port;
	sa4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK((c = socket(AF_INET, SOCK_STREAM, 0)) != -1);
	CHECK(connect(c, (struct sockaddr *)&sa4, sizeof(sa4)) == 0);
	CHECK((a = accept(l, NULL, NULL)) != -1);
	if ((pid = fork()) == 0) {
		const char	*ip, *port;
		char		 want[8];

		if (dup2(a, 0) == -1 || unsetenv("TCPLOCALIP") == -1 ||
		    unsetenv("TCPLOCALPORT") == -1 ||
		    unsetenv("TCPREMOTEIP") == -1 ||
		    auth_export_env("127.0.0.1") == -1)
			_exit(2);
		ip = getenv("TCPLOCALIP");
		port = getenv("TCPLOCALPORT");
		(void)snprintf(want, sizeof(want), "%u",
		    (unsigned)ntohs(sa.sin6_port));
		_exit(ip != NULL && strcmp(ip, "127.0.0.1") == 0 &&
		    port != NULL && strcmp(port, want) == 0 &&
		    getenv("TCPREMOTEIP") != NULL &&
		    strcmp(getenv("TCPREMOTEIP"), "127.0.0.1") == 0 ? 0 : 1);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	(void)close(a);
	(void)close(c);
	(void)close(l);
}

int
main(void)
{
	/* auth_run logs failures of the programs it runs; show them. */
	log_init("unit_auth", LOG_DEST_STDERR);
	(void)signal(SIGPIPE, SIG_IGN);
	(void)alarm(60);
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	RUN(test_record);
	RUN(test_record_limit);
	RUN(test_classify);
	RUN(test_run_record);
	RUN(test_run_status);
	RUN(test_run_signal);
	RUN(test_run_takeover);
	RUN(test_run_grandchild);
	RUN(test_run_fds);
	RUN(test_run_stderr);
	RUN(test_run_missing);
	RUN(test_stamp);
	RUN(test_set_host);
	RUN(test_loopback);
	RUN(test_export_env);

	{
		static const char *const names[] = {
			"rec.sh", "sig.sh", "take.sh", "notake.sh", "bg.sh",
			"fds.sh", "fds7.sh", "err.sh", "noexec.sh",
		};
		size_t	i;

		for (i = 0; i < nitems(names); i++)
			(void)unlink(path(names[i]));
		if (rmdir(tmpdir) == -1)
			perror(tmpdir);
	}
	return check_exit();
}
