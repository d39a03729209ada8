// SPDX-License-Identifier: GPL-2.0
/*
 * gpio-react: runs in the guest. Waits for COUNT rising edges on line IN
 * of a GPIO controller, through the character device's edge events, and
 * answers each at once by setting line OUT, high and low in turn. Outside,
 * QEMU's trace timestamps both the button's input change and the answer's
 * output change on one clock: the time between them is what a press costs
 * to reach a guest program and come back out, whichever way the guest got
 * the controller (passed through, or lines shared through virtio-gpio).
 *
 *   gpio-react CHIP IN OUT COUNT
 *
 * Speaks the test guest's words for the harness, which presses on the
 * first and paces itself on the second: "guest: gpio: ready for COUNT
 * presses", then "guest: gpio: button interrupt N arrived (...)" each.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/gpio.h>

static int request(int chip, unsigned int line, unsigned long long flags)
{
	struct gpio_v2_line_request req;

	memset(&req, 0, sizeof(req));
	req.offsets[0] = line;
	req.num_lines = 1;
	req.config.flags = flags;
	strcpy(req.consumer, "gpio-react");
	if (ioctl(chip, GPIO_V2_GET_LINE_IOCTL, &req)) {
		perror("gpio-react: GPIO_V2_GET_LINE_IOCTL");
		return -1;
	}
	return req.fd;
}

int main(int argc, char **argv)
{
	struct gpio_v2_line_values v = { .mask = 1 };
	struct gpio_v2_line_event ev;
	unsigned long count, n = 0;
	int chip, in, out;

	if (argc != 5 || !(count = strtoul(argv[4], NULL, 0))) {
		fprintf(stderr, "usage: gpio-react CHIP IN OUT COUNT\n");
		return 2;
	}
	chip = open(argv[1], O_RDWR | O_CLOEXEC);
	if (chip < 0) {
		perror("gpio-react: open");
		return 1;
	}
	in = request(chip, strtoul(argv[2], NULL, 0),
		     GPIO_V2_LINE_FLAG_INPUT | GPIO_V2_LINE_FLAG_EDGE_RISING);
	out = request(chip, strtoul(argv[3], NULL, 0), GPIO_V2_LINE_FLAG_OUTPUT);
	if (in < 0 || out < 0)
		return 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("guest: gpio: ready for %lu presses\n", count);
	while (n < count) {
		if (read(in, &ev, sizeof(ev)) != sizeof(ev)) {
			perror("gpio-react: reading an edge");
			return 1;
		}
		v.bits = ++n & 1;
		if (ioctl(out, GPIO_V2_LINE_SET_VALUES_IOCTL, &v)) {
			perror("gpio-react: GPIO_V2_LINE_SET_VALUES_IOCTL");
			return 1;
		}
		printf("guest: gpio: button interrupt %lu arrived (line %s, answered on line %s)\n",
		       n, argv[2], argv[3]);
	}
	printf("bench-react reactions %lu\n", n);
	return 0;
}
