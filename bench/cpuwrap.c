/* SPDX-License-Identifier: ISC */
/*
 * bench/cpuwrap.c: runs a program and logs the CPU time it used, for
 * the deployed-path benchmark's split of a login's CPU time.
 *
 *	cpuwrap LOG [VAR=VALUE ...] program [arg ...]
 *
 * Forks; the child sets the variables and executes program with every
 * descriptor and the rest of the environment as they are (fd 3 of a
 * checkpassword program included).  The parent waits for it and
 * appends one line "child-cpu-ns self-cpu-ns" to LOG (O_APPEND, one
 * write(2)): the user + system time of the child and everything it
 * waited for (wait4), and the parent's own.  It exits as the child
 * did, or kills itself with the child's signal.  Only for measuring:
 * it is never installed.
 */
#define _GNU_SOURCE

#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static long long
tv_ns(const struct timeval *u, const struct timeval *s)
{
	return ((long long)u->tv_sec + s->tv_sec) * 1000000000LL +
	    ((long long)u->tv_usec + s->tv_usec) * 1000LL;
}

int
main(int argc, char *argv[])
{
	struct rusage	 ru, self;
	char		 line[64];
	pid_t		 pid;
	int		 i, fd, n, status;

	if (argc < 3)
		errx(111, "usage: cpuwrap LOG [VAR=VALUE ...] program "
		    "[arg ...]");
	for (i = 2; i < argc && strchr(argv[i], '=') != NULL; i++)
		continue;
	if (i == argc)
		errx(111, "no program");
	if ((pid = fork()) == -1)
		err(111, "fork");
	if (pid == 0) {
		int	j;

		for (j = 2; j < i; j++)
			if (putenv(argv[j]) != 0)
				err(111, "putenv");
		execvp(argv[i], argv + i);
		err(111, "exec %s", argv[i]);
	}
	while (wait4(pid, &status, 0, &ru) == -1)
		if (errno != EINTR)
			err(111, "wait4");
	if (getrusage(RUSAGE_SELF, &self) == -1)
		err(111, "getrusage");
	n = snprintf(line, sizeof(line), "%lld %lld\n",
	    tv_ns(&ru.ru_utime, &ru.ru_stime),
	    tv_ns(&self.ru_utime, &self.ru_stime));
	if (n > 0 && (size_t)n < sizeof(line) &&
	    (fd = open(argv[1], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0644)) != -1) {
		(void)write(fd, line, (size_t)n);
		(void)close(fd);
	}
	if (WIFSIGNALED(status)) {
		(void)signal(WTERMSIG(status), SIG_DFL);
		(void)kill(getpid(), WTERMSIG(status));
		return 111;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 111;
}
