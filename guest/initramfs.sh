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
. "$top/tests/rig/arm64-libs.sh"

out=${1:?usage: guest/initramfs.sh OUT.cpio.gz}
sysroot="$CACHE/sysroot-arm64"
for f in bin/busybox usr/bin/gpioset usr/lib/aarch64-linux-gnu/libgpiod.so.2; do
	[ -e "$sysroot/$f" ] || die "initramfs: $sysroot/$f is missing; run make deps"
done
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
cp "$sysroot/bin/busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
install -m 755 "$top/guest/rootfs-init" "$root/init"
for t in gpiodetect gpioinfo gpioget gpioset gpiomon gpiofind; do
	cp "$sysroot/usr/bin/$t" "$root/bin/$t"
done

# The loader and the libraries the tools load.
for t in "$root"/bin/gpio*; do
	add_libs "$t" "$root"
done

mkdir -p "$(dirname "$out")"
(cd "$root" && find . | sort | cpio -o -H newc --quiet) | gzip -9 >"$out.tmp"
mv "$out.tmp" "$out"
log "initramfs: $out ($(du -k "$out" | cut -f1) KiB): busybox, libgpiod's tools, a shell on the console"
