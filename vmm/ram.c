// SPDX-License-Identifier: GPL-2.0
/*
 * Host memory behind guest RAM (see ram.h).
 *
 * Transparent huge pages: the kernel backs a range with them only where
 * a whole aligned huge page fits, and KVM maps a guest block at stage 2
 * only where the host address and the guest address share the same
 * alignment. Guest RAM starts 2 MiB aligned in the guest, so the host
 * mapping is aligned here to the huge page size, and advised with
 * MADV_HUGEPAGE so that hosts in "madvise" mode (as many distributions
 * and board kernels ship) give them too.
 *
 * hugetlbfs: the pages are reserved when the file is mapped, so a
 * directory that cannot serve the size fails here, with one line, and
 * not later in the guest with a SIGBUS.
 */
#include "vmm/ram.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "vmm/log.h"

#define THP_SYSFS	"/sys/kernel/mm/transparent_hugepage"
#define HUGEPAGES_SYSFS	"/sys/kernel/mm/hugepages"

const char *ram_backing_name(enum ram_backing backing)
{
	switch (backing) {
	case RAM_THP:
		return "thp";
	case RAM_HUGETLBFS:
		return "hugetlbfs";
	default:
		return "base";
	}
}

/* The first line of @dir/@name, or false. */
static bool read_line(const char *dir, const char *name, char *buf, size_t len)
{
	char path[256];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "re");
	if (!f)
		return false;
	ok = fgets(buf, len, f) != NULL;
	fclose(f);
	return ok;
}

uint64_t ram_thp_size(const char *sysfs)
{
	char buf[128];
	unsigned long long size;

	/* "always [madvise] never": the bracketed word is the mode. */
	if (!read_line(sysfs, "enabled", buf, sizeof(buf)) ||
	    strstr(buf, "[never]"))
		return 0;
	if (!read_line(sysfs, "hpage_pmd_size", buf, sizeof(buf)) ||
	    sscanf(buf, "%llu", &size) != 1)
		return 0;
	/* A power of two, or the file is not what we think it is. */
	return size && !(size & (size - 1)) ? size : 0;
}

static uint64_t base_page_size(void)
{
	long page = sysconf(_SC_PAGESIZE);

	return page > 0 ? (uint64_t)page : 4096;
}

int ram_map_anonymous(struct ram_map *r, uint64_t size, uint64_t huge)
{
	uint64_t align = huge && huge <= size ? huge : 0;
	uint64_t len = size + align, head = 0;
	uint8_t *p;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		pr_err("--mem: cannot map %" PRIu64 " MiB of guest RAM: %s; give less",
		       size >> 20, strerror(errno));
		return -ENOMEM;
	}
	if (align) {
		/* Keep the aligned part; give back what is before and after. */
		head = (align - (uintptr_t)p % align) % align;
		if (head)
			munmap(p, head);
		if (align - head)
			munmap(p + head + size, align - head);
	}
	r->host = p + head;
	r->size = size;
	r->backing = RAM_SMALL_PAGES;
	r->page_size = base_page_size();
	if (align && !madvise(r->host, size, MADV_HUGEPAGE)) {
		r->backing = RAM_THP;
		r->page_size = align;
	}
	return 0;
}

/* --- populating --------------------------------------------------- */

#define POPULATE_MIN_SHARE	(128ull << 20)

struct populate_share {
	char *start;
	size_t len;
	int err;
	pthread_t thread;
	bool started;
};

static void *populate_share(void *arg)
{
	struct populate_share *p = arg;

	p->err = madvise(p->start, p->len, MADV_POPULATE_WRITE) ? -errno : 0;
	return NULL;
}

int ram_populate(const struct ram_map *r, unsigned int threads)
{
	struct populate_share shares[RAM_POPULATE_MAX_THREADS] = { 0 };
	uint64_t pages, per, done = 0;
	unsigned int i, n = 0;
	int ret = 0;

	if (threads < 1)
		threads = 1;
	if (threads > RAM_POPULATE_MAX_THREADS)
		threads = RAM_POPULATE_MAX_THREADS;
	pages = r->size / r->page_size;
	per = (pages + threads - 1) / threads * r->page_size;
	for (; done < r->size && n < threads; n++) {
		shares[n].start = (char *)r->host + done;
		shares[n].len = r->size - done < per ? r->size - done : per;
		done += shares[n].len;
	}
	/* The others in threads of their own, the first share here. */
	for (i = 1; i < n; i++)
		shares[i].started = !pthread_create(&shares[i].thread, NULL,
						    populate_share, &shares[i]);
	for (i = 0; i < n; i++) {
		if (shares[i].started)
			pthread_join(shares[i].thread, NULL);
		else
			populate_share(&shares[i]);	/* the first, or no thread */
		if (!ret)
			ret = shares[i].err;
	}
	return ret;
}

unsigned int ram_populate_threads(uint64_t size)
{
	uint64_t most = size / POPULATE_MIN_SHARE;
	unsigned int cpus = 1;
	cpu_set_t set;

	if (!sched_getaffinity(0, sizeof(set), &set))
		cpus = CPU_COUNT(&set);
	if (most > RAM_POPULATE_MAX_THREADS)
		most = RAM_POPULATE_MAX_THREADS;
	if (cpus > most)
		cpus = most;
	return cpus ? cpus : 1;
}

/* Huge pages of @page bytes that a new mapping could still reserve. */
static long long hugepages_available(uint64_t page)
{
	char dir[128], buf[64];
	long long free_pages, reserved;

	snprintf(dir, sizeof(dir), HUGEPAGES_SYSFS "/hugepages-%" PRIu64 "kB",
		 page >> 10);
	if (!read_line(dir, "free_hugepages", buf, sizeof(buf)) ||
	    sscanf(buf, "%lld", &free_pages) != 1)
		return -1;
	if (!read_line(dir, "resv_hugepages", buf, sizeof(buf)) ||
	    sscanf(buf, "%lld", &reserved) != 1)
		reserved = 0;
	return free_pages > reserved ? free_pages - reserved : 0;
}

static void report_short_of_pages(const char *dir, uint64_t size, uint64_t page)
{
	long long avail = hugepages_available(page);

	if (avail < 0)
		pr_err("--hugetlbfs %s: not enough free huge pages for %" PRIu64 " MiB of guest RAM; reserve more",
		       dir, size >> 20);
	else
		pr_err("--hugetlbfs %s: %" PRIu64 " MiB of guest RAM needs %" PRIu64 " huge pages of %" PRIu64 " KiB, %lld are free; reserve more in "
		       HUGEPAGES_SYSFS "/hugepages-%" PRIu64 "kB/nr_hugepages",
		       dir, size >> 20, size / page, page >> 10, avail, page >> 10);
}

static int map_hugetlbfs(struct ram_map *r, uint64_t size, const char *dir)
{
	struct statfs st;
	uint64_t page;
	void *p;
	int fd, err;

	if (statfs(dir, &st)) {
		err = errno;
		pr_err("--hugetlbfs %s: %s; give the directory where hugetlbfs is mounted",
		       dir, strerror(err));
		return -err;
	}
	if (st.f_type != HUGETLBFS_MAGIC) {
		pr_err("--hugetlbfs %s: not a hugetlbfs mount; mount one there (mount -t hugetlbfs none %s)",
		       dir, dir);
		return -EINVAL;
	}
	page = st.f_bsize;
	if (!page || size % page) {
		pr_err("--hugetlbfs %s: its pages are %" PRIu64 " KiB; give --mem a multiple of that",
		       dir, page >> 10);
		return -EINVAL;
	}
	/* A file without a name: nothing to remove, whatever happens. */
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0) {
		err = errno;
		pr_err("--hugetlbfs %s: cannot create guest RAM there: %s", dir,
		       strerror(err));
		return -err;
	}
	if (ftruncate(fd, size)) {
		err = errno;
		close(fd);
		pr_err("--hugetlbfs %s: cannot size guest RAM to %" PRIu64 " MiB: %s",
		       dir, size >> 20, strerror(err));
		return -err;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	err = errno;
	close(fd);
	if (p == MAP_FAILED) {
		if (err == ENOMEM)
			report_short_of_pages(dir, size, page);
		else
			pr_err("--hugetlbfs %s: cannot map guest RAM: %s", dir,
			       strerror(err));
		return -err;
	}
	r->host = p;
	r->size = size;
	r->backing = RAM_HUGETLBFS;
	r->page_size = page;
	return 0;
}

int ram_map(struct ram_map *r, uint64_t size, const char *hugetlbfs_dir)
{
	memset(r, 0, sizeof(*r));
	if (hugetlbfs_dir)
		return map_hugetlbfs(r, size, hugetlbfs_dir);
	return ram_map_anonymous(r, size, ram_thp_size(THP_SYSFS));
}

void ram_unmap(struct ram_map *r)
{
	if (r->host)
		munmap(r->host, r->size);
	r->host = NULL;
}
