/* SPDX-License-Identifier: ISC */
/*
 * tests/cryptshim.c: an LD_PRELOAD library that records every
 * crypt_rn(3) call of pop3d-checkpw, for tests/it_timing.py: one line
 * per call, the setting it was given, appended to the file named by
 * POP3D_CRYPTLOG; then the real crypt_rn runs.  Counts the work a
 * login does without timing it.  Not part of pop3d.
 */
#define _GNU_SOURCE

#include <dlfcn.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char	*crypt_rn(const char *, const char *, void *, int);

typedef char	*crypt_rn_fn(const char *, const char *, void *, int);

char *
crypt_rn(const char *phrase, const char *setting, void *data, int size)
{
	static crypt_rn_fn	*real;
	const char		*log;
	int			 fd;

	if (real == NULL &&
	    (real = (crypt_rn_fn *)dlsym(RTLD_NEXT, "crypt_rn")) == NULL)
		abort();
	if ((log = getenv("POP3D_CRYPTLOG")) != NULL) {
		fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
		if (fd == -1 ||
		    write(fd, setting, strlen(setting)) == -1 ||
		    write(fd, "\n", 1) == -1)
			abort();	/* an unrecorded call would pass unseen */
		(void)close(fd);
	}
	return real(phrase, setting, data, size);
}
