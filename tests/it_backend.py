# SPDX-License-Identifier: ISC
"""The back end (pop3d -m MAILDIR) on its own, as checkpassword runs it:
the mail user, fd 0 and 1 a connected socket, the log on fd 2.  Each
case asserts the bytes on the wire, the files on disk and the log:

  log-escape:*  a Maildir file name holding a newline and a forged
                "LOGIN FAILED" line reaches the log escaped, on one line
  dele-renamed  DELE + QUIT deletes a message another program renamed
                (flag change) during the session
  retr-renamed  RETR and TOP, inside the sandbox, serve messages another
                program renamed during the session (a flag change in
                cur/, a move from new/ to cur/), and QUIT flags them
                there; a message really gone gets a plain -ERR, also
                when another file took its unique name; when cur/
                cannot be read to look, -ERR [SYS/TEMP] instead
  login-delay-refused  a login refused for too many messages (-M) does
                not count for LOGIN-DELAY (-L): the next one, with the
                cause gone, gets in; the one after that is too soon
  login-delay-temp  the same for a login refused with [SYS/TEMP] (the
                sandbox could not be entered: tests/faultshim.so)
  uidl-twins    the same unique name in new/ and cur/: two UIDLs
  wsize-absurd  names claiming 10^18 octets: STAT is exact, the size
                cache is written
  in-use-fcntl  a POSIX lock on pop3d.lock (what NFS carries) means
                -ERR [IN-USE]; the lock goes with its holder
  sandbox:*     the live back end: Seccomp 2, NoNewPrivs 1, and the one
                log line about Landlock exactly when the kernel has none
  systemd-filter  the unit's SystemCallFilter= leaves the sandbox every
                call it makes to enter and to serve
"""
import ctypes
import errno
import fcntl
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import itlib

TOP = itlib.TOP
# The mail user runs them: copies it can reach wherever the tree is.
BIN = itlib.scratch_dir("pop3d-back-bin.")
POP3D, = itlib.reachable_copy(BIN, "pop3d")
SHIM = os.path.join(BIN, "faultshim.so")
if os.path.exists(os.path.join(TOP, "tests", "faultshim.so")):
    itlib.reachable_copy(BIN, "tests/faultshim.so")
SANITIZED = os.environ.get("POP3D_SANITIZED") is not None
FORGED = b"pop3d[1]: LOGIN FAILED, user=root, ip=[192.0.2.66]"


class Session:
    """pop3d -m on one end of a socketpair; commands one at a time."""

    def __init__(self, maildir, args=(), extra_env=None):
        self.err = tempfile.TemporaryFile()
        a, b = socket.socketpair()
        env = {"USER": "alice", "PATH": "/usr/bin:/bin",
               "HOME": os.path.dirname(maildir), **(extra_env or {})}
        self.proc = subprocess.Popen(
            itlib.AS_USER + [POP3D, "-m", maildir, *args], stdin=b, stdout=b,
            stderr=self.err, env=env, cwd=os.path.dirname(maildir))
        b.close()
        self.sock = a
        self.sock.settimeout(30)
        self.buf = b""
        self.greeting = self.line()

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def cmd(self, text, multi=False):
        self.sock.sendall(text + b"\r\n")
        first = self.line()
        body = []
        if multi and first.startswith(b"+OK"):
            while True:
                line = self.line()
                if line == b".":
                    break
                body.append(line)
        return first, body

    def close(self):
        self.sock.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.err.seek(0)
        log = self.err.read()
        self.err.close()
        return log


class Box:
    """A scratch Maildir the mail user owns."""

    def __init__(self):
        self.dir = itlib.scratch_dir("pop3d-back.")
        self.md = os.path.join(self.dir, "Maildir")
        for sub in ("", "new", "cur", "tmp"):
            os.mkdir(os.path.join(self.md, sub))
        self.t = 1600000000

    def put(self, rel, data):
        path = os.path.join(self.md, rel)
        with open(path, "wb") as f:
            f.write(data)
        self.t += 10
        os.utime(path, (self.t, self.t))
        return path

    def own(self):
        if itlib.ROOT:
            for base, dirs, files in os.walk(self.md):
                os.chown(base, itlib.MAILUID, itlib.MAILGID)
                for f in files:
                    os.chown(os.path.join(base, f), itlib.MAILUID,
                             itlib.MAILGID)

    def ls(self, sub):
        return sorted(os.listdir(os.path.join(self.md, sub)))

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def forged(log):
    """A log line that starts like pop3d's but was not written by it."""
    return [l for l in log.split(b"\n") if b"LOGIN FAILED" in l]


def case_log_open(r):
    b = Box()
    name = b"1600000001.x\n" + FORGED
    path = b.put("new/x", b"Subject: a\n\nb\n")
    evil = os.path.join(os.fsencode(b.md), b"new", name)
    os.rename(path, evil)
    b.own()
    s = Session(b.md)
    s.cmd(b"STAT")
    os.unlink(evil)			# gone before RETR: "cannot open message"
    first, _ = s.cmd(b"RETR 1", multi=True)
    s.cmd(b"QUIT")
    log = s.close()
    r.ok("backend:log-escape:cannot-open",
         first.startswith(b"-ERR") and b"cannot open message" in log and
         not forged(log) and b"\\x0a" in log, log.decode(errors="replace"))
    b.cleanup()


def case_log_changed(r):
    b = Box()
    # ",W=3," claims 3 octets; the file has more: "message ... changed".
    name = b"1600000002.x,W=3,\n" + FORGED
    path = b.put("new/y", b"Subject: longer than three\n\nbody\n")
    os.rename(path, os.path.join(os.fsencode(b.md), b"new", name))
    b.own()
    s = Session(b.md)
    first, _ = s.cmd(b"RETR 1", multi=True)
    s.cmd(b"QUIT")
    log = s.close()
    r.ok("backend:log-escape:changed",
         first.startswith(b"+OK") and b"changed" in log and
         not forged(log) and b"\\x0a" in log, log.decode(errors="replace"))
    b.cleanup()


def case_dele_renamed(r):
    b = Box()
    b.put("cur/1600000003.a:2,", b"Subject: a\n\na\n")
    b.put("cur/1600000004.b:2,", b"Subject: b\n\nb\n")
    b.own()
    s = Session(b.md)
    stat, _ = s.cmd(b"STAT")
    # Another client flags message 1 while we hold the session.
    os.rename(os.path.join(b.md, "cur", "1600000003.a:2,"),
              os.path.join(b.md, "cur", "1600000003.a:2,F"))
    dele, _ = s.cmd(b"DELE 1")
    quit, _ = s.cmd(b"QUIT")
    log = s.close()
    r.ok("backend:dele-renamed",
         stat == b"+OK 2 34" and dele.startswith(b"+OK") and
         quit.startswith(b"+OK") and b.ls("cur") == ["1600000004.b:2,"] and
         b"deleted=1/" in log,
         "%r %r %r %r %s" % (stat, dele, quit, b.ls("cur"),
                             log.decode(errors="replace")))
    b.cleanup()


def case_retr_renamed(r):
    b = Box()
    bodies = [b"Subject: a\n\nflagged elsewhere\n",
              b"Subject: b\n\nmoved to cur\n.dot\n",
              b"Subject: c\n\ndeleted elsewhere\n",
              b"Subject: d\n\nreplaced\n"]
    b.put("cur/1600000011.a:2,", bodies[0])
    b.put("new/1600000012.b", bodies[1])
    b.put("cur/1600000013.c:2,", bodies[2])
    b.put("cur/1600000014.d:2,", bodies[3])
    b.own()
    s = Session(b.md)
    stat, _ = s.cmd(b"STAT")
    cur = os.path.join(b.md, "cur")
    # Another program: an IMAP server flags 1, a MUA moves 2 to cur/,
    # deletes 3, and puts a new file under 4's unique name.
    os.rename(os.path.join(cur, "1600000011.a:2,"),
              os.path.join(cur, "1600000011.a:2,F"))
    os.rename(os.path.join(b.md, "new", "1600000012.b"),
              os.path.join(cur, "1600000012.b:2,S"))
    os.unlink(os.path.join(cur, "1600000013.c:2,"))
    # Made while 4 still exists, so that it cannot reuse 4's inode.
    b.put("tmp/impostor", b"Subject: impostor\n\n!\n")
    os.unlink(os.path.join(cur, "1600000014.d:2,"))
    os.rename(os.path.join(b.md, "tmp", "impostor"),
              os.path.join(cur, "1600000014.d:2,T"))
    b.own()
    got = {}
    for n in (1, 2, 3, 4):
        got[n] = s.cmd(b"RETR %d" % n, multi=True)
    top, tbody = s.cmd(b"TOP 2 0", multi=True)
    quit, _ = s.cmd(b"QUIT")
    log = s.close()

    def body(n):
        return b"".join(l + b"\r\n" for l in got[n][1]).replace(
            b"\r\n..", b"\r\n.")

    gone = b"-ERR message %d is no longer there"
    r.ok("backend:retr-renamed",
         stat.startswith(b"+OK 4 ") and
         got[1][0].startswith(b"+OK") and body(1) == itlib.wire(bodies[0]) and
         got[2][0].startswith(b"+OK") and body(2) == itlib.wire(bodies[1]) and
         got[3][0] == gone % 3 and got[4][0] == gone % 4 and
         top.startswith(b"+OK") and tbody == [b"Subject: b", b""] and
         quit.startswith(b"+OK") and
         b.ls("cur") == ["1600000011.a:2,FS", "1600000012.b:2,S",
                         "1600000014.d:2,T"] and b.ls("new") == [],
         "%r %r %r %r %s" % (stat, got, (top, tbody), b.ls("cur"),
                             log.decode(errors="replace")))
    b.cleanup()


def case_retr_unreadable(r):
    b = Box()
    b.put("cur/1600000021.a:2,", b"Subject: a\n\na\n")
    b.own()
    s = Session(b.md)
    cur = os.path.join(b.md, "cur")
    os.rename(os.path.join(cur, "1600000021.a:2,"),
              os.path.join(cur, "1600000021.a:2,F"))
    # The name can be looked up (ENOENT), the directory not listed.
    os.chmod(cur, 0o300)
    try:
        retr, _ = s.cmd(b"RETR 1", multi=True)
    finally:
        os.chmod(cur, 0o700)
    s.cmd(b"QUIT")
    log = s.close()
    r.ok("backend:retr-renamed-unreadable",
         retr == b"-ERR [SYS/TEMP] cannot read message 1" and
         b"Permission denied" in log, "%r %s" % (retr, log.decode(
             errors="replace")))
    b.cleanup()


def login_once(b, args, extra_env=None):
    """Logs in and QUITs at once; (the answer to the login, log)."""
    s = Session(b.md, args, extra_env)
    if s.greeting.startswith(b"+OK"):
        s.cmd(b"QUIT")
    return s.greeting, s.close()


def case_login_delay_refused(r):
    b = Box()
    for i in range(3):
        b.put("new/16000000%02d.ld" % i, b"Subject: %d\n\nx\n" % i)
    b.own()
    stamp = os.path.join(b.md, "pop3d.login")
    t0 = time.time()
    refused, log = login_once(b, ["-M", "2", "-L", "3600"])
    # Whatever is there now must not count as a login.
    before = os.stat(stamp).st_mtime if os.path.exists(stamp) else None
    first, log2 = login_once(b, ["-M", "3", "-L", "3600"])
    after = os.stat(stamp).st_mtime if os.path.exists(stamp) else None
    again, log3 = login_once(b, ["-M", "3", "-L", "3600"])
    r.ok("backend:login-delay-refused",
         refused.startswith(b"-ERR [SYS/PERM] too many messages") and
         (before is None or before < t0 - 3600) and
         first.startswith(b"+OK maildrop has 3 messages") and
         after is not None and after >= t0 - 1 and
         again.startswith(b"-ERR [LOGIN-DELAY]"),
         "%r %r %r %r %r %s" % (refused, before, first, after, again,
                                (log + log2 + log3).decode(
                                    errors="replace")))
    b.cleanup()


def case_login_delay_temp(r):
    if SANITIZED:
        r.skip("backend:login-delay-temp", "no sandbox in this build")
        return
    if not os.path.exists(SHIM):
        r.skip("backend:login-delay-temp", "tests/faultshim.so not built")
        return
    b = Box()
    b.put("new/1600000031.t", b"Subject: t\n\nx\n")
    b.own()
    # The sandbox cannot be entered, after the scan: [SYS/TEMP].
    refused, log = login_once(b, ["-L", "3600"], {
        "LD_PRELOAD": SHIM, "POP3D_FAULT": "nnp:1:EACCES"})
    first, log2 = login_once(b, ["-L", "3600"])
    again, log3 = login_once(b, ["-L", "3600"])
    r.ok("backend:login-delay-temp",
         refused.startswith(b"-ERR [SYS/TEMP]") and
         b"cannot enter the sandbox" in log and
         first.startswith(b"+OK maildrop has 1 messages") and
         again.startswith(b"-ERR [LOGIN-DELAY]"),
         "%r %r %r %s" % (refused, first, again, (log + log2 + log3).decode(
             errors="replace")))
    b.cleanup()


def case_uidl_twins(r):
    b = Box()
    b.put("cur/1600000005.dup:2,S", b"Subject: first\n\n1\n")
    b.put("new/1600000005.dup", b"Subject: again\n\n2\n")
    b.own()
    s = Session(b.md)
    first, body = s.cmd(b"UIDL", multi=True)
    one, _ = s.cmd(b"UIDL 2")
    s.cmd(b"QUIT")
    s.close()
    uids = [l.split(b" ", 1)[1] for l in body]
    r.ok("backend:uidl-twins",
         first.startswith(b"+OK") and len(uids) == 2 and
         uids[0] == b"1600000005.dup" and uids[1] != uids[0] and
         re.fullmatch(rb"[0-9a-f]{32}", uids[1]) is not None and
         one == b"+OK 2 " + uids[1], repr(body))
    b.cleanup()


def case_wsize_absurd(r):
    b = Box()
    for i in range(20):
        b.put("cur/16000001%02d.w,W=999999999999999999:2," % i,
              b"abcde\n")
    b.own()
    s = Session(b.md)
    stat, _ = s.cmd(b"STAT")
    quit, _ = s.cmd(b"QUIT")
    log = s.close()
    r.ok("backend:wsize-absurd",
         stat == b"+OK 20 140" and quit.startswith(b"+OK") and
         os.path.exists(os.path.join(b.md, "pop3d.sizes")) and
         b"size cache" not in log,
         "%r %s" % (stat, log.decode(errors="replace")))
    b.cleanup()


def case_in_use_fcntl(r):
    b = Box()
    b.put("new/1600000006.l", b"Subject: l\n\nl\n")
    b.own()
    lock = os.path.join(b.md, "pop3d.lock")
    # A child holds a POSIX lock, as an NFS client's session would.
    rd, wr = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(rd)
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.write(wr, b"y")
        signal.pause()
        os._exit(0)
    os.close(wr)
    os.read(rd, 1)
    os.close(rd)
    if itlib.ROOT:
        os.chown(lock, itlib.MAILUID, itlib.MAILGID)
    s = Session(b.md)
    busy = s.greeting
    s.close()
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    s = Session(b.md)
    free = s.greeting
    s.cmd(b"QUIT")
    s.close()
    r.ok("backend:in-use-fcntl",
         busy.startswith(b"-ERR [IN-USE]") and
         free.startswith(b"+OK maildrop has 1"), "%r %r" % (busy, free))
    b.cleanup()


def landlock_abi():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    # landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION)
    return max(0, libc.syscall(444, None, ctypes.c_size_t(0),
                               ctypes.c_uint32(1)))


def case_sandbox_live(r):
    if SANITIZED:
        r.skip("backend:sandbox", "sandbox disabled in sanitizer builds")
        return
    b = Box()
    b.put("new/1600000007.s", b"Subject: s\n\ns\n")
    b.own()
    s = Session(b.md)
    s.cmd(b"STAT")		# past the greeting: the sandbox is on
    with open("/proc/%d/status" % s.proc.pid) as f:
        status = f.read()
    first, body = s.cmd(b"RETR 1", multi=True)
    quit, _ = s.cmd(b"QUIT")
    log = s.close()
    r.ok("backend:sandbox:seccomp",
         re.search(r"^Seccomp:\s+2$", status, re.M) is not None and
         re.search(r"^NoNewPrivs:\s+1$", status, re.M) is not None,
         status)
    r.ok("backend:sandbox:session",
         first.startswith(b"+OK") and body == [b"Subject: s", b"", b"s"] and
         quit.startswith(b"+OK") and b.ls("cur") == ["1600000007.s:2,S"] and
         os.path.exists(os.path.join(b.md, "pop3d.sizes")),
         "%r %r %s" % (first, body, log.decode(errors="replace")))
    lines = [l for l in log.split(b"\n") if b"sandbox" in l]
    if landlock_abi() >= 2:
        r.ok("backend:sandbox:landlock-quiet", lines == [], repr(lines))
    else:
        r.ok("backend:sandbox:no-landlock-logged",
             len(lines) == 1 and b"without Landlock" in lines[0],
             repr(lines))
    b.cleanup()


def syscall_groups():
    """systemd's @groups: name -> the calls and groups it lists."""
    out = subprocess.run(["systemd-analyze", "syscall-filter"],
                         capture_output=True, text=True, timeout=60)
    groups, cur = {}, None
    for line in out.stdout.split("\n"):
        if line.startswith("@"):
            cur = groups.setdefault(line.strip(), [])
        elif cur is not None and line.strip() and \
                not line.strip().startswith("#"):
            cur.append(line.strip())
    return groups


def unit_filter(path, groups):
    """The syscall names a unit's SystemCallFilter= lines allow."""
    allowed, todo = set(), []
    with open(path) as f:
        for line in f:
            m = re.match(r"SystemCallFilter=(?!~)(.*)", line.strip())
            if m:
                todo += m.group(1).split()
    seen = set()
    while todo:
        item = todo.pop()
        if item.startswith("@"):
            if item not in seen:
                seen.add(item)
                todo += groups.get(item, [])
        else:
            allowed.add(item)
    return allowed


def case_systemd_filter(r):
    if shutil.which("systemd-analyze") is None:
        r.skip("backend:systemd-filter", "missing systemd-analyze")
        return
    with open(os.path.join(TOP, "rules.c")) as f:
        src = f.read()
    table = re.search(r"backend\[\] = \{(.*?)\n\};", src, re.S).group(1)
    need = set(re.findall(r"\bALLOW(?:_IF)?\((\w+)", table))
    # The calls that enter the sandbox (filter.c loads the program with
    # prctl, not seccomp(2)).
    need |= {"mmap", "mprotect", "openat", "sendto", "unlinkat", "prctl",
             "landlock_create_ruleset", "landlock_add_rule",
             "landlock_restrict_self"}
    groups = syscall_groups()
    for unit in ("pop3d@.service", "pop3s@.service"):
        path = os.path.join(TOP, "systemd", unit)
        if not os.path.exists(path):
            continue
        missing = sorted(need - unit_filter(path, groups))
        r.ok("backend:systemd-filter:" + unit, missing == [],
             "not allowed by the unit: " + " ".join(missing))


def main():
    r = itlib.Results()
    for case in (case_log_open, case_log_changed, case_dele_renamed,
                 case_retr_renamed, case_retr_unreadable,
                 case_login_delay_refused, case_login_delay_temp,
                 case_uidl_twins, case_wsize_absurd, case_in_use_fcntl,
                 case_sandbox_live, case_systemd_filter):
        try:
            case(r)
        except (OSError, EOFError, TypeError, subprocess.SubprocessError) as e:
            r.ok("backend:" + case.__name__[5:], False, repr(e))
    sys.exit(1 if r.failed else 0)


if __name__ == "__main__":
    main()
