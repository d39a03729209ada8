#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Installs what building lkvm-rcar and running its rig need, from Debian's
# packages. Idempotent: nothing happens when everything is there. Both
# README commands (make demo, make check) run it.
#
# Native tools and libraries are installed with apt, and the arm64
# runtime libraries the Debian package depends on. The arm64 development
# libraries the VMM links against, and the rig's arm64 busybox, are
# unpacked into a sysroot in the cache instead: libfdt-dev cannot be
# installed for two architectures at once, and the build machine's
# development packages should not change for a cross build.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/rig/common.sh"

# libseccomp-dev: the unit tests check the sandbox's filters against libseccomp's.
native="make gcc libc6-dev pkg-config libfdt-dev liburing-dev check
	libseccomp-dev
	device-tree-compiler qemu-system-arm cpio gzip flex bison bc
	libssl-dev libelf-dev xz-utils linux-source-6.1 patch
	gcc-aarch64-linux-gnu libc6-dev-arm64-cross socat jq gnuplot-nox
	clang libclang-rt-14-dev
	dpkg-dev debhelper lintian mandoc lava-common
	e2fsprogs python3-jsonschema"
# The package's runtime libraries for arm64, installed (Multi-Arch: same,
# beside the native ones): dpkg-shlibdeps takes the package's Depends
# from them when make deb cross-builds it.
foreign="libfdt1 liburing2"
# The runtime libraries too, for the dynamically linked package (make deb).
# libgpiod's tools go into make initramfs's guest (guest/initramfs.sh);
# jq into the LAVA board's ramdisk, for run-boots.sh (make check-lava).
target="libfdt-dev liburing-dev libfdt1 liburing2 busybox-static gpiod libgpiod2 jq libjq1 libonig5"

sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo

arch=$(dpkg --print-architecture)

# installed PACKAGE [ARCH]: installed for ARCH (default: this machine's,
# or "all"). dpkg-query -W without an architecture matches any, so a
# foreign libfdt-dev:arm64 must not pass for the native one.
installed() {
	dpkg-query -W -f='${Status} ${Architecture}\n' "$1" 2>/dev/null |
		grep -q -E "^install ok installed (${2:-$arch|all})\$"
}

missing() {
	for p in "$@"; do
		installed "$p" || printf '%s ' "$p"
	done
}

# Debian 12's libfdt-dev is not Multi-Arch: same: installing the native
# one removes libfdt-dev:arm64, which a developer who cross-builds other
# software needs. Then leave both alone and unpack the native package
# into the cache, where the Makefile finds its static library.
fdt_native="$CACHE/libfdt-$arch"
if ! installed libfdt-dev && installed libfdt-dev arm64 && [ "$arch" != arm64 ]; then
	native=$(printf '%s\n' $native | grep -vx libfdt-dev)
	if [ ! -f "$fdt_native/.complete" ]; then
		log "deps: libfdt-dev:arm64 is installed and Debian 12 cannot have libfdt-dev for two architectures; leaving it, and unpacking libfdt-dev:$arch into $fdt_native for the native build"
		fdt_dl=$(mktemp -d)
		(cd "$fdt_dl" && apt-get download -q=2 "libfdt-dev:$arch") ||
			die "deps: cannot download libfdt-dev:$arch from the Debian archive"
		rm -rf "$fdt_native"
		dpkg-deb -x "$fdt_dl"/*.deb "$fdt_native"
		rm -rf "$fdt_dl"
		touch "$fdt_native/.complete"
	fi
elif installed libfdt-dev; then
	rm -rf "$fdt_native"
fi

updated=
apt_update() {
	[ -n "$updated" ] || $sudo apt-get update -qq
	updated=1
}

need=$(missing $native)
if [ -n "$need" ]; then
	log "deps: installing Debian packages: $need"
	apt_update
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
		--no-install-recommends $need >/dev/null
fi

add_arm64() {
	[ "$arch" != arm64 ] || return 0
	dpkg --print-foreign-architectures | grep -qx arm64 && return 0
	log "deps: adding the arm64 architecture to dpkg"
	$sudo dpkg --add-architecture arm64
	updated=
}

# The sysroot records the package list it was made from: a new package
# in the list makes it again.
sysroot="$CACHE/sysroot-arm64"
if [ "$(cat "$sysroot/.complete" 2>/dev/null)" != "$target" ]; then
	log "deps: unpacking arm64 packages into $sysroot: $target"
	add_arm64
	apt_update
	dl=$(mktemp -d)
	trap 'rm -rf "$dl"' EXIT
	for p in $target; do
		(cd "$dl" && apt-get download -q=2 "$p:arm64" 2>/dev/null) ||
			die "deps: cannot download $p:arm64 from the Debian archive"
	done
	rm -rf "$sysroot"
	mkdir -p "$sysroot"
	for deb in "$dl"/*.deb; do
		dpkg-deb -x "$deb" "$sysroot"
	done
	echo "$target" >"$sysroot/.complete"
fi

need=
for p in $foreign; do
	installed "$p" arm64 || need="$need $p:arm64"
done
if [ -n "$need" ]; then
	log "deps: installing arm64 runtime libraries for the package build:$need"
	add_arm64
	apt_update
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
		--no-install-recommends $need >/dev/null
fi
