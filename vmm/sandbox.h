/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VMM's seccomp sandbox. Once the VM is set up and its threads run,
 * every thread is limited to the system calls running and tearing down
 * the VM needs (opening files is kept for the host binding's restore and
 * --stats; creating sockets, processes or new mappings of files is not).
 * A forbidden call ends the VMM: SIGSYS, one line naming the call, exit
 * status 1; a device it held is given back by `lkvm-rcar release` or the
 * next run (see devices/vfio-bind.h).
 */
#ifndef LKVM_VMM_SANDBOX_H
#define LKVM_VMM_SANDBOX_H

/*
 * Confine every thread of the process. Returns 0, or -errno after one
 * line. With the environment variable LKVM_RCAR_SANDBOX_SELFTEST set, the
 * calling thread then makes a forbidden call (socket()), for the tests.
 */
int sandbox_enter(void);

#endif
