/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A seccomp filter compiler for allow-lists: system calls by number, each
 * allowed outright or when its arguments pass masked comparisons. What
 * the sandbox needs and no more, compiled in a few microseconds where a
 * general compiler took milliseconds of the VMM's start-up. No system
 * calls here: the unit tests run the programs it makes in an interpreter
 * against the rules and against libseccomp's programs for the same rules.
 */
#ifndef LKVM_VMM_SECCOMP_BPF_H
#define LKVM_VMM_SECCOMP_BPF_H

#include <stdint.h>
#include <linux/filter.h>

/* The most instructions seccomp takes in one program (BPF_MAXINSNS). */
#define SECCOMP_BPF_MAX_INSNS	4096

/* System call numbers the compiler takes: every arm64 one, with room. */
#define SECCOMP_BPF_MAX_NR	1024

/* The most rules one compilation takes. */
#define SECCOMP_BPF_MAX_RULES	4096

/* The most tests one rule has. */
#define SECCOMP_BPF_MAX_TESTS	2

/* Argument @arg (0-5) passes when (its value & @mask) == @value. */
struct seccomp_arg_test {
	unsigned int arg;
	uint64_t mask;
	uint64_t value;
};

/* Allow system call @nr when every one of its @nr_tests tests passes. */
struct seccomp_rule {
	int nr;
	unsigned int nr_tests;
	struct seccomp_arg_test tests[SECCOMP_BPF_MAX_TESTS];
};

/* A rule allowing @nr outright. */
#define SECCOMP_ALLOW(n)	((struct seccomp_rule) { .nr = (n) })

/* A rule allowing @nr when argument @a equals @v. */
#define SECCOMP_ALLOW_EQ(n, a, v) \
	((struct seccomp_rule) { .nr = (n), .nr_tests = 1, \
		.tests = { { (a), ~0ull, (uint64_t)(v) } } })

/*
 * A rule allowing @nr when argument @a's low 32 bits are @v: for an fd or
 * an ioctl's request, which the kernel takes as an unsigned int from
 * those bits. The high ones are left out of the test as they are of the
 * call, which saves two instructions per fd.
 */
#define SECCOMP_ALLOW_U32(n, a, v) \
	((struct seccomp_rule) { .nr = (n), .nr_tests = 1, \
		.tests = { { (a), UINT32_MAX, (uint32_t)(v) } } })

/* A rule allowing @nr when argument @a has none of the bits of @m. */
#define SECCOMP_ALLOW_CLEAR(n, a, m) \
	((struct seccomp_rule) { .nr = (n), .nr_tests = 1, \
		.tests = { { (a), (uint64_t)(m), 0 } } })

/*
 * Compile @n rules into @prog, room for @max instructions. A call from
 * an architecture other than @arch (an AUDIT_ARCH_* value) kills the
 * process; a call no rule allows raises SIGSYS (SECCOMP_RET_TRAP).
 * Returns the program's length, -EINVAL for a rule out of range, or
 * -E2BIG when the program would not fit.
 */
int seccomp_bpf_compile(const struct seccomp_rule *rules, unsigned int n,
			uint32_t arch, struct sock_filter *prog, unsigned int max);

#endif
