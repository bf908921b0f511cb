# SPDX-License-Identifier: ISC
# A failed login gets -ERR [AUTH], is logged in the fail2ban shape,
# and the client may try again.  USER never reveals anything.
# fixture: basic
<< +OK *
>> USER nosuchuser
<< +OK send PASS
>> PASS secret
<< -ERR [AUTH] authentication failed
>> USER alice
<< +OK send PASS
>> PASS wrong
<< -ERR [AUTH] authentication failed
>> USER alice
<< +OK *
>> PASS secret
<< +OK maildrop has 3 messages (185 octets)
>> QUIT
<< +OK *
~~ ^pop3d\[[0-9]+\]: LOGIN FAILED, user=nosuchuser, ip=\[unknown\]$
~~ ^pop3d\[[0-9]+\]: LOGIN FAILED, user=alice, ip=\[unknown\]$
