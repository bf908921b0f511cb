#!/bin/sh
# SPDX-License-Identifier: ISC
# demo.sh: serves a demo Maildir on 127.0.0.1:1110 through tcpserver
# with the real chain pop3d -> pop3d-checkpw -> pop3d -m Maildir, until
# Ctrl-C.  Run by "make demo" after the build.  User demo, password
# demo.  Everything lives in a temporary directory that is removed on
# exit; as root the mail is served as uid/gid 65534 (nobody).
set -eu
port=${DEMO_PORT:-1110}
for p in tcpserver openssl; do
	command -v "$p" >/dev/null 2>&1 || {
		echo "demo: $p is missing (apt-get install ucspi-tcp openssl)" >&2
		exit 1
	}
done

dir=$(mktemp -d "${TMPDIR:-/tmp}/pop3d-demo.XXXXXX")
trap 'rm -rf "$dir"' EXIT
trap 'exit 0' INT TERM
chmod 755 "$dir"
mkdir "$dir/bin"
cp pop3d pop3d-checkpw "$dir/bin/"
chmod 755 "$dir/bin" "$dir/bin/pop3d" "$dir/bin/pop3d-checkpw"

uid=$(id -u) gid=$(id -g)
[ "$uid" = 0 ] && uid=65534 gid=65534
home=$dir/demo
md=$home/Maildir
mkdir -p "$md/new" "$md/cur" "$md/tmp"
now=$(date +%s)
printf 'From: pop3d <postmaster@localhost>\nTo: demo@localhost\nSubject: Welcome to pop3d\n\nThis message came to you through pop3d, pop3d-checkpw and\npop3d -m Maildir, one small program after another.\n' \
    >"$md/new/$now.M1P$$.demo"
printf 'From: pop3d <postmaster@localhost>\nTo: demo@localhost\nSubject: Dots\n\nThe next line starts with a dot; POP3 stuffs it on the wire\n.and your client removes it again.\n' \
    >"$md/new/$((now + 1)).M2P$$.demo"
printf 'From: pop3d <postmaster@localhost>\r\nTo: demo@localhost\r\nSubject: Stored with CRLF\r\n\r\nThis one was stored with CRLF line ends; its size is still exact.\r\n' \
    >"$md/cur/$((now + 2)).M3P$$.demo:2,"
touch -d "@$now" "$md/new/$now.M1P$$.demo"
[ "$(id -u)" = 0 ] && chown -R "$uid:$gid" "$home"

hash=$(openssl passwd -6 demo)
printf 'demo:{CRYPT}%s:%s:%s::%s::\n' "$hash" "$uid" "$gid" "$home" \
    >"$dir/passwd"
chmod 600 "$dir/passwd"

cat <<MSG
pop3d demo: serving 3 messages for user "demo" (password "demo")
on 127.0.0.1:$port.  Try, in another terminal:

  curl -s pop3://demo:demo@127.0.0.1:$port/
  curl -s pop3://demo:demo@127.0.0.1:$port/1

  python3 -c 'import poplib; p = poplib.POP3("127.0.0.1", $port); p.user("demo"); p.pass_("demo"); n = p.stat()[0]; [print(b"\n".join(p.retr(i)[1]).decode(), end="\n\n") for i in range(1, n + 1)]; p.quit()'

Log lines follow.  Ctrl-C stops the demo and removes $dir.
MSG
# -l: no DNS for the local name; -R -H: no ident or DNS for clients.
tcpserver -v -R -H -l localhost 127.0.0.1 "$port" \
    "$dir/bin/pop3d" -e -p loopback "$dir/bin/pop3d-checkpw" -f "$dir/passwd" \
    "$dir/bin/pop3d" -m Maildir -e || true
