#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The demo, inside the emulated arm64 host: lkvm-rcar boots the guest to a
# shell on its virtio console. Interactive when the outer terminal is
# (RIG_INTERACTIVE=1): type commands, 'poweroff -f' or Ctrl-A x to end.
# Otherwise a short scripted session shows the same.
vmm="/bin/lkvm-rcar run -k /guest/Image -i /guest/initrd.cpio -c 2 -m 256"

echo
echo "demo: the emulated arm64 host is up with KVM. Starting:"
echo "demo:   $vmm"
echo
if [ "$RIG_INTERACTIVE" = 1 ]; then
	$vmm
else
	printf '%s\n' 'uname -a' 'grep -c ^processor /proc/cpuinfo' \
		'cat /proc/interrupts | grep -i virtio' 'poweroff -f' | $vmm
fi
status=$?
echo
echo "demo: lkvm-rcar exited with status $status (0: the guest powered off)"
