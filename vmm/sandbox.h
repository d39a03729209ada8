/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VMM's seccomp sandbox. Once the VM is set up, each thread limits
 * itself to the system calls its role needs for running and tearing down
 * the VM: vCPU threads to KVM, VFIO and the devices' trapped accesses,
 * the event loop thread to those, reading files, and writing the files
 * opened before for the host binding's restore and --stats. KVM and VFIO
 * ioctls, and writes, go only to the fds registered for them, and the
 * loop unlinks in the records' folder only.
 * Creating sockets or processes, mapping anything executable
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
	SANDBOX_NR_ROLES
};

/* Roles as a mask, for sandbox_allow_fd(). */
#define SANDBOX_ROLE(role)	(1u << (role))
#define SANDBOX_EVERY_ROLE	(SANDBOX_ROLE(SANDBOX_VCPU) | SANDBOX_ROLE(SANDBOX_LOOP))

/* The calls sandbox_allow_fd() pins to an fd. */
#define SANDBOX_FD_UNLINK	(1u << 0)	/* unlinkat() in this folder */
#define SANDBOX_FD_WRITE	(1u << 1)	/* write(), writev() */
#define SANDBOX_FD_REGS		(1u << 2)	/* pread64(), pwrite64(): registers */
#define SANDBOX_FD_PWRITEV	(1u << 3)	/* pwritev(): a disk image */

/* sandbox_enter(): the self-test's forbidden call was let through. */
#define SANDBOX_SELFTEST_PASSED	1

/*
 * Once every fd is registered and before any thread enters the sandbox:
 * compile the vCPU threads' filter and install the SIGSYS handler that
 * names a stopped call. Returns 0, or -errno after one line (-ENOSPC:
 * more fds registered than the table holds; -E2BIG: a filter longer
 * than seccomp takes).
 */
int sandbox_prepare(void);

/*
 * Confine the calling thread to @role: a vCPU thread with the filter
 * sandbox_prepare() compiled (one system call, nothing allocated), the
 * loop thread with its own, compiled here. Returns 0 or -errno,
 * printing nothing (see sandbox_report()). With the environment variable
 * LKVM_RCAR_SANDBOX_SELFTEST set, a thread of the role it names then
 * makes a call it may not, for the tests: SANDBOX_SELFTEST_PASSED if it
 * got through. "vcpu": a vCPU opens a file; "loop": the loop creates a
 * socket; "tty-ioctl": the loop tries TIOCSTI on stderr; "kvm-ioctl":
 * the loop opens /dev/kvm (read-only, as it may) and tries KVM_CREATE_VM
 * on it; "open-rw": the loop opens /proc/self/mem to write; "unlink": the
 * loop unlinks a path that is not in the records' folder; "write": the
 * loop writes into stdin, which it holds but does not write.
 */
int sandbox_enter(enum sandbox_role role);

/*
 * Let every role make the ioctls of @type (their number's type byte:
 * KVMIO, VFIO_TYPE, 0xB4 for GPIO) on @fd, and on no other fd. Call
 * where the fd is opened, before any thread enters the sandbox, for an
 * fd that stays open until the teardown: the filter pins the number.
 * @fd < 0 is ignored. A table that is full makes sandbox_enter() fail
 * with -ENOSPC.
 */
void sandbox_allow_fd_ioctls(int fd, unsigned int type);

/*
 * Let the roles in @roles (SANDBOX_ROLE() bits) make the @calls
 * (SANDBOX_FD_* bits) on @fd, which they may make on no other fd, as
 * sandbox_allow_fd_ioctls() does for ioctls; every role may write to
 * stderr without it. SANDBOX_FD_UNLINK pins
 * unlinkat()'s folder fd, not the name: seccomp cannot read a path, so
 * an absolute name or one with ".." still reaches elsewhere; it stops
 * every unlink by path.
 */
void sandbox_allow_fd(int fd, unsigned int calls, unsigned int roles);

/* One line on what went wrong for sandbox_enter()'s result @ret. */
void sandbox_report(int ret);

#endif
