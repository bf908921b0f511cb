# SPDX-License-Identifier: ISC
# Messages are numbered oldest first by modification time.
# fixture: basic
# setup: touch -t 201901010000 cur/1000000003.M3P3.test:2,S; touch -t 201801010000 cur/1000000002.M2P2.test:2,
<< +OK *
>> USER alice
<< +OK *
>> PASS secret
<< +OK *
>> LIST
<< +OK *
<< 1 59
<< 2 36
<< 3 90
<< .
>> UIDL 1
<< +OK 1 1000000002.M2P2.test
>> QUIT
<< +OK *
