/* SPDX-License-Identifier: ISC */
/*
 * tests/unit_rootside.c: the root side against a reader that lies.
 * Login records that are too long, too short, have lengths beyond
 * their fields, a NUL inside a field or bytes after its NULs, an
 * unknown mechanism or type, a stamp the root side did not make, or
 * are plain garbage: each is refused and CHECKPROG never runs.  The
 * stand-in CHECKPROG creates a marker file, so "never runs" is a
 * file that does not exist; one good record shows that it would.
 * Then whole fake readers over a socketpair (garbage, a crash, a
 * second endpoint), and the PROXY endpoint hook.  No root needed.
 */
#define _DEFAULT_SOURCE		/* mkdtemp */

#include "../rootside.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <arpa/inet.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../log.h"
#include "check.h"

static const char	*check_prog = "unit_rootside";
static char		 tmpdir[] = "/tmp/unit_rootside.XXXXXX";
static char		 marker[64], script[1024];
static char		*argv_ck[] = { "/bin/sh", "-c", script, NULL };

#define STAMP		"<1.2.deadbeef@example.org>"
#define DIGEST		"0123456789abcdef0123456789abcdef"

static bool
ran(void)
{
	struct stat	st;

	return stat(marker, &st) == 0;
}

static void
setup(struct rootside *rs, bool secure)
{
	struct authz	a;

	memset(&a, 0, sizeof(a));
	a.policy = PLAIN_SECURE;
	a.secure = secure;
	a.apop = a.cram = true;
	a.tls = TLS_NONE;
	a.tls_ctl = a.tls_rd = a.tls_wr = -1;
	a.stamplen = strlen(STAMP);
	memcpy(a.stamp, STAMP, a.stamplen);
	rootside_init(rs, &a, argv_ck, 1000, 0, false);
	(void)unlink(marker);
}

static void
good(struct cred_login *r, enum cred_mech m)
{
	bool	stamped = m == CRED_APOP || m == CRED_CRAM;

	CHECK(cred_pack(r, m, true, "alice", 5, stamped ? DIGEST : "pw",
	    stamped ? 32 : 2, stamped ? STAMP : "",
	    stamped ? strlen(STAMP) : 0) == 0);
}

/* The control: a good record does run CHECKPROG (and fails). */
static void
test_good_runs(void)
{
	struct rootside		rs;
	struct cred_login	r;
	enum cred_mech		m[] = { CRED_PASS, CRED_APOP, CRED_PLAIN,
				    CRED_CRAM };
	size_t			i;

	for (i = 0; i < nitems(m); i++) {
		setup(&rs, true);
		good(&r, m[i]);
		CHECK(rootside_login(&rs, &r, sizeof(r)) == CRED_REJECTED);
		CHECK(ran());
		/* The caller's copy is wiped too. */
		CHECK(r.type == 0 && r.secretlen == 0 && r.secret[0] == '\0');
		CHECK(rs.fails == 1);
	}
}

/* Each case breaks one rule of one good record. */
static void
test_malformed(void)
{
	static unsigned char	buf[sizeof(struct cred_login) + 16];
	struct cred_login	r;
	struct rootside		rs;
	size_t			i, n;
	unsigned		seed = 12345;
	enum cred_verdict	v;

	for (i = 0; i < 22; i++) {
		setup(&rs, true);
		good(&r, i < 14 ? CRED_PASS : CRED_APOP);
		n = sizeof(r);
		switch (i) {
		case 0:		/* too long */
			n = sizeof(r) + 1;
			break;
		case 1:		/* too short */
			n = sizeof(r) - 1;
			break;
		case 2:		/* nothing */
			n = 0;
			break;
		case 3:		/* a length beyond its field */
			r.userlen = CRED_FIELD;
			break;
		case 4:		/* a huge length */
			r.secretlen = 0xffffffff;
			break;
		case 5:		/* bytes after the NUL: a wrong length */
			r.userlen = 3;
			break;
		case 6:		/* a NUL inside the field */
			r.user[2] = '\0';
			break;
		case 7:		/* no NUL at all: the field is full */
			memset(r.secret, 'p', sizeof(r.secret));
			r.secretlen = CRED_FIELD - 1;
			break;
		case 8:		/* unknown mechanism */
			r.mech = 9;
			break;
		case 9:		/* mechanism 0 */
			r.mech = 0;
			break;
		case 10:	/* not a login record */
			r.type = CRED_MSG_LOG;
			break;
		case 11:	/* a flag that is not 0 or 1 */
			r.secure = 2;
			break;
		case 12:	/* the secure flag disagrees with ours */
			r.secure = 0;
			break;
		case 13:	/* PASS with a stamp */
			memcpy(r.stamp, STAMP, strlen(STAMP));
			r.stamplen = (uint32_t)strlen(STAMP);
			break;
		case 14:	/* APOP against someone else's stamp */
			r.stamp[1] = '9';
			break;
		case 15:	/* APOP, digest not hex */
			r.secret[0] = 'X';
			break;
		case 16:	/* APOP without a stamp */
			memset(r.stamp, 0, sizeof(r.stamp));
			r.stamplen = 0;
			break;
		case 17:	/* empty user */
			memset(r.user, 0, sizeof(r.user));
			r.userlen = 0;
			break;
		case 18:	/* a CR in the user name */
			r.user[1] = '\r';
			break;
		case 19:	/* garbage of the right size */
		case 20:	/* garbage with the right type */
			for (n = 0; n < sizeof(r); n++) {
				seed = seed * 1103515245 + 12345;
				((unsigned char *)&r)[n] =
				    (unsigned char)(seed >> 16);
			}
			if (i == 20)
				r.type = CRED_MSG_LOGIN;
			n = sizeof(r);
			break;
		case 21:	/* APOP when it is not offered */
			rs.apop = false;
			break;
		}
		memset(buf, 0, sizeof(buf));
		memcpy(buf, &r, sizeof(r));
		v = rootside_login(&rs, buf, n);
		if (v != CRED_REFUSED || ran())
			fprintf(stderr, "case %zu: verdict %d, ran %d\n", i,
			    (int)v, ran());
		CHECK(v == CRED_REFUSED);
		CHECK(!ran());
		CHECK(rs.fails == 0);	/* garbage is no failed login */
	}
}

/* PLAIN on an insecure connection, and a login after the last one. */
static void
test_policy(void)
{
	struct rootside		rs;
	struct cred_login	r;

	setup(&rs, false);
	CHECK(cred_pack(&r, CRED_PLAIN, false, "alice", 5, "pw", 2, "",
	    0) == 0);
	CHECK(rootside_login(&rs, &r, sizeof(r)) == CRED_REFUSED);
	CHECK(!ran());

	setup(&rs, true);
	rs.failmax = 1;
	good(&r, CRED_PASS);
	CHECK(rootside_login(&rs, &r, sizeof(r)) == CRED_REJECTED_LAST);
	CHECK(ran());
	(void)unlink(marker);
	good(&r, CRED_PASS);	/* rootside_login wiped it */
	CHECK(rootside_login(&rs, &r, sizeof(r)) == CRED_REFUSED);
	CHECK(!ran());
}

/*
 * A fake reader: sends n bytes of msg, or crashes if n is 0; then
 * waits to be killed, or with done reads the verdict and exits.
 */
static pid_t
fake_reader(int sock, const void *msg, size_t n, bool done)
{
	char	buf[64];
	pid_t	pid = fork();

	if (pid == 0) {
		if (n == 0)
			abort();
		(void)send(sock, msg, n, 0);
		if (done) {
			_exit(read(sock, buf, sizeof(buf)) > 0 ? 0 : 1);
		}
		pause();	/* the root side must kill it */
		_exit(0);
	}
	return pid;
}

static void
test_readers(void)
{
	static const char	garbage[] = "USER alice\r\nPASS secret\r\n";
	struct cred_login	r;
	struct cred_peer	p;
	struct rootside		rs;
	int			sp[2];
	pid_t			pid;
	size_t			i;

	for (i = 0; i < 3; i++) {
		setup(&rs, true);
		CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp) == 0);
		memset(&p, 0, sizeof(p));
		p.type = CRED_MSG_PEER;
		p.family = CRED_INET4;
		if (i == 0)
			pid = fake_reader(sp[1], garbage, sizeof(garbage),
			    false);
		else if (i == 1)
			pid = fake_reader(sp[1], NULL, 0, false);
		else	/* an endpoint without PROXY */
			pid = fake_reader(sp[1], &p, sizeof(p), false);
		(void)close(sp[1]);
		CHECK(pid > 0);
		CHECK(rootside_run(&rs, sp[0], pid, 5) == POP3_EXIT_OK);
		CHECK(!ran());
		/* It was reaped: no such child any more. */
		CHECK(waitpid(pid, NULL, WNOHANG) == -1 && errno == ECHILD);
	}

	/* And through the same loop, a good record does run. */
	setup(&rs, true);
	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp) == 0);
	good(&r, CRED_PASS);
	pid = fake_reader(sp[1], &r, sizeof(r), true);
	(void)close(sp[1]);
	CHECK(rootside_run(&rs, sp[0], pid, 5) == POP3_EXIT_OK);
	CHECK(ran());
}

/* The PROXY hook: one endpoint, only when allowed, only early. */
static void
test_endpoint(void)
{
	struct rootside		rs;
	struct cred_peer	p;
	struct cred_login	r;
	const char		*e;

	memset(&p, 0, sizeof(p));
	p.type = CRED_MSG_PEER;
	p.family = CRED_INET4;
	CHECK(inet_pton(AF_INET, "192.0.2.7", p.addr) == 1);
	p.port = 4711;
	p.dfamily = CRED_INET6;
	CHECK(inet_pton(AF_INET6, "2001:db8::110", p.daddr) == 1);
	p.dport = 995;
	p.tls = 1;
	/* What tcpserver looked up for the proxy's connection. */
	CHECK(setenv("TCPREMOTEHOST", "proxy.example", 1) == 0);
	CHECK(setenv("TCPREMOTEINFO", "haproxy", 1) == 0);
	CHECK(setenv("TCPLOCALHOST", "backend.example", 1) == 0);
	CHECK(setenv("TCPLOCALIP", "10.0.0.2", 1) == 0);

	setup(&rs, false);
	CHECK(rootside_endpoint(&rs, &p, sizeof(p)) == -1);
	rs.proxy_ok = true;
	CHECK(rootside_endpoint(&rs, &p, sizeof(p) - 1) == -1);
	p.port = 70000;
	CHECK(rootside_endpoint(&rs, &p, sizeof(p)) == -1);
	p.port = 4711;
	p.dport = 65536;
	CHECK(rootside_endpoint(&rs, &p, sizeof(p)) == -1);
	p.dport = 995;
	p.dfamily = 5;
	CHECK(rootside_endpoint(&rs, &p, sizeof(p)) == -1);
	p.dfamily = CRED_INET6;
	p.addr[5] = 1;		/* IPv4 with bytes after its four */
	CHECK(rootside_endpoint(&rs, &p, sizeof(p)) == -1);
	p.addr[5] = 0;
	CHECK(getenv("TCPREMOTEHOST") != NULL);	/* refused: untouched */
	CHECK(rootside_endpoint(&rs, &p, sizeof(p)) == 0);
	CHECK(strcmp(rootside_peer(&rs), "192.0.2.7") == 0);
	CHECK((e = getenv("TCPREMOTEIP")) != NULL &&
	    strcmp(e, "192.0.2.7") == 0);
	CHECK((e = getenv("TCPREMOTEPORT")) != NULL && strcmp(e, "4711") == 0);
	CHECK((e = getenv("TCPLOCALIP")) != NULL &&
	    strcmp(e, "2001:db8::110") == 0);
	CHECK((e = getenv("TCPLOCALPORT")) != NULL && strcmp(e, "995") == 0);
	CHECK(getenv("TCPREMOTEHOST") == NULL);
	CHECK(getenv("TCPREMOTEINFO") == NULL);
	CHECK(getenv("TCPLOCALHOST") == NULL);
	CHECK(rs.secure);	/* TLS at the proxy */
	CHECK(rootside_endpoint(&rs, &p, sizeof(p)) == -1);	/* twice */

	setup(&rs, true);
	rs.proxy_ok = true;
	good(&r, CRED_PASS);
	(void)rootside_login(&rs, &r, sizeof(r));
	CHECK(rootside_endpoint(&rs, &p, sizeof(p)) == -1);	/* late */
}

int
main(void)
{
	int	n;

	log_init("unit_rootside", LOG_DEST_STDERR);
	(void)signal(SIGPIPE, SIG_IGN);
	(void)alarm(60);
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	n = snprintf(marker, sizeof(marker), "%s/ran", tmpdir);
	CHECK(n > 0 && (size_t)n < sizeof(marker));
	/* CHECKPROG: leave a mark, read fd 3, reject. */
	n = snprintf(script, sizeof(script), ": >%s; cat <&3 >/dev/null; "
	    "exit 1", marker);
	CHECK(n > 0 && (size_t)n < sizeof(script));
	RUN(test_good_runs);
	RUN(test_malformed);
	RUN(test_policy);
	RUN(test_readers);
	RUN(test_endpoint);
	(void)unlink(marker);
	if (rmdir(tmpdir) == -1)
		perror(tmpdir);
	return check_exit();
}
