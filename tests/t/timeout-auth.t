# SPDX-License-Identifier: ISC
# The idle timer runs before login too.
# pop3d: -d 0 -p any -t 1
# hold: 3
<< +OK *
>> USER alice
<< +OK *
-- idle
<< -ERR autologout: idle for too long
~~ session ended before login: idle timeout
