# SPDX-License-Identifier: ISC
"""tests/itlib.py: shared set-up for the integration tests.

Builds a scratch tree outside the source tree (scratch_dir(): so an
unprivileged mail user can reach it even when the checkout lives under
/root), a
passwd-file for pop3d-checkpw, Maildirs of varied messages, and runs
pop3d behind a superserver on a free loopback port.  Every wait is
bounded.  Results are printed as "ok NAME", "FAIL NAME" or
"skip NAME: why", one line per test, for tests/run-all.sh to count.
"""
import atexit
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.geteuid() == 0
# The reader's chroot directory as "make install" creates it (the
# Makefile's EMPTYDIR): the shipped recipes under test name no -r, so
# as root the default must exist, root's, mode 0755, empty.  Made
# again before each server starts, since removing the Debian package
# removes it.  Idempotent.
EMPTYDIR = "/var/lib/pop3d/empty"


def ensure_emptydir():
    if ROOT:
        os.makedirs(EMPTYDIR, mode=0o755, exist_ok=True)
        os.chown(EMPTYDIR, 0, 0)
        os.chmod(EMPTYDIR, 0o755)


ensure_emptydir()
MAILUID = 65534 if ROOT else os.getuid()
MAILGID = 65534 if ROOT else os.getgid()

def system_tmp():
    """The system's temporary directory (TMPDIR, else /tmp) if every
    directory on the way to it lets other users pass; else /tmp.  A
    TMPDIR inside a private home would hide a test's files from the
    mail user."""
    d = os.path.realpath(tempfile.gettempdir())
    p = d
    while True:
        try:
            if not os.stat(p).st_mode & 0o001:
                return "/tmp"
        except OSError:
            return "/tmp"
        if p == os.path.dirname(p):
            return d
        p = os.path.dirname(p)


_SCRATCH = []


@atexit.register
def _remove_scratch():
    for d in _SCRATCH:
        shutil.rmtree(d, ignore_errors=True)


def scratch_dir(prefix):
    """A new, empty directory, mode 0755, under the system's temporary
    directory, that other users can reach.  Everything a test runs as
    another user (the mail user, the reader, a client), and everything
    such a program must read or write, goes in one of these, never
    under the checkout: the tree may be cloned anywhere, into /root
    (mode 0700), a home others may not enter, a path with spaces.
    Removed when the test exits, if it has not removed it itself."""
    d = tempfile.mkdtemp(prefix=prefix, dir=system_tmp())
    os.chmod(d, 0o755)
    _SCRATCH.append(d)
    return d


def reachable_copy(d, *names):
    """Copies the built files names (relative to the top of the tree)
    into the scratch directory d, mode 0755, for a program that runs
    as another user; returns their new paths, in order."""
    out = []
    for n in names:
        dst = os.path.join(d, os.path.basename(n))
        shutil.copy(os.path.join(TOP, n), dst)
        os.chmod(dst, 0o755)
        out.append(dst)
    return out


# name -> contents: every shape the issues name.
MESSAGES = {
    "1600000001.M1P1.it": b"From: a@example.org\nSubject: plain\n\nhello\n",
    "1600000002.M2P2.it": b"Subject: dots\n\n.\n..\n.leading dot\nend\n",
    "1600000003.M3P3.it": b"Subject: crlf\r\n\r\nline one\r\nline two\r\n",
    "1600000004.M4P4.it": b"Subject: no final newline\n\nlast line",
    "1600000005.M5P5.it": b"Subject: 8bit\nContent-Type: text/plain; "
                          b"charset=utf-8\n\n\xc3\xa4\xc3\xb6\xc3\xbc \xe2\x82\xac\n",
    "1600000006.M6P6.it": b"Subject: nul\n\nbefore\x00after\n",
    "1600000007.M7P7.it": b"Subject: big\n\n" +
                          b"".join(b"%07d ....................................."
                                   b"...........................\n" % i
                                   for i in range(14000)),
}


def wire(data):
    """The octets RETR sends for a message, without the final dot."""
    out = bytearray()
    i = 0
    while i < len(data):
        c = data[i:i + 1]
        if c == b"\n":
            out += b"\r\n"
        elif c == b"\r" and data[i + 1:i + 2] == b"\n":
            out += b"\r\n"
            i += 1
        else:
            out += c
        i += 1
    if data and not data.endswith(b"\n"):
        out += b"\r\n"
    return bytes(out)


class Results:
    def __init__(self):
        self.failed = 0

    def ok(self, name, cond, detail=""):
        if cond:
            print("ok %s" % name, flush=True)
        else:
            self.failed += 1
            print("FAIL %s" % name, flush=True)
            if detail:
                print("  %s: %s" % (name, detail), file=sys.stderr)
        return cond

    def skip(self, name, why):
        print("skip %s: %s" % (name, why), flush=True)


class Scratch:
    """A scratch tree: bin/, passwd, home/alice/Maildir."""

    def __init__(self, password="secret", messages=None):
        self.dir = scratch_dir("pop3d-it.")
        self.bin = os.path.join(self.dir, "bin")
        os.mkdir(self.bin)
        os.chmod(self.bin, 0o755)
        self.pop3d, self.checkpw = reachable_copy(self.bin, "pop3d",
                                                  "pop3d-checkpw")
        self.home = os.path.join(self.dir, "home", "alice")
        self.maildir = os.path.join(self.home, "Maildir")
        self.password = password
        self.passwd = os.path.join(self.dir, "passwd")
        self.log = os.path.join(self.dir, "log")
        # The reader's root for command(): this tree's own.
        self.empty = os.path.join(self.dir, "empty")
        os.mkdir(self.empty, 0o755)
        hashed = subprocess.run(["openssl", "passwd", "-6", password],
                                check=True, capture_output=True,
                                text=True).stdout.strip()
        with open(self.passwd, "w") as f:
            f.write("alice:{CRYPT}%s:%d:%d::%s::\n"
                    % (hashed, MAILUID, MAILGID, self.home))
            f.write("apop:{PLAIN}%s:%d:%d::%s::\n"
                    % (password, MAILUID, MAILGID, self.home))
        self.fill(MESSAGES if messages is None else messages)

    def fill(self, messages):
        for sub in ("new", "cur", "tmp"):
            os.makedirs(os.path.join(self.maildir, sub), exist_ok=True)
        t = 1600000000
        for name in sorted(messages):
            path = os.path.join(self.maildir, "new", name)
            with open(path, "wb") as f:
                f.write(messages[name])
            t += 10
            os.utime(path, (t, t))
        self.chown()

    def chown(self):
        if ROOT:
            for base, dirs, files in os.walk(os.path.join(self.dir, "home")):
                os.chown(base, MAILUID, MAILGID)
                for f in files:
                    os.chown(os.path.join(base, f), MAILUID, MAILGID)

    def files(self):
        """Sorted 'sub/name' of every file in new/ and cur/."""
        out = []
        for sub in ("new", "cur"):
            for f in os.listdir(os.path.join(self.maildir, sub)):
                out.append(sub + "/" + f)
        return sorted(out)

    def command(self, front=("-d", "0", "-p", "loopback")):
        """The full chain: pop3d, pop3d-checkpw, pop3d -m Maildir."""
        return [self.pop3d, "-r", self.empty, *front, self.checkpw,
                "-f", self.passwd, self.pop3d, "-m", "Maildir"]

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def docs_text():
    """The user documentation: the README and every page under doc/,
    one after the other, for tests that check a recipe is documented
    wherever the README's index sends the reader."""
    text = ""
    docdir = os.path.join(TOP, "doc")
    pages = sorted(os.listdir(docdir)) if os.path.isdir(docdir) else []
    for name in ["README"] + [os.path.join("doc", p) for p in pages
                              if p.endswith(".md")]:
        with open(os.path.join(TOP, name)) as f:
            text += f.read() + "\n"
    return text


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc=None, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.05)
    return False


class Server:
    """A superserver on a free loopback port running argv per client."""

    def __init__(self, kind, argv, log):
        ensure_emptydir()
        self.proc = None
        self.logf = open(log, "ab")
        for _ in range(5):
            self.port = free_port()
            if kind == "tcpserver":
                cmd = ["tcpserver", "-q", "-R", "-H", "-l", "localhost",
                       "127.0.0.1", str(self.port), *argv]
            elif kind == "socket-activate":
                cmd = ["systemd-socket-activate", "--inetd", "-a", "-l",
                       "127.0.0.1:%d" % self.port, *argv]
            else:
                raise ValueError(kind)
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL,
                                         stderr=self.logf,
                                         start_new_session=True)
            if wait_port(self.port, self.proc):
                return
            self.stop()
        raise RuntimeError("cannot start %s" % kind)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        self.proc = None


def have(*progs):
    return [p for p in progs if shutil.which(p) is None]


# Runs a client as an unprivileged user: the mail user when we are root.
AS_USER = (["setpriv", "--reuid=%d" % MAILUID, "--regid=%d" % MAILGID,
            "--clear-groups", "--"] if ROOT else [])


def run_as_user(argv, home, timeout=60, **kw):
    """Runs argv as the mail user with HOME=home; returns the
    CompletedProcess (stdout and stderr captured as bytes)."""
    env = {"HOME": home, "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
           "LC_ALL": "C.UTF-8"}
    return subprocess.run(AS_USER + list(argv), env=env, cwd=home,
                          stdin=subprocess.DEVNULL, capture_output=True,
                          timeout=timeout, **kw)


def user_dir(sc, name):
    """A directory in the scratch tree that the mail user owns."""
    d = os.path.join(sc.dir, name)
    os.makedirs(d, exist_ok=True)
    os.chmod(d, 0o700)
    if ROOT:
        os.chown(d, MAILUID, MAILGID)
    return d


def installed(sc, text, checkpw_args=""):
    """A shipped recipe (unit, inetd line, run script) with the install
    paths pointing into the scratch tree.  checkpw_args go right after
    pop3d-checkpw, e.g. "-f PASSWD"."""
    ck = sc.checkpw + (" " + checkpw_args if checkpw_args else "")
    return (text.replace("/usr/local/libexec/pop3d-checkpw", ck)
            .replace("/usr/local/sbin/pop3d", sc.pop3d))


def fail2ban(log, token):
    """Runs fail2ban-regex with Debian's stock courier-auth filter over
    log; returns one value of token (ip, user, ...) per matched line."""
    out = subprocess.run(["fail2ban-regex", "-o", token, log,
                          "courier-auth"], capture_output=True, text=True,
                         stdin=subprocess.DEVNULL, timeout=60)
    if out.returncode != 0:
        raise RuntimeError("fail2ban-regex: %s" % out.stderr.strip())
    return [l for l in out.stdout.splitlines() if l.strip()]


def wait_log(log, done, timeout=10.0):
    """Waits until done(text of log) is true, for sessions that log
    after their last reply.  Returns the text."""
    end = time.monotonic() + timeout
    while True:
        with open(log, errors="replace") as f:
            text = f.read()
        if done(text) or time.monotonic() > end:
            return text
        time.sleep(0.05)


def sessions_done(text):
    """True when every back end that logged in has logged out."""
    return text.count("login: user=") == text.count("logout: user=")


_reaped = None


def reaped():
    """The command prefix that runs a daemon under test as PID 1 of a
    PID namespace of its own, under an unshare that dies with the test:
    however the test ends (even by SIGKILL), the kernel then ends every
    process the daemon started, including sessions that left its
    process group.  [] where that cannot be done (not root, or no
    namespaces here)."""
    global _reaped
    if _reaped is None:
        cmd = ["setpriv", "--pdeathsig", "KILL", "--", "unshare", "--pid",
               "--fork", "--kill-child"]
        _reaped = []
        if ROOT and not have("setpriv", "unshare"):
            out = subprocess.run(cmd + ["true"], capture_output=True,
                                 stdin=subprocess.DEVNULL, timeout=60)
            if out.returncode == 0:
                _reaped = cmd
    return _reaped


class Service:
    """daemontools' svscan supervising a copy of service/pop3d and its
    log service in the scratch tree: the real supervise runs run, and
    log/run (multilog, or svlogd where runit is installed) writes
    self.current.  Only the install paths, checkpw_args and where to
    listen (127.0.0.1 and a free port) differ from the shipped run.
    Needs svscan, svc, svstat and tcpserver."""

    def __init__(self, sc, checkpw_args):
        ensure_emptydir()
        self.proc = None
        self.root = os.path.join(sc.dir, "service")
        self.dir = os.path.join(self.root, "pop3d")
        self.dirs = [self.dir, os.path.join(self.dir, "log")]
        self.current = os.path.join(self.dir, "log", "main", "current")
        self.out = os.path.join(sc.dir, "svscan.out")
        shutil.copytree(os.path.join(TOP, "service", "pop3d"), self.dir)
        with open(os.path.join(self.dir, "run")) as f:
            text = installed(sc, f.read(), checkpw_args)
        self.port = free_port()
        text, n = re.subn(r"^IP=\S+$", "IP=127.0.0.1", text, flags=re.M)
        text, m = re.subn(r"^PORT=\S+$", "PORT=%d" % self.port, text,
                          flags=re.M)
        if (n, m) != (1, 1):
            raise RuntimeError("service/pop3d/run sets no IP= or PORT=")
        with open(os.path.join(self.dir, "run"), "w") as f:
            f.write(text)
        with open(self.out, "ab") as out:
            self.proc = subprocess.Popen(
                reaped() + ["svscan", self.root], cwd=self.root,
                env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
                stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                start_new_session=True)
        if not wait_port(self.port, self.proc):
            self.stop()
            raise RuntimeError("service/pop3d/run did not listen")

    def svstat(self, state, dirs=None, timeout=10.0):
        """(True, svstat's words) once supervise reports the services
        in dirs (both by default) in state ("up" or "down"); (False,
        its words) after timeout seconds."""
        dirs = dirs or self.dirs
        want = [r"^%s: %s " % (re.escape(d), state) for d in dirs]
        end = time.monotonic() + timeout
        while True:
            st = subprocess.run(["svstat", *dirs],
                                capture_output=True, text=True,
                                stdin=subprocess.DEVNULL, timeout=30)
            words = st.stdout + st.stderr
            if all(re.search(w, words, re.M) for w in want):
                return True, words
            if time.monotonic() > end:
                return False, words
            time.sleep(0.1)

    def up(self):
        return self.svstat("up")

    def stop(self):
        """Both services down (run first, the logger after it, so that
        it reads all that run wrote), then TERM to svscan and every
        supervise, KILL to whatever is left.  Bounded."""
        if self.proc is None:
            return
        for d in self.dirs:
            subprocess.run(["svc", "-d", d], capture_output=True,
                           stdin=subprocess.DEVNULL, timeout=30)
            self.svstat("down", [d])
        for sig in (signal.SIGTERM, signal.SIGKILL):
            end = time.monotonic() + 5
            try:
                os.killpg(self.proc.pid, sig)
                while time.monotonic() < end:
                    self.proc.poll()  # no zombie left in the group
                    os.killpg(self.proc.pid, 0)
                    time.sleep(0.05)
            except ProcessLookupError:
                break
        self.proc.wait(timeout=5)
        self.proc = None


FDEXEC = [sys.executable, os.path.join(TOP, "tests", "fdexec.py")]


def talk(sock, script, timeout=30.0):
    """Sends script (bytes, all at once: pipelined) on a connected
    socket and returns every line received until the server closes,
    without line ends.  Bounded by timeout seconds in all."""
    end = time.monotonic() + timeout
    data = b""
    with sock:
        sock.settimeout(timeout)
        sock.sendall(script)
        while time.monotonic() < end:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    return data.split(b"\r\n")[:-1] if data.endswith(b"\r\n") else \
        data.split(b"\r\n")


def fetch_all(p, sc):
    """Logs in with poplib object p, RETRs every message and QUITs.
    Returns "" if every message arrived byte for byte, else what
    differed."""
    p.user("alice")
    p.pass_(sc.password)
    names = sorted(MESSAGES)
    got = [b"".join(l + b"\r\n" for l in p.retr(i)[1])
           for i in range(1, p.stat()[0] + 1)]
    p.quit()
    want = [wire(MESSAGES[n]) for n in names]
    if got == want:
        return ""
    return "got %s, want %s" % ([len(g) for g in got], [len(w) for w in want])
