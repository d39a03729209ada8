#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The bench's verdict on made-up runs, without the rig: a peer that lost
# its console output (some of it, all of it, or with no record at all) is
# a note in the table and the bench passes; lkvm-rcar losing a byte, or
# one of its own figures missing, fails it. The runs are those of the
# last full bench (tests/bench/results/raw.jsonl), altered with jq.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
raw="$top/tests/bench/results/raw.jsonl"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

# verdict NAME WANT(pass|fail) NOTE_PATTERN JQ_FILTER: alter the runs (one
# array) with JQ_FILTER, compute and report them, compare.
verdict() {
	name=$1 want=$2 note=$3 filter=$4
	jq -c -s "$whole | $filter | .[]" "$raw" >"$work/raw.jsonl"
	jq -s -f "$top/tests/bench/figures.jq" --argjson presses 10 --argjson delivered 10 \
		--argjson toggles_seen 2 --argjson toggles_expected 2 \
		--argjson reactions '{ "passthrough": [1], "virtio": [2] }' \
		--argjson delivered_nvhe 10 \
		--arg qemu_passthrough "no answer" --argjson mib 32 --argjson lkvm_size 1 \
		--argjson qemu_bin 1 --argjson qemu_all 1 --argjson reps 5 --argjson kvmtool_size 1 \
		"$work/raw.jsonl" >"$work/bench.json" 2>"$work/jq.err"
	got=fail
	sh "$top/tests/bench/report.sh" "$work" >"$work/report.out" 2>&1 && got=pass
	said=$(jq -r '.rows[] | select(.id == "console_mib_s") | .note // ""' "$work/bench.json" 2>/dev/null)
	if [ "$got" = "$want" ] && printf '%s\n' "$said" | grep -q -e "$note"; then
		echo "ok - bench verdict: $name"
		passed=$((passed + 1))
	else
		echo "not ok - bench verdict: $name: the bench said $got (wanted $want), note '$said'"
		sed 's/^/# /' "$work/jq.err" "$work/report.out" | tail -5
		failed=$((failed + 1))
	fi
}

qemu_console='.figure == "console" and .vmm == "qemu"'
# The recorded runs as if every QEMU console run had arrived whole: the
# ones it lost (and ran again) are left out, so each case starts clean.
whole="map(select(($qemu_console) and
	(((.run.marks[\"bench-crc32\"].line // \"\" |
	   capture(\"bench-crc32 (?<crc>[0-9a-fA-F]+) +(?<n>[0-9]+)\")?) // null) as \$c |
	 \$c == null or (.run.data.crc32 | ascii_downcase) != (\$c.crc | ascii_downcase) or
	 (.run.data.bytes | tostring) != \$c.n) | not))"
n=$(jq -s "$whole | map(select($qemu_console)) | length" "$raw")
verdict "every run whole" pass '^$' '.'
verdict "QEMU delivered nothing, no checksum line" pass "QEMU lost console output in $n of $n" \
	"map(if $qemu_console then .run.data.bytes = 0 | .run.marks = {} else . end)"
verdict "QEMU lost part of its output once" pass "QEMU lost console output in 1 of $n" \
	". as \$a | ([range(length)] | map(select(\$a[.] | $qemu_console)) | first) as \$i |
	 .[\$i].run.data.bytes -= 100"
verdict "QEMU left no record of its runs" pass "QEMU lost console output in $n of $n" \
	"map(if $qemu_console then .run = null else . end)"
verdict "lkvm-rcar lost a byte" fail "" \
	'map(if .figure == "console" and .vmm == "lkvm-rcar" then .run.data.bytes -= 1 else . end)'
verdict "lkvm-rcar gave no boot figure" fail "" \
	'map(if .figure == "boot" and .vmm == "lkvm-rcar" then .run.marks = {} else . end)'
verdict "QEMU gave no boot figure" pass "" \
	'map(if .figure == "boot" and .vmm == "qemu" then .run.marks = {} else . end)'

echo "bench verdicts: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
