#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""tests/it_clone.py: make check passes wherever the tree is cloned.

Clones the committed tree (git clone of HEAD) into a directory of mode
0700 whose path holds a space, as a checkout in /root or in a home
others may not enter is, builds there only what the suites below need,
and runs them from that clone:

  clone:private     as root: the mail user cannot reach the clone, so
                    the suites below meet what they would in /root
  clone:build       make of pop3d, pop3d-checkpw and the test helpers
  clone:SUITE       the suites that run programs as other users (the
                    mail user, the reader, nobody): every file those
                    must reach lives in a scratch directory
                    (itlib.scratch_dir()), never under the checkout

Skipped where the tree is not a git checkout (a release tarball, a
package build).
"""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itlib  # noqa: E402

# What runs as another user, and what it must reach.
SUITES = [
    ["python3", "tests/it_backend.py"],
    ["python3", "tests/it_faults_update.py"],
    ["python3", "tests/it_passwd.py"],
    ["sh", "tests/it-checkpw.sh"],
    ["sh", "tests/run-transcripts.sh", "tests/t/retr.t", "tests/t/dele.t",
     "tests/t/pipelining.t", "tests/t/login-delay.t", "tests/t/in-use.t"],
]
BUILD = ["pop3d", "pop3d-checkpw", "pop3d-passwd", "tests/tmatch",
         "tests/faultshim.so"]


def git(*args, **kw):
    # The tree may belong to another user than the one running the
    # tests: git's ownership check is not what is tested here.
    return subprocess.run(["git", "-c", "safe.directory=*", *args],
                          capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL, **kw)


def env():
    e = dict(os.environ)
    # A make of our own, not a child of the make check that runs us.
    for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL"):
        e.pop(k, None)
    return e


def reachable_by_mail_user(path):
    p = subprocess.run(itlib.AS_USER + ["test", "-r", path],
                       stdin=subprocess.DEVNULL, timeout=30)
    return p.returncode == 0


def main():
    r = itlib.Results()
    if itlib.have("git"):
        r.skip("clone", "git is not installed")
        return 0
    if git("-C", itlib.TOP, "rev-parse", "HEAD").returncode != 0:
        r.skip("clone", "the tree is not a git checkout")
        return 0
    # mkdtemp makes it 0700, owned by us: as private as /root.
    base = tempfile.mkdtemp(prefix="pop3d-clone.")
    try:
        parent = os.path.join(base, "a home with spaces")
        os.mkdir(parent)
        os.chmod(parent, 0o700)
        top = os.path.join(parent, "pop3d")
        out = git("clone", "--quiet", "--no-hardlinks", itlib.TOP, top)
        if not r.ok("clone:git-clone", out.returncode == 0, out.stderr):
            return 1
        if itlib.ROOT:
            r.ok("clone:private",
                 not reachable_by_mail_user(os.path.join(top, "Makefile")))
        else:
            r.skip("clone:private", "not root: every test runs as us")
        out = subprocess.run(["make", "-j2", *BUILD], cwd=top, env=env(),
                             capture_output=True, text=True, timeout=300,
                             stdin=subprocess.DEVNULL)
        if not r.ok("clone:build", out.returncode == 0,
                    out.stdout[-2000:] + out.stderr[-2000:]):
            return 1
        for argv in SUITES:
            name = "clone:" + os.path.basename(argv[1])
            try:
                p = subprocess.run(argv, cwd=top, env=env(),
                                   capture_output=True, text=True,
                                   timeout=300, stdin=subprocess.DEVNULL)
            except subprocess.TimeoutExpired:
                r.ok(name, False, "no end within 300 seconds")
                continue
            lines = p.stdout.splitlines()
            fails = [l for l in lines if l.startswith("FAIL ")]
            oks = [l for l in lines if l.startswith("ok ")]
            r.ok(name, p.returncode == 0 and not fails and oks,
                 "exit %d, %d ok: %s\n%s" % (p.returncode, len(oks),
                                             " / ".join(fails),
                                             p.stderr[-3000:]))
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return 1 if r.failed else 0


if __name__ == "__main__":
    sys.exit(main())
