#!/bin/sh
# SPDX-License-Identifier: ISC
# debian/build-deb.sh OUTDIR [DPKG-BUILDPACKAGE-OPTIONS]: builds the
# binary package from a scratch copy of the tree and moves the .deb,
# .changes and .buildinfo files into OUTDIR.  A copy, because
# dpkg-buildpackage writes its results into the parent directory of
# the source and its clean step would remove the tree's own build.
set -eu
[ $# -ge 1 ] || { echo "usage: build-deb.sh OUTDIR [OPTIONS]" >&2; exit 2; }
out=$1
shift
top=$(cd "$(dirname "$0")/.." && pwd)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/pop3d-deb.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
trap 'exit 1' INT TERM
mkdir "$scratch/pop3d"

# The tree as it stands, uncommitted changes included, without its
# build products; without git, everything but the usual outputs.
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$top" && git ls-files -z --cached --others --exclude-standard |
	    tar --null -T - --ignore-failed-read -cf - 2>/dev/null) |
	    tar -C "$scratch/pop3d" -xf -
else
	tar -C "$top" --exclude=./dist --exclude=./tests/scratch \
	    --exclude=./tests/system/cache -cf - . |
	    tar -C "$scratch/pop3d" -xf -
fi

(cd "$scratch/pop3d" && dpkg-buildpackage -us -uc -b -Jauto "$@")

mkdir -p "$out"
rm -f "$out"/pop3d_* "$out"/pop3d-dbgsym_*
mv "$scratch"/*.changes "$scratch"/*.buildinfo "$scratch"/*.deb "$out"/
for f in "$scratch"/*.ddeb; do
	[ -e "$f" ] && mv "$f" "$out"/
done
exit 0
