# SPDX-License-Identifier: ISC
"""pop3d-passwd against real files: add, passwd, del, list and test;
every other byte of the file kept; the new file's owner and mode;
errors and exit statuses for bad input; several runs at once losing
nothing; and a login through pop3d and pop3d-checkpw -f with an
account pop3d-passwd made.  Hashes use a cheap cost except where the
default is the point."""
import os
import poplib
import pty
import select
import stat
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itlib  # noqa: E402

PASSWD = os.path.join(itlib.TOP, "pop3d-passwd")
CHEAP = ["-r", "1"]     # yescrypt at its lowest cost

# Lines pop3d-passwd must never touch, in every shape a file may have.
KEEP = (b"# pop3d users\n"
        b"\n"
        b"   \t\n"
        b"  # indented comment\n"
        b"bob:{SSHA}c3NoYQ==:1002:1002:Bob B:/home/bob:/bin/zsh:quota=1G\n"
        b"this line is malformed\n"
        b"carol:{PLAIN}carolpw:1003:1003::/home/carol::\r\n"
        b"dave:x:1004:1004::/home/dave:/bin/sh:" + b"e" * 5000 + b"\n"
        b"zed:{PLAIN}z:9:9::/z")        # no final LF


def run(args, pw=None, f=None):
    """Runs pop3d-passwd [-f f] args, pw on stdin; (status, out, err)."""
    argv = [PASSWD] + (["-f", f] if f else []) + args
    p = subprocess.run(argv, input=pw, capture_output=True, timeout=60)
    return p.returncode, p.stdout.decode(errors="replace"), \
        p.stderr.decode(errors="replace")


def read(path):
    with open(path, "rb") as fh:
        return fh.read()


def write(path, data, mode=0o600):
    with open(path, "wb") as fh:
        fh.write(data)
    os.chmod(path, mode)


def line_of(data, user):
    for line in data.split(b"\n"):
        if line.startswith(user.encode() + b":"):
            return line
    return None


def test_edit(r, d):
    f = os.path.join(d, "passwd")
    write(f, KEEP)
    st, _, err = run(["add", "-s", *CHEAP, "-u", "1001", "-d", "/home/alice",
                      "alice"], b"alice pw\n", f)
    data = read(f)
    new = line_of(data, "alice")
    r.ok("passwd:add-exit", st == 0, err)
    r.ok("passwd:add-keeps-every-byte",
         data.startswith(KEEP + b"\n") and
         data == KEEP + b"\n" + new + b"\n", data[-200:])
    r.ok("passwd:add-line-format", new is not None and
         new.startswith(b"alice:{CRYPT}$y$") and
         new.endswith(b":1001:1001::/home/alice::"), new)
    r.ok("passwd:malformed-line-reported",
         "line 6: malformed" in err, err)
    r.ok("passwd:new-file-mode-0600",
         stat.S_IMODE(os.stat(f).st_mode) == 0o600)

    st, out, _ = run(["test", "-s", "alice"], b"alice pw\n", f)
    r.ok("passwd:test-wrong-home-only",
         st == 1 and "home /home/alice missing" in out and
         "wrong password" not in out, out)

    # passwd: only the password field changes.
    before = read(f)
    st, _, err = run(["passwd", "-s", "-c", "sha512", "-r", "1000", "bob"],
                     b"bob new\n", f)
    after = read(f)
    bob = line_of(after, "bob")
    r.ok("passwd:passwd-exit", st == 0, err)
    r.ok("passwd:passwd-keeps-other-fields", bob is not None and
         bob.startswith(b"bob:{SHA512-CRYPT}$6$rounds=1000$") and
         bob.endswith(b":1002:1002:Bob B:/home/bob:/bin/zsh:quota=1G"), bob)
    r.ok("passwd:passwd-keeps-other-lines",
         after.replace(bob, b"") ==
         before.replace(line_of(before, "bob"), b""))

    # CRLF line: the CR stays where it was.
    st, _, _ = run(["passwd", "-s", *CHEAP, "carol"], b"c2\n", f)
    carol = line_of(read(f), "carol")
    r.ok("passwd:passwd-crlf-line", st == 0 and
         carol.endswith(b":1003:1003::/home/carol::\r"), carol)

    # A line over 4096 bytes is malformed: reported, never rewritten.
    before = read(f)
    st, _, err = run(["del", "dave"], None, f)
    after = read(f)
    r.ok("passwd:del-long-line-refused", st == 1 and after == before and
         "malformed" in err, err)
    # del: exactly that line goes.
    st, _, _ = run(["del", "zed"], None, f)
    after2 = read(f)
    r.ok("passwd:del-last-line-without-lf", st == 0 and
         after2 == after.replace(b"zed:{PLAIN}z:9:9::/z\n", b""), after2[-80:])

    # Weaker than the default method: another scheme, or yescrypt at
    # a lower cost (-r 1 here).
    st, out, err = run(["list"], None, f)
    r.ok("passwd:list", st == 0 and out.splitlines() == [
        "bob 1002 1002 /home/bob sha512-crypt weak",
        "carol 1003 1003 /home/carol yescrypt weak",
        "alice 1001 1001 /home/alice yescrypt weak"], out)
    r.ok("passwd:list-shows-no-hash", "$" not in out)
    r.ok("passwd:list-weak-summary", "3 entries are weaker" in err and
         "2 kinds of hash" in err, err)

    # The default: yescrypt at libcrypt's default cost.
    st, _, _ = run(["passwd", "-s", "alice"], b"alice pw2\n", f)
    r.ok("passwd:default-yescrypt",
         st == 0 and line_of(read(f), "alice").startswith(
             b"alice:{CRYPT}$y$j9T$"), line_of(read(f), "alice"))
    st, out, err = run(["list"], None, f)
    r.ok("passwd:list-default-not-weak", st == 0 and
         "alice 1001 1001 /home/alice yescrypt" in out.splitlines() and
         "2 entries are weaker" in err and "3 kinds of hash" in err,
         out + err)

    # {PLAIN}: only when asked, with a warning.
    st, _, err = run(["passwd", "-s", "-c", "plain", "carol"], b"apop pw\n", f)
    r.ok("passwd:plain-with-warning", st == 0 and "in the clear" in err and
         line_of(read(f), "carol").startswith(b"carol:{PLAIN}apop pw:"), err)
    st, _, _ = run(["passwd", "-s", "-c", "plain", "carol"], b"a:b\n", f)
    r.ok("passwd:plain-no-colon", st == 2)

    # The owner of the file is kept; the mode becomes 0600.
    if itlib.ROOT:
        os.chown(f, 65534, 65534)
        os.chmod(f, 0o644)
        st, _, _ = run(["del", "carol"], None, f)
        s = os.stat(f)
        r.ok("passwd:owner-kept", st == 0 and
             (s.st_uid, s.st_gid) == (65534, 65534) and
             stat.S_IMODE(s.st_mode) == 0o600,
             (s.st_uid, s.st_gid, oct(s.st_mode)))
    else:
        r.skip("passwd:owner-kept", "needs root")
    left = [n for n in os.listdir(d) if n.startswith("passwd.")]
    r.ok("passwd:no-temporary-left", left == ["passwd.lock"], left)


def test_errors(r, d):
    f = os.path.join(d, "errs")
    base = (b"alice:{PLAIN}a:1001:1001::/home/alice::\n"
            b"bob:{PLAIN}b:1002\n"
            b"eve:{PLAIN}e:1005:1005::/home/eve::\n"
            b"eve:{PLAIN}e2:1006:1006::/home/eve2::\n")
    write(f, base)
    ino = os.stat(f).st_ino
    add = ["add", "-s", *CHEAP, "-u", "1009", "-d", "/home/x"]
    cases = [
        ("add-existing-user", add + ["alice"], 1, "exists already"),
        ("add-user-with-malformed-line", add + ["bob"], 1, "malformed"),
        ("passwd-unknown-user", ["passwd", "-s", *CHEAP, "nobody"], 1,
         "no such user"),
        ("del-unknown-user", ["del", "nobody"], 1, "no such user"),
        ("passwd-malformed-line", ["passwd", "-s", *CHEAP, "bob"], 1,
         "line 2: the user's line is malformed"),
        ("del-malformed-line", ["del", "bob"], 1, "malformed"),
        ("del-duplicate-user", ["del", "eve"], 1, "more than one line"),
        ("passwd-duplicate-user", ["passwd", "-s", *CHEAP, "eve"], 1,
         "line 4: the user has more than one line"),
        ("name-with-colon", add + ["a:b"], 2, "bad user name"),
        ("name-with-control", add + ["a\x01b"], 2, "bad user name"),
        ("name-with-space", add + ["a b"], 2, "bad user name"),
        ("name-with-newline", add + ["a\nb"], 2, "bad user name"),
        ("name-comment", add + ["#a"], 2, "comment"),
        ("name-empty", add + [""], 2, "bad user name"),
        ("name-too-long", add + ["a" * 65], 2, "bad user name"),
        ("uid-0", ["add", "-s", "-u", "0", "-d", "/h", "x"], 2, "uid 0"),
        ("uid-root-by-name", ["add", "-s", "-u", "root", "-d", "/h", "x"],
         2, "uid 0"),
        ("gid-0", ["add", "-s", "-u", "5", "-g", "0", "-d", "/h", "x"], 2,
         "gid 0"),
        ("uid-not-a-number", ["add", "-s", "-u", "12x", "-d", "/h", "x"], 2,
         "bad uid"),
        ("uid-too-big", ["add", "-s", "-u", "4294967295", "-d", "/h", "x"],
         2, "bad uid"),
        ("relative-home", ["add", "-s", "-u", "5", "-d", "home/x", "x"], 2,
         "absolute"),
        ("home-with-colon", ["add", "-s", "-u", "5", "-d", "/h:x", "x"], 2,
         "bad home"),
        ("add-without-home", ["add", "-s", "-u", "5", "x"], 2, "-d home"),
        ("unknown-method", ["passwd", "-s", "-c", "md4", "alice"], 2,
         "unknown method"),
        ("bad-cost", ["passwd", "-s", "-c", "bcrypt", "-r", "3", "alice"],
         2, "not valid for bcrypt"),
        ("password-on-command-line", ["passwd", "alice", "secret"], 2,
         "usage"),
        ("option-of-another-command", ["del", "-u", "5", "alice"], 2,
         "usage"),
        ("unknown-command", ["rename", "alice"], 2, "usage"),
    ]
    for name, args, want, text in cases:
        st, _, err = run(args, b"pw\n", f)
        r.ok("passwd:" + name, st == want and text in err,
             "exit %d, want %d: %s" % (st, want, err.strip()))
    st, _, err = run(["passwd", "-s", *CHEAP, "alice"], b"\n", f)
    r.ok("passwd:empty-password", st == 2 and "empty password" in err, err)
    st, _, err = run(["passwd", "-s", *CHEAP, "alice"], b"x" * 509 + b"\n", f)
    r.ok("passwd:password-too-long", st == 2 and "longer" in err, err)
    st, _, err = run(["passwd", *CHEAP, "alice"], None, f)
    r.ok("passwd:no-terminal", st == 2 and "-s" in err, err)
    r.ok("passwd:refusals-change-nothing",
         read(f) == base and os.stat(f).st_ino == ino)
    st, _, err = run(["del", "alice"], None, os.path.join(d, "missing"))
    r.ok("passwd:missing-file", st == 111 and "nothing changed" in err, err)


def test_concurrent(r, d):
    f = os.path.join(d, "conc")
    users = ["u%d" % i for i in range(4)]
    write(f, b"# several at once\n" + b"".join(
        b"%s:{PLAIN}old:%d:%d::/home/%s::\n" % (u.encode(), 2000 + i,
                                                2000 + i, u.encode())
        for i, u in enumerate(users)))
    procs = []
    for i in range(8):
        procs.append(subprocess.Popen(
            [PASSWD, "-f", f, "add", "-s", *CHEAP, "-u", str(3000 + i),
             "-d", "/home/n%d" % i, "n%d" % i],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE))
    for u in users:
        procs.append(subprocess.Popen(
            [PASSWD, "-f", f, "passwd", "-s", *CHEAP, u],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE))
    # Everyone gets its password at once, so all compete for the lock.
    for p in procs:
        p.stdin.write(b"new pw\n")
        p.stdin.flush()
    for p in procs:
        p.stdin.close()
    codes = [p.wait(timeout=120) for p in procs]
    for p in procs:
        p.stderr.close()
    data = read(f)
    lines = data.split(b"\n")
    r.ok("passwd:concurrent-all-succeed", codes == [0] * len(procs), codes)
    r.ok("passwd:concurrent-no-add-lost",
         all(line_of(data, "n%d" % i) is not None for i in range(8)))
    r.ok("passwd:concurrent-no-change-lost",
         all(line_of(data, u).startswith(u.encode() + b":{CRYPT}$y$")
             for u in users), data)
    r.ok("passwd:concurrent-nothing-twice",
         len(lines) == 1 + 4 + 8 + 1 and lines[0] == b"# several at once")
    st, out, _ = run(["test", "-s", "u2"], b"new pw\n", f)
    r.ok("passwd:concurrent-password-works",
         st == 1 and "wrong password" not in out, out)


def on_tty(args, answers):
    """Runs pop3d-passwd on a new terminal, answering each prompt in
    turn; returns (status, everything the terminal showed)."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(PASSWD, [PASSWD] + args)
    shown = b""
    pending = list(answers)
    status = None
    try:
        while True:
            ready, _, _ = select.select([fd], [], [], 30)
            if not ready:
                break
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break           # the child is gone: EIO on Linux
            if not chunk:
                break
            shown += chunk
            # Answer each prompt once it is shown: echo is off by then.
            asked = shown.count(b"Password: ") + shown.count(b"Again: ")
            while pending and asked > len(answers) - len(pending):
                os.write(fd, pending.pop(0) + b"\n")
    finally:
        os.close(fd)
        _, st = os.waitpid(pid, 0)
        status = os.waitstatus_to_exitcode(st)
    return status, shown


def test_tty(r, d):
    """Passwords from the terminal: twice, never echoed."""
    f = os.path.join(d, "tty")
    write(f, b"")
    st, shown = on_tty(["-f", f, "add", *CHEAP, "-u", "1001", "-d", "/h",
                        "tina"], [b"tty secret", b"tty secret"])
    r.ok("passwd:tty-asks-twice", st == 0 and b"Password:" in shown and
         b"Again:" in shown, (st, shown))
    r.ok("passwd:tty-no-echo", b"tty secret" not in shown, shown)
    st, out, _ = run(["test", "-s", "tina"], b"tty secret\n", f)
    r.ok("passwd:tty-password-stored", "wrong password" not in out and
         "home /h missing" in out, out)
    before = read(f)
    st, shown = on_tty(["-f", f, "passwd", *CHEAP, "tina"],
                       [b"one", b"two"])
    r.ok("passwd:tty-mismatch-refused", st == 1 and b"differ" in shown and
         read(f) == before, (st, shown))


def test_test(r, d):
    f = os.path.join(d, "tests")
    home = os.path.join(d, "h")
    for sub in ("", "/Maildir", "/Maildir/cur", "/Maildir/new",
                "/Maildir/tmp"):
        os.makedirs(home + sub, exist_ok=True)
    nomd = os.path.join(d, "nomd")
    os.makedirs(nomd, exist_ok=True)
    write(f, ("good:{PLAIN}pw:1001:1001::%s::\n"
              "locked:{CRYPT}!$y$j9T$abc:1001:1001::%s::\n"
              "root:{PLAIN}pw:0:1001::%s::\n"
              "wheel:{PLAIN}pw:1001:0::%s::\n"
              "nohome:{PLAIN}pw:1001:1001::%s/none::\n"
              "nomaildir:{PLAIN}pw:1001:1001::%s::\n"
              "nolog:{PLAIN}pw:1001:1001::%s:/usr/sbin/nologin:\n"
              "bad:{PLAIN}pw:1001\n"
              % (home, home, home, home, d, nomd, home)).encode())
    cases = [
        ("good", b"pw", 0, "good: ok: line 1"),
        ("good", b"px", 1, "good: FAILED: wrong password"),
        ("unknown", b"pw", 1, "unknown user"),
        ("locked", b"pw", 1, "FAILED: account locked"),
        ("root", b"pw", 1, "FAILED: uid 0 refused"),
        ("wheel", b"pw", 1, "FAILED: gid 0 refused"),
        ("nohome", b"pw", 1, "FAILED: home %s/none missing" % d),
        ("nomaildir", b"pw", 1, "FAILED: %s/Maildir missing" % nomd),
        ("nolog", b"pw", 1, "FAILED: nologin shell"),
        ("bad", b"pw", 1, "FAILED: line 8 is malformed"),
    ]
    for user, pw, want, text in cases:
        st, out, err = run(["test", "-s", user], pw + b"\n", f)
        r.ok("passwd:test-%s%s" % (user, "" if pw == b"pw" else "-wrong"),
             st == want and text in out,
             "exit %d: %s %s" % (st, out.strip(), err.strip()))
    st, out, _ = run(["test", "-n", "-s", "nolog"], b"pw\n", f)
    r.ok("passwd:test-nolog-with-n", st == 0, out)


def test_login(r):
    """An account made by pop3d-passwd -m logs in through the chain."""
    missing = itlib.have("tcpserver", "openssl")
    if missing:
        r.skip("passwd:login", "missing " + " ".join(missing))
        return
    sc = itlib.Scratch()
    srv = None
    try:
        f = os.path.join(sc.dir, "made-by-pop3d-passwd")
        home = os.path.join(sc.dir, "home", "pat")
        st, _, err = run(["add", "-s", *CHEAP, "-u", str(itlib.MAILUID),
                          "-g", str(itlib.MAILGID), "-d", home, "-m", "pat"],
                         b"pat's pw\n", f)
        r.ok("passwd:add-maildir-exit", st == 0, err)
        good = True
        for sub in ("", "/Maildir", "/Maildir/cur", "/Maildir/new",
                    "/Maildir/tmp"):
            s = os.lstat(home + sub)
            if (not stat.S_ISDIR(s.st_mode) or
                    stat.S_IMODE(s.st_mode) != 0o700 or
                    (s.st_uid, s.st_gid) != (itlib.MAILUID, itlib.MAILGID)):
                good = False
        r.ok("passwd:maildir-owner-and-modes", good)
        st, out, _ = run(["test", "-s", "pat"], b"pat's pw\n", f)
        r.ok("passwd:test-made-account", st == 0 and "pat: ok" in out, out)
        msg = b"Subject: made\n\nby pop3d-passwd\n"
        path = os.path.join(home, "Maildir", "new", "1700000000.M1P1.pw")
        with open(path, "wb") as fh:
            fh.write(msg)
        if itlib.ROOT:
            os.chown(path, itlib.MAILUID, itlib.MAILGID)
        argv = [sc.pop3d, "-d", "0", "-p", "loopback", sc.checkpw, "-f", f,
                sc.pop3d, "-m", "Maildir"]
        srv = itlib.Server("tcpserver", argv, sc.log)
        p = poplib.POP3("127.0.0.1", srv.port, timeout=20)
        p.user("pat")
        resp = p.pass_("pat's pw")
        r.ok("passwd:login-through-checkpw", resp.startswith(b"+OK"), resp)
        _, lines, _ = p.retr(1)
        r.ok("passwd:login-retr",
             b"".join(l + b"\r\n" for l in lines) == itlib.wire(msg), lines)
        p.quit()
        p = poplib.POP3("127.0.0.1", srv.port, timeout=20)
        p.user("pat")
        try:
            p.pass_("wrong")
            refused = False
        except poplib.error_proto:
            refused = True
        r.ok("passwd:login-wrong-password-refused", refused)
        p.close()
    finally:
        if srv is not None:
            srv.stop()
        sc.cleanup()


def main():
    r = itlib.Results()
    if not os.access(PASSWD, os.X_OK):
        r.skip("it_passwd", "pop3d-passwd is not built")
        return 0
    d = itlib.scratch_dir("it_passwd.")
    test_edit(r, d)
    test_errors(r, d)
    test_concurrent(r, d)
    test_tty(r, d)
    test_test(r, d)
    test_login(r)
    return 1 if r.failed else 0


if __name__ == "__main__":
    sys.exit(main())
