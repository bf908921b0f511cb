# SPDX-License-Identifier: ISC
# Bad input gets exactly one -ERR each and the session goes on.
# fixture: basic
# pop3d: -d 0 -p any -b 50
# maildir: -b 50
<< +OK *
>> STAT
<< -ERR command not valid in this state
>> USER yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy
<< -ERR line too long
>> PASS secret
<< -ERR send USER first
>> USER alice
<< +OK *
>> PASS secret
<< +OK *
>> USER alice
<< -ERR command not valid in this state
>> NOOP xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
<< -ERR no argument allowed
>> NOOP xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
<< -ERR line too long
>>! NO\0OP\r\n
<< -ERR malformed command
>>! NOOP\rSTAT\r\n
<< -ERR malformed command
>>! STAT\r\r\n
<< -ERR malformed command
>>
<< -ERR malformed command
>> XTND
<< -ERR unknown command
>> STATUS
<< -ERR malformed command
>> ST
<< -ERR malformed command
>> STAT 
<< -ERR malformed command
>> STAT  1
<< -ERR no argument allowed
>>  STAT
<< -ERR malformed command
>> stat
<< +OK 3 185
>> sTaT
<< +OK 3 185
>> RETR
<< -ERR argument required
>> RETR 0
<< -ERR no such message
>> RETR 4
<< -ERR no such message
>> RETR -1
<< -ERR invalid message number
>> RETR 4294967297
<< -ERR invalid message number
>> RETR 99999999999999999999
<< -ERR invalid message number
>> RETR abc
<< -ERR invalid message number
>> RETR 1 2
<< -ERR invalid message number
>> RETR 01
<< +OK 90 octets
<< From: a@example.org
<< To: b@example.org
<< Subject: one
<<
<< Hello.
<< ..starts with a dot
<< Bye.
<< .
>> LIST 999999999
<< -ERR no such message
>> STAT 1
<< -ERR no argument allowed
>> QUIT now
<< -ERR no argument allowed
>> QUIT
<< +OK *
== cur/1000000001.M1P1.test:2,S
== cur/1000000002.M2P2.test:2,
== cur/1000000003.M3P3.test:2,S
