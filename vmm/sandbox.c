// SPDX-License-Identifier: GPL-2.0
/*
 * seccomp sandbox (libseccomp). One filter for every thread, synchronised
 * across them (TSYNC), loaded after the vCPU threads started: from then on
 * the VMM runs the guest, serves its devices and tears the VM down, and
 * that is all the list below allows. ioctl() stays open by number: KVM
 * and VFIO are all ioctls, on fds opened before the filter.
 */
#include "vmm/sandbox.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <seccomp.h>

#include "vmm/log.h"
#include "vmm/vm.h"

static const char *const allowed[] = {
	/* the guest, its devices and the event loop */
	"ioctl", "read", "write", "readv", "writev", "pread64", "pwrite64",
	"io_uring_enter", "futex", "sched_yield",
	/* vCPU kicks and stop signals */
	"tgkill", "tkill", "getpid", "gettid", "rt_sigreturn", "rt_sigprocmask",
	"restart_syscall",
	/* time, --timeout, --stats, the console's interrupt timer */
	"timerfd_settime", "clock_gettime", "clock_nanosleep", "nanosleep", "getrusage", "mincore",
	/* memory (mmap and mprotect without PROT_EXEC, below) */
	"brk", "munmap", "madvise", "mremap", "getrandom",
	/* files: --stats, the binding's restore in sysfs and its record */
	"openat", "close", "fstat", "newfstatat", "statx", "lseek", "fcntl",
	"readlinkat", "unlinkat", "fsync",
	/* threads and the process ending (glibc unregisters rseq at exit) */
	"exit", "exit_group", "rseq",
	/* glibc's malloc sizes a new arena by the CPUs it may run on */
	"sched_getaffinity",
};

/* Names of system calls by number, resolved before the filter is loaded. */
#define MAX_SYSCALL_NR	512
static const char *syscall_names[MAX_SYSCALL_NR];

static void put_str(const char *s)
{
	if (write(STDERR_FILENO, s, strlen(s)) < 0)
		return;
}

/* Async-signal-safe: write(), _exit() and the table above only. */
static void on_sigsys(int sig, siginfo_t *si, void *ctx)
{
	char num[16];
	int nr = si->si_syscall, i = sizeof(num) - 1;
	unsigned int n = nr < 0 ? 0 : nr;

	(void)sig;
	(void)ctx;
	num[i] = '\0';
	do {
		num[--i] = '0' + n % 10;
		n /= 10;
	} while (n && i > 0);
	put_str("lkvm-rcar: the sandbox stopped system call ");
	put_str(nr >= 0 && nr < MAX_SYSCALL_NR && syscall_names[nr] ?
		syscall_names[nr] : "?");
	put_str(" (");
	put_str(num + i);
	put_str("); this is a bug to report; --sandbox=off runs without the sandbox\n");
	_exit(VM_EXIT_ERROR);
}

static void resolve_names(void)
{
	int nr;

	for (nr = 0; nr < MAX_SYSCALL_NR; nr++)
		if (!syscall_names[nr])
			syscall_names[nr] = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
}

static int add_rules(scmp_filter_ctx ctx)
{
	unsigned int i;
	int nr, ret;

	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		nr = seccomp_syscall_resolve_name(allowed[i]);
		if (nr == __NR_SCMP_ERROR)
			continue;	/* not on this architecture */
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		if (ret)
			return ret;
	}
	/* New memory, never executable: there is no code to load after set-up. */
	ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
			       SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	if (!ret)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
				       SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	return ret;
}

int sandbox_enter(void)
{
	struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };
	scmp_filter_ctx ctx;
	int ret;

	resolve_names();
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL)) {
		ret = -errno;
		pr_err("sandbox: SIGSYS handler: %s", strerror(errno));
		return ret;
	}
	ctx = seccomp_init(SCMP_ACT_TRAP);
	if (!ctx) {
		pr_err("sandbox: libseccomp could not start a filter");
		return -ENOMEM;
	}
	ret = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (!ret)
		ret = add_rules(ctx);
	if (!ret)
		ret = seccomp_load(ctx);	/* sets no_new_privs first */
	seccomp_release(ctx);
	if (ret) {
		pr_err("sandbox: loading the seccomp filter: %s; the host kernel needs CONFIG_SECCOMP_FILTER, or run with --sandbox=off",
		       strerror(-ret));
		return ret;
	}
	pr_debug("sandbox: seccomp filter loaded on every thread");
	if (getenv("LKVM_RCAR_SANDBOX_SELFTEST")) {
		ret = socket(AF_UNIX, SOCK_STREAM, 0);
		/* Only reached if the filter let it through. */
		if (ret >= 0)
			close(ret);
		pr_err("sandbox self-test: socket() was allowed");
		return -EPERM;
	}
	return 0;
}
