#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the guest: drive a GPIO controller with its stock kernel driver
# through the GPIO sysfs interface: the passed-through PL061, or the
# virtio-gpio device over lines the host shares. Outputs 0 and 1 blink
# (the outer QEMU traces every level change); the board's power button
# line becomes an input with edge interrupts, and the guest counts the
# presses the outer harness makes. From the kernel command line:
#   lkvm.presses=N        how many presses to expect
#   lkvm.gpiodrv=DRIVER   the controller whose driver this is (default:
#                         the first controller)
#   lkvm.button=N         the button's line (default 3, the PL061's)
#   lkvm.edge=EDGE        rising (default), falling or both
#   lkvm.names=A,B,...    the names the host gave lines 0, 1, ...: sysfs
#                         exports a named line under its name
#   lkvm.demo=1           slow enough to watch, each press said
param() { sed -n "s/.*lkvm\.$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
presses=$(param presses)
demo=$(param demo)
drv=$(param gpiodrv)
button=$(param button)
button=${button:-3}
edge=$(param edge)
edge=${edge:-rising}
names=$(param names)
pause() { [ "$demo" = 1 ] && sleep 0.6; }

# The controller probes late (AMBA probing waits for its clock).
chip=
for i in $(seq 600); do
	for c in /sys/class/gpio/gpiochip*; do
		[ -e "$c/base" ] || continue
		[ -z "$drv" ] || [ "$(basename "$(readlink "$c/device/driver")")" = "$drv" ] ||
			continue
		chip=$c && break
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
	name=$(echo "$names" | awk -F, -v i=$(($1 + 1)) '{ print $i }')
	d=/sys/class/gpio/${name:-gpio$g}
	[ -d "$d" ] || echo $g > /sys/class/gpio/export
	echo "$d"
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

b=$(line "$button")
echo in > "$b/direction"
echo "$edge" > "$b/edge"
per_press=1
[ "$edge" = both ] && per_press=2
want=$((${presses:-0} * per_press))
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
		echo "guest: gpio: button interrupt $seen arrived (line $button, $edge edge)"
	done
	[ "$now" -ge "$want" ] && break
	sleep 0.1
done
sleep 1
echo "guest: gpio: $(($(count) - before)) button interrupts"
echo "guest: gpio: $(irq_line)"
