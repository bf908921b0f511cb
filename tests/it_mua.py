# SPDX-License-Identifier: ISC
"""Interactive mail clients against pop3d, each as a new user would
set it up (HOME a scratch directory of its own, no user config), on
port 110 style (tcpserver, -p loopback) and on port 995 style (stunnel
with stunnel/pop3s.conf).

  mutt, neomutt  driven in tmux: fetch-mail keeping mail (pop_last
                 off), again with pop_last on (nothing twice: LAST),
                 a message that arrived meanwhile (only it), then
                 deleting; and the pop:// folder with its header and
                 message caches: copy everything out, open it again
                 (no TOP, no RETR), delete everything.  They cut each
                 line at a NUL byte (C strings); the relay shows that
                 pop3d sent the line whole.
  s-nail         batch mode (-#): copy everything to an mbox and leave
                 without QUIT (exit), then delete *; quit.  pop3s to
                 the host name: s-nail matches the certificate's DNS
                 names only.
  movemail       GNU mailutils: --keep-messages --uidl (a second run
                 fetches nothing: the UIDLs are kept in the mbox), then
                 without --keep-messages (everything, then DELE).
                 pops:// for TLS.  movemail 3.15 loses a few hundred
                 octets in the middle of the large message: reported as
                 a skip naming movemail, with the relay's proof that
                 pop3d sent it whole.
  mailutil       uw-mailutils (c-client), password typed in tmux: copy
                 -rw (c-client cannot open POP3 read-only), then move
                 -rw (everything, then DELE).  c-client cuts lines at
                 a NUL byte too.
Clients that keep no state between polls (fetch-mail without
pop_last, s-nail, mailutil) fetch everything each time by design.

Every stored message is compared with the Maildir after CRLF -> LF,
and, on the plaintext path, with what the server really sent (a relay
records both directions), so a difference is pinned on the side that
made it.  Every wait is bounded; tmux servers are always killed."""
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import clientlib  # noqa: E402
import itlib  # noqa: E402
import tlslib  # noqa: E402

# The shared message set, the large one cut to 150 kB: big enough for
# every buffer boundary, small enough for 40 client runs.
BIG = "1600000007.M7P7.it"
MESSAGES = dict(itlib.MESSAGES)
MESSAGES[BIG] = MESSAGES[BIG][:150000]
LATE = ("1600000100.M8P8.it", b"Subject: late\n\narrived between polls\n")


def want(names, client=lambda b: b):
    """The messages names as a client stores them: what RETR sends
    with LF line ends, then what the client itself does to it."""
    return sorted(client(clientlib.crlf_to_lf(itlib.wire(MESSAGES[n])))
                  for n in names)


class Site:
    """One server set-up: plaintext behind a recording relay, or pop3s
    through stunnel (then the relay sees only TLS and is not used)."""

    def __init__(self, sc, kind, cert, key):
        self.sc = sc
        self.kind = kind
        self.cert = cert
        self.tap = None
        if kind == "110":
            self.srv = tlslib.tcpserver(sc, ["-d", "0", "-p", "loopback"])
            self.tap = clientlib.Wiretap(self.srv.port)
            self.port = self.tap.port
        else:
            front = tlslib.example_front("pop3s.conf") + ["-d", "0"]
            self.srv = tlslib.stunnel(sc, "pop3s.conf", front, cert, key)
            self.port = self.srv.port

    def mark(self):
        return self.tap.mark() if self.tap else 0

    def conns(self, mark):
        return self.tap.since(mark) if self.tap else None

    def close(self):
        if self.tap:
            self.tap.close()
        self.srv.close()


def refill(sc, names):
    """The Maildir holds exactly the messages names (by their
    original name in new/)."""
    for sub in ("new", "cur"):
        d = os.path.join(sc.maildir, sub)
        for f in os.listdir(d):
            os.unlink(os.path.join(d, f))
    msgs = dict(MESSAGES)
    msgs[LATE[0]] = LATE[1]
    sc.fill({n: msgs[n] for n in names})


def maildir_bodies(d):
    out = []
    for sub in ("new", "cur"):
        p = os.path.join(d, sub)
        if os.path.isdir(p):
            for f in os.listdir(p):
                with open(os.path.join(p, f), "rb") as fh:
                    out.append(fh.read())
    return sorted(out)


def make_maildir(d):
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(d, sub), exist_ok=True)


class Mutt:
    """mutt or neomutt in tmux, one run per call."""

    def __init__(self, prog, sc, site):
        self.prog = prog
        self.sc = sc
        self.site = site
        self.home = itlib.user_dir(sc, "home-%s-%s" % (prog, site.kind))
        self.spool = os.path.join(self.home, "inbox")
        make_maildir(self.spool)
        self.hcache = os.path.join(self.home, "hcache")
        self.bcache = os.path.join(self.home, "bodies")
        os.mkdir(self.hcache)
        os.mkdir(self.bcache)
        self.runs = 0
        host = "localhost" if site.kind == "995" else "127.0.0.1"
        scheme = "pops" if site.kind == "995" else "pop"
        self.url = "%s://alice@%s:%d/" % (scheme, host, site.port)
        if site.kind == "995":
            shutil.copy(site.cert, os.path.join(self.home, "certs"))
        self.chown()

    def chown(self):
        if itlib.ROOT:
            for base, dirs, files in os.walk(self.home):
                os.chown(base, itlib.MAILUID, itlib.MAILGID)
                for f in files:
                    os.chown(os.path.join(base, f), itlib.MAILUID,
                             itlib.MAILGID)

    def rc(self, extra):
        lines = ['set pop_pass="secret"',
                 'set spoolfile="%s"' % self.spool,
                 'set folder="%s"' % self.home,
                 "set mbox_type=Maildir",
                 "set quit=yes", "set move=no", "set confirmcreate=no",
                 "set confirmappend=no", "set delete=yes",
                 "set sleep_time=0", "set wait_key=no",
                 'set header_cache="%s"' % self.hcache,
                 'set message_cachedir="%s"' % self.bcache,
                 "set pop_checkinterval=0"]
        if self.site.kind == "110":
            # Their default ssl_force_tls=yes refuses port 110.
            lines += ["set ssl_force_tls=no", "set ssl_starttls=no"]
        else:
            lines += ['set certificate_file="%s/certs"' % self.home]
        self.runs += 1
        path = os.path.join(self.home, "muttrc%d" % self.runs)
        with open(path, "w") as f:
            f.write("\n".join(lines + extra) + "\n")
        self.chown()
        return path

    def run(self, args, push):
        """Runs the client with muttrc lines args and the keys push;
        returns (exited, wire connections or None, last screen)."""
        rc = self.rc(args)
        env = {"HOME": self.home, "PATH": os.environ.get("PATH", "/usr/bin:"
                                                          "/bin"),
               "TERM": "xterm", "LC_ALL": "C.UTF-8"}
        mark = self.site.mark()
        t = clientlib.Tmux(self.sc, self.prog,
                           [self.prog, "-n", "-F", rc, "-e",
                            "push '%s'" % push] + self.folder_args,
                           env, self.home)
        try:
            exited = t.wait_exit(40)
        finally:
            t.stop()
        return exited, self.site.conns(mark), t.last

    def fetch(self, last, delete):
        self.folder_args = []
        return self.run(['set pop_host="%s"' % self.url,
                         "set pop_last=%s" % ("yes" if last else "no"),
                         "set pop_delete=%s" % ("yes" if delete else "no")],
                        "<fetch-mail><quit>")

    def folder(self, push):
        self.folder_args = ["-f", self.url]
        return self.run([], push)


def sent_ok(conns, names):
    """What the server sent in answer to RETR is the messages names."""
    if conns is None:
        return True
    got = sorted(clientlib.crlf_to_lf(b) for b in clientlib.retrieved(conns))
    return got == want(names)


def logouts(sc):
    """The back end's logout lines so far, once every session that
    logged in has logged out."""
    text = itlib.wait_log(sc.log, itlib.sessions_done)
    out = []
    for line in re.findall(r"logout: user=alice, .*", text):
        m = re.search(r"retrieved=(\d+)/\d+, deleted=(\d+)/", line)
        # "..., eof: nothing changed" for a session without QUIT
        out.append(m.groups() if m else ("0", "0"))
    return out


def logged(sc, since, retrieved, deleted):
    """The sessions after the first `since` logouts retrieved and
    deleted so many messages in all (the stunnel path has no relay
    to look at)."""
    lines = logouts(sc)[since:]
    return (sum(int(a) for a, _ in lines) == retrieved and
            sum(int(b) for _, b in lines) == deleted)


def nul_cut(data):
    """What mutt, neomutt and c-client store of a message with a NUL byte: each
    line ends at its first NUL (they hold lines as C strings)."""
    out = b""
    for line in data.splitlines(keepends=True):
        end = b"\n" if line.endswith(b"\n") else b""
        out += line.split(b"\0")[0].rstrip(b"\n") + end
    return out


def mutt_copy(data):
    """mutt's copy-message writes Content-Length and Lines headers of
    its own; the rest must be what was sent."""
    head, sep, body = data.partition(b"\n\n")
    head = re.sub(rb"\n(Content-Length|Lines): \d+(?=\n|$)", b"", head)
    return head + sep + body


def why(detail=None, **conds):
    """(all true, the names of those that are not) for r.ok."""
    bad = [k for k, v in conds.items() if not v]
    return not bad, (bad, detail) if bad and detail is not None else bad


def mutt(r, prog, sc, site, full=True):
    name = "%s:%s" % (prog, site.kind)
    names = sorted(MESSAGES)
    refill(sc, names)
    m = Mutt(prog, sc, site)

    mark = len(logouts(sc))
    exited, conns, screen = m.fetch(last=False, delete=False)
    got = maildir_bodies(m.spool)
    v = clientlib.verbs(conns) if conns is not None else [b"RETR"]
    r.ok(name + ":fetch-keep", *why(
        exited=exited, stored=got == want(names, nul_cut),
        sent=sent_ok(conns, names), kept=len(sc.files()) == len(names),
        log=logged(sc, mark, len(names), 0), retr=b"RETR" in v,
        no_dele=b"DELE" not in v, no_last=b"LAST" not in v))

    # pop_last: LAST answers 7, so nothing is fetched again.
    mark = len(logouts(sc))
    exited, conns, screen = m.fetch(last=True, delete=False)
    v = clientlib.verbs(conns) if conns is not None else [b"LAST"]
    r.ok(name + ":pop_last-nothing-new", *why(
        exited=exited, stored=len(maildir_bodies(m.spool)) == len(names),
        log=logged(sc, mark, 0, 0), last=b"LAST" in v, no_retr=b"RETR" not in v))

    if full:
        # A message arrives; pop_last fetches it and only it.
        late = os.path.join(sc.maildir, "new", LATE[0])
        with open(late, "wb") as f:
            f.write(LATE[1])
        t = time.time() + 10	# after everything else: number 8
        os.utime(late, (t, t))
        sc.chown()
        mark = len(logouts(sc))
        exited, conns, screen = m.fetch(last=True, delete=False)
        got = maildir_bodies(m.spool)
        r.ok(name + ":pop_last-only-new", *why(
            exited=exited, count=len(got) == len(names) + 1,
            stored=LATE[1] in got, log=logged(sc, mark, 1, 0),
            sent=conns is None or clientlib.retrieved(conns) ==
            [itlib.wire(LATE[1])]))

    # pop_delete without pop_last: fetches everything again, deletes.
    before = len(maildir_bodies(m.spool))
    n = len(sc.files())
    mark = len(logouts(sc))
    exited, conns, screen = m.fetch(last=False, delete=True)
    r.ok(name + ":fetch-delete", *why(
        exited=exited, empty=sc.files() == [],
        stored=len(maildir_bodies(m.spool)) == before + n,
        log=logged(sc, mark, n, n)))
    if not full:
        return

    # The pop:// folder, header and message caches on.
    refill(sc, names)
    saved = os.path.join(m.home, "saved")
    copy_all = ("<tag-pattern>~A<enter><tag-prefix><copy-message>"
                "%s<enter><quit>")
    mark = len(logouts(sc))
    exited, conns, screen = m.folder(copy_all % saved)
    got = sorted(mutt_copy(b) for b in maildir_bodies(saved))
    r.ok(name + ":folder-copy", *why(
        exited=exited, stored=got == want(names, nul_cut),
        sent=sent_ok(conns, names), log=logged(sc, mark, len(names), 0)))
    mark = len(logouts(sc))
    exited, conns, screen = m.folder(copy_all % (saved + "2"))
    got = sorted(mutt_copy(b) for b in maildir_bodies(saved + "2"))
    v = set(clientlib.verbs(conns)) if conns is not None else set()
    r.ok(name + ":folder-cached", *why(
        exited=exited, stored=got == want(names, nul_cut), log=logged(sc, mark, 0, 0),
        no_top_retr=not {b"TOP", b"RETR"} & v))
    mark = len(logouts(sc))
    exited, conns, screen = m.folder("<delete-pattern>~A<enter><quit>")
    r.ok(name + ":folder-delete", *why(
        exited=exited, empty=sc.files() == [],
        log=logged(sc, mark, 0, len(names))))


def mbox_messages(data, added=()):
    """The messages of an mbox file, without the "From " lines, the
    blank line that ends each, the header lines named in added (the
    client's own bookkeeping) and c-client's folder-data message."""
    out = []
    for part in re.split(rb"(?m)^From [^\n]*\n", data)[1:]:
        if part.endswith(b"\n\n"):
            part = part[:-1]
        head, sep, body = part.partition(b"\n\n")
        keep = [l for l in head.split(b"\n")
                if l.split(b":")[0].lower() not in added]
        if b"Subject: DON'T DELETE THIS MESSAGE -- FOLDER INTERNAL DATA" \
                in keep:
            continue
        out.append(b"\n".join(keep) + sep + body)
    return sorted(out)


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return b""


def run_user(argv, home, env, stdin=b""):
    p = subprocess.run(itlib.AS_USER + argv, input=stdin, env=env,
                       cwd=home, capture_output=True, timeout=60)
    return p.returncode, p.stdout + p.stderr


def user_env(home, **more):
    env = {"HOME": home, "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
           "LC_ALL": "C.UTF-8", "TERM": "xterm"}
    env.update(more)
    return env


def snail(r, sc, site):
    name = "s-nail:%s" % site.kind
    names = sorted(MESSAGES)
    refill(sc, names)
    home = itlib.user_dir(sc, "home-snail-%s" % site.kind)
    host = "localhost" if site.kind == "995" else "127.0.0.1"
    url = "%s://alice@%s:%d" % ("pop3s" if site.kind == "995" else "pop3",
                                host, site.port)
    env = user_env(home, MAILRC="/dev/null")
    argv = ["s-nail", "-n", "-#", "-Sv15-compat",
            "-Spassword-alice@%s:%d=secret" % (host, site.port),
            "-Stls-ca-file=%s" % site.cert, "-Stls-ca-no-defaults",
            "-f", url]
    saved = os.path.join(home, "saved")
    mark, logs = site.mark(), len(logouts(sc))
    rc, out = run_user(argv, home, env, ("copy * %s\nexit\n" % saved)
                       .encode())
    got = mbox_messages(read(saved), (b"status", b"x-status"))
    r.ok(name + ":copy-keep", *why(
        exit0=rc == 0, stored=got == want(names),
        sent=sent_ok(site.conns(mark), names),
        unchanged=sc.files() == ["new/" + n for n in names],
        log=logged(sc, logs, 0, 0), detail=out[-600:]))
    logs = len(logouts(sc))
    rc, out = run_user(argv, home, env, b"delete *\nquit\n")
    r.ok(name + ":delete", *why(
        exit0=rc == 0, empty=sc.files() == [],
        log=logged(sc, logs, 0, len(names)), detail=out[-600:]))


def large(r, name, got, names, conns):
    """movemail 3.15 was seen to lose a few hundred octets in the
    middle of the large message, over TLS or not.  That is its own
    defect: the relay shows pop3d sent the message whole.  Say so
    (skip, not ok) rather than fail pop3d for it."""
    whole = want([BIG])[0]
    mine = [g for g in got if g.startswith(b"Subject: big\n")]
    if mine == [whole]:
        r.ok(name + ":large-message", True)
    elif conns is not None and not sent_ok(conns, names):
        r.ok(name + ":large-message", False, "pop3d sent it wrong")
    else:
        r.skip(name + ":large-message", "movemail stored %s of %d octets "
               "of the large message; pop3d sent all of it (%s)"
               % ([len(m) for m in mine], len(whole),
                  "seen on the wire" if conns is not None else
                  "as the relay on port 110 shows"))


def movemail(r, sc, site):
    name = "movemail:%s" % site.kind
    names = sorted(MESSAGES)
    small = [n for n in names if n != BIG]
    refill(sc, names)
    home = itlib.user_dir(sc, "home-movemail-%s" % site.kind)
    url = "%s://alice@localhost:%d" % ("pops" if site.kind == "995"
                                       else "pop", site.port)
    env = user_env(home)
    saved = os.path.join(home, "saved")
    added = (b"x-uidl", b"x-imapbase", b"x-uid")

    def run(*opts):
        return run_user(["movemail", "--no-config",
                         "--set=tls.ssl-cafile=%s" % site.cert, *opts,
                         url, saved, "secret"], home, env)

    def others(got):
        return [g for g in got if not g.startswith(b"Subject: big\n")]

    if site.kind == "110":
        mark, logs = site.mark(), len(logouts(sc))
        rc, out = run("--keep-messages", "--uidl")
        got = mbox_messages(read(saved), added)
        conns = site.conns(mark)
        r.ok(name + ":keep-uidl", *why(
            exit0=rc == 0, count=len(got) == len(names),
            stored=others(got) == want(small), sent=sent_ok(conns, names),
            kept=len(sc.files()) == len(names),
            log=logged(sc, logs, len(names), 0), detail=out[-600:]))
        large(r, name + ":keep-uidl", got, names, conns)
        mark, logs = site.mark(), len(logouts(sc))
        rc, out = run("--keep-messages", "--uidl")
        r.ok(name + ":uidl-nothing-twice", *why(
            exit0=rc == 0, stored=mbox_messages(read(saved), added) == got,
            log=logged(sc, logs, 0, 0),
            no_retr=b"RETR" not in clientlib.verbs(site.conns(mark)),
            detail=out[-600:]))
        os.unlink(saved)
    mark, logs = site.mark(), len(logouts(sc))
    rc, out = run()
    got = mbox_messages(read(saved), added)
    conns = site.conns(mark)
    r.ok(name + ":delete", *why(
        exit0=rc == 0, count=len(got) == len(names),
        stored=others(got) == want(small), sent=sent_ok(conns, names),
        empty=sc.files() == [],
        log=logged(sc, logs, len(names), len(names)), detail=out[-600:]))
    large(r, name + ":delete", got, names, conns)


def mailutil(r, sc, site):
    name = "mailutil:%s" % site.kind
    names = sorted(MESSAGES)
    refill(sc, names)
    home = itlib.user_dir(sc, "home-mailutil-%s" % site.kind)
    src = "{localhost:%d/pop3/%s/user=alice}" % (
        site.port, "ssl" if site.kind == "995" else "notls")
    # c-client takes OpenSSL's default trust store, which the
    # environment can point at the test's certificate.
    env = user_env(home, SSL_CERT_FILE=site.cert)
    added = (b"status", b"x-status", b"x-keywords", b"x-uid")

    def run(cmd, dest):
        argv = ["sh", "-c", '"$@" >out 2>&1; echo $? >rc', "sh",
                "mailutil", cmd, "-rw", src, dest]
        for f in ("out", "rc"):
            if os.path.exists(os.path.join(home, f)):
                os.unlink(os.path.join(home, f))
        t = clientlib.Tmux(sc, "mailutil", argv, env, home)
        try:
            asked = t.wait(r"(?m)password: *$", 15) is not None
            if asked:
                t.send("secret", "Enter")
            exited = asked and t.wait_exit(30)
        finally:
            t.stop()
        rc = read(os.path.join(home, "rc")).strip()
        return asked and exited and rc == b"0", read(os.path.join(home,
                                                                  "out"))

    mark, logs = site.mark(), len(logouts(sc))
    ok, out = run("copy", "copied")
    got = mbox_messages(read(os.path.join(home, "copied")), added)
    r.ok(name + ":copy-keep", *why(
        ran=ok, stored=got == want(names, nul_cut),
        sent=sent_ok(site.conns(mark), names),
        kept=len(sc.files()) == len(names),
        log=logged(sc, logs, len(names), 0), detail=out[-600:]))
    if site.kind == "110":
        r.ok(name + ":warns-auth-plain",
             b"SECURITY PROBLEM: insecure server advertised AUTH=PLAIN" in
             out, out[-600:])
    mark, logs = site.mark(), len(logouts(sc))
    ok, out = run("move", "moved")
    got = mbox_messages(read(os.path.join(home, "moved")), added)
    r.ok(name + ":move-delete", *why(
        ran=ok, stored=got == want(names, nul_cut), empty=sc.files() == [],
        sent=sent_ok(site.conns(mark), names),
        log=logged(sc, logs, len(names), len(names)), detail=out[-600:]))


def main():
    r = itlib.Results()
    missing = itlib.have("tcpserver", "stunnel4", "openssl", "tmux")
    if missing:
        r.skip("it_mua", "missing " + " ".join(missing))
        return 0
    sc = itlib.Scratch(messages=MESSAGES)
    sites = []
    try:
        cert, key = tlslib.make_cert(sc.dir)
        os.chmod(cert, 0o644)
        sites = [Site(sc, "110", cert, key), Site(sc, "995", cert, key)]
        for prog in ("mutt", "neomutt"):
            if itlib.have(prog):
                r.skip(prog, "%s is not installed" % prog)
                continue
            for site in sites:
                mutt(r, prog, sc, site, full=site.kind == "110")
        for prog, test in (("s-nail", snail), ("movemail", movemail),
                           ("mailutil", mailutil)):
            if itlib.have(prog):
                r.skip(prog, "%s is not installed" % prog)
                continue
            for site in sites:
                test(r, sc, site)
    except Exception as ex:  # any surprise is a failure, not a crash
        r.ok("it_mua:unexpected-error", False, repr(ex))
    finally:
        for s in sites:
            s.close()
        if r.failed:
            with open(sc.log, errors="replace") as f:
                sys.stderr.write(f.read()[-5000:])
        sc.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
