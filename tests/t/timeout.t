# SPDX-License-Identifier: ISC
# An idle client is logged out (RFC 1939 s.3) and nothing changes.
# fixture: basic
# maildir: -t 1
# hold: 3
<< +OK *
>> USER alice
<< +OK *
>> PASS secret
<< +OK *
>> DELE 1
<< +OK *
-- idle
<< -ERR autologout: idle for too long
== new/1000000001.M1P1.test
== cur/1000000002.M2P2.test:2,
== cur/1000000003.M3P3.test:2,S
~~ idle timeout: nothing changed
