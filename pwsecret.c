/* SPDX-License-Identifier: ISC */
/*
 * pwsecret.c: reads a new password and hashes it, for pop3d-passwd.
 * The terminal is put back as it was on every path; every buffer that
 * held the password is wiped by the caller or here.  Never exits.
 */
#define _DEFAULT_SOURCE		/* crypt_gensalt_rn, crypt_rn */

#include "pwsecret.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "io.h"

static const struct pwmethod	methods[] = {
	{ "yescrypt",	"$y$",	"{CRYPT}" },
	{ "sha512",	"$6$",	"{SHA512-CRYPT}" },
	{ "sha256",	"$5$",	"{SHA256-CRYPT}" },
	{ "bcrypt",	"$2b$",	"{BLF-CRYPT}" },
	{ "plain",	NULL,	"{PLAIN}" },
};

static char		again[PWSECRET_PASS_SIZE];
static struct termios	saved_tty;
static volatile sig_atomic_t	tty_saved;
static int		tty_fd = -1;

static void	on_signal(int);
static int	read_tty(const char *, char *, size_t *);
static int	read_stdin(char *, size_t *);

const struct pwmethod *
pwsecret_method(const char *name)
{
	size_t	i;

	if (name == NULL)
		return &methods[0];
	for (i = 0; i < nitems(methods); i++)
		if (strcmp(name, methods[i].name) == 0)
			return &methods[i];
	return NULL;
}

/* Puts the terminal back before a signal ends the process. */
static void
on_signal(int sig)
{
	if (tty_saved)
		(void)tcsetattr(tty_fd, TCSAFLUSH, &saved_tty);
	(void)signal(sig, SIG_DFL);
	(void)raise(sig);
}

/* One line from the terminal without echo; 0, or -1 with errno. */
static int
read_tty(const char *prompt, char *buf, size_t *len)
{
	struct termios	t;
	size_t		n = 0;
	ssize_t		r;
	int		rc = 0, e = 0;
	char		c;

	if (tcgetattr(tty_fd, &saved_tty) == -1)
		return -1;
	tty_saved = 1;
	t = saved_tty;
	t.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL);
	/* Echo off first: the prompt tells the user to type. */
	if (tcsetattr(tty_fd, TCSAFLUSH, &t) == -1 ||
	    write(tty_fd, prompt, strlen(prompt)) == -1) {
		rc = -1;
		e = errno;
	}
	while (rc == 0) {
		r = read(tty_fd, &c, 1);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			rc = -1;
			e = errno;
		}
		if (r <= 0 || c == '\n' || c == '\r')
			break;
		if (n < PWSECRET_PASS_SIZE - 1)
			buf[n++] = c;
	}
	buf[n] = '\0';
	*len = n;
	if (tcsetattr(tty_fd, TCSAFLUSH, &saved_tty) == -1 && rc == 0) {
		rc = -1;
		e = errno;
	}
	tty_saved = 0;
	if (rc == 0 && write(tty_fd, "\n", 1) == -1) {
		rc = -1;
		e = errno;
	}
	errno = e;
	return rc;
}

/* One line of standard input; 0, or -1 with errno. */
static int
read_stdin(char *buf, size_t *len)
{
	size_t	n = 0;
	ssize_t	r;
	char	c;

	/* Byte by byte: what follows the line stays for others. */
	for (;;) {
		r = read(0, &c, 1);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return -1;
		if (r == 0 || c == '\n')
			break;
		if (n < PWSECRET_PASS_SIZE - 1)
			buf[n++] = c;
	}
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	*len = n;
	return 0;
}

enum pwsecret
pwsecret_read(bool from_stdin, bool confirm, char *pw, size_t *len)
{
	static const int	sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	enum pwsecret		res = PWSECRET_OK;
	size_t			i, m;

	*len = 0;
	if (from_stdin) {
		if (read_stdin(pw, len) == -1)
			return PWSECRET_IO;
	} else {
		tty_fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (tty_fd == -1)
			return PWSECRET_NOTTY;
		for (i = 0; i < nitems(sigs); i++)
			(void)signal(sigs[i], on_signal);
		if (read_tty("Password: ", pw, len) == -1)
			res = errno == ENOTTY ? PWSECRET_NOTTY : PWSECRET_IO;
		else if (confirm) {
			if (read_tty("Again: ", again, &m) == -1)
				res = PWSECRET_IO;
			else if (m != *len || !checkpw_equal(pw, *len, again,
			    m))
				res = PWSECRET_DIFFER;
			wipe(again, sizeof(again));
		}
		(void)close(tty_fd);	/* nothing buffered to lose */
		tty_fd = -1;
		for (i = 0; i < nitems(sigs); i++)
			(void)signal(sigs[i], SIG_DFL);
		if (res != PWSECRET_OK)
			return res;
	}
	if (*len == 0)
		return PWSECRET_EMPTY;
	if (*len > CHECKPW_PASS_MAX)
		return PWSECRET_LONG;
	if (memchr(pw, '\0', *len) != NULL)
		return PWSECRET_NUL;
	return PWSECRET_OK;
}

enum pwsecret
pwsecret_make(const struct pwmethod *m, unsigned long cost, const char *pw,
    char *out)
{
	static struct crypt_data	 cd;	/* 32 KiB: not on the stack */
	char				 salt[CRYPT_GENSALT_OUTPUT_SIZE];
	const char			*h, *p;
	int				 r;

	if (m->prefix == NULL) {
		for (p = pw; *p != '\0'; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f ||
			    *p == ':')
				return PWSECRET_PLAINBYTES;
		r = snprintf(out, PWSECRET_SIZE, "%s%s", m->scheme, pw);
	} else {
		if (crypt_gensalt_rn(m->prefix, cost, NULL, 0, salt,
		    (int)sizeof(salt)) == NULL)
			return PWSECRET_COST;
		memset(&cd, 0, sizeof(cd));
		h = crypt_rn(pw, salt, &cd, (int)sizeof(cd));
		if (h == NULL || *h == '*') {
			wipe(&cd, sizeof(cd));
			return PWSECRET_CRYPT;
		}
		r = snprintf(out, PWSECRET_SIZE, "%s%s", m->scheme, h);
		wipe(&cd, sizeof(cd));
	}
	if (r < 0 || (size_t)r >= PWSECRET_SIZE) {
		wipe(out, PWSECRET_SIZE);
		return PWSECRET_LONG;
	}
	return PWSECRET_OK;
}

const char *
pwsecret_error(enum pwsecret e)
{
	switch (e) {
	case PWSECRET_OK:
		return "no error";
	case PWSECRET_NOTTY:
		return "no terminal: use -s to read the password from "
		    "standard input";
	case PWSECRET_DIFFER:
		return "the passwords differ; nothing changed";
	case PWSECRET_EMPTY:
		return "empty password: pop3d-checkpw refuses it";
	case PWSECRET_LONG:
		return "password longer than a login record can carry";
	case PWSECRET_NUL:
		return "password with a NUL byte";
	case PWSECRET_IO:
		return "cannot read the password";
	case PWSECRET_COST:
		return "that cost is not valid for the method";
	case PWSECRET_PLAINBYTES:
		return "a {PLAIN} password cannot hold ':' or control "
		    "characters";
	case PWSECRET_CRYPT:
		return "crypt failed";
	}
	return "unknown error";
}
