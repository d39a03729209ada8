/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The virtual machine: the KVM VM fd, guest RAM, the vCPUs, the in-kernel
 * interrupt controller, the devices and the guest's MMIO map. Everything
 * the VMM keeps about one guest hangs off struct vm.
 */
#ifndef LKVM_VMM_VM_H
#define LKVM_VMM_VM_H

#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "devices/device.h"
#include "vmm/config.h"
#include "vmm/gmem.h"
#include "vmm/loop.h"
#include "vmm/ram.h"
#include "vmm/stats.h"

#define VM_MAX_DEVICES		16
#define VM_MAX_MMIO		32

/* Why the guest stopped; the values are the process exit status. */
enum vm_exit {
	VM_RUNNING		= -1,
	VM_EXIT_POWEROFF	= 0,
	VM_EXIT_ERROR		= 1,
	VM_EXIT_USAGE		= 2,
	VM_EXIT_RESET		= 3,
	VM_EXIT_PANIC		= 4,
	VM_EXIT_TIMEOUT		= 5,
	VM_EXIT_STOPPED		= 6,
};

typedef void (*mmio_fn)(void *opaque, uint64_t off, void *data,
			unsigned int len, bool is_write);

struct mmio_region {
	uint64_t base, size;
	mmio_fn access;
	void *opaque;
	const char *name;	/* the device, for --stats */
	uint64_t exits;		/* guest accesses trapped to user space */
};

struct vcpu;
struct vfio_state;

struct vm {
	const struct vm_config *cfg;
	int kvm_fd;
	int vm_fd;
	int vcpu_mmap_size;
	struct gmem ram;
	struct ram_map ram_backing;	/* the host memory behind ram */
	int gic_fd;
	int gic_version;

	unsigned int nr_vcpus;
	struct vcpu *vcpus;
	sem_t vcpus_up;		/* posted by each vCPU thread once it runs */

	unsigned int nr_devices;
	struct device devices[VM_MAX_DEVICES];

	unsigned int nr_mmio;
	struct mmio_region mmio[VM_MAX_MMIO];
	bool warned_unassigned;
	/*
	 * KVM's coalesced MMIO ring (vmm/mmio-ring.h), in vCPU 0's mapping;
	 * NULL where KVM has none. Drained under coalesced_lock.
	 */
	struct kvm_coalesced_mmio_ring *coalesced_ring;
	uint32_t coalesced_capacity;
	pthread_mutex_t coalesced_lock;
	uint64_t coalesced_writes;	/* for --stats */
	/* The VFIO containers the passed-through devices share. */
	struct vfio_state *vfio;

	uint64_t next_device_addr;
	uint64_t next_passthrough_addr;
	unsigned int next_spi;
	unsigned int next_slot;

	struct loop loop;
	int stop_fd;		/* eventfd: a stop was requested */
	int exit_reason;	/* enum vm_exit, set once */
	uint64_t unassigned_exits;
	/* Times for --stats (CLOCK_MONOTONIC and process CPU, ns). */
	uint64_t t_start, cpu_first_run, t_first_run, t_stop, t_end;
	uint64_t t_teardown, cpu_teardown;	/* where tear-down is timed from */
	struct stats_steps startup, teardown;
	FILE *stats_out;	/* --stats: open from start-up, or NULL */
	char *stats_text;	/* what stats_collect() took */
	size_t stats_len;
};

/* Empty VM for @cfg, holding nothing yet: vm_destroy() is safe after it. */
void vm_init(struct vm *vm, const struct vm_config *cfg);
/* Open KVM, check the capabilities we rely on, create the VM and its loop. */
int vm_create(struct vm *vm);
/* Map guest RAM and give it to KVM. */
int vm_setup_ram(struct vm *vm, uint64_t size);
/* Tear down everything vm_create and later steps set up. Safe twice. */
void vm_destroy(struct vm *vm);

/* Register and initialise a device; on failure it is already cleaned up. */
int vm_add_device(struct vm *vm, const struct dev_ops *ops, const void *cfg);
/* The guest has stopped: let the devices finish (dev_ops.stopped). */
void vm_devices_stopped(struct vm *vm);
void vm_exit_devices(struct vm *vm);

/* Claim the guest range [base, base + size) for @access, on behalf of @name. */
int vm_register_mmio(struct vm *vm, uint64_t base, uint64_t size,
		     mmio_fn access, void *opaque, const char *name);
/* Give back the range registered at @base (no vCPU may be running). */
void vm_unregister_mmio(struct vm *vm, uint64_t base);
/*
 * Dispatch a trapped guest access (from a vCPU thread), after the writes
 * KVM coalesced before it.
 */
void vm_handle_mmio(struct vm *vm, uint64_t addr, void *data,
		    unsigned int len, bool is_write);
/* Find KVM's coalesced MMIO ring in @run, a vCPU's mapping of its kvm_run. */
void vm_find_coalesced_ring(struct vm *vm, void *run);
/*
 * Have KVM keep the guest's writes to [addr, addr + size) in its ring
 * instead of exiting (@on), or trap them again. Only for registers whose
 * writes need no effect before the guest's next trapped access: that is
 * when vm_handle_mmio() hands them to their device. -EOPNOTSUPP where KVM
 * has no ring; the writes then trap as before.
 */
int vm_coalesce_mmio(struct vm *vm, uint64_t addr, uint32_t size, bool on);

/* Allocate one page of the device window, and one SPI. 0 / -1 if spent. */
uint64_t vm_alloc_device_addr(struct vm *vm);
int vm_alloc_spi(struct vm *vm);
/*
 * Allocate @size bytes of the pass-through window, aligned to @align (a
 * power of two). Returns the guest address, or 0 when the window is full.
 */
uint64_t vm_alloc_passthrough(struct vm *vm, uint64_t size, uint64_t align);

/*
 * Map host memory at @host into the guest at @gpa as a new KVM memslot.
 * Returns the slot number (>= 0) or -errno.
 */
int vm_add_memslot(struct vm *vm, uint64_t gpa, uint64_t size, void *host);
/* Remove a memslot added by vm_add_memslot(). */
void vm_del_memslot(struct vm *vm, int slot, uint64_t gpa);
/*
 * Set @slot to map @size bytes at @host into the guest at @gpa, or remove
 * it (@size 0): to take a slot away and put it back while vCPUs run.
 */
int vm_set_memslot(struct vm *vm, int slot, uint64_t gpa, uint64_t size,
		   void *host);

/* KVM eventfd wiring. @assign false undoes a previous call. */
int vm_ioeventfd(struct vm *vm, uint64_t addr, unsigned int len,
		 uint64_t datamatch, int fd, bool assign);
int vm_irqfd(struct vm *vm, unsigned int spi, int fd, bool assign);
/*
 * A level-triggered irqfd: KVM raises @spi on @fd and, once the guest
 * has EOIed it, lowers the line and signals @resample_fd.
 */
int vm_irqfd_resample(struct vm *vm, unsigned int spi, int fd,
		      int resample_fd, bool assign);

/* Drive the line of @spi (KVM_IRQ_LINE): an interrupt the VMM delivers. */
int vm_irq_line(struct vm *vm, unsigned int spi, bool level);

/* Ask the VM to stop for @reason; the first request wins. Thread-safe. */
void vm_request_stop(struct vm *vm, enum vm_exit reason);
bool vm_stopping(struct vm *vm);

/* Whether KVM offers capability @cap on this VM. */
int vm_check_cap(struct vm *vm, long cap);

#endif
