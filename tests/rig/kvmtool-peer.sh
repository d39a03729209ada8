#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Builds kvmtool's static arm64 binary (lkvm-static) from the source in
# ../shared/peers beside the checkout, for make bench to run it beside
# lkvm-rcar inside the emulated host. libfdt comes from the arm64 sysroot
# tests/rig/deps.sh unpacked (never installed: libfdt-dev:arm64 would
# displace the native one). Prints the binary's path; cached by the
# tarball and this script. Without the source it says so and fails: the
# bench then has no kvmtool column, which is a note, not an error.
#
# Usage: kvmtool-peer.sh
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/rig/common.sh"

tarball=$(ls "$top"/../shared/peers/kvmtool-*.tar.gz 2>/dev/null | head -1 || true)
[ -n "$tarball" ] || die "kvmtool-peer: no kvmtool-*.tar.gz in $(dirname "$top")/shared/peers"
key=$( { basename "$tarball"; stat -c %s "$tarball"; cat "$0"; } | key_of)
bin="$CACHE/kvmtool-$key/lkvm-static"
if [ -x "$bin" ]; then
	echo "$bin"
	exit 0
fi

sysroot="$CACHE/sysroot-arm64"
[ -f "$sysroot/usr/include/libfdt.h" ] || die "kvmtool-peer: no arm64 libfdt in $sysroot; run tests/rig/deps.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src" "$work/fdt"
tar -xzf "$tarball" -C "$work/src"
src=$(dirname "$(find "$work/src" -maxdepth 2 -name Makefile | head -1)")
cp "$sysroot"/usr/lib/aarch64-linux-gnu/libfdt.a "$sysroot"/usr/include/fdt.h \
	"$sysroot"/usr/include/libfdt.h "$sysroot"/usr/include/libfdt_env.h "$work/fdt/"
log "kvmtool-peer: building lkvm-static from $(basename "$tarball")"
make -C "$src" -j"$(nproc)" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- \
	LIBFDT_DIR="$work/fdt" lkvm-static >"$work/build.log" 2>&1 ||
	{ tail -20 "$work/build.log" >&2; die "kvmtool-peer: the build failed"; }
for old in "$CACHE"/kvmtool-*; do
	[ "$old" = "$(dirname "$bin")" ] || rm -rf "$old"
done
mkdir -p "$(dirname "$bin")"
cp "$src/lkvm-static" "$bin.tmp"
mv "$bin.tmp" "$bin"
echo "$bin"
