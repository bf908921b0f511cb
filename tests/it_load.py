# SPDX-License-Identifier: ISC
"""Load through tcpserver on loopback: the whole chain (pop3d,
pop3d-checkpw -f PASSWD, pop3d -m Maildir) for many users at once.

  load:sessions      200 clients at once, 500 sessions in all (5,000
                     with POP3D_LOAD_SESSIONS=5000), for
                     200 users each with their own Maildir: log in,
                     UIDL, RETR two messages (bytes checked), DELE one,
                     QUIT.  Every reply must be the expected one.
  load:final-state   afterwards every Maildir holds exactly the
                     messages no client DELEted, all in cur/, unchanged
  load:slow-clients  meanwhile 200 more clients connect and then say
                     nothing or send one byte every second: all are
                     disconnected by the deadlines (-t, and -A where
                     pop3d has it) while the others are served

Passwords are sha512-crypt with 1,000 rounds: the cost of yescrypt is
not what is measured here.  The figures (sessions/s, latency, peak RSS
per process) are printed as a "# bench:" line, never asserted.
POP3D_LOAD_SESSIONS, POP3D_LOAD_USERS and POP3D_LOAD_CONCURRENCY
change the size."""
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itlib  # noqa: E402

SESSIONS = int(os.environ.get("POP3D_LOAD_SESSIONS", "500"))
USERS = int(os.environ.get("POP3D_LOAD_USERS", "200"))
CONC = int(os.environ.get("POP3D_LOAD_CONCURRENCY", "200"))
SLOW = int(os.environ.get("POP3D_LOAD_SLOW", "200"))
# Per user: each session deletes one, and a few are left at the end.
MSGS = -(-SESSIONS // USERS) + 5
TIMEOUT = 5             # pop3d -t: seconds allowed for one command
AUTHDEADLINE = 15       # pop3d -A, where it exists
SEED = 9


def hash_password(pw, salt):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            import crypt
            h = crypt.crypt(pw, "$6$rounds=1000$%s$" % salt)
            if h and h.startswith("$6$"):
                return h
        except ImportError:
            pass
    return subprocess.run(["openssl", "passwd", "-6", "-salt", salt, pw],
                          check=True, capture_output=True,
                          text=True).stdout.strip()


def has_option(letter):
    """True if pop3d(8) documents -LETTER (options land with their
    manual entry)."""
    with open(os.path.join(itlib.TOP, "pop3d.8")) as f:
        return re.search(r"^\.It Fl %s\b" % letter, f.read(), re.M) \
            is not None


class Peak:
    """Samples VmHWM of every pop3d process, front ends and back
    ends apart, while the load runs."""

    def __init__(self):
        self.front = self.back = 0
        self.stop = threading.Event()
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def run(self):
        while not self.stop.wait(float(os.environ.get("POP3D_LOAD_SAMPLE", "0.1"))):
            for pid in os.listdir("/proc"):
                if not pid.isdigit():
                    continue
                try:
                    with open("/proc/%s/cmdline" % pid, "rb") as f:
                        argv = f.read().split(b"\0")
                    if not argv[0].endswith(b"/pop3d"):
                        continue
                    with open("/proc/%s/status" % pid) as f:
                        m = re.search(r"VmHWM:\s+(\d+)", f.read())
                except OSError:
                    continue
                if m:
                    kb = int(m.group(1))
                    if argv[1:2] == [b"-m"]:
                        self.back = max(self.back, kb)
                    else:
                        self.front = max(self.front, kb)

    def done(self):
        self.stop.set()
        self.t.join(timeout=5)


class Client:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.f = self.s.makefile("rb")

    def line(self):
        l = self.f.readline(4096)
        if not l.endswith(b"\r\n"):
            raise EOFError("connection closed: %r" % l)
        return l[:-2]

    def cmd(self, c, want=b"+OK"):
        self.s.sendall(c + b"\r\n")
        l = self.line()
        if not l.startswith(want):
            raise ValueError("%s: %r" % (c.decode(), l))
        return l

    def multi(self):
        out = []
        while True:
            l = self.line()
            if l == b".":
                return out
            out.append(l[1:] if l.startswith(b".") else l)

    def close(self):
        self.f.close()
        self.s.close()


def session(port, user, box, rng):
    """One session, pipelined (RFC 2449) after the greeting, as a
    client that knows what it wants sends it; returns the unique name
    it deleted."""
    c = Client(port)
    try:
        c.line()
        retr = rng.sample(range(len(box)), 2)
        k = rng.randrange(len(box))
        c.s.sendall(b"USER %s\r\nPASS pw-%s\r\nUIDL\r\n" % (
            user.encode(), user.encode()) + b"".join(
                b"RETR %d\r\n" % (i + 1) for i in retr) +
            b"DELE %d\r\nQUIT\r\n" % (k + 1))
        for want in (b"+OK", b"+OK maildrop has %d " % len(box), b"+OK"):
            l = c.line()
            if not l.startswith(want):
                raise ValueError("%r, want %r" % (l, want))
        uidl = [l.split(b" ", 1)[1].decode() for l in c.multi()]
        if uidl != box:
            raise ValueError("UIDL %s, want %s" % (uidl[:3], box[:3]))
        for i in retr:
            l = c.line()
            if not l.startswith(b"+OK"):
                raise ValueError("RETR %d: %r" % (i + 1, l))
            got = b"".join(l + b"\r\n" for l in c.multi())
            if got != itlib.wire(body(box[i])):
                raise ValueError("RETR %d: wrong bytes" % (i + 1))
        for want in (b"+OK", b"+OK bye"):
            l = c.line()
            if not l.startswith(want):
                raise ValueError("%r, want %r" % (l, want))
        return box[k]
    finally:
        c.close()


def body(u):
    return b"Subject: %s\n\n.%s\nline two\n" % (u.encode(), u.encode())


def slow_client(port, kind, out, i):
    """Connects and stalls; records how it ended."""
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=60)
    except OSError as e:
        out[i] = "connect: %r" % e
        return
    t0 = time.monotonic()
    try:
        s.settimeout(2)
        data = b""
        for n in range(60):
            try:
                chunk = s.recv(4096)
                if not chunk:
                    out[i] = "closed"
                    return
                data += chunk
            except socket.timeout:
                pass
            except ConnectionResetError:
                out[i] = "closed"
                return
            if kind == "trickle":
                try:
                    s.sendall(b"USER slow\r\n"[n % 11:n % 11 + 1])
                except OSError:
                    out[i] = "closed"
                    return
            if time.monotonic() - t0 > 90:
                break
        out[i] = "still open after %.0fs" % (time.monotonic() - t0)
    finally:
        s.close()


def main():
    r = itlib.Results()
    if itlib.have("tcpserver"):
        r.skip("load", "tcpserver (ucspi-tcp) is not installed")
        return 0
    sc = itlib.Scratch(messages={})
    srv = None
    try:
        names = {}
        lines = []
        for n in range(USERS):
            user = "u%03d" % n
            home = os.path.join(sc.dir, "home", user)
            md = os.path.join(home, "Maildir")
            for sub in ("new", "cur", "tmp"):
                os.makedirs(os.path.join(md, sub))
            box = []
            for m in range(MSGS):
                u = "%d.M%dP%d.%s" % (1600000000 + m, m, n, user)
                p = os.path.join(md, "new" if m % 2 else "cur",
                                 u if m % 2 else u + ":2,")
                with open(p, "wb") as f:
                    f.write(body(u))
                os.utime(p, (1600000000 + m,) * 2)
                box.append(u)
            names[user] = box
            lines.append("%s:{CRYPT}%s:%d:%d::%s::\n" % (
                user, hash_password("pw-" + user, "s%03d" % n),
                itlib.MAILUID, itlib.MAILGID, home))
        with open(sc.passwd, "w") as f:
            f.writelines(lines)
        sc.chown()

        front = ["-d", "0", "-p", "loopback", "-t", str(TIMEOUT)]
        deadline = has_option("A")
        if deadline:
            front += ["-A", str(AUTHDEADLINE)]
        port = itlib.free_port()
        logf = open(sc.log, "ab")
        srv = subprocess.Popen(
            ["tcpserver", "-q", "-R", "-H", "-l", "localhost", "-c",
             str(CONC + SLOW + 50), "-b", "512", "127.0.0.1", str(port),
             *sc.command(front=tuple(front))],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=logf, start_new_session=True)
        if not itlib.wait_port(port, srv):
            r.ok("load:server-starts", False)
            return 1

        # The slow clients first, so they hold their slots throughout.
        slow = [None] * SLOW
        sthreads = [threading.Thread(
            target=slow_client, args=(port, "silent" if i % 2 else
                                      "trickle", slow, i), daemon=True)
            for i in range(SLOW)]
        for t in sthreads:
            t.start()

        peak = Peak()
        lock = threading.Lock()
        errors, lat, deleted = [], [], {u: [] for u in names}
        per_user = [SESSIONS // USERS + (1 if i < SESSIONS % USERS else 0)
                    for i in range(USERS)]
        users = sorted(names)

        def worker(w):
            rng = random.Random("%d:%d" % (SEED, w))
            # Worker w serves users w, w + CONC, ...: a user's sessions
            # never overlap, so none is refused as IN-USE.
            for ui in range(w, USERS, CONC):
                user = users[ui]
                for _ in range(per_user[ui]):
                    t0 = time.monotonic()
                    try:
                        u = session(port, user, names[user], rng)
                    except Exception as e:
                        with lock:
                            errors.append("%s: %r" % (user, e))
                        return
                    with lock:
                        lat.append(time.monotonic() - t0)
                        deleted[user].append(u)
                    names[user] = [x for x in names[user] if x != u]

        t0 = time.monotonic()
        threads = [threading.Thread(target=worker, args=(w,), daemon=True)
                   for w in range(min(CONC, USERS))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=600)
        wall = time.monotonic() - t0
        peak.done()
        done = len(lat)
        r.ok("load:sessions (%d of %d, %d at once, %d users)"
             % (done, SESSIONS, min(CONC, USERS), USERS),
             not errors and done == SESSIONS, "; ".join(errors[:5]))

        bad = []
        for user in users:
            md = os.path.join(sc.dir, "home", user, "Maildir")
            # After a QUIT all is in cur/; RETR'd messages carry S.
            got = ["cur/" + g for g in os.listdir(os.path.join(md, "cur"))]
            innew = os.listdir(os.path.join(md, "new"))
            got += ["new/" + g for g in innew]
            gotu = sorted(g[4:].split(":")[0] for g in got)
            if (innew and per_user[users.index(user)] > 0) or \
                    gotu != sorted(names[user]):
                bad.append(user)
                continue
            for g in got:
                with open(os.path.join(md, g), "rb") as f:
                    if f.read() != body(g[4:].split(":")[0]):
                        bad.append(user)
                        break
        r.ok("load:final-state (%d Maildirs)" % USERS, not bad, bad[:5])

        for t in sthreads:
            t.join(timeout=120)
        notclosed = [s for s in slow if s != "closed"]
        r.ok("load:slow-clients (%d, %s)" % (
            SLOW, "-t %d and -A %d" % (TIMEOUT, AUTHDEADLINE) if deadline
            else "-t %d; no -A in this pop3d" % TIMEOUT),
            not notclosed, notclosed[:5])

        lat.sort()
        if lat:
            print("# bench: load: %d sessions in %.1fs = %.0f sessions/s, "
                  "latency p50 %.0f ms p99 %.0f ms, peak RSS front end "
                  "%d kB, back end %d kB (%d clients at once, %d users, "
                  "%d slow clients)" % (
                      done, wall, done / wall, 1000 * lat[len(lat) // 2],
                      1000 * lat[min(len(lat) - 1, len(lat) * 99 // 100)],
                      peak.front, peak.back, min(CONC, USERS), USERS,
                      SLOW), flush=True)
    finally:
        if srv is not None and srv.poll() is None:
            os.killpg(srv.pid, signal.SIGTERM)
            try:
                srv.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(srv.pid, signal.SIGKILL)
                srv.wait(timeout=10)
        shutil.rmtree(sc.dir, ignore_errors=True)
    return 1 if r.failed else 0


if __name__ == "__main__":
    sys.exit(main())
