/* SPDX-License-Identifier: ISC */
/*
 * session.h: one POP3 conversation on fd 0/1: the command loop, the
 * legality checks that apply to every verb, the bad-command limit and
 * every byte written to the client.  Handlers in auth.c and trans.c
 * answer through reply_*() only.
 *
 * Invariant: every command gets exactly one status line (+OK or -ERR,
 * RFC 1939 s.3).  reply_ok() and reply_err() count; session_run()
 * asserts the count is 1 after each command.
 */
#ifndef SESSION_H
#define SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include "io.h"
#include "proto.h"

struct authz;
struct trans;

enum arity { ARG_NONE, ARG_OPTIONAL, ARG_REQUIRED };

struct session;

struct handler {
	enum verb	 verb;
	enum arity	 arity;
	void		(*run)(struct session *, const struct command *);
};

enum session_end {
	END_QUIT,		/* QUIT answered */
	END_HANDOFF,		/* the back end answered; say nothing more */
	END_EOF,		/* client closed without QUIT */
	END_TIMEOUT,		/* idle timer (RFC 1939 s.3) */
	END_IOERR,		/* read or write failed */
	END_BAD,		/* too many bad commands */
	END_LOGINS,		/* too many failed logins */
	END_DEADLINE,		/* the AUTHORIZATION deadline (-A) passed */
	END_FATAL		/* a handler gave up; see the log */
};

struct session {
	const struct handler *handlers;	/* verbs legal in this state */
	size_t		 nhandlers;
	struct authz	*authz;		/* AUTHORIZATION state, or NULL */
	struct trans	*trans;		/* TRANSACTION state, or NULL */
	int		 replies;	/* status lines sent for this command */
	unsigned	 bad;		/* bad commands so far */
	unsigned	 badmax;
	int		 idle;		/* seconds allowed for one command */
	long long	 deadline;	/* io_now_ms() limit, or 0 for none */
	bool		 outdead;	/* a write failed: nothing more goes out */
	bool		 end;		/* stop after this command */
	enum session_end why;		/* valid once end is set */
	/* The command being run; one more octet holds the CR of a CRLF. */
	char		 line[POP3_LINE_MAX + 1];
	/*
	 * Last, so that session_init() clears everything above and not
	 * their 128 KiB of buffers, which io_init() and out_init() mark
	 * empty: the stores and a page fault each 4 KiB, per login.
	 */
	struct io	 in;
	struct out	 out;
};

/* The end reason in words, for log lines. */
const char *session_end_text(enum session_end);

/* Sets up the session on infd/outfd; exact: see io_init(). */
void	session_init(struct session *, int infd, int outfd, int timeout,
	    bool exact, unsigned badmax);

/*
 * From now on, the session ends secs seconds from now, however busy
 * the client keeps it (the AUTHORIZATION deadline, -A).
 */
void	session_deadline(struct session *, unsigned long secs);

/*
 * Wipes the command line being run and the input already consumed:
 * called once a password in them has been handed on.
 */
void	session_forget(struct session *);

/*
 * Reads and answers commands until the session ends; returns why.
 * Output is flushed whenever no further command is buffered, so
 * pipelined commands (RFC 2449 s.6.6) share one write.
 */
enum session_end session_run(struct session *);

/* Sends "+OK text" / "-ERR text" (one status line). */
void	reply_ok(struct session *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	reply_err(struct session *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/* Sends one line of a multi-line response; CRLF is added. */
void	reply_line(struct session *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/* Sends raw bytes (an encoded message body).  Returns 0 or -1. */
int	reply_raw(struct session *, const char *, size_t);

/* Sends a SASL continuation "+ text" (RFC 5034 s.4) and flushes. */
void	reply_cont(struct session *, const char *);

/*
 * Writes everything buffered.  Returns 0, or -1 and ends the session.
 * A failed write is final: every later reply_*() and flush is dropped
 * and no further input is read.
 */
int	session_flush(struct session *);

/*
 * Ends the session after this command.  The handler must still send
 * its one status line, unless why is END_HANDOFF.
 */
void	session_end(struct session *, enum session_end why);

/*
 * Counts a bad command and answers it with "-ERR text"; ends the
 * session when the limit is reached.
 */
void	bad_command(struct session *, const char *text);

/*
 * Reads one more line (a SASL response) of at most size - 1 octets
 * plus a CR.  Returns IO_OK with the CR stripped, IO_LONG for an
 * overlong line, or what io_readline() returned (the session has then
 * been ended).  Reads nothing once the session has ended (IO_ERROR).
 */
enum io_status session_readline(struct session *, char *, size_t, size_t *);

#endif /* SESSION_H */
