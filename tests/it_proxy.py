#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""tests/it_proxy.py: pop3d -P behind tcpserver, spoken to with
hand-made PROXY v1 and v2 headers on real loopback sockets.

The header's client address must reach every log line and CHECKPROG's
TCPREMOTEIP/TCPREMOTEPORT, and decide -p loopback; its destination is
CHECKPROG's TCPLOCALIP/TCPLOCALPORT, and the superserver's names for
the proxy's connection (TCPREMOTEHOST, TCPREMOTEINFO, TCPLOCALHOST) are
gone, while LOCAL and UNKNOWN keep all of them; the v2 SSL TLV with
the client-SSL bit makes the connection secure; bytes sent right after
the header belong to the session; v2 LOCAL and v1 UNKNOWN keep the real
endpoints; a bad, truncated, oversized or missing header and a peer
not on the list get no greeting, a log line, and a clean exit.
"""
import os
import re
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itlib  # noqa: E402

SIG = b"\r\n\r\n\x00\r\nQUIT\n"
R = itlib.Results()


def v2(cmd, fam, body):
    return SIG + bytes([0x20 | cmd, fam]) + struct.pack(">H", len(body)) + body


def v2_inet(src, sport, dst, dport, tlvs=b""):
    return v2(1, 0x11, socket.inet_aton(src) + socket.inet_aton(dst) +
              struct.pack(">HH", sport, dport) + tlvs)


def ssl_tlv(client):
    sub = b"\x21\x00\x07TLSv1.3"
    val = bytes([client]) + b"\x00\x00\x00\x00" + sub
    return b"\x20" + struct.pack(">H", len(val)) + val


class Front:
    """tcpserver (verbose: it logs each child's exit status) running
    pop3d with front options (after the command prefix pre), CHECKPROG
    = a script that logs its TCP* environment and execs
    pop3d-checkpw."""

    def __init__(self, sc, name, front, pre=()):
        self.log = os.path.join(sc.dir, name + ".log")
        envlog = os.path.join(sc.bin, "checkenv")
        with open(envlog, "w") as f:
            f.write("#!/bin/sh\necho \"checkenv ip=$TCPREMOTEIP "
                    "port=$TCPREMOTEPORT local=$TCPLOCALIP:$TCPLOCALPORT "
                    "host=${TCPREMOTEHOST-unset} info=${TCPREMOTEINFO-unset} "
                    "localhost=${TCPLOCALHOST-unset}\" "
                    ">&2\nexec \"$@\"\n")
        os.chmod(envlog, 0o755)
        argv = [*pre, sc.pop3d, "-e", "-d", "0", *front, envlog, sc.checkpw,
                "-f", sc.passwd, sc.pop3d, "-m", "Maildir"]
        self.logf = open(self.log, "ab")
        for _ in range(5):
            self.port = itlib.free_port()
            self.proc = subprocess.Popen(
                ["tcpserver", "-v", "-R", "-H", "-l", "localhost", "127.0.0.1",
                 str(self.port), *argv], stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=self.logf,
                start_new_session=True)
            if itlib.wait_port(self.port, self.proc):
                break
            self.stop()
        else:
            raise RuntimeError("cannot start tcpserver")

    def stop(self):
        srv = itlib.Server.__new__(itlib.Server)
        srv.proc = self.proc
        srv.stop()

    def text(self):
        # Each connection ends with tcpserver's "end PID status N".
        def done(t):
            return (t.count("tcpserver: ok ") == t.count("tcpserver: end ")
                    and itlib.sessions_done(t))
        return itlib.wait_log(self.log, done)


def talk(port, first, lines=(), src="127.0.0.1", shut=False):
    """Sends first (header and perhaps pipelined commands) at once,
    then each of lines after reading a reply; returns every byte the
    server sent until it closed."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(20)
    s.bind((src, 0))
    s.connect(("127.0.0.1", port))
    got = b""
    try:
        if first:
            s.sendall(first)
        if shut:
            s.shutdown(socket.SHUT_WR)
        for line in lines:
            got += recv_reply(s)
            s.sendall(line)
        while True:
            b = s.recv(65536)
            if not b:
                break
            got += b
    except ConnectionResetError:
        pass    # closed with our bytes unread: a close all the same
    except OSError as e:
        got += b"<%s>" % str(e).encode()
    s.close()
    return got


def recv_reply(s):
    """One reply (a status line; these tests send no multi-line
    commands before the last line)."""
    b = b""
    while not b.endswith(b"\r\n"):
        c = s.recv(65536)
        if not c:
            break
        b += c
    return b


def statuses(text):
    return [l.split()[-1] for l in text.splitlines()
            if "tcpserver: end " in l]


def main():
    if itlib.have("tcpserver"):
        R.skip("proxy", "tcpserver (ucspi-tcp) is not installed")
        return 0
    sc = itlib.Scratch()
    fronts = []
    try:
        f = Front(sc, "listed", ["-t", "5", "-P", "10.9.9.9,127.0.0.0/8",
                                 "-p", "loopback"])
        fronts.append(f)
        p = f.port

        # v1, with USER and a wrong PASS pipelined in the same segment.
        got = talk(p, b"PROXY TCP4 203.0.113.7 192.0.2.1 40001 110\r\n"
                   b"CAPA\r\nQUIT\r\n")
        R.ok("proxy:v1-greeting-and-pipelined-bytes",
             got.startswith(b"+OK") and got.count(b"+OK") == 3 and
             got.count(b"\r\n.\r\n") == 1, got)
        R.ok("proxy:remote-client-is-not-loopback",
             b"\r\nUSER\r\n" not in got, got)
        got = talk(p, b"PROXY TCP4 203.0.113.7 192.0.2.1 40001 110\r\n",
                   [b"USER alice\r\n", b"QUIT\r\n"])
        R.ok("proxy:remote-client-no-plaintext",
             got.count(b"-ERR") == 1, got)

        # A proxied 127.0.0.1 is loopback: plaintext allowed; the log
        # and CHECKPROG see the client, not the proxy.
        got = talk(p, v2_inet("127.0.0.9", 40002, "127.0.0.1", 110),
                   [b"USER alice\r\n", b"PASS wrong\r\n", b"QUIT\r\n"])
        R.ok("proxy:v2-loopback-client-may-log-in",
             got.count(b"+OK") == 3 and b"-ERR [AUTH]" in got, got)
        got = talk(p, v2_inet("198.51.100.20", 40003, "192.0.2.1", 110,
                              ssl_tlv(0x01)),
                   [b"USER alice\r\n", b"PASS %s\r\n" % sc.password.encode(),
                    b"STAT\r\n", b"QUIT\r\n"])
        R.ok("proxy:v2-ssl-tlv-is-secure", got.count(b"+OK") == 5, got)
        got = talk(p, v2_inet("198.51.100.21", 40004, "192.0.2.1", 110,
                              ssl_tlv(0x06)),
                   [b"USER alice\r\n", b"QUIT\r\n"])
        R.ok("proxy:v2-ssl-tlv-without-client-bit-is-not",
             got.count(b"-ERR") == 1, got)
        got = talk(p, b"PROXY TCP6 2001:db8::77 2001:db8::1 40005 110\r\n",
                   [b"QUIT\r\n"])
        R.ok("proxy:v1-tcp6", got.count(b"+OK") == 2, got)
        a6 = (socket.inet_pton(socket.AF_INET6, "2001:db8::78") +
              socket.inet_pton(socket.AF_INET6, "2001:db8::1") +
              struct.pack(">HH", 40006, 110))
        got = talk(p, v2(1, 0x21, a6 + ssl_tlv(0x01)),
                   [b"USER alice\r\n", b"PASS wrong\r\n", b"QUIT\r\n"])
        R.ok("proxy:v2-inet6", got.count(b"+OK") == 3 and
             b"-ERR [AUTH] authentication failed" in got, got)

        # LOCAL (a health check) and UNKNOWN: the real endpoints.
        got = talk(p, v2(0, 0, b""), [b"USER alice\r\n", b"PASS no\r\n",
                                       b"QUIT\r\n"])
        R.ok("proxy:v2-local-served", got.count(b"+OK") == 3, got)
        got = talk(p, b"PROXY UNKNOWN\r\n", [b"QUIT\r\n"])
        R.ok("proxy:v1-unknown-served", got.count(b"+OK") == 2, got)

        # Broken headers: no greeting, nothing run.
        bad = {
            "no-header": (b"USER alice\r\n", False),
            "lf-only": (b"PROXY TCP4 203.0.113.8 192.0.2.1 1 2\n", False),
            "oversized-v1": (b"PROXY UNKNOWN " + b"f" * 100 + b"\r\n", False),
            "oversized-v2": (SIG + b"\x21\x11\x04\x00" + b"\x00" * 1024,
                             False),
            "truncated-v1": (b"PROXY TCP4 203.0.113.8 19", True),
            "truncated-v2": (v2_inet("203.0.113.8", 1, "192.0.2.1", 2)[:20],
                             True),
            "bad-version": (b"\r\n\r\n\x00\r\nQUIT\n\x11\x11\x00\x0c" +
                            b"\x00" * 12, False),
        }
        for name, (data, shut) in sorted(bad.items()):
            got = talk(p, data, shut=shut)
            R.ok("proxy:%s-closed-without-greeting" % name, got == b"",
                 got)

        text = f.text()
        R.ok("proxy:log-has-proxied-client",
             "LOGIN FAILED, user=alice, ip=[127.0.0.9]" in text, text)
        R.ok("proxy:back-end-log-has-proxied-client",
             "login: user=alice, ip=[198.51.100.20]" in text, text)
        R.ok("proxy:checkprog-env",
             "checkenv ip=198.51.100.20 port=40003 "
             in text, text)
        R.ok("proxy:v6-client-logged",
             "LOGIN FAILED, user=alice, ip=[2001:db8::78]" in text, text)
        R.ok("proxy:local-logs-real-peer",
             "LOGIN FAILED, user=alice, ip=[127.0.0.1]" in text, text)
        # 5 malformed; 2 truncated and the probe that saw the port open.
        for what, n in (("malformed or oversized PROXY header", 5),
                        ("connection closed before a whole PROXY header",
                         3)):
            R.ok("proxy:logged:%s" % what.split()[0],
                 text.count("connection refused: %s from proxy "
                            "ip=[127.0.0.1]" % what) == n, text)
        R.ok("proxy:bad-headers-logged",
             text.count("connection refused: ") == len(bad) + 1, text)
        R.ok("proxy:forged-address-not-logged",
             "203.0.113.8" not in text, text)
        st = statuses(text)
        R.ok("proxy:every-child-exited-0",
             len(st) >= 10 and set(st) == {"0"}, st)

        # The destination: where the client connected, for CHECKPROG.
        # The superserver's lookups describe the proxy's connection.
        f4 = Front(sc, "dest", ["-t", "5", "-P", "127.0.0.0/8", "-p", "any"],
                   pre=["env", "TCPREMOTEHOST=proxy.example",
                        "TCPREMOTEINFO=haproxy"])
        fronts.append(f4)
        login = [b"USER alice\r\n", b"PASS wrong\r\n", b"QUIT\r\n"]
        talk(f4.port, b"PROXY TCP4 203.0.113.7 192.0.2.1 40001 995\r\n",
             login)
        a6 = (socket.inet_pton(socket.AF_INET6, "2001:db8::78") +
              socket.inet_pton(socket.AF_INET6, "2001:db8::1") +
              struct.pack(">HH", 40006, 110))
        talk(f4.port, v2(1, 0x21, a6), login)
        talk(f4.port, v2(0, 0, b""), login)
        talk(f4.port, b"PROXY UNKNOWN\r\n", login)
        text = f4.text()
        gone = " host=unset info=unset localhost=unset"
        R.ok("proxy:env-v1-destination",
             "checkenv ip=203.0.113.7 port=40001 local=192.0.2.1:995" + gone
             in text, text)
        R.ok("proxy:env-v2-inet6-destination",
             "checkenv ip=2001:db8::78 port=40006 local=2001:db8::1:110" +
             gone in text, text)
        real = re.findall(r"checkenv ip=127\.0\.0\.1 port=\d+ "
                          r"local=127\.0\.0\.1:%d host=proxy\.example "
                          r"info=haproxy localhost=localhost$" % f4.port,
                          text, re.M)
        R.ok("proxy:env-local-and-unknown-keep-real", len(real) == 2, text)

        # A peer not on the list: its header is never read.
        f2 = Front(sc, "unlisted", ["-t", "5", "-P", "127.0.0.2,::1"])
        fronts.append(f2)
        got = talk(f2.port, b"PROXY TCP4 198.51.100.66 192.0.2.1 1 110\r\n"
                   b"CAPA\r\n")
        text = f2.text()
        R.ok("proxy:unlisted-peer-closed", got == b"", got)
        R.ok("proxy:unlisted-peer-logged",
             "connection refused: ip=[127.0.0.1] is not an allowed proxy"
             in text, text)
        R.ok("proxy:unlisted-forged-address-not-logged",
             "198.51.100.66" not in text, text)
        R.ok("proxy:unlisted-exit-0", statuses(text) == ["0", "0"], text)

        # No header at all: the deadline (-t 1 here) closes it.
        f3 = Front(sc, "silent", ["-t", "1", "-P", "127.0.0.1"])
        fronts.append(f3)
        got = talk(f3.port, b"")
        text = f3.text()
        R.ok("proxy:missing-header-closed", got == b"", got)
        R.ok("proxy:missing-header-logged",
             "no whole PROXY header in time" in text, text)
    finally:
        for f in fronts:
            f.stop()
        sc.cleanup()
    return 1 if R.failed else 0


if __name__ == "__main__":
    sys.exit(main())
