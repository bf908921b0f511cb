# SPDX-License-Identifier: ISC
# The tenth bad command ends the session cleanly; nothing changes.
# fixture: basic
<< +OK *
>> USER alice
<< +OK *
>> PASS secret
<< +OK *
>> DELE 1
<< +OK *
>> XA1
<< -ERR *
>> XA2
<< -ERR *
>> XA3
<< -ERR *
>> XA4
<< -ERR *
>> XA5
<< -ERR *
>> XA6
<< -ERR *
>> XA7
<< -ERR *
>> XA8
<< -ERR *
>> XA9
<< -ERR *
>> XB1
<< -ERR too many bad commands, closing connection
-- closed
>> QUIT
== new/1000000001.M1P1.test
== cur/1000000002.M2P2.test:2,
== cur/1000000003.M3P3.test:2,S
~~ too many bad commands: nothing changed
