# SPDX-License-Identifier: ISC
"""tests/it_policy.py: EXPIRE and LOGIN-DELAY with real clients.

pop3d runs behind tcpserver on a loopback port with -X and -L.
- fetchmail: a first poll fetches the mail; a second one at once is
  refused with -ERR [LOGIN-DELAY], which fetchmail takes for a busy
  mailbox (exit status 9, "lock busy"), not for a wrong password (3):
  it honours the response code.  It does not read the LOGIN-DELAY
  value from CAPA to space its polls (its poll interval is the
  user's); so the refusal is what keeps it in check.
- mpop --serverinfo reads both capabilities and prints them.
- After a LOGIN-DELAY refusal nothing on disk has changed, and the
  stamp is the mtime of Maildir/pop3d.login.
- EXPIRE 0 with mpop --keep=on: what it retrieved (RETR) is gone
  after its QUIT, as the CAPA line promised.  fetchmail with "keep"
  reads mail with TOP, which is no retrieval, so under EXPIRE its
  kept mail stays: checked too.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itlib  # noqa: E402

R = itlib.Results()


def run(sc, argv):
    return itlib.run_as_user(argv, sc.home, timeout=60)


def fetchmailrc(sc, d, port):
    out = itlib.user_dir(sc, "out")
    mda = os.path.join(d, "deliver")
    with open(mda, "w") as f:
        f.write('#!/bin/sh\nf=$(mktemp "%s/msg.XXXXXX") && '
                'exec cat >"$f"\n' % out)
    os.chmod(mda, 0o755)
    rc = os.path.join(d, "fetchmailrc")
    with open(rc, "w") as f:
        f.write("poll 127.0.0.1 protocol pop3 port %d uidl auth password\n"
                "  user alice password %s is alice here\n"
                "  keep sslproto '' mda \"%s\"\n"
                % (port, sc.password, mda))
    os.chmod(rc, 0o600)
    if itlib.ROOT:
        os.chown(rc, itlib.MAILUID, itlib.MAILGID)
    return rc, out


def fetchmail(sc, d, rc):
    return run(sc, ["fetchmail", "-f", rc, "--idfile",
                    os.path.join(d, "ids"), "--nosyslog", "-N",
                    "--invisible", "--norewrite", "-v"])


def test_fetchmail():
    if itlib.have("fetchmail", "tcpserver"):
        R.skip("it_policy:fetchmail", "needs fetchmail and tcpserver")
        return
    msgs = {"1600000001.M1P1.it": b"Subject: one\n\nfirst\n",
            "1600000002.M2P1.it": b"Subject: two\n\nsecond\n"}
    sc = itlib.Scratch(messages=msgs)
    srv = None
    try:
        cmd = sc.command(front=("-d", "0", "-p", "loopback", "-L", "3600",
                                "-X", "0"))
        srv = itlib.Server("tcpserver", cmd + ["-L", "3600", "-X", "0"],
                           sc.log)
        d = itlib.user_dir(sc, "fm")
        rc, out = fetchmailrc(sc, d, srv.port)
        first = fetchmail(sc, d, rc)
        got = sorted(os.listdir(out))
        R.ok("it_policy:fetchmail-first", first.returncode == 0 and
             len(got) == 2, first.stderr.decode(errors="replace")[-800:])
        # fetchmail's keep reads with TOP: not retrieved, not expired.
        R.ok("it_policy:fetchmail-top-kept", len(sc.files()) == 2,
             sc.files())
        stamp = os.path.join(sc.maildir, "pop3d.login")
        R.ok("it_policy:stamp", os.path.isfile(stamp))
        before = os.stat(stamp).st_mtime_ns if os.path.exists(stamp) else 0
        second = fetchmail(sc, d, rc)
        text = (second.stdout + second.stderr).decode(errors="replace")
        # 9: PS_LOCKBUSY; 3 would be PS_AUTHFAIL.
        R.ok("it_policy:fetchmail-login-delay", second.returncode == 9 and
             "[LOGIN-DELAY]" in text and "lock busy" in text,
             "rc %d: %s" % (second.returncode, text[-800:]))
        R.ok("it_policy:refusal-keeps-stamp",
             os.stat(stamp).st_mtime_ns == before)
        log = open(sc.log, errors="replace").read()
        R.ok("it_policy:logged", "login too soon: user=alice" in log and
             "expired=0/0" in log, log[-800:])
    finally:
        if srv is not None:
            srv.stop()
        sc.cleanup()


def test_mpop():
    if itlib.have("mpop", "tcpserver"):
        R.skip("it_policy:mpop", "needs mpop and tcpserver")
        return
    sc = itlib.Scratch(messages={})
    srv = None
    try:
        cmd = sc.command(front=("-d", "0", "-p", "loopback", "-L", "900",
                                "-X", "30"))
        srv = itlib.Server("tcpserver", cmd + ["-L", "900", "-X", "30"],
                           sc.log)
        d = itlib.user_dir(sc, "mp")
        rc = os.path.join(d, "mpoprc")
        with open(rc, "w") as f:
            f.write("account default\nhost 127.0.0.1\nport %d\ntls off\n"
                    "auth user\nuser alice\npassword %s\n"
                    % (srv.port, sc.password))
        os.chmod(rc, 0o600)
        if itlib.ROOT:
            os.chown(rc, itlib.MAILUID, itlib.MAILGID)
        p = run(sc, ["mpop", "-C", rc, "--serverinfo"])
        text = p.stdout.decode(errors="replace")
        R.ok("it_policy:mpop-serverinfo", p.returncode == 0 and
             "LOGIN-DELAY 900" in text and "EXPIRE" in text and
             "30" in text.split("EXPIRE", 1)[-1][:40],
             "rc %d: %s %s" % (p.returncode, text,
                               p.stderr.decode(errors="replace")))
    finally:
        if srv is not None:
            srv.stop()
        sc.cleanup()


def test_mpop_expire():
    if itlib.have("mpop", "tcpserver"):
        R.skip("it_policy:mpop-expire", "needs mpop and tcpserver")
        return
    msgs = {"1600000001.M1P1.it": b"Subject: one\n\nfirst\n",
            "1600000002.M2P1.it": b"Subject: two\n\nsecond\n"}
    sc = itlib.Scratch(messages=msgs)
    srv = None
    try:
        cmd = sc.command(front=("-d", "0", "-p", "loopback", "-X", "0"))
        srv = itlib.Server("tcpserver", cmd + ["-X", "0"], sc.log)
        d = itlib.user_dir(sc, "mp")
        dest = itlib.user_dir(sc, "dest")
        for sub in ("new", "cur", "tmp"):
            itlib.user_dir(sc, os.path.join("dest", sub))
        rc = os.path.join(d, "mpoprc")
        with open(rc, "w") as f:
            f.write("account default\nhost 127.0.0.1\nport %d\ntls off\n"
                    "auth user\nuser alice\npassword %s\n"
                    "received_header off\nuidls_file %s/uidls\n"
                    "delivery maildir %s\n"
                    % (srv.port, sc.password, d, dest))
        os.chmod(rc, 0o600)
        if itlib.ROOT:
            os.chown(rc, itlib.MAILUID, itlib.MAILGID)
        p = run(sc, ["mpop", "-q", "-C", rc, "--keep=on"])
        got = os.listdir(os.path.join(dest, "new"))
        R.ok("it_policy:mpop-expire-zero", p.returncode == 0 and
             len(got) == 2 and sc.files() == [],
             "rc %d, got %r, left %r: %s" % (p.returncode, got, sc.files(),
                                             p.stderr.decode(
                                                 errors="replace")))
    finally:
        if srv is not None:
            srv.stop()
        sc.cleanup()


if __name__ == "__main__":
    test_fetchmail()
    test_mpop()
    test_mpop_expire()
    sys.exit(1 if R.failed else 0)
