/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The command line: what the user asked for, checked for form (numbers,
 * ranges, missing arguments) before anything is opened. Whether the
 * host can do it is checked later, by the code that tries.
 */
#ifndef LKVM_VMM_CONFIG_H
#define LKVM_VMM_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#define CONFIG_MAX_PASSTHROUGH	8
#define CONFIG_MIN_MEM_MIB	32
#define CONFIG_MAX_MEM_MIB	(256 * 1024)
#define CONFIG_MAX_CPUS		64
#define CONFIG_GICV2_MAX_CPUS	8	/* the GICv2 architecture's limit */
#define CONFIG_DEFAULT_MEM_MIB	256
#define CONFIG_MAX_GPIO		4
#define CONFIG_MAX_GPIO_LINES	64
#define CONFIG_GPIO_NAME_MAX	32
#define CONFIG_MAX_DISKS	8
#define CONFIG_DISK_SERIAL_MAX	20	/* virtio-blk's VIRTIO_BLK_ID_BYTES */

enum irqchip {
	IRQCHIP_AUTO,
	IRQCHIP_GICV2,
	IRQCHIP_GICV3,
};

/* One --passthrough DEV[,option...]. */
struct passthrough_cfg {
	char dev[128];		/* device name or sysfs path */
	bool no_mmap;		/* mmap=off: trap and forward every access */
	bool keep_binding;	/* bind=keep: the user bound it to VFIO */
	bool no_irqfd;		/* irqfd=off: interrupts through the VMM */
	char compatible[256];	/* compatible=: replaces the guest's list */
};

/* One line of a --gpio: by offset, or by the host's name for it. */
struct gpio_line_cfg {
	char host_name[CONFIG_GPIO_NAME_MAX];	/* empty: by offset */
	unsigned int offset;
	char guest_name[CONFIG_GPIO_NAME_MAX];	/* names=; empty: the host's */
};

/* One --gpio CHIP:LINES[,names=A;B]: a virtio-gpio device. */
struct gpio_cfg {
	char chip[128];		/* /dev/gpiochipN, gpiochipN, label, device */
	unsigned int nr_lines;
	struct gpio_line_cfg lines[CONFIG_MAX_GPIO_LINES];
};

/* One -d/--disk FILE[,ro][,direct][,serial=ID]: a virtio-blk device. */
struct disk_cfg {
	char path[4096];
	bool read_only;
	bool direct;		/* O_DIRECT: past the host's page cache */
	char serial[CONFIG_DISK_SERIAL_MAX + 1];	/* empty: none */
};

enum config_action {
	CONFIG_RUN,
	CONFIG_HELP,
	CONFIG_VERSION,
	CONFIG_RELEASE,		/* lkvm-rcar release DEV */
};

struct vm_config {
	enum config_action action;
	const char *kernel;
	const char *initrd;
	const char *params;	/* appended to the default command line */
	uint64_t mem_mib;
	const char *hugetlbfs;	/* --hugetlbfs DIR, or NULL */
	unsigned int cpus;
	enum irqchip irqchip;
	const char *dump_dtb;
	unsigned int timeout_s;	/* 0: none */
	bool debug;
	bool sandbox;		/* seccomp once set up (--sandbox=on|off) */
	bool stats;		/* --stats given */
	const char *stats_path;	/* its file, NULL: stderr */
	bool rng;		/* --rng: a virtio-rng device */
	const char *release_dev;	/* release: the device */
	unsigned int nr_passthrough;
	unsigned int nr_gpio;
	unsigned int nr_disks;
	/*
	 * The tables last: config_parse() zeroes the fields above and each
	 * entry only when an option takes it, so the 50 KiB of tables are
	 * never touched, and never resident, for the entries not used.
	 */
	struct passthrough_cfg passthrough[CONFIG_MAX_PASSTHROUGH];
	struct gpio_cfg gpio[CONFIG_MAX_GPIO];
	struct disk_cfg disks[CONFIG_MAX_DISKS];	/* in order: vda, vdb... */
};

/*
 * Fill @cfg from argv. Returns 0, or -EINVAL after printing one line that
 * names the bad argument. Nothing is opened or allocated.
 */
int config_parse(struct vm_config *cfg, int argc, char **argv);

/* The --help text. */
void config_usage(void);

const char *irqchip_name(enum irqchip chip);

#endif
