#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Writes a LAVA job from job-salvator-x.yaml.in: each @NAME@ field from
# the environment variable NAME; a field left unset stops it, naming it.
#
# Usage: make-job.sh > job.yaml
#   DEVICE_TYPE HOST_IMAGE_URL HOST_DTB_URL ROOTFS_URL REPOSITORY REVISION
#   GUEST_IMAGE_URL GUEST_INITRD_URL LKVM_RCAR_DEB_URL BOOTS
set -eu

template="$(dirname "$0")/job-salvator-x.yaml.in"
script=
for name in $(grep -o '@[A-Z_]*@' "$template" | tr -d @ | sort -u); do
	eval "value=\${$name-}"
	[ -n "$value" ] || { echo "make-job.sh: $name is not set" >&2; exit 1; }
	script="${script}s|@$name@|$(printf '%s' "$value" | sed 's/[|&\\]/\\&/g')|g;"
done
sed "$script" "$template"
