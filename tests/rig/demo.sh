#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make demo: the GPIO pass-through scenario on the emulated board, told
# as it happens. The board's PL061 GPIO controller (a platform device, as
# on R-Car) is passed through to a guest; the guest's stock pl061 driver
# drives two outputs, which QEMU's trace shows from outside, and the
# power button is pressed three times, each press arriving in the guest.
# Then the other way, on a board whose host keeps the PL061 with its
# driver: three of its lines shared with a guest through virtio-gpio,
# the same blinks and presses, and which lines the host kept.
#
# RIG=CELL picks the emulated board's configuration (tests/rig/cell.sh);
# the default is the Salvator-X's: Cortex-A57 (KVM in nVHE mode), GICv2,
# the GPIO controller behind an IOMMU (VFIO type1).
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/rig/common.sh"
. "$top/tests/rig/button.sh"
. "$top/tests/rig/cell.sh"

cell=${RIG:-$RIG_DEFAULT_CELL}
cell_parse "$cell" || exit 2

out="$top/build/demo"
mkdir -p "$out"
echo "demo: building the rig kernel (cached after the first run)"
image=$(sh "$top/tests/rig/kernel.sh")
sh "$top/tests/rig/initramfs.sh" "$image" "$out" >/dev/null

# show SCRIPT LAYOUT: boot the board (dtb.sh LAYOUT) to run the host part
# SCRIPT, showing its console, QEMU's view of the outputs and the presses.
show() {
	script=$1 layout=$2
	sh "$top/tests/rig/dtb.sh" "$cell" "$out/board-$layout.dtb" "$layout"
	log="$out/console-$script.log"
	trace="$out/gpio-$script.trace"
	sock="$out/monitor.sock"
	rm -f "$sock"
	: >"$log"
	: >"$trace"
	echo "demo: booting the emulated arm64 board (QEMU: $(cell_describe); RIG=$cell)"
	RIG_DTB="$out/board-$layout.dtb" RIG_MONITOR="$sock" RIG_TRACE="$trace" \
		sh "$top/tests/rig/qemu.sh" "$cell" "$image" "$out/host.cpio" "$script" 900 >"$log" 2>&1 &
	qpid=$!
	trap 'kill $qpid 2>/dev/null' INT TERM

	tail -n +1 -f --pid="$qpid" "$log" | grep --line-buffered -v '^rig:' &
	# QEMU's reset drives every output low at start: show the board from
	# the moment the host is up.
	while kill -0 "$qpid" 2>/dev/null && ! grep -q '^host: ' "$log"; do
		sleep 0.2
	done
	tail -n 0 -f --pid="$qpid" "$trace" |
		sed -un 's/.*setting output \([0-9]\) to 1.*/board: output \1 went high (LED on)/p;
			 s/.*setting output \([0-9]\) to 0.*/board: output \1 went low (LED off)/p' &
	PRESS_GAP=1 press_when_ready "$log" "$sock" "$trace" "$qpid" say
	wait "$qpid" || true
	sleep 0.5
	grep -q 'lkvm-rcar exited with status 0' "$log" ||
		die "demo: the scenario did not finish; see $log"
}

show demo platform
show demo-shared keys
echo "demo: done; the console logs and QEMU's GPIO traces are in $out"
