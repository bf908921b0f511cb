# SPDX-License-Identifier: ISC
# TOP sends the header, the blank line and n body lines, for LF and
# CRLF messages alike; it marks nothing as seen, and LAST keeps its
# value at login (3: message 3 carries the S flag).
# fixture: basic
<< +OK *
>> USER alice
<< +OK *
>> PASS secret
<< +OK *
>> TOP 1 0
<< +OK *
<< From: a@example.org
<< To: b@example.org
<< Subject: one
<<
<< .
>> TOP 1 2
<< +OK *
<< From: a@example.org
<< To: b@example.org
<< Subject: one
<<
<< Hello.
<< ..starts with a dot
<< .
>> TOP 2 1
<< +OK *
<< From: a@example.org
<< Subject: two
<<
<< Line one.
<< .
>> TOP 3 999999999
<< +OK *
<< Subject: three
<<
<< no final newline
<< .
>> TOP 1 -1
<< -ERR *
>> TOP 1
<< -ERR *
>> TOP 1 1 1
<< -ERR *
>> TOP 4 0
<< -ERR no such message
>> LAST
<< +OK 3
>> QUIT
<< +OK *
== cur/1000000001.M1P1.test:2,
== cur/1000000002.M2P2.test:2,
== cur/1000000003.M3P3.test:2,S
