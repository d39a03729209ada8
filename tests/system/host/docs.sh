#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The docs' board examples (tests/docs/examples.sh board), run on the
# emulated Salvator-X stand-in (tests/rig/dtb.sh salvator) as written,
# as root, in a directory holding the files they name. The only change:
# GPIO6's name, e6055400.gpio, becomes the stand-in's. One case per
# block: the block's commands succeed; a guest block's commands each
# succeed in the guest the board block before it started; a crash block
# runs after a VMM holding GPIO6 was killed with SIGKILL and gives GPIO6
# back to its driver.
set -u

dev=9030400.gpio
sysdev=/sys/bus/platform/devices/$dev
blocks=/tmp/doc-blocks
board=/tmp/board

ok() { echo "ok - docs example $1"; }
fail() { echo "not ok - docs example $1: $2"; }
driver() { basename "$(readlink "$sysdev/driver" 2>/dev/null)" 2>/dev/null; }

# The board's working directory: the files the examples name.
mkdir -p "$blocks" "$board"
cp /bin/lkvm-rcar "$board/lkvm-rcar"
cp /guest/Image "$board/Image"
for f in initramfs.cpio.gz rootfs.cpio initrd.cpio; do
	cp /guest/user-initramfs.cpio.gz "$board/$f"
done
# docs/ci.md's tests.cpio: the same, with a /run-tests that passes,
# appended as a second archive. The kernel takes an uncompressed
# archive only at a 4-byte boundary: pad the compressed one with zeros.
cp /guest/user-initramfs.cpio.gz "$board/tests.cpio"
head -c $(( (4 - $(wc -c <"$board/tests.cpio") % 4) % 4 )) /dev/zero >>"$board/tests.cpio"
cat /guest/run-tests.cpio >>"$board/tests.cpio"
cp /guest/rootfs.img "$board/rootfs.img"
dd if=/dev/zero of="$board/data.img" bs=1M count=4 2>/dev/null

# Split the list into numbered blocks: N.kind, N.where, N.sh.
n=0
while IFS= read -r line; do
	case "$line" in
	"#@ end") ;;
	"#@ "*)
		n=$((n + 1))
		set -- $line
		echo "$2" >"$blocks/$n.kind"
		echo "$3" >"$blocks/$n.where"
		: >"$blocks/$n.sh" ;;
	*) printf '%s\n' "$line" | sed "s/e6055400\.gpio/$dev/g" >>"$blocks/$n.sh" ;;
	esac
done </rig/doc-examples.txt
echo "# docs: $n blocks; GPIO6 is $dev, bound to $(driver)"

# guest_input N: guest block N as typed at the guest's shell, each
# command followed by its status, then exit.
guest_input() {
	sed -e 's/[[:space:]]*#.*//' -e '/^$/d' "$blocks/$1.sh" |
		while IFS= read -r cmd; do
			printf '%s; echo "doc-status $?"\n' "$cmd"
		done
	echo exit
}

# typist: a user who types "exit" at each guest's shell, once a second
# (the walk-through's way to stop it): a console has no end of file to
# give, so a guest shell reading it waits for a command. Not a flood:
# with `yes exit` on its console, in about 1 run in 40, a guest took
# 259 KiB of it and then offered no more receive buffers, its shell
# waiting for input for good (docs/passthrough.md, on the console).
typist() { while echo exit; do sleep 1; done 2>/dev/null; }

# run_block N [INPUT]: block N on the board, with stdin from INPUT, or
# else from typist. Bounded at BLOCK_LIMIT_S: then every VMM is stopped
# (TERM, then KILL), which ends the pipeline, and the status is 124. A
# block cut short leaves no VMM behind for the next.
BLOCK_LIMIT_S=300
run_block() {
	if [ -n "${2:-}" ]; then
		(cd "$board" && exec sh -e -x "$blocks/$1.sh") <"$2" >"$blocks/$1.out" 2>"$blocks/$1.err" &
	else
		typist | (cd "$board" && exec sh -e -x "$blocks/$1.sh") >"$blocks/$1.out" 2>"$blocks/$1.err" &
	fi
	_job=$!
	_waited=0
	while kill -0 "$_job" 2>/dev/null && [ $_waited -lt $((BLOCK_LIMIT_S * 10)) ]; do
		sleep 0.1
		_waited=$((_waited + 1))
	done
	_late=0
	if kill -0 "$_job" 2>/dev/null; then
		_late=1
		echo "# docs: $(cat "$blocks/$1.where"): still running after $BLOCK_LIMIT_S s; its output ends:"
		tr -d '\r' <"$blocks/$1.out" | tail -8 | sed 's/^/#   /'
		kill -TERM "$_job" 2>/dev/null
	fi
	if killall -TERM lkvm-rcar 2>/dev/null; then
		sleep 2
		killall -KILL lkvm-rcar 2>/dev/null
		[ $_late = 1 ] || echo "# docs: $(cat "$blocks/$1.where"): a VMM outlived its block, stopped"
	fi
	wait "$_job"
	_status=$?
	[ $_late = 0 ] || _status=124
	return $_status
}

# crash: a VMM holding GPIO6, its guest at the shell, killed with SIGKILL
# once it has the device. Leaves the driver it had before in $before.
crash() {
	before=$(driver)
	rm -f /tmp/doc-fifo
	mkfifo /tmp/doc-fifo
	(cd "$board" && exec lkvm-rcar run -k Image -i initramfs.cpio.gz --passthrough "$dev" \
		</tmp/doc-fifo >/tmp/doc-crash.out 2>&1) &
	vmm=$!
	exec 3>/tmp/doc-fifo
	_tries=0
	while [ "$(driver)" != vfio-platform ] && [ $_tries -lt 600 ]; do
		sleep 0.1
		_tries=$((_tries + 1))
	done
	kill -KILL "$vmm"
	wait "$vmm" 2>/dev/null
	exec 3>&-
	rm -f /tmp/doc-fifo
}

i=1
while [ $i -le "$n" ]; do
	kind=$(cat "$blocks/$i.kind")
	where=$(cat "$blocks/$i.where")
	next=$((i + 1))
	nkind=$(cat "$blocks/$next.kind" 2>/dev/null)
	case "$kind" in
	board)
		if [ "$nkind" = guest ]; then
			guest_input "$next" >"$blocks/$i.in"
			run_block "$i" "$blocks/$i.in"
		else
			run_block "$i"
		fi
		status=$?
		if [ "$status" -eq 0 ]; then
			ok "$where: on the board, each command succeeds"
		else
			fail "$where" "on the board, status $status at: $(grep '^+ ' "$blocks/$i.err" | tail -1); $(grep -v '^+ ' "$blocks/$i.err" | tail -1)"
		fi
		if [ "$nkind" = guest ]; then
			want=$(grep -c doc-status "$blocks/$i.in")
			got=$(tr -d '\r' <"$blocks/$i.out" | grep -c '^doc-status 0$')
			gwhere=$(cat "$blocks/$next.where")
			if [ "$got" -eq "$want" ] && [ "$want" -gt 0 ]; then
				ok "$gwhere: in the guest, each of its $want commands succeeds"
			else
				fail "$gwhere" "in the guest, $got of $want commands succeeded: $(tr -d '\r' <"$blocks/$i.out" | grep '^doc-status' | tr '\n' ' ')"
				tr -d '\r' <"$blocks/$i.out" | tail -15 | sed 's/^/# /'
			fi
			i=$next
		fi ;;
	crash)
		crash
		held=$(driver)
		run_block "$i"
		status=$?
		if [ "$held" != vfio-platform ]; then
			fail "$where" "the VMM to be killed never took $dev (it is bound to '$held'): $(tail -1 /tmp/doc-crash.out)"
		elif [ "$status" -eq 0 ] && [ "$(driver)" = "$before" ]; then
			ok "$where: after a VMM holding $dev was killed, each command succeeds and $dev is back with $before"
		else
			fail "$where" "after a crash: status $status, $dev bound to '$(driver)' (was '$before'); $(tail -1 "$blocks/$i.err")"
		fi ;;
	guest)
		fail "$where" "a guest block after a $(cat "$blocks/$((i - 1)).kind" 2>/dev/null) block, not a board block" ;;
	*)
		fail "$where" "kind '$kind' does not run on the board" ;;
	esac
	i=$((i + 1))
done
