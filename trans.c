/* SPDX-License-Identifier: ISC */
/*
 * trans.c: the TRANSACTION and UPDATE states.  Message numbers come
 * from the client and are checked here against the frozen table;
 * file names and contents come from the Maildir and are treated as
 * untrusted (maildir.c opens, proto.c encodes).  Only QUIT changes
 * anything on disk.
 */
#include "trans.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "io.h"
#include "log.h"
#include "policy.h"
#include "proto.h"
#include "trash.h"

/* A file name escaped by log_escape(): four bytes ("\\xHH") per byte. */
#define LOG_NAME_SIZE	(4 * POP3_NAME_MAX + 4)

static bool	has_seen(const char *);
static const char *logname(const struct maildir *, size_t, char *, size_t);
static int	msgcheck(struct session *, unsigned long, size_t *);
static int	msgnum(struct session *, const char *, size_t, size_t *);
static void	send_msg(struct session *, size_t, bool, unsigned long);
static void	cmd_capa(struct session *, const struct command *);
static void	cmd_stat(struct session *, const struct command *);
static void	cmd_list(struct session *, const struct command *);
static void	cmd_uidl(struct session *, const struct command *);
static void	cmd_retr(struct session *, const struct command *);
static void	cmd_top(struct session *, const struct command *);
static void	cmd_dele(struct session *, const struct command *);
static void	cmd_rset(struct session *, const struct command *);
static void	cmd_noop(struct session *, const struct command *);
static void	cmd_last(struct session *, const struct command *);
static void	cmd_quit(struct session *, const struct command *);

const struct handler trans_handlers[] = {
	{ VERB_CAPA, ARG_NONE,		cmd_capa },
	{ VERB_STAT, ARG_NONE,		cmd_stat },
	{ VERB_LIST, ARG_OPTIONAL,	cmd_list },
	{ VERB_UIDL, ARG_OPTIONAL,	cmd_uidl },
	{ VERB_RETR, ARG_REQUIRED,	cmd_retr },
	{ VERB_TOP,  ARG_REQUIRED,	cmd_top },
	{ VERB_DELE, ARG_REQUIRED,	cmd_dele },
	{ VERB_RSET, ARG_NONE,		cmd_rset },
	{ VERB_NOOP, ARG_NONE,		cmd_noop },
	{ VERB_LAST, ARG_NONE,		cmd_last },
	{ VERB_QUIT, ARG_NONE,		cmd_quit },
};
const size_t trans_nhandlers = nitems(trans_handlers);

/* True if a Maildir file name carries the S flag (":2,...S..."). */
static bool
has_seen(const char *name)
{
	const char	*colon = strchr(name, ':');

	return colon != NULL && strncmp(colon, ":2,", 3) == 0 &&
	    strchr(colon + 3, 'S') != NULL;
}

void
trans_begin(struct trans *t, struct maildir *md)
{
	size_t	i;

	t->md = md;
	t->start = 0;
	for (i = md->count; i > 0; i--) {
		if (has_seen(maildir_name(md, i - 1))) {
			t->start = (unsigned long)i;
			break;
		}
	}
	t->last = t->start;
	t->expire = t->login_delay = t->trash = POLICY_OFF;
}

void
trans_count(const struct trans *t, size_t *n, uint64_t *octets)
{
	/* DELE and RSET keep the marked counts; nothing to walk. */
	*n = t->md->count - t->marked;
	*octets = t->md->total - t->marked_octets;
}

/*
 * Message i's file name for a log line.  Maildir names are untrusted
 * (any byte but '/' and NUL): a newline in one would start a forged
 * line, "LOGIN FAILED" and all, for fail2ban to act on.  So it goes
 * through log_escape() like every other untrusted string.
 */
static const char *
logname(const struct maildir *md, size_t i, char *buf, size_t size)
{
	const char	*n = maildir_name(md, i);

	return log_escape(buf, size, n, strlen(n));
}

/*
 * Turns message number n into the index of a message that is not
 * marked deleted (RFC 1939 s.5).  Answers -ERR itself on failure.
 */
static int
msgcheck(struct session *s, unsigned long n, size_t *idx)
{
	const struct maildir	*md = s->trans->md;

	if (n == 0 || n > md->count) {
		reply_err(s, "no such message");
		return -1;
	}
	if (maildir_msg(md, n - 1)->flags & MSG_DELE) {
		reply_err(s, "message %lu is deleted", n);
		return -1;
	}
	*idx = n - 1;
	return 0;
}

/* The same for a message-number argument, which must be well formed. */
static int
msgnum(struct session *s, const char *arg, size_t len, size_t *idx)
{
	unsigned long	n;

	if (proto_number(arg, len, &n) == -1) {
		bad_command(s, "invalid message number");
		return -1;
	}
	return msgcheck(s, n, idx);
}

static void
cmd_capa(struct session *s, const struct command *cmd)
{
	(void)cmd;
	reply_ok(s, "capability list follows");
	reply_line(s, "TOP");
	reply_line(s, "UIDL");
	reply_line(s, "PIPELINING");
	reply_line(s, "RESP-CODES");
	/* RFC 2449 s.6.5, s.6.7: this user's values, only when on. */
	if (s->trans->expire != POLICY_OFF)
		reply_line(s, "EXPIRE %ld", s->trans->expire);
	if (s->trans->login_delay > 0)
		reply_line(s, "LOGIN-DELAY %ld", s->trans->login_delay);
	reply_line(s, "IMPLEMENTATION pop3d");
	reply_line(s, ".");
}

static void
cmd_stat(struct session *s, const struct command *cmd)
{
	uint64_t	octets;
	size_t		n;

	(void)cmd;
	trans_count(s->trans, &n, &octets);
	reply_ok(s, "%zu %" PRIu64, n, octets);
}

static void
cmd_list(struct session *s, const struct command *cmd)
{
	const struct maildir	*md = s->trans->md;
	uint64_t		 octets;
	size_t			 i, n;

	if (cmd->arg != NULL) {
		if (msgnum(s, cmd->arg, cmd->arglen, &i) == 0)
			reply_ok(s, "%zu %" PRIu64, i + 1, maildir_msg(md, i)->size);
		return;
	}
	trans_count(s->trans, &n, &octets);
	reply_ok(s, "%zu messages (%" PRIu64 " octets)", n, octets);
	for (i = 0; i < md->count && !s->end; i++)
		if ((maildir_msg(md, i)->flags & MSG_DELE) == 0)
			reply_line(s, "%zu %" PRIu64, i + 1, maildir_msg(md, i)->size);
	reply_line(s, ".");
}

static void
cmd_uidl(struct session *s, const struct command *cmd)
{
	const struct maildir	*md = s->trans->md;
	char			 uid[POP3_UIDL_MAX + 1];
	size_t			 i;

	if (cmd->arg != NULL) {
		if (msgnum(s, cmd->arg, cmd->arglen, &i) == 0) {
			(void)maildir_uidl(md, i, uid);
			reply_ok(s, "%zu %s", i + 1, uid);
		}
		return;
	}
	reply_ok(s, "unique-id listing follows");
	for (i = 0; i < md->count && !s->end; i++) {
		if ((maildir_msg(md, i)->flags & MSG_DELE) == 0) {
			(void)maildir_uidl(md, i, uid);
			reply_line(s, "%zu %s", i + 1, uid);
		}
	}
	reply_line(s, ".");
}

/*
 * RETR (all of it) or TOP (header and `lines` body lines).  Reads no
 * further than the length fstat(2) reported, and for RETR counts what
 * goes out, so a file changed under its name is noticed (cache.h).
 */
static void
send_msg(struct session *s, size_t i, bool top, unsigned long lines)
{
	static char	 in[POP3_CHUNK];
	static char	 out[STUFF_MAX(POP3_CHUNK) + STUFF_END_MAX];
	char		 name[LOG_NAME_SIZE];
	struct trans	*t = s->trans;
	struct stuffer	 st;
	struct msg	*m = maildir_msg(t->md, i);
	uint64_t	 bytes, got = 0, sent = 0;
	size_t		 n;
	ssize_t		 r;
	int		 fd, e;

	if ((fd = maildir_open(t->md, i, &bytes)) == -1) {
		e = errno;
		log_msg(LOG_WARNING, "cannot open message %s: %s",
		    logname(t->md, i, name, sizeof(name)), strerror(e));
		errno = e;
		if (errno == ENOENT)
			reply_err(s, "message %zu is no longer there", i + 1);
		else
			reply_err(s, "[SYS/TEMP] cannot read message %zu",
			    i + 1);
		return;
	}
	if (top)
		reply_ok(s, "top of message follows");
	else
		reply_ok(s, "%" PRIu64 " octets", m->size);
	proto_stuff_init(&st, top, lines);
	while (!st.done && !s->end && got < bytes) {
		r = read(fd, in, sizeof(in));
		if (r == 0)
			break;
		if (r == -1) {
			if (errno == EINTR)
				continue;
			/*
			 * Half a message is out and the status line said
			 * +OK; a "." now would pass it off as whole.  Hang
			 * up instead, so the client knows it failed.
			 */
			e = errno;
			log_msg(LOG_ERR, "read error in %s: %s",
			    logname(t->md, i, name, sizeof(name)), strerror(e));
			session_end(s, END_FATAL);
			break;
		}
		got += (uint64_t)r;
		n = proto_stuff(&st, in, (size_t)r, out);
		sent += n;
		(void)reply_raw(s, out, n);
	}
	(void)close(fd);	/* read-only; nothing to lose */
	if (s->end)
		return;
	n = proto_stuff_end(&st, out);
	sent += n - 3;		/* the final ".\r\n" is not the message */
	if (reply_raw(s, out, n) == -1 || top)
		return;
	if (!maildir_sent(t->md, i, sent - st.dots))
		log_msg(LOG_WARNING, "message %s changed: %" PRIu64
		    " octets announced, %" PRIu64 " sent; its size will be "
		    "computed again", logname(t->md, i, name, sizeof(name)),
		    m->size,
		    sent - st.dots);
	/* RFC 1460 LAST; the S flag that keeps it is added at QUIT. */
	if (i + 1 > t->last)
		t->last = i + 1;
	if ((m->flags & MSG_SEEN) == 0) {
		m->flags |= MSG_SEEN;
		t->retrieved++;
		t->retrieved_octets += m->size;
	}
}

static void
cmd_retr(struct session *s, const struct command *cmd)
{
	size_t	i;

	if (msgnum(s, cmd->arg, cmd->arglen, &i) == 0)
		send_msg(s, i, false, 0);
}

static void
cmd_top(struct session *s, const struct command *cmd)
{
	unsigned long	n, lines;
	size_t		i;

	/* RFC 1939 s.7: "TOP msg n", n non-negative. */
	if (proto_two_numbers(cmd->arg, cmd->arglen, &n, &lines) == -1) {
		bad_command(s, "usage: TOP msg lines");
		return;
	}
	if (msgcheck(s, n, &i) == 0)
		send_msg(s, i, true, lines);
}

static void
cmd_dele(struct session *s, const struct command *cmd)
{
	struct trans	*t = s->trans;
	struct msg	*m;
	size_t		 i;

	if (msgnum(s, cmd->arg, cmd->arglen, &i) == 0) {
		m = maildir_msg(t->md, i);
		m->flags |= MSG_DELE;	/* msgnum() refuses a marked one */
		t->marked++;
		t->marked_octets += m->size;
		if (i + 1 > t->last)
			t->last = i + 1;
		reply_ok(s, "message %zu deleted", i + 1);
	}
}

static void
cmd_rset(struct session *s, const struct command *cmd)
{
	struct trans	*t = s->trans;
	uint64_t	 octets;
	size_t		 i, n;

	(void)cmd;
	for (i = 0; i < t->md->count; i++)
		maildir_msg(t->md, i)->flags &= (uint8_t)~MSG_DELE;
	t->marked = 0;
	t->marked_octets = 0;
	t->last = t->start;	/* RFC 1460: the value at login */
	trans_count(t, &n, &octets);
	reply_ok(s, "maildrop has %zu messages (%" PRIu64 " octets)", n,
	    octets);
}

static void
cmd_noop(struct session *s, const struct command *cmd)
{
	(void)cmd;
	reply_ok(s, "%s", "");
}

static void
cmd_last(struct session *s, const struct command *cmd)
{
	(void)cmd;
	reply_ok(s, "%lu", s->trans->last);
}

/* RFC 1939 s.6: the UPDATE state, then exactly one reply. */
static void
cmd_quit(struct session *s, const struct command *cmd)
{
	struct trans		*t = s->trans;
	struct update_opts	 uo;

	(void)cmd;
	/* Whatever RETR sent must have left before we mark it seen. */
	if (session_flush(s) == -1) {
		reply_err(s, "[SYS/TEMP] write failed");
		return;
	}
	t->committed = true;
	/* What CAPA's EXPIRE promised goes with the DELEs (policy.h). */
	if (t->expire != POLICY_OFF)
		t->expired = policy_expire(t->md, t->expire, time(NULL),
		    &t->expired_octets);
	/* -K: deleted mail goes to .Trash; what is old there goes. */
	uo.trash = t->trash;
	uo.now = time(NULL);
	(void)maildir_update(t->md, &uo, &t->result);
	/*
	 * DESIGN.md: once the reply has left, the maildrop is free.  The
	 * Maildir is as UPDATE left it, so the lock goes before the reply;
	 * the size cache and the logout line come after it, without the
	 * lock (sizes.h: each writer has its own temporary file).
	 */
	if (maildir_unlock(t->md) == -1)
		log_msg(LOG_WARNING, "cannot give up the maildrop lock before "
		    "the reply: %s", strerror(errno));
	if (t->result.purge_error != 0)
		log_msg(LOG_WARNING, "cannot purge %s: %s", TRASH_DIR,
		    strerror(t->result.purge_error));
	if (t->result.undeleted > 0)
		reply_err(s, "[SYS/TEMP] some deleted messages not removed");
	else
		reply_ok(s, "bye");
	session_end(s, END_QUIT);
	/* The client has its answer; now the size cache (cache.h). */
	if (session_flush(s) == 0 && maildir_save(t->md) == -1)
		log_msg(LOG_WARNING, "cannot write the size cache: %s",
		    strerror(errno));
}

const char *
trans_logout(const struct trans *t, char *buf, size_t size)
{
	const struct commit_result	*r = &t->result;
	size_t				 n;
	int				 k;

	k = snprintf(buf, size, "retrieved=%zu/%" PRIu64 ", deleted=%zu/%"
	    PRIu64 ", undeletable=%zu/%" PRIu64 ", unmoved=%zu",
	    t->retrieved, t->retrieved_octets, r->deleted, r->deleted_octets,
	    r->undeleted, r->undeleted_octets, r->unmoved);
	n = k < 0 ? 0 : (size_t)k < size ? (size_t)k : size - 1;
	if (t->expire != POLICY_OFF && n < size) {
		k = snprintf(buf + n, size - n, ", expired=%zu/%" PRIu64,
		    t->expired, t->expired_octets);
		n = k < 0 ? n : (size_t)k < size - n ? n + (size_t)k : size - 1;
	}
	if (t->trash != POLICY_OFF && n < size) {
		k = snprintf(buf + n, size - n, ", trashed=%zu/%" PRIu64
		    ", purged=%zu", r->trashed, r->trashed_octets, r->purged);
		n = k < 0 ? n : (size_t)k < size - n ? n + (size_t)k : size - 1;
	}
	if (r->error != 0 && n < size)
		(void)snprintf(buf + n, size - n, ", error=%s",
		    strerror(r->error));
	return buf;
}
