# SPDX-License-Identifier: ISC
# LAST starts at the highest message number whose file carries the S
# flag (here 3; an S before the ':' is part of the name, not a flag),
# RETR raises it, RSET returns to the start value, DELE below it
# leaves it.
# setup: for f in cur/3000000001.a:2,S cur/3000000002.S:2,T cur/3000000003.c:2,FS new/3000000004.d; do printf 'S: x\n\nx\n' >"$f"; done
<< +OK *
>> USER alice
<< +OK *
>> PASS secret
<< +OK maildrop has 4 messages (44 octets)
>> LAST
<< +OK 3
>> RETR 4
<< +OK 11 octets
<< S: x
<<
<< x
<< .
>> LAST
<< +OK 4
>> RSET
<< +OK maildrop has 4 messages (44 octets)
>> LAST
<< +OK 3
>> DELE 2
<< +OK *
>> LAST
<< +OK 3
>> RSET
<< +OK *
>> QUIT
<< +OK bye
== cur/3000000001.a:2,S
== cur/3000000002.S:2,T
== cur/3000000003.c:2,FS
== cur/3000000004.d:2,S
