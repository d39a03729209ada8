#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The demo's second part, inside the emulated arm64 host: the host keeps
# the board's GPIO controller with its own driver and shares three of its
# lines with a guest through virtio-gpio (--gpio). The guest blinks two of
# them and takes the button's interrupts on the third; the host shows
# which lines it kept, while the guest runs and after.
dev=9030000.pl061
chip=/dev/gpiochip0
lines="0,1,3"
cmd="lkvm-rcar run -k /guest/Image -i /guest/initrd.cpio -c 2 --gpio $dev:$lines,names=led0;led1;button"

# held_lines: the host's lines, said in a few words each.
held_lines() {
	/rig/gpiotool info "$chip" | sed -n "s/^line \([0-9]*\): used consumer '\([^']*\)'.*/\1 (\2)/p;
					    s/^line \([0-9]*\): free.*/\1 (free)/p" | tr '\n' ' '
}
driver() { d=$(readlink /sys/bus/amba/devices/$dev/driver 2>/dev/null); echo "${d##*/}"; }

echo
echo "host: now the other way: the host keeps $dev with its driver ($(driver)) and shares lines $lines"
echo "host: its lines: $(held_lines)"
echo gpio-keys >/sys/bus/platform/drivers/gpio-keys/unbind
echo "host: gpio-keys lets the power button (line 3) go: $(held_lines)"
echo "host: \$ $cmd"
echo
: >/tmp/demo.out
$cmd --stats=/tmp/stats.json \
	-p "lkvm.test=gpio lkvm.presses=3 lkvm.demo=1 lkvm.gpiodrv=gpio_virtio lkvm.button=2 lkvm.names=led0,led1,button" \
	</dev/null | tee /tmp/demo.out &
vmm=$!
while kill -0 "$vmm" 2>/dev/null && ! grep -q "^guest: gpio: ready for" /tmp/demo.out; do
	sleep 0.2
done
echo "host: while the guest runs, the host's lines: $(held_lines)"
echo "host: lines 0, 1 and 3 are the guest's; the other five stay the host's"
wait "$vmm"
status=$?
echo
echo "host: lkvm-rcar exited with status $status; every line is the host's again: $(held_lines)"
irqs=$(tr -d '\n' </tmp/stats.json | grep -o '"line_irqs": [0-9]*' | sed 's/.*: //')
echo "host: --stats: ${irqs:-no} button interrupts went to the guest through virtio-gpio"
