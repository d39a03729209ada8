#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# What make check-lava needs besides the rig (tests/rig/deps.sh): Debian's
# lava-dispatcher, without its recommends (a worker's TFTP, NFS and LXC
# services are not used here), and the tools it runs for a job that
# deploys to tmpfs: git for the test definitions, cpio and gzip for the
# ramdisk it adds its overlay to. The product needs none of them.
set -eu

pkgs="lava-dispatcher git cpio gzip python3-yaml"
need=
for p in $pkgs; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		need="$need $p"
done
[ -n "$need" ] || exit 0
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
echo "lava deps: installing Debian packages:$need" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $need >/dev/null
