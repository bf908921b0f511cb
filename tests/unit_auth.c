/*
 * tests/unit_auth.c: the checkpassword record, the exit-status map
 * and the loopback test.  No processes, no network.
 */
#include "../auth.h"

#include <sys/wait.h>

#include <string.h>

#include "check.h"

static const char	*check_prog = "unit_auth";

static void	test_record(void);
static void	test_classify(void);
static void	test_loopback(void);

static void
test_record(void)
{
	char	buf[POP3_AUTH_MAX];
	char	big[POP3_AUTH_MAX];

	CHECK(auth_record(buf, sizeof(buf), "u", 1, "p", 1, "", 0) == 5);
	CHECK(memcmp(buf, "u\0p\0\0", 5) == 0);
	CHECK(auth_record(buf, sizeof(buf), "u", 1, "p", 1, "<s>", 3) == 8);
	CHECK(memcmp(buf, "u\0p\0<s>\0", 8) == 0);
	CHECK(auth_record(buf, sizeof(buf), "", 0, "p", 1, "", 0) == 0);
	CHECK(auth_record(buf, sizeof(buf), "u", 1, "", 0, "", 0) == 0);
	CHECK(auth_record(buf, sizeof(buf), "u\0v", 3, "p", 1, "", 0) == 0);
	memset(big, 'a', sizeof(big));
	/* Exactly full, then one byte too many. */
	CHECK(auth_record(buf, sizeof(buf), big, sizeof(buf) - 4, "p", 1,
	    "", 0) == sizeof(buf));
	CHECK(auth_record(buf, sizeof(buf), big, sizeof(buf) - 3, "p", 1,
	    "", 0) == 0);
}

static void
test_classify(void)
{
	CHECK(auth_classify(0, true) == AUTH_SERVED);
	CHECK(auth_classify(1 << 8, true) == AUTH_SERVED);
	CHECK(auth_classify(0, false) == AUTH_SERVED);
	CHECK(auth_classify(1 << 8, false) == AUTH_REJECTED);
	CHECK(auth_classify(2 << 8, false) == AUTH_REJECTED);
	CHECK(auth_classify(POP3_EXIT_TEMP << 8, false) == AUTH_TEMPFAIL);
	CHECK(auth_classify(9, false) == AUTH_CRASHED);	/* SIGKILL */
}

static void
test_loopback(void)
{
	CHECK(auth_is_loopback("127.0.0.1"));
	CHECK(auth_is_loopback("127.1.2.3"));
	CHECK(auth_is_loopback("::1"));
	CHECK(!auth_is_loopback("192.0.2.1"));
	CHECK(!auth_is_loopback("::ffff:192.0.2.1"));
	CHECK(!auth_is_loopback("unknown"));
}

int
main(void)
{
	RUN(test_record);
	RUN(test_classify);
	RUN(test_loopback);
	return check_exit();
}
