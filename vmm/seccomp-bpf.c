// SPDX-License-Identifier: GPL-2.0
/*
 * The program's shape:
 *
 *	load the architecture; another one: kill the process
 *	load the call's number
 *	for each number some rule names, in the order first named:
 *		equal?  jump to its block (a long jump: blocks can be far)
 *	none:	trap
 *	a block per number, its rules in order:
 *		each test: load a 32-bit half of the argument, mask it,
 *		compare; a mismatch goes on with the next rule
 *		all passed: allow
 *	after the last rule: trap
 *
 * A linear dispatch, not a tree: the sandbox's lists are a few dozen
 * numbers, and most calls a VMM makes while it runs (ioctl, write,
 * io_uring_enter) come first. Conditional jumps reach 255 instructions
 * at most; none here goes further than the end of its rule.
 */
#include "vmm/seccomp-bpf.h"

#include <errno.h>
#include <stddef.h>
#include <linux/seccomp.h>

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "seccomp-bpf.c loads the low half of an argument first: little-endian only"
#endif

#define NONE	(-1)

struct emitter {
	struct sock_filter *prog;
	unsigned int max, pc;
	int err;
};

static void emit(struct emitter *e, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
	if (e->pc >= e->max) {
		e->err = -E2BIG;
		return;
	}
	e->prog[e->pc++] = (struct sock_filter) { code, jt, jf, k };
}

static void emit_ret(struct emitter *e, uint32_t action)
{
	emit(e, BPF_RET | BPF_K, 0, 0, action);
}

/* The offset in struct seccomp_data of a half of argument @arg. */
static uint32_t arg_half(unsigned int arg, int high)
{
	return offsetof(struct seccomp_data, args) + arg * sizeof(uint64_t) +
	       (high ? sizeof(uint32_t) : 0);
}

/* Instructions to test one 32-bit half: 0 if any value passes. */
static unsigned int half_len(uint32_t mask)
{
	if (!mask)
		return 0;
	return mask == UINT32_MAX ? 2 : 3;	/* load, [and,] compare */
}

/* A half no value passes: the mask clears bits the value wants. */
static int half_never(uint32_t mask, uint32_t value)
{
	return (value & ~mask) != 0;
}

static int rule_never(const struct seccomp_rule *r)
{
	unsigned int i;

	for (i = 0; i < r->nr_tests; i++) {
		const struct seccomp_arg_test *t = &r->tests[i];

		if (half_never(t->mask, t->value) ||
		    half_never(t->mask >> 32, t->value >> 32))
			return 1;
	}
	return 0;
}

static unsigned int rule_len(const struct seccomp_rule *r)
{
	unsigned int i, len = 1;	/* the allow */

	for (i = 0; i < r->nr_tests; i++)
		len += half_len(r->tests[i].mask) + half_len(r->tests[i].mask >> 32);
	return len;
}

/*
 * One half's test; a mismatch jumps to @end, the instruction after the
 * rule (never more than a rule's length ahead).
 */
static void emit_half(struct emitter *e, unsigned int off, uint32_t mask,
		      uint32_t value, unsigned int end)
{
	if (!mask)
		return;
	emit(e, BPF_LD | BPF_W | BPF_ABS, 0, 0, off);
	if (mask != UINT32_MAX)
		emit(e, BPF_ALU | BPF_AND | BPF_K, 0, 0, mask);
	emit(e, BPF_JMP | BPF_JEQ | BPF_K, 0, end - e->pc - 1, value);
}

static void emit_rule(struct emitter *e, const struct seccomp_rule *r)
{
	unsigned int end = e->pc + rule_len(r), i;

	for (i = 0; i < r->nr_tests; i++) {
		const struct seccomp_arg_test *t = &r->tests[i];

		emit_half(e, arg_half(t->arg, 0), t->mask, t->value, end);
		emit_half(e, arg_half(t->arg, 1), t->mask >> 32, t->value >> 32, end);
	}
	emit_ret(e, SECCOMP_RET_ALLOW);
}

static int rule_valid(const struct seccomp_rule *r)
{
	unsigned int i;

	if (r->nr < 0 || r->nr >= SECCOMP_BPF_MAX_NR || r->nr_tests > SECCOMP_BPF_MAX_TESTS)
		return 0;
	for (i = 0; i < r->nr_tests; i++)
		if (r->tests[i].arg > 5)
			return 0;
	return 1;
}

int seccomp_bpf_compile(const struct seccomp_rule *rules, unsigned int n,
			uint32_t arch, struct sock_filter *prog, unsigned int max)
{
	/* Per number, its rules as a list threaded through next[]. */
	int16_t first[SECCOMP_BPF_MAX_NR], last[SECCOMP_BPF_MAX_NR];
	int16_t next[SECCOMP_BPF_MAX_RULES];
	uint16_t order[SECCOMP_BPF_MAX_NR], jump_at[SECCOMP_BPF_MAX_NR];
	struct emitter e = { .prog = prog, .max = max };
	unsigned int i, nr_calls = 0;

	if (n > SECCOMP_BPF_MAX_RULES)
		return -E2BIG;
	for (i = 0; i < SECCOMP_BPF_MAX_NR; i++)
		first[i] = NONE;
	for (i = 0; i < n; i++) {
		const struct seccomp_rule *r = &rules[i];

		if (!rule_valid(r))
			return -EINVAL;
		next[i] = NONE;
		if (first[r->nr] == NONE) {
			first[r->nr] = i;
			order[nr_calls++] = r->nr;
		} else {
			next[last[r->nr]] = i;
		}
		last[r->nr] = i;
	}

	emit(&e, BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, arch));
	emit(&e, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, arch);
	emit_ret(&e, SECCOMP_RET_KILL_PROCESS);
	emit(&e, BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, nr));
	for (i = 0; i < nr_calls; i++) {
		emit(&e, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, order[i]);
		jump_at[i] = e.pc;
		emit(&e, BPF_JMP | BPF_JA, 0, 0, 0);	/* its k: below */
	}
	emit_ret(&e, SECCOMP_RET_TRAP);

	for (i = 0; i < nr_calls && !e.err; i++) {
		int r;

		prog[jump_at[i]].k = e.pc - jump_at[i] - 1;
		for (r = first[order[i]]; r != NONE; r = next[r]) {
			if (rule_never(&rules[r]))
				continue;
			emit_rule(&e, &rules[r]);
			if (!rules[r].nr_tests)
				break;	/* allowed outright: the rest cannot add to it */
		}
		emit_ret(&e, SECCOMP_RET_TRAP);
	}
	return e.err ? e.err : (int)e.pc;
}
