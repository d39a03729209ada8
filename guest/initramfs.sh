#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Builds a small arm64 initramfs for an lkvm-rcar guest (make initramfs):
# busybox (static), libgpiod's tools (gpiodetect, gpioinfo, gpioget,
# gpioset, gpiomon) with the libraries they load, and guest/rootfs-init,
# which gives a shell on the console. All of it comes from Debian's
# arm64 packages, unpacked by tests/rig/deps.sh (make deps).
#
#   guest/initramfs.sh OUT.cpio.gz
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/rig/common.sh"

out=${1:?usage: guest/initramfs.sh OUT.cpio.gz}
sysroot="$CACHE/sysroot-arm64"
for f in bin/busybox usr/bin/gpioset usr/lib/aarch64-linux-gnu/libgpiod.so.2; do
	[ -e "$sysroot/$f" ] || die "initramfs: $sysroot/$f is missing; run make deps"
done
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp" \
	"$root/lib/aarch64-linux-gnu"
cp "$sysroot/bin/busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
install -m 755 "$top/guest/rootfs-init" "$root/init"
for t in gpiodetect gpioinfo gpioget gpioset gpiomon gpiofind; do
	cp "$sysroot/usr/bin/$t" "$root/bin/$t"
done

# The loader and the libraries the tools load, from the sysroot or the
# arm64 C library the cross toolchain ships.
libdirs="$sysroot/usr/lib/aarch64-linux-gnu $sysroot/lib/aarch64-linux-gnu
	/usr/aarch64-linux-gnu/lib /usr/lib/aarch64-linux-gnu /lib/aarch64-linux-gnu"
find_lib() {
	for d in $libdirs; do
		[ -e "$d/$1" ] && echo "$d/$1" && return 0
	done
	die "initramfs: $1 is not in the arm64 sysroot; run make deps"
}
interp=$(aarch64-linux-gnu-readelf -l "$root/bin/gpioset" |
	sed -n 's/.*program interpreter: \(.*\)]/\1/p')
mkdir -p "$root$(dirname "$interp")"
cp -L "$(find_lib "$(basename "$interp")")" "$root$interp"
todo=$(ls "$root"/bin/gpio*) seen=" "
while [ -n "$todo" ]; do
	set -- $todo
	elf=$1
	shift
	todo="$*"
	for so in $(aarch64-linux-gnu-readelf -d "$elf" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		case "$seen" in *" $so "*) continue ;; esac
		seen="$seen$so "
		cp -L "$(find_lib "$so")" "$root/lib/aarch64-linux-gnu/$so"
		todo="$todo $root/lib/aarch64-linux-gnu/$so"
	done
done

mkdir -p "$(dirname "$out")"
(cd "$root" && find . | sort | cpio -o -H newc --quiet) | gzip -9 >"$out.tmp"
mv "$out.tmp" "$out"
log "initramfs: $out ($(du -k "$out" | cut -f1) KiB): busybox, libgpiod's tools, a shell on the console"
