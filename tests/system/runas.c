// SPDX-License-Identifier: GPL-2.0
/*
 * runas [-L] UID COMMAND [ARG]...: run COMMAND as user and group UID
 * with no supplementary groups (and so, for a UID other than 0, without
 * root's capabilities). -L takes CAP_IPC_LOCK out of the bounding set
 * first, so that even root runs COMMAND under RLIMIT_MEMLOCK. How the
 * system tests run the VMM as an ordinary user (the emulated host's
 * busybox has no su, and its setpriv cannot change the user).
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <linux/capability.h>

int main(int argc, char **argv)
{
	int drop_ipc_lock = argc > 1 && !strcmp(argv[1], "-L");
	char *end;
	long id;

	argv += drop_ipc_lock;
	argc -= drop_ipc_lock;
	if (argc < 3) {
		fprintf(stderr, "usage: runas [-L] UID COMMAND [ARG]...\n");
		return 2;
	}
	id = strtol(argv[1], &end, 10);
	if (*end || id < 0) {
		fprintf(stderr, "runas: '%s' is not a user id\n", argv[1]);
		return 2;
	}
	if (drop_ipc_lock && prctl(PR_CAPBSET_DROP, CAP_IPC_LOCK, 0, 0, 0)) {
		fprintf(stderr, "runas: cannot drop CAP_IPC_LOCK: %s\n", strerror(errno));
		return 1;
	}
	if (setgroups(0, NULL) || setgid(id) || setuid(id)) {
		fprintf(stderr, "runas: cannot become user %ld: %s\n", id, strerror(errno));
		return 1;
	}
	execvp(argv[2], argv + 2);
	fprintf(stderr, "runas: %s: %s\n", argv[2], strerror(errno));
	return 127;
}
