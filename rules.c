/* SPDX-License-Identifier: ISC */
/*
 * rules.c: every seccomp rule of pop3d, one table per program, one
 * row per rule (rules.h).  A rule added here reaches pop3d through
 * the generated filterbpf.h the next time make runs; nothing else is
 * to be changed.
 *
 * What a forbidden call does, and why (the back end's default is EPERM,
 * the reader's a kill): see sandbox.c and reader.h.
 */
#define _GNU_SOURCE		/* memfd_create */

#include "rules.h"

#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "params.h"

/* A rule: an action for a call, when all its argument tests hold. */
struct rule {
	uint32_t		action;
	int			nr;
	struct scmp_arg_cmp	arg[2];	/* op 0 (none) ends the list */
};

/* One rule a line: the call always, or when the tests hold. */
#define ALLOW(call)		RULE(SCMP_ACT_ALLOW, call)
#define KILL(call)		RULE(SCMP_ACT_KILL_PROCESS, call)
#define ALLOW_IF(call, ...)	RULE(SCMP_ACT_ALLOW, call, __VA_ARGS__)
#define KILL_IF(call, ...)	RULE(SCMP_ACT_KILL_PROCESS, call, __VA_ARGS__)
#define RULE(act, call, ...) \
	{ .action = (act), .nr = SCMP_SYS(call), .arg = { __VA_ARGS__ } }
/* Argument tests: argument n equal to v, at most v, masked by m equal v. */
#define EQ(n, v)	{ (n), SCMP_CMP_EQ, (v), 0 }
#define LE(n, v)	{ (n), SCMP_CMP_LE, (v), 0 }
#define MASKED(n, m, v)	{ (n), SCMP_CMP_MASKED_EQ, (m), (v) }

/* The one way sizes.c creates SIZES_TMP. */
#define CACHE_FLAGS	(O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC)
/*
 * Bits of open(2) flags that can write, create or truncate.  O_TMPFILE
 * includes O_DIRECTORY, which a read-only open of a directory needs:
 * only its own bit counts.
 */
#define WRITE_FLAGS	(O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND | \
			    (O_TMPFILE & ~O_DIRECTORY))

/*
 * The back end after the scan (sandbox.c): everything the TRANSACTION
 * and UPDATE states do, found by reading the code and checked with
 * strace(1): the client (poll, read, recv, send, write), messages and
 * directories (open read-only, fstat, getdents, close), UPDATE
 * (unlinkat, renameat2, linkat for file systems without
 * RENAME_NOREPLACE, renameat for the cache), memory (malloc), time
 * (deadlines), syslog (getpid, sendto), the end.  Any other call fails
 * with EPERM, but the calls only an exploit would make kill.
 */
static const struct rule backend[] = {
	ALLOW(read),
	ALLOW(readv),
	ALLOW(pread64),
	ALLOW(write),
	ALLOW(writev),
	ALLOW(pwrite64),
	ALLOW(recvfrom),
	ALLOW(poll),
	ALLOW(ppoll),
	ALLOW(close),
	ALLOW(lseek),
	ALLOW(fcntl),
	ALLOW(fstat),
	ALLOW(newfstatat),
	ALLOW(statx),
	ALLOW(getdents64),
	ALLOW(renameat),
	ALLOW(renameat2),
	ALLOW(linkat),
	ALLOW(brk),
	ALLOW(munmap),
	ALLOW(mremap),
	ALLOW(madvise),
	ALLOW(futex),
	ALLOW(getrandom),
	ALLOW(clock_gettime),
	ALLOW(gettimeofday),
	ALLOW(time),
	ALLOW(getpid),
	ALLOW(gettid),
	ALLOW(rt_sigreturn),
	ALLOW(rt_sigprocmask),
	ALLOW(restart_syscall),
	ALLOW(exit),
	ALLOW(exit_group),
	/* No code path makes these; an exploit would (sandbox.c). */
	KILL(execve),
	KILL(execveat),
	KILL(fork),
	KILL(vfork),
	KILL(clone),
	KILL(clone3),
	KILL(ptrace),
	KILL(process_vm_readv),
	KILL(process_vm_writev),
	KILL(pidfd_getfd),
	KILL(memfd_create),
	KILL(pkey_mprotect),
	/* Memory, never executable: malloc needs no more. */
	ALLOW_IF(mmap, MASKED(2, PROT_EXEC, 0)),
	ALLOW_IF(mprotect, MASKED(2, PROT_EXEC, 0)),
	KILL_IF(mmap, MASKED(2, PROT_EXEC, PROT_EXEC)),
	KILL_IF(mprotect, MASKED(2, PROT_EXEC, PROT_EXEC)),
	/* Files only, never a directory (AT_REMOVEDIR). */
	ALLOW_IF(unlinkat, EQ(2, 0)),
	/* -K: a missing .Trash folder, mode 0700 as trash.c makes it. */
	ALLOW_IF(mkdirat, EQ(2, 0700)),
	/* send(2) on a connected socket (the client, syslog); no address. */
	ALLOW_IF(sendto, EQ(4, 0)),
	/* Files: read-only, or the size cache's temporary file. */
	ALLOW_IF(openat, MASKED(2, WRITE_FLAGS, O_RDONLY)),
	ALLOW_IF(openat, EQ(2, CACHE_FLAGS), EQ(3, 0600)),
};

/*
 * The reader (reader.h): read on 0 and the socketpair, recvfrom on 0,
 * write and sendto on 1 and the socketpair, poll, dup2 onto 0 and 1
 * (STLS), close, the clock, the end.  Any other call kills.
 */
#define READER_HEAD \
	ALLOW_IF(read, EQ(0, 0)), \
	ALLOW_IF(read, EQ(0, READER_FD_SOCK)), \
	ALLOW_IF(recvfrom, EQ(0, 0)), \
	ALLOW_IF(write, EQ(0, 1)), \
	ALLOW_IF(sendto, EQ(0, 1)), \
	ALLOW_IF(write, EQ(0, READER_FD_SOCK)), \
	ALLOW_IF(sendto, EQ(0, READER_FD_SOCK))
#define READER_TAIL \
	ALLOW_IF(dup2, LE(1, 1)), \
	ALLOW_IF(dup3, LE(1, 1)), \
	ALLOW(close), \
	ALLOW(poll), \
	ALLOW(ppoll), \
	ALLOW(clock_gettime), \
	ALLOW(gettimeofday), \
	ALLOW(rt_sigreturn), \
	ALLOW(restart_syscall), \
	ALLOW(exit), \
	ALLOW(exit_group)

static const struct rule reader[] = {
	READER_HEAD,
	READER_TAIL,
};

/* With UCSPI-TLS: also the "Y" to the wrapper's control descriptor. */
static const struct rule reader_tls[] = {
	READER_HEAD,
	ALLOW_IF(write, EQ(0, READER_FD_TLS_CTL)),
	ALLOW_IF(sendto, EQ(0, READER_FD_TLS_CTL)),
	READER_TAIL,
};

/*
 * tree: the calls are found by a binary search rather than down a
 * list (libseccomp's SCMP_FLTATR_CTL_OPTIMIZE 2).  The kernel runs
 * the program for every system call number when it is loaded, to
 * cache the answers that do not depend on arguments; for the back
 * end's long list a tree halves the cost of loading it (about 60
 * microseconds a login on a small virtual machine).  The reader's
 * list is short: no gain there.
 */
static const struct {
	const char		*name;
	uint32_t		 dflt;	/* for every call not in a rule */
	bool			 tree;
	const struct rule	*rules;
	size_t			 n;
} programs[FILTER_COUNT] = {
	[FILTER_BACKEND] = { "backend", SCMP_ACT_ERRNO(EPERM), true,
	    backend, nitems(backend) },
	[FILTER_READER] = { "reader", SCMP_ACT_KILL_PROCESS, false,
	    reader, nitems(reader) },
	[FILTER_READER_TLS] = { "reader_tls", SCMP_ACT_KILL_PROCESS, false,
	    reader_tls, nitems(reader_tls) },
};

const char *
rules_name(enum filter_id id)
{
	return (unsigned)id < FILTER_COUNT ? programs[id].name : NULL;
}

static scmp_filter_ctx
build(enum filter_id id)
{
	const struct rule	*r;
	scmp_filter_ctx		 ctx;
	unsigned		 na;
	size_t			 i;
	int			 e;

	/* NULL: an action libseccomp or the kernel lacks, or no memory. */
	if ((ctx = seccomp_init(programs[id].dflt)) == NULL) {
		errno = EINVAL;
		return NULL;
	}
	if (programs[id].tree &&
	    (e = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2)) < 0) {
		seccomp_release(ctx);
		errno = -e;
		return NULL;
	}
	for (i = 0; i < programs[id].n; i++) {
		r = &programs[id].rules[i];
		for (na = 0; na < nitems(r->arg) && r->arg[na].op != 0; na++)
			continue;
		if ((e = seccomp_rule_add_array(ctx, r->action, r->nr, na,
		    r->arg)) < 0) {
			seccomp_release(ctx);
			errno = -e;
			return NULL;
		}
	}
	return ctx;
}

long
rules_export(enum filter_id id, struct sock_filter *prog, size_t max)
{
	scmp_filter_ctx	 ctx;
	struct stat	 st;
	ssize_t		 n;
	int		 fd, e;

	if ((unsigned)id >= FILTER_COUNT) {
		errno = EINVAL;
		return -1;
	}
	if ((ctx = build(id)) == NULL)
		return -1;
	if ((fd = memfd_create("bpf", MFD_CLOEXEC)) == -1) {
		e = errno;
		seccomp_release(ctx);
		errno = e;
		return -1;
	}
	e = seccomp_export_bpf(ctx, fd);
	seccomp_release(ctx);
	if (e < 0) {
		errno = -e;
		goto fail;
	}
	if (fstat(fd, &st) == -1)
		goto fail;
	if (st.st_size <= 0 || (size_t)st.st_size % sizeof(*prog) != 0 ||
	    (size_t)st.st_size / sizeof(*prog) > max) {
		errno = EFBIG;
		goto fail;
	}
	n = pread(fd, prog, (size_t)st.st_size, 0);
	if (n != (ssize_t)st.st_size) {
		if (n >= 0)
			errno = EIO;
		goto fail;
	}
	(void)close(fd);
	return (long)((size_t)n / sizeof(*prog));
fail:
	e = errno;
	(void)close(fd);
	errno = e;
	return -1;
}
