# SPDX-License-Identifier: ISC
# After -l failed logins the server says so and hangs up.  A user name
# that could forge a log line is escaped.
# pop3d: -d 0 -p any -l 2
<< +OK *
>> USER alice, ip=[10.0.0.1]
<< +OK *
>> PASS wrong
<< -ERR [AUTH] authentication failed
>> USER alice
<< +OK *
>> PASS wrong
<< -ERR [AUTH] authentication failed; too many failures, closing connection
-- closed
>> USER alice
>> PASS secret
~~ LOGIN FAILED, user=alice\\x2c\\x20ip\\x3d\\x5b10.0.0.1\\x5d, ip=\[unknown\]$
~~ too many failed logins
