#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""The trash (pop3d -m Maildir -K DAYS, doc/trash.md) and the logout
line's counts, on the back end run directly as the mail user, and
"pop3d-passwd restore" run as root (or, unprivileged, as the user).

  trash:dele-all        -K 7: a client deletes everything; each file is
                        renamed (same inode) into .Trash/cur with the T
                        flag (S too if RETR sent it), the folder made as
                        maildirmake makes it; STAT then shows nothing
  trash:logout          the logout line counts them: deleted and
                        trashed, messages and octets
  trash:restore         restore --all brings every byte back, with the
                        same UIDLs and no T flag
  trash:restore-locked  restore while a session holds the maildrop:
                        refused with 111, nothing moves
  trash:restore-since   --since a later date moves nothing
  trash:doc-mv          doc/trash.md's one-line mv, run as the mail
                        user, restores as well: same UIDLs, no T flag
  trash:off             without -K nothing changes: unlinked, no .Trash
  trash:readonly        .Trash/cur not writable: -ERR [SYS/TEMP], the
                        message stays in the INBOX, undeletable=1/SIZE
  trash:expire          -K with -X 0: what EXPIRE removes is trashed
  trash:env             POP3D_TRASH=NEVER turns -K off for the user,
                        POP3D_TRASH=N turns it on, garbage refuses
  trash:login-delay     LOGIN-DELAY still refuses a login too soon
  logout:adds-up        -X 0: an expired message counts in deleted's
                        messages and octets alike
"""
import os
import shutil
import stat
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itlib  # noqa: E402
from itlib import MESSAGES, wire  # noqa: E402

NAMES = sorted(MESSAGES)
SIZES = [len(wire(MESSAGES[n])) for n in NAMES]


class Box:
    def __init__(self):
        self.sc = itlib.Scratch()
        self.md = self.sc.maildir
        self.passwd_bin = os.path.join(self.sc.bin, "pop3d-passwd")
        shutil.copy(os.path.join(itlib.TOP, "pop3d-passwd"), self.passwd_bin)
        os.chmod(self.passwd_bin, 0o755)

    def env(self, extra=None):
        e = {"HOME": self.sc.home, "USER": "alice", "PATH": "/usr/bin:/bin"}
        for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS"):
            if k in os.environ:
                e[k] = os.environ[k]
        e.update(extra or {})
        return e

    def popen(self, opts, extra=None):
        return subprocess.Popen(
            itlib.AS_USER + [self.sc.pop3d, "-e", *opts, "-m", "Maildir"],
            cwd=self.sc.home, env=self.env(extra), stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def session(self, script, opts=(), extra=None):
        """Pipes script in; returns (reply lines, log text)."""
        p = self.popen(opts, extra)
        out, err = p.communicate(script, timeout=30)
        return out.split(b"\r\n")[:-1], err.decode(errors="replace")

    def restore(self, *args):
        return subprocess.run(
            [self.passwd_bin, "-f", self.sc.passwd, "restore", *args],
            capture_output=True, timeout=30, stdin=subprocess.DEVNULL)

    def listing(self, sub):
        d = os.path.join(self.md, sub)
        return sorted(os.listdir(d)) if os.path.isdir(d) else None

    def cleanup(self):
        self.sc.cleanup()


def status(lines):
    return [l for l in lines if l.startswith((b"+OK", b"-ERR"))]


def uidls(b, opts=()):
    lines, _ = b.session(b"UIDL\r\nQUIT\r\n", opts)
    return [l.split(b" ", 1)[1] for l in lines[2:-2]]


def logout(log):
    for l in log.splitlines():
        if "logout:" in l:
            return l
    return ""


def case_dele_all(r):
    b = Box()
    try:
        before = uidls(b)
        inodes = {}
        for sub in ("new", "cur"):
            for f in os.listdir(os.path.join(b.md, sub)):
                inodes[f.split(":")[0]] = os.stat(
                    os.path.join(b.md, sub, f)).st_ino
        script = b"RETR 2\r\n" + b"".join(
            b"DELE %d\r\n" % (i + 1) for i in range(len(NAMES))) + \
            b"QUIT\r\n"
        lines, log = b.session(script, ("-K", "7"))
        st = status(lines)
        want = [NAMES[i] + (":2,ST" if i == 1 else ":2,T")
                for i in range(len(NAMES))]
        trash = b.listing(".Trash/cur")
        same = trash is not None and all(
            os.stat(os.path.join(b.md, ".Trash/cur", f)).st_ino ==
            inodes[f.split(":")[0]] for f in trash)
        modes = {d: stat.S_IMODE(os.stat(os.path.join(b.md, d)).st_mode)
                 for d in (".Trash", ".Trash/cur", ".Trash/new",
                           ".Trash/tmp")}
        mark = os.path.join(b.md, ".Trash", "maildirfolder")
        r.ok("trash:dele-all", st[-1:] == [b"+OK bye"] and
             b.listing("new") == [] and b.listing("cur") == [] and
             trash == sorted(want) and same and
             set(modes.values()) == {0o700} and os.path.isfile(mark) and
             os.path.getsize(mark) == 0,
             "%s %s %s %s %s" % (st[-1:], trash, same, modes,
                                 os.path.exists(mark)))
        total = sum(SIZES)
        want_log = "deleted=%d/%d, undeletable=0/0" % (len(NAMES), total)
        r.ok("trash:logout", want_log in log and
             "trashed=%d/%d, purged=0" % (len(NAMES), total) in log,
             logout(log))
        lines, _ = b.session(b"STAT\r\nQUIT\r\n", ("-K", "7"))
        r.ok("trash:stat-empty", status(lines)[1:2] == [b"+OK 0 0"], lines)

        # A session holds the maildrop: restore must wait its turn.
        p = b.popen(("-K", "7"))
        p.stdout.readline()
        locked = b.restore("--all", "alice")
        p.communicate(b"QUIT\r\n", timeout=30)
        r.ok("trash:restore-locked", locked.returncode == 111 and
             b"in use" in locked.stderr and
             b.listing(".Trash/cur") == sorted(want),
             (locked.returncode, locked.stderr))

        later = b.restore("--since", "@%d" % (time.time() + 3600), "alice")
        r.ok("trash:restore-since", later.returncode == 0 and
             b"restored 0 messages" in later.stdout and
             b.listing(".Trash/cur") == sorted(want),
             (later.returncode, later.stdout, later.stderr))

        res = b.restore("--all", "alice")
        after = uidls(b)
        lines, _ = b.session(b"".join(b"RETR %d\r\n" % (i + 1)
                                      for i in range(len(NAMES))) +
                             b"QUIT\r\n")
        got, cur = [], None
        for l in lines[1:-1]:
            if l.startswith(b"+OK") and cur is None:
                cur = []
            elif l == b"." and cur is not None:
                got.append(b"".join(x + b"\r\n" for x in cur))
                cur = None
            elif cur is not None:
                cur.append(l[1:] if l.startswith(b"..") else l)
        cur_files = b.listing("cur")
        r.ok("trash:restore", res.returncode == 0 and
             b"restored %d messages" % len(NAMES) in res.stdout and
             after == before and
             got == [wire(MESSAGES[n]) for n in NAMES] and
             b.listing(".Trash/cur") == [] and
             not any("T" in f.split(":2,")[1] for f in cur_files),
             "%r %r %s %s" % (res.returncode, res.stdout, after == before,
                              cur_files))
    finally:
        b.cleanup()


def doc_mv():
    """The indented command of doc/trash.md that restores with mv."""
    with open(os.path.join(itlib.TOP, "doc", "trash.md")) as f:
        for line in f:
            if line.startswith("    cd ~alice/Maildir") and " mv " in line:
                return line.strip()
    return None


def case_doc_mv(r):
    b = Box()
    try:
        cmd = doc_mv()
        before = uidls(b)
        b.session(b"RETR 1\r\nDELE 1\r\nDELE 3\r\nQUIT\r\n", ("-K", "7"))
        trashed = b.listing(".Trash/cur")
        res = itlib.run_as_user(
            ["sh", "-c", cmd.replace("~alice/Maildir", b.md)], b.sc.home)
        after = uidls(b)
        cur = b.listing("cur")
        r.ok("trash:doc-mv", cmd is not None and len(trashed) == 2 and
             res.returncode == 0 and after == before and
             b.listing(".Trash/cur") == [] and
             NAMES[0] + ":2,S" in cur and NAMES[2] + ":2," in cur,
             (cmd, trashed, res.returncode, res.stderr, cur))
    finally:
        b.cleanup()


def case_off(r):
    b = Box()
    try:
        lines, log = b.session(b"DELE 1\r\nQUIT\r\n")
        r.ok("trash:off", status(lines)[-1:] == [b"+OK bye"] and
             not os.path.exists(os.path.join(b.md, ".Trash")) and
             len(b.listing("cur")) == len(NAMES) - 1 and
             "trashed=" not in log, (lines, logout(log)))
    finally:
        b.cleanup()


def case_readonly(r):
    b = Box()
    try:
        for d in (".Trash", ".Trash/cur", ".Trash/new", ".Trash/tmp"):
            os.mkdir(os.path.join(b.md, d), 0o700)
        b.sc.chown()
        os.chmod(os.path.join(b.md, ".Trash/cur"), 0o500)
        lines, log = b.session(b"DELE 1\r\nQUIT\r\n", ("-K", "7"))
        st = status(lines)
        r.ok("trash:readonly", st[-1:] == [
            b"-ERR [SYS/TEMP] some deleted messages not removed"] and
             b.listing("new") == [NAMES[0]] and
             len(b.listing("cur")) == len(NAMES) - 1 and
             b.listing(".Trash/cur") == [] and
             "undeletable=1/%d" % SIZES[0] in log and
             "deleted=0/0" in log, (st, logout(log)))
        lines, _ = b.session(b"STAT\r\nQUIT\r\n", ("-K", "7"))
        r.ok("trash:readonly:still-there", status(lines)[1:2] == [
            b"+OK %d %d" % (len(NAMES), sum(SIZES))], lines)
    finally:
        b.cleanup()


def case_expire(r):
    b = Box()
    try:
        lines, log = b.session(b"RETR 1\r\nDELE 2\r\nQUIT\r\n",
                               ("-K", "7", "-X", "0"))
        trash = b.listing(".Trash/cur") or []
        s01 = SIZES[0] + SIZES[1]
        r.ok("trash:expire", status(lines)[-1:] == [b"+OK bye"] and
             trash == sorted([NAMES[0] + ":2,ST", NAMES[1] + ":2,T"]) and
             "deleted=2/%d" % s01 in log and
             "expired=1/%d" % SIZES[0] in log and
             "trashed=2/%d" % s01 in log, (trash, logout(log)))
    finally:
        b.cleanup()


def case_adds_up(r):
    b = Box()
    try:
        lines, log = b.session(b"RETR 1\r\nDELE 2\r\nQUIT\r\n", ("-X", "0"))
        s01 = SIZES[0] + SIZES[1]
        r.ok("logout:adds-up", status(lines)[-1:] == [b"+OK bye"] and
             "retrieved=1/%d, deleted=2/%d, undeletable=0/0" % (
                 SIZES[0], s01) in log and
             "expired=1/%d" % SIZES[0] in log, logout(log))
    finally:
        b.cleanup()


def case_env(r):
    b = Box()
    try:
        _, log = b.session(b"DELE 1\r\nQUIT\r\n", ("-K", "7"),
                           {"POP3D_TRASH": "NEVER"})
        off = not os.path.exists(os.path.join(b.md, ".Trash")) and \
            "trashed=" not in log
        _, log2 = b.session(b"DELE 1\r\nQUIT\r\n", (),
                            {"POP3D_TRASH": "3"})
        on = b.listing(".Trash/cur") == [NAMES[1] + ":2,T"] and \
            "trashed=1/%d" % SIZES[1] in log2
        lines, _ = b.session(b"QUIT\r\n", ("-K", "7"),
                             {"POP3D_TRASH": "7days"})
        bad = lines[:1] and lines[0].startswith(b"-ERR [SYS/PERM]")
        r.ok("trash:env", off and on and bad,
             (off, on, lines[:1], logout(log), logout(log2)))
    finally:
        b.cleanup()


def case_login_delay(r):
    b = Box()
    try:
        b.session(b"DELE 1\r\nQUIT\r\n", ("-K", "7", "-L", "3600"))
        lines, _ = b.session(b"QUIT\r\n", ("-K", "7", "-L", "3600"))
        r.ok("trash:login-delay", lines[:1] and
             lines[0].startswith(b"-ERR [LOGIN-DELAY]") and
             b.listing(".Trash/cur") == [NAMES[0] + ":2,T"], lines[:1])
    finally:
        b.cleanup()


def main():
    if not os.path.exists(os.path.join(itlib.TOP, "pop3d-passwd")):
        print("skip trash: pop3d-passwd not built")
        return 0
    r = itlib.Results()
    for case in (case_dele_all, case_doc_mv, case_off, case_readonly, case_expire,
                 case_adds_up, case_env, case_login_delay):
        try:
            case(r)
        except Exception as e:  # a hang or a crash of the test itself
            r.ok("trash:%s" % case.__name__, False, repr(e))
    return 1 if r.failed else 0


if __name__ == "__main__":
    sys.exit(main())
