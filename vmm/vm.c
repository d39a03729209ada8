// SPDX-License-Identifier: GPL-2.0
/*
 * VM lifetime and the guest's address space, with raw KVM ioctls
 * (Documentation/virt/kvm/api.rst).
 */
#include "vmm/vm.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "arch/arm64/layout.h"
#include "vmm/log.h"
#include "vmm/mmio-ring.h"
#include "vmm/ram.h"
#include "vmm/sandbox.h"
#include "vmm/stats.h"

#define KVM_API_VERSION_EXPECTED	12
#define RAM_SLOT			0

struct required_cap {
	long cap;
	const char *name;
};

/* Each is used below; a host without one cannot run a guest here. */
static const struct required_cap required_caps[] = {
	{ KVM_CAP_USER_MEMORY,		"KVM_CAP_USER_MEMORY" },
	{ KVM_CAP_ONE_REG,		"KVM_CAP_ONE_REG" },
	{ KVM_CAP_ARM_PSCI_0_2,		"KVM_CAP_ARM_PSCI_0_2" },
	{ KVM_CAP_DEVICE_CTRL,		"KVM_CAP_DEVICE_CTRL" },
	{ KVM_CAP_IOEVENTFD,		"KVM_CAP_IOEVENTFD" },
	{ KVM_CAP_IRQFD,		"KVM_CAP_IRQFD" },
	{ KVM_CAP_IMMEDIATE_EXIT,	"KVM_CAP_IMMEDIATE_EXIT" },
};

int vm_check_cap(struct vm *vm, long cap)
{
	int ret = ioctl(vm->vm_fd >= 0 ? vm->vm_fd : vm->kvm_fd,
			KVM_CHECK_EXTENSION, cap);

	return ret < 0 ? 0 : ret;
}

static int open_kvm(struct vm *vm)
{
	int version;

	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		int err = errno;

		if (err == ENOENT)
			pr_err("/dev/kvm does not exist: this host has no KVM; boot an arm64 kernel with CONFIG_KVM at EL2");
		else
			pr_err("/dev/kvm: %s; run as root or join the kvm group",
			       strerror(err));
		return -err;
	}
	sandbox_allow_fd_ioctls(vm->kvm_fd, KVMIO);
	version = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (version != KVM_API_VERSION_EXPECTED) {
		pr_err("/dev/kvm speaks KVM API version %d, not %d; this kernel's KVM is not supported",
		       version, KVM_API_VERSION_EXPECTED);
		return -ENOTSUP;
	}
	return 0;
}

static int check_caps(struct vm *vm)
{
	unsigned int i;

	for (i = 0; i < sizeof(required_caps) / sizeof(required_caps[0]); i++) {
		if (!vm_check_cap(vm, required_caps[i].cap)) {
			pr_err("host KVM lacks %s, which this VMM needs; use a newer host kernel",
			       required_caps[i].name);
			return -ENOTSUP;
		}
	}
	return 0;
}

static int new_eventfd(void)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	return fd < 0 ? -errno : fd;
}

void vm_init(struct vm *vm, const struct vm_config *cfg)
{
	memset(vm, 0, sizeof(*vm));
	vm->cfg = cfg;
	vm->kvm_fd = vm->vm_fd = vm->gic_fd = vm->stop_fd = -1;
	pthread_mutex_init(&vm->coalesced_lock, NULL);
	vm->exit_reason = VM_RUNNING;
	vm->next_device_addr = ARM64_DEVICE_BASE;
	vm->next_passthrough_addr = ARM64_PASSTHROUGH_BASE;
	vm->next_spi = ARM64_SPI_FIRST;
	vm->next_slot = RAM_SLOT + 1;
	sem_init(&vm->vcpus_up, 0, 0);
}

int vm_create(struct vm *vm)
{
	int ret;

	ret = open_kvm(vm);
	if (ret)
		return ret;
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		ret = -errno;
		pr_err("KVM_CREATE_VM: %s", strerror(errno));
		return ret;
	}
	sandbox_allow_fd_ioctls(vm->vm_fd, KVMIO);
	ret = check_caps(vm);
	if (ret)
		return ret;
	vm->vcpu_mmap_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm->vcpu_mmap_size <= 0) {
		pr_err("KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
		return -EINVAL;
	}
	ret = new_eventfd();
	if (ret < 0) {
		pr_err("eventfd: %s", strerror(-ret));
		return ret;
	}
	vm->stop_fd = ret;
	/* vm_request_stop(), from any thread */
	sandbox_allow_fd(vm->stop_fd, SANDBOX_FD_WRITE, SANDBOX_EVERY_ROLE);
	return loop_init(&vm->loop, 64);
}

int vm_setup_ram(struct vm *vm, uint64_t size)
{
	struct kvm_userspace_memory_region region;
	int ipa_bits = vm_check_cap(vm, KVM_CAP_ARM_VM_IPA_SIZE);
	int ret;

	/* VM type 0 gives a 40-bit guest physical address space. */
	if (ipa_bits > 40 || !ipa_bits)
		ipa_bits = 40;
	if (ARM64_RAM_BASE + size > (1ull << ipa_bits)) {
		pr_err("--mem: %llu MiB does not fit the guest's %d-bit physical address space; use less",
		       (unsigned long long)(size >> 20), ipa_bits);
		return -E2BIG;
	}
	ret = ram_map(&vm->ram_backing, size, vm->cfg->hugetlbfs);
	if (ret)
		return ret;
	pr_debug("guest RAM: %llu MiB on %s pages of %llu KiB",
		 (unsigned long long)(size >> 20),
		 ram_backing_name(vm->ram_backing.backing),
		 (unsigned long long)(vm->ram_backing.page_size >> 10));
	vm->ram.host = vm->ram_backing.host;
	vm->ram.gpa = ARM64_RAM_BASE;
	vm->ram.size = size;

	region = (struct kvm_userspace_memory_region) {
		.slot = RAM_SLOT,
		.guest_phys_addr = ARM64_RAM_BASE,
		.memory_size = size,
		.userspace_addr = (uintptr_t)vm->ram.host,
	};
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
		int err = errno;

		pr_err("KVM_SET_USER_MEMORY_REGION for guest RAM: %s", strerror(err));
		return -err;
	}
	return 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void vm_destroy(struct vm *vm)
{
	/* Requests in flight point into device state: reap them first. */
	loop_exit(&vm->loop);
	vm_exit_devices(vm);
	stats_step(vm, "devices");
	close_fd(&vm->stop_fd);
	sem_destroy(&vm->vcpus_up);
	close_fd(&vm->gic_fd);
	close_fd(&vm->vm_fd);
	close_fd(&vm->kvm_fd);
	ram_unmap(&vm->ram_backing);
	vm->ram.host = NULL;
}

int vm_add_device(struct vm *vm, const struct dev_ops *ops, const void *cfg)
{
	struct device *dev;
	int ret;

	if (vm->nr_devices == VM_MAX_DEVICES) {
		pr_err("%s: too many devices (at most %d)", ops->name, VM_MAX_DEVICES);
		return -ENOSPC;
	}
	dev = &vm->devices[vm->nr_devices];
	*dev = (struct device) { .ops = ops, .cfg = cfg };
	ret = ops->init(vm, dev);
	if (ret) {
		ops->exit(vm, dev);
		return ret;
	}
	vm->nr_devices++;
	pr_debug("%s: ready", ops->name);
	return 0;
}

void vm_devices_stopped(struct vm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->nr_devices; i++)
		if (vm->devices[i].ops->stopped)
			vm->devices[i].ops->stopped(vm, &vm->devices[i]);
}

void vm_exit_devices(struct vm *vm)
{
	while (vm->nr_devices) {
		struct device *dev = &vm->devices[--vm->nr_devices];

		dev->ops->exit(vm, dev);
	}
}

int vm_register_mmio(struct vm *vm, uint64_t base, uint64_t size,
		     mmio_fn access, void *opaque, const char *name)
{
	unsigned int i;

	for (i = 0; i < vm->nr_mmio; i++) {
		const struct mmio_region *r = &vm->mmio[i];

		if (base < r->base + r->size && r->base < base + size)
			return -EEXIST;
	}
	if (vm->nr_mmio == VM_MAX_MMIO)
		return -ENOSPC;
	vm->mmio[vm->nr_mmio++] = (struct mmio_region) {
		.base = base, .size = size, .access = access, .opaque = opaque,
		.name = name,
	};
	return 0;
}

void vm_unregister_mmio(struct vm *vm, uint64_t base)
{
	unsigned int i;

	for (i = 0; i < vm->nr_mmio; i++) {
		if (vm->mmio[i].base == base) {
			vm->mmio[i] = vm->mmio[--vm->nr_mmio];
			return;
		}
	}
}

static struct mmio_region *find_region(struct vm *vm, uint64_t addr)
{
	unsigned int i;

	for (i = 0; i < vm->nr_mmio; i++) {
		struct mmio_region *r = &vm->mmio[i];

		if (addr >= r->base && addr - r->base < r->size)
			return r;
	}
	return NULL;
}

/* A write KVM kept in its ring, to its device now (coalesced_lock held). */
static void coalesced_write(void *opaque, uint64_t addr, const void *data, unsigned int len)
{
	struct vm *vm = opaque;
	struct mmio_region *r = find_region(vm, addr);
	uint8_t bytes[8];

	if (!r)
		return;		/* a zone outlived its region: nothing to tell */
	memcpy(bytes, data, len);
	r->access(r->opaque, addr - r->base, bytes, len, true);
}

static void drain_coalesced(struct vm *vm)
{
	struct kvm_coalesced_mmio_ring *ring = vm->coalesced_ring;
	unsigned int n;

	/* Most exits find the ring empty: no lock for them. */
	if (!ring || __atomic_load_n(&ring->first, __ATOMIC_RELAXED) ==
		     __atomic_load_n(&ring->last, __ATOMIC_ACQUIRE))
		return;
	pthread_mutex_lock(&vm->coalesced_lock);
	n = mmio_ring_drain(ring, vm->coalesced_capacity, coalesced_write, vm);
	pthread_mutex_unlock(&vm->coalesced_lock);
	STAT_ADD_SHARED(vm->coalesced_writes, n);
}

void vm_handle_mmio(struct vm *vm, uint64_t addr, void *data,
		    unsigned int len, bool is_write)
{
	struct mmio_region *r;

	/* A device sees the guest's writes in the order the guest made them. */
	drain_coalesced(vm);
	r = find_region(vm, addr);
	if (r) {
		STAT_ADD_SHARED(r->exits, 1);
		r->access(r->opaque, addr - r->base, data, len, is_write);
		return;
	}
	STAT_ADD_SHARED(vm->unassigned_exits, 1);

	/* Reads as zero, writes are dropped: what a bus with nothing there does. */
	if (!is_write)
		memset(data, 0, len);
	if (!__atomic_exchange_n(&vm->warned_unassigned, true, __ATOMIC_RELAXED))
		pr_warn("guest %s %u bytes at unassigned address 0x%llx (reads as 0, writes ignored; reported once)",
			is_write ? "wrote" : "read", len,
			(unsigned long long)addr);
}

void vm_find_coalesced_ring(struct vm *vm, void *run)
{
	long page = sysconf(_SC_PAGESIZE);
	int at = vm_check_cap(vm, KVM_CAP_COALESCED_MMIO);

	/* KVM's answer is the ring's page in the vCPU's mapping. */
	vm->coalesced_ring = NULL;
	if (at <= 0 || page <= 0 || (long)(at + 1) * page > vm->vcpu_mmap_size)
		return;
	vm->coalesced_ring = (struct kvm_coalesced_mmio_ring *)((char *)run + at * page);
	vm->coalesced_capacity = mmio_ring_capacity(page);
}

int vm_coalesce_mmio(struct vm *vm, uint64_t addr, uint32_t size, bool on)
{
	struct kvm_coalesced_mmio_zone zone = { .addr = addr, .size = size };

	if (!vm->coalesced_ring)
		return -EOPNOTSUPP;
	return ioctl(vm->vm_fd, on ? KVM_REGISTER_COALESCED_MMIO : KVM_UNREGISTER_COALESCED_MMIO,
		     &zone) < 0 ? -errno : 0;
}

uint64_t vm_alloc_device_addr(struct vm *vm)
{
	uint64_t addr = vm->next_device_addr;

	if (addr >= ARM64_DEVICE_BASE + ARM64_DEVICE_SIZE)
		return 0;
	vm->next_device_addr += ARM64_DEVICE_STRIDE;
	return addr;
}

int vm_alloc_spi(struct vm *vm)
{
	if (vm->next_spi >= ARM64_NR_IRQS - 32)
		return -1;
	return vm->next_spi++;
}

uint64_t vm_alloc_passthrough(struct vm *vm, uint64_t size, uint64_t align)
{
	uint64_t addr = (vm->next_passthrough_addr + align - 1) & ~(align - 1);
	uint64_t end = ARM64_PASSTHROUGH_BASE + ARM64_PASSTHROUGH_SIZE;

	if (addr > end || size > end - addr)
		return 0;
	vm->next_passthrough_addr = addr + size;
	return addr;
}

int vm_set_memslot(struct vm *vm, int slot, uint64_t gpa, uint64_t size,
		   void *host)
{
	struct kvm_userspace_memory_region region = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)host,
	};

	return ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0 ? -errno : 0;
}

int vm_add_memslot(struct vm *vm, uint64_t gpa, uint64_t size, void *host)
{
	int slot = vm->next_slot;
	int ret;

	if (slot >= vm_check_cap(vm, KVM_CAP_NR_MEMSLOTS))
		return -ENOSPC;
	ret = vm_set_memslot(vm, slot, gpa, size, host);
	if (ret)
		return ret;
	vm->next_slot++;
	return slot;
}

void vm_del_memslot(struct vm *vm, int slot, uint64_t gpa)
{
	/* Size 0 deletes the slot (api.rst, KVM_SET_USER_MEMORY_REGION). */
	vm_set_memslot(vm, slot, gpa, 0, NULL);
}

int vm_irq_line(struct vm *vm, unsigned int spi, bool level)
{
	/* arm64 encoding (api.rst, KVM_IRQ_LINE): type SPI, INTID = 32 + SPI. */
	struct kvm_irq_level irq = {
		.irq = (KVM_ARM_IRQ_TYPE_SPI << KVM_ARM_IRQ_TYPE_SHIFT) | (32 + spi),
		.level = level,
	};

	return ioctl(vm->vm_fd, KVM_IRQ_LINE, &irq) < 0 ? -errno : 0;
}

int vm_ioeventfd(struct vm *vm, uint64_t addr, unsigned int len,
		 uint64_t datamatch, int fd, bool assign)
{
	struct kvm_ioeventfd ioev = {
		.datamatch = datamatch,
		.addr = addr,
		.len = len,
		.fd = fd,
		.flags = KVM_IOEVENTFD_FLAG_DATAMATCH |
			 (assign ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN),
	};

	return ioctl(vm->vm_fd, KVM_IOEVENTFD, &ioev) < 0 ? -errno : 0;
}

/* KVM_IRQFD for @spi; with @resample_fd >= 0, the level-triggered kind. */
static int set_irqfd(struct vm *vm, unsigned int spi, int fd, int resample_fd,
		     bool assign)
{
	struct kvm_irqfd irqfd = {
		.fd = fd,
		.gsi = spi,	/* on arm64 the GSI is the SPI number */
	};

	if (!assign) {
		irqfd.flags = KVM_IRQFD_FLAG_DEASSIGN;
	} else if (resample_fd >= 0) {
		irqfd.flags = KVM_IRQFD_FLAG_RESAMPLE;
		irqfd.resamplefd = resample_fd;
	}
	return ioctl(vm->vm_fd, KVM_IRQFD, &irqfd) < 0 ? -errno : 0;
}

int vm_irqfd(struct vm *vm, unsigned int spi, int fd, bool assign)
{
	return set_irqfd(vm, spi, fd, -1, assign);
}

int vm_irqfd_resample(struct vm *vm, unsigned int spi, int fd,
		      int resample_fd, bool assign)
{
	return set_irqfd(vm, spi, fd, resample_fd, assign);
}

void vm_request_stop(struct vm *vm, enum vm_exit reason)
{
	int running = VM_RUNNING;
	uint64_t one = 1;

	if (!__atomic_compare_exchange_n(&vm->exit_reason, &running, reason,
					 false, __ATOMIC_SEQ_CST,
					 __ATOMIC_SEQ_CST))
		return;
	stats_stop_asked(vm);
	if (write(vm->stop_fd, &one, sizeof(one)) < 0)
		pr_warn("cannot wake the event loop: %s", strerror(errno));
}

bool vm_stopping(struct vm *vm)
{
	return __atomic_load_n(&vm->exit_reason, __ATOMIC_SEQ_CST) != VM_RUNNING;
}
