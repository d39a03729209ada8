#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The documentation against the code, in make check: the man page lints
# clean; every option the command line takes (vmm/config.c's table, and
# --passthrough's own options) is in --help, the man page, docs/ and the
# bash completion; the README fits on two screens; every example in the
# docs says where it runs (tests/docs/examples.sh); the LAVA job template
# fills and validates with lava-common's schema, strict. One line per
# case and a closing count; status 1 if any failed.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
passed=0
failed=0
work_empty=$(mktemp)
trap 'rm -f "$work_empty"' EXIT
pass() { echo "ok - docs: $1"; passed=$((passed + 1)); }
flunk() { echo "not ok - docs: $1"; failed=$((failed + 1)); }

man="$top/docs/lkvm-rcar.1"
lint=$(mandoc -T lint -W warning "$man" 2>&1)
if [ -z "$lint" ]; then
	pass "mandoc -T lint -W warning finds nothing in docs/lkvm-rcar.1"
else
	flunk "mandoc -T lint: $(echo "$lint" | head -3 | tr '\n' ' ')"
fi

# The long options getopt knows, from the table in vmm/config.c.
options=$(sed -n '/run_options\[\] = {/,/^};/s/^[[:space:]]*{ "\([a-z-]*\)",.*/\1/p' "$top/vmm/config.c")
[ "$(echo "$options" | wc -w)" -ge 10 ] || flunk "found only '$options' in vmm/config.c's option table"
usage=$(sed -n '/^void config_usage/,/^}/p' "$top/vmm/config.c")
completion="$top/contrib/bash-completion/lkvm-rcar"
# The man page's text with roff's \- as plain hyphens.
man_text=$(sed 's/\\-/-/g' "$man")
# documented WHAT PATTERN COMPLETION_PATTERN: WHAT is in --help, the man
# page and docs/usage.md (PATTERN there) and in the bash completion.
documented() {
	missing=
	echo "$usage" | grep -q -- "$2" || missing="$missing --help"
	echo "$man_text" | grep -q -- "$2" || missing="$missing man-page"
	grep -q -- "$2" "$top/docs/usage.md" || missing="$missing docs/usage.md"
	grep -q -- "$3" "$completion" || missing="$missing bash-completion"
	if [ -z "$missing" ]; then
		pass "$1 is in --help, the man page, docs/usage.md and the bash completion"
	else
		flunk "$1 is missing from:$missing"
	fi
}
for o in $options; do
	documented "--$o" "--$o\b" "--$o\b"
done
for o in mmap=off irqfd=off bind=keep compatible= names=; do
	if grep -q -- "$o" "$man" && grep -q -- "$o" "$top/docs/passthrough.md" &&
	   echo "$usage" | grep -q -- "$o"; then
		pass "the device option $o is in --help, the man page and docs/passthrough.md"
	else
		flunk "the device option $o is missing from --help, the man page or docs/passthrough.md"
	fi
done
# --disk's options, as parse_disk() in vmm/config.c compares them.
disk_options=$(sed -n '/^static int parse_disk(/,/^}/p' "$top/vmm/config.c" |
	grep -o 'strncmp(p, "[a-z=]*"' | sed 's/.*"\(.*\)"/\1/' | sort -u)
[ "$(echo "$disk_options" | wc -w)" -ge 3 ] || flunk "found only '$disk_options' in vmm/config.c's parse_disk()"
for o in $disk_options; do
	documented "the --disk option $o" ",$o" "-W \"[^\"]*\b$o"
done

# docs/stats.schema.json: a valid schema, of the version the code
# writes, with a definition for each device type the code registers,
# that refuses an object without its version.
schema="$top/docs/stats.schema.json"
code_version=$(sed -n 's/^#define STATS_SCHEMA[[:space:]]*\([0-9]*\).*/\1/p' "$top/vmm/stats.h")
doc_version=$(jq -r '.properties.schema.const' "$schema" 2>/dev/null)
types=$(sed -n 's/^[[:space:]]*\.name[[:space:]]*=[[:space:]]*"\([a-z0-9-]*\)",$/\1/p' "$top"/devices/*.c "$top"/devices/*/*.c | sort -u)
undocumented=
for t in $types; do
	jq -e --arg t "$t" '[.. | objects | select(.const? == $t)] | length > 0' "$schema" >/dev/null ||
		undocumented="$undocumented $t"
done
echo '{}' >"$work_empty"
if /usr/bin/python3 "$top/tests/docs/stats-schema.py" "$schema" /dev/null >/dev/null 2>&1; then
	flunk "docs/stats.schema.json: the checker takes a file that is not JSON"
elif [ "$code_version" = "$doc_version" ] && [ -n "$types" ] && [ -z "$undocumented" ] &&
   ! /usr/bin/python3 "$top/tests/docs/stats-schema.py" "$schema" "$work_empty" >/dev/null 2>&1; then
	pass "docs/stats.schema.json is schema $code_version as vmm/stats.h, documents every device type ($(echo $types)) and refuses {}"
else
	flunk "docs/stats.schema.json: version '$doc_version' (code: '$code_version'), undocumented device types:${undocumented:- none}"
fi

# The README's order, make deps then make: make without the libraries
# says so in one line of its own, before any compiler error.
stamp=$(mktemp -u)
said=$(make -s -C "$top" SYSROOT=/nonexistent LIBS_FOUND="$stamp" "$stamp" 2>&1)
status=$?
ours=$(echo "$said" | grep -c "^make: .*run 'make deps' first")
if [ "$status" -ne 0 ] && [ "$ours" -eq 1 ] && ! echo "$said" | grep -q "No such file" &&
   [ ! -e "$stamp" ] && grep -q "^    make deps" "$top/README.md"; then
	pass "make without the arm64 libraries says in one line to run make deps, as the README does first"
else
	flunk "make without the arm64 libraries (status $status): $(echo "$said" | tr '\n' ' ')"
fi

lines=$(wc -l <"$top/README.md")
if [ "$lines" -le 100 ]; then
	pass "README.md fits on two screens ($lines lines)"
else
	flunk "README.md is $lines lines; keep it to two screens (100), the rest goes to docs/"
fi

lava="$top/contrib/lava"
job=$(mktemp)
if DEVICE_TYPE=r8a7795-salvator-x HOST_IMAGE_URL=https://lab.example/host/Image \
   HOST_DTB_URL=https://lab.example/host/r8a77951-salvator-x.dtb \
   ROOTFS_URL=https://lab.example/rootfs.tar.xz REPOSITORY=https://lab.example/lkvm-rcar.git \
   REVISION=main GUEST_IMAGE_URL=https://lab.example/guest/Image \
   GUEST_INITRD_URL=https://lab.example/guest/initrd.cpio \
   LKVM_RCAR_DEB_URL=https://lab.example/lkvm-rcar_arm64.deb BOOTS=3 \
   sh "$lava/make-job.sh" >"$job" &&
   said=$(/usr/bin/python3 "$lava/validate.py" --job "$job" --testdef "$lava/lkvm-rcar-boots.yaml" 2>&1); then
	pass "the LAVA job and test definition validate with lava-common's schema, strict"
else
	flunk "the LAVA job or test definition: $(echo "${said:-make-job.sh failed}" | tail -1)"
fi
rm -f "$job"

# Every example in README.md and docs/ says where it runs (the doc test,
# tests/docs/examples.sh, runs each one there).
if said=$(sh "$top/tests/docs/examples.sh" list 2>&1 >/dev/null); then
	kinds=$(sh "$top/tests/docs/examples.sh" list | sed -n 's/^#@ \([a-z]*\).*/\1/p' | grep -v '^end$' | sort | uniq -c | awk '{printf " %s %s", $1, $2}')
	pass "every example in README.md and docs/ has a marker that says where it runs:$kinds"
else
	flunk "$(echo "$said" | head -1)"
fi

echo "docs: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
