# SPDX-License-Identifier: ISC
# A login after the delay has passed gets in and says LOGIN-DELAY in
# CAPA; the per-user value from checkpassword wins over -L.
# maildir: -L 3600
# env: POP3D_LOGIN_DELAY=60
# setup: : >pop3d.login; touch -t 202001010000 pop3d.login
<< +OK *
>> USER alice
<< +OK *
>> PASS secret
<< +OK *
>> CAPA
<< +OK *
<< TOP
<< UIDL
<< PIPELINING
<< RESP-CODES
<< LOGIN-DELAY 60
<< IMPLEMENTATION pop3d
<< .
>> QUIT
<< +OK bye
==
