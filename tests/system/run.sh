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
		"$script" 300 >"$log" 2>&1
	qstatus=$?
	if ! grep -q "rig: script $script exited" "$log"; then
		flunk "GICv$gic $script: the emulated host did not finish (qemu status $qstatus); see $log"
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

for gic in 3 2; do
	boot_host "$gic" boot 8
	check_dtb "$gic"
done

echo "system: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
