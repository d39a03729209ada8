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

#define STATS_MAX_STEPS	24

/* One step of start-up or tear-down, as --stats reports it. */
struct stats_step {
	const char *name;
	uint64_t wall_ns, cpu_ns;
};

/* The steps so far, and when (wall, process CPU) the last one ended. */
struct stats_steps {
	unsigned int n;
	struct stats_step step[STATS_MAX_STEPS];
	uint64_t t_mark, cpu_mark;
};

/*
 * The version of the --stats object's shape, its first field. Fields may
 * be added within a version; one that changes meaning or shape, or goes,
 * makes the next. docs/stats.schema.json documents each field.
 */
#define STATS_SCHEMA	1

/* Note the start of the process (call first thing in main). */
void stats_start(struct vm *vm);
/*
 * The step @name (a string that outlives the VM) ends now: it took the
 * wall and CPU time since the previous one ended. Start-up's until the
 * run ends, tear-down's after. The main thread's.
 */
void stats_step(struct vm *vm, const char *name);
/* Note the first KVM_RUN (the boot vCPU's thread). */
void stats_first_run(struct vm *vm);
/* Note that a stop was asked, the first time (any thread). */
void stats_stop_asked(struct vm *vm);
/* Note the end of the run: tear-down's steps begin. */
void stats_end(struct vm *vm);

/*
 * Open the file for the JSON object, @path ("-" or NULL: stderr), at
 * start-up: a path that cannot be written is refused before the guest
 * runs, and the sandbox lets the event loop write this file without
 * opening anything at exit. Returns 0 or -errno after one line.
 */
int stats_open(struct vm *vm, const char *path);

/*
 * Take the run's figures (devices, memory, exits) while the VM is still
 * there, after the run and before tear-down; nothing if no file is open.
 */
void stats_collect(struct vm *vm, int status);
/*
 * Write the JSON object, the figures stats_collect() took and the
 * tear-down's steps, into the file stats_open() opened, and close it;
 * nothing if none is open. Call last. Returns 0 or -errno (reported).
 */
int stats_write(struct vm *vm);

/* Write @s as a JSON string, quoted and escaped. */
void stats_json_string(FILE *f, const char *s);

/* Trapped guest accesses to the MMIO ranges registered as @name. */
uint64_t stats_mmio_exits(const struct vm *vm, const char *name);

#endif
