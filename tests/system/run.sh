#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# System tests: boots the emulated arm64 KVM host (tests/rig) once per
# interrupt controller, runs the in-host scenarios of tests/system/host/
# there, and checks what they and the outer machine saw. Prints one line
# per case and a closing "N passed, N failed".
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/rig/common.sh"
. "$top/tests/rig/button.sh"

results=${RIG_RESULTS:-$top/build/system}
mkdir -p "$results"
passed=0
failed=0

pass() { echo "ok - $1"; passed=$((passed + 1)); }
flunk() { echo "not ok - $1"; failed=$((failed + 1)); }

image=$(sh "$top/tests/rig/kernel.sh") || exit 1
sh "$top/tests/rig/initramfs.sh" "$image" "$results" >/dev/null || exit 1

# boot_host GIC SCRIPT EXPECTED_CASES: one emulated-host boot.
boot_host() {
	gic=$1 script=$2 want=$3
	log="$results/$script-gicv$gic.log"

	echo "# booting the emulated host (GICv$gic) for $script"
	sh "$top/tests/rig/qemu.sh" "$gic" "$image" "$results/host.cpio" \
		"$script" 900 >"$log" 2>&1
	report "$gic" "$script" "$want" "$log"
}

# report GIC SCRIPT EXPECTED_CASES LOG: count what the in-host script said.
report() {
	gic=$1 script=$2 want=$3 log=$4
	if ! grep -q "rig: script $script exited" "$log"; then
		flunk "GICv$gic $script: the emulated host did not finish; see $log"
		tail -20 "$log" | sed 's/^/# /'
		return
	fi
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
		flunk "GICv$gic $script: $n cases reported, $want expected; see $log"
}

# check_blinks GIC BUS TRACE: in each run's part of QEMU's trace, output 0
# went 1 0 1 0 1 and output 1 went 1 0 1, in that order.
check_blinks() {
	gic=$1 bus=$2 trace=$3
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
		name="gicv$gic $bus run $run: QEMU's trace shows the guest's blinks in order"
		case "$l0" in
		*"1 0 1 0 1 ") case "$l1" in
			*"1 0 1 ") pass "$name"; continue ;;
			esac ;;
		esac
		flunk "$name: output 0 went '$l0', output 1 went '$l1'"
	done
	[ "$run" -gt 0 ] || flunk "gicv$gic $bus: the guest never got ready for presses"
}

# boot_passthrough GIC BUS: the pass-through scenario, with the PL061 as
# a platform device (dtb.sh) or as the stock AMBA device.
boot_passthrough() {
	gic=$1 bus=$2
	log="$results/passthrough-$bus-gicv$gic.log"
	trace="$results/passthrough-$bus-gicv$gic.trace"
	sock="$results/monitor-$bus-$gic.sock"
	dtb=

	if [ "$bus" = platform ]; then
		dtb="$results/platform-gicv$gic.dtb"
		sh "$top/tests/rig/dtb.sh" "$gic" "$dtb"
	fi
	echo "# booting the emulated host (GICv$gic, PL061 on the $bus bus) for passthrough"
	rm -f "$sock" "$trace"
	: >"$trace"
	RIG_DTB=$dtb RIG_MONITOR=$sock RIG_TRACE=$trace \
		sh "$top/tests/rig/qemu.sh" "$gic" "$image" "$results/host.cpio" \
		passthrough 900 >"$log" 2>&1 &
	qpid=$!
	press_when_ready "$log" "$sock" "$trace" "$qpid"
	wait "$qpid"
	# The platform bus run adds the reset_required case (host patch 3)
	# and the R-Car GPIO stand-in's three (dtb.sh).
	# ... and the soak runs on the GICv3 host's platform bus only.
	want=$([ "$bus" = platform ] && echo 40 || echo 36)
	[ "$gic" = 3 ] && [ "$bus" = platform ] && want=41
	report "$gic" passthrough "$want" "$log"
	check_blinks "$gic" "$bus" "$trace"
	check_reset "$gic" "$bus" "$trace"
	check_rtc "$gic" "$bus" "$log"
}

# check_reset GIC BUS TRACE: between a run's "ready" mark and the moment
# the VMM had released the device, the guest writes no output, so a fall
# of output 0 (which the guest left high) is the PL061 reset module's.
check_reset() {
	gic=$1 bus=$2 trace=$3
	run=0
	for mark in $(cat "$trace.marks"); do
		run=$((run + 1))
		end=$(sed -n "${run}p" "$trace.ends")
		name="gicv$gic $bus run $run: the reset drives the outputs low as the VMM lets go"
		if [ -n "$end" ] && sed -n "$((mark + 1)),${end}p" "$trace" |
		   grep -q "setting output 0 to 0"; then
			pass "$name"
		else
			flunk "$name: no fall of output 0 in trace lines $((mark + 1))-${end:-?}"
		fi
	done
}

# check_rtc GIC BUS LOG: the time the guest read from the passed-through
# PL031 is the outer machine's (QEMU's RTC follows the host clock).
check_rtc() {
	gic=$1 bus=$2 log=$3
	name="gicv$gic $bus: the guest reads the outer machine's time from the passed-through RTC"
	got=$(tr -d '\r' <"$log" | sed -n 's/^guest: rtc: .* reads \([0-9]*\) s.*/\1/p' | head -1)
	now=$(date +%s)
	if [ -n "$got" ] && [ "$got" -gt $((now - 900)) ] && [ "$got" -le "$now" ]; then
		pass "$name"
	else
		flunk "$name: guest read '${got}', now is $now"
	fi
}

# check_dtb GIC: the blob --dump-dtb wrote decompiles without a warning.
check_dtb() {
	log="$results/boot-gicv$1.log"
	dtb="$results/guest-gicv$1.dtb"
	name="gicv$1 --dump-dtb blob decompiles with dtc without warnings"

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

# check_stats_json GIC: the --stats object boot.sh printed is valid JSON,
# with one entry per vCPU and the console among its devices.
check_stats_json() {
	log="$results/boot-gicv$1.log"
	json="$results/stats-gicv$1.json"
	name="gicv$1 --stats writes valid JSON (2 vCPUs, console bytes counted)"

	tr -d '\r' <"$log" | sed -n '/^stats-begin/,/^stats-end/p' | sed '1d;$d' >"$json"
	if jq -e '(.vcpus | length) == 2 and
		  ([.devices[] | select(.type == "virtio-console") | .bytes_out] | .[0] > 0)' \
		  "$json" >/dev/null 2>"$json.err"; then
		pass "$name"
	else
		flunk "$name: $(head -2 "$json.err" | tr '\n' ' ')(see $json)"
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

check_series
for gic in 3 2; do
	boot_host "$gic" boot 43
	check_dtb "$gic"
	check_stats_json "$gic"
	boot_passthrough "$gic" platform
	boot_passthrough "$gic" amba
done

echo "system: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
