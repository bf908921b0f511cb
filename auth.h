/* SPDX-License-Identifier: ISC */
/*
 * auth.h: the verbs of the AUTHORIZATION state (RFC 1939 s.4, RFC
 * 2449 CAPA, RFC 2595 STLS), run by the process that parses the
 * client: the reader when pop3d starts as root.  Runs on fixed
 * buffers only: it never touches the file system, never allocates and
 * never runs anything; logins leave it through login.h.  AUTH itself
 * is in sasl.c.
 */
#ifndef AUTH_H
#define AUTH_H

#include <stddef.h>

#include "login.h"
#include "session.h"

/* The verbs of the AUTHORIZATION state, for session.handlers. */
extern const struct handler	authz_handlers[];
extern const size_t		authz_nhandlers;

#endif /* AUTH_H */
