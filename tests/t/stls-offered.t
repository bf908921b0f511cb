# SPDX-License-Identifier: ISC
# Under a UCSPI-TLS wrapper CAPA lists STLS; plaintext logins wait for
# it.  After "+OK" the front end reads only the wrapper's channel: the
# CAPA pipelined behind STLS is never read, let alone answered in the
# clear (the STLS command injection of CVE-2011-0411).
# pop3d: -d 0
# ucspitls: offered
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
>> STLS now
<< -ERR no argument allowed
>> STLS
<< +OK begin TLS negotiation
-- closed
>> CAPA
>> USER alice
~~ session ended before login: client closed the connection
