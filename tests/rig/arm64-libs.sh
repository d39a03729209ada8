# SPDX-License-Identifier: GPL-2.0
#
# add_libs ELF ROOT: the arm64 loader and the shared libraries ELF needs,
# and theirs, copied into ROOT where the loader looks for them. They come
# from the machine's arm64 runtime packages (multiarch, make deps), the
# arm64 sysroot in the cache, or the cross toolchain's C library. A
# static ELF needs nothing. Sourced after tests/rig/common.sh.
add_libs() {
	_readelf=aarch64-linux-gnu-readelf _root=$2
	_dirs="/lib/aarch64-linux-gnu /usr/lib/aarch64-linux-gnu
		$CACHE/sysroot-arm64/lib/aarch64-linux-gnu $CACHE/sysroot-arm64/usr/lib/aarch64-linux-gnu
		/usr/aarch64-linux-gnu/lib"
	_interp=$($_readelf -l "$1" | sed -n 's/.*program interpreter: \(.*\)]/\1/p')
	[ -n "$_interp" ] || return 0
	mkdir -p "$_root/lib/aarch64-linux-gnu" "$_root$(dirname "$_interp")"
	_lib=
	for _dir in $_dirs; do
		[ -e "$_dir/$(basename "$_interp")" ] && _lib=$_dir/$(basename "$_interp") && break
	done
	[ -n "$_lib" ] || die "$(basename "$_interp") (the arm64 loader) is not installed; run make deps"
	cp -L "$_lib" "$_root$_interp"
	_todo=$1 _seen=" "
	while [ -n "$_todo" ]; do
		set -- $_todo
		_elf=$1
		shift
		_todo="$*"
		for _so in $($_readelf -d "$_elf" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
			case "$_seen" in *" $_so "*) continue ;; esac
			_seen="$_seen$_so "
			_lib=
			for _dir in $_dirs; do
				[ -e "$_dir/$_so" ] && _lib=$_dir/$_so && break
			done
			[ -n "$_lib" ] || die "$_so (needed by $(basename "$_elf")) is not installed for arm64; run make deps"
			cp -L "$_lib" "$_root/lib/aarch64-linux-gnu/$_so"
			_todo="$_todo $_lib"
		done
	done
}
