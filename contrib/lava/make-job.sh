#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Writes a LAVA job from a template: job-salvator-x.yaml.in (the board,
# the default) or job-emulated.yaml.in (the emulated Salvator-X that
# make check-lava runs); each @NAME@ field from the environment variable
# NAME; a field left unset stops it, naming it.
#
# Usage: make-job.sh [salvator-x|emulated] > job.yaml
#   salvator-x: DEVICE_TYPE HOST_IMAGE_URL HOST_DTB_URL ROOTFS_URL REPOSITORY
#               REVISION GUEST_IMAGE_URL GUEST_INITRD_URL LKVM_RCAR_DEB_URL BOOTS
#   emulated:   JOB_NAME HOST_IMAGE_URL HOST_DTB_URL HOST_RAMDISK_URL REPOSITORY
#               REVISION GUEST_IMAGE_URL GUEST_INITRD_URL BOOTS PASSTHROUGH GPIO
set -eu

case "${1:-salvator-x}" in
salvator-x|emulated) ;;
*) echo "make-job.sh: no job '$1'; use salvator-x or emulated" >&2; exit 2 ;;
esac
template="$(dirname "$0")/job-${1:-salvator-x}.yaml.in"
script=
for name in $(grep -o '@[A-Z_]*@' "$template" | tr -d @ | sort -u); do
	eval "value=\${$name-}"
	[ -n "$value" ] || { echo "make-job.sh: $name is not set" >&2; exit 1; }
	script="${script}s|@$name@|$(printf '%s' "$value" | sed 's/[|&\\]/\\&/g')|g;"
done
sed "$script" "$template"
