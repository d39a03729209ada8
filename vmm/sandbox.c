// SPDX-License-Identifier: GPL-2.0
/*
 * seccomp sandbox, one filter per thread role, each compiled once
 * (vmm/seccomp-bpf.c): the vCPU threads' before they start, the event loop's
 * while they make their first entry. Each vCPU thread confines itself
 * before its first KVM_RUN, the event loop thread once every vCPU thread
 * runs; the process has no other threads (io_uring
 * workers run only kernel code). The vCPU threads, which handle what the
 * guest writes into device registers, get the shortest list: KVM and
 * VFIO ioctls, the console's writes, the trapped device accesses. What
 * the loop writes at exit is open before: the --stats file, the sysfs
 * attributes of the binding's restore and the records' folder.
 *
 * Calls that take an fd are pinned to the fds registered for them where
 * they are opened: ioctl() by request type (KVM's on the fds opened from
 * /dev/kvm, VFIO's on the container, group and device fds, GPIO's on
 * virtio-gpio's line requests), write() and writev() (stderr, eventfds,
 * the console's output, the --stats file, the sysfs attributes),
 * pread64() and pwrite64() (the VFIO devices), pwritev() (a disk image
 * on tmpfs, which the loop writes itself), unlinkat() (the records'
 * folder). Beside those, the loop may make the terminal-attribute ioctls
 * that put the terminal back, and open files to read them only. So
 * neither TIOCSTI on the user's terminal, nor a KVM or VFIO ioctl on an
 * fd the VMM did not open for it, nor opening /proc/self/mem to write.
 * No role may create sockets or processes, map anything executable, or
 * signal another process; a vCPU thread maps no file. docs/security.md
 * has the table, and what seccomp cannot pin.
 */
#include "vmm/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/kvm.h>
#include <linux/seccomp.h>

#include "vmm/log.h"
#include "vmm/seccomp-bpf.h"
#include "vmm/vm.h"

#ifdef __aarch64__
#define SANDBOX_ARCH	AUDIT_ARCH_AARCH64
#else
#error "the sandbox's filters are written for arm64's system calls"
#endif

/*
 * Every thread: locks, signals, time, memory, exiting. Writing has rules
 * of its own (allow_fds()): stderr and the registered fds.
 */
static const int common_calls[] = {
	__NR_futex, __NR_sched_yield, __NR_rt_sigreturn, __NR_rt_sigprocmask,
	__NR_restart_syscall, __NR_getpid, __NR_gettid, __NR_clock_gettime,
	__NR_getrusage, __NR_brk, __NR_munmap, __NR_madvise, __NR_mremap,
	__NR_getrandom,
	/* glibc's malloc sizes a new arena by the CPUs it may run on */
	__NR_sched_getaffinity,
	/* threads and the process ending (glibc unregisters rseq at exit) */
	__NR_exit, __NR_exit_group, __NR_rseq,
};

/*
 * vCPU threads: the guest, and the device accesses it traps (pread64 and
 * pwrite64 on a VFIO device, the console's writev: registered fds).
 */
static const int vcpu_calls[] = {
	__NR_timerfd_settime,
};

/* A vCPU's mmap(): anonymous memory (malloc's), never executable. */
static const struct seccomp_rule vcpu_mmap_rule = {
	.nr = __NR_mmap,
	.nr_tests = 2,
	.tests = {
		{ 2, PROT_EXEC, 0 },
		{ 3, MAP_ANONYMOUS, MAP_ANONYMOUS },
	},
};

/*
 * The event loop thread: the ring, the devices' loop work, teardown.
 * openat(), unlinkat() and writing have rules of their own.
 */
static const int loop_calls[] = {
	__NR_io_uring_enter, __NR_read, __NR_readv, __NR_timerfd_settime,
	__NR_clock_nanosleep, __NR_nanosleep, __NR_mincore,
	/* files: reading (/proc/interrupts for --stats), the binding's restore */
	__NR_close, __NR_fstat, __NR_newfstatat, __NR_statx, __NR_lseek,
	__NR_fcntl, __NR_readlinkat, __NR_fsync,
};

/*
 * The open flags that write, or make or change a file: the loop may
 * open a file with none of them, that is to read it, and nothing else.
 * (O_TMPFILE without O_DIRECTORY, which opendir() uses.)
 */
#define OPEN_WRITE_FLAGS	(O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND | \
				 (O_TMPFILE & ~O_DIRECTORY))

/* An ioctl's type: the byte of its number that names the interface. */
#define IOCTL_TYPE_MASK		0xff00ull

/* The loop's terminal restore (tcsetattr), and nothing else of the tty's. */
static const unsigned long loop_tty_ioctls[] = { TCGETS, TCSETS, TCSETSW, TCSETSF };

/* With the SANDBOX_FD_* bits: the ioctls of a type (fd_rule.type). */
#define FD_IOCTL	(1u << 16)

/*
 * The fds the calls that name one are pinned to, as registered before
 * any thread enters the sandbox: which calls, by which roles. The most a
 * command line can ask for (64 vCPUs, 4 x 64 GPIO lines and 10 VFIO
 * devices: 414 fds) fits, and so does the filter it makes, in the 4096
 * BPF instructions seccomp takes. A registration that does
 * not fit makes sandbox_enter() fail, so a caller need not check.
 */
#define MAX_FD_RULES	512
static struct fd_rule {
	int fd;
	unsigned int calls;	/* SANDBOX_FD_*, FD_IOCTL */
	unsigned int type;	/* FD_IOCTL: the ioctl type */
	unsigned int roles;	/* SANDBOX_ROLE() bits */
} fd_rules[MAX_FD_RULES];
static unsigned int nr_fd_rules;
static bool fd_rules_full;

/*
 * Names of system calls by number, for the SIGSYS line: the kernel's own
 * list (asm-generic/unistd.h, arm64's), read once more with __SYSCALL
 * making table entries, as the kernel builds its system call table.
 * Nothing to resolve at start-up, nothing resident until it is needed.
 */
#define MAX_SYSCALL_NR	512
#undef __SYSCALL
#define __SYSCALL(nr, sym)	[nr] = #sym,
static const char *const syscall_names[MAX_SYSCALL_NR] = {
#include <asm-generic/unistd.h>
};
#undef __SYSCALL

/*
 * Each role's filter, compiled once, so that a vCPU thread confines
 * itself with one system call: no allocation and no filter compiled per
 * vCPU thread.
 */
#define MAX_BPF_INSNS	SECCOMP_BPF_MAX_INSNS
static struct role_filter {
	struct sock_filter insns[MAX_BPF_INSNS];
	unsigned short len;
} filters[SANDBOX_NR_ROLES];

/* The rules of the filter being compiled. */
static struct seccomp_rule rules[SECCOMP_BPF_MAX_RULES];
static unsigned int nr_rules;

static void put_str(const char *s)
{
	if (write(STDERR_FILENO, s, strlen(s)) < 0)
		return;
}

/* The kernel's "sys_openat" as "openat"; async-signal-safe. */
static const char *syscall_name(int nr)
{
	const char *name = nr >= 0 && nr < MAX_SYSCALL_NR ? syscall_names[nr] : NULL;

	if (!name)
		return "?";
	return strncmp(name, "sys_", 4) ? name : name + 4;
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
	put_str(syscall_name(nr));
	put_str(" (");
	put_str(num + i);
	put_str("); this is a bug to report; --sandbox=off runs without the sandbox\n");
	_exit(VM_EXIT_ERROR);
}

static int add(struct seccomp_rule rule)
{
	if (nr_rules == SECCOMP_BPF_MAX_RULES)
		return -E2BIG;
	rules[nr_rules++] = rule;
	return 0;
}

static int allow(const int *calls, unsigned int n)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; !ret && i < n; i++)
		ret = add(SECCOMP_ALLOW(calls[i]));
	return ret;
}

#define COUNT(list) (sizeof(list) / sizeof(list[0]))
#define ALLOW(list) allow(list, COUNT(list))

static void add_fd_rule(int fd, unsigned int calls, unsigned int type,
			unsigned int roles)
{
	if (fd < 0)
		return;
	if (nr_fd_rules == MAX_FD_RULES) {
		fd_rules_full = true;
		return;
	}
	fd_rules[nr_fd_rules++] = (struct fd_rule) {
		.fd = fd, .calls = calls, .type = type, .roles = roles,
	};
}

void sandbox_allow_fd_ioctls(int fd, unsigned int type)
{
	add_fd_rule(fd, FD_IOCTL, type, SANDBOX_EVERY_ROLE);
}

void sandbox_allow_fd(int fd, unsigned int calls, unsigned int roles)
{
	add_fd_rule(fd, calls, 0, roles);
}

static int allow_writes(int fd)
{
	int ret = add(SECCOMP_ALLOW_U32(__NR_write, 0, fd));

	return ret ? ret : add(SECCOMP_ALLOW_U32(__NR_writev, 0, fd));
}

/* ioctl() on @fd, of the requests of one @type (their number's type byte). */
static int allow_ioctl_type(int fd, unsigned int type)
{
	return add((struct seccomp_rule) { .nr = __NR_ioctl, .nr_tests = 2, .tests = {
		{ 0, UINT32_MAX, (uint32_t)fd },
		{ 1, IOCTL_TYPE_MASK, (uint64_t)type << 8 },
	} });
}

/* What @role may do with each registered fd. */
static int allow_fds(enum sandbox_role role)
{
	const struct fd_rule *r;
	unsigned int i;
	int ret = 0;

	for (i = 0; !ret && i < nr_fd_rules; i++) {
		r = &fd_rules[i];
		if (!(r->roles & SANDBOX_ROLE(role)))
			continue;
		if (r->calls & FD_IOCTL)
			ret = allow_ioctl_type(r->fd, r->type);
		if (!ret && (r->calls & SANDBOX_FD_WRITE))
			ret = allow_writes(r->fd);
		if (!ret && (r->calls & SANDBOX_FD_REGS))
			ret = add(SECCOMP_ALLOW_U32(__NR_pread64, 0, r->fd));
		if (!ret && (r->calls & SANDBOX_FD_REGS))
			ret = add(SECCOMP_ALLOW_U32(__NR_pwrite64, 0, r->fd));
		if (!ret && (r->calls & SANDBOX_FD_PWRITEV))
			ret = add(SECCOMP_ALLOW_U32(__NR_pwritev, 0, r->fd));
		if (!ret && (r->calls & SANDBOX_FD_UNLINK))
			ret = add(SECCOMP_ALLOW_U32(__NR_unlinkat, 0, r->fd));
	}
	/* Every role: the log, and the line on_sigsys() prints. */
	if (!ret)
		ret = allow_writes(STDERR_FILENO);
	return ret;
}

/* The loop's terminal restore, on any fd. */
static int allow_tty_ioctls(void)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; !ret && i < COUNT(loop_tty_ioctls); i++)
		ret = add(SECCOMP_ALLOW_U32(__NR_ioctl, 1, loop_tty_ioctls[i]));
	return ret;
}

/*
 * The filter tests the calls in the order their first rule comes here:
 * each role's busiest first (the loop's io_uring_enter, then the calls
 * on registered fds, KVM_RUN among them), seldom ones last.
 */
static int add_rules(enum sandbox_role role)
{
	int ret = role == SANDBOX_LOOP ? ALLOW(loop_calls) : 0;

	if (!ret)
		ret = allow_fds(role);
	if (!ret && role == SANDBOX_LOOP)
		ret = allow_tty_ioctls();
	if (!ret && role == SANDBOX_VCPU)
		ret = ALLOW(vcpu_calls);
	if (!ret)
		ret = ALLOW(common_calls);
	/*
	 * The loop opens files to read them only: whatever it is fooled into
	 * opening, it cannot write it (/proc/self/mem, say).
	 */
	if (!ret && role == SANDBOX_LOOP)
		ret = add(SECCOMP_ALLOW_CLEAR(__NR_openat, 2, OPEN_WRITE_FLAGS));
	/*
	 * New memory, never executable: there is no code to load after
	 * set-up. A vCPU thread maps no file either (its kvm_run and the
	 * devices' regions are mapped before), so none of the fds the VMM
	 * holds, a disk image among them, can be reached by mapping it.
	 */
	if (!ret && role == SANDBOX_VCPU)
		ret = add(vcpu_mmap_rule);
	else if (!ret)
		ret = add(SECCOMP_ALLOW_CLEAR(__NR_mmap, 2, PROT_EXEC));
	if (!ret)
		ret = add(SECCOMP_ALLOW_CLEAR(__NR_mprotect, 2, PROT_EXEC));
	/* Signals to our own threads only (the vCPU kick, abort()). */
	if (!ret)
		ret = add(SECCOMP_ALLOW_EQ(__NR_tgkill, 0, getpid()));
	return ret;
}

/*
 * Compile @role's rules into its BPF program; -ENOSPC if more fds were
 * registered than the rules can pin, -E2BIG if it is longer than seccomp
 * takes.
 */
static int build_filter(enum sandbox_role role)
{
	struct role_filter *f = &filters[role];
	int ret;

	if (fd_rules_full)
		return -ENOSPC;
	nr_rules = 0;
	ret = add_rules(role);
	if (!ret)
		ret = seccomp_bpf_compile(rules, nr_rules, SANDBOX_ARCH, f->insns, MAX_BPF_INSNS);
	if (ret < 0)
		return ret;
	f->len = ret;
	return 0;
}

int sandbox_prepare(void)
{
	struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };
	int ret = build_filter(SANDBOX_VCPU);

	if (ret) {
		sandbox_report(ret);
		return ret;
	}
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL)) {
		ret = -errno;
		pr_err("sandbox: SIGSYS handler: %s", strerror(errno));
		return ret;
	}
	return 0;
}

/* --- the self-test: one forbidden call, for the rig ------------------- */

static void close_if_open(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* The loop: a socket. */
static void try_socket(void)
{
	close_if_open(socket(AF_UNIX, SOCK_STREAM, 0));
}

/* A vCPU: opening a file, which the loop may do. */
static void try_open(void)
{
	close_if_open(open("/", O_RDONLY | O_CLOEXEC));
}

/* The loop: pushing a character into stderr's terminal input. */
static void try_tiocsti(void)
{
	char c = '\n';

	ioctl(STDERR_FILENO, TIOCSTI, &c);
}

/*
 * The loop: a KVM ioctl on an fd the VMM did not open for it, a /dev/kvm
 * of its own (the open itself is allowed, read-only).
 */
static void try_kvm_ioctl(void)
{
	int fd = open("/dev/kvm", O_RDONLY | O_CLOEXEC);

	close_if_open(ioctl(fd, KVM_CREATE_VM, 0));
	close_if_open(fd);
}

/* A vCPU: mapping a file it holds (stdin stands for a disk image). */
static void try_mmap_file(void)
{
	void *p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, STDIN_FILENO, 0);

	if (p != MAP_FAILED)
		munmap(p, 4096);
}

/* The loop: opening its own memory to write it. */
static void try_open_rw(void)
{
	close_if_open(open("/proc/self/mem", O_RDWR | O_CLOEXEC));
}

/* The loop: a write into an fd it holds but does not write, stdin. */
static void try_write(void)
{
	if (write(STDIN_FILENO, "", 0) < 0)
		return;
}

/* The loop: an unlink outside the records' folder. */
static void try_unlink(void)
{
	unlinkat(AT_FDCWD, "/run/lkvm-rcar-selftest-none", 0);
}

static const struct selftest {
	const char *name;	/* LKVM_RCAR_SANDBOX_SELFTEST's value */
	enum sandbox_role role;
	void (*forbidden)(void);
} selftests[] = {
	{ "loop",	SANDBOX_LOOP,	try_socket },
	{ "vcpu",	SANDBOX_VCPU,	try_open },
	{ "vcpu-mmap",	SANDBOX_VCPU,	try_mmap_file },
	{ "tty-ioctl",	SANDBOX_LOOP,	try_tiocsti },
	{ "kvm-ioctl",	SANDBOX_LOOP,	try_kvm_ioctl },
	{ "open-rw",	SANDBOX_LOOP,	try_open_rw },
	{ "unlink",	SANDBOX_LOOP,	try_unlink },
	{ "write",	SANDBOX_LOOP,	try_write },
};

/*
 * With LKVM_RCAR_SANDBOX_SELFTEST naming a test of @role, make its
 * forbidden call. Only returns SANDBOX_SELFTEST_PASSED if the filter let
 * the call through.
 */
static int selftest(enum sandbox_role role)
{
	const char *which = getenv("LKVM_RCAR_SANDBOX_SELFTEST");
	unsigned int i;

	for (i = 0; which && i < COUNT(selftests); i++) {
		if (selftests[i].role != role || strcmp(selftests[i].name, which))
			continue;
		selftests[i].forbidden();
		return SANDBOX_SELFTEST_PASSED;
	}
	return 0;
}

int sandbox_enter(enum sandbox_role role)
{
	struct role_filter *f = &filters[role];
	struct sock_fprog prog;
	int ret;

	/*
	 * The vCPU threads' filter is ready (sandbox_prepare()); the loop's
	 * is compiled here, while the vCPU threads make their first entry.
	 */
	if (!f->len) {
		ret = build_filter(role);
		if (ret)
			return ret;
	}
	prog = (struct sock_fprog) { .len = f->len, .filter = f->insns };
	/* seccomp asks it of an unprivileged process: nothing gained by exec. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
		return -errno;
	return selftest(role);
}

void sandbox_report(int ret)
{
	if (ret == SANDBOX_SELFTEST_PASSED)
		pr_err("sandbox self-test: the forbidden call was allowed");
	else if (ret == -E2BIG)
		pr_err("sandbox: the seccomp filter is longer than the kernel takes (%d instructions); use fewer vCPUs, devices or GPIO lines, or --sandbox=off",
		       MAX_BPF_INSNS);
	else if (ret == -ENOSPC)
		pr_err("sandbox: more fds to pin than it holds (%d); use fewer vCPUs, devices or GPIO lines, or --sandbox=off",
		       MAX_FD_RULES);
	else
		pr_err("sandbox: loading the seccomp filter: %s; the host kernel needs CONFIG_SECCOMP_FILTER, or run with --sandbox=off",
		       strerror(-ret));
}
