// SPDX-License-Identifier: GPL-2.0
/*
 * Terminal handling. Only input processing is made raw: output post-
 * processing stays on, so the VMM's own messages still start at the left
 * margin while the guest owns the terminal.
 */
#include "vmm/term.h"

#include <unistd.h>

bool term_raw(struct term *t, int fd)
{
	struct termios raw;

	t->fd = fd;
	t->raw = false;
	if (!isatty(fd) || tcgetattr(fd, &t->saved) < 0)
		return false;
	raw = t->saved;
	raw.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR |
			 ICRNL | IXON);
	raw.c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	raw.c_cflag |= CS8;
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(fd, TCSAFLUSH, &raw) == 0)
		t->raw = true;
	return true;
}

void term_restore(struct term *t)
{
	if (t->raw)
		tcsetattr(t->fd, TCSAFLUSH, &t->saved);
	t->raw = false;
}
