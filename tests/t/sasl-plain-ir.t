# SPDX-License-Identifier: ISC
# AUTH PLAIN with an initial response logs straight in, pipelined.
# fixture: basic
<< +OK *
>> AUTH PLAIN AGFsaWNlAHNlY3JldA==
<< +OK maildrop has 3 messages (185 octets)
>> STAT
<< +OK 3 185
>> QUIT
<< +OK *
