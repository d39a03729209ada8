#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The demo, inside the emulated arm64 host: lkvm-rcar passes the board's
# GPIO controller through to a guest, whose stock driver blinks outputs
# and takes button interrupts (guest/gpio-test.sh); the outer demo script
# shows what the board sees and presses the button.
dev=9030000.pl061
driver() {
	d=$(readlink /sys/bus/platform/devices/$dev/driver 2>/dev/null)
	echo "${d:+${d##*/}}${d:-no driver}"
}
cmd="lkvm-rcar run -k /guest/Image -i /guest/initrd.cpio -c 2 --passthrough $dev"

echo
echo "host: the emulated arm64 host is up with KVM; $dev has $(driver)"
echo "host: \$ $cmd"
echo
$cmd -p "lkvm.test=gpio lkvm.presses=3 lkvm.demo=1" </dev/null
status=$?
echo
echo "host: lkvm-rcar exited with status $status (0: the guest powered off); $dev has $(driver) again"
