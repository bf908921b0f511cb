# SPDX-License-Identifier: ISC
# Before login too: the bad-command limit (-b) ends the session.
# pop3d: -d 0 -p any -b 3
<< +OK *
>> HELO
<< -ERR unknown command
>> GET / HTTP/1.0
<< -ERR unknown command
>> EHLO x
<< -ERR too many bad commands, closing connection
-- closed
>> USER alice
~~ session ended before login: too many bad commands
