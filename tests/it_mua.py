"""Interactive mail clients against pop3d, each as a new user would
set it up (HOME a scratch directory of its own, no user config), on
port 110 style (tcpserver, -p loopback) and on port 995 style (stunnel
with stunnel/pop3s.conf).

  mutt, neomutt  driven in tmux: fetch-mail keeping mail (pop_last
                 off), again with pop_last on (nothing twice: LAST),
                 a message that arrived meanwhile (only it), then
                 deleting; and the pop:// folder with its header and
                 message caches: copy everything out, open it again
                 (no TOP, no RETR), delete everything.

Every stored message is compared with the Maildir after CRLF -> LF,
and, on the plaintext path, with what the server really sent (a relay
records both directions), so a difference is pinned on the side that
made it.  Every wait is bounded; tmux servers are always killed."""
import os
import re
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import clientlib  # noqa: E402
import itlib  # noqa: E402
import tlslib  # noqa: E402

LATE = ("1600000100.M8P8.it", b"Subject: late\n\narrived between polls\n")


def want(names, client=lambda b: b):
    """The messages names as a client stores them: what RETR sends
    with LF line ends, then what the client itself does to it."""
    return sorted(client(clientlib.crlf_to_lf(itlib.wire(itlib.MESSAGES[n])))
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
    msgs = dict(itlib.MESSAGES)
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
    return re.findall(r"logout: user=alice, .*retrieved=(\d+)/\d+, "
                      r"deleted=(\d+)/", text)


def logged(sc, since, retrieved, deleted):
    """The sessions after the first `since` logouts retrieved and
    deleted so many messages in all (the stunnel path has no relay
    to look at)."""
    lines = logouts(sc)[since:]
    return (sum(int(a) for a, _ in lines) == retrieved and
            sum(int(b) for _, b in lines) == deleted)


def nul_cut(data):
    """What mutt and neomutt store of a message with a NUL byte: each
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


def why(**conds):
    """(all true, the names of those that are not) for r.ok."""
    bad = [k for k, v in conds.items() if not v]
    return not bad, bad


def mutt(r, prog, sc, site, full=True):
    name = "%s:%s" % (prog, site.kind)
    names = sorted(itlib.MESSAGES)
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


def main():
    r = itlib.Results()
    missing = itlib.have("tcpserver", "stunnel4", "openssl", "tmux")
    if missing:
        r.skip("it_mua", "missing " + " ".join(missing))
        return 0
    sc = itlib.Scratch()
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
