#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Builds the rig's initramfs images (uncompressed cpio: in emulation,
# unpacking is cheaper than decompressing) and prints their paths:
#
#   guest.cpio  busybox, guest/init, guest/gpio-test.sh and vq-flood: the
#               guest's root
#   host.cpio   busybox, tests/rig/host-init, ./lkvm-rcar, the kernel
#               Image, guest.cpio and rootfs.img (ext4: busybox and
#               guest/disk-init, a root for --disk) under /guest, and tests/system/host/,
#               vmmtime, ptyrun, runas, gpiotool and the demo's two parts
#               under /rig: the emulated host's root
#
# With QEMU_ROOT (tests/rig/qemu-peer.sh), the images are make bench's
# instead: bench-guest.cpio adds the guest's mmio-loop, gpio-toggle,
# gpio-react and blk-io, bench-host.cpio adds QEMU and its libraries, vmmtime, loadcopy, poweroff.Image
# and kvmtool's lkvm-static (KVMTOOL, tests/rig/kvmtool-peer.sh, when
# there is one) under /bench, and tests/bench/host/ under /rig.
#
# RIG_VMM=FILE puts that VMM in the host image instead of ./lkvm-rcar
# (make deb-check: the packaged one); a dynamically linked one brings the
# arm64 libraries it loads, from the machine's arm64 runtime packages.
#
# Usage: initramfs.sh KERNEL_IMAGE OUTDIR [QEMU_ROOT [KVMTOOL]]
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/rig/common.sh"
. "$top/tests/rig/arm64-libs.sh"

image=$1
outdir=$2
busybox="$CACHE/sysroot-arm64/bin/busybox"
[ -x "$busybox" ] || die "initramfs: $busybox missing; run tests/rig/deps.sh"
vmm=${RIG_VMM:-$top/lkvm-rcar}
[ -x "$vmm" ] || die "initramfs: $vmm missing; run make"
for tool in build/bench/vmmtime build/tools/ptyrun build/tools/runas build/tools/gpiotool \
	build/guest/vq-flood; do
	[ -x "$top/$tool" ] || die "initramfs: $tool missing; run make $tool"
done

mkdir -p "$outdir"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# make_root DIR INIT: a minimal busybox root with INIT as /init.
make_root() {
	mkdir -p "$1/bin" "$1/proc" "$1/sys" "$1/dev" "$1/tmp" "$1/run"
	cp "$busybox" "$1/bin/busybox"
	ln -sf busybox "$1/bin/sh"
	cp "$2" "$1/init"
	chmod 755 "$1/init"
}

pack() {
	(cd "$1" && find . | sort | cpio -o -H newc --quiet) > "$2.tmp"
	mv "$2.tmp" "$2"
}

qemu_root=${3:-}
prefix=
[ -z "$qemu_root" ] || prefix=bench-
bench="$top/build/bench"

make_root "$stage/guest" "$top/guest/init"
cp "$top/guest/gpio-test.sh" "$stage/guest/gpio-test.sh"
cp "$top/build/guest/vq-flood" "$stage/guest/vq-flood"
[ -z "$qemu_root" ] || cp "$bench/mmio-loop" "$bench/gpio-toggle" "$bench/gpio-react" \
	"$bench/blk-io" "$stage/guest/"
pack "$stage/guest" "$outdir/${prefix}guest.cpio"

# The guest's root file system on a disk: busybox and guest/disk-init,
# made into ext4 with mke2fs -d (no root, no loop device needed).
mkdir -p "$stage/rootfs/sbin" "$stage/rootfs/etc" "$stage/rootfs/data"
make_root "$stage/rootfs" "$top/guest/disk-init"
mv "$stage/rootfs/init" "$stage/rootfs/sbin/init"
echo "lkvm-rcar rig rootfs" >"$stage/rootfs/etc/lkvm-rootfs"

make_root "$stage/host" "$top/tests/rig/host-init"
mkdir -p "$stage/host/guest" "$stage/host/rig"
cp "$vmm" "$stage/host/bin/lkvm-rcar"
add_libs "$vmm" "$stage/host"
cp "$image" "$stage/host/guest/Image"
cp "$outdir/${prefix}guest.cpio" "$stage/host/guest/initrd.cpio"
# make initramfs's guest, which the docs' walk-through boots.
[ ! -e "$top/build/initramfs.cpio.gz" ] ||
	cp "$top/build/initramfs.cpio.gz" "$stage/host/guest/user-initramfs.cpio.gz"
mke2fs -q -F -t ext4 -L lkvm-root -d "$stage/rootfs" "$stage/host/guest/rootfs.img" 16M ||
	die "initramfs: mke2fs could not make the guest's root disk; run tests/rig/deps.sh"
cp "$top"/tests/system/host/*.sh "$stage/host/rig/"
# The docs' board examples (tests/system/host/docs.sh), and docs/ci.md's
# /run-tests, appended to make initramfs's guest there.
sh "$top/tests/docs/examples.sh" board >"$stage/host/rig/doc-examples.txt" ||
	die "initramfs: tests/docs/examples.sh found an example without a marker"
mkdir -p "$stage/run-tests"
cat >"$stage/run-tests/run-tests" <<'RUN'
#!/bin/busybox sh
echo "tests: all passed"
/bin/busybox poweroff -f
RUN
chmod 755 "$stage/run-tests/run-tests"
pack "$stage/run-tests" "$stage/host/guest/run-tests.cpio"
cp "$top/build/bench/vmmtime" "$top/build/tools/ptyrun" "$top/build/tools/runas" \
	"$top/build/tools/gpiotool" "$stage/host/rig/"
cp "$top/tests/rig/demo-host.sh" "$stage/host/rig/demo.sh"
cp "$top/tests/rig/demo-shared-host.sh" "$stage/host/rig/demo-shared.sh"
if [ -n "$qemu_root" ]; then
	cp -a "$qemu_root/." "$stage/host/"
	rm -f "$stage/host/.complete"
	mkdir -p "$stage/host/bench"
	cp "$bench/vmmtime" "$bench/loadcopy" "$bench/poweroff.Image" "$bench/lkvm-rcar-nocount" \
		"$bench/lkvm-rcar-nopopulate" "$stage/host/bench/"
	[ -z "${4:-}" ] || cp "$4" "$stage/host/bench/lkvm-static"
	cp "$top"/tests/bench/host/*.sh "$stage/host/rig/"
fi
pack "$stage/host" "$outdir/${prefix}host.cpio"

echo "$outdir/${prefix}guest.cpio"
echo "$outdir/${prefix}host.cpio"
