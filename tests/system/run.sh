#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/system/run.sh DEB SUITE...: make check-system.  For each Debian
# SUITE, boots a root file system (rootfs.sh) with systemd as PID 1 in
# systemd-nspawn, on a private network and with its changes on a tmpfs
# (the cached tree stays as it was), and runs tests/system/checks.py
# in it against the package DEB.  Prints each check's "ok NAME" or
# "FAIL NAME", then "N passed, N failed".  Whatever happens, even on
# SIGINT, the container is powered off (or killed) and its cgroups are
# removed before the script ends.
set -u
[ $# -ge 2 ] || { echo "usage: run.sh DEB SUITE..." >&2; exit 2; }
deb=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
cache=$here/cache
[ "$(id -u)" = 0 ] || { echo "check-system: needs root" >&2; exit 1; }
[ -f "$deb" ] || { echo "check-system: no package $deb" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/pop3d-system.XXXXXX")
chmod 755 "$work"
name=
nspawn=
results=$work/results

cgdirs() {
	for h in systemd unified; do
		[ -d "/sys/fs/cgroup/$h/$name" ] && echo "/sys/fs/cgroup/$h/$name"
	done
}

# Powers the container off, or kills it, then removes its cgroups
# depth first.  Safe to call twice.
stop() {
	[ -n "$name" ] || return 0
	if [ -n "$nspawn" ] && kill -0 "$nspawn" 2>/dev/null; then
		pid1=$(pgrep -P "$nspawn" | head -n 1)
		[ -n "$pid1" ] && timeout 20 nsenter -t "$pid1" -a \
		    systemctl poweroff >/dev/null 2>&1
		echo "check-system: powering $name off" >&2
		i=0
		while kill -0 "$nspawn" 2>/dev/null && [ $i -lt 100 ]; do
			sleep 0.2
			i=$((i + 1))
		done
		kill -TERM "$nspawn" 2>/dev/null && sleep 2
	fi
	for d in $(cgdirs); do
		# Anything left in the container's cgroups dies, then they go.
		find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null |
		    xargs -r kill -KILL 2>/dev/null
		sleep 0.2
		find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
		[ -d "$d" ] && echo "check-system: could not remove $d" >&2
	done
	name=
	nspawn=
}

cleanup() {
	stop
	rm -rf "$work"
}
trap cleanup EXIT
trap 'echo "check-system: interrupted" >&2; exit 130' INT TERM HUP

# The previous build: this package with a lower version, for the
# upgrade check.  Only the version differs; that is what dpkg sees.
mkdir -p "$work/mnt/prev" "$work/pkg"
cp "$deb" "$work/mnt/"
cp "$here/checks.py" "$work/mnt/"
dpkg-deb -R "$deb" "$work/pkg"
ver=$(dpkg-deb -f "$deb" Version)
sed -i "s/^Version: .*/Version: $ver~prev/" "$work/pkg/DEBIAN/control"
dpkg-deb -b "$work/pkg" "$work/mnt/prev/pop3d_$ver~prev.deb" >/dev/null ||
    exit 1
rm -rf "$work/pkg"
: >"$results"

for suite in "$@"; do
	t0=$(date +%s)
	if ! root=$(sh "$here/rootfs.sh" "$suite" "$cache"); then
		echo "FAIL $suite:rootfs" | tee -a "$results"
		continue
	fi
	t1=$(date +%s)
	name=pop3d-sys-$suite-$$
	log=$work/$suite.console
	# Its own cgroup subtree, as real-systemd needs on this host, and
	# the shell that becomes nspawn in it first.
	for h in systemd unified; do
		mkdir -p "/sys/fs/cgroup/$h/$name"
	done
	SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1 setsid sh -c '
	    for h in systemd unified; do
	        echo $$ >"/sys/fs/cgroup/$h/$1/cgroup.procs" || exit 1
	    done
	    exec systemd-nspawn --quiet --boot -D "$2" -M "$1" \
	        --volatile=overlay --register=no --keep-unit \
	        --console=read-only --private-network --capability=all \
	        --system-call-filter=bpf \
	        --system-call-filter=landlock_create_ruleset \
	        --system-call-filter=landlock_add_rule \
	        --system-call-filter=landlock_restrict_self \
	        --bind-ro="$3":/run/pop3d-test' sh "$name" "$root" \
	    "$work/mnt" </dev/null >"$log" 2>&1 &
	nspawn=$!
	pid1=
	i=0
	while [ -z "$pid1" ] && [ $i -lt 100 ] && kill -0 $nspawn 2>/dev/null
	do
		sleep 0.2
		pid1=$(pgrep -P "$nspawn" -x systemd | head -n 1)
		i=$((i + 1))
	done
	# Until PID 1 answers on its socket, systemctl says nothing.
	state=
	i=0
	while [ -n "$pid1" ] && [ -z "$state" ] && [ $i -lt 60 ]; do
		state=$(timeout 60 nsenter -t "$pid1" -a \
		    systemctl is-system-running --wait 2>/dev/null)
		[ -n "$state" ] || sleep 0.5
		i=$((i + 1))
	done
	t2=$(date +%s)
	case $state in
	running|degraded)
		echo "ok $suite:boot" | tee -a "$results"
		timeout 600 nsenter -t "$pid1" -a env -i \
		    PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
		    python3 /run/pop3d-test/checks.py /run/pop3d-test |
		    sed -u "s/^\(ok\|FAIL\) /\1 $suite:/" | tee -a "$results"
		;;
	*)
		echo "FAIL $suite:boot" | tee -a "$results"
		echo "  $suite:boot: state '$state'; console:" >&2
		tail -n 30 "$log" >&2
		;;
	esac
	t3=$(date +%s)
	stop
	echo "check-system: $suite: rootfs $((t1 - t0)) s, boot $((t2 - t1))" \
	    "s, checks $((t3 - t2)) s, shutdown $(($(date +%s) - t3)) s" >&2
done

pass=$(grep -c '^ok ' "$results")
fail=$(grep -c '^FAIL ' "$results")
echo "$pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
