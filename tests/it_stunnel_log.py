# SPDX-License-Identifier: ISC
"""The shipped stunnel recipes close every session cleanly: a series
of pop3s sessions (stunnel/pop3s.conf) and of STLS sessions
(stunnel/pop3-stls.conf) with the clients' usual ways of ending (QUIT
then close without a TLS close_notify, as poplib, curl and most mail
clients do; close_notify first, as openssl s_client does), after which
stunnel's own log has no line at error level or worse (LOG0 to LOG3).
The only connection left out is the test's probe that the port is
open (stunnel's connection 0): it connects and hangs up without TLS.
The log is read once stunnel has logged the end of every connection,
before it is stopped, so nothing of its shutdown counts."""
import os
import poplib
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itlib  # noqa: E402
import tlslib  # noqa: E402

ERRLINE = re.compile(r"LOG([0-3])\[([^\]]*)\]: (.*)")
ACCEPTED = re.compile(r"LOG\d\[\d+\]: Service \[[^\]]+\] accepted")
ENDED = re.compile(r"LOG\d\[\d+\]: Connection (closed|reset)")


def ended(text):
    return len(ACCEPTED.findall(text)) == len(ENDED.findall(text))


def errors(text):
    """Error-level lines, but those of connection 0 (the probe)."""
    return [m.group(0) for m in ERRLINE.finditer(text)
            if m.group(2) != "0"]


def pop3s_sessions(port, cert, ctx, env):
    """20 sessions; returns how many logged in and ended with +OK."""
    good = 0
    for i in range(8):
        p = poplib.POP3_SSL("127.0.0.1", port, context=ctx, timeout=30)
        p.user("alice")
        p.pass_("secret")
        p.stat()
        good += p.quit().startswith(b"+OK")
    for i in range(4):
        c = tlslib.Client(port, ctx)
        ok = tlslib.login_user(c, "alice", "secret").startswith(b"+OK")
        ok = ok and c.cmd("QUIT").startswith(b"+OK")
        try:
            c.sock = c.sock.unwrap()	# close_notify, then TCP close
        except OSError:
            pass	# stunnel did not wait for it: the log says so
        c.close()
        good += ok
    for i in range(4):
        out = subprocess.run(["curl", "-q", "-sS", "--max-time", "30",
                              "--cacert", cert, "-u", "alice:secret",
                              "pop3s://127.0.0.1:%d/" % port],
                             capture_output=True, timeout=60, env=env,
                             stdin=subprocess.DEVNULL)
        good += out.returncode == 0
    for i in range(4):
        out = subprocess.run(["openssl", "s_client", "-quiet", "-connect",
                              "127.0.0.1:%d" % port, "-CAfile", cert,
                              "-verify_return_error"],
                             input=b"USER alice\r\nPASS secret\r\n"
                             b"QUIT\r\n", capture_output=True, timeout=60,
                             env=env)
        good += b"+OK bye" in out.stdout
    return good


def stls_sessions(port, cert, ctx, env):
    """10 sessions through STLS; returns how many ended with +OK."""
    good = 0
    for i in range(5):
        p = poplib.POP3("127.0.0.1", port, timeout=30)
        p.stls(context=ctx)
        p.user("alice")
        p.pass_("secret")
        good += p.quit().startswith(b"+OK")
    for i in range(5):
        out = subprocess.run(["curl", "-q", "-sS", "--max-time", "30",
                              "--ssl-reqd", "--cacert", cert, "-u",
                              "alice:secret", "pop3://127.0.0.1:%d/" % port],
                             capture_output=True, timeout=60, env=env,
                             stdin=subprocess.DEVNULL)
        good += out.returncode == 0
    return good


def one(r, sc, cert, key, name, example, sessions, want):
    srv = None
    log = os.path.join(sc.dir, "stunnel.log")
    if os.path.exists(log):
        os.unlink(log)
    try:
        ctx = tlslib.client_context(cert)
        env = dict(os.environ, HOME=sc.dir, LC_ALL="C")
        front = tlslib.example_front(example) + ["-d", "0"]
        srv = tlslib.stunnel(sc, example, front, cert, key)
        good = sessions(srv.port, cert, ctx, env)
        text = itlib.wait_log(log, ended)
        r.ok("stunnel-log:%s:sessions" % name, good == want,
             "%d of %d sessions ended well" % (good, want))
        bad = errors(text)
        r.ok("stunnel-log:%s:no-error-line" % name, not bad,
             "\n".join(bad[:10]))
    except Exception as ex:  # any surprise is a failure, not a crash
        r.ok("stunnel-log:%s:unexpected-error" % name, False, repr(ex))
    finally:
        if srv is not None:
            srv.close()


def main():
    r = itlib.Results()
    missing = itlib.have("stunnel4", "openssl", "curl")
    if missing:
        r.skip("it_stunnel_log", "missing " + " ".join(missing))
        return 0
    sc = itlib.Scratch()
    try:
        cert, key = tlslib.make_cert(sc.dir)
        one(r, sc, cert, key, "pop3s", "pop3s.conf", pop3s_sessions, 20)
        one(r, sc, cert, key, "stls", "pop3-stls.conf", stls_sessions, 10)
    finally:
        sc.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
