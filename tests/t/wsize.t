# SPDX-License-Identifier: ISC
# ",W=N" in a name is trusted as the size; a malformed one is not.
# setup: printf 'x\n' >cur/1700000000.M1P1.h,S=2,W=777:2,; printf 'y\n' >cur/1700000001.M1P1.h,W=7z:2,
<< +OK *
>> USER alice
<< +OK *
>> PASS secret
<< +OK maildrop has 2 messages (780 octets)
>> LIST
<< +OK *
<< 1 777
<< 2 3
<< .
>> QUIT
<< +OK *
