// SPDX-License-Identifier: GPL-2.0
/*
 * blk-io: make bench's disk load, in the guest, the same whatever VMM
 * serves the disk. With direct I/O (the guest's page cache out of the
 * way, every byte crosses the virtqueue):
 *
 *   blk-io DEVICE MIB OPS
 *
 * writes MIB MiB from the start of DEVICE in 1 MiB requests and syncs,
 * reads them back the same way, then reads OPS 4 KiB blocks at random
 * offsets within them. Before the first and after each phase it prints
 * one line, which the harness times (vmmtime marks):
 *
 *   bench-blk-begin
 *   bench-blk-write bytes N us T
 *   bench-blk-read bytes N us T
 *   bench-blk-randread ops N us T
 *
 * T is the guest's own monotonic clock. Exit status 1 with a message on
 * error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SEQ_BLOCK	(1u << 20)
#define RAND_BLOCK	4096u

static int fail(const char *what)
{
	fprintf(stderr, "blk-io: %s: %s\n", what, errno ? strerror(errno) : "failed");
	return 1;
}

static uint64_t now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static void say(const char *what, const char *unit, uint64_t n, uint64_t us)
{
	printf("bench-blk-%s %s %llu us %llu\n", what, unit,
	       (unsigned long long)n, (unsigned long long)us);
	fflush(stdout);
}

static int sequential(int fd, void *buf, unsigned int mib, int writing)
{
	uint64_t t = now_us();
	unsigned int i;
	ssize_t n;

	for (i = 0; i < mib; i++) {
		off_t at = (off_t)i * SEQ_BLOCK;

		n = writing ? pwrite(fd, buf, SEQ_BLOCK, at) : pread(fd, buf, SEQ_BLOCK, at);
		if (n != SEQ_BLOCK)
			return fail(writing ? "pwrite" : "pread");
	}
	if (writing && fdatasync(fd))
		return fail("fdatasync");
	say(writing ? "write" : "read", "bytes", (uint64_t)mib * SEQ_BLOCK, now_us() - t);
	return 0;
}

/* A fixed sequence of offsets (xorshift), the same for every VMM. */
static int random_reads(int fd, void *buf, unsigned int mib, unsigned int ops)
{
	uint64_t blocks = (uint64_t)mib * (SEQ_BLOCK / RAND_BLOCK);
	uint64_t x = 0x9e3779b97f4a7c15ull, t = now_us();
	unsigned int i;

	for (i = 0; i < ops; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		if (pread(fd, buf, RAND_BLOCK, (off_t)(x % blocks) * RAND_BLOCK) != RAND_BLOCK)
			return fail("pread (random)");
	}
	say("randread", "ops", ops, now_us() - t);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int mib, ops;
	void *buf;
	int fd, ret;

	if (argc != 4) {
		fprintf(stderr, "usage: blk-io DEVICE MIB OPS\n");
		return 2;
	}
	mib = strtoul(argv[2], NULL, 0);
	ops = strtoul(argv[3], NULL, 0);
	if (!mib) {
		fprintf(stderr, "blk-io: MIB must be at least 1\n");
		return 2;
	}
	errno = posix_memalign(&buf, 4096, SEQ_BLOCK);
	if (errno)
		return fail("posix_memalign");
	memset(buf, 0x5a, SEQ_BLOCK);
	fd = open(argv[1], O_RDWR | O_DIRECT | O_CLOEXEC);
	if (fd < 0)
		return fail(argv[1]);
	printf("bench-blk-begin\n");
	fflush(stdout);
	ret = sequential(fd, buf, mib, 1) || sequential(fd, buf, mib, 0) ||
	      random_reads(fd, buf, mib, ops);
	close(fd);
	free(buf);
	return ret;
}
