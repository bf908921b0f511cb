# SPDX-License-Identifier: ISC
# POP3D_SECURE=1 from the admin makes the connection secure.
# pop3d: -d 0
# env: POP3D_SECURE=1
# fixture: basic
<< +OK *
>> USER alice
<< +OK *
>> PASS secret
<< +OK *
>> QUIT
<< +OK *
