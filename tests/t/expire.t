# SPDX-License-Identifier: ISC
# EXPIRE 30 (RFC 2449 s.6.7): at QUIT, mail retrieved in an earlier
# session (the S flag at login) and delivered over 30 days ago goes;
# unretrieved mail, recent mail and what this session retrieves stay.
# CAPA says so before login (USER: checkpassword may vary it) and after.
# pop3d: -d 0 -p any -X 30
# maildir: -X 30
# setup: for f in cur/3000000001.a:2,S cur/3000000002.b:2, new/3000000003.c cur/3000000004.d:2,FS; do printf 'S: x\n\nx\n' >"$f"; done; touch -t 202001010000 cur/3000000001.a:2,S cur/3000000002.b:2, new/3000000003.c
<< +OK *
>> CAPA
<< +OK *
<< USER
<< SASL PLAIN
<< TOP
<< UIDL
<< PIPELINING
<< RESP-CODES
<< AUTH-RESP-CODE
<< EXPIRE 30 USER
<< IMPLEMENTATION pop3d
<< .
>> USER alice
<< +OK *
>> PASS secret
<< +OK maildrop has 4 messages (44 octets)
>> CAPA
<< +OK *
<< TOP
<< UIDL
<< PIPELINING
<< RESP-CODES
<< EXPIRE 30
<< IMPLEMENTATION pop3d
<< .
>> RETR 2
<< +OK 11 octets
<< S: x
<<
<< x
<< .
>> QUIT
<< +OK bye
== cur/3000000002.b:2,S
== cur/3000000003.c:2,
== cur/3000000004.d:2,FS
~~ logout: user=alice, .*deleted=1/11, .*expired=1/11$
