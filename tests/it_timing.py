#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""pop3d-checkpw's timing does not tell users apart: an unknown user, a
refused one and every known user, whatever the kind of their secret
(yescrypt, sha512-crypt, {PLAIN}), do the same crypt(3) work.

The work is counted, not timed: tests/cryptshim.so (LD_PRELOAD) records
the setting of every crypt_rn(3) call, and each case's list of cost
classes (the setting without salt and result) must be the same.  A
passwd-file of {PLAIN} secrets alone runs no crypt(3) at all, and a
system account whose hash is cheaper than the dummy runs the dummy too.
Wall times are measured as well, many times, and their medians printed
("# timing ..." lines), never asserted: this machine is shared.

POP3D_CHECKPW_BIN runs another build of pop3d-checkpw (to measure an
older one); POP3D_TIMING_REPS sets the repetitions (default 11)."""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itlib  # noqa: E402

CHECKPW = os.environ.get("POP3D_CHECKPW_BIN",
                         os.path.join(itlib.TOP, "pop3d-checkpw"))
PASSWD = os.path.join(itlib.TOP, "pop3d-passwd")
SHIM_SRC = os.path.join(itlib.TOP, "tests", "cryptshim.c")
REPS = int(os.environ.get("POP3D_TIMING_REPS", "11"))
GOOD = b"right pw"
BAD = b"wrong pw"


def cost_class(setting):
    """A crypt(3) setting without its salt and result: "$y$j9T$",
    "$6$", "$6$rounds=N$", "$2b$NN$"."""
    if setting.startswith("$2") and setting[3:4] == "$":
        return setting[:7]
    fields = setting.split("$")
    return "$".join(fields[:-2]) + "$" if len(fields) > 3 else setting


def add(f, user, method, pw, home):
    """One entry made by pop3d-passwd (its default cost per method)."""
    argv = [PASSWD, "-f", f, "add", "-s", "-u", str(itlib.MAILUID),
            "-g", str(itlib.MAILGID), "-d", home]
    if method:
        argv += ["-c", method]
    p = subprocess.run(argv + [user], input=pw + b"\n",
                       capture_output=True, timeout=60)
    if p.returncode != 0:
        raise RuntimeError("pop3d-passwd add %s: %r" % (user, p.stderr))


def checkpw(args, user, pw, env):
    """Runs pop3d-checkpw ARGS /bin/true with user\0pw\0\0 on fd 3;
    returns (exit status, wall seconds, CPU seconds of the process)."""
    r, w = os.pipe()
    os.write(w, user + b"\0" + pw + b"\0\0")
    os.close(w)
    t0 = time.perf_counter()
    p = subprocess.Popen([CHECKPW, "-e"] + args + ["/bin/true"],
                         pass_fds=(3,) if r == 3 else (),
                         preexec_fn=(lambda: os.dup2(r, 3)) if r != 3
                         else None, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, env=env)
    os.close(r)
    try:
        _, status, ru = os.wait4(p.pid, 0)
    finally:
        p.returncode = 0    # reaped above; keeps Popen from waiting
    t = time.perf_counter() - t0
    st = os.waitstatus_to_exitcode(status)
    return st, t, ru.ru_utime + ru.ru_stime


def work(args, user, pw, shim, d):
    """The cost classes of the crypt(3) calls of one attempt, in order,
    and its exit status."""
    log = os.path.join(d, "crypt.log")
    if os.path.exists(log):
        os.unlink(log)
    env = {"PATH": "/usr/bin:/bin", "LD_PRELOAD": shim,
           "POP3D_CRYPTLOG": log}
    for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS"):
        if k in os.environ:
            env[k] = os.environ[k]
    # The sanitizer run-time wants to be first; the shim is tiny.
    env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") +
                           ":verify_asan_link_order=0").lstrip(":")
    st, _, _ = checkpw(args, user, pw, env)
    calls = []
    if os.path.exists(log):
        with open(log) as fh:
            calls = [cost_class(s) for s in fh.read().splitlines()]
    return st, sorted(calls)


def medians(args, cases):
    """Median, min and max wall time and median CPU time in ms of each
    case (label, user, password), run REPS times in turn, so that a
    change of load on the machine falls on every case alike."""
    wall = {label: [] for label, _, _ in cases}
    cpu = {label: [] for label, _, _ in cases}
    for _ in range(REPS):
        for label, user, pw in cases:
            _, t, c = checkpw(args, user, pw, {"PATH": "/usr/bin:/bin"})
            wall[label].append(1000 * t)
            cpu[label].append(1000 * c)
    return {k: (statistics.median(v), min(v), max(v),
                statistics.median(cpu[k])) for k, v in wall.items()}


def report(name, m):
    for label, (med, lo, hi, cpu) in m.items():
        print("# timing %s %s: wall median %.1f ms (min %.1f, max %.1f), "
              "CPU median %.1f ms, %d runs" % (name, label, med, lo, hi,
                                              cpu, REPS), flush=True)


def same_work(r, name, args, cases, shim, d, want):
    """Every case (label, user, password, status) runs the crypt(3)
    classes want (sorted), and exits with its status."""
    got = {}
    for label, user, pw, status in cases:
        st, calls = work(args, user, pw, shim, d)
        got[label] = (st, calls)
        if st != status:
            got[label] = ("status %d, want %d" % (st, status), calls)
    bad = {k: v for k, v in got.items()
           if v[1] != want or isinstance(v[0], str)}
    r.ok(name, not bad, "want %r; got %r" % (want, got))
    report(name, medians(args, [c[:3] for c in cases]))


def build_shim(d):
    so = os.path.join(d, "cryptshim.so")
    cc = os.environ.get("CC", "cc")
    p = subprocess.run([cc, "-O1", "-shared", "-fPIC", "-o", so, SHIM_SRC,
                        "-ldl"], capture_output=True, timeout=120)
    return so if p.returncode == 0 else None


def main():
    r = itlib.Results()
    if not (os.access(CHECKPW, os.X_OK) and os.access(PASSWD, os.X_OK)):
        r.skip("timing", "pop3d-checkpw or pop3d-passwd is not built")
        return 0
    d = tempfile.mkdtemp(prefix="pop3d-timing.")
    try:
        os.chmod(d, 0o755)
        shim = build_shim(d)
        if shim is None:
            r.ok("timing:shim-builds", False, "cc failed on cryptshim.c")
            return 1
        run(r, d, shim)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    return 1 if r.failed else 0


def run(r, d, shim):
    home = d
    yes = "$y$j9T$"     # pop3d-passwd's default, as the built-in dummy
    sha = "$6$"         # sha512-crypt at its default 5000 rounds

    # A mixed file: every attempt pays one yescrypt, one sha512-crypt,
    # one bcrypt of cost 4 and one md5-crypt.
    mixed = os.path.join(d, "mixed")
    add(mixed, "yes", None, GOOD, home)
    add(mixed, "sha", "sha512", GOOD, home)
    add(mixed, "plain", "plain", GOOD, home)
    p = subprocess.run([PASSWD, "-f", mixed, "add", "-s", "-u",
                        str(itlib.MAILUID), "-g", str(itlib.MAILGID), "-d",
                        home, "-c", "bcrypt", "-r", "4", "bcrypt"],
                       input=GOOD + b"\n", capture_output=True, timeout=60)
    if p.returncode != 0:
        raise RuntimeError("pop3d-passwd add bcrypt: %r" % p.stderr)
    # md5-crypt, which pop3d-passwd does not make, from openssl.
    md5 = subprocess.run(["openssl", "passwd", "-1", "-stdin"],
                         input=GOOD + b"\n", capture_output=True,
                         timeout=60).stdout.decode().strip() \
        if shutil.which("openssl") else ""
    kinds = [yes, sha, "$2b$04$"]
    extra = []
    if md5.startswith("$1$"):
        with open(mixed, "a") as fh:
            fh.write("md5:{MD5-CRYPT}%s:%d:%d::%s::\n" % (
                md5, itlib.MAILUID, itlib.MAILGID, home))
        kinds.append("$1$")
        extra = [("md5-wrong", b"md5", BAD, 1), ("md5-right", b"md5", GOOD, 0)]
    else:
        r.skip("timing:md5-crypt", "no openssl to make an md5-crypt hash")
    # Refused whatever the password (nologin shell), and locked: the
    # same work too.
    with open(mixed) as fh:
        sha_secret = [ln.split(":")[1] for ln in fh
                      if ln.startswith("sha:")][0]
    with open(mixed, "a") as fh:
        fh.write("nologin:%s:%d:%d::%s:/usr/sbin/nologin\n"
                 "locked:{CRYPT}!%s:%d:%d::%s::\n" % (
                     sha_secret, itlib.MAILUID, itlib.MAILGID, home,
                     sha_secret[len("{SHA512-CRYPT}"):], itlib.MAILUID,
                     itlib.MAILGID, home))
    same_work(r, "timing:mixed-file-same-work", ["-f", mixed], [
        ("unknown", b"nobody", BAD, 1),
        ("refused-right", b"nologin", GOOD, 1),
        ("locked", b"locked", GOOD, 1),
        ("yescrypt-wrong", b"yes", BAD, 1),
        ("sha512-wrong", b"sha", BAD, 1),
        ("sha512-right", b"sha", GOOD, 0),
        ("bcrypt-wrong", b"bcrypt", BAD, 1),
        ("plain-wrong", b"plain", BAD, 1),
        ("plain-right", b"plain", GOOD, 0),
    ] + extra, shim, d, sorted(kinds))

    # yescrypt and {PLAIN} (the common case): one yescrypt each, as before.
    yp = os.path.join(d, "yes-plain")
    add(yp, "yes", None, GOOD, home)
    add(yp, "plain", "plain", GOOD, home)
    same_work(r, "timing:yescrypt-plain-file-same-work", ["-f", yp], [
        ("unknown", b"nobody", BAD, 1),
        ("yescrypt-wrong", b"yes", BAD, 1),
        ("plain-wrong", b"plain", BAD, 1),
    ], shim, d, [yes])

    # {PLAIN} alone: no hash to imitate, so no crypt(3) for anyone.
    plain = os.path.join(d, "plain")
    add(plain, "plain", "plain", GOOD, home)
    add(plain, "plain2", "plain", b"other", home)
    same_work(r, "timing:plain-file-no-crypt", ["-f", plain], [
        ("unknown", b"nobody", BAD, 1),
        ("plain-wrong", b"plain", BAD, 1),
        ("plain-right", b"plain", GOOD, 0),
    ], shim, d, [])

    too_many(r, d, shim)
    system_accounts(r, d, shim, yes, sha)


def too_many(r, d, shim):
    """More kinds of hash than pop3d-checkpw pays for on every attempt
    (8): users of the ninth pay theirs on top, and the log says so."""
    f = os.path.join(d, "many")
    for i in range(9):
        p = subprocess.run(
            [PASSWD, "-f", f, "add", "-s", "-u", str(itlib.MAILUID), "-g",
             str(itlib.MAILGID), "-d", d, "-c", "sha512", "-r",
             str(1000 + i), "u%d" % i], input=GOOD + b"\n",
            capture_output=True, timeout=60)
        if p.returncode != 0:
            r.ok("timing:more-kinds-than-paid-for", False, p.stderr)
            return
    eight = sorted("$6$rounds=%d$" % (1000 + i) for i in range(8))
    st1, unknown = work(["-f", f], b"nobody", BAD, shim, d)
    st2, first = work(["-f", f], b"u0", BAD, shim, d)
    st3, ninth = work(["-f", f], b"u8", BAD, shim, d)
    r2, w2 = os.pipe()
    os.write(w2, b"nobody\0x\0\0")
    os.close(w2)
    p = subprocess.run([CHECKPW, "-e", "-f", f, "/bin/true"],
                       pass_fds=(3,) if r2 == 3 else (),
                       preexec_fn=(lambda: os.dup2(r2, 3)) if r2 != 3
                       else None, capture_output=True, timeout=60)
    os.close(r2)
    r.ok("timing:more-kinds-than-paid-for",
         (st1, st2, st3) == (1, 1, 1) and unknown == eight and
         first == eight and
         ninth == sorted(eight + ["$6$rounds=1008$"]) and
         b"more than 8 kinds of hash" in p.stderr,
         "unknown %r, u0 %r, u8 %r, log %r" % (unknown, first, ninth,
                                                p.stderr))


def system_accounts(r, d, shim, yes, sha):
    """A throwaway system account with a sha512-crypt hash pays the
    dummy yescrypt on top: at least what an unknown user pays."""
    name = "pop3dtim%d" % os.getpid()
    if not itlib.ROOT or not shutil.which("useradd") or \
            not shutil.which("chpasswd"):
        r.skip("timing:system-cheap-hash-pays-dummy",
               "needs root, useradd and chpasswd")
        return
    p = subprocess.run(["useradd", "-M", "-d", d, "-s", "/bin/sh", name],
                       capture_output=True, timeout=60)
    if p.returncode != 0:
        r.skip("timing:system-cheap-hash-pays-dummy",
               "useradd failed: %r" % p.stderr)
        return
    try:
        p = subprocess.run(["chpasswd", "-c", "SHA512"],
                           input=b"%s:%s\n" % (name.encode(), GOOD),
                           capture_output=True, timeout=60)
        if p.returncode != 0:
            r.skip("timing:system-cheap-hash-pays-dummy",
                   "chpasswd -c SHA512 failed: %r" % p.stderr)
            return
        st1, unknown = work([], b"pop3dnosuch", BAD, shim, d)
        st2, known = work([], name.encode(), BAD, shim, d)
        r.ok("timing:system-cheap-hash-pays-dummy",
             st1 == 1 and st2 == 1 and unknown == [yes] and
             known == sorted([yes, sha]),
             "unknown %d %r, sha512 user %d %r" % (st1, unknown, st2, known))
        report("timing:system", medians([], [
            ("unknown", b"pop3dnosuch", BAD),
            ("sha512-wrong", name.encode(), BAD)]))
    finally:
        subprocess.run(["userdel", name], capture_output=True, timeout=60)


if __name__ == "__main__":
    sys.exit(main())
