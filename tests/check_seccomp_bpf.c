// SPDX-License-Identifier: GPL-2.0
/*
 * The sandbox's filter compiler: its programs run here in a small
 * classic-BPF interpreter, which also checks that every jump lands inside
 * the program. Their verdicts are compared with the rules read directly,
 * and with libseccomp's programs for the same rules.
 */
#include "tests/check.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <seccomp.h>

#include "vmm/seccomp-bpf.h"

#define ARCH		AUDIT_ARCH_X86_64	/* libseccomp's native one here */
#define TRAP		SECCOMP_RET_TRAP
#define ALLOW		SECCOMP_RET_ALLOW

static struct sock_filter prog[SECCOMP_BPF_MAX_INSNS + 1];
static struct seccomp_rule rules[SECCOMP_BPF_MAX_RULES];

/* Runs @p on @d as seccomp would; any malformed program fails the test. */
static uint32_t run(const struct sock_filter *p, unsigned int len,
		    const struct seccomp_data *d)
{
	uint32_t a = 0, x = 0, word;
	unsigned int pc = 0;

	for (;;) {
		const struct sock_filter *i;

		ck_assert_uint_lt(pc, len);
		i = &p[pc++];
		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			ck_assert_uint_le(i->k + 4, sizeof(*d));
			ck_assert_uint_eq(i->k % 4, 0);
			memcpy(&word, (const char *)d + i->k, 4);
			a = word;
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			a &= i->k;
			break;
		case BPF_MISC | BPF_TAX:
			x = a;
			break;
		case BPF_MISC | BPF_TXA:
			a = x;
			break;
		case BPF_JMP | BPF_JA:
			pc += i->k;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += a == i->k ? i->jt : i->jf;
			break;
		case BPF_JMP | BPF_JGT | BPF_K:
			pc += a > i->k ? i->jt : i->jf;
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			pc += a >= i->k ? i->jt : i->jf;
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			pc += a & i->k ? i->jt : i->jf;
			break;
		case BPF_RET | BPF_K:
			return i->k;
		default:
			ck_abort_msg("instruction %u: code 0x%x not known here", pc - 1, i->code);
		}
	}
}

/* The rules read directly: allowed when one of @r's rules passes. */
static uint32_t reference(const struct seccomp_rule *r, unsigned int n,
			  const struct seccomp_data *d)
{
	unsigned int i, t;

	if (d->arch != ARCH)
		return SECCOMP_RET_KILL_PROCESS;
	for (i = 0; i < n; i++) {
		int pass = r[i].nr == d->nr;

		for (t = 0; pass && t < r[i].nr_tests; t++) {
			const struct seccomp_arg_test *at = &r[i].tests[t];

			pass = (d->args[at->arg] & at->mask) == at->value;
		}
		if (pass)
			return ALLOW;
	}
	return TRAP;
}

static struct seccomp_data call(int nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	return (struct seccomp_data) {
		.nr = nr, .arch = ARCH, .args = { a0, a1, a2 },
	};
}

static unsigned int compile(unsigned int n)
{
	int len = seccomp_bpf_compile(rules, n, ARCH, prog, SECCOMP_BPF_MAX_INSNS);

	ck_assert_int_gt(len, 0);
	return len;
}

static uint32_t verdict(unsigned int len, int nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	struct seccomp_data d = call(nr, a0, a1, a2);

	return run(prog, len, &d);
}

START_TEST(test_allow_outright)
{
	struct seccomp_data other_arch = call(__NR_read, 0, 0, 0);
	unsigned int len;

	rules[0] = SECCOMP_ALLOW(__NR_read);
	rules[1] = SECCOMP_ALLOW(__NR_futex);
	len = compile(2);
	ck_assert_uint_eq(verdict(len, __NR_read, 7, 0, 0), ALLOW);
	ck_assert_uint_eq(verdict(len, __NR_futex, 0, 0, 0), ALLOW);
	ck_assert_uint_eq(verdict(len, __NR_write, 1, 0, 0), TRAP);
	ck_assert_uint_eq(verdict(len, __NR_socket, 0, 0, 0), TRAP);
	other_arch.arch = AUDIT_ARCH_I386;
	ck_assert_uint_eq(run(prog, len, &other_arch), SECCOMP_RET_KILL_PROCESS);
}
END_TEST

/* An fd is a whole 64-bit argument: bits above 32 do not pass for it. */
START_TEST(test_argument_equal)
{
	unsigned int len;

	rules[0] = SECCOMP_ALLOW_EQ(__NR_write, 0, 5);
	rules[1] = SECCOMP_ALLOW_EQ(__NR_write, 0, 2);
	len = compile(2);
	ck_assert_uint_eq(verdict(len, __NR_write, 5, 0, 0), ALLOW);
	ck_assert_uint_eq(verdict(len, __NR_write, 2, 0, 0), ALLOW);
	ck_assert_uint_eq(verdict(len, __NR_write, 6, 0, 0), TRAP);
	ck_assert_uint_eq(verdict(len, __NR_write, 5 | 1ull << 32, 0, 0), TRAP);
	ck_assert_uint_eq(verdict(len, __NR_writev, 5, 0, 0), TRAP);
}
END_TEST

START_TEST(test_bits_clear)
{
	unsigned int len;

	rules[0] = SECCOMP_ALLOW_CLEAR(__NR_mmap, 2, PROT_EXEC);
	len = compile(1);
	ck_assert_uint_eq(verdict(len, __NR_mmap, 0, 4096, PROT_READ | PROT_WRITE), ALLOW);
	ck_assert_uint_eq(verdict(len, __NR_mmap, 0, 4096, PROT_READ | PROT_EXEC), TRAP);
	ck_assert_uint_eq(verdict(len, __NR_mmap, 0, 4096, 1ull << 40), ALLOW);
}
END_TEST

/* ioctl() by fd and request type, and some requests on any fd. */
START_TEST(test_two_tests_per_rule)
{
	struct seccomp_rule r = { .nr = __NR_ioctl, .nr_tests = 2, .tests = {
		{ 0, ~0ull, 3 }, { 1, 0xff00, 0xae00 } } };
	unsigned int len;

	rules[0] = r;
	r.tests[0].value = 4;
	r.tests[1].value = 0x3b00;
	rules[1] = r;
	rules[2] = SECCOMP_ALLOW_EQ(__NR_ioctl, 1, 0x5401);
	len = compile(3);
	ck_assert_uint_eq(verdict(len, __NR_ioctl, 3, 0xae01, 0), ALLOW);
	ck_assert_uint_eq(verdict(len, __NR_ioctl, 3, 0xc008ae05, 0), ALLOW);
	ck_assert_uint_eq(verdict(len, __NR_ioctl, 3, 0x3b71, 0), TRAP);
	ck_assert_uint_eq(verdict(len, __NR_ioctl, 4, 0x3b71, 0), ALLOW);
	ck_assert_uint_eq(verdict(len, __NR_ioctl, 4, 0xae01, 0), TRAP);
	ck_assert_uint_eq(verdict(len, __NR_ioctl, 9, 0x5401, 0), ALLOW);
	ck_assert_uint_eq(verdict(len, __NR_ioctl, 9, 0x5412, 0), TRAP);
}
END_TEST

/* An fd argument: its low 32 bits, as the kernel reads it. */
START_TEST(test_argument_fd)
{
	unsigned int len;

	rules[0] = SECCOMP_ALLOW_U32(__NR_write, 0, 7);
	len = compile(1);
	ck_assert_uint_eq(verdict(len, __NR_write, 7, 0, 0), ALLOW);
	ck_assert_uint_eq(verdict(len, __NR_write, 7 | 1ull << 32, 0, 0), ALLOW);
	ck_assert_uint_eq(verdict(len, __NR_write, 8, 0, 0), TRAP);
	ck_assert_uint_eq(verdict(len, __NR_write, 7 | 1ull << 31, 0, 0), TRAP);
}
END_TEST

/* A rule that no value can pass is left out; the others still count. */
START_TEST(test_rule_that_cannot_pass)
{
	unsigned int len;

	rules[0] = SECCOMP_ALLOW_EQ(__NR_write, 0, 1);
	rules[0].tests[0].mask = 0;		/* (x & 0) == 1: never */
	rules[1] = SECCOMP_ALLOW_EQ(__NR_write, 0, 2);
	len = compile(2);
	ck_assert_uint_eq(verdict(len, __NR_write, 1, 0, 0), TRAP);
	ck_assert_uint_eq(verdict(len, __NR_write, 0, 0, 0), TRAP);
	ck_assert_uint_eq(verdict(len, __NR_write, 2, 0, 0), ALLOW);
}
END_TEST

START_TEST(test_outright_after_tests)
{
	unsigned int len;

	rules[0] = SECCOMP_ALLOW_EQ(__NR_close, 0, 3);
	rules[1] = SECCOMP_ALLOW(__NR_close);
	rules[2] = SECCOMP_ALLOW_EQ(__NR_close, 0, 4);
	len = compile(3);
	ck_assert_uint_eq(verdict(len, __NR_close, 3, 0, 0), ALLOW);
	ck_assert_uint_eq(verdict(len, __NR_close, 99, 0, 0), ALLOW);
}
END_TEST

START_TEST(test_bad_rules)
{
	struct seccomp_rule bad[] = {
		SECCOMP_ALLOW(-1), SECCOMP_ALLOW(SECCOMP_BPF_MAX_NR),
		SECCOMP_ALLOW_EQ(__NR_write, 6, 1),
		{ .nr = __NR_write, .nr_tests = SECCOMP_BPF_MAX_TESTS + 1 },
	};
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_int_eq(seccomp_bpf_compile(&bad[i], 1, ARCH, prog,
						     SECCOMP_BPF_MAX_INSNS), -EINVAL);
	ck_assert_int_eq(seccomp_bpf_compile(rules, SECCOMP_BPF_MAX_RULES + 1, ARCH,
					     prog, SECCOMP_BPF_MAX_INSNS), -E2BIG);
}
END_TEST

/* Too long for the room given: -E2BIG, and nothing written past it. */
START_TEST(test_too_long)
{
	struct sock_filter canary = { 0xdead, 1, 2, 0xfeedface };
	unsigned int i, max = 40;

	for (i = 0; i < 20; i++)
		rules[i] = SECCOMP_ALLOW_EQ(__NR_write, 0, i);
	prog[max] = canary;
	ck_assert_int_eq(seccomp_bpf_compile(rules, 20, ARCH, prog, max), -E2BIG);
	ck_assert_int_eq(memcmp(&prog[max], &canary, sizeof(canary)), 0);
}
END_TEST

/* --- many rules, random calls: against the rules and libseccomp ------ */

static const int plain_calls[] = {
	__NR_futex, __NR_sched_yield, __NR_rt_sigreturn, __NR_rt_sigprocmask,
	__NR_getpid, __NR_gettid, __NR_clock_gettime, __NR_brk, __NR_munmap,
	__NR_madvise, __NR_read, __NR_readv, __NR_io_uring_enter, __NR_close,
	__NR_exit, __NR_exit_group,
};
static const int fd_calls[] = { __NR_write, __NR_writev, __NR_pread64, __NR_pwrite64 };

/*
 * Rules shaped like the sandbox's for @nr_fds fds from fd 3 up: the plain
 * calls, ioctls of one type on every fd (KVM's, VFIO's, GPIO's), and on
 * some the other calls that name an fd (eventfds and files written, VFIO
 * devices' registers).
 */
static unsigned int sandbox_like_rules(unsigned int nr_fds, unsigned int seed)
{
	unsigned int n = 0, i, f;

	srand(seed);
	for (i = 0; i < sizeof(plain_calls) / sizeof(plain_calls[0]); i++)
		rules[n++] = SECCOMP_ALLOW(plain_calls[i]);
	rules[n++] = SECCOMP_ALLOW_CLEAR(__NR_mmap, 2, PROT_EXEC);
	rules[n++] = SECCOMP_ALLOW_CLEAR(__NR_openat, 2, O_ACCMODE | O_CREAT | O_TRUNC);
	rules[n++] = SECCOMP_ALLOW_EQ(__NR_ioctl, 1, 0x5401);
	for (f = 3; f < 3 + nr_fds; f++) {
		struct seccomp_rule r = { .nr = __NR_ioctl, .nr_tests = 2, .tests = {
			{ 0, UINT32_MAX, f }, { 1, 0xff00, (rand() % 4 ? 0xae : 0x3b) << 8 } } };

		rules[n++] = r;
		for (i = 0; i < sizeof(fd_calls) / sizeof(fd_calls[0]); i++)
			if (rand() % (nr_fds > 100 ? 8 : 2) == 0)
				rules[n++] = SECCOMP_ALLOW_U32(fd_calls[i], 0, f);
	}
	return n;
}

/* A call likely to hit a rule's edges: fds in and out of range, masks. */
static struct seccomp_data random_call(unsigned int nr_fds)
{
	static const int extra[] = { __NR_ioctl, __NR_ioctl, __NR_write, __NR_mmap,
				     __NR_openat, __NR_socket, __NR_pread64 };
	int nr = rand() % 2 ? extra[rand() % 7] : rand() % 400;
	uint64_t a0 = rand() % (nr_fds + 6), a1, a2;

	if (rand() % 8 == 0)
		a0 |= (uint64_t)(rand() % 3) << 32;
	a1 = (uint64_t)(rand() % 3 ? (rand() % 2 ? 0xae : 0x3b) : rand() % 256) << 8 |
	     (rand() % 256);
	if (rand() % 8 == 0)
		a1 = 0x5401;
	a2 = rand() % 16;
	if (rand() % 8 == 0)
		a2 |= 1ull << 33;
	return call(nr, a0, a1, a2);
}

/* The same rules through libseccomp: its program, its length. */
static unsigned int libseccomp_compile(unsigned int n, struct sock_filter *out)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);
	unsigned int i, t;
	ssize_t bytes;
	int fd;

	ck_assert_ptr_nonnull(ctx);
	for (i = 0; i < n; i++) {
		struct scmp_arg_cmp cmp[SECCOMP_BPF_MAX_TESTS];

		for (t = 0; t < rules[i].nr_tests; t++) {
			const struct seccomp_arg_test *at = &rules[i].tests[t];

			cmp[t] = (struct scmp_arg_cmp) { .arg = at->arg,
				.op = SCMP_CMP_MASKED_EQ, .datum_a = at->mask, .datum_b = at->value };
		}
		ck_assert_int_eq(seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, rules[i].nr,
							rules[i].nr_tests, cmp), 0);
	}
	fd = memfd_create("bpf", MFD_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(seccomp_export_bpf(ctx, fd), 0);
	bytes = pread(fd, out, (SECCOMP_BPF_MAX_INSNS + 1) * sizeof(*out), 0);
	ck_assert_int_gt(bytes, 0);
	close(fd);
	seccomp_release(ctx);
	return bytes / sizeof(*out);
}

static void compare(unsigned int nr_fds, unsigned int seed, int with_libseccomp)
{
	static struct sock_filter theirs[SECCOMP_BPF_MAX_INSNS + 1];
	unsigned int n = sandbox_like_rules(nr_fds, seed), len, their_len = 0, i;

	len = compile(n);
	if (with_libseccomp)
		their_len = libseccomp_compile(n, theirs);
	for (i = 0; i < 20000; i++) {
		struct seccomp_data d = random_call(nr_fds);
		uint32_t ours = run(prog, len, &d);

		ck_assert_msg(ours == reference(rules, n, &d),
			      "call %d (%llx, %llx, %llx): 0x%x against the rules' 0x%x",
			      d.nr, (unsigned long long)d.args[0], (unsigned long long)d.args[1],
			      (unsigned long long)d.args[2], ours, reference(rules, n, &d));
		if (with_libseccomp)
			ck_assert_msg(ours == run(theirs, their_len, &d),
				      "call %d (%llx, %llx, %llx): 0x%x against libseccomp's 0x%x",
				      d.nr, (unsigned long long)d.args[0],
				      (unsigned long long)d.args[1], (unsigned long long)d.args[2],
				      ours, run(theirs, their_len, &d));
	}
}

START_TEST(test_against_libseccomp)
{
	compare(1, 1, 1);
	compare(12, 2, 1);
	compare(60, 3, 1);
}
END_TEST

/*
 * The most fds a command line can ask the sandbox to pin (vmm/sandbox.c):
 * the program fits in what seccomp takes, and its far jumps land.
 */
START_TEST(test_most_fds)
{
	compare(414, 4, 0);
	ck_assert_uint_le(compile(sandbox_like_rules(414, 4)), SECCOMP_BPF_MAX_INSNS);
}
END_TEST

Suite *seccomp_bpf_suite(void)
{
	Suite *s = suite_create("seccomp_bpf");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_allow_outright);
	tcase_add_test(tc, test_argument_equal);
	tcase_add_test(tc, test_argument_fd);
	tcase_add_test(tc, test_bits_clear);
	tcase_add_test(tc, test_two_tests_per_rule);
	tcase_add_test(tc, test_rule_that_cannot_pass);
	tcase_add_test(tc, test_outright_after_tests);
	tcase_add_test(tc, test_bad_rules);
	tcase_add_test(tc, test_too_long);
	tcase_add_test(tc, test_against_libseccomp);
	tcase_add_test(tc, test_most_fds);
	suite_add_tcase(s, tc);
	return s;
}
