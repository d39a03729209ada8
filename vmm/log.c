// SPDX-License-Identifier: GPL-2.0
/*
 * Diagnostics. The whole line is formatted first and written with one
 * call, so that lines from vCPU threads and the event loop never
 * interleave mid-line.
 */
#include "vmm/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

static enum log_level log_level = LOG_NORMAL;
static int log_fd = STDERR_FILENO;

void log_set_level(enum log_level level)
{
	log_level = level;
}

void log_set_fd(int fd)
{
	log_fd = fd;
}

void log_msg(enum log_level level, const char *tag, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	if (level > log_level)
		return;

	n = snprintf(line, sizeof(line), "lkvm-rcar: %s", tag);
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(line) - 1)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (write(log_fd, line, n) < 0)
		return;
}
