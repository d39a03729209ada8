#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make bench: lkvm-rcar against QEMU and kvmtool in the rig. Boots the
# emulated host five times (VHE with GICv3 for every figure, VHE with
# GICv2 for boot and start-up, the Salvator-X's nVHE, GICv2 and SMMU for
# boot, start-up and pass-through, and once more for the cost of pinning
# guest RAM for type1; VHE with GICv3 keeping the PL061 for pass-through
# against virtio-gpio), where tests/bench/host/bench.sh runs the VMMs
# alternately, and turns what it printed into a table on stdout and, in
# BENCH_OUT (default
# build/bench/results): bench.json, bench.csv, bench.md, bench.png and the
# raw runs, raw.jsonl.
#
# Figures are medians over the repetitions with their min-max spread. The
# rig is nested emulation: only the ratios between the VMMs mean much.
#
# BENCH_QUICK=1: one repetition of everything, small sizes; it checks that
# every figure is produced, not what it is (make check runs it).
#
# BENCH_REPORT=1: no runs: the figures again from the last bench's logs
# in build/bench/work (after a change to figures.jq, say); BENCH_QUICK as
# that bench had it.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/rig/common.sh"
. "$top/tests/rig/button.sh"

out=${BENCH_OUT:-$top/build/bench/results}
work="$top/build/bench/work"
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	reps=1 mib=1 count=1000 presses=2 limit=900 blkmib=4 blkops=256 series=2 startups=1
else
	reps=5 mib=32 count=20000 presses=10 limit=3600 blkmib=64 blkops=4096 series=12 startups=24
fi
mkdir -p "$out" "$work"

image=$(sh "$top/tests/rig/kernel.sh") || exit 1
qemu_root=$(sh "$top/tests/rig/qemu-peer.sh") || exit 1
# kvmtool is the second peer where its source is beside the checkout; a
# bench without it says so in its column.
kvmtool=$(sh "$top/tests/rig/kvmtool-peer.sh") ||
	{ kvmtool=; echo "# bench: no kvmtool to compare with (see above)"; }
report_only=${BENCH_REPORT:-0}
[ "$report_only" = 1 ] ||
	sh "$top/tests/rig/initramfs.sh" "$image" "$work" "$qemu_root" "$kvmtool" >/dev/null || exit 1

# host CELL PARTS [LAYOUT [TAG]]: one emulated-host boot (tests/rig/cell.sh)
# running bench.sh; the PL061 is a platform device, as on the R-Car
# board, or with LAYOUT keys the host keeps it (dtb.sh). Its log is
# $work/CELL.log (CELL-LAYOUT.log), QEMU's trace of the PL061's outputs
# beside it; a second boot of the same host has TAG in its log's name
# (CELL.TAG.log), and its runs are the host's. With diskdev among the
# PARTS the host gets a disk of its own (its /dev/vda), blkmib MiB on a
# sparse file here, which bench.sh writes whole before its runs.
host() {
	[ "$report_only" = 1 ] && return 0
	cell=$1 parts=$2 layout=${3:-platform}
	name=$cell
	[ "$layout" = platform ] || name=$cell-$layout
	[ -z "${4:-}" ] || name=$name.$4
	log="$work/$name.log" sock="$work/monitor.sock" trace="$work/$name.trace"
	dtb="$work/$layout-$cell.dtb"
	drive=
	case ",$parts," in
	*,diskdev,*)
		drive="$work/host-disk.img"
		rm -f "$drive"
		truncate -s "${blkmib}M" "$drive" ;;
	esac
	# pin: the RTC stays out of the SMMU, to compare no-IOMMU with type1.
	RIG_NO_IOMMU=pl031@9010000 sh "$top/tests/rig/dtb.sh" "$cell" "$dtb" "$layout"
	echo "# bench: booting the emulated host ($name) for $parts"
	rm -f "$sock"
	# Emptied before QEMU starts: the harness reads it at once.
	: >"$log"
	: >"$trace"
	RIG_PREALLOC=1 RIG_DTB=$dtb RIG_MONITOR=$sock RIG_TRACE=$trace RIG_DRIVE=$drive \
	RIG_APPEND="rig.parts=$parts rig.reps=$reps rig.mib=$mib rig.count=$count rig.presses=$presses rig.blkmib=$blkmib rig.blkops=$blkops rig.series=$series rig.startups=$startups" \
		sh "$top/tests/rig/qemu.sh" "$cell" "$image" "$work/bench-host.cpio" \
		bench "$limit" >"$log" 2>&1 &
	qpid=$!
	press_when_ready "$log" "$sock" "$trace" "$qpid"
	wait "$qpid"
	grep -q '^bench: done' "$log" || echo "# bench: $name host did not finish; see $log"
}

hosts="vhe-gicv3-noiommu vhe-gicv2-noiommu nvhe-gicv2-smmu nvhe-gicv2-smmu.pin vhe-gicv3-noiommu-keys"
host vhe-gicv3-noiommu series,boot,startup,memory,mmio,irq,console,disk,diskdev
host vhe-gicv2-noiommu boot,startup
# The Salvator-X's configuration: nVHE on Cortex-A57, GICv2, the SMMU.
host nvhe-gicv2-smmu series,boot,startup,mmio,irq
# Pinning guest RAM in a host of its own: what a first write to the
# emulated host's memory costs depends on the runs before
# (docs/performance.md), so they do not follow the dozens of guests of
# the series, boot and start-up runs.
host nvhe-gicv2-smmu pin platform pin
# Pass-through against shared lines (virtio-gpio): the host keeps the PL061.
host vhe-gicv3-noiommu gpio keys

# Each "bench-result FIGURE VMM CASE {run} {stats}" line becomes one JSON
# object; the pass-through and interrupt lines are kept as they are.
for name in $hosts; do
	tr -d '\r' <"$work/$name.log" | sed -n 's/^bench-result //p' |
	while read -r fig vmm case rest; do
		printf '%s\n' "$rest" | jq -c -s --arg h "${name%.*}" --arg f "$fig" \
			--arg v "$vmm" --arg c "$case" \
			'{ host: $h, figure: $f, vmm: $v, case: $c, run: .[0], stats: .[1] }'
	done
done >"$out/raw.jsonl"
# QEMU's own words on the PL061, without its program name and options:
# without an IOMMU, and behind the SMMU.
qemu_says() {
	tr -d '\r' <"$work/$1.log" | sed -n 's/^bench-qemu-passthrough status [0-9]* //p' |
		head -1 | sed 's/^qemu-system-aarch64: -device [^ ]*: //; s/^vfio [^:]*: //'
}
notes="no IOMMU: $(qemu_says vhe-gicv3-noiommu); behind the SMMU: $(qemu_says nvhe-gicv2-smmu)"
delivered() {
	tr -d '\r' <"$work/$1.log" | sed -n 's/^guest: gpio: \([0-9]*\) button interrupts.*/\1/p' | head -1
}

strip="$work/lkvm-rcar.stripped"
${CROSS_COMPILE:-aarch64-linux-gnu-}strip -o "$strip" "$top/lkvm-rcar"
lkvm_size=$(stat -c %s "$strip")
qemu_bin=$(stat -c %s "$qemu_root/usr/bin/qemu-system-aarch64")
qemu_all=$(du -sb --exclude=.complete "$qemu_root" | cut -f1)
kvmtool_size=0
if [ -n "$kvmtool" ]; then
	${CROSS_COMPILE:-aarch64-linux-gnu-}strip -o "$work/lkvm-static.stripped" "$kvmtool"
	kvmtool_size=$(stat -c %s "$work/lkvm-static.stripped")
fi

# Press to answer (bench.sh's react runs): each change of line 2 in QEMU's
# trace is a guest's answer to the last rise of line 3 before it; both
# lines carry the outer clock's time (pid@seconds.microseconds:). The
# first half of the answers are the pass-through run's, the rest the
# virtio-gpio run's.
reactions=$(tr -d '\r' <"$work/vhe-gicv3-noiommu-keys.trace" 2>/dev/null | awk -F'[@:]' '
	/input 3 changed to 1/ { press = $2 }
	/setting output 2 to/ && press != "" { ms[n++] = ($2 - press) * 1000; press = "" }
	END {
		half = int(n / 2)
		printf "{ \"passthrough\": ["
		for (i = 0; i < half; i++) printf "%s%.3f", (i ? ", " : ""), ms[i]
		printf "], \"virtio\": ["
		for (i = half; i < n; i++) printf "%s%.3f", (i > half ? ", " : ""), ms[i]
		printf "] }\n"
	}')

# Every guest toggle of line 0 is one level change in QEMU's trace.
toggles_seen=$(grep -c "setting output 0 to" "$work/vhe-gicv3-noiommu-keys.trace" 2>/dev/null || echo 0)
toggles_expected=$((2 * reps * count))

jq -s -f "$top/tests/bench/figures.jq" \
	--argjson toggles_seen "$toggles_seen" --argjson toggles_expected "$toggles_expected" \
	--argjson reactions "${reactions:-null}" \
	--argjson presses "$presses" --argjson delivered "$(delivered vhe-gicv3-noiommu | grep . || echo null)" \
	--argjson delivered_nvhe "$(delivered nvhe-gicv2-smmu | grep . || echo null)" \
	--arg qemu_passthrough "${notes:-no answer}" --argjson mib "$mib" \
	--argjson lkvm_size "$lkvm_size" --argjson qemu_bin "$qemu_bin" \
	--argjson qemu_all "$qemu_all" --argjson reps "$reps" --argjson kvmtool_size "$kvmtool_size" \
	"$out/raw.jsonl" >"$out/bench.json" || die "bench: cannot compute the figures from $out/raw.jsonl"

sh "$top/tests/bench/report.sh" "$out"
