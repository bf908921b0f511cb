/* SPDX-License-Identifier: ISC */
/*
 * tests/unit_sandbox.c: the back end's sandbox (sandbox.h).  Each case
 * forks a child that locks and scans a fresh Maildir as pop3d -m does,
 * enters the same sandbox, makes one call and reports what happened
 * over a pipe; the parent compares that with the table: allowed,
 * refused with EPERM (seccomp), refused by Landlock (EACCES or EXDEV),
 * or the child killed by SIGSYS.  Landlock cases are skipped where the
 * kernel has no usable Landlock; the whole test where the build has no
 * sandbox (SANDBOX=0) or runs under a sanitizer.
 */
#define _GNU_SOURCE		/* renameat2 */

#include "../maildir.h"
#include "../cache.h"
#include "../sandbox.h"
#include "../scan.h"
#include "../update.h"

#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static const char	*check_prog = "unit_sandbox";

enum want {
	ALLOWED,	/* the call succeeds */
	REFUSED,	/* fails with EPERM: seccomp */
	CONFINED,	/* fails with EACCES or EXDEV: Landlock */
	KILLED		/* SIGSYS */
};

struct tcase {
	const char	*name;
	int		(*fn)(struct maildir *);
	enum want	 want;
};

static int	c_execve(struct maildir *);
static int	c_fork(struct maildir *);
static int	c_ptrace(struct maildir *);
static int	c_mmap_exec(struct maildir *);
static int	c_mprotect_exec(struct maildir *);
static int	c_socket_inet(struct maildir *);
static int	c_socket_unix(struct maildir *);
static int	c_kill(struct maildir *);
static int	c_open_write_outside(struct maildir *);
static int	c_open_trunc_message(struct maildir *);
static int	c_open_rdwr_message(struct maildir *);
static int	c_open_append_cache(struct maildir *);
static int	c_mkdir(struct maildir *);
static int	c_mkdir_trash(struct maildir *);
static int	c_mkdir_outside(struct maildir *);
static int	c_symlink(struct maildir *);
static int	c_rmdir(struct maildir *);
static int	c_chmod(struct maildir *);
static int	c_create_outside(struct maildir *);
static int	c_read_outside(struct maildir *);
static int	c_read_etc(struct maildir *);
static int	c_move_out(struct maildir *);
static int	c_unlink_outside(struct maildir *);
static int	c_read_message(struct maildir *);
static int	c_read_dir(struct maildir *);
static int	c_cache_tmp(struct maildir *);
static int	c_update(struct maildir *);

static void	pathf(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static int	run_case(const struct tcase *, bool *);
static void	setup(void);
static void	put(const char *, const char *);
static void	test_table(void);
static void	test_update_on_disk(void);

static char	top[PATH_MAX];		/* the temporary directory */
static char	mdpath[PATH_MAX];	/* top/Maildir */
static char	outside[PATH_MAX];	/* top/outside: a file */
static char	target[PATH_MAX];	/* top/created: must not appear */

static const struct tcase cases[] = {
	{ "execve",		c_execve,		KILLED },
	{ "fork",		c_fork,			KILLED },
	{ "ptrace",		c_ptrace,		KILLED },
	{ "mmap-exec",		c_mmap_exec,		KILLED },
	{ "mprotect-exec",	c_mprotect_exec,	KILLED },
	{ "socket-inet",	c_socket_inet,		REFUSED },
	{ "socket-unix",	c_socket_unix,		REFUSED },
	{ "kill",		c_kill,			REFUSED },
	{ "open-write-outside",	c_open_write_outside,	REFUSED },
	{ "open-trunc-message",	c_open_trunc_message,	REFUSED },
	{ "open-rdwr-message",	c_open_rdwr_message,	REFUSED },
	{ "open-append-cache",	c_open_append_cache,	REFUSED },
	{ "mkdir",		c_mkdir,		REFUSED },
	{ "mkdir-outside",	c_mkdir_outside,	CONFINED },
	{ "mkdir-trash",	c_mkdir_trash,		ALLOWED },
	{ "symlink",		c_symlink,		REFUSED },
	{ "rmdir",		c_rmdir,		REFUSED },
	{ "chmod",		c_chmod,		REFUSED },
	{ "create-outside",	c_create_outside,	CONFINED },
	{ "read-outside",	c_read_outside,		CONFINED },
	{ "read-etc",		c_read_etc,		CONFINED },
	{ "move-out",		c_move_out,		CONFINED },
	{ "unlink-outside",	c_unlink_outside,	CONFINED },
	{ "read-message",	c_read_message,		ALLOWED },
	{ "read-dir",		c_read_dir,		ALLOWED },
	{ "cache-tmp",		c_cache_tmp,		ALLOWED },
	{ "update",		c_update,		ALLOWED },
};

/* The flags and mode sizes.c creates the cache's temporary file with. */
#define CACHE_FLAGS	(O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC)

static int
c_execve(struct maildir *md)
{
	char *const	argv[] = { "true", NULL };

	(void)md;
	return execve("/bin/true", argv, argv + 1);
}

static int
c_fork(struct maildir *md)
{
	pid_t	pid;

	(void)md;
	if ((pid = fork()) == 0)
		_exit(0);
	return pid == -1 ? -1 : 0;
}

static int
c_ptrace(struct maildir *md)
{
	(void)md;
	return (int)ptrace(PTRACE_TRACEME, 0, NULL, NULL);
}

static int
c_mmap_exec(struct maildir *md)
{
	void	*p;

	(void)md;
	p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	return p == MAP_FAILED ? -1 : 0;
}

static int
c_mprotect_exec(struct maildir *md)
{
	void	*p;

	(void)md;
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	return mprotect(p, 4096, PROT_READ | PROT_EXEC);
}

static int
c_socket_inet(struct maildir *md)
{
	(void)md;
	return socket(AF_INET, SOCK_STREAM, 0) == -1 ? -1 : 0;
}

static int
c_socket_unix(struct maildir *md)
{
	(void)md;
	return socket(AF_UNIX, SOCK_DGRAM, 0) == -1 ? -1 : 0;
}

static int
c_kill(struct maildir *md)
{
	(void)md;
	return kill(getppid(), 0);
}

static int
c_open_write_outside(struct maildir *md)
{
	(void)md;
	return open(outside, O_WRONLY | O_TRUNC) == -1 ? -1 : 0;
}

static int
c_open_trunc_message(struct maildir *md)
{
	return openat(md->newfd, "1000.a.host", O_WRONLY | O_TRUNC) == -1 ?
	    -1 : 0;
}

static int
c_open_rdwr_message(struct maildir *md)
{
	return openat(md->curfd, "2000.b.host:2,", O_RDWR) == -1 ? -1 : 0;
}

/* The cache's flags but appending to an existing file: not the rule. */
static int
c_open_append_cache(struct maildir *md)
{
	return openat(md->lockfd, "pop3d.sizes.tmp", O_WRONLY | O_CREAT |
	    O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600) == -1 ? -1 : 0;
}

/* Any mode but trash.c's 0700 is refused. */
static int
c_mkdir(struct maildir *md)
{
	return mkdirat(md->lockfd, "sub", 0755);
}

/* -K: .Trash is made at QUIT if missing (trash.c), inside only. */
static int
c_mkdir_trash(struct maildir *md)
{
	return mkdirat(md->lockfd, ".Trash", 0700);
}

static int
c_mkdir_outside(struct maildir *md)
{
	(void)md;
	return mkdirat(AT_FDCWD, target, 0700);
}

static int
c_symlink(struct maildir *md)
{
	return symlinkat("/etc/passwd", md->curfd, "link");
}

static int
c_rmdir(struct maildir *md)
{
	return unlinkat(md->lockfd, "tmp", AT_REMOVEDIR);
}

static int
c_chmod(struct maildir *md)
{
	return fchmodat(md->curfd, "2000.b.host:2,", 0666, 0);
}

/* The one write-open seccomp allows, aimed outside the Maildir. */
static int
c_create_outside(struct maildir *md)
{
	(void)md;
	return open(target, CACHE_FLAGS, 0600) == -1 ? -1 : 0;
}

static int
c_read_outside(struct maildir *md)
{
	(void)md;
	return open(outside, O_RDONLY) == -1 ? -1 : 0;
}

static int
c_read_etc(struct maildir *md)
{
	(void)md;
	return open("/etc/passwd", O_RDONLY) == -1 ? -1 : 0;
}

static int
c_move_out(struct maildir *md)
{
	return renameat(md->curfd, "2000.b.host:2,", AT_FDCWD, target);
}

static int
c_unlink_outside(struct maildir *md)
{
	(void)md;
	return unlinkat(AT_FDCWD, outside, 0);
}

/* RETR's way: the model opens, we read. */
static int
c_read_message(struct maildir *md)
{
	char		buf[64];
	uint64_t	bytes;
	ssize_t		r;
	int		fd;

	if ((fd = maildir_open(md, 0, &bytes)) == -1)
		return -1;
	r = read(fd, buf, sizeof(buf));
	(void)close(fd);
	if (r == -1)
		return -1;
	if ((uint64_t)r != bytes || memcmp(buf, "Subject: a", 10) != 0) {
		errno = EIO;
		return -1;
	}
	return 0;
}

/* UPDATE's way of finding a renamed message: new/ read afresh. */
static int
c_read_dir(struct maildir *md)
{
	struct dirent	*de;
	DIR		*d;
	int		 fd, n = 0;

	fd = openat(md->newfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	if ((d = fdopendir(fd)) == NULL) {
		(void)close(fd);
		return -1;
	}
	while ((de = readdir(d)) != NULL)
		n += strcmp(de->d_name, "1000.a.host") == 0;
	(void)closedir(d);
	if (n != 1) {
		errno = ENOENT;
		return -1;
	}
	return 0;
}

static int
c_cache_tmp(struct maildir *md)
{
	int	fd;

	fd = openat(md->lockfd, "pop3d.sizes.tmp", CACHE_FLAGS, 0600);
	if (fd == -1)
		return -1;
	if (write(fd, "x", 1) != 1) {
		(void)close(fd);
		return -1;
	}
	if (close(fd) == -1)
		return -1;
	return unlinkat(md->lockfd, "pop3d.sizes.tmp", 0);
}

/* QUIT's way: DELE one, RETR one, commit, write the size cache. */
static int
c_update(struct maildir *md)
{
	struct commit_result	res;

	if (md->count != 3) {
		errno = EINVAL;
		return -1;
	}
	maildir_msg(md, 0)->flags |= MSG_SEEN;	/* new/1000.a.host */
	maildir_msg(md, 2)->flags |= MSG_DELE;	/* cur/3000.c.host:2, */
	if (maildir_commit(md, &res) == -1)
		return -1;
	if (res.deleted != 1 || res.moved != 1 || res.unmoved != 0) {
		errno = EIO;
		return -1;
	}
	return maildir_save(md);
}

/* snprintf that refuses to truncate: a cut path tests the wrong file. */
static void
pathf(char *buf, size_t size, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size) {
		fprintf(stderr, "path too long\n");
		abort();
	}
}

static void
put(const char *rel, const char *data)
{
	char	p[PATH_MAX];
	FILE	*f;

	pathf(p, sizeof(p), "%s/%s", top, rel);
	if ((f = fopen(p, "w")) == NULL || fputs(data, f) == EOF ||
	    fclose(f) == EOF) {
		perror(p);
		abort();
	}
}

/* A fresh Maildir of three messages, a file beside it. */
static void
setup(void)
{
	static const char *const dirs[] = { "Maildir", "Maildir/new",
	    "Maildir/cur", "Maildir/tmp" };
	char	cmd[PATH_MAX + 16];
	char	p[PATH_MAX];
	size_t	i;

	if (top[0] != '\0') {
		pathf(cmd, sizeof(cmd), "rm -rf '%s'", top);
		if (system(cmd) != 0)
			abort();
	}
	pathf(top, sizeof(top), "%s/unit_sandbox.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(top) == NULL) {
		perror("mkdtemp");
		abort();
	}
	for (i = 0; i < nitems(dirs); i++) {
		pathf(p, sizeof(p), "%s/%s", top, dirs[i]);
		if (mkdir(p, 0700) == -1) {
			perror(p);
			abort();
		}
	}
	put("Maildir/new/1000.a.host", "Subject: a\n\nhello\n");
	put("Maildir/cur/2000.b.host:2,", "Subject: b\n\nbody\n");
	put("Maildir/cur/3000.c.host:2,", "Subject: c\n\nbody\n");
	put("outside", "not mail\n");
	pathf(mdpath, sizeof(mdpath), "%s/Maildir", top);
	pathf(outside, sizeof(outside), "%s/outside", top);
	pathf(target, sizeof(target), "%s/created", top);
}

/*
 * Runs one case in a sandboxed child.  Returns the child's errno (0
 * if the call succeeded), or -1 if it died of SIGSYS, or -2 if the
 * child could not set up; *landlock says whether Landlock was on.
 */
static int
run_case(const struct tcase *c, bool *landlock)
{
	struct sandbox_result	res;
	struct maildir		md;
	int			p[2], st, out[2];
	pid_t			pid;
	ssize_t			r;

	setup();
	if (pipe(p) == -1)
		return -2;
	if ((pid = fork()) == -1)
		return -2;
	if (pid == 0) {
		(void)close(p[0]);
		maildir_init(&md, 100);
		if (maildir_enter(&md, mdpath) == -1 ||
		    maildir_scan(&md) == -1 ||
		    sandbox_enter(md.lockfd, &res) == -1)
			_exit(2);
		out[0] = res.landlock;
		errno = 0;
		out[1] = c->fn(&md) == -1 ? errno : 0;
		r = write(p[1], out, sizeof(out));
		_exit(r == (ssize_t)sizeof(out) ? 0 : 3);
	}
	(void)close(p[1]);
	r = read(p[0], out, sizeof(out));
	(void)close(p[0]);
	if (waitpid(pid, &st, 0) == -1)
		return -2;
	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS)
		return -1;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 ||
	    r != (ssize_t)sizeof(out))
		return -2;
	*landlock = out[0] != 0;
	return out[1];
}

static void
test_table(void)
{
	struct stat	st;
	size_t		i;
	bool		ll = false, ok;
	int		e;

	for (i = 0; i < nitems(cases); i++) {
		e = run_case(&cases[i], &ll);
		switch (cases[i].want) {
		case ALLOWED:
			ok = e == 0;
			break;
		case REFUSED:
			ok = e == EPERM;
			break;
		case CONFINED:
			if (e >= 0 && !ll) {
				printf("skip unit_sandbox:%s: no Landlock "
				    "(ABI 2 or later) in this kernel\n",
				    cases[i].name);
				continue;
			}
			ok = e == EACCES || e == EXDEV;
			break;
		case KILLED:
		default:
			ok = e == -1;
			break;
		}
		/* Nothing may have appeared outside, whatever the answer. */
		if (stat(target, &st) == 0)
			ok = false;
		printf("%s unit_sandbox:%s\n", ok ? "ok" : "FAIL",
		    cases[i].name);
		if (!ok) {
			fprintf(stderr, "unit_sandbox:%s: got %d (%s)\n",
			    cases[i].name, e, e > 0 ? strerror(e) : "");
			check_failed = 1;
		}
	}
}

/* What c_update did inside the sandbox is there on disk. */
static void
test_update_on_disk(void)
{
	static const struct tcase	c = { "update", c_update, ALLOWED };
	struct stat			st;
	char				p[PATH_MAX];
	bool				ll;

	CHECK(run_case(&c, &ll) == 0);
	pathf(p, sizeof(p), "%s/cur/1000.a.host:2,S", mdpath);
	CHECK(stat(p, &st) == 0);
	pathf(p, sizeof(p), "%s/new/1000.a.host", mdpath);
	CHECK(stat(p, &st) == -1 && errno == ENOENT);
	pathf(p, sizeof(p), "%s/cur/3000.c.host:2,", mdpath);
	CHECK(stat(p, &st) == -1 && errno == ENOENT);
	pathf(p, sizeof(p), "%s/cur/2000.b.host:2,", mdpath);
	CHECK(stat(p, &st) == 0);
	pathf(p, sizeof(p), "%s/pop3d.sizes", mdpath);
	CHECK(stat(p, &st) == 0 && st.st_size > 32);
	pathf(p, sizeof(p), "%s/pop3d.sizes.tmp", mdpath);
	CHECK(stat(p, &st) == -1 && errno == ENOENT);
}

int
main(void)
{
	char	cmd[PATH_MAX + 16];

	if (!POP3D_SANDBOX || getenv("POP3D_SANITIZED") != NULL) {
		printf("skip unit_sandbox: sandbox disabled in sanitizer "
		    "builds\n");
		return 0;
	}
	/* Each case runs alone; the table prints its own lines. */
	check_failed = 0;
	test_table();
	check_any |= check_failed;
	RUN(test_update_on_disk);
	pathf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	if (system(cmd) != 0)
		return 1;
	return check_exit();
}
