/*
 * auth.c: the AUTHORIZATION state and the checkpassword call (see
 * auth.h for the exit-status table).  Handles passwords: every buffer
 * that held one is wiped, nothing of a password is ever logged, and
 * nothing built from client bytes reaches the environment or a shell
 * (CVE-2020-7247 is why).  Fixed buffers only.
 */
#define _DEFAULT_SOURCE		/* setenv in the child, getrandom */

#include "auth.h"

#include <sys/random.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "io.h"
#include "log.h"
#include "proto.h"
#include "sasl.h"

static void	cmd_capa(struct session *, const struct command *);
static void	cmd_user(struct session *, const struct command *);
static void	cmd_pass(struct session *, const struct command *);
static void	cmd_apop(struct session *, const struct command *);
static void	cmd_stls(struct session *, const struct command *);
static void	cmd_quit(struct session *, const struct command *);
static void	login_failed(struct session *, const char *, size_t);
static int	env_fd(const char *);
static void	child(char *const [], int, int, bool) __attribute__((noreturn));

static const char no_plain[] = "[AUTH] plaintext authentication is "
    "disabled on an insecure connection";

const struct handler authz_handlers[] = {
	{ VERB_CAPA, ARG_NONE,		cmd_capa },
	{ VERB_USER, ARG_REQUIRED,	cmd_user },
	{ VERB_PASS, ARG_REQUIRED,	cmd_pass },
	{ VERB_APOP, ARG_REQUIRED,	cmd_apop },
	{ VERB_AUTH, ARG_OPTIONAL,	sasl_auth },
	{ VERB_STLS, ARG_NONE,		cmd_stls },
	{ VERB_QUIT, ARG_NONE,		cmd_quit },
};
const size_t authz_nhandlers = nitems(authz_handlers);

/* RFC 2449 s.5: what works in this state, and nothing else. */
static void
cmd_capa(struct session *s, const struct command *cmd)
{
	struct authz	*a = s->authz;

	(void)cmd;
	reply_ok(s, "capability list follows");
	/* RFC 2595 s.4: STLS is not listed once TLS is active. */
	if (a->tls == TLS_OFFERED || a->tls == TLS_REQUIRED)
		reply_line(s, "STLS");
	if (a->tls != TLS_REQUIRED) {
		if (auth_plain_ok(a))
			reply_line(s, "USER");
		if (*sasl_mechs(a) != '\0')
			reply_line(s, "SASL%s", sasl_mechs(a));
	}
	reply_line(s, "TOP");
	reply_line(s, "UIDL");
	reply_line(s, "PIPELINING");
	reply_line(s, "RESP-CODES");
	reply_line(s, "AUTH-RESP-CODE");
	/* RFC 2449 s.6.5, s.6.7: USER, as checkpassword may vary them. */
	if (a->expire >= 0)
		reply_line(s, "EXPIRE %ld USER", a->expire);
	if (a->login_delay > 0)
		reply_line(s, "LOGIN-DELAY %ld USER", a->login_delay);
	reply_line(s, "IMPLEMENTATION pop3d");
	reply_line(s, ".");
}

bool
auth_may_login(struct session *s)
{
	if (s->authz->tls == TLS_REQUIRED) {
		reply_err(s, "[AUTH] TLS is required: send STLS first");
		return false;
	}
	return true;
}

/* RFC 1939 s.7: the reply must not reveal whether the user exists. */
static void
cmd_user(struct session *s, const struct command *cmd)
{
	struct authz	*a = s->authz;

	if (!auth_may_login(s))
		return;
	if (!auth_plain_ok(a)) {
		reply_err(s, "%s", no_plain);
		return;
	}
	if (!proto_user_ok(cmd->arg, cmd->arglen)) {
		bad_command(s, "invalid user name");
		return;
	}
	memcpy(a->user, cmd->arg, cmd->arglen);
	a->userlen = cmd->arglen;
	reply_ok(s, "send PASS");
}

static void
cmd_pass(struct session *s, const struct command *cmd)
{
	struct authz	*a = s->authz;
	size_t		 ulen = a->userlen;

	if (!auth_may_login(s))
		return;
	if (!auth_plain_ok(a)) {
		reply_err(s, "%s", no_plain);
		return;
	}
	if (ulen == 0) {
		reply_err(s, "send USER first");
		return;
	}
	a->userlen = 0;		/* RFC 1939 s.7: a new attempt needs USER */
	/* PASS takes the rest of the line, spaces included (s.7). */
	auth_login(s, a->user, ulen, cmd->arg, cmd->arglen, "", 0);
	wipe(a->user, sizeof(a->user));
}

static void
cmd_apop(struct session *s, const struct command *cmd)
{
	struct authz	*a = s->authz;
	struct span	 name, digest;

	if (!a->apop) {
		reply_err(s, "APOP is not enabled");
		return;
	}
	if (!auth_may_login(s))
		return;
	if (proto_split_last(cmd->arg, cmd->arglen, &name, &digest) == -1 ||
	    !proto_user_ok(name.p, name.len) ||
	    !proto_hex_digest(digest.p, digest.len)) {
		bad_command(s, "usage: APOP name digest (32 lower-case hex)");
		return;
	}
	a->userlen = 0;
	auth_login(s, name.p, name.len, digest.p, digest.len, a->stamp,
	    a->stamplen);
}

/*
 * RFC 2595 s.4: STLS through a UCSPI-TLS wrapper.  The +OK goes out
 * in the clear, then the wrapper takes over fds 0 and 1.  Nothing
 * read before the switch survives it: the front end never reads past
 * a line, and the buffer is dropped anyway (CVE-2011-0411).
 */
static void
cmd_stls(struct session *s, const struct command *cmd)
{
	struct authz	*a = s->authz;

	(void)cmd;
	if (a->tls == TLS_ACTIVE) {
		reply_err(s, "command not permitted when TLS active");
		return;
	}
	if (a->tls == TLS_NONE) {
		reply_err(s, "STLS is not available here");
		return;
	}
	reply_ok(s, "begin TLS negotiation");
	if (session_flush(s) == -1)
		return;
	if (write(a->tls_ctl, "Y", 1) != 1 || dup2(a->tls_rd, 0) == -1 ||
	    dup2(a->tls_wr, 1) == -1) {
		log_msg(LOG_ERR, "STLS: cannot switch to the TLS wrapper: %s",
		    strerror(errno));
		session_end(s, END_FATAL);
		return;
	}
	(void)close(a->tls_rd);		/* fds 0 and 1 carry them now */
	(void)close(a->tls_wr);
	io_discard(&s->in);
	s->in.nopeek = false;		/* fd 0 is a different file now */
	a->tls = TLS_ACTIVE;
	a->secure = true;
	/* RFC 2595 s.4: forget what the client said before. */
	a->userlen = 0;
	wipe(a->user, sizeof(a->user));
}

static void
cmd_quit(struct session *s, const struct command *cmd)
{
	(void)cmd;
	/* RFC 1939 s.6: QUIT before login enters no UPDATE state. */
	reply_ok(s, "bye");
	session_end(s, END_QUIT);
}

static void
login_failed(struct session *s, const char *user, size_t ulen)
{
	struct authz	*a = s->authz;
	struct timespec	 ts;
	char		 esc[128];
	unsigned	 delay = a->delay;

	a->fails++;
	log_msg(LOG_NOTICE, "LOGIN FAILED, user=%s, ip=[%s]",
	    log_escape(esc, sizeof(esc), user, ulen), a->peer);
	/* The brake doubles with each failure, up to a ceiling. */
	if (delay > 0 && a->fails > 1)
		delay <<= a->fails - 1 < 5 ? a->fails - 1 : 5;
	if (delay > POP3_FAIL_DELAY_MAX)
		delay = POP3_FAIL_DELAY_MAX;
	ts.tv_sec = (time_t)delay;
	ts.tv_nsec = 0;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		continue;
	if (a->fails >= a->failmax) {
		reply_err(s, "[AUTH] authentication failed; too many "
		    "failures, closing connection");
		session_end(s, END_LOGINS);
	} else
		reply_err(s, "[AUTH] authentication failed");
}

void
auth_login(struct session *s, const char *user, size_t ulen,
    const char *pass, size_t plen, const char *stamp, size_t slen)
{
	struct authz	*a = s->authz;
	char		 rec[POP3_AUTH_MAX];
	size_t		 len;

	len = auth_record(rec, sizeof(rec), user, ulen, pass, plen, stamp,
	    slen);
	if (len == 0) {
		login_failed(s, user, ulen);
		return;
	}
	/* Everything we said must reach the client before the back end. */
	if (session_flush(s) == -1) {
		wipe(rec, sizeof(rec));
		reply_err(s, "[SYS/TEMP] write failed");
		return;
	}
	switch (auth_run(a->argv, rec, len, a->quiet_stderr)) {
	case AUTH_SERVED:
		session_end(s, END_HANDOFF);
		break;
	case AUTH_REJECTED:
		login_failed(s, user, ulen);
		break;
	case AUTH_TEMPFAIL:
	case AUTH_CRASHED:
		reply_err(s, "[SYS/TEMP] temporary failure, try again later");
		break;
	}
	wipe(rec, sizeof(rec));
}

bool
auth_plain_ok(const struct authz *a)
{
	switch (a->policy) {
	case PLAIN_ANY:
		return true;
	case PLAIN_LOOPBACK:
		return a->secure || a->loopback;
	case PLAIN_SECURE:
		break;
	}
	return a->secure;
}

bool
auth_is_loopback(const char *addr)
{
	struct in6_addr	a6;
	struct in_addr	a4;

	if (inet_pton(AF_INET, addr, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, addr, &a6) != 1)
		return false;
	/* ::ffff:127.x.y.z is IPv4 loopback written the IPv6 way. */
	return IN6_IS_ADDR_LOOPBACK(&a6) ||
	    (IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127);
}

int
auth_export_env(const char *peer)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sl = sizeof(ss);
	char			 ip[INET6_ADDRSTRLEN], port[8];
	const void		*a;
	unsigned		 p;
	int			 af;

	if (getenv("TCPREMOTEIP") == NULL && strcmp(peer, "unknown") != 0 &&
	    setenv("TCPREMOTEIP", peer, 1) == -1)
		return -1;
	if (getenv("TCPLOCALIP") != NULL ||
	    getsockname(0, (struct sockaddr *)&ss, &sl) == -1)
		return 0;	/* told already, or not a socket */
	af = ss.ss_family;
	if (af == AF_INET) {
		a = &((struct sockaddr_in *)&ss)->sin_addr;
		p = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	} else if (af == AF_INET6) {
		a = &((struct sockaddr_in6 *)&ss)->sin6_addr;
		p = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
		/* A dual-stack socket: show ::ffff:a.b.c.d as a.b.c.d. */
		if (IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)a)) {
			a = &((const struct in6_addr *)a)->s6_addr[12];
			af = AF_INET;
		}
	} else
		return 0;
	if (inet_ntop(af, a, ip, sizeof(ip)) == NULL)
		return 0;
	(void)snprintf(port, sizeof(port), "%u", p);
	if (setenv("TCPLOCALIP", ip, 1) == -1 ||
	    setenv("TCPLOCALPORT", port, 1) == -1)
		return -1;
	return 0;
}

void
auth_set_host(struct authz *a, const char *host)
{
	size_t	i;

	if (host != NULL)
		(void)snprintf(a->host, sizeof(a->host), "%s", host);
	else if (gethostname(a->host, sizeof(a->host)) == -1)
		a->host[0] = '\0';
	a->host[sizeof(a->host) - 1] = '\0';
	/* The name goes into a msg-id (RFC 1939 s.7): letters only. */
	for (i = 0; a->host[i] != '\0'; i++)
		if (!((a->host[i] >= 'a' && a->host[i] <= 'z') ||
		    (a->host[i] >= 'A' && a->host[i] <= 'Z') ||
		    (a->host[i] >= '0' && a->host[i] <= '9') ||
		    a->host[i] == '.' || a->host[i] == '-'))
			break;
	if (i == 0 || a->host[i] != '\0')
		(void)snprintf(a->host, sizeof(a->host), "localhost");
}

size_t
auth_make_stamp(const struct authz *a, char *buf, size_t size)
{
	unsigned char		 rnd[8];
	unsigned long long	 r = 0;
	size_t			 i;
	int			 n;

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return 0;
	for (i = 0; i < sizeof(rnd); i++)
		r = r << 8 | rnd[i];
	/* pid and time alone repeat across PID namespaces and reboots. */
	n = snprintf(buf, size, "<%ld.%lld.%016llx@%s>", (long)getpid(),
	    (long long)time(NULL), r, a->host);
	if (n < 0 || (size_t)n >= size) {
		errno = ENAMETOOLONG;
		return 0;
	}
	return (size_t)n;
}

/* A descriptor number from the environment that is open; else -1. */
static int
env_fd(const char *name)
{
	const char	*v = getenv(name);
	unsigned long	 fd;

	if (v == NULL || proto_number(v, strlen(v), &fd) == -1 ||
	    fd > 65535 || fcntl((int)fd, F_GETFD) == -1)
		return -1;
	return (int)fd;
}

int
auth_tls_init(struct authz *a)
{
	const char	*u = getenv("UCSPITLS");

	a->tls = TLS_NONE;
	a->tls_ctl = a->tls_rd = a->tls_wr = -1;
	/* The UCSPI-TLS convention: unset or "-" means no TLS. */
	if (u == NULL || strcmp(u, "-") == 0 || getenv("DISABLETLS") != NULL)
		return 0;
	a->tls_ctl = env_fd("SSLCTLFD");
	a->tls_rd = env_fd("SSLREADFD");
	a->tls_wr = env_fd("SSLWRITEFD");
	if (a->tls_ctl == -1 || a->tls_rd == -1 || a->tls_wr == -1 ||
	    a->tls_rd <= 2 || a->tls_wr <= 2 || a->tls_ctl <= 2) {
		errno = EBADF;
		return -1;
	}
	a->tls = strcmp(u, "!") == 0 ? TLS_REQUIRED : TLS_OFFERED;
	return 0;
}

size_t
auth_record(char *buf, size_t size, const char *user, size_t ulen,
    const char *pass, size_t plen, const char *stamp, size_t slen)
{
	if (ulen == 0 || plen == 0)
		return 0;
	if (memchr(user, '\0', ulen) != NULL ||
	    memchr(pass, '\0', plen) != NULL ||
	    memchr(stamp, '\0', slen) != NULL)
		return 0;	/* proto.c rejects NUL too; check again here */
	/* i.e. ulen + plen + slen + 3 > size, without overflow */
	if (size < 3 || ulen > size - 3 || plen > size - 3 - ulen ||
	    slen > size - 3 - ulen - plen)
		return 0;
	memcpy(buf, user, ulen);
	buf[ulen] = '\0';
	memcpy(buf + ulen + 1, pass, plen);
	buf[ulen + 1 + plen] = '\0';
	memcpy(buf + ulen + plen + 2, stamp, slen);
	buf[ulen + plen + slen + 2] = '\0';
	return ulen + plen + slen + 3;
}

enum auth_result
auth_classify(int wstatus, bool took_over)
{
	if (took_over)
		return AUTH_SERVED;
	if (!WIFEXITED(wstatus))
		return AUTH_CRASHED;
	switch (WEXITSTATUS(wstatus)) {
	case 0:
		return AUTH_SERVED;
	case POP3_EXIT_TEMP:
		return AUTH_TEMPFAIL;
	default:		/* 1, and anything unexpected */
		return AUTH_REJECTED;
	}
}

/* In the forked child: arrange descriptors 2, 3 and 4, then exec. */
static void
child(char *const argv[], int recfd, int tkfd, bool quiet_stderr)
{
	char	num[16];
	int	r, t, null;

	/* Out of the way first, so one dup2 cannot clobber the other. */
	if ((r = fcntl(recfd, F_DUPFD, 10)) == -1 ||
	    (t = fcntl(tkfd, F_DUPFD, 10)) == -1 ||
	    dup2(r, 3) == -1 || dup2(t, AUTH_TAKEOVER_FD) == -1)
		_exit(POP3_EXIT_TEMP);
	if (quiet_stderr) {
		if ((null = open("/dev/null", O_WRONLY)) == -1 ||
		    dup2(null, 2) == -1)
			_exit(POP3_EXIT_TEMP);
	}
	close_from(AUTH_TAKEOVER_FD + 1);
	(void)snprintf(num, sizeof(num), "%d", AUTH_TAKEOVER_FD);
	/* The wrapper's descriptors are the front end's business only. */
	if (setenv(AUTH_TAKEOVER_ENV, num, 1) == -1 ||
	    unsetenv("SSLCTLFD") == -1 || unsetenv("SSLREADFD") == -1 ||
	    unsetenv("SSLWRITEFD") == -1 || unsetenv("UCSPITLS") == -1)
		_exit(POP3_EXIT_TEMP);
	/* An ignored SIGPIPE would survive exec; give the default back. */
	(void)signal(SIGPIPE, SIG_DFL);
	(void)execvp(argv[0], argv);
	log_msg(LOG_ERR, "cannot run %s: %s", argv[0], strerror(errno));
	/* Only a forked child exits outside pop3d.c; it has no session. */
	_exit(POP3_EXIT_TEMP);
}

enum auth_result
auth_run(char *const argv[], const char *rec, size_t len, bool quiet_stderr)
{
	int	recp[2], tkp[2], status;
	pid_t	pid;
	char	c;
	bool	took;

	if (pipe(recp) == -1)
		return AUTH_TEMPFAIL;
	if (pipe(tkp) == -1) {
		(void)close(recp[0]);
		(void)close(recp[1]);
		return AUTH_TEMPFAIL;
	}
	/* A grandchild may keep the write end; never wait for it. */
	if (fcntl(tkp[0], F_SETFL, O_NONBLOCK) == -1 ||
	    fcntl(tkp[0], F_SETFD, FD_CLOEXEC) == -1)
		goto fail;
	/* At most 512 bytes: always fits the pipe, so this cannot block. */
	if (write(recp[1], rec, len) != (ssize_t)len) {
		log_msg(LOG_ERR, "cannot write the login record: %s",
		    strerror(errno));
		goto fail;
	}
	(void)close(recp[1]);
	recp[1] = -1;
	if ((pid = fork()) == -1) {
		log_msg(LOG_ERR, "fork: %s", strerror(errno));
		goto fail;
	}
	if (pid == 0) {
		(void)close(tkp[0]);
		child(argv, recp[0], tkp[1], quiet_stderr);
	}
	(void)close(recp[0]);
	(void)close(tkp[1]);
	while (waitpid(pid, &status, 0) == -1) {
		if (errno != EINTR) {
			(void)close(tkp[0]);
			return AUTH_TEMPFAIL;
		}
	}
	took = read(tkp[0], &c, 1) == 1;
	(void)close(tkp[0]);
	if (WIFSIGNALED(status))
		log_msg(LOG_ERR, "%s killed by signal %d%s", argv[0],
		    WTERMSIG(status), took ? " after login" : "");
	else if (!took && WEXITSTATUS(status) != 0 &&
	    WEXITSTATUS(status) != 1)
		log_msg(LOG_ERR, "%s exited %d", argv[0], WEXITSTATUS(status));
	return auth_classify(status, took);
fail:
	(void)close(recp[0]);
	if (recp[1] != -1)
		(void)close(recp[1]);
	(void)close(tkp[0]);
	(void)close(tkp[1]);
	return AUTH_TEMPFAIL;
}
