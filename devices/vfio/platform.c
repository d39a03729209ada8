// SPDX-License-Identifier: GPL-2.0
/*
 * VFIO platform/AMBA pass-through. Order in: bind the host device to its
 * VFIO driver, container and group, device fd, reset, then per region
 * mmap -> memslot (or trap), per IRQ eventfds -> VFIO -> irqfd. Order
 * out is the reverse, ending with the host binding put back.
 *
 * Interrupts normally never reach the VMM: KVM raises the guest's SPI from
 * VFIO's eventfd, and for a level interrupt signals VFIO's unmask eventfd
 * when the guest EOIs it (irqfd resample). Without that (irqfd=off, or a
 * KVM without KVM_CAP_IRQFD_RESAMPLE) the event loop delivers them, and
 * since user space learns nothing of the guest's EOI, the guest's
 * accesses to the device stand for it: while a level interrupt is masked
 * at VFIO the device's mapped regions are taken out of the guest, so
 * they trap. The first access lowers the guest's line (its handler has
 * the interrupt); the first write, which is how handlers usually clear
 * the cause, unmasks the host interrupt, and so does a short timer for
 * handlers that only read. If the device still asks, its interrupt
 * fires again at once: a level interrupt is never lost, at worst the
 * guest sees one it finds nothing to do for.
 */
#include "devices/vfio/platform.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>
#include <linux/vfio.h>

#include "devices/backend/gpio-cdev.h"
#include "devices/vfio/bind.h"
#include "devices/vfio/container.h"
#include "fdt/dt.h"
#include "fdt/host-node.h"
#include "vmm/config.h"
#include "vmm/log.h"
#include "vmm/loop.h"
#include "vmm/sandbox.h"
#include "vmm/stats.h"
#include "vmm/vm.h"

#define VFIO_MAX_REGIONS	HOST_NODE_MAX_REGS
#define VFIO_MAX_IRQS		HOST_NODE_MAX_IRQS
#define PAGE_SIZE_4K		4096ull
/* How long the regions stay trapped after the guest served an interrupt. */
#define REMAP_DELAY_NS		10000000

struct vfio_region {
	struct vfio_platform *vp;
	unsigned int index;
	uint64_t size;		/* as VFIO reports it */
	uint64_t offset;	/* of the region in the device fd */
	uint64_t gpa;		/* where the guest sees it */
	void *map;		/* mmap of the region, NULL when trapped */
	uint64_t map_len;
	int slot;		/* KVM memslot, -1 when trapped */
	bool trapped;
	bool mmio_registered;	/* accesses that exit come to region_access() */
};

struct vfio_irq {
	struct vfio_platform *vp;
	unsigned int index;
	int spi;
	bool level;
	bool from_vmm;		/* the event loop delivers it, not KVM */
	bool masked;		/* from_vmm, level: masked at VFIO */
	bool pending;		/* from_vmm, level: the guest's line is high */
	int trigger_fd;		/* VFIO signals the interrupt here */
	int unmask_fd;		/* KVM signals guest EOI here (level only) */
	bool irqfd_assigned;
	bool vfio_assigned;
	struct loop_op op;	/* from_vmm: waiting on trigger_fd */
	uint64_t count;
	uint64_t raised;	/* from_vmm: times the VMM raised it */
};

struct vfio_platform {
	struct vm *vm;
	const struct passthrough_cfg *cfg;
	struct vfio_binding bind;
	struct vfio_group_ref *group;
	int device_fd;
	uint32_t flags;
	unsigned int nr_regions;
	struct vfio_region regions[VFIO_MAX_REGIONS];
	unsigned int nr_irqs;
	struct vfio_irq irqs[VFIO_MAX_IRQS];
	char of_node[PATH_MAX];
	bool warned_access;
	char host_irq_tag[160];		/* its handlers' name, "(...)" */
	int64_t host_irqs_at_start;	/* for --stats; -1: not in /proc */

	/* Interrupts the VMM delivers (see the top of the file). */
	bool level_from_vmm;		/* it has any */
	pthread_mutex_t irq_lock;	/* the loop's raising vs. vCPU accesses */
	unsigned int nr_masked;
	bool regions_out;		/* mapped regions taken out of the guest */
	bool warned_remap;
	struct loop_timer remap;	/* unmasks, and maps regions back */
};

static const char *vp_name(const struct vfio_platform *vp)
{
	return vp->bind.name[0] ? vp->bind.name : vp->cfg->dev;
}

/* --- container, group, device ---------------------------------------- */

static int open_group(struct vfio_platform *vp)
{
	int group = vfio_bind_group(&vp->bind);

	if (group < 0) {
		pr_err("--passthrough %s: bound to %s but in no IOMMU group; enable no-IOMMU mode (vfio.enable_unsafe_noiommu_mode=1)",
		       vp_name(vp), vp->bind.vfio_driver);
		return -ENOENT;
	}
	return vfio_group_get(vp->vm, vp_name(vp), group, &vp->group);
}

static int open_device(struct vfio_platform *vp)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };

	vp->device_fd = ioctl(vp->group->fd, VFIO_GROUP_GET_DEVICE_FD, vp->bind.name);
	if (vp->device_fd < 0) {
		int err = errno;

		if (err == EBUSY)
			pr_err("--passthrough %s: device busy: another VMM has it open",
			       vp_name(vp));
		else
			pr_err("--passthrough %s: VFIO_GROUP_GET_DEVICE_FD: %s",
			       vp_name(vp), strerror(err));
		return -err;
	}
	sandbox_allow_fd_ioctls(vp->device_fd, VFIO_TYPE);
	/* region_access(), from the vCPU threads */
	sandbox_allow_fd(vp->device_fd, SANDBOX_FD_REGS, SANDBOX_ROLE(SANDBOX_VCPU));
	if (ioctl(vp->device_fd, VFIO_DEVICE_GET_INFO, &info) < 0) {
		int err = errno;

		pr_err("--passthrough %s: VFIO_DEVICE_GET_INFO: %s", vp_name(vp),
		       strerror(err));
		return -err;
	}
	if (!(info.flags & (VFIO_DEVICE_FLAGS_PLATFORM | VFIO_DEVICE_FLAGS_AMBA))) {
		pr_err("--passthrough %s: not a platform or AMBA device", vp_name(vp));
		return -ENODEV;
	}
	if (info.num_regions > VFIO_MAX_REGIONS || info.num_irqs > VFIO_MAX_IRQS) {
		pr_err("--passthrough %s: %u regions and %u interrupts; at most %d of each are supported",
		       vp_name(vp), info.num_regions, info.num_irqs, VFIO_MAX_REGIONS);
		return -E2BIG;
	}
	vp->flags = info.flags;
	vp->nr_regions = info.num_regions;
	vp->nr_irqs = info.num_irqs;
	return 0;
}

static void reset_device(struct vfio_platform *vp)
{
	if (vp->device_fd >= 0 && (vp->flags & VFIO_DEVICE_FLAGS_RESET) &&
	    ioctl(vp->device_fd, VFIO_DEVICE_RESET) < 0)
		pr_warn("%s: VFIO_DEVICE_RESET: %s", vp_name(vp), strerror(errno));
}

/* --- the host DT node ------------------------------------------------ */

static int find_of_node(struct vfio_platform *vp)
{
	char link[PATH_MAX + 16];

	snprintf(link, sizeof(link), "%s/of_node", vp->bind.dev_path);
	if (!realpath(link, vp->of_node)) {
		pr_err("--passthrough %s: it has no device tree node (%s); only DT-described devices can be passed through",
		       vp_name(vp), link);
		return -ENOENT;
	}
	return 0;
}

/* The offset within its page of the host's region @index (0 if unknown). */
static uint64_t host_page_offset(const struct vfio_platform *vp, unsigned int index)
{
	uint64_t addr, size;

	if (host_node_reg(vp->of_node, index, &addr, &size))
		return 0;
	return addr & (PAGE_SIZE_4K - 1);
}

static void user_irqs_served(struct vfio_platform *vp, bool is_write);

/* --- regions --------------------------------------------------------- */

/* Trapped access: forward it to the device at the same offset. */
static void region_access(void *opaque, uint64_t off, void *data,
			  unsigned int len, bool is_write)
{
	struct vfio_region *r = opaque;
	struct vfio_platform *vp = r->vp;
	ssize_t n;

	if (off >= r->size || len > r->size - off) {
		n = -1;
		errno = ERANGE;
	} else if (is_write) {
		n = pwrite(vp->device_fd, data, len, r->offset + off);
	} else {
		n = pread(vp->device_fd, data, len, r->offset + off);
	}
	if (n != (ssize_t)len) {
		if (!is_write)
			memset(data, 0xff, len);	/* what a bus error reads as */
		if (!vp->warned_access)
			pr_warn("%s: guest %s of %u bytes at offset 0x%llx failed (%s); reads give all ones, writes are dropped (reported once)",
				vp_name(vp), is_write ? "write" : "read", len,
				(unsigned long long)off, n < 0 ? strerror(errno) : "short");
		vp->warned_access = true;
	}
	if (vp->level_from_vmm) {
		pthread_mutex_lock(&vp->irq_lock);
		if (vp->nr_masked)
			user_irqs_served(vp, is_write);
		pthread_mutex_unlock(&vp->irq_lock);
	}
}

static bool mmap_allowed(const struct vfio_platform *vp,
			 const struct vfio_region_info *info)
{
	return !vp->cfg->no_mmap && (info->flags & VFIO_REGION_INFO_FLAG_MMAP) &&
	       !(info->size & (PAGE_SIZE_4K - 1)) && info->size;
}

static int map_region(struct vfio_platform *vp, struct vfio_region *r,
		      const struct vfio_region_info *info)
{
	int prot = 0, slot;

	if (info->flags & VFIO_REGION_INFO_FLAG_READ)
		prot |= PROT_READ;
	if (info->flags & VFIO_REGION_INFO_FLAG_WRITE)
		prot |= PROT_WRITE;
	r->map = mmap(NULL, info->size, prot, MAP_SHARED, vp->device_fd, info->offset);
	if (r->map == MAP_FAILED) {
		r->map = NULL;
		return -errno;
	}
	r->map_len = info->size;
	slot = vm_add_memslot(vp->vm, r->gpa, r->map_len, r->map);
	if (slot < 0)
		return slot;
	r->slot = slot;
	return 0;
}

/* Guest accesses to @r that exit come to region_access(). */
static int register_region(struct vfio_platform *vp, struct vfio_region *r)
{
	int ret = vm_register_mmio(vp->vm, r->gpa, r->size, region_access, r,
				   vp->bind.name);

	r->mmio_registered = !ret;
	return ret;
}

static int setup_region(struct vfio_platform *vp, unsigned int index)
{
	struct vfio_region_info info = { .argsz = sizeof(info), .index = index };
	struct vfio_region *r = &vp->regions[index];
	uint64_t span;
	int ret;

	r->vp = vp;
	r->index = index;
	if (ioctl(vp->device_fd, VFIO_DEVICE_GET_REGION_INFO, &info) < 0) {
		ret = -errno;
		pr_err("--passthrough %s: region %u: %s", vp_name(vp), index, strerror(errno));
		return ret;
	}
	r->size = info.size;
	r->offset = info.offset;
	r->trapped = !mmap_allowed(vp, &info);
	/* A trapped region keeps its offset within the page, as on the host. */
	span = (r->trapped ? host_page_offset(vp, index) : 0) + info.size;
	r->gpa = vm_alloc_passthrough(vp->vm, (span + PAGE_SIZE_4K - 1) & ~(PAGE_SIZE_4K - 1),
				      PAGE_SIZE_4K);
	if (!r->gpa) {
		pr_err("--passthrough %s: region %u (0x%llx bytes) does not fit the guest's pass-through window",
		       vp_name(vp), index, (unsigned long long)info.size);
		return -ENOSPC;
	}
	r->gpa += span - info.size;

	if (r->trapped)
		ret = register_region(vp, r);
	else
		ret = map_region(vp, r, &info);
	if (ret) {
		pr_err("--passthrough %s: region %u: %s: %s", vp_name(vp), index,
		       r->trapped ? "trapping it" : "mapping it", strerror(-ret));
		return ret;
	}
	pr_debug("%s: region %u: 0x%llx bytes at guest 0x%llx, %s", vp_name(vp), index,
		 (unsigned long long)r->size, (unsigned long long)r->gpa,
		 r->trapped ? "trapped" : "mapped");
	return 0;
}

static void teardown_region(struct vfio_platform *vp, struct vfio_region *r)
{
	if (r->mmio_registered)
		vm_unregister_mmio(vp->vm, r->gpa);
	r->mmio_registered = false;
	if (r->slot >= 0)
		vm_del_memslot(vp->vm, r->slot, r->gpa);
	r->slot = -1;
	if (r->map)
		munmap(r->map, r->map_len);
	r->map = NULL;
}

/* --- interrupts ------------------------------------------------------ */

static int set_irq_eventfd(struct vfio_platform *vp, unsigned int index,
			   uint32_t action, int fd)
{
	char buf[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
	struct vfio_irq_set *set = (struct vfio_irq_set *)buf;
	int32_t fd32 = fd;

	set->argsz = sizeof(buf);
	set->flags = VFIO_IRQ_SET_DATA_EVENTFD | action;
	set->index = index;
	set->start = 0;
	set->count = 1;
	memcpy(set->data, &fd32, sizeof(fd32));
	return ioctl(vp->device_fd, VFIO_DEVICE_SET_IRQS, set) < 0 ? -errno : 0;
}

static int new_eventfd(void)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	return fd < 0 ? -errno : fd;
}

static int unmask_irq(struct vfio_platform *vp, unsigned int index)
{
	struct vfio_irq_set set = {
		.argsz = sizeof(set),
		.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK,
		.index = index,
		.count = 1,
	};

	return ioctl(vp->device_fd, VFIO_DEVICE_SET_IRQS, &set) < 0 ? -errno : 0;
}

/* Take the mapped regions out of the guest, or put them back (irq_lock held). */
static void map_regions(struct vfio_platform *vp, bool mapped)
{
	unsigned int i;
	int ret;

	if (vp->regions_out != mapped)
		return;
	for (i = 0; i < vp->nr_regions; i++) {
		struct vfio_region *r = &vp->regions[i];

		if (r->slot < 0)
			continue;
		ret = vm_set_memslot(vp->vm, r->slot, r->gpa, mapped ? r->map_len : 0,
				     r->map);
		/* A region left out still works, trapped. */
		if (ret && !vp->warned_remap)
			pr_warn("%s: region %u: %s it: %s (reported once)", vp_name(vp), i,
				mapped ? "mapping" : "unmapping", strerror(-ret));
		vp->warned_remap |= ret != 0;
	}
	vp->regions_out = !mapped;
}

/* Unmask @irq at VFIO: the host interrupt can fire again (irq_lock held). */
static void user_irq_unmask(struct vfio_platform *vp, struct vfio_irq *irq)
{
	int ret = unmask_irq(vp, irq->index);

	if (ret)
		pr_warn("%s: interrupt %u: VFIO cannot unmask it: %s", vp_name(vp),
			irq->index, strerror(-ret));
	irq->masked = false;
	vp->nr_masked--;
}

/*
 * The guest touched the device while a level interrupt of it was masked
 * (see the top of the file): lower the lines; on a write, unmask; and
 * have the timer finish the job (irq_lock held). The timer runs from the
 * first such access, not the last: a guest that keeps polling the device
 * must not keep its interrupt masked.
 */
static void user_irqs_served(struct vfio_platform *vp, bool is_write)
{
	bool timer = loop_timer_arm(&vp->remap, REMAP_DELAY_NS);
	unsigned int i;

	for (i = 0; i < vp->nr_irqs; i++) {
		struct vfio_irq *irq = &vp->irqs[i];

		if (irq->pending) {
			irq->pending = false;
			vm_irq_line(vp->vm, irq->spi, false);
		}
		if (irq->masked && (is_write || !timer))
			user_irq_unmask(vp, irq);
	}
	if (!timer && !vp->nr_masked)
		map_regions(vp, true);
}

static void wait_user_irq(struct vfio_irq *irq);

/* The event loop: VFIO signalled an interrupt the VMM delivers. */
static void user_irq_fired(struct loop_op *op, int res)
{
	struct vfio_irq *irq = (struct vfio_irq *)((char *)op -
				offsetof(struct vfio_irq, op));
	struct vfio_platform *vp = irq->vp;

	if (res < 0 && res != -EINTR && res != -EAGAIN) {
		pr_warn("%s: interrupt %u: waiting for it: %s; the guest gets no more of it",
			vp_name(vp), irq->index, strerror(-res));
		return;
	}
	pthread_mutex_lock(&vp->irq_lock);
	if (res > 0 && !irq->level) {
		/* A pulse: the guest's edge-triggered SPI latches it. */
		vm_irq_line(vp->vm, irq->spi, true);
		vm_irq_line(vp->vm, irq->spi, false);
		STAT_ADD(irq->raised, 1);
	} else if (res > 0 && !irq->masked) {
		/* Regions out first, so the handler's first access traps. */
		map_regions(vp, false);
		irq->masked = irq->pending = true;
		vp->nr_masked++;
		vm_irq_line(vp->vm, irq->spi, true);
		STAT_ADD(irq->raised, 1);
	}
	pthread_mutex_unlock(&vp->irq_lock);
	wait_user_irq(irq);
}

static void wait_user_irq(struct vfio_irq *irq)
{
	if (loop_read(&irq->vp->vm->loop, &irq->op, irq->trigger_fd, &irq->count,
		      sizeof(irq->count)) < 0)
		pr_warn("%s: interrupt %u: cannot wait for it; the guest gets no more of it",
			vp_name(irq->vp), irq->index);
}

/*
 * The event loop, a while after the guest first touched the device with
 * an interrupt masked: unmask those its handler has taken, and put the
 * regions back once none is left masked.
 */
static void remap_due(struct loop_op *op, int res)
{
	struct vfio_platform *vp = (struct vfio_platform *)((char *)op -
				   offsetof(struct vfio_platform, remap.op));
	unsigned int i;

	pthread_mutex_lock(&vp->irq_lock);
	for (i = 0; i < vp->nr_irqs; i++)
		if (vp->irqs[i].masked && !vp->irqs[i].pending)
			user_irq_unmask(vp, &vp->irqs[i]);
	if (!vp->nr_masked)
		map_regions(vp, true);
	loop_timer_rewait(&vp->vm->loop, &vp->remap, res);
	pthread_mutex_unlock(&vp->irq_lock);
}

/*
 * Once the device is set up: the event loop starts waiting for the
 * interrupts the VMM delivers and, if any is level-triggered, for the
 * timer, and the mapped regions get trap handlers for while they are out
 * of the guest. Nothing is queued on the loop before, so a failed set-up
 * leaves no request behind pointing into the device.
 */
static int start_user_irqs(struct vfio_platform *vp)
{
	unsigned int i;
	int ret;

	if (vp->level_from_vmm) {
		for (i = 0; i < vp->nr_regions; i++) {
			if (vp->regions[i].trapped)
				continue;
			ret = register_region(vp, &vp->regions[i]);
			if (ret) {
				pr_err("--passthrough %s: region %u: trapping it while an interrupt is pending: %s",
				       vp_name(vp), i, strerror(-ret));
				return ret;
			}
		}
		/* Without the timer, what it does happens at each access instead. */
		loop_timer_init(&vp->remap, remap_due);
		loop_timer_wait(&vp->vm->loop, &vp->remap);
	}
	for (i = 0; i < vp->nr_irqs; i++)
		if (vp->irqs[i].from_vmm)
			wait_user_irq(&vp->irqs[i]);
	return 0;
}

/* How @irq reaches the guest, as --stats names it (docs/stats.schema.json). */
static const char *irq_delivery(const struct vfio_irq *irq)
{
	if (irq->from_vmm)
		return "vmm-loop";
	return irq->level ? "irqfd-resample" : "irqfd";
}

/*
 * KVM raises @irq's SPI from its trigger eventfd; for a level interrupt it
 * also signals an unmask eventfd when the guest EOIs it (irqfd resample).
 */
static int wire_irqfd(struct vfio_platform *vp, struct vfio_irq *irq)
{
	int ret;

	if (irq->level) {
		ret = new_eventfd();
		if (ret < 0)
			return ret;
		irq->unmask_fd = ret;
		ret = vm_irqfd_resample(vp->vm, irq->spi, irq->trigger_fd,
					irq->unmask_fd, true);
	} else {
		ret = vm_irqfd(vp->vm, irq->spi, irq->trigger_fd, true);
	}
	if (ret) {
		pr_err("--passthrough %s: interrupt %u: KVM_IRQFD: %s", vp_name(vp),
		       irq->index, strerror(-ret));
		return ret;
	}
	irq->irqfd_assigned = true;
	return 0;
}

static int setup_irq(struct vfio_platform *vp, unsigned int index)
{
	struct vfio_irq_info info = { .argsz = sizeof(info), .index = index };
	struct vfio_irq *irq = &vp->irqs[index];
	int ret;

	irq->index = index;
	if (ioctl(vp->device_fd, VFIO_DEVICE_GET_IRQ_INFO, &info) < 0) {
		ret = -errno;
		pr_err("--passthrough %s: interrupt %u: %s", vp_name(vp), index, strerror(errno));
		return ret;
	}
	if (!(info.flags & VFIO_IRQ_INFO_EVENTFD) || info.count != 1) {
		pr_err("--passthrough %s: interrupt %u cannot be signalled through an eventfd",
		       vp_name(vp), index);
		return -ENOTSUP;
	}
	irq->level = info.flags & VFIO_IRQ_INFO_AUTOMASKED;
	irq->spi = vm_alloc_spi(vp->vm);
	if (irq->spi < 0) {
		pr_err("--passthrough %s: no guest interrupt left", vp_name(vp));
		return -ENOSPC;
	}
	irq->from_vmm = vp->cfg->no_irqfd ||
			(irq->level && !vm_check_cap(vp->vm, KVM_CAP_IRQFD_RESAMPLE));

	ret = new_eventfd();
	if (ret < 0)
		return ret;
	irq->trigger_fd = ret;
	if (irq->from_vmm) {
		if (!vp->cfg->no_irqfd)
			pr_warn("%s: interrupt %u: this host's KVM lacks KVM_CAP_IRQFD_RESAMPLE; the VMM delivers it, waking for each one",
				vp_name(vp), index);
		vp->level_from_vmm |= irq->level;
	} else {
		ret = wire_irqfd(vp, irq);
		if (ret)
			return ret;
	}

	ret = set_irq_eventfd(vp, index, VFIO_IRQ_SET_ACTION_TRIGGER, irq->trigger_fd);
	if (ret == -EINVAL) {
		/*
		 * What this has been seen to mean: the host driver left a
		 * chained handler behind (pl061 does) and the host kernel
		 * lacks the genirq fix that gives the interrupt back.
		 */
		pr_err("--passthrough %s: interrupt %u: VFIO cannot request it (%s); the host kernel most likely lacks the genirq patch of the host series (host/patches/0002), which devices whose host driver used a chained handler need",
		       vp_name(vp), index, strerror(-ret));
		return ret;
	}
	if (ret) {
		pr_err("--passthrough %s: interrupt %u: VFIO cannot signal it (%s); the host kernel log may say why",
		       vp_name(vp), index, strerror(-ret));
		return ret;
	}
	irq->vfio_assigned = true;
	/* Only a level interrupt KVM delivers has an unmask eventfd. */
	ret = irq->unmask_fd >= 0 ?
	      set_irq_eventfd(vp, index, VFIO_IRQ_SET_ACTION_UNMASK, irq->unmask_fd) : 0;
	if (ret) {
		pr_err("--passthrough %s: interrupt %u: VFIO cannot unmask it from an eventfd (%s)",
		       vp_name(vp), index, strerror(-ret));
		return ret;
	}
	pr_debug("%s: interrupt %u -> guest SPI %d (%s, %s)", vp_name(vp), index,
		 irq->spi, irq->level ? "level" : "edge", irq_delivery(irq));
	return 0;
}

static void teardown_irq(struct vfio_platform *vp, struct vfio_irq *irq)
{
	if (irq->vfio_assigned)
		set_irq_eventfd(vp, irq->index, VFIO_IRQ_SET_ACTION_TRIGGER, -1);
	irq->vfio_assigned = false;
	if (irq->irqfd_assigned) {
		if (irq->level)
			vm_irqfd_resample(vp->vm, irq->spi, irq->trigger_fd, irq->unmask_fd, false);
		else
			vm_irqfd(vp->vm, irq->spi, irq->trigger_fd, false);
	}
	irq->irqfd_assigned = false;
	if (irq->unmask_fd >= 0)
		close(irq->unmask_fd);
	if (irq->trigger_fd >= 0)
		close(irq->trigger_fd);
	irq->unmask_fd = irq->trigger_fd = -1;
}

/* --- device ops ------------------------------------------------------ */

/*
 * Note the name VFIO gives the device's interrupt handlers: the device's own
 * for vfio-platform, "vfio-amba-<peripheral id>" for vfio-amba.
 */
static void host_irq_tag(struct vfio_platform *vp)
{
	char *tag = vp->host_irq_tag;
	size_t size = sizeof(vp->host_irq_tag);
	char path[PATH_MAX + 8], id[32] = "";
	FILE *f;

	snprintf(tag, size, "(%s)", vp->bind.name);
	if (strcmp(vp->bind.bus, "amba"))
		return;
	snprintf(path, sizeof(path), "%s/id", vp->bind.dev_path);
	f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(id, sizeof(id), f))
		snprintf(tag, size, "(vfio-amba-%08lx)", strtoul(id, NULL, 16));
	fclose(f);
}

/*
 * How many times the host took the device's interrupts so far: the counts
 * of its "vfio-irq[N](...)" lines in /proc/interrupts (VFIO's handlers),
 * which are the interrupts KVM forwarded without the VMM seeing them.
 * Returns -1 if there is no such line.
 */
static int64_t host_irq_count(const struct vfio_platform *vp)
{
	char line[1024];
	int64_t total = -1;
	FILE *f = fopen("/proc/interrupts", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = strchr(line, ':'), *end;
		unsigned long long n;

		if (!p || !strstr(line, "vfio-irq[") || !strstr(line, vp->host_irq_tag))
			continue;
		if (total < 0)
			total = 0;
		/* One count per CPU after "NN:", then the chip's name. */
		for (p++;; p = end) {
			n = strtoull(p, &end, 10);
			if (end == p)
				break;
			total += n;
		}
	}
	fclose(f);
	return total;
}

/* The restore at exit writes the attributes the binding holds, from the loop. */
static void allow_restore_writes(struct vfio_platform *vp)
{
	unsigned int i;

	for (i = 0; i < VFIO_BIND_NR_ATTRS; i++)
		sandbox_allow_fd(vp->bind.attr_fd[i], SANDBOX_FD_WRITE,
				 SANDBOX_ROLE(SANDBOX_LOOP));
}

/*
 * A GPIO controller taken from its driver takes its lines from whatever
 * on the host uses them (gpio-keys, gpio-leds, a sysfs export), which
 * the kernel does not refuse: it warns, and those drivers break. Refuse
 * first, naming the holder and the other way (--gpio lends lines alone).
 */
static int check_no_line_held(struct vfio_platform *vp)
{
	struct gpio_cdev_held held;
	int ret;

	ret = gpio_cdev_find_held(vp->bind.dev_path, "/dev", &held);
	/* A user who may not read the lines may not rebind either: that says why. */
	if (ret == -EACCES || ret == -EPERM)
		return 0;
	if (ret < 0) {
		pr_err("--passthrough %s: cannot read its GPIO lines to see whether the host uses them: %s",
		       vp_name(vp), strerror(-ret));
		return ret;
	}
	if (!ret)
		return 0;
	pr_err("--passthrough %s: %s line %u%s%s%s is held on the host by '%s'; free it there first (its driver or device-tree node), or lend the free lines with --gpio %s:LINES",
	       vp_name(vp), held.chip, held.offset, held.name[0] ? " (" : "",
	       held.name, held.name[0] ? ")" : "",
	       held.consumer[0] ? held.consumer : "an unnamed consumer",
	       vp_name(vp));
	return -EBUSY;
}

/* bind=keep: the device must be VFIO's already, or nothing below can work. */
static int check_kept_binding(struct vfio_platform *vp)
{
	char drv[64];

	if (vfio_bind_current(&vp->bind, drv, sizeof(drv)))
		drv[0] = '\0';
	if (!strcmp(drv, vp->bind.vfio_driver))
		return 0;
	pr_err("--passthrough %s,bind=keep: it is bound to %s, not %s; bind it to %s first (docs/host-kernel.md), or drop bind=keep and lkvm-rcar will",
	       vp_name(vp), drv[0] ? drv : "no driver", vp->bind.vfio_driver,
	       vp->bind.vfio_driver);
	return -EINVAL;
}

static int vfio_platform_setup(struct vfio_platform *vp)
{
	unsigned int i;
	int ret;

	ret = vfio_bind_find(&vp->bind, "/sys", VFIO_BIND_STATE_DIR, vp->cfg->dev);
	if (ret)
		pr_err("--passthrough %s: no such device on the platform or AMBA bus (see /sys/bus/platform/devices)",
		       vp->cfg->dev);
	if (!ret)
		ret = find_of_node(vp);
	/* Before the binding changes: a host without VFIO leaves it alone. */
	if (!ret)
		ret = vfio_container_probe(vp->vm, vp_name(vp));
	if (!ret && !vp->cfg->keep_binding)
		ret = check_no_line_held(vp);
	if (!ret && vp->cfg->keep_binding)
		ret = check_kept_binding(vp);
	if (!ret && !vp->cfg->keep_binding)
		ret = vfio_bind(&vp->bind);
	if (!ret)
		allow_restore_writes(vp);
	if (!ret)
		ret = open_group(vp);
	if (!ret)
		ret = open_device(vp);
	if (ret)
		return ret;
	reset_device(vp);
	for (i = 0; !ret && i < vp->nr_regions; i++)
		ret = setup_region(vp, i);
	for (i = 0; !ret && i < vp->nr_irqs; i++)
		ret = setup_irq(vp, i);
	if (!ret)
		ret = start_user_irqs(vp);
	/* Only --stats reports what the host forwarded: no /proc reading without. */
	if (!ret && vp->vm->cfg->stats) {
		host_irq_tag(vp);
		vp->host_irqs_at_start = host_irq_count(vp);
	}
	/* Said once all went well: a failure is one line, and the binding is back. */
	if (!ret && vp->bind.changed && vp->bind.orig_driver[0])
		pr_info("%s: taken from %s for the guest (given back at exit)",
			vp->bind.name, vp->bind.orig_driver);
	return ret;
}

static int vfio_platform_init(struct vm *vm, struct device *dev)
{
	struct vfio_platform *vp = calloc(1, sizeof(*vp));
	unsigned int i;

	if (!vp)
		return -ENOMEM;
	dev->priv = vp;
	vp->vm = vm;
	vp->cfg = dev->cfg;
	vp->device_fd = -1;
	for (i = 0; i < VFIO_MAX_REGIONS; i++)
		vp->regions[i].slot = -1;
	for (i = 0; i < VFIO_MAX_IRQS; i++) {
		vp->irqs[i].vp = vp;
		vp->irqs[i].op.done = user_irq_fired;
		vp->irqs[i].trigger_fd = vp->irqs[i].unmask_fd = -1;
	}
	vp->remap.fd = -1;
	vp->host_irqs_at_start = -1;
	pthread_mutex_init(&vp->irq_lock, NULL);
	return vfio_platform_setup(vp);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void vfio_platform_exit(struct vm *vm, struct device *dev)
{
	struct vfio_platform *vp = dev->priv;
	unsigned int i;

	if (!vp)
		return;
	for (i = vp->nr_irqs; i-- > 0;)
		teardown_irq(vp, &vp->irqs[i]);
	for (i = vp->nr_regions; i-- > 0;)
		teardown_region(vp, &vp->regions[i]);
	reset_device(vp);
	close_fd(&vp->device_fd);
	vfio_group_put(vm, vp->group);
	vp->group = NULL;
	loop_timer_close(&vp->remap);
	vfio_bind_restore(&vp->bind);
	pthread_mutex_destroy(&vp->irq_lock);
	free(vp);
	dev->priv = NULL;
}

static int vfio_platform_fdt(struct vm *vm, struct device *dev, struct dt *dt)
{
	struct vfio_platform *vp = dev->priv;
	struct host_node hn = {
		.node_dir = vp->of_node,
		.tree_root = "/sys/firmware/devicetree/base",
		.compatible = vp->cfg->compatible[0] ? vp->cfg->compatible : NULL,
		.nr_regs = vp->nr_regions,
		.nr_irqs = vp->nr_irqs,
	};
	unsigned int i;

	(void)vm;
	for (i = 0; i < vp->nr_regions; i++) {
		hn.reg[i][0] = vp->regions[i].gpa;
		hn.reg[i][1] = vp->regions[i].size;
	}
	for (i = 0; i < vp->nr_irqs; i++) {
		hn.spi[i] = vp->irqs[i].spi;
		hn.irq_flags[i] = vp->irqs[i].level ? DT_IRQ_LEVEL_HIGH : DT_IRQ_EDGE_RISING;
	}
	return dt_add_host_node(dt, &hn);
}

/*
 * Interrupts delivered by KVM from VFIO's eventfd never reach the VMM;
 * those it delivers itself are counted, and wake its event loop.
 */
static void vfio_platform_stats(struct vm *vm, struct device *dev, FILE *out)
{
	struct vfio_platform *vp = dev->priv;
	unsigned int i;
	int64_t now;

	fprintf(out, ", \"device\": \"%s\", \"iommu\": \"%s\", \"dma_pinned_kib\": %llu, \"mmio_exits\": %llu, \"regions\": [",
		vp->bind.name, vfio_mode_name(vp->group->mode),
		(unsigned long long)(vp->group->mode == VFIO_MODE_TYPE1 ?
				     vfio_dma_pinned(vm) >> 10 : 0),
		(unsigned long long)stats_mmio_exits(vm, vp->bind.name));
	for (i = 0; i < vp->nr_regions; i++)
		fprintf(out, "%s{ \"guest_addr\": \"0x%llx\", \"size\": %llu, \"access\": \"%s\" }",
			i ? ", " : "", (unsigned long long)vp->regions[i].gpa,
			(unsigned long long)vp->regions[i].size,
			vp->regions[i].trapped ? "trapped" : "mapped");
	now = host_irq_count(vp);
	fprintf(out, "], \"host_irqs_forwarded\": ");
	if (vp->host_irqs_at_start >= 0 && now >= vp->host_irqs_at_start)
		fprintf(out, "%lld", (long long)(now - vp->host_irqs_at_start));
	else
		fprintf(out, "null");
	fprintf(out, ", \"irqs\": [");
	for (i = 0; i < vp->nr_irqs; i++)
		fprintf(out, "%s{ \"spi\": %d, \"trigger\": \"%s\", \"delivery\": \"%s\", \"raised_by_vmm\": %llu }",
			i ? ", " : "", vp->irqs[i].spi, vp->irqs[i].level ? "level" : "edge",
			irq_delivery(&vp->irqs[i]), (unsigned long long)vp->irqs[i].raised);
	fprintf(out, "]");
}

const struct dev_ops vfio_platform_ops = {
	.name	= "vfio-platform",
	.init	= vfio_platform_init,
	.exit	= vfio_platform_exit,
	.fdt	= vfio_platform_fdt,
	.stats	= vfio_platform_stats,
};
