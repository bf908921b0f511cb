# SPDX-License-Identifier: ISC
# A rename at QUIT never replaces an existing file: both copies stay.
# setup: printf 'a\n' >new/4000000001.x; printf 'b\n' >'cur/4000000001.x:2,'
<< +OK *
>> USER alice
<< +OK *
>> PASS secret
<< +OK maildrop has 2 messages (6 octets)
>> QUIT
<< +OK *
== new/4000000001.x
== cur/4000000001.x:2,
~~ unmoved=1, error=File exists
