# SPDX-License-Identifier: GPL-2.0
#
# The board's power button, pressed from outside: QEMU's system_powerdown
# pulses line 3 of the PL061 (with acpi=off). Sourced by the harnesses;
# safe under set -e.

# press_button SOCK: one press through the QEMU monitor on SOCK.
press_button() {
	printf 'system_powerdown\n' | socat - "UNIX-CONNECT:$1" >/dev/null 2>&1
}

# await_arrival LOG BEFORE PID: wait until LOG has more than BEFORE
# "button interrupt N arrived" lines, for at most PRESS_WAIT seconds
# (default 30) or while PID runs. Pressing again before the guest saw the
# last press could merge the two: QEMU holds the line high for 100 ms of
# its own time, which a loaded machine can stretch past the gap between
# two presses. A press that never arrives still shows in the count.
await_arrival() {
	_tries=$(( ${PRESS_WAIT:-30} * 10 ))
	while [ "$_tries" -gt 0 ] && kill -0 "$3" 2>/dev/null; do
		_now=$(grep -c "^guest: gpio: button interrupt [0-9]* arrived" "$1" 2>/dev/null || true)
		[ "${_now:-0}" -gt "$2" ] && return 0
		sleep 0.1
		_tries=$((_tries - 1))
	done
	return 1
}

# press_when_ready LOG SOCK TRACE PID [SAY]: while PID runs, each time LOG
# starts a line with "guest: gpio: ready for N presses" (not a quote of it
# in a failed case's report), note the TRACE line count in TRACE.marks and
# press N times; each time it shows "rig: device released", note the count
# in TRACE.ends. With SAY set, tell the user about each press.
press_when_ready() {
	_log=$1 _sock=$2 _trace=$3 _pid=$4 _say=${5:-}
	_handled=0
	_ended=0
	: >"$_trace.marks"
	: >"$_trace.ends"
	# One more pass once PID has ended: a release just before the end
	# (the host powers off right after it) must still be noted.
	_alive=1
	while [ "$_alive" = 1 ]; do
		kill -0 "$_pid" 2>/dev/null || _alive=0
		_released=$(grep -c "^rig: device released" "$_log" 2>/dev/null || true)
		while [ "${_released:-0}" -gt "$_ended" ]; do
			_ended=$((_ended + 1))
			wc -l <"$_trace" >>"$_trace.ends"
		done
		[ "$_alive" = 1 ] || break
		_ready=$(grep -c "^guest: gpio: ready for [0-9]* presses" "$_log" 2>/dev/null || true)
		if [ "${_ready:-0}" -gt "$_handled" ]; then
			_handled=$((_handled + 1))
			wc -l <"$_trace" >>"$_trace.marks"
			_n=$(grep -o "^guest: gpio: ready for [0-9]* presses" "$_log" |
				sed -n "${_handled}p" | tr -dc 0-9)
			for _i in $(seq "$_n"); do
				sleep "${PRESS_GAP:-0.4}"
				if [ -n "$_say" ]; then
					echo "board: pressing the power button ($_i of $_n)"
				fi
				_arrived=$(grep -c "^guest: gpio: button interrupt [0-9]* arrived" "$_log" 2>/dev/null || true)
				press_button "$_sock"
				await_arrival "$_log" "$_arrived" "$_pid"
			done
		fi
		sleep 0.2
	done
}
