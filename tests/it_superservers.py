# SPDX-License-Identifier: ISC
"""The shipped superserver files, read by the real daemons:

  inetd        openbsd-inetd -i (in the foreground, otherwise as in
               production) with a configuration file holding the line of
               inetd.conf.example
  xinetd       xinetd -dontfork (its own messages to a file) reading
               xinetd.conf.example as a file of the includedir of
               Debian's xinetd.conf (xinetd conflicts with openbsd-inetd
               as a Debian package: whichever is not installed runs from
               its .deb, fetched with apt-get download and unpacked here)
  daemontools  svscan supervising a copy of service/pop3d and its log
               service, so the real supervise runs run and log/run and
               the real multilog writes log/main/current

Only the install paths (pointed at a scratch copy of the programs),
pop3d-checkpw's -f PASSWDFILE and where to listen are substituted, by
rewriting the shipped text, so a change to a shipped file changes the
test.  inetd and xinetd keep the service name pop3: they run in mount
and PID namespaces of their own, whose /etc/services maps pop3 to a
free port and whose /dev/log is this test's syslog listener (the
shipped lines log through syslog(3), as fd 2 is the connection there);
they listen on 127.0.0.1 only.  The system's own instances are never
used, and every process a daemon started ends with it.  The mail user
has a uid of its own, so the chain must really switch users.

For each: one write carrying a failed and a good login, STAT, RETR 1
and QUIT gets exactly the expected bytes back; the failure is logged
as "LOGIN FAILED, user=alice, ip=[127.0.0.1]" where that deployment
logs (syslog, facility mail; multilog's current, with tcpserver's and
the sessions' lines); QUIT moved new/ to cur/; poplib then fetches
every message, byte for byte equal to the files.  Needs root (the
daemons run the chain as root; the namespaces)."""
import glob
import grp
import os
import poplib
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itlib  # noqa: E402
import it_jail  # noqa: E402

LOG_MAIL = 2
SCRIPT = (b"USER alice\r\nPASS wrong\r\nUSER alice\r\nPASS secret\r\n"
          b"STAT\r\nRETR 1\r\nQUIT\r\n")
FAILED = "LOGIN FAILED, user=alice, ip=[127.0.0.1]"
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# Run by unshare(1) in new mount and PID namespaces: a /dev of its own
# (the few nodes a daemon and the chain open, and log as a link to this
# test's syslog socket), /etc/services mapping pop3 to the test's port
# and services looked up in files only; then the daemon, as the
# namespace's PID 1.  Nothing of it is seen outside, and it all goes
# away with the daemon: the kernel kills every process of a PID
# namespace when its first one dies, also the sessions that inetd and
# xinetd put in sessions of their own (setsid), out of reach of a kill
# of the process group.
NS_SETUP = r"""
set -e
s=$1
shift
mount -t tmpfs -o mode=0755,nosuid tmpfs "$s/dev"
for n in null zero full random urandom tty; do
	: >"$s/dev/$n"
	mount --bind "/dev/$n" "$s/dev/$n"
done
ln -s /proc/self/fd "$s/dev/fd"
ln -s "$s/log.sock" "$s/dev/log"
mount --move "$s/dev" /dev
mount --bind "$s/services" /etc/services
mount --bind "$s/nsswitch.conf" /etc/nsswitch.conf
exec "$@"
"""


def shipped(*path):
    with open(os.path.join(itlib.TOP, *path)) as f:
        return f.read()


def tail(path):
    """The end of a file, for a failure's details."""
    try:
        with open(path, errors="replace") as f:
            return f.read()[-2000:]
    except OSError as e:
        return repr(e)


def expected():
    """The exact bytes SCRIPT gets: message 1 is the oldest."""
    names = sorted(itlib.MESSAGES)
    total = sum(len(itlib.wire(m)) for m in itlib.MESSAGES.values())
    first = itlib.wire(itlib.MESSAGES[names[0]])
    body = b"".join(b"." + l if l.startswith(b".") else l
                    for l in first.splitlines(keepends=True))
    return (b"+OK POP3 server ready\r\n"
            b"+OK send PASS\r\n"
            b"-ERR [AUTH] authentication failed\r\n"
            b"+OK send PASS\r\n"
            b"+OK maildrop has %d messages (%d octets)\r\n"
            b"+OK %d %d\r\n"
            b"+OK %d octets\r\n%s.\r\n"
            b"+OK bye\r\n" % (len(names), total, len(names), total,
                              len(first), body))


def session(port, timeout=30.0):
    """SCRIPT in one write; every byte until the server closes."""
    end = time.monotonic() + timeout
    data = b""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(SCRIPT)
        while time.monotonic() < end:
            s.settimeout(max(0.1, end - time.monotonic()))
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    return data


def on_disk(sc):
    """The messages as the Maildir holds them, oldest first, as RETR
    must send them."""
    paths = []
    for sub in ("new", "cur"):
        d = os.path.join(sc.maildir, sub)
        paths += [os.path.join(d, f) for f in os.listdir(d)]
    paths.sort(key=lambda p: (os.stat(p).st_mtime, os.path.basename(p)))
    out = []
    for p in paths:
        with open(p, "rb") as f:
            out.append(itlib.wire(f.read()))
    return out


def scratch():
    """A scratch tree whose alice has a uid and gid of her own, unused
    on this system: the chain must really switch to her.  (With the
    usual nobody, a daemon that wrongly ran everything as nobody would
    pass.)"""
    sc = itlib.Scratch()
    try:
        uid = next(u for u in range(64100, 64200) if not known(u))
        with open(sc.passwd) as f:
            text = f.read()
        text = text.replace(":%d:%d:" % (itlib.MAILUID, itlib.MAILGID),
                            ":%d:%d:" % (uid, uid))
        with open(sc.passwd, "w") as f:
            f.write(text)
        for base, dirs, files in os.walk(os.path.join(sc.dir, "home")):
            for f in [base] + [os.path.join(base, f) for f in files]:
                os.chown(f, uid, uid)
    except BaseException:
        sc.cleanup()
        raise
    return sc


def known(n):
    """True if n is the id of a user or a group here."""
    for lookup in (pwd.getpwuid, grp.getgrgid):
        try:
            lookup(n)
            return True
        except KeyError:
            pass
    return False


def check_sessions(r, name, sc, port):
    want = expected()
    try:
        got = session(port)
    except OSError as e:
        got = repr(e).encode()
    r.ok(name + ":pipelined-session-byte-exact", got == want,
         "got %r..., want %r..." % (got[:300], want[:300]))
    names = sorted(itlib.MESSAGES)
    r.ok(name + ":quit-updated-maildir", sc.files() ==
         sorted(["cur/%s:2,S" % names[0]] +
                ["cur/%s:2," % n for n in names[1:]]), sc.files())
    try:
        want = on_disk(sc)
        p = poplib.POP3("127.0.0.1", port, timeout=30)
        p.user("alice")
        p.pass_(sc.password)
        got = [b"".join(l + b"\r\n" for l in p.retr(i)[1])
               for i in range(1, p.stat()[0] + 1)]
        p.quit()
        diff = "" if got == want and len(got) == len(names) else \
            "got %s, want %s" % ([len(g) for g in got],
                                 [len(w) for w in want])
    except Exception as e:
        diff = repr(e)
    r.ok(name + ":poplib-fetches-every-byte", diff == "", diff)


def program(sc, pkg, path):
    """path of Debian package pkg's program: the installed one, else
    the one in pkg's .deb unpacked under sc.  (path, None) or (None,
    why not)."""
    st = subprocess.run(["dpkg-query", "-W", "-f", "${Status}", pkg],
                        capture_output=True, text=True,
                        stdin=subprocess.DEVNULL, timeout=60)
    if "install ok installed" in st.stdout and os.access(path, os.X_OK):
        return path, None
    missing = itlib.have("apt-get", "dpkg-deb")
    if missing:
        return None, "%s not installed, missing %s" % (pkg,
                                                      " ".join(missing))
    d = os.path.join(sc.dir, "deb-" + pkg)
    os.mkdir(d)
    out = subprocess.run(["apt-get", "download", "-q", pkg], cwd=d,
                         capture_output=True, text=True,
                         stdin=subprocess.DEVNULL, timeout=180)
    debs = glob.glob(os.path.join(d, "*.deb"))
    if out.returncode != 0 or len(debs) != 1:
        return None, "%s not installed and apt-get download failed: %s" \
            % (pkg, out.stderr.strip()[-300:])
    root = os.path.join(d, "root")
    subprocess.run(["dpkg-deb", "-x", debs[0], root], check=True,
                   capture_output=True, stdin=subprocess.DEVNULL,
                   timeout=60)
    return root + path, None


def stop_group(proc):
    """Ends proc's process group: TERM, then KILL; bounded."""
    if proc is None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=5)


class Private:
    """A daemon in mount and PID namespaces of its own (see NS_SETUP)
    and its own process group, its output in sc.dir/NAME.out.
    make_argv(port) gives the daemon's command line for port.
    self.syslog is the file the syslog listener writes."""

    def __init__(self, sc, name, make_argv):
        itlib.ensure_emptydir()
        self.proc = self.syslogd = None
        self.dir = os.path.join(sc.dir, "ns-" + name)
        os.mkdir(self.dir, 0o755)
        os.mkdir(os.path.join(self.dir, "dev"), 0o755)
        self.syslog = os.path.join(self.dir, "mail.log")
        self.out = os.path.join(sc.dir, name + ".out")
        with open("/etc/nsswitch.conf") as f:
            ns = f.read()
        ns = re.sub(r"^services:.*$", "services: files", ns, flags=re.M)
        if not re.search(r"^services:", ns, re.M):
            ns += "services: files\n"
        with open(os.path.join(self.dir, "nsswitch.conf"), "w") as f:
            f.write(ns)
        self.syslogd = it_jail.Syslogd(os.path.join(self.dir, "log.sock"),
                                       self.syslog)
        try:
            self.start(make_argv)
        except BaseException:
            self.stop()
            raise

    def start(self, make_argv):
        with open("/etc/services") as f:
            services = f.read()
        for _ in range(5):
            self.port = itlib.free_port()
            text, n = re.subn(r"^pop3(\s+)\d+/tcp", r"pop3\g<1>%d/tcp"
                              % self.port, services, flags=re.M)
            if n == 0:
                text += "pop3\t\t%d/tcp\n" % self.port
            with open(os.path.join(self.dir, "services"), "w") as f:
                f.write(text)
            argv = make_argv(self.port)
            with open(self.out, "ab") as out:
                self.proc = subprocess.Popen(
                    itlib.reaped() + [
                        "--mount", "--propagation", "private",
                        "--mount-proc", "sh", "-c", NS_SETUP, "sh",
                        self.dir, *argv],
                    env={"PATH": PATH}, stdin=subprocess.DEVNULL,
                    stdout=out, stderr=out, start_new_session=True)
            if itlib.wait_port(self.port, self.proc):
                return
            stop_group(self.proc)
            self.proc = None
        raise RuntimeError("did not listen: %s" % self.output())

    def output(self):
        return tail(self.out)

    def stop(self):
        try:
            stop_group(self.proc)
        finally:
            self.proc = None
            if self.syslogd is not None:
                self.syslogd.stop()
                self.syslogd = None


def logged(path, want, timeout=10.0):
    """Text of the log at path once every line of want is in it (or
    timeout seconds have passed) and the sessions have logged out."""
    return itlib.wait_log(path, lambda t: all(w in t for w in want) and
                          itlib.sessions_done(t), timeout)


def check_syslog(r, name, d):
    log = logged(d.syslog, [FAILED, "logout: user=alice"])
    r.ok(name + ":login-failed-in-syslog",
         re.search(r" pop3d\[\d+\]: " + re.escape(FAILED) + "$", log,
                   re.M) is not None, log)
    # Each datagram is one line; the daemon's own lines aside (inetd
    # logs with facility daemon), every line of the chain is LOG_MAIL.
    ours = [f for f, l in zip(d.syslogd.facilities, log.splitlines())
            if re.search(r" pop3d(-checkpw)?\[\d+\]: ", l)]
    r.ok(name + ":syslog-facility-mail", len(ours) >= 5 and
         set(ours) == {LOG_MAIL}, (d.syslogd.facilities, log))


def case_inetd(r):
    name = "superservers:inetd"
    sc = scratch()
    d = None
    try:
        inetd, why = program(sc, "openbsd-inetd", "/usr/sbin/inetd")
        if inetd is None:
            r.skip(name, why)
            return
        # The file says: its last line, without the leading "#".
        line = shipped("inetd.conf.example").rstrip("\n").split("\n")[-1]
        if not r.ok(name + ":line", line.startswith("#pop3\t"), line):
            return
        line = itlib.installed(sc, line[1:], "-f " + sc.passwd)
        conf = os.path.join(sc.dir, "inetd.conf")
        with open(conf, "w") as f:
            # Where to listen: 127.0.0.1 only, for the service pop3.
            f.write("127.0.0.1:" + line + "\n")

        d = Private(sc, "inetd", lambda port: [inetd, "-i", conf])
        check_sessions(r, name, sc, d.port)
        check_syslog(r, name, d)
    finally:
        if d is not None:
            d.stop()
            if r.failed:
                sys.stderr.write(d.output())
        sc.cleanup()


def case_xinetd(r):
    name = "superservers:xinetd"
    sc = scratch()
    d = None
    try:
        xinetd, why = program(sc, "xinetd", "/usr/sbin/xinetd")
        if xinetd is None:
            r.skip(name, why)
            return
        text = itlib.installed(sc, shipped("xinetd.conf.example"),
                               "-f " + sc.passwd)
        # Where to listen: 127.0.0.1 only.
        text, n = re.subn(r"^}", "\tbind\t\t= 127.0.0.1\n}", text,
                          count=1, flags=re.M)
        if not r.ok(name + ":one-service", n == 1, text):
            return
        incl = os.path.join(sc.dir, "xinetd.d")
        os.mkdir(incl)
        with open(os.path.join(incl, "pop3d"), "w") as f:
            f.write(text)
        # Debian's /etc/xinetd.conf, reading this includedir.
        conf = os.path.join(sc.dir, "xinetd.conf")
        with open(conf, "w") as f:
            f.write("defaults\n{\n}\n\nincludedir %s\n" % incl)
        xlog = os.path.join(sc.dir, "xinetd.log")

        d = Private(sc, "xinetd", lambda port: [
            xinetd, "-dontfork", "-filelog", xlog, "-f", conf])
        check_sessions(r, name, sc, d.port)
        check_syslog(r, name, d)
    finally:
        if d is not None:
            d.stop()
            if r.failed:
                sys.stderr.write(d.output())
                sys.stderr.write(tail(os.path.join(sc.dir, "xinetd.log")))
        sc.cleanup()


def case_daemontools(r):
    name = "superservers:daemontools"
    missing = itlib.have("svscan", "supervise", "svc", "svstat",
                         "tcpserver")
    # log/run uses svlogd where runit is installed, else multilog.
    logger = "svlogd" if shutil.which("svlogd") else "multilog"
    missing += itlib.have(logger)
    if missing:
        r.skip(name, "missing " + " ".join(missing))
        return
    sc = scratch()
    sv = None
    try:
        sv = itlib.Service(sc, "-f " + sc.passwd)
        r.ok(name + ":supervised", *sv.up())
        check_sessions(r, name, sc, sv.port)
        log = logged(sv.current, [FAILED, "logout: user=alice"])
        r.ok(name + ":log-by-" + logger, log != "" and all(
            re.match(r"@[0-9a-f]{24} ", l) for l in log.splitlines()),
            log)
        r.ok(name + ":login-failed-in-current", re.search(
            r" pop3d\[\d+\]: " + re.escape(FAILED) + "$", log, re.M)
            is not None, log)
        maxconn = re.search(r"^MAXCONN=(\d+)$", shipped(
            "service", "pop3d", "run"), re.M).group(1)
        r.ok(name + ":log-lines", all(s in log for s in (
            "tcpserver: status: 1/" + maxconn,
            "login: user=alice, ip=[127.0.0.1], messages=7",
            "logout: user=alice, ip=[127.0.0.1], retrieved=7/")), log)
    finally:
        if sv is not None:
            sv.stop()
            if r.failed:
                sys.stderr.write(tail(sv.out))
        sc.cleanup()


def interrupted(sig, frame):
    """TERM or HUP: unwind, so that every finally stops its daemon."""
    sys.exit("it_superservers: signal %d" % sig)


def main():
    r = itlib.Results()
    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGHUP, interrupted)
    if not itlib.ROOT:
        r.skip("superservers", "needs root: the daemons run the chain as "
               "root, in a mount namespace of their own")
        return 0
    missing = itlib.have("setpriv", "unshare", "mount", "openssl")
    if missing:
        r.skip("superservers", "missing " + " ".join(missing))
        return 0
    why = "no PID namespace"
    if itlib.reaped():
        probe = subprocess.run(itlib.reaped() + ["--mount", "--mount-proc",
                                                 "true"],
                               capture_output=True, text=True,
                               stdin=subprocess.DEVNULL, timeout=60)
        why = probe.stderr.strip() if probe.returncode != 0 else ""
    if why:
        r.skip("superservers", "cannot make mount and PID namespaces "
               "here: " + why)
        return 0
    for case in (case_inetd, case_xinetd, case_daemontools):
        failed = r.failed
        try:
            case(r)
        except Exception as e:
            r.ok(case.__name__ + ":unexpected-error", False, repr(e))
        if r.failed > failed:
            print("  (%s failed)" % case.__name__, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
