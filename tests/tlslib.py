# SPDX-License-Identifier: ISC
"""tests/tlslib.py: TLS set-up shared by the authentication and TLS
integration tests: a self-signed certificate, pop3d behind stunnel
(built from the shipped stunnel/*.conf examples) or behind the UCSPI-TLS
harness (tests/ucspitls.py), and a small POP3 client that speaks to
either, with or without TLS.  Every wait is bounded; see itlib.py for
the scratch tree and the result protocol.
"""
import base64
import hashlib
import hmac
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itlib  # noqa: E402

TESTS = os.path.dirname(os.path.abspath(__file__))
HARNESS = os.path.join(TESTS, "ucspitls.py")
STUNNEL_DIR = os.path.join(itlib.TOP, "stunnel")
TIMEOUT = 20


def make_cert(directory):
    """A self-signed certificate for localhost and 127.0.0.1, one day."""
    cert = os.path.join(directory, "cert.pem")
    key = os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                    "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-keyout", key, "-out", cert],
                   check=True, capture_output=True, timeout=60)
    os.chmod(key, 0o600)
    return cert, key


def client_context(cert):
    ctx = ssl.create_default_context(cafile=cert)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


class Listener:
    """A server process on a free loopback port: cmd(port) is its argv."""

    def __init__(self, cmd, log, env=None):
        self.proc = None
        self.logf = open(log, "ab")
        for _ in range(5):
            self.port = itlib.free_port()
            self.proc = subprocess.Popen(cmd(self.port), env=env,
                                         stdin=subprocess.DEVNULL,
                                         stdout=self.logf, stderr=self.logf,
                                         start_new_session=True)
            if itlib.wait_port(self.port, self.proc):
                return
            self.stop()
        self.logf.close()
        raise RuntimeError("cannot start %s" % cmd(0)[0])

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
            except ProcessLookupError:
                pass
        self.proc = None

    def close(self):
        self.stop()
        self.logf.close()


def tcpserver(sc, front, env=None):
    """pop3d FRONT... behind tcpserver, with env as its environment."""
    argv = sc.command(tuple(front))
    return Listener(lambda port: ["tcpserver", "-q", "-R", "-H", "-l",
                                  "localhost", "127.0.0.1", str(port),
                                  *argv], sc.log, env=env)


def ucspitls(sc, front, cert, key, mode="offered", env=None):
    """pop3d FRONT... behind the UCSPI-TLS harness."""
    argv = sc.command(tuple(front))
    return Listener(lambda port: [sys.executable, HARNESS, "-m", mode,
                                  "-c", cert, "-k", key, "-t", "20",
                                  "127.0.0.1", str(port), *argv],
                    sc.log, env=env)


def stunnel_example(example):
    """Reads stunnel/EXAMPLE: ([section, ...], {section: {key: value}}),
    the global part being section ""."""
    order = [""]
    settings = {"": {}}
    section = ""
    with open(os.path.join(STUNNEL_DIR, example)) as f:
        for raw in f:
            line = raw.strip()
            if not line or line[0] in ";#":
                continue
            m = re.match(r"^\[(.+)\]$", line)
            if m:
                section = m.group(1)
                order.append(section)
                settings[section] = {}
                continue
            k, _, v = line.partition("=")
            settings[section][k.strip()] = v.strip()
    return order, settings


def example_front(example):
    """The pop3d options in an example's execArgs, before CHECKPROG."""
    _, settings = stunnel_example(example)
    args = [s["execArgs"] for s in settings.values() if "execArgs" in s]
    out = []
    for a in args[0].split()[1:] if args else []:
        if a.startswith("/"):
            break
        out.append(a)
    return out


def stunnel(sc, example, front, cert, key):
    """stunnel with the configuration stunnel/EXAMPLE, changed only to
    listen on a free loopback port, use the test's certificate and run
    the scratch tree's pop3d with the options FRONT."""
    conf = os.path.join(sc.dir, "stunnel-" + example)
    argv = sc.command(tuple(front))
    order, settings = stunnel_example(example)
    service = order[1]

    def cmd(port):
        changes = {"": {"foreground": "yes", "pid": "",
                        "output": os.path.join(sc.dir, "stunnel.log"),
                        "setuid": None, "setgid": None},
                   service: {"accept": "127.0.0.1:%d" % port,
                             "cert": cert, "key": key, "exec": argv[0],
                             "execArgs": " ".join(["pop3d"] + argv[1:])}}
        with open(conf, "w") as f:
            for sec in order:
                if sec:
                    f.write("[%s]\n" % sec)
                new = dict(settings[sec])
                new.update(changes.get(sec, {}))
                for k, v in new.items():
                    if v is not None:
                        f.write("%s = %s\n" % (k, v))
        return ["stunnel4", conf]
    return Listener(cmd, sc.log)


class Pop3Error(Exception):
    pass


class Client:
    """A line-level POP3 client; every read has a deadline."""

    def __init__(self, port, ctx=None, timeout=TIMEOUT):
        self.sock = socket.create_connection(("127.0.0.1", port),
                                             timeout=timeout)
        if ctx is not None:
            self.sock = ctx.wrap_socket(self.sock,
                                        server_hostname="localhost")
        self.buf = b""
        self.greeting = self.line()

    def line(self):
        while b"\r\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise Pop3Error("connection closed; got %r" % self.buf)
            self.buf += data
        line, _, self.buf = self.buf.partition(b"\r\n")
        return line

    def send(self, data):
        self.sock.sendall(data)

    def cmd(self, text):
        """Sends one command; returns its status line (bytes)."""
        self.send(text.encode() + b"\r\n")
        return self.line()

    def multi(self):
        """Reads a multi-line body up to the '.' line, unstuffed."""
        out = []
        while True:
            line = self.line()
            if line == b".":
                return out
            out.append(line[1:] if line.startswith(b".") else line)

    def capa(self):
        st = self.cmd("CAPA")
        if not st.startswith(b"+OK"):
            raise Pop3Error("CAPA: %r" % st)
        return [l.decode() for l in self.multi()]

    def starttls(self, ctx):
        st = self.cmd("STLS")
        if not st.startswith(b"+OK"):
            raise Pop3Error("STLS: %r" % st)
        if self.buf:
            raise Pop3Error("bytes after +OK to STLS: %r" % self.buf)
        self.sock = ctx.wrap_socket(self.sock, server_hostname="localhost")
        return st

    def rest(self, wait=2.0):
        """Everything the server still sends until it closes (bounded)."""
        data = self.buf
        self.buf = b""
        self.sock.settimeout(wait)
        try:
            while True:
                d = self.sock.recv(65536)
                if not d:
                    break
                data += d
        except (socket.timeout, OSError):
            pass
        return data

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


# Logins, each returning the status line that answers it.

def login_user(c, user, password):
    st = c.cmd("USER %s" % user)
    if not st.startswith(b"+OK"):
        return st
    return c.cmd("PASS %s" % password)


def login_plain(c, user, password, authzid="", initial=True):
    msg = base64.b64encode(("%s\0%s\0%s" % (authzid, user, password))
                           .encode()).decode()
    if initial:
        return c.cmd("AUTH PLAIN %s" % msg)
    st = c.cmd("AUTH PLAIN")
    if st != b"+ ":
        return st
    return c.cmd(msg)


def stamp_of(greeting):
    m = re.search(rb"<[^<>]*>", greeting)
    return m.group(0) if m else None


def login_apop(c, user, password):
    stamp = stamp_of(c.greeting) or b""
    digest = hashlib.md5(stamp + password.encode()).hexdigest()
    return c.cmd("APOP %s %s" % (user, digest))


def login_cram(c, user, password):
    st = c.cmd("AUTH CRAM-MD5")
    if not st.startswith(b"+ "):
        return st
    chal = base64.b64decode(st[2:], validate=True)
    digest = hmac.new(password.encode(), chal, hashlib.md5).hexdigest()
    return c.cmd(base64.b64encode(("%s %s" % (user, digest)).encode())
                 .decode())


LOGINS = {"user": login_user, "plain": login_plain,
          "plain-cont": lambda c, u, p: login_plain(c, u, p, initial=False),
          "apop": login_apop, "cram": login_cram}


def crlf_to_lf(data):
    return data.replace(b"\r\n", b"\n")


def expected_messages():
    """The Scratch messages in server order, as clients should store
    them: what RETR sends, with LF line ends."""
    return [crlf_to_lf(itlib.wire(itlib.MESSAGES[n]))
            for n in sorted(itlib.MESSAGES)]


def wait_until(cond, timeout=5.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.05)
    return cond()
