/* SPDX-License-Identifier: ISC */
/*
 * restore.c: "pop3d-passwd restore" (see restore.h).  Looks the user
 * up, becomes that user (as root) or must be that user, enters the
 * Maildir the way the back end does (maildir_enter(): the same lock),
 * and moves the trash back (trash_restore()).  Talks on stdout and
 * stderr; never exits (pop3d-passwd.c does).
 */
#define _GNU_SOURCE		/* setgroups */

#include "restore.h"

#include <sys/types.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "checkpw.h"
#include "maildir.h"
#include "trash.h"

#define EX_REFUSED	1
#define EX_USAGE	2
#define EX_TEMP		POP3_EXIT_TEMP

static int	usage(void);
static int	become(const char *, uid_t, gid_t);

static int
usage(void)
{
	fprintf(stderr, "usage: pop3d-passwd [-f file] restore [-m maildir] "
	    "[--since YYYY-MM-DD|@SECONDS | --all] user\n");
	return EX_USAGE;
}

/* The user's identity, for good: root drops to it, others must be it. */
static int
become(const char *user, uid_t uid, gid_t gid)
{
	if (uid == 0) {
		fprintf(stderr, "pop3d-passwd: %s: refusing uid 0, as pop3d "
		    "does\n", user);
		return -1;
	}
	if (geteuid() != 0) {
		if (getuid() == uid && geteuid() == uid)
			return 0;
		fprintf(stderr, "pop3d-passwd: %s: restore runs as root or "
		    "as the user\n", user);
		return -1;
	}
	if (setgroups(1, &gid) == -1 || setgid(gid) == -1 ||
	    setuid(uid) == -1) {
		fprintf(stderr, "pop3d-passwd: %s: cannot become uid %lu: "
		    "%s\n", user, (unsigned long)uid, strerror(errno));
		return -1;
	}
	/* Not root any more, for good. */
	if (setuid(0) != -1 || geteuid() != uid) {
		fprintf(stderr, "pop3d-passwd: %s: could not give up root\n",
		    user);
		return -1;
	}
	return 0;
}

int
restore_main(const char *file, int argc, char *argv[])
{
	static struct checkpw_user	 u;
	static struct maildir		 md;
	struct trash_restore		 res;
	struct passwd			*pw;
	enum checkpw_found		 found;
	const char			*user = NULL, *maildir = "Maildir";
	const char			*home;
	char				 when[64];
	size_t				 lineno;
	time_t				 since = 0;
	uid_t				 uid;
	gid_t				 gid;
	bool				 all = false, have_since = false;
	int				 i, r;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--all") == 0 || strcmp(argv[i], "-a") == 0)
			all = true;
		else if ((strcmp(argv[i], "--since") == 0 ||
		    strcmp(argv[i], "-s") == 0) && i + 1 < argc) {
			i++;
			if (trash_date(argv[i], strlen(argv[i]), &since) == -1) {
				fprintf(stderr, "pop3d-passwd: not a date: %s "
				    "(YYYY-MM-DD or @SECONDS)\n", argv[i]);
				return EX_USAGE;
			}
			have_since = true;
		} else if (strcmp(argv[i], "-m") == 0 && i + 1 < argc)
			maildir = argv[++i];
		else if (argv[i][0] == '-' || user != NULL)
			return usage();
		else
			user = argv[i];
	}
	/* Everything, or from a date: the admin says which. */
	if (user == NULL || *user == '\0' || all == have_since ||
	    *maildir == '\0')
		return usage();

	found = checkpw_file_lookup(file, user, strlen(user), &u, &lineno);
	if (found == CHECKPW_ERROR && errno != ENOENT) {
		fprintf(stderr, "pop3d-passwd: %s: %s\n", file,
		    strerror(errno));
		return EX_TEMP;
	}
	if (found == CHECKPW_MALFORMED) {
		fprintf(stderr, "pop3d-passwd: %s: line %zu is malformed\n",
		    file, lineno);
		return EX_REFUSED;
	}
	if (found == CHECKPW_FOUND) {
		uid = u.uid;
		gid = u.gid;
		home = u.home;
	} else if ((pw = getpwnam(user)) != NULL) {
		uid = pw->pw_uid;
		gid = pw->pw_gid;
		home = pw->pw_dir;
	} else {
		fprintf(stderr, "pop3d-passwd: %s: unknown user\n", user);
		return EX_REFUSED;
	}
	if (become(user, uid, gid) == -1)
		return EX_REFUSED;
	maildir_init(&md, 0);
	if (chdir(home) == -1 || maildir_enter(&md, maildir) == -1) {
		r = errno;
		maildir_close(&md);
		if (r == EWOULDBLOCK) {
			fprintf(stderr, "pop3d-passwd: %s: mailbox in use by a "
			    "session; try again\n", user);
			return EX_TEMP;
		}
		fprintf(stderr, "pop3d-passwd: %s: %s/%s: %s\n", user, home,
		    maildir, strerror(r));
		return r == ENOENT || r == ENOTDIR ? EX_REFUSED : EX_TEMP;
	}
	r = trash_restore(md.lockfd, md.curfd, all ? 0 : since, &res);
	maildir_close(&md);		/* drops the lock */
	if (r == -1 && res.failed == 0) {
		if (errno == ENOENT) {
			printf("%s: restored 0 messages (no %s/%s)\n", user,
			    maildir, TRASH_DIR);
			return fflush(stdout) == 0 ? 0 : EX_TEMP;
		}
		fprintf(stderr, "pop3d-passwd: %s: %s/%s/cur: %s\n", user,
		    maildir, TRASH_DIR, strerror(errno));
		return EX_TEMP;
	}
	if (all)
		(void)snprintf(when, sizeof(when), "all");
	else
		(void)snprintf(when, sizeof(when), "trashed since @%lld",
		    (long long)since);
	printf("%s: restored %zu messages (%s), %zu older left in %s\n",
	    user, res.restored, when, res.kept, TRASH_DIR);
	if (res.failed > 0) {
		fprintf(stderr, "pop3d-passwd: %s: %zu messages could not be "
		    "moved back and stay in %s: %s\n", user, res.failed,
		    TRASH_DIR, strerror(res.error));
		return EX_TEMP;
	}
	return fflush(stdout) == 0 ? 0 : EX_TEMP;
}
