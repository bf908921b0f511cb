# SPDX-License-Identifier: ISC
# DELE marks; a deleted message is gone from STAT, LIST and UIDL and
# cannot be used again; QUIT unlinks it.
# fixture: basic
<< +OK *
>> USER alice
<< +OK *
>> PASS secret
<< +OK *
>> DELE 1
<< +OK message 1 deleted
>> DELE 1
<< -ERR message 1 is deleted
>> RETR 1
<< -ERR message 1 is deleted
>> TOP 1 0
<< -ERR message 1 is deleted
>> LIST 1
<< -ERR message 1 is deleted
>> UIDL 1
<< -ERR message 1 is deleted
>> STAT
<< +OK 2 95
>> LIST
<< +OK 2 messages (95 octets)
<< 2 59
<< 3 36
<< .
>> DELE 3
<< +OK *
>> LAST
<< +OK 3
>> QUIT
<< +OK *
== cur/1000000002.M2P2.test:2,
~~ deleted=2/126
