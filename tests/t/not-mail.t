# SPDX-License-Identifier: ISC
# FIFOs, directories, symlinks, dot files and tmp/ are not mail: they
# are not listed and cannot hang the session.
# fixture: basic
# setup: mkfifo 'cur/fifo:2,'; mkdir 'cur/dir:2,' new/dir; ln -s ../new/1000000001.M1P1.test 'cur/link:2,'; echo x >cur/.hidden; echo x >tmp/inflight
<< +OK *
>> USER alice
<< +OK *
>> PASS secret
<< +OK maildrop has 3 messages (185 octets)
>> QUIT
<< +OK *
== cur/.hidden
== cur/1000000001.M1P1.test:2,
== cur/1000000002.M2P2.test:2,
== cur/1000000003.M3P3.test:2,S
== tmp/inflight
