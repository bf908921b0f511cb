# SPDX-License-Identifier: ISC
"""fail2ban: Debian's stock courier-auth filter finds exactly the failed
logins in a real log.  The log is the one the shipped daemontools/runit
service writes: svscan supervising service/pop3d/run (tcpserver and the
pop3d chain, -e) and service/pop3d/log/run (multilog or svlogd, TAI64N
stamps).
Failed logins with a wrong password, an unknown user and a user name
that tries to forge an address are all counted against the client's
real address; a good login, its logout and tcpserver's own lines are
not.  fail2ban-regex reads the file exactly as a jail with
logpath = .../main/current would."""
import os
import poplib
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itlib  # noqa: E402

# (user, password): each a failed login in a connection of its own.
FAILURES = [
    ("alice", "wrong"),
    ("nosuchuser", "secret"),
    ("x, ip=[192.0.2.66]", "secret"),
    ("alice", "also wrong"),
]


def main():
    r = itlib.Results()
    missing = itlib.have("svscan", "svc", "svstat", "tcpserver", "openssl",
                         "fail2ban-regex")
    if itlib.have("multilog") and itlib.have("svlogd"):
        missing.append("multilog or svlogd")
    if missing:
        r.skip("fail2ban", "missing " + " ".join(missing))
        return 0
    sc = itlib.Scratch()
    svc = None
    try:
        svc = itlib.Service(sc, "-f " + sc.passwd)
        for user, password in FAILURES:
            p = poplib.POP3("127.0.0.1", svc.port, timeout=30)
            p.user(user)
            try:
                p.pass_(password)
                r.ok("fail2ban:refused:" + user, False, "login accepted")
            except poplib.error_proto as e:
                r.ok("fail2ban:refused:" + user, "[AUTH]" in str(e), e)
            p.quit()
        p = poplib.POP3("127.0.0.1", svc.port, timeout=30)
        p.user("alice")
        p.pass_(sc.password)
        p.stat()
        p.quit()
        itlib.wait_log(svc.current, lambda t: "logout: user=alice" in t)
        svc.stop()

        with open(svc.current, errors="replace") as f:
            log = f.read()
        stamped = all(re.match(r"@[0-9a-f]{24} ", l)
                      for l in log.splitlines())
        r.ok("fail2ban:log-lines-stamped", stamped and log != "", log)
        r.ok("fail2ban:log-has-logout",
             "logout: user=alice, ip=[127.0.0.1]" in log, log)
        ips = itlib.fail2ban(svc.current, "ip")
        r.ok("fail2ban:courier-auth-matches-each-failure",
             ips == ["127.0.0.1"] * len(FAILURES), ips)
        users = itlib.fail2ban(svc.current, "user")
        r.ok("fail2ban:courier-auth-users",
             users == ["alice", "nosuchuser",
                       r"x\x2c\x20ip\x3d\x5b192.0.2.66\x5d", "alice"], users)
    except Exception as e:
        r.ok("fail2ban:unexpected-error", False, repr(e))
    finally:
        if svc is not None:
            svc.stop()
            if r.failed and os.path.exists(svc.current):
                with open(svc.current, errors="replace") as f:
                    sys.stderr.write(f.read()[-3000:])
        sc.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
