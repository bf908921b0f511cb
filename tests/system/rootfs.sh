#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/system/rootfs.sh SUITE CACHEDIR: prints the path of a Debian
# SUITE root file system for make check-system, made with mmdebstrap
# from the Debian archive this machine's apt already uses, once per
# suite and package list (the directory name holds a hash of both),
# and kept in CACHEDIR for the next run.  Older ones for SUITE go.
# shellcheck disable=SC2086 # $pkgs: a list of package names
# shellcheck disable=SC2016 # the hooks' "$1" is mmdebstrap's, not ours
set -eu
[ $# -eq 2 ] || { echo "usage: rootfs.sh SUITE CACHEDIR" >&2; exit 2; }
suite=$1
cache=$2

# What the checks use inside: systemd as PID 1; pop3d's Depends, so
# that dpkg -i finds them; stunnel and openssl for port 995; rsyslog
# for /var/log/mail.log; fail2ban with both firewalls Debian's jails
# may name (iptables on 12, nftables on 13) and what apt installs with
# it as Recommends (python3-systemd reads the journal); the clients.  And
# ca-certificates, as nearly every Debian system has it: without a CA
# in /etc/ssl/certs stunnel logs "No trusted certificates found" at
# error level for every session, CApath or not.
pkgs="systemd systemd-sysv dbus adduser passwd libcrypt1 libmd0
libseccomp2 stunnel4 openssl ca-certificates rsyslog fail2ban iptables
nftables python3-systemd python3-pyinotify whois curl python3 procps"

# The archive URI of the host's apt: the first deb line or deb822
# stanza that is not the security archive.  Never a fixed host.
mirror=
for f in /etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] || continue
	mirror=$(awk '
	    /^[ \t]*$/ { if (uri != "" && suites !~ /security/) { print uri; exit }
	                 uri = ""; suites = ""; next }
	    /^URIs:/ { uri = $2 }
	    /^Suites:/ { suites = $0 }
	    END { if (uri != "" && suites !~ /security/) print uri }' "$f" |
	    head -n 1)
	[ -n "$mirror" ] && break
done
if [ -z "$mirror" ]; then
	mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
	    2>/dev/null | awk '$1 == "deb" && $0 !~ /security/ {
	        for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) {
	            print $i; exit } }' | head -n 1)
fi
[ -n "$mirror" ] || { echo "rootfs.sh: no Debian archive in apt's sources" >&2; exit 1; }

key=$(printf '%s\n' "$suite" $pkgs "$(sed -n '/^# rootfs-setup/,$p' "$0")" |
    sha256sum | cut -c1-12)
dir=$cache/$suite-$key
# Renamed into place when complete: a directory there is whole.
if [ -d "$dir" ]; then
	echo "$dir"
	exit 0
fi
mkdir -p "$cache"
# One maker per suite at a time; a second waits and then finds it.
exec 9>"$cache/$suite.lock"
flock 9
if [ -d "$dir" ]; then
	echo "$dir"
	exit 0
fi
for old in "$cache/$suite"-*; do
	[ -e "$old" ] && [ "$old" != "$dir" ] && rm -rf "$old"
done
rm -rf "$dir" "$dir.tmp"
echo "rootfs.sh: $suite from $mirror into $dir" >&2
# rootfs-setup: everything from here on is part of the cache key.
mmdebstrap --quiet --variant=minbase \
    --include="$(echo $pkgs | tr ' ' ,)" \
    --customize-hook='chroot "$1" systemctl mask console-getty.service apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer systemd-timesyncd.service' \
    --customize-hook='rm -f "$1"/etc/machine-id; : >"$1"/etc/machine-id' \
    "$suite" "$dir.tmp" "$mirror" >&2
mv "$dir.tmp" "$dir"
echo "$dir"
