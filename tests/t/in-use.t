# SPDX-License-Identifier: ISC
# A second session on a locked Maildir gets -ERR [IN-USE]; the front
# end adds nothing after the back end's answer.
# fixture: basic
# setup: (flock . sh -c ': >../locked; sleep 5' </dev/null >/dev/null 2>&1 &); i=0; while [ ! -e ../locked ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
<< +OK *
>> USER alice
<< +OK *
>> PASS secret
<< -ERR [IN-USE] mailbox in use by another session
-- closed
>> STAT
~~ mailbox in use: user=alice
