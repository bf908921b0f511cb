# SPDX-License-Identifier: ISC
# Awkward contents: NUL bytes pass through, a lone CR is data, a CR at
# the very end is kept, a headers-only and an empty message work, and
# dot lines are stuffed.  Sizes match what RETR sends.
# fixture: odd
<< +OK *
>> USER alice
<< +OK *
>> PASS secret
<< +OK maildrop has 5 messages (117 octets)
>> LIST
<< +OK *
<< 1 21
<< 2 37
<< 3 31
<< 4 0
<< 5 28
<< .
>>! RETR 1\r\nRETR 2\r\nRETR 3\r\nRETR 4\r\nRETR 5\r\nTOP 3 0\r\nTOP 4 5\r\nTOP 5 1\r\n
<< +OK 21 octets
<< Subject: nul
<<
<<! a\0b
<< .
<< +OK 37 octets
<< Subject: cr
<<
<<! lone\rcr
<<! ends in cr\r
<< .
<< +OK 31 octets
<< Subject: headers only
<< X-A: 1
<< .
<< +OK 0 octets
<< .
<< +OK 28 octets
<< Subject: dots
<<
<< ..
<< ...
<< ..x
<< .
<< +OK *
<< Subject: headers only
<< X-A: 1
<< .
<< +OK *
<< .
<< +OK *
<< Subject: dots
<<
<< ..
<< .
>> QUIT
<< +OK *
