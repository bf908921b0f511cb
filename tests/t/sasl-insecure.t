# SPDX-License-Identifier: ISC
# On an insecure connection AUTH PLAIN is neither listed nor accepted;
# CRAM-MD5 (with -c) stays, as APOP does.
# pop3d: -d 0 -c
<< +OK *
>> CAPA
<< +OK *
<< SASL CRAM-MD5
<< TOP
<< UIDL
<< PIPELINING
<< RESP-CODES
<< AUTH-RESP-CODE
<< IMPLEMENTATION pop3d
<< .
>> AUTH
<< +OK *
<< CRAM-MD5
<< .
>> AUTH PLAIN AGFsaWNlAHNlY3JldA==
<< -ERR [AUTH] plaintext authentication is disabled on an insecure connection
>> QUIT
<< +OK *
