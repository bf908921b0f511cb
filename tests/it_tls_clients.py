# SPDX-License-Identifier: ISC
"""Real clients over real TLS: curl, Python's poplib, fetchmail, mpop
and openssl s_client against pop3s through stunnel (port 995 style),
STLS through stunnel's protocol = pop3, and native STLS through the
UCSPI-TLS harness, with every login mechanism each client has.  Each
run fetches the whole Maildir and compares every message byte for byte
(after CRLF -> LF, as clients store mail) and checks which login
command the client actually sent.

The clients trust only the test's self-signed certificate; nothing
touches the real HOME (HOME is the scratch tree, curl gets -q)."""
import os
import poplib
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itlib  # noqa: E402
import tlslib  # noqa: E402

WANT = tlslib.expected_messages()
MDA = """#!/bin/sh
# Stores each message in the directory $1 as 000, 001, ... in order.
n=$(ls "$1" | wc -l)
exec cat >"$1/$(printf %03d "$n")"
"""


class Env:
    def __init__(self, sc, cert):
        self.sc = sc
        self.cert = cert
        self.home = os.path.join(sc.dir, "client-home")
        os.mkdir(self.home, 0o700)
        self.mda = os.path.join(sc.dir, "mda.sh")
        with open(self.mda, "w") as f:
            f.write(MDA)
        os.chmod(self.mda, 0o755)
        self.env = dict(os.environ, HOME=self.home, LC_ALL="C")
        self.runs = 0

    def outdir(self):
        self.runs += 1
        d = os.path.join(self.sc.dir, "out%d" % self.runs)
        os.mkdir(d)
        return d

    def run(self, argv, stdin=None):
        try:
            p = subprocess.run(argv, input=stdin, capture_output=True,
                               env=self.env, cwd=self.home, timeout=60)
            return p.returncode, p.stdout, p.stderr
        except subprocess.TimeoutExpired as e:
            return -1, e.stdout or b"", b"timeout"


def stored(d):
    names = sorted(os.listdir(d))
    out = []
    for n in names:
        with open(os.path.join(d, n), "rb") as f:
            out.append(f.read())
    return out


def same(got):
    """All messages, in order, byte for byte after CRLF -> LF."""
    got = [tlslib.crlf_to_lf(g) for g in got]
    if got == WANT:
        return True
    print("  got %d messages, want %d; sizes %s vs %s"
          % (len(got), len(WANT), [len(g) for g in got],
             [len(w) for w in WANT]), file=sys.stderr)
    return False


def curl(r, e, name, url, user, opts, sent):
    d = e.outdir()
    argv = ["curl", "-q", "-sS", "-v", "--max-time", "50", "--cacert",
            e.cert, "-u", "%s:secret" % user, *opts]
    for i in range(1, len(WANT) + 1):
        argv += ["%s/%d" % (url, i), "-o", os.path.join(d, "%03d" % i)]
    rc, _, err = e.run(argv)
    r.ok("curl:%s" % name, rc == 0 and sent.encode() in err and
         same(stored(d)), (rc, err[-2000:]))


def fetchmail(r, e, name, port, user, proto, auth, tls, sent):
    d = e.outdir()
    rc_file = os.path.join(e.home, "fetchmailrc-%d" % e.runs)
    with open(rc_file, "w") as f:
        f.write('set no syslog\n'
                'poll localhost with proto %s port %d auth %s timeout 30\n'
                '  user "%s" there with password "secret" is "nobody" here\n'
                '  %s sslcertfile "%s" sslcertck\n'
                '  keep fetchall\n'
                '  mda "%s %s"\n'
                % (proto, port, auth, user, tls, e.cert, e.mda, d))
    os.chmod(rc_file, 0o600)
    rc, out, err = e.run(["fetchmail", "-v", "--nodetach", "--invisible",
                          "--norewrite", "-f", rc_file])
    r.ok("fetchmail:%s" % name, rc == 0 and sent.encode() in out + err
         and same(stored(d)), (rc, (out + err)[-2000:]))


def mpop(r, e, name, port, user, starttls, auth, sent):
    d = e.outdir()
    conf = os.path.join(e.home, "mpoprc-%d" % e.runs)
    with open(conf, "w") as f:
        f.write("defaults\n"
                "tls on\ntls_starttls %s\ntls_trust_file %s\n"
                "received_header off\nkeep on\nonly_new off\n"
                "uidls_file %s/uidls-%d\ntimeout 30\n"
                "account test\nhost 127.0.0.1\nport %d\nauth %s\n"
                "user %s\npassword secret\n"
                "delivery mda \"%s %s\"\n"
                % (starttls, e.cert, e.home, e.runs, port, auth, user,
                   e.mda, d))
    os.chmod(conf, 0o600)
    rc, out, err = e.run(["mpop", "-C", conf, "-a", "-d"])
    r.ok("mpop:%s" % name, rc == 0 and sent.encode() in out + err and
         same(stored(d)), (rc, (out + err)[-2000:]))


def s_client(r, e, name, port):
    rc, out, err = e.run(["openssl", "s_client", "-starttls", "pop3",
                          "-connect", "127.0.0.1:%d" % port,
                          "-CAfile", e.cert, "-verify_return_error",
                          "-ign_eof", "-quiet"],
                         stdin=b"CAPA\r\nQUIT\r\n")
    lines = out.split(b"\r\n")
    r.ok("s_client:%s" % name, rc == 0 and
         b"+OK capability list follows" in lines and b"USER" in lines and
         b"SASL PLAIN CRAM-MD5" in lines and b"STLS" not in lines and
         b"+OK bye" in lines and b"verify return:1" in err,
         (rc, out, err[-1000:]))


def poplib_fetch(p):
    got = []
    count, _ = p.stat()
    for i in range(1, count + 1):
        _, lines, _ = p.retr(i)
        got.append(b"".join(l + b"\r\n" for l in lines))
    p.quit()
    return got


def pylib(r, e, ctx, pop3s_def, pop3s_all, native, stls):
    try:
        p = poplib.POP3_SSL("127.0.0.1", pop3s_def, context=ctx, timeout=30)
        p.user("alice")
        p.pass_("secret")
        r.ok("poplib:pop3s:user", same(poplib_fetch(p)))

        p = poplib.POP3_SSL("127.0.0.1", pop3s_all, context=ctx, timeout=30)
        p.apop("apop", "secret")
        r.ok("poplib:pop3s:apop", same(poplib_fetch(p)))

        for name, port in (("stls-native", native), ("stls-stunnel", stls)):
            p = poplib.POP3("127.0.0.1", port, timeout=30)
            # stls() sends CAPA itself, and stunnel hangs up on a
            # second CAPA before STLS: look at the list only here.
            before = p.capa() if name == "stls-native" else {"STLS": []}
            p.stls(context=ctx)
            after = p.capa()
            p.user("alice")
            p.pass_("secret")
            r.ok("poplib:%s" % name, "STLS" in before and "STLS" not in
                 after and "USER" in after and same(poplib_fetch(p)),
                 (before, after))
    except (OSError, poplib.error_proto) as ex:
        r.ok("poplib:unexpected-error", False, repr(ex))


def main():
    r = itlib.Results()
    missing = itlib.have("tcpserver", "openssl", "stunnel4")
    if missing:
        r.skip("it_tls_clients", "missing " + " ".join(missing))
        return 0
    sc = itlib.Scratch()
    servers = []
    try:
        cert, key = tlslib.make_cert(sc.dir)
        ctx = tlslib.client_context(cert)
        e = Env(sc, cert)
        s3 = tlslib.example_front("pop3s.conf")
        st = tlslib.example_front("pop3-stls.conf")
        # As the README sets them up, and with APOP and CRAM-MD5 on.
        pop3s_def = tlslib.stunnel(sc, "pop3s.conf", s3 + ["-d", "0"], cert,
                                   key)
        servers.append(pop3s_def)
        pop3s_all = tlslib.stunnel(sc, "pop3s.conf",
                                   s3 + ["-d", "0", "-a", "-c"], cert, key)
        servers.append(pop3s_all)
        stls = tlslib.stunnel(sc, "pop3-stls.conf",
                              st + ["-d", "0", "-a", "-c"], cert, key)
        servers.append(stls)
        native = tlslib.ucspitls(sc, ["-d", "0", "-a", "-c"], cert, key)
        servers.append(native)

        pylib(r, e, ctx, pop3s_def.port, pop3s_all.port, native.port,
              stls.port)

        if itlib.have("curl"):
            r.skip("curl", "curl is not installed")
        else:
            curl(r, e, "pop3s:default", "pop3s://127.0.0.1:%d"
                 % pop3s_def.port, "alice", [], "> AUTH PLAIN")
            curl(r, e, "pop3s:cram-md5", "pop3s://127.0.0.1:%d"
                 % pop3s_all.port, "apop", ["--login-options",
                                            "AUTH=CRAM-MD5"],
                 "> AUTH CRAM-MD5")
            curl(r, e, "pop3s:apop", "pop3s://127.0.0.1:%d"
                 % pop3s_all.port, "apop", ["--login-options", "AUTH=+APOP"],
                 "> APOP apop ")
            for name, srv in (("stls-native", native),
                              ("stls-stunnel", stls)):
                curl(r, e, name + ":plain", "pop3://127.0.0.1:%d" % srv.port,
                     "alice", ["--ssl-reqd", "--login-options",
                               "AUTH=PLAIN"], "> AUTH PLAIN")
            curl(r, e, "stls-native:cram-md5", "pop3://127.0.0.1:%d"
                 % native.port, "apop", ["--ssl-reqd", "--login-options",
                                         "AUTH=CRAM-MD5"], "> AUTH CRAM-MD5")

        if itlib.have("fetchmail"):
            r.skip("fetchmail", "fetchmail is not installed")
        else:
            for tls, name, port in (("ssl", "pop3s", pop3s_all.port),
                                    ('sslproto "tls1.2+"', "stls-native",
                                     native.port),
                                    ('sslproto "tls1.2+"', "stls-stunnel",
                                     stls.port)):
                fetchmail(r, e, name + ":password", port, "alice", "POP3",
                          "password", tls, "POP3> PASS")
                fetchmail(r, e, name + ":cram-md5", port, "apop", "POP3",
                          "cram-md5", tls, "POP3> AUTH CRAM-MD5")
            # fetchmail's APOP skips CAPA and STLS: pop3s only.
            fetchmail(r, e, "pop3s:apop", pop3s_all.port, "apop", "APOP",
                      "password", "ssl", "POP3> APOP apop ")

        if itlib.have("mpop"):
            r.skip("mpop", "mpop is not installed")
        else:
            mpop(r, e, "pop3s:auto", pop3s_def.port, "alice", "off", "on",
                 "--> AUTH PLAIN")
            for name, port, starttls in (("pop3s", pop3s_all.port, "off"),
                                         ("stls-native", native.port, "on"),
                                         ("stls-stunnel", stls.port, "on")):
                mpop(r, e, name + ":user", port, "alice", starttls, "user",
                     "--> PASS")
                mpop(r, e, name + ":plain", port, "alice", starttls,
                     "plain", "--> AUTH PLAIN")
                mpop(r, e, name + ":apop", port, "apop", starttls, "apop",
                     "--> APOP apop ")
                mpop(r, e, name + ":cram-md5", port, "apop", starttls,
                     "cram-md5", "--> AUTH CRAM-MD5")

        s_client(r, e, "stls-native", native.port)
        s_client(r, e, "stls-stunnel", stls.port)
    except Exception as ex:  # any surprise is a failure, not a crash
        r.ok("it_tls_clients:unexpected-error", False, repr(ex))
    finally:
        for s in servers:
            s.close()
        if r.failed:
            with open(sc.log, errors="replace") as f:
                sys.stderr.write(f.read()[-20000:])
        sc.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
