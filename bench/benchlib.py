# SPDX-License-Identifier: ISC
"""bench/benchlib.py: what bench.py, deploy.py and split.py share.

Ports on 127.0.0.1, the statistics the reports print, the Dovecot
daemon's configuration, and the CPU time of a process tree from /proc.
"""
import os
import socket
import statistics
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, t=10.0):
    end = time.monotonic() + t
    while time.monotonic() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def spread(xs, fmt="%.2f"):
    """'median (min-max)' of xs."""
    if not xs:
        return "n/a"
    return (fmt + " (" + fmt + "-" + fmt + ")") % (med(xs), min(xs), max(xs))


def dovecot_conf(path, d, passwd, port, name):
    """Writes the configuration of a Dovecot 2.3 daemon serving POP3 on
    127.0.0.1:port alone, without TLS, with plaintext logins, passdb
    and userdb from one passwd-file, its base, state and log under d."""
    run = os.path.join(d, "run")
    os.makedirs(run, exist_ok=True)
    os.makedirs(os.path.join(d, "state"), exist_ok=True)
    with open(path, "w") as f:
        f.write("""base_dir = %(run)s
state_dir = %(d)s/state
instance_name = %(name)s
protocols = pop3
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
log_path = %(d)s/dovecot.log
mail_location = maildir:~/Maildir
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = %(passwd)s
}
userdb {
  driver = passwd-file
  args = %(passwd)s
}
service pop3-login {
  inet_listener pop3 {
    port = %(port)d
  }
  inet_listener pop3s {
    port = 0
  }
}
service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    port = 0
  }
}
""" % {"run": run, "d": d, "passwd": passwd, "port": port, "name": name})
    os.chmod(path, 0o644)


TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid):
    """(comm, ppid, own CPU s, waited-for children's CPU s) or None."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            s = f.read()
    except OSError:
        return None
    comm = s[s.index("(") + 1:s.rindex(")")]
    f = s[s.rindex(")") + 2:].split()
    # After the comm: state ppid ... utime(14) stime cutime cstime.
    return (comm, int(f[1]), (int(f[11]) + int(f[12])) / TICK,
            (int(f[13]) + int(f[14])) / TICK)


def tree(root):
    """{pid: stat} of root and every process below it."""
    procs = {}
    for e in os.listdir("/proc"):
        if e.isdigit():
            st = _stat(int(e))
            if st is not None:
                procs[int(e)] = st
    out = {}
    want = {root}
    while want:
        p = want.pop()
        if p in procs:
            out[p] = procs[p]
            want |= {q for q, st in procs.items() if st[1] == p}
    return out


def tree_cpu(root, self_too=True):
    """CPU seconds (user + system) used so far by root and everything
    below it: for each live process its own time and the time of the
    children it has waited for (which covers theirs, transitively).
    self_too=False leaves out root's own time (a superserver's)."""
    t = 0.0
    for pid, (_, _, own, kids) in tree(root).items():
        t += kids + (own if self_too or pid != root else 0.0)
    return t


def quiesce(root, busy, t=15.0):
    """Waits until no process below root is named in busy (those
    still working on a session; None: any process below root);
    returns whether that happened."""
    end = time.monotonic() + t
    while time.monotonic() < end:
        if not any(busy is None or st[0] in busy
                   for pid, st in tree(root).items() if pid != root):
            return True
        time.sleep(0.02)
    return False
