#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Turns OUT/bench.json (figures.jq) into the table on stdout, bench.csv,
# bench.md (the README's table) and bench.png (gnuplot: the headline
# ratios). Fails, naming them, when lkvm-rcar's own figures are missing
# or its console lost a byte; a peer's missing value is a note in the
# table (figures.jq), never a failure.
#
# Usage: report.sh OUT
set -u

out=$1
json="$out/bench.json"

# Numbers to 3 significant digits, "-" for none.
fmt='def n: if . == null then "-" elif . >= 100 then (. + 0.5 | floor | tostring)
	  else (. * 1000 + 0.5 | floor) / 1000 | tostring end;
	def cell: if . == null then "-" else "\(.median | n) (\(.min | n)-\(.max | n))" end;
	def adv: if . == null then "-" else "\(. * 100 + 0.5 | floor / 100)x" end;'

jq -r "$fmt"'.rows[] | [ .figure, .unit, (.lkvm | cell), (.qemu | cell), (.advantage | adv),
	(.kvmtool | cell), (.advantage_kvmtool | adv), (.note // "") ] | @tsv' "$json" |
	awk -F'\t' 'BEGIN { printf "%-62s %-10s %-26s %-26s %-9s %-26s %-9s\n", "figure", "unit",
			     "lkvm-rcar median (spread)", "QEMU median (spread)", "better by",
			     "kvmtool median (spread)", "better by" }
		    { printf "%-62s %-10s %-26s %-26s %-9s %-26s %-9s %s\n", $1, $2, $3, $4, $5, $6, $7, $8 }'

jq -r '["id","figure","unit","better","lkvm_median","lkvm_min","lkvm_max","qemu_median","qemu_min","qemu_max","advantage",
	"kvmtool_median","kvmtool_min","kvmtool_max","advantage_kvmtool","note"],
	(.rows[] | [ .id, .figure, .unit, .better, .lkvm.median, .lkvm.min, .lkvm.max,
		     .qemu.median, .qemu.min, .qemu.max, .advantage,
		     .kvmtool.median, .kvmtool.min, .kvmtool.max, .advantage_kvmtool, .note ]) | @csv' "$json" >"$out/bench.csv"

{
	echo "| figure | unit | lkvm-rcar | QEMU | better than QEMU by | kvmtool | better than kvmtool by |"
	echo "| --- | --- | --- | --- | --- | --- | --- |"
	jq -r "$fmt"'.rows[] | "| \(.figure) | \(.unit) | \(.lkvm | cell) | \(if .qemu == null then (.note // "-") else (.qemu | cell) end) | \(.advantage | adv) | \(.kvmtool | cell) | \(.advantage_kvmtool | adv) |"' "$json"
} >"$out/bench.md"

# The chart: the ratios that say most about a VMM's cost.
jq -r '{ "boot_gicv3": "boot, GICv3", "boot_gicv2": "boot, GICv2", "boot_nvhe": "boot, nVHE+SMMU",
	  "startup_cpu": "start-up CPU", "startup_wall": "start-up wall",
	  "peak_rss_512M-2cpu": "peak RSS", "overhead_512M-2cpu": "memory overhead",
	  "console_mib_s": "console MiB/s", "console_cpu": "console CPU/MiB" } as $names |
	.rows[] | select(.advantage != null and $names[.id] != null) |
	"\"\($names[.id])\" \(.advantage)"' "$json" >"$out/chart.dat" || exit 1
if [ -s "$out/chart.dat" ]; then
	gnuplot <<EOF || { echo "bench: gnuplot could not draw $out/bench.png" >&2; exit 1; }
set terminal pngcairo size 800,420 font "sans,10" noenhanced
set output "$out/bench.png"
set title "lkvm-rcar against QEMU in the rig: how many times better (above 1: lkvm-rcar; log scale)"
set style fill solid 0.8
set boxwidth 0.6
set logscale y
set yrange [0.3:*]
set grid ytics
set xtics rotate by -25
set arrow from graph 0, first 1 to graph 1, first 1 nohead dashtype 2
unset key
plot "$out/chart.dat" using 0:2:xtic(1) with boxes lc rgb "#3572a5", \
     "" using 0:2:(sprintf("%.2fx", \$2)) with labels offset 0,0.8
EOF
fi

missing=$(jq -r '.rows[] | select(.lkvm == null) | .id' "$json")
if [ -n "$missing" ]; then
	echo "bench: figures missing: $(echo $missing)" >&2
	exit 1
fi
if [ "$(jq '.meta.console_checksums' "$json")" != true ]; then
	echo "bench: a console run's checksum did not match what the guest sent" >&2
	exit 1
fi
echo "bench: every figure produced; results in $out"
