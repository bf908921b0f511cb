/* SPDX-License-Identifier: ISC */
/*
 * tests/fuzz_credrec.c: the libFuzzer target for the messages a
 * reader sends the root side (credrec.c), the one structure that
 * crosses from the client-facing, unprivileged process to root.  Any
 * bytes go to every checker.  Whatever a checker accepts must hold
 * its promises: lengths inside their fields, NUL padding after them,
 * a known mechanism, a user proto.c accepts, a digest for APOP and
 * CRAM-MD5, and for a login record, cred_pack() of the checked
 * fields gives back the very same bytes (one layout, no slack).
 */
#include "../credrec.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../proto.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cred_login	r, again;
	struct cred_peer		p;
	struct cred_log			l;
	uint32_t			v;

	if (cred_check_login(data, size, &r) == CRED_OK) {
		if (r.userlen == 0 || r.userlen >= CRED_FIELD ||
		    r.secretlen == 0 || r.secretlen >= CRED_FIELD ||
		    r.stamplen >= CRED_FIELD ||
		    r.user[r.userlen] != '\0' ||
		    r.secret[r.secretlen] != '\0' ||
		    r.stamp[r.stamplen] != '\0' ||
		    strlen(r.user) != r.userlen ||
		    !proto_user_ok(r.user, r.userlen))
			abort();
		if ((r.mech == CRED_APOP || r.mech == CRED_CRAM) &&
		    (!proto_hex_digest(r.secret, r.secretlen) ||
		    r.stamplen == 0))
			abort();
		if (cred_pack(&again, (enum cred_mech)r.mech, r.secure != 0,
		    r.user, r.userlen, r.secret, r.secretlen, r.stamp,
		    r.stamplen) != 0 || memcmp(&again, data, size) != 0)
			abort();
	}
	if (cred_check_peer(data, size, &p) == CRED_OK &&
	    ((p.family != CRED_INET4 && p.family != CRED_INET6) ||
	    (p.dfamily != CRED_INET4 && p.dfamily != CRED_INET6) ||
	    p.port > 65535 || p.dport > 65535 || p.tls > 1))
		abort();
	if (cred_check_log(data, size, &l) == CRED_OK &&
	    (l.len >= sizeof(l.text) || strlen(l.text) != l.len ||
	    l.prio > 7))
		abort();
	if (cred_check_short(data, size, CRED_MSG_VERDICT, 0, &v) ==
	    CRED_OK && (v < CRED_SERVED || v > CRED_REFUSED))
		abort();
	if (cred_check_short(data, size, CRED_MSG_END, 8, &v) == CRED_OK &&
	    v >= 8)
		abort();
	return 0;
}
