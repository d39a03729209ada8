# SPDX-License-Identifier: GPL-2.0
#
# The board's power button, pressed from outside: QEMU's system_powerdown
# pulses line 3 of the PL061 (with acpi=off). Sourced by the harnesses;
# safe under set -e.

# press_button SOCK: one press through the QEMU monitor on SOCK.
press_button() {
	printf 'system_powerdown\n' | socat - "UNIX-CONNECT:$1" >/dev/null 2>&1
}

# press_when_ready LOG SOCK TRACE PID [SAY]: while PID runs, each time LOG
# shows "ready for N presses", note the TRACE line count in TRACE.marks and
# press N times; each time it shows "rig: device released", note the count
# in TRACE.ends. With SAY set, tell the user about each press.
press_when_ready() {
	_log=$1 _sock=$2 _trace=$3 _pid=$4 _say=${5:-}
	_handled=0
	_ended=0
	: >"$_trace.marks"
	: >"$_trace.ends"
	while kill -0 "$_pid" 2>/dev/null; do
		_released=$(grep -c "^rig: device released" "$_log" 2>/dev/null || true)
		if [ "${_released:-0}" -gt "$_ended" ]; then
			_ended=$((_ended + 1))
			wc -l <"$_trace" >>"$_trace.ends"
		fi
		_ready=$(grep -c "ready for [0-9]* presses" "$_log" 2>/dev/null || true)
		if [ "${_ready:-0}" -gt "$_handled" ]; then
			_handled=$((_handled + 1))
			wc -l <"$_trace" >>"$_trace.marks"
			_n=$(grep -o "ready for [0-9]* presses" "$_log" |
				sed -n "${_handled}p" | tr -dc 0-9)
			for _i in $(seq "$_n"); do
				sleep "${PRESS_GAP:-0.4}"
				if [ -n "$_say" ]; then
					echo "board: pressing the power button ($_i of $_n)"
				fi
				press_button "$_sock"
			done
		fi
		sleep 0.2
	done
}
