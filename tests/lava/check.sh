#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# contrib/lava/run-boots.sh, the LAVA test shell, against a stand-in
# lkvm-rcar that exits with the statuses each case gives and writes a
# --stats file, and stand-ins for LAVA's lava-test-case and
# lava-test-raise that record what they were called with. It checks
# that each status is reported as docs/ci.md says (0 pass; 3, 4, 5 fail;
# 6 skip; 1, 2 a failed case and an infrastructure error that ends the
# job), with the
# figures as measurements, and that a missing jq or guest kernel ends
# the job in one line before any boot. One line per case, a closing
# count; status 1 if any failed.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
script="$top/contrib/lava/run-boots.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

# The stand-ins, on PATH before the system's tools.
fake="$work/bin"
shell=$(command -v sh)
mkdir -p "$fake"
cat >"$fake/lkvm-rcar" <<'FAKE'
#!/bin/sh
[ "$1" = --version ] && { echo "lkvm-rcar stand-in"; exit 0; }
n=$(($(cat "$FAKE_DIR/count") + 1))
echo "$n" >"$FAKE_DIR/count"
echo "run $*" >>"$FAKE_DIR/calls"
status=$(sed -n "${n}p" "$FAKE_DIR/statuses")
for a in "$@"; do
	case $a in
	--stats=*) printf '{ "exit_status": %s, "startup": { "wall_ms": 12.5 }, "vcpus": [ { "exits": { "mmio": 3 } }, { "exits": { "mmio": 4 } } ] }\n' \
		"$status" >"${a#--stats=}" ;;
	esac
done
echo "stand-in: status $status"
exit "$status"
FAKE
cat >"$fake/lava-test-case" <<'FAKE'
#!/bin/sh
echo "case $*" >>"$FAKE_DIR/lava"
FAKE
cat >"$fake/lava-test-raise" <<'FAKE'
#!/bin/sh
echo "raise $*" >>"$FAKE_DIR/lava"
FAKE
chmod +x "$fake"/*
: >"$work/Image"

# A PATH without jq: the few tools the script uses, linked one by one.
nojq="$work/nojq"
mkdir -p "$nojq"
for t in cat cp mkdir tail seq sed; do
	ln -s "$(command -v "$t")" "$nojq/$t"
done

# run_case STATUSES [VAR=VALUE...]: the script over boots that exit with
# STATUSES in turn (BOOTS=3), its status in $status, LAVA's calls in
# $lava.
run_case() {
	d="$work/case"
	rm -rf "$d" && mkdir -p "$d"
	echo 0 >"$d/count"
	printf '%s\n' $1 >"$d/statuses"
	shift
	: >"$d/lava" && : >"$d/calls"
	env FAKE_DIR="$d" TMPDIR="$d" PATH="$fake:$PATH" BOOTS=3 \
		GUEST_IMAGE_URL="$work/Image" "$@" "$shell" "$script" >"$d/out" 2>&1
	status=$?
	lava=$(cat "$d/lava")
	boots=$(wc -l <"$d/calls")
}

check() {
	if [ "$1" = ok ]; then
		echo "ok - run-boots.sh: $2"
		passed=$((passed + 1))
	else
		echo "not ok - run-boots.sh: $2 (status $status, boots $boots): $(echo "$lava" | tr '\n' '|')"
		failed=$((failed + 1))
	fi
}

expect() {
	if [ "$lava" = "$(printf '%s\n' "$@")" ]; then check ok "$name"; else check no "$name"; fi
}

name="three boots that power off: three passes, each with its start-up time and MMIO exits"
run_case "0 0 0"
expect "case boot-1 --result pass" "case boot-1-startup --result pass --measurement 12.5 --units ms" \
	"case boot-1-mmio-exits --result pass --measurement 7 --units exits" \
	"case boot-2 --result pass" "case boot-2-startup --result pass --measurement 12.5 --units ms" \
	"case boot-2-mmio-exits --result pass --measurement 7 --units exits" \
	"case boot-3 --result pass" "case boot-3-startup --result pass --measurement 12.5 --units ms" \
	"case boot-3-mmio-exits --result pass --measurement 7 --units exits"

for s in 3 4 5; do
	name="a guest that ends with status $s: that boot fails, the others pass"
	run_case "0 $s 0"
	lava=$(echo "$lava" | grep -v -e -startup -e -mmio-exits)
	expect "case boot-1 --result pass" "case boot-2 --result fail" "case boot-3 --result pass"
done

name="a run stopped by a signal (status 6): a skip"
run_case "6 0 0"
lava=$(echo "$lava" | grep -v -e -startup -e -mmio-exits)
expect "case boot-1 --result skip" "case boot-2 --result pass" "case boot-3 --result pass"

for s in 1 2; do
	name="lkvm-rcar status $s: that boot's case fails, then an infrastructure error ends the job, no boot after"
	run_case "0 $s 0"
	lava=$(echo "$lava" | grep -v -e -startup -e -mmio-exits)
	if [ "$status" -eq 1 ] && [ "$boots" -eq 2 ] &&
	   [ "$(echo "$lava" | sed -n 1p)" = "case boot-1 --result pass" ] &&
	   [ "$(echo "$lava" | sed -n 2p)" = "case boot-2 --result fail" ] &&
	   echo "$lava" | sed -n 3p | grep -q "^raise boot-2: lkvm-rcar exit status $s, the guest is not to blame: stand-in: status $s\$" &&
	   [ "$(echo "$lava" | wc -l)" -eq 3 ]; then
		check ok "$name"
	else
		check no "$name"
	fi
done

name="no jq on the board: one line naming it, no boot"
run_case "0 0 0" PATH="$fake:$nojq"
if [ "$status" -eq 1 ] && [ "$boots" -eq 0 ] &&
   [ "$lava" = "raise jq is missing on the board; install it (apt install jq)" ] &&
   [ "$(cat "$work/case/out")" = "run-boots.sh: jq is missing on the board; install it (apt install jq)" ]; then
	check ok "$name"
else
	check no "$name"
fi

name="no guest kernel in the job: one line naming GUEST_IMAGE_URL, no boot"
run_case "0 0 0" GUEST_IMAGE_URL=
if [ "$status" -eq 1 ] && [ "$boots" -eq 0 ] &&
   echo "$lava" | grep -q "^raise GUEST_IMAGE_URL is not set"; then
	check ok "$name"
else
	check no "$name"
fi

echo "run-boots.sh: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
