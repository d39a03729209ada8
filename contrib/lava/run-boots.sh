#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The test shell of lkvm-rcar-boots.yaml, on the board: boots a guest
# kernel under lkvm-rcar and reports each boot as a LAVA test case, with
# the figures a CI job watches from --stats as measurements. Outside
# LAVA (no lava-test-case on PATH) each case is printed as
# "case NAME RESULT [MEASUREMENT UNITS]", so it can be tried by hand.
#
# Environment (the test definition's params):
#   GUEST_IMAGE_URL, GUEST_INITRD_URL  the guest kernel and initramfs (a
#                      path works too); the initramfs must power off, e.g.
#                      by running its tests and then "poweroff -f"
#   LKVM_RCAR_DEB_URL  install this lkvm-rcar package first (optional)
#   BOOTS              plain boots (default 3)
#   PASSTHROUGH        a device for one more boot with --passthrough
#   GPIO               CHIP:LINES for one more boot with --gpio
#   TIMEOUT            --timeout of each boot, seconds (default 300)
#   LKVM_RCAR          the binary (default: lkvm-rcar on PATH)
set -u

work=${TMPDIR:-/tmp}/lkvm-rcar-boots
vmm=${LKVM_RCAR:-lkvm-rcar}
mkdir -p "$work"

report() {
	if command -v lava-test-case >/dev/null 2>&1; then
		if [ $# -gt 2 ]; then
			lava-test-case "$1" --result "$2" --measurement "$3" --units "$4"
		else
			lava-test-case "$1" --result "$2"
		fi
	else
		echo "case $*"
	fi
}

# fetch URL FILE: a URL downloaded, or a path copied.
fetch() {
	case "$1" in
	http://*|https://*|ftp://*) wget -q -O "$2" "$1" || curl -fsSL -o "$2" "$1" ;;
	*) cp "$1" "$2" ;;
	esac
}

# stat_of FILE FILTER: one figure of a --stats file (jq if there is one).
stat_of() {
	if command -v jq >/dev/null 2>&1; then
		jq -r "$2 // empty" "$1" 2>/dev/null
	fi
}

# boot NAME ARGS...: one boot; a pass when the guest powered off (0).
boot() {
	name=$1
	shift
	"$vmm" run -k "$work/Image" $initrd --timeout "${TIMEOUT:-300}" \
		--stats="$work/$name.json" "$@" </dev/null >"$work/$name.log" 2>&1
	status=$?
	if [ "$status" -eq 0 ]; then
		report "$name" pass
	else
		report "$name" fail
		echo "$name: exit status $status; the last lines:"
		tail -5 "$work/$name.log"
	fi
	ms=$(stat_of "$work/$name.json" .startup.wall_ms)
	[ -z "$ms" ] || report "$name-startup" pass "$ms" ms
	exits=$(stat_of "$work/$name.json" '[.vcpus[].exits.mmio] | add')
	[ -z "$exits" ] || report "$name-mmio-exits" pass "$exits" exits
}

if [ -n "${LKVM_RCAR_DEB_URL:-}" ]; then
	fetch "$LKVM_RCAR_DEB_URL" "$work/lkvm-rcar.deb" && dpkg -i "$work/lkvm-rcar.deb" >/dev/null
	report install-lkvm-rcar $([ $? -eq 0 ] && echo pass || echo fail)
fi
if ! command -v "$vmm" >/dev/null 2>&1; then
	report lkvm-rcar-present fail
	exit 0
fi
"$vmm" --version
fetch "${GUEST_IMAGE_URL:?GUEST_IMAGE_URL is not set}" "$work/Image" || { report fetch-guest fail; exit 0; }
initrd=
if [ -n "${GUEST_INITRD_URL:-}" ]; then
	fetch "$GUEST_INITRD_URL" "$work/initrd" || { report fetch-guest fail; exit 0; }
	initrd="-i $work/initrd"
fi

for i in $(seq "${BOOTS:-3}"); do
	boot "boot-$i"
done
[ -z "${PASSTHROUGH:-}" ] || boot passthrough --passthrough "$PASSTHROUGH"
[ -z "${GPIO:-}" ] || boot gpio --gpio "$GPIO"
exit 0
