/* SPDX-License-Identifier: ISC */
/*
 * sasl.c: AUTH PLAIN and AUTH CRAM-MD5.  Every response is untrusted:
 * it is bounded by POP3_SASL_MAX, decoded by proto.c, split by
 * proto.c, and wiped as soon as the credentials are on their way to
 * the checkpassword program.
 */
#include "sasl.h"

#include <string.h>
#include <syslog.h>

#include "io.h"
#include "log.h"

static long	response(struct session *, const char *, unsigned char *,
		    size_t);
static void	plain(struct session *, const struct span *);
static void	cram(struct session *, const struct span *);

/* Decoded responses: base64 turns every 4 octets into 3. */
#define SASL_DECODED_MAX	(POP3_SASL_MAX / 4 * 3)

const char *
sasl_mechs(const struct authz *a)
{
	if (auth_plain_ok(a))
		return a->cram ? " PLAIN CRAM-MD5" : " PLAIN";
	return a->cram ? " CRAM-MD5" : "";
}

/*
 * Sends "+ challenge" and reads the client's answer (RFC 5034 s.4),
 * decoded into out.  Returns its length, or -1 after answering -ERR
 * (cancelled with "*", malformed, too long, or the client went away).
 */
static long
response(struct session *s, const char *challenge, unsigned char *out,
    size_t size)
{
	char		line[POP3_SASL_MAX + 1];	/* and a CR */
	size_t		len;
	long		n = 0;

	reply_cont(s, challenge);
	switch (session_readline(s, line, sizeof(line), &len)) {
	case IO_OK:
		break;
	case IO_LONG:
		bad_command(s, "SASL response too long");
		return -1;
	default:
		reply_err(s, "[AUTH] no response");	/* the session is over */
		return -1;
	}
	/* RFC 5034 s.4: "*" cancels; an empty line is an empty response. */
	if (len == 1 && line[0] == '*') {
		reply_err(s, "AUTH cancelled");
		n = -1;
	} else if (len > 0 && (n = proto_b64_decode(line, len, out, size)) < 0)
		bad_command(s, "malformed base64 in SASL response");
	wipe(line, sizeof(line));
	return n;
}

static void
plain(struct session *s, const struct span *ir)
{
	unsigned char	msg[SASL_DECODED_MAX];
	struct span	user, pass;
	long		n;

	if (!auth_plain_ok(s->authz)) {
		reply_err(s, "[AUTH] plaintext authentication is disabled on "
		    "an insecure connection");
		return;
	}
	/* RFC 5034 s.4: an initial response, "=" meaning empty. */
	if (ir->len > 0) {
		if ((n = proto_b64_decode(ir->p, ir->len, msg,
		    sizeof(msg))) < 0) {
			bad_command(s, "malformed base64 in SASL response");
			return;
		}
	} else if ((n = response(s, "", msg, sizeof(msg))) < 0)
		return;
	if (proto_sasl_plain(msg, (size_t)n, &user, &pass) == -1 ||
	    !proto_user_ok(user.p, user.len))
		bad_command(s, "[AUTH] malformed PLAIN response");
	else
		auth_login(s, CRED_PLAIN, user.p, user.len, pass.p, pass.len,
		    msg, sizeof(msg));
	wipe(msg, sizeof(msg));
}

static void
cram(struct session *s, const struct span *ir)
{
	unsigned char	msg[SASL_DECODED_MAX];
	char		b64[AUTH_STAMP_MAX / 3 * 4 + 8];
	struct span	user, digest;
	long		n;

	/*
	 * Off unless -c: clients such as curl and fetchmail pick CRAM-MD5
	 * whenever it is listed, and it fails for every hashed secret.
	 */
	if (!s->authz->cram) {
		reply_err(s, "CRAM-MD5 is not enabled");
		return;
	}
	/* RFC 2195 s.2: the server speaks first. */
	if (ir->len > 0) {
		bad_command(s, "CRAM-MD5 takes no initial response");
		return;
	}
	/*
	 * RFC 2195 s.2: the challenge is the connection's stamp, made
	 * before the reader was forked, so the root side can insist on
	 * it: a subverted reader cannot replay an old exchange.
	 */
	if (proto_b64_encode((const unsigned char *)s->authz->stamp,
	    s->authz->stamplen, b64, sizeof(b64)) < 0) {
		log_msg(LOG_ERR, "cannot encode the CRAM-MD5 challenge");
		reply_err(s, "[SYS/TEMP] temporary failure, try again later");
		return;
	}
	if ((n = response(s, b64, msg, sizeof(msg))) < 0)
		return;
	/* "user SP digest", the digest 32 lower-case hex digits. */
	if (proto_split_last((const char *)msg, (size_t)n, &user,
	    &digest) == -1 || !proto_user_ok(user.p, user.len) ||
	    !proto_hex_digest(digest.p, digest.len))
		bad_command(s, "[AUTH] malformed CRAM-MD5 response");
	else
		auth_login(s, CRED_CRAM, user.p, user.len, digest.p,
		    digest.len, msg, sizeof(msg));
	wipe(msg, sizeof(msg));
}

void
sasl_auth(struct session *s, const struct command *cmd)
{
	struct span	mech, ir;

	/* With STLS required, CAPA lists no SASL; AUTH agrees. */
	if (!auth_may_login(s))
		return;
	if (cmd->arg == NULL) {
		reply_ok(s, "SASL mechanisms follow");
		if (auth_plain_ok(s->authz))
			reply_line(s, "PLAIN");
		if (s->authz->cram)
			reply_line(s, "CRAM-MD5");
		reply_line(s, ".");
		return;
	}
	if (proto_split_first(cmd->arg, cmd->arglen, &mech, &ir) == -1)
		bad_command(s, "usage: AUTH mechanism [initial-response]");
	else if (proto_keyword(&mech, "PLAIN"))
		plain(s, &ir);
	else if (proto_keyword(&mech, "CRAM-MD5"))
		cram(s, &ir);
	else
		reply_err(s, "unrecognized authentication type");
}
