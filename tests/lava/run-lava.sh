#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make check-lava: contrib/lava's job run by LAVA itself. Debian's
# lava-dispatcher (lava-run, no server) deploys the rig's host kernel,
# device tree and a ramdisk with lkvm-rcar (tests/lava/images.sh) to the
# emulated Salvator-X (contrib/lava/device-emulated-salvator-x.yaml),
# boots it to a shell and runs lkvm-rcar-boots.yaml from a git tree of
# contrib/lava as it is now. Two jobs, each from make-job.sh emulated:
#
#   pass   BOOTS plain boots, one with the PL061 passed through, one with
#          three lines shared: every case passes, every boot has its
#          start-up time and MMIO exits as measurements, the job passes
#   fail   a guest kernel that panics, then a device that does not
#          exist: the panic is a failed case and the job goes on; the
#          missing device is a failed case and ends the job as incomplete
#          with a Test error, not an Infrastructure one; no hang
#
# One line per case and a closing count; status 1 if any failed.
# LAVA_KEEP=DIR keeps the jobs, their logs and results there.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/rig/common.sh"

sh "$top/tests/lava/deps.sh" || exit 1
command -v lava-run >/dev/null || die "check-lava: lava-run missing; see tests/lava/deps.sh"
work=${LAVA_KEEP:-$(mktemp -d)}
mkdir -p "$work"
[ -n "${LAVA_KEEP:-}" ] || trap 'rm -rf "$work"' EXIT
passed=0
failed=0
pass() { echo "ok - lava: $1"; passed=$((passed + 1)); }
flunk() { echo "not ok - lava: $1"; failed=$((failed + 1)); }

sh "$top/tests/lava/images.sh" "$work/images" || exit 1

# The test definition's repository: contrib/lava of this tree, committed.
repo="$work/repo"
rm -rf "$repo" && mkdir -p "$repo/contrib"
cp -r "$top/contrib/lava" "$repo/contrib/lava"
git -C "$repo" init -q && git -C "$repo" add -A &&
	git -C "$repo" -c user.name=rig -c user.email=rig@localhost commit -q -m "lkvm-rcar contrib/lava" ||
	die "check-lava: cannot make the test definition's git tree"

# Without a default route the dispatcher cannot guess its own address.
printf 'dispatcher_ip: 127.0.0.1\n' >"$work/dispatcher.yaml"

revision=$(git -C "$repo" rev-parse HEAD)
job_id=$(( $$ % 10000 + 90000 ))

# run_job NAME BOOTS GUEST_INITRD PASSTHROUGH: one job, its results in
# $work/NAME.results, lava-run's status in $status.
run_job() {
	job_id=$((job_id + 1))
	JOB_NAME=$1 BOOTS=$2 GUEST_INITRD_URL=/guest/$3 PASSTHROUGH=$4 \
	HOST_IMAGE_URL="file://$work/images/Image" HOST_DTB_URL="file://$work/images/board.dtb" \
	HOST_RAMDISK_URL="file://$work/images/board.cpio.gz" REPOSITORY="$repo" REVISION="$revision" \
	GUEST_IMAGE_URL=/guest/Image GPIO=9030400.gpio:11-13 \
		sh "$top/contrib/lava/make-job.sh" emulated >"$work/$1.yaml" ||
		{ flunk "$1: make-job.sh emulated failed"; return 1; }
	if said=$(/usr/bin/python3 "$top/contrib/lava/validate.py" --job "$work/$1.yaml" --testdef "$top/contrib/lava/lkvm-rcar-boots.yaml" 2>&1); then
		pass "$1: the job make-job.sh emulated writes validates with lava-common's schema, strict"
	else
		flunk "$1: the job does not validate: $(echo "$said" | tail -1)"
	fi
	rm -rf "$work/out-$1"
	echo "# lava: running the $1 job with lava-run (log: $work/$1.log)"
	# Bounded a little past the job's own timeout: a hang is a failure.
	timeout -k 10 1900 lava-run --job-id "$job_id" \
		--output-dir "$work/out-$1" --dispatcher "$work/dispatcher.yaml" \
		--device "$top/contrib/lava/device-emulated-salvator-x.yaml" \
		"$work/$1.yaml" 2>"$work/$1.log" >/dev/null </dev/null
	status=$?
	/usr/bin/python3 "$top/tests/lava/results.py" "$work/$1.log" lkvm-rcar-boots >"$work/$1.results"
	sed 's/^/# /' "$work/$1.results"
}

# case_is FILE CASE RESULT: FILE has the case with that result.
case_is() { grep -q "^$2 $3\( \|\$\)" "$1"; }

boots=2
run_job pass "$boots" poweroff.cpio 9030000.pl061
r="$work/pass.results"
missing=
for b in $(seq "$boots") passthrough gpio; do
	name=$b
	case $b in [0-9]*) name=boot-$b ;; esac
	case_is "$r" "$name" pass || missing="$missing $name"
	grep -q "^$name-startup pass [0-9.]* ms\$" "$r" || missing="$missing $name-startup"
	grep -q "^$name-mmio-exits pass [0-9.]* exits\$" "$r" || missing="$missing $name-mmio-exits"
done
if [ "$status" -eq 0 ] && case_is "$r" job pass && [ -z "$missing" ] &&
   ! grep -v '^job ' "$r" | grep -qv ' pass'; then
	pass "pass: $boots boots, the PL061 passed through and lines 11-13 shared: $(grep -vc '^job ' "$r") cases pass, each boot's start-up time and MMIO exits measured, the job passes"
else
	flunk "pass: lava-run status $status; missing or not passed:${missing:- none}; $(grep '^job' "$r")"
fi

run_job fail 1 panic.cpio 1234.nothing
r="$work/fail.results"
if [ "$status" -ne 0 ] && case_is "$r" boot-1 fail && case_is "$r" passthrough fail &&
   grep -q "^job fail Test: passthrough: lkvm-rcar exit status 1" "$r" && ! grep -q Infrastructure "$r"; then
	pass "fail: the panicking guest is a failed case, the missing device a failed case that ends the job as incomplete (Test error, not Infrastructure), no hang"
else
	flunk "fail: lava-run status $status; $(tr '\n' '|' <"$r")"
fi

echo "lava: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
