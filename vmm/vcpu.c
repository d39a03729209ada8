// SPDX-License-Identifier: GPL-2.0
/*
 * vCPU threads and their exit handling. Signals: SIGUSR1 is the kick that
 * interrupts KVM_RUN; the thread unblocks it only for itself, and
 * kvm_run->immediate_exit closes the window between a stop request and
 * the next KVM_RUN.
 */
#include "vmm/vcpu.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "arch/arm64/regs.h"
#include "vmm/log.h"
#include "vmm/sandbox.h"
#include "vmm/stats.h"
#include "vmm/vm.h"

#define VCPU_KICK_SIGNAL	SIGUSR1

static void kick_handler(int sig)
{
	(void)sig;
}

static int vcpu_create(struct vm *vm, struct vcpu *v, unsigned int id)
{
	v->vm = vm;
	v->id = id;
	v->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, id);
	if (v->fd < 0) {
		int err = errno;

		pr_err("vCPU %u: KVM_CREATE_VCPU: %s", id, strerror(err));
		return -err;
	}
	sandbox_allow_fd_ioctls(v->fd, KVMIO);
	v->run = mmap(NULL, vm->vcpu_mmap_size, PROT_READ | PROT_WRITE,
		      MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		int err = errno;

		v->run = NULL;
		pr_err("vCPU %u: mapping kvm_run: %s", id, strerror(err));
		return -err;
	}
	if (id == 0)
		vm_find_coalesced_ring(vm, v->run);
	return arm64_vcpu_init(vm, v);
}

int vcpus_create(struct vm *vm)
{
	unsigned int i, max;
	int ret;

	max = vm_check_cap(vm, KVM_CAP_MAX_VCPUS);
	if (max && vm->cfg->cpus > max) {
		pr_err("--cpus: this host's KVM allows at most %u vCPUs", max);
		return -E2BIG;
	}
	vm->vcpus = calloc(vm->cfg->cpus, sizeof(*vm->vcpus));
	if (!vm->vcpus)
		return -ENOMEM;
	for (i = 0; i < vm->cfg->cpus; i++)
		vm->vcpus[i].fd = -1;
	vm->nr_vcpus = vm->cfg->cpus;

	for (i = 0; i < vm->nr_vcpus; i++) {
		ret = vcpu_create(vm, &vm->vcpus[i], i);
		if (ret)
			return ret;
	}
	return 0;
}

static void handle_system_event(struct vcpu *v)
{
	switch (v->run->system_event.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		pr_debug("vCPU %u: guest powered off", v->id);
		vm_request_stop(v->vm, VM_EXIT_POWEROFF);
		break;
	case KVM_SYSTEM_EVENT_RESET:
		pr_info("guest requested a reset; stopping (exit status %d)",
			VM_EXIT_RESET);
		vm_request_stop(v->vm, VM_EXIT_RESET);
		break;
	case KVM_SYSTEM_EVENT_CRASH:
		pr_info("guest reported a crash");
		vm_request_stop(v->vm, VM_EXIT_PANIC);
		break;
	default:
		pr_err("vCPU %u: unknown system event %u", v->id,
		       v->run->system_event.type);
		vm_request_stop(v->vm, VM_EXIT_ERROR);
		break;
	}
}

/* Returns false when the thread should stop running the guest. */
static bool handle_exit(struct vcpu *v)
{
	struct kvm_run *run = v->run;

	switch (run->exit_reason) {
	case KVM_EXIT_MMIO:
		STAT_ADD(v->exits.mmio, 1);
		if (run->mmio.len > sizeof(run->mmio.data))
			break;
		vm_handle_mmio(v->vm, run->mmio.phys_addr, run->mmio.data,
			       run->mmio.len, run->mmio.is_write);
		return true;
	case KVM_EXIT_SYSTEM_EVENT:
		STAT_ADD(v->exits.system_event, 1);
		handle_system_event(v);
		return false;
	case KVM_EXIT_INTR:
		STAT_ADD(v->exits.interrupted, 1);
		return true;
	case KVM_EXIT_FAIL_ENTRY:
		pr_err("vCPU %u: KVM could not enter the guest (hardware reason 0x%llx)",
		       v->id, (unsigned long long)
		       run->fail_entry.hardware_entry_failure_reason);
		vm_request_stop(v->vm, VM_EXIT_ERROR);
		return false;
	}
	STAT_ADD(v->exits.other, 1);
	pr_err("vCPU %u: unexpected KVM exit reason %u", v->id, run->exit_reason);
	vm_request_stop(v->vm, VM_EXIT_ERROR);
	return false;
}

static void report_run_error(struct vcpu *v, int err)
{
	if (err == ENOSYS)
		pr_err("vCPU %u: the guest made an MMIO access KVM cannot decode (e.g. a load/store pair to a device); stopping",
		       v->id);
	else
		pr_err("vCPU %u: KVM_RUN: %s", v->id, strerror(err));
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	char name[16];
	sigset_t kick;

	/* For top -H and /proc: which thread runs which vCPU. */
	snprintf(name, sizeof(name), "lkvm-vcpu%u", v->id);
	prctl(PR_SET_NAME, name);
	sigemptyset(&kick);
	sigaddset(&kick, VCPU_KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &kick, NULL);
	/* Before the guest runs: nothing it does reaches an unconfined thread. */
	if (v->vm->cfg->sandbox)
		v->sandbox_ret = sandbox_enter(SANDBOX_VCPU);
	sem_post(&v->vm->vcpus_up);
	if (v->sandbox_ret)
		return NULL;

	if (v->id == 0)
		stats_first_run(v->vm);
	while (!vm_stopping(v->vm)) {
		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				STAT_ADD(v->exits.interrupted, 1);
				continue;
			}
			report_run_error(v, errno);
			vm_request_stop(v->vm, VM_EXIT_ERROR);
			break;
		}
		if (!handle_exit(v))
			break;
	}
	return NULL;
}

int vcpus_start(struct vm *vm)
{
	struct sigaction sa = { .sa_handler = kick_handler };
	unsigned int i;
	int ret;

	/* No SA_RESTART: the kick must make KVM_RUN return -EINTR. */
	sigemptyset(&sa.sa_mask);
	if (sigaction(VCPU_KICK_SIGNAL, &sa, NULL) < 0)
		return -errno;
	for (i = 0; i < vm->nr_vcpus; i++) {
		ret = pthread_create(&vm->vcpus[i].thread, NULL, vcpu_thread,
				     &vm->vcpus[i]);
		if (ret) {
			pr_err("vCPU %u: cannot start its thread: %s", i, strerror(ret));
			return -ret;
		}
		vm->vcpus[i].started = true;
	}
	/*
	 * Return once every thread has confined itself (or failed to): the
	 * run goes on only with all of them in their sandbox.
	 */
	for (i = 0; i < vm->nr_vcpus; i++)
		while (sem_wait(&vm->vcpus_up) && errno == EINTR)
			;
	for (i = 0; i < vm->nr_vcpus; i++) {
		if (vm->vcpus[i].sandbox_ret) {
			sandbox_report(vm->vcpus[i].sandbox_ret);
			return -EPERM;
		}
	}
	return 0;
}

void vcpus_stop(struct vm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		if (!v->started)
			continue;
		__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
		pthread_kill(v->thread, VCPU_KICK_SIGNAL);
		pthread_join(v->thread, NULL);
		v->started = false;
	}
}

void vcpus_destroy(struct vm *vm)
{
	unsigned int i;

	vcpus_stop(vm);
	vm->coalesced_ring = NULL;	/* in vCPU 0's mapping, unmapped below */
	for (i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		if (v->run)
			munmap(v->run, vm->vcpu_mmap_size);
		if (v->fd >= 0)
			close(v->fd);
	}
	free(vm->vcpus);
	vm->vcpus = NULL;
	vm->nr_vcpus = 0;
}
