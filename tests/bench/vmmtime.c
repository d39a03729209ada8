// SPDX-License-Identifier: GPL-2.0
/*
 * vmmtime: runs a VMM and measures it from outside, the same way whatever
 * the VMM is, so that lkvm-rcar and QEMU are compared on equal terms.
 *
 *   vmmtime [-m MARK]... [-e PREFIX] [-r RAM_MIB] [-p MS] [-c BYTES]
 *           [-k SIGNAL] [-t SECONDS] -- COMMAND [ARG]...
 *
 * COMMAND's stdout (the guest console) is read line by line. The first
 * line that holds each MARK is kept and timed (holds, not starts with: a
 * kernel message may have begun the line): wall time since the
 * launch, the VMM's CPU time, and the same split as the kernel counts
 * it by the tick (/proc/PID/stat: user, which includes the guest;
 * system; guest), its RSS and the part of it that is guest RAM, both
 * from smaps (resident_kib()). Lines starting with PREFIX are passed on to stdout as they come,
 * for a harness that reacts to the guest. With -p, the same figures are
 * also sampled every MS milliseconds; the last sample before the VMM
 * exits is reported, whatever the console did.
 * With -c, the BYTES raw bytes after the line "bench-data" are counted and
 * checksummed (CRC-32, as busybox's crc32) as they stream by. With -k,
 * SIGNAL (a number) goes to COMMAND as soon as the first MARK given has
 * been seen, and the JSON says when ("signalled_ms", since the launch).
 * With -t, a COMMAND still running SECONDS after the launch is killed
 * (status 137), so that a hung VMM fails a test instead of stalling it.
 * Where debugfs is mounted, each sample also holds the KVM counters of
 * the VMM's VMs (/sys/kernel/debug/kvm/PID-FD/): "kvm_exits", every exit
 * from the guest, and "kvm_user_exits", the MMIO exits that went on to
 * the VMM in user space; of the rest, "kvm_kernel_mmio_exits", the MMIO
 * exits KVM served itself (an ioeventfd's notification, the GIC's
 * registers), and "kvm_wfi_exits", the vCPUs' waits for an interrupt;
 * -1 without them. "vcpu_cpu_ms" is the CPU time
 * of the VMM's vCPU threads, exact (each thread's schedstat), the guest
 * included: what the whole ("cpu_ms") less it leaves is the work of the
 * VMM's other threads, with no tick in it. vCPU threads are known by
 * their names: lkvm-rcar's "lkvm-vcpuN", kvmtool's "kvm-vcpu-N", QEMU's
 * "CPU N/KVM" (with -name debug-threads=on); -1 if none is found.
 * At exit one JSON object goes to stdout, on a line of its own, the last.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_MARKS	8
#define LINE_MAX_LEN	4096
#define KEPT_LEN	160
#define PATH_MAX_LEN	256

struct sample {
	bool seen;
	double ms, cpu_ms, user_cpu_ms, sys_cpu_ms, guest_cpu_ms, vcpu_cpu_ms;
	long rss_kib, ram_kib;
	long long kvm_exits, kvm_user_exits, kvm_kernel_mmio_exits, kvm_wfi_exits;
	char line[KEPT_LEN];
};

struct mark {
	const char *text;
	struct sample at;
};

static struct mark marks[MAX_MARKS];
static unsigned int nr_marks;
static uint64_t ram_bytes;
static const char *echo_prefix;
static int period_ms = -1;
static int kill_signal;
static double signalled_ms = -1;
static double guard_ms;
static struct sample last;
static struct timespec t0;
static pid_t child;

static double since_launch_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0.tv_sec) * 1e3 + (t.tv_nsec - t0.tv_nsec) / 1e6;
}

/* CPU time of the whole VMM process (all its threads) so far. */
static double child_cpu_ms(void)
{
	struct timespec t;
	clockid_t clk;

	if (clock_getcpuclockid(child, &clk) || clock_gettime(clk, &t))
		return -1;
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/*
 * The VMM's CPU time as the kernel splits it, by the tick, from
 * /proc/PID/stat: field 14 user (which includes the guest), 15 system,
 * 43 guest. Left at -1 if it cannot be read.
 */
static void child_stat_ms(struct sample *s)
{
	char path[64], buf[1024], *p;
	unsigned long long v[44];
	double tick_ms = 1e3 / sysconf(_SC_CLK_TCK);
	ssize_t n;
	int fd, field;

	s->user_cpu_ms = s->sys_cpu_ms = s->guest_cpu_ms = -1;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)child);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	/* The command name (field 2) may hold spaces: count from its ')'. */
	p = strrchr(buf, ')');
	for (field = 3; field <= 43; field++) {
		p = p ? strchr(p + 1, ' ') : NULL;
		if (!p)
			return;
		v[field] = strtoull(p + 1, NULL, 10);	/* field 3, a letter, gives 0 */
	}
	s->user_cpu_ms = v[14] * tick_ms;
	s->sys_cpu_ms = v[15] * tick_ms;
	s->guest_cpu_ms = v[43] * tick_ms;
}

/*
 * The VMM's resident memory, exactly: the sum of every mapping's "Rss:"
 * in smaps (the kernel counts it walking the page tables). VmRSS in
 * /proc/PID/status is not used: Linux before 6.2 keeps each thread's
 * count of new pages to itself until it has 64, so VmRSS can be short by
 * up to 256 KiB a thread, more than the VMM's own memory moves. Guest
 * RAM is the largest mapping of RAM_MIB up to RAM_MIB + 4 MiB: exactly
 * RAM_MIB for lkvm-rcar and QEMU; kvmtool maps 2 MiB more, to align it.
 */
static void resident_kib(long *total, long *ram)
{
	char path[64], line[256];
	unsigned long long lo, hi, size = 0, ram_size = 0;
	long kib = -1, this = 0, v;
	FILE *f;

	*total = *ram = -1;
	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)child);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx-%llx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' ')) {
			size = hi - lo;
		} else if (sscanf(line, "Rss: %ld kB", &v) == 1) {
			kib = (kib < 0 ? 0 : kib) + v;
			if (ram_bytes && size >= ram_bytes && size <= ram_bytes + (4ull << 20) &&
			    size > ram_size) {
				ram_size = size;
				this = v;
			}
		}
	}
	fclose(f);
	*total = kib;
	if (ram_size)
		*ram = this;
}

static long long read_counter(const char *dir, const char *name)
{
	char path[PATH_MAX_LEN], buf[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtoll(buf, NULL, 10);
}

/*
 * KVM's own counts for the VMs the VMM holds, summed (one directory per
 * VM, named after the process and the VM's fd): the same for any VMM.
 */
static void child_kvm_exits(struct sample *s)
{
	static const char *const names[] = {
		"exits", "mmio_exit_user", "mmio_exit_kernel", "wfi_exit_stat",
	};
	long long *const sums[sizeof(names) / sizeof(names[0])] = {
		&s->kvm_exits, &s->kvm_user_exits, &s->kvm_kernel_mmio_exits, &s->kvm_wfi_exits,
	};
	long long values[sizeof(names) / sizeof(names[0])];
	const unsigned int n = sizeof(names) / sizeof(names[0]);
	char pattern[64];
	unsigned int k;
	glob_t g;
	size_t i;

	for (k = 0; k < n; k++)
		*sums[k] = -1;
	snprintf(pattern, sizeof(pattern), "/sys/kernel/debug/kvm/%d-*", (int)child);
	if (glob(pattern, 0, NULL, &g))
		return;
	for (i = 0; i < g.gl_pathc; i++) {
		for (k = 0; k < n; k++) {
			values[k] = read_counter(g.gl_pathv[i], names[k]);
			if (values[k] < 0)
				break;
		}
		if (k < n)
			continue;
		for (k = 0; k < n; k++)
			*sums[k] = (*sums[k] < 0 ? 0 : *sums[k]) + values[k];
	}
	globfree(&g);
}

/* A thread's name that says it runs a vCPU, in each VMM's spelling. */
static bool is_vcpu_thread(const char *comm)
{
	size_t n = strlen(comm);

	return !strncmp(comm, "lkvm-vcpu", 9) || !strncmp(comm, "kvm-vcpu-", 9) ||
	       (!strncmp(comm, "CPU ", 4) && n > 4 && !strcmp(comm + n - 4, "/KVM"));
}

/* The first line of a /proc file, without its newline; false if unread. */
static bool read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");
	bool ok;

	if (!f)
		return false;
	ok = fgets(buf, (int)size, f) != NULL;
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return ok;
}

/* The vCPU threads' CPU time, exact: schedstat's first field (ns). */
static double vcpu_threads_ms(void)
{
	char task[PATH_MAX_LEN / 2], path[PATH_MAX_LEN], comm[32];
	long long ns;
	double ms = 0;
	bool found = false;
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)child);
	d = opendir(path);
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(task, sizeof(task), "/proc/%d/task/%.32s", (int)child, e->d_name);
		snprintf(path, sizeof(path), "%s/comm", task);
		if (!read_line(path, comm, sizeof(comm)) || !is_vcpu_thread(comm))
			continue;
		ns = read_counter(task, "schedstat");
		if (ns < 0) {
			found = false;	/* no schedstat: no exact figure */
			break;
		}
		ms += ns / 1e6;
		found = true;
	}
	closedir(d);
	return found ? ms : -1;
}

static void take_sample(struct sample *s, const char *line)
{
	snprintf(s->line, sizeof(s->line), "%s", line);
	s->seen = true;
	s->ms = since_launch_ms();
	s->cpu_ms = child_cpu_ms();
	s->vcpu_cpu_ms = vcpu_threads_ms();
	child_stat_ms(s);
	resident_kib(&s->rss_kib, &s->ram_kib);
	child_kvm_exits(s);
}

/* CRC-32 as zlib and busybox's crc32 compute it (reflected 0xedb88320). */
static uint32_t crc_table[256];

static void crc_init(void)
{
	uint32_t c;
	int i, j;

	for (i = 0; i < 256; i++) {
		c = i;
		for (j = 0; j < 8; j++)
			c = c & 1 ? (c >> 1) ^ 0xedb88320u : c >> 1;
		crc_table[i] = c;
	}
}

static uint32_t crc_update(uint32_t crc, const unsigned char *p, size_t n)
{
	while (n--)
		crc = (crc >> 8) ^ crc_table[(crc ^ *p++) & 0xff];
	return crc;
}

struct stream {
	uint64_t want, got;	/* raw data bytes after "bench-data" */
	uint32_t crc;
	bool raw;
	struct sample begin, end;
	char line[LINE_MAX_LEN];
	size_t len;
};

static void on_line(struct stream *s)
{
	unsigned int i;

	s->line[s->len] = '\0';
	for (i = 0; i < nr_marks; i++)
		if (!marks[i].at.seen && strstr(s->line, marks[i].text))
			take_sample(&marks[i].at, s->line);
	if (kill_signal && signalled_ms < 0 && nr_marks && marks[0].at.seen) {
		kill(child, kill_signal);
		signalled_ms = since_launch_ms();
	}
	if (echo_prefix && !strncmp(s->line, echo_prefix, strlen(echo_prefix))) {
		printf("%s\n", s->line);
		fflush(stdout);
	}
	if (s->want && !s->begin.seen && !strncmp(s->line, "bench-data", 10)) {
		take_sample(&s->begin, s->line);
		s->raw = true;
	}
	s->len = 0;
}

static void consume(struct stream *s, const unsigned char *p, size_t n)
{
	while (n) {
		if (s->raw) {
			size_t take = n < s->want - s->got ? n : s->want - s->got;

			s->crc = crc_update(s->crc, p, take);
			s->got += take;
			p += take;
			n -= take;
			if (s->got == s->want) {
				take_sample(&s->end, "");
				s->raw = false;
			}
			continue;
		}
		if (*p == '\n' || s->len == sizeof(s->line) - 1)
			on_line(s);
		else if (*p != '\r')
			s->line[s->len++] = *p;
		p++;
		n--;
	}
}

/* @text as a JSON string: the guest's bytes are not trusted to be clean. */
static void print_json_string(const char *text)
{
	const unsigned char *p;

	putchar('"');
	for (p = (const unsigned char *)text; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

static void print_sample(const char *name, const struct sample *s, const char *sep)
{
	print_json_string(name);
	printf(": { \"ms\": %.3f, \"cpu_ms\": %.3f, \"user_cpu_ms\": %.0f, \"sys_cpu_ms\": %.0f, \"guest_cpu_ms\": %.0f, \"vcpu_cpu_ms\": %.3f, \"rss_kib\": %ld, \"guest_ram_kib\": %ld, \"kvm_exits\": %lld, \"kvm_user_exits\": %lld, \"kvm_kernel_mmio_exits\": %lld, \"kvm_wfi_exits\": %lld, \"line\": ",
	       s->ms, s->cpu_ms, s->user_cpu_ms, s->sys_cpu_ms, s->guest_cpu_ms, s->vcpu_cpu_ms, s->rss_kib, s->ram_kib,
	       s->kvm_exits, s->kvm_user_exits, s->kvm_kernel_mmio_exits, s->kvm_wfi_exits);
	print_json_string(s->line);
	printf(" }%s", sep);
}

static void usage(void)
{
	fprintf(stderr, "usage: vmmtime [-m MARK]... [-e PREFIX] [-r RAM_MIB] [-p MS] [-c BYTES] [-k SIGNAL] [-t SECONDS] -- COMMAND [ARG]...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct stream s = { .crc = 0xffffffffu };
	unsigned char buf[65536];
	struct rusage ru;
	int opt, fds[2], status;
	unsigned int i;
	ssize_t n;

	while ((opt = getopt(argc, argv, "+m:e:r:p:c:k:t:")) != -1) {
		switch (opt) {
		case 'm':
			if (nr_marks == MAX_MARKS)
				usage();
			marks[nr_marks++].text = optarg;
			break;
		case 'r':
			ram_bytes = strtoull(optarg, NULL, 0) << 20;
			break;
		case 'c':
			s.want = strtoull(optarg, NULL, 0);
			break;
		case 'e':
			echo_prefix = optarg;
			break;
		case 'p':
			period_ms = atoi(optarg);
			break;
		case 'k':
			kill_signal = atoi(optarg);
			break;
		case 't':
			guard_ms = atof(optarg) * 1e3;
			break;
		default:
			usage();
		}
	}
	if (optind >= argc)
		usage();
	crc_init();
	if (pipe2(fds, O_CLOEXEC)) {
		perror("vmmtime: pipe");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	child = fork();
	if (child < 0) {
		perror("vmmtime: fork");
		return 1;
	}
	if (child == 0) {
		dup2(fds[1], STDOUT_FILENO);
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "vmmtime: %s: %s\n", argv[optind], strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	for (;;) {
		struct pollfd pfd = { .fd = fds[0], .events = POLLIN };
		struct sample now;
		int wait_ms = period_ms;

		if (guard_ms > 0) {
			double left = guard_ms - since_launch_ms();

			if (left <= 0) {
				kill(child, SIGKILL);
				guard_ms = 0;
			} else if (wait_ms < 0 || left < wait_ms) {
				wait_ms = (int)left + 1;
			}
		}
		if (poll(&pfd, 1, wait_ms) == 0) {
			if (period_ms < 0)
				continue;
			/* A sample of a process that is exiting is not kept. */
			take_sample(&now, "");
			if (now.rss_kib >= 0 && now.ram_kib >= 0)
				last = now;
			continue;
		}
		n = read(fds[0], buf, sizeof(buf));
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		consume(&s, buf, n);
	}
	if (wait4(child, &status, 0, &ru) < 0) {
		perror("vmmtime: wait4");
		return 1;
	}
	printf("{ \"status\": %d, \"wall_ms\": %.3f, \"cpu_ms\": %.3f, \"peak_rss_kib\": %ld, ",
	       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
	       since_launch_ms(),
	       (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3, ru.ru_maxrss);
	if (s.want) {
		printf("\"data\": { \"bytes\": %" PRIu64 ", \"crc32\": \"%08" PRIx32 "\", ",
		       s.got, ~s.crc);
		print_sample("begin", &s.begin, ", ");
		print_sample("end", &s.end, " }, ");
	}
	if (last.seen)
		print_sample("last_sample", &last, ", ");
	if (signalled_ms >= 0)
		printf("\"signalled_ms\": %.3f, ", signalled_ms);
	printf("\"marks\": {");
	for (i = 0; i < nr_marks; i++) {
		printf(" ");
		if (marks[i].at.seen)
			print_sample(marks[i].text, &marks[i].at, i + 1 < nr_marks ? "," : " ");
		else {
			print_json_string(marks[i].text);
			printf(": null%s", i + 1 < nr_marks ? "," : " ");
		}
	}
	printf("} }\n");
	return 0;
}
