#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make demo: boot the emulated arm64 KVM host and, inside it, a guest
# under lkvm-rcar. Builds what is missing first (kernel cached).
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/rig/common.sh"

out="$top/build/demo"
echo "demo: building the rig kernel (cached after the first run)"
image=$(sh "$top/tests/rig/kernel.sh")
sh "$top/tests/rig/initramfs.sh" "$image" "$out" >/dev/null
if [ -t 0 ] && [ -t 1 ]; then
	export RIG_INTERACTIVE=1
	echo "demo: booting the emulated arm64 host; you get the guest's shell"
else
	echo "demo: booting the emulated arm64 host; a scripted session runs in the guest"
fi
sh "$top/tests/rig/qemu.sh" 3 "$image" "$out/host.cpio" demo 3600
