# SPDX-License-Identifier: ISC
# STLS belongs to the AUTHORIZATION state: after login the back end
# refuses it, and CAPA lists what works there, without STLS, USER or
# SASL.
# ucspitls: offered
# fixture: basic
<< +OK *
>> USER alice
<< +OK *
>> PASS secret
<< +OK maildrop has 3 messages (185 octets)
>> STLS
<< -ERR command not valid in this state
>> CAPA
<< +OK *
<< TOP
<< UIDL
<< PIPELINING
<< RESP-CODES
<< IMPLEMENTATION pop3d
<< .
>> STAT
<< +OK 3 185
>> QUIT
<< +OK *
