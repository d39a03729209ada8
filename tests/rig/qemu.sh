#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Boots the emulated arm64 KVM host: QEMU's virt board under TCG with
# virtualization=on (EL2, so the host kernel runs KVM), in one of the
# rig's configurations (tests/rig/cell.sh: CPU and KVM mode, GIC, IOMMU).
# The host's serial console goes to stdout. Ends when the host powers off
# or after the time limit (status 124).
#
# Usage: qemu.sh CELL KERNEL HOST_CPIO SCRIPT [TIMEOUT_S]
# Environment:
#   RIG_DTB=FILE        boot the host with this device tree (dtb.sh)
#   RIG_MONITOR=SOCK    QEMU monitor on a unix socket (system_powerdown)
#   RIG_TRACE=FILE      write the PL061's output and input changes to FILE
#   RIG_APPEND=ARGS     more host kernel arguments
#   RIG_DRIVE=FILE      give the host FILE as a disk (virtio-blk): its /dev/vda
#   RIG_PREALLOC=1      fault the host's RAM in before it boots (make bench)
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/rig/cell.sh"

cell=$1
kernel=$2
initrd=$3
script=$4
limit=${5:-300}
cell_parse "$cell"
machine=$(cell_machine | sed -n 1p)
cpu=$(cell_machine | sed -n 2p)

exec </dev/null

set --
[ -n "${RIG_DTB:-}" ] && set -- "$@" -dtb "$RIG_DTB"
if [ -n "${RIG_MONITOR:-}" ]; then
	set -- "$@" -monitor "unix:$RIG_MONITOR,server,nowait"
else
	set -- "$@" -monitor none
fi
# A board's RAM is there from power-on; the emulated host's is faulted in
# by the outer machine at its first write, which would otherwise land in
# whichever run first writes a page (docs/performance.md).
[ -n "${RIG_PREALLOC:-}" ] && set -- "$@" -mem-prealloc
[ -n "${RIG_DRIVE:-}" ] && set -- "$@" \
	-drive "file=$RIG_DRIVE,if=none,format=raw,id=hostdisk" -device virtio-blk-device,drive=hostdisk
# Timestamped (pid@seconds.microseconds:), on the outer machine's clock.
[ -n "${RIG_TRACE:-}" ] && set -- "$@" -trace pl061_set_output \
	-trace pl061_input_change -msg timestamp=on -D "$RIG_TRACE"

# No-IOMMU mode is on in every cell: a device behind the SMMU must still
# take the type1 path (the tests check it does). vfio-platform keeps its
# default reset_required=1: the PL061 has a reset module (host/patches).
cmdline="console=ttyAMA0 panic=-1 quiet vfio.enable_unsafe_noiommu_mode=1"
cmdline="$cmdline ${RIG_APPEND:-}"
cmdline="$cmdline rig.script=$script rig.gic=gicv$cell_gic rig.cell=$cell"

exec timeout --foreground -k 5 "$limit" qemu-system-aarch64 \
	-M "$machine" -cpu "$cpu" -smp 2 -m 2048 \
	-display none -serial stdio -no-reboot -nic none \
	-kernel "$kernel" -initrd "$initrd" -append "$cmdline" "$@"
