#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# System tests of booting, run inside the emulated arm64 KVM host. Each
# case runs lkvm-rcar on the rig's guest and prints "ok - NAME" or
# "not ok - NAME: why"; the outer harness counts them. RIG_GIC names the
# interrupt controller the outer QEMU gave this host.
set -u

vmm=/bin/lkvm-rcar
kernel=/guest/Image
initrd=/guest/initrd.cpio
gic=${RIG_GIC:-auto}
cell=${RIG_CELL:-$gic}
out=/tmp/out
err=/tmp/err

ok() { echo "ok - $cell $1"; }
fail() {
	echo "not ok - $cell $1: $2"
	echo "--- guest output:"; sed 's/^/| /' "$out" | tail -15
	echo "--- VMM stderr:"; sed 's/^/| /' "$err" | tail -5
}

# boot ARGS...: run the VMM with the rig guest; sets $status.
boot() {
	"$vmm" run -k "$kernel" -i "$initrd" --irqchip "$gic" "$@" \
		</dev/null >"$out" 2>"$err"
	status=$?
}

expect() {	# NAME WANT_STATUS PATTERN
	if [ "$status" -ne "$2" ]; then
		fail "$1" "exit status $status, expected $2"
	elif ! grep -q -e "$3" "$out" "$err"; then
		fail "$1" "no '$3' in the output"
	else
		ok "$1"
	fi
}

for cpus in 1 2; do
	boot -c "$cpus" -p lkvm.test=poweroff
	expect "boot with $cpus vCPU(s) reaches init and powers off" 0 \
		"guest: init reached, $cpus cpus"
done

# A line typed into the console reaches the guest's shell; the answer
# comes back. The shell's echo of the typed line cannot match answer-42.
# Typed once the prompt is there, as a user would: the shell flushes what
# came in before it set up its terminal.
: >"$out"
{ for i in $(seq 3000); do
	grep -q '^/ # ' "$out" && break
	sleep 0.1
  done
  printf 'echo answer-$((6 * 7))\npoweroff -f\n'; } |
	"$vmm" run -k "$kernel" -i "$initrd" --irqchip "$gic" -p lkvm.test=shell \
	--timeout 300 >"$out" 2>"$err"
status=$?
expect "console input reaches the guest shell and the answer comes back" 0 \
	"answer-42"

# At a terminal (a pseudo-terminal, /rig/ptyrun): raw mode while the
# guest runs, and the settings given back on every way out: SIGTERM once
# the guest runs, SIGTERM while it boots, Ctrl-A x typed, a power-off.
at_terminal() {	# NAME WANT_STATUS PTYRUN_OPTIONS... -- VMM_ARGS...
	name=$1 want=$2
	shift 2
	/rig/ptyrun "$@" >"$out" 2>"$err"
	line=$(tr -d '\r' <"$out" | grep '^ptyrun: status')
	# "While the guest boots" means before its init ran.
	case "$name" in
	*boots*) grep -q "init reached" "$out" && line="$line (but init had run)" ;;
	esac
	case "$line" in
	"ptyrun: status $want raw-while-running "*" restored yes")
		if [ "${line#*raw-while-running yes}" != "$line" ]; then
			ok "at a terminal, $name: status $want, raw while running, settings restored"
			return
		fi ;;
	esac
	fail "at a terminal, $name: status $want, raw while running, settings restored" \
		"ptyrun says '${line:-nothing}'"
}
at_terminal "SIGTERM while the guest runs" 6 -w "init reached" -k 15 -- \
	"$vmm" run -k "$kernel" -i "$initrd" --irqchip "$gic" -p lkvm.test=hang
at_terminal "SIGTERM while the guest boots" 6 -r -d 100 -k 15 -- \
	"$vmm" run -k "$kernel" -i "$initrd" --irqchip "$gic" -p lkvm.test=hang
at_terminal "Ctrl-A x" 6 -w "init reached" -t '\001x' -- \
	"$vmm" run -k "$kernel" -i "$initrd" --irqchip "$gic" -p lkvm.test=hang
at_terminal "guest power-off" 0 -w "init reached" -- \
	"$vmm" run -k "$kernel" -i "$initrd" --irqchip "$gic" -p lkvm.test=poweroff

# The sandbox: a forbidden call after set-up (the self-test hook makes
# one) ends the VMM with one line naming it; --sandbox=off runs without.
# The event loop may not create a socket; a vCPU thread may not even
# open a file, which the loop may, to read it only.
forbidden() {
	role=$1 call=$2 what=${3:-"a forbidden system call in the $1 thread ($2)"}
	LKVM_RCAR_SANDBOX_SELFTEST=$role boot -p lkvm.test=hang
	if [ "$status" -eq 1 ] && [ "$(grep -c . "$err")" -eq 1 ] &&
	   grep -q "the sandbox stopped system call $call" "$err"; then
		ok "$what ends the VMM: one line naming it, status 1"
	else
		fail "$what ends the VMM: one line naming it, status 1" \
			"status $status, $(grep -c . "$err") lines"
	fi
}
forbidden loop socket
forbidden vcpu openat
# Nor map one it holds: a disk image is the loop's alone.
forbidden vcpu-mmap mmap "a vCPU thread mapping a file it holds (MAP_SHARED)"
forbidden open-rw openat "the loop opening /proc/self/mem to write"
forbidden unlink unlinkat "an unlink outside the records' folder, from the loop"
# write() goes to stderr and the fds the VMM writes, not to every fd it holds.
forbidden write write "a write into stdin from the loop"
# ioctl() is open by fd and request: KVM's and VFIO's on the fds opened
# for them, the terminal restore, a device's own.
forbidden tty-ioctl ioctl "an ioctl outside the list (TIOCSTI from the loop)"
forbidden kvm-ioctl ioctl "a KVM ioctl on a /dev/kvm the loop opened itself (read-only)"
LKVM_RCAR_SANDBOX_SELFTEST=vcpu boot --sandbox off -p lkvm.test=poweroff
expect "--sandbox off: the same run powers off normally" 0 "guest: init reached"

boot -p lkvm.test=panic
expect "guest panic exits with status 4" 4 "guest kernel panicked"

boot -p lkvm.test=reset
expect "guest reset exits with status 3" 3 "guest requested a reset"

boot -p lkvm.test=hang --timeout 3
expect "--timeout stops a hung guest with status 5" 5 "--timeout: 3 s passed"

"$vmm" run -k "$initrd" >"$out" 2>"$err"
status=$?
if [ "$status" -eq 1 ] && [ "$(wc -l <"$err")" -eq 1 ] &&
   grep -q "not an arm64 Linux Image" "$err"; then
	ok "a non-Image kernel file gets one clear line and status 1"
else
	fail "a non-Image kernel file gets one clear line and status 1" "status $status"
fi

# Every input a user can get wrong: one line, documented status, nothing
# left behind (tests/system/host/badinput.sh holds the table).
. /rig/badinput.sh
badinput_run

# Both ways at once: the guest sends 16 MiB while 256 KiB of random bytes
# are typed in; each side's CRC-32 matches, and the VMM's own memory
# stays small (--stats). The input has no ^O: the guest's hvc driver takes
# it as the start of a magic SysRq key (^O o powers off, ^O c crashes).
head -c 400000 /dev/urandom | tr -d '\017' | head -c 262144 >/tmp/in.bin
set -- $(crc32 /tmp/in.bin)
in_crc=$1
rm -f /tmp/flood.json
{ for i in $(seq 3000); do
	grep -q flood-ready /tmp/flood.json 2>/dev/null && break
	sleep 0.1
  done
  cat /tmp/in.bin; } |
	/rig/vmmtime -m flood-out -m flood-in -e flood-ready -c 16777216 -- \
	"$vmm" run -k "$kernel" -i "$initrd" --irqchip "$gic" --stats=/tmp/stats.json \
	-p "lkvm.test=flood lkvm.mib=16 lkvm.inbytes=262144" >/tmp/flood.json 2>"$err"
json=$(tail -1 /tmp/flood.json)
got_out=$(echo "$json" | sed -n 's/.*"crc32": "\([0-9a-f]*\)".*/\1/p')
said_out=$(echo "$json" | sed -n 's/.*"line": "flood-out \([0-9a-f]*\) 16777216".*/\1/p')
said_in=$(echo "$json" | sed -n 's/.*"line": "flood-in \([0-9a-f]*\) 262144".*/\1/p')
overhead=$(sed -n 's/.*"vmm_overhead_kib": \([0-9]*\).*/\1/p' /tmp/stats.json)
if [ -n "$got_out" ] && [ "$got_out" = "$said_out" ] && [ "$said_in" = "$in_crc" ] &&
   [ "${overhead:-99999}" -lt 4096 ]; then
	ok "console both ways at once: 16 MiB out and 256 KiB in arrive whole; VMM overhead $overhead KiB"
else
	fail "console both ways at once: every byte arrives" \
		"out $got_out vs guest's '$said_out', in '$said_in' vs $in_crc, overhead '$overhead' KiB"
fi

# The console's output interrupt, held back while the guest writes, still
# comes: the guest counts its console's interrupts across 1 MiB written
# (the zeros are dropped from the log).
boot -p lkvm.test=console-irq
tr -d '\0\r' <"$out" >"$out.text" && mv "$out.text" "$out"
irqs=$(sed -n 's/^guest: console: \([0-9]*\) output interrupts for 1048576 bytes$/\1/p' "$out")
if [ "$status" -eq 0 ] && [ "${irqs:-0}" -ge 1 ]; then
	ok "console: the output interrupt comes after 1 MiB written ($irqs of them)"
else
	fail "console: the output interrupt comes after 1 MiB written" \
		"status $status, interrupts '${irqs}'"
fi

# --stats: one JSON object with every figure, the console's bytes counted.
boot -c 2 -p lkvm.test=poweroff --stats=/tmp/stats.json
missing=
for key in exit_status startup steps teardown wall_ms cpu_ms run_ms peak_rss_kib \
	guest_ram_resident_kib vmm_overhead_kib guest_ram_pages guest_ram_page_kib \
	vcpus mmio system_event \
	unassigned_mmio_exits loop_wakeups devices virtio-console bytes_out pvpanic; do
	grep -q "\"$key\"" /tmp/stats.json || missing="$missing $key"
done
out_bytes=$(sed -n 's/.*"bytes_out": \([0-9]*\).*/\1/p' /tmp/stats.json)
if [ "$status" -eq 0 ] && [ -z "$missing" ] && [ "${out_bytes:-0}" -gt 0 ] &&
   [ "$out_bytes" -eq "$(wc -c <"$out")" ]; then
	ok "--stats writes every figure; console bytes out match what stdout got ($out_bytes)"
else
	fail "--stats writes every figure; console bytes out match what stdout got" \
		"status $status, missing:${missing:- none}, bytes_out '$out_bytes' vs $(wc -c <"$out")"
fi

# The outer machine checks that it parses (check_stats_json in run.sh).
echo "stats-begin"
cat /tmp/stats.json
echo "stats-end"

# Start-up CPU time is the process's own: the VMM is single-threaded up to
# the first KVM_RUN, so it cannot be far above start-up wall time.
wall=$(sed -n 's/.*"startup": { "wall_ms": \([0-9.]*\).*/\1/p' /tmp/stats.json)
cpu=$(sed -n 's/.*"startup": { "wall_ms": [0-9.]*, "cpu_ms": \([0-9.]*\).*/\1/p' /tmp/stats.json)
if [ -n "$wall" ] && [ -n "$cpu" ] &&
   awk -v w="$wall" -v c="$cpu" 'BEGIN { exit !(w > 0 && c <= 2 * w + 5) }'; then
	ok "--stats start-up figures are plausible (wall $wall ms, CPU $cpu ms)"
else
	fail "--stats start-up figures are plausible" "wall '$wall' ms, CPU '$cpu' ms"
fi

# The blob goes out as base64 for dtc on the outer machine to check.
boot -c 2 -p lkvm.test=poweroff --dump-dtb /tmp/guest.dtb
if [ "$status" -eq 0 ] && [ -s /tmp/guest.dtb ]; then
	ok "--dump-dtb writes the blob"
	echo "dtb-begin $gic"
	base64 /tmp/guest.dtb
	echo "dtb-end"
else
	fail "--dump-dtb writes the blob" "status $status"
fi

# Guest RAM on transparent huge pages: the host here is in "madvise"
# mode, so only a mapping the VMM aligned and advised gets them. While the
# guest runs, its RAM mapping (the one of exactly 256 MiB) starts on a
# 2 MiB boundary and holds huge pages.
ram_mapping() {	# PID SIZE_KIB: "START ANON_HUGE_KIB" of that mapping
	awk -v size="$2" '
		/^[0-9a-f]+-[0-9a-f]+ / { split($1, a, "-"); start = a[1] }
		/^Size:/ { cur = ($2 == size) }
		/^AnonHugePages:/ && cur { print start, $2; exit }' "/proc/$1/smaps"
}
# start_until_init STATS ARGS...: a guest that hangs once its init ran,
# in the background ($pid), waited for until then (a minute at most).
start_until_init() {
	_stats=$1
	shift
	"$vmm" run -k "$kernel" -i "$initrd" --irqchip "$gic" "$@" \
		-p lkvm.test=hang --stats="$_stats" </dev/null >"$out" 2>"$err" &
	pid=$!
	for _i in $(seq 600); do
		grep -q "init reached" "$out" && break
		sleep 0.1
	done
}

start_until_init /tmp/thp.json -m 256
set -- $(ram_mapping "$pid" 262144)
kill -TERM "$pid"
wait "$pid"
status=$?
name="guest RAM on transparent huge pages: 2 MiB aligned, huge pages taken, --stats says thp"
if [ "$status" -eq 6 ] && [ -n "${1:-}" ] && [ $((0x$1 % 2097152)) -eq 0 ] &&
   [ "${2:-0}" -gt 0 ] && grep -q '"guest_ram_pages": "thp"' /tmp/thp.json; then
	ok "$name (${2} KiB of them)"
else
	fail "$name" "status $status, mapping at '${1:-}' with '${2:-}' KiB huge"
fi

# --hugetlbfs: guest RAM on reserved pages; while the guest runs they are
# taken, and once it has stopped they are all free again and the
# directory is empty (the file had no name).
mkdir -p /tmp/huge
mount -t hugetlbfs none /tmp/huge
pages=/sys/kernel/mm/hugepages/hugepages-2048kB
echo 64 >$pages/nr_hugepages
start_until_init /tmp/huge.json -m 128M --hugetlbfs /tmp/huge
taken=$(( $(cat $pages/nr_hugepages) - $(cat $pages/free_hugepages) ))
kill -TERM "$pid"
wait "$pid"
status=$?
name="--hugetlbfs: the guest boots on reserved 2 MiB pages, all given back at exit, nothing left in the directory"
if [ "$status" -eq 6 ] && grep -q "init reached" "$out" && [ "$taken" -gt 0 ] &&
   [ "$(cat $pages/free_hugepages)" -eq 64 ] && [ "$(cat $pages/resv_hugepages)" -eq 0 ] &&
   [ -z "$(ls /tmp/huge)" ] && grep -q '"guest_ram_pages": "hugetlbfs", "guest_ram_page_kib": 2048' /tmp/huge.json; then
	ok "$name ($taken pages in use while it ran)"
else
	fail "$name" "status $status, $taken taken, $(cat $pages/free_hugepages) free after, dir: $(ls /tmp/huge | head -3)"
fi
umount /tmp/huge
echo 0 >$pages/nr_hugepages
