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
	vm->startup.t_mark = vm->t_start;
	vm->startup.cpu_mark = process_cpu_ns();
}

static void add_step(struct stats_steps *steps, const char *name,
		     uint64_t t, uint64_t cpu)
{
	if (steps->n < STATS_MAX_STEPS)
		steps->step[steps->n++] = (struct stats_step) {
			.name = name,
			.wall_ns = t - steps->t_mark,
			.cpu_ns = cpu > steps->cpu_mark ? cpu - steps->cpu_mark : 0,
		};
	steps->t_mark = t;
	steps->cpu_mark = cpu;
}

void stats_step(struct vm *vm, const char *name)
{
	add_step(vm->t_end ? &vm->teardown : &vm->startup, name, now_ns(),
		 process_cpu_ns());
}

void stats_first_run(struct vm *vm)
{
	vm->cpu_first_run = process_cpu_ns();
	vm->t_first_run = now_ns();
}

/* From any thread, the sandbox's vCPU role included: a clock read only. */
void stats_stop_asked(struct vm *vm)
{
	uint64_t none = 0;

	__atomic_compare_exchange_n(&vm->t_stop, &none, now_ns(), false,
				    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}

/*
 * Tear-down is timed from the stop request (the guest's power-off, a
 * signal, --timeout), or from here when the guest never ran. Its first
 * step, the stop reaching the main thread and the vCPUs and the loop
 * winding down, has no CPU figure of its own: the process's CPU clock
 * cannot be read from every thread under the sandbox, so that step's CPU
 * is counted from the run's end.
 */
void stats_end(struct vm *vm)
{
	uint64_t stop = __atomic_load_n(&vm->t_stop, __ATOMIC_RELAXED);

	vm->t_end = now_ns();
	vm->teardown.t_mark = stop && stop < vm->t_end ? stop : vm->t_end;
	vm->teardown.cpu_mark = process_cpu_ns();
	vm->t_teardown = vm->teardown.t_mark;
	vm->cpu_teardown = vm->teardown.cpu_mark;
	add_step(&vm->teardown, "stop", vm->t_end, vm->teardown.cpu_mark);
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
	const struct ram_map *backing = &vm->ram_backing;
	struct rusage ru;
	uint64_t peak, ram, ram_in_rss;

	getrusage(RUSAGE_SELF, &ru);
	peak = ru.ru_maxrss;
	ram = resident_ram_kib(vm);
	/* hugetlbfs pages are not counted in a process's RSS. */
	ram_in_rss = backing->backing == RAM_HUGETLBFS ? 0 : ram;
	fprintf(f, "  \"memory\": { \"peak_rss_kib\": %llu, \"guest_ram_resident_kib\": %llu, \"vmm_overhead_kib\": %llu, \"guest_ram_pages\": \"%s\", \"guest_ram_page_kib\": %llu },\n",
		(unsigned long long)peak, (unsigned long long)ram,
		(unsigned long long)(peak > ram_in_rss ? peak - ram_in_rss : 0),
		ram_backing_name(backing->backing),
		(unsigned long long)(backing->page_size >> 10));
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
	fprintf(f, "\n  ]");
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

static void write_steps(FILE *f, const struct stats_steps *steps)
{
	unsigned int i;

	fprintf(f, "\"steps\": [");
	for (i = 0; i < steps->n; i++)
		fprintf(f, "%s\n      { \"step\": \"%s\", \"wall_ms\": %.3f, \"cpu_ms\": %.3f }",
			i ? "," : "", steps->step[i].name, ms(steps->step[i].wall_ns),
			ms(steps->step[i].cpu_ns));
	fprintf(f, "\n    ] }");
}

/*
 * Start-up's last step runs from main()'s last one to the boot vCPU's
 * first KVM_RUN: the vCPU threads, the sandbox, the loop's first wait.
 */
static void write_startup(struct vm *vm, FILE *f)
{
	if (!vm->t_first_run)
		return;
	add_step(&vm->startup, "first_run", vm->t_first_run, vm->cpu_first_run);
	fprintf(f, "  \"startup\": { \"wall_ms\": %.3f, \"cpu_ms\": %.3f, ",
		ms(vm->t_first_run - vm->t_start), ms(vm->cpu_first_run));
	write_steps(f, &vm->startup);
	fprintf(f, ",\n  \"run_ms\": %.3f,\n", ms(vm->t_end - vm->t_first_run));
}

void stats_collect(struct vm *vm, int status)
{
	FILE *f;

	if (!vm->stats_out)
		return;
	f = open_memstream(&vm->stats_text, &vm->stats_len);
	if (!f)
		return;
	fprintf(f, "{\n  \"schema\": %d,\n  \"exit_status\": %d,\n", STATS_SCHEMA,
		status);
	write_startup(vm, f);
	write_memory(vm, f);
	write_vcpus(vm, f);
	fprintf(f, "  \"unassigned_mmio_exits\": %llu,\n  \"coalesced_mmio_writes\": %llu,\n"
		"  \"loop_wakeups\": %llu,\n",
		(unsigned long long)vm->unassigned_exits,
		(unsigned long long)vm->coalesced_writes,
		(unsigned long long)vm->loop.completions);
	fprintf(f, "  \"loop_lock_waits\": %llu,\n  \"loop_lock_retries\": %llu,\n",
		(unsigned long long)vm->loop.lock_waits,
		(unsigned long long)vm->loop.lock_retries);
	write_devices(vm, f);
	if (fclose(f)) {
		free(vm->stats_text);
		vm->stats_text = NULL;
	}
}

int stats_write(struct vm *vm)
{
	const char *path = vm->cfg->stats_path;
	FILE *f = vm->stats_out;
	int ret = 0;

	if (!f)
		return 0;
	vm->stats_out = NULL;
	if (vm->stats_text) {
		fwrite(vm->stats_text, 1, vm->stats_len, f);
		/* From the stop request to the last step. */
		fprintf(f, ",\n  \"teardown\": { \"wall_ms\": %.3f, \"cpu_ms\": %.3f, ",
			ms(vm->teardown.t_mark - vm->t_teardown),
			ms(vm->teardown.cpu_mark - vm->cpu_teardown));
		write_steps(f, &vm->teardown);
		fprintf(f, "\n}\n");
	} else {
		pr_err("--stats %s: out of memory for the figures", path);
		ret = -ENOMEM;
	}
	free(vm->stats_text);
	vm->stats_text = NULL;
	if (f != stderr && fclose(f) && !ret) {
		ret = -errno;
		pr_err("--stats %s: %s", path, strerror(errno));
	}
	return ret;
}
