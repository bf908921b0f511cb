# SPDX-License-Identifier: ISC
# The greeting, then QUIT before login: one +OK each, nothing touched.
# fixture: basic
<< +OK *
>> QUIT
<< +OK *
== new/1000000001.M1P1.test
== cur/1000000002.M2P2.test:2,
== cur/1000000003.M3P3.test:2,S
