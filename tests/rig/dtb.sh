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
for dev in pl061 pl031; do
	grep -q "compatible = \"arm,$dev\";" "$tmp/platform.dts" ||
		{ echo "error: dtb.sh: no $dev node in QEMU's DTB" >&2; exit 1; }
done
dtc -q -I dts -O dtb -o "$out" "$tmp/platform.dts"
