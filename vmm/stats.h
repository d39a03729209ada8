/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --stats: what a run cost, written as one JSON object at exit. The
 * counters it reads are plain fields the code keeps anyway (per vCPU,
 * per MMIO range, per event-loop request), so leaving --stats off costs
 * nothing but the increments. make bench builds the VMM a second time
 * with -DLKVM_NO_COUNTERS, where they are compiled out, to measure that.
 */
#ifndef LKVM_VMM_STATS_H
#define LKVM_VMM_STATS_H

#include <stdint.h>
#include <stdio.h>

#ifdef LKVM_NO_COUNTERS
/* Nothing runs (sizeof does not evaluate), but the operands stay used. */
#define STAT_ADD(counter, n)		((void)sizeof((counter) += (n)))
#define STAT_ADD_SHARED(counter, n)	((void)sizeof((counter) += (n)))
#else
/* A counter one thread keeps. */
#define STAT_ADD(counter, n)		((void)((counter) += (n)))
/* A counter several threads add to. */
#define STAT_ADD_SHARED(counter, n) \
	((void)__atomic_fetch_add(&(counter), (n), __ATOMIC_RELAXED))
#endif

struct vm;

/* Note the start of the process (call first thing in main). */
void stats_start(struct vm *vm);
/* Note the first KVM_RUN (the boot vCPU's thread). */
void stats_first_run(struct vm *vm);
/* Note the end of the run. */
void stats_end(struct vm *vm);

/*
 * Open the file for the JSON object, @path ("-" or NULL: stderr), at
 * start-up: a path that cannot be written is refused before the guest
 * runs, and the sandbox lets the event loop write this file without
 * opening anything at exit. Returns 0 or -errno after one line.
 */
int stats_open(struct vm *vm, const char *path);

/*
 * Write the JSON object into the file stats_open() opened, and close it;
 * nothing if none is open. Call after the run and before teardown.
 * Returns 0 or -errno (reported).
 */
int stats_write(struct vm *vm, int status);

/* Write @s as a JSON string, quoted and escaped. */
void stats_json_string(FILE *f, const char *s);

/* Trapped guest accesses to the MMIO ranges registered as @name. */
uint64_t stats_mmio_exits(const struct vm *vm, const char *name);

#endif
