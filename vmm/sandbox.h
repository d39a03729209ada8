/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VMM's seccomp sandbox. Once the VM is set up, each thread limits
 * itself to the system calls its role needs for running and tearing down
 * the VM: vCPU threads to KVM, VFIO and the devices' trapped accesses,
 * the event loop thread to those and files (the host binding's restore,
 * --stats). Creating sockets or processes, mapping anything executable
 * or signalling other processes is forbidden to both. A forbidden call
 * ends the VMM: SIGSYS, one line naming the call, exit status 1; a
 * device it held is given back by `lkvm-rcar release` or the next run
 * (see devices/vfio/bind.h).
 */
#ifndef LKVM_VMM_SANDBOX_H
#define LKVM_VMM_SANDBOX_H

enum sandbox_role {
	SANDBOX_VCPU,
	SANDBOX_LOOP,
};

/* sandbox_enter(): the self-test's forbidden call was let through. */
#define SANDBOX_SELFTEST_PASSED	1

/*
 * Before any thread enters the sandbox: resolve the names of system calls
 * and install the SIGSYS handler that prints them. Returns 0, or -errno
 * after one line.
 */
int sandbox_prepare(void);

/*
 * Confine the calling thread to @role. Returns 0 or -errno, printing
 * nothing (see sandbox_report()). With the environment variable
 * LKVM_RCAR_SANDBOX_SELFTEST set to "vcpu" or "loop", a thread of that
 * role then makes a call it may not (opening a file; creating a socket),
 * for the tests: SANDBOX_SELFTEST_PASSED if it got through. "tty-ioctl"
 * makes the loop try an ioctl outside its list.
 */
int sandbox_enter(enum sandbox_role role);

/*
 * Let every role make the ioctls of @type (their number's type byte:
 * 0xB4 for GPIO) on @fd, and on no other fd: for a device's own fds,
 * before any thread enters the sandbox. Returns 0, or -ENOSPC when the
 * table (256 fds) is full.
 */
int sandbox_allow_fd_ioctls(int fd, unsigned int type);

/* One line on what went wrong for sandbox_enter()'s result @ret. */
void sandbox_report(int ret);

#endif
