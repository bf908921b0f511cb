#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/valgrind.sh UNIT...: memcheck over the unit test programs and
# the transcript suite (make check-valgrind, after a build with
# SANDBOX=0).  In the transcripts both pop3d processes run under
# valgrind, the front end and the pop3d -m that the checkpassword
# stand-in (a shell script, not traced) starts: run-transcripts.sh
# puts $POP3D_VALGRIND before each.  Any memcheck error or definite
# leak fails; prints the one "N passed, N failed, N skipped" line.
set -u
command -v valgrind >/dev/null 2>&1 || {
	echo "skip valgrind: valgrind is not installed (tests/deps.sh)"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
}
logs=$(mktemp -d "${TMPDIR:-/tmp}/pop3d-vg.XXXXXX") || exit 1
trap 'rm -rf "$logs"' EXIT INT TERM
chmod 1777 "$logs"	# pop3d -m writes its log as the mail user
vg="valgrind -q --error-exitcode=99 --leak-check=full \
--errors-for-leak-kinds=definite --show-leak-kinds=definite \
--track-fds=no --child-silent-after-fork=yes"
pass=0 fail=0
for u in "$@"; do
	# shellcheck disable=SC2086 # vg is a command line
	if $vg --log-file="$logs/unit.%p" "./$u" >"$logs/out" 2>&1 &&
	    ! grep -q '^FAIL ' "$logs/out"; then
		echo "ok valgrind:$u"
		pass=$((pass + 1))
	else
		echo "FAIL valgrind:$u"
		cat "$logs/out" "$logs"/unit.* >&2
		fail=$((fail + 1))
	fi
	rm -f "$logs"/unit.*
done

# The transcripts: their own verdicts, and memcheck's in the logs.
# Those that wait on the clock (an idle timer, a lock held for some
# seconds) cannot hold under valgrind's slower start; make check and
# make check-asan run them.  Two halves at once, for two cores.
all= skipped=0
for t in tests/t/*.t; do
	if grep -Eq '^# hold:|sleep' "$t"; then
		echo "skip valgrind:$t: waits on the clock"
		skipped=$((skipped + 1))
	else
		all="$all $t"
	fi
done
set -- $all
half=$(($# / 2))
first= second= i=0
for t in "$@"; do
	i=$((i + 1))
	if [ "$i" -le "$half" ]; then
		first="$first $t"
	else
		second="$second $t"
	fi
done
# shellcheck disable=SC2086 # lists of file names without spaces
POP3D_VALGRIND="$vg --log-file=$logs/vg.%p" \
    sh tests/run-transcripts.sh $first >"$logs/first.out" &
POP3D_VALGRIND="$vg --log-file=$logs/vg.%p" \
    sh tests/run-transcripts.sh $second >"$logs/second.out"
wait
cat "$logs/first.out" "$logs/second.out" >"$logs/transcripts.out"
tp=$(grep -c '^ok ' "$logs/transcripts.out")
tf=$(grep -c '^FAIL ' "$logs/transcripts.out")
grep '^FAIL ' "$logs/transcripts.out"
runs=$(find "$logs" -name 'vg.*' -type f | wc -l)
# A log with anything in it is an error report (-q: nothing else).
errs=$(find "$logs" -name 'vg.*' -type f -size +0c | wc -l)
if [ "$tf" = 0 ] && [ "$errs" = 0 ] && [ "$runs" -gt 0 ]; then
	echo "ok valgrind:transcripts ($tp transcripts, $runs processes)"
	pass=$((pass + 1))
else
	echo "FAIL valgrind:transcripts ($tf failed, $errs of $runs" \
	    "processes with errors)"
	find "$logs" -name 'vg.*' -type f -size +0c -exec cat {} + >&2
	fail=$((fail + 1))
fi
echo "$pass passed, $fail failed, $skipped skipped"
[ "$fail" = 0 ]
