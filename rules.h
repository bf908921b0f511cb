/* SPDX-License-Identifier: ISC */
/*
 * rules.h: the seccomp rules of the reader and the back end, as
 * libseccomp sees them.  Linked only into the build tool mkfilter,
 * which compiles them into filterbpf.h, and into tests/unit_filter,
 * which compiles them again and compares; never into pop3d.
 */
#ifndef RULES_H
#define RULES_H

#include <stddef.h>

#include <linux/filter.h>

#include "filter.h"

/* The name of program id in filterbpf.h ("backend", ...). */
const char	*rules_name(enum filter_id id);

/*
 * Builds program id from the rules with libseccomp and stores it in
 * prog (room for max instructions).  Returns the number of
 * instructions, or -1 with errno.
 */
long		 rules_export(enum filter_id id, struct sock_filter *prog,
		    size_t max);

#endif /* RULES_H */
