# SPDX-License-Identifier: ISC
"""The secure-channel policy and STLS, end to end.

- The policy matrix: each way a connection can be secure or not
  (plain loopback TCP with -p secure, -p loopback, -E, POP3D_SECURE=1,
  pop3s through stunnel, STLS through stunnel's protocol = pop3, STLS
  through a UCSPI-TLS wrapper) times each login (USER/PASS, AUTH PLAIN
  with and without initial response, APOP, CRAM-MD5): CAPA lists
  exactly what works, a refusal is -ERR [AUTH] and the session goes on.
- Native STLS through tests/ucspitls.py: the switch, STLS twice, the
  command injection (CVE-2011-0411), UCSPITLS="!" and "-", a wrapper
  whose descriptors are missing, and what the front end does with
  bytes that follow STLS, watched directly on its descriptors.
- What stunnel in front of pop3d shows the client.

The stunnel configurations are the shipped stunnel/*.conf examples
with only addresses, paths and the test's options changed."""
import os
import re
import select
import socket
import ssl
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itlib  # noqa: E402
import tlslib  # noqa: E402
from tlslib import Client, Pop3Error  # noqa: E402

MAILDROP = re.compile(rb"^\+OK maildrop has 7 messages \(\d+ octets\)$")
COMMON = ["TOP", "UIDL", "PIPELINING", "RESP-CODES", "AUTH-RESP-CODE",
          "IMPLEMENTATION pop3d"]
CAPA_SECURE = ["USER", "SASL PLAIN CRAM-MD5"] + COMMON
CAPA_INSECURE = ["SASL CRAM-MD5"] + COMMON
# Options for every front end here: APOP and CRAM-MD5 on, no delay.
FRONT = ["-d", "0", "-a", "-c"]
# Which user each login uses: APOP and CRAM-MD5 need a {PLAIN} secret.
USERS = {"user": "alice", "plain": "alice", "plain-cont": "alice",
         "apop": "apop", "cram": "apop"}


def finish(c):
    try:
        st = c.cmd("QUIT")
        c.rest()
        return st
    except (OSError, Pop3Error) as e:
        return repr(e).encode()
    finally:
        c.close()


def matrix_row(r, row, connect, capa_want, secure):
    """connect() returns a Client ready for AUTHORIZATION commands."""
    c = connect()
    try:
        got = c.capa()
        r.ok("policy:%s:capa" % row, got == capa_want, got)
    finally:
        finish(c)
    for mech, login in tlslib.LOGINS.items():
        name = "policy:%s:%s" % (row, mech)
        c = connect()
        try:
            st = login(c, USERS[mech], "secret")
            if secure or mech in ("apop", "cram"):
                r.ok(name, MAILDROP.match(st) is not None, st)
                st = c.cmd("STAT")
                r.ok(name + ":stat", st.startswith(b"+OK 7 "), st)
            else:
                r.ok(name + ":refused", st.startswith(b"-ERR [AUTH] "), st)
                # The session goes on: CAPA, then a login that is allowed.
                r.ok(name + ":usable", c.capa() == capa_want and
                     MAILDROP.match(tlslib.login_cram(c, "apop", "secret"))
                     is not None)
        except (OSError, Pop3Error) as e:
            r.ok(name, False, repr(e))
        finally:
            finish(c)


def policy_matrix(r, sc, cert, key, ctx):
    env = dict(os.environ, POP3D_SECURE="1")
    plain = [
        ("insecure", FRONT + ["-p", "secure"], None, False),
        ("loopback", FRONT + ["-p", "loopback"], None, True),
        ("declared", FRONT + ["-E"], None, True),
        ("env", FRONT, env, True),
    ]
    for row, front, e, secure in plain:
        srv = tlslib.tcpserver(sc, front, env=e)
        try:
            matrix_row(r, row, lambda: Client(srv.port),
                       CAPA_SECURE if secure else CAPA_INSECURE, secure)
        finally:
            srv.close()

    # pop3s: stunnel's example, its pop3d options plus ours.
    front = tlslib.example_front("pop3s.conf")
    r.ok("stunnel:pop3s-example-declares-encrypted", "-E" in front, front)
    srv = tlslib.stunnel(sc, "pop3s.conf", front + FRONT, cert, key)
    try:
        matrix_row(r, "pop3s", lambda: Client(srv.port, ctx), CAPA_SECURE,
                   True)
    finally:
        srv.close()

    # STLS by stunnel (protocol = pop3).
    front = tlslib.example_front("pop3-stls.conf")
    r.ok("stunnel:stls-example-declares-encrypted", "-E" in front, front)
    srv = tlslib.stunnel(sc, "pop3-stls.conf", front + FRONT, cert, key)

    def stunnel_stls():
        c = Client(srv.port)
        c.starttls(ctx)
        return c
    try:
        matrix_row(r, "stls-stunnel", stunnel_stls, CAPA_SECURE, True)
    finally:
        srv.close()

    # STLS through the UCSPI-TLS wrapper: insecure before, secure after.
    srv = tlslib.ucspitls(sc, FRONT + ["-p", "secure"], cert, key)

    def native_stls():
        c = Client(srv.port)
        c.starttls(ctx)
        return c
    try:
        matrix_row(r, "before-stls", lambda: Client(srv.port),
                   ["STLS"] + CAPA_INSECURE, False)
        matrix_row(r, "stls-native", native_stls, CAPA_SECURE, True)
    finally:
        srv.close()


def native_stls(r, sc, cert, key, ctx):
    srv = tlslib.ucspitls(sc, ["-d", "0", "-p", "any"], cert, key)
    port = srv.port
    try:
        # The switch: CAPA before and after, a login, every message.
        c = Client(port)
        before = c.capa()
        r.ok("stls:capa-before", before == ["STLS", "USER", "SASL PLAIN"]
             + COMMON, before)
        st = c.starttls(ctx)
        r.ok("stls:ok", st == b"+OK begin TLS negotiation", st)
        r.ok("stls:tls-active", c.sock.version() in ("TLSv1.2", "TLSv1.3"),
             c.sock.version())
        after = c.capa()
        r.ok("stls:capa-after", after == ["USER", "SASL PLAIN"] + COMMON,
             after)
        st = c.cmd("STLS")
        r.ok("stls:twice", st == b"-ERR command not permitted when TLS "
             b"active", st)
        st = tlslib.login_user(c, "alice", "secret")
        r.ok("stls:login", MAILDROP.match(st) is not None, st)
        names = sorted(itlib.MESSAGES)
        good = True
        for i, n in enumerate(names, 1):
            st = c.cmd("RETR %d" % i)
            body = b"".join(l + b"\r\n" for l in c.multi())
            if not st.startswith(b"+OK") or body != itlib.wire(
                    itlib.MESSAGES[n]):
                good = False
                print("  message %d differs" % i, file=sys.stderr)
        r.ok("stls:retr-byte-exact", good)
        st = c.cmd("STLS")
        r.ok("stls:after-login", st == b"-ERR command not valid in this "
             b"state", st)
        st = finish(c)
        r.ok("stls:quit", st.startswith(b"+OK"), st)

        # USER given in the clear is forgotten by the switch.
        c = Client(port)
        c.cmd("USER alice")
        c.starttls(ctx)
        st = c.cmd("PASS secret")
        r.ok("stls:forgets-user", st == b"-ERR send USER first", st)
        finish(c)

        # The injection: commands pipelined behind STLS in one write are
        # never answered in the clear, and to the wrapper they are the
        # start of the handshake, which fails.
        for name, extra in (("capa", b"CAPA\r\n"),
                            ("user", b"USER evil\r\nPASS evil\r\n")):
            c = Client(port)
            c.send(b"STLS\r\n" + extra)
            st = c.line()
            rest = c.rest(5)
            c.close()
            r.ok("stls:injection-%s" % name,
                 st == b"+OK begin TLS negotiation" and
                 b"+OK" not in rest and b"-ERR" not in rest and
                 b"capability" not in rest, (st, rest))
        r.ok("stls:injection-breaks-handshake", tlslib.wait_until(
            lambda: open(sc.log).read().count("TLS handshake failed") >= 2))
        with open(sc.log) as f:
            log = f.read()
        r.ok("stls:injection-never-executed", "evil" not in log, log)
    finally:
        srv.close()

    # UCSPITLS="!": no login at all before STLS.
    srv = tlslib.ucspitls(sc, ["-d", "0", "-p", "any", "-a", "-c"], cert,
                          key, mode="required")
    try:
        c = Client(srv.port)
        got = c.capa()
        r.ok("stls-required:capa", got == ["STLS"] + COMMON, got)
        refused = True
        for mech, login in tlslib.LOGINS.items():
            st = login(c, USERS[mech], "secret")
            if st != b"-ERR [AUTH] TLS is required: send STLS first":
                refused = False
                print("  %s: %r" % (mech, st), file=sys.stderr)
        r.ok("stls-required:logins-refused", refused)
        c.starttls(ctx)
        got = c.capa()
        r.ok("stls-required:capa-after", got == CAPA_SECURE, got)
        st = tlslib.login_plain(c, "alice", "secret")
        r.ok("stls-required:login-after", MAILDROP.match(st) is not None, st)
        finish(c)
    finally:
        srv.close()

    # UCSPITLS="-": the wrapper is there but TLS is off.
    srv = tlslib.ucspitls(sc, ["-d", "0", "-p", "any"], cert, key,
                          mode="disabled")
    try:
        c = Client(srv.port)
        got = c.capa()
        r.ok("stls-disabled:capa", "STLS" not in got, got)
        st = c.cmd("STLS")
        r.ok("stls-disabled:refused", st == b"-ERR STLS is not available "
             b"here", st)
        finish(c)
    finally:
        srv.close()


def broken_fds(r, sc):
    """UCSPITLS set, but the descriptors are not there: no service."""
    for name, fds in (("closed", ("50", "51", "52")),
                      ("stdio", ("0", "1", "2")),
                      ("junk", ("x", "", "-1"))):
        a, b = socket.socketpair()
        env = dict(os.environ, UCSPITLS="", SSLCTLFD=fds[0],
                   SSLREADFD=fds[1], SSLWRITEFD=fds[2])
        p = subprocess.Popen(sc.command(("-d", "0", "-p", "any")),
                             stdin=b, stdout=b, stderr=subprocess.PIPE,
                             env=env)
        b.close()
        try:
            _, err = p.communicate(timeout=10)
            a.settimeout(5)
            out = a.recv(100)
        except (subprocess.TimeoutExpired, OSError) as e:
            p.kill()
            p.wait()
            out, err = repr(e).encode(), b""
        a.close()
        r.ok("stls-broken-fds:%s" % name, p.returncode == 111 and
             out == b"" and b"UCSPITLS is set" in err,
             (p.returncode, out, err))


def discard_direct(r, sc):
    """The front end's own descriptors: after STLS it reads only the
    wrapper's channel, never a byte of what followed STLS on the old
    fd 0, which still holds it; a socket and a pipe as fd 0."""
    for kind in ("socket", "pipe"):
        ctl, ctl_child = socket.socketpair()
        rd_r, rd_w = os.pipe()
        wr_r, wr_w = os.pipe()
        if kind == "socket":
            cli, srv_end = socket.socketpair()
            stdin = stdout = srv_end.fileno()
            cli.sendall(b"STLS\r\nCAPA\r\n")
        else:
            in_r, in_w = os.pipe()
            out_r, out_w = os.pipe()
            os.write(in_w, b"STLS\r\nCAPA\r\n")
            stdin, stdout = in_r, out_w
        env = dict(os.environ, UCSPITLS="", SSLCTLFD=str(ctl_child.fileno()),
                   SSLREADFD=str(rd_r), SSLWRITEFD=str(wr_w))
        p = subprocess.Popen(sc.command(("-d", "0", "-p", "any")),
                             stdin=stdin, stdout=stdout,
                             stderr=subprocess.DEVNULL, env=env,
                             pass_fds=(ctl_child.fileno(), rd_r, wr_w))
        for fd in (ctl_child, rd_r, wr_w):
            if isinstance(fd, int):
                os.close(fd)
            else:
                fd.close()
        try:
            ctl.settimeout(10)
            cmd = ctl.recv(1)
            os.write(rd_w, b"CAPA\r\nQUIT\r\n")
            os.close(rd_w)
            tls_out = b""
            end = time.monotonic() + 10
            while time.monotonic() < end:
                if not select.select([wr_r], [], [], 1)[0]:
                    continue
                d = os.read(wr_r, 65536)
                if not d:
                    break
                tls_out += d
            p.wait(timeout=10)
            if kind == "socket":
                cli.settimeout(2)
                clear = b""
                try:
                    while b"negotiation\r\n" not in clear:
                        d = cli.recv(4096)
                        if not d:
                            break
                        clear += d
                except OSError:
                    pass
                srv_end.settimeout(0.5)
                left = srv_end.recv(100)
            else:
                os.close(out_w)
                clear = os.read(out_r, 65536)
                os.close(in_w)
                left = os.read(in_r, 100)
            r.ok("stls-discard:%s:control" % kind, cmd == b"Y", cmd)
            r.ok("stls-discard:%s:clear" % kind,
                 re.match(rb"^\+OK POP3 server ready\r\n\+OK begin TLS "
                          rb"negotiation\r\n$", clear) is not None, clear)
            r.ok("stls-discard:%s:wrapper-channel" % kind,
                 tls_out.count(b"+OK capability list follows") == 1 and
                 tls_out.endswith(b".\r\n+OK bye\r\n") and
                 tls_out.count(b"+OK") == 2, tls_out)
            r.ok("stls-discard:%s:rest-unread" % kind, left == b"CAPA\r\n",
                 left)
        except (OSError, subprocess.TimeoutExpired, socket.timeout) as e:
            r.ok("stls-discard:%s" % kind, False, repr(e))
            p.kill()
            p.wait()
        finally:
            for fd in (ctl, wr_r):
                try:
                    fd.close() if not isinstance(fd, int) else os.close(fd)
                except OSError:
                    pass
            if kind == "socket":
                cli.close()
                srv_end.close()
            else:
                for fd in (in_r, out_r):
                    try:
                        os.close(fd)
                    except OSError:
                        pass


def stunnel_behaviour(r, sc, cert, key, ctx):
    """What a client sees of stunnel's protocol = pop3."""
    srv = tlslib.stunnel(sc, "pop3-stls.conf", ["-E", "-d", "0", "-a"],
                         cert, key)
    try:
        c = Client(srv.port)
        r.ok("stunnel-stls:greeting-passed-on", re.match(
            rb"^\+OK POP3 server ready <[^<>]+> \+ stunnel$", c.greeting)
            is not None, c.greeting)
        got = c.capa()
        r.ok("stunnel-stls:capa-by-stunnel", got == ["STLS"], got)
        st = c.cmd("STLS")
        r.ok("stunnel-stls:stls", st == b"+OK Stunnel starts TLS "
             b"negotiation", st)
        c.sock = ctx.wrap_socket(c.sock, server_hostname="localhost")
        got = c.capa()
        r.ok("stunnel-stls:capa-after-by-pop3d", got == ["USER",
             "SASL PLAIN"] + COMMON, got)
        # The stamp survives " + stunnel": APOP works.
        st = tlslib.login_apop(c, "apop", "secret")
        r.ok("stunnel-stls:apop-through-stamp", MAILDROP.match(st)
             is not None, st)
        finish(c)

        # stunnel answers one CAPA; a second one before STLS (Python's
        # poplib sends one in stls() itself) ends the connection.
        c = Client(srv.port)
        c.capa()
        c.send(b"CAPA\r\n")
        rest = c.rest(5)
        c.close()
        r.ok("stunnel-stls:second-capa-refused", rest == b"", rest)

        # Anything but CAPA or STLS first: a hang-up, no POP3 reply.
        c = Client(srv.port)
        c.send(b"USER alice\r\n")
        rest = c.rest(5)
        c.close()
        r.ok("stunnel-stls:plaintext-refused", rest == b"", rest)

        # Bytes behind STLS: never answered in the clear.
        c = Client(srv.port)
        c.send(b"STLS\r\nCAPA\r\n")
        st = c.line()
        rest = c.rest(5)
        c.close()
        r.ok("stunnel-stls:injection", st.startswith(b"+OK Stunnel") and
             b"+OK" not in rest and b"-ERR" not in rest, (st, rest))
    except (OSError, Pop3Error, ssl.SSLError) as e:
        r.ok("stunnel-stls:unexpected-error", False, repr(e))
    finally:
        srv.close()

    # pop3s: the client address reaches the log through REMOTE_HOST.
    srv = tlslib.stunnel(sc, "pop3s.conf", ["-E", "-d", "0"], cert, key)
    try:
        c = Client(srv.port, ctx)
        st = tlslib.login_user(c, "alice", "Wr0ng-pw")
        r.ok("stunnel-pop3s:refused", st == b"-ERR [AUTH] authentication "
             b"failed", st)
        finish(c)
        r.ok("stunnel-pop3s:log-names-client", tlslib.wait_until(
            lambda: "LOGIN FAILED, user=alice, ip=[127.0.0.1]" in
            open(sc.log).read()))
    finally:
        srv.close()


def main():
    r = itlib.Results()
    missing = itlib.have("tcpserver", "openssl", "stunnel4")
    if missing:
        r.skip("it_tls", "missing " + " ".join(missing))
        return 0
    sc = itlib.Scratch()
    try:
        cert, key = tlslib.make_cert(sc.dir)
        ctx = tlslib.client_context(cert)
        policy_matrix(r, sc, cert, key, ctx)
        native_stls(r, sc, cert, key, ctx)
        broken_fds(r, sc)
        discard_direct(r, sc)
        stunnel_behaviour(r, sc, cert, key, ctx)
    except Exception as e:  # any surprise is a failure, not a crash
        r.ok("it_tls:unexpected-error", False, repr(e))
    finally:
        if r.failed:
            with open(sc.log, errors="replace") as f:
                sys.stderr.write(f.read())
        sc.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
