#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""tests/system/checks.py DIR: the checks of make check-system, run as
root inside a Debian container booted with systemd as PID 1 (run.sh),
on a private network.  DIR holds pop3d_*.deb (the build under test)
and prev/pop3d_*.deb (the same build with a lower version).

  install   the previous build, an edited conffile, dpkg -i of this
            one: the edit stays, the sockets are not enabled
  110       pop3d.socket as shipped: a chpasswd (yescrypt) user with
            curl and poplib, RETR bytes, DELE + QUIT on disk; a wrong
            password: -ERR [AUTH], LOGIN FAILED in the journal and in
            /var/log/mail.log (rsyslog)
  proc      a live session: the reader's uid, root, NoNewPrivs and
            Seccomp; the service's CapBnd; the back end's uid,
            NoNewPrivs and its own seccomp filter; no "without
            Landlock" line
  kill      a stopped reader is killed at the login deadline
  995       pop3s.socket (stunnel) with a certificate put where the
            README says: poplib over TLS, no error line from stunnel
  passwd    the README's drop-in and pop3d-passwd: a virtual user
  fail2ban  the README's jail, and its journal variant without
            rsyslog, ban a client (127.0.0.2, .3) after maxretry
            failures: no greeting for it, one for 127.0.0.1
  purge     no account, directory, unit or process left

The drop-in and the jail are read from the installed README and doc/
pages.  Prints "ok NAME" or "FAIL NAME"; a failure's detail, with the
journal's error lines (such as the reader's "cannot chroot"), goes to stderr.
Every wait is bounded, and an alarm bounds the whole run.
"""
import glob
import gzip
import os
import poplib
import pwd
import re
import signal
import socket
import ssl
import subprocess
import sys
import time

DIR = sys.argv[1]
PASSWORD = "correct horse battery"
WRONG = "not the password"
README = "/usr/share/doc/pop3d/README.gz"
DOCDIR = "/usr/share/doc/pop3d/doc"
STUNNEL_CONF = "/etc/pop3d/pop3s-stunnel.conf"
EMPTY = "/var/lib/pop3d/empty"
# The capabilities the session units leave (pop3d@.service): switching
# users, reading shadow, the reader's chroot, killing the reader.
CAP_WANT = {"CAP_DAC_READ_SEARCH": 2, "CAP_KILL": 5, "CAP_SETGID": 6,
            "CAP_SETUID": 7, "CAP_SYS_CHROOT": 18}
MESSAGES = {
    "1600000001.M1P1.sys": b"From: a@example.org\nSubject: one\n\nhello\n",
    "1600000002.M2P2.sys": b"Subject: dots\n\n.\n..\n.leading dot\nend\n",
    "1600000003.M3P3.sys": b"Subject: crlf\r\n\r\nline one\r\nline two\r\n",
}
T0 = time.time()
failed = 0


def ok(name, cond, detail=""):
    global failed
    if cond:
        print("ok %s" % name, flush=True)
    else:
        failed += 1
        print("FAIL %s" % name, flush=True)
        print("  %s: %s" % (name, detail), file=sys.stderr, flush=True)
    return cond


def run(argv, input=None, timeout=120, check=False):
    out = subprocess.run(argv, input=input, capture_output=True, text=True,
                         timeout=timeout,
                         stdin=None if input is not None else
                         subprocess.DEVNULL)
    if check and out.returncode != 0:
        raise RuntimeError("%s: %s%s" % (" ".join(argv), out.stdout,
                                         out.stderr))
    return out


def journal(*args, since=None):
    out = run(["journalctl", "--no-pager", "-q", "-o", "short",
               "--since", "@%d" % int(since or T0), *args])
    return out.stdout


def errors(since):
    """The journal's error lines since a time: what a failure shows."""
    text = journal("-p", "err", since=since)
    return "journal errors since the step began:\n" + (
        text if text.strip() else "    (none)\n")


def wire(data):
    """The octets RETR sends for a message, without the final dot."""
    return re.sub(rb"\r?\n", b"\r\n", data)


def settle(pred, secs=20):
    end = time.monotonic() + secs
    while True:
        v = pred()
        if v or time.monotonic() > end:
            return v
        time.sleep(0.2)


def doc_texts():
    """The installed README and doc/ pages (dh_compress gzips the big ones)."""
    names = [README] + sorted(glob.glob(os.path.join(DOCDIR, "*.md*")))
    for name in names:
        opener = gzip.open if name.endswith(".gz") else open
        with opener(name, "rt") as f:
            yield name, f.read().splitlines()


def readme_block(after):
    """The block that follows the line containing `after`, in the
    installed README or doc/ pages: a fenced block, or indented lines."""
    for _, lines in doc_texts():
        hits = [n for n, l in enumerate(lines) if after in l]
        if hits:
            break
    else:
        raise LookupError("no installed page has %r" % after)
    i = hits[0] + 1
    while not lines[i].strip():
        i += 1
    block = []
    if lines[i].startswith("```"):
        i += 1
        while i < len(lines) and not lines[i].startswith("```"):
            block.append(lines[i])
            i += 1
        return "\n".join(block).strip() + "\n"
    while i < len(lines) and (lines[i].startswith("    ") or
                              not lines[i].strip()):
        block.append(lines[i][4:])
        i += 1
    return "\n".join(block).strip() + "\n"


def fill_maildir(home, user):
    md = os.path.join(home, "Maildir")
    for sub in ("new", "cur", "tmp"):
        os.makedirs(os.path.join(md, sub), exist_ok=True)
        for n in os.listdir(os.path.join(md, sub)):
            os.unlink(os.path.join(md, sub, n))
    t = 1600000000
    for name in sorted(MESSAGES):
        p = os.path.join(md, "new", name)
        with open(p, "wb") as f:
            f.write(MESSAGES[name])
        t += 10
        os.utime(p, (t, t))
    pw = pwd.getpwnam(user)
    for d, dirs, files in os.walk(md):
        os.chown(d, pw.pw_uid, pw.pw_gid)
        for f in files:
            os.chown(os.path.join(d, f), pw.pw_uid, pw.pw_gid)
    return md


def in_maildir(md):
    return sorted(n.split(":")[0] for s in ("new", "cur")
                  for n in os.listdir(os.path.join(md, s)))


def greeting(addr, src=None, timeout=5):
    """The first line the server sends, b"" for none."""
    s = socket.socket()
    s.settimeout(timeout)
    try:
        if src:
            s.bind((src, 0))
        s.connect((addr, 110))
        data = b""
        while not data.endswith(b"\n"):
            b = s.recv(512)
            if not b:
                break
            data += b
        return data
    except OSError as e:
        return repr(e).encode()
    finally:
        s.close()


def poplib_fetch(p, user, password, dele=None):
    """Logs in, RETRs every message, DELEs message dele, QUITs.
    Returns the messages' bytes as RETR sent them."""
    p.user(user)
    p.pass_(password)
    n = p.stat()[0]
    got = [b"".join(l + b"\r\n" for l in p.retr(i)[1])
           for i in range(1, n + 1)]
    if dele:
        p.dele(dele)
    p.quit()
    return got


def proc_status(pid):
    with open("/proc/%d/status" % pid) as f:
        return dict(l.rstrip("\n").split(":\t", 1) for l in f if ":\t" in l)


def session_pids(port):
    """pid -> (uid, comm) of the processes in the service of the
    session whose client port is port."""
    out = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/cgroup" % d) as f:
                cg = f.read()
            if not re.search(r"pop3d@[^/]*:%d\.service" % port, cg):
                continue
            with open("/proc/%s/comm" % d) as f:
                comm = f.read().strip()
            out[int(d)] = (os.stat("/proc/" + d).st_uid, comm)
        except OSError:
            continue
    return out


def caps(hexmask):
    m = int(hexmask, 16)
    return {n for n in range(64) if m >> n & 1}


def step_install():
    prev = glob.glob(os.path.join(DIR, "prev", "pop3d_*.deb"))
    cur = glob.glob(os.path.join(DIR, "pop3d_*.deb"))
    out = run(["dpkg", "-i", prev[0]], timeout=300)
    if not ok("install-previous", out.returncode == 0,
              out.stdout + out.stderr):
        return False
    # An administrator's edit of a conffile, then the upgrade.
    with open(STUNNEL_CONF, "a") as f:
        f.write("; edited here before the upgrade\n")
    with open(STUNNEL_CONF) as f:
        edited = f.read()
    out = run(["dpkg", "-i", cur[0]], timeout=300)
    ver = run(["dpkg-query", "-W", "-f", "${Version}", "pop3d"]).stdout
    want = run(["dpkg-deb", "-f", cur[0], "Version"]).stdout.strip()
    ok("upgrade-installs-this-build", out.returncode == 0 and ver == want,
       out.stdout + out.stderr + ver)
    with open(STUNNEL_CONF) as f:
        after = f.read()
    ok("upgrade-keeps-edited-conffile", after == edited,
       "now:\n" + after[-300:])
    units = [u for u in ("pop3d.socket", "pop3s.socket")
             if run(["systemctl", "is-enabled", u]).stdout.strip() !=
             "disabled"]
    ok("units-installed-not-enabled", units == [], units)
    return out.returncode == 0


def step_110():
    since = time.time()
    run(["useradd", "-m", "-s", "/bin/bash", "alice"], check=True)
    run(["chpasswd"], input="alice:%s\n" % PASSWORD, check=True)
    with open("/etc/shadow") as f:
        h = [l.split(":")[1] for l in f if l.startswith("alice:")][0]
    ok("chpasswd-yescrypt", h.startswith("$y$"), h[:4])
    md = fill_maildir(pwd.getpwnam("alice").pw_dir, "alice")
    out = run(["systemctl", "enable", "--now", "pop3d.socket"])
    ok("110-enable-socket", out.returncode == 0, out.stderr)
    want = [wire(MESSAGES[k]) for k in sorted(MESSAGES)]

    out = subprocess.run(["curl", "-sS", "--max-time", "30",
                          "-u", "alice:" + PASSWORD,
                          "pop3://127.0.0.1/2"], capture_output=True,
                         stdin=subprocess.DEVNULL, timeout=60)
    ok("110-curl-retr", out.returncode == 0 and out.stdout == want[1],
       "%r %r\n%s" % (out.stdout[:200], out.stderr, errors(since)))
    try:
        p = poplib.POP3("127.0.0.1", 110, timeout=30)
        got = poplib_fetch(p, "alice", PASSWORD, dele=1)
        ok("110-poplib-retr-bytes", got == want, "%r\n%s" % (got, errors(
            since)))
        left = in_maildir(md)
        ok("110-dele-quit-removes", left == sorted(MESSAGES)[1:], left)
    except (OSError, poplib.error_proto) as e:
        ok("110-poplib-retr-bytes", False, "%r\n%s" % (e, errors(since)))

    # A wrong password: the answer, then the line fail2ban reads.
    since = time.time()
    try:
        p = poplib.POP3("127.0.0.1", 110, timeout=30)
        p.user("alice")
        try:
            p.pass_(WRONG)
            ans = b"+OK"
        except poplib.error_proto as e:
            ans = e.args[0]
        p.quit()
    except (OSError, poplib.error_proto) as e:
        ans = repr(e).encode()
    ok("110-wrong-password-auth", ans.startswith(b"-ERR [AUTH]"), ans)
    line = re.compile(r"pop3d\[\d+\]: LOGIN FAILED, user=alice, "
                      r"ip=\[127\.0\.0\.1\]")
    ok("110-login-failed-journal", settle(lambda: line.search(
        journal("-t", "pop3d", since=since))), journal(since=since))

    def maillog():
        try:
            with open("/var/log/mail.log") as f:
                return line.search(f.read())
        except OSError:
            return None
    ok("110-login-failed-mail-log", settle(maillog),
       run(["tail", "-5", "/var/log/mail.log"]).stdout)
    return md


def step_proc():
    """What the kernel applied to a live session: the reader before
    login, the back end after it."""
    since = time.time()
    s = socket.create_connection(("127.0.0.1", 110), timeout=30)
    f = s.makefile("rb")
    try:
        g = f.readline()
        port = s.getsockname()[1]
        procs = settle(lambda: session_pids(port), 10)
        pop3d_uid = pwd.getpwnam("pop3d").pw_uid
        root = [p for p, (u, c) in procs.items() if u == 0 and c == "pop3d"]
        reader = [p for p, (u, c) in procs.items() if u == pop3d_uid]
        if not ok("proc-session-found", g.startswith(b"+OK") and
                  len(root) == 1 and len(reader) == 1,
                  "%r %r\n%s" % (g, procs, errors(since))):
            return
        st = proc_status(reader[0])
        ok("proc-reader-uid", st["Uid"].split() == [str(pop3d_uid)] * 4,
           st["Uid"])
        rdir = os.readlink("/proc/%d/root" % reader[0])
        ok("proc-reader-root-dir", rdir == EMPTY, rdir)
        ok("proc-reader-no-new-privs", st["NoNewPrivs"] == "1", st)
        ok("proc-reader-seccomp", st["Seccomp"] == "2", st)
        bnd = caps(proc_status(root[0])["CapBnd"])
        ok("proc-service-capbnd", bnd == set(CAP_WANT.values()),
           "%s, want %s" % (sorted(bnd), CAP_WANT))

        s.sendall(b"USER alice\r\nPASS %s\r\n" % PASSWORD.encode())
        a, b = f.readline(), f.readline()
        alice = pwd.getpwnam("alice").pw_uid
        back = [p for p, (u, c) in session_pids(port).items()
                if u == alice]
        if not ok("proc-backend-found", b.startswith(b"+OK") and
                  len(back) == 1, "%r %r\n%s" % (a, b, errors(since))):
            return
        st = proc_status(back[0])
        ok("proc-backend-uid", st["Uid"].split() == [str(alice)] * 4,
           st["Uid"])
        ok("proc-backend-no-new-privs", st["NoNewPrivs"] == "1", st)
        # The unit's filter is one; the back end's own makes two.
        ok("proc-backend-seccomp", st["Seccomp"] == "2" and
           int(st.get("Seccomp_filters", "0")) >= 2, st)
        s.sendall(b"QUIT\r\n")
        f.readline()
    finally:
        f.close()
        s.close()
    # Landlock leaves no trace in /proc: the back end says when it runs
    # without it, and the kernel here has it (run.sh allows the calls).
    # Its login line proves that its lines reach the journal.
    text = settle(lambda: (lambda t: "login: user=alice" in t and t)(
        journal("-t", "pop3d", since=since)), 10) or ""
    lines = [l for l in text.splitlines()
             if "Landlock" in l or "sandbox" in l]
    ok("proc-backend-landlock", text and lines == [], text)


def unit_exec(unit):
    out = run(["systemctl", "cat", unit]).stdout
    return [l.split("=", 1)[1] for l in out.splitlines()
            if l.startswith("ExecStart=")][-1]


def dropin(unit, text):
    d = "/etc/systemd/system/%s.d" % unit
    if text is None:
        os.unlink(d + "/override.conf")
        os.rmdir(d)
    else:
        os.makedirs(d, exist_ok=True)
        with open(d + "/override.conf", "w") as f:
            f.write(text)
    run(["systemctl", "daemon-reload"], check=True)


def step_kill():
    """A reader that overruns the login deadline (here: stopped) is
    killed by the root side, although it runs as another user."""
    since = time.time()
    argv = unit_exec("pop3d@.service").split()
    dropin("pop3d@.service", "[Service]\nExecStart=\nExecStart=%s\n"
           % " ".join(argv[:1] + ["-A", "1"] + argv[1:]))
    s = socket.create_connection(("127.0.0.1", 110), timeout=30)
    try:
        g = s.recv(512)
        port = s.getsockname()[1]
        pop3d_uid = pwd.getpwnam("pop3d").pw_uid
        reader = [p for p, (u, c) in settle(lambda: session_pids(port),
                                            10).items() if u == pop3d_uid]
        if not ok("kill-reader-found", g.startswith(b"+OK") and
                  len(reader) == 1, "%r\n%s" % (g, errors(since))):
            return
        os.kill(reader[0], 19)  # SIGSTOP
        s.settimeout(25)
        try:
            eof = s.recv(512) == b""
        except OSError as e:
            eof = repr(e)
        gone = settle(lambda: session_pids(port) == {}, 5)
        ok("kill-reader-overrunning-deadline", eof is True and gone,
           "eof %r, left %r\n%s" % (eof, session_pids(port),
                                     journal("-t", "pop3d", since=since)))
    finally:
        s.close()
        dropin("pop3d@.service", None)


def step_995():
    since = time.time()
    # The README's way: the chain and the key where the conffile says.
    key, cert = "/root/KEY.pem", "/root/CERTIFICATE-CHAIN.pem"
    out = run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
               "-days", "2", "-subj", "/CN=localhost",
               "-keyout", key, "-out", cert])
    ok("995-certificate", out.returncode == 0, out.stderr)
    run(["cp", cert, "/etc/pop3d/pop3s.pem"], check=True)
    run(["install", "-m", "600", key, "/etc/pop3d/pop3s.key"], check=True)
    out = run(["systemctl", "enable", "--now", "pop3s.socket"])
    ok("995-enable-socket", out.returncode == 0, out.stderr)
    md = fill_maildir(pwd.getpwnam("alice").pw_dir, "alice")
    want = [wire(MESSAGES[k]) for k in sorted(MESSAGES)]
    try:
        ctx = ssl.create_default_context(cafile=cert)
        p = poplib.POP3_SSL("localhost", 995, context=ctx, timeout=30)
        got = poplib_fetch(p, "alice", PASSWORD)
        ok("995-poplib-tls-bytes", got == want,
           "%r\n%s" % (got, errors(since)))
    except (OSError, poplib.error_proto) as e:
        ok("995-poplib-tls-bytes", False, "%r\n%s" % (e, errors(since)))
    time.sleep(0.5)
    bad = journal("-t", "stunnel", "-p", "err", since=since)
    ok("995-no-stunnel-error", bad.strip() == "", bad)
    return md


def step_passwd_file():
    since = time.time()
    run(["useradd", "-r", "-s", "/usr/sbin/nologin", "vmail"], check=True)
    home = "/var/mail/bob"
    out = run(["pop3d-passwd", "add", "-u", "vmail", "-d", home, "-m",
               "-s", "bob"], input=PASSWORD + "\n")
    ok("passwd-file-add-user", out.returncode == 0 and
       os.path.isdir(home + "/Maildir/new"), out.stdout + out.stderr)
    fill_maildir(home, "vmail")
    text = readme_block("systemctl edit pop3d@.service")
    ok("passwd-file-readme-drop-in", "-f /etc/pop3d/passwd" in text,
       text)
    dropin("pop3d@.service", text)
    want = [wire(MESSAGES[k]) for k in sorted(MESSAGES)]
    try:
        p = poplib.POP3("127.0.0.1", 110, timeout=30)
        got = poplib_fetch(p, "bob", PASSWORD)
        ok("passwd-file-login", got == want, "%r\n%s" % (got, errors(
            since)))
    except (OSError, poplib.error_proto) as e:
        ok("passwd-file-login", False, "%r\n%s" % (e, errors(since)))
    dropin("pop3d@.service", None)


def fail_login(src):
    s = socket.socket()
    s.settimeout(10)
    try:
        s.bind((src, 0))
        s.connect(("127.0.0.1", 110))
        f = s.makefile("rb")
        f.readline()
        s.sendall(b"USER alice\r\nPASS %s\r\n" % WRONG.encode())
        f.readline()
        ans = f.readline()
        s.sendall(b"QUIT\r\n")
        f.readline()
        return ans
    except OSError as e:
        return repr(e).encode()
    finally:
        s.close()


def step_fail2ban(tag, jail, src):
    """fail2ban with jail bans src after maxretry failed logins, and
    only src.  Each run has its own address: bans outlive restarts."""
    since = time.time()
    with open("/etc/fail2ban/jail.local", "w") as f:
        f.write(jail)
    out = run(["systemctl", "restart", "fail2ban"], timeout=120)
    up = settle(lambda: run(["fail2ban-client", "status", "courier-auth"])
                .returncode == 0, 30)
    if not ok(tag + "-jail-up", out.returncode == 0 and up,
              out.stderr + journal("-u", "fail2ban", since=since) +
              run(["tail", "-20", "/var/log/fail2ban.log"]).stdout):
        return
    n = int(run(["fail2ban-client", "get", "courier-auth",
                 "maxretry"]).stdout.strip())
    ok(tag + "-greets-before", greeting("127.0.0.1", src)
       .startswith(b"+OK"))
    answers = [fail_login(src) for _ in range(n)]
    # The root side logs the n-th failure before the brake lets the
    # answer go, so the ban may come first and swallow that answer.
    line = re.compile(r"LOGIN FAILED, user=alice, ip=\[%s\]"
                      % re.escape(src))
    logged = len(line.findall(journal("-t", "pop3d", since=since)))
    ok(tag + "-failures", logged == n and
       all(a.startswith(b"-ERR [AUTH]") for a in answers[:-1]),
       "%d lines, answers %r" % (logged, answers))

    def banned():
        st = run(["fail2ban-client", "status", "courier-auth"]).stdout
        return src in st.split("Banned IP list:")[-1].split()
    ok(tag + "-bans-after-maxretry", settle(banned, 30),
       run(["fail2ban-client", "status", "courier-auth"]).stdout +
       run(["tail", "-20", "/var/log/fail2ban.log"]).stdout)
    g = greeting("127.0.0.1", src)
    ok(tag + "-ban-is-real", not g.startswith(b"+OK"), g)
    g = greeting("127.0.0.1", "127.0.0.1")
    ok(tag + "-others-served", g.startswith(b"+OK"), g)
    # Stopping fail2ban lifts the ban; a session cut off by it then
    # learns that its client has gone.
    run(["systemctl", "stop", "fail2ban"], timeout=120)
    settle(lambda: "pop3d@" not in run(["systemctl", "list-units",
                                        "--plain", "--no-legend",
                                        "pop3d@*"]).stdout, 30)


def step_fail2ban_both():
    # The README's jail as it stands: mail.log, written by rsyslog.
    jail = readme_block("/etc/fail2ban/jail.local")
    step_fail2ban("fail2ban", jail, "127.0.0.2")
    # Its variant for a system without rsyslog (Debian 13 has none by
    # default): the two lines it says to uncomment, rsyslog stopped.
    uncomment = ("#backend = systemd", "#journalmatch = ")
    lines = [l[1:] if l.startswith(uncomment) else l
             for l in jail.splitlines()]
    if not ok("fail2ban-journal-readme-lines",
              sum(l.startswith(uncomment) for l in jail.splitlines()) == 2,
              jail):
        return
    run(["systemctl", "stop", "rsyslog.service", "syslog.socket"])
    step_fail2ban("fail2ban-journal", "\n".join(lines) + "\n", "127.0.0.3")
    run(["systemctl", "start", "rsyslog.service"])


def step_purge():
    for f in ("/etc/pop3d/pop3s.pem", "/etc/pop3d/pop3s.key"):
        os.unlink(f)
    out = run(["systemctl", "disable", "--now", "pop3d.socket",
               "pop3s.socket"])
    out = run(["dpkg", "--purge", "pop3d"], timeout=300)
    ok("purge", out.returncode == 0, out.stdout + out.stderr)
    left = [p for p in ("/etc/pop3d", "/var/lib/pop3d") if
            os.path.lexists(p)]
    left += glob.glob("/lib/systemd/system/pop3*") + \
        glob.glob("/usr/lib/systemd/system/pop3*") + \
        glob.glob("/etc/systemd/system/*/pop3*") + \
        glob.glob("/etc/systemd/system/pop3*")
    ok("purge-leaves-no-dir-or-unit", left == [], left)
    acct = [n for n in ("passwd", "group") if run(["getent", n, "pop3d"])
            .returncode == 0]
    ok("purge-removes-account", acct == [], acct)
    run(["systemctl", "daemon-reload"])
    units = run(["systemctl", "list-units", "--all", "--plain",
                 "--no-legend", "pop3*"]).stdout
    ok("purge-no-unit-loaded", units.strip() == "", units)
    procs = run(["pgrep", "-a", "pop3d|stunnel"]).stdout
    ok("purge-nothing-running", procs.strip() == "", procs)


def main():
    if step_install():
        step_110()
        step_proc()
        step_kill()
        step_995()
        step_passwd_file()
        step_fail2ban_both()
        step_purge()
    return 1 if failed else 0


if __name__ == "__main__":
    signal.alarm(600)   # whatever hangs, the run ends (SIGALRM kills)
    try:
        sys.exit(main())
    except Exception as e:
        ok("unexpected-error", False, "%r\n%s" % (e, errors(T0)))
        sys.exit(1)
