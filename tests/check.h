/* SPDX-License-Identifier: ISC */
/*
 * tests/check.h: the whole unit-test framework.  Each test function
 * runs under RUN(), which prints one "ok NAME" or "FAIL NAME" line
 * for tests/run-all.sh to count; main() returns check_exit().
 */
#ifndef CHECK_H
#define CHECK_H

#include <stdio.h>

static int	check_failed;	/* the current test failed */
static int	check_any;	/* some test failed */

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: failed: %s\n",			\
		    __FILE__, __LINE__, #cond);				\
		check_failed = 1;					\
	}								\
} while (0)

#define RUN(fn) do {							\
	check_failed = 0;						\
	fn();								\
	printf("%s %s:%s\n", check_failed ? "FAIL" : "ok",		\
	    check_prog, #fn);						\
	check_any |= check_failed;					\
} while (0)

#define check_exit()	(check_any ? 1 : 0)

#endif /* CHECK_H */
