#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Boots the emulated arm64 KVM host: QEMU's virt board under TCG with
# virtualization=on (EL2, so the host kernel runs KVM) and the given GIC.
# The host's serial console goes to stdout. Ends when the host powers off
# or after the time limit (status 124). With RIG_INTERACTIVE=1 the
# terminal stays connected to the host's console.
#
# Usage: qemu.sh GIC(2|3) KERNEL HOST_CPIO SCRIPT [TIMEOUT_S] [QEMU_ARGS...]
set -eu

gic=$1
kernel=$2
initrd=$3
script=$4
limit=${5:-300}
shift 5 2>/dev/null || shift $#

if [ "${RIG_INTERACTIVE:-0}" = 1 ]; then
	interactive=1
else
	interactive=0
	exec </dev/null
fi

exec timeout --foreground -k 5 "$limit" qemu-system-aarch64 \
	-M "virt,virtualization=on,gic-version=$gic,acpi=off" \
	-cpu max,pauth-impdef=on,sve=off -smp 2 -m 2048 \
	-display none -monitor none -serial stdio -no-reboot -nic none \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyAMA0 panic=-1 quiet rig.script=$script rig.gic=gicv$gic rig.interactive=$interactive" \
	"$@"
