# SPDX-License-Identifier: ISC
"""tests/clientlib.py: what the interactive-client tests share: a
recording relay (the bytes each side really sent, per connection), a
tmux driver for clients that want a terminal, and the comparison of
stored mail with what the server sent.  Every wait is bounded; see
itlib.py for the scratch tree and the result protocol."""
import os
import re
import select
import socket
import subprocess
import threading
import time

import itlib


class Wiretap:
    """A loopback relay on a free port in front of target_port: keeps,
    per connection, what the client sent and what the server sent."""

    def __init__(self, target_port, timeout=60.0):
        self.target = target_port
        self.timeout = timeout
        self.conns = []		# [client bytes, server bytes], in order
        self.lock = threading.Lock()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.stopping = False
        self.threads = []
        self.acceptor = threading.Thread(target=self._accept, daemon=True)
        self.acceptor.start()

    def _accept(self):
        while not self.stopping:
            try:
                c, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            rec = [bytearray(), bytearray()]
            with self.lock:
                self.conns.append(rec)
            t = threading.Thread(target=self._relay, args=(c, rec),
                                 daemon=True)
            t.start()
            self.threads.append(t)

    def _relay(self, c, rec):
        end = time.monotonic() + self.timeout
        try:
            s = socket.create_connection(("127.0.0.1", self.target),
                                         timeout=10)
        except OSError:
            c.close()
            return
        peer = {c: (s, 0), s: (c, 1)}
        open_ = {c, s}
        try:
            while open_ and time.monotonic() < end:
                ready, _, _ = select.select(list(open_), [], [], 0.5)
                for r in ready:
                    try:
                        data = r.recv(65536)
                    except OSError:
                        data = b""
                    other, side = peer[r]
                    if not data:
                        open_.discard(r)
                        try:
                            other.shutdown(socket.SHUT_WR)
                        except OSError:
                            pass
                        continue
                    with self.lock:
                        rec[side] += data
                    try:
                        other.sendall(data)
                    except OSError:
                        open_.clear()
        finally:
            c.close()
            s.close()

    def mark(self):
        """How many connections so far: for since()."""
        with self.lock:
            return len(self.conns)

    def since(self, mark, wait=10.0):
        """The connections opened after mark, once they have ended."""
        end = time.monotonic() + wait
        for t in list(self.threads):
            t.join(max(0.0, end - time.monotonic()))
        with self.lock:
            return [(bytes(a), bytes(b)) for a, b in self.conns[mark:]]

    def close(self):
        self.stopping = True
        self.sock.close()
        self.acceptor.join(5)


def commands(conns):
    """The client's command lines over the given connections."""
    out = []
    for cl, _ in conns:
        out += [l for l in cl.split(b"\r\n") if l]
    return out


def verbs(conns):
    return [l.split(b" ")[0].upper() for l in commands(conns)]


def retrieved(conns):
    """Bodies the server sent in answer to RETR, unstuffed, CRLF, in
    the order sent, over the given connections (pipelining aside:
    clients here wait for each answer)."""
    out = []
    for cl, sv in conns:
        cmds = [l for l in cl.split(b"\r\n") if l]
        lines = sv.split(b"\r\n")
        i = 1	# the greeting
        for cmd in cmds:
            if i >= len(lines):
                break
            status = lines[i]
            i += 1
            verb = cmd.split(b" ")[0].upper()
            multi = status.startswith(b"+OK") and (
                verb in (b"RETR", b"TOP", b"CAPA") or
                (verb in (b"LIST", b"UIDL") and b" " not in cmd.strip()))
            if status.startswith(b"+ "):	# SASL continuation
                continue
            if not multi:
                continue
            body = []
            while i < len(lines) and lines[i] != b".":
                l = lines[i]
                body.append(l[1:] if l.startswith(b".") else l)
                i += 1
            i += 1
            if verb == b"RETR":
                out.append(b"".join(l + b"\r\n" for l in body))
    return out


class Tmux:
    """One tmux server on a socket of its own, running one program in
    a detached 200x50 window; always stop() it."""

    def __init__(self, sc, name, argv, env, cwd):
        self.sock = os.path.join(cwd, "tmux-" + name)
        self.base = itlib.AS_USER + ["tmux", "-S", self.sock]
        self.env = dict(env)
        self.env.pop("TMUX", None)
        # The mail user's login shell may be nologin: tmux runs the
        # command with $SHELL -c.
        self.env["SHELL"] = "/bin/sh"
        cmd = " ".join(shquote(a) for a in argv)
        subprocess.run(self.base + ["-f", "/dev/null", "new-session", "-d",
                                    "-x", "200", "-y", "50", cmd],
                       env=self.env, cwd=cwd, check=True, timeout=20,
                       stdin=subprocess.DEVNULL, capture_output=True)

    def alive(self):
        return subprocess.run(self.base + ["has-session"], env=self.env,
                              capture_output=True, timeout=10,
                              stdin=subprocess.DEVNULL).returncode == 0

    def screen(self):
        p = subprocess.run(self.base + ["capture-pane", "-p"], env=self.env,
                           capture_output=True, timeout=10,
                           stdin=subprocess.DEVNULL)
        return p.stdout.decode(errors="replace")

    def send(self, *keys):
        subprocess.run(self.base + ["send-keys", *keys], env=self.env,
                       capture_output=True, timeout=10,
                       stdin=subprocess.DEVNULL)

    def wait(self, pattern, timeout=20.0):
        """Until the screen matches pattern (or the program ended);
        returns the match or None."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if not self.alive():
                return None
            m = re.search(pattern, self.screen())
            if m:
                return m
            time.sleep(0.1)
        return None

    def wait_exit(self, timeout=30.0):
        """Until the program has ended; False (and the last screen in
        self.last) if it has not by then."""
        end = time.monotonic() + timeout
        self.last = ""
        while time.monotonic() < end:
            if not self.alive():
                return True
            self.last = self.screen()
            time.sleep(0.1)
        return False

    def stop(self):
        subprocess.run(self.base + ["kill-server"], env=self.env,
                       capture_output=True, timeout=10,
                       stdin=subprocess.DEVNULL)


def shquote(s):
    if re.fullmatch(r"[A-Za-z0-9_./:=@%+,-]+", s):
        return s
    return "'" + s.replace("'", "'\\''") + "'"


def crlf_to_lf(data):
    return data.replace(b"\r\n", b"\n")
