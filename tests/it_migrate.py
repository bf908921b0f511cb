# SPDX-License-Identifier: ISC
"""tests/it_migrate.py: pop3d -U against the real servers it replaces.

Debian's Dovecot pop3 and Courier's courierpop3d each serve a Maildir
pre-authenticated on stdin/stdout; their UIDL listings are recorded,
then pop3d -U serves the same Maildir and must list the very same
numbers and unique-ids: at once, after its first QUIT moved mail from
new/ to cur/ and set flags, and after new deliveries (which get
pop3d's own unique-ids, after the old messages).  A list the mailbox
owner spoiled is ignored with a log line.  Courier is not installed
(its package would bring its daemons along): the test fetches the
courier-pop .deb and the libraries it needs from Debian with
apt-get download, caches them in tests/scratch/debs, unpacks them
with dpkg-deb -x, and skips if they cannot be had.
"""
import glob
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itlib  # noqa: E402

R = itlib.Results()
DOVECOT = "/usr/lib/dovecot/pop3"
DEBS = os.path.join(itlib.TOP, "tests", "scratch", "debs")
COURIER_DEBS = ("courier-pop", "courier-authlib", "libcourier-unicode4",
                "libidn12")

# Names in new/ whose mtimes run against their name order, so that an
# order taken from mtimes would differ from the old server's.
MSGS = {
    "1600000001.M1P1.old": b"Subject: one\n\nfirst\n",
    "1600000002.M2P1.old": b"Subject: two\n\nsecond\n",
    "1600000003.M3P1.old": b"Subject: three\n\n.dot\nthird\n",
    "1600000004.M4P1.old": b"Subject: four\r\n\r\nfourth\r\n",
}
LATER = {
    "1700000001.M9P9.later": b"Subject: later\n\nnew mail\n",
    "1700000002.M9P9.later": b"Subject: later too\n\nmore\n",
}


def fill(maildir, msgs, t0):
    for sub in ("new", "cur", "tmp"):
        os.makedirs(os.path.join(maildir, sub), exist_ok=True)
    t = t0
    for name in sorted(msgs):
        p = os.path.join(maildir, "new", name)
        with open(p, "wb") as f:
            f.write(msgs[name])
        os.utime(p, (t, t))
        t -= 100


def session(argv, home, script, env=None):
    """Runs one pre-authenticated server as the mail user; returns
    (stdout bytes, stderr text)."""
    e = {"HOME": home, "USER": "alice", "PATH": "/usr/bin:/bin"}
    if env:
        e.update(env)
    p = subprocess.run(itlib.AS_USER + list(argv), env=e, cwd=home,
                       input=script, capture_output=True, timeout=60)
    return p.stdout, p.stderr.decode("utf-8", "replace")


def listing(out):
    """The lines of the multi-line UIDL answer, as [(n, uid)]."""
    lines = out.split(b"\r\n")
    for i, ln in enumerate(lines):
        if ln.startswith(b"+OK") and i + 1 < len(lines) and \
                re.match(rb"^1 \S+$", lines[i + 1]):
            got = []
            for x in lines[i + 1:]:
                if x == b".":
                    return got
                n, u = x.split(b" ", 1)
                got.append((int(n), u.decode()))
    return None


def pop3d(sc, kind, script=b"UIDL\r\nQUIT\r\n"):
    return session([sc.pop3d, "-e", "-m", "Maildir", "-U", kind], sc.home,
                   script)


def later_ids(before):
    """What pop3d -U lists after LATER arrives: the old listing, then
    the new messages by their base names, oldest first (fill() dates
    them newest first by name)."""
    n = len(before)
    return before + [(n + 1 + i, name) for i, name in
                     enumerate(sorted(LATER, reverse=True))]


def chain(sc, name, kind, old, bad_line):
    """The common part: pop3d agrees with the old listing `old`."""
    out, err = pop3d(sc, kind)
    R.ok(name + ":same-listing", listing(out) == old,
         "old %r, pop3d %r, log %s" % (old, listing(out), err))
    R.ok(name + ":logged", "keep their unique-ids from" in err, err)
    # A first pop3d session that retrieves, deletes nothing, and
    # QUITs: new/ moves to cur/, the S flag is added.
    out, err = pop3d(sc, kind, b"RETR 2\r\nQUIT\r\n")
    R.ok(name + ":quit", out.endswith(b"+OK bye\r\n"), out[-200:])
    R.ok(name + ":moved", os.listdir(os.path.join(sc.maildir, "new")) == [],
         sc.files())
    out, err = pop3d(sc, kind)
    R.ok(name + ":after-quit", listing(out) == old,
         "old %r, pop3d %r" % (old, listing(out)))
    fill(sc.maildir, LATER, 1800000000)
    sc.chown()
    out, err = pop3d(sc, kind)
    R.ok(name + ":after-delivery", listing(out) == later_ids(old),
         "want %r, pop3d %r" % (later_ids(old), listing(out)))
    # The list is never written by pop3d.
    # A spoiled list: pop3d's own unique-ids, one log line.
    path = os.path.join(sc.maildir, bad_line[0])
    with open(path, "ab") as f:
        f.write(bad_line[1])
    out, err = pop3d(sc, kind)
    got = listing(out)
    R.ok(name + ":spoiled", got is not None and
         all(not u.startswith(("UID", "0000")) for _, u in got) and
         len(got) == len(old) + len(LATER) and
         re.search(r"%s ignored, line \d+: " % bad_line[0], err) is not None,
         "%r %s" % (got, err))


def test_dovecot():
    if not os.path.exists(DOVECOT):
        R.skip("it_migrate:dovecot", "%s missing (dovecot-pop3d)" % DOVECOT)
        return
    sc = itlib.Scratch(messages={})
    try:
        fill(sc.maildir, MSGS, 1700000000)
        conf = os.path.join(sc.dir, "dovecot.conf")
        with open(conf, "w") as f:
            f.write("mail_location = maildir:~/Maildir\nssl = no\n"
                    "log_path = /dev/stderr\n")
        os.chmod(conf, 0o644)
        sc.chown()
        out, err = session([DOVECOT, "-c", conf], sc.home,
                           b"UIDL\r\nRETR 1\r\nQUIT\r\n")
        old = listing(out)
        R.ok("it_migrate:dovecot-ran", old is not None and len(old) == 4,
             "%r %s" % (out, err))
        if old is None:
            return
        # Dovecot's default: UID and UIDVALIDITY as 8 hex digits each.
        R.ok("it_migrate:dovecot-format",
             all(re.match(r"^%08x[0-9a-f]{8}$" % n, u) for n, u in old), old)
        before = open(os.path.join(sc.maildir, "dovecot-uidlist"),
                      "rb").read()
        # One file back in new/ without its flags, as mail that the
        # list names but that is still new: pop3d's QUIT moves it.
        cur = sorted(os.listdir(os.path.join(sc.maildir, "cur")))
        base = cur[-1].split(":")[0]
        os.rename(os.path.join(sc.maildir, "cur", cur[-1]),
                  os.path.join(sc.maildir, "new", base))
        chain(sc, "it_migrate:dovecot", "dovecot",
              old, ("dovecot-uidlist", b"x :junk\n"))
        after = open(os.path.join(sc.maildir, "dovecot-uidlist"),
                     "rb").read()
        R.ok("it_migrate:dovecot-untouched",
             after == before + b"x :junk\n", after)
    finally:
        sc.cleanup()


def test_dovecot_order():
    """Saved POP3 unique-ids (P) and order (O), as a migration writes
    them: Dovecot lists by O, then by UID, and sends P; so must we."""
    if not os.path.exists(DOVECOT):
        R.skip("it_migrate:dovecot-order", "%s missing" % DOVECOT)
        return
    sc = itlib.Scratch(messages={})
    try:
        fill(sc.maildir, MSGS, 1700000000)
        names = sorted(MSGS)
        for n in names:
            os.rename(os.path.join(sc.maildir, "new", n),
                      os.path.join(sc.maildir, "cur", n + ":2,"))
        with open(os.path.join(sc.maildir, "dovecot-uidlist"), "w") as f:
            f.write("3 V1234567 N5 G0123456789abcdef0123456789abcdef\n"
                    "1 P:from-qpopper:1 O2 :%s:2,\n"
                    "2 :%s:2,\n"
                    "3 Pxyz O1 :%s:2,\n"
                    "4 P O2 :%s:2,\n" % tuple(names))
        conf = os.path.join(sc.dir, "dovecot.conf")
        with open(conf, "w") as f:
            f.write("mail_location = maildir:~/Maildir\nssl = no\n"
                    "log_path = /dev/stderr\n")
        os.chmod(conf, 0o644)
        sc.chown()
        script = b"UIDL\r\nQUIT\r\n"
        old = listing(session([DOVECOT, "-c", conf], sc.home, script)[0])
        # An empty P stands for the base name.
        want = [(1, "xyz"), (2, ":from-qpopper:1"), (3, names[3]),
                (4, "%08x%08x" % (2, 1234567))]
        R.ok("it_migrate:dovecot-order-real", old == want,
             "dovecot %r, expected %r" % (old, want))
        out, err = pop3d(sc, "dovecot", script)
        R.ok("it_migrate:dovecot-order", listing(out) == old,
             "dovecot %r, pop3d %r %s" % (old, listing(out), err))
    finally:
        sc.cleanup()


def courier_tree():
    """Unpacks courierpop3d and its libraries; returns the directory
    or None with the reason printed as a skip."""
    os.makedirs(DEBS, exist_ok=True)
    for pkg in COURIER_DEBS:
        if glob.glob(os.path.join(DEBS, pkg + "_*.deb")):
            continue
        try:
            p = subprocess.run(["apt-get", "download", pkg], cwd=DEBS,
                               capture_output=True, timeout=120)
        except (OSError, subprocess.TimeoutExpired) as e:
            R.skip("it_migrate:courier", "apt-get download %s: %s" % (pkg, e))
            return None
        if p.returncode != 0 or not glob.glob(
                os.path.join(DEBS, pkg + "_*.deb")):
            R.skip("it_migrate:courier", "apt-get download %s failed: %s"
                   % (pkg, p.stderr.decode(errors="replace").strip()[-200:]))
            return None
    return DEBS


def test_courier():
    if not courier_tree():
        return
    sc = itlib.Scratch(messages={})
    try:
        root = os.path.join(sc.dir, "courier")
        for deb in sorted(glob.glob(os.path.join(DEBS, "*.deb"))):
            subprocess.run(["dpkg-deb", "-x", deb, root], check=True)
        prog = os.path.join(root, "usr/lib/courier/courier/courierpop3d")
        libs = ":".join([os.path.join(root, "usr/lib"),
                         os.path.join(root, "usr/lib/x86_64-linux-gnu")])
        for base, dirs, files in os.walk(root):
            for d in dirs:
                os.chmod(os.path.join(base, d), 0o755)
        fill(sc.maildir, MSGS, 1700000000)
        sc.chown()
        # How courier's pop3login runs it after a login: the Maildir
        # as argv[1], the user in AUTHENTICATED, cwd = home.
        env = {"LD_LIBRARY_PATH": libs, "AUTHENTICATED": "alice"}
        out, err = session([prog, "Maildir"], sc.home,
                           b"UIDL\r\nRETR 1\r\nQUIT\r\n", env)
        old = listing(out)
        R.ok("it_migrate:courier-ran", old is not None and len(old) == 4,
             "%r %s" % (out, err))
        if old is None:
            return
        R.ok("it_migrate:courier-format",
             all(re.match(r"^UID%d-\d+$" % n, u) for n, u in old), old)
        before = open(os.path.join(sc.maildir, "courierpop3dsizelist"),
                      "rb").read()
        cur = sorted(os.listdir(os.path.join(sc.maildir, "cur")))
        base = cur[-1].split(":")[0]
        os.rename(os.path.join(sc.maildir, "cur", cur[-1]),
                  os.path.join(sc.maildir, "new", base))
        chain(sc, "it_migrate:courier", "courier", old,
              ("courierpop3dsizelist", b"junk\n"))
        after = open(os.path.join(sc.maildir, "courierpop3dsizelist"),
                     "rb").read()
        R.ok("it_migrate:courier-untouched", after == before + b"junk\n",
             after)
    finally:
        sc.cleanup()


def test_collision():
    """A list that names an unlisted message's own unique-id: the list
    is dropped, no unique-id twice."""
    sc = itlib.Scratch(messages={})
    try:
        fill(sc.maildir, {"a1": b"x\n", "0000000100000007": b"y\n"},
             1700000000)
        with open(os.path.join(sc.maildir, "dovecot-uidlist"), "w") as f:
            f.write("3 V7\n1 :a1\n")
        sc.chown()
        out, err = pop3d(sc, "dovecot")
        got = listing(out)
        R.ok("it_migrate:collision", got is not None and
             sorted(u for _, u in got) == ["0000000100000007", "a1"] and
             "also another message's" in err, "%r %s" % (got, err))
    finally:
        sc.cleanup()


if __name__ == "__main__":
    if not itlib.ROOT:
        R.skip("it_migrate", "needs root (runs the servers as a mail user)")
        sys.exit(0)
    test_dovecot()
    test_dovecot_order()
    test_courier()
    test_collision()
    sys.exit(1 if R.failed else 0)
