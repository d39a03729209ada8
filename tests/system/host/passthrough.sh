#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Pass-through system tests, inside the emulated host: the board's PL061
# goes to the guest, whose stock pl061 driver blinks outputs and counts
# button presses (guest/gpio-test.sh). The outer harness watches the
# "ready for N presses" line, presses the button through QEMU's monitor
# and checks the outputs in QEMU's trace. Here we check what the guest
# printed, the exit status, and that the host binding is back afterwards.
set -u

vmm=/bin/lkvm-rcar
gic=${RIG_GIC:-auto}
dev=9030000.pl061
presses=3
out=/tmp/out
err=/tmp/err

devpath() {
	for bus in platform amba; do
		[ -e /sys/bus/$bus/devices/$dev ] && echo /sys/bus/$bus/devices/$dev && return
	done
}
driver() { basename "$(readlink "$(devpath)/driver" 2>/dev/null)" 2>/dev/null; }

ok() { echo "ok - $gic $bus $1"; }
fail() {
	echo "not ok - $gic $bus $1: $2"
	echo "--- guest output:"; sed 's/^/| /' "$out" | tail -25
	echo "--- VMM stderr:"; sed 's/^/| /' "$err" | tail -8
}

bus=$(basename "$(dirname "$(dirname "$(devpath)")")")
orig=$(driver)
echo "rig: $dev is on the $bus bus, bound to '${orig:-nothing}'"

# run NAME OPTIONS: one guest with the device passed through.
run() {
	name=$1
	opt=$2
	# The guest's lines go to the console live: the outer harness reacts
	# to "ready for N presses".
	{ "$vmm" run -k /guest/Image -i /guest/initrd.cpio --irqchip "$gic" \
		--passthrough "$dev$opt" --timeout 120 \
		-p "lkvm.test=gpio lkvm.presses=$presses" </dev/null 2>"$err"
	  echo $? >/tmp/status; } | tee "$out" | grep '^guest: gpio:'
	status=$(cat /tmp/status)
	if [ "$status" -ne 0 ]; then
		fail "$name: guest runs and powers off" "exit status $status"
	else
		ok "$name: guest runs and powers off"
	fi
	if grep -q "guest: gpio: pl061_gpio drives" "$out"; then
		ok "$name: the guest's stock pl061 driver probes on the generated node"
	else
		fail "$name: the guest's stock pl061 driver probes on the generated node" "no probe"
	fi
	if grep -q "guest: gpio: blinked outputs" "$out"; then
		ok "$name: the guest drives its outputs"
	else
		fail "$name: the guest drives its outputs" "no blink"
	fi
	got=$(tr -d '\r' <"$out" | sed -n 's/^guest: gpio: \([0-9]*\) button interrupts$/\1/p')
	if [ "$got" = "$presses" ]; then
		ok "$name: $presses button presses give exactly $presses guest interrupts"
	else
		fail "$name: $presses button presses give exactly $presses guest interrupts" "got '${got}'"
	fi
	now=$(driver)
	if [ "$now" = "$orig" ]; then
		ok "$name: the host binding is back ('${orig:-none}')"
	else
		fail "$name: the host binding is back ('${orig:-none}')" "bound to '$now'"
	fi
}

run "mapped" ""
run "trapped (mmap=off)" ",mmap=off"
