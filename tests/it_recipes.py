# SPDX-License-Identifier: ISC
"""The shipped systemd recipes, run as written: only the install paths
(/usr/local/...) point into the scratch tree, pop3d-checkpw gets -f
PASSWDFILE, and the port is a free loopback one.  (inetd.conf.example,
xinetd.conf.example and service/pop3d run under the real daemons in
it_superservers.py.)

  systemd    ExecStart of systemd/pop3d@.service under
             systemd-socket-activate, with REMOTE_ADDR as systemd sets
             it and fd 2 a file standing in for the journal
  pop3s      ExecStart of systemd/pop3s@.service: stunnel in inetd mode
             with systemd/pop3s-stunnel.conf and a fresh certificate

For each: a pipelined session with a failed and a good login gets
exactly one status line per command (nothing a log line could have
added), poplib fetches every message byte for byte, and QUIT moves
new/ to cur/."""
import os
import poplib
import shlex
import socket
import ssl
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itlib  # noqa: E402

SCRIPT = (b"CAPA\r\nUSER alice\r\nPASS wrong\r\nUSER alice\r\n"
          b"PASS secret\r\nSTAT\r\nQUIT\r\n")


def expected():
    """The status lines SCRIPT must get, in order (text after the
    status checked only where it matters)."""
    total = sum(len(itlib.wire(m)) for m in itlib.MESSAGES.values())
    return [b"+OK", b"+OK", b"+OK", b"-ERR [AUTH] authentication failed",
            b"+OK", b"+OK maildrop has %d messages" % len(itlib.MESSAGES),
            b"+OK %d %d" % (len(itlib.MESSAGES), total), b"+OK"]


def check_session(r, name, sc, connect):
    """Runs SCRIPT and a poplib fetch over connect(); records results."""
    lines = itlib.talk(connect("raw"), SCRIPT)
    # CAPA's list is the only multi-line answer: drop it.
    if b"." in lines:
        lines = lines[:1] + lines[1:2] + lines[lines.index(b".") + 1:]
    want = expected()
    good = len(lines) == len(want) and all(
        l.startswith(w) for l, w in zip(lines, want))
    r.ok(name + ":one-status-line-per-command", good, lines)
    try:
        diff = itlib.fetch_all(connect("poplib"), sc)
    except Exception as e:
        diff = repr(e)
    r.ok(name + ":fetch-byte-exact", diff == "", diff)
    names = sorted(itlib.MESSAGES)
    r.ok(name + ":quit-moves-to-cur",
         sc.files() == ["cur/%s:2,S" % n for n in names], sc.files())


def plain(port):
    """connect("raw") gives a socket, connect("poplib") a client."""
    def connect(how):
        if how == "poplib":
            return poplib.POP3("127.0.0.1", port, timeout=30)
        return socket.create_connection(("127.0.0.1", port), timeout=30)
    return connect


def unit_keys(path):
    """Key=Value pairs of a systemd unit, comments and sections aside."""
    keys = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and line[0] not in "#;[" and "=" in line:
                k, v = line.split("=", 1)
                keys[k] = v
    return keys


def inetd_like(r, name, sc, server, argv, fd2="socket", env=()):
    """Runs server with argv as inetd would (see fdexec.py) under
    systemd-socket-activate and checks a session."""
    extra = []
    for e in env:
        extra += ["--env", e]
    cmd = itlib.FDEXEC + ["--fd2", fd2, *extra, "--", server, *argv]
    srv = itlib.Server("socket-activate", cmd, sc.log)
    try:
        check_session(r, name, sc, plain(srv.port))
    finally:
        srv.stop()


def case_systemd(r):
    name = "recipes:systemd"
    sc = itlib.Scratch()
    try:
        keys = unit_keys(os.path.join(itlib.TOP, "systemd",
                                      "pop3d@.service"))
        argv = shlex.split(itlib.installed(sc, keys["ExecStart"],
                                           "-f " + sc.passwd))
        journal = os.path.join(sc.dir, "journal")
        inetd_like(r, name, sc, argv[0], argv, fd2=journal, env=[
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin",
            "REMOTE_ADDR=127.0.0.1"])
        # -s everywhere: every line went to syslog, none to fd 2.
        with open(journal, errors="replace") as f:
            text = f.read()
        r.ok(name + ":logs-to-syslog-not-stderr", text == "", text)
    finally:
        sc.cleanup()


def case_pop3s(r):
    name = "recipes:pop3s"
    keys = unit_keys(os.path.join(itlib.TOP, "systemd", "pop3s@.service"))
    argv = shlex.split(keys["ExecStart"])
    if not os.access(argv[0], os.X_OK) or itlib.have("openssl"):
        r.skip(name, "missing %s or openssl" % argv[0])
        return
    sc = itlib.Scratch()
    srv = None
    try:
        cert = os.path.join(sc.dir, "pop3s.pem")
        key = os.path.join(sc.dir, "pop3s.key")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                        "-nodes", "-keyout", key, "-out", cert, "-days", "1",
                        "-subj", "/CN=localhost"], check=True,
                       capture_output=True, stdin=subprocess.DEVNULL,
                       timeout=60)
        with open(os.path.join(itlib.TOP, "systemd",
                               "pop3s-stunnel.conf")) as f:
            conf = itlib.installed(sc, f.read(), "-f " + sc.passwd)
        conf = conf.replace("/etc/pop3d/pop3s.pem", cert)
        conf = conf.replace("/etc/pop3d/pop3s.key", key)
        path = os.path.join(sc.dir, "pop3s-stunnel.conf")
        with open(path, "w") as f:
            f.write(conf)
        argv = [argv[0], path]
        cmd = itlib.FDEXEC + [
            "--fd2", os.path.join(sc.dir, "journal"),
            "--env", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin",
            "--env", "REMOTE_ADDR=127.0.0.1", "--", argv[0], *argv]
        srv = itlib.Server("socket-activate", cmd, sc.log)
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        port = srv.port

        def connect(how):
            if how == "poplib":
                return poplib.POP3_SSL("127.0.0.1", port, timeout=30,
                                       context=ctx)
            s = socket.create_connection(("127.0.0.1", port), timeout=30)
            return ctx.wrap_socket(s)
        p = connect("poplib")
        caps = p.capa()
        p.quit()
        # -E: USER/PASS allowed under the default policy (secure).
        r.ok(name + ":capa-offers-user", "USER" in caps, caps)
        check_session(r, name, sc, connect)
    except Exception as e:
        r.ok(name + ":unexpected-error", False, repr(e))
    finally:
        if srv is not None:
            srv.stop()
        sc.cleanup()


def main():
    r = itlib.Results()
    missing = itlib.have("systemd-socket-activate", "openssl")
    if missing:
        r.skip("recipes", "missing " + " ".join(missing))
        return 0
    for case in (case_systemd, case_pop3s):
        failed = r.failed
        try:
            case(r)
        except Exception as e:
            r.ok(case.__name__ + ":unexpected-error", False, repr(e))
        if r.failed > failed:
            print("  (%s failed)" % case.__name__, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
