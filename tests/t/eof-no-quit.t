# SPDX-License-Identifier: ISC
# A client that vanishes without QUIT changes nothing on disk, not
# even new/ -> cur/ or the S flag.
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
>> RETR 3
<< +OK 36 octets
<< Subject: three
<<
<< no final newline
<< .
== new/1000000001.M1P1.test
== cur/1000000002.M2P2.test:2,
== cur/1000000003.M3P3.test:2,S
~~ client closed the connection: nothing changed
