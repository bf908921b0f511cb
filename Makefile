# SPDX-License-Identifier: ISC
# pop3d: see README.  Portable make: suffix rules, $< and $@, nothing else.

PREFIX	= /usr/local
SBINDIR	= $(PREFIX)/sbin
LIBEXECDIR = $(PREFIX)/libexec
MANDIR	= $(PREFIX)/share/man
DESTDIR	=
# The reader's chroot directory (pop3d -r): root-owned, 0755, empty.
EMPTYDIR = /var/lib/pop3d/empty
# 0: no seccomp filters (sanitizer and valgrind builds).
SANDBOX	= 1

CC	= cc
CFLAGS	= -O2 -g
CPPFLAGS =
LDFLAGS	=
# Kept apart from CFLAGS so that "make CFLAGS=..." cannot drop them.
STD	= -std=c11 -D_POSIX_C_SOURCE=200809L
WARN	= -Wall -Wextra -Wshadow -Wformat=2 -Wconversion -Wvla \
	  -Wstrict-prototypes -Wmissing-prototypes $(WERROR)
WERROR	=
HARDEN	= -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=2 -fstack-protector-strong \
	  -fPIE
LDHARDEN = -pie -Wl,-z,relro -Wl,-z,now
# make static: a chroot jail (doc/deployment.md).  A static PIE keeps ASLR; use
# LDSTATIC="-static -Wl,-z,relro" where the toolchain cannot link one.
LDSTATIC = -static-pie -Wl,-z,relro -Wl,-z,now
# libmd: MD5 for UIDLs, APOP and CRAM-MD5; libresolv: base64 (b64_pton).
POP3D_LIBS = -lmd -lresolv
# libseccomp: only for the build tool mkfilter and tests/unit_filter,
# which compile the seccomp rules of rules.c; pop3d loads the programs
# they make (filter.h) and does not link it.
SECCOMP_LIBS = -lseccomp
CHECKPW_LIBS = -lcrypt -lmd
# restore enters the Maildir as the back end does (maildir.o, proto.o).
PASSWD_LIBS = $(CHECKPW_LIBS) -lresolv

# The Maildir back end: the model and the modules around it (maildir.h).
MDOBJ	= maildir.o mdname.o scan.o cache.o update.o sizes.o trash.o \
	  mdmove.o
LIBOBJ	= proto.o io.o log.o session.o login.o auth.o sasl.o credrec.o \
	  checkprog.o rootside.o reader.o trans.o $(MDOBJ) sandbox.o \
	  filter.o uidmap.o migrate.o policy.o proxy.o proxyio.o
OBJ	= pop3d.o $(LIBOBJ)
CHECKPW_OBJ = pop3d-checkpw.o checkpw.o io.o log.o
PASSWD_OBJ = pop3d-passwd.o pwfile.o pwsecret.o checkpw.o io.o restore.o \
	  trash.o mdmove.o maildir.o proto.o
PROGS	= pop3d pop3d-checkpw pop3d-passwd
STATIC_PROGS = pop3d-static pop3d-checkpw-static
TESTS	= tests/unit_proto tests/unit_io tests/unit_auth tests/unit_maildir \
	  tests/unit_cache tests/unit_sandbox tests/unit_trash \
	  tests/unit_checkpw tests/unit_pwfile \
	  tests/unit_rootside tests/unit_log \
	  tests/unit_uidmap tests/unit_proxy tests/unit_filter

all: $(PROGS)

# The seccomp programs (filter.h), compiled from rules.c with libseccomp
# by mkfilter on the build machine, for its architecture: a
# cross-build needs a filterbpf.h made on the target architecture.
# tests/unit_filter proves the file equals what libseccomp makes now.
GENERATED = filterbpf.h
mkfilter: mkfilter.o rules.o
	$(CC) $(LDFLAGS) -o $@ mkfilter.o rules.o $(SECCOMP_LIBS)

filterbpf.h: mkfilter
	./mkfilter > $@.tmp
	mv $@.tmp $@

pop3d: $(OBJ)
	$(CC) $(LDFLAGS) $(LDHARDEN) -o $@ $(OBJ) $(POP3D_LIBS)

pop3d-checkpw: $(CHECKPW_OBJ)
	$(CC) $(LDFLAGS) $(LDHARDEN) -o $@ $(CHECKPW_OBJ) $(CHECKPW_LIBS)

pop3d-passwd: $(PASSWD_OBJ)
	$(CC) $(LDFLAGS) $(LDHARDEN) -o $@ $(PASSWD_OBJ) $(PASSWD_LIBS)

# The same objects, linked with libmd, libresolv and libcrypt inside.
# glibc warns that getpwnam and friends need its NSS modules at run
# time: in a jail, use pop3d-checkpw -f PASSWDFILE.
static: $(STATIC_PROGS)

pop3d-static: $(OBJ)
	$(CC) $(LDFLAGS) $(LDSTATIC) -o $@ $(OBJ) $(POP3D_LIBS)

pop3d-checkpw-static: $(CHECKPW_OBJ)
	$(CC) $(LDFLAGS) $(LDSTATIC) -o $@ $(CHECKPW_OBJ) $(CHECKPW_LIBS)

clean: clean-static
clean-static:
	rm -f $(STATIC_PROGS)

.PHONY: static clean-static

.SUFFIXES: .c .o
.c.o:
	$(CC) $(STD) -I. $(CPPFLAGS) $(CFLAGS) $(WARN) $(HARDEN) \
	    -DPOP3D_EMPTYDIR=\"$(EMPTYDIR)\" -DPOP3D_SANDBOX=$(SANDBOX) -c -o $@ $<

$(OBJ) $(CHECKPW_OBJ): params.h
pop3d.o: proto.h io.h log.h session.h auth.h login.h credrec.h checkprog.h \
    rootside.h reader.h trans.h maildir.h scan.h update.h sandbox.h \
    migrate.h uidmap.h policy.h proxy.h proxyio.h
proto.o: proto.h
io.o: io.h
log.o: log.h
session.o: session.h proto.h io.h log.h
login.o: login.h credrec.h session.h proto.h io.h
auth.o: auth.h login.h credrec.h sasl.h session.h proto.h io.h log.h
sasl.o: sasl.h login.h credrec.h session.h proto.h io.h log.h
credrec.o: credrec.h proto.h
checkprog.o: checkprog.h io.h log.h
rootside.o: rootside.h credrec.h login.h session.h checkprog.h io.h log.h
reader.o: reader.h login.h credrec.h session.h io.h log.h proto.h filter.h
trans.o: trans.h session.h proto.h io.h log.h maildir.h cache.h update.h \
    policy.h
maildir.o: maildir.h proto.h
mdname.o: mdname.h
scan.o: scan.h maildir.h cache.h mdname.h proto.h
cache.o: cache.h maildir.h mdname.h sizes.h
update.o: update.h maildir.h mdmove.h mdname.h trash.h
trash.o: trash.h mdmove.h
mdmove.o: mdmove.h
restore.o: restore.h trash.h maildir.h checkpw.h
sandbox.o: sandbox.h filter.h
filter.o: filter.h filterbpf.h
rules.o mkfilter.o: rules.h filter.h
sizes.o: sizes.h
uidmap.o: uidmap.h proto.h
migrate.o: migrate.h maildir.h uidmap.h
policy.o: policy.h maildir.h proto.h
proxy.o: proxy.h
proxyio.o: proxyio.h proxy.h io.h
pop3d-checkpw.o: checkpw.h io.h log.h
checkpw.o: checkpw.h
$(PASSWD_OBJ): params.h
pop3d-passwd.o: checkpw.h io.h pwfile.h pwsecret.h restore.h
pwsecret.o: pwsecret.h checkpw.h io.h
pwfile.o: pwfile.h checkpw.h io.h
$(TESTS:=.o): tests/check.h params.h proto.h io.h auth.h maildir.h session.h \
    sizes.h scan.h cache.h update.h mdname.h login.h credrec.h checkprog.h \
    rootside.h log.h sandbox.h uidmap.h trash.h

tests/tmatch: tests/tmatch.c
	$(CC) $(CFLAGS) -o $@ tests/tmatch.c

# LD_PRELOAD fault injection for tests/it_faults_update.py; never with
# the sanitizers (it is loaded into their binaries, not linked).
tests/faultshim.so: tests/faultshim.c
	$(CC) -O1 -g -shared -fPIC -o $@ tests/faultshim.c -ldl

tests/unit_proto: tests/unit_proto.o proto.o
	$(CC) $(LDFLAGS) -o $@ tests/unit_proto.o proto.o $(POP3D_LIBS)
tests/unit_io: tests/unit_io.o io.o
	$(CC) $(LDFLAGS) -o $@ tests/unit_io.o io.o
tests/unit_auth: tests/unit_auth.o $(LIBOBJ)
	$(CC) $(LDFLAGS) -o $@ tests/unit_auth.o $(LIBOBJ) $(POP3D_LIBS)
tests/unit_cache: tests/unit_cache.o $(MDOBJ) proto.o
	$(CC) $(LDFLAGS) -o $@ tests/unit_cache.o $(MDOBJ) proto.o \
	    $(POP3D_LIBS)
tests/unit_trash: tests/unit_trash.o $(MDOBJ) proto.o
	$(CC) $(LDFLAGS) -o $@ tests/unit_trash.o $(MDOBJ) proto.o \
	    $(POP3D_LIBS)
tests/unit_maildir: tests/unit_maildir.o $(MDOBJ) proto.o
	$(CC) $(LDFLAGS) -o $@ tests/unit_maildir.o $(MDOBJ) proto.o \
	    $(POP3D_LIBS)
tests/unit_proxy: tests/unit_proxy.o proxy.o
	$(CC) $(LDFLAGS) -o $@ tests/unit_proxy.o proxy.o
tests/unit_sandbox: tests/unit_sandbox.o $(MDOBJ) proto.o sandbox.o filter.o
	$(CC) $(LDFLAGS) -o $@ tests/unit_sandbox.o $(MDOBJ) proto.o \
	    sandbox.o filter.o $(POP3D_LIBS)
tests/unit_filter.o: filter.h rules.h
tests/unit_filter: tests/unit_filter.o filter.o rules.o
	$(CC) $(LDFLAGS) -o $@ tests/unit_filter.o filter.o rules.o \
	    $(SECCOMP_LIBS)
tests/unit_rootside: tests/unit_rootside.o $(LIBOBJ)
	$(CC) $(LDFLAGS) -o $@ tests/unit_rootside.o $(LIBOBJ) $(POP3D_LIBS)
tests/unit_log: tests/unit_log.o log.o
	$(CC) $(LDFLAGS) -o $@ tests/unit_log.o log.o
tests/unit_uidmap: tests/unit_uidmap.o uidmap.o proto.o
	$(CC) $(LDFLAGS) -o $@ tests/unit_uidmap.o uidmap.o proto.o $(POP3D_LIBS)
tests/unit_pwfile.o: pwfile.h checkpw.h
tests/unit_pwfile: tests/unit_pwfile.o pwfile.o checkpw.o io.o
	$(CC) $(LDFLAGS) -o $@ tests/unit_pwfile.o pwfile.o checkpw.o io.o \
	    $(CHECKPW_LIBS)
tests/unit_checkpw: tests/unit_checkpw.o checkpw.o io.o log.o
	$(CC) $(LDFLAGS) -o $@ tests/unit_checkpw.o checkpw.o io.o log.o \
	    $(CHECKPW_LIBS)

# Fuzz targets.  "make check" replays the checked-in corpus through
# them with any compiler (tests/replay.c supplies main); "make fuzz"
# builds libFuzzer binaries with clang and runs each for FUZZTIME
# seconds, keeping what it finds in tests/scratch/, not in the corpus.
# A target NAME is tests/fuzz_NAME.c, its corpus tests/corpus/NAME/,
# its dictionary tests/fuzz_NAME.dict or tests/NAME.dict if there is
# one; add a new one to FUZZ and FUZZ_REPLAY and give it the two link
# rules.
FUZZ	= proto auth sasl sizes encoder names backend fd3 pwline credrec \
	  uidmap proxy trash
FUZZ_REPLAY = tests/replay_proto tests/replay_auth tests/replay_sasl \
	  tests/replay_sizes tests/replay_encoder tests/replay_names \
	  tests/replay_backend tests/replay_fd3 tests/replay_pwline \
	  tests/replay_credrec tests/replay_uidmap tests/replay_proxy \
	  tests/replay_trash
FUZZCC	= clang
FUZZFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined \
	  -fno-sanitize-recover=undefined -DPOP3D_SANDBOX=0
FUZZTIME = 60
# make fuzz-ci: each target this long; an input slower than
# FUZZSLOW seconds counts as a hang, and so fails like a crash.
FUZZCI_TIME = 30
FUZZSLOW = 10
FUZZ_AUTH_SRC = auth.c sasl.c login.c credrec.c checkprog.c rootside.c \
	  reader.c session.c io.c log.c proto.c trans.c sizes.c maildir.c \
	  mdname.c scan.c cache.c update.c policy.c filter.c trash.c \
	  mdmove.c
FUZZ_MAILDIR_SRC = maildir.c mdname.c scan.c cache.c update.c proto.c \
	  sizes.c trash.c mdmove.c

tests/fuzz_proto.o tests/unit_proto.o: tests/model.h
tests/fuzz_proto.o: params.h proto.h
tests/fuzz_auth.o: params.h auth.h session.h io.h proto.h checkprog.h
tests/fuzz_credrec.o: params.h credrec.h
tests/fuzz_sasl.o: params.h proto.h
tests/fuzz_sizes.o: params.h sizes.h
tests/fuzz_encoder.o tests/fuzz_names.o: params.h maildir.h proto.h scan.h \
    cache.h mdname.h
tests/fuzz_backend.o: params.h maildir.h proto.h session.h trans.h io.h \
    scan.h log.h
tests/fuzz_trash.o: params.h trash.h
tests/replay_trash: tests/replay.o tests/fuzz_trash.o trash.o mdmove.o
	$(CC) $(LDFLAGS) -o $@ tests/replay.o tests/fuzz_trash.o trash.o \
	    mdmove.o
tests/fuzz_trash: tests/fuzz_trash.c trash.c mdmove.c params.h trash.h
	$(FUZZCC) $(STD) -I. $(FUZZFLAGS) -o $@ tests/fuzz_trash.c trash.c \
	    mdmove.c
tests/fuzz_uidmap.o: params.h uidmap.h proto.h
tests/replay_uidmap: tests/replay.o tests/fuzz_uidmap.o uidmap.o proto.o
	$(CC) $(LDFLAGS) -o $@ tests/replay.o tests/fuzz_uidmap.o uidmap.o \
	    proto.o $(POP3D_LIBS)
tests/fuzz_uidmap: tests/fuzz_uidmap.c uidmap.c proto.c params.h uidmap.h \
    proto.h
	$(FUZZCC) $(STD) -I. $(FUZZFLAGS) -o $@ tests/fuzz_uidmap.c uidmap.c \
	    proto.c $(POP3D_LIBS)
tests/replay_proto: tests/replay.o tests/fuzz_proto.o proto.o
	$(CC) $(LDFLAGS) -o $@ tests/replay.o tests/fuzz_proto.o proto.o \
	    $(POP3D_LIBS)
tests/fuzz_proxy.o tests/unit_proxy.o: proxy.h
tests/replay_proxy: tests/replay.o tests/fuzz_proxy.o proxy.o
	$(CC) $(LDFLAGS) -o $@ tests/replay.o tests/fuzz_proxy.o proxy.o
tests/replay_credrec: tests/replay.o tests/fuzz_credrec.o credrec.o proto.o
	$(CC) $(LDFLAGS) -o $@ tests/replay.o tests/fuzz_credrec.o credrec.o \
	    proto.o $(POP3D_LIBS)
tests/replay_auth: tests/replay.o tests/fuzz_auth.o $(LIBOBJ)
	$(CC) $(LDFLAGS) -o $@ tests/replay.o tests/fuzz_auth.o $(LIBOBJ) \
	    $(POP3D_LIBS)
tests/replay_sasl: tests/replay.o tests/fuzz_sasl.o proto.o
	$(CC) $(LDFLAGS) -o $@ tests/replay.o tests/fuzz_sasl.o proto.o \
	    $(POP3D_LIBS)
tests/replay_sizes: tests/replay.o tests/fuzz_sizes.o sizes.o
	$(CC) $(LDFLAGS) -o $@ tests/replay.o tests/fuzz_sizes.o sizes.o
tests/replay_encoder: tests/replay.o tests/fuzz_encoder.o $(MDOBJ) proto.o
	$(CC) $(LDFLAGS) -o $@ tests/replay.o tests/fuzz_encoder.o \
	    $(MDOBJ) proto.o $(POP3D_LIBS)
tests/replay_names: tests/replay.o tests/fuzz_names.o $(MDOBJ) proto.o
	$(CC) $(LDFLAGS) -o $@ tests/replay.o tests/fuzz_names.o \
	    $(MDOBJ) proto.o $(POP3D_LIBS)
tests/replay_backend: tests/replay.o tests/fuzz_backend.o $(LIBOBJ)
	$(CC) $(LDFLAGS) -o $@ tests/replay.o tests/fuzz_backend.o \
	    $(LIBOBJ) $(POP3D_LIBS)

tests/fuzz_fd3.o tests/fuzz_pwline.o: params.h checkpw.h
tests/replay_fd3: tests/replay.o tests/fuzz_fd3.o checkpw.o io.o
	$(CC) $(LDFLAGS) -o $@ tests/replay.o tests/fuzz_fd3.o checkpw.o io.o \
	    $(CHECKPW_LIBS)
tests/replay_pwline: tests/replay.o tests/fuzz_pwline.o checkpw.o io.o
	$(CC) $(LDFLAGS) -o $@ tests/replay.o tests/fuzz_pwline.o checkpw.o \
	    io.o $(CHECKPW_LIBS)
tests/fuzz_fd3: tests/fuzz_fd3.c checkpw.c io.c params.h checkpw.h
	$(FUZZCC) $(STD) -I. $(FUZZFLAGS) -o $@ tests/fuzz_fd3.c checkpw.c \
	    io.c $(CHECKPW_LIBS)
tests/fuzz_pwline: tests/fuzz_pwline.c checkpw.c io.c params.h checkpw.h
	$(FUZZCC) $(STD) -I. $(FUZZFLAGS) -o $@ tests/fuzz_pwline.c \
	    checkpw.c io.c $(CHECKPW_LIBS)
tests/fuzz_proto: tests/fuzz_proto.c tests/model.h proto.c params.h proto.h
	$(FUZZCC) $(STD) -I. $(FUZZFLAGS) -o $@ tests/fuzz_proto.c proto.c \
	    $(POP3D_LIBS)
tests/fuzz_proxy: tests/fuzz_proxy.c proxy.c params.h proxy.h
	$(FUZZCC) $(STD) -I. $(FUZZFLAGS) -o $@ tests/fuzz_proxy.c proxy.c
tests/fuzz_auth: tests/fuzz_auth.c $(FUZZ_AUTH_SRC) params.h auth.h \
    filterbpf.h
	$(FUZZCC) $(STD) -I. $(FUZZFLAGS) -o $@ tests/fuzz_auth.c \
	    $(FUZZ_AUTH_SRC) $(POP3D_LIBS)
tests/fuzz_sasl: tests/fuzz_sasl.c proto.c params.h proto.h
	$(FUZZCC) $(STD) -I. $(FUZZFLAGS) -o $@ tests/fuzz_sasl.c proto.c \
	    $(POP3D_LIBS)
tests/fuzz_sizes: tests/fuzz_sizes.c sizes.c params.h sizes.h
	$(FUZZCC) $(STD) -I. $(FUZZFLAGS) -o $@ tests/fuzz_sizes.c sizes.c
tests/fuzz_encoder: tests/fuzz_encoder.c $(FUZZ_MAILDIR_SRC) maildir.h scan.h
	$(FUZZCC) $(STD) -I. $(FUZZFLAGS) -o $@ tests/fuzz_encoder.c \
	    $(FUZZ_MAILDIR_SRC) $(POP3D_LIBS)
tests/fuzz_names: tests/fuzz_names.c $(FUZZ_MAILDIR_SRC) maildir.h
	$(FUZZCC) $(STD) -I. $(FUZZFLAGS) -o $@ tests/fuzz_names.c \
	    $(FUZZ_MAILDIR_SRC) $(POP3D_LIBS)
tests/fuzz_backend: tests/fuzz_backend.c $(FUZZ_AUTH_SRC) trans.h \
    filterbpf.h
	$(FUZZCC) $(STD) -I. $(FUZZFLAGS) -o $@ tests/fuzz_backend.c \
	    $(FUZZ_AUTH_SRC) $(POP3D_LIBS)

tests/fuzz_credrec: tests/fuzz_credrec.c credrec.c proto.c params.h credrec.h
	$(FUZZCC) $(STD) -I. $(FUZZFLAGS) -o $@ tests/fuzz_credrec.c credrec.c \
	    proto.c $(POP3D_LIBS)

# Every target for FUZZTIME seconds; "make fuzz-ci" for FUZZCI_TIME
# each, failing on the first crash, leak or hang (tests/fuzz-run.sh).
fuzz:
	@sh tests/deps.sh fuzz
	@for t in $(FUZZ); do $(MAKE) tests/fuzz_$$t || exit 1; done
	@for t in $(FUZZ); do \
	    sh tests/fuzz-run.sh $$t $(FUZZTIME) $(FUZZSLOW) || exit 1; done
fuzz-ci:
	@sh tests/deps.sh fuzz
	@for t in $(FUZZ); do $(MAKE) tests/fuzz_$$t || exit 1; done
	@for t in $(FUZZ); do \
	    sh tests/fuzz-run.sh $$t $(FUZZCI_TIME) $(FUZZSLOW) || exit 1; \
	done

# Installs what the tests need (as root, from Debian), builds, runs all.
check:
	@sh tests/deps.sh test
	@$(MAKE) $(PROGS) $(TESTS) $(FUZZ_REPLAY) tests/tmatch \
	    tests/faultshim.so
	@sh tests/run-all.sh

# The same tests on a sanitizer build (FORTIFY and ASan overlap).
# SANDBOX=0: the sanitizers' run-time makes system calls that no
# seccomp allow-list should grant; POP3D_SANITIZED=1 tells the tests
# that assert the sandbox to skip.
ASAN	= -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	  -fno-sanitize-recover=undefined
check-asan:
	$(MAKE) clean
	@echo "check-asan: SANDBOX=0, the back end's sandbox is off in this build"
	POP3D_SANITIZED=1 $(MAKE) check SANDBOX=0 CFLAGS="$(ASAN)" \
	    LDFLAGS="$(ASAN)" HARDEN= LDHARDEN=
	$(MAKE) clean

# Memcheck over the unit tests and the transcripts, where both pop3d
# processes (front end and pop3d -m) run under valgrind but the shell
# checkpassword stand-in between them does not (tests/valgrind.sh).
# The full load run of tests/it_load.py: 5,000 sessions for 200 users,
# 200 at a time (make check runs 500 of them to stay within its time).
LOAD_SESSIONS = 5000
check-load:
	@sh tests/deps.sh test
	@$(MAKE) $(PROGS)
	@POP3D_LOAD_SESSIONS=$(LOAD_SESSIONS) python3 tests/it_load.py

check-valgrind:
	@sh tests/deps.sh valgrind
	$(MAKE) clean
	$(MAKE) SANDBOX=0 CFLAGS="-O1 -g" $(PROGS) $(TESTS) tests/tmatch
	POP3D_SANITIZED=1 sh tests/valgrind.sh $(TESTS)
	$(MAKE) clean

install: $(PROGS)
	mkdir -p $(DESTDIR)$(SBINDIR) $(DESTDIR)$(LIBEXECDIR) \
	    $(DESTDIR)$(MANDIR)/man8
	cp pop3d $(DESTDIR)$(SBINDIR)/pop3d
	chmod 755 $(DESTDIR)$(SBINDIR)/pop3d
	cp pop3d-checkpw $(DESTDIR)$(LIBEXECDIR)/pop3d-checkpw
	chmod 755 $(DESTDIR)$(LIBEXECDIR)/pop3d-checkpw
	mkdir -p $(DESTDIR)$(EMPTYDIR)
	chmod 755 $(DESTDIR)$(EMPTYDIR)
	-chown 0:0 $(DESTDIR)$(EMPTYDIR)
	cp pop3d-passwd $(DESTDIR)$(SBINDIR)/pop3d-passwd
	chmod 755 $(DESTDIR)$(SBINDIR)/pop3d-passwd
	cp pop3d-passwd.8 $(DESTDIR)$(MANDIR)/man8/
	chmod 644 $(DESTDIR)$(MANDIR)/man8/pop3d-passwd.8
	cp pop3d.8 pop3d-checkpw.8 $(DESTDIR)$(MANDIR)/man8/
	chmod 644 $(DESTDIR)$(MANDIR)/man8/pop3d.8 \
	    $(DESTDIR)$(MANDIR)/man8/pop3d-checkpw.8

# Not part of check: timings belong to bench/RESULTS.md, not to tests.
BENCH	= bench/client bench/gen bench/ref bench/trivial bench/cryptshim.so \
	  bench/cpuwrap
bench/client: bench/client.c
	$(CC) $(CFLAGS) -o $@ bench/client.c
bench/gen: bench/gen.c
	$(CC) $(CFLAGS) -o $@ bench/gen.c
bench/ref: bench/ref.c
	$(CC) $(CFLAGS) -o $@ bench/ref.c -lcrypt
bench/trivial: bench/trivial.c
	$(CC) $(CFLAGS) -o $@ bench/trivial.c
# bench/deploy.py times crypt(3) in pop3d-checkpw with cryptshim.so
# and the checkpassword chain's CPU with cpuwrap.
bench/cryptshim.so: bench/cryptshim.c
	$(CC) $(CFLAGS) -shared -fPIC -o $@ bench/cryptshim.c
bench/cpuwrap: bench/cpuwrap.c
	$(CC) $(CFLAGS) -o $@ bench/cpuwrap.c

bench:
	@sh tests/deps.sh bench
	@$(MAKE) $(PROGS) $(BENCH)
	@python3 bench/bench.py

# The deployed-path table alone (bench/deploy.py), as root.
bench-deploy:
	@sh tests/deps.sh bench
	@$(MAKE) $(PROGS) $(BENCH)
	@python3 bench/deploy.py

# The Debian package (doc/deployment.md, "Install from the Debian package"): built
# from a scratch copy of the tree into $(DIST)/, then checked by lintian,
# which must report no error and no warning (overrides, each with its
# reason, are in debian/pop3d.lintian-overrides).
DIST	= dist
deb:
	@sh tests/deps.sh deb
	sh debian/build-deb.sh $(DIST)
	lintian --fail-on error,warning $(DIST)/pop3d_*.changes

# The package under a real systemd (PID 1 in systemd-nspawn, as root),
# on each Debian release in SYSTEM_SUITES: tests/system/run.sh.  The
# root file systems are kept in tests/system/cache/ for the next run.
SYSTEM_SUITES = bookworm trixie
check-system:
	@sh tests/deps.sh system
	@$(MAKE) deb
	@sh tests/system/run.sh $(DIST)/pop3d_*.deb $(SYSTEM_SUITES)

demo:
	@sh tests/deps.sh build
	@$(MAKE) all
	@sh ./demo.sh

clean:
	rm -f $(PROGS) *.o tests/*.o $(TESTS) tests/tmatch $(FUZZ_REPLAY) \
	    tests/faultshim.so mkfilter $(GENERATED) filterbpf.h.tmp \
	    $(BENCH)
	for t in $(FUZZ); do rm -f tests/fuzz_$$t; done
	rm -rf tests/scratch

.PHONY: all check check-system check-load check-asan check-valgrind fuzz fuzz-ci install demo clean bench \
	bench-deploy \
	deb
