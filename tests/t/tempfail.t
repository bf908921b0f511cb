# SPDX-License-Identifier: ISC
# checkpassword exiting 111 or dying on a signal is a temporary
# failure, not a wrong password; the client may go on.
# fixture: basic
<< +OK *
>> USER tempfail
<< +OK *
>> PASS x
<< -ERR [SYS/TEMP] temporary failure, try again later
>> USER crash
<< +OK *
>> PASS x
<< -ERR [SYS/TEMP] temporary failure, try again later
>> USER alice
<< +OK *
>> PASS secret
<< +OK *
>> QUIT
<< +OK *
~~ exited 111
~~ killed by signal 9
