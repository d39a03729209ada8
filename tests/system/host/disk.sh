#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Disk and entropy system tests (--disk, --rng), inside the emulated
# host: a guest whose root is on /guest/rootfs.img (ext4, made on the
# build machine), booted with no initramfs; data the guest was told is
# on disk found there after SIGKILL, and on the host's own disk after
# the host loses power (checked by the outer machine); a read-only
# disk; four disks in order with their serials; an image in use by
# another VMM refused before the guest runs; --rng; --passthrough and
# --disk at once. Each case prints "ok - NAME" or "not ok - NAME: why".
set -u

vmm=/bin/lkvm-rcar
kernel=/guest/Image
initrd=/guest/initrd.cpio
gic=${RIG_GIC:-auto}
cell=${RIG_CELL:-$gic}
out=/tmp/out
err=/tmp/err
root=/tmp/rootfs.img
raw=/tmp/raw.img

ok() { echo "ok - $cell disk $1"; }
fail() {
	echo "not ok - $cell disk $1: $2"
	echo "--- guest output:"; sed 's/^/| /' "$out" | tail -15
	echo "--- VMM stderr:"; sed 's/^/| /' "$err" | tail -5
}

# check NAME WANT_STATUS PATTERN...: the last run's status, each pattern
# in its output, and a clean stop: nothing left in flight in the event
# loop (a request it could not cancel holds the exit up to 30 s).
check() {
	name=$1 want=$2
	shift 2
	if [ "$status" -ne "$want" ]; then
		fail "$name" "exit status $status, expected $want"
		return
	fi
	if grep -q "still in flight" "$err"; then
		fail "$name" "$(grep -m1 "still in flight" "$err")"
		return
	fi
	for p in "$@"; do
		if ! grep -q -e "$p" "$out"; then
			fail "$name" "no '$p' in the guest's output"
			return
		fi
	done
	ok "$name"
}

# on_disk ARGS...: the guest from the root disk, no initramfs.
on_disk() {
	"$vmm" run -k "$kernel" --irqchip "$gic" --timeout 300 "$@" </dev/null >"$out" 2>"$err"
	status=$?
}

# blk_stats FILE: the (last) virtio-blk device's object in a --stats file.
blk_stats() {
	tr -d '\n' <"$1" | grep -o '"type": "virtio-blk"[^}]*' | tail -1
}

cp /guest/rootfs.img "$root"
dd if=/dev/zero of="$raw" bs=1M count=4 2>/dev/null

# --- a root file system on a disk --------------------------------------

on_disk -d "$root" -p "root=/dev/vda rw lkvm.disk=write lkvm.token=first-$$" \
	--stats=/tmp/disk-stats.json
check "a guest whose root is on /dev/vda, no initramfs, reads the image's file and writes its own" 0 \
	"guest: disk root: lkvm-rcar rig rootfs, mounted /dev/root ext4 rw" \
	"guest: disk: wrote token first-$$"
stats=$(blk_stats /tmp/disk-stats.json)
writes=$(echo "$stats" | sed -n 's/.*"writes": \([0-9]*\).*/\1/p')
flushes=$(echo "$stats" | sed -n 's/.*"flushes": \([0-9]*\).*/\1/p')
errors=$(echo "$stats" | sed -n 's/.*"errors": \([0-9]*\).*/\1/p')
if [ "${writes:-0}" -gt 0 ] && [ "${flushes:-0}" -gt 0 ] && [ "$errors" = 0 ]; then
	ok "--stats counts the disk's requests: $writes writes, $flushes flushes, no error"
else
	fail "--stats counts the disk's requests" "it says: $stats"
fi
# The guest acknowledged the disk's interrupts without an exit to user
# space: KVM kept each write to InterruptACK in its coalesced MMIO ring
# for the VMM.
acks=$(sed -n 's/.*"coalesced_mmio_writes": \([0-9]*\).*/\1/p' /tmp/disk-stats.json)
raised=$(echo "$stats" | sed -n 's/.*"raised_by_vmm": \([0-9]*\).*/\1/p')
if [ "${acks:-0}" -gt 0 ] && [ "${raised:-0}" -gt 0 ]; then
	ok "interrupt acknowledgements kept by KVM, not trapped: $acks (the disk raised $raised interrupts)"
else
	fail "interrupt acknowledgements kept by KVM, not trapped" \
		"coalesced_mmio_writes '$acks', the disk's interrupts '$raised'"
fi

on_disk -d "$root" -p "root=/dev/vda ro lkvm.disk=read"
check "a second VMM on the same image finds the file the first one wrote" 0 \
	"guest: disk: token first-$$"

# --- what the guest was told is synced is in the image -----------------

# signal_at SIGNAL PATTERN ARGS...: a guest from the initramfs on ARGS;
# once PATTERN is in its output, the VMM gets SIGNAL; its exit status in
# $status.
signal_at() {
	sig=$1 pattern=$2
	shift 2
	"$vmm" run -k "$kernel" -i "$initrd" --irqchip "$gic" --timeout 300 "$@" \
		</dev/null >"$out" 2>"$err" &
	pid=$!
	for i in $(seq 3000); do
		grep -q "$pattern" "$out" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -"$sig" "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	status=$?
}
# sync_then SIGNAL TOKEN ARGS...: the disk-sync guest on ARGS; once it
# has synced TOKEN, the VMM gets SIGNAL.
sync_then() {
	sig=$1 synced=$2
	shift 2
	signal_at "$sig" "guest: disk: synced $synced" "$@" \
		-p "lkvm.test=disk-sync lkvm.token=$synced"
}
# sector8 IMAGE [iflag=direct]: what the guest's token sector holds, in
# 4 KiB. A direct read of a block device writes the host's cached pages
# of that range back first, so it cannot tell whether a flush did: the
# power cut, the last case, does.
sector8() {
	dd if="$1" bs=4096 skip=1 count=1 ${2:-} 2>/dev/null | head -c 64 | tr -d '\0'
}
in_loop() {
	blk_stats "$1" |
		sed -n 's/.*"writes": \([0-9]*\), "writes_in_loop": \([0-9]*\).*/\1 \2/p'
}
# refused NAME PATTERN ARGS...: one line, holding PATTERN, status 1, and
# no guest started (nothing on the console).
refused() {
	name=$1 pattern=$2
	shift 2
	"$vmm" run -k "$kernel" -i "$initrd" --irqchip "$gic" --timeout 300 "$@" -p lkvm.test=poweroff \
		</dev/null >/tmp/out2 2>"$err"
	status=$?
	if [ "$status" -eq 1 ] && [ "$(grep -c . "$err")" -eq 1 ] &&
	   grep -q -- "$pattern" "$err" && [ ! -s /tmp/out2 ]; then
		ok "$name: one line, status 1, the guest never started"
	else
		fail "$name: one line, status 1, the guest never started" \
			"status $status, $(grep -c . "$err") lines, $(wc -c </tmp/out2) bytes of console"
	fi
}

token=sync-$$
sync_then KILL "$token" -d "$root" -d "$raw"
got=$(sector8 "$raw")
if grep -q "guest: disk: synced $token" "$out" && [ "$got" = "lkvm-rcar-synced-$token" ]; then
	ok "the VMM killed with SIGKILL right after the guest's fsync: the image holds the synced data"
else
	fail "the image holds what the guest synced before SIGKILL" "sector 8 holds '$got'"
fi

# --- a block device as the image ----------------------------------------

# The rig gives the host a disk of its own (RIG_DRIVE): as an image, its
# writes go through io_uring, where the images above, on tmpfs, are
# written by the loop itself (--stats tells the two apart).
set -- $(in_loop /tmp/disk-stats.json)
if [ "${1:-0}" -gt 0 ] && [ "${2:-0}" -gt 0 ]; then
	ok "an image on tmpfs: the loop writes it itself ($2 of $1 writes)"
else
	fail "an image on tmpfs: the loop writes it itself" "writes '${1:-}', in the loop '${2:-}'"
fi
if [ -b /dev/vda ]; then
	btoken=bdev-$$
	sync_then KILL "$btoken" -d "$root" -d /dev/vda
	got=$(sector8 /dev/vda iflag=direct)
	if grep -q "guest: disk: synced $btoken" "$out" && [ "$got" = "lkvm-rcar-synced-$btoken" ]; then
		ok "a block device as the image, the VMM killed with SIGKILL right after the guest's fsync: the device reads back the synced data"
	else
		fail "a block device holds what the guest synced before SIGKILL" "sector 8 holds '$got'"
	fi
	btoken=bdev-term-$$
	sync_then TERM "$btoken" -d "$root" -d /dev/vda --stats=/tmp/bdev-stats.json
	got=$(sector8 /dev/vda iflag=direct)
	set -- $(in_loop /tmp/bdev-stats.json)
	if [ "$status" -eq 6 ] && ! grep -q "still in flight" "$err" &&
	   [ "$got" = "lkvm-rcar-synced-$btoken" ] && [ "${1:-0}" -gt 0 ] && [ "${2:-}" = 0 ]; then
		ok "a block device as the image: its $1 writes go through io_uring, none in the loop; SIGTERM stops it cleanly (status 6)"
	else
		fail "a block device's writes go through io_uring, and SIGTERM stops it cleanly" \
			"status $status, sector 8 '$got', writes '${1:-}', in the loop '${2:-}'"
	fi
	# As many requests in flight as the guest queues: four readers at
	# once, on the device past the host's cache, where a read waits for
	# the device; the loop takes the next before the first is done.
	"$vmm" run -k "$kernel" -i "$initrd" --irqchip "$gic" --timeout 300 \
		-d /guest/rootfs.img,ro -d /dev/vda,direct --stats=/tmp/parallel.json \
		-p lkvm.test=disk-parallel </dev/null >"$out" 2>"$err"
	status=$?
	most=$(blk_stats /tmp/parallel.json | sed -n 's/.*"max_in_flight": \([0-9]*\).*/\1/p')
	if [ "${most:-0}" -ge 2 ]; then
		check "four readers at once: up to $most of their requests in flight together in the VMM" 0 \
			"guest: disk: four readers done"
	else
		fail "four readers at once: their requests in flight together" "max_in_flight '${most:-}'"
	fi
	# ,direct: the same device past the host's page cache, its logical
	# block (512 bytes on QEMU's virtio-blk) the guest's.
	btoken=bdev-direct-$$
	sync_then TERM "$btoken" -d "$root" -d /dev/vda,direct --stats=/tmp/direct-stats.json
	got=$(sector8 /dev/vda iflag=direct)
	dstats=$(blk_stats /tmp/direct-stats.json)
	if [ "$status" -eq 6 ] && ! grep -q "still in flight" "$err" &&
	   [ "$got" = "lkvm-rcar-synced-$btoken" ] &&
	   echo "$dstats" | grep -q '"direct": true, "block_size": 512,' &&
	   echo "$dstats" | grep -q '"errors": 0,'; then
		ok "a block device with ,direct: opened O_DIRECT, 512-byte blocks, the guest's fsync on the device, no I/O error"
	else
		fail "a block device with ,direct holds what the guest synced" \
			"status $status, sector 8 '$got', stats: $dstats"
	fi
else
	fail "a block device as the image" "the host has no /dev/vda (tests/system/run.sh gives it RIG_DRIVE)"
fi

# ,direct on a file system that cannot do it (ramfs, and tmpfs before
# Linux 6.6, as in the rig's host): one line, status 1, no guest.
refused "an image on tmpfs with ,direct" \
	"--disk $raw: its file system cannot do direct I/O; drop ,direct" -d "$raw,direct"

# --- a read-only disk ---------------------------------------------------

before=$(md5sum <"$raw")
"$vmm" run -k "$kernel" -i "$initrd" --irqchip "$gic" --timeout 300 -d "$root,ro" -d "$raw,ro" \
	-p lkvm.test=disk-ro </dev/null >"$out" 2>"$err"
status=$?
check "a read-only disk: the guest sees it read-only, a write is refused, it reads the data" 0 \
	"guest: disk: vdb ro=1" "guest: disk: the write to vdb was refused" \
	"guest: disk: vdb reads lkvm-rcar-synced-$token"
if [ "$(md5sum <"$raw")" = "$before" ]; then
	ok "the read-only image is unchanged after the run"
else
	fail "the read-only image is unchanged after the run" "its checksum changed"
fi

# --- four disks, in order, with their serials ---------------------------

for n in 1 2 3 4; do
	dd if=/dev/zero of=/tmp/disk$n.img bs=1M count=$n 2>/dev/null
done
"$vmm" run -k "$kernel" -i "$initrd" --irqchip "$gic" --timeout 300 \
	-d /tmp/disk1.img,serial=lkvm-one -d /tmp/disk2.img,serial=lkvm-two \
	-d /tmp/disk3.img,ro,serial=lkvm-three --disk /tmp/disk4.img,serial=lkvm-four \
	-p lkvm.test=disks </dev/null >"$out" 2>"$err"
status=$?
check "four disks: vda to vdd in the command line's order, each with its size and serial" 0 \
	"guest: disks: vda 2048 sectors, serial 'lkvm-one'" \
	"guest: disks: vdb 4096 sectors, serial 'lkvm-two'" \
	"guest: disks: vdc 6144 sectors, serial 'lkvm-three'" \
	"guest: disks: vdd 8192 sectors, serial 'lkvm-four'"
rm -f /tmp/disk1.img /tmp/disk2.img /tmp/disk3.img /tmp/disk4.img

# --- discard -------------------------------------------------------------

# An image on tmpfs, all of it written (0xff), so that all of it is
# allocated: the guest's blkdiscard of its second MiB must leave that
# MiB reading as zeroes and no longer allocated (fallocate's punched
# hole), and the MiB on each side as they were. Write-zeroes takes the
# same way to the image; blk-req's unit tests take both apart.
dimg=/tmp/discard.img
head -c 3145728 /dev/zero | tr '\0' '\377' >"$dimg"
kib_before=$(du -k "$dimg" | cut -f1)
"$vmm" run -k "$kernel" -i "$initrd" --irqchip "$gic" --timeout 300 \
	-d /guest/rootfs.img,ro -d "$dimg" --stats=/tmp/discard-stats.json \
	-p lkvm.test=disk-discard </dev/null >"$out" 2>"$err"
status=$?
kib_after=$(du -k "$dimg" | cut -f1)
mib() { dd if="$dimg" bs=1M skip="$1" count=1 2>/dev/null | tr -d "$2" | wc -c; }
discards=$(blk_stats /tmp/discard-stats.json | sed -n 's/.*"discards": \([0-9]*\).*/\1/p')
if [ "$(mib 1 '\0')" -eq 0 ] && [ "$(mib 0 '\377')" -eq 0 ] && [ "$(mib 2 '\377')" -eq 0 ] &&
   [ "$kib_after" -le $((kib_before - 1024)) ] && [ "${discards:-0}" -ge 1 ]; then
	check "discard: the guest's blkdiscard punches a hole in the image ($kib_before KiB allocated, then $kib_after), the range reads as zeroes, the rest untouched" 0 \
		"guest: disk: discarded"
else
	fail "discard punches a hole in the image" \
		"allocated $kib_before then $kib_after KiB, discards '${discards:-}', non-zero bytes in the range $(mib 1 '\0')"
fi
rm -f "$dimg"

# --- one image, two VMMs --------------------------------------------------

"$vmm" run -k "$kernel" -i "$initrd" --irqchip "$gic" --timeout 300 -d "$raw" -p lkvm.test=hang \
	</dev/null >"$out" 2>/tmp/err1 &
first=$!
for i in $(seq 3000); do
	grep -q "init reached" "$out" && break
	sleep 0.1
done
refused "a second VMM on an image another VMM writes" "in use by another VMM" -d "$raw"
refused "a second VMM asking it read-only" "in use by another VMM" -d "$raw,ro"
kill -TERM "$first"
wait "$first"
status=$?
if [ "$status" -eq 6 ]; then
	ok "the first VMM stops on SIGTERM (status 6) and lets the image go"
else
	fail "the first VMM stops on SIGTERM" "status $status"
fi
"$vmm" run -k "$kernel" -i "$initrd" --irqchip "$gic" --timeout 300 -d "$raw,ro" -p lkvm.test=hang \
	</dev/null >"$out" 2>/tmp/err1 &
first=$!
for i in $(seq 3000); do
	grep -q "init reached" "$out" && break
	sleep 0.1
done
"$vmm" run -k "$kernel" -i "$initrd" --irqchip "$gic" --timeout 300 -d "$raw,ro" -p lkvm.test=poweroff \
	</dev/null >/tmp/out2 2>"$err"
status=$?
kill -TERM "$first"
wait "$first"
if [ "$status" -eq 0 ] && grep -q "init reached" /tmp/out2; then
	ok "two VMMs share an image read-only"
else
	fail "two VMMs share an image read-only" "the second's status $status"
fi

# --- entropy ----------------------------------------------------------------

# Whether the host's pool was ready before (the VMM waits for it once).
echo "# host: $(dmesg | grep -m1 'crng init done' || echo 'crng not yet initialised')"
"$vmm" run -k "$kernel" -i "$initrd" --irqchip "$gic" --timeout 120 --rng \
	--stats=/tmp/rng.json -p lkvm.test=rng </dev/null >"$out" 2>"$err"
status=$?
check "--rng: the guest's hwrng is virtio_rng and gives what it reads" 0 \
	"guest: rng: virtio_rng.0 gives 64 bytes"
bytes=$(tr -d '\n' </tmp/rng.json 2>/dev/null |
	sed -n 's/.*"type": "virtio-rng"[^}]*"bytes": \([0-9]*\).*/\1/p')
if [ "${bytes:-0}" -ge 64 ]; then
	ok "--stats counts the $bytes bytes of entropy the guest took"
else
	fail "--stats counts the bytes of entropy the guest took" "bytes '$bytes'"
fi
# For the outer machine, which checks them against docs/stats.schema.json.
for f in /tmp/disk-stats.json /tmp/rng.json; do
	echo "stats-begin"
	cat "$f"
	echo "stats-end"
done

# --- a disk and a passed-through device at once -------------------------------

pl061=9030000.pl061
driver() { basename "$(readlink /sys/bus/*/devices/$pl061/driver 2>/dev/null)" 2>/dev/null; }
was=$(driver)
on_disk -d "$root" --passthrough "$pl061" -p "root=/dev/vda rw lkvm.disk=read"
check "--passthrough $pl061 and --disk in one run: the guest boots from the disk with the PL061" 0 \
	"guest: disk: token first-$$" "guest: disk: the passed-through .*pl061 is there too"
if [ "$(driver)" = "$was" ]; then
	ok "after it the PL061 is back with '$was'"
else
	fail "after it the PL061 is back with '$was'" "bound to '$(driver)'"
fi
rm -f "$root" "$raw"

# --- the power cut: what the guest synced is on the host's disk ----------

# The last case: the host's own disk (RIG_DRIVE) as the guest's second,
# through the host's page cache. The guest syncs a token, then writes a
# control it never flushes; the VMM is killed and the host then loses
# power without a sync (host-init). The outer machine reads the drive's
# file: the token must be there, the control not (if it is, the page
# cache reached the disk anyway and the case proves nothing). Nothing
# else may write the cache back meanwhile: the periodic flusher is off,
# and a process holds /dev/vda open, since the last close of a block
# device writes its cache back.
if [ -b /dev/vda ]; then
	sleep 100000 </dev/vda &
	echo 0 >/proc/sys/vm/dirty_writeback_centisecs
	echo 360000 >/proc/sys/vm/dirty_expire_centisecs
	ctoken=cut-$$
	signal_at KILL "guest: disk: written, not flushed, $ctoken" \
		-d /guest/rootfs.img,ro -d /dev/vda -p "lkvm.test=disk-cut lkvm.token=$ctoken"
	sed -n 's/^guest: disk: /rig: power cut: guest said: /p' "$out"
	echo "rig: power cut: token $ctoken"
	: >/tmp/rig-power-cut
fi
