// SPDX-License-Identifier: GPL-2.0
/*
 * seccomp sandbox (libseccomp), one filter per thread role, each
 * compiled once: the vCPU threads' before they start, the event loop's
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
 * pread64() and pwrite64() (the VFIO devices), unlinkat() (the records'
 * folder). Beside those, the loop may make the terminal-attribute ioctls
 * that put the terminal back, and open files to read them only. So
 * neither TIOCSTI on the user's terminal, nor a KVM or VFIO ioctl on an
 * fd the VMM did not open for it, nor opening /proc/self/mem to write.
 * No role may create sockets or processes, map anything executable, or
 * signal another process. docs/security.md has the table, and what
 * seccomp cannot pin.
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
#include <linux/filter.h>
#include <linux/kvm.h>
#include <linux/seccomp.h>
#include <seccomp.h>

#include "vmm/log.h"
#include "vmm/vm.h"

/*
 * Every thread: locks, signals, time, memory, exiting. Writing has rules
 * of its own (allow_fds()): stderr and the registered fds.
 */
static const char *const common_calls[] = {
	"futex", "sched_yield", "rt_sigreturn", "rt_sigprocmask",
	"restart_syscall", "getpid", "gettid", "clock_gettime", "getrusage",
	"brk", "munmap", "madvise", "mremap", "getrandom",
	/* glibc's malloc sizes a new arena by the CPUs it may run on */
	"sched_getaffinity",
	/* threads and the process ending (glibc unregisters rseq at exit) */
	"exit", "exit_group", "rseq",
};

/*
 * vCPU threads: the guest, and the device accesses it traps (pread64 and
 * pwrite64 on a VFIO device, the console's writev: registered fds).
 */
static const char *const vcpu_calls[] = {
	"timerfd_settime",
};

/*
 * The event loop thread: the ring, the devices' loop work, teardown.
 * openat(), unlinkat() and writing have rules of their own.
 */
static const char *const loop_calls[] = {
	"read", "readv", "io_uring_enter", "timerfd_settime",
	"clock_nanosleep", "nanosleep", "mincore",
	/* files: reading (/proc/interrupts for --stats), the binding's restore */
	"close", "fstat", "newfstatat", "statx", "lseek", "fcntl",
	"readlinkat", "fsync",
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
 * devices: 414 fds) fits, and so does the filter it makes, under 3000
 * of the 4096 BPF instructions seccomp takes. A registration that does
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
#define MAX_BPF_INSNS	4096	/* the most seccomp takes (BPF_MAXINSNS) */
static struct role_filter {
	struct sock_filter insns[MAX_BPF_INSNS + 1];	/* + 1: to see a longer one */
	unsigned short len;
} filters[SANDBOX_NR_ROLES];

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

static int allow(scmp_filter_ctx ctx, const char *const *names, unsigned int n)
{
	unsigned int i;
	int nr, ret;

	for (i = 0; i < n; i++) {
		nr = seccomp_syscall_resolve_name(names[i]);
		if (nr == __NR_SCMP_ERROR)
			continue;	/* not on this architecture */
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		if (ret)
			return ret;
	}
	return 0;
}

#define ALLOW(ctx, list) allow(ctx, list, sizeof(list) / sizeof(list[0]))
#define COUNT(list) (sizeof(list) / sizeof(list[0]))

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

/* Allow @nr when its first argument is @fd. */
static int allow_on_fd(scmp_filter_ctx ctx, int nr, int fd)
{
	return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
				SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)fd));
}

static int allow_writes(scmp_filter_ctx ctx, int fd)
{
	int ret = allow_on_fd(ctx, SCMP_SYS(write), fd);

	return ret ? ret : allow_on_fd(ctx, SCMP_SYS(writev), fd);
}

/* What @role may do with each registered fd. */
static int allow_fds(scmp_filter_ctx ctx, enum sandbox_role role)
{
	const struct fd_rule *r;
	unsigned int i;
	int ret = 0;

	for (i = 0; !ret && i < nr_fd_rules; i++) {
		r = &fd_rules[i];
		if (!(r->roles & SANDBOX_ROLE(role)))
			continue;
		if (r->calls & FD_IOCTL)
			ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 2,
					       SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)r->fd),
					       SCMP_A1(SCMP_CMP_MASKED_EQ, IOCTL_TYPE_MASK,
						       (scmp_datum_t)r->type << 8));
		if (!ret && (r->calls & SANDBOX_FD_WRITE))
			ret = allow_writes(ctx, r->fd);
		if (!ret && (r->calls & SANDBOX_FD_REGS))
			ret = allow_on_fd(ctx, SCMP_SYS(pread64), r->fd);
		if (!ret && (r->calls & SANDBOX_FD_REGS))
			ret = allow_on_fd(ctx, SCMP_SYS(pwrite64), r->fd);
		if (!ret && (r->calls & SANDBOX_FD_UNLINK))
			ret = allow_on_fd(ctx, SCMP_SYS(unlinkat), r->fd);
	}
	/* Every role: the log, and the line on_sigsys() prints. */
	if (!ret)
		ret = allow_writes(ctx, STDERR_FILENO);
	return ret;
}

/* The loop's terminal restore, on any fd. */
static int allow_tty_ioctls(scmp_filter_ctx ctx)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; !ret && i < COUNT(loop_tty_ioctls); i++)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				       SCMP_A1(SCMP_CMP_EQ, loop_tty_ioctls[i]));
	return ret;
}

static int add_rules(scmp_filter_ctx ctx, enum sandbox_role role)
{
	int ret = ALLOW(ctx, common_calls);

	if (!ret && role == SANDBOX_LOOP)
		ret = allow_tty_ioctls(ctx);
	if (!ret)
		ret = allow_fds(ctx, role);
	if (!ret)
		ret = role == SANDBOX_VCPU ? ALLOW(ctx, vcpu_calls) : ALLOW(ctx, loop_calls);
	/*
	 * The loop opens files to read them only: whatever it is fooled into
	 * opening, it cannot write it (/proc/self/mem, say).
	 */
	if (!ret && role == SANDBOX_LOOP)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
				       SCMP_A2(SCMP_CMP_MASKED_EQ, OPEN_WRITE_FLAGS, 0));
	/* New memory, never executable: there is no code to load after set-up. */
	if (!ret)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
				       SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	if (!ret)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
				       SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	/* Signals to our own threads only (the vCPU kick, abort()). */
	if (!ret)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
				       SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid()));
	return ret;
}

/*
 * Compile @role's rules into its BPF program, through a memfd; -ENOSPC
 * if more fds were registered than the rules can pin.
 */
static int build_filter(enum sandbox_role role)
{
	struct role_filter *f = &filters[role];
	scmp_filter_ctx ctx;
	ssize_t n;
	int fd, ret;

	if (fd_rules_full)
		return -ENOSPC;
	ctx = seccomp_init(SCMP_ACT_TRAP);
	if (!ctx)
		return -ENOMEM;
	fd = memfd_create("lkvm-rcar-bpf", MFD_CLOEXEC);
	ret = fd < 0 ? -errno : add_rules(ctx, role);
	if (!ret)
		ret = seccomp_export_bpf(ctx, fd);
	if (!ret) {
		n = pread(fd, f->insns, sizeof(f->insns), 0);
		if (n < 0)
			ret = -errno;
		else if (n == 0 || n % sizeof(f->insns[0]))
			ret = -EIO;	/* libseccomp wrote no whole program */
		else if (n > MAX_BPF_INSNS * (ssize_t)sizeof(f->insns[0]))
			ret = -E2BIG;
		else
			f->len = n / sizeof(f->insns[0]);
	}
	if (fd >= 0)
		close(fd);
	seccomp_release(ctx);
	return ret;
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
	/* As seccomp_load() does: no privilege gained by exec after this. */
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
