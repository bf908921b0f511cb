# SPDX-License-Identifier: ISC
# LOGIN-DELAY 3600 (RFC 2449 s.6.5, s.8.1): a login within an hour of
# the last successful one is refused by the back end, as its answer to
# PASS, with [LOGIN-DELAY]; the password was right, so no [AUTH].
# pop3d: -d 0 -p any -L 3600
# maildir: -L 3600
# setup: : >pop3d.login; printf 'S: x\n\nx\n' >new/3000000001.a
<< +OK *
>> CAPA
<< +OK *
<< USER
<< SASL PLAIN
<< TOP
<< UIDL
<< PIPELINING
<< RESP-CODES
<< AUTH-RESP-CODE
<< LOGIN-DELAY 3600 USER
<< IMPLEMENTATION pop3d
<< .
>> USER alice
<< +OK *
>> PASS secret
<< -ERR [LOGIN-DELAY] *
== new/3000000001.a
~~ login too soon: user=alice, .*LOGIN-DELAY 3600, (3600|3[0-5][0-9][0-9]) seconds left
