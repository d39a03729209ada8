// SPDX-License-Identifier: GPL-2.0
/*
 * VFIO containers and groups, shared by the passed-through devices of one
 * VM. See container.h for the rules; the state hangs off struct vm
 * from the first device's probe until the last device lets go.
 */
#include "devices/vfio/container.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "vmm/log.h"
#include "vmm/sandbox.h"
#include "vmm/vm.h"

#define CAP_IPC_LOCK_BIT	14

struct vfio_state {
	int container[VFIO_NR_MODES];	/* -1 until a group of that mode */
	unsigned int nr_groups_in[VFIO_NR_MODES];
	int spare;			/* opened by the probe, no mode yet */
	uint64_t pinned;		/* type1: guest RAM mapped for DMA */
	unsigned int nr_groups;
	struct vfio_group_ref groups[VM_MAX_DEVICES];
};

const char *vfio_mode_name(enum vfio_iommu_mode mode)
{
	return mode == VFIO_MODE_TYPE1 ? "type1" : "no-iommu";
}

static int open_container_fd(const char *who)
{
	int fd = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		int err = errno;

		if (err == EACCES || err == EPERM)
			pr_err("--passthrough %s: /dev/vfio/vfio: %s; run as root, or give this user the node",
			       who, strerror(err));
		else
			pr_err("--passthrough %s: /dev/vfio/vfio: %s; the host kernel needs CONFIG_VFIO",
			       who, strerror(err));
		return -err;
	}
	if (ioctl(fd, VFIO_GET_API_VERSION) != VFIO_API_VERSION) {
		pr_err("--passthrough %s: unknown VFIO API version", who);
		close(fd);
		return -ENOTSUP;
	}
	sandbox_allow_fd_ioctls(fd, VFIO_TYPE);
	return fd;
}

static struct vfio_state *state_of(struct vm *vm)
{
	struct vfio_state *s = vm->vfio;
	unsigned int i;

	if (s)
		return s;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	for (i = 0; i < VFIO_NR_MODES; i++)
		s->container[i] = -1;
	s->spare = -1;
	vm->vfio = s;
	return s;
}

int vfio_container_probe(struct vm *vm, const char *who)
{
	struct vfio_state *s = state_of(vm);
	int fd;

	if (!s) {
		pr_err("--passthrough %s: out of memory", who);
		return -ENOMEM;
	}
	if (s->spare >= 0 || s->container[VFIO_MODE_TYPE1] >= 0 ||
	    s->container[VFIO_MODE_NOIOMMU] >= 0)
		return 0;
	fd = open_container_fd(who);
	if (fd < 0)
		return fd;
	s->spare = fd;
	return 0;
}

/* --- pinning guest RAM for DMA ----------------------------------------- */

/*
 * Whether pinning @bytes more fits RLIMIT_MEMLOCK @limit with @locked
 * bytes locked already. VFIO pins without limit for CAP_IPC_LOCK.
 */
static bool memlock_fits(uint64_t bytes, uint64_t locked, uint64_t limit,
			 bool cap_ipc_lock)
{
	if (cap_ipc_lock || limit == RLIM_INFINITY)
		return true;
	return locked <= limit && bytes <= limit - locked;
}

/* A field of /proc/self/status, as the number it starts with (@base). */
static uint64_t status_field(const char *key, int base)
{
	FILE *f = fopen("/proc/self/status", "re");
	size_t klen = strlen(key);
	uint64_t v = 0;
	char line[256];

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			v = strtoull(line + klen + 1, NULL, base);
			break;
		}
	fclose(f);
	return v;
}

static int check_memlock(const char *who, uint64_t bytes)
{
	bool cap = status_field("CapEff", 16) & (1ull << CAP_IPC_LOCK_BIT);
	uint64_t locked = status_field("VmLck", 10) << 10;
	struct rlimit rl;

	if (getrlimit(RLIMIT_MEMLOCK, &rl) < 0 ||
	    memlock_fits(bytes, locked, rl.rlim_cur, cap))
		return 0;
	pr_err("--passthrough %s: the IOMMU must pin all %llu MiB of guest RAM for DMA, but RLIMIT_MEMLOCK allows %llu KiB; raise it to at least %llu KiB (ulimit -l, LimitMEMLOCK= in a systemd unit, limits.conf) or lower --mem",
	       who, (unsigned long long)(bytes >> 20),
	       (unsigned long long)(rl.rlim_cur >> 10),
	       (unsigned long long)((locked + bytes + 1023) >> 10));
	return -ENOMEM;
}

/*
 * Pinning faults in all of guest RAM, page after page in one thread, and
 * clearing the pages is the most of it: fault them in first on every CPU
 * at once. What this cannot do (an old kernel, memory short) the pinning
 * still does, or reports. make bench also builds the VMM without this
 * (-DLKVM_NO_POPULATE), to measure in the same host what pinning cost
 * before it.
 */
static void populate_ram(struct vm *vm)
{
	unsigned int threads = ram_populate_threads(vm->ram.size);
	int ret;

#ifdef LKVM_NO_POPULATE
	threads = 0;
#endif
	if (threads < 2)
		return;
	ret = ram_populate(&vm->ram_backing, threads);
	if (ret)
		pr_debug("populating guest RAM in %u threads: %s; pinning faults it in",
			 threads, strerror(-ret));
}

static int map_ram_for_dma(struct vm *vm, struct vfio_state *s, const char *who)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)vm->ram.host,
		.iova = vm->ram.gpa,
		.size = vm->ram.size,
	};
	int ret = check_memlock(who, vm->ram.size);

	if (ret)
		return ret;
	populate_ram(vm);
	if (ioctl(s->container[VFIO_MODE_TYPE1], VFIO_IOMMU_MAP_DMA, &map) < 0) {
		int err = errno;

		/*
		 * The check above passed, so ENOMEM means the limit was used
		 * up in between, or the host is short of memory.
		 */
		if (err == ENOMEM)
			pr_err("--passthrough %s: pinning %llu MiB of guest RAM for DMA: %s; raise RLIMIT_MEMLOCK (ulimit -l) or lower --mem",
			       who, (unsigned long long)(vm->ram.size >> 20), strerror(err));
		else
			pr_err("--passthrough %s: mapping guest RAM for DMA: %s", who,
			       strerror(err));
		return -err;
	}
	s->pinned = vm->ram.size;
	pr_debug("%s: guest RAM (%llu MiB) mapped for DMA through the IOMMU", who,
		 (unsigned long long)(vm->ram.size >> 20));
	return 0;
}

static void unmap_ram_for_dma(struct vm *vm, struct vfio_state *s)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = vm->ram.gpa,
		.size = vm->ram.size,
	};

	if (!s->pinned)
		return;
	if (ioctl(s->container[VFIO_MODE_TYPE1], VFIO_IOMMU_UNMAP_DMA, &unmap) < 0)
		pr_warn("unmapping guest RAM from the IOMMU: %s (closing the container does it)",
			strerror(errno));
	s->pinned = 0;
}

/* --- groups and the containers they join ------------------------------ */

/* The container for @mode, set up by its first group @group_fd. */
static int join_container(struct vm *vm, struct vfio_state *s, const char *who,
			  struct vfio_group_ref *g)
{
	int type = g->mode == VFIO_MODE_TYPE1 ? VFIO_TYPE1v2_IOMMU : VFIO_NOIOMMU_IOMMU;
	int *fd = &s->container[g->mode];
	bool first = *fd < 0;
	int ret;

	if (first) {
		*fd = s->spare >= 0 ? s->spare : open_container_fd(who);
		s->spare = -1;
		if (*fd < 0)
			return *fd;
	}
	if (ioctl(g->fd, VFIO_GROUP_SET_CONTAINER, fd) < 0 ||
	    (first && ioctl(*fd, VFIO_SET_IOMMU, type) < 0)) {
		int err = errno;

		pr_err("--passthrough %s: setting up the VFIO container (%s): %s",
		       who, vfio_mode_name(g->mode), strerror(err));
		ioctl(g->fd, VFIO_GROUP_UNSET_CONTAINER, fd);
		ret = -err;
		goto undo;
	}
	s->nr_groups_in[g->mode]++;
	if (g->mode == VFIO_MODE_NOIOMMU)
		pr_warn("%s: no IOMMU: the device can DMA anywhere in host memory; pass through only devices you trust",
			who);
	if (!first || g->mode != VFIO_MODE_TYPE1)
		return 0;
	ret = map_ram_for_dma(vm, s, who);
	if (!ret)
		return 0;
	s->nr_groups_in[g->mode]--;
	ioctl(g->fd, VFIO_GROUP_UNSET_CONTAINER, fd);
undo:
	if (!s->nr_groups_in[g->mode]) {
		close(*fd);
		*fd = -1;
	}
	return ret;
}

/* Open /dev/vfio/N, or /dev/vfio/noiommu-N where only that exists. */
static int open_group_fd(const char *who, int number, enum vfio_iommu_mode *mode)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/dev/vfio/%d", number);
	*mode = VFIO_MODE_TYPE1;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		snprintf(path, sizeof(path), "/dev/vfio/noiommu-%d", number);
		*mode = VFIO_MODE_NOIOMMU;
		fd = open(path, O_RDWR | O_CLOEXEC);
	}
	if (fd < 0) {
		int err = errno;

		if (err == EBUSY)
			pr_err("--passthrough %s: device busy: another VMM or process has VFIO group %d open",
			       who, number);
		else if (err == EACCES || err == EPERM)
			pr_err("--passthrough %s: %s: %s; run as root, or give this user the group's node (chown, or a udev rule)",
			       who, path, strerror(err));
		else
			pr_err("--passthrough %s: %s: %s", who, path, strerror(err));
		return -err;
	}
	if (ioctl(fd, VFIO_GROUP_GET_STATUS, &status) < 0 ||
	    !(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		pr_err("--passthrough %s: IOMMU group %d is not viable: every device in /sys/kernel/iommu_groups/%d/devices must be bound to VFIO",
		       who, number, number);
		close(fd);
		return -EPERM;
	}
	sandbox_allow_fd_ioctls(fd, VFIO_TYPE);
	return fd;
}

int vfio_group_get(struct vm *vm, const char *who, int number,
		   struct vfio_group_ref **out)
{
	struct vfio_state *s = state_of(vm);
	struct vfio_group_ref *g;
	unsigned int i;
	int ret;

	if (!s) {
		pr_err("--passthrough %s: out of memory", who);
		return -ENOMEM;
	}
	for (i = 0; i < s->nr_groups; i++) {
		g = &s->groups[i];
		if (g->users && g->number == number) {
			g->users++;
			*out = g;
			return 0;
		}
	}
	for (i = 0; i < s->nr_groups && s->groups[i].users; i++)
		;
	if (i == VM_MAX_DEVICES) {
		pr_err("--passthrough %s: too many IOMMU groups (at most %d)", who,
		       VM_MAX_DEVICES);
		return -ENOSPC;
	}
	g = &s->groups[i];
	*g = (struct vfio_group_ref) { .number = number };
	g->fd = open_group_fd(who, number, &g->mode);
	if (g->fd < 0)
		return g->fd;
	ret = join_container(vm, s, who, g);
	if (ret) {
		close(g->fd);
		return ret;
	}
	g->users = 1;
	if (i == s->nr_groups)
		s->nr_groups++;
	*out = g;
	return 0;
}

static void leave_container(struct vm *vm, struct vfio_state *s,
			    struct vfio_group_ref *g)
{
	int *fd = &s->container[g->mode];

	/* The last group: nothing may still do DMA into guest RAM. */
	if (s->nr_groups_in[g->mode] == 1 && g->mode == VFIO_MODE_TYPE1)
		unmap_ram_for_dma(vm, s);
	ioctl(g->fd, VFIO_GROUP_UNSET_CONTAINER, fd);
	close(g->fd);
	g->fd = -1;
	if (--s->nr_groups_in[g->mode] == 0) {
		close(*fd);
		*fd = -1;
	}
}

void vfio_group_put(struct vm *vm, struct vfio_group_ref *group)
{
	struct vfio_state *s = vm->vfio;
	unsigned int i;

	if (!s)
		return;
	if (group && --group->users == 0)
		leave_container(vm, s, group);
	for (i = 0; i < s->nr_groups; i++)
		if (s->groups[i].users)
			return;
	/* No device holds a group: nothing is left to share. */
	if (s->spare >= 0)
		close(s->spare);
	free(s);
	vm->vfio = NULL;
}

uint64_t vfio_dma_pinned(const struct vm *vm)
{
	return vm->vfio ? vm->vfio->pinned : 0;
}
