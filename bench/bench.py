#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""bench/bench.py: pop3d side by side with Dovecot and the physical limits.

Run by `make bench` (which builds everything first).  Every figure is a
ratio measured in the same round: pop3d -m against Dovecot's pop3 (run
pre-authenticated on stdio) and against a physical-limit reference
through the same socketpair.  The report gives medians over the rounds,
min-max of the per-round ratios, the server's peak RSS, DELE in CPU
time as well as wall time, callgrind instruction counts, a
connection-rate run through tcpserver and the deployed path against
Dovecot's daemon (bench/deploy.py).

Environment:
  BENCH_ROUNDS=N    rounds (default 5)
  BENCH_WORK=DIR    where the Maildirs go, kept for the next run (default:
                    a scratch directory under the system temp dir,
                    removed at the end)
  BENCH_SETS=a,b    only these data sets (default 1k,10k,5mb,5mbtext,w1k;
                    all: 1k,10k,100k,5mb,5mbtext,w1k; empty: none)
  BENCH_SCENARIOS=a,b  only these scenarios (first,again,list,retr,top,
                    dele,delehot)
  BENCH_CALLGRIND=0 skip callgrind
  BENCH_CONN=0      skip the connection-rate run
  BENCH_DEPLOY=0    skip the deployed path (see bench/deploy.py for
                    BENCH_DEPLOY_N and BENCH_DEPLOY_CAL)
  BENCH_SCALE=1     add the 1,000,000-message scale run
  BENCH_JSON=FILE   also write the raw numbers to FILE
The report (Markdown) goes to stdout, and with BENCH_WORK also to
WORK/results.md, raw numbers to WORK/results.json.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # nothing written into the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import deploy  # noqa: E402
from benchlib import dovecot_conf, free_port, med, wait_port  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.geteuid() == 0
UID = 65534 if ROOT else os.getuid()
GID = 65534 if ROOT else os.getgid()
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
DOVECOT_POP3 = "/usr/lib/dovecot/pop3"

# name: (messages, min size, max size, gen flags): text lines of 0-76
# characters; -w: ",S=/,W=" names; -b: large mail, a base64 attachment.
SETS = {
    "1k": (1000, 2048, 20480, ""),
    "10k": (10000, 1536, 2560, ""),
    "100k": (100000, 1536, 2560, ""),
    "5mb": (20, 5 * 1024 * 1024 - 65536, 5 * 1024 * 1024, "-b"),
    "5mbtext": (20, 5 * 1024 * 1024 - 65536, 5 * 1024 * 1024, ""),
    "w1k": (1000, 2048, 20480, "-w"),
}
# dele: DELE all + QUIT on a fresh copy written to disk, as mail is;
# delehot: the same on a copy in tmpfs (/dev/shm), where unlinking
# costs no disk and no journal, so the server's own work shows.
SCENARIOS = ["first", "again", "list", "retr", "top", "dele", "delehot"]
# The physical-limit reference of each scenario, if any.
REFS = {
    "again": ["readdir", "stat", "true"],
    "retr": ["cat"],
    "top": ["head"],
    "dele": ["rm"],
    "delehot": ["rm"],
}
DEFAULT_SETS = "1k,10k,5mb,5mbtext,w1k"
# Short runs are repeated within a round (median), against the noise.
REPEAT = {"again": 3, "list": 3}


def die(msg):
    sys.exit("bench: " + msg)


def reachable(path):
    """Whether uid 65534 can walk down to path (when we are root)."""
    if not ROOT:
        return True
    p = os.path.abspath(path)
    while p != "/":
        p = os.path.dirname(p)
        if os.stat(p).st_mode & 0o001 == 0:
            return False
    return True


def workdir():
    """BENCH_WORK, kept for the next run; or a scratch directory under
    the system temp dir, removed at the end."""
    w = os.environ.get("BENCH_WORK")
    if w:
        w = os.path.abspath(w)
        os.makedirs(w, exist_ok=True)
        if not reachable(w):
            die("BENCH_WORK %s: uid %d cannot reach it" % (w, UID))
        return w, True
    w = tempfile.mkdtemp(prefix="pop3d-bench.", dir=tempfile.gettempdir())
    os.chmod(w, 0o755)
    if not reachable(w):
        shutil.rmtree(w)
        die("%s: uid %d cannot reach it; set BENCH_WORK" % (w, UID))
    return w, False


WORK, KEEP = workdir()
BIN = os.path.join(WORK, "bin")
SRC = os.path.join(WORK, "src")
LOG = os.path.join(WORK, "log")


def chown_tree(path):
    if ROOT:
        subprocess.run(["chown", "-R", "%d:%d" % (UID, GID), path],
                       check=True)


def setup():
    for d in (WORK, BIN, SRC, LOG):
        os.makedirs(d, exist_ok=True)
        os.chmod(d, 0o755)
    for prog in ("pop3d", "pop3d-checkpw", "bench/client", "bench/gen",
                 "bench/ref", "bench/trivial"):
        src = os.path.join(TOP, prog)
        if not os.path.exists(src):
            die("%s is missing: run make bench" % prog)
        dst = os.path.join(BIN, os.path.basename(prog))
        shutil.copy(src, dst)
        os.chmod(dst, 0o755)
    if not os.path.exists(DOVECOT_POP3):
        die("%s missing: apt-get install dovecot-pop3d" % DOVECOT_POP3)
    with open(os.path.join(WORK, "dovecot-stdio.conf"), "w") as f:
        f.write("mail_location = maildir:~/Maildir\nssl = no\n"
                "log_path = /dev/stderr\n")
    os.chmod(os.path.join(WORK, "dovecot-stdio.conf"), 0o644)
    dovecot_env()


def generate(name, spec):
    """The data set's directory: Maildir/, expect, files; made once."""
    n, lo, hi, flags = spec
    d = os.path.join(SRC, name)
    stamp = "%d %d %d %s v2\n" % (n, lo, hi, flags)
    sf = os.path.join(d, "params")
    if os.path.exists(sf) and open(sf).read() == stamp:
        return d
    if os.path.exists(d):
        shutil.rmtree(d)
    t = time.monotonic()
    args = [os.path.join(BIN, "gen")] + ([flags] if flags else []) + \
        [d, str(n), str(lo), str(hi)]
    subprocess.run(args, check=True)
    with open(sf, "w") as f:
        f.write(stamp)
    chown_tree(d)
    os.chmod(d, 0o755)
    print("bench: generated %s (%d messages) in %.1f s"
          % (name, n, time.monotonic() - t), flush=True)
    return d


def totals(d):
    with open(os.path.join(d, "expect")) as f:
        last = f.readlines()[-1].split()
    # total COUNT WIRE RAW HEADRAW
    return {"count": int(last[1]), "wire": int(last[2]),
            "raw": int(last[3]), "head": int(last[4])}


DOVECOT_ENV = []


def dovecot_env():
    """Dovecot's pop3 started by hand executes doveconf to parse its
    configuration and then itself again; its master hands the settings
    over instead.  Give it the settings as doveconf -e would, so the
    re-execution is not counted against it."""
    conf = os.path.join(WORK, "dovecot-stdio.conf")
    p = subprocess.run(["env", "-i", "/usr/bin/doveconf", "-f",
                        "service=pop3", "-c", conf, "-m", "pop3", "-m",
                        "ssl", "-e", "/usr/bin/env"],
                       capture_output=True, text=True, check=True)
    DOVECOT_ENV[:] = [x for x in p.stdout.split("\n") if "=" in x]
    if "DOVECONF_ENV=1" not in DOVECOT_ENV:
        die("doveconf -e gave no DOVECONF_ENV")


def client(d, scen, server, greet=False, expect=True, raw=None, log=None):
    """Runs one timed session; returns (seconds, peak RSS KiB, server
    CPU seconds, stderr)."""
    cmd = [os.path.join(BIN, "client")]
    if greet:
        cmd.append("-g")
    if ROOT:
        cmd += ["-u", str(UID)]
    cmd += ["-C", d, "-E", "USER=bench", "-E", "HOME=" + d,
            "-E", "PATH=/usr/bin:/bin", "-s", scen]
    if DOVECOT_POP3 in server:
        for e in DOVECOT_ENV:
            cmd += ["-E", e]
    if expect:
        cmd += ["-x", os.path.join(d, "expect")]
    if raw is not None:
        cmd += ["-b", str(raw)]
    cmd += ["--"] + server
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    err = p.stderr.decode("utf-8", "replace")
    if log is not None:
        with open(log, "a") as f:
            f.write(err)
    if p.returncode != 0:
        die("%s %s failed: %s\n%s" % (scen, " ".join(server),
                                      p.stdout.decode(), err[-2000:]))
    wall, rss, _, _, cpu = p.stdout.split()
    return float(wall), int(rss), float(cpu), err


def pop3d_cmd(n):
    return [os.path.join(BIN, "pop3d"), "-m", "Maildir", "-e",
            "-M", str(max(n, 100000))]


def dovecot_cmd():
    return [DOVECOT_POP3, "-c", os.path.join(WORK, "dovecot-stdio.conf")]


def forget(d, who):
    """Makes the next session a first open: no cache, no index."""
    md = os.path.join(d, "Maildir")
    for f in os.listdir(md):
        if (who == "pop3d" and f.startswith("pop3d.sizes")) or \
                (who == "dovecot" and f.startswith("dovecot")):
            os.unlink(os.path.join(md, f))


SHM = "/dev/shm/pop3d-bench-%d" % os.getpid()


def fresh_copy(d, tag, sync):
    base = WORK
    if not sync and os.path.isdir("/dev/shm"):
        base = SHM
        os.makedirs(base, exist_ok=True)
        os.chmod(base, 0o755)
    c = os.path.join(base, "copy-" + tag)
    if os.path.exists(c):
        shutil.rmtree(c)
    subprocess.run(["cp", "-a", d, c], check=True)
    if sync:
        # On disk, as mail is, and not written back while timed.
        os.sync()
    return c


def run_one(name, d, scen, who, n, tot):
    """One measurement: (seconds, RSS KiB, CPU seconds)."""
    log = os.path.join(LOG, "%s-%s-%s.log" % (name, scen, who))
    xargs = ["/usr/bin/xargs", "-d", "\n", "-a", "files"]
    ref = os.path.join(BIN, "ref")
    if who in ("pop3d", "dovecot"):
        server = pop3d_cmd(n) if who == "pop3d" else dovecot_cmd()
        greet = who == "pop3d"
        s = {"first": "stat", "again": "stat", "list": "list",
             "retr": "retr", "top": "top", "dele": "dele",
             "delehot": "dele"}[scen]
        if scen == "first":
            forget(d, who)
        if scen in ("dele", "delehot"):
            c = fresh_copy(d, who, scen == "dele")
            # Open it once, untimed: either server may use what it
            # persisted (a copy has new inodes, so pop3d rebuilds).
            client(c, "stat", server, greet=greet, log=log)
            if scen == "dele":
                os.sync()
            r = client(c, s, server, greet=greet, log=log)
            shutil.rmtree(c)
            return r[:3]
        return client(d, s, server, greet=greet, log=log)[:3]
    if who == "cat":
        return client(d, "raw", xargs + ["cat"], expect=False,
                      raw=tot["raw"])[:3]
    if who == "head":
        return client(d, "raw", xargs + ["head", "-q", "-n", "13"],
                      expect=False, raw=tot["head"])[:3]
    if who == "rm":
        c = fresh_copy(d, "rm", scen == "dele")
        r = client(c, "none", xargs + ["rm", "-f"], expect=False)
        shutil.rmtree(c)
        return r[:3]
    if who in ("readdir", "stat"):
        return client(d, "none", [ref, who, "Maildir/new", "Maildir/cur"],
                      expect=False)[:3]
    if who == "true":
        return client(d, "none", ["/bin/true"], expect=False)[:3]
    die("unknown " + who)


def scenarios():
    only = os.environ.get("BENCH_SCENARIOS")
    return [s for s in SCENARIOS if only is None or s in only.split(",")]


def fmt_ms(s):
    return "%.1f" % (s * 1000) if s < 10 else "%.0f" % (s * 1000)


def bench_sets(names, results):
    for r in range(ROUNDS):
        t0 = time.monotonic()
        for name in names:
            spec = SETS[name]
            d = os.path.join(SRC, name)
            tot = totals(d)
            # Warm the page cache before anything is timed.
            run_one(name, d, "retr", "cat", spec[0], tot)
            for scen in scenarios():
                who = ["pop3d", "dovecot"] + REFS.get(scen, [])
                # Rotate, so no one is always first in a round.
                k = r % len(who)
                got = {}
                for _ in range(REPEAT.get(scen, 1)):
                    for w in who[k:] + who[:k]:
                        got.setdefault(w, []).append(
                            run_one(name, d, scen, w, spec[0], tot))
                for w in who:
                    results.setdefault(name, {}).setdefault(scen, {}) \
                        .setdefault(w, []).append(
                            [med([x[0] for x in got[w]]),
                             max(x[1] for x in got[w]),
                             med([x[2] for x in got[w]])])
        print("bench: round %d/%d done in %.0f s" % (r + 1, ROUNDS,
              time.monotonic() - t0), flush=True)


def ratio_cells(res, scen, ref, k=0):
    """Median and min-max of the per-round ratio pop3d/ref, of the wall
    time (k=0) or of the CPU time (k=2)."""
    a = [x[k] for x in res[scen]["pop3d"]]
    b = [x[k] for x in res[scen][ref]]
    rs = [x / y for x, y in zip(a, b)]
    return "%.2f (%.2f-%.2f)" % (med(rs), min(rs), max(rs))


def report_sets(names, results, out):
    out.append("| set | scenario | pop3d ms | Dovecot ms | pop3d/Dovecot "
               "(min-max) | limit | limit ms | pop3d/limit (min-max) | "
               "RSS pop3d KiB | RSS Dovecot KiB |")
    out.append("|---|---|---:|---:|---:|---|---:|---:|---:|---:|")
    for name in names:
        res = results[name]
        for scen in scenarios():
            p = res[scen]["pop3d"]
            dv = res[scen]["dovecot"]
            refs = REFS.get(scen, [None])[:2]
            for i, ref in enumerate(refs):
                if i == 0:
                    cells = [name, scen, fmt_ms(med([x[0] for x in p])),
                             fmt_ms(med([x[0] for x in dv])),
                             ratio_cells(res, scen, "dovecot")]
                else:
                    cells = ["", "", "", "", ""]
                if ref is None:
                    cells += ["", "", ""]
                else:
                    cells += [ref, fmt_ms(med([x[0] for x in res[scen][ref]])),
                              ratio_cells(res, scen, ref)]
                if i == 0:
                    cells += ["%d" % med([x[1] for x in p]),
                              "%d" % med([x[1] for x in dv])]
                else:
                    cells += ["", ""]
                out.append("| " + " | ".join(cells) + " |")
    out.append("")
    if "again" in results.get(names[0], {}) and \
            "true" in results[names[0]]["again"]:
        out.append("fork+exec of true through the same pipe: %s ms "
                   "(median over all sets and rounds)" % fmt_ms(med(
                       [x[0] for n in names
                        for x in results[n]["again"]["true"]])))
        out.append("")


def report_dele(names, results, out):
    """DELE in CPU time as well as wall time: on a virtual disk the
    wall time of unlinking swings with the journal and discard, the
    CPU time of the process that unlinks much less."""
    dele = [s for s in ("dele", "delehot") if s in scenarios()]
    if not dele:
        return
    out.append("DELE all + QUIT, wall and CPU time (user + system of the "
               "server process from wait4; for rm, xargs and its rm "
               "processes). The CPU time includes the kernel's unlink "
               "work done in the process, not the journal's and "
               "discard's kernel threads:")
    out.append("")
    out.append("| set | scenario | pop3d wall ms | Dovecot wall ms | rm wall "
               "ms | pop3d CPU ms | Dovecot CPU ms | rm CPU ms | "
               "pop3d/Dovecot CPU (min-max) | pop3d/rm CPU (min-max) |")
    out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name in names:
        res = results[name]
        for scen in dele:
            cells = [name, scen]
            for k in (0, 2):
                for w in ("pop3d", "dovecot", "rm"):
                    cells.append(fmt_ms(med([x[k] for x in res[scen][w]])))
            cells += [ratio_cells(res, scen, "dovecot", 2),
                      ratio_cells(res, scen, "rm", 2)]
            out.append("| " + " | ".join(cells) + " |")
    out.append("")


def callgrind(out):
    """Instruction counts: deterministic, unlike the clock.  valgrind
    cannot run a program under a seccomp filter, so pop3d is counted
    in a SANDBOX=0 build (the same code without entering the sandbox,
    as make check-valgrind runs it)."""
    d = os.path.join(SRC, "1k")
    nb = scratch_build("nosandbox", ["SANDBOX=0"])
    if nb is None:
        die("callgrind: the SANDBOX=0 build failed")
    # Count every process the server command runs (pop3d runs one).
    vdir = os.path.join(WORK, "callgrind")
    os.makedirs(vdir, exist_ok=True)
    os.chmod(vdir, 0o777)
    vg = ["/usr/bin/valgrind", "--tool=callgrind", "--trace-children=yes",
          "--callgrind-out-file=/dev/null",
          "--log-file=" + os.path.join(vdir, "cg.%p")]
    rows = []
    for scen, s in (("first", "stat"), ("again", "stat"), ("list", "list"),
                    ("retr", "retr"), ("top", "top")):
        counts = {}
        for who in ("pop3d", "dovecot"):
            if who == "pop3d":
                server = vg + [os.path.join(nb, "pop3d")] + \
                    pop3d_cmd(1000)[1:]
            else:
                server = vg + dovecot_cmd()
            if scen == "first":
                forget(d, who)
            for f in os.listdir(vdir):
                os.unlink(os.path.join(vdir, f))
            client(d, s, server, greet=who == "pop3d")
            m = []
            for f in os.listdir(vdir):
                with open(os.path.join(vdir, f)) as fh:
                    m += re.findall(r"Collected : (\d+)", fh.read())
            if not m:
                die("no callgrind count for %s %s" % (who, scen))
            counts[who] = sum(int(x) for x in m)
        rows.append((scen, counts["pop3d"], counts["dovecot"]))
    out.append("Callgrind, 1k set (instructions executed by the server "
               "command, all its processes; pop3d built with SANDBOX=0):")
    out.append("")
    out.append("| scenario | pop3d | Dovecot | pop3d/Dovecot |")
    out.append("|---|---:|---:|---:|")
    for scen, a, b in rows:
        out.append("| %s | %d | %d | %.3f |" % (scen, a, b, a / b))
    out.append("")
    return rows


def scratch_build(name, args):
    """pop3d and pop3d-checkpw built from a copy of the sources with
    make args, in WORK/name; None if that fails."""
    b = os.path.join(WORK, name)
    if os.path.exists(b):
        shutil.rmtree(b)
    os.makedirs(b)
    for f in os.listdir(TOP):
        if f.endswith((".c", ".h")) or f == "Makefile":
            shutil.copy(os.path.join(TOP, f), b)
    p = subprocess.run(["make", "-s", "pop3d", "pop3d-checkpw"] + args,
                       cwd=b, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    if p.returncode != 0:
        return None
    for f in ("pop3d", "pop3d-checkpw"):
        os.chmod(os.path.join(b, f), 0o755)
    os.chmod(b, 0o755)
    return b


def connrate(out, results):
    """Full logins per second through tcpserver, against Dovecot's own
    listener and against a trivial responder under the same tcpserver."""
    if not ROOT:
        out.append("Connection rate: skipped (needs root to switch users).")
        return
    if shutil.which("tcpserver") is None or shutil.which("dovecot") is None:
        out.append("Connection rate: skipped (tcpserver or dovecot missing).")
        return
    c = os.path.join(WORK, "conn")
    if os.path.exists(c):
        shutil.rmtree(c)
    os.makedirs(c)
    os.chmod(c, 0o755)
    par = 4
    salt = "$6$rounds=1000$benchsalt"
    h = subprocess.run([os.path.join(BIN, "ref"), "crypt", "secret", salt],
                       check=True, capture_output=True, text=True).stdout
    h = h.strip()
    passwd = os.path.join(c, "passwd")
    one = os.path.join(SRC, "1k")
    with open(passwd, "w") as f:
        for i in range(par):
            home = os.path.join(c, "home%d" % i)
            md = os.path.join(home, "Maildir")
            for sub in ("new", "cur", "tmp"):
                os.makedirs(os.path.join(md, sub))
            files = sorted(os.listdir(os.path.join(one, "Maildir", "cur")))
            for fn in files[:10]:
                shutil.copy2(os.path.join(one, "Maildir", "cur", fn),
                             os.path.join(md, "cur", fn))
            f.write("bench%d:{SHA512-CRYPT}%s:%d:%d::%s::\n"
                    % (i, h, UID, GID, home))
    os.chmod(passwd, 0o644)
    chown_tree(os.path.join(c))
    os.chown(passwd, 0, 0)
    sb = scratch_build("static",
                       ["LDHARDEN=-static-pie -Wl,-z,relro -Wl,-z,now"])
    dport, p1, p2, p3 = free_port(), free_port(), free_port(), free_port()
    conf = os.path.join(c, "dovecot.conf")
    dovecot_conf(conf, c, passwd, dport, "pop3d-bench")
    procs = []

    def tcpserver(port, argv):
        p = subprocess.Popen(["tcpserver", "-R", "-H", "-l", "0", "-c",
                              "100", "127.0.0.1", str(port)] + argv,
                             stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL,
                             stderr=open(os.path.join(c, "tcpserver.log"),
                                         "ab"),
                             start_new_session=True)
        procs.append(p)
        return p

    pb = BIN
    servers = {"pop3d": p1, "trivial": p3}
    # The reader's root and account (numbers: a static binary has no
    # NSS), the same for both builds.
    empty = os.path.join(c, "empty")
    os.mkdir(empty, 0o755)
    fe = ["-r", empty, "-u", "%d:%d" % (UID, GID), "-p", "any", "-d", "0"]
    tcpserver(p1, [os.path.join(pb, "pop3d")] + fe + [
                   os.path.join(pb, "pop3d-checkpw"), "-f", passwd,
                   os.path.join(pb, "pop3d"), "-m", "Maildir"])
    tcpserver(p3, [os.path.join(pb, "trivial")])
    if sb is not None:
        servers["pop3d static"] = p2
        tcpserver(p2, [os.path.join(sb, "pop3d")] + fe + [
                       os.path.join(sb, "pop3d-checkpw"), "-f", passwd,
                       os.path.join(sb, "pop3d"), "-m", "Maildir"])
    subprocess.run(["dovecot", "-c", conf], check=True)
    servers["dovecot"] = dport
    try:
        for port in servers.values():
            if not wait_port(port):
                die("connection rate: port %d does not answer" % port)
        rates = {}
        for r in range(ROUNDS):
            names = list(servers)
            k = r % len(names)
            for name in names[k:] + names[:k]:
                n = 300 if name == "dovecot" else 1000
                args = [os.path.join(BIN, "client"), "-c",
                        str(servers[name]), "-n", str(n), "-p", str(par)]
                if name == "trivial":
                    args.append("-T")
                p = subprocess.run(args + ["bench", "secret"],
                                   capture_output=True, text=True)
                if p.returncode != 0:
                    die("connection rate %s: %s" % (name, p.stderr))
                rates.setdefault(name, []).append(float(p.stdout.split()[1]))
    finally:
        subprocess.run(["doveadm", "-c", conf, "stop"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for p in procs:
            os.killpg(p.pid, signal.SIGTERM)
            p.wait()
    results["connrate"] = rates
    out.append("Connection rate: full logins (greeting, USER, PASS, STAT, "
               "QUIT) per second, %d at a time, 127.0.0.1, SHA512-CRYPT "
               "(1000 rounds) for both:" % par)
    out.append("")
    out.append("| server | sessions/s | vs Dovecot (min-max) | "
               "vs trivial floor (min-max) |")
    out.append("|---|---:|---:|---:|")
    for name in servers:
        xs = rates[name]

        def rr(other):
            rs = [a / b for a, b in zip(xs, rates[other])]
            return "%.2f (%.2f-%.2f)" % (med(rs), min(rs), max(rs))
        out.append("| %s | %.0f | %s | %s |" % (name, med(xs), rr("dovecot"),
                                               rr("trivial")))
    out.append("")


def scale(out, results):
    """A 1,000,000-message Maildir: opens and lists within the RSS bound."""
    n = 1000000
    d = generate("1m", (n, 1024, 1536, ""))
    tot = totals(d)
    # Warm the page cache, as for the other sets.
    client(d, "raw", ["/usr/bin/xargs", "-d", "\n", "-a", "files", "cat"],
           expect=False, raw=tot["raw"])
    rows = []
    for scen, s in (("first", "stat"), ("again", "stat"), ("list", "list")):
        if scen == "first":
            forget(d, "pop3d")
        wall, rss, _, _ = client(d, s, pop3d_cmd(n), greet=True)
        rows.append((scen, wall, rss))
    rd, _, _, _ = client(d, "none", [os.path.join(BIN, "ref"), "readdir",
                                  "Maildir/new", "Maildir/cur"], expect=False)
    results["scale"] = {"rows": rows, "readdir": rd, "count": tot["count"]}
    bound = (150 * n + 2 * 1024 * 1024) / 1024
    out.append("Scale: %d messages, pop3d -m Maildir -M %d (one run; "
               "bound 150 bytes/message + 2 MiB = %d KiB; bare readdir "
               "%s ms):" % (n, n, bound, fmt_ms(rd)))
    out.append("")
    out.append("| scenario | ms | peak RSS KiB | bytes/message |")
    out.append("|---|---:|---:|---:|")
    for scen, wall, rss in rows:
        out.append("| %s | %s | %d | %.0f |" % (scen, fmt_ms(wall), rss,
                                               rss * 1024.0 / n))
    out.append("")


def main():
    t0 = time.monotonic()
    names = [x for x in os.environ.get("BENCH_SETS", DEFAULT_SETS)
             .split(",") if x]
    for name in names:
        if name not in SETS:
            die("unknown set " + name)
    try:
        setup()
        for name in names:
            generate(name, SETS[name])
    except BaseException:
        if not KEEP:
            shutil.rmtree(WORK, ignore_errors=True)
        raise
    try:
        report(names, t0)
    finally:
        shutil.rmtree(SHM, ignore_errors=True)
        if not KEEP:
            shutil.rmtree(WORK, ignore_errors=True)


def report(names, t0):
    results = {}
    out = []
    out.append("pop3d benchmark: %d rounds, %s, %s" % (
        ROUNDS, time.strftime("%Y-%m-%d"), os.uname().release))
    out.append("")
    if names:
        bench_sets(names, results)
        report_sets(names, results, out)
        report_dele(names, results, out)
    if os.environ.get("BENCH_CALLGRIND", "1") != "0" and "1k" in names:
        results["callgrind"] = callgrind(out)
    if os.environ.get("BENCH_CONN", "1") != "0":
        connrate(out, results)
    if os.environ.get("BENCH_DEPLOY", "1") != "0":
        deploy.run(out, results, ROUNDS)
    if os.environ.get("BENCH_SCALE", "0") != "0":
        scale(out, results)
    out.append("make bench took %.0f s" % (time.monotonic() - t0))
    text = "\n".join(out) + "\n"
    if KEEP:
        with open(os.path.join(WORK, "results.md"), "w") as f:
            f.write(text)
        with open(os.path.join(WORK, "results.json"), "w") as f:
            json.dump(results, f, indent=1)
    if os.environ.get("BENCH_JSON"):
        with open(os.environ["BENCH_JSON"], "w") as f:
            json.dump(results, f, indent=1)
    print(text)


if __name__ == "__main__":
    main()
