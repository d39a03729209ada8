#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make bench, inside the emulated host: runs lkvm-rcar, QEMU and kvmtool
# (when the bench host has it) on the same guest kernel and initramfs,
# alternating them within each repetition, each under vmmtime, which
# measures all the same way. Every run prints one line for the outer
# harness (tests/bench/run.sh):
#
#   bench-result FIGURE VMM CASE {vmmtime JSON} {lkvm-rcar --stats JSON}
#
# (the second object is {} for the peers). Parameters come from the kernel
# command line: rig.parts=series,boot,startup,memory,mmio,irq,console,pin,gpio,disk,diskdev
# and rig.reps, rig.mib (console MiB), rig.count (MMIO loop),
# rig.presses, rig.blkmib and rig.blkops (disk: MiB moved each way,
# random reads), rig.series (back-to-back boots) and rig.startups (the
# least number of start-up runs of each VMM).
set -u

arg() { sed -n "s/.*rig\.$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
parts=",$(arg parts),"
reps=$(arg reps)
mib=$(arg mib)
count=$(arg count)
presses=$(arg presses)
blkmib=$(arg blkmib)
blkops=$(arg blkops)
series=$(arg series)
startups=$(arg startups)

lkvm=/bin/lkvm-rcar
chardev=file,path=/proc/self/fd/1
qemu=/usr/bin/qemu-system-aarch64
vmmtime=/bench/vmmtime
dev=9030000.pl061
guest="-i /guest/initrd.cpio"
init="guest: init reached"
# The same kernel command line for both; quiet keeps printk out of the
# console stream the console figure checksums.
cmdline="console=hvc0 panic=-1 quiet"

kvmtool=/bench/lkvm-static
[ -x "$kvmtool" ] || kvmtool=
# kvmtool keeps its control sockets under $HOME/.lkvm.
export HOME=${HOME:-/tmp}

# lkvm ARGS...: lkvm-rcar's command line for ARGS (kernel, params, ...).
lkvm() { echo "$lkvm run --stats=/tmp/stats.json $*"; }
# The same VMM built without its --stats counters (make bench builds it).
lkvm_nocount() { echo "/bench/lkvm-rcar-nocount run $*"; }
# The same VMM built without populating guest RAM before type1 pins it:
# pinning as it was before (make bench builds it too).
lkvm_nopopulate() { echo "/bench/lkvm-rcar-nopopulate run --stats=/tmp/stats.json $*"; }

# qemu MEM CPUS KERNEL INITRD PARAMS [EXTRA...]: QEMU's command line for
# the same guest. -nodefaults: no PL011, no NIC, no option ROMs; named
# threads ("CPU 0/KVM"), for vmmtime's vCPU time. The console is
# chardev=file on the same pipe: QEMU's stdio chardev, faster when it
# works, loses guest output in this rig (all of it with 2 vCPUs, and 94%
# of a 1 MiB console run with one).
qemu() {
	_mem=$1 _cpus=$2 _kernel=$3 _initrd=$4 _params=$5
	shift 5
	echo "$qemu -accel kvm -cpu host -M virt,gic-version=host -m $_mem -smp $_cpus" \
		"-name bench,debug-threads=on" \
		"-nodefaults -nographic -no-reboot -serial none -monitor none" \
		"-device virtio-serial-device -chardev $chardev,id=con" \
		"-device virtconsole,chardev=con -kernel $_kernel $_initrd $*" \
		"-append '$cmdline $_params'"
}

# kvm MEM CPUS KERNEL INITRD PARAMS: kvmtool's command line for the same
# guest: its virtio console on virtio-mmio, no network.
kvm() {
	echo "$kvmtool run --network mode=none --console virtio --virtio-transport mmio" \
		"-m $1 -c $2 -k $3 $4 -p '$cmdline $5'"
}

# peer_kvmtool FIGURE CASE VMMTIME_ARGS -- MEM CPUS KERNEL INITRD PARAMS:
# the same run with kvmtool, where there is one.
peer_kvmtool() {
	[ -n "$kvmtool" ] || return 0
	_f=$1 _c=$2
	shift 2
	_targs=
	while [ "$1" != -- ]; do _targs="$_targs $1"; shift; done
	shift
	measure "$_f" kvmtool "$_c" $_targs -- "$(kvm "$@")"
}

# measure FIGURE VMM CASE VMMTIME_ARGS -- COMMAND: one run, one line.
measure() {
	_fig=$1 _vmm=$2 _case=$3
	shift 3
	rm -f /tmp/stats.json
	# Lines vmmtime passes on (-e) go to the console as they come.
	eval "$vmmtime $*" 2>/tmp/vmm.err </dev/null | tee /tmp/res.out | grep -v '^{'
	_res=$(grep '^{' /tmp/res.out | tail -1)
	_stats={}
	[ -s /tmp/stats.json ] && _stats=$(tr -d '\n' </tmp/stats.json)
	echo "bench-result $_fig $_vmm $_case ${_res:-null} $_stats"
	[ -n "$_res" ] || sed 's/^/bench: stderr: /' /tmp/vmm.err | head -3
}

# console_whole: the last run delivered every byte the guest sent, and
# their CRC-32 is the one the guest computed (figures.jq decides the same).
console_whole() {
	_sent=$(sed -n 's/.*"line": "bench-crc32 \([0-9a-f]*\) \([0-9]*\)".*/\1 \2/p' /tmp/res.out | tail -1)
	_got=$(sed -n 's/.*"data": { "bytes": \([0-9]*\), "crc32": "\([0-9a-f]*\)".*/\2 \1/p' /tmp/res.out | tail -1)
	[ -n "$_sent" ] && [ "$_sent" = "$_got" ]
}

# pin_case MODE MIB PAGES: the case's name; base pages keep the name the
# runs of earlier benches have.
pin_case() {
	if [ "$3" = base ]; then echo "$1-$2M"; else echo "$1-$2M-$3"; fi
}

# ram_backing base|thp|hugetlbfs: set the host up for that backing of
# guest RAM and $ram_opt to lkvm-rcar's option for it. hugetlbfs gets
# 1 GiB of 2 MiB pages, reserved after a compaction; fewer is said, and
# those runs are left out (their rows then show no value).
hugepages=/sys/kernel/mm/hugepages/hugepages-2048kB
ram_backing() {
	ram_opt=
	if grep -q " /tmp/huge " /proc/mounts; then
		echo 0 >$hugepages/nr_hugepages
		umount /tmp/huge
	fi
	case "$1" in
	base)	echo never >/sys/kernel/mm/transparent_hugepage/enabled ;;
	thp)	echo madvise >/sys/kernel/mm/transparent_hugepage/enabled ;;
	hugetlbfs)
		mkdir -p /tmp/huge
		mount -t hugetlbfs none /tmp/huge
		sync
		echo 3 >/proc/sys/vm/drop_caches
		echo 1 >/proc/sys/vm/compact_memory 2>/dev/null
		echo 512 >$hugepages/nr_hugepages
		if [ "$(cat $hugepages/nr_hugepages)" -lt 512 ]; then
			echo "bench: only $(cat $hugepages/nr_hugepages) of 512 huge pages could be reserved; no hugetlbfs runs"
			return 1
		fi
		ram_opt="--hugetlbfs /tmp/huge" ;;
	esac
}

# pin_backing PAGES SIZES: with guest RAM on PAGES, a start-up of each
# size (MiB) with the PL061 behind the SMMU (type1), then with the RTC
# without an IOMMU.
pin_backing() {
	ram_backing "$1" || return 0
	for _m in $2; do
		measure pin lkvm-rcar "$(pin_case type1 "$_m" "$1")" -- \
			"$(lkvm -k /bench/poweroff.Image -m "$_m" $ram_opt --passthrough "$dev")"
		measure pin lkvm-rcar "$(pin_case noiommu "$_m" "$1")" -- \
			"$(lkvm -k /bench/poweroff.Image -m "$_m" $ram_opt --passthrough 9010000.pl031)"
	done
}
pin_thp() { pin_backing thp 1024; }
pin_hugetlbfs() { pin_backing hugetlbfs 1024; }
# pin_as_before: the yardstick for huge pages, a 1 GiB type1 start-up on
# base pages of lkvm-rcar built without populating guest RAM, so that
# type1's pinning faults it in alone, as before it was populated first.
pin_as_before() {
	ram_backing base
	measure pin lkvm-rcar "type1-1024M-nopopulate" -- \
		"$(lkvm_nopopulate -k /bench/poweroff.Image -m 1024 --passthrough "$dev")"
}

want() { case "$parts" in *",$1,"*) return 0 ;; esac; return 1; }

# The disk runs: one image on the host's tmpfs, written whole first so
# that no VMM meets holes the others did not. QEMU gets io_uring where
# its build has it (Debian's links liburing), its default cache mode
# (the host's page cache, as lkvm-rcar and kvmtool use it).
blk_img=/tmp/bench-disk.img
blk_marks="-m bench-blk-begin -m bench-blk-write -m bench-blk-read -m bench-blk-randread -m bench-blk-queued"
blk_params="quiet lkvm.test=bench-blk lkvm.mib=$blkmib lkvm.count=$blkops"
qemu_aio=threads
grep -q liburing "$qemu" 2>/dev/null && qemu_aio=io_uring
# The same load on a block device: the host's own disk (run.sh gives it
# one), served past the host's page cache: lkvm-rcar and kvmtool with
# ,direct (O_DIRECT), QEMU with cache=none (the same).
blk_dev=/dev/vda
if want disk || want diskdev; then
	# vmmtime reads KVM's exit counts per VM here.
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
	echo "bench: disk: $blkmib MiB each way, $blkops random reads one at a time and $blkops four in flight; QEMU with aio=$qemu_aio"
fi
want disk && dd if=/dev/zero of="$blk_img" bs=1M count="$blkmib" 2>/dev/null
if want diskdev; then
	if [ -b "$blk_dev" ]; then
		dd if=/dev/zero of="$blk_dev" bs=1M count="$blkmib" conv=fsync 2>/dev/null
	else
		# Without it the report names the figures missing.
		echo "bench: diskdev: this host has no $blk_dev (run.sh gives it one); no runs on it"
		parts=$(echo "$parts" | sed 's/,diskdev,/,/')
	fi
fi

echo "bench: $(arg parts) on $RIG_CELL, $reps repetitions"
if want series; then
	# Back-to-back boots of the Linux guest in this one host,
	# lkvm-rcar and kvmtool in turn, before anything else has run: does
	# start-up grow run after run? Before each, loadcopy does what
	# lkvm-rcar's "load" step does (most of its start-up with a Linux
	# guest) without KVM: the Image and the initrd read into fresh guest-
	# RAM-like memory, the same work each time, with no VMM.
	for i in $(seq "$series"); do
		measure series host "copy-$i" -- \
			"/bench/loadcopy 256 /guest/Image /guest/initrd.cpio"
		measure series lkvm-rcar "linux-$i" -m "'$init'" -r 256 -- \
			"$(lkvm -k /guest/Image $guest -p "'quiet lkvm.test=poweroff'")"
		peer_kvmtool series "linux-$i" -m "'$init'" -r 256 -- \
			256 1 /guest/Image "-i /guest/initrd.cpio" "quiet lkvm.test=poweroff"
	done
fi
# rotate N A B C: the runs A, B and C in the (N mod 6)th of their six
# orders. A run starts in the host memory the one before it left; over
# six repetitions each VMM goes first twice and follows each of the
# others twice, so that no VMM is always the one after QEMU's large
# exit, say (three rotations of one order would put the same VMM after
# QEMU every time QEMU is not last).
rotate() {
	case $(($1 % 6)) in
	0) "$2"; "$3"; "$4" ;;
	1) "$3"; "$4"; "$2" ;;
	2) "$4"; "$2"; "$3" ;;
	3) "$2"; "$4"; "$3" ;;
	4) "$4"; "$3"; "$2" ;;
	5) "$3"; "$2"; "$4" ;;
	esac
}
boot_lkvm() {
	measure boot lkvm-rcar 256M-1cpu -m "'$init'" -r 256 -- \
		"$(lkvm -k /guest/Image $guest -p "'quiet lkvm.test=linger'")"
}
boot_qemu() {
	measure boot qemu 256M-1cpu -m "'$init'" -r 256 -- \
		"$(qemu 256 1 /guest/Image "-initrd /guest/initrd.cpio" lkvm.test=linger)"
}
boot_kvmtool() {
	peer_kvmtool boot 256M-1cpu -m "'$init'" -r 256 -- \
		256 1 /guest/Image "-i /guest/initrd.cpio" lkvm.test=linger
}
startup_lkvm() { measure startup lkvm-rcar poweroff-image -- "$(lkvm -k /bench/poweroff.Image)"; }
startup_qemu() { measure startup qemu poweroff-image -- "$(qemu 256 1 /bench/poweroff.Image "" "")"; }
startup_kvmtool() { peer_kvmtool startup poweroff-image -- 256 1 /bench/poweroff.Image "" ""; }

bytes=$((mib * 1048576))
console_lkvm() {
	measure console lkvm-rcar "${mib}MiB" -m bench-crc32 -c "$bytes" -- \
		"$(lkvm -k /guest/Image $guest -p "'quiet lkvm.test=bench-console lkvm.mib=$mib'")"
}
# QEMU's chardev sometimes loses some or all of the output here: such a
# run is kept (figures.jq counts it lost, not measured) and tried again,
# a bounded number of times.
console_qemu() {
	for try in 1 2 3; do
		measure console qemu "${mib}MiB" -m bench-crc32 -c "$bytes" -- \
			"$(qemu 256 1 /guest/Image "-initrd /guest/initrd.cpio" \
			   "lkvm.test=bench-console lkvm.mib=$mib")"
		console_whole && break
		echo "bench: QEMU's console run $try lost output (peer finding, not a failure)"
	done
}
console_kvmtool() {
	peer_kvmtool console "${mib}MiB" -m bench-crc32 -c "$bytes" -- \
		256 1 /guest/Image "-i /guest/initrd.cpio" "lkvm.test=bench-console lkvm.mib=$mib"
}
# blk_lkvm FIGURE DISK, blk_qemu FIGURE DRIVE, blk_kvmtool FIGURE DISK:
# the disk load, the guest's first disk DISK (--disk's spelling, which
# kvmtool shares) or DRIVE (the start of QEMU's -drive).
blk_lkvm() {
	measure "$1" lkvm-rcar direct-io $blk_marks -- \
		"$(lkvm -k /guest/Image $guest -d "$2" -p "'$blk_params'")"
}
blk_qemu() {
	measure "$1" qemu direct-io $blk_marks -- \
		"$(qemu 256 1 /guest/Image "-initrd /guest/initrd.cpio" "$blk_params" \
		   -drive "$2,if=none,id=disk0,format=raw,aio=$qemu_aio" \
		   -device virtio-blk-device,drive=disk0)"
}
blk_kvmtool() {
	peer_kvmtool "$1" direct-io $blk_marks -- \
		256 1 /guest/Image "-i /guest/initrd.cpio -d $2" "$blk_params"
}
disk_lkvm() { blk_lkvm disk "$blk_img"; }
disk_qemu() { blk_qemu disk "file=$blk_img"; }
disk_kvmtool() { blk_kvmtool disk "$blk_img"; }
diskdev_lkvm() { blk_lkvm diskdev "$blk_dev,direct"; }
diskdev_qemu() { blk_qemu diskdev "file=$blk_dev,cache=none"; }
diskdev_kvmtool() { blk_kvmtool diskdev "$blk_dev,direct"; }

turn=0
for r in $(seq "$reps"); do
	if want boot; then
		rotate "$r" boot_lkvm boot_qemu boot_kvmtool
	fi
	if want startup; then
		# At least $startups runs of each over the repetitions.
		for i in $(seq $(( (startups + reps - 1) / reps ))); do
			rotate "$turn" startup_lkvm startup_qemu startup_kvmtool
			turn=$((turn + 1))
		done
	fi
	if want memory; then
		for m in 128 512; do
			for c in 1 2; do
				measure memory lkvm-rcar "${m}M-${c}cpu" -p 50 -r "$m" -- \
					"$(lkvm -k /guest/Image $guest -m "$m" -c "$c" -p "'quiet lkvm.test=linger'")"
				measure memory qemu "${m}M-${c}cpu" -p 50 -r "$m" -- \
					"$(qemu "$m" "$c" /guest/Image "-initrd /guest/initrd.cpio" lkvm.test=linger)"
				peer_kvmtool memory "${m}M-${c}cpu" -p 50 -r "$m" -- \
					"$m" "$c" /guest/Image "-i /guest/initrd.cpio" lkvm.test=linger
			done
		done
	fi
	if want mmio; then
		for c in mapped trapped; do
			opt=
			[ "$c" = trapped ] && opt=,mmap=off
			measure mmio lkvm-rcar "$c" -m bench-mmio -- \
				"$(lkvm -k /guest/Image $guest --passthrough "$dev$opt" \
				   -p "'quiet lkvm.test=bench-mmio lkvm.count=$count'")"
		done
		measure mmio lkvm-rcar-nocount trapped -m bench-mmio -- \
			"$(lkvm_nocount -k /guest/Image $guest --passthrough "$dev,mmap=off" \
			   -p "'quiet lkvm.test=bench-mmio lkvm.count=$count'")"
	fi
	if want pin; then
		# What pinning guest RAM for type1 costs at start-up: the PL061
		# behind the SMMU against the RTC without an IOMMU (run.sh keeps
		# it out), both set up the same way (one region, one interrupt).
		# The RTC has no reset module: reset_required off (host patch 3).
		# With each backing of guest RAM: base pages (THP turned off, as
		# on a host without it), transparent huge pages (the default),
		# and hugetlbfs, the last two and their yardstick in turns;
		# then the boot to init with each, type1, after all of them, as
		# a boot leaves the host's memory slower to write.
		echo 0 >/sys/module/vfio_platform/parameters/reset_required
		pin_backing base "256 1024"
		rotate "$r" pin_thp pin_hugetlbfs pin_as_before
		for pages in base thp hugetlbfs; do
			ram_backing "$pages" || continue
			measure pin lkvm-rcar "boot-type1-1024M-$pages" -m "'$init'" -r 1024 -- \
				"$(lkvm -k /guest/Image $guest -m 1024 $ram_opt --passthrough "$dev" \
				   -p "'quiet lkvm.test=linger'")"
		done
		ram_backing thp
		echo 1 >/sys/module/vfio_platform/parameters/reset_required
	fi
	if want console; then
		rotate "$r" console_lkvm console_qemu console_kvmtool
	fi
	if want disk; then
		rotate "$r" disk_lkvm disk_qemu disk_kvmtool
	fi
	if want diskdev; then
		rotate "$r" diskdev_lkvm diskdev_qemu diskdev_kvmtool
	fi
done

# Against kvmtool, the closest peer: more runs, alternating which goes
# first, so that "no slower" can be decided from the pairs (figures.jq).
# pair R LKVM KVMTOOL: the two runs, lkvm-rcar first in odd rounds.
pair() {
	if [ $(($1 % 2)) = 1 ]; then "$2"; "$3"; else "$3"; "$2"; fi
}
# Console and the disks, where the two come closest, get twelve pairs in a
# full run: an even number, so each goes first as often.
close_pairs=$reps
[ "$reps" -gt 1 ] && close_pairs=12
if [ -n "$kvmtool" ]; then
	for r in $(seq "$close_pairs"); do
		want boot && [ "$r" -le "$reps" ] && pair "$r" boot_lkvm boot_kvmtool
		want console && pair "$r" console_lkvm console_kvmtool
		want disk && pair "$r" disk_lkvm disk_kvmtool
		want diskdev && pair "$r" diskdev_lkvm diskdev_kvmtool
	done
fi

# Once: the presses come from outside, at the pace of the outer harness.
if want irq; then
	# The same run without presses: what is left over is the interrupts'.
	measure irq lkvm-rcar 0presses -m "'guest: gpio: ready'" -- \
		"$(lkvm -k /guest/Image $guest --passthrough "$dev" \
		   -p "'quiet lkvm.test=gpio lkvm.presses=0'")"
	# The guest's gpio lines go to the console: the harness presses on
	# "ready for N presses" and reads "N button interrupts".
	measure irq lkvm-rcar "${presses}presses" -m "'guest: gpio: ready'" -e "'guest: gpio:'" -- \
		"$(lkvm -k /guest/Image $guest --passthrough "$dev" \
		   -p "'quiet lkvm.test=gpio lkvm.presses=$presses'")"
	# And through the fallback for hosts without irqfd resample.
	measure irq lkvm-rcar "${presses}presses-irqfd-off" -m "'guest: gpio: ready'" -e "'guest: gpio:'" -- \
		"$(lkvm -k /guest/Image $guest --passthrough "$dev,irqfd=off" \
		   -p "'quiet lkvm.test=gpio lkvm.presses=$presses'")"
fi
# The two ways of giving the guest GPIOs, on a host that keeps the PL061
# (QEMU's own tree, run.sh): pass-through of the whole controller against
# virtio-gpio over three of its lines, each toggle and each interrupt.
if want gpio; then
	echo gpio-keys >/sys/bus/platform/drivers/gpio-keys/unbind
	shared="--gpio $dev:0,1,3"
	for r in $(seq "$reps"); do
		measure gpio lkvm-rcar toggle-passthrough -m bench-toggle -- \
			"$(lkvm -k /guest/Image $guest --passthrough "$dev" \
			   -p "'quiet lkvm.test=bench-toggle lkvm.count=$count'")"
		measure gpio lkvm-rcar toggle-virtio -m bench-toggle -- \
			"$(lkvm -k /guest/Image $guest $shared \
			   -p "'quiet lkvm.test=bench-toggle lkvm.count=$count'")"
	done
	for way in passthrough virtio; do
		dev_args="--passthrough $dev" params=
		[ "$way" = virtio ] && dev_args=$shared &&
			params="lkvm.gpiodrv=gpio_virtio lkvm.button=2"
		for n in 0 "$presses"; do
			measure gpio lkvm-rcar "irq-$way-${n}presses" -m "'guest: gpio: ready'" -e "'guest: gpio:'" -- \
				"$(lkvm -k /guest/Image $guest $dev_args \
				   -p "'quiet lkvm.test=gpio lkvm.presses=$n $params'")"
		done
	done
	# Press to answer: a guest program answers each press on line 3 with
	# a change of line 2, which nothing else here touches; the outer
	# harness times the pair in QEMU's trace (pass-through first).
	measure gpio lkvm-rcar react-passthrough -m "'guest: gpio: ready'" -e "'guest: gpio:'" -- \
		"$(lkvm -k /guest/Image $guest --passthrough "$dev" \
		   -p "'quiet lkvm.test=bench-react lkvm.in=3 lkvm.out=2 lkvm.presses=$presses'")"
	measure gpio lkvm-rcar react-virtio -m "'guest: gpio: ready'" -e "'guest: gpio:'" -- \
		"$(lkvm -k /guest/Image $guest --gpio "$dev:2,3" \
		   -p "'quiet lkvm.test=bench-react lkvm.in=1 lkvm.out=0 lkvm.presses=$presses'")"
fi
# QEMU's own pass-through of the same device, bound to vfio-platform as
# QEMU expects, to say in the table what QEMU does with it.
if want mmio; then
	sysdev=/sys/bus/platform/devices/$dev
	echo vfio-platform >"$sysdev/driver_override"
	[ -e "$sysdev/driver" ] && echo "$dev" >"$sysdev/driver/unbind"
	echo "$dev" >/sys/bus/platform/drivers_probe
	$qemu -accel kvm -cpu host -M virt,gic-version=host -m 128 -nodefaults \
		-nographic -device "vfio-platform,host=$dev" -kernel /bench/poweroff.Image \
		</dev/null >/dev/null 2>/tmp/qemu.err
	echo "bench-qemu-passthrough status $? $(head -1 /tmp/qemu.err)"
	[ -e "$sysdev/driver" ] && echo "$dev" >"$sysdev/driver/unbind"
	echo >"$sysdev/driver_override"
	echo "$dev" >/sys/bus/platform/drivers_probe
	echo "bench: $dev is back with '$(basename "$(readlink "$sysdev/driver" 2>/dev/null)" 2>/dev/null)'"
fi
echo "bench: done"
