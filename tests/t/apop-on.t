# SPDX-License-Identifier: ISC
# With -a the greeting carries a stamp; wrong or malformed digests fail.
# pop3d: -d 0 -p any -a -h mail.example.org
<< +OK POP3 server ready *
>> APOP alice C4C9334BAC560ECC979E58001B3E22FB
<< -ERR usage: APOP name digest (32 lower-case hex)
>> APOP alice c4c9334bac560ecc979e58001b3e22f
<< -ERR usage: APOP name digest (32 lower-case hex)
>> APOP alice
<< -ERR usage: APOP name digest (32 lower-case hex)
>> APOP alice c4c9334bac560ecc979e58001b3e22fb
<< -ERR [AUTH] authentication failed
>> QUIT
<< +OK *
~~ LOGIN FAILED, user=alice
