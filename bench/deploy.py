#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""bench/deploy.py: logins on the deployed path, pop3d against Dovecot.

pop3d as an admin runs it: tcpserver as root on 127.0.0.1 starts
`pop3d -p loopback -r EMPTY pop3d-checkpw -f PASSWD pop3d -m Maildir`,
so the split front end (its reader chrooted, setuid, seccomp), the
checkpassword program and the sandboxed back end all run for every
session.  Against it, Dovecot 2.3's full daemon (`dovecot -F -c CONF`:
master, pop3-login, auth, pop3) with a passwd-file passdb and userdb:
the same file, so the same users, uids, Maildirs and password hashes.

16 accounts made for the run (useradd --system, each its own uid and
group), each with a Maildir of the same 10 messages.  A session:
greeting, USER, PASS, STAT, RETR 1, QUIT, every reply checked (STAT
totals, RETR 1's size).  The passwd-file is made by pop3d-passwd, once
with yescrypt at its default cost (what pop3d-passwd and chpasswd
make) and once as {PLAIN}; both servers read the one file, replaced
atomically between the two.  Concurrency 1 and 8; in each round
pop3d and Dovecot run back to back (who goes first alternates), and
the ratios are taken within the round.

CPU per session: the CPU time (user + system) of the process tree,
from /proc: for pop3d the children tcpserver has waited for (cutime +
cstime of tcpserver; every pop3d process is reaped by its parent, so
that is all of them; tcpserver's own time is left out), for Dovecot
every process of the daemon (each live process's own time plus that
of the children it reaped).  Read before and after each measurement,
once the session processes are gone.

crypt per login: a second tcpserver runs the same chain with
pop3d-checkpw under bench/cryptshim.so, which times every crypt(3)
call (the thread's CPU time), and under bench/cpuwrap, which logs the
CPU time of pop3d-checkpw and the back end it becomes (wait4); a few
sessions at each concurrency per round.  pop3d's own cost per login =
its CPU per session minus crypt's.  The same instrumented sessions
split a login's CPU into the front end (root side and reader:
tcpserver's children minus cpuwrap and what it ran), pop3d-checkpw
plus the back end without crypt, and crypt.

Everything lives in a scratch directory under the system temp dir
(mode 0755), removed at the end with the accounts; Dovecot and the
tcpservers are stopped on every exit path.  Needs root, tcpserver,
dovecot, useradd; `make bench` builds what it copies.

Environment: BENCH_ROUNDS (default 5), BENCH_DEPLOY_N (sessions per
measurement, default 96), BENCH_DEPLOY_CAL (sessions per crypt
calibration, default 16).  Run alone: python3 bench/deploy.py (prints
the Markdown table).
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # nothing written into the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import (dovecot_conf, free_port, quiesce,  # noqa: E402
                      spread, tree_cpu, wait_port)

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NUSERS = 16
# Account names: PREFIX and a number.  The process id keeps two runs
# apart; the comment tells an admin what a leftover account is.
PREFIX = "p3bench%du" % os.getpid()
COMMENT = "pop3d bench (temporary)"
PASSWORD = "bench-Secret-7"
HASHES = ("yescrypt", "plain")
HASH_LABEL = {"yescrypt": "yescrypt", "plain": "{PLAIN}"}
CONCS = (1, 8)
DOVECOT_BUSY = ("pop3", "pop3-login")


class Fail(Exception):
    pass


def sh(args, **kw):
    p = subprocess.run(args, capture_output=True, text=True, **kw)
    if p.returncode != 0:
        raise Fail("%s: %s" % (" ".join(args), p.stderr.strip()[-500:]))
    return p.stdout


def account(name):
    try:
        with open("/etc/passwd") as f:
            for line in f:
                x = line.rstrip("\n").split(":")
                if x[0] == name:
                    return x
    except OSError:
        pass
    return None


class Deploy:
    def __init__(self, rounds, n, cal):
        self.rounds, self.n, self.cal = rounds, n, cal
        self.users = []
        self.procs = []
        self.dovecot = None
        self.w = tempfile.mkdtemp(prefix="pop3d-deploy.",
                                  dir=tempfile.gettempdir())
        os.chmod(self.w, 0o755)

    def path(self, *a):
        return os.path.join(self.w, *a)

    # -- set-up ---------------------------------------------------------

    def binaries(self):
        b = self.path("bin")
        os.mkdir(b, 0o755)
        for prog in ("pop3d", "pop3d-checkpw", "pop3d-passwd",
                     "bench/client", "bench/gen", "bench/cryptshim.so",
                     "bench/cpuwrap"):
            src = os.path.join(TOP, prog)
            if not os.path.exists(src):
                raise Fail("%s is missing: run make bench" % prog)
            shutil.copy(src, b)
            os.chmod(os.path.join(b, os.path.basename(prog)), 0o755)
        self.bin = b

    def messages(self):
        m = self.path("msg")
        sh([os.path.join(self.bin, "gen"), m, "10", "2048", "20480"])
        with open(os.path.join(m, "expect")) as f:
            lines = f.read().split("\n")
        self.retr1 = int(lines[0].split()[0])
        last = [x for x in lines if x.startswith("total ")][0].split()
        self.stat = "%s %s" % (last[1], last[2])
        return os.path.join(m, "Maildir")

    def accounts(self, maildir):
        homes = self.path("home")
        os.mkdir(homes, 0o755)
        for i in range(NUSERS):
            name = "%s%d" % (PREFIX, i)
            if account(name) is not None:
                raise Fail("account %s exists already" % name)
            home = os.path.join(homes, name)
            sh(["useradd", "--system", "--user-group", "--no-create-home",
                "--home-dir", home, "--shell", "/usr/sbin/nologin",
                "--comment", COMMENT, name])
            self.users.append(name)
            a = account(name)
            uid, gid = int(a[2]), int(a[3])
            os.mkdir(home, 0o700)
            shutil.copytree(maildir, os.path.join(home, "Maildir"))
            for base, dirs, files in os.walk(home):
                os.chown(base, uid, gid)
                for fn in files:
                    os.chown(os.path.join(base, fn), uid, gid)
        for h in HASHES:
            f = self.path("passwd." + h)
            for name in self.users:
                sh([os.path.join(self.bin, "pop3d-passwd"), "-f", f, "add",
                    "-u", name, "-d", os.path.join(homes, name), "-s",
                    "-c", h, name], input=PASSWORD + "\n")
            os.chmod(f, 0o644)
        self.passwd = self.path("passwd")

    def use(self, h):
        """Both servers read self.passwd; swap in one kind atomically."""
        tmp = self.passwd + ".new"
        shutil.copy(self.path("passwd." + h), tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, self.passwd)

    def tcpserver(self, port, checkprog):
        empty = self.path("empty")
        os.makedirs(empty, 0o755, exist_ok=True)
        b = self.bin
        argv = ["tcpserver", "-R", "-H", "-l", "0", "-c", "100",
                "127.0.0.1", str(port), os.path.join(b, "pop3d"), "-p",
                "loopback", "-r", empty] + checkprog + \
            [os.path.join(b, "pop3d-checkpw"), "-f", self.passwd,
             os.path.join(b, "pop3d"), "-m", "Maildir"]
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL,
                             stderr=open(self.path("pop3d.log"), "ab"),
                             start_new_session=True)
        self.procs.append(p)
        if not wait_port(port):
            raise Fail("tcpserver on %d does not answer" % port)
        return p.pid

    def servers(self):
        self.use("yescrypt")
        self.port = {"pop3d": free_port(), "dovecot": free_port(),
                     "cal": free_port()}
        self.root = {"pop3d": self.tcpserver(self.port["pop3d"], [])}
        self.crypt_log = self.path("crypt.log")
        self.chain_log = self.path("chain.log")
        self.root["cal"] = self.tcpserver(self.port["cal"], [
            os.path.join(self.bin, "cpuwrap"), self.chain_log,
            "LD_PRELOAD=" + os.path.join(self.bin, "cryptshim.so"),
            "CRYPTSHIM_LOG=" + self.crypt_log])
        d = self.path("dovecot")
        os.mkdir(d, 0o755)
        conf = os.path.join(d, "dovecot.conf")
        dovecot_conf(conf, d, self.passwd, self.port["dovecot"],
                     "pop3d-bench-%d" % os.getpid())
        self.dovecot = subprocess.Popen(
            ["dovecot", "-F", "-c", conf], stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(d, "stderr"), "ab"),
            start_new_session=True)
        self.root["dovecot"] = self.dovecot.pid
        if not wait_port(self.port["dovecot"]):
            raise Fail("dovecot does not answer; see %s" % d)

    # -- measuring ------------------------------------------------------

    def client(self, who, n, par):
        args = [os.path.join(self.bin, "client"), "-c", str(self.port[who]),
                "-n", str(n), "-p", str(par), "-U", str(NUSERS),
                "-S", self.stat, "-r", str(self.retr1), PREFIX, PASSWORD]
        p = subprocess.run(args, capture_output=True, text=True)
        if p.returncode != 0:
            raise Fail("%s at concurrency %d: %s" % (who, par,
                                                     p.stderr.strip()))
        return float(p.stdout.split()[1])

    def settle(self, who):
        busy = DOVECOT_BUSY if who == "dovecot" else None
        if not quiesce(self.root[who], busy):
            raise Fail("%s: sessions still running after 15 s" % who)

    def cpu(self, who):
        return tree_cpu(self.root[who], self_too=who == "dovecot")

    def measure(self, who, par):
        """(sessions/s, CPU seconds per session)."""
        self.settle(who)
        c0 = self.cpu(who)
        rate = self.client(who, self.n, par)
        self.settle(who)
        return rate, (self.cpu(who) - c0) / self.n

    def crypt_cost(self, par):
        """CPU seconds per login on the instrumented server: crypt,
        calls (crypt calls per login), total, chain (pop3d-checkpw and
        the back end, crypt included), front (root side and reader)."""
        self.settle("cal")
        for f in (self.crypt_log, self.chain_log):
            if os.path.exists(f):
                os.unlink(f)
        c0 = self.cpu("cal")
        self.client("cal", self.cal, par)
        self.settle("cal")
        total = (self.cpu("cal") - c0) / self.cal

        def lines(path):
            # No file: no call was logged (a passwd-file of {PLAIN}
            # secrets alone runs no crypt at all).
            if not os.path.exists(path):
                return []
            with open(path) as f:
                return [[int(y) / 1e9 for y in x.split()]
                        for x in f.read().split("\n") if x]
        cr = lines(self.crypt_log)
        ch = lines(self.chain_log)
        if len(ch) != self.cal:
            raise Fail("cpuwrap logged %d of %d sessions"
                       % (len(ch), self.cal))
        chain = sum(x[0] for x in ch) / self.cal
        wrap = sum(x[1] for x in ch) / self.cal
        return {"crypt": sum(x[0] for x in cr) / self.cal,
                "calls": len(cr) / self.cal, "total": total,
                "chain": chain, "front": total - chain - wrap}

    def rounds_run(self):
        res = {h: {c: {"pop3d": [], "dovecot": [], "cal": []}
                   for c in CONCS} for h in HASHES}
        for r in range(self.rounds):
            t0 = time.monotonic()
            for h in HASHES:
                self.use(h)
                for who in ("pop3d", "dovecot", "cal"):
                    self.client(who, NUSERS, 8)  # untimed warm-up
                for c in CONCS:
                    order = ("pop3d", "dovecot") if r % 2 == 0 else \
                        ("dovecot", "pop3d")
                    for who in order:
                        res[h][c][who].append(self.measure(who, c))
                    res[h][c]["cal"].append(self.crypt_cost(c))
            print("bench: deployed path, round %d/%d done in %.0f s"
                  % (r + 1, self.rounds, time.monotonic() - t0), flush=True)
        return res

    # -- clean-up -------------------------------------------------------

    def close(self):
        errors = []
        if self.dovecot is not None:
            try:
                self.dovecot.send_signal(signal.SIGTERM)
                self.dovecot.wait(timeout=15)
            except (OSError, subprocess.TimeoutExpired):
                pass
            try:
                os.killpg(self.dovecot.pid, signal.SIGKILL)
            except OSError:
                pass
            self.dovecot.wait()
        for p in self.procs:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except OSError:
                pass
            p.wait()
        for name in self.users:
            p = subprocess.run(["userdel", name], capture_output=True,
                               text=True)
            if p.returncode != 0:
                errors.append("userdel %s: %s" % (name, p.stderr.strip()))
        shutil.rmtree(self.w, ignore_errors=True)
        for e in errors:
            print("bench: " + e, file=sys.stderr)


def report(res, rounds, n, out):
    out.append("Deployed path: logins through tcpserver (root) -> pop3d "
               "(split front end) -> pop3d-checkpw -f -> pop3d -m Maildir, "
               "against Dovecot's daemon with the same passwd-file; %d "
               "users, session USER PASS STAT RETR 1 QUIT; %d rounds of "
               "%d sessions per cell; median (min-max) over the rounds, "
               "ratios taken within each round:" % (NUSERS, rounds, n))
    out.append("")
    out.append("| passwords | conc. | pop3d sessions/s | Dovecot sessions/s "
               "| pop3d/Dovecot | pop3d CPU ms/session | Dovecot CPU "
               "ms/session | crypt ms/login | crypt share of pop3d CPU | "
               "pop3d CPU minus crypt, ms/login |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for h in HASHES:
        for c in CONCS:
            x = res[h][c]
            p, d = x["pop3d"], x["dovecot"]
            cr = [k["crypt"] for k in x["cal"]]
            ratio = [a[0] / b[0] for a, b in zip(p, d)]
            pc = [a[1] * 1000 for a in p]
            own = [a[1] * 1000 - k * 1000 for a, k in zip(p, cr)]
            share = [k / a[1] for a, k in zip(p, cr)]
            out.append("| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s |"
                       % (HASH_LABEL[h], c, spread([a[0] for a in p], "%.1f"),
                          spread([a[0] for a in d], "%.1f"), spread(ratio),
                          spread(pc, "%.1f"),
                          spread([a[1] * 1000 for a in d], "%.1f"),
                          spread([k * 1000 for k in cr], "%.1f"),
                          spread([s * 100 for s in share], "%.0f%%"),
                          spread(own, "%.1f")))
    calls = sorted({round(k["calls"], 2) for h in HASHES for c in CONCS
                    for k in res[h][c]["cal"]})
    out.append("")
    out.append("crypt(3) calls per login seen by the shim: %s. CPU per "
               "session: tcpserver's reaped children for pop3d (tcpserver "
               "itself left out), the whole daemon for Dovecot, from /proc."
               % ", ".join("%g" % k for k in calls))
    out.append("")
    out.append("pop3d's CPU per login split by process, on the "
               "instrumented server (pop3d-checkpw under cryptshim.so and "
               "cpuwrap, which add their own loading; ms, median (min-max) "
               "over the rounds):")
    out.append("")
    out.append("| passwords | conc. | all pop3d processes | front end (root "
               "side + reader) | pop3d-checkpw + back end, minus crypt | "
               "crypt |")
    out.append("|---|---:|---:|---:|---:|---:|")
    for h in HASHES:
        for c in CONCS:
            k = res[h][c]["cal"]

            def ms(f):
                return spread([f(x) * 1000 for x in k], "%.1f")
            out.append("| %s | %d | %s | %s | %s | %s |" % (
                HASH_LABEL[h], c, ms(lambda x: x["total"]),
                ms(lambda x: x["front"]),
                ms(lambda x: x["chain"] - x["crypt"]),
                ms(lambda x: x["crypt"])))
    out.append("")


def run(out, results, rounds, n=None, cal=None):
    """The deployed-path scenario; appends its table to out."""
    n = n or int(os.environ.get("BENCH_DEPLOY_N", "96"))
    cal = cal or int(os.environ.get("BENCH_DEPLOY_CAL", "16"))
    why = None
    if os.geteuid() != 0:
        why = "needs root (tcpserver as root, the split front end)"
    for tool in ("tcpserver", "dovecot", "useradd", "userdel"):
        if why is None and shutil.which(tool) is None:
            why = "%s missing" % tool
    if why is not None:
        out.append("Deployed path: skipped (%s)." % why)
        out.append("")
        return
    # A SIGTERM or SIGHUP (make killed, a closed terminal) unwinds
    # through the clean-up below like an error does.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda s, f: sys.exit(128 + s))
    d = Deploy(rounds, n, cal)
    try:
        d.binaries()
        d.accounts(d.messages())
        d.servers()
        res = d.rounds_run()
    except Fail as e:
        sys.exit("bench: deployed path: %s" % e)
    finally:
        d.close()
    results["deploy"] = {h: {str(c): v for c, v in res[h].items()}
                         for h in res}
    report(res, rounds, n, out)


def main():
    out = []
    results = {}
    run(out, results, int(os.environ.get("BENCH_ROUNDS", "5")))
    print("\n".join(out))
    if os.environ.get("BENCH_JSON"):
        with open(os.environ["BENCH_JSON"], "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
