#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""The maildrop is free once QUIT's +OK has left (DESIGN.md, UPDATE).

  quitlock:sigstop   the old back end is stopped (SIGSTOP) the moment
                     its "+OK bye" arrives, and a new session starts at
                     once: it must get "+OK maildrop has ...", 100
                     times in a row.  Then the old one goes on, writing
                     its size cache while the new one writes its own.
  quitlock:cache-write  the same, with the old back end stopped by
                     strace on entry to renameat(2), which only the
                     size cache write makes, after the reply (the call
                     is skipped, so it stays stopped there): the
                     cache write must not hold the lock.
  quitlock:cache     after all that, the next session's LIST agrees
                     with the files; the temporary cache files of the
                     writers killed above, once an hour old, are
                     removed by the next cache write, a younger one
                     is not.

The back end runs directly (pop3d -m), as an unprivileged user, from a
scratch directory under the system's temporary directory."""
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itlib  # noqa: E402

ROUNDS = 100
NMSG = 300
POP3D = os.environ.get("POP3D_QL_BIN", os.path.join(itlib.TOP, "pop3d"))


def demote():
    """As root, runs this script again as the mail user (the back end
    refuses uid 0), from copies it can reach."""
    d = tempfile.mkdtemp(prefix="pop3d-ql.")
    os.chmod(d, 0o755)
    for f in (os.path.join(itlib.TOP, "pop3d"), __file__,
              os.path.join(itlib.TOP, "tests", "itlib.py")):
        shutil.copy(f, d)
    env = dict(os.environ, POP3D_QL_BIN=os.path.join(d, "pop3d"))
    try:
        return subprocess.run(
            ["setpriv", "--reuid=%d" % itlib.MAILUID,
             "--regid=%d" % itlib.MAILGID, "--clear-groups", "--",
             sys.executable, os.path.join(d, os.path.basename(__file__))],
            env=env, cwd=d, stdin=subprocess.DEVNULL).returncode
    finally:
        shutil.rmtree(d, ignore_errors=True)


def start(home, wrap=()):
    env = {"HOME": home, "USER": "ql", "PATH": "/usr/bin:/bin"}
    for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS"):
        if k in os.environ:
            env[k] = os.environ[k]
    return subprocess.Popen([*wrap, POP3D, "-e", "-m", "Maildir"], cwd=home,
                            env=env, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)


def read_until(proc, want, deadline):
    buf = b""
    fd = proc.stdout.fileno()
    while time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], 0.5)
        if not r:
            continue
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        buf += chunk
        if want in buf:
            break
    return buf


def child(pid):
    """strace's one child (the back end), or None."""
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            kids = f.read().split()
    except OSError:
        return None
    return int(kids[0]) if kids else None


def finish(proc, pids=()):
    for pid in (*pids, proc.pid):
        for sig in (signal.SIGCONT, signal.SIGKILL):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
    proc.wait(timeout=10)
    for f in (proc.stdin, proc.stdout):
        try:
            f.close()
        except OSError:
            pass


def one_round(home, n, wrap, resume):
    """Old session: RETR one message, DELE none, QUIT; stopped as its
    +OK arrives; a new session must log in.  '' or what went wrong."""
    end = time.monotonic() + 20
    old = start(home, wrap)
    new = None
    target = None
    try:
        greet = read_until(old, b"\r\n", end)
        if not greet.startswith(b"+OK maildrop has"):
            return "old login: %r" % greet[:80]
        # RETR changes a name (S flag): the cache is written after QUIT.
        old.stdin.write(b"RETR %d\r\nQUIT\r\n" % (n % NMSG + 1))
        old.stdin.flush()
        out = read_until(old, b"+OK bye\r\n", end)
        if not wrap:
            os.kill(old.pid, signal.SIGSTOP)
        if not out.endswith(b"+OK bye\r\n"):
            return "old QUIT: %r" % out[-80:]
        if wrap:
            # strace stops it on entry to exit_group: wait for that.
            target = child(old.pid)
            while target is not None and time.monotonic() < end:
                try:
                    with open("/proc/%d/stat" % target) as f:
                        st = f.read().rsplit(")", 1)[1].split()[0]
                except OSError:
                    return "the old back end ended before its stop"
                if st in "tT":
                    break
                time.sleep(0.005)
        new = start(home)
        greet = read_until(new, b"\r\n", end)
        if not greet.startswith(b"+OK maildrop has %d " % NMSG):
            return "new login after the old +OK: %r" % greet[:80]
        new.stdin.write(b"QUIT\r\n")
        new.stdin.flush()
        out = read_until(new, b"+OK bye\r\n", end)
        if not out.endswith(b"+OK bye\r\n"):
            return "new QUIT: %r" % out[-80:]
        if resume:
            # Let the old one write its cache beside the new one.
            os.kill(old.pid, signal.SIGCONT)
        return ""
    finally:
        if new is not None:
            new.wait(timeout=10)
            for f in (new.stdin, new.stdout):
                f.close()
        if resume and not wrap:
            try:
                old.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        finish(old, [target] if target else [])


def check_cache(home, sizes):
    """Leftovers of killed writers older than an hour go with the next
    cache write, a younger one (a writer still busy) stays; then LIST
    agrees with the files."""
    md = os.path.join(home, "Maildir")
    left = [f for f in os.listdir(md) if f.startswith("pop3d.sizes.tmp.")]
    old = time.time() - 7200
    for f in left:
        os.utime(os.path.join(md, f), (old, old))
    busy = os.path.join(md, "pop3d.sizes.tmp.999999999")
    with open(busy, "wb") as f:
        f.write(b"being written")
    try:
        os.unlink(os.path.join(md, "pop3d.sizes"))
    except FileNotFoundError:
        pass
    p = start(home)
    try:
        end = time.monotonic() + 20
        read_until(p, b"\r\n", end)
        p.stdin.write(b"LIST\r\nQUIT\r\n")
        p.stdin.flush()
        out = read_until(p, b"+OK bye\r\n", end)
        p.wait(timeout=10)
    finally:
        finish(p)
    lines = out.split(b"\r\n")[1:-3]
    if lines != [b"%d %d" % (i + 1, s) for i, s in enumerate(sizes)]:
        return "LIST differs from the files: %r" % lines[:4]
    now = [f for f in os.listdir(md) if f.startswith("pop3d.sizes.tmp")]
    if now != [os.path.basename(busy)]:
        return "temporary cache files %s before, %s after" % (left, now)
    if not os.path.exists(os.path.join(md, "pop3d.sizes")):
        return "no size cache was written"
    return ""


def main():
    if os.geteuid() == 0:
        return demote()
    r = itlib.Results()
    home = tempfile.mkdtemp(prefix="pop3d-ql-home.")
    os.chmod(home, 0o755)
    try:
        md = os.path.join(home, "Maildir")
        for sub in ("new", "cur", "tmp"):
            os.makedirs(os.path.join(md, sub))
        sizes = []
        for i in range(NMSG):
            body = b"Subject: %d\n\n" % i + b"line\n" * (i % 13)
            p = os.path.join(md, "new", "%d.M%dP%d.ql" % (1600000000 + i,
                                                         i, i))
            with open(p, "wb") as f:
                f.write(body)
            os.utime(p, (1600000000 + i,) * 2)
            sizes.append(len(body) + body.count(b"\n"))
        why = ""
        done = 0
        for n in range(ROUNDS):
            why = one_round(home, n, (), n % 10 == 0)
            if why:
                break
            done += 1
        r.ok("quitlock:sigstop (%d rounds)" % done, not why, why)
        strace = shutil.which("strace")
        if strace is None:
            r.skip("quitlock:cache-write", "no strace")
        else:
            wrap = (strace, "-qq", "-o", "/dev/null", "-e",
                    "trace=renameat", "-e",
                    "inject=renameat:error=ENOSYS:signal=STOP")
            why = ""
            done = 0
            for n in range(ROUNDS, ROUNDS + 10):
                # No cache: the old session writes one after QUIT.
                try:
                    os.unlink(os.path.join(md, "pop3d.sizes"))
                except FileNotFoundError:
                    pass
                why = one_round(home, n, wrap, False)
                if why:
                    break
                done += 1
            r.ok("quitlock:cache-write (%d rounds)" % done, not why, why)
        why = check_cache(home, sizes)
        r.ok("quitlock:cache", not why, why)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return 1 if r.failed else 0


if __name__ == "__main__":
    sys.exit(main())
