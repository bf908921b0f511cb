# On an insecure connection AUTH PLAIN is neither listed nor accepted;
# CRAM-MD5 stays, as APOP does.
# pop3d: -d 0
<< +OK *
>> AUTH
<< +OK *
<< CRAM-MD5
<< .
>> AUTH PLAIN AGFsaWNlAHNlY3JldA==
<< -ERR [AUTH] plaintext authentication is disabled on an insecure connection
>> QUIT
<< +OK *
