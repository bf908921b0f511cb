# SPDX-License-Identifier: ISC
# -E declares the connection encrypted (pop3s behind stunnel).
# pop3d: -d 0 -E
# fixture: basic
<< +OK *
>> USER alice
<< +OK *
>> PASS secret
<< +OK *
>> QUIT
<< +OK *
