# SPDX-License-Identifier: ISC
"""The Debian package, end to end on this machine (as root):

  build     debian/build-deb.sh builds pop3d_*.deb from a copy of the
            tree (once per run; every case below uses that .deb)
  lintian   reports no error and no warning on it
  install   dpkg -i pop3d_*.deb (what "apt install ./pop3d_*.deb"
            runs, without apt's package lists): the programs and units where the package puts them, the units
            naming only installed programs and not enabled, the reader's
            account and its empty root-owned chroot, /etc/pop3d/passwd
            mode 0600
  110       the ExecStart of the installed pop3d@.service, with the
            passwd-file as the README's drop-in adds it, under
            systemd-socket-activate on a free loopback port: a
            passwd-file user lists and fetches with curl and poplib
  upgrade   installing the package again keeps the conffile, edited
            as the README says, and the passwd-file
  995       the ExecStart of the installed pop3s@.service (stunnel with
            /etc/pop3d/pop3s-stunnel.conf) with a certificate where that
            file wants it: poplib over TLS fetches the mail
  purge     dpkg --purge leaves nothing of the package: no file dpkg -L
            listed that was not there before, no account or group, no
            /var/lib/pop3d, no /etc/pop3d

The package is purged in a finally clause, whatever failed.  The test
skips where it would change what it did not make: a pop3d package or
account already there, or another run of this test holding the lock.
"""
import fcntl
import grp
import os
import poplib
import pwd
import re
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itlib  # noqa: E402

TOP = itlib.TOP
OUT = os.path.join(TOP, "tests", "scratch", "deb")
UNITDIR = "/lib/systemd/system"
ETC = "/etc/pop3d"
PASSWD = ETC + "/passwd"
STUNNEL_CONF = ETC + "/pop3s-stunnel.conf"
EMPTY = "/var/lib/pop3d/empty"
LOCK = "/run/lock/pop3d-package-test.lock"
# Directories where a package's traces could stay behind after purge.
WATCH = ["/etc", "/etc/systemd/system", "/etc/systemd/system/sockets.target.wants",
         "/lib/systemd/system", "/usr/sbin", "/usr/libexec", "/usr/share/doc",
         "/usr/share/man/man8", "/var/lib", "/var/lib/dpkg/info",
         "/var/lib/systemd/deb-systemd-helper-enabled",
         "/var/lib/systemd/deb-systemd-helper-masked"]
# What systemd gives a service: no environment from the caller.
UNIT_ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:"
                    "/sbin:/bin", "LANG": "C.UTF-8"}
PASSWORD = "correct horse battery"
MESSAGES = {k: itlib.MESSAGES[k] for k in ("1600000001.M1P1.it",
                                           "1600000002.M2P2.it",
                                           "1600000003.M3P3.it")}


T0 = time.monotonic()


def progress(what):
    """How far the run is, on stderr, for a reader of a slow CI log."""
    print("deb: %s at %.0fs" % (what, time.monotonic() - T0),
          file=sys.stderr, flush=True)


class Interrupted(Exception):
    pass


def on_signal(signum, frame):
    raise Interrupted("signal %d" % signum)


def run(argv, timeout=120, **kw):
    if "input" not in kw:
        kw["stdin"] = subprocess.DEVNULL
    return subprocess.run(argv, capture_output=True, text=True,
                          timeout=timeout, **kw)


def dpkg(argv, timeout=120):
    """dpkg or apt-get, waiting (bounded) while another one holds the
    dpkg lock."""
    for _ in range(60):
        out = run(argv, timeout=timeout, env=dict(
            os.environ, DEBIAN_FRONTEND="noninteractive"))
        if out.returncode == 0 or "lock" not in out.stderr.lower():
            return out
        time.sleep(1)
    return out


def installed():
    out = run(["dpkg-query", "-W", "-f", "${Status}", "pop3d"])
    return out.returncode == 0 and "not-installed" not in out.stdout and \
        out.stdout.strip() != ""


def snapshot():
    out = {}
    for d in WATCH:
        try:
            out[d] = set(os.listdir(d))
        except OSError:
            out[d] = set()
    return out


def account_exists():
    try:
        pwd.getpwnam("pop3d")
        return True
    except KeyError:
        pass
    try:
        grp.getgrnam("pop3d")
        return True
    except KeyError:
        return False


def empty_as_made():
    """True if /var/lib/pop3d holds just an empty, root-owned, mode 0755
    directory "empty", as the postinst and the tests' set-up make it."""
    try:
        st = [os.lstat(d) for d in (os.path.dirname(EMPTY), EMPTY)]
        return os.listdir(os.path.dirname(EMPTY)) == ["empty"] and \
            os.listdir(EMPTY) == [] and \
            all(x.st_uid == 0 and x.st_gid == 0 and
                x.st_mode == 0o40755 for x in st)
    except OSError:
        return False


def restore_empty():
    os.makedirs(EMPTY, exist_ok=True)
    for d in (os.path.dirname(EMPTY), EMPTY):
        os.chown(d, 0, 0)
        os.chmod(d, 0o755)


def unit_exec(unit):
    """The ExecStart of an installed unit, as a list of words, without
    systemd's prefixes (-@:+!)."""
    with open(os.path.join(UNITDIR, unit)) as f:
        lines = [l.split("=", 1)[1].strip() for l in f
                 if l.startswith("ExecStart=")]
    argv = shlex.split(lines[-1])
    argv[0] = argv[0].lstrip("-@:+!")
    return argv


def with_passwd_file(argv):
    """argv with "-f /etc/pop3d/passwd" right after pop3d-checkpw, the
    change the README's drop-in makes."""
    i = [n for n, a in enumerate(argv) if a.endswith("/pop3d-checkpw")][0]
    return argv[:i + 1] + ["-f", PASSWD] + argv[i + 1:]


def flat(text):
    return " ".join(text.replace("\\\n", " ").split())


class Activated:
    """argv run by systemd-socket-activate for each connection on a free
    loopback port, the connection on fd 0 and fd 1 (Accept=yes)."""

    def __init__(self, argv, log):
        self.proc = None
        self.logf = open(log, "ab")
        for _ in range(5):
            self.port = itlib.free_port()
            self.proc = subprocess.Popen(
                ["systemd-socket-activate", "--inetd", "-a", "-l",
                 "127.0.0.1:%d" % self.port, *argv], env=UNIT_ENV,
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=self.logf, start_new_session=True)
            if itlib.wait_port(self.port, self.proc):
                return
            self.stop()
        raise RuntimeError("systemd-socket-activate did not listen")

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self.proc = None
        self.logf.close()


def make_home(base):
    home = os.path.join(base, "home", "alice")
    for sub in ("new", "cur", "tmp"):
        os.makedirs(os.path.join(home, "Maildir", sub))
    t = 1600000000
    for name in sorted(MESSAGES):
        path = os.path.join(home, "Maildir", "new", name)
        with open(path, "wb") as f:
            f.write(MESSAGES[name])
        t += 10
        os.utime(path, (t, t))
    for d, dirs, files in os.walk(os.path.join(base, "home")):
        os.chown(d, itlib.MAILUID, itlib.MAILGID)
        for f in files:
            os.chown(os.path.join(d, f), itlib.MAILUID, itlib.MAILGID)
    return home


def add_user(r, files, home):
    """alice in /etc/pop3d/passwd, made by the package's pop3d-passwd
    as the README says (or written by hand where the package has none),
    then checked by pop3d-passwd test."""
    tool = "/usr/sbin/pop3d-passwd"
    if tool not in files:
        hashed = run(["openssl", "passwd", "-6", "-stdin"],
                     input=PASSWORD).stdout.strip()
        with open(PASSWD, "a") as f:
            f.write("alice:{CRYPT}%s:%d:%d::%s::\n"
                    % (hashed, itlib.MAILUID, itlib.MAILGID, home))
        r.skip("deb:pop3d-passwd", "the package has no pop3d-passwd")
        return
    out = run([tool, "add", "-u", str(itlib.MAILUID), "-g",
               str(itlib.MAILGID), "-d", home, "-s", "alice"],
              input=PASSWORD + "\n")
    chk = run([tool, "test", "-s", "alice"], input=PASSWORD + "\n")
    r.ok("deb:pop3d-passwd-add", out.returncode == 0 and
         chk.returncode == 0, out.stderr + chk.stdout + chk.stderr)


def fetch_poplib(p):
    """Logs in as alice, RETRs every message, QUITs without DELE.
    Returns "" if each arrived byte for byte, else what differed."""
    p.user("alice")
    p.pass_(PASSWORD)
    n = p.stat()[0]
    got = [b"".join(l + b"\r\n" for l in p.retr(i)[1])
           for i in range(1, n + 1)]
    p.quit()
    want = [itlib.wire(MESSAGES[k]) for k in sorted(MESSAGES)]
    return "" if got == want else "got %r" % got


def jailed_readers(uid, sid):
    """The root directories of session sid's pop3d processes that run
    as uid."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            st = os.stat("/proc/" + pid)
            with open("/proc/%s/comm" % pid) as f:
                comm = f.read().strip()
            if st.st_uid == uid and comm == "pop3d" and \
                    os.getsid(int(pid)) == sid:
                found.append(os.readlink("/proc/%s/root" % pid))
        except OSError:
            continue
    return found


def reader_jailed(port, sid):
    """While a client waits at the greeting: the pop3d processes of
    session sid that run as the account pop3d, and the root directory
    of each.  The readers of earlier connections may still be on their
    way out: wait (bounded) until they are gone, so that only this
    connection's reader is counted; one that stays is reported."""
    uid = pwd.getpwnam("pop3d").pw_uid
    end = time.monotonic() + 10
    while jailed_readers(uid, sid) and time.monotonic() < end:
        time.sleep(0.05)
    left = jailed_readers(uid, sid)
    if left:
        return b"", ["reader of an earlier connection still running"] + left
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.settimeout(30)
        greeting = s.recv(512)
        found = jailed_readers(uid, sid)
        s.sendall(b"QUIT\r\n")
        s.recv(512)
    return greeting, found


def case_install(r, files):
    got = {f: os.stat(f).st_mode & 0o7777 for f in
           ("/usr/sbin/pop3d", "/usr/libexec/pop3d/pop3d-checkpw",
            "/usr/share/man/man8/pop3d.8.gz",
            "/usr/share/man/man8/pop3d-checkpw.8.gz",
            "/usr/share/doc/pop3d/README.gz",
            "/usr/share/doc/pop3d/copyright",
            STUNNEL_CONF) if os.path.exists(f)}
    r.ok("deb:install-files", got == {
        "/usr/sbin/pop3d": 0o755, "/usr/libexec/pop3d/pop3d-checkpw": 0o755,
        "/usr/share/man/man8/pop3d.8.gz": 0o644,
        "/usr/share/man/man8/pop3d-checkpw.8.gz": 0o644,
        "/usr/share/doc/pop3d/README.gz": 0o644,
        "/usr/share/doc/pop3d/copyright": 0o644, STUNNEL_CONF: 0o644}, got)
    # Everything "make install" installs is in the package.
    dest = tempfile.mkdtemp(prefix="pop3d-deb-destdir.")
    try:
        out = run(["make", "-s", "install", "DESTDIR=" + dest,
                   "PREFIX=/usr", "LIBEXECDIR=/usr/libexec/pop3d"],
                  cwd=TOP, timeout=300, env={
                      k: v for k, v in os.environ.items()
                      if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")})
        made = set()
        for d, dirs, fs in os.walk(dest):
            for f in fs:
                p = os.path.join(d, f)[len(dest):]
                made.add(p + ".gz" if "/share/man/" in p else p)
        missing = sorted(made - set(files))
        r.ok("deb:has-what-make-install-installs",
             out.returncode == 0 and made and not missing,
             out.stderr + " missing %r" % missing)
    finally:
        shutil.rmtree(dest, ignore_errors=True)

    conffiles = run(["dpkg-query", "-W", "-f", "${Conffiles}",
                     "pop3d"]).stdout.split()
    r.ok("deb:conffiles", STUNNEL_CONF in conffiles, conffiles)
    units = ("pop3d.socket", "pop3d@.service", "pop3s.socket",
             "pop3s@.service")
    bad = []
    for u in units:
        p = os.path.join(UNITDIR, u)
        if p not in files:
            bad.append("missing " + p)
            continue
        with open(p) as f:
            text = f.read()
        if "/usr/local" in text:
            bad.append(u + " names /usr/local")
        if u.endswith(".service"):
            for w in unit_exec(u):
                if w.startswith("/") and not os.path.exists(w):
                    bad.append(u + " names missing " + w)
            if not os.access(unit_exec(u)[0], os.X_OK):
                bad.append(u + " runs no program")
    with open(STUNNEL_CONF) as f:
        conf = f.read()
    progs = re.findall(r"^exec = (.*)$", conf, re.M) + \
        re.findall(r"^execArgs = (.*)$", conf, re.M)
    for prog in [w for l in progs for w in l.split() if w.startswith("/")]:
        if not os.access(prog, os.X_OK):
            bad.append("pop3s-stunnel.conf runs missing " + prog)
    r.ok("deb:units-name-installed-programs", bad == [], bad)
    enabled = [u for u in ("pop3d.socket", "pop3s.socket") if os.path.lexists(
        "/etc/systemd/system/sockets.target.wants/" + u)]
    r.ok("deb:units-not-enabled", enabled == [], enabled)

    try:
        pw = pwd.getpwnam("pop3d")
        acct = (pw.pw_uid < 1000, pw.pw_dir, pw.pw_shell,
                grp.getgrgid(pw.pw_gid).gr_name)
    except KeyError:
        acct = None
    r.ok("deb:account", acct == (True, "/nonexistent", "/usr/sbin/nologin",
                                 "pop3d"), acct)
    st = [os.stat(d) for d in (EMPTY, os.path.dirname(EMPTY))]
    r.ok("deb:chroot-dir", all(s.st_uid == 0 and s.st_gid == 0 and
                               s.st_mode & 0o7777 == 0o755 for s in st) and
         os.listdir(EMPTY) == [], [(s.st_uid, oct(s.st_mode)) for s in st])
    st = os.stat(PASSWD)
    r.ok("deb:passwd-file", st.st_uid == 0 and st.st_mode & 0o777 == 0o600,
         oct(st.st_mode))


def case_110(r, log):
    argv = with_passwd_file(unit_exec("pop3d@.service"))
    readme = flat(itlib.docs_text())
    r.ok("deb:110-readme-drop-in", "ExecStart=" + " ".join(argv) in readme,
         " ".join(argv))
    srv = Activated(argv, log)
    try:
        url = "pop3://alice:%s@127.0.0.1:%d/" % (
            PASSWORD.replace(" ", "%20"), srv.port)
        out = run(["curl", "-sS", "--max-time", "60", url], timeout=90)
        want = "".join("%d %d\n" % (i + 1, len(itlib.wire(MESSAGES[k])))
                       for i, k in enumerate(sorted(MESSAGES)))
        r.ok("deb:110-curl-list", out.returncode == 0 and
             out.stdout.replace("\r\n", "\n") == want,
             "%r %s" % (out.stdout, out.stderr))
        out = subprocess.run(["curl", "-sS", "--max-time", "60", url + "2"],
                             capture_output=True, timeout=90,
                             stdin=subprocess.DEVNULL)
        first = sorted(MESSAGES)[1]
        r.ok("deb:110-curl-retr", out.returncode == 0 and
             out.stdout == MESSAGES[first].replace(b"\n", b"\r\n"),
             "%r %r" % (out.stdout, out.stderr))
        p = poplib.POP3("127.0.0.1", srv.port, timeout=60)
        diff = fetch_poplib(p)
        r.ok("deb:110-poplib", diff == "", diff)
        if "-u USER" in open(os.path.join(TOP, "pop3d.8")).read() or \
                re.search(r"^\.It Fl u", open(os.path.join(TOP, "pop3d.8"))
                          .read(), re.M):
            greeting, roots = reader_jailed(srv.port, srv.proc.pid)
            r.ok("deb:110-reader-is-pop3d-in-chroot",
                 greeting.startswith(b"+OK") and roots == [EMPTY],
                 "%r %r" % (greeting, roots))
        else:
            r.skip("deb:110-reader-is-pop3d-in-chroot",
                   "pop3d has no pre-login reader yet")
    finally:
        srv.stop()


def case_upgrade(r, deb):
    with open(STUNNEL_CONF) as f:
        conf = f.read()
    edited = conf.replace("/pop3d-checkpw -s ", "/pop3d-checkpw -s -f %s "
                          % PASSWD)
    args = re.findall(r"^execArgs = .*$", edited, re.M)
    readme = flat(itlib.docs_text())
    r.ok("deb:stunnel-conf-edit", edited != conf and len(args) == 1 and
         flat(args[0]) in readme, args)
    with open(STUNNEL_CONF, "w") as f:
        f.write(edited)
    with open(PASSWD) as f:
        users = f.read()
    out = dpkg(["dpkg", "-i", "--no-triggers", deb])
    with open(STUNNEL_CONF) as f:
        conf_after = f.read()
    with open(PASSWD) as f:
        users_after = f.read()
    r.ok("deb:upgrade-keeps-config", out.returncode == 0 and
         conf_after == edited and users_after == users and
         "alice:" in users, out.stdout + out.stderr)


def case_995(r, log, tmp):
    # The README: the certificate chain and the key where the
    # configuration names them.
    cert, key = ETC + "/pop3s.pem", ETC + "/pop3s.key"
    out = run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
               "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
               "-subj", "/CN=localhost", "-keyout", key, "-out", cert])
    if not r.ok("deb:995-certificate", out.returncode == 0, out.stderr):
        return
    os.chmod(key, 0o600)
    argv = unit_exec("pop3s@.service")
    r.ok("deb:995-unit-runs-the-conffile", argv[1:] == [STUNNEL_CONF] and
         os.access(argv[0], os.X_OK), argv)
    if not os.access(argv[0], os.X_OK):
        return
    srv = Activated(argv, log)
    try:
        ctx = ssl.create_default_context(cafile=cert)
        p = poplib.POP3_SSL("localhost", srv.port, context=ctx, timeout=60)
        diff = fetch_poplib(p)
        r.ok("deb:995-poplib-tls", diff == "", diff)
    except (OSError, poplib.error_proto) as e:
        r.ok("deb:995-poplib-tls", False, repr(e))
    finally:
        srv.stop()


def case_purge(r, files, before):
    for f in (ETC + "/pop3s.pem", ETC + "/pop3s.key"):
        if os.path.exists(f):
            os.unlink(f)
    start = time.time()
    out = dpkg(["dpkg", "--purge", "pop3d"])
    r.ok("deb:purge", out.returncode == 0 and not installed(),
         out.stdout + out.stderr)
    left = [f for f in files if os.path.lexists(f) and not before.get(f)]
    r.ok("deb:purge-leaves-no-file", left == [], left)
    gone = [f for f in files if before.get(f) and not os.path.lexists(f)]
    r.ok("deb:purge-keeps-shared-dirs", gone == [], gone)
    r.ok("deb:purge-removes-account", not account_exists())
    left = [p for p in ("/var/lib/pop3d", ETC) if os.path.lexists(p)]
    # The tests' set-up (itlib) of a make check running at the same time
    # may have made the chroot again: one made before the purge began
    # (the package's, had its postrm missed it) still counts.
    if "/var/lib/pop3d" in left and empty_as_made() and \
            os.stat(EMPTY).st_ctime > start - 1:
        print("deb: %s made again since the purge" % EMPTY,
              file=sys.stderr)
        left.remove("/var/lib/pop3d")
    r.ok("deb:purge-removes-state", left == [],
         [(p, os.listdir(p)) for p in left if os.path.isdir(p)])
    after = snapshot()
    new = sorted("%s/%s" % (d, n) for d in WATCH
                 for n in after[d] - before["watch"][d])
    r.ok("deb:purge-leaves-no-trace", new == [], new)


def guard(r, name, fn, *args):
    """Runs one case; an exception fails it, and the next case runs."""
    try:
        fn(*args)
    except (OSError, subprocess.SubprocessError, poplib.error_proto,
            ValueError, KeyError, IndexError) as e:
        r.ok("deb:%s-unexpected-error" % name, False, repr(e))


def leave_as_found():
    """After a failure: no package, account, group or directory of it,
    whatever its purge left.  Nothing of these was here before."""
    for f in (ETC + "/pop3s.pem", ETC + "/pop3s.key"):
        if os.path.exists(f):
            os.unlink(f)
    for attempt in range(2):
        # A second purge, once the account is gone, if its postrm failed.
        if run(["dpkg-query", "-W", "pop3d"]).returncode == 0:
            dpkg(["dpkg", "--purge", "pop3d"])
        for argv in (["userdel", "pop3d"], ["groupdel", "pop3d"]):
            if account_exists():
                run(argv)
    shutil.rmtree(ETC, ignore_errors=True)
    shutil.rmtree(os.path.dirname(EMPTY), ignore_errors=True)


def main():
    r = itlib.Results()
    missing = itlib.have("dpkg-buildpackage", "dh", "lintian", "curl",
                         "openssl", "systemd-socket-activate", "adduser")
    if missing:
        r.skip("deb", "missing " + " ".join(missing))
        return 0
    if not itlib.ROOT:
        r.skip("deb", "needs root to install the package")
        return 0
    lock = open(LOCK, "w")
    for _ in range(90):
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            time.sleep(1)
    else:
        r.skip("deb", "another run of this test holds " + LOCK)
        return 0
    # The tests' own set-up (itlib) makes the reader's default chroot
    # as root: that one, empty, is put back after the purge.
    had_empty = empty_as_made()
    there = [p for p in ("/var/lib/pop3d", ETC) if os.path.lexists(p)
             and not (p == "/var/lib/pop3d" and had_empty)]
    if installed() or account_exists() or there:
        r.skip("deb", "a pop3d package, account or directory (%s) is "
               "already here; the purge would remove it" % " ".join(there))
        return 0

    tmp = tempfile.mkdtemp(prefix="pop3d-deb.")
    os.chmod(tmp, 0o755)
    log = os.path.join(tmp, "log")
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    to_purge = False
    lint = None
    try:
        shutil.rmtree(OUT, ignore_errors=True)
        env = dict(os.environ, DEB_BUILD_OPTIONS="nocheck noautodbgsym")
        for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL"):
            env.pop(k, None)
        out = run(["sh", os.path.join(TOP, "debian", "build-deb.sh"), OUT],
                  timeout=600, env=env)
        debs = [f for f in os.listdir(OUT) if f.endswith(".deb")] \
            if os.path.isdir(OUT) else []
        if not r.ok("deb:build", out.returncode == 0 and len(debs) == 1,
                    out.stdout[-3000:] + out.stderr[-3000:]):
            return 0
        deb = os.path.join(OUT, debs[0])
        progress("built")
        changes = [os.path.join(OUT, f) for f in os.listdir(OUT)
                   if f.endswith(".changes")]
        # lintian takes as long as the rest: it runs meanwhile.
        lint_out = open(os.path.join(tmp, "lintian"), "w+")
        lint = subprocess.Popen(["lintian", "--fail-on", "error,warning",
                                 *changes], stdin=subprocess.DEVNULL,
                                stdout=lint_out, stderr=subprocess.STDOUT,
                                start_new_session=True)
        tar = subprocess.run("dpkg-deb --fsys-tarfile %s | tar -tf -"
                             % shlex.quote(deb), shell=True,
                             capture_output=True, text=True, timeout=60)
        paths = sorted({os.path.normpath("/" + p).rstrip("/") or "/"
                        for p in tar.stdout.split()})
        before = {p: os.path.lexists(p) for p in paths}
        before["watch"] = snapshot()

        to_purge = True
        # dpkg -i rather than "apt install ./pop3d_*.deb": the same
        # unpack and postinst without apt's package lists, which cost
        # more than the rest of the install.  --no-triggers: man-db's
        # index is updated once, by the purge.
        out = dpkg(["dpkg", "-i", "--no-triggers", deb], timeout=300)
        if not r.ok("deb:install", out.returncode == 0 and installed(),
                    out.stdout + out.stderr):
            return 0
        files = [os.path.normpath(l) for l in
                 run(["dpkg", "-L", "pop3d"]).stdout.splitlines()
                 if l.startswith("/")]
        r.ok("deb:dpkg-L-is-the-deb", sorted(set(files) | {"/"}) ==
             sorted(set(paths) | {"/"}), set(files) ^ set(paths))
        progress("installed")
        guard(r, "install", case_install, r, files)
        home = make_home(tmp)
        add_user(r, files, home)
        guard(r, "110", case_110, r, log)
        progress("110 done")
        guard(r, "upgrade", case_upgrade, r, deb)
        progress("upgraded")
        guard(r, "995", case_995, r, log, tmp)
        progress("995 done")
        case_purge(r, files, before)
        progress("purged")
        lint.wait(timeout=300)
        lint_out.seek(0)
        text = lint_out.read()
        msgs = [l for l in text.splitlines() if re.match(r"^[EW]: ", l)]
        r.ok("deb:lintian", lint.returncode == 0 and msgs == [], text)
        progress("lintian done")
    except Exception as e:
        r.ok("deb:unexpected-error", False, repr(e))
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if lint is not None and lint.poll() is None:
            os.killpg(lint.pid, signal.SIGTERM)
            lint.wait(timeout=30)
        if to_purge:
            leave_as_found()
        if r.failed and os.path.exists(log):
            with open(log, errors="replace") as f:
                sys.stderr.write("deb: server log:\n" + f.read()[-4000:])
        shutil.rmtree(tmp, ignore_errors=True)
        if had_empty:
            restore_empty()
    return 0


if __name__ == "__main__":
    sys.exit(main())
