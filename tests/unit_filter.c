/* SPDX-License-Identifier: ISC */
/*
 * tests/unit_filter.c: the seccomp programs compiled into pop3d
 * (filter.h).  First, each is what libseccomp makes from the rules of
 * rules.c now, instruction for instruction, so the generated
 * filterbpf.h cannot drift from the rules (nor from the libseccomp of
 * the machine).  Then the reader's two programs, loaded in a child
 * each: what they allow works, what they do not kills (the back end's
 * program is tested the same way by tests/unit_sandbox).
 */
#define _GNU_SOURCE		/* dup3 */

#include "../filter.h"
#include "../params.h"
#include "../rules.h"

#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static const char	*check_prog = "unit_filter";

static int	c_write_sock(void);
static int	c_write_client(void);
static int	c_write_ctl(void);
static int	c_write_stderr(void);
static int	c_read_client(void);
static int	c_dup2_client(void);
static int	c_dup2_stderr(void);
static int	c_socket(void);
static int	c_open(void);
static int	c_execve(void);
static int	c_getpid(void);
static int	c_kill(void);
static void	test_same(void);
static void	test_reader(void);

static const struct {
	const char	*name;
	enum filter_id	 id;
	int		(*fn)(void);
	bool		 killed;
} cases[] = {
	{ "write-sock",		FILTER_READER,		c_write_sock,	false },
	{ "write-client",	FILTER_READER,		c_write_client,	false },
	{ "write-ctl",		FILTER_READER,		c_write_ctl,	true },
	{ "write-stderr",	FILTER_READER,		c_write_stderr,	true },
	{ "read-client",	FILTER_READER,		c_read_client,	false },
	{ "dup2-client",	FILTER_READER,		c_dup2_client,	false },
	{ "dup2-stderr",	FILTER_READER,		c_dup2_stderr,	true },
	{ "socket",		FILTER_READER,		c_socket,	true },
	{ "open",		FILTER_READER,		c_open,		true },
	{ "execve",		FILTER_READER,		c_execve,	true },
	{ "getpid",		FILTER_READER,		c_getpid,	true },
	{ "kill",		FILTER_READER,		c_kill,		true },
	{ "tls-write-ctl",	FILTER_READER_TLS,	c_write_ctl,	false },
	{ "tls-write-sock",	FILTER_READER_TLS,	c_write_sock,	false },
	{ "tls-write-stderr",	FILTER_READER_TLS,	c_write_stderr,	true },
	{ "tls-socket",		FILTER_READER_TLS,	c_socket,	true },
	{ "tls-open",		FILTER_READER_TLS,	c_open,		true },
};

static int
c_write_sock(void)
{
	return write(READER_FD_SOCK, "x", 1) == 1 ? 0 : -1;
}

static int
c_write_client(void)
{
	return write(1, "x", 1) == 1 ? 0 : -1;
}

static int
c_write_ctl(void)
{
	return write(READER_FD_TLS_CTL, "Y", 1) == 1 ? 0 : -1;
}

static int
c_write_stderr(void)
{
	return write(2, "x", 1) == 1 ? 0 : -1;
}

static int
c_read_client(void)
{
	char	c;

	return read(0, &c, 1) == -1 ? -1 : 0;
}

/* STLS: the wrapper's descriptors become 0 and 1. */
static int
c_dup2_client(void)
{
	return dup2(READER_FD_TLS_RD, 0) == -1 ? -1 : 0;
}

static int
c_dup2_stderr(void)
{
	return dup2(READER_FD_TLS_RD, 2) == -1 ? -1 : 0;
}

static int
c_socket(void)
{
	return socket(AF_INET, SOCK_STREAM, 0) == -1 ? -1 : 0;
}

static int
c_open(void)
{
	return open("/dev/null", O_WRONLY) == -1 ? -1 : 0;
}

static int
c_execve(void)
{
	char *const	argv[] = { "true", NULL };

	return execve("/bin/true", argv, argv + 1);
}

/* Raw, so no C library cache can answer instead of the kernel. */
static int
c_getpid(void)
{
	return syscall(SYS_getpid) > 0 ? 0 : -1;
}

static int
c_kill(void)
{
	return kill(getppid(), 0);
}

/* The compiled-in programs are libseccomp's from the rules, exactly. */
static void
test_same(void)
{
	static struct sock_filter	 now[BPF_MAXINSNS];
	const struct sock_filter	*built;
	size_t				 len, i;
	long				 n;
	int				 id;

	for (id = 0; id < FILTER_COUNT; id++) {
		built = filter_program((enum filter_id)id, &len);
		n = rules_export((enum filter_id)id, now, BPF_MAXINSNS);
		/*
		 * valgrind does not know seccomp(2), with which libseccomp
		 * asks the kernel what it supports: no program can be made
		 * under it (mkfilter made these outside it, from the same
		 * code, or the build would have stopped).
		 */
		if (n == -1 && getenv("POP3D_SANITIZED") != NULL) {
			printf("skip unit_filter:%s: libseccomp cannot ask "
			    "the kernel here (%s)\n",
			    rules_name((enum filter_id)id), strerror(errno));
			continue;
		}
		CHECK(built != NULL && n > 0 && (size_t)n == len);
		if (built == NULL || n <= 0 || (size_t)n != len) {
			fprintf(stderr, "unit_filter: %s: %zu instructions "
			    "built in, %ld from libseccomp now\n",
			    rules_name((enum filter_id)id), len, n);
			continue;
		}
		for (i = 0; i < len; i++)
			if (memcmp(&built[i], &now[i], sizeof(now[i])) != 0)
				break;
		CHECK(i == len);
		if (i < len)
			fprintf(stderr, "unit_filter: %s: instruction %zu "
			    "differs\n", rules_name((enum filter_id)id), i);
	}
	/* Out of range: refused, nothing loaded. */
	CHECK(filter_program(FILTER_COUNT, &len) == NULL && len == 0);
	CHECK(filter_load(FILTER_COUNT) == -1 && errno == EINVAL);
}

/*
 * Each case in a child with the reader's descriptors in place
 * (/dev/null, which takes any write), its program loaded, one call.
 */
static void
test_reader(void)
{
	size_t	i;
	pid_t	pid;
	int	st, fd, null;
	bool	ok;

	for (i = 0; i < nitems(cases); i++) {
		if ((pid = fork()) == -1) {
			CHECK(pid != -1);
			return;
		}
		if (pid == 0) {
			if ((null = open("/dev/null", O_RDWR)) == -1)
				_exit(3);
			for (fd = 0; fd <= READER_FD_TLS_WR; fd++)
				if (fd != null && dup2(null, fd) == -1)
					_exit(3);
			if (null > READER_FD_TLS_WR)
				(void)close(null);
			if (filter_load(cases[i].id) == -1)
				_exit(3);
			_exit(cases[i].fn() == -1 ? 2 : 0);
		}
		if (waitpid(pid, &st, 0) == -1) {
			CHECK(0);
			return;
		}
		if (cases[i].killed)
			ok = WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS;
		else
			ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
		printf("%s unit_filter:%s\n", ok ? "ok" : "FAIL",
		    cases[i].name);
		if (!ok) {
			fprintf(stderr, "unit_filter:%s: status 0x%x\n",
			    cases[i].name, (unsigned)st);
			check_any = 1;
		}
	}
}

int
main(void)
{
	RUN(test_same);
	if (getenv("POP3D_SANITIZED") != NULL)
		printf("skip unit_filter:reader: sanitizer build\n");
	else
		test_reader();
	return check_exit();
}
