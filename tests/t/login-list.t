# SPDX-License-Identifier: ISC
# USER/PASS, then STAT, LIST, UIDL with exact CRLF sizes; QUIT moves
# new/ mail to cur/ with ":2," and changes nothing else.
# fixture: basic
<< +OK *
>> USER alice
<< +OK *
>> PASS secret
<< +OK maildrop has 3 messages (185 octets)
>> STAT
<< +OK 3 185
>> LIST
<< +OK 3 messages (185 octets)
<< 1 90
<< 2 59
<< 3 36
<< .
>> LIST 2
<< +OK 2 59
>> UIDL
<< +OK *
<< 1 1000000001.M1P1.test
<< 2 1000000002.M2P2.test
<< 3 1000000003.M3P3.test
<< .
>> UIDL 3
<< +OK 3 1000000003.M3P3.test
>> NOOP
<< +OK
>> QUIT
<< +OK *
== cur/1000000001.M1P1.test:2,
== cur/1000000002.M2P2.test:2,
== cur/1000000003.M3P3.test:2,S
~~ login: user=alice, ip=\[unknown\], messages=3, octets=185
~~ logout: user=alice, .*retrieved=0/0, deleted=0/0
