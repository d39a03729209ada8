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
cell=${RIG_CELL:-}
# The IOMMU mode VFIO must take on this host (tests/rig/cell.sh): type1
# for a device behind the SMMU, even though no-IOMMU mode is enabled too.
case "$cell" in
*-smmu) iommu=type1 pinned_kib=262144 ;;
*) iommu=no-iommu pinned_kib=0 ;;
esac
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

ok() { echo "ok - $cell $bus $1"; }
fail() {
	echo "not ok - $cell $bus $1: $2"
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
		--passthrough "$dev$opt" --timeout 120 --stats=/tmp/stats.json \
		-p "lkvm.test=gpio lkvm.presses=$presses" </dev/null 2>"$err"
	  echo $? >/tmp/status; } | tee "$out" | grep '^guest: gpio:'
	status=$(cat /tmp/status)
	# The outer harness notes where QEMU's trace is now: between "ready"
	# and this line only the reset at release can move the outputs.
	echo "rig: device released"
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
	# The host took each press once and KVM forwarded it (--stats reads
	# VFIO's counts in /proc/interrupts; the VMM never sees them).
	fwd=$(grep -o '"host_irqs_forwarded": [0-9]*' /tmp/stats.json | sed 's/.*: //')
	if [ "${fwd:-x}" = "$presses" ]; then
		ok "$name: --stats counts $presses interrupts forwarded by the host"
	else
		fail "$name: --stats counts $presses interrupts forwarded by the host" "it says '${fwd}'"
	fi
	# Mapped: the guest's register accesses never leave the kernel.
	# irqfd=off: the VMM raises each interrupt, and the handler's
	# accesses trap while it is masked: that is how the VMM knows it is
	# served.
	exits=$(grep -o "\"device\": \"$dev\", [^{]*\"mmio_exits\": [0-9]*" /tmp/stats.json | sed 's/.*: //')
	raised=$(grep -o '"delivery": "vmm-loop", "raised_by_vmm": [0-9]*' /tmp/stats.json |
		sed 's/.*: //')
	case "$opt" in
	"")
		if [ "$exits" = 0 ] && [ -z "$raised" ]; then
			ok "$name: no guest access to the mapped registers exits to the VMM, no interrupt goes through it (--stats)"
		else
			fail "$name: no access exits to the VMM, no interrupt goes through it" \
				"--stats says $exits exits, raised '$raised'"
		fi ;;
	*irqfd=off*)
		if [ "${exits:-0}" -gt 0 ] && [ "$raised" = "$presses" ]; then
			ok "$name: the VMM raised each of the $presses interrupts, and saw them served ($exits trapped accesses, --stats)"
		else
			fail "$name: the VMM raises each interrupt and sees it served" \
				"--stats says $exits exits, raised '$raised'"
		fi ;;
	*)
		if [ "${exits:-0}" -gt 0 ]; then
			ok "$name: every guest access to the trapped registers reaches the VMM ($exits, --stats)"
		else
			fail "$name: every guest access to the trapped registers reaches the VMM" \
				"--stats says '$exits'"
		fi ;;
	esac
	mode=$(grep -o '"iommu": "[a-z0-9-]*", "dma_pinned_kib": [0-9]*' /tmp/stats.json)
	if [ "$mode" = "\"iommu\": \"$iommu\", \"dma_pinned_kib\": $pinned_kib" ]; then
		ok "$name: VFIO took the $iommu path, $pinned_kib KiB of guest RAM pinned for DMA (--stats)"
	else
		fail "$name: VFIO took the $iommu path, $pinned_kib KiB pinned" "--stats says '$mode'"
	fi
	# For the outer machine, which checks it against docs/stats.schema.json.
	echo "stats-begin"
	cat /tmp/stats.json
	echo "stats-end"
	now=$(driver)
	if [ "$now" = "$orig" ]; then
		ok "$name: the host binding is back ('${orig:-none}')"
	else
		fail "$name: the host binding is back ('${orig:-none}')" "bound to '$now'"
	fi
}

run "mapped" ""
# A cell of the configuration matrix runs the scenario once, mapped.
[ "${RIG_SCOPE:-}" = scenario ] && exit 0
run "trapped (mmap=off)" ",mmap=off"
run "interrupts through the VMM (irqfd=off)" ",irqfd=off"

# make initramfs's guest (guest/initramfs.sh), as the docs boot it: its
# shell on the console, where libgpiod's tools see the controller passed
# through; leaving the shell powers the guest off. It only reads: the
# outputs in QEMU's trace are the other runs'.
printf 'gpiodetect\ngpioget gpiochip0 3\nexit\n' |
	"$vmm" run -k /guest/Image -i /guest/user-initramfs.cpio.gz --irqchip "$gic" \
	--passthrough "$dev" --timeout 120 >"$out" 2>"$err"
status=$?
name="make initramfs's guest: its shell runs gpiodetect and gpioget on the controller passed through, and exit powers it off"
if [ "$status" -eq 0 ] && tr -d '\r' <"$out" | grep -q "gpiochip0 \[.*\] (8 lines)" &&
   tr -d '\r' <"$out" | grep -q -x '[01]' && [ "$(driver)" = "$orig" ]; then
	ok "$name"
else
	fail "$name" "status $status"
fi

# one_line_error NAME STATUS PATTERN: the last run failed as it should.
one_line_error() {
	if [ "$status" -ne "$2" ]; then
		fail "$1" "exit status $status, expected $2"
	elif [ "$(wc -l <"$err")" -ne 1 ] || ! grep -q -e "$3" "$err"; then
		fail "$1" "stderr is not one line with '$3'"
	elif [ "$(driver)" != "$orig" ]; then
		fail "$1" "left bound to '$(driver)'"
	else
		ok "$1"
	fi
}

: >"$out"
"$vmm" run -k /guest/Image --passthrough 1234.nothing >"$out" 2>"$err"
status=$?
one_line_error "a device that does not exist: one clear line, status 1" 1 "no such device"

# start_first: a VMM that holds the device, its guest idle; pid in $first.
start_first() {
	# Emptied here, not by the redirection below: that happens in the
	# child, which may run after the first look for "init reached", and
	# would let an earlier run's line pass for this one's.
	: >/tmp/first.out
	"$vmm" run -k /guest/Image -i /guest/initrd.cpio --irqchip "$gic" \
		--passthrough "$dev" -p lkvm.test=hang </dev/null >/tmp/first.out 2>/tmp/first.err &
	first=$!
	for i in $(seq 1200); do
		grep -q "init reached" /tmp/first.out 2>/dev/null && return
		kill -0 "$first" 2>/dev/null || break
		sleep 0.1
	done
	echo "# the VMM holding the device did not get its guest up; its stderr:"
	sed 's/^/# | /' /tmp/first.err
}

# Two VMMs, one device: the second is told, the first keeps it; SIGTERM
# then stops the first with status 6 and the host binding comes back.
start_first
"$vmm" run -k /guest/Image --passthrough "$dev" >"$out" 2>"$err"
status=$?
one_line_error_busy() {
	if [ "$status" -eq 1 ] && [ "$(wc -l <"$err")" -eq 1 ] && grep -q "device busy" "$err"; then
		ok "a device another VMM holds: one clear line, status 1"
	else
		fail "a device another VMM holds: one clear line, status 1" "status $status"
	fi
}
one_line_error_busy
kill -TERM "$first"
wait "$first"
status=$?
cp /tmp/first.err "$err"
if [ "$status" -eq 6 ] && [ "$(driver)" = "$orig" ]; then
	ok "SIGTERM stops the guest with status 6 and gives the device back"
else
	fail "SIGTERM stops the guest with status 6 and gives the device back" \
		"status $status, bound to '$(driver)'"
fi

# SIGKILL leaves the device with VFIO; what the VMM recorded in /run
# gives it back: 'lkvm-rcar release', or the next run of the device.
start_and_kill() {
	start_first
	"$vmm" release "$dev" >"$out" 2>"$err"
	status=$?
	if [ "$status" -eq 1 ] && [ "$(wc -l <"$err")" -eq 1 ] && grep -q "is running with it" "$err" &&
	   [ "$(driver)" = "vfio-$bus" ]; then
		ok "release while the VMM runs: one clear line, status 1, device left alone"
	else
		fail "release while the VMM runs: one clear line, status 1, device left alone" \
			"status $status, bound to '$(driver)'"
	fi
	kill -KILL "$first"
	wait "$first" 2>/dev/null
}
start_and_kill
left=$(driver)
"$vmm" release "$dev" >"$out" 2>"$err"
status=$?
if [ "$left" = "vfio-$bus" ] && [ "$status" -eq 0 ] && [ "$(driver)" = "$orig" ] &&
   grep -q "restored the binding" "$err" && [ ! -e "/run/lkvm-rcar/$dev.binding" ]; then
	ok "SIGKILL, then release: the binding is back ('${orig:-none}') and the record gone"
else
	fail "SIGKILL, then release: the binding is back" \
		"left with '$left', release status $status, now '$(driver)'"
fi
start_and_kill
"$vmm" run -k /guest/Image -i /guest/initrd.cpio --irqchip "$gic" --passthrough "$dev" \
	-p lkvm.test=poweroff </dev/null >"$out" 2>"$err"
status=$?
if [ "$status" -eq 0 ] && grep -q "restored the binding" "$err" && [ "$(driver)" = "$orig" ]; then
	ok "SIGKILL, then run again: the new run restores the binding first and gives it back"
else
	fail "SIGKILL, then run again: the new run restores the binding first" \
		"status $status, now '$(driver)'"
fi

# A hostile guest pokes pseudo-random values of every width into the
# console's registers, the trapped pass-through window and an address
# nothing is at. The VMM survives: the guest powers off, or, if it broke
# its own console and hangs printing, the timeout ends it; the unassigned
# address is reported once; the binding comes back.
"$vmm" run -k /guest/Image -i /guest/initrd.cpio --irqchip "$gic" \
	--passthrough "$dev,mmap=off" --timeout 60 -p lkvm.test=poke </dev/null >"$out" 2>"$err"
status=$?
if { [ "$status" -eq 0 ] || [ "$status" -eq 5 ]; } && [ "$(driver)" = "$orig" ]; then
	ok "a guest poking random values into device registers: the VMM survives (status $status), binding back"
else
	fail "a guest poking random values into device registers: the VMM survives" \
		"status $status, bound to '$(driver)'"
fi
if [ "$(grep -c "unassigned address" "$err")" -eq 1 ]; then
	ok "a guest poking random values: its accesses to an unassigned address are reported once"
else
	fail "a guest poking random values: its accesses to an unassigned address are reported once" \
		"$(grep -c "unassigned address" "$err") reports"
fi

# SIGTERM while the guest kernel is still booting: status 6, the device
# back with its driver, no record left in /run.
"$vmm" run -k /guest/Image -i /guest/initrd.cpio --irqchip "$gic" \
	--passthrough "$dev" -p lkvm.test=poweroff </dev/null >"$out" 2>"$err" &
pid=$!
sleep 0.3
kill -TERM "$pid"
wait "$pid"
status=$?
if [ "$status" -eq 6 ] && ! grep -q "init reached" "$out" && [ "$(driver)" = "$orig" ] &&
   [ ! -e "/run/lkvm-rcar/$dev.binding" ]; then
	ok "SIGTERM while the guest boots: status 6, the device back, no record left"
else
	fail "SIGTERM while the guest boots: status 6, the device back, no record left" \
		"status $status, bound to '$(driver)'"
fi

# Without no-IOMMU mode a device with no IOMMU cannot go to VFIO; one
# behind the SMMU does not need it.
echo N >/sys/module/vfio/parameters/enable_unsafe_noiommu_mode
if [ "$iommu" = no-iommu ]; then
	"$vmm" run -k /guest/Image --passthrough "$dev" >"$out" 2>"$err"
	status=$?
	echo Y >/sys/module/vfio/parameters/enable_unsafe_noiommu_mode
	one_line_error "no-IOMMU mode off: one clear line naming it, status 1, binding back" 1 \
		"vfio.enable_unsafe_noiommu_mode=1"
else
	"$vmm" run -k /guest/Image -i /guest/initrd.cpio --irqchip "$gic" --passthrough "$dev" \
		-p lkvm.test=poweroff </dev/null >"$out" 2>"$err"
	status=$?
	echo Y >/sys/module/vfio/parameters/enable_unsafe_noiommu_mode
	if [ "$status" -eq 0 ] && ! grep -q "no IOMMU" "$err" && [ "$(driver)" = "$orig" ]; then
		ok "no-IOMMU mode off: the device behind the SMMU runs all the same (type1), binding back"
	else
		fail "no-IOMMU mode off: the device behind the SMMU runs all the same" \
			"status $status, bound to '$(driver)'"
	fi
fi

# type1 pins all guest RAM, which RLIMIT_MEMLOCK bounds for a process
# without CAP_IPC_LOCK. Root without it (a confined service): one line,
# and the device back with its driver.
if [ "$iommu" = type1 ]; then
	(ulimit -l 8192; exec /rig/runas -L 0 "$vmm" run -k /guest/Image -i /guest/initrd.cpio \
		--irqchip "$gic" --passthrough "$dev" -p lkvm.test=poweroff) </dev/null >"$out" 2>"$err"
	status=$?
	one_line_error "type1 without CAP_IPC_LOCK and RLIMIT_MEMLOCK 8 MiB: one line saying how much to allow, status 1, binding back" 1 \
		"RLIMIT_MEMLOCK allows 8192 KiB; raise it to at least 262144 KiB"
fi
# And a user (uid 1000) to whom root gave the device (bound by hand, its
# group node and /dev/kvm opened up to others).
if [ "$iommu" = type1 ]; then
	p=$(devpath)
	[ -n "$orig" ] && echo "$dev" >"$p/driver/unbind"
	echo "vfio-$bus" >"$p/driver_override"
	echo "$dev" >"/sys/bus/$bus/drivers/vfio-$bus/bind"
	group=$(basename "$(readlink "$p/iommu_group")")
	chmod 666 /dev/kvm "/dev/vfio/$group"
	as_user() {	# MEMLOCK_KIB: run the guest as uid 1000 with that limit
		(ulimit -l "$1"; exec /rig/runas 1000 \
			"$vmm" run -k /guest/Image -i /guest/initrd.cpio --irqchip "$gic" \
			--passthrough "$dev,bind=keep" -p lkvm.test=poweroff) </dev/null >"$out" 2>"$err"
		status=$?
	}
	as_user 8192
	if [ "$status" -eq 1 ] && [ "$(wc -l <"$err")" -eq 1 ] &&
	   grep -q "RLIMIT_MEMLOCK allows 8192 KiB; raise it to at least 262144 KiB" "$err"; then
		ok "type1 as a user with RLIMIT_MEMLOCK 8 MiB: one line saying how much to allow, status 1"
	else
		fail "type1 as a user with RLIMIT_MEMLOCK 8 MiB: one line saying how much to allow" \
			"status $status: $(head -2 "$err" | tr '\n' ' ')"
	fi
	as_user 262144
	if [ "$status" -eq 0 ] && grep -q "init reached" "$out"; then
		ok "type1 as a user with RLIMIT_MEMLOCK raised to the guest's RAM: the guest runs"
	else
		fail "type1 as a user with RLIMIT_MEMLOCK raised to the guest's RAM: the guest runs" \
			"status $status: $(head -2 "$err" | tr '\n' ' ')"
	fi
	chmod 600 /dev/kvm "/dev/vfio/$group"
	echo "$dev" >"/sys/bus/$bus/drivers/vfio-$bus/unbind"
	echo >"$p/driver_override"
	[ -n "$orig" ] && echo "$dev" >"/sys/bus/$bus/drivers/$orig/bind"
fi

# type1 on guest RAM from hugetlbfs: VFIO maps and pins the 2 MiB pages
# (in runs, not page by page), and they are all free again at exit.
if [ "$iommu" = type1 ]; then
	pages=/sys/kernel/mm/hugepages/hugepages-2048kB
	mkdir -p /tmp/huge
	mount -t hugetlbfs none /tmp/huge
	echo 128 >$pages/nr_hugepages
	"$vmm" run -k /guest/Image -i /guest/initrd.cpio --irqchip "$gic" -m 256 \
		--hugetlbfs /tmp/huge --passthrough "$dev" -p lkvm.test=poweroff \
		--stats=/tmp/stats.json </dev/null >"$out" 2>"$err"
	status=$?
	name="type1 with guest RAM on hugetlbfs: the guest runs, all 256 MiB pinned, the pages free and the binding back at exit"
	if [ "$status" -eq 0 ] && grep -q "init reached" "$out" &&
	   grep -q '"iommu": "type1", "dma_pinned_kib": 262144' /tmp/stats.json &&
	   grep -q '"guest_ram_pages": "hugetlbfs"' /tmp/stats.json &&
	   [ "$(cat $pages/free_hugepages)" -eq 128 ] && [ "$(driver)" = "$orig" ]; then
		ok "$name"
	else
		fail "$name" "status $status, $(cat $pages/free_hugepages) pages free, bound to '$(driver)': $(head -2 "$err" | tr '\n' ' ')"
	fi
	umount /tmp/huge
	echo 0 >$pages/nr_hugepages
fi

# The RTC beside the GPIO controller. On the platform bus it has no reset
# module, so vfio-platform refuses it until reset_required is switched
# off at run time (host patch 3); vfio-amba never requires a reset.
rtc=9010000.pl031
rtc_driver() { basename "$(readlink /sys/bus/$bus/devices/$rtc/driver 2>/dev/null)" 2>/dev/null; }
rtc_orig=$(rtc_driver)
if [ "$bus" = platform ]; then
	"$vmm" run -k /guest/Image --passthrough "$rtc" >"$out" 2>"$err"
	status=$?
	if [ "$status" -eq 1 ] && [ "$(wc -l <"$err")" -eq 1 ] &&
	   grep -q "reset_required=0" "$err" && [ "$(rtc_driver)" = "$rtc_orig" ]; then
		ok "a device without a reset module, with reset_required=1: one clear line, status 1"
	else
		fail "a device without a reset module, with reset_required=1: one clear line, status 1" "status $status"
	fi
	echo 0 >/sys/module/vfio_platform/parameters/reset_required
fi
"$vmm" run -k /guest/Image -i /guest/initrd.cpio --irqchip "$gic" \
	--passthrough "$dev" --passthrough "$rtc" -p lkvm.test=rtc </dev/null >"$out" 2>"$err"
status=$?
tr -d '\r' <"$out" | grep '^guest: rtc:'
if [ "$status" -eq 0 ] && grep -q "guest: rtc: .* reads [0-9][0-9]* s" "$out" &&
   grep -q "guest: gpio: a GPIO controller is there too" "$out"; then
	ok "two devices at once: the guest has the GPIO controller and reads the RTC"
else
	fail "two devices at once: the guest has the GPIO controller and reads the RTC" "status $status"
fi
if [ "$(rtc_driver)" = "$rtc_orig" ] && [ "$(driver)" = "$orig" ]; then
	ok "two devices at once: both host bindings are back"
else
	fail "two devices at once: both host bindings are back" "rtc '$(rtc_driver)', gpio '$(driver)'"
fi
# Both in one container: guest RAM is pinned once, not once per device
# (VmLck counts what VFIO pinned), and nothing without an IOMMU. $out is
# emptied first, as in start_first.
: >"$out"
"$vmm" run -k /guest/Image -i /guest/initrd.cpio --irqchip "$gic" \
	--passthrough "$dev" --passthrough "$rtc" -p lkvm.test=hang </dev/null >"$out" 2>"$err" &
pid=$!
for i in $(seq 1200); do
	grep -q "init reached" "$out" && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
locked=$(sed -n 's/^VmLck:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$pid/status" 2>/dev/null)
kill -TERM "$pid"
wait "$pid"
if [ "${locked:-x}" = "$pinned_kib" ]; then
	ok "two devices at once: $pinned_kib KiB of guest RAM locked for DMA, once for both"
else
	fail "two devices at once: $pinned_kib KiB of guest RAM locked for DMA, once for both" \
		"VmLck '$locked' kB"
fi
[ "$bus" = platform ] && echo 1 >/sys/module/vfio_platform/parameters/reset_required

# The PL061 reset (host patch 4) ran when each VM let the device go.
resets=$(dmesg | grep -c "$dev: VFIO: reset")
if [ "$resets" -ge 2 ]; then
	ok "the host log shows the PL061 reset ($resets times)"
else
	fail "the host log shows the PL061 reset" "$resets resets in dmesg"
fi

# The R-Car GPIO stand-in (tests/rig/dtb.sh, platform bus only): 0x50
# bytes at page offset 0x400 of the PL061, with the R-Car compatibles.
# VFIO will not mmap it, so every access traps; the guest's stock
# gpio-rcar driver must probe on the generated node, at the same page
# offset, and read back what it wrote; the R-Car reset module (host
# patch 5) runs as the VM takes and gives it back, and leaves the line
# the guest drove high low again (PL061 GPIOIS and GPIOIBE underneath).
slice=9030400.gpio
if [ -e /sys/bus/platform/devices/$slice ]; then
	sp=/sys/bus/platform/devices/$slice
	slice_driver() { basename "$(readlink "$sp/driver" 2>/dev/null)" 2>/dev/null; }
	sorig=$(slice_driver)
	"$vmm" run -k /guest/Image -i /guest/initrd.cpio --irqchip "$gic" \
		--passthrough "$slice" --stats=/tmp/stats.json -p lkvm.test=rcar \
		</dev/null >"$out" 2>"$err"
	status=$?
	said=$(tr -d '\r' <"$out" | sed -n 's/^guest: rcar: //p')
	case "$status $said" in
	"0 gpio-rcar drives 32 lines at 0x"*"400; line 0 output 1, read back 101")
		ok "sub-page region: the guest's stock gpio-rcar probes at page offset 0x400 and reads back what it wrote" ;;
	*)
		fail "sub-page region: the guest's stock gpio-rcar probes at page offset 0x400 and reads back what it wrote" \
			"status $status, the guest said '$said'" ;;
	esac
	trapped=$(grep -o '"access": "[a-z]*"' /tmp/stats.json | head -1)
	exits=$(grep -o "\"device\": \"$slice\", [^{]*\"mmio_exits\": [0-9]*" /tmp/stats.json | sed 's/.*: //')
	if [ "$trapped" = '"access": "trapped"' ] && [ "${exits:-0}" -gt 0 ]; then
		ok "sub-page region: trapped, each of the guest's $exits accesses forwarded (--stats)"
	else
		fail "sub-page region: trapped, each access forwarded" "--stats says $trapped, $exits exits"
	fi
	sresets=$(dmesg | grep -c "$slice: VFIO: reset")
	is=$(devmem 0x09030404 32) ibe=$(devmem 0x09030408 32)
	if [ "$sresets" -ge 2 ] && [ $((is & 1)) -eq 0 ] && [ $((ibe & 1)) -eq 0 ] &&
	   [ "$(slice_driver)" = "$sorig" ]; then
		ok "sub-page region: the R-Car reset ran ($sresets times), the line is low again, '$sorig' has it back"
	else
		fail "sub-page region: the R-Car reset ran, the line is low again, the driver has it back" \
			"$sresets resets in dmesg, GPIOIS $is GPIOIBE $ibe, bound to '$(slice_driver)'"
	fi
fi

# An ordinary user (uid 1000, /dev/kvm opened to it for the run), without
# bind=keep: taking the device from its driver takes root, which the one
# line says, with the way a user can run it.
kvm_mode=$(stat -c %a /dev/kvm)
chmod 666 /dev/kvm
(exec /rig/runas 1000 "$vmm" run -k /guest/Image -i /guest/initrd.cpio --irqchip "$gic" \
	--passthrough "$dev" -p lkvm.test=poweroff) </dev/null >"$out" 2>"$err"
status=$?
chmod "$kvm_mode" /dev/kvm
one_line_error "as a user, without bind=keep: one line saying that changing its driver takes root, status 1" 1 \
	"changing a device's driver takes root: run as root, or bind it to vfio-$bus by hand and add bind=keep"

# bind=keep on a device still with its host driver: one line saying so
# and what to do, and the binding left alone.
"$vmm" run -k /guest/Image -i /guest/initrd.cpio --irqchip "$gic" \
	--passthrough "$dev,bind=keep" -p lkvm.test=poweroff </dev/null >"$out" 2>"$err"
status=$?
one_line_error "bind=keep while the device is with ${orig:-no driver}: one line naming its driver, status 1" 1 \
	"bind=keep: it is bound to ${orig:-no driver}, not vfio-$bus; bind it to vfio-$bus first"

# bind=keep: the user bound the device to VFIO by hand, and it stays so.
p=$(devpath)
[ -n "$orig" ] && echo "$dev" >"$p/driver/unbind"
echo "vfio-$bus" >"$p/driver_override"
echo "$dev" >"/sys/bus/$bus/drivers/vfio-$bus/bind"
"$vmm" run -k /guest/Image -i /guest/initrd.cpio --irqchip "$gic" \
	--passthrough "$dev,bind=keep" -p lkvm.test=poweroff </dev/null >"$out" 2>"$err"
status=$?
kept=$(driver)
echo "$dev" >"/sys/bus/$bus/drivers/vfio-$bus/unbind"
echo >"$p/driver_override"
[ -n "$orig" ] && echo "$dev" >"/sys/bus/$bus/drivers/$orig/bind"
if [ "$status" -eq 0 ] && [ "$kept" = "vfio-$bus" ]; then
	ok "bind=keep: the guest runs and the device stays with vfio-$bus"
else
	fail "bind=keep: the guest runs and the device stays with vfio-$bus" "status $status, bound to '$kept'"
fi

# Soak, on one host only (GICv3, platform bus): fifty runs, plain and
# with the device passed through in turn. Afterwards the host has the
# same open files, memory available that stopped falling after the
# first half, and the device with its driver and no record of it.
if [ "$cell" = vhe-gicv3-noiommu ] && [ "$bus" = platform ]; then
	# Open files of every process (this kernel has no /proc/sys), one
	# line per process into file $1. Counted in this shell, not in a
	# pipeline: a pipeline's own processes come and go while it runs,
	# and would be counted or not by chance.
	files() {
		: >"$1"
		for d in /proc/[0-9]*; do
			n=0
			for f in "$d"/fd/*; do
				[ -L "$f" ] && n=$((n + 1))
			done
			comm=; read -r comm 2>/dev/null <"$d/comm"
			[ "$n" -gt 0 ] && echo "$n ${d#/proc/} $comm" >>"$1"
		done
		files_total=0
		while read -r n rest; do files_total=$((files_total + n)); done <"$1"
	}
	# Memory available, counting the free pages each CPU keeps on its own
	# list: MemAvailable leaves those out, and they come and go by some
	# megabytes from one run to the next (measured: MemFree swinging by
	# 4 MiB while MemFree plus these lists stayed within 0.3 MiB).
	avail() {
		_pcp=0
		while read -r _key _val _rest; do
			[ "$_key" = count: ] && _pcp=$((_pcp + _val))
		done </proc/zoneinfo
		# (pages of 4 KiB, as the rig kernel has)
		echo $(( $(sed -n 's/^MemAvailable: *\([0-9]*\) kB/\1/p' /proc/meminfo) + _pcp * 4 ))
	}
	soak_run() {
		"$vmm" run -k /guest/Image -i /guest/initrd.cpio --irqchip "$gic" "$@" \
			-p lkvm.test=poweroff </dev/null >"$out" 2>"$err" || failed=$((failed + 1))
	}
	# Memory available once the runs settle: the best of two seconds of
	# readings (the last VMM's memory goes back a little after its files).
	settled_avail() {
		_best=0
		for i in $(seq 20); do
			_a=$(avail)
			[ "$_a" -gt "$_best" ] && _best=$_a
			sleep 0.1
		done
		echo "$_best"
	}
	# pairs N: N runs plain and N with the device passed through, in turn.
	pairs() {
		for i in $(seq "$1"); do
			soak_run
			soak_run --passthrough "$dev"
		done
	}
	failed=0
	soak_run --passthrough "$dev"	# warm the caches up
	files /tmp/files.before; files_before=$files_total
	# Memory is read after each half: the host kernel's own caches (free
	# huge pages held per CPU, slabs) take some megabytes in the first
	# runs and then stay; a leak goes on growing in the second half.
	avail_before=$(settled_avail)
	pairs 13
	avail_mid=$(settled_avail)
	pairs 12
	for i in $(seq 30); do
		files /tmp/files.after
		[ "$files_total" -le "$files_before" ] && break
		sleep 0.1
	done
	avail_after=$(settled_avail)
	files_after=$files_total
	lost=$(( (avail_mid - avail_after) / 1024 ))
	lost_all=$(( (avail_before - avail_after) / 1024 ))
	if [ "$failed" -eq 0 ] && [ "$files_after" -le "$files_before" ] && [ "$lost" -lt 3 ] &&
	   [ "$(driver)" = "$orig" ] && [ -z "$(ls /run/lkvm-rcar 2>/dev/null)" ]; then
		ok "fifty runs, half with pass-through: no failure, no open file or device record left, $lost MiB less memory available over the last 24 ($lost_all over all 50)"
	else
		fail "fifty runs, half with pass-through: nothing leaks" \
			"$failed failed; open files $files_before -> $files_after; $lost MiB less available over the last 24 runs ($lost_all over 50); bound to '$(driver)'"
		echo "# open files per process (count pid name), before and after:"
		diff /tmp/files.before /tmp/files.after | sed 's/^/# | /'
	fi
fi
