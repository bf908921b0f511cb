# SPDX-License-Identifier: ISC
# By default passwords never travel in the clear: on an insecure
# connection USER is hidden from CAPA and refused with [AUTH].
# pop3d: -d 0
<< +OK *
>> CAPA
<< +OK *
<< TOP
<< UIDL
<< PIPELINING
<< RESP-CODES
<< AUTH-RESP-CODE
<< IMPLEMENTATION pop3d
<< .
>> USER alice
<< -ERR [AUTH] plaintext authentication is disabled on an insecure connection
>> PASS secret
<< -ERR [AUTH] plaintext authentication is disabled on an insecure connection
>> QUIT
<< +OK *
