/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One-line diagnostics on stderr, each prefixed with the program name.
 * Errors are reported once, by the function that can explain them.
 */
#ifndef LKVM_VMM_LOG_H
#define LKVM_VMM_LOG_H

enum log_level {
	LOG_QUIET,	/* errors only */
	LOG_NORMAL,	/* errors, warnings, notices */
	LOG_DEBUG,
};

void log_set_level(enum log_level level);
/* Where messages go (stderr by default); the unit tests capture them. */
void log_set_fd(int fd);
void log_msg(enum log_level level, const char *tag, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define pr_err(...)	log_msg(LOG_QUIET, "error: ", __VA_ARGS__)
#define pr_warn(...)	log_msg(LOG_NORMAL, "warning: ", __VA_ARGS__)
#define pr_info(...)	log_msg(LOG_NORMAL, "", __VA_ARGS__)
#define pr_debug(...)	log_msg(LOG_DEBUG, "debug: ", __VA_ARGS__)

#endif
