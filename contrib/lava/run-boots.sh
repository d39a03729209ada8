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
#
# Each boot's exit status is reported as docs/ci.md says: 0 a pass; 3, 4
# and 5 (reset, panic, timeout) a failure of the kernel under test; 6
# (stopped by a signal) a skip; 1 and 2 (the VMM, the host or the job is
# at fault, the guest never ran or was not to blame) a failed case that
# then ends the job through lava-test-raise (LAVA: incomplete, a Test
# error), an infrastructure error rather than a failed kernel.
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

# infra_error MESSAGE: the job cannot go on, and the kernel under test is
# not to blame: LAVA ends the job as incomplete; by hand, status 1.
infra_error() {
	if command -v lava-test-raise >/dev/null 2>&1; then
		lava-test-raise "$1"
	fi
	echo "run-boots.sh: $1" >&2
	exit 1
}

# What the script needs besides lkvm-rcar, checked before any boot:
# without jq every figure would be dropped without a word.
need() {
	command -v "$1" >/dev/null 2>&1 ||
		infra_error "$1 is missing on the board; install it (apt install $1)"
}
need jq

# fetch URL FILE: a URL downloaded, or a path copied.
fetch() {
	case "$1" in
	http://*|https://*|ftp://*) need wget && wget -q -O "$2" "$1" ;;
	*) cp "$1" "$2" ;;
	esac
}

# stat_of FILE FILTER: one figure of a --stats file.
stat_of() {
	jq -r "$2 // empty" "$1" 2>/dev/null
}

# boot NAME ARGS...: one boot, reported by its exit status (see above).
boot() {
	name=$1
	shift
	"$vmm" run -k "$work/Image" $initrd --timeout "${TIMEOUT:-300}" \
		--stats="$work/$name.json" "$@" </dev/null >"$work/$name.log" 2>&1
	status=$?
	case $status in
	0)	report "$name" pass ;;
	1|2)	# The boot shows as failed where the job's cases are read,
		# and the job ends as incomplete: the kernel is not to blame.
		report "$name" fail
		infra_error "$name: lkvm-rcar exit status $status, the guest is not to blame: $(tail -1 "$work/$name.log")" ;;
	6)	report "$name" skip ;;
	*)	report "$name" fail
		echo "$name: exit status $status; the last lines:"
		tail -5 "$work/$name.log" ;;
	esac
	ms=$(stat_of "$work/$name.json" .startup.wall_ms)
	[ -z "$ms" ] || report "$name-startup" pass "$ms" ms
	exits=$(stat_of "$work/$name.json" '[.vcpus[].exits.mmio] | add')
	[ -z "$exits" ] || report "$name-mmio-exits" pass "$exits" exits
}

if [ -n "${LKVM_RCAR_DEB_URL:-}" ]; then
	# apt, not dpkg -i: the package's libraries come with it.
	fetch "$LKVM_RCAR_DEB_URL" "$work/lkvm-rcar.deb" &&
		apt-get install -y -q "$work/lkvm-rcar.deb" >"$work/install.log" 2>&1 ||
		infra_error "cannot install $LKVM_RCAR_DEB_URL: $(tail -1 "$work/install.log" 2>/dev/null)"
	report install-lkvm-rcar pass
fi
command -v "$vmm" >/dev/null 2>&1 ||
	infra_error "no $vmm on the board; give LKVM_RCAR_DEB_URL or install lkvm-rcar"
"$vmm" --version
[ -n "${GUEST_IMAGE_URL:-}" ] || infra_error "GUEST_IMAGE_URL is not set; give the guest kernel in the job's parameters"
fetch "$GUEST_IMAGE_URL" "$work/Image" || infra_error "cannot fetch $GUEST_IMAGE_URL"
initrd=
if [ -n "${GUEST_INITRD_URL:-}" ]; then
	fetch "$GUEST_INITRD_URL" "$work/initrd" || infra_error "cannot fetch $GUEST_INITRD_URL"
	initrd="-i $work/initrd"
fi

for i in $(seq "${BOOTS:-3}"); do
	boot "boot-$i"
done
[ -z "${PASSTHROUGH:-}" ] || boot passthrough --passthrough "$PASSTHROUGH"
[ -z "${GPIO:-}" ] || boot gpio --gpio "$GPIO"
exit 0
