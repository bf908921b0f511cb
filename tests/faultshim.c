/* SPDX-License-Identifier: ISC */
/*
 * tests/faultshim.c: an LD_PRELOAD library that makes one system call
 * of pop3d -m fail, for tests/it_faults_update.py.  POP3D_FAULT is
 * "CALL:N:ERRNO": the N-th call (from 1) of CALL fails with ERRNO
 * (EIO, ENOSPC, EACCES or EROFS), the others go through.  CALL is
 * unlinkat, renameat2, mkdirat, trash: the N-th rename into the trash
 * (a new name with the T flag, as on a full disk), cache: every write
 * to pop3d.sizes.tmp.PID (as on a full disk, from the N-th on), or
 * nnp: prctl(2)'s PR_SET_NO_NEW_PRIVS, which entering the sandbox
 * needs.  Not part of pop3d.
 */
#define _GNU_SOURCE

#include <sys/prctl.h>
#include <sys/types.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int	unlinkat(int, const char *, int);
int	renameat2(int, const char *, int, const char *, unsigned int);
int	mkdirat(int, const char *, mode_t);
int	openat(int, const char *, int, ...);
ssize_t	write(int, const void *, size_t);
ssize_t	pwrite(int, const void *, size_t, off_t);
ssize_t	pwrite64(int, const void *, size_t, off_t);
int	prctl(int, ...);

static char	call[32];
static long	nth;
static int	err;
static long	seen;
static int	cachefd = -1;

/* Parses POP3D_FAULT once; false if this call is not the one. */
static int
armed(const char *name)
{
	static int	 parsed;
	const char	*f, *p, *q;

	if (!parsed) {
		parsed = 1;
		if ((f = getenv("POP3D_FAULT")) == NULL ||
		    (p = strchr(f, ':')) == NULL ||
		    (q = strchr(p + 1, ':')) == NULL ||
		    (size_t)(p - f) >= sizeof(call))
			return 0;
		memcpy(call, f, (size_t)(p - f));
		nth = strtol(p + 1, NULL, 10);
		err = strcmp(q + 1, "ENOSPC") == 0 ? ENOSPC :
		    strcmp(q + 1, "EACCES") == 0 ? EACCES :
		    strcmp(q + 1, "EROFS") == 0 ? EROFS : EIO;
	}
	return strcmp(call, name) == 0;
}

int
unlinkat(int fd, const char *path, int flags)
{
	int	(*real)(int, const char *, int) =
	    (int (*)(int, const char *, int))dlsym(RTLD_NEXT, "unlinkat");

	if (armed("unlinkat") && ++seen == nth) {
		errno = err;
		return -1;
	}
	return real(fd, path, flags);
}

int
renameat2(int fd, const char *from, int tofd, const char *to,
    unsigned int flags)
{
	int	(*real)(int, const char *, int, const char *, unsigned int) =
	    (int (*)(int, const char *, int, const char *, unsigned int))
	    dlsym(RTLD_NEXT, "renameat2");

	if (armed("renameat2") && ++seen == nth) {
		errno = err;
		return -1;
	}
	if (armed("trash") && strstr(to, ":2,") != NULL &&
	    strchr(strstr(to, ":2,"), 'T') != NULL && ++seen == nth) {
		errno = err;
		return -1;
	}
	return real(fd, from, tofd, to, flags);
}

int
mkdirat(int fd, const char *path, mode_t mode)
{
	int	(*real)(int, const char *, mode_t) =
	    (int (*)(int, const char *, mode_t))dlsym(RTLD_NEXT, "mkdirat");

	if (armed("mkdirat") && ++seen == nth) {
		errno = err;
		return -1;
	}
	return real(fd, path, mode);
}

int
openat(int dirfd, const char *path, int flags, ...)
{
	int	(*real)(int, const char *, int, ...) =
	    (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, "openat");
	mode_t	mode = 0;
	va_list	ap;
	int	fd;

	if (flags & O_CREAT) {
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	fd = real(dirfd, path, flags, mode);
	if (fd != -1 && armed("cache") && strncmp(path, "pop3d.sizes.tmp.", 16) == 0)
		cachefd = fd;
	return fd;
}

static int
cache_full(int fd)
{
	if (fd == -1 || fd != cachefd || ++seen < nth)
		return 0;
	errno = err;
	return 1;
}

ssize_t
write(int fd, const void *p, size_t n)
{
	ssize_t	(*real)(int, const void *, size_t) =
	    (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");

	return cache_full(fd) ? -1 : real(fd, p, n);
}

ssize_t
pwrite(int fd, const void *p, size_t n, off_t off)
{
	ssize_t	(*real)(int, const void *, size_t, off_t) =
	    (ssize_t (*)(int, const void *, size_t, off_t))
	    dlsym(RTLD_NEXT, "pwrite");

	return cache_full(fd) ? -1 : real(fd, p, n, off);
}

ssize_t
pwrite64(int fd, const void *p, size_t n, off_t off)
{
	ssize_t	(*real)(int, const void *, size_t, off_t) =
	    (ssize_t (*)(int, const void *, size_t, off_t))
	    dlsym(RTLD_NEXT, "pwrite64");

	return cache_full(fd) ? -1 : real(fd, p, n, off);
}

int
prctl(int option, ...)
{
	int		(*real)(int, ...) =
	    (int (*)(int, ...))dlsym(RTLD_NEXT, "prctl");
	unsigned long	a[4];
	va_list		ap;
	int		i;

	va_start(ap, option);
	for (i = 0; i < 4; i++)
		a[i] = va_arg(ap, unsigned long);
	va_end(ap);
	if (option == PR_SET_NO_NEW_PRIVS && armed("nnp") && ++seen == nth) {
		errno = err;
		return -1;
	}
	return real(option, a[0], a[1], a[2], a[3]);
}
