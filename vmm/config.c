// SPDX-License-Identifier: GPL-2.0
/*
 * Command-line parsing, kvmtool style: `lkvm-rcar run [options]`.
 */
#include "vmm/config.h"

#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/log.h"

enum {
	OPT_IRQCHIP = 0x100,
	OPT_DUMP_DTB,
	OPT_TIMEOUT,
	OPT_PASSTHROUGH,
	OPT_VERSION,
	OPT_DEBUG,
	OPT_STATS,
	OPT_SANDBOX,
	OPT_GPIO,
	OPT_RNG,
	OPT_HUGETLBFS,
};

static const struct option run_options[] = {
	{ "kernel",	 required_argument, NULL, 'k' },
	{ "initrd",	 required_argument, NULL, 'i' },
	{ "params",	 required_argument, NULL, 'p' },
	{ "mem",	 required_argument, NULL, 'm' },
	{ "cpus",	 required_argument, NULL, 'c' },
	{ "hugetlbfs",	 required_argument, NULL, OPT_HUGETLBFS },
	{ "irqchip",	 required_argument, NULL, OPT_IRQCHIP },
	{ "dump-dtb",	 required_argument, NULL, OPT_DUMP_DTB },
	{ "timeout",	 required_argument, NULL, OPT_TIMEOUT },
	{ "passthrough", required_argument, NULL, OPT_PASSTHROUGH },
	{ "gpio",	 required_argument, NULL, OPT_GPIO },
	{ "disk",	 required_argument, NULL, 'd' },
	{ "rng",	 no_argument,	    NULL, OPT_RNG },
	{ "debug",	 no_argument,	    NULL, OPT_DEBUG },
	{ "stats",	 optional_argument, NULL, OPT_STATS },
	{ "sandbox",	 required_argument, NULL, OPT_SANDBOX },
	{ "help",	 no_argument,	    NULL, 'h' },
	{ "version",	 no_argument,	    NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

void config_usage(void)
{
	fputs(
"Usage: lkvm-rcar run --kernel IMAGE [options]\n"
"       lkvm-rcar release DEV\n"
"       lkvm-rcar --help | --version\n"
"\n"
"Boot an arm64 Linux guest under KVM with a virtio console on stdin/stdout.\n"
"\n"
"Options for run:\n"
"  -k, --kernel IMAGE     arm64 Linux Image to boot (required)\n"
"  -i, --initrd FILE      initial ramdisk\n"
"  -p, --params TEXT      appended to the kernel command line\n"
"                         (default: \"console=hvc0 panic=-1\")\n"
"  -m, --mem SIZE         guest RAM: MiB, or with a suffix M, G or T\n"
"                         (default 256, 32M..256G; e.g. -m 1G)\n"
"      --hugetlbfs DIR    guest RAM on the huge pages of the hugetlbfs\n"
"                         mounted at DIR (without it, transparent huge\n"
"                         pages are asked for where the host has them)\n"
"  -c, --cpus N           number of vCPUs (default 1; at most 8 on a GICv2)\n"
"      --irqchip TYPE     gicv2, gicv3 or auto (default: auto, GICv3 first)\n"
"      --dump-dtb FILE    also write the guest's device tree blob to FILE\n"
"      --timeout SECONDS  stop the guest after SECONDS (exit status 5)\n"
"      --passthrough DEV[,mmap=off][,irqfd=off][,bind=keep][,compatible=A;B]\n"
"                         pass a platform or AMBA device through with VFIO;\n"
"                         DEV is a name (e6055400.gpio) or a sysfs path.\n"
"                         mmap=off traps every access instead of mapping;\n"
"                         irqfd=off delivers interrupts from the VMM, as\n"
"                         on hosts without KVM_CAP_IRQFD_RESAMPLE;\n"
"                         bind=keep leaves the host driver binding alone;\n"
"                         compatible= replaces the guest node's list (last;\n"
"                         quote the argument: ';' is the shell's)\n"
"      --gpio CHIP:LINES[,names=A;B...]\n"
"                         share lines of a host GPIO controller that the\n"
"                         host keeps, as a virtio-gpio device; CHIP is\n"
"                         its device (e6055400.gpio) or label, which stay\n"
"                         put, or gpiochipN, whose N follows probe order;\n"
"                         LINES are offsets, ranges and host line names\n"
"                         (0,1,3 or 11-13 or SW20); names= names them for\n"
"                         the guest (quote the argument: ';' is the shell's)\n"
"  -d, --disk FILE[,ro][,direct][,serial=ID]\n"
"                         a virtio-blk disk on a raw image or block device;\n"
"                         repeatable, the first is /dev/vda; ro: read-only;\n"
"                         direct: I/O past the host's page cache (O_DIRECT);\n"
"                         serial= the ID the guest reads (20 bytes at most)\n"
"      --rng              a virtio-rng device, fed from getrandom()\n"
"      --stats[=FILE]     at exit, write what the run cost as JSON to FILE\n"
"                         (default stderr; opened at start): start-up\n"
"                         time, memory, exits by reason and device,\n"
"                         interrupts, console bytes\n"
"      --sandbox on|off   confine the VMM with seccomp once the VM is set\n"
"                         up (default on; off is for debugging)\n"
"      --debug            print what the VMM does, step by step\n"
"  -h, --help             this text\n"
"      --version          print the version\n"
"\n"
"Console: type Ctrl-A x to stop the guest (when stdin is a terminal).\n"
"\n"
"release DEV gives a passed-through device back to its host driver, and\n"
"the GPIO lines of controller DEV lent with --gpio back as they were,\n"
"after a VMM was killed (SIGKILL) before it could, from the records it\n"
"keeps in /run/lkvm-rcar; a later run of the same device or lines does\n"
"the same by itself.\n"
"\n"
"Exit status:\n"
"  0  the guest powered off        4  the guest panicked or crashed\n"
"  1  VMM error (reported)         5  --timeout expired\n"
"  2  bad command line             6  stopped by a signal or Ctrl-A x\n"
"  3  the guest asked for a reset\n",
	      stdout);
}

const char *irqchip_name(enum irqchip chip)
{
	switch (chip) {
	case IRQCHIP_GICV2:
		return "gicv2";
	case IRQCHIP_GICV3:
		return "gicv3";
	default:
		return "auto";
	}
}

static int parse_uint(const char *opt, const char *arg, unsigned long long min,
		      unsigned long long max, unsigned long long *val)
{
	char *end;

	errno = 0;
	if (*arg < '0' || *arg > '9')
		goto bad;
	*val = strtoull(arg, &end, 10);
	if (errno || *end)
		goto bad;
	if (*val < min || *val > max) {
		pr_err("%s: %s is out of range; give a number from %llu to %llu",
		       opt, arg, min, max);
		return -EINVAL;
	}
	return 0;
bad:
	pr_err("%s: '%s' is not a whole number; give one from %llu to %llu",
	       opt, arg, min, max);
	return -EINVAL;
}

/* --mem SIZE: MiB, or a number with M, G or T (kvmtool's and QEMU's -m). */
static int parse_mem(const char *arg, unsigned long long *mib)
{
	static const char suffixes[] = "MGT";
	unsigned long long n;
	const char *unit;
	char *end;

	errno = 0;
	if (*arg < '0' || *arg > '9')
		goto bad;
	n = strtoull(arg, &end, 10);
	if (errno)
		goto bad;
	if (*end) {
		unit = end[1] ? NULL : memchr(suffixes, *end & ~0x20, 3);
		if (!unit)
			goto bad;
		/* M is 1, G 1024, T 1024 * 1024 MiB; no overflow below max. */
		n = n > CONFIG_MAX_MEM_MIB ? n : n << (10 * (unit - suffixes));
	}
	if (n < CONFIG_MIN_MEM_MIB || n > CONFIG_MAX_MEM_MIB) {
		pr_err("--mem: %s is out of range; give %dM to %dG", arg,
		       CONFIG_MIN_MEM_MIB, CONFIG_MAX_MEM_MIB >> 10);
		return -EINVAL;
	}
	*mib = n;
	return 0;
bad:
	pr_err("--mem: '%s' is not a size; give MiB (512) or a number with M, G or T (1G)",
	       arg);
	return -EINVAL;
}

static int parse_irqchip(const char *arg, enum irqchip *chip)
{
	static const enum irqchip all[] = {
		IRQCHIP_AUTO, IRQCHIP_GICV2, IRQCHIP_GICV3,
	};
	unsigned int i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (!strcmp(arg, irqchip_name(all[i]))) {
			*chip = all[i];
			return 0;
		}
	}
	pr_err("--irqchip: unknown interrupt controller '%s'; use gicv2, gicv3 or auto",
	       arg);
	return -EINVAL;
}

static int require_text(const char *opt, const char *arg)
{
	if (*arg)
		return 0;
	pr_err("%s: empty argument; give a file name", opt);
	return -EINVAL;
}

/* A device's name, whether given as a name or as a sysfs path. */
static const char *device_name(const char *dev)
{
	const char *slash = strrchr(dev, '/');

	return slash ? slash + 1 : dev;
}

/*
 * The device of @pt named by an earlier --passthrough too, by the same
 * name or by its sysfs path: a second binding of it would undo the first.
 */
static bool passthrough_named_before(const struct vm_config *cfg,
				     const struct passthrough_cfg *pt)
{
	const struct passthrough_cfg *o;

	for (o = cfg->passthrough; o < pt; o++)
		if (!strcmp(device_name(o->dev), device_name(pt->dev)))
			return true;
	return false;
}

/*
 * DEV[,mmap=off][,irqfd=off][,bind=keep][,compatible=A;B]. compatible= runs to the end
 * of the argument, because compatible strings contain commas.
 */
static int parse_passthrough(struct vm_config *cfg, const char *arg)
{
	struct passthrough_cfg *pt;
	const char *p, *end;
	size_t n;

	if (cfg->nr_passthrough == CONFIG_MAX_PASSTHROUGH) {
		pr_err("--passthrough: at most %d devices", CONFIG_MAX_PASSTHROUGH);
		return -EINVAL;
	}
	pt = &cfg->passthrough[cfg->nr_passthrough++];
	memset(pt, 0, sizeof(*pt));
	end = strchr(arg, ',');
	n = end ? (size_t)(end - arg) : strlen(arg);
	if (!n || n >= sizeof(pt->dev)) {
		pr_err("--passthrough: '%s' does not start with a device name", arg);
		return -EINVAL;
	}
	memcpy(pt->dev, arg, n);
	pt->dev[n] = '\0';
	while (n > 1 && pt->dev[n - 1] == '/')
		pt->dev[--n] = '\0';
	if (!device_name(pt->dev)[0] || passthrough_named_before(cfg, pt)) {
		pr_err("--passthrough %s: %s; name each device once",
		       pt->dev, device_name(pt->dev)[0] ? "given twice" : "not a device name");
		return -EINVAL;
	}

	for (p = end; p; p = end) {
		p++;
		end = strchr(p, ',');
		n = end ? (size_t)(end - p) : strlen(p);
		if (!strncmp(p, "compatible=", 11)) {
			if (strlen(p + 11) >= sizeof(pt->compatible) || !p[11]) {
				pr_err("--passthrough %s: compatible= needs a value under %zu bytes",
				       pt->dev, sizeof(pt->compatible));
				return -EINVAL;
			}
			strcpy(pt->compatible, p + 11);
			break;
		} else if (n == 8 && !strncmp(p, "mmap=off", n)) {
			pt->no_mmap = true;
		} else if (n == 7 && !strncmp(p, "mmap=on", n)) {
			pt->no_mmap = false;
		} else if (n == 9 && !strncmp(p, "irqfd=off", n)) {
			pt->no_irqfd = true;
		} else if (n == 8 && !strncmp(p, "irqfd=on", n)) {
			pt->no_irqfd = false;
		} else if (n == 9 && !strncmp(p, "bind=keep", n)) {
			pt->keep_binding = true;
		} else {
			pr_err("--passthrough %s: unknown option '%.*s'; use mmap=off, irqfd=off, bind=keep or compatible=LIST",
			       pt->dev, (int)n, p);
			return -EINVAL;
		}
	}
	return 0;
}

/* Whether @s (of @n bytes) is all decimal digits; its value in @val. */
static bool parse_offset(const char *s, size_t n, unsigned int *val)
{
	size_t i;

	if (!n || n > 6)
		return false;
	*val = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*val = *val * 10 + (s[i] - '0');
	}
	return true;
}

static int gpio_add_line(struct gpio_cfg *g, const char *host_name,
			 size_t name_len, unsigned int offset)
{
	struct gpio_line_cfg *l;
	unsigned int i;

	if (g->nr_lines == CONFIG_MAX_GPIO_LINES) {
		pr_err("--gpio %s: more than %d lines; share at most %d per --gpio",
		       g->chip, CONFIG_MAX_GPIO_LINES, CONFIG_MAX_GPIO_LINES);
		return -EINVAL;
	}
	if (name_len >= CONFIG_GPIO_NAME_MAX) {
		pr_err("--gpio %s: line name '%.*s' is longer than %d bytes",
		       g->chip, (int)name_len, host_name, CONFIG_GPIO_NAME_MAX - 1);
		return -EINVAL;
	}
	for (i = 0; i < g->nr_lines; i++) {
		const struct gpio_line_cfg *o = &g->lines[i];
		bool same = name_len ? strlen(o->host_name) == name_len &&
				       !memcmp(o->host_name, host_name, name_len)
				     : !o->host_name[0] && o->offset == offset;

		if (same && name_len)
			pr_err("--gpio %s: line %s is given twice; name each line once",
			       g->chip, o->host_name);
		else if (same)
			pr_err("--gpio %s: line %u is given twice; name each line once",
			       g->chip, offset);
		if (same)
			return -EINVAL;
	}
	l = &g->lines[g->nr_lines++];
	memcpy(l->host_name, host_name, name_len);
	l->host_name[name_len] = '\0';
	l->offset = offset;
	return 0;
}

/* One item of LINES: an offset, a range FIRST-LAST, or a host line name. */
static int gpio_add_item(struct gpio_cfg *g, const char *p, size_t n)
{
	const char *dash = memchr(p, '-', n);
	unsigned int first, last, off;
	int ret = 0;

	if (!n) {
		pr_err("--gpio %s: empty line in the list; separate lines with single commas",
		       g->chip);
		return -EINVAL;
	}
	if (parse_offset(p, n, &off))
		return gpio_add_line(g, "", 0, off);
	if (dash && parse_offset(p, dash - p, &first) &&
	    parse_offset(dash + 1, n - (dash - p) - 1, &last)) {
		if (first > last) {
			pr_err("--gpio %s: range %.*s runs backwards; write it FIRST-LAST",
			       g->chip, (int)n, p);
			return -EINVAL;
		}
		for (off = first; !ret && off <= last; off++)
			ret = gpio_add_line(g, "", 0, off);
		return ret;
	}
	return gpio_add_line(g, p, n, 0);
}

/* names=A;B;C: one guest name per line, in order; an empty one keeps the host's. */
static int gpio_parse_names(struct gpio_cfg *g, const char *p, size_t n)
{
	unsigned int i = 0;
	const char *end = p + n, *semi;

	for (;; p = semi + 1, i++) {
		size_t len;

		semi = memchr(p, ';', end - p);
		len = (semi ? semi : end) - p;
		if (i < g->nr_lines) {
			if (len >= CONFIG_GPIO_NAME_MAX) {
				pr_err("--gpio %s: guest name '%.*s' is longer than %d bytes",
				       g->chip, (int)len, p, CONFIG_GPIO_NAME_MAX - 1);
				return -EINVAL;
			}
			memcpy(g->lines[i].guest_name, p, len);
			g->lines[i].guest_name[len] = '\0';
		}
		if (!semi)
			break;
	}
	if (i + 1 != g->nr_lines) {
		pr_err("--gpio %s: names= gives %u names for %u lines; give one per line, after the lines",
		       g->chip, i + 1, g->nr_lines);
		return -EINVAL;
	}
	return 0;
}

/* CHIP:LINE[,LINE...][,names=A;B...] */
static int parse_gpio(struct vm_config *cfg, const char *arg)
{
	const char *colon = strchr(arg, ':'), *p, *end;
	bool named = false;
	struct gpio_cfg *g;
	size_t n;
	int ret;

	if (cfg->nr_gpio == CONFIG_MAX_GPIO) {
		pr_err("--gpio: at most %d controllers", CONFIG_MAX_GPIO);
		return -EINVAL;
	}
	g = &cfg->gpio[cfg->nr_gpio++];
	memset(g, 0, sizeof(*g));
	n = colon ? (size_t)(colon - arg) : 0;
	if (!n || n >= sizeof(g->chip) || !colon[1]) {
		pr_err("--gpio: '%s' is not CHIP:LINES; e.g. --gpio e6055400.gpio:11-13", arg);
		return -EINVAL;
	}
	memcpy(g->chip, arg, n);
	g->chip[n] = '\0';
	for (p = colon + 1; p; p = end ? end + 1 : NULL) {
		end = strchr(p, ',');
		n = end ? (size_t)(end - p) : strlen(p);
		if (named) {
			pr_err("--gpio %s: '%.*s' after names=; names= comes last, after the lines",
			       g->chip, (int)n, p);
			return -EINVAL;
		}
		named = !strncmp(p, "names=", 6);
		if (named && !g->nr_lines) {
			pr_err("--gpio %s: names= before any line; give the lines first",
			       g->chip);
			return -EINVAL;
		}
		ret = named ? gpio_parse_names(g, p + 6, n - 6) : gpio_add_item(g, p, n);
		if (ret)
			return ret;
	}
	return 0;
}

/* FILE[,ro][,direct][,serial=ID]: the options from the first comma on. */
static int parse_disk(struct vm_config *cfg, const char *arg)
{
	struct disk_cfg *d;
	const char *p, *end;
	size_t n;

	if (cfg->nr_disks == CONFIG_MAX_DISKS) {
		pr_err("--disk: at most %d disks", CONFIG_MAX_DISKS);
		return -EINVAL;
	}
	d = &cfg->disks[cfg->nr_disks++];
	memset(d, 0, sizeof(*d));
	end = strchr(arg, ',');
	n = end ? (size_t)(end - arg) : strlen(arg);
	if (!n || n >= sizeof(d->path)) {
		pr_err("--disk: '%s' does not start with an image file; e.g. --disk rootfs.img,ro", arg);
		return -EINVAL;
	}
	memcpy(d->path, arg, n);
	d->path[n] = '\0';
	for (p = end; p; p = end) {
		p++;
		end = strchr(p, ',');
		n = end ? (size_t)(end - p) : strlen(p);
		if (n == 2 && !strncmp(p, "ro", 2)) {
			d->read_only = true;
		} else if (n == 6 && !strncmp(p, "direct", 6)) {
			d->direct = true;
		} else if (n > 7 && !strncmp(p, "serial=", 7) &&
			   n - 7 <= CONFIG_DISK_SERIAL_MAX) {
			memcpy(d->serial, p + 7, n - 7);
			d->serial[n - 7] = '\0';
		} else if (!strncmp(p, "serial=", 7)) {
			pr_err("--disk %s: serial= needs 1 to %d characters", d->path,
			       CONFIG_DISK_SERIAL_MAX);
			return -EINVAL;
		} else {
			pr_err("--disk %s: unknown option '%.*s'; use ro, direct or serial=ID",
			       d->path, (int)n, p);
			return -EINVAL;
		}
	}
	return 0;
}

static int parse_run_option(struct vm_config *cfg, int c, const char *arg)
{
	unsigned long long v;
	int ret;

	switch (c) {
	case 'k':
		cfg->kernel = arg;
		return require_text("--kernel", arg);
	case 'i':
		cfg->initrd = arg;
		return require_text("--initrd", arg);
	case 'p':
		cfg->params = arg;
		return 0;
	case 'm':
		ret = parse_mem(arg, &v);
		if (!ret)
			cfg->mem_mib = v;
		return ret;
	case OPT_HUGETLBFS:
		cfg->hugetlbfs = arg;
		return require_text("--hugetlbfs", arg);
	case 'c':
		ret = parse_uint("--cpus", arg, 1, CONFIG_MAX_CPUS, &v);
		cfg->cpus = v;
		return ret;
	case OPT_IRQCHIP:
		return parse_irqchip(arg, &cfg->irqchip);
	case OPT_DUMP_DTB:
		cfg->dump_dtb = arg;
		return require_text("--dump-dtb", arg);
	case OPT_TIMEOUT:
		ret = parse_uint("--timeout", arg, 1, 7 * 24 * 3600, &v);
		cfg->timeout_s = v;
		return ret;
	case OPT_PASSTHROUGH:
		return parse_passthrough(cfg, arg);
	case OPT_GPIO:
		return parse_gpio(cfg, arg);
	case 'd':
		return parse_disk(cfg, arg);
	case OPT_RNG:
		cfg->rng = true;
		return 0;
	case OPT_DEBUG:
		cfg->debug = true;
		return 0;
	case OPT_SANDBOX:
		if (strcmp(arg, "on") && strcmp(arg, "off")) {
			pr_err("--sandbox: '%s' is neither on nor off", arg);
			return -EINVAL;
		}
		cfg->sandbox = !strcmp(arg, "on");
		return 0;
	case OPT_STATS:
		cfg->stats = true;
		cfg->stats_path = arg;
		return arg ? require_text("--stats", arg) : 0;
	case 'h':
		cfg->action = CONFIG_HELP;
		return 0;
	case OPT_VERSION:
		cfg->action = CONFIG_VERSION;
		return 0;
	default:
		/* getopt has printed what was wrong. */
		return -EINVAL;
	}
}

static void config_defaults(struct vm_config *cfg)
{
	memset(cfg, 0, offsetof(struct vm_config, passthrough));
	cfg->action = CONFIG_RUN;
	cfg->mem_mib = CONFIG_DEFAULT_MEM_MIB;
	cfg->cpus = 1;
	cfg->irqchip = IRQCHIP_AUTO;
	cfg->sandbox = true;
}

/* lkvm-rcar release DEV: exactly one device, no options. */
static int parse_release(struct vm_config *cfg, int argc, char **argv)
{
	if (argc != 3 || argv[2][0] == '-' || !argv[2][0]) {
		pr_err("release takes one device: lkvm-rcar release DEV (e.g. e6055400.gpio)");
		return -EINVAL;
	}
	cfg->action = CONFIG_RELEASE;
	cfg->release_dev = argv[2];
	return 0;
}

/* --help and --version stand alone: a word after them is a mistake. */
static int no_words_after(int argc, char **argv)
{
	if (argc <= 2)
		return 0;
	pr_err("unexpected argument '%s' after %s; %s takes nothing more",
	       argv[2], argv[1], argv[1]);
	return -EINVAL;
}

/*
 * --stats takes its file only after '=' (a bare --stats writes to
 * stderr), so "--stats FILE" leaves FILE as a stray word. The word after
 * a bare --stats, found before getopt reorders argv, lets the error say
 * that instead of the general hint.
 */
static const char *word_after_bare_stats(int argc, char **argv)
{
	int i;

	for (i = 1; i + 1 < argc; i++)
		if (!strcmp(argv[i], "--stats") && argv[i + 1][0] != '-')
			return argv[i + 1];
	return NULL;
}

static int report_stray_word(const char *word, const char *after_stats)
{
	if (word == after_stats)
		pr_err("--stats takes its file after '=': write --stats=%s", word);
	else
		pr_err("unexpected argument '%s'; options take the form --name VALUE",
		       word);
	return -EINVAL;
}

/* Limits that hold between options, checked before anything is opened. */
static int check_combination(const struct vm_config *cfg)
{
	if (cfg->irqchip == IRQCHIP_GICV2 && cfg->cpus > CONFIG_GICV2_MAX_CPUS) {
		pr_err("--cpus: a GICv2 serves at most %d vCPUs; give --cpus %d or fewer, or --irqchip gicv3",
		       CONFIG_GICV2_MAX_CPUS, CONFIG_GICV2_MAX_CPUS);
		return -EINVAL;
	}
	return 0;
}

int config_parse(struct vm_config *cfg, int argc, char **argv)
{
	const char *after_stats;
	int c, ret;

	config_defaults(cfg);
	if (argc < 2) {
		pr_err("no command; try 'lkvm-rcar run --kernel IMAGE' or 'lkvm-rcar --help'");
		return -EINVAL;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		cfg->action = CONFIG_HELP;
		return no_words_after(argc, argv);
	}
	if (!strcmp(argv[1], "--version")) {
		cfg->action = CONFIG_VERSION;
		return no_words_after(argc, argv);
	}
	if (!strcmp(argv[1], "release"))
		return parse_release(cfg, argc, argv);
	if (strcmp(argv[1], "run")) {
		pr_err("unknown command '%s'; the commands are 'run' and 'release' (see 'lkvm-rcar --help')",
		       argv[1]);
		return -EINVAL;
	}

	/* Skip the command word; optind = 0 also resets getopt between calls. */
	argc--;
	argv++;
	after_stats = word_after_bare_stats(argc, argv);
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":k:i:p:m:c:d:h", run_options, NULL)) != -1) {
		if (c == '?' || c == ':') {
			const char *what = argv[optind - 1];

			if (c == ':')
				pr_err("%s needs an argument (see 'lkvm-rcar --help')", what);
			else
				pr_err("unknown option '%s' (see 'lkvm-rcar --help')", what);
			return -EINVAL;
		}
		ret = parse_run_option(cfg, c, optarg);
		if (ret)
			return ret;
	}
	if (optind < argc)
		return report_stray_word(argv[optind], after_stats);
	if (cfg->action == CONFIG_RUN && !cfg->kernel) {
		pr_err("no kernel; give one with --kernel IMAGE");
		return -EINVAL;
	}
	return check_combination(cfg);
}
