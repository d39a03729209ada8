/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The user's terminal: raw input while the guest owns the console, and
 * the original settings back on every exit path.
 */
#ifndef LKVM_VMM_TERM_H
#define LKVM_VMM_TERM_H

#include <stdbool.h>
#include <termios.h>

struct term {
	int fd;
	bool raw;
	struct termios saved;
};

/* Put @fd in raw input mode if it is a terminal. Returns whether it is one. */
bool term_raw(struct term *t, int fd);
/* Restore what term_raw() changed. Safe to call when nothing changed. */
void term_restore(struct term *t);

#endif
