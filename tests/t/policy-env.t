# SPDX-License-Identifier: ISC
# A TLS wrapper that sets SSL_PROTOCOL (sslserver, s6-tlsd) makes the
# connection secure; so does POP3D_SECURE=1 from the admin.
# pop3d: -d 0
# env: SSL_PROTOCOL=TLSv1.3
# fixture: basic
<< +OK *
>> USER alice
<< +OK *
>> PASS secret
<< +OK *
>> QUIT
<< +OK *
