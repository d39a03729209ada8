// SPDX-License-Identifier: GPL-2.0
/*
 * mmio-loop: runs in the guest. Maps the page of a device's registers
 * through /dev/mem and makes COUNT reads and COUNT writes of the register
 * at OFFSET, then prints how long one access took. For the PL061, offset
 * 0 is GPIODATA with an all-zero address mask: reads give 0 and writes
 * change no pin, so the loop is harmless to whatever the driver set up.
 *
 *   mmio-loop PHYS_ADDR OFFSET COUNT
 *
 * Prints: "bench-mmio accesses N ns_per_access X".
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

int main(int argc, char **argv)
{
	unsigned long long phys, offset, count, i;
	volatile uint32_t *reg;
	long page = sysconf(_SC_PAGESIZE);
	double t;
	uint32_t v;
	void *map;
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: mmio-loop PHYS_ADDR OFFSET COUNT\n");
		return 2;
	}
	phys = strtoull(argv[1], NULL, 0);
	offset = strtoull(argv[2], NULL, 0);
	count = strtoull(argv[3], NULL, 0);
	if (offset + 4 > (unsigned long long)page || offset % 4 || !count) {
		fprintf(stderr, "mmio-loop: offset must be an aligned word in the page, count > 0\n");
		return 2;
	}
	fd = open("/dev/mem", O_RDWR | O_SYNC);
	if (fd < 0) {
		perror("mmio-loop: /dev/mem");
		return 1;
	}
	map = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		   phys & ~(unsigned long long)(page - 1));
	if (map == MAP_FAILED) {
		perror("mmio-loop: mmap");
		return 1;
	}
	reg = (volatile uint32_t *)((char *)map + (phys & (page - 1)) + offset);
	t = now_ns();
	for (i = 0; i < count; i++) {
		v = *reg;
		*reg = v;
	}
	t = now_ns() - t;
	printf("bench-mmio accesses %llu ns_per_access %.1f\n", 2 * count, t / (2 * count));
	return 0;
}
