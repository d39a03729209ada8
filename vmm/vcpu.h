/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vCPUs: one KVM vCPU fd and one thread each. A vCPU thread runs the guest
 * and serves the exits KVM hands to user space (MMIO, system events); the
 * main thread stops it with vcpu_kick().
 */
#ifndef LKVM_VMM_VCPU_H
#define LKVM_VMM_VCPU_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct vm;
struct kvm_run;

struct vcpu {
	struct vm *vm;
	unsigned int id;
	int fd;
	struct kvm_run *run;
	uint64_t mpidr;
	pthread_t thread;
	bool started;
	int sandbox_ret;	/* its sandbox_enter(), 0 when off */
	/* Exits to user space by reason, for --stats (this thread only). */
	struct {
		uint64_t mmio, system_event, interrupted, other;
	} exits;
};

/* Create all vCPUs of @vm (cfg->cpus); the first is the boot CPU. */
int vcpus_create(struct vm *vm);
/* Start a thread per vCPU. */
int vcpus_start(struct vm *vm);
/* Make every vCPU thread leave the guest and wait for it. */
void vcpus_stop(struct vm *vm);
/* Release fds and mappings. Safe after a partial create, and twice. */
void vcpus_destroy(struct vm *vm);

#endif
