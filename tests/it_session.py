# SPDX-License-Identifier: ISC
"""Faults in the middle of a session, against the back end itself
(pop3d -m Maildir on a socket pair, as the mail user): a message that
vanished or stopped being a readable file since login, and a client
that disconnects in the middle of RETR.  Each must give one clear
answer (or a clean end), a log line, and change nothing on disk."""
import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itlib  # noqa: E402

NAMES = sorted(itlib.MESSAGES)


def start(sc):
    """The back end on one end of a socket pair; returns (proc, sock)."""
    ours, theirs = socket.socketpair()
    argv = [sc.pop3d, "-m", "Maildir", "-e"]
    if itlib.ROOT:
        argv = ["setpriv", "--reuid=%d" % itlib.MAILUID,
                "--regid=%d" % itlib.MAILGID, "--clear-groups", "--"] + argv
    env = {"USER": "alice", "HOME": sc.home, "PATH": "/usr/bin:/bin"}
    with open(sc.log, "ab") as log:
        proc = subprocess.Popen(argv, stdin=theirs, stdout=theirs,
                                stderr=log, cwd=sc.home, env=env)
    theirs.close()
    ours.settimeout(20)
    return proc, ours


def readline(f):
    line = f.readline()
    if not line.endswith(b"\r\n"):
        raise EOFError(line)
    return line[:-2]


def finish(proc):
    try:
        return proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)
        return None


def case_vanished(r):
    """A message deleted by another program after login, and one
    replaced by a FIFO: RETR gets -ERR, the session goes on."""
    sc = itlib.Scratch()
    try:
        proc, s = start(sc)
        f = s.makefile("rb")
        r.ok("session:vanished:login", readline(f).startswith(b"+OK "))
        os.unlink(os.path.join(sc.maildir, "new", NAMES[0]))
        fifo = os.path.join(sc.maildir, "new", NAMES[1])
        os.unlink(fifo)
        os.mkfifo(fifo)
        s.sendall(b"RETR 1\r\nRETR 2\r\nLIST 3\r\nDELE 3\r\nQUIT\r\n")
        got = [readline(f) for _ in range(5)]
        r.ok("session:vanished:retr-gone", got[0] ==
             b"-ERR message 1 is no longer there", got[0])
        r.ok("session:vanished:retr-fifo", got[1] ==
             b"-ERR [SYS/TEMP] cannot read message 2", got[1])
        r.ok("session:vanished:goes-on",
             got[2].startswith(b"+OK 3 ") and got[3].startswith(b"+OK")
             and got[4] == b"+OK bye", got)
        finish(proc)
        # The FIFO keeps its name and moves on like any new/ entry.
        want = sorted("cur/%s:2," % n for n in [NAMES[1]] + NAMES[3:])
        r.ok("session:vanished:update", sc.files() == want, sc.files())
        with open(sc.log) as lf:
            log = lf.read()
        r.ok("session:vanished:log",
             "cannot open message %s: No such file" % NAMES[0] in log,
             log)
    finally:
        sc.cleanup()


def case_disconnect(r):
    """The client hangs up while a 1 MB message is on its way: the
    back end ends at once, and DELE and new/ -> cur/ never happen."""
    sc = itlib.Scratch()
    try:
        proc, s = start(sc)
        f = s.makefile("rb")
        readline(f)
        big = NAMES.index("1600000007.M7P7.it") + 1
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.sendall(b"DELE 1\r\nRETR %d\r\n" % big)
        r.ok("session:disconnect:dele", readline(f).startswith(b"+OK"))
        r.ok("session:disconnect:retr-started",
             readline(f).startswith(b"+OK "))
        f.read(1000)
        f.close()
        s.close()
        rc = finish(proc)
        r.ok("session:disconnect:server-ends", rc == 0, rc)
        r.ok("session:disconnect:nothing-changed",
             sc.files() == ["new/" + n for n in NAMES], sc.files())
        with open(sc.log) as lf:
            log = lf.read()
        r.ok("session:disconnect:log",
             "connection error: nothing changed" in log, log)
    finally:
        sc.cleanup()


def case_idle_commit(r):
    """QUIT after a long pause still commits: the idle timer counts
    from the last command, not from login."""
    sc = itlib.Scratch(messages={NAMES[0]: itlib.MESSAGES[NAMES[0]]})
    try:
        proc, s = start(sc)
        f = s.makefile("rb")
        readline(f)
        s.sendall(b"DELE 1\r\n")
        readline(f)
        time.sleep(1.5)
        s.sendall(b"QUIT\r\n")
        r.ok("session:pause-then-quit", readline(f) == b"+OK bye")
        finish(proc)
        r.ok("session:pause-then-quit:deleted", sc.files() == [],
             sc.files())
    finally:
        sc.cleanup()


def main():
    r = itlib.Results()
    if itlib.ROOT and itlib.have("setpriv"):
        r.skip("it_session", "setpriv is missing")
        return 0
    for case in (case_vanished, case_disconnect, case_idle_commit):
        try:
            case(r)
        except Exception as e:  # a surprise is a failure, not a crash
            r.ok("session:%s:unexpected-error" % case.__name__, False,
                 repr(e))
    return 0


if __name__ == "__main__":
    sys.exit(main())
