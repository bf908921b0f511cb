# SPDX-License-Identifier: ISC
"""The chroot jail of README and pop3d(8): make static, then a jail
with nothing but the two static binaries, a passwd-file, /dev/null,
/dev/log, the reader's empty directory and the Maildir (no shell, no
libraries, no /proc, no account database: the reader's account is
given as numbers).  The
superserver runs chroot(8) as the recipe says, with fd 2 the
connection as under inetd, so every log line goes through syslog(3)
to /dev/log in the jail, where this test listens as a syslog daemon
would and writes the lines as rsyslog writes /var/log/mail.log.
Through it: a failed login, then a login that fetches every message
byte for byte and deletes them all; then fail2ban's courier-auth
filter reads that mail.log.  Needs root (chroot, mknod)."""
import os
import poplib
import re
import shutil
import socket
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itlib  # noqa: E402

LOG_MAIL = 2
# The superserver's command of README and pop3d(8), for a jail in
# /var/pop3d.
RECIPE = ["chroot", "/var/pop3d", "/bin/pop3d", "-u", "65534:65534", "-r",
          "/empty", "-p", "loopback",
          "/bin/pop3d-checkpw", "-f", "/etc/pop3d.passwd", "/bin/pop3d",
          "-m", "Maildir"]


class Syslogd:
    """Receives syslog(3) datagrams on path and appends them to
    self.file as rsyslog's traditional format does:
    "Mmm dd hh:mm:ss HOST TAG[PID]: MESSAGE".  self.facilities
    collects the facility of every line."""

    def __init__(self, path, file):
        self.file = file
        self.facilities = []
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        os.chmod(path, 0o666)
        self.sock.settimeout(0.2)
        self.stopping = False
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        host = socket.gethostname().split(".")[0] or "localhost"
        with open(self.file, "a") as out:
            while not self.stopping:
                try:
                    data = self.sock.recv(4096).decode(errors="replace")
                except socket.timeout:
                    continue
                except OSError:
                    break
                m = re.match(r"<(\d+)>(\w{3} [ \d]\d \d\d:\d\d:\d\d) (.*)",
                             data.rstrip("\n"), re.S)
                if m is None:
                    out.write("unparsed: %r\n" % data)
                else:
                    self.facilities.append(int(m.group(1)) >> 3)
                    out.write("%s %s %s\n" % (m.group(2), host, m.group(3)))
                out.flush()

    def stop(self):
        self.stopping = True
        self.thread.join(timeout=5)
        self.sock.close()


def interp(path):
    """True if the ELF file asks for a dynamic loader (PT_INTERP)."""
    with open(path, "rb") as f:
        head = f.read(64)
        phoff, = struct.unpack_from("<Q", head, 32)
        phentsize, phnum = struct.unpack_from("<HH", head, 54)
        for i in range(phnum):
            f.seek(phoff + i * phentsize)
            if struct.unpack("<I", f.read(4))[0] == 3:
                return True
    return False


def build_jail(sc):
    """The jail of pop3d(8), EXAMPLES, under sc.dir/jail."""
    jail = os.path.join(sc.dir, "jail")
    for d in ("bin", "etc", "dev", "home", "empty"):
        os.makedirs(os.path.join(jail, d), mode=0o755)
    os.chmod(jail, 0o755)
    shutil.copy(os.path.join(itlib.TOP, "pop3d-static"),
                os.path.join(jail, "bin", "pop3d"))
    shutil.copy(os.path.join(itlib.TOP, "pop3d-checkpw-static"),
                os.path.join(jail, "bin", "pop3d-checkpw"))
    with open(sc.passwd) as f:
        text = f.read().replace(sc.home, "/home/alice")
    passwd = os.path.join(jail, "etc", "pop3d.passwd")
    with open(passwd, "w") as f:
        f.write(text)
    os.chmod(passwd, 0o600)
    os.mknod(os.path.join(jail, "dev", "null"), 0o666 | 0o020000,
             os.makedev(1, 3))
    os.chmod(os.path.join(jail, "dev", "null"), 0o666)
    shutil.copytree(os.path.join(sc.dir, "home", "alice"),
                    os.path.join(jail, "home", "alice"), symlinks=True)
    for base, dirs, files in os.walk(os.path.join(jail, "home", "alice")):
        os.chown(base, itlib.MAILUID, itlib.MAILGID)
        for f in files:
            os.chown(os.path.join(base, f), itlib.MAILUID, itlib.MAILGID)
    return jail


def tree(jail):
    out = []
    for base, dirs, files in os.walk(jail):
        for f in dirs + files:
            out.append(os.path.relpath(os.path.join(base, f), jail))
    return sorted(out)


def main():
    r = itlib.Results()
    if not itlib.ROOT:
        r.skip("jail", "needs root for chroot(2) and mknod(2)")
        return 0
    if os.environ.get("POP3D_SANITIZED"):
        r.skip("jail", "make check-asan: sanitizer objects cannot be "
               "linked statically")
        return 0
    missing = itlib.have("chroot", "systemd-socket-activate", "openssl",
                         "make")
    if missing:
        r.skip("jail", "missing " + " ".join(missing))
        return 0
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    out = subprocess.run(["make", "static"], cwd=itlib.TOP, env=env,
                         capture_output=True, text=True, timeout=300,
                         stdin=subprocess.DEVNULL)
    if not r.ok("jail:make-static", out.returncode == 0, out.stderr[-2000:]):
        return 0
    r.ok("jail:binaries-static",
         not interp(os.path.join(itlib.TOP, "pop3d-static")) and
         not interp(os.path.join(itlib.TOP, "pop3d-checkpw-static")))

    sc = itlib.Scratch()
    srv = syslogd = None
    try:
        jail = build_jail(sc)
        try:
            with open(os.path.join(jail, "dev", "null"), "w") as f:
                f.write("x")
        except OSError as e:
            r.skip("jail", "device nodes do not work here: %s" % e)
            return 0
        maillog = os.path.join(sc.dir, "mail.log")
        syslogd = Syslogd(os.path.join(jail, "dev", "log"), maillog)
        r.ok("jail:layout", tree(jail) == sorted([
            "bin", "bin/pop3d", "bin/pop3d-checkpw", "dev", "dev/log",
            "empty",
            "dev/null", "etc", "etc/pop3d.passwd", "home", "home/alice",
            "home/alice/Maildir", "home/alice/Maildir/cur",
            "home/alice/Maildir/new", "home/alice/Maildir/tmp"] +
            ["home/alice/Maildir/new/" + n for n in itlib.MESSAGES]),
            tree(jail))

        # The recipe, as inetd would run it.
        argv = [jail if a == "/var/pop3d" else a for a in RECIPE]
        cmd = itlib.FDEXEC + ["--fd2", "socket", "--",
                              shutil.which("chroot"), *argv]
        srv = itlib.Server("socket-activate", cmd, sc.log)

        lines = itlib.talk(socket.create_connection(
            ("127.0.0.1", srv.port), timeout=30),
            b"USER alice\r\nPASS wrong\r\nQUIT\r\n")
        r.ok("jail:failed-login", [l[:4] for l in lines] ==
             [b"+OK ", b"+OK ", b"-ERR", b"+OK "], lines)

        p = poplib.POP3("127.0.0.1", srv.port, timeout=30)
        p.user("alice")
        p.pass_(sc.password)
        names = sorted(itlib.MESSAGES)
        got = [b"".join(l + b"\r\n" for l in p.retr(i)[1])
               for i in range(1, len(names) + 1)]
        for i in range(1, len(names) + 1):
            p.dele(i)
        p.quit()
        r.ok("jail:retrieve-byte-exact",
             got == [itlib.wire(itlib.MESSAGES[n]) for n in names],
             [len(g) for g in got])
        md = os.path.join(jail, "home", "alice", "Maildir")
        left = os.listdir(os.path.join(md, "new")) + \
            os.listdir(os.path.join(md, "cur"))
        r.ok("jail:delete-empties-maildir", left == [], left)

        itlib.wait_log(maillog, lambda t: "logout:" in t)
        srv.stop()
        srv = None
        time.sleep(0.3)
        syslogd.stop()
        with open(maillog, errors="replace") as f:
            log = f.read()
        r.ok("jail:syslog-lines", all(s in log for s in (
            " pop3d-checkpw[", "auth failed: user=alice",
            "LOGIN FAILED, user=alice, ip=[127.0.0.1]",
            "login: user=alice, ip=[127.0.0.1], messages=7",
            "logout: user=alice, ip=[127.0.0.1], retrieved=7/")), log)
        r.ok("jail:syslog-facility-mail",
             syslogd.facilities != [] and
             set(syslogd.facilities) == {LOG_MAIL}, syslogd.facilities)
        if itlib.have("fail2ban-regex"):
            r.skip("jail:fail2ban", "missing fail2ban-regex")
        else:
            ips = itlib.fail2ban(maillog, "ip")
            r.ok("jail:fail2ban-courier-auth-on-mail-log",
                 ips == ["127.0.0.1"], ips)
    except Exception as e:
        r.ok("jail:unexpected-error", False, repr(e))
    finally:
        if srv is not None:
            srv.stop()
        if syslogd is not None:
            syslogd.stop()
        if r.failed:
            with open(sc.log, errors="replace") as f:
                sys.stderr.write(f.read()[-2000:])
        sc.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
