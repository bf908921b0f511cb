# SPDX-License-Identifier: ISC
"""The deployment files themselves:

  units     systemd-analyze verify passes on pop3d.socket/pop3d@.service
            and pop3s.socket/pop3s@.service (installed by make install
            into a scratch DESTDIR, with their man pages); the keys the
            chain depends on are there; every directive of [Socket] and
            [Service] has a comment saying why
  man       pop3d.8 and pop3d-checkpw.8 are clean under mandoc -T lint
            and man --warnings; every option of pop3d is documented
  install   make install puts programs and man pages where
            doc/deployment.md says, with the right modes
  recipes   the README's pages (doc/) and pop3d.8 show the very commands
            the shipped files run (and the other tests run)"""
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itlib  # noqa: E402
import it_jail  # noqa: E402

PREFIX = "/usr/local"
UNITS = os.path.join(itlib.TOP, "systemd")


def read(*path):
    with open(os.path.join(itlib.TOP, *path)) as f:
        return f.read()


def make_env():
    return {k: v for k, v in os.environ.items()
            if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}


def sections(path):
    """{section: [(key, value, commented)]} of a unit file; commented
    is true if a comment line comes right before the key."""
    out = {}
    cur = None
    prev_comment = False
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("["):
                cur = out.setdefault(line.strip("[]"), [])
                prev_comment = False
            elif line.startswith("#"):
                prev_comment = True
            elif "=" in line and cur is not None:
                k, v = line.split("=", 1)
                cur.append((k, v, prev_comment))
                prev_comment = False
            else:
                prev_comment = False
    return out


def keys(path):
    return {k: v for sec in sections(path).values() for k, v, _ in sec}


def case_units(r, dest):
    for pair in (("pop3d.socket", "pop3d@.service"),
                 ("pop3s.socket", "pop3s@.service")):
        name = "units:verify-" + pair[0].split(".")[0]
        exec_start = shlex.split(keys(os.path.join(UNITS, pair[1]))
                                 ["ExecStart"])[0]
        if not exec_start.startswith(PREFIX) and \
                not os.access(exec_start, os.X_OK):
            r.skip(name, "missing " + exec_start)
            continue
        d = tempfile.mkdtemp(prefix="pop3d-units.")
        try:
            for u in pair:
                # The programs as installed under DESTDIR.
                text = read("systemd", u).replace(PREFIX + "/",
                                                  dest + PREFIX + "/")
                with open(os.path.join(d, u), "w") as f:
                    f.write(text)
            env = dict(os.environ)
            env["MANPATH"] = "%s%s/share/man:" % (dest, PREFIX)
            out = subprocess.run(["systemd-analyze", "verify", *pair],
                                 cwd=d, env=env, capture_output=True,
                                 text=True, timeout=60,
                                 stdin=subprocess.DEVNULL)
            r.ok(name, out.returncode == 0 and out.stderr.strip() == "",
                 out.stderr)
        finally:
            shutil.rmtree(d, ignore_errors=True)

    sock = keys(os.path.join(UNITS, "pop3d.socket"))
    svc = keys(os.path.join(UNITS, "pop3d@.service"))
    r.ok("units:pop3d-socket-keys", (sock.get("ListenStream"),
         sock.get("Accept")) == ("110", "yes"), sock)
    r.ok("units:pop3s-socket-keys",
         keys(os.path.join(UNITS, "pop3s.socket")).get("ListenStream") ==
         "995")
    for u in ("pop3d@.service", "pop3s@.service"):
        k = keys(os.path.join(UNITS, u))
        caps = k.get("CapabilityBoundingSet", "").split()
        rw = k.get("ReadWritePaths", "").split()
        good = (k.get("StandardInput") == "socket" and
                k.get("StandardOutput") == "socket" and
                k.get("StandardError") == "journal" and
                "User" not in k and "DynamicUser" not in k and
                "PrivateUsers" not in k and
                k.get("ProtectHome", "no") == "no" and
                "-/home" in rw and
                {"CAP_SETUID", "CAP_SETGID"} <= set(caps))
        r.ok("units:%s-keeps-the-chain-working" % u.split("@")[0], good, k)
    bare = []
    for u in sorted(os.listdir(UNITS)):
        if not u.endswith((".socket", ".service")):
            continue
        for sec, items in sections(os.path.join(UNITS, u)).items():
            if sec in ("Socket", "Service"):
                bare += ["%s %s" % (u, k) for k, _, c in items if not c]
    r.ok("units:every-directive-commented", bare == [], bare)
    r.ok("units:pop3s-runs-stunnel-conf",
         "/etc/pop3d/pop3s-stunnel.conf" in
         keys(os.path.join(UNITS, "pop3s@.service"))["ExecStart"] and
         "exec = %s/sbin/pop3d" % PREFIX in read("systemd",
                                                "pop3s-stunnel.conf"))


def case_man(r):
    pages = [os.path.join(itlib.TOP, p) for p in ("pop3d.8",
                                                 "pop3d-checkpw.8",
                                                 "pop3d-passwd.8")]
    if itlib.have("mandoc"):
        r.skip("man:mandoc-lint", "missing mandoc")
    else:
        # -W warning: style hints about manuals this host lacks aside.
        out = subprocess.run(["mandoc", "-T", "lint", "-W", "warning",
                              *pages], capture_output=True, text=True,
                             timeout=60, stdin=subprocess.DEVNULL)
        msgs = (out.stdout + out.stderr).strip()
        r.ok("man:mandoc-lint", out.returncode == 0 and msgs == "", msgs)
    if itlib.have("man"):
        r.skip("man:man-warnings", "missing man")
    else:
        msgs = ""
        env = dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8")
        for p in pages:
            out = subprocess.run(["man", "--warnings", "-E", "UTF-8", "-l",
                                  p], env=env, capture_output=True,
                                 text=True, timeout=60,
                                 stdin=subprocess.DEVNULL)
            if out.returncode != 0 or out.stderr.strip():
                msgs += "%s: %s\n" % (p, out.stderr)
        r.ok("man:man-warnings", msgs == "", msgs)

    # Every letter pop3d.c's getopt takes has an entry in pop3d.8.
    opts = re.search(r'getopt\(argc, argv,\s*"\+?([^"]*)"', read("pop3d.c"))
    letters = re.sub(r"[:+]", "", opts.group(1)) if opts else ""
    page = read("pop3d.8")
    undocumented = [c for c in letters
                    if not re.search(r"^\.It Fl %s\b" % c, page, re.M)]
    r.ok("man:every-option-documented", letters != "" and
         undocumented == [], undocumented)


def case_install(r, dest, out):
    if not r.ok("install:make-install", out.returncode == 0, out.stderr):
        return
    want = {"sbin/pop3d": 0o755, "libexec/pop3d-checkpw": 0o755,
            "share/man/man8/pop3d.8": 0o644,
            "share/man/man8/pop3d-checkpw.8": 0o644,
            "sbin/pop3d-passwd": 0o755,
            "share/man/man8/pop3d-passwd.8": 0o644}
    got = {}
    for f in want:
        p = dest + PREFIX + "/" + f
        got[f] = os.stat(p).st_mode & 0o7777 if os.path.exists(p) else None
    r.ok("install:files-and-modes", got == want, got)
    # The reader's chroot directory (pop3d -r): there, 0755, empty.
    empty = dest + itlib.EMPTYDIR
    st = os.stat(empty) if os.path.isdir(empty) else None
    r.ok("install:emptydir", st is not None and
         st.st_mode & 0o7777 == 0o755 and os.listdir(empty) == [] and
         (not itlib.ROOT or st.st_uid == 0), empty)


def flat(text):
    """Text with line continuations joined and white space collapsed,
    for finding a command however a document wraps it."""
    text = text.replace("\\e\n", " ").replace("\\\n", " ")
    return " ".join(text.split())


def case_recipes(r):
    readme = flat(itlib.docs_text())
    man = flat(read("pop3d.8"))
    cmds = {}
    line = [l for l in read("inetd.conf.example").splitlines()
            if l.startswith("#pop3")][0]
    cmds["inetd"] = " ".join(line[1:].split())
    xinetd = dict(re.findall(r"^\s*(\w+)\s*=\s*(.*?)\s*$",
                             read("xinetd.conf.example"), re.M))
    cmds["xinetd"] = xinetd["server_args"]
    cmds["systemd"] = keys(os.path.join(UNITS, "pop3d@.service"))[
        "ExecStart"]
    conf = dict(re.findall(r"^(\w+) = (.*)$", read("systemd",
                                                    "pop3s-stunnel.conf"),
                           re.M))
    cmds["pop3s"] = conf["exec"] + " " + conf["execArgs"].split(" ", 1)[1]
    run = read("service", "pop3d", "run")
    var = dict(re.findall(r"^(\w+)=(\S+)$", run, re.M))
    tcp = flat(run[run.index("exec tcpserver"):]).replace("exec ", "", 1)
    for k, v in var.items():
        tcp = tcp.replace('"$%s"' % k, v)
    cmds["tcpserver"] = tcp
    cmds["jail"] = " ".join(it_jail.RECIPE)
    for what, cmd in sorted(cmds.items()):
        r.ok("recipes-documented:" + what, flat(cmd) in readme and
             flat(cmd) in man, cmd)


def main():
    r = itlib.Results()
    if itlib.have("make"):
        r.skip("deploy-files", "missing make")
        return 0
    dest = tempfile.mkdtemp(prefix="pop3d-destdir.")
    try:
        out = subprocess.run(["make", "install", "DESTDIR=" + dest,
                              "PREFIX=" + PREFIX], cwd=itlib.TOP,
                             env=make_env(), capture_output=True, text=True,
                             timeout=300, stdin=subprocess.DEVNULL)
        case_install(r, dest, out)
        if itlib.have("systemd-analyze"):
            r.skip("units", "missing systemd-analyze")
        else:
            case_units(r, dest)
        case_man(r)
        case_recipes(r)
    except Exception as e:
        r.ok("deploy-files:unexpected-error", False, repr(e))
    finally:
        shutil.rmtree(dest, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
