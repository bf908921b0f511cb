/* SPDX-License-Identifier: ISC */
/*
 * checkprog.c: the checkpassword call, run by the root side: the
 * fd 3 record, the environment CHECKPROG gets, fork and exec, the
 * takeover pipe, the wait and the exit-status table (checkprog.h).
 * Nothing built from client bytes reaches the environment or a shell
 * (CVE-2020-7247 is why).
 */
#define _DEFAULT_SOURCE		/* setenv in the child */

#include "checkprog.h"

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
#include <unistd.h>

#include "io.h"
#include "log.h"

static void	child(char *const [], int, int, bool) __attribute__((noreturn));

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

int
auth_export_proxy(const char *localip, const char *localport)
{
	if (setenv("TCPLOCALIP", localip, 1) == -1 ||
	    setenv("TCPLOCALPORT", localport, 1) == -1 ||
	    unsetenv("TCPREMOTEHOST") == -1 ||
	    unsetenv("TCPREMOTEINFO") == -1 ||
	    unsetenv("TCPLOCALHOST") == -1)
		return -1;
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

int
auth_start(char *const argv[], const char *rec, size_t len,
    bool quiet_stderr, struct auth_child *c)
{
	int	recp[2], tkp[2];
	pid_t	pid;

	c->pid = -1;
	c->tkfd = -1;
	if (pipe(recp) == -1)
		return -1;
	if (pipe(tkp) == -1) {
		(void)close(recp[0]);
		(void)close(recp[1]);
		return -1;
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
	c->pid = pid;
	c->tkfd = tkp[0];
	return 0;
fail:
	(void)close(recp[0]);
	if (recp[1] != -1)
		(void)close(recp[1]);
	(void)close(tkp[0]);
	(void)close(tkp[1]);
	return -1;
}

enum auth_result
auth_wait(char *const argv[], struct auth_child *c)
{
	int	status;
	char	ch;
	bool	took;

	while (waitpid(c->pid, &status, 0) == -1) {
		if (errno != EINTR) {
			log_msg(LOG_ERR, "waitpid for %s: %s", argv[0],
			    strerror(errno));
			(void)close(c->tkfd);
			return AUTH_TEMPFAIL;
		}
	}
	took = read(c->tkfd, &ch, 1) == 1;
	(void)close(c->tkfd);
	if (WIFSIGNALED(status))
		log_msg(LOG_ERR, "%s killed by signal %d%s", argv[0],
		    WTERMSIG(status), took ? " after login" : "");
	else if (!took && WEXITSTATUS(status) != 0 &&
	    WEXITSTATUS(status) != 1)
		log_msg(LOG_ERR, "%s exited %d", argv[0], WEXITSTATUS(status));
	return auth_classify(status, took);
}

enum auth_result
auth_run(char *const argv[], const char *rec, size_t len, bool quiet_stderr)
{
	struct auth_child	c;

	if (auth_start(argv, rec, len, quiet_stderr, &c) == -1)
		return AUTH_TEMPFAIL;
	return auth_wait(argv, &c);
}
