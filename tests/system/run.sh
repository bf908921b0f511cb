#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/system/run.sh DEB SUITE...: make check-system.  For each Debian
# SUITE, at the same time, boots a root file system (rootfs.sh) with
# systemd as PID 1 in systemd-nspawn, on a private network and with its
# changes on a tmpfs (the cached tree stays as it was), and runs
# tests/system/checks.py in it against the package DEB.  Prints each
# check's "ok SUITE:NAME" or "FAIL SUITE:NAME", then "N passed, N
# failed".  Whatever happens, even on SIGINT, every container is powered
# off (or killed) and its cgroups are removed before the script ends.
#
# (run.sh --one SUITE WORK is one suite's worker, started by run.sh.)
set -u
here=$(cd "$(dirname "$0")" && pwd)
# The cgroup hierarchies a container gets a directory in: the named
# systemd one and cgroup2 of a hybrid host, or the one cgroup2 tree.
cgroots=
for h in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified; do
	[ -d "$h" ] && cgroots="$cgroots $h"
done
[ -n "$cgroots" ] || cgroots=/sys/fs/cgroup

# Powers off or kills the container of suite $1, whose state is in
# $work/$1.*, then removes its cgroups depth first.  Safe to repeat.
stop() {
	[ -f "$work/$1.name" ] || return 0
	name=$(cat "$work/$1.name")
	pid=$(cat "$work/$1.nspawn" 2>/dev/null)
	if [ -n "$pid" ] && [ "$(cat /proc/"$pid"/comm 2>/dev/null)" = \
	    systemd-nspawn ]; then
		pid1=$(pgrep -P "$pid" | head -n 1)
		[ -n "$pid1" ] && timeout 20 nsenter -t "$pid1" -a \
		    systemctl poweroff >/dev/null 2>&1
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
			sleep 0.2
			i=$((i + 1))
		done
		kill -KILL "$pid" 2>/dev/null
	fi
	for h in $cgroots; do
		d=$h/$name
		[ -d "$d" ] || continue
		# Anything left in the container's cgroups dies, then they go.
		# shellcheck disable=SC2038 # the pids, one a line
		find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null |
		    xargs -r kill -KILL 2>/dev/null
		i=0
		while [ -d "$d" ] && [ $i -lt 25 ]; do
			find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
			[ -d "$d" ] && sleep 0.2
			i=$((i + 1))
		done
		[ -d "$d" ] && echo "check-system: could not remove $d" >&2
	done
	rm -f "$work/$1.name" "$work/$1.nspawn"
}

# One suite: rootfs, boot, checks, power-off.  The parent stops the
# container if this worker is killed.
one() {
	suite=$1
	t0=$(date +%s)
	if ! root=$(sh "$here/rootfs.sh" "$suite" "$here/cache"); then
		echo "FAIL $suite:rootfs"
		return
	fi
	t1=$(date +%s)
	name=pop3d-sys-$suite-$$
	log=$work/$suite.console
	echo "$name" >"$work/$suite.name"
	# Its own cgroup subtree, as a real systemd needs on this host, and
	# the shell that becomes nspawn in it first.
	for h in $cgroots; do
		mkdir -p "$h/$name"
	done
	SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1 sh -c '
	    for h in $4; do
	        echo $$ >"$h/$1/cgroup.procs" || exit 1
	    done
	    exec systemd-nspawn --quiet --boot -D "$2" -M "$1" \
	        --volatile=overlay --register=no --keep-unit \
	        --console=read-only --private-network --capability=all \
	        --system-call-filter=bpf \
	        --system-call-filter=landlock_create_ruleset \
	        --system-call-filter=landlock_add_rule \
	        --system-call-filter=landlock_restrict_self \
	        --bind-ro="$3":/run/pop3d-test' sh "$name" "$root" \
	    "$work/mnt" "$cgroots" </dev/null >"$log" 2>&1 &
	pid=$!
	echo "$pid" >"$work/$suite.nspawn"
	pid1=
	i=0
	while [ -z "$pid1" ] && [ $i -lt 100 ] && kill -0 "$pid" 2>/dev/null
	do
		sleep 0.2
		pid1=$(pgrep -P "$pid" -x systemd | head -n 1)
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
		echo "ok $suite:boot"
		# checks.py bounds its own run time (an alarm), so that no
		# timeout(1) takes it out of this worker's process group.
		nsenter -t "$pid1" -a env -i \
		    PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
		    python3 /run/pop3d-test/checks.py /run/pop3d-test 2>&1 |
		    sed "s/^\(ok\|FAIL\) /\1 $suite:/"
		;;
	*)
		echo "FAIL $suite:boot"
		echo "  $suite:boot: state '$state'; console:"
		tail -n 30 "$log"
		;;
	esac
	t3=$(date +%s)
	stop "$suite"
	echo "check-system: $suite: rootfs $((t1 - t0)) s, boot $((t2 - t1))" \
	    "s, checks $((t3 - t2)) s, shutdown $(($(date +%s) - t3)) s"
}

if [ "${1:-}" = --one ] && [ $# -eq 3 ]; then
	work=$3
	one "$2"
	exit 0
fi

[ $# -ge 2 ] || { echo "usage: run.sh DEB SUITE..." >&2; exit 2; }
deb=$1
shift
[ "$(id -u)" = 0 ] || { echo "check-system: needs root" >&2; exit 1; }
[ -f "$deb" ] || { echo "check-system: no package $deb" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/pop3d-system.XXXXXX")
chmod 755 "$work"

cleanup() {
	for suite in "$@"; do
		# The worker and all it runs (its own process group) first;
		# KILL, since a stopped nsenter would hold a TERM back.
		w=$(cat "$work/$suite.worker" 2>/dev/null)
		[ -n "$w" ] && kill -KILL -- "-$w" 2>/dev/null
		stop "$suite"
	done
	rm -rf "$work"
}
trap 'cleanup "$@"' EXIT
trap 'echo "check-system: interrupted" >&2; exit 130' INT TERM HUP

# The previous build: this package with a lower version, for the
# upgrade check.  Only the version differs; that is what dpkg sees.
mkdir -p "$work/mnt/prev" "$work/pkg"
cp "$deb" "$here/checks.py" "$work/mnt/"
dpkg-deb -R "$deb" "$work/pkg" || exit 1
ver=$(dpkg-deb -f "$deb" Version)
sed -i "s/^Version: .*/Version: $ver~prev/" "$work/pkg/DEBIAN/control"
dpkg-deb -b "$work/pkg" "$work/mnt/prev/pop3d_$ver~prev.deb" >/dev/null ||
    exit 1
rm -rf "$work/pkg"

# Each suite in its own session, so that cleanup can end all it runs.
for suite in "$@"; do
	setsid sh "$0" --one "$suite" "$work" </dev/null \
	    >"$work/$suite.out" 2>&1 &
	echo $! >"$work/$suite.worker"
done
for suite in "$@"; do
	wait "$(cat "$work/$suite.worker")"
	cat "$work/$suite.out"
	rm -f "$work/$suite.worker"
done

pass=$(cat "$work"/*.out | grep -c '^ok ')
fail=$(cat "$work"/*.out | grep -c '^FAIL ')
echo "$pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
