# SPDX-License-Identifier: ISC
# UCSPITLS="!": no login of any kind before STLS, and CAPA lists no
# USER and no SASL.  CAPA, STLS and QUIT still work.
# pop3d: -d 0 -p any -a -c
# ucspitls: required
<< +OK POP3 server ready *
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
<< -ERR [AUTH] TLS is required: send STLS first
>> PASS secret
<< -ERR [AUTH] TLS is required: send STLS first
>> APOP alice c4c9334bac560ecc979e58001b3e22fb
<< -ERR [AUTH] TLS is required: send STLS first
>> AUTH
<< -ERR [AUTH] TLS is required: send STLS first
>> AUTH PLAIN AGFsaWNlAHNlY3JldA==
<< -ERR [AUTH] TLS is required: send STLS first
>> AUTH CRAM-MD5
<< -ERR [AUTH] TLS is required: send STLS first
>> QUIT
<< +OK *
