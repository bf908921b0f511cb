/* SPDX-License-Identifier: ISC */
/*
 * tests/unit_log.c: log lines stay one line.  log_clean() on a table,
 * then log_msg() itself with stderr on a file: whatever a caller
 * passes (a CR, an LF, an escape, a DEL), the file gets exactly one
 * line per call and no control byte but the final LF.
 */
#define _GNU_SOURCE		/* memmem, mkstemp */

#include "../log.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "../params.h"
#include "check.h"

static const char	*check_prog = "unit_log";

static void
test_clean(void)
{
	static const struct {
		const char	*in, *want;
	} cases[] = {
		{ "plain text, ip=[1.2.3.4]",	"plain text, ip=[1.2.3.4]" },
		{ "a\nLOGIN FAILED, user=x",	"a?LOGIN FAILED, user=x" },
		{ "cr\r\nlf",			"cr??lf" },
		{ "\x1b[31mred\x7f",		"?[31mred?" },
		{ "tab\there",			"tab?here" },
		{ "utf-8 \xc3\xa4 stays",	"utf-8 \xc3\xa4 stays" },
		{ "",				"" },
	};
	char	buf[128];
	size_t	i;

	for (i = 0; i < nitems(cases); i++) {
		(void)snprintf(buf, sizeof(buf), "%s", cases[i].in);
		CHECK(log_clean(buf) == buf);
		CHECK(strcmp(buf, cases[i].want) == 0);
	}
}

static void
test_msg_one_line(void)
{
	char	path[] = "/tmp/unit_log.XXXXXX", buf[4096];
	int	fd, saved;
	ssize_t	n, i, lines = 0;

	CHECK((fd = mkstemp(path)) != -1);
	CHECK((saved = dup(2)) != -1);
	CHECK(dup2(fd, 2) == 2);
	log_init("unit_log", LOG_DEST_STDERR);
	log_msg(LOG_NOTICE, "user=%s", "x\nunit_log[1]: LOGIN FAILED, "
	    "user=root, ip=[192.0.2.1]");
	log_msg(LOG_NOTICE, "%s", "\r\x01\x1f\x7f");
	(void)fflush(stderr);
	CHECK(dup2(saved, 2) == 2);
	(void)close(saved);
	CHECK((n = pread(fd, buf, sizeof(buf), 0)) > 0);
	for (i = 0; i < n; i++) {
		if (buf[i] == '\n')
			lines++;
		else
			CHECK((unsigned char)buf[i] >= 0x20 && buf[i] != 0x7f);
	}
	CHECK(lines == 2);
	CHECK(memmem(buf, (size_t)n, "user=x?unit_log[1]: LOGIN", 25) !=
	    NULL);
	(void)close(fd);
	(void)unlink(path);
}

int
main(void)
{
	RUN(test_clean);
	RUN(test_msg_one_line);
	return check_exit();
}
