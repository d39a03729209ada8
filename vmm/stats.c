// SPDX-License-Identifier: GPL-2.0
/*
 * --stats output. Wall times are CLOCK_MONOTONIC from main()'s start; CPU
 * time is getrusage()'s, which (unlike the CPU-time clocks) needs no
 * CONFIG_POSIX_TIMERS in a small host kernel; memory is getrusage()'s peak
 * RSS less the guest RAM resident at exit (mincore), which is what the
 * VMM itself costs.
 */
#include "vmm/stats.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "vmm/log.h"
#include "vmm/sandbox.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* User plus system CPU time of the whole process so far. */
static uint64_t process_cpu_ns(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return 0;
	return ((uint64_t)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000ull +
	       ((uint64_t)ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000ull;
}

void stats_start(struct vm *vm)
{
	vm->t_start = now_ns();
}

void stats_first_run(struct vm *vm)
{
	vm->cpu_first_run = process_cpu_ns();
	vm->t_first_run = now_ns();
}

void stats_end(struct vm *vm)
{
	vm->t_end = now_ns();
}

/* KiB of guest RAM in host memory now. */
static uint64_t resident_ram_kib(const struct vm *vm)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t pages, i;
	uint64_t n = 0;
	unsigned char *vec;

	if (!vm->ram.host || page <= 0)
		return 0;
	pages = (vm->ram.size + page - 1) / page;
	vec = malloc(pages);
	if (!vec)
		return 0;
	if (mincore(vm->ram.host, vm->ram.size, vec) == 0)
		for (i = 0; i < pages; i++)
			n += vec[i] & 1;
	free(vec);
	return n * page / 1024;
}

static double ms(uint64_t ns)
{
	return ns / 1e6;
}

static void write_memory(const struct vm *vm, FILE *f)
{
	struct rusage ru;
	uint64_t peak, ram;

	getrusage(RUSAGE_SELF, &ru);
	peak = ru.ru_maxrss;
	ram = resident_ram_kib(vm);
	fprintf(f, "  \"memory\": { \"peak_rss_kib\": %llu, \"guest_ram_resident_kib\": %llu, \"vmm_overhead_kib\": %llu },\n",
		(unsigned long long)peak, (unsigned long long)ram,
		(unsigned long long)(peak > ram ? peak - ram : 0));
}

static void write_vcpus(const struct vm *vm, FILE *f)
{
	unsigned int i;

	fprintf(f, "  \"vcpus\": [");
	for (i = 0; i < vm->nr_vcpus; i++) {
		const struct vcpu *v = &vm->vcpus[i];

		fprintf(f, "%s\n    { \"id\": %u, \"exits\": { \"mmio\": %llu, \"system_event\": %llu, \"interrupted\": %llu, \"other\": %llu } }",
			i ? "," : "", v->id,
			(unsigned long long)v->exits.mmio,
			(unsigned long long)v->exits.system_event,
			(unsigned long long)v->exits.interrupted,
			(unsigned long long)v->exits.other);
	}
	fprintf(f, "\n  ],\n");
}

uint64_t stats_mmio_exits(const struct vm *vm, const char *name)
{
	uint64_t n = 0;
	unsigned int i;

	for (i = 0; i < vm->nr_mmio; i++)
		if (vm->mmio[i].name && !strcmp(vm->mmio[i].name, name))
			n += vm->mmio[i].exits;
	return n;
}

void stats_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void write_devices(struct vm *vm, FILE *f)
{
	unsigned int i;

	fprintf(f, "  \"devices\": [");
	for (i = 0; i < vm->nr_devices; i++) {
		struct device *dev = &vm->devices[i];

		fprintf(f, "%s\n    { \"type\": \"%s\"", i ? "," : "", dev->ops->name);
		if (dev->ops->stats)
			dev->ops->stats(vm, dev, f);
		fprintf(f, " }");
	}
	fprintf(f, "\n  ]\n");
}

int stats_open(struct vm *vm, const char *path)
{
	int ret;

	if (!path || !strcmp(path, "-")) {
		vm->stats_out = stderr;
		return 0;
	}
	vm->stats_out = fopen(path, "we");
	if (vm->stats_out) {
		sandbox_allow_fd(fileno(vm->stats_out), SANDBOX_FD_WRITE,
				 SANDBOX_ROLE(SANDBOX_LOOP));
		return 0;
	}
	ret = -errno;
	pr_err("--stats %s: %s", path, strerror(errno));
	return ret;
}

int stats_write(struct vm *vm, int status)
{
	const char *path = vm->cfg->stats_path;
	uint64_t end = vm->t_end ? vm->t_end : now_ns();
	FILE *f = vm->stats_out;
	int ret = 0;

	if (!f)
		return 0;
	vm->stats_out = NULL;
	fprintf(f, "{\n  \"exit_status\": %d,\n", status);
	if (vm->t_first_run)
		fprintf(f, "  \"startup\": { \"wall_ms\": %.3f, \"cpu_ms\": %.3f },\n  \"run_ms\": %.3f,\n",
			ms(vm->t_first_run - vm->t_start), ms(vm->cpu_first_run),
			ms(end - vm->t_first_run));
	write_memory(vm, f);
	write_vcpus(vm, f);
	fprintf(f, "  \"unassigned_mmio_exits\": %llu,\n  \"loop_wakeups\": %llu,\n",
		(unsigned long long)vm->unassigned_exits,
		(unsigned long long)vm->loop.completions);
	write_devices(vm, f);
	fprintf(f, "}\n");
	if (f != stderr && fclose(f)) {
		ret = -errno;
		pr_err("--stats %s: %s", path, strerror(errno));
	}
	return ret;
}
