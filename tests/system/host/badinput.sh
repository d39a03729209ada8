#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The bad-input table, inside the emulated host: each input a user can
# get wrong must give exactly one line on stderr that names the thing at
# fault, the documented exit status, and leave nothing behind (no file it
# was asked to write, the host's devices as they were); the guest never
# starts (nothing on the console, the VMM's standard output). Sourced by
# boot.sh, which provides ok, fail, $vmm, $kernel, $initrd, $out, $err.
#
# Each row: EXIT_STATUS | PATTERN IN THE LINE | ARGUMENTS (after "run",
# or a whole command line when they start with "!").

badinput_table() {
	cat <<'EOF'
2|no command|!
2|unknown command 'start'|!start
2|release takes one device|!release
2|no kernel; give one with --kernel|
2|unknown option '--turbo'|-k /guest/Image --turbo
2|--mem: 16 is out of range|-k /guest/Image -m 16
2|--mem: 'lots' is not a size|-k /guest/Image -m lots
2|--mem: 1T is out of range; give 32M to 256G|-k /guest/Image -m 1T
2|--cpus: 0 is out of range|-k /guest/Image -c 0
2|--cpus: a GICv2 serves at most 8 vCPUs; give --cpus 8 or fewer, or --irqchip gicv3|-k /guest/Image --irqchip gicv2 -c 9
2|--stats takes its file after '=': write --stats=/tmp/s.json|-k /guest/Image --stats /tmp/s.json
2|unexpected argument 'run' after --help|!--help run
2|--irqchip: unknown interrupt controller 'gicv5'|-k /guest/Image --irqchip gicv5
2|--timeout: 0 is out of range|-k /guest/Image --timeout 0
2|--sandbox: 'maybe' is neither on nor off|-k /guest/Image --sandbox maybe
2|--passthrough 9030000.pl061: unknown option 'mmap=maybe'|-k /guest/Image --passthrough 9030000.pl061,mmap=maybe
2|--passthrough /sys/bus/platform/devices/9030000.pl061: given twice; name each device once|-k /guest/Image --passthrough 9030000.pl061 --passthrough /sys/bus/platform/devices/9030000.pl061
2|--disk /guest/rootfs.img: unknown option 'rw'; use ro, direct or serial=ID|-k /guest/Image -d /guest/rootfs.img,rw
1|--disk /nonexistent.img: no such file; give a raw image or a block device|-k /guest/Image -i /guest/initrd.cpio -d /nonexistent.img
1|--disk /guest: a directory; give a raw image or a block device|-k /guest/Image -i /guest/initrd.cpio -d /guest
1|--disk /tmp/disk.qcow2: a qcow2 image; lkvm-rcar takes raw images: convert it with 'qemu-img convert -O raw /tmp/disk.qcow2 /tmp/disk.qcow2.raw'|-k /guest/Image -i /guest/initrd.cpio -d /tmp/disk.qcow2
1|--disk /dev/null: not a regular file or a block device; give a raw image|-k /guest/Image -i /guest/initrd.cpio -d /dev/null
1|--disk /guest/../guest/rootfs.img: the same image as --disk /guest/rootfs.img; give it once, or ,ro to both|-k /guest/Image -i /guest/initrd.cpio -d /guest/rootfs.img,ro -d /guest/../guest/rootfs.img
1|/nonexistent/Image|-k /nonexistent/Image
1|/guest|-k /guest
1|/tmp/empty|-k /tmp/empty
1|not an arm64 Linux Image|-k /guest/initrd.cpio
1|/tmp/short.Image is truncated: 100 bytes|-k /tmp/short.Image -i /guest/initrd.cpio --timeout 20
1|/nonexistent/initrd|-k /guest/Image -i /nonexistent/initrd
1|--hugetlbfs /tmp: not a hugetlbfs mount; mount one there (mount -t hugetlbfs none /tmp)|-k /guest/Image -i /guest/initrd.cpio --hugetlbfs /tmp
1|--hugetlbfs /nonexistent: No such file or directory; give the directory where hugetlbfs is mounted|-k /guest/Image -i /guest/initrd.cpio --hugetlbfs /nonexistent
1|--hugetlbfs /tmp/huge: its pages are 2048 KiB; give --mem a multiple of that|-k /guest/Image -i /guest/initrd.cpio -m 129 --hugetlbfs /tmp/huge
1|--hugetlbfs /tmp/huge: 256 MiB of guest RAM needs 128 huge pages of 2048 KiB, 16 are free; reserve more in /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages|-k /guest/Image -i /guest/initrd.cpio -m 256M --hugetlbfs /tmp/huge
1|--mem: 32 MiB is too small|-k /guest/Image -i /tmp/big.cpio -m 32
1|/proc/nope/guest.dtb|-k /guest/Image --dump-dtb /proc/nope/guest.dtb -p lkvm.test=poweroff
2|--stats /proc/nope/s.json|-k /guest/Image -i /guest/initrd.cpio --stats=/proc/nope/s.json -p lkvm.test=poweroff
1|1234.nothing: no such device|-k /guest/Image --passthrough 1234.nothing
1|release 1234.nothing|!release 1234.nothing
1|/dev/kvm|-k /guest/Image @nokvm
1|/dev/vfio/vfio: No such file or directory; the host kernel needs CONFIG_VFIO|-k /guest/Image --passthrough 9030000.pl061 @novfio
EOF
}

# A host without KVM or VFIO: its device node moved away for one run.
run_without() {
	node=$1
	shift
	mv "$node" "$node.away"
	"$vmm" run "$@" </dev/null >"$out" 2>"$err"
	status=$?
	mv "$node.away" "$node"
}

# The PL061's host driver: no row may leave it bound elsewhere.
pl061_driver() {
	basename "$(readlink /sys/bus/*/devices/9030000.pl061/driver 2>/dev/null)" 2>/dev/null
}

badinput_run() {
	: >/tmp/empty
	{ printf 'QFI\373\0\0\0\3'; head -c 4096 /dev/zero; } >/tmp/disk.qcow2
	head -c 100 /guest/Image >/tmp/short.Image
	head -c 40000000 /dev/zero >/tmp/big.cpio
	pl061_was=$(pl061_driver)
	# A hugetlbfs with 16 pages of 2 MiB: too few for 256 MiB.
	mkdir -p /tmp/huge
	mount -t hugetlbfs none /tmp/huge
	echo 16 >/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
	badinput_table | while IFS='|' read -r want pattern args; do
		rm -f /tmp/nope.out
		case "$args" in
		'!'*)	# shellcheck disable=SC2086
			"$vmm" ${args#!} </dev/null >"$out" 2>"$err"
			status=$? ;;
		*@nokvm)
			# shellcheck disable=SC2086
			run_without /dev/kvm ${args% @nokvm} ;;
		*@novfio)
			# shellcheck disable=SC2086
			run_without /dev/vfio/vfio ${args% @novfio} ;;
		*)	# shellcheck disable=SC2086
			"$vmm" run $args </dev/null >"$out" 2>"$err"
			status=$? ;;
		esac
		name="bad input '${args:-run}': one line naming '$pattern', status $want, no guest"
		lines=$(grep -c . "$err")
		if [ "$status" -eq "$want" ] && [ "$lines" -eq 1 ] && grep -q -F -e "$pattern" "$err" &&
		   [ ! -s "$out" ] &&
		   [ ! -e /proc/nope/guest.dtb ] && [ -z "$(ls /run/lkvm-rcar 2>/dev/null)" ] &&
		   [ "$(pl061_driver)" = "$pl061_was" ] && [ -z "$(ls /tmp/huge)" ] &&
		   [ "$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages)" = 16 ]; then
			ok "$name"
		else
			fail "$name" "status $status, $lines lines: $(head -2 "$err" | tr '\n' ' ')PL061 bound to '$(pl061_driver)', $(wc -c <"$out") bytes on the console"
		fi
	done
	rm -f /tmp/empty /tmp/big.cpio /tmp/short.Image /tmp/disk.qcow2
	umount /tmp/huge
	echo 0 >/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
}
