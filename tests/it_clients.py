# SPDX-License-Identifier: ISC
"""Real mail clients end to end: Python's poplib, curl, fetchmail,
getmail6 and mpop each fetch a Maildir of varied messages through the
real chain pop3d -> pop3d-checkpw -> pop3d -m Maildir, behind
tcpserver and behind systemd-socket-activate (inetd style, one process
per connection).  For every client and superserver:

  keep     leave-on-server: every message arrives, byte for byte after
           CRLF normalisation; new/ has moved to cur/
  again    the same again: nothing arrives (UIDLs are stable across
           sessions and across the new/ -> cur/ move)
  delete   a message that arrived meanwhile is fetched, then the client
           deletes: new/ and cur/ end empty, tmp/ is untouched
  log      the back end logged the logins and what was deleted

Clients other than poplib run as the mail user with HOME in the
scratch tree.  Loopback only; every wait is bounded."""
import glob
import os
import poplib
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itlib  # noqa: E402

LATE = ("1600000100.M8P8.it", b"Subject: late\n\narrived between sessions\n")
TMPFILE = "1600000101.M9P9.it"


def norm(b):
    return b.replace(b"\r\n", b"\n")


class Client:
    """One client with its state (UIDL list, id file) in self.dir."""
    name = None
    progs = ()
    user = "alice"

    def __init__(self, sc, port):
        self.sc = sc
        self.port = port
        self.dir = itlib.user_dir(sc, "client-" + self.name)

    def run(self, argv):
        out = itlib.run_as_user(argv, self.dir)
        self.last = out
        return out

    def detail(self):
        out = getattr(self, "last", None)
        if out is None:
            return ""
        return "exit %d: %s" % (out.returncode,
                                out.stderr.decode(errors="replace")[-800:])


class Poplib(Client):
    """poplib with a UIDL list of its own, as a real client keeps."""
    name = "poplib"

    def __init__(self, sc, port):
        super().__init__(sc, port)
        self.seen = set()

    def fetch(self, delete):
        p = poplib.POP3("127.0.0.1", self.port, timeout=30)
        got = []
        try:
            p.user("alice")
            p.pass_(self.sc.password)
            _, lines, _ = p.uidl()
            ids = [l.decode().split() for l in lines]
            for n, uid in ids:
                if uid not in self.seen:
                    _, body, _ = p.retr(int(n))
                    got.append(b"".join(l + b"\r\n" for l in body))
                    self.seen.add(uid)
            if delete:
                for n, _ in ids:
                    p.dele(int(n))
        finally:
            p.quit()
        return got


class Curl(Client):
    """curl, one URL per message; its UIDL list is kept here.  curl
    logs in with the strongest SASL mechanism a server offers and
    does not fall back, and CRAM-MD5 needs the secret stored in the
    clear: its user is the one with a {PLAIN} secret (same Maildir)."""
    name = "curl"
    progs = ("curl",)
    user = "apop"

    def __init__(self, sc, port):
        super().__init__(sc, port)
        self.seen = set()
        self.url = "pop3://%s:%s@127.0.0.1:%d/" % (self.user, sc.password,
                                                   port)

    def curl(self, *args):
        out = self.run(["curl", "-sS", "--max-time", "30", *args])
        if out.returncode != 0:
            raise RuntimeError("curl %s: %s" % (args[-1], self.detail()))
        return out.stdout

    def fetch(self, delete):
        got = []
        ids = [l.split() for l in
               self.curl("-X", "UIDL", self.url).decode().splitlines()]
        for n, uid in ids:
            if uid not in self.seen:
                got.append(self.curl(self.url + n))
                self.seen.add(uid)
        if delete and ids:
            # One curl, one connection: the numbers stay valid.
            self.curl("-X", "DELE", "-I", *[self.url + n for n, _ in ids])
        return got


class Fetchmail(Client):
    """fetchmail with --uidl and an id file, delivering to an MDA."""
    name = "fetchmail"
    progs = ("fetchmail",)

    def __init__(self, sc, port):
        super().__init__(sc, port)
        self.out = itlib.user_dir(sc, os.path.join(self.dir, "out"))
        self.mda = os.path.join(self.dir, "deliver")
        with open(self.mda, "w") as f:
            f.write('#!/bin/sh\nf=$(mktemp "%s/msg.XXXXXX") && '
                    'exec cat >"$f"\n' % self.out)
        os.chmod(self.mda, 0o755)

    def fetch(self, delete):
        rc = os.path.join(self.dir, "fetchmailrc")
        with open(rc, "w") as f:
            # sslproto '': no opportunistic STLS, plain POP3 on loopback;
            # auth password: USER/PASS, not a SASL mechanism that a
            # hashed secret cannot serve.
            f.write("poll 127.0.0.1 protocol pop3 port %d uidl "
                    "auth password\n"
                    "  user alice password %s is alice here\n"
                    "  %s sslproto '' mda \"%s\"\n"
                    % (self.port, self.sc.password,
                       "nokeep flush" if delete else "keep", self.mda))
        os.chmod(rc, 0o600)
        if itlib.ROOT:
            os.chown(rc, itlib.MAILUID, itlib.MAILGID)
        before = set(os.listdir(self.out))
        out = self.run(["fetchmail", "-f", rc, "--idfile",
                        os.path.join(self.dir, "ids"), "--nosyslog", "-N",
                        "--invisible", "--norewrite", "-s"])
        # 0: mail arrived; 1: there was none.
        if out.returncode not in (0, 1):
            raise RuntimeError("fetchmail: " + self.detail())
        new = sorted(set(os.listdir(self.out)) - before)
        return [open(os.path.join(self.out, n), "rb").read() for n in new]


class Maildest(Client):
    """A client that delivers into a Maildir of its own."""

    def __init__(self, sc, port):
        super().__init__(sc, port)
        self.dest = os.path.join(self.dir, "dest")
        for sub in ("new", "cur", "tmp"):
            os.makedirs(os.path.join(self.dest, sub))
        if itlib.ROOT:
            for base, dirs, _ in os.walk(self.dest):
                os.chown(base, itlib.MAILUID, itlib.MAILGID)

    def delivered(self, before):
        new = sorted(set(glob.glob(os.path.join(self.dest, "new", "*"))) -
                     before)
        return [open(n, "rb").read() for n in new]


class Getmail(Maildest):
    """getmail6, unprivileged, into a Maildir; it adds Return-Path."""
    name = "getmail"
    progs = ("getmail",)

    def fetch(self, delete):
        rc = os.path.join(self.dir, "getmailrc")
        with open(rc, "w") as f:
            f.write("[retriever]\ntype = SimplePOP3Retriever\n"
                    "server = 127.0.0.1\nport = %d\nusername = alice\n"
                    "password = %s\n\n"
                    "[destination]\ntype = Maildir\npath = %s/\n\n"
                    "[options]\nverbose = 0\nread_all = false\n"
                    "delete = %s\ndelivered_to = false\nreceived = false\n"
                    "message_log_syslog = false\n"
                    % (self.port, self.sc.password, self.dest,
                       "true" if delete else "false"))
        os.chmod(rc, 0o600)
        if itlib.ROOT:
            os.chown(rc, itlib.MAILUID, itlib.MAILGID)
        before = set(glob.glob(os.path.join(self.dest, "new", "*")))
        out = self.run(["getmail", "--getmaildir", self.dir, "--rcfile", rc])
        if out.returncode != 0:
            raise RuntimeError("getmail: " + self.detail())
        got = []
        for b in self.delivered(before):
            # getmail writes its own Return-Path first; nothing else.
            m = re.match(rb"Return-Path: <[^>\n]*>\n", b)
            got.append(b[m.end():] if m else b)
        return got


class Mpop(Maildest):
    """mpop with a UIDL file, delivering into a Maildir."""
    name = "mpop"
    progs = ("mpop",)

    def fetch(self, delete):
        rc = os.path.join(self.dir, "mpoprc")
        with open(rc, "w") as f:
            f.write("defaults\ntls off\nauth user\nreceived_header off\n"
                    "uidls_file %s/uidls\n\n"
                    "account default\nhost 127.0.0.1\nport %d\n"
                    "user alice\npassword %s\nonly_new on\n"
                    "delivery maildir %s\n"
                    % (self.dir, self.port, self.sc.password, self.dest))
        os.chmod(rc, 0o600)
        if itlib.ROOT:
            os.chown(rc, itlib.MAILUID, itlib.MAILGID)
        before = set(glob.glob(os.path.join(self.dest, "new", "*")))
        out = self.run(["mpop", "-q", "-C", rc,
                        "--keep=" + ("off" if delete else "on")])
        if out.returncode != 0:
            raise RuntimeError("mpop: " + self.detail())
        return self.delivered(before)


CLIENTS = (Poplib, Curl, Fetchmail, Getmail, Mpop)
SERVERS = ("tcpserver", "socket-activate")


def same(got, want):
    """Compares two lists of messages as multisets, after CRLF
    normalisation.  Returns "" or what differs."""
    g = sorted(norm(b) for b in got)
    w = sorted(norm(b) for b in want)
    if g == w:
        return ""
    return "got %d messages %s, want %d %s" % (
        len(g), [len(b) for b in g], len(w), [len(b) for b in w])


def one(r, kind, cls):
    name = "clients:%s:%s" % (kind, cls.name)
    sc = itlib.Scratch()
    srv = None
    failed = r.failed
    try:
        with open(os.path.join(sc.maildir, "tmp", TMPFILE), "wb") as f:
            f.write(b"Subject: still being delivered\n\n")
        sc.chown()
        srv = itlib.Server(kind, sc.command(), sc.log)
        c = cls(sc, srv.port)
        names = sorted(itlib.MESSAGES)
        want = [itlib.wire(itlib.MESSAGES[n]) for n in names]

        try:
            got = c.fetch(delete=False)
            diff = same(got, want)
        except Exception as e:  # a client error fails this case only
            diff = repr(e)
        r.ok(name + ":keep-byte-exact", diff == "", diff)
        files = sc.files()
        r.ok(name + ":keep-moved-to-cur",
             [f.split(":")[0] for f in files] == ["cur/" + n for n in names],
             files)

        try:
            got = c.fetch(delete=False)
            diff = same(got, [])
        except Exception as e:
            diff = repr(e)
        r.ok(name + ":again-fetches-nothing", diff == "", diff)
        r.ok(name + ":again-leaves-maildir", sc.files() == files, sc.files())

        sc.fill({LATE[0]: LATE[1]})
        try:
            got = c.fetch(delete=True)
            diff = same(got, [itlib.wire(LATE[1])])
        except Exception as e:
            diff = repr(e)
        r.ok(name + ":delete-fetches-the-new-one", diff == "", diff)
        left = sorted(os.listdir(os.path.join(sc.maildir, "tmp")))
        r.ok(name + ":delete-empties-maildir",
             sc.files() == [] and left == [TMPFILE], (sc.files(), left))

        log = itlib.wait_log(sc.log, itlib.sessions_done)
        deleted = sum(int(n) for n in re.findall(
            r"logout: user=%s, ip=\[127\.0\.0\.1\], .*deleted=(\d+)/"
            % c.user, log))
        login = "login: user=%s, ip=[127.0.0.1]" % c.user
        r.ok(name + ":log", login in log and deleted == len(names) + 1 and
             "LOGIN FAILED" not in log, "deleted=%d" % deleted)
    except Exception as e:
        r.ok(name + ":unexpected-error", False, repr(e))
    finally:
        if srv is not None:
            srv.stop()
        if r.failed > failed:
            with open(sc.log, errors="replace") as f:
                sys.stderr.write(f.read()[-3000:])
        sc.cleanup()


def main():
    r = itlib.Results()
    missing = itlib.have("openssl")
    if missing:
        r.skip("clients", "missing " + " ".join(missing))
        return 0
    if itlib.ROOT and itlib.have("setpriv"):
        r.skip("clients", "root without setpriv(1) to drop to a user")
        return 0
    for kind in SERVERS:
        prog = "tcpserver" if kind == "tcpserver" else \
            "systemd-socket-activate"
        if itlib.have(prog):
            r.skip("clients:" + kind, "missing " + prog)
            continue
        for cls in CLIENTS:
            missing = itlib.have(*cls.progs)
            if missing:
                r.skip("clients:%s:%s" % (kind, cls.name),
                       "missing " + " ".join(missing))
                continue
            one(r, kind, cls)
    return 0


if __name__ == "__main__":
    sys.exit(main())
