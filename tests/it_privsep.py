# SPDX-License-Identifier: ISC
"""The split front end, watched from outside while it runs, and the
front-end defects it fixed.  pop3d gets one end of a socketpair as
fds 0 and 1, as a superserver would hand it a connection.

  live            as root, before login: the process that holds the
                  client socket and parses has uid != 0, a root that
                  is not /, NoNewPrivs 1, Seccomp 2 (not in sanitizer
                  builds), is not dumpable, has no supplementary
                  groups and no fds but 0, 1 and the socketpair; the
                  root side is root; then a full login works through
                  the split
  crash           a reader killed by a signal ends its connection
                  only: the root side logs it, runs nothing, exits
  wiped           while the mail session runs, neither the root side
                  nor the reader holds the password anywhere in memory
  write-fails     the client stops reading; the AUTH PLAIN
                  continuation cannot be written: the session ends,
                  CHECKPROG never runs, nothing dies of an assertion
  signals         started with SIGCHLD ignored and signals blocked: a
                  wrong password is still "-ERR [AUTH]" with a LOGIN
                  FAILED line, and no pop3d process keeps the mask
  not-root        started as a user: one process, one log line says
                  so, logins work
"""
import base64
import os
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itlib  # noqa: E402

SANITIZED = bool(os.environ.get("POP3D_SANITIZED"))
# Signals 32 and 33 are glibc's own; no program can change them.
GLIBC = 3 << 31


class Conn:
    """pop3d on one end of a socketpair; self.sock is the client."""

    def __init__(self, argv, log, preexec=None, user=None):
        self.sock, theirs = socket.socketpair()
        self.sock.settimeout(30)
        self.logf = open(log, "ab")
        self.proc = subprocess.Popen(
            argv, stdin=theirs, stdout=theirs, stderr=self.logf,
            close_fds=True, preexec_fn=preexec, user=user)
        theirs.close()
        self.buf = b""

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("closed")
            self.buf += chunk
        l, self.buf = self.buf.split(b"\r\n", 1)
        return l

    def cmd(self, text):
        self.sock.sendall(text.encode() + b"\r\n")
        return self.line()

    def close(self):
        self.sock.close()
        try:
            return self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(timeout=5)
        finally:
            self.logf.close()


def children(pid):
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
        except OSError:
            continue
        if int(st[st.rindex(")") + 2:].split()[1]) == pid:
            out.append(int(d))
    return out


def status(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for l in f:
            k, _, v = l.partition(":")
            out[k] = v.strip()
    return out


def reader_of(root_pid):
    """The reader: the child of the root side that is not CHECKPROG
    (it runs no other program, so its cmdline is the root side's)."""
    with open("/proc/%d/cmdline" % root_pid, "rb") as f:
        cmdline = f.read()
    for _ in range(100):
        for c in children(root_pid):
            try:
                with open("/proc/%d/cmdline" % c, "rb") as f:
                    if f.read() == cmdline:
                        return c
            except OSError:
                pass
        time.sleep(0.05)
    return None


def reader_limits(pid):
    """Soft and hard values of /proc/PID/limits, by name."""
    out = {}
    with open("/proc/%d/limits" % pid) as f:
        next(f)
        for l in f:
            name = l[:26].strip()
            fields = l[26:].split()
            if len(fields) >= 2:
                out[name] = (fields[0], fields[1])
    return out


HOLDS_MAP_MAX = 1 << 30
HOLDS_CHUNK = 1 << 20


def holds(pid, needle):
    """True if needle is anywhere in pid's readable memory."""
    with open("/proc/%d/maps" % pid) as maps, \
            open("/proc/%d/mem" % pid, "rb", 0) as mem:
        for l in maps:
            addr, perms = l.split()[:2]
            if perms[0] != "r":
                continue
            lo, hi = (int(x, 16) for x in addr.split("-"))
            # Mappings this large are a sanitizer's shadow memory, not
            # pop3d's: its buffers are all in a small heap and stack.
            if hi - lo > HOLDS_MAP_MAX:
                continue
            try:
                mem.seek(lo)
                tail = b""
                while lo < hi:
                    n = min(HOLDS_CHUNK, hi - lo)
                    chunk = tail + mem.read(n)
                    if needle in chunk:
                        return True
                    tail = chunk[-(len(needle) - 1):] if len(needle) > 1 \
                        else b""
                    lo += n
            except (OSError, ValueError, OverflowError):
                continue
    return False


def front(sc, *opts):
    return [sc.pop3d, "-r", sc.empty, "-d", "0", "-p", "any", *opts]


def case_live(r, sc):
    c = Conn(front(sc) + [sc.checkpw, "-f", sc.passwd, sc.pop3d, "-m",
                          "Maildir"], sc.log)
    try:
        greeting = c.line()
        r.ok("live:greeting", greeting.startswith(b"+OK"), greeting)
        root = c.proc.pid
        rd = reader_of(root)
        if not r.ok("live:reader-found", rd is not None):
            return
        st = status(rd)
        uids = st["Uid"].split()
        r.ok("live:reader-uid-not-0", "0" not in uids, uids)
        r.ok("live:reader-chrooted",
             os.readlink("/proc/%d/root" % rd) != "/",
             os.readlink("/proc/%d/root" % rd))
        r.ok("live:reader-no-new-privs", st.get("NoNewPrivs") == "1", st)
        # Not dumpable: the kernel gives its /proc files to root.
        r.ok("live:reader-not-dumpable",
             os.stat("/proc/%d/status" % rd).st_uid == 0)
        if SANITIZED:
            r.skip("live:reader-seccomp",
                   "sandbox disabled in sanitizer builds")
            r.skip("live:reader-limits",
                   "sandbox disabled in sanitizer builds")
        else:
            r.ok("live:reader-seccomp", st.get("Seccomp") == "2", st)
            lim = reader_limits(rd)
            want = {"Max processes": ("0", "0"),
                    "Max file size": ("0", "0"),
                    "Max core file size": ("0", "0"),
                    "Max open files": ("3", "3")}
            r.ok("live:reader-limits",
                 all(lim.get(k) == v for k, v in want.items()), lim)
        r.ok("live:reader-no-supplementary-groups",
             st.get("Groups", "") == "", st.get("Groups"))
        fds = sorted(int(f) for f in os.listdir("/proc/%d/fd" % rd))
        sock0 = os.readlink("/proc/%d/fd/0" % rd)
        r.ok("live:reader-holds-the-client", sock0 ==
             os.readlink("/proc/%d/fd/1" % rd) and
             sock0.startswith("socket:"), sock0)
        r.ok("live:reader-fds", len(fds) == 3 and fds[:2] == [0, 1], fds)
        r.ok("live:root-side-is-root", status(root)["Uid"].split()[0] ==
             "0")
        # And a full login through the split.
        r.ok("live:user", c.cmd("USER alice").startswith(b"+OK"))
        st = c.cmd("PASS " + sc.password)
        r.ok("live:login", st.startswith(b"+OK maildrop has 7"), st)
        r.ok("live:quit", c.cmd("QUIT").startswith(b"+OK"))
    finally:
        rc = c.close()
    r.ok("live:exit-0", rc == 0, rc)


def case_crash(r, sc):
    marker = os.path.join(sc.dir, "ran")
    prog = os.path.join(sc.bin, "mark")
    with open(prog, "w") as f:
        f.write("#!/bin/sh\n: >%s\nexit 1\n" % marker)
    os.chmod(prog, 0o755)
    c = Conn(front(sc) + [prog, "x"], sc.log)
    try:
        c.line()
        rd = reader_of(c.proc.pid)
        c.sock.sendall(b"USER alice\r\n")
        r.ok("crash:user", c.line().startswith(b"+OK"))
        os.kill(rd, signal.SIGSEGV)
        try:
            c.sock.sendall(b"PASS secret\r\n")
            rest = c.sock.recv(4096)
        except OSError:
            rest = b""
        r.ok("crash:connection-closed", rest == b"", rest)
    finally:
        rc = c.close()
    log = itlib.wait_log(sc.log, lambda t: "reader killed by signal 11"
                         in t)
    r.ok("crash:logged", "reader killed by signal 11" in log, log[-500:])
    r.ok("crash:nothing-ran", not os.path.exists(marker))
    r.ok("crash:root-side-exit-0", rc == 0, rc)


def case_wiped(r, sc):
    c = Conn(front(sc) + [sc.checkpw, "-f", sc.passwd, sc.pop3d, "-m",
                          "Maildir"], sc.log)
    try:
        c.line()
        rd = reader_of(c.proc.pid)
        c.cmd("USER alice")
        st = c.cmd("PASS " + sc.password)
        r.ok("wiped:login", st.startswith(b"+OK maildrop"), st)
        pw = sc.password.encode()
        for who, pid in (("root-side", c.proc.pid), ("reader", rd)):
            r.ok("wiped:%s-holds-no-password" % who, not holds(pid, pw))
        c.cmd("QUIT")
    finally:
        c.close()
    # The same for AUTH PLAIN, whose decoded response is one more copy.
    c = Conn(front(sc) + [sc.checkpw, "-f", sc.passwd, sc.pop3d, "-m",
                          "Maildir"], sc.log)
    try:
        c.line()
        rd = reader_of(c.proc.pid)
        st = c.cmd("AUTH PLAIN " + base64.b64encode(
            b"\0alice\0" + sc.password.encode()).decode())
        r.ok("wiped:plain-login", st.startswith(b"+OK maildrop"), st)
        for who, pid in (("root-side", c.proc.pid), ("reader", rd)):
            r.ok("wiped:plain-%s-holds-no-password" % who,
                 not holds(pid, sc.password.encode()))
        c.cmd("QUIT")
    finally:
        c.close()


def case_write_fails(r, sc):
    marker = os.path.join(sc.dir, "ran-w")
    prog = os.path.join(sc.bin, "mark-w")
    with open(prog, "w") as f:
        f.write("#!/bin/sh\n: >%s\nexit 1\n" % marker)
    os.chmod(prog, 0o755)
    before = os.path.getsize(sc.log)
    c = Conn(front(sc) + [prog, "x"], sc.log)
    try:
        c.line()
        # From now on every byte pop3d writes fails (EPIPE).
        c.sock.shutdown(socket.SHUT_RD)
        c.sock.sendall(b"AUTH PLAIN\r\n" +
                       base64.b64encode(b"\0alice\0secret") +
                       b"\r\nQUIT\r\n")
    finally:
        rc = c.close()
    with open(sc.log, errors="replace") as f:
        f.seek(before)
        log = f.read()
    r.ok("write-fails:checkprog-never-ran", not os.path.exists(marker))
    r.ok("write-fails:exit-0", rc == 0, rc)
    r.ok("write-fails:no-crash", "killed by signal" not in log and
         "Assertion" not in log, log)


def case_signals(r, sc):
    def hostile():
        signal.signal(signal.SIGCHLD, signal.SIG_IGN)
        signal.pthread_sigmask(signal.SIG_BLOCK,
                               {signal.SIGTERM, signal.SIGALRM,
                                signal.SIGCHLD})

    before = os.path.getsize(sc.log)
    c = Conn(front(sc) + [sc.checkpw, "-f", sc.passwd, sc.pop3d, "-m",
                          "Maildir"], sc.log, preexec=hostile)
    try:
        c.line()
        pids = [c.proc.pid]
        if itlib.ROOT:
            pids.append(reader_of(c.proc.pid))
        for pid in pids:
            st = status(pid)
            r.ok("signals:mask-cleared[%d]" % len(pids),
                 int(st["SigBlk"], 16) & ~GLIBC == 0, st["SigBlk"])
            # Only SIGPIPE (13) is ignored, and on purpose.
            r.ok("signals:only-sigpipe-ignored[%d]" % len(pids),
                 int(st["SigIgn"], 16) & ~GLIBC == 1 << 12, st["SigIgn"])
        c.cmd("USER alice")
        st = c.cmd("PASS wrong")
        r.ok("signals:wrong-password-is-auth",
             st == b"-ERR [AUTH] authentication failed", st)
        c.cmd("USER alice")
        st = c.cmd("PASS " + sc.password)
        r.ok("signals:right-password-logs-in",
             st.startswith(b"+OK maildrop"), st)
        c.cmd("QUIT")
    finally:
        c.close()
    with open(sc.log, errors="replace") as f:
        f.seek(before)
        log = f.read()
    r.ok("signals:login-failed-logged",
         "LOGIN FAILED, user=alice, ip=[unknown]" in log, log[-800:])


def case_not_root(r, sc):
    who = itlib.MAILUID if itlib.ROOT else None
    before = os.path.getsize(sc.log)
    c = Conn(front(sc) + [sc.checkpw, "-f", sc.passwd, sc.pop3d, "-m",
                          "Maildir"], sc.log, user=who)
    try:
        c.line()
        r.ok("not-root:one-process", children(c.proc.pid) == [])
        c.cmd("USER alice")
        st = c.cmd("PASS wrong")
        r.ok("not-root:wrong-password", st.startswith(b"-ERR [AUTH]"), st)
        c.cmd("QUIT")
    finally:
        c.close()
    with open(sc.log, errors="replace") as f:
        f.seek(before)
        log = f.read()
    r.ok("not-root:logged-once",
         log.count("not started as root: no privilege separation") == 1,
         log)


def main():
    r = itlib.Results()
    if itlib.have("openssl"):
        r.skip("privsep", "missing openssl")
        return 0
    sc = itlib.Scratch(password="Pw-7f3e9a-unique-secret")
    try:
        if itlib.ROOT:
            case_live(r, sc)
            case_crash(r, sc)
            case_wiped(r, sc)
        else:
            r.skip("privsep:live", "needs root: no split as a user")
        case_write_fails(r, sc)
        case_signals(r, sc)
        case_not_root(r, sc)
    except Exception as e:
        r.ok("privsep:unexpected-error", False, repr(e))
    finally:
        if r.failed:
            with open(sc.log, errors="replace") as f:
                sys.stderr.write(f.read()[-3000:])
        sc.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
