# SPDX-License-Identifier: ISC
# Without -X nothing expires and CAPA does not list EXPIRE; with -X a
# user whose checkpassword says POP3D_EXPIRE=NEVER keeps everything.
# maildir: -X 30
# env: POP3D_EXPIRE=NEVER
# setup: printf 'S: x\n\nx\n' >cur/3000000001.a:2,S; touch -t 202001010000 cur/3000000001.a:2,S
<< +OK *
>> USER alice
<< +OK *
>> PASS secret
<< +OK *
>> CAPA
<< +OK *
<< TOP
<< UIDL
<< PIPELINING
<< RESP-CODES
<< IMPLEMENTATION pop3d
<< .
>> QUIT
<< +OK bye
== cur/3000000001.a:2,S
~~ logout: user=alice, .*unmoved=0$
