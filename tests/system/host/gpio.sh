#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Shared-lines system tests (--gpio), inside the emulated host: the host
# keeps the PL061 with its own driver (QEMU's own tree, gpio-keys holding
# line 3) and shares lines 0, 1 and 3 with the guest through virtio-gpio.
# The guest (guest/gpio-test.sh) blinks 0 and 1 and counts button
# presses on 3, which the outer harness makes through QEMU's monitor; it
# also checks QEMU's trace for the blinks and for the host's own drive of
# line 2. Here: the bad input, what the host sees of its lines while the
# guest runs and after, --stats, and a guest flooding the device's queue.
set -u

vmm=/bin/lkvm-rcar
gic=${RIG_GIC:-auto}
cell=${RIG_CELL:-}
ctl=9030000.pl061
chip=/dev/gpiochip0
presses=3
out=/tmp/out
err=/tmp/err

ok() { echo "ok - $cell gpio $1"; }
fail() {
	echo "not ok - $cell gpio $1: $2"
	echo "--- guest output:"; sed 's/^/| /' "$out" | tail -25
	echo "--- VMM stderr:"; sed 's/^/| /' "$err" | tail -8
}

# The host's view of its lines: "line N: used|free consumer 'C' DIR name 'N'".
lines() { /rig/gpiotool info "$chip"; }
held_by_vmm() { lines | grep -c "consumer 'lkvm-rcar'"; }
amba_driver() { basename "$(readlink "/sys/bus/amba/devices/$1/driver" 2>/dev/null)" 2>/dev/null; }

echo "rig: $chip is $(basename "$(readlink /sys/bus/gpio/devices/gpiochip0)")'s, its lines:"
lines | sed 's/^/rig: /'
before=$(lines)

# --- bad input: one line, the documented status, no line left held ----

# bad NAME STATUS PATTERN GPIO_ARG
bad() {
	: >"$out"
	"$vmm" run -k /guest/Image -i /guest/initrd.cpio --gpio "$4" </dev/null >"$out" 2>"$err"
	status=$?
	if [ "$status" -ne "$2" ]; then
		fail "$1" "exit status $status, expected $2"
	elif [ "$(wc -l <"$err")" -ne 1 ] || ! grep -q -e "$3" "$err"; then
		fail "$1" "stderr is not one line with '$3'"
	elif [ "$(lines)" != "$before" ]; then
		fail "$1" "the host's lines changed: $(lines | grep -v free | tr '\n' ' ')"
	else
		ok "$1 ($(cat "$err"))"
	fi
}

bad "no such controller: one line, status 1" 1 "no such GPIO controller; this host has gpiochip0 ($ctl)" nochip:0
bad "no such gpiochipN: one line, status 1" 1 "no such GPIO controller" gpiochip7:0
bad "a line out of range: one line, status 1" 1 "line 9 is out of range; /dev/gpiochip0 has 8 lines" "$ctl:0,9"
bad "a line the host's gpio-keys holds: one line, status 1" 1 "line 3 is in use on the host by '" "$ctl:0,1,3"
bad "a line name the controller does not have: one line, status 1" 1 "has no line named 'SW20'" "$ctl:0,SW20"
bad "the same line twice: one line, status 2 (a command-line error)" 2 "line 1 is given twice" "$ctl:1,0,1"

# The whole controller, while gpio-keys holds line 3: refused before the
# binding changes, naming the holder; the PL061 keeps its driver and
# gpio-keys its line.
driver_was=$(amba_driver "$ctl")
"$vmm" run -k /guest/Image -i /guest/initrd.cpio --passthrough "$ctl" </dev/null >"$out" 2>"$err"
status=$?
name="--passthrough $ctl while the host's gpio-keys holds line 3: one line naming the holder, status 1, the PL061 and its lines as they were"
if [ "$status" -eq 1 ] && [ "$(wc -l <"$err")" -eq 1 ] &&
   grep -q "^lkvm-rcar: error: --passthrough $ctl: gpiochip0 line 3 .*is held on the host by '.*'; free it there first" "$err" &&
   [ "$(amba_driver "$ctl")" = "$driver_was" ] && [ -n "$driver_was" ] && [ "$(lines)" = "$before" ]; then
	ok "$name ($(cat "$err"))"
else
	fail "$name" "status $status, driver '$(amba_driver "$ctl")' (was '$driver_was')"
fi

# The host gives the power button up: gpio-keys lets line 3 go.
echo gpio-keys >/sys/bus/platform/drivers/gpio-keys/unbind
if lines | grep -q "^line 3: free"; then
	ok "gpio-keys unbound: line 3 is free for sharing"
else
	fail "gpio-keys unbound: line 3 is free for sharing" "$(lines | grep '^line 3')"
fi
before=$(lines)

# --- the guest drives and counts ---------------------------------------

# start_guest GPIO_ARG PARAMS [MORE VMM ARGS]: a guest in the background;
# its gpio lines go to the console live (the outer harness reacts to
# "ready for N presses"). Its pid is $guest.
start_guest() {
	arg=$1 params=$2
	shift 2
	: >"$out"
	rm -f /tmp/status
	{ "$vmm" run -k /guest/Image -i /guest/initrd.cpio --irqchip "$gic" \
		--gpio "$arg" "$@" --timeout 300 --stats=/tmp/stats.json \
		-p "lkvm.test=gpio lkvm.presses=$presses lkvm.gpiodrv=gpio_virtio $params" \
		</dev/null 2>"$err"
	  echo $? >/tmp/status; } | tee "$out" | grep '^guest: gpio:' &
	guest=$!
}

wait_ready() {
	for i in $(seq 3000); do
		grep -q "^guest: gpio: ready for" "$out" 2>/dev/null && return 0
		[ -e /tmp/status ] && return 1
		sleep 0.1
	done
	return 1
}

# gpio_stat KEY: a figure of the virtio-gpio device in --stats.
gpio_stat() {
	tr -d '\n' </tmp/stats.json | grep -o '"type": "virtio-gpio"[^}]*}[^}]*}' |
		grep -o "\"$1\": [^,} ]*" | head -1 | sed 's/.*: //'
}

# run NAME EDGE INTERRUPTS_PER_PRESS [GUEST NAMES]: one guest, lines 0, 1
# and 3 shared; the button is the guest's line 2.
run() {
	name=$1 edge=$2 per=$3 names=${4:-}
	opt=
	params="lkvm.button=2 lkvm.edge=$edge"
	if [ -n "$names" ]; then
		opt=",names=$(echo "$names" | tr , ';')"
		params="$params lkvm.names=$names"
	fi
	start_guest "$ctl:0,1,3$opt" "$params"
	if ! wait_ready; then
		wait "$guest"
		fail "$name: the guest gets ready for presses" "it did not"
		return
	fi
	held=$(lines)
	used=$(echo "$held" | grep -c "used consumer 'lkvm-rcar'")
	free=$(echo "$held" | grep -c ": free")
	if [ "$used" = 3 ] && [ "$free" = 5 ] &&
	   echo "$held" | grep -q "^line 3: used consumer 'lkvm-rcar'"; then
		ok "$name: while the guest runs, the host sees lines 0, 1, 3 used by lkvm-rcar and five free"
	else
		fail "$name: the host sees lines 0, 1, 3 used by lkvm-rcar and five free" \
			"$(echo "$held" | tr '\n' ' ')"
	fi
	if [ -n "$names" ]; then
		# The outer harness finds "setting output 2 to 1" in QEMU's
		# trace between this run's "ready" and its end.
		if /rig/gpiotool set "$chip" 2 1 >/dev/null; then
			ok "$name: a host program drives line 2 while the guest has 0, 1 and 3"
		else
			fail "$name: a host program drives line 2 while the guest runs" "gpiotool failed"
		fi
	fi
	wait "$guest"
	status=$(cat /tmp/status)
	echo "rig: device released"
	if [ "$status" -eq 0 ]; then
		ok "$name: guest runs and powers off"
	else
		fail "$name: guest runs and powers off" "exit status $status"
	fi
	if grep -q "guest: gpio: gpio_virtio drives .* (3 lines" "$out"; then
		ok "$name: the guest's virtio-gpio driver sees a controller of 3 lines${names:+ named $names}"
	else
		fail "$name: the guest's virtio-gpio driver sees 3 lines" "no probe"
	fi
	if grep -q "guest: gpio: blinked outputs" "$out"; then
		ok "$name: the guest drives its outputs"
	else
		fail "$name: the guest drives its outputs" "no blink"
	fi
	want=$((presses * per))
	got=$(tr -d '\r' <"$out" | sed -n 's/^guest: gpio: \([0-9]*\) button interrupts$/\1/p')
	if [ "$got" = "$want" ]; then
		ok "$name: $presses presses give exactly $want guest interrupts ($edge edges)"
	else
		fail "$name: $presses presses give exactly $want guest interrupts ($edge edges)" "got '${got}'"
	fi
	irqs=$(gpio_stat line_irqs)
	rejected=$(gpio_stat rejected)
	lines_stat=$(tr -d '\n' </tmp/stats.json | grep -o '"lines": \[[0-9, ]*\]')
	if [ "$irqs" = "$want" ] && [ "$rejected" = 0 ] && [ "$lines_stat" = '"lines": [0, 1, 3]' ]; then
		ok "$name: --stats: lines [0, 1, 3], $want line interrupts, no request rejected"
	else
		fail "$name: --stats: lines [0, 1, 3], $want line interrupts, none rejected" \
			"it says $lines_stat, line_irqs '$irqs', rejected '$rejected'"
	fi
	# The loop wakes for the lines' edge events only: at least once, at
	# most once an edge (a read can bring several) and once a line for
	# the reads cancelled at the end.
	wakeups=$(gpio_stat loop_wakeups)
	edges=$(gpio_stat host_edges)
	if [ -n "$wakeups" ] && [ -n "$edges" ] && [ "$wakeups" -ge 1 ] &&
	   [ "$wakeups" -le $((edges + 3)) ]; then
		ok "$name: --stats: $wakeups loop wake-ups for $edges host edges"
	else
		fail "$name: --stats: the loop wakes once or more, at most once an edge and line" \
			"loop_wakeups '$wakeups', host_edges '$edges'"
	fi
	after=$(lines)
	# Line 2 is the host program's: it stays as that left it.
	if [ "$(echo "$after" | grep -v '^line 2:')" = "$(echo "$before" | grep -v '^line 2:')" ]; then
		ok "$name: afterwards every line is free again, as it was (direction too)"
	else
		fail "$name: afterwards every line is free again, as it was" \
			"before: $(echo "$before" | tr '\n' ' ') after: $(echo "$after" | tr '\n' ' ')"
	fi
}

run "rising, named" rising 1 led0,led1,button
run "falling" falling 1
run "both edges" both 2

# --- a VMM killed with its lines lent ------------------------------------

# killed_guest: a guest that made lines 0 and 1 outputs, killed with
# SIGKILL; its output stays off the console, so the outer harness makes
# no press for it. Sets $killed_ok when the VMM died holding the lines
# and they were left as the guest set them.
records=/run/lkvm-rcar
killed_guest() {
	: >"$out"
	"$vmm" run -k /guest/Image -i /guest/initrd.cpio --irqchip "$gic" \
		--gpio "$ctl:0,1,3" --timeout 300 \
		-p "lkvm.test=gpio lkvm.presses=1 lkvm.gpiodrv=gpio_virtio lkvm.button=2 lkvm.edge=rising" \
		</dev/null >"$out" 2>"$err" &
	pid=$!
	for i in $(seq 3000); do
		grep -q "^guest: gpio: ready for" "$out" && break
		sleep 0.1
	done
	ready=$(grep -c "^guest: gpio: ready for" "$out")
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
	# The kernel lets the lines go once the dead VMM's io_uring, which
	# holds reads on them, is torn down: in its own time, after the exit.
	for i in $(seq 100); do
		[ "$(held_by_vmm)" = 0 ] && break
		sleep 0.1
	done
	killed_ok=
	if [ "$ready" = 0 ]; then
		killed_why="the guest never got ready: $(tail -3 "$out" | tr '\n' ' ')"
	elif ! ls "$records/$ctl-0.line" "$records/$ctl-1.line" "$records/$ctl-3.line" >/dev/null 2>&1; then
		killed_why="records missing: $(ls "$records" 2>&1 | tr '\n' ' ')"
	elif [ "$(held_by_vmm)" != 0 ]; then
		killed_why="$(held_by_vmm) lines still held"
	elif ! lines | grep -q "^line 0: free consumer '' output"; then
		killed_why="line 0 is not a free output: $(lines | grep '^line 0')"
	else
		killed_ok=1
	fi
}
# Line 2 is the host program's since the first run: left out.
as_before() { [ "$(lines | grep -v '^line 2:')" = "$(echo "$before" | grep -v '^line 2:')" ]; }
put_back() { grep -c "put back as it was before lkvm-rcar pid" "$err"; }

killed_guest
if [ -n "$killed_ok" ]; then
	ok "SIGKILL: the lines are freed but left as the guest set them (0 an output), one record each in $records"
else
	fail "SIGKILL: the lines left as the guest set them, recorded" "$killed_why"
fi
"$vmm" release "$ctl" >"$out" 2>"$err"
status=$?
if [ "$status" -eq 0 ] && [ "$(put_back)" = 3 ] && as_before &&
   ! ls "$records/$ctl-"*.line >/dev/null 2>&1; then
	ok "lkvm-rcar release $ctl: status 0, the three lines put back as the host had them, no record left"
else
	fail "lkvm-rcar release $ctl puts the three lines back" \
		"status $status, $(put_back) put back; $(lines | tr '\n' ' '); records: $(ls "$records" 2>&1 | tr '\n' ' ')"
fi

# Killed again: this time the next run puts its lines back as it starts;
# the one it does not take stays recorded for release.
killed_guest
"$vmm" run -k /guest/Image -i /guest/initrd.cpio --irqchip "$gic" --gpio "$ctl:0,1" \
	-p lkvm.test=poweroff </dev/null >"$out" 2>"$err"
status=$?
restored=$(put_back)
if [ -n "$killed_ok" ] && [ "$status" -eq 0 ] && [ "$restored" = 2 ] &&
   [ -e "$records/$ctl-3.line" ] && ! [ -e "$records/$ctl-0.line" ] &&
   "$vmm" release "$ctl" >/dev/null 2>&1 && as_before &&
   ! ls "$records/$ctl-"*.line >/dev/null 2>&1; then
	ok "SIGKILL, then a run with lines 0 and 1: it puts them back as it starts, release puts back line 3"
else
	fail "a run after SIGKILL puts its lines back as it starts" \
		"killed: ${killed_ok:-$killed_why}; status $status, $restored put back; $(lines | tr '\n' ' ')"
fi
if /rig/gpiotool set "$chip" 0 1 >/dev/null && /rig/gpiotool set "$chip" 0 0 >/dev/null &&
   lines | grep -q "^line 0: free consumer '' output"; then
	ok "after a killed VMM and its release, a host program drives line 0 as before"
else
	fail "after the release, a host program drives line 0" "$(lines | grep '^line 0')"
fi
# The host program gives line 0 back as an input, as the rig's host had
# it: the flood below asks for its edge interrupt.
if /rig/gpiotool get "$chip" 0 >/dev/null && as_before; then
	ok "after the release, a host program takes line 0 back as an input"
else
	fail "a host program takes line 0 back as an input" "$(lines | grep '^line 0')"
fi

# --- both ways at once ---------------------------------------------------

# The RTC passed through, the GPIO lines shared, on one command line.
rtc=9010000.pl031
rtc_driver=$(amba_driver $rtc)
presses=1
start_guest "$ctl:0,1,3" "lkvm.button=2 lkvm.edge=rising" --passthrough "$rtc"
wait_ready || true
wait "$guest"
status=$(cat /tmp/status)
echo "rig: device released"
got=$(tr -d '\r' <"$out" | sed -n 's/^guest: gpio: \([0-9]*\) button interrupts$/\1/p')
if [ "$status" -eq 0 ] && [ "$got" = 1 ]; then
	ok "--passthrough $rtc with --gpio $ctl:0,1,3: the guest runs, 1 press gives 1 interrupt"
else
	fail "--passthrough and --gpio at once: the guest runs, 1 press gives 1 interrupt" \
		"status $status, interrupts '$got'"
fi
if tr -d '\n' </tmp/stats.json | grep -q "\"type\": \"vfio-platform\"[^}]*\"$rtc\"" &&
   grep -q '"type": "virtio-gpio"' /tmp/stats.json; then
	ok "--passthrough and --gpio at once: --stats lists the passed-through RTC and the virtio-gpio device"
else
	fail "--passthrough and --gpio at once: --stats lists both devices" "see /tmp/stats.json"
fi
# For the outer machine, which checks it against docs/stats.schema.json.
echo "stats-begin"
cat /tmp/stats.json
echo "stats-end"
if [ "$(amba_driver $rtc)" = "$rtc_driver" ] && [ "$(held_by_vmm)" = 0 ]; then
	ok "--passthrough and --gpio at once: the RTC is back with '$rtc_driver', no line held"
else
	fail "--passthrough and --gpio at once: the RTC back, no line held" \
		"RTC bound to '$(amba_driver $rtc)', $(held_by_vmm) lines held"
fi

# --- a guest that floods a queue --------------------------------------------

# The guest (guest/vq-flood.c) takes the virtio-gpio device from its own
# driver and floods its requestq from one vCPU, keeping the available
# ring a whole queue ahead, while its other vCPU writes QueueNotify, a
# trapped write: the vCPU thread serving it always finds more. The VMM
# must still stop within a second and give the lines back: SIGTERM once
# the flood runs (status 6), and --timeout during it (status 5). vmmtime
# sends the signal when the guest says it is flooding, and kills a VMM
# still running 90 s after its launch: a hang fails the case instead of
# stalling the suite.
# Long enough for the slowest cell's guest (nVHE, 2 vCPUs) to boot and
# start flooding well before the deadline (it took 19.8 s once).
flood_timeout=40
flood_mark="guest: vq-flood: flooding"

# flood_json KEY: the number after "KEY": in vmmtime's JSON, the last line.
flood_json() { tail -1 "$out" | sed -n "s/.*\"$1\": \([0-9.]*\).*/\1/p"; }

# flood sigterm|timeout
flood() {
	how=$1
	lines_before=$(lines)
	: >"$out"
	rm -f /tmp/stats.json
	if [ "$how" = sigterm ]; then
		name="SIGTERM to a guest flooding its requestq"
		want=6 said="lkvm-rcar: Terminated: stopping the guest"
		kill_opt="-k 15" vmm_opt=
	else
		name="--timeout $flood_timeout with a guest flooding its requestq"
		want=5 said="lkvm-rcar: --timeout: $flood_timeout s passed; stopping the guest"
		kill_opt= vmm_opt="--timeout $flood_timeout"
	fi
	/rig/vmmtime -m "$flood_mark" $kill_opt -e "guest:" -t 90 -- \
		"$vmm" run -k /guest/Image -i /guest/initrd.cpio --irqchip "$gic" -c 2 \
		--gpio "$ctl:0,1,3" --stats=/tmp/stats.json $vmm_opt \
		-p "lkvm.test=vq-flood" </dev/null >"$out" 2>"$err"
	status=$(flood_json status)
	wall=$(flood_json wall_ms)
	began=$(tail -1 "$out" | sed -n "s/.*\"$flood_mark\": { \"ms\": \([0-9.]*\).*/\1/p")
	if [ "$how" = sigterm ]; then
		from=$(flood_json signalled_ms)
		since="SIGTERM"
	else
		# --timeout's clock starts as the vCPUs are started: the
		# deadline is the launch, plus the start-up --stats gives
		# (main() to the first KVM_RUN), plus the timeout, a few ms off
		# either way (the exec before main(), the vCPU threads' start).
		startup=$(sed -n 's/.*"startup": { "wall_ms": \([0-9.]*\).*/\1/p' /tmp/stats.json 2>/dev/null)
		from=$(awk -v s="${startup:-0}" -v t="$flood_timeout" 'BEGIN { print s + t * 1000 }')
		since="the deadline (start-up ${startup:-?} ms)"
	fi
	took=$(awk -v w="${wall:-0}" -v f="${from:-0}" 'BEGIN { printf "%d", w - f }')
	if [ -z "$began" ]; then
		fail "$name: the VMM stops within 1 s, status $want" \
			"the guest never said it was flooding (status '$status')"
	elif [ "$how" = timeout ] &&
	     ! awk -v b="$began" -v d="$from" 'BEGIN { exit !(b < d - 1000) }'; then
		fail "$name: the VMM stops within 1 s, status $want" \
			"the flood began at $began ms, not a second before the deadline"
	elif [ "$status" = "$want" ] && [ -n "$from" ] && [ "$took" -lt 1000 ]; then
		ok "$name: the VMM stops $took ms after $since, status $want"
	else
		fail "$name: the VMM stops within 1 s, status $want" \
			"status '$status' $took ms after $since (137: killed 90 s after the launch)"
	fi

	# The flood was real: the guest saw its requests answered, the VMM
	# answered more after that, and said nothing but that it stopped.
	early=$(sed -n 's/^guest: vq-flood: flooding .*, \([0-9]*\) requests answered$/\1/p' "$out")
	requests=$(gpio_stat requests 2>/dev/null)
	if [ -n "$early" ] && [ "${requests:-0}" -gt "$early" ] && [ "$(cat "$err")" = "$said" ]; then
		ok "$name: $requests requests answered ($early when the guest said it was flooding), the VMM said only that it stopped"
	else
		fail "$name: the flood runs and the VMM says only that it stopped" \
			"the guest saw '$early' answered, --stats says '$requests'"
	fi

	lines_after=$(lines)
	if [ "$lines_after" = "$lines_before" ] && [ "$(held_by_vmm)" = 0 ]; then
		ok "$name: afterwards every line is as it was, none held"
	else
		fail "$name: afterwards every line is as it was, none held" \
			"before: $(echo "$lines_before" | tr '\n' ' ') after: $(echo "$lines_after" | tr '\n' ' ')"
	fi
}

flood sigterm
flood timeout
