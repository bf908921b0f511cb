# SPDX-License-Identifier: ISC
# APOP is refused unless enabled; a malformed one is a bad command.
<< +OK POP3 server ready
>> APOP alice c4c9334bac560ecc979e58001b3e22fb
<< -ERR APOP is not enabled
>> QUIT
<< +OK *
