/* SPDX-License-Identifier: ISC */
/*
 * pop3d.c: main, options, the two roles and their session limits.
 * The only file that decides to exit.
 *
 *	pop3d [options] CHECKPROG SUBPROG [ARG...]	AUTHORIZATION (front)
 *	pop3d -m MAILDIR [options]			TRANSACTION, UPDATE
 *
 * Both talk POP3 on fd 0 and fd 1; diagnostics go to the log (log.h).
 */
#define _DEFAULT_SOURCE		/* NSIG */

#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "params.h"
#include "auth.h"
#include "checkprog.h"
#include "io.h"
#include "log.h"
#include "login.h"
#include "maildir.h"
#include "migrate.h"
#include "policy.h"
#include "proto.h"
#include "proxy.h"
#include "proxyio.h"
#include "reader.h"
#include "rootside.h"
#include "sandbox.h"
#include "scan.h"
#include "session.h"
#include "trans.h"

struct options {
	const char	*maildir;	/* -m: the back end role */
	const char	*host;		/* -h: APOP stamp host */
	bool		 apop;		/* -a */
	bool		 cram;		/* -c */
	bool		 encrypted;	/* -E: the connection is TLS already */
	enum plain_policy policy;	/* -p */
	enum log_dest	 log;		/* -e, -s */
	unsigned long	 timeout;	/* -t */
	unsigned long	 badmax;	/* -b */
	unsigned long	 failmax;	/* -l */
	unsigned long	 delay;		/* -d */
	unsigned long	 maxmsgs;	/* -M */
	enum uidmap_kind oldids;	/* -U: the previous server's UIDLs */
	long		 expire;	/* -X: EXPIRE days, or POLICY_OFF */
	long		 trash;		/* -K: days in .Trash, or POLICY_OFF */
	long		 login_delay;	/* -L: LOGIN-DELAY secs, or POLICY_OFF */
	unsigned long	 authz_secs;	/* -A */
	const char	*user;		/* -u: the reader's account */
	const char	*emptydir;	/* -r: the reader's root */
	bool		 proxy;		/* -P: a PROXY header comes first */
	struct proxy_allow allow;	/* -P: from these peers only */
};

static void	usage(void) __attribute__((noreturn));
static unsigned long opt_num(const char *, unsigned long, unsigned long);
static int	front(const struct options *, char *[]);
static int	proxy_peer_ok(const struct options *);
static int	proxy_header(const struct options *, const char *,
		    struct authz *, int, struct rootside *);
static uint32_t	cred_addr(const struct proxy_addr *, uint8_t *);
static int	back(const struct options *);
static void	takeover(void);
static int	back_refuse(struct session *, const char *);
static bool	env_set(const char *);
static void	old_ids(struct migrate *, enum uidmap_kind, struct maildir *,
		    const char *);
static int	user_policy(const struct options *, long *, long *, long *,
		    const char *);
static int	login_delay(struct maildir *, long, const char *,
		    const char *);
static int	login_stamp_open(struct maildir *, long, const char *);
static void	login_stamp(int, const char *);
static void	signals_reset(void);

/*
 * A superserver or shell may hand us ignored or blocked signals: an
 * ignored SIGCHLD makes waitpid() fail, so every wrong password would
 * read as a temporary failure.  Both roles start from the defaults.
 */
static void
signals_reset(void)
{
	sigset_t	none;
	int		sig;

	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)signal(sig, SIG_DFL);	/* EINVAL: libc's own */
	(void)sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
}

static void
usage(void)
{
	/* Under inetd fd 2 is the client: the log is the only safe place. */
	log_init("pop3d", LOG_DEST_AUTO);
	log_msg(LOG_ERR, "bad command line; see pop3d(8)");
	if (!log_stderr_is_client())
		(void)fprintf(stderr, "usage: pop3d [-aceEs] [-A secs] "
		    "[-b bad] [-d delay] [-h host] [-l logins]\n"
		    "             [-p secure|loopback|any] [-P proxies] "
		    "[-r dir] [-t timeout]\n"
		    "             [-u user] [-L secs] [-X days]\n"
		    "             checkprog subprog [arg ...]\n"
		    "       pop3d -m maildir [-es] [-b bad] [-M messages] "
		    "[-t timeout]\n"
		    "             [-K days] [-L secs] [-U dovecot|courier] "
		    "[-X days]\n");
	exit(POP3_EXIT_USAGE);
}

static unsigned long
opt_num(const char *s, unsigned long min, unsigned long max)
{
	unsigned long	v;

	if (proto_number(s, strlen(s), &v) == -1 || v < min || v > max)
		usage();
	return v;
}

/* A variable that is set to something other than "" or "0". */
static bool
env_set(const char *name)
{
	const char	*v = getenv(name);

	return v != NULL && v[0] != '\0' && strcmp(v, "0") != 0;
}

/*
 * -P, on the root side before anything reads the client: the real
 * peer (TCPREMOTEIP or getpeername) must be an allowed proxy, or its
 * header is never read.  Returns 0, or -1 after logging why.
 */
static int
proxy_peer_ok(const struct options *o)
{
	struct proxy_addr	peer;
	char			ip[PROXY_ADDR_TEXT];

	if (proxy_real_peer(&peer) == -1) {
		log_msg(LOG_WARNING, "connection refused: -P is set, but the "
		    "peer has no IP address: %s", strerror(errno));
		return -1;
	}
	if (!proxy_allow_match(&o->allow, &peer)) {
		log_msg(LOG_WARNING, "connection refused: ip=[%s] is not an "
		    "allowed proxy (-P)", proxy_addr_text(&peer, ip,
		    sizeof(ip)));
		return -1;
	}
	return 0;
}

/*
 * -P, before the greeting (in the reader, if there is one): reads
 * the PROXY header and hands the client endpoint it names to the root
 * side, over sock, or straight to rs when there is no split (sock is
 * -1).  The parser's view (a) follows, for CAPA and the plaintext
 * policy; the root side checks the same with its own copy.  LOCAL and
 * UNKNOWN keep the real endpoints.  Returns 0, or -1 after logging
 * why the connection is to be closed.
 */
/* A PROXY address into a credential record's field: its family. */
static uint32_t
cred_addr(const struct proxy_addr *a, uint8_t *out)
{
	if (proxy_addr_v4(a)) {
		memcpy(out, a->a + 12, 4);
		return CRED_INET4;
	}
	memcpy(out, a->a, 16);
	return CRED_INET6;
}

static int
proxy_header(const struct options *o, const char *real, struct authz *a,
    int sock, struct rootside *rs)
{
	struct proxy_hdr	h;
	struct cred_peer	m;
	enum proxy_read		r;
	char			ip[PROXY_ADDR_TEXT];
	int			secs;

	secs = o->timeout < PROXY_SECS ? (int)o->timeout : PROXY_SECS;
	if ((r = proxy_read(0, secs, &h)) != PROXY_READ_OK) {
		log_msg(LOG_WARNING, "connection refused: %s from proxy "
		    "ip=[%s]%s%s", proxy_read_text(r), real,
		    r == PROXY_READ_ERROR ? ": " : "",
		    r == PROXY_READ_ERROR ? strerror(errno) : "");
		return -1;
	}
	if (h.local)
		return 0;
	memset(&m, 0, sizeof(m));
	m.type = CRED_MSG_PEER;
	m.family = cred_addr(&h.src, m.addr);
	m.port = h.sport;
	/* Where the client connected: TCPLOCALIP, TCPLOCALPORT. */
	m.dfamily = cred_addr(&h.dst, m.daddr);
	m.dport = h.dport;
	m.tls = h.ssl ? 1 : 0;
	if (sock != -1 ? send(sock, &m, sizeof(m), MSG_NOSIGNAL) !=
	    (ssize_t)sizeof(m) : rootside_endpoint(rs, &m, sizeof(m)) == -1) {
		log_msg(LOG_ERR, "cannot pass on the client endpoint: %s",
		    strerror(errno));
		return -1;
	}
	a->loopback = auth_is_loopback(proxy_addr_text(&h.src, ip,
	    sizeof(ip)));
	a->secure = a->secure || h.ssl;
	return 0;
}

/*
 * The front end.  As root it splits: the reader (reader.h) greets and
 * parses, the root side (rootside.h) runs CHECKPROG.  As a user the
 * same code runs in one process, the root side called directly.
 */
static int
front(const struct options *o, char *argv[])
{
	static struct session	s;
	static struct authz	a;
	static struct rootside	rs;
	static struct reader	rd;
	struct gate		gate;
	enum session_end	why;
	char			peer[64];
	int			sp[2], psock = -1;
	pid_t			pid;

	memset(&a, 0, sizeof(a));
	a.apop = o->apop;
	a.cram = o->cram;
	a.expire = o->expire;
	a.login_delay = o->login_delay;
	a.policy = o->policy;
	(void)log_peer(peer, sizeof(peer));
	a.loopback = auth_is_loopback(peer);
	auth_set_host(&a, o->host);
	/* One stamp per connection, for APOP and CRAM-MD5 alike. */
	if ((a.apop || a.cram) && (a.stamplen = auth_make_stamp(&a, a.stamp,
	    sizeof(a.stamp))) == 0) {
		log_msg(LOG_ERR, "cannot make the APOP stamp: %s",
		    strerror(errno));
		return POP3_EXIT_TEMP;
	}
	if (auth_tls_init(&a) == -1) {
		/* Never fall back to plaintext when TLS was asked for. */
		log_msg(LOG_ERR, "UCSPITLS is set, but SSLCTLFD, SSLREADFD "
		    "and SSLWRITEFD do not name open descriptors");
		return POP3_EXIT_TEMP;
	}
	/*
	 * Secure: the admin says so (-E, POP3D_SECURE, e.g. behind
	 * stunnel's pop3s listener) or a TLS wrapper does (sslserver
	 * and s6-tlsd set SSL_PROTOCOL).  A UCSPI-TLS wrapper runs us
	 * before any handshake, so there an SSL_PROTOCOL is stale and
	 * only STLS counts.
	 */
	a.secure = o->encrypted || env_set("POP3D_SECURE") ||
	    (a.tls == TLS_NONE && env_set("SSL_PROTOCOL"));
	/* inetd hands over the socket as fd 2 too: keep it from CHECKPROG. */
	rootside_init(&rs, &a, argv, (unsigned)o->failmax,
	    (unsigned)o->delay, log_stderr_is_client());
	if (rootside_set_peer(&rs, peer, NULL) == -1) {
		log_msg(LOG_ERR, "cannot set the environment: %s",
		    strerror(errno));
		return POP3_EXIT_TEMP;
	}
	if (o->proxy) {
		if (proxy_peer_ok(o) == -1)
			return POP3_EXIT_OK;	/* not a byte read or sent */
		rs.proxy_ok = true;
	}

	if (geteuid() != 0) {
		log_msg(LOG_INFO, "not started as root: no privilege "
		    "separation, one process parses and runs %s", argv[0]);
		rootside_gate(&rs, &gate);
	} else {
		if (reader_prepare(&rd, o->user, o->emptydir) == -1)
			return POP3_EXIT_TEMP;
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
		    sp) == -1) {
			log_msg(LOG_ERR, "socketpair: %s", strerror(errno));
			return POP3_EXIT_TEMP;
		}
		if ((pid = fork()) == -1) {
			log_msg(LOG_ERR, "fork: %s", strerror(errno));
			return POP3_EXIT_TEMP;
		}
		if (pid != 0) {
			(void)close(sp[1]);
			(void)close(rd.rootfd);
			return rootside_run(&rs, sp[0], pid, o->authz_secs);
		}
		(void)close(sp[0]);
		rd.sock = sp[1];
		psock = rd.sock;
		rd.tls_ctl = a.tls_ctl;
		rd.tls_rd = a.tls_rd;
		rd.tls_wr = a.tls_wr;
		wipe(&rs, sizeof(rs));	/* the root side's, not ours */
		if (reader_confine(&rd) == -1)
			return POP3_EXIT_TEMP;	/* not a word to the client */
		psock = rd.sock;	/* renumbered for the filter */
		a.tls_ctl = rd.tls_ctl;
		a.tls_rd = rd.tls_rd;
		a.tls_wr = rd.tls_wr;
		reader_gate(&rd, &gate);
	}
	if (o->proxy && proxy_header(o, peer, &a, psock, &rs) == -1)
		return POP3_EXIT_OK;	/* logged; the client gets nothing */

	session_init(&s, 0, 1, (int)o->timeout, true, (unsigned)o->badmax);
	session_deadline(&s, o->authz_secs);
	a.gate = &gate;
	s.authz = &a;
	s.handlers = authz_handlers;
	s.nhandlers = authz_nhandlers;
	reply_ok(&s, "POP3 server ready%s%s", a.apop ? " " : "",
	    a.apop ? a.stamp : "");
	why = session_run(&s);
	gate.end(gate.ctx, why);
	wipe(&a, sizeof(a));
	return POP3_EXIT_OK;
}

/*
 * Tells the front end, if there is one, that we answer the client
 * from now on (see auth.h).  Called before our first output.
 */
static void
takeover(void)
{
	const char	*v = getenv(AUTH_TAKEOVER_ENV);
	unsigned long	 fd;
	struct stat	 st;

	if (v == NULL || proto_number(v, strlen(v), &fd) == -1 || fd < 3 ||
	    fd > 1024)
		return;
	/* Only the pipe pop3d made; never some other inherited file. */
	if (fstat((int)fd, &st) == 0 && S_ISFIFO(st.st_mode)) {
		if (write((int)fd, "+", 1) != 1)
			log_msg(LOG_WARNING, "takeover pipe: %s",
			    strerror(errno));
		(void)close((int)fd);
	}
	(void)unsetenv(AUTH_TAKEOVER_ENV);
}

/* Answers the login with -ERR from the back end. */
static int
back_refuse(struct session *s, const char *text)
{
	takeover();
	reply_err(s, "%s", text);
	(void)session_flush(s);
	return POP3_EXIT_OK;	/* we answered: the front end stays silent */
}

/* -U: the unique-ids and order of the server the user comes from. */
static void
old_ids(struct migrate *mg, enum uidmap_kind kind, struct maildir *md,
    const char *user)
{
	const char	*file = uidmap_file(kind);

	switch (migrate_apply(mg, kind, md)) {
	case 1:
		log_msg(LOG_INFO, "user=%s: %zu of %zu messages keep their "
		    "unique-ids from %s", user, mg->mapped, md->count, file);
		break;
	case 0:
		log_msg(LOG_INFO, "user=%s: no %s; pop3d's own unique-ids",
		    user, file);
		break;
	default:
		if (mg->line > 0)
			log_msg(LOG_WARNING, "user=%s: %s ignored, line %zu: "
			    "%s; pop3d's own unique-ids", user, file,
			    mg->line, mg->why);
		else
			log_msg(LOG_WARNING, "user=%s: %s ignored: %s%s%s; "
			    "pop3d's own unique-ids", user, file, mg->why,
			    mg->error != 0 ? ": " : "",
			    mg->error != 0 ? strerror(mg->error) : "");
	}
}

/*
 * EXPIRE, LOGIN-DELAY and the trash for this user: POP3D_EXPIRE,
 * POP3D_LOGIN_DELAY and POP3D_TRASH, where the checkpassword program
 * set them, win over -X, -L and -K (policy.h).  A bad value refuses
 * the login rather than guess: -1.
 */
static int
user_policy(const struct options *o, long *expire, long *delay,
    long *trash, const char *user)
{
	if (policy_value(getenv("POP3D_EXPIRE"), o->expire, POP3_EXPIRE_MAX,
	    expire) == -1 || policy_value(getenv("POP3D_LOGIN_DELAY"),
	    o->login_delay, POP3_LOGIN_DELAY_MAX, delay) == -1 ||
	    policy_value(getenv("POP3D_TRASH"), o->trash, POP3_TRASH_MAX,
	    trash) == -1) {
		log_msg(LOG_ERR, "user=%s: POP3D_EXPIRE, POP3D_LOGIN_DELAY or "
		    "POP3D_TRASH is not a number in range or NEVER", user);
		return -1;
	}
	return 0;
}

/* LOGIN-DELAY: 1 if this login comes too soon (RFC 2449 s.8.1). */
static int
login_delay(struct maildir *md, long delay, const char *user,
    const char *peer)
{
	long	wait;

	if (delay == POLICY_OFF || delay == 0)
		return 0;
	if (policy_login_check(md->lockfd, delay, time(NULL), &wait) == 0)
		return 0;
	log_msg(LOG_NOTICE, "login too soon: user=%s, ip=[%s], LOGIN-DELAY "
	    "%ld, %ld seconds left", user, peer, delay, wait);
	return 1;
}

/*
 * LOGIN-DELAY's stamp, opened before the sandbox: an fd for
 * login_stamp(), or -1 if there is none to write.
 */
static int
login_stamp_open(struct maildir *md, long delay, const char *user)
{
	int	fd;

	if (delay == POLICY_OFF || delay == 0)
		return -1;
	if ((fd = policy_login_open(md->lockfd)) == -1)
		log_msg(LOG_WARNING, "user=%s: cannot record the login in "
		    "%s: %s", user, POLICY_STAMP, strerror(errno));
	return fd;
}

/* The login is accepted: it counts for LOGIN-DELAY from now. */
static void
login_stamp(int fd, const char *user)
{
	if (fd != -1 && policy_login_stamp(fd) == -1)
		log_msg(LOG_WARNING, "user=%s: cannot record the login in "
		    "%s: %s", user, POLICY_STAMP, strerror(errno));
}

/* The back end: runs as the mail user in HOME after checkpassword. */
static int
back(const struct options *o)
{
	static struct session	s;
	static struct maildir	md;
	static struct trans	t;
	static struct migrate	mg;
	struct sandbox_result	sb;
	const char		*u = getenv("USER");
	long			 expire, delay, trash;
	int			 stampfd;
	char			 counts[TRANS_LOGOUT_MAX];
	char			 user[128], peer[64];
	enum session_end	 why;

	(void)log_escape(user, sizeof(user), u != NULL ? u : "?",
	    u != NULL ? strlen(u) : 1);
	(void)log_peer(peer, sizeof(peer));
	session_init(&s, 0, 1, (int)o->timeout, false, (unsigned)o->badmax);
	maildir_init(&md, o->maxmsgs);

	/* qmail-pop3d's rule: mail is never served with root's powers. */
	if (getuid() == 0 || geteuid() == 0) {
		log_msg(LOG_ERR, "refusing to serve %s as root", o->maildir);
		return back_refuse(&s, "[SYS/PERM] mail access as root "
		    "refused; check the server set-up");
	}
	if (maildir_enter(&md, o->maildir) == -1) {
		if (errno == EWOULDBLOCK) {
			log_msg(LOG_NOTICE, "mailbox in use: user=%s, ip=[%s]",
			    user, peer);
			return back_refuse(&s, "[IN-USE] mailbox in use by "
			    "another session");
		}
		log_msg(LOG_ERR, "cannot open maildir %s: user=%s: %s",
		    o->maildir, user, strerror(errno));
		return back_refuse(&s, errno == ENOENT || errno == ENOTDIR ?
		    "[SYS/PERM] no mailbox" :
		    "[SYS/TEMP] cannot open mailbox");
	}
	if (user_policy(o, &expire, &delay, &trash, user) == -1)
		return back_refuse(&s, "[SYS/PERM] bad retention settings "
		    "for this account; check the server set-up");
	if (login_delay(&md, delay, user, peer) == 1)
		return back_refuse(&s, "[LOGIN-DELAY] minimum time between "
		    "logins not yet passed; try again later");
	if (maildir_scan(&md) == -1) {
		log_msg(LOG_ERR, "cannot scan maildir %s: user=%s: %s",
		    o->maildir, user, errno == EFBIG ?
		    "more messages than -M allows" : strerror(errno));
		return back_refuse(&s, errno == EFBIG ?
		    "[SYS/PERM] too many messages in mailbox" :
		    "[SYS/TEMP] cannot read mailbox");
	}
	if (md.skipped > 0)
		log_msg(LOG_WARNING, "user=%s: %zu unreadable messages left "
		    "out", user, md.skipped);
	if (o->oldids != UIDMAP_NONE)
		old_ids(&mg, o->oldids, &md, user);

	trans_begin(&t, &md);
	t.expire = expire;
	t.login_delay = delay;
	t.trash = trash;
	s.trans = &t;
	s.handlers = trans_handlers;
	s.nhandlers = trans_nhandlers;
	log_msg(LOG_INFO, "login: user=%s, ip=[%s], messages=%zu, "
	    "octets=%" PRIu64, user, peer, md.count, md.total);
	stampfd = login_stamp_open(&md, delay, user);
	/*
	 * Locked, scanned, every descriptor open, syslog connected and
	 * the time zone loaded by the line above: from here on only what
	 * TRANSACTION and UPDATE need (sandbox.h).
	 */
	if (!POP3D_SANDBOX)
		log_msg(LOG_NOTICE, "sandbox disabled at build time");
	else if (sandbox_enter(md.lockfd, &sb) == -1) {
		log_msg(LOG_ERR, "cannot enter the sandbox: user=%s: %s", user,
		    strerror(errno));
		if (stampfd != -1)
			(void)close(stampfd);	/* not stamped: no login */
		maildir_close(&md);
		return back_refuse(&s, "[SYS/TEMP] cannot open mailbox");
	} else if (!sb.landlock)
		log_msg(LOG_NOTICE, "sandbox without Landlock: %s",
		    sb.landlock_abi == 0 ? "the kernel has none" :
		    sb.landlock_abi == 1 ?
		    "ABI 1 cannot allow UPDATE's renames" :
		    strerror(sb.landlock_errno));
	takeover();
	/* Accepted: from here on it counts (LOGIN-DELAY, pop3d(8)). */
	login_stamp(stampfd, user);
	reply_ok(&s, "maildrop has %zu messages (%" PRIu64 " octets)",
	    md.count, md.total);
	why = session_run(&s);

	if (t.committed)
		log_msg(t.result.undeleted > 0 ? LOG_ERR : LOG_INFO,
		    "logout: user=%s, ip=[%s], %s", user, peer,
		    trans_logout(&t, counts, sizeof(counts)));
	else
		log_msg(LOG_INFO, "logout: user=%s, ip=[%s], %s: "
		    "nothing changed", user, peer, session_end_text(why));
	maildir_close(&md);
	migrate_free(&mg);
	/* We have answered the client, so 0 whatever happened (auth.h). */
	return POP3_EXIT_OK;
}

int
main(int argc, char *argv[])
{
	struct options	o;
	int		c;

	/* No open() may become fd 0, 1 or 2 and get protocol bytes. */
	if (fds_sane() == -1)
		return POP3_EXIT_TEMP;
	(void)umask(077);
	signals_reset();
	(void)signal(SIGPIPE, SIG_IGN);

	memset(&o, 0, sizeof(o));
	o.log = LOG_DEST_AUTO;
	o.timeout = POP3_IDLE_SECS;
	o.badmax = POP3_BAD_MAX;
	o.failmax = POP3_LOGIN_MAX;
	o.delay = POP3_FAIL_DELAY;
	o.maxmsgs = POP3_MSGS_MAX;
	o.policy = PLAIN_SECURE;
	o.authz_secs = POP3_AUTHZ_SECS;
	o.emptydir = POP3D_EMPTYDIR;
	o.expire = o.login_delay = o.trash = POLICY_OFF;
	opterr = 0;	/* getopt must not write to a client on fd 2 */
	/* "+": stop at CHECKPROG; its own options are not ours. */
	while ((c = getopt(argc, argv,
	    "+aA:b:cd:eEh:K:l:L:m:M:p:P:r:st:u:U:X:")) != -1) {
		switch (c) {
		case 'a':
			o.apop = true;
			break;
		case 'A':
			o.authz_secs = opt_num(optarg, 1, POP3_TIMEOUT_LIMIT);
			break;
		case 'b':
			o.badmax = opt_num(optarg, 1, 1000);
			break;
		case 'c':
			o.cram = true;
			break;
		case 'd':
			o.delay = opt_num(optarg, 0, POP3_FAIL_DELAY_MAX);
			break;
		case 'e':
			o.log = LOG_DEST_STDERR;
			break;
		case 'E':
			o.encrypted = true;
			break;
		case 'h':
			if (!proto_uidl_ok(optarg, strlen(optarg)) ||
			    strchr(optarg, '>') != NULL)
				usage();
			o.host = optarg;
			break;
		case 'l':
			o.failmax = opt_num(optarg, 1, 100);
			break;
		case 'm':
			o.maildir = optarg;
			break;
		case 'M':
			o.maxmsgs = opt_num(optarg, 1, POP3_MSGS_LIMIT);
			break;
		case 'p':
			if (strcmp(optarg, "secure") == 0)
				o.policy = PLAIN_SECURE;
			else if (strcmp(optarg, "loopback") == 0)
				o.policy = PLAIN_LOOPBACK;
			else if (strcmp(optarg, "any") == 0)
				o.policy = PLAIN_ANY;
			else
				usage();
			break;
		case 'r':
			if (optarg[0] != '/')
				usage();
			o.emptydir = optarg;
			break;
		case 'P':
			if (proxy_allow_parse(optarg, strlen(optarg),
			    &o.allow) == -1)
				usage();
			o.proxy = true;
			break;
		case 's':
			o.log = LOG_DEST_SYSLOG;
			break;
		case 'L':
			o.login_delay = (long)opt_num(optarg, 0,
			    POP3_LOGIN_DELAY_MAX);
			break;
		case 'X':
			o.expire = (long)opt_num(optarg, 0, POP3_EXPIRE_MAX);
			break;
		case 'K':
			o.trash = (long)opt_num(optarg, 0, POP3_TRASH_MAX);
			break;
		case 'U':
			if (strcmp(optarg, "dovecot") == 0)
				o.oldids = UIDMAP_DOVECOT;
			else if (strcmp(optarg, "courier") == 0)
				o.oldids = UIDMAP_COURIER;
			else
				usage();
			break;
		case 't':
			/* RFC 1939 s.3 wants 600 at least; tests need less. */
			o.timeout = opt_num(optarg, 1, POP3_TIMEOUT_LIMIT);
			break;
		case 'u':
			o.user = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	log_init("pop3d", o.log);

	if (o.maildir != NULL) {
		if (argc != 0)
			usage();
	} else if (o.trash != POLICY_OFF)
		usage();	/* -K is the back end's */
	if (o.maildir != NULL) {
		return back(&o);
	}
	if (argc < 2)
		usage();
	return front(&o, argv);
}
