# SPDX-License-Identifier: ISC
# A name that is no valid unique-id (over 70 octets, or a byte outside
# 0x21..0x7e) gets the hex MD5 of its part before ":" instead.
# setup: printf 'a\n' >"cur/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx:2,S"; printf 'b\n' >"cur/$(printf 'bad\177name'):2,"
<< +OK *
>> USER alice
<< +OK *
>> PASS secret
<< +OK *
>> UIDL
<< +OK *
<< 1 ef0d8623c995ea1f337ee9b7b2726806
<< 2 7550addeb770fbf3b98a53dac3f7ffcf
<< .
>> UIDL 2
<< +OK 2 7550addeb770fbf3b98a53dac3f7ffcf
>> QUIT
<< +OK *
