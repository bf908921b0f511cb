/* SPDX-License-Identifier: ISC */
/*
 * login.c: one login attempt as the parsing process makes it, and the
 * AUTHORIZATION set-up that happens before the reader is forked (host
 * name, stamp, UCSPI-TLS descriptors).  Handles passwords: every
 * buffer that held one is wiped before the verdict is awaited, and
 * nothing of a password is ever logged.
 */
#define _DEFAULT_SOURCE		/* getrandom */

#include "login.h"

#include <sys/random.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "io.h"
#include "proto.h"

static int	env_fd(const char *);

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
auth_may_login(struct session *s)
{
	if (s->authz->tls == TLS_REQUIRED) {
		reply_err(s, "[AUTH] TLS is required: send STLS first");
		return false;
	}
	return true;
}

void
auth_login(struct session *s, enum cred_mech mech, const char *user,
    size_t ulen, const char *secret, size_t slen, void *scratch, size_t n)
{
	struct authz		*a = s->authz;
	struct cred_login	 rec;
	bool			 stamped = mech == CRED_APOP ||
				    mech == CRED_CRAM;
	enum cred_verdict	 v;

	if (cred_pack(&rec, mech, a->secure, user, ulen, secret, slen,
	    stamped ? a->stamp : "", stamped ? a->stamplen : 0) == -1 &&
	    cred_pack(&rec, mech, a->secure, user, ulen, "x", 1,
	    stamped ? a->stamp : "", stamped ? a->stamplen : 0) == 0) {
		/*
		 * A secret checkpassword could never get (a NUL inside,
		 * longer than the record) is still a failed login, with
		 * the brake: a placeholder too long for any 512-byte
		 * record makes the root side refuse it unrun.
		 */
		memset(rec.secret, 'x', CRED_FIELD - 1);
		rec.secretlen = CRED_FIELD - 1;
	}
	/* From here on nothing needs the client's copies any more. */
	wipe(a->user, sizeof(a->user));
	a->userlen = 0;
	if (scratch != NULL)
		wipe(scratch, n);
	session_forget(s);

	/* Everything we said must reach the client before the back end. */
	if (session_flush(s) == -1) {
		wipe(&rec, sizeof(rec));
		reply_err(s, "[SYS/TEMP] write failed");
		return;
	}
	v = a->gate->login(a->gate->ctx, &rec);
	wipe(&rec, sizeof(rec));
	switch (v) {
	case CRED_SERVED:
		session_end(s, END_HANDOFF);
		break;
	case CRED_REJECTED:
		reply_err(s, "[AUTH] authentication failed");
		break;
	case CRED_REJECTED_LAST:
		reply_err(s, "[AUTH] authentication failed; too many "
		    "failures, closing connection");
		session_end(s, END_LOGINS);
		break;
	case CRED_TEMPFAIL:
		reply_err(s, "[SYS/TEMP] temporary failure, try again later");
		break;
	case CRED_REFUSED:
		reply_err(s, "[SYS/TEMP] temporary failure, try again later");
		session_end(s, END_FATAL);
		break;
	}
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
