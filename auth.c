/* SPDX-License-Identifier: ISC */
/*
 * auth.c: CAPA, USER, PASS, APOP, STLS and QUIT before login.  Every
 * argument has been through proto.c; credentials go to auth_login()
 * (login.c), which wipes them.  Fixed buffers only.
 */
#include "auth.h"

#include <errno.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "io.h"
#include "log.h"
#include "proto.h"
#include "sasl.h"

static void	cmd_capa(struct session *, const struct command *);
static void	cmd_user(struct session *, const struct command *);
static void	cmd_pass(struct session *, const struct command *);
static void	cmd_apop(struct session *, const struct command *);
static void	cmd_stls(struct session *, const struct command *);
static void	cmd_quit(struct session *, const struct command *);

static const char no_plain[] = "[AUTH] plaintext authentication is "
    "disabled on an insecure connection";

const struct handler authz_handlers[] = {
	{ VERB_CAPA, ARG_NONE,		cmd_capa },
	{ VERB_USER, ARG_REQUIRED,	cmd_user },
	{ VERB_PASS, ARG_REQUIRED,	cmd_pass },
	{ VERB_APOP, ARG_REQUIRED,	cmd_apop },
	{ VERB_AUTH, ARG_OPTIONAL,	sasl_auth },
	{ VERB_STLS, ARG_NONE,		cmd_stls },
	{ VERB_QUIT, ARG_NONE,		cmd_quit },
};
const size_t authz_nhandlers = nitems(authz_handlers);

/* RFC 2449 s.5: what works in this state, and nothing else. */
static void
cmd_capa(struct session *s, const struct command *cmd)
{
	struct authz	*a = s->authz;

	(void)cmd;
	reply_ok(s, "capability list follows");
	/* RFC 2595 s.4: STLS is not listed once TLS is active. */
	if (a->tls == TLS_OFFERED || a->tls == TLS_REQUIRED)
		reply_line(s, "STLS");
	if (a->tls != TLS_REQUIRED) {
		if (auth_plain_ok(a))
			reply_line(s, "USER");
		if (*sasl_mechs(a) != '\0')
			reply_line(s, "SASL%s", sasl_mechs(a));
	}
	reply_line(s, "TOP");
	reply_line(s, "UIDL");
	reply_line(s, "PIPELINING");
	reply_line(s, "RESP-CODES");
	reply_line(s, "AUTH-RESP-CODE");
	/* RFC 2449 s.6.5, s.6.7: USER, as checkpassword may vary them. */
	if (a->expire >= 0)
		reply_line(s, "EXPIRE %ld USER", a->expire);
	if (a->login_delay > 0)
		reply_line(s, "LOGIN-DELAY %ld USER", a->login_delay);
	reply_line(s, "IMPLEMENTATION pop3d");
	reply_line(s, ".");
}

/* RFC 1939 s.7: the reply must not reveal whether the user exists. */
static void
cmd_user(struct session *s, const struct command *cmd)
{
	struct authz	*a = s->authz;

	if (!auth_may_login(s))
		return;
	if (!auth_plain_ok(a)) {
		reply_err(s, "%s", no_plain);
		return;
	}
	if (!proto_user_ok(cmd->arg, cmd->arglen)) {
		bad_command(s, "invalid user name");
		return;
	}
	memcpy(a->user, cmd->arg, cmd->arglen);
	a->userlen = cmd->arglen;
	reply_ok(s, "send PASS");
}

static void
cmd_pass(struct session *s, const struct command *cmd)
{
	struct authz	*a = s->authz;
	size_t		 ulen = a->userlen;

	if (!auth_may_login(s))
		return;
	if (!auth_plain_ok(a)) {
		reply_err(s, "%s", no_plain);
		return;
	}
	if (ulen == 0) {
		reply_err(s, "send USER first");
		return;
	}
	a->userlen = 0;		/* RFC 1939 s.7: a new attempt needs USER */
	/* PASS takes the rest of the line, spaces included (s.7). */
	auth_login(s, CRED_PASS, a->user, ulen, cmd->arg, cmd->arglen,
	    NULL, 0);
}

static void
cmd_apop(struct session *s, const struct command *cmd)
{
	struct authz	*a = s->authz;
	struct span	 name, digest;

	if (!a->apop) {
		reply_err(s, "APOP is not enabled");
		return;
	}
	if (!auth_may_login(s))
		return;
	if (proto_split_last(cmd->arg, cmd->arglen, &name, &digest) == -1 ||
	    !proto_user_ok(name.p, name.len) ||
	    !proto_hex_digest(digest.p, digest.len)) {
		bad_command(s, "usage: APOP name digest (32 lower-case hex)");
		return;
	}
	auth_login(s, CRED_APOP, name.p, name.len, digest.p, digest.len,
	    NULL, 0);
}

/*
 * RFC 2595 s.4: STLS through a UCSPI-TLS wrapper.  The +OK goes out
 * in the clear, then the wrapper takes over fds 0 and 1.  Nothing
 * read before the switch survives it: the front end never reads past
 * a line, and the buffer is dropped anyway (CVE-2011-0411).
 */
static void
cmd_stls(struct session *s, const struct command *cmd)
{
	struct authz	*a = s->authz;

	(void)cmd;
	if (a->tls == TLS_ACTIVE) {
		reply_err(s, "command not permitted when TLS active");
		return;
	}
	if (a->tls == TLS_NONE) {
		reply_err(s, "STLS is not available here");
		return;
	}
	reply_ok(s, "begin TLS negotiation");
	if (session_flush(s) == -1)
		return;
	if (write(a->tls_ctl, "Y", 1) != 1 || dup2(a->tls_rd, 0) == -1 ||
	    dup2(a->tls_wr, 1) == -1) {
		log_msg(LOG_ERR, "STLS: cannot switch to the TLS wrapper: %s",
		    strerror(errno));
		session_end(s, END_FATAL);
		return;
	}
	(void)close(a->tls_rd);		/* fds 0 and 1 carry them now */
	(void)close(a->tls_wr);
	a->tls_rd = a->tls_wr = -1;
	/* The root side must switch too: CHECKPROG talks to fds 0, 1. */
	if (a->gate->tls(a->gate->ctx) == -1) {
		session_end(s, END_FATAL);
		return;
	}
	io_discard(&s->in);
	s->in.nopeek = false;		/* fd 0 is a different file now */
	a->tls = TLS_ACTIVE;
	a->secure = true;
	/* RFC 2595 s.4: forget what the client said before. */
	a->userlen = 0;
	wipe(a->user, sizeof(a->user));
}

static void
cmd_quit(struct session *s, const struct command *cmd)
{
	(void)cmd;
	/* RFC 1939 s.6: QUIT before login enters no UPDATE state. */
	reply_ok(s, "bye");
	session_end(s, END_QUIT);
}

