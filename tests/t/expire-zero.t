# SPDX-License-Identifier: ISC
# EXPIRE 0: what RETR sends in full is deleted at QUIT, and so is mail
# retrieved before; TOP is no retrieval, and unretrieved mail stays.
# maildir: -X 0
# setup: for f in cur/3000000001.a:2, cur/3000000002.b:2,S new/3000000003.c new/3000000004.d; do printf 'S: x\n\nx\n' >"$f"; done
<< +OK *
>> USER alice
<< +OK *
>> PASS secret
<< +OK *
>> RETR 1
<< +OK 11 octets
<< S: x
<<
<< x
<< .
>> TOP 3 0
<< +OK *
<< S: x
<<
<< .
>> QUIT
<< +OK bye
== cur/3000000003.c:2,
== cur/3000000004.d:2,
~~ expired=2/22$
