#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""tests/it_perdition.py: Debian's perdition in front of two pop3d back
ends (tcpserver) on loopback, with a popmap (the GDBM map library,
built with makegdbm, as /etc/perdition/Makefile.popmap does) that
sends alice to the first and bob to the second.

Each back end knows only its own user (its own passwd-file), so a user
sent to the wrong one could not log in.  Both users' mail is fetched
through perdition with poplib, byte for byte; each back end logs only
its own user; a wrong password is refused by the right back end.
"""
import os
import poplib
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itlib  # noqa: E402

GDBM = "/usr/lib/x86_64-linux-gnu/libperditiondb_gdbm.so.0"
R = itlib.Results()
ALICE = {"1600000001.M1P1.it": b"Subject: for alice\n\nhello alice\n",
         "1600000002.M2P2.it": b"Subject: dots\n\n.\n..\nend\n"}
BOB = {"1600000011.M1P1.it": b"Subject: for bob\r\n\r\nhello bob\r\n"}


def map_library():
    """The GDBM map library wherever this system keeps it."""
    out = subprocess.run(["dpkg", "-L", "perdition"], capture_output=True,
                         text=True, stdin=subprocess.DEVNULL)
    for line in out.stdout.splitlines():
        if line.endswith("/libperditiondb_gdbm.so.0"):
            return line
    return GDBM if os.path.exists(GDBM) else None


def add_user(sc, name, password, messages):
    """A second user with its own home, Maildir and passwd-file."""
    home = os.path.join(sc.dir, "home", name)
    for sub in ("new", "cur", "tmp"):
        os.makedirs(os.path.join(home, "Maildir", sub))
    t = 1600000000
    for n in sorted(messages):
        path = os.path.join(home, "Maildir", "new", n)
        with open(path, "wb") as f:
            f.write(messages[n])
        t += 10
        os.utime(path, (t, t))
    sc.chown()
    hashed = subprocess.run(["openssl", "passwd", "-6", password],
                            check=True, capture_output=True,
                            text=True).stdout.strip()
    passwd = os.path.join(sc.dir, "passwd." + name)
    with open(passwd, "w") as f:
        f.write("%s:{CRYPT}%s:%d:%d::%s::\n"
                % (name, hashed, itlib.MAILUID, itlib.MAILGID, home))
    return passwd


def back_end(sc, passwd, log):
    return itlib.Server("tcpserver", [
        sc.pop3d, "-e", "-d", "0", "-p", "loopback", sc.checkpw, "-f",
        passwd, sc.pop3d, "-m", "Maildir"], log)


def fetch(port, user, password):
    p = poplib.POP3("127.0.0.1", port, timeout=30)
    try:
        p.user(user)
        p.pass_(password)
        count, _ = p.stat()
        got = [b"\r\n".join(p.retr(i + 1)[1]) for i in range(count)]
        p.quit()
    finally:
        p.close()
    return got


def try_fetch(port, user, password):
    """fetch(), or the error as text (a FAIL line, not a traceback)."""
    try:
        return fetch(port, user, password)
    except (OSError, poplib.error_proto) as e:
        return "error: %r" % e


def want(messages):
    return [itlib.wire(messages[n])[:-2] for n in sorted(messages)]


def main():
    missing = itlib.have("perdition", "makegdbm", "tcpserver")
    lib = map_library()
    if missing or lib is None:
        R.skip("perdition", "not installed: %s" %
               (" ".join(missing) or "libperditiondb_gdbm"))
        return 0
    sc = itlib.Scratch(messages=ALICE)
    procs, perd = [], None
    try:
        bob_passwd = add_user(sc, "bob", "hunter2", BOB)
        logs = [os.path.join(sc.dir, "back%d.log" % i) for i in (1, 2)]
        procs.append(back_end(sc, sc.passwd, logs[0]))
        procs.append(back_end(sc, bob_passwd, logs[1]))

        popmap = os.path.join(sc.dir, "popmap")
        with open(popmap, "w") as f:
            f.write("alice:127.0.0.1:%d\nbob:127.0.0.1:%d\n"
                    % (procs[0].port, procs[1].port))
        db = popmap + ".gdbm.db"
        with open(popmap) as f:
            subprocess.run(["makegdbm", db], stdin=f, check=True,
                           timeout=30)
        os.chmod(db, 0o644)

        plog = os.path.join(sc.dir, "perdition.log")
        for _ in range(5):
            port = itlib.free_port()
            perd = subprocess.Popen(
                ["perdition", "--no_daemon", "-f", "/dev/null",
                 "-P", "POP3", "-b", "127.0.0.1", "-l", str(port),
                 "-M", lib, "-m", db, "-n", "--ssl_mode", "none",
                 "--pid_file", os.path.join(sc.dir, "perdition.pid"),
                 "-F", plog],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, start_new_session=True)
            if itlib.wait_port(port, perd):
                break
            srv = itlib.Server.__new__(itlib.Server)
            srv.proc = perd
            srv.stop()
            perd = None
        if perd is None:
            R.ok("perdition:start", False, "perdition did not listen")
            return 1

        got = try_fetch(port, "alice", "secret")
        R.ok("perdition:alice-fetch", got == want(ALICE), got)
        got = try_fetch(port, "bob", "hunter2")
        R.ok("perdition:bob-fetch", got == want(BOB), got)
        try:
            fetch(port, "bob", "wrong")
            refused = False
        except poplib.error_proto:
            refused = True
        R.ok("perdition:wrong-password-refused", refused)

        texts = [itlib.wait_log(l, itlib.sessions_done) for l in logs]
        texts[1] = itlib.wait_log(logs[1], lambda t: "LOGIN FAILED" in t)
        users = [set(re.findall(r"login: user=(\w+)", t)) for t in texts]
        R.ok("perdition:alice-on-first-back-end", users[0] == {"alice"},
             texts[0])
        R.ok("perdition:bob-on-second-back-end", users[1] == {"bob"},
             texts[1])
        R.ok("perdition:bad-login-logged-by-bobs-back-end",
             "LOGIN FAILED, user=bob" in texts[1] and
             "LOGIN FAILED" not in texts[0], texts)
    finally:
        if perd is not None:
            srv = itlib.Server.__new__(itlib.Server)
            srv.proc = perd
            srv.stop()
        for p in procs:
            p.stop()
        sc.cleanup()
    return 1 if R.failed else 0


if __name__ == "__main__":
    sys.exit(main())
