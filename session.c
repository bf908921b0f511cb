/* SPDX-License-Identifier: ISC */
/*
 * session.c: the command loop and every byte written to the client.
 * Client bytes reach handlers only as a struct command from
 * proto_parse(); the line buffer is wiped after each command because
 * it may have held a password.
 */
#include "session.h"

#include <assert.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

static void	dispatch(struct session *, enum parse, const struct command *);
static int	out_failed(struct session *);
static void	put_status(struct session *, const char *, const char *,
		    va_list) __attribute__((format(printf, 3, 0)));

void
session_init(struct session *s, int infd, int outfd, int timeout,
    bool exact, unsigned badmax)
{
	memset(s, 0, offsetof(struct session, in));
	io_init(&s->in, infd, timeout, exact);
	out_init(&s->out, outfd, timeout);
	s->badmax = badmax;
	s->idle = timeout;
}

void
session_deadline(struct session *s, unsigned long secs)
{
	s->deadline = io_now_ms() + (long long)secs * 1000;
}

void
session_forget(struct session *s)
{
	wipe(s->line, sizeof(s->line));
	io_forget(&s->in);
}

void
session_end(struct session *s, enum session_end why)
{
	if (!s->end) {
		s->end = true;
		s->why = why;
	}
}

/* The client is gone for good: say so once, and drop what is left. */
static int
out_failed(struct session *s)
{
	s->outdead = true;
	s->out.len = 0;
	session_end(s, END_IOERR);
	return -1;
}

int
session_flush(struct session *s)
{
	if (s->outdead)
		return -1;
	if (s->out.len == 0)
		return 0;
	if (out_flush(&s->out) == -1)
		return out_failed(s);
	return 0;
}

int
reply_raw(struct session *s, const char *p, size_t n)
{
	if (s->outdead)
		return -1;
	if (out_write(&s->out, p, n) == -1)
		return out_failed(s);
	return 0;
}

static void
put_status(struct session *s, const char *status, const char *fmt,
    va_list ap)
{
	char	text[POP3_REPLY_MAX - 8], buf[POP3_REPLY_MAX];
	int	r;

	s->replies++;
	/* RFC 2449 s.4: at most 512 octets; our texts are far shorter. */
	r = vsnprintf(text, sizeof(text), fmt, ap);
	if (r < 0)
		text[0] = '\0';
	r = snprintf(buf, sizeof(buf), "%s%s%s\r\n", status,
	    text[0] != '\0' ? " " : "", text);
	if (r > 0 && (size_t)r < sizeof(buf))
		(void)reply_raw(s, buf, (size_t)r);
	else
		session_end(s, END_FATAL);
}

void
reply_ok(struct session *s, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	put_status(s, "+OK", fmt, ap);
	va_end(ap);
}

void
reply_err(struct session *s, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	put_status(s, "-ERR", fmt, ap);
	va_end(ap);
}

void
reply_line(struct session *s, const char *fmt, ...)
{
	char	buf[POP3_REPLY_MAX];
	va_list	ap;
	int	r;

	va_start(ap, fmt);
	r = vsnprintf(buf, sizeof(buf) - 2, fmt, ap);
	va_end(ap);
	if (r < 0)
		r = 0;
	else if ((size_t)r >= sizeof(buf) - 2)
		r = (int)sizeof(buf) - 3;	/* truncated */
	buf[r++] = '\r';
	buf[r++] = '\n';
	(void)reply_raw(s, buf, (size_t)r);
}

void
reply_cont(struct session *s, const char *text)
{
	if (reply_raw(s, "+ ", 2) == 0 &&
	    reply_raw(s, text, strlen(text)) == 0 &&
	    reply_raw(s, "\r\n", 2) == 0)
		(void)session_flush(s);
}

void
bad_command(struct session *s, const char *text)
{
	/* A client that keeps sending garbage is not a POP3 client. */
	if (++s->bad >= s->badmax) {
		reply_err(s, "too many bad commands, closing connection");
		session_end(s, END_BAD);
	} else
		reply_err(s, "%s", text);
}

enum io_status
session_readline(struct session *s, char *line, size_t size, size_t *len)
{
	enum io_status	st;
	long long	left;

	/* After a failed write or a decision to stop, read nothing more. */
	if (s->end || (!io_has_line(&s->in) && session_flush(s) == -1))
		return IO_ERROR;
	s->in.timeout = s->idle;
	if (s->deadline != 0) {
		left = s->deadline - io_now_ms();
		if (left <= 0) {
			session_end(s, END_DEADLINE);
			return IO_TIMEOUT;
		}
		left = (left + 999) / 1000;
		if (left < s->idle)
			s->in.timeout = (int)left;
	}
	st = io_readline(&s->in, line, size, len);
	switch (st) {
	case IO_OK:
		if (*len > 0 && line[*len - 1] == '\r')
			(*len)--;
		break;
	case IO_LONG:
		break;
	case IO_EOF:
		session_end(s, END_EOF);
		break;
	case IO_TIMEOUT:
		/* The last stretch before the deadline is the deadline's. */
		session_end(s, s->deadline != 0 &&
		    io_now_ms() >= s->deadline ? END_DEADLINE : END_TIMEOUT);
		break;
	case IO_ERROR:
		session_end(s, END_IOERR);
		break;
	}
	return st;
}

static void
dispatch(struct session *s, enum parse p, const struct command *cmd)
{
	const struct handler	*h = NULL;
	size_t			 i;

	for (i = 0; p == PARSE_OK && i < s->nhandlers; i++)
		if (s->handlers[i].verb == cmd->verb)
			h = &s->handlers[i];

	if (p == PARSE_BAD)
		bad_command(s, "malformed command");
	else if (p == PARSE_UNKNOWN)
		bad_command(s, "unknown command");
	else if (h == NULL)
		bad_command(s, "command not valid in this state");
	else if (h->arity == ARG_NONE && cmd->arg != NULL)
		bad_command(s, "no argument allowed");
	else if (h->arity == ARG_REQUIRED && cmd->arg == NULL)
		bad_command(s, "argument required");
	else
		h->run(s, cmd);
}

enum session_end
session_run(struct session *s)
{
	struct command	cmd;
	size_t		len;

	while (!s->end) {
		s->replies = 0;
		switch (session_readline(s, s->line, sizeof(s->line), &len)) {
		case IO_OK:
			dispatch(s, proto_parse(s->line, len, &cmd), &cmd);
			session_forget(s);
			break;
		case IO_LONG:
			/* RFC 2449 s.4; the rest of the line is gone. */
			bad_command(s, "line too long");
			break;
		case IO_TIMEOUT:
			/* RFC 1939 s.3: autologout; nothing is committed. */
			reply_err(s, s->why == END_DEADLINE ?
			    "autologout: login took too long" :
			    "autologout: idle for too long");
			continue;
		default:
			continue;
		}
		assert(s->replies == 1 ||
		    (s->replies == 0 && s->why == END_HANDOFF));
	}
	(void)session_flush(s);
	return s->why;
}

const char *
session_end_text(enum session_end why)
{
	switch (why) {
	case END_QUIT:
		return "quit";
	case END_HANDOFF:
		return "handed off";
	case END_EOF:
		return "client closed the connection";
	case END_TIMEOUT:
		return "idle timeout";
	case END_IOERR:
		return "connection error";
	case END_BAD:
		return "too many bad commands";
	case END_LOGINS:
		return "too many failed logins";
	case END_DEADLINE:
		return "login deadline (-A)";
	case END_FATAL:
		break;
	}
	return "server error";
}
