# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers for the rig scripts: where the cache lives, how inputs
# are turned into cache keys, and how a script reports and fails.

CACHE=${LKVM_RCAR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lkvm-rcar}
mkdir -p "$CACHE"

log() { printf '%s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
key_of() { sha256sum | cut -c1-16; }
