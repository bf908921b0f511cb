# SPDX-License-Identifier: ISC
"""tests/ucspitls.py: a small UCSPI-TLS superserver for the tests.

    python3 tests/ucspitls.py [-m offered|required|disabled] -c CERT -k KEY
        [-t SECS] [-T SECS] HOST PORT PROG [ARG...]

It plays the part of sslserver -n (ucspi-ssl) or s6-tlsserver with
s6-ucspitlsd, neither of which Debian packages.  For every connection
to HOST:PORT it runs PROG with

  - fds 0 and 1 the plain TCP socket, fd 2 its own stderr;
  - a control socket (one end of a socketpair) named by SSLCTLFD;
  - a pipe PROG reads the cleartext from, named by SSLREADFD, and a
    pipe PROG writes the cleartext to, named by SSLWRITEFD;
  - UCSPITLS "" (offered), "!" (required) or "-" (disabled), which
    with the real wrappers the admin sets, and PROTO, TCPREMOTEIP,
    TCPREMOTEPORT, TCPLOCALIP, TCPLOCALPORT as tcpserver sets them.
    No SSL_* variable: nothing is encrypted yet.

The harness never reads the client socket before PROG asks for TLS.
When PROG writes "Y" or "y" to the control socket, the harness runs
the server side of a TLS handshake on the socket with CERT and KEY;
whatever bytes the client sent after its STLS line are the first bytes
the handshake sees.  If the handshake fails, everything is closed.  If
it succeeds, after "Y" (not "y") the TLS parameters are written to the
control socket as NUL-terminated VAR=VALUE strings and an empty one,
and then bytes are relayed between the TLS socket and the two pipes
until both directions are done.  If PROG closes the control socket
without asking for TLS, the harness lets go of the connection and
leaves it to PROG.

Everything is bounded: -t SECS (default 30) for the handshake and for
silence on an active TLS relay, -T SECS (default 120) for a whole
connection, after which PROG is killed.  SIGTERM or SIGINT stops the
listener and kills every PROG still running.
"""
import argparse
import os
import select
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time

CHUNK = 16384
children = set()
children_lock = threading.Lock()


def log(msg):
    sys.stderr.write("ucspitls[%d]: %s\n" % (os.getpid(), msg))
    sys.stderr.flush()


def close_all(*things):
    for t in things:
        if t is None:
            continue
        try:
            if isinstance(t, int):
                os.close(t)
            else:
                t.close()
        except OSError:
            pass


def reap(proc, limit):
    """Waits for PROG up to limit seconds, then kills it."""
    try:
        proc.wait(timeout=max(limit, 0.1))
    except subprocess.TimeoutExpired:
        log("killing pid %d: connection time limit" % proc.pid)
        proc.kill()
        proc.wait()
    with children_lock:
        children.discard(proc)


def relay(tls, rd_w, wr_r, idle, deadline):
    """Moves bytes TLS -> rd_w and wr_r -> TLS until both sides end."""
    tls.setblocking(False)
    os.set_blocking(rd_w, False)
    os.set_blocking(wr_r, False)
    to_prog = bytearray()
    to_client = bytearray()
    client_eof = prog_eof = False
    last = time.monotonic()
    while True:
        if client_eof and not to_prog and rd_w is not None:
            close_all(rd_w)       # PROG reads end of file
            rd_w = None
        if prog_eof and not to_client:
            break
        now = time.monotonic()
        if now >= deadline or now - last >= idle:
            log("relay timed out")
            break
        rl, wl = [], []
        if not client_eof and len(to_prog) < 4 * CHUNK:
            rl.append(tls)
        if not prog_eof and len(to_client) < 4 * CHUNK:
            rl.append(wr_r)
        if to_prog and rd_w is not None:
            wl.append(rd_w)
        if to_client:
            wl.append(tls)
        wait = 0 if tls.pending() else min(1.0, deadline - now)
        r, w, _ = select.select(rl, wl, [], wait)
        if tls.pending() and tls not in r and tls in rl:
            r.append(tls)
        if r or w:
            last = time.monotonic()
        if tls in r:
            try:
                data = tls.recv(CHUNK)
                if data:
                    to_prog += data
                else:
                    client_eof = True
            except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                pass
            except (ssl.SSLError, OSError):
                client_eof = True
        if wr_r in r:
            try:
                data = os.read(wr_r, CHUNK)
                if data:
                    to_client += data
                else:
                    prog_eof = True
            except BlockingIOError:
                pass
        if rd_w is not None and rd_w in w:
            try:
                n = os.write(rd_w, to_prog)
                del to_prog[:n]
            except BlockingIOError:
                pass
            except OSError:       # PROG is gone; drop what it missed
                to_prog.clear()
                client_eof = True
        if tls in w:
            try:
                n = tls.send(to_client[:CHUNK])
                del to_client[:n]
            except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                pass
            except (ssl.SSLError, OSError):
                break             # the client is gone
    close_all(rd_w)
    try:
        tls.setblocking(True)
        tls.settimeout(1)
        tls.unwrap()              # close_notify, best effort
    except (ssl.SSLError, OSError, ValueError):
        pass


def serve(conn, peer, args, ctx):
    deadline = time.monotonic() + args.T
    ctl, ctl_child = socket.socketpair()
    rd_r, rd_w = os.pipe()        # harness -> PROG (SSLREADFD)
    wr_r, wr_w = os.pipe()        # PROG -> harness (SSLWRITEFD)
    local = conn.getsockname()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSL_")}
    env.update({
        "PROTO": "TCP",
        "TCPREMOTEIP": peer[0], "TCPREMOTEPORT": str(peer[1]),
        "TCPLOCALIP": local[0], "TCPLOCALPORT": str(local[1]),
        "UCSPITLS": {"offered": "", "required": "!",
                     "disabled": "-"}[args.m],
        "SSLCTLFD": str(ctl_child.fileno()),
        "SSLREADFD": str(rd_r), "SSLWRITEFD": str(wr_w),
    })
    proc = None
    try:
        proc = subprocess.Popen(args.prog, stdin=conn.fileno(),
                                stdout=conn.fileno(), env=env,
                                pass_fds=(ctl_child.fileno(), rd_r, wr_w))
    except OSError as e:
        log("cannot run %s: %s" % (args.prog[0], e))
    with children_lock:
        if proc is not None:
            children.add(proc)
    close_all(ctl_child, rd_r, wr_w)
    if proc is None:
        close_all(conn, ctl, rd_w, wr_r)
        return
    try:
        cmd = b""
        ctl.settimeout(max(deadline - time.monotonic(), 0.1))
        try:
            cmd = ctl.recv(1)
        except OSError:
            pass
        if cmd not in (b"Y", b"y"):
            # PROG is done with us (or never asked): the cleartext
            # session is its own; only our copies go.
            if cmd:
                log("unknown control command %r" % cmd)
            close_all(conn, rd_w, wr_r)
            conn = rd_w = wr_r = None
            return
        conn.settimeout(args.t)
        try:
            tls = ctx.wrap_socket(conn, server_side=True,
                                  do_handshake_on_connect=False)
        except (ssl.SSLError, OSError) as e:
            log("cannot start TLS: %s" % e)
            return
        conn = None               # tls owns the socket now
        try:
            tls.do_handshake()
        except (ssl.SSLError, OSError) as e:
            log("TLS handshake failed: %s" % e)
            close_all(tls)
            return
        if cmd == b"Y":
            info = "SSL_PROTOCOL=%s\0SSL_CIPHER=%s\0\0" % (
                tls.version(), tls.cipher()[0])
            try:
                ctl.sendall(info.encode())
            except OSError:
                pass
        relay(tls, rd_w, wr_r, args.t, deadline)
        rd_w = None               # relay closed it
        close_all(tls)
    finally:
        close_all(conn, ctl, rd_w, wr_r)
        reap(proc, deadline - time.monotonic())


def main():
    ap = argparse.ArgumentParser(description="UCSPI-TLS test superserver")
    ap.add_argument("-m", choices=("offered", "required", "disabled"),
                    default="offered")
    ap.add_argument("-c", required=True, help="certificate (PEM)")
    ap.add_argument("-k", required=True, help="private key (PEM)")
    ap.add_argument("-t", type=float, default=30.0)
    ap.add_argument("-T", type=float, default=120.0)
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("prog", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    if not args.prog:
        ap.error("no program")

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(args.c, args.k)

    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind((args.host, args.port))
    lsock.listen(16)
    lsock.settimeout(0.2)
    while not stop.is_set():
        try:
            conn, peer = lsock.accept()
        except socket.timeout:
            continue
        except OSError as e:
            if stop.is_set():
                break
            log("accept: %s" % e)
            continue
        conn.settimeout(None)
        threading.Thread(target=serve, args=(conn, peer, args, ctx),
                         daemon=True).start()
    lsock.close()
    with children_lock:
        left = list(children)
    for p in left:
        try:
            p.kill()
            p.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
