# SPDX-License-Identifier: ISC
"""fdexec.py [--fd2 socket|closed|FILE] [--env NAME=VALUE]... --
PROGRAM ARGV0 [ARG...]: runs PROGRAM with the argument vector ARGV0
ARG... in an environment holding only the --env variables (no PATH,
as openbsd-inetd starts servers), with fd 2 a copy of the connection
on fd 0 (inetd, xinetd, stunnel's exec), closed, or appended to FILE.
For the integration tests, under a superserver that passes the
connection as fd 0 and fd 1."""
import os
import sys


def main():
    args = sys.argv[1:]
    fd2 = None
    env = {}
    while args and args[0] != "--":
        opt, val = args[0], args[1]
        args = args[2:]
        if opt == "--fd2":
            fd2 = val
        elif opt == "--env":
            name, _, value = val.partition("=")
            env[name] = value
        else:
            sys.exit("fdexec.py: unknown option " + opt)
    prog, argv = args[1], args[2:]
    if fd2 == "socket":
        os.dup2(0, 2)
    elif fd2 == "closed":
        os.close(2)
    elif fd2 is not None:
        fd = os.open(fd2, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        os.dup2(fd, 2)
        os.close(fd)
    os.execve(prog, argv, env)


if __name__ == "__main__":
    main()
