# SPDX-License-Identifier: ISC
"""Faults at QUIT and between sessions, on the back end (pop3d -m run
directly as an unprivileged user; the login is not under test here).
Each case: one clear answer per command, no message lost or changed,
and the next session logs in at once and LISTs what is on disk.

  update:cur-readonly     cur/ is read-only at QUIT: renames and
                          unlinks there fail; -ERR [SYS/TEMP], mail kept
  update:unlink-eio       the 2nd unlink at QUIT fails (EIO): -ERR
  update:rename-eio       the 1st new/ -> cur/ rename fails: +OK, that
                          message stays in new/
  trash:mkdir-enospc      -K 7 and no .Trash yet, the disk is full when
                          it is made: -ERR [SYS/TEMP], the message stays
                          in the INBOX; a later QUIT trashes it
  trash:rename-enospc     -K 7, the rename into .Trash/cur fails
                          (ENOSPC): the same
  update:cache-enospc     the disk is full when the size cache is
                          written: +OK bye, no pop3d.sizes.tmp left
  session:delivery        a message delivered into new/ during a
                          session: not listed, left in new/, seen next
  session:renamed         another program renames a message (marks it
                          read) during the session: RETR serves it,
                          DELE + QUIT delete it under its new name
  cache:garbage|symlink|fifo|other-owner
                          pop3d.sizes replaced between sessions: it is
                          ignored (README "The size cache"), the sizes
                          are right, a symlink's target is untouched
                          and nothing hangs on a FIFO

The shim (tests/faultshim.so, LD_PRELOAD) makes the one system call
fail; it is built by make check."""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itlib  # noqa: E402

# The mail user runs pop3d and loads the shim: copies it can reach
# wherever the tree is (itlib.scratch_dir()).
BIN = itlib.scratch_dir("pop3d-upd-bin.")
POP3D, = itlib.reachable_copy(BIN, "pop3d")
SHIM = os.path.join(BIN, "faultshim.so")
if os.path.exists(os.path.join(itlib.TOP, "tests", "faultshim.so")):
    itlib.reachable_copy(BIN, "tests/faultshim.so")
AS_MAIL = ({"user": itlib.MAILUID, "group": itlib.MAILGID,
            "extra_groups": []} if itlib.ROOT else {})
MSGS = {
    "1600000001.M1P1.f": b"Subject: one\n\nbody\n",
    "1600000002.M2P2.f": b"Subject: two\n\n.dot\n",
    "1600000003.M3P3.f": b"Subject: three\r\n\r\ncrlf\r\n",
    "1600000004.M4P4.f": b"Subject: four\n\nno newline",
}


class Box:
    def __init__(self):
        self.home = itlib.scratch_dir("pop3d-upd.")
        self.md = os.path.join(self.home, "Maildir")
        for sub in ("new", "cur", "tmp"):
            os.makedirs(os.path.join(self.md, sub))
        self.want = {}
        t = 1600000000
        for i, (u, body) in enumerate(sorted(MSGS.items())):
            name = "new/" + u if i % 2 == 0 else "cur/" + u + ":2,"
            self.put(name, body, t + i)
        self.own()

    def put(self, name, body, t):
        p = os.path.join(self.md, name)
        with open(p, "wb") as f:
            f.write(body)
        os.utime(p, (t, t))
        self.want[name.split("/", 1)[1].split(":")[0]] = body
        self.own()

    def own(self):
        if itlib.ROOT:
            for base, dirs, files in os.walk(self.home):
                os.chown(base, itlib.MAILUID, itlib.MAILGID)
                for f in files:
                    os.lchown(os.path.join(base, f), itlib.MAILUID,
                              itlib.MAILGID)

    def run(self, script, fault=None, timeout=30, opts=()):
        """One session with script piped in; returns (lines, log)."""
        env = {"HOME": self.home, "USER": "f", "PATH": "/usr/bin:/bin"}
        for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS"):
            if k in os.environ:
                env[k] = os.environ[k]
        if fault:
            env["LD_PRELOAD"] = SHIM
            env["POP3D_FAULT"] = fault
            # The sanitizer run-time wants to be first; the shim is tiny.
            env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") +
                                   ":verify_asan_link_order=0").lstrip(":")
        p = subprocess.run([POP3D, "-e", *opts,
                            "-m", "Maildir"], cwd=self.home, env=env,
                           input=script, capture_output=True,
                           timeout=timeout, **AS_MAIL)
        return p.stdout.split(b"\r\n")[:-1], p.stderr.decode(errors="replace")

    def files(self):
        out = {}
        for sub in ("new", "cur"):
            d = os.path.join(self.md, sub)
            for n in os.listdir(d):
                with open(os.path.join(d, n), "rb") as f:
                    out[sub + "/" + n] = f.read()
        return out

    def intact(self, gone=()):
        """'' if every message but gone is there once, unchanged."""
        have = {}
        for name, body in self.files().items():
            u = name.split("/", 1)[1].split(":")[0]
            if u in have:
                return "%s twice" % u
            have[u] = body
        for u, body in self.want.items():
            if u in gone:
                continue
            if have.get(u) != body:
                return "%s lost or changed" % u
        extra = set(have) - set(self.want)
        return "unknown files %s" % extra if extra else ""

    def next_ok(self):
        """The next session: at once, LIST sizes as on disk."""
        lines, log = self.run(b"LIST\r\nQUIT\r\n")
        files = self.files()
        live = sorted(files, key=lambda n: (os.stat(os.path.join(
            self.md, n)).st_mtime, n.split("/", 1)[1]))
        want = [b"+OK maildrop has %d messages" % len(live)]
        if not lines or not lines[0].startswith(want[0]):
            return "next login: %s" % lines[:1]
        got = lines[2:2 + len(live)]
        exp = [b"%d %d" % (i + 1, len(itlib.wire(files[n])))
               for i, n in enumerate(live)]
        if got != exp or lines[-1] != b"+OK bye":
            return "next LIST %s, want %s" % (got, exp)
        return ""

    def cleanup(self):
        for base, dirs, files in os.walk(self.md):
            os.chmod(base, 0o755)
        shutil.rmtree(self.home, ignore_errors=True)


def status(lines):
    return [l for l in lines if l.startswith((b"+OK", b"-ERR"))]


def case_cur_readonly(r):
    b = Box()
    try:
        os.chmod(os.path.join(b.md, "cur"), 0o555)
        # 1: new/, 2: cur/.  As root the mail user still cannot write.
        lines, log = b.run(b"DELE 2\r\nRETR 1\r\nQUIT\r\n")
        st = status(lines)
        r.ok("update:cur-readonly:answer", len(st) == 4 and st[-1] ==
             b"-ERR [SYS/TEMP] some deleted messages not removed", st)
        r.ok("update:cur-readonly:log", "undeletable=1" in log, log)
        r.ok("update:cur-readonly:nothing-lost", b.intact() == "",
             b.intact())
        os.chmod(os.path.join(b.md, "cur"), 0o755)
        r.ok("update:cur-readonly:next-session", b.next_ok() == "",
             b.next_ok())
    finally:
        b.cleanup()


def case_unlink_eio(r):
    b = Box()
    try:
        lines, log = b.run(b"DELE 1\r\nDELE 2\r\nDELE 3\r\nQUIT\r\n",
                           fault="unlinkat:2:EIO")
        st = status(lines)
        r.ok("update:unlink-eio:answer", len(st) == 5 and st[-1] ==
             b"-ERR [SYS/TEMP] some deleted messages not removed", st)
        names = sorted(MSGS)
        left = set(u.split(":")[0].split("/")[1] for u in b.files())
        kept = left - {names[3]}
        r.ok("update:unlink-eio:one-left", names[3] in left and
             len(kept) == 1 and kept <= set(names[:3]), left)
        gone = set(names[:3]) - kept
        r.ok("update:unlink-eio:nothing-lost",
             b.intact(gone=gone) == "", b.intact(gone=gone))
        r.ok("update:unlink-eio:next-session", b.next_ok() == "",
             b.next_ok())
    finally:
        b.cleanup()


def case_rename_eio(r):
    b = Box()
    try:
        lines, log = b.run(b"RETR 1\r\nQUIT\r\n", fault="renameat2:1:EIO")
        st = status(lines)
        r.ok("update:rename-eio:answer", len(st) == 3 and st[-1] ==
             b"+OK bye", st)
        r.ok("update:rename-eio:log", "unmoved=1" in log, log)
        innew = [n for n in b.files() if n.startswith("new/")]
        r.ok("update:rename-eio:one-stays-in-new", len(innew) == 1,
             sorted(b.files()))
        r.ok("update:rename-eio:nothing-lost", b.intact() == "",
             b.intact())
        r.ok("update:rename-eio:next-session", b.next_ok() == "",
             b.next_ok())
    finally:
        b.cleanup()


def case_cache_enospc(r):
    b = Box()
    try:
        lines, log = b.run(b"DELE 4\r\nQUIT\r\n", fault="cache:1:ENOSPC")
        st = status(lines)
        r.ok("update:cache-enospc:answer", st[-1:] == [b"+OK bye"]
             and len(st) == 3, st)
        r.ok("update:cache-enospc:log", "cannot write the size cache: "
             "No space left on device" in log, log)
        r.ok("update:cache-enospc:no-tmp", not [
            f for f in os.listdir(b.md) if f.startswith("pop3d.sizes.tmp")],
            os.listdir(b.md))
        r.ok("update:cache-enospc:nothing-lost",
             b.intact(gone=(sorted(MSGS)[3],)) == "", b.intact())
        r.ok("update:cache-enospc:next-session", b.next_ok() == "",
             b.next_ok())
    finally:
        b.cleanup()


def case_trash_full(r, what, fault):
    b = Box()
    try:
        if what == "rename":
            for sub in ("cur", "new", "tmp"):
                os.makedirs(os.path.join(b.md, ".Trash", sub))
            b.own()
        lines, log = b.run(b"DELE 2\r\nQUIT\r\n", fault=fault,
                           opts=("-K", "7"))
        st = status(lines)
        name = "trash:%s-enospc" % what
        r.ok(name + ":answer", st[-1:] == [
            b"-ERR [SYS/TEMP] some deleted messages not removed"] and
            len(st) == 3, st)
        size = len(itlib.wire(MSGS[sorted(MSGS)[1]]))
        r.ok(name + ":log", "deleted=0/0, undeletable=1/%d" % size in log
             and "error=No space left on device" in log, log)
        r.ok(name + ":nothing-lost", b.intact() == "", b.intact())
        r.ok(name + ":next-session", b.next_ok() == "", b.next_ok())
        lines, log = b.run(b"DELE 2\r\nQUIT\r\n", opts=("-K", "7"))
        trash = os.listdir(os.path.join(b.md, ".Trash", "cur"))
        r.ok(name + ":later", status(lines)[-1:] == [b"+OK bye"] and
             trash == [sorted(MSGS)[1] + ":2,T"] and
             b.intact(gone=(sorted(MSGS)[1],)) == "", (lines, trash))
    finally:
        b.cleanup()


def case_trash_mkdir(r):
    case_trash_full(r, "mkdir", "mkdirat:1:ENOSPC")


def case_trash_rename(r):
    case_trash_full(r, "rename", "trash:1:ENOSPC")


def case_delivery(r):
    """Delivered after login (between two sessions' commands): the
    session's list is frozen, QUIT leaves the new mail in new/."""
    b = Box()
    try:
        env = {"HOME": b.home, "USER": "f", "PATH": "/usr/bin:/bin"}
        p = subprocess.Popen([POP3D, "-e", "-m",
                              "Maildir"], cwd=b.home, env=env,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, **AS_MAIL)
        first = p.stdout.readline()
        b.put("new/1600000009.M9P9.late", b"Subject: late\n\nhi\n",
              1600000009)
        out, _ = p.communicate(b"STAT\r\nDELE 1\r\nQUIT\r\n", timeout=30)
        lines = [first.rstrip(b"\r\n")] + out.split(b"\r\n")[:-1]
        r.ok("session:delivery:frozen", lines[0].startswith(
            b"+OK maildrop has 4 ") and lines[1].startswith(b"+OK 4 ")
             and lines[-1] == b"+OK bye", lines)
        r.ok("session:delivery:left-in-new", "new/1600000009.M9P9.late"
             in b.files(), sorted(b.files()))
        r.ok("session:delivery:nothing-lost",
             b.intact(gone=(sorted(MSGS)[0],)) == "", b.intact())
        r.ok("session:delivery:next-session", b.next_ok() == "",
             b.next_ok())
    finally:
        b.cleanup()


def case_renamed(r):
    b = Box()
    try:
        env = {"HOME": b.home, "USER": "f", "PATH": "/usr/bin:/bin"}
        p = subprocess.Popen([POP3D, "-e", "-m",
                              "Maildir"], cwd=b.home, env=env,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, **AS_MAIL)
        first = p.stdout.readline()
        u = sorted(MSGS)[0]     # message 1, in new/
        os.rename(os.path.join(b.md, "new", u),
                  os.path.join(b.md, "cur", u + ":2,S"))
        out, _ = p.communicate(b"RETR 1\r\nDELE 1\r\nQUIT\r\n", timeout=30)
        lines = [first.rstrip(b"\r\n")] + out.split(b"\r\n")[:-1]
        st = status(lines)
        # RETR follows it too, by the same unique name and inode.
        r.ok("session:renamed:answers", len(st) == 4 and st[1] ==
             b"+OK %d octets" % len(itlib.wire(MSGS[u])) and
             st[3] == b"+OK bye", st)
        # DELE is found by unique name and inode under the new name
        # (pop3d(8), UPDATE): the message goes, nothing else does.
        r.ok("session:renamed:deleted", not any(
            f.split("/", 1)[1].startswith(u) for f in b.files()),
             sorted(b.files()))
        r.ok("session:renamed:nothing-lost", b.intact(gone=(u,)) == "",
             b.intact(gone=(u,)))
        r.ok("session:renamed:next-session", b.next_ok() == "",
             b.next_ok())
    finally:
        b.cleanup()


def cache_case(r, name, plant):
    b = Box()
    try:
        # A first session writes a good cache; then it is replaced.
        b.run(b"QUIT\r\n")
        cache = os.path.join(b.md, "pop3d.sizes")
        r.ok("cache:%s:was-written" % name, os.path.isfile(cache))
        os.unlink(cache)
        check = plant(b, cache)
        lines, log = b.run(b"LIST\r\nQUIT\r\n", timeout=20)
        r.ok("cache:%s:session" % name, lines[:1] and lines[0].startswith(
            b"+OK maildrop has 4 ") and lines[-1:] == [b"+OK bye"], lines)
        r.ok("cache:%s:nothing-lost" % name, b.intact() == "", b.intact())
        r.ok("cache:%s:next-session" % name, b.next_ok() == "",
             b.next_ok())
        if check:
            r.ok("cache:%s:%s" % (name, check.__doc__), check(), "")
    finally:
        b.cleanup()


def plant_garbage(b, cache):
    with open(cache, "wb") as f:
        f.write(b"pop3dsz2" + os.urandom(200))
    b.own()

    def rebuilt():
        """rebuilt"""
        with open(cache, "rb") as f:
            return f.read(8) == b"pop3dsz2" and os.path.getsize(cache) != 208
    return rebuilt


def plant_symlink(b, cache):
    victim = os.path.join(b.home, "victim")
    with open(victim, "wb") as f:
        f.write(b"not a cache\n")
    os.symlink(victim, cache)
    b.own()

    def untouched():
        """target-untouched"""
        with open(victim, "rb") as f:
            return f.read() == b"not a cache\n" and not os.path.islink(cache)
    return untouched


def plant_fifo(b, cache):
    os.mkfifo(cache)
    b.own()
    return None


def plant_other_owner(b, cache):
    # Written by someone else: the same bytes, but not ours.
    with open(cache, "wb") as f:
        f.write(b"pop3dsz2")
    os.chown(cache, 0, 0)
    os.chmod(cache, 0o644)

    def replaced():
        """replaced-by-ours"""
        return os.stat(cache).st_uid == itlib.MAILUID
    return replaced


def main():
    r = itlib.Results()
    have_shim = os.path.exists(SHIM)
    for case in (case_cur_readonly, case_unlink_eio, case_rename_eio,
                 case_cache_enospc, case_trash_mkdir, case_trash_rename,
                 case_delivery, case_renamed):
        if case in (case_unlink_eio, case_rename_eio, case_cache_enospc,
                    case_trash_mkdir, case_trash_rename) and not have_shim:
            r.skip(case.__name__, "tests/faultshim.so not built")
            continue
        try:
            case(r)
        except Exception as e:
            r.ok(case.__name__ + ":unexpected-error", False, repr(e))
    for name, plant in (("garbage", plant_garbage),
                        ("symlink", plant_symlink), ("fifo", plant_fifo),
                        ("other-owner", plant_other_owner)):
        if name == "other-owner" and not itlib.ROOT:
            r.skip("cache:other-owner", "needs root to chown")
            continue
        try:
            cache_case(r, name, plant)
        except Exception as e:
            r.ok("cache:%s:unexpected-error" % name, False, repr(e))
    return 1 if r.failed else 0


if __name__ == "__main__":
    sys.exit(main())
