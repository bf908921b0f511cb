#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/fuzz-run.sh NAME SECONDS SLOW: runs the libFuzzer binary
# tests/fuzz_NAME (built by make) for SECONDS, starting from the
# checked-in corpus tests/corpus/NAME and tests/fuzz_NAME.dict if
# there is one.  New inputs go to tests/scratch/fuzz-NAME, a crash,
# leak or hang (an input slower than SLOW seconds) to
# tests/scratch/NAME-*, and the exit status is libFuzzer's: not 0
# for any of them.  Turn what it finds into a corpus file and a test.
set -u
name=$1 secs=$2 slow=$3
bin=tests/fuzz_$name
[ -x "$bin" ] || { echo "fuzz-run.sh: no $bin; run make $bin" >&2; exit 1; }
mkdir -p "tests/scratch/fuzz-$name" || exit 1
here=$(pwd)
set -- -max_total_time="$secs" -timeout="$slow" -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$here/tests/scratch/$name-"
for d in "tests/fuzz_$name.dict" "tests/$name.dict"; do
	[ -f "$d" ] && { set -- "$@" -dict="$d"; break; }
done
echo "fuzz: $name for ${secs}s" >&2
# detect_leaks: a leak fails the run like a crash does.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
    "./$bin" "$@" "$here/tests/scratch/fuzz-$name" \
    "$here/tests/corpus/$name" \
    2>"tests/scratch/fuzz-$name.log"
rc=$?
grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::peak_rss)' \
    "tests/scratch/fuzz-$name.log" >&2
if [ "$rc" != 0 ]; then
	echo "FAIL fuzz:$name (exit $rc; see tests/scratch/fuzz-$name.log)"
	tail -40 "tests/scratch/fuzz-$name.log" >&2
	exit 1
fi
echo "ok fuzz:$name"
