#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""bench/quit.py: what QUIT costs the back end (pop3d -m) and when the
maildrop is free again.

    python3 bench/quit.py [-N] [-n MSGS] [-d DELES] [-r ROUNDS] [-b POP3D]
                          [-- BACKEND-OPTIONS...]

Makes a Maildir of MSGS messages with bench/gen (in a 0755 scratch
directory under the system temporary directory), then ROUNDS times on
a fresh copy: logs in, DELEs messages 1..DELES, sends QUIT and takes
  quit   the time from QUIT to its "+OK" reply,
  free   the time from QUIT to the start of the first new session that
         gets the maildrop (they are started one after another, a
         millisecond apart, while they get [IN-USE]),
With -N a message is delivered before each round, so that QUIT has
the size cache to write.  Prints the median and the extremes of each in milliseconds.  As
root the back end runs as uid 65534.  The numbers are wall-clock times
on whatever else the machine is doing: compare runs made together."""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.geteuid() == 0
AS = (["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
       "--"] if ROOT else [])


def chown(path):
    if ROOT:
        for base, dirs, files in os.walk(path):
            os.chown(base, 65534, 65534)
            for f in files:
                os.chown(os.path.join(base, f), 65534, 65534)


def start(pop3d, home, opts):
    env = {"HOME": home, "USER": "bench", "PATH": "/usr/bin:/bin"}
    return subprocess.Popen(AS + [pop3d, "-e", *opts, "-m", "Maildir"],
                            cwd=home, env=env, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, bufsize=0)


def readline(p):
    return p.stdout.readline()


def one(pop3d, home, opts, deles):
    p = start(pop3d, home, opts)
    line0 = readline(p)
    if not line0.startswith(b"+OK"):
        raise RuntimeError("login failed: %r" % line0)
    if deles:
        p.stdin.write(b"".join(b"DELE %d\r\n" % (i + 1)
                               for i in range(deles)))
        for _ in range(deles):
            readline(p)
    t0 = time.monotonic()
    p.stdin.write(b"QUIT\r\n")
    line = readline(p)
    t1 = time.monotonic()
    if not line.startswith(b"+OK"):
        raise RuntimeError("QUIT: %r" % line)
    while True:
        t2 = time.monotonic()
        q = start(pop3d, home, opts)
        got = readline(q)
        try:
            q.stdin.write(b"QUIT\r\n")
            q.stdin.close()
        except BrokenPipeError:     # refused: it has gone already
            pass
        q.wait()
        if got.startswith(b"+OK"):
            break
        if time.monotonic() - t0 > 30:
            raise RuntimeError("never free: %r" % got)
        time.sleep(0.001)
    p.wait()
    return (t1 - t0) * 1000, (t2 - t0) * 1000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=100000)
    ap.add_argument("-d", type=int, default=0)
    ap.add_argument("-r", type=int, default=11)
    ap.add_argument("-b", default=os.path.join(TOP, "pop3d"))
    # One new message before each round: the scan finds something the
    # size cache lacks, so QUIT writes the cache (100,000 entries).
    ap.add_argument("-N", action="store_true")
    ap.add_argument("opts", nargs="*")
    a = ap.parse_args()
    scratch = tempfile.mkdtemp(prefix="pop3d-quitbench.")
    os.chmod(scratch, 0o755)
    try:
        pop3d = os.path.join(scratch, "pop3d")
        shutil.copy(a.b, pop3d)
        os.chmod(pop3d, 0o755)
        # Without DELEs QUIT changes nothing: the Maildir is made in
        # place, once; with them each round gets a fresh copy.
        master = os.path.join(scratch, "master" if a.d else "home")
        subprocess.run([os.path.join(TOP, "bench", "gen"), master,
                        str(a.n), "1536", "2560"], check=True,
                       stdout=subprocess.DEVNULL)
        home = os.path.join(scratch, "home")
        if not a.d:
            chown(home)
            one(pop3d, home, a.opts, 0)
        quit_ms, free_ms = [], []
        for r in range(a.r + 1):
            if a.d:
                shutil.rmtree(home, ignore_errors=True)
                shutil.copytree(master, home, symlinks=True)
                chown(home)
                # A first session writes the size cache, as in daily use.
                one(pop3d, home, a.opts, 0)
            if a.N:
                p = os.path.join(home, "Maildir", "new",
                                 "%d.M%dP1.bench" % (1700000000 + r, r))
                with open(p, "wb") as f:
                    f.write(b"Subject: new\n\nnew mail\n")
                chown(os.path.join(home, "Maildir", "new"))
            q, f = one(pop3d, home, a.opts, a.d)
            if r > 0:           # the first round warms the caches
                quit_ms.append(q)
                free_ms.append(f)
        for name, v in (("quit", quit_ms), ("free", free_ms)):
            print("%s: median %.2f ms, min %.2f, max %.2f (%d rounds, "
                  "%d messages, %d DELEs, %s)"
                  % (name, statistics.median(v), min(v), max(v), len(v),
                     a.n, a.d, " ".join(a.opts) or "no options"))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
