# SPDX-License-Identifier: ISC
# AUTH PLAIN (RFC 4616, RFC 5034): initial response, the "+ "
# continuation, "*" cancels, the authzid must be empty or the user.
# fixture: basic
<< +OK *
>> AUTH
<< +OK *
<< PLAIN
<< .
>> AUTH PLAIN
<< + 
>>+ *
<< -ERR AUTH cancelled
>> AUTH PLAIN AGFsaWNlAHdyb25n
<< -ERR [AUTH] authentication failed
>> AUTH PLAIN Ym9iAGFsaWNlAHNlY3JldA==
<< -ERR [AUTH] malformed PLAIN response
>> AUTH PLAIN AGFsaWNlAHNlYwByZXQ=
<< -ERR [AUTH] malformed PLAIN response
>> AUTH PLAIN AABzZWNyZXQ=
<< -ERR [AUTH] malformed PLAIN response
>> AUTH PLAIN YWxpY2UAc2VjcmV0
<< -ERR [AUTH] malformed PLAIN response
>> AUTH PLAIN AGFsaWNlAHNlY3JldA
<< -ERR malformed base64 in SASL response
>> AUTH PLAIN AGFsaWNl*HNlY3JldA==
<< -ERR malformed base64 in SASL response
>> AUTH PLAIN =
<< -ERR [AUTH] malformed PLAIN response
>> AUTH PLAIN
<< + 
>>+
<< -ERR [AUTH] malformed PLAIN response
>> AUTH plain
<< + 
>>+ YWxpY2UAYWxpY2UAc2VjcmV0
<< +OK maildrop has 3 messages (185 octets)
>> QUIT
<< +OK *
~~ LOGIN FAILED, user=alice, ip
