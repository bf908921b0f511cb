# SPDX-License-Identifier: ISC
# The front end passes a superserver's client address on (REMOTE_ADDR
# from systemd becomes TCPREMOTEIP); a bad value is ignored.
# env: REMOTE_ADDR=192.0.2.7
<< +OK *
>> USER nobody-here
<< +OK *
>> PASS x
<< -ERR [AUTH] *
>> QUIT
<< +OK *
~~ LOGIN FAILED, user=nobody-here, ip=\[192.0.2.7\]$
~~ fake-checkpw: TCPREMOTEIP=192.0.2.7 user=nobody-here
