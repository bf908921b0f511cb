/* SPDX-License-Identifier: ISC */
/*
 * rootside.c: the root side of the split front end (rootside.h).  The
 * reader may have been subverted by the client, so every message is
 * checked by credrec.c and then against what this side knows itself;
 * no byte from the reader reaches the environment, and only checked
 * fields reach CHECKPROG's fd 3 record.  Passwords are wiped as soon
 * as CHECKPROG has its copy.
 */
#define _DEFAULT_SOURCE		/* setenv */

#include "rootside.h"

#include <sys/socket.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "checkprog.h"
#include "io.h"
#include "log.h"

static bool	plain_ok(const struct rootside *);
static const char *policy_problem(const struct rootside *,
		    const struct cred_login *);
static enum cred_verdict failed(struct rootside *, const char *, size_t);
static enum cred_verdict gate_login(void *, struct cred_login *);
static int	gate_tls(void *);
static void	gate_end(void *, enum session_end);
static int	serve(struct rootside *, int, unsigned char *, size_t);
static int	send_verdict(int, enum cred_verdict);
static void	reap(struct rootside *, pid_t, bool);

void
rootside_init(struct rootside *rs, const struct authz *a,
    char *const argv[], unsigned failmax, unsigned delay, bool quiet_stderr)
{
	memset(rs, 0, sizeof(*rs));
	rs->argv = argv;
	rs->quiet_stderr = quiet_stderr;
	rs->policy = a->policy;
	rs->secure = a->secure;
	rs->loopback = a->loopback;
	rs->apop = a->apop;
	rs->cram = a->cram;
	rs->tls = a->tls;
	rs->tls_rd = a->tls_rd;
	rs->tls_wr = a->tls_wr;
	rs->failmax = failmax;
	rs->delay = delay;
	rs->stamplen = a->stamplen;
	memcpy(rs->stamp, a->stamp, sizeof(rs->stamp));
	(void)snprintf(rs->peer, sizeof(rs->peer), "unknown");
}

const char *
rootside_peer(const struct rootside *rs)
{
	return rs->peer;
}

int
rootside_set_peer(struct rootside *rs, const char *addr, const char *port)
{
	unsigned char	bin[sizeof(struct in6_addr)];

	if (strcmp(addr, "unknown") == 0) {
		(void)snprintf(rs->peer, sizeof(rs->peer), "unknown");
		return auth_export_env(rs->peer);
	}
	if ((inet_pton(AF_INET, addr, bin) != 1 &&
	    inet_pton(AF_INET6, addr, bin) != 1) ||
	    strlen(addr) >= sizeof(rs->peer)) {
		errno = EINVAL;
		return -1;
	}
	memcpy(rs->peer, addr, strlen(addr) + 1);
	rs->loopback = auth_is_loopback(rs->peer);
	if (port != NULL && (setenv("TCPREMOTEIP", rs->peer, 1) == -1 ||
	    setenv("TCPREMOTEPORT", port, 1) == -1))
		return -1;
	return auth_export_env(rs->peer);
}

static bool
plain_ok(const struct rootside *rs)
{
	switch (rs->policy) {
	case PLAIN_ANY:
		return true;
	case PLAIN_LOOPBACK:
		return rs->secure || rs->loopback;
	case PLAIN_SECURE:
		break;
	}
	return rs->secure;
}

/* What an honest reader would never send: NULL if nothing. */
static const char *
policy_problem(const struct rootside *rs, const struct cred_login *r)
{
	if (rs->final)
		return "login after the last verdict";
	if (rs->tls == TLS_REQUIRED)
		return "login before the required STLS";
	if ((r->secure != 0) != rs->secure)
		return "secure flag disagrees";
	switch (r->mech) {
	case CRED_PASS:
	case CRED_PLAIN:
		return plain_ok(rs) ? NULL : "plaintext login not allowed";
	case CRED_APOP:
		if (!rs->apop)
			return "APOP not offered";
		break;
	case CRED_CRAM:
		if (!rs->cram)
			return "CRAM-MD5 not offered";
		break;
	default:
		return "unknown mechanism";
	}
	if (r->stamplen != rs->stamplen ||
	    memcmp(r->stamp, rs->stamp, rs->stamplen) != 0)
		return "digest against a stamp this side did not make";
	return NULL;
}

static enum cred_verdict
failed(struct rootside *rs, const char *user, size_t ulen)
{
	struct timespec	 ts;
	char		 esc[128];
	unsigned	 delay = rs->delay;

	rs->fails++;
	log_msg(LOG_NOTICE, "LOGIN FAILED, user=%s, ip=[%s]",
	    log_escape(esc, sizeof(esc), user, ulen), rs->peer);
	/* The brake doubles with each failure, up to a ceiling. */
	if (delay > 0 && rs->fails > 1)
		delay <<= rs->fails - 1 < 5 ? rs->fails - 1 : 5;
	if (delay > POP3_FAIL_DELAY_MAX)
		delay = POP3_FAIL_DELAY_MAX;
	ts.tv_sec = (time_t)delay;
	ts.tv_nsec = 0;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		continue;
	if (rs->fails >= rs->failmax) {
		rs->final = true;
		return CRED_REJECTED_LAST;
	}
	return CRED_REJECTED;
}

enum cred_verdict
rootside_login(struct rootside *rs, void *buf, size_t n)
{
	static struct cred_login r;	/* static: wiped, never on a stack */
	struct auth_child	 c;
	enum cred_error		 e;
	enum auth_result	 res;
	enum cred_verdict	 v;
	const char		*why;
	char			 rec[POP3_AUTH_MAX];
	size_t			 len;

	e = cred_check_login(buf, n, &r);
	wipe(buf, n);
	if (e != CRED_OK) {
		wipe(&r, sizeof(r));
		log_msg(LOG_ERR, "reader sent a malformed login record "
		    "(%s), ip=[%s]: closing the connection",
		    cred_error_text(e), rs->peer);
		return CRED_REFUSED;
	}
	if ((why = policy_problem(rs, &r)) != NULL) {
		wipe(&r, sizeof(r));
		log_msg(LOG_ERR, "reader sent a login it may not (%s), "
		    "ip=[%s]: closing the connection", why, rs->peer);
		return CRED_REFUSED;
	}
	rs->tried = true;
	len = auth_record(rec, sizeof(rec), r.user, r.userlen, r.secret,
	    r.secretlen, r.stamp, r.stamplen);
	wipe(r.secret, sizeof(r.secret));
	if (len == 0)
		res = AUTH_REJECTED;	/* cannot fit fd 3: never runs */
	else if (auth_start(rs->argv, rec, len, rs->quiet_stderr, &c) == -1)
		res = AUTH_TEMPFAIL;
	else {
		/* CHECKPROG has its copy in the pipe; ours goes now. */
		wipe(rec, sizeof(rec));
		res = auth_wait(rs->argv, &c);
	}
	wipe(rec, sizeof(rec));
	switch (res) {
	case AUTH_SERVED:
		rs->final = true;
		v = CRED_SERVED;
		break;
	case AUTH_REJECTED:
		v = failed(rs, r.user, r.userlen);
		break;
	default:
		v = CRED_TEMPFAIL;
		break;
	}
	wipe(&r, sizeof(r));
	return v;
}

int
rootside_tls(struct rootside *rs)
{
	if (rs->tls != TLS_OFFERED && rs->tls != TLS_REQUIRED) {
		log_msg(LOG_ERR, "reader reported STLS that was not offered, "
		    "ip=[%s]: closing the connection", rs->peer);
		return -1;
	}
	if (!rs->shared_fds) {
		if (dup2(rs->tls_rd, 0) == -1 || dup2(rs->tls_wr, 1) == -1) {
			log_msg(LOG_ERR, "STLS: cannot switch to the TLS "
			    "wrapper: %s", strerror(errno));
			return -1;
		}
		(void)close(rs->tls_rd);
		(void)close(rs->tls_wr);
	}
	rs->tls_rd = rs->tls_wr = -1;
	rs->tls = TLS_ACTIVE;
	rs->secure = true;
	return 0;
}

int
rootside_endpoint(struct rootside *rs, const void *buf, size_t n)
{
	struct cred_peer	p;
	enum cred_error		e;
	char			addr[INET6_ADDRSTRLEN], port[8];
	char			daddr[INET6_ADDRSTRLEN], dport[8];

	if ((e = cred_check_peer(buf, n, &p)) != CRED_OK) {
		log_msg(LOG_ERR, "reader sent a malformed client endpoint "
		    "(%s), ip=[%s]", cred_error_text(e), rs->peer);
		return -1;
	}
	if (!rs->proxy_ok || rs->endpoint || rs->tried) {
		log_msg(LOG_ERR, "reader sent a client endpoint it may not "
		    "(%s), ip=[%s]", !rs->proxy_ok ? "PROXY not allowed" :
		    "too late", rs->peer);
		return -1;
	}
	if (inet_ntop(p.family == CRED_INET4 ? AF_INET : AF_INET6, p.addr,
	    addr, sizeof(addr)) == NULL ||
	    inet_ntop(p.dfamily == CRED_INET4 ? AF_INET : AF_INET6, p.daddr,
	    daddr, sizeof(daddr)) == NULL)
		return -1;
	(void)snprintf(port, sizeof(port), "%u", (unsigned)p.port);
	(void)snprintf(dport, sizeof(dport), "%u", (unsigned)p.dport);
	if (rootside_set_peer(rs, addr, port) == -1 ||
	    auth_export_proxy(daddr, dport) == -1) {
		log_msg(LOG_ERR, "cannot set the client endpoint: %s",
		    strerror(errno));
		return -1;
	}
	rs->endpoint = true;
	if (p.tls)
		rs->secure = true;
	return 0;
}

void
rootside_end(struct rootside *rs, enum session_end why)
{
	if (why != END_HANDOFF && why != END_QUIT)
		log_msg(LOG_INFO, "session ended before login: %s, ip=[%s]",
		    session_end_text(why), rs->peer);
}

static int
send_verdict(int sock, enum cred_verdict v)
{
	struct cred_short	m;

	m.type = CRED_MSG_VERDICT;
	m.value = (uint32_t)v;
	if (send(sock, &m, sizeof(m), MSG_NOSIGNAL) != (ssize_t)sizeof(m))
		return -1;
	return 0;
}

/* One message; 0 to go on, 1 when the reader is done, -1: kill it. */
static int
serve(struct rootside *rs, int sock, unsigned char *buf, size_t n)
{
	struct cred_log		l;
	enum cred_verdict	v;
	enum cred_error		e;
	uint32_t		why;

	switch (cred_type(buf, n)) {
	case CRED_MSG_LOGIN:
		v = rootside_login(rs, buf, n);
		if (v == CRED_REFUSED)
			return -1;
		if (send_verdict(sock, v) == -1)
			return 1;	/* the reader is gone; so are we */
		return 0;
	case CRED_MSG_TLS:
		if (cred_check_short(buf, n, CRED_MSG_TLS, 1, &why) !=
		    CRED_OK || rootside_tls(rs) == -1)
			break;
		return 0;
	case CRED_MSG_PEER:
		return rootside_endpoint(rs, buf, n) == -1 ? -1 : 0;
	case CRED_MSG_LOG:
		if (cred_check_log(buf, n, &l) != CRED_OK)
			break;
		/* The prefix keeps a reader from writing our lines. */
		log_msg((int)l.prio, "reader: %s", l.text);
		return 0;
	case CRED_MSG_END:
		if ((e = cred_check_short(buf, n, CRED_MSG_END,
		    END_FATAL + 1, &why)) != CRED_OK)
			break;
		rootside_end(rs, (enum session_end)why);
		return 1;
	default:
		break;
	}
	log_msg(LOG_ERR, "reader sent garbage (%zu bytes), ip=[%s]: "
	    "closing the connection", n, rs->peer);
	return -1;
}

/* Kills the reader if asked, waits for it, and logs a bad end. */
static void
reap(struct rootside *rs, pid_t reader, bool kill_it)
{
	int	status;

	if (kill_it)
		(void)kill(reader, SIGKILL);
	while (waitpid(reader, &status, 0) == -1) {
		if (errno != EINTR) {
			log_msg(LOG_ERR, "waitpid for the reader: %s",
			    strerror(errno));
			return;
		}
	}
	if (kill_it)
		return;
	if (WIFSIGNALED(status))
		log_msg(LOG_ERR, "reader killed by signal %d, ip=[%s]",
		    WTERMSIG(status), rs->peer);
	else if (WEXITSTATUS(status) != 0)
		log_msg(LOG_ERR, "reader exited %d, ip=[%s]",
		    WEXITSTATUS(status), rs->peer);
}

int
rootside_run(struct rootside *rs, int sock, pid_t reader, unsigned long secs)
{
	static unsigned char	buf[CRED_MSG_MAX];
	struct pollfd		pfd;
	long long		deadline, left;
	ssize_t			n;
	int			r = 0;
	bool			kill_it = false;

	deadline = io_now_ms() + (long long)(secs + POP3_AUTHZ_SLACK) * 1000;
	while (r == 0) {
		if (rs->final) {
			/* Served or refused for good: it only has to exit. */
			left = io_now_ms() + POP3_AUTHZ_SLACK * 1000;
			deadline = deadline < left ? left : deadline;
		}
		if ((left = deadline - io_now_ms()) <= 0) {
			log_msg(LOG_ERR, "reader overran the login deadline, "
			    "ip=[%s]: closing the connection", rs->peer);
			kill_it = true;
			break;
		}
		pfd.fd = sock;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, left > 1000000 ? 1000000 : (int)left) <= 0)
			continue;	/* EINTR, or time: checked above */
		n = recv(sock, buf, sizeof(buf), 0);
		if (n == 0)
			break;		/* the reader exited */
		if (n == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			log_msg(LOG_ERR, "reading from the reader: %s",
			    strerror(errno));
			kill_it = true;
			break;
		}
		r = serve(rs, sock, buf, (size_t)n);
		wipe(buf, sizeof(buf));
		kill_it = r == -1;
	}
	(void)close(sock);
	reap(rs, reader, kill_it);
	return POP3_EXIT_OK;
}

static enum cred_verdict
gate_login(void *ctx, struct cred_login *rec)
{
	return rootside_login(ctx, rec, sizeof(*rec));
}

static int
gate_tls(void *ctx)
{
	return rootside_tls(ctx);
}

static void
gate_end(void *ctx, enum session_end why)
{
	rootside_end(ctx, why);
}

void
rootside_gate(struct rootside *rs, struct gate *g)
{
	rs->shared_fds = true;
	g->login = gate_login;
	g->tls = gate_tls;
	g->end = gate_end;
	g->ctx = rs;
}
