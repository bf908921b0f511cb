/* SPDX-License-Identifier: ISC */
/*
 * params.h: the numbers pop3d lives by.  Every bound names its source;
 * change one only together with its reason and an edge-case test.
 * Every module includes this header; it includes nothing.
 */
#ifndef PARAMS_H
#define PARAMS_H

/* RFC 2449 s.4: a command is at most 255 octets, CRLF included. */
#define POP3_CMD_MAX		255
/* What is left of a command once CRLF is removed. */
#define POP3_LINE_MAX		(POP3_CMD_MAX - 2)
/* RFC 2449 s.4: the first line of a response is at most 512 octets. */
#define POP3_REPLY_MAX		512
/* RFC 1939 s.3: an autologout timer MUST be at least 10 minutes. */
#define POP3_IDLE_SECS		600
/* RFC 5034 s.4: SASL responses are not bound by the command limit.
 * A response must fit the 512-byte checkpassword record, and base64
 * turns 3 bytes into 4, so 1024 octets is ample and still bounded. */
#define POP3_SASL_MAX		1024
/* checkpassword interface: at most 512 bytes on descriptor 3. */
#define POP3_AUTH_MAX		512
/* RFC 1939 s.7: a unique-id is 1..70 octets in 0x21..0x7e. */
#define POP3_UIDL_MAX		70
/* Policy: malformed or unknown commands tolerated per session. */
#define POP3_BAD_MAX		10
/* Policy: failed logins per connection before the server hangs up. */
#define POP3_LOGIN_MAX		3
/* Policy: seconds of delay after the first failed login; doubles. */
#define POP3_FAIL_DELAY		1
/* Policy: the delay after a failed login never exceeds this. */
#define POP3_FAIL_DELAY_MAX	30
/* Policy: refuse a Maildir this large rather than exhaust memory. */
#define POP3_MSGS_MAX		100000
/* Policy: an admin may raise the cap, but not past what 32-bit
 * message numbers and name offsets can address. */
#define POP3_MSGS_LIMIT		10000000
/* Policy: no mail file is a terabyte.  A ",W=" above this is not
 * believed (the file is read instead) and a file that could be larger
 * is left out, so with at most POP3_MSGS_LIMIT (< 2^24) messages the
 * STAT total stays below 2^64, and the size cache, which refuses
 * larger sizes as damage, can always be written. */
#define POP3_SIZE_MAX		(1ULL << 40)
/* Policy: a Maildir file name longer than this is skipped. */
#define POP3_NAME_MAX		255
/* Policy: timeout options accept at most a day. */
#define POP3_TIMEOUT_LIMIT	86400
/* RFC 1939 s.3 gives an idle client 10 minutes, so the whole
 * AUTHORIZATION state (-A) gets no less by default; the point is that
 * CAPA or a failed login no longer renews that timer forever, so one
 * client cannot hold a pre-login reader (and a slot) indefinitely. */
#define POP3_AUTHZ_SECS		600
/* Policy: the root side gives a reader this much beyond -A to say
 * goodbye itself before it kills it. */
#define POP3_AUTHZ_SLACK	10
/* Policy: a reader never opens anything; dup2() onto fds 0 and 1 at
 * STLS needs targets below this.  fork and file writes get 0. */
#define POP3_READER_NOFILE	3
/* Policy: a reader's log line (errors only); longer ones are cut. */
#define POP3_READER_LOG_MAX	256
/* Bytes read from a message or the client at a time. */
#define POP3_CHUNK		65536

/* Policy: dovecot-uidlist and courierpop3dsizelist lines are about
 * 60-150 bytes, so 32 MiB holds some 200,000 messages, twice -M's
 * default; the cap bounds what a hostile file (its owner can write
 * it) makes the back end read and allocate. */
#define UIDMAP_FILE_MAX		(32 * 1024 * 1024)
/* A list line: a UID, a few short fields (a GUID is 32 hex digits, a
 * unique-id at most 70) and a file name of at most POP3_NAME_MAX. */
#define UIDMAP_LINE_MAX		1024
/* Policy: -X (RFC 2449 EXPIRE) takes at most a hundred years. */
#define POP3_EXPIRE_MAX		36500
/* Policy: -K (days deleted mail stays in .Trash) takes at most a
 * hundred years, as -X does. */
#define POP3_TRASH_MAX		36500
/* Policy: the purge of old trash looks at no more than this many
 * files per QUIT, so a huge .Trash never makes QUIT slow (a stat(2)
 * each: some 10 ms here, cold caches more).  The rest waits for later
 * sessions: readdir(3) order is a hash of the name, not the age, so
 * what is looked at is a sample; a trash larger than this can keep
 * a message up to twice its DAYS before it goes. */
#define TRASH_PURGE_MAX		10000
/* Policy: -L (RFC 2449 LOGIN-DELAY) takes at most a day. */
#define POP3_LOGIN_DELAY_MAX	86400
/* Where the reader is chrooted without -r: the Makefile's EMPTYDIR,
 * which "make install" creates root-owned, mode 0755 and empty. */
#ifndef POP3D_EMPTYDIR
#define POP3D_EMPTYDIR		"/var/lib/pop3d/empty"
#endif
/* The Makefile's SANDBOX: 0 in sanitizer builds, whose run-time
 * needs calls no seccomp allow-list should grant. */
#ifndef POP3D_SANDBOX
#define POP3D_SANDBOX		1
#endif
/* PROXY protocol v1 (HAProxy's specification s.2.1): the longest
 * line, "PROXY UNKNOWN" with two full IPv6 addresses, is 107 octets
 * with its CRLF; a receiver declares a longer one invalid. */
#define PROXY_V1_MAX		107
/* PROXY v2 (s.2.2): 16 octets and the length they announce.  The
 * specification designs for 536; this leaves room for HAProxy's TLVs
 * (authority 255, unique id 128, the SSL strings), not for a whole
 * client certificate. */
#define PROXY_V2_MAX		1024
/* Policy: the header must arrive within this many seconds (or -t,
 * if shorter); s.2 asks for at least 3, one TCP retransmission. */
#define PROXY_SECS		10
/* Policy: entries in the -P list of allowed proxies. */
#define PROXY_ALLOW_MAX		32

/* Policy: a temporary size cache file (sizes.h) untouched for this
 * many seconds is a crash's leftover and is removed: writing one takes
 * well under a second at POP3_MSGS_MAX messages, so an hour leaves a
 * wide margin for a slow disk, and no writer is ever cut short. */
#define SIZES_TMP_STALE		3600

/* Exit statuses: the auth/serve chain depends on them (see auth.h). */
#define POP3_EXIT_OK		0
#define POP3_EXIT_USAGE		100	/* permanent: fix the invocation */
#define POP3_EXIT_TEMP		111	/* temporary: try again later */

/* Element count of an array; the BSDs have it in <sys/param.h>. */
#ifndef nitems
#define nitems(a)		(sizeof(a) / sizeof((a)[0]))
#endif

#endif /* PARAMS_H */
