#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""The documentation cannot drift from the programs: the README and
every page under doc/ are read, and

  fences    every fenced block has an info string this test knows:
            sh (commands a reader types against a running server),
            sh system (commands that install or change the system,
            not run here), text, ini, or a client's configuration
            file (fetchmailrc, getmailrc, mpoprc); a command line in
            a text block fails, so nothing escapes by its fence
  cmd       every command in an sh block is run, with the paths, the
            user, the host name and the ports substituted (SUBST
            below), against a real server this test starts: tcpserver
            on 127.0.0.1 and a free port running the built pop3d,
            pop3d-checkpw and pop3d -m Maildir, stunnel in front of it
            for port 995 and for STLS, a test user and a Maildir in a
            scratch directory; its exit status and the output that
            matters are checked.  A command no rule below knows fails
            until it gets one or moves to an sh system block.
  conf      each client configuration file is used by the real client
            as the mail user (the user, the password and the port
            substituted; fetchmail gets an mda, where it would hand the
            mail to the local MTA): the first run fetches every
            message, the second none, and the mail stays on the server
  system    every command in an sh system block starts with a word
            that changes the system (SYSTEM_VERBS): a client command
            cannot hide there
  options   every option the documents give pop3d, pop3d-checkpw or
            pop3d-passwd exists in its man page
  links     every doc/ page is named in the README, every doc/ path
            the README names exists, every relative link and anchor
            in doc/ resolves
  length    the README has at most 200 lines

Every wait is bounded; everything lives in a scratch directory (0755,
under the system's temporary directory) that is removed at the end.
"""
import glob
import os
import pty
import re
import select
import shlex
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itlib  # noqa: E402
import tlslib  # noqa: E402

TOP = itlib.TOP
R = itlib.Results()
README_MAX = 200
INFOS = {"sh", "sh system", "text", "ini", "fetchmailrc", "getmailrc",
         "mpoprc"}
# First words of the commands that change the system.
SYSTEM_VERBS = {"make", "apt", "apt-get", "systemctl", "cp", "install",
                "mkdir", "ln", "useradd", "passwd", "su", "chroot",
                "tcpserver", "perdition", "cd", "env", "mknod"}
# Command words that, at the start of a line of a text block and followed
# by a single space (not table columns), mean a command someone would type.
COMMANDS = {"curl", "openssl", "python3", "nc", "printf", "pop3d-passwd",
            "fetchmail", "mpop", "getmail", "fail2ban-regex", "diff",
            "chroot", "tcpserver"} | SYSTEM_VERBS
USER, PASSWORD = "alice", "secret"
NEWPASS = "new secret 2"
TIMEOUT = 60


def documents():
    pages = sorted(glob.glob(os.path.join(TOP, "doc", "*.md")))
    return [os.path.join(TOP, "README")] + pages


def rel(path):
    return os.path.relpath(path, TOP)


def fences(path):
    """[(info, first line number, [lines])] of one document."""
    out = []
    info = None
    with open(path) as f:
        for n, line in enumerate(f.read().split("\n"), 1):
            if info is None and line.startswith("```"):
                info, start, body = line[3:].strip(), n + 1, []
            elif info is not None and line.startswith("```"):
                out.append((info, start, body))
                info = None
            elif info is not None:
                body.append(line)
    return out


def commands(body, start):
    """[(line number, command)]: continuation lines joined, blank lines
    and comment lines left out."""
    out = []
    cur, first = "", None
    for n, line in enumerate(body, start):
        if first is None:
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            first = n
        if line.endswith("\\"):
            cur += line[:-1]
            continue
        out.append((first, " ".join((cur + line).split())))
        cur, first = "", None
    return out


# ---------------------------------------------------------------------
# The servers and the substitution of paths, names and ports.

class World:
    """The scratch tree, the servers (started when first needed) and
    what the commands have done so far."""

    def __init__(self):
        self.sc = itlib.Scratch(password=PASSWORD)
        self.etc = os.path.join(self.sc.dir, "etc")
        os.makedirs(self.etc, mode=0o755)
        self.servers = {}
        self.scratches = [self.sc]

    def server(self, kind):
        if kind in self.servers:
            return self.servers[kind]
        front = ("-d", "0", "-p", "loopback")
        if kind == "plain":
            s = itlib.Server("tcpserver", self.sc.command(front), self.sc.log)
        elif kind == "pwfile":
            sc = self.sc
            argv = [sc.pop3d, "-r", sc.empty, *front, sc.checkpw, "-f",
                    self.pwfile(), sc.pop3d, "-m", "Maildir"]
            s = itlib.Server("tcpserver", argv, sc.log)
        else:
            cert, key = self.certificate()
            example = {"pop3s": "pop3s.conf", "stls": "pop3-stls.conf"}[kind]
            s = tlslib.stunnel(self.sc, example,
                               tlslib.example_front(example), cert, key)
        self.servers[kind] = s
        return s

    def port(self, kind):
        return self.server(kind).port

    def certificate(self):
        """The certificate the README's openssl command made, or, where
        that command has not run, one made here."""
        cert = os.path.join(self.etc, "pop3s.pem")
        key = os.path.join(self.etc, "pop3s.key")
        if not (os.path.exists(cert) and os.path.exists(key)):
            cert, key = tlslib.make_cert(self.sc.dir)
        return cert, key

    def pwfile(self):
        """The passwd-file pop3d-passwd manages: empty at first, as the
        package installs /etc/pop3d/passwd."""
        p = os.path.join(self.etc, "passwd")
        if not os.path.exists(p):
            with open(p, "w"):
                pass
            os.chmod(p, 0o600)
            os.makedirs(os.path.join(self.sc.dir, "var", "mail"),
                        mode=0o755)
        return p

    def stop(self):
        for s in self.servers.values():
            s.stop()
        for sc in self.scratches:
            sc.cleanup()


# (pattern, replacement) in this order; {x} is filled from the world.
SUBST = [
    # curl asks for a password that -u does not give; the test gives it.
    (r"-u USER(?=\s|$)", "-u USER:PASSWORD"),
    (r"\$\(hostname -f\)", "localhost"),
    (r"\bHOSTNAME\b", "localhost"),
    (r"\bUSER:PASSWORD\b", USER + ":" + PASSWORD),
    (r"\bNAME:SECRET\b", USER + ":" + PASSWORD),
    (r'"USER"', '"%s"' % USER),
    (r'"PASSWORD"', '"%s"' % PASSWORD),
    (r"pop3://([^@/ ]+)@127\.0\.0\.1/", r"pop3://\1@127.0.0.1:{plain}/"),
    (r"pop3s://([^@/ ]+)@localhost/", r"pop3s://\1@localhost:{pop3s}/"),
    (r"pop3s://localhost/", "pop3s://localhost:{pop3s}/"),
    (r"pop3://([^@/ ]+)@localhost:110/", r"pop3://\1@localhost:{stls}/"),
    (r'POP3\("127\.0\.0\.1"\)', 'POP3("127.0.0.1", {plain})'),
    (r'POP3_SSL\("localhost", 995', 'POP3_SSL("localhost", {pop3s}'),
    (r"nc 127\.0\.0\.1 110\b", "nc -w 30 127.0.0.1 {plain}"),
    (r"-connect localhost:995\b", "-connect localhost:{pop3s}"),
    (r"-connect localhost:110\b", "-connect localhost:{stls}"),
    (r"/etc/ssl/certs/ssl-cert-snakeoil\.pem", "{etc}/pop3s.pem"),
    (r"/etc/pop3d/pop3s\.", "{etc}/pop3s."),
    (r"/var/log/mail\.log", "{log}"),
]


def substitute(cmd, world):
    """The command with this test's paths, names and ports; the servers
    it names are started."""
    for pat, rep in SUBST:
        cmd = re.sub(pat, rep, cmd)
    for key in ("plain", "pop3s", "stls"):
        if "{%s}" % key in cmd:
            cmd = cmd.replace("{%s}" % key, str(world.port(key)))
    return cmd.replace("{etc}", world.etc).replace("{log}", world.sc.log)


def shell(cmd, timeout=TIMEOUT, **kw):
    return subprocess.run(["sh", "-c", cmd], capture_output=True,
                          stdin=subprocess.DEVNULL, timeout=timeout, **kw)


def listing():
    """What a LIST of the test Maildir says, as curl prints it."""
    names = sorted(itlib.MESSAGES)
    return "".join("%d %d\r\n" % (i + 1, len(itlib.wire(itlib.MESSAGES[n])))
                   for i, n in enumerate(names))


def pty_run(argv, answer, timeout=TIMEOUT):
    """Runs argv on a terminal of its own, typing answer at every
    password prompt; returns (exit status, output)."""
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    out, answered = b"", 0
    end = time.monotonic() + timeout
    try:
        while time.monotonic() < end:
            r, _, _ = select.select([fd], [], [], 0.5)
            if r:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
            if len(re.findall(rb"(?:Password|Again): ", out)) > answered:
                answered += 1
                os.write(fd, answer.encode() + b"\n")
        else:
            os.kill(pid, signal.SIGKILL)
    finally:
        os.close(fd)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), out.decode("utf-8", "replace")


# ---------------------------------------------------------------------
# Rules: what a documented command must do.  Each takes the world, the
# command as documented and as substituted; returns (ok, detail).

def curl(world, doc, cmd):
    out = shell(cmd)
    got = out.stdout.decode("latin-1")
    if re.search(r"pop3s?://[^ ]*/1$", cmd):
        first = sorted(itlib.MESSAGES)[0]
        want = itlib.wire(itlib.MESSAGES[first])
        ok = out.stdout == want
    elif "-X UIDL" in cmd:
        want = "".join("%d %s\r\n" % (i + 1, n.split(":")[0])
                       for i, n in enumerate(sorted(itlib.MESSAGES)))
        ok = got == want
    else:
        want = listing()
        ok = got == want
    return out.returncode == 0 and ok, "rc %d, got %r, want %r; %s" % (
        out.returncode, got[:300], want[:300], out.stderr[-400:])


def capa(world, doc, cmd):
    """A CAPA and QUIT piped into nc or openssl s_client."""
    out = shell(cmd)
    got = out.stdout.decode("latin-1")
    lines = got.split("\r\n")
    ok = (out.returncode == 0 and got.startswith("+OK") and "USER" in lines
          and "PIPELINING" in lines and len(lines) > 2 and
          lines[-1] == "" and lines[-2].startswith("+OK"))
    if "s_client" in cmd:
        # Over TLS: PLAIN offered, no STLS (done, or stunnel's alone).
        ok = ok and "SASL PLAIN" in lines and "STLS" not in lines
    return ok, "rc %d: %r %s" % (out.returncode, got[-500:],
                                 out.stderr[-400:])


def poplib_stat(world, doc, cmd):
    out = shell(cmd)
    total = sum(len(itlib.wire(m)) for m in itlib.MESSAGES.values())
    want = "(%d, %d)\n" % (len(itlib.MESSAGES), total)
    got = out.stdout.decode()
    return out.returncode == 0 and got == want, "rc %d: %r (want %r) %s" % (
        out.returncode, got, want, out.stderr[-400:])


def make_cert(world, doc, cmd):
    out = shell(cmd, timeout=120)
    cert = os.path.join(world.etc, "pop3s.pem")
    key = os.path.join(world.etc, "pop3s.key")
    if out.returncode != 0 or not os.path.exists(cert):
        return False, out.stderr[-600:]
    text = subprocess.run(["openssl", "x509", "-noout", "-subject", "-ext",
                           "subjectAltName", "-in", cert],
                          capture_output=True, text=True, timeout=30).stdout
    mode = os.stat(key).st_mode & 0o777
    return ("CN = localhost" in text and "DNS:localhost" in text and
            mode & 0o077 == 0), "%r, key mode %o" % (text, mode)


def login(world, password, port_kind="pwfile"):
    """A POP3 login of USER through the server of port_kind; its STAT
    line, or the error."""
    import poplib
    try:
        p = poplib.POP3("127.0.0.1", world.port(port_kind), timeout=30)
        p.user(USER)
        p.pass_(password)
        st = p.stat()
        p.quit()
        return st
    except Exception as e:  # noqa: BLE001 - any failure is the answer
        return repr(e)


def pop3d_passwd(world, doc, cmd):
    """pop3d-passwd on the test's passwd-file, on a terminal of its own
    as a reader would run it."""
    pw = world.pwfile()
    home = os.path.join(world.sc.dir, "var", "mail", USER)
    argv = shlex.split(cmd, comments=True)
    sub = argv[1]
    rest = []
    for a in argv[2:]:
        a = {"vmail": str(itlib.MAILUID), "UID": str(itlib.MAILUID),
             "/var/mail/alice": home, "HOME": home, "USER": USER}.get(a, a)
        rest.append(a)
    with open(pw) as f:
        present = re.search(r"^%s:" % USER, f.read(), re.M) is not None
    if sub != "add" and not present:
        # Each command works on a user that exists, as documented.
        r = subprocess.run([os.path.join(TOP, "pop3d-passwd"), "-f", pw,
                            "add", "-s", "-u", str(itlib.MAILUID), "-d",
                            home, "-m", USER], input=PASSWORD.encode(),
                           capture_output=True, timeout=TIMEOUT)
        if r.returncode != 0:
            return False, "set-up add: %r" % r.stderr
    if sub == "add" and present:
        subprocess.run([os.path.join(TOP, "pop3d-passwd"), "-f", pw, "del",
                        USER], capture_output=True, timeout=TIMEOUT)
        shutil.rmtree(home, ignore_errors=True)
    answer = NEWPASS if sub == "passwd" else PASSWORD
    rc, out = pty_run([os.path.join(TOP, "pop3d-passwd"), "-f", pw, sub]
                      + rest, answer)
    with open(pw) as f:
        text = f.read()
    line = re.search(r"^%s:.*$" % USER, text, re.M)
    if sub == "add":
        md = os.path.join(home, "Maildir")
        st = login(world, PASSWORD)
        return (rc == 0 and line is not None and
                all(os.path.isdir(os.path.join(md, d))
                    for d in ("cur", "new", "tmp")) and st == (0, 0),
                "rc %d %r; login %r" % (rc, out, st))
    if sub == "passwd":
        st = login(world, NEWPASS)
        return rc == 0 and st == (0, 0), "rc %d %r; login %r" % (rc, out, st)
    if sub == "del":
        st = login(world, PASSWORD)
        return (rc == 0 and line is None and "[AUTH]" in str(st),
                "rc %d %r; login after del %r" % (rc, out, st))
    if sub == "list":
        return (rc == 0 and re.search(r"^%s %d " % (USER, itlib.MAILUID),
                                      out, re.M) is not None,
                "rc %d %r" % (rc, out))
    if sub == "test":
        return rc == 0, "rc %d %r" % (rc, out)
    return False, "no check for pop3d-passwd %s" % sub


def fail2ban_regex(world, doc, cmd):
    """fail2ban-regex over the log, after one failed login."""
    st = login(world, "wrong password", "plain")
    itlib.wait_log(world.sc.log, lambda t: "LOGIN FAILED" in t)
    out = shell(cmd, timeout=120)
    got = out.stdout.decode("utf-8", "replace")
    m = re.search(r"^Failregex: (\d+) total", got, re.M)
    return (out.returncode == 0 and m is not None and int(m.group(1)) >= 1,
            "login %r; rc %d %r %s" % (st, out.returncode, got[-600:],
                                       out.stderr[-300:]))


DOVECOT = "/usr/lib/dovecot/pop3"
COURIER = "/usr/lib/courier/courier/courierpop3d"


COURIER_DEBS = ("courier-pop", "courier-authlib", "libcourier-unicode4",
                "libidn12")
DEBS = os.path.join(TOP, "tests", "scratch", "debs")


def courier(world):
    """courierpop3d unpacked, with its libraries in LD_LIBRARY_PATH:
    (command prefix, None), or (None, why not)."""
    os.makedirs(DEBS, exist_ok=True)
    for pkg in COURIER_DEBS:
        if glob.glob(os.path.join(DEBS, pkg + "_*.deb")):
            continue
        try:
            p = subprocess.run(["apt-get", "download", pkg], cwd=DEBS,
                               capture_output=True, timeout=120)
        except (OSError, subprocess.TimeoutExpired) as e:
            return None, "apt-get download %s: %s" % (pkg, e)
        if p.returncode != 0:
            return None, "apt-get download %s failed" % pkg
    root = os.path.join(world.mig.dir, "courier")
    if not os.path.isdir(root):
        for deb in sorted(glob.glob(os.path.join(DEBS, "*.deb"))):
            subprocess.run(["dpkg-deb", "-x", deb, root], check=True,
                           timeout=60)
        for base, dirs, _ in os.walk(root):
            for d in dirs:
                os.chmod(os.path.join(base, d), 0o755)
    libs = ":".join(os.path.join(root, d) for d in
                    ("usr/lib", "usr/lib/x86_64-linux-gnu"))
    return ("LD_LIBRARY_PATH=%s %s" % (
        libs, os.path.join(root, "usr/lib/courier/courier/courierpop3d")),
        None)


def migration(world, doc, cmd):
    """The side-by-side UIDL listing of doc/migration.md, as the mail
    user in a Maildir of its own."""
    if not hasattr(world, "mig"):
        world.mig = itlib.Scratch(password=PASSWORD)
        world.scratches.append(world.mig)
        conf = os.path.join(world.mig.dir, "dovecot.conf")
        with open(conf, "w") as f:
            f.write("mail_location = maildir:~/Maildir\nssl = no\n"
                    "log_path = /dev/stderr\n")
        os.chmod(conf, 0o644)
    sc = world.mig
    if DOVECOT in cmd and not os.path.exists(DOVECOT):
        return None, "%s is not installed (dovecot-pop3d)" % DOVECOT
    if COURIER in cmd and not os.path.exists(COURIER):
        # Not in Debian 12 as a program that runs alone: courierpop3d
        # and its libraries unpacked from the archive's packages, as
        # tests/it_migrate.py does.
        prog, why = courier(world)
        if prog is None:
            return None, why
        cmd = cmd.replace(COURIER, prog)
    cmd = cmd.replace(DOVECOT, DOVECOT + " -c " +
                      os.path.join(sc.dir, "dovecot.conf"))
    cmd = re.sub(r"\| pop3d ", "| %s " % sc.pop3d, cmd)
    env = {"HOME": sc.home, "USER": USER, "PATH": "/usr/bin:/bin"}
    out = subprocess.run(itlib.AS_USER + ["sh", "-c", cmd], env=env,
                         cwd=sc.home, capture_output=True,
                         stdin=subprocess.DEVNULL, timeout=TIMEOUT)
    if cmd.startswith("diff "):
        # Only the greeting and sign-off lines may differ.
        diff = [l for l in out.stdout.decode().splitlines()
                if l[:2] in ("< ", "> ")]
        return (out.returncode in (0, 1) and
                all(l[2:].startswith("+OK") for l in diff),
                "rc %d: %r" % (out.returncode, diff))
    name = cmd.rsplit(">", 1)[-1].strip()
    path = os.path.join(sc.home, name)
    data = open(path, "rb").read() if os.path.exists(path) else b""
    uidls = re.findall(rb"^\d+ \S+\r$", data, re.M)
    return (out.returncode == 0 and len(uidls) == len(itlib.MESSAGES),
            "rc %d, %r %s" % (out.returncode, data[:300], out.stderr[-300:]))


RULES = [
    (r"^curl ", curl),
    (r"^printf 'CAPA\\r\\nQUIT\\r\\n' \| (nc|openssl s_client) ", capa),
    (r"^python3 -c 'import poplib.*print\(p\.stat\(\)\)", poplib_stat),
    (r"^openssl req -x509 .*-keyout /etc/pop3d/pop3s\.key "
     r"-out /etc/pop3d/pop3s\.pem$", make_cert),
    (r"^pop3d-passwd (add|passwd|del|list|test)\b", pop3d_passwd),
    (r"^fail2ban-regex /var/log/mail\.log courier-auth$", fail2ban_regex),
    (r"^printf 'UIDL\\r\\nQUIT\\r\\n' \|", migration),
    (r"^diff old new$", migration),
]
# The certificate first: the TLS servers use what it made.
FIRST = (make_cert,)


# ---------------------------------------------------------------------
# Client configuration files.

def conf_client(world, info, body):
    """Runs the client of info with the documented file (the user, the
    password and the port substituted) as the mail user; it must
    deliver every message."""
    prog = {"fetchmailrc": "fetchmail", "getmailrc": "getmail",
            "mpoprc": "mpop"}[info]
    if itlib.have(prog):
        return None, "%s is not installed" % prog
    sc = itlib.Scratch(password=PASSWORD)
    world.scratches.append(sc)
    srv = itlib.Server("tcpserver", sc.command(("-d", "0", "-p",
                                                "loopback")), sc.log)
    world.servers["conf-" + info] = srv
    home = itlib.user_dir(sc, "client")
    mail = os.path.join(home, "Mail")
    for d in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(mail, d))
    text = "\n".join(body) + "\n"
    text = (text.replace("USER", USER).replace("PASSWORD", PASSWORD)
            .replace("LOCALUSER", USER))
    text = re.sub(r"\b127\.0\.0\.1\b", "127.0.0.1", text)
    if prog == "fetchmail":
        text = text.replace("protocol pop3", "protocol pop3 port %d"
                            % srv.port)
        text += "  mda \"sh -c 'cat >%s/new/$$.$(date +%%s%%N)'\"\n" % mail
        rc = os.path.join(home, ".fetchmailrc")
        argv = ["fetchmail", "-f", rc, "--nosyslog", "-N", "--invisible",
                "--norewrite", "-s"]
    elif prog == "getmail":
        text = text.replace("server = 127.0.0.1", "server = 127.0.0.1\n"
                            "port = %d" % srv.port)
        gdir = os.path.join(home, ".getmail")
        os.makedirs(gdir)
        rc = os.path.join(gdir, "getmailrc")
        argv = ["getmail", "--getmaildir", gdir, "--rcfile", rc]
    else:
        text = text.replace("host 127.0.0.1", "host 127.0.0.1\nport %d"
                            % srv.port)
        rc = os.path.join(home, ".mpoprc")
        argv = ["mpop", "-q", "-C", rc]
    with open(rc, "w") as f:
        f.write(text)
    os.chmod(rc, 0o600)
    if itlib.ROOT:
        for base, dirs, files in os.walk(home):
            for p in [base] + [os.path.join(base, x) for x in files]:
                os.chown(p, itlib.MAILUID, itlib.MAILGID)
    results = []
    for _ in range(2):      # the second run must fetch nothing
        before = set(os.listdir(os.path.join(mail, "new")))
        out = itlib.run_as_user(argv, home)
        new = set(os.listdir(os.path.join(mail, "new"))) - before
        results.append((out.returncode, len(new), out.stderr[-300:]))
    kept = len(sc.files()) == len(itlib.MESSAGES)
    ok = (results[0][0] in (0,) and results[0][1] == len(itlib.MESSAGES)
          and results[1][1] == 0 and kept)
    return ok, "runs %r, mail kept on the server: %s" % (results, kept)


# ---------------------------------------------------------------------

def man_options():
    """{program: {letter: takes an argument}} from the man pages."""
    out = {}
    for prog in ("pop3d", "pop3d-checkpw", "pop3d-passwd"):
        with open(os.path.join(TOP, prog + ".8")) as f:
            text = f.read()
        opts = {}
        for m in re.finditer(r"^\.It Fl (\w)( (Ar|Cm))?", text, re.M):
            opts[m.group(1)] = opts.get(m.group(1), False) or bool(
                m.group(2))
        out[prog] = opts
    return out


def check_options(where, line, opts, bad):
    # A synopsis's brackets count as the options they hold.
    words = [w.strip("[]") for w in line.replace("\\", " ").split()]
    for i, w in enumerate(words):
        prog = os.path.basename(w)
        if prog not in opts or (i > 0 and words[i - 1] in ("cp", "-m")):
            continue
        known = opts[prog]
        j = i + 1
        if prog == "pop3d-passwd":
            while j < len(words) and words[j].startswith("-"):
                j += 1 + known.get(words[j][1:2], False)
            j += 1          # the subcommand
        while j < len(words) and re.match(r"^-\w+$", words[j]):
            for k, c in enumerate(words[j][1:]):
                if c not in known:
                    bad.append("%s: %s -%s" % (where, prog, c))
                    break
                if known[c]:
                    if k != len(words[j]) - 2:
                        break
                    j += 1
                    break
            j += 1


def check_static():
    docs = documents()
    infos = []
    opts = man_options()
    bad_opts, hidden, not_system = [], [], []
    for path in docs:
        for info, start, body in fences(path):
            where = "%s:%d" % (rel(path), start)
            infos.append((where, info))
            for n, line in enumerate(body, start):
                check_options("%s:%d" % (rel(path), n), line, opts, bad_opts)
            if info == "text":
                for n, line in enumerate(body, start):
                    w = line.split(" ", 1)
                    if len(w) == 2 and w[0] in COMMANDS and \
                            re.match(r"\S", w[1]) and "  " not in line:
                        hidden.append("%s:%d: %s" % (rel(path), n, line))
            if info == "sh system":
                for n, c in commands(body, start):
                    if c.split()[0] not in SYSTEM_VERBS:
                        not_system.append("%s:%d: %s" % (rel(path), n, c))
    # The option overview of doc/limits.md: rows that start with
    # options name pop3d's, in the column before the description.
    lim = os.path.join(TOP, "doc", "limits.md")
    for info, start, body in fences(lim) if os.path.exists(lim) else []:
        for n, line in enumerate(body, start):
            col = re.split(r"\s{2,}", line)[0] if line[:1] == "-" else ""
            for c in re.findall(r"(?<![\w-])-(\w)\b", col):
                if c not in opts["pop3d"]:
                    bad_opts.append("doc/limits.md:%d: -%s" % (n, c))
    unknown = ["%s %r" % (w, i) for w, i in infos if i not in INFOS]
    R.ok("docs:fence-info", not unknown and infos, unknown)
    R.ok("docs:no-command-in-text", not hidden, hidden)
    R.ok("docs:system-classified", not not_system,
         "not a command that changes the system (run it in an sh block, "
         "or add its verb to SYSTEM_VERBS): %s" % not_system)
    R.ok("docs:options-exist", not bad_opts, bad_opts)

    with open(os.path.join(TOP, "README")) as f:
        readme = f.read()
    n = readme.count("\n")
    R.ok("docs:readme-length", n <= README_MAX,
         "%d lines, at most %d" % (n, README_MAX))
    pages = {rel(p) for p in docs[1:]}
    named = set(re.findall(r"\bdoc/[\w.-]+\.md\b", readme))
    R.ok("docs:every-page-in-readme", pages <= named,
         sorted(pages - named))
    dangling = sorted(named - pages)
    R.ok("docs:readme-names-existing-pages", not dangling, dangling)
    files = [f for f in re.findall(r"\b(?:bench/[\w.-]+|LICENSE)\b", readme)
             if not os.path.exists(os.path.join(TOP, f))]
    R.ok("docs:readme-names-existing-files", not files, files)
    broken = []
    for path in docs:
        with open(path) as f:
            text = f.read()
        text = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)
        for m in re.finditer(r"\]\(([^)\s]+)\)", text):
            target = m.group(1)
            if re.match(r"^[a-z]+:", target):
                continue
            file, _, anchor = target.partition("#")
            dest = os.path.normpath(os.path.join(os.path.dirname(path),
                                                 file)) if file else path
            if not os.path.exists(dest):
                broken.append("%s: %s" % (rel(path), target))
            elif anchor and anchor not in anchors(dest):
                broken.append("%s: %s (no such heading)" % (rel(path),
                                                             target))
    R.ok("docs:links-resolve", not broken, broken)


def anchors(path):
    """GitHub's anchors for the headings of a Markdown file."""
    out = set()
    with open(path) as f:
        text = re.sub(r"^```.*?^```", "", f.read(), flags=re.M | re.S)
    for m in re.finditer(r"^#+ (.*)$", text, re.M):
        h = m.group(1).strip().lower()
        h = re.sub(r"[^\w\- ]", "", h)
        out.add(h.replace(" ", "-"))
    return out


def check_commands(world):
    todo = []
    for path in documents():
        for info, start, body in fences(path):
            if info == "sh":
                for n, c in commands(body, start):
                    todo.append(("%s:%d" % (rel(path), n), c))
            elif info in ("fetchmailrc", "getmailrc", "mpoprc"):
                todo.append(("%s:%d" % (rel(path), start), (info, body)))
    R.ok("docs:commands-found", len(todo) >= 10, todo)

    def order(item):
        c = item[1]
        if isinstance(c, tuple):
            return 2
        rule = [f for p, f in RULES if re.search(p, c)]
        return 0 if rule and rule[0] in FIRST else 1
    for where, c in sorted(todo, key=order):
        name = "docs:cmd:" + where
        if isinstance(c, tuple):
            ok, detail = conf_client(world, *c)
            name = "docs:conf:" + where
        else:
            rules = [f for p, f in RULES if re.search(p, c)]
            if not rules:
                R.ok(name, False, "no rule runs %r: give it one in "
                     "tests/it_docs.py, or put it in an sh system block "
                     "if it changes the system" % c)
                continue
            try:
                ok, detail = rules[0](world, c, substitute(c, world))
            except Exception as e:  # noqa: BLE001 - reported as FAIL
                ok, detail = False, repr(e)
            detail = "%s\n  %s" % (c, detail)
        if ok is None:
            R.skip(name, detail)
        else:
            R.ok(name, ok, detail)


def main():
    missing = itlib.have("tcpserver", "curl", "openssl", "stunnel4", "nc",
                         "fail2ban-regex")
    check_static()
    for p in ("pop3d", "pop3d-checkpw", "pop3d-passwd"):
        if not os.access(os.path.join(TOP, p), os.X_OK):
            R.skip("docs:cmd", "%s is not built" % p)
            return 0
    if missing:
        R.skip("docs:cmd", "missing " + " ".join(missing))
        return 0
    world = World()
    try:
        check_commands(world)
    finally:
        world.stop()
    return 1 if R.failed else 0


if __name__ == "__main__":
    sys.exit(main())
