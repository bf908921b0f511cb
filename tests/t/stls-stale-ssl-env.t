# SPDX-License-Identifier: ISC
# Under a UCSPI-TLS wrapper nothing is encrypted before STLS, whatever
# SSL_PROTOCOL says: plaintext logins stay refused until the switch.
# pop3d: -d 0
# ucspitls: offered
# env: SSL_PROTOCOL=TLSv1.3
<< +OK *
>> CAPA
<< +OK *
<< STLS
<< TOP
<< UIDL
<< PIPELINING
<< RESP-CODES
<< AUTH-RESP-CODE
<< IMPLEMENTATION pop3d
<< .
>> USER alice
<< -ERR [AUTH] plaintext authentication is disabled on an insecure connection
>> AUTH PLAIN AGFsaWNlAHNlY3JldA==
<< -ERR [AUTH] plaintext authentication is disabled on an insecure connection
>> QUIT
<< +OK *
