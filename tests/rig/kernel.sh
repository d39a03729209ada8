#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Builds the rig's arm64 kernel Image from Debian's linux-source-6.1 with
# the patch series in host/patches and the config fragments in host/ and
# guest/, and prints the path of the Image (its System.map is IMAGE.map). One Image serves as the
# emulated host's kernel and as the guest's.
#
# The result is cached outside the work tree, keyed by the source tarball,
# the patches, the fragments and this script, so a second run costs
# nothing and a changed input rebuilds. The unpacked tree is kept per
# source and patch set, so that a config change rebuilds incrementally.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/rig/common.sh"

tarball=/usr/src/linux-source-6.1.tar.xz
[ -r "$tarball" ] || die "kernel: $tarball missing; run tests/rig/deps.sh"

series="$top/host/patches/series"
patches=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$series")
fragments="$top/host/kernel.config $top/guest/kernel.config"

# Only the diffs count: rewording a commit message rebuilds nothing.
src_key=$( { stat -c '%s %Y' "$tarball"
	for p in $patches; do sed -n '/^diff --git/,$p' "$top/host/patches/$p"; done
	} | key_of)
cfg_key=$( { echo "$src_key"; cat $fragments "$0"; } | key_of)

src="$CACHE/linux-src-$src_key"
out="$CACHE/linux-build-$src_key"
image="$CACHE/Image-$cfg_key"

if [ -s "$image" ] && [ -s "$image.map" ]; then
	echo "$image"
	exit 0
fi

if [ ! -f "$src/.lkvm-rcar-patched" ]; then
	log "kernel: unpacking $(basename "$tarball")"
	rm -rf "$src" "$src.tmp" "$out"
	mkdir -p "$src.tmp"
	tar -xJf "$tarball" -C "$src.tmp" --strip-components=1
	for p in $patches; do
		if ! patch -d "$src.tmp" -p1 --quiet --forward \
				< "$top/host/patches/$p" >/dev/null; then
			rm -rf "$src.tmp"
			die "kernel: patch host/patches/$p does not apply to $(basename "$tarball"); refresh it against that source"
		fi
		log "kernel: applied $p"
	done
	touch "$src.tmp/.lkvm-rcar-patched"
	mv "$src.tmp" "$src"
fi

mkdir -p "$out"
cat $fragments > "$out/fragment.config"
kmake() {
	make -s -C "$src" O="$out" ARCH=arm64 \
		CROSS_COMPILE="${KERNEL_CROSS_COMPILE-aarch64-linux-gnu-}" "$@"
}
log "kernel: configuring (allnoconfig + host/kernel.config + guest/kernel.config)"
KCONFIG_ALLCONFIG="$out/fragment.config" kmake allnoconfig >/dev/null

# Kconfig drops options whose dependencies are not met without a word:
# check the result, not the request.
sed -n 's/^\(CONFIG_[A-Z0-9_]*\)=\(.*\)$/\1=\2/p' $fragments | while read -r want; do
	grep -qx "$want" "$out/.config" ||
		die "kernel: $want did not survive Kconfig; check its dependencies"
done

# progress PID: while the build PID runs, how far it is: objects
# compiled of the number the last build made (or this configuration's
# count when there was none) and the time so far. At a terminal, one
# line redrawn every two seconds; in a log, a line a minute.
estimate_file="$CACHE/kernel-objects"
progress() {
	_total=$(cat "$estimate_file" 2>/dev/null || echo 780)
	_start=$(date +%s) _tty= _every=60 _last=0
	[ -t 2 ] && _tty=1 _every=2
	while kill -0 "$1" 2>/dev/null; do
		sleep 1
		_now=$(date +%s)
		[ $((_now - _last)) -ge "$_every" ] || continue
		_last=$_now
		_n=$(find "$out" -name '*.o' | wc -l)
		_t=$((_now - _start))
		_line=$(printf 'kernel: %d of about %d objects compiled, %dm%02ds' \
			"$_n" "$_total" $((_t / 60)) $((_t % 60)))
		if [ -n "$_tty" ]; then
			printf '\r%s ' "$_line" >&2
		else
			log "$_line"
		fi
	done
	[ -z "$_tty" ] || printf '\n' >&2
}

log "kernel: building Image with $(nproc) jobs (a first build takes minutes)"
kmake -j"$(nproc)" Image >"$out/build.log" 2>&1 &
build=$!
progress "$build"
wait "$build" ||
	{ tail -20 "$out/build.log" >&2; die "kernel: build failed; full log in $out/build.log"; }
find "$out" -name '*.o' | wc -l >"$estimate_file"
# System.map beside the Image tells the tests what was built in.
cp "$out/System.map" "$image.map"
cp "$out/arch/arm64/boot/Image" "$image.tmp"
mv "$image.tmp" "$image"
# Trees for other patch sets are gigabytes each: keep only this one.
for old in "$CACHE"/linux-src-* "$CACHE"/linux-build-* "$CACHE"/Image-*; do
	case "$old" in "$src"|"$out"|"$image"|"$image.map") ;; *) rm -rf "$old" ;; esac
done
echo "$image"
