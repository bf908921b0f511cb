/* SPDX-License-Identifier: ISC */
/*
 * log.c: the only place that writes diagnostics.  Trusts nothing it
 * is asked to print that came from a client: callers escape such text
 * with log_escape(), and every finished line has its control bytes
 * replaced as well, so no caller can ever start a second line.
 * Never writes to fd 0 or fd 1.
 */
#include "log.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "params.h"

static bool		 use_stderr;
static const char	*log_ident = "pop3d";
static void		(*log_sink)(int, const char *);

static bool	same_file(const struct stat *, int);
static bool	valid_addr(const char *);

static bool
same_file(const struct stat *st, int fd)
{
	struct stat	other;

	if (fstat(fd, &other) == -1)
		return false;
	return st->st_dev == other.st_dev && st->st_ino == other.st_ino;
}

bool
log_stderr_is_client(void)
{
	struct stat	st;

	/* A terminal on 0, 1 and 2 is an admin trying things: not a client. */
	return fstat(2, &st) == 0 && S_ISSOCK(st.st_mode) &&
	    (same_file(&st, 0) || same_file(&st, 1));
}

void
log_init(const char *ident, enum log_dest dest)
{
	struct stat	st, null;

	log_ident = ident;
	use_stderr = false;
	if (dest == LOG_DEST_STDERR)
		use_stderr = true;
	else if (dest == LOG_DEST_AUTO && fstat(2, &st) == 0) {
		use_stderr = !log_stderr_is_client();
		/* /dev/null is where a careful parent put a socket fd 2. */
		if (S_ISCHR(st.st_mode) && stat("/dev/null", &null) == 0 &&
		    st.st_rdev == null.st_rdev)
			use_stderr = false;
	}
	if (!use_stderr)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
}

void
log_msg(int prio, const char *fmt, ...)
{
	char	line[1024];
	va_list	ap;
	int	n, e = errno;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		(void)snprintf(line, sizeof(line), "(unprintable log line)");
	log_clean(line);
	if (log_sink != NULL)
		log_sink(prio, line);
	else if (use_stderr)
		(void)fprintf(stderr, "%s[%ld]: %s\n", log_ident,
		    (long)getpid(), line);
	else
		syslog(prio, "%s", line);
	errno = e;
}

void
log_set_sink(void (*sink)(int, const char *))
{
	log_sink = sink;
}

char *
log_clean(char *line)
{
	unsigned char	*p;

	/* A CR, LF or any control byte could start a forged line. */
	for (p = (unsigned char *)line; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			*p = '?';
	return line;
}

char *
log_escape(char *dst, size_t size, const char *src, size_t len)
{
	static const char	hex[] = "0123456789abcdef";
	size_t			i, o = 0;

	for (i = 0; i < len; i++) {
		unsigned char	c = (unsigned char)src[i];
		bool		plain = (c >= 'a' && c <= 'z') ||
			    (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			    c == '.' || c == '_' || c == '@' || c == '+' ||
			    c == '-';

		/* Keep room for "..." and the NUL. */
		if (o + (plain ? 1 : 4) + 4 > size) {
			if (size >= 4) {
				memcpy(dst + o, "...", 3);
				o += 3;
			}
			break;
		}
		if (plain)
			dst[o++] = (char)c;
		else {
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 15];
		}
	}
	dst[o < size ? o : size - 1] = '\0';
	return dst;
}

static bool
valid_addr(const char *s)
{
	unsigned char	buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, s, buf) == 1 ||
	    inet_pton(AF_INET6, s, buf) == 1;
}

char *
log_peer(char *dst, size_t size)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sl = sizeof(ss);
	const char		*env;
	const void		*a = NULL;
	int			 af = AF_INET;

	/* tcpserver; systemd; stunnel's exec mode (pop3s). */
	if (((env = getenv("TCPREMOTEIP")) != NULL && valid_addr(env)) ||
	    ((env = getenv("REMOTE_ADDR")) != NULL && valid_addr(env)) ||
	    ((env = getenv("REMOTE_HOST")) != NULL && valid_addr(env))) {
		if (strlen(env) < size) {
			(void)memcpy(dst, env, strlen(env) + 1);
			return dst;
		}
	}
	if (getpeername(0, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET)
			a = &((struct sockaddr_in *)&ss)->sin_addr;
		else if (ss.ss_family == AF_INET6) {
			const struct in6_addr	*in6 =
			    &((struct sockaddr_in6 *)&ss)->sin6_addr;

			/* ::ffff:a.b.c.d is an IPv4 client; log it as one. */
			if (IN6_IS_ADDR_V4MAPPED(in6))
				a = &in6->s6_addr[12];
			else {
				a = in6;
				af = AF_INET6;
			}
		}
		if (a != NULL && inet_ntop(af, a, dst, (socklen_t)size) != NULL)
			return dst;
	}
	(void)snprintf(dst, size, "unknown");
	return dst;
}
