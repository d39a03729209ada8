// SPDX-License-Identifier: GPL-2.0
/*
 * gpio-toggle: runs in the guest. Takes line 0 of a GPIO controller as an
 * output through the character device and sets it COUNT times, high and
 * low in turn, then prints how long one toggle took. The same program
 * times both ways of giving the guest GPIOs: the passed-through PL061
 * (its driver writes the mapped register) and virtio-gpio (each toggle a
 * request to the VMM, which drives the host's line).
 *
 *   gpio-toggle CHIP COUNT
 *
 * Prints: "bench-toggle toggles N ns_per_toggle X".
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <linux/gpio.h>

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

int main(int argc, char **argv)
{
	struct gpio_v2_line_request req;
	struct gpio_v2_line_values v = { .mask = 1 };
	unsigned long count, i;
	double t;
	int fd;

	if (argc != 3 || !(count = strtoul(argv[2], NULL, 0))) {
		fprintf(stderr, "usage: gpio-toggle CHIP COUNT\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		perror("gpio-toggle: open");
		return 1;
	}
	memset(&req, 0, sizeof(req));
	req.num_lines = 1;
	req.config.flags = GPIO_V2_LINE_FLAG_OUTPUT;
	strcpy(req.consumer, "gpio-toggle");
	if (ioctl(fd, GPIO_V2_GET_LINE_IOCTL, &req)) {
		perror("gpio-toggle: GPIO_V2_GET_LINE_IOCTL");
		return 1;
	}
	t = now_ns();
	for (i = 0; i < count; i++) {
		v.bits = ~i & 1;
		if (ioctl(req.fd, GPIO_V2_LINE_SET_VALUES_IOCTL, &v)) {
			perror("gpio-toggle: GPIO_V2_LINE_SET_VALUES_IOCTL");
			return 1;
		}
	}
	t = now_ns() - t;
	printf("bench-toggle toggles %lu ns_per_toggle %.1f\n", count, t / count);
	return 0;
}
