# SPDX-License-Identifier: ISC
"""End to end: Python's poplib logs in through tcpserver (ucspi-tcp)
and the real chain pop3d -> pop3d-checkpw -> pop3d -m Maildir, fetches
every message byte-exact, deletes, and lists again."""
import os
import poplib
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itlib  # noqa: E402


def main():
    r = itlib.Results()
    missing = itlib.have("tcpserver", "openssl")
    if missing:
        r.skip("it_poplib", "missing " + " ".join(missing))
        return 0
    sc = itlib.Scratch()
    srv = None
    try:
        srv = itlib.Server("tcpserver", sc.command(), sc.log)
        names = sorted(itlib.MESSAGES)
        want = [itlib.wire(itlib.MESSAGES[n]) for n in names]

        p = poplib.POP3("127.0.0.1", srv.port, timeout=20)
        r.ok("poplib:greeting", p.getwelcome().startswith(b"+OK"))
        p.user("alice")
        resp = p.pass_(sc.password)
        r.ok("poplib:login", resp.startswith(b"+OK"), resp)
        count, total = p.stat()
        r.ok("poplib:stat", (count, total) ==
             (len(want), sum(len(w) for w in want)), (count, total))
        _, lines, _ = p.list()
        sizes = [int(l.split()[1]) for l in lines]
        r.ok("poplib:list-exact-sizes", sizes == [len(w) for w in want],
             sizes)
        _, lines, _ = p.uidl()
        uids = [l.split()[1].decode() for l in lines]
        r.ok("poplib:uidl-qmail-style", uids == names, uids)
        good = True
        for i, w in enumerate(want, 1):
            _, lines, octets = p.retr(i)
            got = b"".join(l + b"\r\n" for l in lines)
            if got != w or octets != sizes[i - 1]:
                good = False
                print("  message %d differs (%d octets, want %d)"
                      % (i, octets, sizes[i - 1]), file=sys.stderr)
        r.ok("poplib:retr-byte-exact", good)
        _, lines, _ = p.top(2, 0)
        r.ok("poplib:top", lines == [b"Subject: dots", b""], lines)
        p.quit()
        r.ok("poplib:quit-moves-to-cur-with-S",
             sc.files() == ["cur/%s:2,S" % n for n in names], sc.files())

        p = poplib.POP3("127.0.0.1", srv.port, timeout=20)
        p.user("alice")
        p.pass_(sc.password)
        _, lines, _ = p.uidl()
        r.ok("poplib:uidl-stable-across-sessions",
             [l.split()[1].decode() for l in lines] == uids)
        for i in range(1, len(want)):
            p.dele(i)
        try:
            p.retr(1)
            r.ok("poplib:retr-deleted-fails", False)
        except poplib.error_proto as e:
            r.ok("poplib:retr-deleted-fails", str(e).startswith("b'-ERR"))
        p.quit()
        r.ok("poplib:dele-quit-unlinks",
             sc.files() == ["cur/%s:2,S" % names[-1]], sc.files())

        p = poplib.POP3("127.0.0.1", srv.port, timeout=20)
        p.user("alice")
        p.pass_(sc.password)
        _, lines, _ = p.list()
        r.ok("poplib:relist", lines == [b"1 %d" % len(want[-1])], lines)
        p.quit()

        p = poplib.POP3("127.0.0.1", srv.port, timeout=20)
        p.user("alice")
        try:
            p.pass_("wrong")
            r.ok("poplib:bad-password", False)
        except poplib.error_proto as e:
            r.ok("poplib:bad-password", "[AUTH]" in str(e), e)
        p.quit()
        with open(sc.log) as f:
            log = f.read()
        r.ok("poplib:fail2ban-log-line",
             "LOGIN FAILED, user=alice, ip=[127.0.0.1]" in log, log)
    except Exception as e:  # any surprise is a failure, not a crash
        r.ok("poplib:unexpected-error", False, repr(e))
    finally:
        if srv is not None:
            srv.stop()
        if r.failed:
            with open(sc.log, errors="replace") as f:
                sys.stderr.write(f.read())
        sc.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
