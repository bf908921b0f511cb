# SPDX-License-Identifier: ISC
# RETR: LF becomes CRLF, CRLF stays CRLF (never CR CR LF), a line
# starting with "." is stuffed, a missing final newline is supplied.
# Messages sent in full gain the S flag at QUIT.
# fixture: basic
<< +OK *
>> USER alice
<< +OK *
>> PASS secret
<< +OK *
>> RETR 1
<< +OK 90 octets
<< From: a@example.org
<< To: b@example.org
<< Subject: one
<<
<< Hello.
<< ..starts with a dot
<< Bye.
<< .
>> RETR 2
<< +OK 59 octets
<< From: a@example.org
<< Subject: two
<<
<< Line one.
<< Line two.
<< .
>> retr 3
<< +OK 36 octets
<< Subject: three
<<
<< no final newline
<< .
>> LAST
<< +OK 3
>> QUIT
<< +OK *
== cur/1000000001.M1P1.test:2,S
== cur/1000000002.M2P2.test:2,S
== cur/1000000003.M3P3.test:2,S
~~ retrieved=3/185
