#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Unpacks Debian's arm64 QEMU (qemu-system-arm:arm64) with every shared
# library it loads into a root under the cache, for make bench to run it
# beside lkvm-rcar inside the emulated host. Prints the root's path.
#
# The library set is the closure of the binaries' ELF NEEDED entries. Each
# soname is mapped to its Debian package through the native installation
# (qemu-system-arm is installed natively, so every library it needs is
# there under the same package name), and the arm64 build of that package
# is downloaded. Idempotent; the result is cached.
#
# Usage: qemu-peer.sh
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/rig/common.sh"

root="$CACHE/qemu-arm64"
if [ -f "$root/.complete" ]; then
	echo "$root"
	exit 0
fi

readelf=aarch64-linux-gnu-readelf
command -v "$readelf" >/dev/null || die "qemu-peer: $readelf missing; run tests/rig/deps.sh"

dl=$(mktemp -d)
stage="$root.tmp"
trap 'rm -rf "$dl" "$stage"' EXIT
rm -rf "$stage"
mkdir -p "$stage"

# fetch PACKAGE: download its arm64 build and unpack it into the stage.
fetched=" "
fetch() {
	case "$fetched" in *" $1 "*) return 0 ;; esac
	fetched="$fetched$1 "
	(cd "$dl" && apt-get download -q=2 "$1:arm64" >/dev/null 2>&1) ||
		die "qemu-peer: cannot download $1:arm64 from the Debian archive"
	dpkg-deb -x "$dl/$1"_*_arm64.deb "$stage"
}

# package_of SONAME: the Debian package that ships it natively.
package_of() {
	dpkg -S "*/$1" 2>/dev/null | grep -v -- "-cross[:,]" | sed -n 's/^\([^:,]*\)[:,].*/\1/p' | head -1
}

log "qemu-peer: unpacking qemu-system-arm:arm64 and its libraries into $root"
fetch qemu-system-arm
fetch libc6
bin="$stage/usr/bin/qemu-system-aarch64"
[ -f "$bin" ] || die "qemu-peer: qemu-system-arm:arm64 has no qemu-system-aarch64"

# Walk NEEDED entries until every one is in the stage.
todo="$bin"
seen=" "
while [ -n "$todo" ]; do
	next=
	for elf in $todo; do
		for so in $("$readelf" -d "$elf" 2>/dev/null |
			    sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
			case "$seen" in *" $so "*) continue ;; esac
			seen="$seen$so "
			found=$(find "$stage/lib" "$stage/usr/lib" -name "$so" 2>/dev/null | head -1)
			if [ -z "$found" ]; then
				pkg=$(package_of "$so")
				[ -n "$pkg" ] || die "qemu-peer: no installed package ships $so"
				fetch "$pkg"
				found=$(find "$stage/lib" "$stage/usr/lib" -name "$so" | head -1)
				[ -n "$found" ] || die "qemu-peer: $pkg:arm64 does not ship $so"
			fi
			next="$next $(readlink -f "$found")"
		done
	done
	todo=$next
done

# What the emulated host needs at run time: the binary, the loader, the
# libraries. Documentation, ROMs and the rest stay out of the initramfs.
rm -rf "$root"
mkdir -p "$root/usr/bin"
cp "$bin" "$root/usr/bin/"
(cd "$stage" && { ls lib/ld-linux-aarch64.so.1
		  find lib/aarch64-linux-gnu usr/lib/aarch64-linux-gnu -maxdepth 1 \
			-name '*.so*' \( -type f -o -type l \); } |
	cpio -pdm --quiet "$root")
[ -e "$root/lib/ld-linux-aarch64.so.1" ] ||
	die "qemu-peer: no arm64 loader in libc6:arm64"
log "qemu-peer: $(echo "$fetched" | wc -w) packages, $(du -sh "$root" | cut -f1)"
touch "$root/.complete"
echo "$root"
