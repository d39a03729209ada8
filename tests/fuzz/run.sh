#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs each libFuzzer target for SECONDS and prints its executions and
# coverage. tests/fuzz/corpus/TARGET is the seed corpus in the tree (and
# holds kept reproducers); what the fuzzer adds goes to build/fuzz.
# A crash fails the run, and its input is copied into the seed corpus so
# that every later run replays it.
#
# Usage: run.sh SECONDS TARGET...
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
seconds=$1
shift
failed=0
passed=0

for t in "$@"; do
	bin="$top/build/fuzz/fuzz_$t"
	work="$top/build/fuzz/corpus/$t"
	seeds="$top/tests/fuzz/corpus/$t"
	log="$top/build/fuzz/$t.log"
	mkdir -p "$work" "$seeds"
	"$bin" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 \
		-rss_limit_mb=1024 -artifact_prefix="$top/build/fuzz/$t-" \
		"$work" "$seeds" >"$log" 2>&1
	status=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | tr -dc 0-9)
	if [ "$status" -eq 0 ] && [ -n "$runs" ]; then
		echo "ok - fuzz $t: $runs executions in ${seconds}s, $cov coverage points, no finding"
		passed=$((passed + 1))
	else
		for a in "$top/build/fuzz/$t-"*; do
			[ -e "$a" ] || continue
			cp "$a" "$seeds/"
			echo "# reproducer kept: tests/fuzz/corpus/$t/$(basename "$a")"
		done
		grep -m 5 -E 'ERROR|runtime error|SUMMARY' "$log" | sed 's/^/# /'
		echo "not ok - fuzz $t: finding (exit status $status); see $log"
		failed=$((failed + 1))
	fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
