# SPDX-License-Identifier: ISC
# CRAM-MD5 is off unless -c: clients such as curl and fetchmail choose
# it whenever it is listed, and it fails for users with hashed secrets.
# With PLAIN refused too, CAPA has no SASL line and AUTH lists nothing.
# pop3d: -d 0
<< +OK *
>> AUTH
<< +OK *
<< .
>> AUTH CRAM-MD5
<< -ERR CRAM-MD5 is not enabled
>> AUTH cram-md5
<< -ERR CRAM-MD5 is not enabled
>> QUIT
<< +OK *
