/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running a fully set-up VM: vCPU threads, the event loop, signals and
 * --timeout, until something stops the guest.
 */
#ifndef LKVM_VMM_RUN_H
#define LKVM_VMM_RUN_H

struct vm;

/*
 * Block the signals the event loop will take over (SIGINT, SIGTERM,
 * SIGHUP), so that every thread created afterwards inherits the mask.
 * Returns 0 or -errno.
 */
int run_block_signals(void);

/*
 * Run @vm until the guest powers off, resets or panics, a signal or
 * --timeout stops it, or something fails. Returns the exit status
 * (enum vm_exit).
 */
int vm_run(struct vm *vm);

#endif
