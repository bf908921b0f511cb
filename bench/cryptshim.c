/* SPDX-License-Identifier: ISC */
/*
 * bench/cryptshim.c: measures what crypt(3) costs inside a program,
 * for the deployed-path benchmark's split of a login's CPU time.
 *
 *	env LD_PRELOAD=.../cryptshim.so CRYPTSHIM_LOG=FILE program ...
 *
 * Wraps libcrypt's crypt, crypt_r, crypt_rn and crypt_ra.  Each call
 * appends one line "cpu-ns wall-ns" to FILE (O_APPEND, one write(2),
 * so concurrent processes do not mix their lines): the calling
 * thread's CPU time (CLOCK_THREAD_CPUTIME_ID: user and system, page
 * faults of the hash's memory included) and the wall time the call
 * took.  The constructor removes LD_PRELOAD and CRYPTSHIM_LOG from
 * the environment, so the programs this one executes run unwrapped.
 * Only for measuring: it is never installed.
 */
#define _GNU_SOURCE

#include <crypt.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char		logpath[4096];
/* Calls nested in libcrypt, if any, are counted once, at the top. */
static __thread int	depth;

__attribute__((constructor)) static void
shim_init(void)
{
	const char	*p = getenv("CRYPTSHIM_LOG");

	if (p != NULL && strlen(p) < sizeof(logpath))
		memcpy(logpath, p, strlen(p) + 1);
	(void)unsetenv("CRYPTSHIM_LOG");
	(void)unsetenv("LD_PRELOAD");
}

static long long
ns(clockid_t id)
{
	struct timespec	ts;

	if (clock_gettime(id, &ts) == -1)
		return 0;
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void
record(long long cpu0, long long wall0)
{
	char	line[64];
	int	fd, n;

	n = snprintf(line, sizeof(line), "%lld %lld\n",
	    ns(CLOCK_THREAD_CPUTIME_ID) - cpu0, ns(CLOCK_MONOTONIC) - wall0);
	if (logpath[0] == '\0' || n <= 0 || (size_t)n >= sizeof(line))
		return;
	fd = open(logpath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd == -1)
		return;
	(void)write(fd, line, (size_t)n);
	(void)close(fd);
}

static void *
next(const char *name)
{
	void	*f = dlsym(RTLD_NEXT, name);

	if (f == NULL)
		abort();	/* a wrong measurement is worse than none */
	return f;
}

char *
crypt(const char *phrase, const char *setting)
{
	char	*(*f)(const char *, const char *) = next("crypt");
	long long cpu0 = ns(CLOCK_THREAD_CPUTIME_ID);
	long long wall0 = ns(CLOCK_MONOTONIC);
	char	*r;

	depth++;
	r = f(phrase, setting);
	if (--depth == 0)
		record(cpu0, wall0);
	return r;
}

char *
crypt_r(const char *phrase, const char *setting, struct crypt_data *data)
{
	char	*(*f)(const char *, const char *, struct crypt_data *) =
	    next("crypt_r");
	long long cpu0 = ns(CLOCK_THREAD_CPUTIME_ID);
	long long wall0 = ns(CLOCK_MONOTONIC);
	char	*r;

	depth++;
	r = f(phrase, setting, data);
	if (--depth == 0)
		record(cpu0, wall0);
	return r;
}

char *
crypt_rn(const char *phrase, const char *setting, void *data, int size)
{
	char	*(*f)(const char *, const char *, void *, int) =
	    next("crypt_rn");
	long long cpu0 = ns(CLOCK_THREAD_CPUTIME_ID);
	long long wall0 = ns(CLOCK_MONOTONIC);
	char	*r;

	depth++;
	r = f(phrase, setting, data, size);
	if (--depth == 0)
		record(cpu0, wall0);
	return r;
}

char *
crypt_ra(const char *phrase, const char *setting, void **data, int *size)
{
	char	*(*f)(const char *, const char *, void **, int *) =
	    next("crypt_ra");
	long long cpu0 = ns(CLOCK_THREAD_CPUTIME_ID);
	long long wall0 = ns(CLOCK_MONOTONIC);
	char	*r;

	depth++;
	r = f(phrase, setting, data, size);
	if (--depth == 0)
		record(cpu0, wall0);
	return r;
}
