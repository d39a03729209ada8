#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the guest: drive the passed-through PL061 with the stock kernel
# driver through the GPIO sysfs interface. Outputs 0 and 1 blink (the
# outer QEMU traces every level change); line 3, the board's power button,
# becomes an input with rising-edge interrupts, and the guest counts the
# presses the outer harness makes. lkvm.presses= says how many to expect.
presses=$(sed -n 's/.*lkvm\.presses=\([0-9]*\).*/\1/p' /proc/cmdline)
# lkvm.demo=1: slow enough to watch, and say each press as it arrives.
demo=$(sed -n 's/.*lkvm\.demo=\([0-9]*\).*/\1/p' /proc/cmdline)
pause() { [ "$demo" = 1 ] && sleep 0.6; }

# The controller probes late (AMBA probing waits for its clock).
chip=
for i in $(seq 600); do
	for c in /sys/class/gpio/gpiochip*; do
		[ -e "$c/base" ] && chip=$c && break
	done
	[ -n "$chip" ] && break
	sleep 0.1
done
if [ -z "$chip" ]; then
	echo "guest: gpio: no GPIO controller appeared"
	exit 1
fi
base=$(cat "$chip/base")
echo "guest: gpio: $(basename "$(readlink "$chip/device/driver")") drives $(cat "$chip/label") ($(cat "$chip/ngpio") lines from $base)"

line() {
	g=$((base + $1))
	[ -d /sys/class/gpio/gpio$g ] || echo $g > /sys/class/gpio/export
	echo /sys/class/gpio/gpio$g
}

o0=$(line 0)
o1=$(line 1)
echo low > "$o0/direction"
echo low > "$o1/direction"
for v in 1 0 1 0; do
	[ "$demo" = 1 ] && echo "guest: gpio: output 0 <- $v, output 1 <- $((1 - v))"
	echo $v > "$o0/value"
	echo $((1 - v)) > "$o1/value"
	pause
done
echo 1 > "$o0/value"
echo "guest: gpio: blinked outputs 0 and 1"

b=$(line 3)
echo in > "$b/direction"
echo rising > "$b/edge"
# The sysfs edge interrupt is requested under the name "gpiolib".
irq_line() { grep gpiolib /proc/interrupts | head -1; }
count() { irq_line | awk '{ n = 0; for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n += $i; print n }'; }
before=$(count)
echo "guest: gpio: ready for ${presses:-0} presses"
seen=0
for i in $(seq 600); do
	now=$(($(count) - before))
	# The outer harness presses again only once it has read this.
	while [ "$seen" -lt "$now" ]; do
		seen=$((seen + 1))
		echo "guest: gpio: button interrupt $seen arrived (line 3, rising edge)"
	done
	[ "$now" -ge "${presses:-0}" ] && break
	sleep 0.1
done
sleep 1
echo "guest: gpio: $(($(count) - before)) button interrupts"
echo "guest: gpio: $(irq_line)"
