// SPDX-License-Identifier: GPL-2.0
/*
 * gpiotool: what the system tests need of a host GPIO controller while
 * lkvm-rcar shares some of its lines, through the v2 uAPI (the rig has no
 * libgpiod):
 *
 *   gpiotool info CHIP            one line per line: offset, used or
 *                                 free, consumer, direction, name
 *   gpiotool set CHIP LINE VALUE  drive LINE as an output, then let go
 *   gpiotool get CHIP LINE        read LINE as an input, then let go (it
 *                                 stays an input)
 *
 * CHIP is a path (/dev/gpiochip0). Exit status 1 with a message on error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/gpio.h>

static int fail(const char *what)
{
	fprintf(stderr, "gpiotool: %s: %s\n", what, strerror(errno));
	return 1;
}

static int info(int fd)
{
	struct gpiochip_info chip;
	unsigned int i;

	if (ioctl(fd, GPIO_GET_CHIPINFO_IOCTL, &chip))
		return fail("GPIO_GET_CHIPINFO_IOCTL");
	for (i = 0; i < chip.lines; i++) {
		struct gpio_v2_line_info li;

		memset(&li, 0, sizeof(li));
		li.offset = i;
		if (ioctl(fd, GPIO_V2_GET_LINEINFO_IOCTL, &li))
			return fail("GPIO_V2_GET_LINEINFO_IOCTL");
		printf("line %u: %s consumer '%s' %s name '%s'\n", i,
		       li.flags & GPIO_V2_LINE_FLAG_USED ? "used" : "free", li.consumer,
		       li.flags & GPIO_V2_LINE_FLAG_OUTPUT ? "output" : "input", li.name);
	}
	return 0;
}

static int get(int fd, unsigned int line)
{
	struct gpio_v2_line_request req;
	struct gpio_v2_line_values values = { .mask = 1 };

	memset(&req, 0, sizeof(req));
	req.offsets[0] = line;
	req.num_lines = 1;
	strcpy(req.consumer, "gpiotool");
	req.config.flags = GPIO_V2_LINE_FLAG_INPUT;
	if (ioctl(fd, GPIO_V2_GET_LINE_IOCTL, &req))
		return fail("GPIO_V2_GET_LINE_IOCTL");
	if (ioctl(req.fd, GPIO_V2_LINE_GET_VALUES_IOCTL, &values)) {
		close(req.fd);
		return fail("GPIO_V2_LINE_GET_VALUES_IOCTL");
	}
	close(req.fd);
	printf("line %u: reads %u\n", line, (unsigned int)(values.bits & 1));
	return 0;
}

static int set(int fd, unsigned int line, unsigned int value)
{
	struct gpio_v2_line_request req;

	memset(&req, 0, sizeof(req));
	req.offsets[0] = line;
	req.num_lines = 1;
	strcpy(req.consumer, "gpiotool");
	req.config.flags = GPIO_V2_LINE_FLAG_OUTPUT;
	req.config.num_attrs = 1;
	req.config.attrs[0].mask = 1;
	req.config.attrs[0].attr.id = GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES;
	req.config.attrs[0].attr.values = value & 1;
	if (ioctl(fd, GPIO_V2_GET_LINE_IOCTL, &req))
		return fail("GPIO_V2_GET_LINE_IOCTL");
	close(req.fd);
	printf("line %u: set to %u\n", line, value & 1);
	return 0;
}

int main(int argc, char **argv)
{
	int fd, ret;

	if (argc < 3 || (strcmp(argv[1], "info") &&
			 (strcmp(argv[1], "set") || argc != 5) &&
			 (strcmp(argv[1], "get") || argc != 4))) {
		fprintf(stderr, "usage: gpiotool info CHIP | gpiotool get CHIP LINE | gpiotool set CHIP LINE VALUE\n");
		return 2;
	}
	fd = open(argv[2], O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return fail(argv[2]);
	if (!strcmp(argv[1], "info"))
		ret = info(fd);
	else if (!strcmp(argv[1], "get"))
		ret = get(fd, strtoul(argv[3], NULL, 0));
	else
		ret = set(fd, strtoul(argv[3], NULL, 0), strtoul(argv[4], NULL, 0));
	close(fd);
	return ret;
}
