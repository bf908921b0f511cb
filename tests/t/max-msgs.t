# SPDX-License-Identifier: ISC
# More messages than -M allows: a clear -ERR rather than unbounded memory.
# fixture: basic
# maildir: -M 2
<< +OK *
>> USER alice
<< +OK *
>> PASS secret
<< -ERR [SYS/PERM] too many messages in mailbox
-- closed
>> STAT
~~ more messages than -M allows
