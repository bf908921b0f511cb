# SPDX-License-Identifier: ISC
# CAPA before login lists what works in the AUTHORIZATION state.
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
<< IMPLEMENTATION pop3d
<< .
>> QUIT
<< +OK *
