# SPDX-License-Identifier: ISC
# At QUIT new/ mail moves to cur/ with ":2,"; RETR adds S in ASCII
# order to the flags; unknown info is left alone.
# setup: for f in cur/3000000001.a:2,FR cur/3000000002.b:2,T cur/3000000003.c:1,xyz new/3000000004.d cur/3000000005.e; do printf 'S: x\n\nx\n' >"$f"; done
<< +OK *
>> USER alice
<< +OK *
>> PASS secret
<< +OK *
>>! RETR 1\r\nRETR 2\r\nRETR 3\r\nRETR 4\r\nRETR 5\r\nQUIT\r\n
<< +OK 11 octets
<< S: x
<<
<< x
<< .
<< +OK 11 octets
<< S: x
<<
<< x
<< .
<< +OK 11 octets
<< S: x
<<
<< x
<< .
<< +OK 11 octets
<< S: x
<<
<< x
<< .
<< +OK 11 octets
<< S: x
<<
<< x
<< .
<< +OK bye
== cur/3000000001.a:2,FRS
== cur/3000000002.b:2,ST
== cur/3000000003.c:1,xyz
== cur/3000000004.d:2,S
== cur/3000000005.e:2,S
