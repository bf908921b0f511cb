# SPDX-License-Identifier: ISC
"""Every login mechanism against the real chain (tcpserver, pop3d,
pop3d-checkpw with a passwd-file, pop3d -m): APOP and its stamp,
CRAM-MD5, AUTH PLAIN in both forms and its authorization identity,
the failures of each, the log line fail2ban reads, and the brake:
a growing delay after each failed login, then a clean close.

Users: alice has a sha512-crypt hash, apop a {PLAIN} secret; both
have the password "secret" and share one Maildir."""
import base64
import hashlib
import hmac
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itlib  # noqa: E402
import tlslib  # noqa: E402
from tlslib import Client  # noqa: E402

MAILDROP = re.compile(rb"^\+OK maildrop has 7 messages \(\d+ octets\)$")
FAILED = b"-ERR [AUTH] authentication failed"


def finish(c):
    """QUIT, then wait for the server to close: the Maildir lock is
    free again once the back end is gone."""
    try:
        st = c.cmd("QUIT")
        c.rest()
        return st
    except (OSError, tlslib.Pop3Error) as e:
        return repr(e).encode()
    finally:
        c.close()


def usable(c):
    """The session goes on after a refusal: CAPA works."""
    try:
        return "TOP" in c.capa()
    except (OSError, tlslib.Pop3Error):
        return False


def b64(s):
    return base64.b64encode(s).decode()


def run(r, sc):
    srv = tlslib.tcpserver(sc, ("-d", "0", "-p", "any", "-a", "-c",
                                "-l", "10", "-h", "mail.example.org"))
    port = srv.port
    try:
        # APOP: the stamp, RFC 1939 s.7 msg-id syntax, never twice.
        c1, c2 = Client(port), Client(port)
        s1, s2 = tlslib.stamp_of(c1.greeting), tlslib.stamp_of(c2.greeting)
        form = re.compile(rb"^<\d+\.\d+\.[0-9a-f]{16}@mail\.example\.org>$")
        r.ok("apop:stamp-format", s1 is not None and form.match(s1)
             is not None, c1.greeting)
        r.ok("apop:stamp-unique", s1 != s2, (s1, s2))
        # A digest made for another connection's stamp is no good here.
        replay = hashlib.md5(s1 + b"secret").hexdigest()
        st = c2.cmd("APOP apop %s" % replay)
        r.ok("apop:other-stamp-refused", st == FAILED, st)
        finish(c2)
        st = tlslib.login_apop(c1, "apop", "secret")
        r.ok("apop:plain-secret", MAILDROP.match(st) is not None, st)
        finish(c1)

        c = Client(port)
        st = tlslib.login_apop(c, "alice", "secret")
        r.ok("apop:hashed-secret-refused", st == FAILED, st)
        r.ok("apop:hashed-secret-session-usable", usable(c) and
             MAILDROP.match(tlslib.login_user(c, "alice", "secret"))
             is not None)
        finish(c)

        c = Client(port)
        st = tlslib.login_apop(c, "apop", "Wr0ng-pw")
        r.ok("apop:wrong-secret", st == FAILED, st)
        stamp = tlslib.stamp_of(c.greeting)
        good = hashlib.md5(stamp + b"secret").hexdigest()
        st = c.cmd("APOP apop %s" % good.upper())
        r.ok("apop:upper-case-digest", st.startswith(b"-ERR usage"), st)
        st = c.cmd("APOP apop %s" % good[:31])
        r.ok("apop:short-digest", st.startswith(b"-ERR usage"), st)
        st = c.cmd("APOP apop %s" % good)
        r.ok("apop:after-failures", MAILDROP.match(st) is not None, st)
        finish(c)

        # CRAM-MD5 (RFC 2195): HMAC-MD5 keyed with the {PLAIN} secret.
        c = Client(port)
        st = c.cmd("AUTH CRAM-MD5")
        chal = base64.b64decode(st[2:]) if st.startswith(b"+ ") else b""
        r.ok("cram:challenge-format", form.match(chal) is not None, st)
        digest = hmac.new(b"secret", chal, hashlib.md5).hexdigest()
        st = c.cmd(b64(b"apop " + digest.encode()))
        r.ok("cram:plain-secret", MAILDROP.match(st) is not None, st)
        finish(c)

        c = Client(port)
        st = tlslib.login_cram(c, "alice", "secret")
        r.ok("cram:hashed-secret-refused", st == FAILED, st)
        st = tlslib.login_cram(c, "apop", "Wr0ng-pw")
        r.ok("cram:wrong-secret", st == FAILED, st)
        st = c.cmd("AUTH CRAM-MD5")
        chal = base64.b64decode(st[2:])
        digest = hmac.new(b"secret", chal, hashlib.md5).hexdigest()
        st = c.cmd(b64(b"apop " + digest.upper().encode()))
        r.ok("cram:upper-case-digest", st.startswith(b"-ERR [AUTH] malformed"),
             st)
        r.ok("cram:session-usable", usable(c) and MAILDROP.match(
            tlslib.login_cram(c, "apop", "secret")) is not None)
        finish(c)

        # AUTH PLAIN (RFC 4616): both forms, the authzid, bad input.
        for name, user, login in (
                ("plain:initial-response", "alice",
                 lambda c: tlslib.login_plain(c, "alice", "secret")),
                ("plain:continuation", "alice",
                 lambda c: tlslib.login_plain(c, "alice", "secret",
                                              initial=False)),
                ("plain:authzid-is-user", "alice",
                 lambda c: tlslib.login_plain(c, "alice", "secret",
                                              authzid="alice")),
                ("plain:plain-secret", "apop",
                 lambda c: tlslib.login_plain(c, "apop", "secret"))):
            c = Client(port)
            st = login(c)
            r.ok(name, MAILDROP.match(st) is not None, st)
            finish(c)

        c = Client(port)
        st = tlslib.login_plain(c, "alice", "secret", authzid="apop")
        r.ok("plain:authzid-differs", st.startswith(b"-ERR [AUTH]"), st)
        st = c.cmd("AUTH PLAIN " + b64(b"\0alice\0sec\0ret"))
        r.ok("plain:nul-in-password", st.startswith(b"-ERR [AUTH]"), st)
        st = c.cmd("AUTH PLAIN " + b64(b"\0ali\0ce\0secret"))
        r.ok("plain:nul-in-user", st.startswith(b"-ERR [AUTH]"), st)
        st = c.cmd("AUTH PLAIN AGFsaWNlAHNlY3JldA")
        r.ok("plain:bad-base64", st == b"-ERR malformed base64 in SASL "
             b"response", st)
        st = tlslib.login_plain(c, "alice", "Wr0ng-pw")
        r.ok("plain:wrong-password", st == FAILED, st)
        st = c.cmd("AUTH PLAIN")
        st = c.cmd("A" * 2000)
        r.ok("plain:over-long-response", st == b"-ERR SASL response too "
             b"long", st)
        st = c.cmd("AUTH PLAIN")
        st = c.cmd("*")
        r.ok("plain:cancel", st == b"-ERR AUTH cancelled", st)
        st = c.cmd("AUTH X-UNKNOWN")
        r.ok("auth:unknown-mechanism",
             st == b"-ERR unrecognized authentication type", st)
        st = c.cmd("AUTH")
        mechs = c.multi() if st.startswith(b"+OK") else []
        r.ok("auth:list", mechs == [b"PLAIN", b"CRAM-MD5"], mechs)
        r.ok("plain:session-usable", MAILDROP.match(tlslib.login_plain(
            c, "alice", "secret")) is not None)
        finish(c)

        r.ok("auth:fail2ban-lines", tlslib.wait_until(lambda: all(
            "LOGIN FAILED, user=%s, ip=[127.0.0.1]" % u in open(sc.log).read()
            for u in ("alice", "apop"))))
        with open(sc.log) as f:
            log = f.read()
        r.ok("auth:no-secret-in-log", "secret" not in log and "Wr0ng-pw"
             not in log)
    finally:
        srv.close()


def brake(r, sc):
    """-d 1 -l 3: each failure waits longer (1, 2, 4 s), the third
    closes the connection; lower bounds only."""
    srv = tlslib.tcpserver(sc, ("-d", "1", "-l", "3", "-p", "any"))
    try:
        c = Client(srv.port, timeout=30)
        took = []
        replies = []
        for _ in range(3):
            c.cmd("USER alice")
            t = time.monotonic()
            replies.append(c.cmd("PASS Wr0ng-pw"))
            took.append(time.monotonic() - t)
        r.ok("brake:replies", replies[:2] == [FAILED, FAILED] and
             replies[2].startswith(FAILED + b"; too many failures"),
             replies)
        r.ok("brake:growing-delay", took[0] >= 0.95 and took[1] >= 1.95 and
             took[2] >= 3.95 and sum(took[:2]) >= 2.95, took)
        r.ok("brake:closed-after-limit", c.rest(5) == b"")
        c.close()
        r.ok("brake:logged-each", tlslib.wait_until(
            lambda: open(sc.log).read().count(
                "LOGIN FAILED, user=alice, ip=[127.0.0.1]") == 3))
    finally:
        srv.close()


def main():
    r = itlib.Results()
    missing = itlib.have("tcpserver", "openssl")
    if missing:
        r.skip("it_auth", "missing " + " ".join(missing))
        return 0
    sc = itlib.Scratch()
    try:
        run(r, sc)
        sc2 = itlib.Scratch()
        try:
            brake(r, sc2)
        finally:
            if r.failed:
                sys.stderr.write(open(sc2.log, errors="replace").read())
            sc2.cleanup()
    except Exception as e:  # any surprise is a failure, not a crash
        r.ok("it_auth:unexpected-error", False, repr(e))
    finally:
        if r.failed:
            with open(sc.log, errors="replace") as f:
                sys.stderr.write(f.read())
        sc.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
