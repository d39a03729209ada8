#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Writes the emulated board's device tree with the PL061 GPIO controller
# and the PL031 RTC presented as plain platform devices (compatible
# "arm,pl061" or "arm,pl031" only, so no AMBA driver takes them and
# vfio-platform can) and without the gpio-keys node that would hold the
# PL061's line 3. This is the R-Car path: there the GPIO block is a
# platform device too.
#
# It adds a stand-in for the R-Car's GPIO6 layout: a node with the
# R-Car Gen3 GPIO compatibles whose registers are a 0x50-byte window at
# page offset 0x400 of the PL061 (GPIODIR onwards, plain read/write
# registers in QEMU's model), on an interrupt line nothing raises. The
# host's and the guest's stock gpio-rcar drivers take it, VFIO will not
# mmap it (it is smaller than a page), and the R-Car reset module runs
# on it: the sub-page, trapped case of the real board, end to end.
#
# Usage: dtb.sh GIC(2|3) OUT.dtb
set -eu

gic=$1
out=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

qemu-system-aarch64 -M "virt,virtualization=on,gic-version=$gic,acpi=off,dumpdtb=$tmp/virt.dtb" \
	-cpu max,pauth-impdef=on,sve=off -smp 2 -m 2048 -display none -nic none \
	>/dev/null 2>&1
dtc -q -I dtb -O dts -o "$tmp/virt.dts" "$tmp/virt.dtb"
# gpio-keys is the only node with a "poweroff" child; drop the whole node.
awk '
	/^\tgpio-keys \{/ { skip = 1 }
	skip && /^\t\};/ { skip = 0; next }
	!skip
' "$tmp/virt.dts" |
	sed -e 's/compatible = "arm,pl061\\0arm,primecell";/compatible = "arm,pl061";/' \
	    -e 's/compatible = "arm,pl031\\0arm,primecell";/compatible = "arm,pl031";/' \
	> "$tmp/platform.dts"
# Before the root node's closing brace, the last line of the file.
sed -i '$d' "$tmp/platform.dts"
cat >>"$tmp/platform.dts" <<'NODE'

	gpio@9030400 {
		compatible = "renesas,gpio-r8a7795", "renesas,rcar-gen3-gpio";
		reg = <0x00 0x9030400 0x00 0x50>;
		interrupts = <0x00 0x64 0x04>;
		#gpio-cells = <0x02>;
		gpio-controller;
	};
};
NODE
for dev in pl061 pl031; do
	grep -q "compatible = \"arm,$dev\";" "$tmp/platform.dts" ||
		{ echo "error: dtb.sh: no $dev node in QEMU's DTB" >&2; exit 1; }
done
dtc -q -I dts -O dtb -o "$out" "$tmp/platform.dts"
