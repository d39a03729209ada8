# SPDX-License-Identifier: GPL-2.0
#
# examples.sh run: the blocks that run on the build machine, as written,
# one line per block and a closing count. Sourced by examples.sh (top,
# list). The board's blocks run in the rig (make system, the docs suite).
. "$top/tests/rig/common.sh"

passed=0
failed=0
pass() { echo "ok - docs example $1"; passed=$((passed + 1)); }
flunk() { echo "not ok - docs example $1"; failed=$((failed + 1)); }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# run_build WHERE FILE: a build block in the tree, up to its scp line;
# the scp line's files must exist once the lines before it have run.
# make check and make bench are this run's own steps (make check runs
# the bench with BENCH_QUICK=1), so they are not run again inside it.
run_build() {
	where=$1 block=$2
	: >"$work/build.sh"
	scp=
	notes=
	while IFS= read -r line; do
		case "$line" in
		scp\ *) scp=$line; break ;;
		"make check"|"make check "*|"make bench"|"make bench "*)
			target=${line#make }
			target=${target%% *}
			if [ "$target" != check ] &&
			   ! sed -n '/^check: /,/^$/p' "$top/Makefile" | grep -q "\$(MAKE) .*\b$target\b"; then
				flunk "$where: make check does not run make $target"
				return
			fi
			notes="$notes; make $target is this run's own step" ;;
		*) printf '%s\n' "$line" >>"$work/build.sh" ;;
		esac
	done <"$block"
	if ! (cd "$top" && sh -e -x "$work/build.sh") </dev/null >"$work/build.out" 2>&1; then
		flunk "$where: on the build machine, the block failed at: $(grep '^+ ' "$work/build.out" | tail -1)"
		tail -5 "$work/build.out" | sed 's/^/# /'
		return
	fi
	if [ -n "$scp" ]; then
		set -- $scp
		shift
		while [ $# -gt 1 ]; do
			case "$1" in -*) ;; *)
				[ -e "$top/$1" ] || { flunk "$where: '$scp': $1 was not made by the lines before"; return; }
			esac
			shift
		done
		notes="$notes; the files scp copies are there (the board's part runs in the rig)"
	fi
	pass "$where: on the build machine, each line succeeds$notes"
}

# run_kernel WHERE FILE: the patch loop, in a git tree "linux" of the
# files the series changes, as Debian's kernel source has them (the rig
# itself applies the series with patch(1), so this is where git am runs).
run_kernel() {
	where=$1 block=$2
	tarball=/usr/src/linux-source-6.1.tar.xz
	mkdir -p "$work/k/linux"
	files=$(sed -n 's|^--- a/\([^[:space:]]*\).*|linux-source-6.1/\1|p' "$top"/host/patches/*.patch | sort -u)
	if ! tar -xJf "$tarball" -C "$work/k/linux" --strip-components=1 $files 2>"$work/tar.err"; then
		flunk "$where: could not take $(echo $files | wc -w) files from $tarball: $(head -1 "$work/tar.err")"
		return
	fi
	git -C "$work/k/linux" init -q &&
		git -C "$work/k/linux" add -A &&
		git -C "$work/k/linux" -c user.name=rig -c user.email=rig@localhost commit -q -m base ||
		{ flunk "$where: could not make the scratch git tree"; return; }
	sed "s|/path/to/lkvm-rcar|$top|g" "$block" >"$work/kernel.sh"
	want=$(sed -e 's/#.*//' "$top/host/patches/series" | grep -c .)
	if (cd "$work/k" && GIT_COMMITTER_NAME=rig GIT_COMMITTER_EMAIL=rig@localhost \
	    sh -e "$work/kernel.sh") </dev/null >"$work/kernel.out" 2>&1; then
		got=$(git -C "$work/k/linux" rev-list --count HEAD)
		if [ "$got" -eq $((want + 1)) ]; then
			pass "$where: the loop applies the $want patches of host/patches/series with git am"
		else
			flunk "$where: $((got - 1)) commits on the tree, $want patches in the series"
		fi
	else
		flunk "$where: the loop failed: $(tail -2 "$work/kernel.out" | tr '\n' ' ')"
	fi
}

# run_config WHERE FILE host|guest: each option is set in the rig's
# kernel, which is built from host/kernel.config and guest/kernel.config
# (tests/rig/kernel.sh stops if one of their lines does not survive
# Kconfig), and the host's options are in host/kernel.config, the
# fragment the docs hand to a board's kernel.
run_config() {
	where=$1 block=$2 which=$3
	fragments="$top/host/kernel.config $top/guest/kernel.config"
	[ "$which" = host ] && fragments="$top/host/kernel.config"
	missing=
	n=0
	for opt in $(sed -n 's/^\(CONFIG_[A-Z0-9_]*=[ym]\).*/\1/p' "$block"); do
		n=$((n + 1))
		cat $fragments | grep -qx "$opt" || missing="$missing $opt"
	done
	if [ "$n" -eq 0 ]; then
		flunk "$where: no CONFIG_ lines in a config block"
	elif [ -z "$missing" ]; then
		pass "$where: its $n options are in $(echo "$fragments" | sed "s|$top/||g"), and so in the rig's kernel"
	else
		flunk "$where: not in $(echo "$fragments" | sed "s|$top/||g"):$missing"
	fi
}

# run_dts WHERE FILE: the fragment compiles against a tree with the
# nodes it names, and the nodes it deletes are gone.
run_dts() {
	where=$1 block=$2
	path=$(sed -n 's/^&{\(\/[^}]*\)} {$/\1/p' "$block" | head -1)
	nodes=$(sed -n 's|^[[:space:]]*/delete-node/ \([^;]*\);|\1|p' "$block")
	{
		echo "/dts-v1/;"
		echo "/ {"
		echo "	${path#/} {"
		for n in $nodes; do echo "		$n { };"; done
		echo "		key-1 { };"
		echo "	};"
		echo "};"
		cat "$block"
	} >"$work/t.dts"
	if [ -z "$path" ] || [ -z "$nodes" ]; then
		flunk "$where: no &{/path} node or /delete-node/ in the fragment"
	elif ! dtc -q -I dts -O dts -o "$work/t.out" "$work/t.dts" 2>"$work/t.err"; then
		flunk "$where: dtc: $(head -2 "$work/t.err" | tr '\n' ' ')"
	elif grep -q -e "$(echo $nodes | sed 's/ / -e /g')" "$work/t.out" ||
	     ! grep -q "key-1" "$work/t.out"; then
		flunk "$where: the tree after it still has the nodes it deletes, or lost the others"
	else
		pass "$where: the fragment compiles with dtc and deletes$(printf ' %s' $nodes) from ${path}"
	fi
}

# run_apt WHERE FILE: the rig's board has no apt, so the line runs on
# the build machine (which has arm64 in dpkg's architectures, from make
# deps) in the folder make deb writes, as a simulation: apt must take the
# file the pattern names and resolve its dependencies for arm64.
run_apt() {
	where=$1 block=$2
	line=$(sed -e 's/[[:space:]]*#.*//' -e '/^$/d' "$block")
	case "$line" in
	"sudo apt install "*) ;;
	*) flunk "$where: expected one 'sudo apt install FILE' line, found '$line'"; return ;;
	esac
	args=${line#sudo apt install }
	if [ ! -d "$top/build/deb" ]; then
		flunk "$where: no build/deb; make deb (in make check: deb-check) runs first"
	elif (cd "$top/build/deb" && eval "apt-get install --simulate $args") >"$work/apt.out" 2>&1 &&
	     grep -q "^Inst lkvm-rcar:arm64 " "$work/apt.out"; then
		pass "$where: apt takes $(cd "$top/build/deb" && eval "echo $args") and resolves its arm64 dependencies (simulated: the rig's board has no apt)"
	else
		flunk "$where: apt-get --simulate: $(grep -v '^\(Inst\|Conf\) ' "$work/apt.out" | tail -2 | tr '\n' ' ')"
	fi
}

n=0
text=0
rig=0
list >"$work/blocks" || exit 1
while IFS= read -r line; do
	case "$line" in
	"#@ end")
		set -- $header
		kind=$2
		where=$(echo "$header" | sed 's/.* //')
		case "$kind" in
		build) run_build "$where" "$work/block" ;;
		kernel) run_kernel "$where" "$work/block" ;;
		config) run_config "$where" "$work/block" "$3" ;;
		dts) run_dts "$where" "$work/block" ;;
		board|guest|crash) rig=$((rig + 1)) ;;
		text) text=$((text + 1)) ;;
		lab) echo "# docs example $where: not run as written (a lab's addresses, elided): make check-lava runs make-job.sh and lava-run with this tree's paths" ;;
		apt) run_apt "$where" "$work/block" ;;
		*) flunk "$where: unknown kind '$kind' (see tests/docs/examples.sh)" ;;
		esac
		;;
	"#@ "*) header=$line; : >"$work/block" ;;
	*) printf '%s\n' "$line" >>"$work/block" ;;
	esac
done <"$work/blocks"
echo "# docs examples: $rig run on the board in the rig (make system), $text are not commands"
echo "docs examples: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
