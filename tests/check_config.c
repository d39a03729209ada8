// SPDX-License-Identifier: GPL-2.0
/*
 * Command-line parsing: defaults, every option, and a table of bad input
 * that must each give exactly one line naming the culprit.
 */
#include "tests/check.h"

#include <errno.h>

#include <stdio.h>
#include <string.h>

#include "vmm/config.h"

#define MAX_ARGS 32

/* Parse a NULL-terminated list of words after "lkvm-rcar". */
static int parse(struct vm_config *cfg, const char *const *words)
{
	char *argv[MAX_ARGS + 1] = { "lkvm-rcar" };
	int argc = 1;

	while (*words && argc < MAX_ARGS)
		argv[argc++] = (char *)*words++;
	argv[argc] = NULL;
	return config_parse(cfg, argc, argv);
}

START_TEST(test_defaults)
{
	static const char *const w[] = { "run", "-k", "Image", NULL };
	struct vm_config cfg;

	ck_assert_int_eq(parse(&cfg, w), 0);
	ck_assert_int_eq(cfg.action, CONFIG_RUN);
	ck_assert_str_eq(cfg.kernel, "Image");
	ck_assert_ptr_null(cfg.initrd);
	ck_assert_ptr_null(cfg.params);
	ck_assert_uint_eq(cfg.mem_mib, CONFIG_DEFAULT_MEM_MIB);
	ck_assert_uint_eq(cfg.cpus, 1);
	ck_assert_int_eq(cfg.irqchip, IRQCHIP_AUTO);
	ck_assert_uint_eq(cfg.timeout_s, 0);
	ck_assert_uint_eq(cfg.nr_passthrough, 0);
	ck_assert(!cfg.stats);
	ck_assert(cfg.sandbox);
}
END_TEST

START_TEST(test_all_options)
{
	static const char *const w[] = {
		"run", "--kernel", "K", "--initrd", "I", "--params", "quiet",
		"--mem", "512", "--cpus", "2", "--irqchip", "gicv2",
		"--dump-dtb", "out.dtb", "--timeout", "30",
		"--passthrough", "e6055400.gpio", "--debug", "--stats=s.json",
		"--sandbox", "off", NULL,
	};
	struct vm_config cfg;

	ck_assert_int_eq(parse(&cfg, w), 0);
	ck_assert_str_eq(cfg.kernel, "K");
	ck_assert_str_eq(cfg.initrd, "I");
	ck_assert_str_eq(cfg.params, "quiet");
	ck_assert_uint_eq(cfg.mem_mib, 512);
	ck_assert_uint_eq(cfg.cpus, 2);
	ck_assert_int_eq(cfg.irqchip, IRQCHIP_GICV2);
	ck_assert_str_eq(cfg.dump_dtb, "out.dtb");
	ck_assert_uint_eq(cfg.timeout_s, 30);
	ck_assert_uint_eq(cfg.nr_passthrough, 1);
	ck_assert_str_eq(cfg.passthrough[0].dev, "e6055400.gpio");
	ck_assert(!cfg.passthrough[0].no_mmap);
	ck_assert(!cfg.passthrough[0].keep_binding);
	ck_assert(!cfg.passthrough[0].no_irqfd);
	ck_assert_str_eq(cfg.passthrough[0].compatible, "");
	ck_assert(cfg.debug);
	ck_assert(cfg.stats);
	ck_assert_str_eq(cfg.stats_path, "s.json");
	ck_assert(!cfg.sandbox);
}
END_TEST

START_TEST(test_short_options)
{
	static const char *const w[] = {
		"run", "-k", "K", "-i", "I", "-p", "x=1", "-m", "64", "-c", "4", NULL,
	};
	struct vm_config cfg;

	ck_assert_int_eq(parse(&cfg, w), 0);
	ck_assert_str_eq(cfg.initrd, "I");
	ck_assert_str_eq(cfg.params, "x=1");
	ck_assert_uint_eq(cfg.mem_mib, 64);
	ck_assert_uint_eq(cfg.cpus, 4);
}
END_TEST

/* -m as kvmtool and QEMU take it: MiB, or a number and a unit. */
START_TEST(test_mem_sizes)
{
	static const struct {
		const char *arg;
		uint64_t mib;
	} sizes[] = {
		{ "512", 512 }, { "512M", 512 }, { "512m", 512 }, { "1G", 1024 },
		{ "2g", 2048 }, { "256G", 256 * 1024 }, { "32M", 32 },
	};
	unsigned int i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		const char *w[] = { "run", "-k", "K", "-m", sizes[i].arg, NULL };
		struct vm_config cfg;

		ck_assert_int_eq(parse(&cfg, w), 0);
		ck_assert_uint_eq(cfg.mem_mib, sizes[i].mib);
		ck_assert_ptr_null(cfg.hugetlbfs);
	}
}
END_TEST

START_TEST(test_hugetlbfs)
{
	static const char *const w[] = {
		"run", "-k", "K", "--hugetlbfs", "/dev/hugepages", "-m", "1G", NULL,
	};
	struct vm_config cfg;

	ck_assert_int_eq(parse(&cfg, w), 0);
	ck_assert_str_eq(cfg.hugetlbfs, "/dev/hugepages");
	ck_assert_uint_eq(cfg.mem_mib, 1024);
}
END_TEST

/* The GICv2 limit binds only a GICv2 asked for by name. */
START_TEST(test_gicv2_cpus)
{
	static const char *const eight[] = {
		"run", "-k", "K", "--irqchip", "gicv2", "-c", "8", NULL,
	};
	static const char *const auto_nine[] = { "run", "-k", "K", "-c", "9", NULL };
	struct vm_config cfg;

	ck_assert_int_eq(parse(&cfg, eight), 0);
	ck_assert_uint_eq(cfg.cpus, 8);
	ck_assert_int_eq(parse(&cfg, auto_nine), 0);
	ck_assert_uint_eq(cfg.cpus, 9);
}
END_TEST

START_TEST(test_help_and_version)
{
	static const char *const help[] = { "--help", NULL };
	static const char *const run_help[] = { "run", "-h", NULL };
	static const char *const version[] = { "--version", NULL };
	struct vm_config cfg;

	ck_assert_int_eq(parse(&cfg, help), 0);
	ck_assert_int_eq(cfg.action, CONFIG_HELP);
	ck_assert_int_eq(parse(&cfg, run_help), 0);
	ck_assert_int_eq(cfg.action, CONFIG_HELP);
	ck_assert_int_eq(parse(&cfg, version), 0);
	ck_assert_int_eq(cfg.action, CONFIG_VERSION);
}
END_TEST

START_TEST(test_passthrough_options)
{
	static const char *const w[] = {
		"run", "-k", "K", "--passthrough", "9030000.pl061,mmap=off,bind=keep,irqfd=off",
		"--passthrough",
		"/sys/bus/platform/devices/e6055400.gpio,compatible=renesas,gpio-r8a7795;renesas,rcar-gen3-gpio",
		NULL,
	};
	struct vm_config cfg;

	ck_assert_int_eq(parse(&cfg, w), 0);
	ck_assert_uint_eq(cfg.nr_passthrough, 2);
	ck_assert_str_eq(cfg.passthrough[0].dev, "9030000.pl061");
	ck_assert(cfg.passthrough[0].no_mmap);
	ck_assert(cfg.passthrough[0].keep_binding);
	ck_assert(cfg.passthrough[0].no_irqfd);
	ck_assert_str_eq(cfg.passthrough[1].dev, "/sys/bus/platform/devices/e6055400.gpio");
	ck_assert_str_eq(cfg.passthrough[1].compatible,
			 "renesas,gpio-r8a7795;renesas,rcar-gen3-gpio");
	ck_assert(!cfg.passthrough[1].no_mmap);
	ck_assert(!cfg.passthrough[1].no_irqfd);
}
END_TEST

START_TEST(test_repeated_parse_resets_state)
{
	static const char *const first[] = { "run", "-k", "A", "-c", "3", NULL };
	static const char *const second[] = { "run", "-k", "B", NULL };
	struct vm_config cfg;

	ck_assert_int_eq(parse(&cfg, first), 0);
	ck_assert_int_eq(parse(&cfg, second), 0);
	ck_assert_str_eq(cfg.kernel, "B");
	ck_assert_uint_eq(cfg.cpus, 1);
}
END_TEST

/* Bad input: each must fail with one line that contains @names. */
static const struct bad_case {
	const char *words[8];
	const char *names;
} bad_cases[] = {
	{ { NULL }, "no command" },
	{ { "start", NULL }, "unknown command 'start'" },
	{ { "run", NULL }, "--kernel" },
	{ { "run", "-k", NULL }, "-k needs an argument" },
	{ { "run", "-k", "K", "--bogus", NULL }, "unknown option '--bogus'" },
	{ { "run", "-k", "K", "stray", NULL }, "unexpected argument 'stray'; options take the form" },
	{ { "run", "--stats", "s.json", "-k", "K", NULL }, "--stats takes its file after '=': write --stats=s.json" },
	{ { "run", "-k", "K", "--stats", "s.json", NULL }, "write --stats=s.json" },
	{ { "--help", "run", NULL }, "unexpected argument 'run' after --help" },
	{ { "--version", "x", NULL }, "unexpected argument 'x' after --version" },
	{ { "run", "-k", "K", "--irqchip", "gicv2", "-c", "9", NULL },
	  "--cpus: a GICv2 serves at most 8 vCPUs; give --cpus 8 or fewer, or --irqchip gicv3" },
	{ { "run", "-k", "", NULL }, "--kernel: empty" },
	{ { "run", "-k", "K", "-m", "12x", NULL }, "--mem: '12x' is not a size" },
	{ { "run", "-k", "K", "-m", "1GB", NULL }, "--mem: '1GB' is not a size" },
	{ { "run", "-k", "K", "-m", "1 ", NULL }, "--mem: '1 ' is not a size" },
	{ { "run", "-k", "K", "-m", "G", NULL }, "--mem: 'G' is not a size" },
	{ { "run", "-k", "K", "-m", "1T", NULL }, "--mem: 1T is out of range; give 32M to 256G" },
	{ { "run", "-k", "K", "-m", "0G", NULL }, "--mem: 0G is out of range" },
	{ { "run", "-k", "K", "--hugetlbfs", "", NULL }, "--hugetlbfs: empty" },
	{ { "run", "-k", "K", "-m", "-5", NULL }, "--mem: '-5'" },
	{ { "run", "-k", "K", "-m", "16", NULL }, "--mem: 16 is out of range" },
	{ { "run", "-k", "K", "-m", "99999999999999999999", NULL }, "--mem:" },
	{ { "run", "-k", "K", "-c", "0", NULL }, "--cpus: 0 is out of range" },
	{ { "run", "-k", "K", "-c", "65", NULL }, "--cpus: 65 is out of range" },
	{ { "run", "-k", "K", "--irqchip", "gicv4", NULL }, "--irqchip: unknown interrupt controller 'gicv4'" },
	{ { "run", "-k", "K", "--timeout", "0", NULL }, "--timeout: 0 is out of range" },
	{ { "run", "-k", "K", "--timeout", "", NULL }, "--timeout: '' is not a whole number" },
	{ { "run", "-k", "K", "--dump-dtb", "", NULL }, "--dump-dtb: empty" },
	{ { "run", "-k", "K", "--stats=", NULL }, "--stats: empty" },
	{ { "run", "-k", "K", "--passthrough", "", NULL }, "does not start with a device name" },
	{ { "run", "-k", "K", "--passthrough", ",mmap=off", NULL }, "does not start with a device name" },
	{ { "run", "-k", "K", "--passthrough", "d,mmap=maybe", NULL }, "--passthrough d: unknown option 'mmap=maybe'" },
	{ { "run", "-k", "K", "--passthrough", "d,compatible=", NULL }, "compatible= needs a value" },
	{ { "run", "-k", "K", "--passthrough", "a.gpio", "--passthrough", "a.gpio", NULL },
	  "--passthrough a.gpio: given twice; name each device once" },
	{ { "run", "-k", "K", "--passthrough", "a.gpio", "--passthrough", "/sys/bus/platform/devices/a.gpio/", NULL },
	  "--passthrough /sys/bus/platform/devices/a.gpio: given twice" },
	{ { "run", "-k", "K", "--passthrough", "/sys/x/a.gpio,mmap=off", "--passthrough", "a.gpio", NULL },
	  "--passthrough a.gpio: given twice" },
	{ { "run", "-k", "K", "--passthrough", "/", NULL }, "--passthrough /: not a device name" },
	{ { "run", "-k", "K", "--disk", "", NULL }, "--disk: '' does not start with an image file" },
	{ { "run", "-k", "K", "-d", ",ro", NULL }, "--disk: ',ro' does not start with an image file" },
	{ { "run", "-k", "K", "-d", "a.img,rw", NULL }, "--disk a.img: unknown option 'rw'; use ro, direct or serial=ID" },
	{ { "run", "-k", "K", "-d", "a.img,directio", NULL }, "--disk a.img: unknown option 'directio'; use ro, direct or serial=ID" },
	{ { "run", "-k", "K", "-d", "a.img,serial=", NULL }, "--disk a.img: serial= needs 1 to 20 characters" },
	{ { "run", "-k", "K", "-d", "a.img,serial=abcdefghij0123456789X", NULL }, "serial= needs 1 to 20" },
	{ { "run", "-k", "K", "--sandbox", "maybe", NULL }, "--sandbox: 'maybe' is neither on nor off" },
	{ { "release", NULL }, "release takes one device" },
	{ { "release", "a.gpio", "b.gpio", NULL }, "release takes one device" },
	{ { "release", "--all", NULL }, "release takes one device" },
	{ { "stop", NULL }, "unknown command 'stop'" },
	{ { "run", "-k", "K", "--gpio", "gpiochip0", NULL }, "--gpio: 'gpiochip0' is not CHIP:LINES" },
	{ { "run", "-k", "K", "--gpio", ":3", NULL }, "--gpio: ':3' is not CHIP:LINES" },
	{ { "run", "-k", "K", "--gpio", "gpiochip0:", NULL }, "is not CHIP:LINES" },
	{ { "run", "-k", "K", "--gpio", "c:0,,1", NULL }, "--gpio c: empty line in the list" },
	{ { "run", "-k", "K", "--gpio", "c:0,1,0", NULL }, "--gpio c: line 0 is given twice" },
	{ { "run", "-k", "K", "--gpio", "c:2-4,3", NULL }, "--gpio c: line 3 is given twice" },
	{ { "run", "-k", "K", "--gpio", "c:SW20,1,SW20", NULL }, "--gpio c: line SW20 is given twice" },
	{ { "run", "-k", "K", "--gpio", "c:5-2", NULL }, "--gpio c: range 5-2 runs backwards" },
	{ { "run", "-k", "K", "--gpio", "c:0-64", NULL }, "--gpio c: more than 64 lines" },
	{ { "run", "-k", "K", "--gpio", "c:0,1,names=a", NULL }, "names= gives 1 names for 2 lines" },
	{ { "run", "-k", "K", "--gpio", "c:0,names=a;b", NULL }, "names= gives 2 names for 1 lines" },
	{ { "run", "-k", "K", "--gpio", "c:names=a,0", NULL }, "names= before any line" },
	{ { "run", "-k", "K", "--gpio", "c:0,names=a,1", NULL }, "'1' after names=" },
	{ { "run", "-k", "K", "--gpio", "c:0,names=abcdefghijabcdefghijabcdefghijabc", NULL }, "guest name 'abcdefghij" },
	{ { "run", "-k", "K", "--gpio", "c:abcdefghijabcdefghijabcdefghijabc", NULL }, "line name 'abcdefghij" },
};

START_TEST(test_release)
{
	const char *words[] = { "release", "e6055400.gpio", NULL };
	struct vm_config cfg;

	ck_assert_int_eq(parse(&cfg, words), 0);
	ck_assert_int_eq(cfg.action, CONFIG_RELEASE);
	ck_assert_str_eq(cfg.release_dev, "e6055400.gpio");
}
END_TEST

START_TEST(test_bad_input)
{
	const struct bad_case *c = &bad_cases[_i];
	struct vm_config cfg;

	capture_log();
	ck_assert_int_eq(parse(&cfg, c->words), -EINVAL);
	ck_assert_msg(strstr(captured_log(), c->names),
		      "case %d: '%s' not in '%s'", _i, c->names, captured_log());
	ck_assert_int_eq(captured_lines(), 1);
}
END_TEST

START_TEST(test_too_many_passthrough)
{
	char *argv[4 + 2 * (CONFIG_MAX_PASSTHROUGH + 1)] = {
		"lkvm-rcar", "run", "-k", "K",
	};
	static char names[CONFIG_MAX_PASSTHROUGH + 1][16];
	struct vm_config cfg;
	int argc = 4, i;

	for (i = 0; i <= CONFIG_MAX_PASSTHROUGH; i++) {
		snprintf(names[i], sizeof(names[i]), "dev%d", i);
		argv[argc++] = "--passthrough";
		argv[argc++] = names[i];
	}
	capture_log();
	ck_assert_int_eq(config_parse(&cfg, argc, argv), -EINVAL);
	ck_assert_ptr_nonnull(strstr(captured_log(), "--passthrough: at most"));
}
END_TEST

START_TEST(test_disks_and_rng)
{
	static const char *const w[] = {
		"run", "-k", "K", "-d", "rootfs.img", "--disk", "/dev/sdb,ro",
		"-d", "data.img,serial=abcdefghij0123456789,ro", "-d", "/dev/sdc,direct,ro",
		"--rng", NULL,
	};
	struct vm_config cfg;

	ck_assert_int_eq(parse(&cfg, w), 0);
	ck_assert_uint_eq(cfg.nr_disks, 4);
	ck_assert_str_eq(cfg.disks[0].path, "rootfs.img");
	ck_assert(!cfg.disks[0].read_only);
	ck_assert(!cfg.disks[0].direct);
	ck_assert_str_eq(cfg.disks[0].serial, "");
	ck_assert_str_eq(cfg.disks[1].path, "/dev/sdb");
	ck_assert(cfg.disks[1].read_only);
	ck_assert_str_eq(cfg.disks[2].serial, "abcdefghij0123456789");
	ck_assert(cfg.disks[2].read_only);
	ck_assert(!cfg.disks[2].direct);
	ck_assert_str_eq(cfg.disks[3].path, "/dev/sdc");
	ck_assert(cfg.disks[3].direct);
	ck_assert(cfg.disks[3].read_only);
	ck_assert(cfg.rng);
}
END_TEST

START_TEST(test_gpio_lines)
{
	static const char *const w[] = {
		"run", "-k", "K", "--gpio", "e6055400.gpio:11-13",
		"--gpio", "gpiochip0:0,1,SW20,7,names=led0;;button;", NULL,
	};
	struct vm_config cfg;
	const struct gpio_cfg *a = &cfg.gpio[0], *b = &cfg.gpio[1];

	ck_assert_int_eq(parse(&cfg, w), 0);
	ck_assert_uint_eq(cfg.nr_gpio, 2);
	ck_assert_str_eq(a->chip, "e6055400.gpio");
	ck_assert_uint_eq(a->nr_lines, 3);
	ck_assert_uint_eq(a->lines[0].offset, 11);
	ck_assert_uint_eq(a->lines[2].offset, 13);
	ck_assert_str_eq(a->lines[1].host_name, "");
	ck_assert_str_eq(a->lines[1].guest_name, "");

	ck_assert_str_eq(b->chip, "gpiochip0");
	ck_assert_uint_eq(b->nr_lines, 4);
	ck_assert_uint_eq(b->lines[1].offset, 1);
	ck_assert_str_eq(b->lines[2].host_name, "SW20");
	ck_assert_uint_eq(b->lines[3].offset, 7);
	ck_assert_str_eq(b->lines[0].guest_name, "led0");
	ck_assert_str_eq(b->lines[1].guest_name, "");
	ck_assert_str_eq(b->lines[2].guest_name, "button");
	ck_assert_str_eq(b->lines[3].guest_name, "");
}
END_TEST

START_TEST(test_too_many_gpio)
{
	char *argv[4 + 2 * (CONFIG_MAX_GPIO + 1)] = {
		"lkvm-rcar", "run", "-k", "K",
	};
	struct vm_config cfg;
	int argc = 4, i;

	for (i = 0; i <= CONFIG_MAX_GPIO; i++) {
		argv[argc++] = "--gpio";
		argv[argc++] = "gpiochip0:1";
	}
	capture_log();
	ck_assert_int_eq(config_parse(&cfg, argc, argv), -EINVAL);
	ck_assert_ptr_nonnull(strstr(captured_log(), "--gpio: at most 4 controllers"));
}
END_TEST

Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_all_options);
	tcase_add_test(tc, test_short_options);
	tcase_add_test(tc, test_mem_sizes);
	tcase_add_test(tc, test_hugetlbfs);
	tcase_add_test(tc, test_gicv2_cpus);
	tcase_add_test(tc, test_help_and_version);
	tcase_add_test(tc, test_passthrough_options);
	tcase_add_test(tc, test_repeated_parse_resets_state);
	tcase_add_test(tc, test_release);
	tcase_add_loop_test(tc, test_bad_input, 0,
			    sizeof(bad_cases) / sizeof(bad_cases[0]));
	tcase_add_test(tc, test_too_many_passthrough);
	tcase_add_test(tc, test_gpio_lines);
	tcase_add_test(tc, test_disks_and_rng);
	tcase_add_test(tc, test_too_many_gpio);
	suite_add_tcase(s, tc);
	return s;
}
