# SPDX-License-Identifier: ISC
# A per-user value that is not a number in range refuses the login
# rather than guess what the admin meant.
# maildir: -X 30
# env: POP3D_EXPIRE=30days
<< +OK *
>> USER alice
<< +OK *
>> PASS secret
<< -ERR [SYS/PERM] *
~~ POP3D_EXPIRE, POP3D_LOGIN_DELAY or POP3D_TRASH is not a number
