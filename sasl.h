/* SPDX-License-Identifier: ISC */
/*
 * sasl.h: the AUTH command (RFC 5034) with the SASL mechanisms PLAIN
 * (RFC 4616) and CRAM-MD5 (RFC 2195), in the AUTHORIZATION state.
 * Decodes client responses through proto.c and hands the credentials
 * to auth_login() (login.h); keeps nothing after the command.
 */
#ifndef SASL_H
#define SASL_H

#include "login.h"
#include "proto.h"
#include "session.h"

/*
 * The mechanisms offered right now, each preceded by a space, for the
 * CAPA "SASL" line: PLAIN only where plaintext is allowed, CRAM-MD5
 * only with -c.  "" if there is none.
 */
const char	*sasl_mechs(const struct authz *);

/* The AUTH handler: "AUTH" lists mechanisms, "AUTH MECH [IR]" runs one. */
void		 sasl_auth(struct session *, const struct command *);

#endif /* SASL_H */
