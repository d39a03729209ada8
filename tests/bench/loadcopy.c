// SPDX-License-Identifier: GPL-2.0
/*
 * loadcopy: runs in the emulated host. Does what lkvm-rcar's "load" step
 * does, without KVM: maps MIB of anonymous memory the way lkvm-rcar maps
 * guest RAM (aligned to 2 MiB, advised for transparent huge pages) and
 * reads each FILE into it with pread, one after another, each at a 2 MiB
 * boundary. The bench times it between guest boots, to tell what the host
 * costs a program writing fresh memory from what the VMM's own code does.
 *
 *   loadcopy MIB FILE...
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define ALIGN	(2UL << 20)

int main(int argc, char **argv)
{
	size_t size, off = 0;
	uint8_t *p;
	int i;

	if (argc < 3) {
		fprintf(stderr, "usage: loadcopy MIB FILE...\n");
		return 2;
	}
	size = strtoul(argv[1], NULL, 10) << 20;
	p = mmap(NULL, size + ALIGN, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		perror("loadcopy: mmap");
		return 1;
	}
	p += (ALIGN - (uintptr_t)p % ALIGN) % ALIGN;
	madvise(p, size, MADV_HUGEPAGE);
	for (i = 2; i < argc; i++) {
		int fd = open(argv[i], O_RDONLY);
		off_t at = 0;
		ssize_t n;

		if (fd < 0) {
			perror(argv[i]);
			return 1;
		}
		while (off < size && (n = pread(fd, p + off, size - off, at)) > 0) {
			off += n;
			at += n;
		}
		close(fd);
		off = (off + ALIGN - 1) / ALIGN * ALIGN;
	}
	return 0;
}
