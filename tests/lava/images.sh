#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# What the emulated Salvator-X's LAVA job deploys (job-emulated.yaml.in),
# built from the rig's parts into OUTDIR:
#
#   Image         the rig's host kernel, with host/patches/ (kernel.sh)
#   board.dtb     the board's tree in the Salvator-X's configuration
#                 (dtb.sh nvhe-gicv2-smmu: the PL061 and the R-Car GPIO
#                 stand-in as platform devices, each behind the SMMU)
#   board.cpio.gz the board's root: busybox, whose init gives a shell on
#                 ttyAMA0 with the prompt the job waits for ("lava-test: #
#                 "); lkvm-rcar and jq (run-boots.sh's tools); and under
#                 /guest the guest's Image with two initramfs images:
#                 poweroff.cpio, whose init powers off at once, and
#                 panic.cpio, whose init exits, so that the guest kernel
#                 panics (status 4)
#
# Usage: images.sh OUTDIR
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/rig/common.sh"
. "$top/tests/rig/arm64-libs.sh"

out=${1:?usage: images.sh OUTDIR}
sysroot="$CACHE/sysroot-arm64"
busybox="$sysroot/bin/busybox"
for f in "$busybox" "$sysroot/usr/bin/jq"; do
	[ -x "$f" ] || die "lava images: $f missing; run make deps"
done
[ -x "$top/lkvm-rcar" ] || die "lava images: ./lkvm-rcar missing; run make"
mkdir -p "$out"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

image=$(sh "$top/tests/rig/kernel.sh")
cp "$image" "$out/Image"
sh "$top/tests/rig/dtb.sh" nvhe-gicv2-smmu "$out/board.dtb" platform

# guest_root DIR MESSAGE TAIL: a guest initramfs whose init says MESSAGE
# and then runs TAIL.
guest_root() {
	mkdir -p "$1/bin" "$1/proc"
	cp "$busybox" "$1/bin/busybox"
	printf '#!/bin/busybox sh\necho "guest: %s"\n%s\n' "$2" "$3" >"$1/init"
	chmod 755 "$1/init"
}
pack() {
	(cd "$1" && find . | sort | cpio -o -H newc --quiet)
}

root="$stage/board"
mkdir -p "$root/bin" "$root/sbin" "$root/usr/bin" "$root/usr/sbin" "$root/etc/init.d" "$root/proc" \
	"$root/sys" "$root/dev" "$root/tmp" "$root/run" "$root/root" "$root/guest"
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
ln -s bin/busybox "$root/init"
cat >"$root/etc/inittab" <<'TAB'
::sysinit:/etc/init.d/rcS
ttyAMA0::respawn:-/bin/sh
TAB
cat >"$root/etc/init.d/rcS" <<'RCS'
#!/bin/sh
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /tmp
hostname salvator-x-emulated
RCS
chmod 755 "$root/etc/init.d/rcS"
cat >"$root/etc/profile" <<'PROFILE'
export PATH=/usr/bin:/bin:/sbin
export HOME=/root
export PS1='lava-test: # '
cd /root
PROFILE
cp "$top/lkvm-rcar" "$root/usr/bin/lkvm-rcar"
cp "$sysroot/usr/bin/jq" "$root/usr/bin/jq"
add_libs "$root/usr/bin/jq" "$root"
add_libs "$root/usr/bin/lkvm-rcar" "$root"
cp "$image" "$root/guest/Image"
guest_root "$stage/poweroff" "up, powering off" "/bin/busybox poweroff -f"
pack "$stage/poweroff" >"$root/guest/poweroff.cpio"
guest_root "$stage/panic" "init exits: the kernel panics" "exit 1"
pack "$stage/panic" >"$root/guest/panic.cpio"
pack "$root" | gzip -6 >"$out/board.cpio.gz.tmp"
mv "$out/board.cpio.gz.tmp" "$out/board.cpio.gz"
log "lava images: $out: Image, board.dtb, board.cpio.gz ($(du -k "$out/board.cpio.gz" | cut -f1) KiB)"
