#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""bench/split.py OLD_BUILD_DIR: the price of the split front end.

Full logins per second (greeting, USER, PASS, STAT, QUIT, 4 at a
time, as in make bench's connection-rate run) through tcpserver on
127.0.0.1, for two builds side by side in alternating rounds:

  before  OLD_BUILD_DIR/pop3d and pop3d-checkpw: one front-end process
  after   this tree's pop3d and pop3d-checkpw: root side + reader
          (chroot, setuid, no_new_privs, limits, seccomp)

Both use pop3d-checkpw -f with SHA512-CRYPT (1000 rounds) and the same
Maildirs of 10 small messages.  Needs root, tcpserver and bench/client
(make bench/client).  BENCH_ROUNDS (default 7) and BENCH_N (sessions
per round and build, default 1000) shorten or lengthen the run.
Prints one Markdown table: median sessions/s, min-max, and the median
of the per-round after/before ratios.
"""
import crypt
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # nothing written into the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import free_port, wait_port  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "7"))
N = int(os.environ.get("BENCH_N", "1000"))
PAR = 4
UID = GID = 65534


def main():
    if os.geteuid() != 0 or len(sys.argv) != 2:
        sys.exit("usage (as root): bench/split.py OLD_BUILD_DIR")
    old = os.path.abspath(sys.argv[1])
    w = tempfile.mkdtemp(prefix="pop3d-split.", dir="/var/tmp")
    os.chmod(w, 0o755)
    procs = []
    try:
        builds = {}
        for name, src in (("before", old), ("after", TOP)):
            d = os.path.join(w, name)
            os.mkdir(d, 0o755)
            for prog in ("pop3d", "pop3d-checkpw"):
                shutil.copy(os.path.join(src, prog), d)
            builds[name] = d
        empty = os.path.join(w, "empty")
        os.mkdir(empty, 0o755)
        h = crypt.crypt("secret", "$6$rounds=1000$benchsalt")
        passwd = os.path.join(w, "passwd")
        with open(passwd, "w") as f:
            for i in range(PAR):
                home = os.path.join(w, "home%d" % i)
                for sub in ("new", "cur", "tmp"):
                    os.makedirs(os.path.join(home, "Maildir", sub))
                for k in range(10):
                    with open(os.path.join(home, "Maildir", "cur",
                                           "%d.M%dP1.bench:2,S" % (
                                               1600000000 + k, k)),
                              "w") as m:
                        m.write("Subject: %d\n\n%s\n" % (k, "x" * 2000))
                f.write("bench%d:{SHA512-CRYPT}%s:%d:%d::%s::\n"
                        % (i, h, UID, GID, home))
                for base, dirs, files in os.walk(home):
                    os.chown(base, UID, GID)
                    for fn in files:
                        os.chown(os.path.join(base, fn), UID, GID)
        ports = {}
        for name, d in builds.items():
            port = free_port()
            extra = ["-r", empty] if name == "after" else []
            argv = [os.path.join(d, "pop3d"), *extra, "-p", "any", "-d",
                    "0", os.path.join(d, "pop3d-checkpw"), "-f", passwd,
                    os.path.join(d, "pop3d"), "-m", "Maildir"]
            procs.append(subprocess.Popen(
                ["tcpserver", "-R", "-H", "-l", "0", "-c", "100",
                 "127.0.0.1", str(port), *argv],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=open(os.path.join(w, name + ".log"), "ab"),
                start_new_session=True))
            if not wait_port(port):
                sys.exit("%s does not answer" % name)
            ports[name] = port
        rates = {"before": [], "after": []}
        for r in range(ROUNDS):
            order = ["before", "after"] if r % 2 == 0 else \
                ["after", "before"]
            for name in order:
                p = subprocess.run(
                    [os.path.join(TOP, "bench", "client"), "-c",
                     str(ports[name]), "-n", str(N), "-p", str(PAR),
                     "bench", "secret"], capture_output=True, text=True)
                if p.returncode != 0:
                    sys.exit("%s: %s" % (name, p.stderr))
                rates[name].append(float(p.stdout.split()[1]))
        ratios = [a / b for a, b in zip(rates["after"], rates["before"])]
        print("| front end | sessions/s (median) | min-max |")
        print("|---|---:|---:|")
        for name in ("before", "after"):
            xs = rates[name]
            print("| %s | %.0f | %.0f-%.0f |" % (
                name, statistics.median(xs), min(xs), max(xs)))
        print()
        print("after/before per round: median %.3f (min %.3f, max %.3f), "
              "%d rounds of %d sessions" % (statistics.median(ratios),
                                            min(ratios), max(ratios),
                                            ROUNDS, N))
    finally:
        for p in procs:
            os.killpg(p.pid, signal.SIGTERM)
            p.wait()
        shutil.rmtree(w, ignore_errors=True)


if __name__ == "__main__":
    main()
