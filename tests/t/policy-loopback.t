# SPDX-License-Identifier: ISC
# -p loopback does not make a pipe (no peer address) secure.
# pop3d: -d 0 -p loopback
# env: POP3D_SECURE=0
<< +OK *
>> USER alice
<< -ERR [AUTH] *
>> QUIT
<< +OK *
