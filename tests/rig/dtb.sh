#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Writes the emulated board's device tree for one rig configuration
# (tests/rig/cell.sh).
#
# platform (the default): the PL061 GPIO controller and the PL031 RTC
# presented as plain platform devices (compatible "arm,pl061" or
# "arm,pl031" only, so no AMBA driver takes them and vfio-platform can),
# without the gpio-keys node that would hold the PL061's line 3. This is
# the R-Car path: there the GPIO block is a platform device too. It adds
# a stand-in for the R-Car's GPIO6 layout: a node with the R-Car Gen3
# GPIO compatibles whose registers are a 0x50-byte window at page offset
# 0x400 of the PL061 (GPIODIR onwards, plain read/write registers in
# QEMU's model), on an interrupt line nothing raises. The host's and the
# guest's stock gpio-rcar drivers take it, VFIO will not mmap it (it is
# smaller than a page), and the R-Car reset module runs on it: the
# sub-page, trapped case of the real board, end to end.
#
# amba: QEMU's own tree, the PL061 and PL031 on the AMBA bus, without
# the gpio-keys node (the PL061 is passed through whole).
#
# keys: QEMU's own tree as it is: the host keeps the PL061 and its
# gpio-keys driver holds line 3, the power button (--gpio shares lines).
#
# salvator: platform's tree, plus the Salvator-X's hold on GPIO6: a
# gpio-keys node "keys" whose key-a..key-c (TSW0-TSW2) take lines 11-13
# of the R-Car stand-in, as upstream's salvator-common.dtsi does. The
# docs' examples run on it (tests/system/host/docs.sh).
#
# On a cell with the SMMU, each of those devices gets its own stream ID
# on QEMU's SMMUv3 (the driver refuses two devices on one), so each is
# alone in an IOMMU group, as a device behind the R-Car IPMMU is.
# RIG_NO_IOMMU=NODE leaves one of them out (make bench compares the two).
#
# Usage: dtb.sh CELL OUT.dtb [platform|amba|keys|salvator]
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/rig/cell.sh"

cell_parse "$1"
out=$2
bus=${3:-platform}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

qemu-system-aarch64 -M "$(cell_machine | sed -n 1p),dumpdtb=$tmp/virt.dtb" \
	-cpu "$(cell_machine | sed -n 2p)" -smp 2 -m 2048 -display none -nic none \
	>/dev/null 2>&1
dtc -q -I dtb -O dts -o "$tmp/virt.dts" "$tmp/virt.dtb"

# drop_keys: the tree without its gpio-keys node, the only one with a
# "poweroff" child.
drop_keys() {
	awk '
		/^\tgpio-keys \{/ { skip = 1 }
		skip && /^\t\};/ { skip = 0; next }
		!skip
	' "$tmp/virt.dts"
}

case "$bus" in
platform|salvator)
	drop_keys |
		sed -e 's/compatible = "arm,pl061\\0arm,primecell";/compatible = "arm,pl061";/' \
		    -e 's/compatible = "arm,pl031\\0arm,primecell";/compatible = "arm,pl031";/' \
		> "$tmp/board.dts"
	# Before the root node's closing brace, the last line of the file.
	sed -i '$d' "$tmp/board.dts"
	cat >>"$tmp/board.dts" <<'NODE'

	gpio@9030400 {
		compatible = "renesas,gpio-r8a7795", "renesas,rcar-gen3-gpio";
		reg = <0x00 0x9030400 0x00 0x50>;
		interrupts = <0x00 0x64 0x04>;
		#gpio-cells = <0x02>;
		gpio-controller;
		phandle = <0x4c4b>;
	};
NODE
	[ "$bus" = platform ] || cat >>"$tmp/board.dts" <<'KEYS'

	keys {
		compatible = "gpio-keys";

		key-a {
			gpios = <0x4c4b 11 1>;
			linux,code = <0x1e>;
			label = "TSW0";
		};

		key-b {
			gpios = <0x4c4b 12 1>;
			linux,code = <0x30>;
			label = "TSW1";
		};

		key-c {
			gpios = <0x4c4b 13 1>;
			linux,code = <0x2e>;
			label = "TSW2";
		};
	};
KEYS
	echo "};" >>"$tmp/board.dts"
	for dev in pl061 pl031; do
		grep -q "compatible = \"arm,$dev\";" "$tmp/board.dts" ||
			{ echo "error: dtb.sh: no $dev node in QEMU's DTB" >&2; exit 1; }
	done ;;
amba)
	drop_keys >"$tmp/board.dts" ;;
keys)
	grep -q '^	gpio-keys {' "$tmp/virt.dts" ||
		{ echo "error: dtb.sh: no gpio-keys node in QEMU's DTB" >&2; exit 1; }
	cp "$tmp/virt.dts" "$tmp/board.dts" ;;
*)
	echo "error: dtb.sh: unknown layout '$bus'; use platform, amba, keys or salvator" >&2
	exit 1 ;;
esac

if [ "$cell_iommu" = smmu ]; then
	smmu=$(awk '/^\tsmmuv3@[0-9a-f]* \{/ { f = 1 }
		    f && /phandle = / { gsub(/.*phandle = <|>;.*/, ""); print; exit }' "$tmp/board.dts")
	[ -n "$smmu" ] || { echo "error: dtb.sh: no SMMUv3 node in QEMU's DTB" >&2; exit 1; }
	# Stream IDs no PCI requester uses (QEMU maps PCI RIDs 1:1).
	sid=0x8000
	for node in pl061@9030000 pl031@9010000 gpio@9030400; do
		grep -q "^	$node {" "$tmp/board.dts" || continue
		[ "$node" = "${RIG_NO_IOMMU:-}" ] && continue
		sed -i "/^	$node {/a \\		iommus = <$smmu $sid>;" "$tmp/board.dts"
		sid=$(printf '0x%x' $((sid + 1)))
	done
fi
dtc -q -I dts -O dtb -o "$out" "$tmp/board.dts"
