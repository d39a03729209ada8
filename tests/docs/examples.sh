#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The docs' examples, run as written. Every indented block of README.md
# and docs/*.md carries a marker on the line before it (then a blank
# line), which says where it runs:
#
#   <!-- example: build -->   on the build machine, in the tree; from a
#                             line "scp FILES HOST:" on, the rest of the
#                             block runs on the board (the files named
#                             must be there by then)
#   <!-- example: board -->   on the board, as root, in a directory that
#                             holds the files the docs name (Image,
#                             initramfs.cpio.gz, rootfs.img...)
#   <!-- example: guest -->   typed at the shell of the guest the board
#                             block before it started; each must succeed
#   <!-- example: crash -->   on the board, after a VMM that held the
#                             device was killed with SIGKILL
#   <!-- example: kernel -->  on the build machine, beside a git tree
#                             "linux" of the rig's kernel source
#   <!-- example: config host|guest -->  each CONFIG_ line is set in
#                             host/kernel.config or guest/kernel.config
#   <!-- example: dts -->     a device-tree fragment; it compiles with dtc
#                             against the nodes it names
#   <!-- example: lab -->     needs a LAVA lab: not run here (said so)
#   <!-- example: text -->    not a command: output, a diagram, a synopsis
#
# The board is the rig's Salvator-X stand-in (tests/rig/dtb.sh salvator):
# the only change made to a board block is e6055400.gpio, GPIO6's name,
# to the stand-in's 9030400.gpio. Board blocks run in
# tests/system/host/docs.sh, in the order of BOARD_ORDER below: the
# walk-through first, from a fresh board, as its page says.
#
#   examples.sh list           the blocks, each as "#@ KIND FILE:LINE"
#                              and its lines, then "#@ end"; status 1 and a
#                              line per unmarked block if there is one
#   examples.sh board          the blocks that run on the board, in order
#   examples.sh run            runs everything that runs here; one line
#                              per block and a closing count
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
BOARD_ORDER="docs/rcar.md README.md docs/usage.md docs/passthrough.md docs/ci.md docs/host-kernel.md"

doc_files() {
	for f in $BOARD_ORDER; do echo "$f"; done
	for f in README.md docs/*.md; do
		case " $BOARD_ORDER " in *" $f "*) ;; *) echo "$f" ;; esac
	done
}

# extract FILE: FILE's indented blocks with their markers.
extract() {
	awk -v file="$1" '
	function flush() {
		if (n == 0) return
		if (kind == "") {
			printf "%s:%d: an example without a marker; put <!-- example: KIND --> before it (tests/docs/examples.sh)\n", file, start > "/dev/stderr"
			bad = 1
		} else {
			printf "#@ %s %s:%d\n", kind, file, start
			for (i = 1; i <= n; i++) print block[i]
			print "#@ end"
		}
		n = 0; kind = ""
	}
	/^ *<!-- example: .* -->$/ {
		flush()
		marker = $0
		sub(/^ *<!-- example: /, "", marker); sub(/ -->$/, "", marker)
		next
	}
	{
		match($0, /^ */)
		ind = RLENGTH
	}
	n > 0 && ($0 ~ /^ *$/) { blank++; next }
	n > 0 && ind >= depth { while (blank > 0) { block[++n] = ""; blank-- }
				block[++n] = substr($0, depth + 1); next }
	n > 0 { flush() }
	ind >= 4 && prev_blank && $0 !~ /^ *$/ && !(prev_item && ind < 6) {
		n = 1; depth = ind; start = NR; blank = 0
		block[1] = substr($0, depth + 1)
		kind = marker; marker = ""
		next
	}
	{
		if ($0 !~ /^ *$/) {
			# A marker belongs to the block right after it.
			if ($0 !~ /^<!--/) marker = ""
			prev_item = ($0 ~ /^ *[-*] / || (prev_item && ind >= 2))
		}
		prev_blank = ($0 ~ /^ *$/)
	}
	END { flush(); exit bad }
	' "$top/$1"
}

list() {
	status=0
	for f in $(doc_files); do
		extract "$f" || status=1
	done
	return $status
}

# board: the board's share of the blocks, in order: board, guest and
# crash blocks, and the part of build blocks from their scp line on.
board() {
	list | awk '
	/^#@ end$/ { if (on) print; on = 0; scp = 0; next }
	/^#@ / {
		split($0, w, " ")
		kind = w[2]; where = w[3]
		on = (kind == "board" || kind == "guest" || kind == "crash")
		if (on) print
		next
	}
	kind == "build" && /^scp / { scp = 1; printf "#@ board %s+scp\n", where; on = 1; next }
	on { print }
	'
}

case "${1:-}" in
list) list ;;
board) board ;;
run) . "$top/tests/docs/examples-run.sh" ;;
*) echo "usage: examples.sh list|board|run" >&2; exit 2 ;;
esac
