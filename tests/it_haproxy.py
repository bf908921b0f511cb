#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""tests/it_haproxy.py: Debian's haproxy, configured from
haproxy.cfg.example, in front of two pop3d back ends (tcpserver, -P)
over one shared Maildir store, all on loopback.

HAProxy connects from 127.0.0.2 and the clients from 127.0.0.3, so the
logs tell the two apart: the back ends must log the client.  Fetches
with poplib and curl; a deletion made through one back end is seen
through the other; the per-Maildir lock keeps two sessions of one user
apart across the back ends (-ERR [IN-USE]); with one back end stopped,
new sessions go to the other.
"""
import os
import poplib
import re
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itlib  # noqa: E402

PROXY_SRC = "127.0.0.2"
CLIENT = "127.0.0.3"
MESSAGES = {k: itlib.MESSAGES[k] for k in sorted(itlib.MESSAGES)[:4]}
R = itlib.Results()


class POP3From(poplib.POP3):
    """poplib from the client's own loopback address."""

    def _create_socket(self, timeout):
        return socket.create_connection((self.host, self.port), timeout,
                                        source_address=(CLIENT, 0))


def haproxy_cfg(sc, port, backs):
    with open(os.path.join(itlib.TOP, "haproxy.cfg.example")) as f:
        text = f.read()
    text = text.replace("bind\t:110", "bind\t127.0.0.1:%d" % port)
    text = text.replace("192.0.2.10", PROXY_SRC)
    text = text.replace("192.0.2.11:110", "127.0.0.1:%d" % backs[0])
    text = text.replace("192.0.2.12:110", "127.0.0.1:%d" % backs[1])
    # Quicker health checks for a test; the rest is the example's.
    text = text.replace("inter 5s", "inter 1s")
    text = text.replace("global\n", "global\n\tstats socket %s\n"
                        % os.path.join(sc.dir, "haproxy.sock"))
    path = os.path.join(sc.dir, "haproxy.cfg")
    with open(path, "w") as f:
        f.write(text)
    return path


class HAProxy:
    def __init__(self, sc, backs):
        self.log = os.path.join(sc.dir, "haproxy.log")
        self.logf = open(self.log, "ab")
        for _ in range(5):
            self.port = itlib.free_port()
            cfg = haproxy_cfg(sc, self.port, backs)
            self.proc = subprocess.Popen(["haproxy", "-db", "-f", cfg],
                                         stdin=subprocess.DEVNULL,
                                         stdout=self.logf, stderr=self.logf,
                                         start_new_session=True)
            if wait_listen(self.port, self.proc):
                return
            self.stop()
        raise RuntimeError("cannot start haproxy")

    def stop(self):
        srv = itlib.Server.__new__(itlib.Server)
        srv.proc = self.proc
        srv.stop()


def wait_listen(port, proc, timeout=20.0):
    """Waits for a listener on port without connecting to it (a probe
    through HAProxy would be a session on a back end)."""
    end = time.monotonic() + timeout
    hexport = ":%04X " % port
    while time.monotonic() < end:
        if proc.poll() is not None:
            return False
        with open("/proc/net/tcp") as f:
            for line in f:
                fields = line.split()
                if len(fields) > 3 and (fields[1] + " ").endswith(hexport) \
                        and fields[3] == "0A":
                    return True
        time.sleep(0.05)
    return False


def checks(sc):
    """check_status of each server of backend pop3d (HAProxy's CSV
    statistics), by server name."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    try:
        s.connect(os.path.join(sc.dir, "haproxy.sock"))
        s.sendall(b"show stat\n")
        data = b""
        while True:
            b = s.recv(65536)
            if not b:
                break
            data += b
    except OSError:
        return {}
    finally:
        s.close()
    lines = data.decode(errors="replace").splitlines()
    if not lines or not lines[0].startswith("# "):
        return {}
    head = lines[0][2:].split(",")
    out = {}
    for line in lines[1:]:
        row = dict(zip(head, line.split(",")))
        if row.get("pxname") == "pop3d" and row.get("svname") not in (
                "BACKEND", None):
            out[row["svname"]] = row.get("check_status", "")
    return out


def wait_checks(sc, timeout=30.0):
    """Waits until both servers passed a health check (L7OK: the +OK
    greeting and the +OK to QUIT came back)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        st = checks(sc)
        if st and all(v == "L7OK" for v in st.values()) and len(st) == 2:
            return st
        time.sleep(0.1)
    return checks(sc)


def logins(path):
    with open(path, errors="replace") as f:
        return re.findall(r"login: user=alice, ip=\[([^\]]*)\]", f.read())


def fetch(port):
    """One poplib session: STAT and every message; returns them."""
    p = POP3From("127.0.0.1", port, timeout=30)
    try:
        p.user("alice")
        p.pass_("secret")
        count, _ = p.stat()
        got = [b"\r\n".join(p.retr(i + 1)[1]) for i in range(count)]
        p.quit()
    finally:
        p.close()
    return got


def want(name):
    """What poplib hands back for a message: lines without CRLF."""
    return itlib.wire(MESSAGES[name])[:-2]


def main():
    missing = itlib.have("haproxy", "tcpserver", "curl")
    if missing:
        R.skip("haproxy", "not installed: %s" % " ".join(missing))
        return 0
    sc = itlib.Scratch(messages=MESSAGES)
    backs, hap = [], None
    try:
        logs = [os.path.join(sc.dir, "back%d.log" % i) for i in (1, 2)]
        for log in logs:
            backs.append(itlib.Server("tcpserver", sc.command(
                front=("-e", "-d", "0", "-P", PROXY_SRC, "-p", "loopback")),
                log))
        hap = HAProxy(sc, [b.port for b in backs])
        st = wait_checks(sc)
        R.ok("haproxy:health-check-sees-greeting",
             st == {"mail1": "L7OK", "mail2": "L7OK"}, st)

        # poplib: every message, as pop3d sends it.
        got = fetch(hap.port)
        names = sorted(MESSAGES)
        R.ok("haproxy:poplib-fetch",
             got == [want(n) for n in names], got)

        # curl, from the client's address too.
        out = subprocess.run(["curl", "-sS", "--interface", CLIENT,
                              "--max-time", "30", "-u", "alice:secret",
                              "pop3://127.0.0.1:%d/1" % hap.port],
                             capture_output=True, timeout=60,
                             stdin=subprocess.DEVNULL)
        R.ok("haproxy:curl-fetch", out.returncode == 0 and
             out.stdout == itlib.wire(MESSAGES[names[0]]), out)

        # The lock: one session holds the Maildir through one back end,
        # a second one (leastconn: the other back end) is refused.
        a = POP3From("127.0.0.1", hap.port, timeout=30)
        a.user("alice")
        a.pass_("secret")
        b = POP3From("127.0.0.1", hap.port, timeout=30)
        b.user("alice")
        try:
            b.pass_("secret")
            second = b"+OK"
        except poplib.error_proto as e:
            second = e.args[0]
        b.close()
        R.ok("haproxy:lock-across-back-ends",
             second.startswith(b"-ERR [IN-USE]"), second)
        a.dele(1)
        a.quit()
        a.close()
        texts = [itlib.wait_log(l, itlib.sessions_done) for l in logs]
        held = [i for i in (0, 1) if "mailbox in use: user=alice, "
                "ip=[%s]" % CLIENT in texts[i]]
        R.ok("haproxy:lock-refused-on-the-other-back-end",
             len(held) == 1 and logins(logs[1 - held[0]]), texts)

        # The deletion made through one back end shows through both.
        after = [fetch(hap.port), fetch(hap.port)]
        R.ok("haproxy:shared-store",
             after == [[want(n) for n in names[1:]]] * 2, after)
        # A wrong password, for the log.
        p = POP3From("127.0.0.1", hap.port, timeout=30)
        p.user("alice")
        try:
            p.pass_("wrong")
        except poplib.error_proto:
            pass
        p.close()

        texts = [itlib.wait_log(l, lambda t: itlib.sessions_done(t) and
                                "LOGIN FAILED" in t if l == logs[0] else
                                itlib.sessions_done(t)) for l in logs]
        both = texts[0] + texts[1]
        ips = set(logins(logs[0]) + logins(logs[1]))
        R.ok("haproxy:back-ends-log-the-client", ips == {CLIENT}, both)
        R.ok("haproxy:both-back-ends-served",
             all(logins(l) for l in logs), both)
        failed = re.findall(r"LOGIN FAILED, user=alice, ip=\[([^\]]*)\]",
                            both)
        R.ok("haproxy:login-failed-logs-the-client",
             failed == [CLIENT], both)
        seen = both.replace("ip=[%s] is not an allowed" % PROXY_SRC, "")
        if os.environ.get("POP3D_SANITIZED"):
            # In a sanitizer build the reader of a health check (v2
            # LOCAL: the real endpoints) exits 1 at its end, where the
            # leak checker finds no /proc in the chroot; that line names
            # the real peer, which is right for LOCAL.
            seen = re.sub(r"reader exited 1, ip=\[%s\]" %
                          re.escape(PROXY_SRC), "", seen)
        R.ok("haproxy:proxy-address-never-logged-as-client",
             "ip=[%s]" % PROXY_SRC not in seen, both)

        R.ok("haproxy:health-checks-served",
             "refused: " not in both.replace(
                 "refused: ip=[127.0.0.1] is not an allowed", ""), both)

        # One back end stops: new sessions go to the other.
        before = len(logins(logs[1]))
        backs[0].stop()
        ok = 0
        for _ in range(4):
            try:
                if fetch(hap.port) == [want(n) for n in names[1:]]:
                    ok += 1
            except (OSError, poplib.error_proto) as e:
                print("  failover: %s" % e, file=sys.stderr)
        itlib.wait_log(logs[1], itlib.sessions_done)
        R.ok("haproxy:failover-sessions-served", ok == 4, ok)
        R.ok("haproxy:failover-to-the-other-back-end",
             len(logins(logs[1])) - before == 4, logins(logs[1]))
    finally:
        if hap is not None:
            hap.stop()
        for b in backs:
            b.stop()
        sc.cleanup()
    return 1 if R.failed else 0


if __name__ == "__main__":
    sys.exit(main())
