# SPDX-License-Identifier: ISC
"""kill -9 of the back end (pop3d -m) at random moments, during RETR
and during QUIT (the UPDATE state: unlinks, renames, the size cache
write).  After every kill:

  - every message not marked by DELE is there, byte for byte, once:
    never in both new/ and cur/, never truncated, nothing new;
  - a marked message is there whole or not at all, and once the QUIT
    reply was read it is gone and every other message is in cur/;
  - the next session logs in at once (the lock died with the process),
    and its LIST and RETR agree with the files on disk (a size cache
    cut off mid-write is never believed).

With -K (the trash, doc/trash.md) a sweep kills the back end at every
system call it makes from the read that brings QUIT on, one trial per
call, listed by a first run under strace: then nothing is ever lost
(each message is in new/, cur/ or .Trash/cur, once and whole, only a
marked one in the trash, with the T flag), and a later QUIT with -K
completes a .Trash folder the kill left half made.

The back end runs directly, as an unprivileged user, with no front
end: this is about the Maildir, not the login.  The trials are drawn
from one seed, printed first; POP3D_KILL_SEED=N replays a run and
POP3D_KILL_TRIALS=N changes how many there are of each kind."""
import os
import random
import select
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itlib  # noqa: E402

TRIALS = int(os.environ.get("POP3D_KILL_TRIALS", "100"))
SEED = int(os.environ.get("POP3D_KILL_SEED", "20261201"))
# Enough messages that UPDATE takes a while; a few large ones for RETR.
SMALL = 40
# Where the QUIT kills landed: nothing done yet, part done, all done.
STATS = {"before": 0, "inside": 0, "after": 0, "strace": 0}
STRACE = shutil.which("strace")
NEW_BEFORE = [[]]


def wire(data, memo={}):
    """itlib.wire, for large messages: the same rule, at C speed."""
    if data not in memo:
        w = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        memo[data] = w + b"\r\n" if data and not data.endswith(b"\n") \
            else w
    return memo[data]


# The binary under test; a copy the mail user can reach, as root.
POP3D = os.environ.get("POP3D_KILL_BIN", os.path.join(itlib.TOP, "pop3d"))


def demote():
    """As root, runs this script again as the mail user (the back end
    refuses uid 0), from copies it can read: spawning the back end
    needs no set-uid step then, and each trial costs less."""
    d = itlib.scratch_dir("pop3d-killbin.")
    for f in (os.path.join(itlib.TOP, "pop3d"), __file__,
              os.path.join(itlib.TOP, "tests", "itlib.py")):
        shutil.copy(f, d)
    env = dict(os.environ, POP3D_KILL_BIN=os.path.join(d, "pop3d"))
    try:
        return subprocess.run(
            ["setpriv", "--reuid=%d" % itlib.MAILUID,
             "--regid=%d" % itlib.MAILGID, "--clear-groups", "--",
             sys.executable, os.path.join(d, "it_kill.py")],
            env=env, cwd=d, stdin=subprocess.DEVNULL).returncode
    finally:
        shutil.rmtree(d, ignore_errors=True)


def uniq(name):
    return name.split(":", 1)[0]


class Box:
    """A Maildir of known messages in a scratch home."""

    def __init__(self, rng):
        self.home = itlib.scratch_dir("pop3d-kill.")
        self.md = os.path.join(self.home, "Maildir")
        self.msgs = {}          # unique name -> contents
        for sub in ("new", "cur", "tmp"):
            os.makedirs(os.path.join(self.md, sub))
        t = 1600000000
        for i in range(SMALL + 3):
            u = "%d.M%dP%d.kill" % (t + i, i, i)
            if i < SMALL:
                body = b"Subject: %d\n\n" % i + b".dot\nline\n" * (i % 7)
            else:
                body = b"Subject: big\n\n" + bytes(
                    rng.choice(b"ab.\r\n") for _ in range(1 << 12)) * 24
            sub, name = ("new", u) if i % 3 else ("cur", u + ":2,S")
            p = os.path.join(self.md, sub, name)
            with open(p, "wb") as f:
                f.write(body)
            os.utime(p, (t + i, t + i))
            self.msgs[u] = body
        self.order = sorted(self.msgs)  # mtime order is name order here

    def start(self, wrap=(), opts=()):
        env = {"HOME": self.home, "USER": "kill", "PATH": "/usr/bin:/bin"}
        for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS"):
            if k in os.environ:
                env[k] = os.environ[k]
        return subprocess.Popen([*wrap, POP3D, "-e", *opts, "-m", "Maildir"],
                                cwd=self.home, env=env,
                                stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL)

    def state(self):
        """unique name -> list of (sub/name, contents)."""
        got = {}
        for sub in ("new", "cur"):
            d = os.path.join(self.md, sub)
            for n in os.listdir(d):
                with open(os.path.join(d, n), "rb") as f:
                    got.setdefault(uniq(n), []).append((sub + "/" + n,
                                                         f.read()))
        return got

    def trash(self):
        """unique name -> list of (name, contents) in .Trash/cur."""
        got = {}
        d = os.path.join(self.md, ".Trash", "cur")
        if os.path.isdir(d):
            for n in os.listdir(d):
                with open(os.path.join(d, n), "rb") as f:
                    got.setdefault(uniq(n), []).append((n, f.read()))
        return got

    def cleanup(self):
        shutil.rmtree(self.home, ignore_errors=True)


def read_until(proc, want, limit, deadline):
    """Reads proc's stdout until `want` bytes in all (or EOF, or
    deadline); returns what was read."""
    buf = b""
    fd = proc.stdout.fileno()
    while len(buf) < limit and time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], 1.0)
        if not r:
            continue
        chunk = os.read(fd, min(65536, limit - len(buf)))
        if not chunk:
            break
        buf += chunk
        if want is not None and want in buf:
            break
    return buf


def kill(proc):
    try:
        proc.kill()
    except ProcessLookupError:
        pass
    proc.wait(timeout=10)
    for f in (proc.stdin, proc.stdout):
        try:
            f.close()
        except OSError:
            pass


def check_disk(box, marked, quit_done):
    """The rules after a kill; '' or what broke."""
    got = box.state()
    extra = sorted(set(got) - set(box.msgs))
    if extra:
        return "files that were never delivered: %s" % extra[:3]
    for u, body in box.msgs.items():
        have = got.get(u, [])
        if len(have) > 1:
            return "%s is there %d times: %s" % (u, len(have),
                                                 [h[0] for h in have])
        if have and have[0][1] != body:
            return "%s changed: %d of %d bytes" % (u, len(have[0][1]),
                                                    len(body))
        if not have and u not in marked:
            return "%s lost" % u
        if quit_done and u in marked and have:
            return "%s survived its DELE and QUIT" % u
        if quit_done and have and not have[0][0].startswith("cur/"):
            return "%s not moved to cur/ by QUIT" % u
    return ""


def check_next(box):
    """The next session: at once, and LIST/RETR agree with the disk."""
    got = box.state()
    live = sorted(got, key=lambda u: box.order.index(u))
    proc = box.start()
    try:
        end = time.monotonic() + 30
        greet = read_until(proc, b"\r\n", 4096, end)
        if not greet.startswith(b"+OK maildrop has %d " % len(live)):
            return "next login: %r" % greet[:80]
        proc.stdin.write(b"LIST\r\n")
        proc.stdin.flush()
        out = read_until(proc, b"\r\n.\r\n", 1 << 20, end)
        lines = out.split(b"\r\n")[1:-2]
        want = [b"%d %d" % (i + 1, len(wire(box.msgs[u])))
                for i, u in enumerate(live)]
        if lines != want:
            bad = [(a, b) for a, b in zip(lines, want) if a != b]
            return "next LIST differs from the files: %s" % bad[:3]
        small = [i for i, u in enumerate(live) if len(box.msgs[u]) < 4096]
        if small:
            n = small[-1] + 1
            proc.stdin.write(b"RETR %d\r\nQUIT\r\n" % n)
            proc.stdin.flush()
            out = read_until(proc, b"+OK bye", 1 << 22, end)
            body = wire(box.msgs[live[n - 1]])
            stuffed = b"\n".join(
                (b"." + l if l.startswith(b".") else l)
                for l in body.split(b"\n"))
            if not out.startswith(b"+OK") or \
                    out.split(b"\r\n", 1)[1] != stuffed + b".\r\n+OK bye\r\n":
                return "next RETR %d differs from the file" % n
        return ""
    finally:
        kill(proc)


def trial_strace(rng, box, wrap):
    """A whole session piped in at once, under strace, which kills it at
    the k-th call of one system call (or never, if there are fewer)."""
    now = box.state()
    live = sorted(now, key=lambda u: box.order.index(u))
    n = len(live)
    dele = rng.sample(range(n), rng.randrange(n // 2 + 1))
    marked = {live[i] for i in dele}
    cmds = b"".join(b"DELE %d\r\n" % (i + 1) for i in dele)
    for i in rng.sample(range(n), min(n, 3)):
        if live[i] not in marked and len(box.msgs[live[i]]) < 4096:
            cmds += b"RETR %d\r\n" % (i + 1)
    proc = box.start(wrap)
    try:
        out, _ = proc.communicate(cmds + b"QUIT\r\n", timeout=30)
    except subprocess.TimeoutExpired:
        kill(proc)
        return "no end under strace"
    STATS["strace"] += 1
    quit_done = out.endswith(b"+OK bye\r\n")
    why = check_disk(box, marked, quit_done) or check_next(box)
    got = box.state()
    box.msgs = {u: b for u, b in box.msgs.items() if u in got}
    return why


def trial(rng, box, kind):
    """One session killed somewhere; '' or what broke."""
    n = len(box.state())
    wrap = ()
    if kind == "quit" and STRACE and rng.random() < 0.5:
        # SIGKILL on entry to the k-th call of one of the system calls
        # UPDATE makes: an exact point, not a race.
        call, most = rng.choice([("unlinkat", 40), ("renameat2", 90),
                                 ("renameat", 1), ("pwrite64", 1),
                                 ("openat", 8), ("write", 6),
                                 ("linkat", 2)])
        k = rng.randrange(1, most + 1)
        wrap = (STRACE, "-qq", "-o", "/dev/null", "-e", "trace=" + call,
                "-e", "inject=%s:signal=KILL:when=%d" % (call, k))
    if wrap:
        return trial_strace(rng, box, wrap)
    proc = box.start(wrap)
    end = time.monotonic() + 30
    greet = read_until(proc, b"\r\n", 4096, end)
    if not greet.startswith(b"+OK"):
        kill(proc)
        return "login: %r" % greet[:80]
    now = box.state()
    live = sorted(now, key=lambda u: box.order.index(u))
    proc.stdin.write(b"UIDL\r\n")
    proc.stdin.flush()
    out = read_until(proc, b"\r\n.\r\n", 1 << 20, end)
    uidl = [l.split(b" ", 1)[1].decode() for l in out.split(b"\r\n")[1:-2]]
    if uidl != live:
        kill(proc)
        return "UIDL order %s, want %s" % (
            [(i, a, b) for i, (a, b) in enumerate(zip(uidl, live))
             if a != b][:2], len(live))
    NEW_BEFORE[0] = [u for u in now if now[u][0][0].startswith("new/")]
    marked = set()
    quit_done = False
    if kind == "retr":
        # Some DELEs (never committed), then RETR of a large message,
        # killed after a random number of its bytes.
        cmds = b""
        for i in rng.sample(range(n), min(n, rng.randrange(4))):
            cmds += b"DELE %d\r\n" % (i + 1)
        big = [i for i, u in enumerate(live) if len(box.msgs[u]) > 4096]
        k = rng.choice(big)
        cmds += b"RSET\r\nRETR %d\r\n" % (k + 1)
        proc.stdin.write(cmds)
        proc.stdin.flush()
        # Somewhere in the body: never waits for bytes that do not come.
        size = len(wire(box.msgs[live[k]]))
        read_until(proc, None, rng.randrange(1, size), end)
    else:
        # DELE a random subset, RETR a few (so S flags change names),
        # then QUIT and a kill after a random pause, sometimes none.
        dele = rng.sample(range(n), rng.randrange(n // 2 + 1))
        marked = {live[i] for i in dele}
        cmds = b"".join(b"DELE %d\r\n" % (i + 1) for i in dele)
        for i in rng.sample(range(n), min(n, 3)):
            if live[i] not in marked and len(box.msgs[live[i]]) < 4096:
                cmds += b"RETR %d\r\n" % (i + 1)
        # A command that fails with a text no other reply has, so we
        # know every earlier reply is in before QUIT goes out.
        proc.stdin.write(cmds + b"LIST 999999\r\n")
        proc.stdin.flush()
        read_until(proc, b"-ERR no such message\r\n", 1 << 22, end)
        proc.stdin.write(b"QUIT\r\n")
        proc.stdin.flush()
        pause = rng.choice([None, 0, 0, rng.random() * 0.002,
                            rng.random() * 0.004, rng.random() * 0.02])
        if pause is None:
            # Sometimes no kill until the reply: then all of it holds.
            quit_done = read_until(proc, b"+OK bye\r\n", 4096,
                                   end).endswith(b"+OK bye\r\n")
            if not quit_done:
                kill(proc)
                return "no +OK bye to QUIT"
        elif pause:
            time.sleep(pause)
    kill(proc)
    if kind == "quit":
        got = box.state()
        left = marked & set(got)
        innew = [u for u in got if got[u][0][0].startswith("new/")]
        if left != marked or len(innew) != len(NEW_BEFORE[0]):
            if left or innew:
                STATS["inside"] += 1
            else:
                STATS["after"] += 1
        else:
            STATS["before"] += 1
    why = check_disk(box, marked, quit_done) or check_next(box)
    # What is gone was marked (checked): later trials expect the rest.
    got = box.state()
    box.msgs = {u: b for u, b in box.msgs.items() if u in got}
    return why


TRASH_OPTS = ("-K", "7")


def trash_script(box):
    """The same session every time: every other message DELE'd, two
    RETRs, then QUIT."""
    live = box.order
    marked = {live[i] for i in range(0, len(live), 2)}
    cmds = b"".join(b"DELE %d\r\n" % (i + 1)
                    for i in range(0, len(live), 2))
    cmds += b"RETR 2\r\nRETR 4\r\nQUIT\r\n"
    return cmds, marked


def check_trash(box, marked, quit_done):
    """With -K nothing is ever lost: every message is in new/, cur/ or
    .Trash/cur, once, whole; only a marked one may be in the trash,
    and after the QUIT reply every marked one is."""
    inbox, trash = box.state(), box.trash()
    for u, body in box.msgs.items():
        have = inbox.get(u, []) + [("trash/" + n, b)
                                   for n, b in trash.get(u, [])]
        if len(have) != 1:
            return "%s is there %d times: %s" % (u, len(have),
                                                 [h[0] for h in have])
        if have[0][1] != body:
            return "%s changed" % u
        where = have[0][0]
        if where.startswith("trash/"):
            if u not in marked:
                return "%s trashed without a DELE" % u
            flags = where.split(":2,", 1)[1] if ":2," in where else ""
            if "T" not in flags:
                return "%s in the trash without T: %s" % (u, where)
        elif quit_done and u in marked:
            return "%s survived its DELE and QUIT" % u
    extra = sorted((set(inbox) | set(trash)) - set(box.msgs))
    if extra:
        return "files that were never delivered: %s" % extra[:3]
    return ""


def check_complete(box):
    """A later QUIT with -K finishes whatever the kill left half made."""
    proc = box.start((), TRASH_OPTS)
    try:
        out, _ = proc.communicate(b"DELE 1\r\nQUIT\r\n", timeout=30)
    except subprocess.TimeoutExpired:
        kill(proc)
        return "no end"
    if not out.endswith(b"+OK bye\r\n"):
        return "next QUIT with -K: %r" % out[-80:]
    t = os.path.join(box.md, ".Trash")
    for sub in ("cur", "new", "tmp", "maildirfolder"):
        if not os.path.exists(os.path.join(t, sub)):
            return ".Trash/%s missing after a whole QUIT" % sub
    return ""


def sweep_trash(r):
    """kill -9 at every system call the back end makes after the read
    that brings QUIT (the whole script comes at once, so the RETRs'
    calls are among them), with -K on and no .Trash yet: the calls are
    listed by a first run under strace, then each is killed as the
    k-th call of its name."""
    if not STRACE:
        r.skip("kill:trash", "no strace")
        return
    rng = random.Random(SEED)
    box = Box(rng)
    log = os.path.join(box.home, "strace.log")
    cmds, marked = trash_script(box)
    proc = box.start((STRACE, "-qq", "-s", "4096", "-o", log, "-e",
                      "trace=all", "-e", "signal=none"), TRASH_OPTS)
    out, _ = proc.communicate(cmds, timeout=30)
    calls = []
    seen = {}
    after = False
    with open(log) as f:
        for line in f:
            name = line.split("(", 1)[0].strip()
            if not name or not name[0].isalpha():
                continue
            seen[name] = seen.get(name, 0) + 1
            if after and name not in ("exit_group",):
                calls.append((name, seen[name]))
            if name == "read" and "QUIT" in line:
                after = True
    box.cleanup()
    failed = ""
    done = 0
    if not out.endswith(b"+OK bye\r\n") or not calls:
        failed = "the first run: %r, %d calls" % (out[-40:], len(calls))
    for name, k in calls if not failed else ():
        box = Box(random.Random(SEED))
        try:
            wrap = (STRACE, "-qq", "-o", "/dev/null", "-e", "trace=" + name,
                    "-e", "inject=%s:signal=KILL:when=%d" % (name, k))
            proc = box.start(wrap, TRASH_OPTS)
            try:
                out, _ = proc.communicate(cmds, timeout=30)
            except subprocess.TimeoutExpired:
                kill(proc)
                failed = "%s #%d: no end under strace" % (name, k)
                break
            quit_done = out.endswith(b"+OK bye\r\n")
            why = check_trash(box, marked, quit_done) or check_next(box)
            if not why:
                box.msgs = {u: b for u, b in box.msgs.items()
                            if u in box.state()}
                why = check_complete(box)
            if why:
                failed = "kill at %s #%d: %s" % (name, k, why)
                break
            done += 1
        finally:
            box.cleanup()
    names = sorted({n for n, _ in calls})
    r.ok("kill:trash (%d system calls from QUIT on: %s)" % (done,
         " ".join(names)), not failed, failed)


def main():
    if os.geteuid() == 0:
        return demote()
    r = itlib.Results()
    print("# it_kill: seed %d, %d trials of each kind "
          "(POP3D_KILL_SEED=%d replays)" % (SEED, TRIALS, SEED), flush=True)
    for kind in ("retr", "quit"):
        rng = random.Random("%d:%s" % (SEED, kind))
        box = Box(rng)
        failed = ""
        done = 0
        try:
            for t in range(TRIALS):
                # A fresh Maildir when QUIT has emptied it enough.
                if t % 10 == 9 or len(box.state()) < SMALL // 3:
                    box.cleanup()
                    box = Box(rng)
                failed = trial(rng, box, kind)
                done += 1
                if failed:
                    failed = "trial %d: %s" % (t, failed)
                    break
        except Exception as e:  # a hang or a crash of the test itself
            failed = "trial %d: %r" % (done, e)
        finally:
            box.cleanup()
        r.ok("kill:%s (%d trials, seed %d)" % (kind, done, SEED),
             not failed, failed)
    sweep_trash(r)
    print("# it_kill: QUIT kills before UPDATE began %(before)d, inside "
          "it %(inside)d, after it %(after)d; %(strace)d of them at a "
          "system call by strace" % STATS, flush=True)
    return 1 if r.failed else 0


if __name__ == "__main__":
    sys.exit(main())
