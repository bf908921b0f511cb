#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/deps.sh build|test|bench|valgrind|fuzz|ci|deb|system: installs the Debian
# packages a target needs when they are missing.  As root with apt-get
# it installs them without asking (CI runs as root with no stdin);
# otherwise it names what is missing and the tests that need it skip.
set -u
build="gcc make libc6-dev libcrypt-dev libmd-dev libseccomp-dev"
# make deb: debian/control's Build-Depends, the tools and lintian.
deb="$build debhelper dpkg-dev fakeroot lintian"
# openbsd-inetd, daemontools: tests/it_superservers.py runs them.  Its
# xinetd comes from "apt-get download xinetd" at run time, as the
# package conflicts with openbsd-inetd; daemontools-run is not wanted
# (it would start a system-wide svscan).
test="$build ucspi-tcp python3 curl openssl stunnel4 fetchmail getmail6
mpop systemd fail2ban mandoc man-db util-linux procps psmisc daemontools
netcat-openbsd openbsd-inetd mutt neomutt s-nail mailutils uw-mailutils tmux
haproxy perdition $deb adduser dovecot-pop3d git"
bench="$build ucspi-tcp python3 dovecot-pop3d valgrind"
# make check-valgrind, make fuzz (clang's libFuzzer), .ci/run.
valgrind="$build valgrind"
fuzz="$build clang"
# make check-system: a Debian root file system (mmdebstrap) booted
# with systemd-nspawn, entered with nsenter (util-linux).
system="$deb systemd-container mmdebstrap util-linux procps"
ci="$test clang valgrind systemd-container mmdebstrap"

case ${1:-} in
build) want=$build ;;
test) want=$test ;;
bench) want=$bench ;;
deb) want=$deb ;;
valgrind) want=$valgrind ;;
fuzz) want=$fuzz ;;
ci) want=$ci ;;
system) want=$system ;;
*) echo "usage: deps.sh build|test|bench|valgrind|fuzz|ci|deb|system" >&2
   exit 2 ;;
esac

missing=
for p in $want; do
	dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null |
	    grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
	echo "deps.sh: missing Debian packages:$missing" >&2
	echo "deps.sh: as root: apt-get install$missing" >&2
	[ "$1" = test ] && exit 0	# the tests that need them skip
	exit 1
fi
echo "deps.sh: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086 # a list of package names
if ! apt-get install -y -q --no-install-recommends $missing </dev/null \
    >/dev/null 2>&1; then
	# A fresh machine may have no package lists yet.
	apt-get update -q </dev/null >/dev/null 2>&1
	apt-get install -y -q --no-install-recommends $missing </dev/null \
	    >&2 || exit 1
fi
exit 0
