/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host memory behind guest RAM: anonymous memory with transparent huge
 * pages advised where the host has them, or a hugetlbfs file
 * (--hugetlbfs DIR) on boards with huge pages reserved for guests. Huge
 * pages mean one fault and one stage-2 entry per 2 MiB instead of 512,
 * and VFIO type1 pins them in runs.
 */
#ifndef LKVM_VMM_RAM_H
#define LKVM_VMM_RAM_H

#include <stdint.h>

enum ram_backing {
	RAM_SMALL_PAGES,	/* the base page size, no huge pages */
	RAM_THP,		/* transparent huge pages advised */
	RAM_HUGETLBFS,		/* a file on hugetlbfs */
};

struct ram_map {
	void *host;
	uint64_t size;
	enum ram_backing backing;
	uint64_t page_size;	/* bytes: base, THP or hugetlbfs page */
};

/*
 * Map @size bytes of guest RAM: on hugetlbfs when @hugetlbfs_dir is
 * given, else anonymous memory aligned for transparent huge pages.
 * Returns 0, or a negative errno after printing one line that names what
 * to change. Nothing is left open either way.
 */
int ram_map(struct ram_map *r, uint64_t size, const char *hugetlbfs_dir);
/*
 * The anonymous case of ram_map(), aligned to @huge bytes and advised
 * for transparent huge pages when @huge is not 0 and fits in @size.
 */
int ram_map_anonymous(struct ram_map *r, uint64_t size, uint64_t huge);
/* The most threads ram_populate() takes. */
#define RAM_POPULATE_MAX_THREADS	8

/*
 * Fault in all of @r, writable, from @threads threads at once (1 to
 * RAM_POPULATE_MAX_THREADS), each a share in whole pages. For memory
 * that is to be pinned whole anyway: the host clears every page it
 * gives, and on a board with several cores that is the most of pinning,
 * done on each at once instead of one after the other. Returns 0 or the
 * first thread's -errno (-EINVAL: the host kernel predates
 * MADV_POPULATE_WRITE, Linux 5.14); prints nothing.
 */
int ram_populate(const struct ram_map *r, unsigned int threads);
/*
 * Threads worth starting for ram_populate() on @size bytes: one per CPU
 * the process may run on, none for less than 128 MiB each.
 */
unsigned int ram_populate_threads(uint64_t size);
/* Unmap what ram_map() mapped; safe on a map never made. */
void ram_unmap(struct ram_map *r);

/* The backing's name ("base", "thp", "hugetlbfs") for --stats and --debug. */
const char *ram_backing_name(enum ram_backing backing);

/*
 * The transparent huge page size the host offers to a program that asks
 * (madvise), or 0 when it has none or has them turned off. @sysfs is the
 * transparent_hugepage directory; the unit tests give their own.
 */
uint64_t ram_thp_size(const char *sysfs);

#endif
