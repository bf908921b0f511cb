# SPDX-License-Identifier: ISC
# Nothing is answered after QUIT, even if the client pipelined more.
# fixture: basic
<< +OK *
>> USER alice
<< +OK *
>> PASS secret
<< +OK *
>> QUIT
<< +OK bye
-- closed
>> STAT
