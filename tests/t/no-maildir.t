# SPDX-License-Identifier: ISC
# A user without a Maildir gets a clear -ERR, not a hang or a crash.
# nomaildir
<< +OK *
>> USER alice
<< +OK *
>> PASS secret
<< -ERR [SYS/PERM] no mailbox
-- closed
>> STAT
~~ cannot open maildir Maildir: user=alice: No such file or directory
