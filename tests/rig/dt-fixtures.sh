#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Device tree blobs the unit tests read, built from real sources and
# cached: the R-Car H3 Salvator-X tree (r8a77950-salvator-x.dts from
# Debian's linux-source-6.1, preprocessed like the kernel's dtbs build)
# and the emulated board's tree as QEMU makes it, stock and with the
# PL061 as a platform device (dtb.sh). Prints the folder holding them.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/rig/common.sh"

tarball=/usr/src/linux-source-6.1.tar.xz
[ -r "$tarball" ] || die "dt-fixtures: $tarball missing; run tests/rig/deps.sh"
key=$( { stat -c '%s %Y' "$tarball"; cat "$0" "$top/tests/rig/dtb.sh" "$top/tests/rig/cell.sh"; } | key_of)
out="$CACHE/dt-fixtures-$key"
if [ -f "$out/.complete" ]; then
	echo "$out"
	exit 0
fi

log "dt-fixtures: building test device trees (once)"
rm -rf "$out"
mkdir -p "$out/src"
tar -xJf "$tarball" -C "$out/src" --strip-components=1 --wildcards \
	'*/arch/arm64/boot/dts/renesas/*' '*/include/dt-bindings/*' \
	'*/scripts/dtc/include-prefixes/*' '*/include/uapi/linux/input-event-codes.h'
(cd "$out/src" && cpp -nostdinc -undef -D__DTS__ -x assembler-with-cpp \
	-I include -I arch/arm64/boot/dts -I scripts/dtc/include-prefixes \
	-o ../salvator-x.dts arch/arm64/boot/dts/renesas/r8a77950-salvator-x.dts)
dtc -q -I dts -O dtb -o "$out/r8a77950-salvator-x.dtb" "$out/salvator-x.dts"
rm -rf "$out/src" "$out/salvator-x.dts"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
qemu-system-aarch64 -M "virt,virtualization=on,gic-version=3,acpi=off,dumpdtb=$out/virt.dtb" \
	-cpu max -smp 2 -m 2048 -display none -nic none >/dev/null 2>&1
sh "$top/tests/rig/dtb.sh" vhe-gicv3-noiommu "$out/virt-platform.dtb"
sh "$top/tests/rig/dtb.sh" nvhe-gicv2-smmu "$out/virt-smmu-platform.dtb"
touch "$out/.complete"
echo "$out"
