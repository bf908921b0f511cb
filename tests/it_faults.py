# SPDX-License-Identifier: ISC
"""Bad input and faults in a deployment, through a real superserver:
each must give the client one clear status line per command, the
admin one clear log line, and lose no mail.

  missing-checkprog       CHECKPROG does not exist
  checkprog-not-exec      CHECKPROG is not executable
  checkprog-crashes       CHECKPROG dies of SIGSEGV
  passwd-bad-lines        the passwd-file has malformed lines, one of
                          them the user's own; others still log in
  home-without-maildir    the user's home has no Maildir
  readonly-maildir-quit   new/ and cur/ are read-only at QUIT
  fd2-closed              pop3d starts with fd 2 closed
  no-path                 no environment at all, as openbsd-inetd
                          starts servers; TCPREMOTEIP, TCPLOCALIP and
                          TCPLOCALPORT still reach CHECKPROG"""
import os
import shutil
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itlib  # noqa: E402

LOGIN = b"USER alice\r\nPASS secret\r\n"
NAMES = sorted(itlib.MESSAGES)
UNTOUCHED = ["new/" + n for n in NAMES]


def session(sc, argv, script, kind="tcpserver", done=None):
    """Runs script against argv behind kind; returns (lines, log)."""
    srv = itlib.Server(kind, argv, sc.log)
    try:
        port = srv.port
        lines = itlib.talk(socket.create_connection(
            ("127.0.0.1", port), timeout=30), script)
        log = itlib.wait_log(sc.log, done or itlib.sessions_done)
    finally:
        srv.stop()
    return lines, log


def front(sc, checkprog, *rest):
    return [sc.pop3d, "-d", "0", "-p", "loopback", checkprog, *rest]


def back(sc):
    return [sc.pop3d, "-m", "Maildir"]


def check(r, name, sc, lines, want, log, logline, files=UNTOUCHED):
    """want: the status line prefixes, in order; logline: a string the
    log must hold; files: what new/ and cur/ must hold afterwards, or
    None to look later."""
    good = len(lines) == len(want) and all(
        l.startswith(w) for l, w in zip(lines, want))
    r.ok(name + ":client", good, lines)
    r.ok(name + ":log", logline in log, log[-1500:])
    if files is not None:
        r.ok(name + ":no-mail-lost", sc.files() == files, sc.files())


def case_missing(r, sc):
    argv = front(sc, os.path.join(sc.dir, "no-such-checkpw"),
                 *back(sc))
    lines, log = session(sc, argv, LOGIN + b"QUIT\r\n",
                         done=lambda t: "cannot run" in t)
    check(r, "faults:missing-checkprog", sc, lines,
          [b"+OK", b"+OK", b"-ERR [SYS/TEMP]", b"+OK"], log,
          "no-such-checkpw: No such file or directory")


def case_noexec(r, sc):
    ck = os.path.join(sc.dir, "checkpw-0644")
    shutil.copy(sc.checkpw, ck)
    os.chmod(ck, 0o644)
    argv = front(sc, ck, "-f", sc.passwd, *back(sc))
    lines, log = session(sc, argv, LOGIN + b"QUIT\r\n",
                         done=lambda t: "cannot run" in t)
    check(r, "faults:checkprog-not-exec", sc, lines,
          [b"+OK", b"+OK", b"-ERR [SYS/TEMP]", b"+OK"], log,
          "checkpw-0644: Permission denied")


def case_crash(r, sc):
    ck = os.path.join(sc.dir, "crashing-checkpw")
    with open(ck, "w") as f:
        f.write("#!/bin/sh\nkill -SEGV $$\n")
    os.chmod(ck, 0o755)
    argv = front(sc, ck, *back(sc))
    lines, log = session(sc, argv, LOGIN + b"QUIT\r\n",
                         done=lambda t: "killed by signal" in t)
    check(r, "faults:checkprog-crashes", sc, lines,
          [b"+OK", b"+OK", b"-ERR [SYS/TEMP]", b"+OK"], log,
          "crashing-checkpw killed by signal 11")


def case_passwd(r, sc):
    with open(sc.passwd) as f:
        good = f.read()
    with open(sc.passwd, "w") as f:
        f.write("this line is not a passwd-file line\n")
        f.write("alice:{PLAIN}secret:not-a-number:%d::%s::\n"
                % (itlib.MAILGID, sc.home))
        f.write(good.replace("apop:", "bob:"))
        f.write("::::::\n")
    argv = front(sc, sc.checkpw, "-f", sc.passwd, *back(sc))
    lines, log = session(sc, argv, LOGIN + b"USER bob\r\nPASS secret\r\n"
                         b"STAT\r\nQUIT\r\n")
    check(r, "faults:passwd-bad-lines", sc, lines,
          [b"+OK", b"+OK", b"-ERR [SYS/TEMP]", b"+OK",
           b"+OK maildrop has 7", b"+OK 7", b"+OK"], log,
          "line 2: malformed entry",
          files=["cur/%s:2," % n for n in NAMES])


def case_nomaildir(r, sc):
    os.rename(sc.maildir, sc.maildir + ".away")
    try:
        argv = front(sc, sc.checkpw, "-f", sc.passwd, *back(sc))
        # Nothing after PASS: the server hangs up after its -ERR.
        lines, log = session(sc, argv, LOGIN,
                             done=lambda t: "cannot open maildir" in t)
        check(r, "faults:home-without-maildir", sc, lines,
              [b"+OK", b"+OK", b"-ERR [SYS/PERM] no mailbox"], log,
              "cannot open maildir Maildir: user=alice: No such file or "
              "directory", files=None)
    finally:
        os.rename(sc.maildir + ".away", sc.maildir)
    r.ok("faults:home-without-maildir:no-mail-lost",
         sc.files() == UNTOUCHED, sc.files())


def case_readonly(r, sc):
    dirs = [os.path.join(sc.maildir, d) for d in ("new", "cur")]
    for d in dirs:
        os.chmod(d, 0o555)
    try:
        argv = front(sc, sc.checkpw, "-f", sc.passwd, *back(sc))
        lines, log = session(sc, argv, LOGIN + b"RETR 1\r\nDELE 2\r\n"
                             b"QUIT\r\n")
        # RETR's body lies between its +OK and the DELE reply.
        lines = [l for l in lines if l.startswith((b"+OK", b"-ERR"))]
        check(r, "faults:readonly-maildir-quit", sc, lines,
              [b"+OK", b"+OK", b"+OK maildrop", b"+OK", b"+OK",
               b"-ERR [SYS/TEMP] some deleted messages not removed"], log,
              "deleted=0/0, undeletable=1/%d, unmoved=6, error=Permission "
              "denied" % len(itlib.wire(itlib.MESSAGES[NAMES[1]])))
    finally:
        for d in dirs:
            os.chmod(d, 0o755)


def case_fd2_closed(r, sc):
    argv = itlib.FDEXEC + ["--fd2", "closed", "--", sc.pop3d,
                           *front(sc, sc.checkpw, "-f", sc.passwd,
                                  *back(sc))]
    lines, _ = session(sc, argv, LOGIN + b"STAT\r\nQUIT\r\n",
                       kind="socket-activate")
    # The log goes to syslog here, which the test cannot read: the
    # client must get the protocol and nothing else.
    good = [l[:3] for l in lines] == [b"+OK"] * 5
    r.ok("faults:fd2-closed:client", good, lines)
    r.ok("faults:fd2-closed:no-mail-lost",
         sc.files() == ["cur/%s:2," % n for n in NAMES], sc.files())


def case_no_path(r, sc):
    env = os.path.join(sc.dir, "env")
    ck = os.path.join(sc.dir, "env-checkpw")
    # Not sh: it would make up a PATH of its own.
    with open(ck, "w") as f:
        f.write("#!%s\nimport os, sys\nwith open(%r, 'w') as f:\n"
                "    for v in ('PATH', 'TCPREMOTEIP', 'TCPLOCALIP', "
                "'TCPLOCALPORT'):\n"
                "        f.write('%%s=%%s\\n' %% (v, os.environ.get(v, "
                "'unset')))\n"
                "os.execv(sys.argv[1], sys.argv[1:])\n"
                % (sys.executable, env))
    os.chmod(ck, 0o755)
    argv = itlib.FDEXEC + ["--fd2", sc.log, "--", sc.pop3d,
                           *front(sc, ck, sc.checkpw, "-f", sc.passwd,
                                  *back(sc))]
    srv = itlib.Server("socket-activate", argv, sc.log)
    try:
        lines = itlib.talk(socket.create_connection(
            ("127.0.0.1", srv.port), timeout=30),
            LOGIN + b"STAT\r\nQUIT\r\n")
        port = srv.port
        itlib.wait_log(sc.log, itlib.sessions_done)
    finally:
        srv.stop()
    r.ok("faults:no-path:client", [l[:3] for l in lines] == [b"+OK"] * 5,
         lines)
    try:
        with open(env) as f:
            got = f.read()
    except OSError as e:
        got = repr(e)
    r.ok("faults:no-path:tcp-variables-exported",
         got == "PATH=unset\nTCPREMOTEIP=127.0.0.1\nTCPLOCALIP=127.0.0.1\n"
         "TCPLOCALPORT=%d\n" % port, got)
    r.ok("faults:no-path:no-mail-lost",
         sc.files() == ["cur/%s:2," % n for n in NAMES], sc.files())


def main():
    r = itlib.Results()
    missing = itlib.have("tcpserver", "systemd-socket-activate", "openssl")
    if missing:
        r.skip("faults", "missing " + " ".join(missing))
        return 0
    for case in (case_missing, case_noexec, case_crash, case_passwd,
                 case_nomaildir, case_readonly, case_fd2_closed,
                 case_no_path):
        sc = itlib.Scratch()
        failed = r.failed
        try:
            case(r, sc)
        except Exception as e:
            r.ok(case.__name__ + ":unexpected-error", False, repr(e))
        finally:
            if r.failed > failed:
                with open(sc.log, errors="replace") as f:
                    sys.stderr.write(f.read()[-2000:])
            sc.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
