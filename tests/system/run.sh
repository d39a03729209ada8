#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# System tests: boots the emulated arm64 KVM host (tests/rig) in the
# rig's configurations (tests/rig/cell.sh), runs the in-host scenarios of
# tests/system/host/ there, and checks what they and the outer machine
# saw. Prints one line per case and a closing "N passed, N failed".
#
# Every configuration runs the pass-through scenario (blinks in QEMU's
# trace, N presses give N guest interrupts, the binding back, exit 0);
# three run everything: VHE with GICv3 and with GICv2 without an IOMMU,
# and what the Salvator-X runs, nVHE on a Cortex-A57 with GICv2 and the
# SMMU. The shared-lines tests (--gpio) and the disk tests (--disk,
# --rng) run on GICv3 and on the Salvator-X's GICv2; the docs' board
# examples (tests/docs/examples.sh) on the Salvator-X's configuration.
# RIG_CELLS_ONLY="CELL..." limits the run to the
# cells named, RIG_SUITES_ONLY="boot passthrough gpio disk docs" to the suites
# named; RIG_VMM=FILE tests that VMM instead of ./lkvm-rcar.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/rig/common.sh"
. "$top/tests/rig/button.sh"
. "$top/tests/rig/cell.sh"

results=${RIG_RESULTS:-$top/build/system}
mkdir -p "$results"
passed=0
failed=0

pass() { echo "ok - $1"; passed=$((passed + 1)); }
flunk() { echo "not ok - $1"; failed=$((failed + 1)); }

image=$(sh "$top/tests/rig/kernel.sh") || exit 1
sh "$top/tests/rig/initramfs.sh" "$image" "$results" >/dev/null || exit 1

# boot_host CELL SCRIPT EXPECTED_CASES [LAYOUT [DRIVE]]: one emulated-host
# boot, on QEMU's own device tree or on dtb.sh's LAYOUT of it, with the
# file DRIVE as the host's disk if given.
boot_host() {
	cell=$1 script=$2 want=$3 layout=${4:-} drive=${5:-}
	log="$results/$script-$cell.log"
	dtb=

	cell_parse "$cell"
	if [ -n "$layout" ]; then
		dtb="$results/$layout-$cell.dtb"
		sh "$top/tests/rig/dtb.sh" "$cell" "$dtb" "$layout"
	fi
	echo "# booting the emulated host ($(cell_describe)${layout:+, dtb.sh $layout}) for $script"
	RIG_DTB=$dtb RIG_DRIVE=${drive:-} sh "$top/tests/rig/qemu.sh" "$cell" "$image" \
		"$results/host.cpio" "$script" 900 >"$log" 2>&1
	report "$cell" "$script" "$want" "$log"
}

# check_cell CELL LOG: the host ran in the configuration asked for, not
# in a fallback: KVM's mode from its log, the interrupt controller, the
# IOMMU (host-init's "rig: cell" line).
check_cell() {
	cell_parse "$1"
	said=$(tr -d '\r' <"$2" | sed -n 's/^rig: cell [^:]*: //p' | head -1)
	kvm="VHE mode initialized"
	[ "$cell_kvm" = nvhe ] && kvm="Hyp mode initialized"
	irqchip=GICv3
	[ "$cell_gic" = 2 ] && irqchip=GICv2
	iommus="iommus ''"
	[ "$cell_iommu" = smmu ] && iommus="iommus 'smmu3."
	case "$said" in
	"kvm '$kvm successfully', irqchip '$irqchip', $iommus"*)
		pass "$1: the host runs $(cell_describe) (dmesg, /proc/interrupts, /sys/class/iommu)" ;;
	*)	flunk "$1: the host runs $(cell_describe): it says '$said'" ;;
	esac
}

# check_vmm CELL LOG: with RIG_VMM_VERSION, the host ran the VMM of that
# version (make deb-check: the packaged one, not the tree's).
check_vmm() {
	[ -n "${RIG_VMM_VERSION:-}" ] || return 0
	said=$(tr -d '\r' <"$2" | sed -n "s/^rig: vmm '\(.*\)'$/\1/p" | head -1)
	if [ "$said" = "lkvm-rcar $RIG_VMM_VERSION" ]; then
		pass "$1: the host runs $said (the VMM under test)"
	else
		flunk "$1: the host runs lkvm-rcar $RIG_VMM_VERSION: it says '$said'"
	fi
}

# report CELL SCRIPT EXPECTED_CASES LOG: count what the in-host script said.
report() {
	cell=$1 script=$2 want=$3 log=$4
	if ! grep -q "rig: script $script exited" "$log"; then
		flunk "$cell $script: the emulated host did not finish; see $log"
		tail -20 "$log" | sed 's/^/# /'
		return
	fi
	check_cell "$cell" "$log"
	check_vmm "$cell" "$log"
	n=0
	while IFS= read -r line; do
		case "$line" in
		"ok - "*) pass "${line#ok - }"; n=$((n + 1)) ;;
		"not ok - "*) flunk "${line#not ok - }"; n=$((n + 1)) ;;
		"| "*|"--- "*) echo "# $line" ;;
		esac
	done <<-LOG
	$(tr -d '\r' <"$log")
	LOG
	[ "$n" -eq "$want" ] ||
		flunk "$cell $script: $n cases reported, $want expected; see $log"
	check_stats_schema "$log"
}

# check_power_cut CELL LOG DRIVE: after the disk script's power cut
# (tests/system/host/disk.sh, its last case), the host's disk, the file
# DRIVE here, holds the token the guest synced and not the control it
# wrote and never flushed.
check_power_cut() {
	token=$(tr -d '\r' <"$2" | sed -n 's/^rig: power cut: token //p' | head -1)
	synced=$(dd if="$3" bs=512 skip=8 count=1 2>/dev/null | tr -d '\0' | head -1)
	control=$(dd if="$3" bs=512 skip=24 count=1 2>/dev/null | tr -d '\0' | head -1)
	if [ -z "$token" ]; then
		flunk "$1: the power cut after the guest's fsync: the host did not get to it; see $2"
	elif ! tr -d '\r' <"$2" | grep -q "^rig: power cut: guest said: written, not flushed, $token"; then
		flunk "$1: the power cut: the guest did not write its unflushed control; see $2"
	elif [ "$control" = "lkvm-rcar-unflushed-$token" ]; then
		flunk "$1: the power cut: the write the guest never flushed reached the disk too, so the case cannot tell a flush from none"
	elif [ "$synced" = "lkvm-rcar-synced-$token" ]; then
		pass "$1: the host loses power right after the guest's fsync (the VMM killed first): its disk holds the synced data, and not the write never flushed"
	else
		flunk "$1: the host's disk holds what the guest synced before the power cut: sector 8 holds '$synced'"
	fi
}

# check_stats_schema LOG: each --stats object the in-host script printed
# (between stats-begin and stats-end) is what docs/stats.schema.json
# documents, field by field.
check_stats_schema() {
	run_name=$(basename "$1" .log)
	dir="$results/stats-$run_name"
	rm -rf "$dir" && mkdir -p "$dir"
	tr -d '\r' <"$1" | awk -v dir="$dir" '
		/^stats-end$/ { if (f) close(f); f = ""; next }
		f { print > f; next }
		/^stats-begin$/ { f = sprintf("%s/%02d.json", dir, ++n) }'
	set -- "$dir"/*.json
	[ -e "$1" ] || return 0
	name="$run_name: its $# --stats objects are as docs/stats.schema.json documents"
	types=$(jq -r '.devices[].type' "$dir"/*.json 2>/dev/null | sort -u | tr '\n' ' ')
	if said=$(/usr/bin/python3 "$top/tests/docs/stats-schema.py" \
		  "$top/docs/stats.schema.json" "$dir"/*.json 2>&1); then
		pass "$name (devices: $types)"
	else
		flunk "$name: $(echo "$said" | head -3 | tr '\n' ' ')"
	fi
}

# check_blinks CELL BUS TRACE: in each run's part of QEMU's trace, output
# 0 went 1 0 1 0 1 and output 1 went 1 0 1, in that order.
check_blinks() {
	cell=$1 bus=$2 trace=$3
	start=0
	run=0
	for mark in $(cat "$trace.marks"); do
		run=$((run + 1))
		part=$(sed -n "$((start + 1)),${mark}p" "$trace")
		start=$mark
		levels() {
			printf '%s\n' "$part" | sed -n "s/.*setting output $1 to \([01]\).*/\1/p" |
				uniq | tr '\n' ' '
		}
		l0=$(levels 0)
		l1=$(levels 1)
		name="$cell $bus run $run: QEMU's trace shows the guest's blinks in order"
		case "$l0" in
		*"1 0 1 0 1 ") case "$l1" in
			*"1 0 1 ") pass "$name"; continue ;;
			esac ;;
		esac
		flunk "$name: output 0 went '$l0', output 1 went '$l1'"
	done
	[ "$run" -gt 0 ] || flunk "$cell $bus: the guest never got ready for presses"
}

# boot_passthrough CELL BUS [scenario]: the pass-through tests, with the
# PL061 as a platform device or as the AMBA device (dtb.sh); all of
# them, or only the scenario.
boot_passthrough() {
	cell=$1 bus=$2 scope=${3:-all}
	log="$results/passthrough-$bus-$cell.log"
	trace="$results/passthrough-$bus-$cell.trace"
	sock="$results/monitor-$bus-$cell.sock"
	dtb="$results/$bus-$cell.dtb"

	cell_parse "$cell"
	sh "$top/tests/rig/dtb.sh" "$cell" "$dtb" "$bus"
	echo "# booting the emulated host ($(cell_describe), PL061 on the $bus bus) for passthrough ($scope)"
	rm -f "$sock" "$trace"
	# Emptied before QEMU starts: the harness reads it at once, and an
	# earlier run's "ready" lines must not pass for this one's.
	: >"$log"
	: >"$trace"
	RIG_DTB=$dtb RIG_MONITOR=$sock RIG_TRACE=$trace RIG_APPEND="rig.scope=$scope" \
		sh "$top/tests/rig/qemu.sh" "$cell" "$image" "$results/host.cpio" \
		passthrough 900 >"$log" 2>&1 &
	qpid=$!
	press_when_ready "$log" "$sock" "$trace" "$qpid"
	wait "$qpid"
	report "$cell" passthrough "$(passthrough_cases "$cell" "$bus" "$scope")" "$log"
	check_blinks "$cell" "$bus" "$trace"
	check_reset "$cell" "$bus" "$trace"
	[ "$scope" = all ] && check_rtc "$cell" "$bus" "$log"
}

# boot_gpio CELL: the shared-lines tests (--gpio), on QEMU's own tree:
# the host keeps the PL061, its gpio-keys holding line 3 until the test
# lets it go.
boot_gpio() {
	cell=$1
	log="$results/gpio-$cell.log"
	trace="$results/gpio-$cell.trace"
	sock="$results/monitor-gpio-$cell.sock"
	dtb="$results/keys-$cell.dtb"

	cell_parse "$cell"
	sh "$top/tests/rig/dtb.sh" "$cell" "$dtb" keys
	echo "# booting the emulated host ($(cell_describe), the host keeps the PL061) for gpio"
	rm -f "$sock" "$trace"
	: >"$log"
	: >"$trace"
	RIG_DTB=$dtb RIG_MONITOR=$sock RIG_TRACE=$trace \
		sh "$top/tests/rig/qemu.sh" "$cell" "$image" "$results/host.cpio" \
		gpio 900 >"$log" 2>&1 &
	qpid=$!
	press_when_ready "$log" "$sock" "$trace" "$qpid"
	wait "$qpid"
	# 6 bad inputs, gpio-keys let go, 3 runs of 7 and the host's own
	# drive of line 2, 4 cases of a VMM killed with its lines lent, the
	# 3 cases of both ways at once, the 3 cases of each of the two floods.
	report "$cell" gpio 47 "$log"
	check_blinks "$cell" gpio "$trace"
	# Run 1's part of the trace, up to the VMM's end: nothing but the host
	# program drives line 2 high (the board's reset leaves it low). Not
	# from run 1's "ready" mark: the host program may act before the
	# harness has noted it.
	to=$(sed -n 1p "$trace.ends")
	name="$cell gpio: QEMU's trace shows the host program driving line 2 while the guest ran"
	if [ -n "$to" ] && sed -n "1,${to}p" "$trace" | grep -q "setting output 2 to 1"; then
		pass "$name"
	else
		flunk "$name: no 'setting output 2 to 1' in lines 1-${to:-?} of $trace"
	fi
}

# passthrough_cases CELL BUS SCOPE: how many cases passthrough.sh reports.
passthrough_cases() {
	cell_parse "$1"
	# One run of 8 cases.
	[ "$3" = scenario ] && { echo 8; return; }
	# Three runs, make initramfs's guest, the error and recovery cases,
	# two devices at once...
	n=43
	# ... the reset_required case (host patch 3) and the R-Car GPIO
	# stand-in's three (dtb.sh) on the platform bus ...
	[ "$2" = platform ] && n=$((n + 4))
	# ... the three RLIMIT_MEMLOCK cases and hugetlbfs behind the SMMU ...
	[ "$cell_iommu" = smmu ] && n=$((n + 4))
	# ... and the soak in one cell.
	[ "$1" = vhe-gicv3-noiommu ] && [ "$2" = platform ] && n=$((n + 1))
	echo "$n"
}

# check_reset CELL BUS TRACE: between a run's "ready" mark and the moment
# the VMM had released the device, the guest writes no output, so a fall
# of output 0 (which the guest left high) is the PL061 reset module's.
check_reset() {
	cell=$1 bus=$2 trace=$3
	run=0
	for mark in $(cat "$trace.marks"); do
		run=$((run + 1))
		end=$(sed -n "${run}p" "$trace.ends")
		name="$cell $bus run $run: the reset drives the outputs low as the VMM lets go"
		if [ -n "$end" ] && sed -n "$((mark + 1)),${end}p" "$trace" |
		   grep -q "setting output 0 to 0"; then
			pass "$name"
		else
			flunk "$name: no fall of output 0 in trace lines $((mark + 1))-${end:-?}"
		fi
	done
}

# check_rtc CELL BUS LOG: the time the guest read from the passed-through
# PL031 is the outer machine's (QEMU's RTC follows the host clock).
check_rtc() {
	cell=$1 bus=$2 log=$3
	name="$cell $bus: the guest reads the outer machine's time from the passed-through RTC"
	got=$(tr -d '\r' <"$log" | sed -n 's/^guest: rtc: .* reads \([0-9]*\) s.*/\1/p' | head -1)
	now=$(date +%s)
	if [ -n "$got" ] && [ "$got" -gt $((now - 900)) ] && [ "$got" -le "$now" ]; then
		pass "$name"
	else
		flunk "$name: guest read '${got}', now is $now"
	fi
}

# check_dtb CELL: the blob --dump-dtb wrote decompiles without a warning.
check_dtb() {
	log="$results/boot-$1.log"
	dtb="$results/guest-$1.dtb"
	name="$1 --dump-dtb blob decompiles with dtc without warnings"

	tr -d '\r' <"$log" | sed -n '/^dtb-begin/,/^dtb-end/p' |
		sed '1d;$d' | base64 -d >"$dtb" 2>/dev/null
	if [ ! -s "$dtb" ]; then
		flunk "$name: no blob in the log"
	elif ! dtc -I dtb -O dts -o "$dtb.dts" "$dtb" 2>"$dtb.warn" ||
	     [ -s "$dtb.warn" ]; then
		flunk "$name: $(head -3 "$dtb.warn" | tr '\n' ' ')"
	else
		pass "$name"
	fi
}

# check_stats_json CELL: the --stats object boot.sh printed is valid JSON,
# with one entry per vCPU and the console among its devices.
check_stats_json() {
	log="$results/boot-$1.log"
	json="$results/stats-$1.json"
	name="$1 --stats writes valid JSON (2 vCPUs, console bytes counted)"

	tr -d '\r' <"$log" | sed -n '/^stats-begin/,/^stats-end/p' | sed '1d;$d' >"$json"
	if jq -e '(.vcpus | length) == 2 and
		  ([.devices[] | select(.type == "virtio-console") | .bytes_out] | .[0] > 0)' \
		  "$json" >/dev/null 2>"$json.err"; then
		pass "$name"
	else
		flunk "$name: $(head -2 "$json.err" | tr '\n' ' ')(see $json)"
	fi
	# Start-up and tear-down come in steps that add up to their totals.
	name="$1 --stats: start-up and tear-down in steps that add up to their wall time"
	if jq -e '([.startup.steps[].step] | index("kvm") != null and index("load") != null and
		   index("console") != null and index("dtb") != null and .[-1] == "first_run") and
		  ([.teardown.steps[].step] | .[0] == "stop" and index("devices") != null and .[-1] == "vm") and
		  ((([.startup.steps[].wall_ms] | add) - .startup.wall_ms) | fabs) < 0.05 and
		  ((([.teardown.steps[].wall_ms] | add) - .teardown.wall_ms) | fabs) < 0.05 and
		  ([.startup.steps[].cpu_ms] | add) <= .startup.cpu_ms + 0.05' \
		  "$json" >/dev/null 2>"$json.err"; then
		pass "$name"
	else
		flunk "$name: $(head -2 "$json.err" | tr '\n' ' ')(see $json)"
	fi
	# docs/ci.md's jq one-liners work on it (exit 0; the general ones
	# give a number).
	bad=
	sed -n 's/^| \([^|]*\) | `\(jq .*\) stats.json` |$/\2/p' "$top/docs/ci.md" | sed 's/\\|/|/g' >"$json.jq"
	while IFS= read -r cmd; do
		got=$(eval "$cmd \"\$json\"" 2>/dev/null) || bad="$bad [$cmd]"
		case "$cmd" in
		*select*) ;;
		*) case "$got" in [0-9]*) ;; *) bad="$bad [$cmd gave '$got']" ;; esac ;;
		esac
	done <"$json.jq"
	name="$1 docs/ci.md's $(grep -c . "$json.jq") jq one-liners read the --stats object"
	if [ -z "$bad" ] && [ "$(grep -c . "$json.jq")" -ge 8 ]; then
		pass "$name"
	else
		flunk "$name:${bad:- too few found}"
	fi
}

# check_series: every host patch passes checkpatch, and the one module the
# emulated board cannot run, the R-Car GPIO reset, is built into the rig
# kernel (kernel.sh applied the series, or stopped naming the patch).
check_series() {
	checkpatch=$(ls "$CACHE"/linux-src-*/scripts/checkpatch.pl | head -1)
	for p in $(sed -e 's/#.*//' "$top/host/patches/series"); do
		errors=$(perl "$checkpatch" --no-tree "$top/host/patches/$p" 2>&1 |
			sed -n 's/^total: \([0-9]*\) errors.*/\1/p')
		if [ "$errors" = 0 ]; then
			pass "host patch $p: checkpatch reports no errors"
		else
			flunk "host patch $p: checkpatch reports '${errors:-no summary}' errors"
		fi
	done
	if grep -q ' vfio_platform_rcar_gpio_reset$' "$image.map"; then
		pass "the R-Car GPIO reset module is compiled into the rig kernel"
	else
		flunk "the R-Car GPIO reset module is not in the rig kernel ($image.map)"
	fi
}

# want CELL: whether RIG_CELLS_ONLY (default: every cell) names it.
want() { case " $(echo ${RIG_CELLS_ONLY:-$RIG_CELLS}) " in *" $1 "*) return 0 ;; esac; return 1; }
# suite NAME: whether RIG_SUITES_ONLY (default: boot, passthrough, gpio and
# disk) names it. "scenario" alone runs the pass-through scenario in each
# cell named (make deb-check: the packaged VMM).
suite() { case " ${RIG_SUITES_ONLY:-boot passthrough gpio disk docs} " in *" $1 "*) return 0 ;; esac; return 1; }

suite boot && check_series
for cell in $RIG_CELLS; do
	want "$cell" && suite scenario && boot_passthrough "$cell" platform scenario
done
for cell in vhe-gicv3-noiommu vhe-gicv2-noiommu nvhe-gicv2-smmu; do
	want "$cell" || continue
	if suite boot; then
		boot_host "$cell" boot 67
		check_dtb "$cell"
		check_stats_json "$cell"
	fi
	if suite passthrough; then
		boot_passthrough "$cell" platform
		boot_passthrough "$cell" amba
	fi
	[ "$cell" != vhe-gicv2-noiommu ] && suite gpio && boot_gpio "$cell"
	# The disk and entropy tests (--disk, --rng), on a tree whose PL061
	# no host driver but its own holds, so that one case can pass it
	# through beside a disk.
	# The host's own disk: a block device to give a guest.
	if [ "$cell" != vhe-gicv2-noiommu ] && suite disk; then
		rm -f "$results/host-disk.img"
		truncate -s 8M "$results/host-disk.img"
		boot_host "$cell" disk 23 amba "$results/host-disk.img"
		check_power_cut "$cell" "$results/disk-$cell.log" "$results/host-disk.img"
		rm -f "$results/host-disk.img"
	fi
	# The docs' board examples as written (tests/docs/examples.sh), on the
	# Salvator-X stand-in: the R-Car GPIO stand-in named 9030400.gpio, its
	# lines 11-13 held by a gpio-keys node "keys".
	[ "$cell" = nvhe-gicv2-smmu ] && suite docs &&
		boot_host "$cell" docs "$(sh "$top/tests/docs/examples.sh" board | grep '^#@ ' | grep -vc '^#@ end$')" salvator
done
for cell in vhe-gicv3-smmu vhe-gicv2-smmu nvhe-gicv3-noiommu nvhe-gicv3-smmu nvhe-gicv2-noiommu; do
	want "$cell" && suite passthrough || continue
	boot_passthrough "$cell" platform scenario
done

echo "system: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
