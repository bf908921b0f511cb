# SPDX-License-Identifier: ISC
# A fresh Maildir: LAST is 0.  Messages retrieved in a session that
# ends without QUIT get no S flag, so they leave no trace for the next
# session's LAST (tests/it_last.py runs that next session).
# setup: for f in new/3000000001.a new/3000000002.b new/3000000003.c; do printf 'S: x\n\nx\n' >"$f"; done
<< +OK *
>> USER alice
<< +OK *
>> PASS secret
<< +OK *
>> LAST
<< +OK 0
>>! RETR 1\r\nRETR 2\r\nRETR 3\r\n
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
>> LAST
<< +OK 3
== new/3000000001.a
== new/3000000002.b
== new/3000000003.c
