# SPDX-License-Identifier: ISC
# RFC 2449 PIPELINING: everything sent at once, the login included.
# The front end reads no byte past PASS, so the back end answers STAT.
# fixture: basic
<< +OK *
>>! USER alice\r\nPASS secret\r\nSTAT\r\nLIST 2\r\nDELE 2\r\nQUIT\r\n
<< +OK *
<< +OK maildrop has 3 messages (185 octets)
<< +OK 3 185
<< +OK 2 59
<< +OK message 2 deleted
<< +OK bye
== cur/1000000001.M1P1.test:2,
== cur/1000000003.M3P3.test:2,S
