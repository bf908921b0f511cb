# SPDX-License-Identifier: ISC
# stunnel's exec mode (pop3s) names the client in REMOTE_HOST; the log
# and the checkpassword program see it.
# env: REMOTE_HOST=192.0.2.7 REMOTE_PORT=40000
<< +OK *
>> USER alice
<< +OK *
>> PASS wrong
<< -ERR [AUTH] authentication failed
>> QUIT
<< +OK *
~~ ^pop3d\[[0-9]+\]: LOGIN FAILED, user=alice, ip=\[192\.0\.2\.7\]$
~~ ^fake-checkpw: TCPREMOTEIP=192\.0\.2\.7 user=alice$
