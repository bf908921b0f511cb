# SPDX-License-Identifier: ISC
"""LAST (RFC 1460) over several sessions of the back end on one
Maildir: the S flag that QUIT adds is the record LAST starts from in
the next session, and a session that ends without QUIT leaves none."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itlib  # noqa: E402


def session(sc, script):
    """One back-end session fed script (pipelined); returns its
    status lines (the lines starting +OK or -ERR)."""
    argv = itlib.AS_USER + [sc.pop3d, "-m", "Maildir", "-e"]
    env = {"USER": "alice", "HOME": sc.home, "PATH": "/usr/bin:/bin"}
    with open(sc.log, "ab") as log:
        p = subprocess.run(argv, input=script, stdout=subprocess.PIPE,
                           stderr=log, cwd=sc.home, env=env, timeout=30)
    return [l for l in p.stdout.split(b"\r\n")
            if l.startswith((b"+OK", b"-ERR"))]


def last_of(lines):
    """The answers to LAST, as numbers, in order."""
    return [int(l.split()[1]) for l in lines
            if l.split()[1:2] and l.split()[1].isdigit() and
            len(l.split()) == 2]


def main():
    r = itlib.Results()
    sc = itlib.Scratch()
    try:
        st = session(sc, b"LAST\r\nRETR 1\r\nRETR 2\r\nRETR 3\r\n"
                     b"LAST\r\nQUIT\r\n")
        r.ok("last:fresh-then-retr", last_of(st) == [0, 3] and
             st[-1] == b"+OK bye", st)
        seen = [f for f in sc.files() if f.endswith(":2,S")]
        r.ok("last:s-flag-written", len(seen) == 3, sc.files())

        # The next session starts at 3; RSET goes back to 3, not 0.
        st = session(sc, b"LAST\r\nRETR 5\r\nLAST\r\nRSET\r\nLAST\r\n"
                     b"QUIT\r\n")
        r.ok("last:next-session", last_of(st) == [3, 5, 3], st)

        # Now 5 carries S.  A session that RETRs 7 and hangs up
        # without QUIT changes nothing: the next one starts at 5.
        before = sc.files()
        st = session(sc, b"LAST\r\nRETR 7\r\nLAST\r\n")
        r.ok("last:no-quit", last_of(st) == [5, 7] and
             sc.files() == before, (st, sc.files()))
        st = session(sc, b"LAST\r\nQUIT\r\n")
        r.ok("last:no-quit-leaves-nothing", last_of(st) == [5], st)

        # Deleting the highest seen message lowers the mark it leaves.
        st = session(sc, b"DELE 5\r\nQUIT\r\n")
        st = session(sc, b"LAST\r\nQUIT\r\n")
        r.ok("last:after-dele", last_of(st) == [3], st)
    except Exception as ex:  # any surprise is a failure, not a crash
        r.ok("it_last:unexpected-error", False, repr(ex))
    finally:
        if r.failed:
            with open(sc.log, errors="replace") as f:
                sys.stderr.write(f.read()[-5000:])
        sc.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
