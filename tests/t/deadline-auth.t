# SPDX-License-Identifier: ISC
# The AUTHORIZATION state has an overall deadline (-A): a command
# restarts the idle timer (-t), never this one.
# pop3d: -d 0 -p any -t 60 -A 1
# hold: 4
<< +OK *
>> USER alice
<< +OK *
-- idle
<< -ERR autologout: login took too long
~~ session ended before login: login deadline \(-A\), ip=
