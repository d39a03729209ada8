// SPDX-License-Identifier: GPL-2.0
/*
 * vq-flood: a hostile virtio driver, run in the rig's guest as root
 * (guest/init, lkvm.test=vq-flood, which first unbinds the guest's own
 * virtio-gpio driver). It takes the virtio-gpio device through /dev/mem,
 * sets it up as a driver would (virtio 1.2, sections 3.1.1 and 4.2.3),
 * and then never lets its requestq (queue 0) run dry: a thread on CPU 1
 * keeps the available ring a whole queue ahead of the used ring, while
 * the main thread on CPU 0 writes QueueNotify over and over, a write the
 * VMM traps. A VMM that served a queue for as long as it found buffers
 * there would never come back from that vCPU's exit, and could not be
 * stopped.
 *
 * Such a pass ends only when the ring runs dry, and in the rig's
 * emulation this thread loses its CPU for milliseconds now and then; so
 * each chain is made to cost the device as much as a valid one can, for
 * a full queue to last it longer than those gaps. Every chain is a valid
 * virtio-gpio request that reconfigures a host line: IRQ_TYPE of line 0,
 * both edges and none by turns (the host sets up and tears down its edge
 * detection each time), spread over as many descriptors as the table
 * holds: the 8-byte request one byte per descriptor, device-readable,
 * then a response buffer of one byte per descriptor, device-writable.
 * So there are two chains, half the table each, and every entry of the
 * available ring names one of them: each is in the ring many times at
 * once, which the device cannot tell. The rings live in two locked pages
 * of this process; /proc/self/pagemap gives their guest-physical
 * addresses.
 *
 * Once the device has answered FLOOD_MARK requests it prints
 *
 *   guest: vq-flood: flooding queue 0 of virtio-gpio at 0xADDR (size N), M requests answered
 *
 * and goes on until the VM ends. An error: one line "guest: vq-flood:
 * ..." and status 1.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/virtio_config.h>
#include <linux/virtio_gpio.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#define MMIO_MAGIC		0x74726976	/* "virt" */
#define QUEUE			0
#define QUEUE_SIZE_MAX		256
#define QUEUE_SIZE_MIN		32
#define CHAINS			2
#define FLOOD_MARK		4096
#define DT			"/proc/device-tree"

/* Offsets in the second page: the rings, then each chain's request and answer. */
#define AVAIL_OFF		0
#define USED_OFF		1024
#define REQ_OFF			3584
#define RESP_OFF		3600
#define RESP_MAX		(QUEUE_SIZE_MAX / CHAINS)

struct flood {
	volatile uint8_t *regs;
	uint64_t base;
	unsigned int size;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	struct virtio_gpio_request *req;	/* one per chain */
	uint8_t *resp;				/* RESP_MAX bytes per chain */
};

static int fail(const char *what)
{
	printf("guest: vq-flood: %s%s%s\n", what, errno ? ": " : "",
	       errno ? strerror(errno) : "");
	fflush(stdout);
	return 1;
}

/*
 * Device registers, one 32-bit access each: a single ldr/str without
 * writeback, which KVM can decode. Like the kernel's readl()/writel(),
 * ring writes are ordered before the register write.
 */
static uint32_t reg_read(const struct flood *f, unsigned int off)
{
	uint32_t v;

	asm volatile("ldr %w0, [%1]" : "=r" (v) : "r" (f->regs + off) : "memory");
	return v;
}

static void reg_write(const struct flood *f, unsigned int off, uint32_t v)
{
	asm volatile("dmb oshst\n\tstr %w0, [%1]"
		     : : "rZ" (v), "r" (f->regs + off) : "memory");
}

static int pin_to(unsigned int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/*
 * The first virtio-mmio node of the guest's tree whose device is
 * virtio-gpio: its registers mapped, f->regs and f->base set. The root
 * has two address and two size cells (fdt/dt.c).
 */
static int find_device(struct flood *f, int mem)
{
	long page = sysconf(_SC_PAGESIZE);
	struct dirent *de;
	uint8_t reg[16];
	char path[512];
	DIR *dir;
	int fd, ret = -1;

	dir = opendir(DT);
	if (!dir)
		return fail("opendir " DT);
	while (ret && (de = readdir(dir))) {
		uint64_t base;
		void *map;

		if (strncmp(de->d_name, "virtio@", 7))
			continue;
		snprintf(path, sizeof(path), DT "/%s/reg", de->d_name);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		if (read(fd, reg, sizeof(reg)) != sizeof(reg)) {
			close(fd);
			continue;
		}
		close(fd);
		base = be64(reg);
		map = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, mem,
			   base & ~(uint64_t)(page - 1));
		if (map == MAP_FAILED)
			continue;
		f->regs = (uint8_t *)map + (base & (page - 1));
		f->base = base;
		if (reg_read(f, VIRTIO_MMIO_MAGIC_VALUE) == MMIO_MAGIC &&
		    reg_read(f, VIRTIO_MMIO_VERSION) == 2 &&
		    reg_read(f, VIRTIO_MMIO_DEVICE_ID) == VIRTIO_ID_GPIO)
			ret = 0;
		else
			munmap(map, page);
	}
	closedir(dir);
	if (ret) {
		errno = 0;
		return fail("no virtio-gpio device in " DT);
	}
	return 0;
}

/* The guest-physical address of the page at @addr, from pagemap. */
static int phys_of(void *addr, uint64_t *phys)
{
	long page = sysconf(_SC_PAGESIZE);
	uint64_t entry;
	int fd;

	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0)
		return fail("open /proc/self/pagemap");
	if (pread(fd, &entry, sizeof(entry),
		  (uintptr_t)addr / page * sizeof(entry)) != sizeof(entry)) {
		close(fd);
		return fail("read /proc/self/pagemap");
	}
	close(fd);
	/* Bit 63: present; bits 0-54: the frame, 0 unless root. */
	if (!(entry >> 63) || !(entry & ((1ull << 55) - 1))) {
		errno = 0;
		return fail("pagemap gives no frame (not root?)");
	}
	*phys = (entry & ((1ull << 55) - 1)) * page;
	return 0;
}

/*
 * Two locked pages: the descriptor table; the rings, the requests and
 * the answers. Chain c takes descriptors c * n to c * n + n - 1.
 */
static int make_rings(struct flood *f, uint64_t *desc_pa, uint64_t *ring_pa)
{
	static const uint32_t irq_types[CHAINS] = {
		VIRTIO_GPIO_IRQ_TYPE_EDGE_BOTH, VIRTIO_GPIO_IRQ_TYPE_NONE,
	};
	long page = sysconf(_SC_PAGESIZE);
	unsigned int c, i, n = f->size / CHAINS;
	unsigned int req_len = sizeof(*f->req);
	uint8_t *mem;

	mem = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return fail("mmap");
	if (mlock(mem, 2 * page))
		return fail("mlock");
	memset(mem, 0, 2 * page);
	if (phys_of(mem, desc_pa) || phys_of(mem + page, ring_pa))
		return 1;

	f->desc = (struct vring_desc *)mem;
	f->avail = (struct vring_avail *)(mem + page + AVAIL_OFF);
	f->used = (struct vring_used *)(mem + page + USED_OFF);
	f->req = (struct virtio_gpio_request *)(mem + page + REQ_OFF);
	f->resp = mem + page + RESP_OFF;

	for (c = 0; c < CHAINS; c++) {
		uint64_t req_pa = *ring_pa + REQ_OFF + c * req_len;
		uint64_t resp_pa = *ring_pa + RESP_OFF + c * RESP_MAX;
		struct vring_desc *d = &f->desc[c * n];

		f->req[c].type = VIRTIO_GPIO_MSG_IRQ_TYPE;
		f->req[c].gpio = 0;
		f->req[c].value = irq_types[c];
		f->resp[c * RESP_MAX] = 0xff;
		for (i = 0; i < n; i++) {
			bool out = i < req_len;

			d[i] = (struct vring_desc) {
				.addr = out ? req_pa + i : resp_pa + i - req_len,
				.len = 1,
				.flags = out ? 0 : VRING_DESC_F_WRITE,
			};
			if (i + 1 < n) {
				d[i].flags |= VRING_DESC_F_NEXT;
				d[i].next = c * n + i + 1;
			}
		}
	}
	for (i = 0; i < f->size; i++)
		f->avail->ring[i] = i % CHAINS * n;
	/* Nothing to wake us: we poll the used ring. */
	f->avail->flags = VRING_AVAIL_F_NO_INTERRUPT;
	return 0;
}

static void reg_write64(const struct flood *f, unsigned int lo, uint64_t v)
{
	reg_write(f, lo, (uint32_t)v);
	reg_write(f, lo + 4, v >> 32);
}

/* Reset, features, queue 0, DRIVER_OK: section 3.1.1's steps. */
static int set_up(struct flood *f)
{
	uint32_t status = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;
	uint64_t desc_pa, ring_pa;
	unsigned int max;

	errno = 0;
	reg_write(f, VIRTIO_MMIO_STATUS, 0);
	if (reg_read(f, VIRTIO_MMIO_STATUS))
		return fail("the device does not reset");
	reg_write(f, VIRTIO_MMIO_STATUS, status);
	reg_write(f, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	if (!(reg_read(f, VIRTIO_MMIO_DEVICE_FEATURES) & 1))
		return fail("the device does not offer VIRTIO_F_VERSION_1");
	reg_write(f, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	if (!(reg_read(f, VIRTIO_MMIO_DEVICE_FEATURES) & (1u << VIRTIO_GPIO_F_IRQ)))
		return fail("the device does not offer VIRTIO_GPIO_F_IRQ");
	reg_write(f, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	reg_write(f, VIRTIO_MMIO_DRIVER_FEATURES, 1u << VIRTIO_GPIO_F_IRQ);
	reg_write(f, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	reg_write(f, VIRTIO_MMIO_DRIVER_FEATURES, 1);
	status |= VIRTIO_CONFIG_S_FEATURES_OK;
	reg_write(f, VIRTIO_MMIO_STATUS, status);
	if (!(reg_read(f, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK))
		return fail("the device refuses FEATURES_OK");

	reg_write(f, VIRTIO_MMIO_QUEUE_SEL, QUEUE);
	max = reg_read(f, VIRTIO_MMIO_QUEUE_NUM_MAX);
	if (max < QUEUE_SIZE_MIN || reg_read(f, VIRTIO_MMIO_QUEUE_READY))
		return fail("queue 0 is not there to set up, or too small");
	f->size = max < QUEUE_SIZE_MAX ? max : QUEUE_SIZE_MAX;
	if (make_rings(f, &desc_pa, &ring_pa))
		return 1;
	reg_write(f, VIRTIO_MMIO_QUEUE_NUM, f->size);
	reg_write64(f, VIRTIO_MMIO_QUEUE_DESC_LOW, desc_pa);
	reg_write64(f, VIRTIO_MMIO_QUEUE_AVAIL_LOW, ring_pa + AVAIL_OFF);
	reg_write64(f, VIRTIO_MMIO_QUEUE_USED_LOW, ring_pa + USED_OFF);
	reg_write(f, VIRTIO_MMIO_QUEUE_READY, 1);
	if (reg_read(f, VIRTIO_MMIO_QUEUE_READY) != 1)
		return fail("the device refuses queue 0");
	status |= VIRTIO_CONFIG_S_DRIVER_OK;
	reg_write(f, VIRTIO_MMIO_STATUS, status);
	if (reg_read(f, VIRTIO_MMIO_STATUS) != status)
		return fail("the device refuses DRIVER_OK");
	printf("guest: vq-flood: virtio-gpio at 0x%llx taken: queue 0 of %u, descriptors at 0x%llx, rings at 0x%llx\n",
	       (unsigned long long)f->base, f->size,
	       (unsigned long long)desc_pa, (unsigned long long)ring_pa);
	fflush(stdout);
	return 0;
}

/*
 * Said once the flood is in full swing. Both requests must have been
 * answered OK: line 0 is an input on the rig's host, so it can take an
 * edge interrupt.
 */
static void report(struct flood *f, uint64_t answered)
{
	uint32_t status = reg_read(f, VIRTIO_MMIO_STATUS);
	unsigned int c;

	errno = 0;
	if (status & VIRTIO_CONFIG_S_NEEDS_RESET)
		exit(fail("the device stopped: it says our rings are malformed"));
	for (c = 0; c < CHAINS; c++)
		if (f->resp[c * RESP_MAX] != VIRTIO_GPIO_STATUS_OK)
			exit(fail("the device does not answer IRQ_TYPE with OK"));
	printf("guest: vq-flood: flooding queue 0 of virtio-gpio at 0x%llx (size %u), %llu requests answered\n",
	       (unsigned long long)f->base, f->size, (unsigned long long)answered);
	fflush(stdout);
}

/* CPU 1: the available ring a whole queue ahead of the used ring, always. */
static void *top_up(void *arg)
{
	struct flood *f = arg;
	uint16_t used, seen = 0, avail = 0;
	uint64_t answered = 0;
	bool told = false;

	if (pin_to(1))
		exit(fail("sched_setaffinity to CPU 1"));
	for (;;) {
		used = __atomic_load_n(&f->used->idx, __ATOMIC_ACQUIRE);
		answered += (uint16_t)(used - seen);
		seen = used;
		if ((uint16_t)(used + f->size) != avail) {
			avail = used + f->size;
			__atomic_store_n(&f->avail->idx, avail, __ATOMIC_RELEASE);
		}
		if (!told && answered >= FLOOD_MARK) {
			told = true;
			report(f, answered);
		}
	}
	return NULL;
}

int main(void)
{
	struct flood f = { 0 };
	pthread_t thread;
	int mem, ret;

	errno = 0;
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return fail("needs two CPUs, one to flood and one to notify");
	if (pin_to(0))
		return fail("sched_setaffinity to CPU 0");
	mem = open("/dev/mem", O_RDWR | O_SYNC);
	if (mem < 0)
		return fail("open /dev/mem");
	if (find_device(&f, mem) || set_up(&f))
		return 1;
	/*
	 * DRIVER_OK made the VMM replay a notification for the ready queue;
	 * let that pass, in its event loop, find the ring empty: the flood
	 * is for the vCPU thread that traps QueueNotify to serve.
	 */
	usleep(200000);
	ret = pthread_create(&thread, NULL, top_up, &f);
	if (ret) {
		errno = ret;
		return fail("pthread_create");
	}
	for (;;)
		reg_write(&f, VIRTIO_MMIO_QUEUE_NOTIFY, QUEUE);
	return 0;
}
