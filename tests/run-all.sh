#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/run-all.sh: runs every test (from the top of the tree, after
# make) and ends with one line "N passed, N failed, N skipped".  Each
# test prints "ok NAME", "FAIL NAME" or "skip NAME: why"; details go to
# stderr.  Exit status 1 if anything failed.
set -u
results=$(mktemp "${TMPDIR:-/tmp}/pop3d-results.XXXXXX") || exit 1
trap 'rm -f "$results"' EXIT INT TERM

# Runs one test program; a crash or a silent failure counts as FAIL.
run() {
	name=$1
	shift
	"$@" >"$results.one"
	rc=$?
	cat "$results.one"
	cat "$results.one" >>"$results"
	if [ "$rc" != 0 ] && ! grep -q '^FAIL ' "$results.one"; then
		echo "FAIL $name (exit status $rc)" | tee -a "$results"
	fi
	rm -f "$results.one"
}

for u in tests/unit_proto tests/unit_io tests/unit_auth tests/unit_maildir \
    tests/unit_cache tests/unit_sandbox tests/unit_trash \
    tests/unit_checkpw tests/unit_pwfile \
    tests/unit_rootside tests/unit_log \
    tests/unit_uidmap tests/unit_proxy tests/unit_filter; do
	run "$u" "./$u"
done
for c in tests/corpus/*/; do
	[ -d "$c" ] || continue
	f=$(basename "$c")
	run "replay:$f" "./tests/replay_$f" "$c"
done
run transcripts sh tests/run-transcripts.sh tests/t/*.t
for i in tests/it-*.sh; do
	run "$i" sh "$i"
done
for i in tests/it_*.py; do
	[ -f "$i" ] || continue
	run "$i" python3 "$i"
done

pass=$(grep -c '^ok ' "$results")
fail=$(grep -c '^FAIL ' "$results")
skip=$(grep -c '^skip ' "$results")
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
