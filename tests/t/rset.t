# SPDX-License-Identifier: ISC
# RSET unmarks everything; nothing is deleted at QUIT.  LAST returns
# to its value at login: message 3 carries the S flag.
# fixture: basic
<< +OK *
>> USER alice
<< +OK *
>> PASS secret
<< +OK *
>> DELE 1
<< +OK *
>> DELE 2
<< +OK *
>> RSET
<< +OK maildrop has 3 messages (185 octets)
>> LAST
<< +OK 3
>> RETR 2
<< +OK 59 octets
<< From: a@example.org
<< Subject: two
<<
<< Line one.
<< Line two.
<< .
>> QUIT
<< +OK *
== cur/1000000001.M1P1.test:2,
== cur/1000000002.M2P2.test:2,S
== cur/1000000003.M3P3.test:2,S
