#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The demo, inside the emulated arm64 host: lkvm-rcar passes the board's
# GPIO controller through to a guest, whose stock driver blinks outputs
# and takes button interrupts (guest/gpio-test.sh); the outer demo script
# shows what the board sees and presses the button.
dev=9030000.pl061
driver() {
	d=$(readlink /sys/bus/platform/devices/$dev/driver 2>/dev/null)
	echo "${d:+${d##*/}}${d:-no driver}"
}
cmd="lkvm-rcar run -k /guest/Image -i /guest/initrd.cpio -c 2 --passthrough $dev"

kvm=$(dmesg | sed -n 's/.*kvm \[[0-9]*\]: \([A-Za-z]*\) mode initialized.*/\1/p' | head -1)
[ "$kvm" = Hyp ] && kvm=nVHE

echo
echo "host: the emulated arm64 host is up with KVM in $kvm mode; $dev has $(driver)"
# The IOMMU group only appears once a driver binds: the DT says it first.
if [ -e /sys/bus/platform/devices/$dev/of_node/iommus ]; then
	echo "host: $dev sits behind the board's IOMMU (SMMUv3, as GPIO6 would behind the IPMMU)"
else
	echo "host: $dev has no IOMMU in front of it (VFIO's no-IOMMU mode)"
fi
echo "host: \$ $cmd"
echo
$cmd --stats=/tmp/stats.json -p "lkvm.test=gpio lkvm.presses=3 lkvm.demo=1" </dev/null
status=$?
echo
echo "host: lkvm-rcar exited with status $status (0: the guest powered off); $dev has $(driver) again"
mode=$(grep -o '"iommu": "[a-z0-9-]*", "dma_pinned_kib": [0-9]*' /tmp/stats.json |
	sed 's/"iommu": "\(.*\)", "dma_pinned_kib": \(.*\)/VFIO \1, \2 KiB of guest RAM pinned for DMA/')
echo "host: --stats: ${mode:-no pass-through figures}"
