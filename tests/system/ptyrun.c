// SPDX-License-Identifier: GPL-2.0
/*
 * ptyrun: run a command on a pseudo-terminal, as a user at a terminal
 * would, and say what it did to the terminal's settings. For the system
 * tests: the VMM must put the terminal in raw mode while the guest runs
 * and give the settings back on every exit, SIGTERM included.
 *
 *   ptyrun [-w TEXT | -r] [-d MS] [-k SIGNAL | -t KEYS] -- COMMAND [ARG...]
 *
 * Waits until the output shows TEXT (-w) or the command has put the
 * terminal in raw mode (-r), if either is asked for, and MS milliseconds
 * more,
 * then sends SIGNAL to the command or types KEYS (C escapes: \001 is
 * Ctrl-A). Output goes on to stdout. When the command has exited it
 * prints one line:
 *
 *   ptyrun: status N raw-while-running yes|no restored yes|no
 *
 * "raw" is checked when the wait is over, just before the signal or keys
 * if any: canonical mode and echo off. "restored": the settings are those the terminal had before.
 * A command still running after 120 seconds is killed (status 137), so
 * that a hung case fails on its own instead of stalling the others.
 * The command gets the terminal as stdin, stdout and stderr but not as
 * its controlling terminal, so that its exit does not hang the terminal
 * up before the settings can be read.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "ptyrun: %s: %s\n", what, strerror(errno));
	exit(125);
}

static void usage(void)
{
	fprintf(stderr, "usage: ptyrun [-w TEXT | -r] [-d MS] [-k SIGNAL | -t KEYS] -- COMMAND [ARG...]\n");
	exit(125);
}

/* KEYS with \NNN octal escapes decoded in place; returns the length. */
static size_t unescape(char *s)
{
	char *in = s, *out = s;

	while (*in) {
		if (in[0] == '\\' && in[1] >= '0' && in[1] <= '7') {
			int v = 0, n;

			for (n = 0, in++; n < 3 && *in >= '0' && *in <= '7'; n++)
				v = v * 8 + (*in++ - '0');
			*out++ = (char)v;
		} else {
			*out++ = *in++;
		}
	}
	return out - s;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int open_pty(int *slave)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	char *name;

	if (master < 0 || grantpt(master) || unlockpt(master) || !(name = ptsname(master)))
		die("posix_openpt");
	*slave = open(name, O_RDWR | O_NOCTTY);
	if (*slave < 0)
		die(name);
	return master;
}

/* Canonical mode and echo off: what a VMM's console needs. */
static int is_raw(int fd)
{
	struct termios t;

	return !tcgetattr(fd, &t) && !(t.c_lflag & (ICANON | ECHO));
}

static int same_settings(const struct termios *a, const struct termios *b)
{
	return a->c_iflag == b->c_iflag && a->c_oflag == b->c_oflag &&
	       a->c_cflag == b->c_cflag && a->c_lflag == b->c_lflag &&
	       !memcmp(a->c_cc, b->c_cc, sizeof(a->c_cc));
}

int main(int argc, char **argv)
{
	const char *wait_text = NULL;
	char *keys = NULL, seen[8192];
	long delay_ms = 0;
	int sig = 0, opt, master, slave, status, raw = -1, wait_raw = 0;
	size_t nkeys = 0, nseen = 0;
	long long ready_at = -1, deadline;
	struct termios before, after;
	pid_t pid;

	while ((opt = getopt(argc, argv, "w:rd:k:t:")) != -1) {
		switch (opt) {
		case 'w': wait_text = optarg; break;
		case 'r': wait_raw = 1; break;
		case 'd': delay_ms = atol(optarg); break;
		case 'k': sig = atoi(optarg); break;
		case 't': keys = optarg; nkeys = unescape(keys); break;
		default: usage();
		}
	}
	if (optind >= argc || (sig && keys) || (wait_text && wait_raw))
		usage();

	master = open_pty(&slave);
	if (tcgetattr(slave, &before))
		die("tcgetattr");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		dup2(slave, 0);
		dup2(slave, 1);
		dup2(slave, 2);
		if (slave > 2)
			close(slave);
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "ptyrun: %s: %s\n", argv[optind], strerror(errno));
		_exit(127);
	}
	if (!wait_text && !wait_raw)
		ready_at = now_ms() + delay_ms;
	deadline = now_ms() + 120000;

	for (;;) {
		struct pollfd p = { .fd = master, .events = POLLIN };
		char buf[4096];
		ssize_t n;

		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		if (now_ms() > deadline) {
			kill(pid, SIGKILL);
			deadline = now_ms() + 120000;
		}
		if (poll(&p, 1, 20) > 0) {
			n = read(master, buf, sizeof(buf));
			if (n > 0) {
				if (fwrite(buf, 1, n, stdout) != (size_t)n)
					return 125;
				fflush(stdout);
				/* Keep the tail of the output to look for TEXT in. */
				if (wait_text && ready_at < 0) {
					/* What TEXT could straddle is enough to keep. */
					if (nseen + n > sizeof(seen) - 1) {
						size_t keep = strlen(wait_text);

						if (keep > nseen)
							keep = nseen;
						memmove(seen, seen + nseen - keep, keep);
						nseen = keep;
					}
					if ((size_t)n > sizeof(seen) - 1 - nseen)
						n = sizeof(seen) - 1 - nseen;
					memcpy(seen + nseen, buf, n);
					nseen += n;
					seen[nseen] = '\0';
					if (strstr(seen, wait_text))
						ready_at = now_ms() + delay_ms;
				}
			}
		}
		if (wait_raw && ready_at < 0 && is_raw(slave))
			ready_at = now_ms() + delay_ms;
		if (ready_at >= 0 && now_ms() >= ready_at && raw < 0) {
			raw = is_raw(slave);
			if (sig)
				kill(pid, sig);
			else if (keys && write(master, keys, nkeys) != (ssize_t)nkeys)
				die("typing");
		}
	}
	/* Read what the command printed last. */
	for (;;) {
		struct pollfd p = { .fd = master, .events = POLLIN };
		char buf[4096];
		ssize_t n;

		if (poll(&p, 1, 0) <= 0 || (n = read(master, buf, sizeof(buf))) <= 0)
			break;
		if (fwrite(buf, 1, n, stdout) != (size_t)n)
			return 125;
	}
	if (tcgetattr(slave, &after))
		die("tcgetattr after");
	printf("\nptyrun: status %d raw-while-running %s restored %s\n",
	       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
	       raw < 0 ? "unchecked" : raw ? "yes" : "no",
	       same_settings(&before, &after) ? "yes" : "no");
	return 0;
}
