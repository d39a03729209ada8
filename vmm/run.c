// SPDX-License-Identifier: GPL-2.0
/*
 * The run phase. The main thread becomes the event loop; the vCPU threads
 * ask it to stop through vm->stop_fd, and signals reach it through a
 * signalfd, so every way of stopping ends in the same teardown path.
 */
#include "vmm/run.h"

#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "vmm/log.h"
#include "vmm/loop.h"
#include "vmm/sandbox.h"
#include "vmm/term.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

struct run_state {
	struct vm *vm;
	int sig_fd;
	struct loop_op sig_op;
	struct signalfd_siginfo si;
	struct loop_op stop_op;
	uint64_t stop_count;
	struct loop_op timeout_op;
};

static void fill_stop_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
}

int run_block_signals(void)
{
	sigset_t set;

	fill_stop_signals(&set);
	/* SIGUSR1 is the vCPU kick; only vCPU threads unblock it. */
	sigaddset(&set, SIGUSR1);
	return -pthread_sigmask(SIG_BLOCK, &set, NULL);
}

static void on_stop(struct loop_op *op, int res)
{
	struct run_state *rs = (struct run_state *)((char *)op -
				offsetof(struct run_state, stop_op));

	(void)res;
	loop_stop(&rs->vm->loop);
}

static void on_signal(struct loop_op *op, int res)
{
	struct run_state *rs = (struct run_state *)((char *)op -
				offsetof(struct run_state, sig_op));

	if (res != sizeof(rs->si)) {
		if (loop_read(&rs->vm->loop, op, rs->sig_fd, &rs->si,
			      sizeof(rs->si)) == 0)
			return;
		pr_err("signalfd: %s", strerror(res < 0 ? -res : EIO));
		vm_request_stop(rs->vm, VM_EXIT_ERROR);
		return;
	}
	pr_info("%s: stopping the guest", strsignal(rs->si.ssi_signo));
	vm_request_stop(rs->vm, VM_EXIT_STOPPED);
}

static void on_timeout(struct loop_op *op, int res)
{
	struct run_state *rs = (struct run_state *)((char *)op -
				offsetof(struct run_state, timeout_op));

	if (res != -ETIME)
		return;
	pr_info("--timeout: %u s passed; stopping the guest",
		rs->vm->cfg->timeout_s);
	vm_request_stop(rs->vm, VM_EXIT_TIMEOUT);
}

static int watch_stop_sources(struct run_state *rs)
{
	struct vm *vm = rs->vm;
	sigset_t set;
	int ret;

	fill_stop_signals(&set);
	rs->sig_fd = signalfd(-1, &set, SFD_CLOEXEC);
	if (rs->sig_fd < 0) {
		ret = -errno;
		pr_err("signalfd: %s", strerror(errno));
		return ret;
	}
	rs->sig_op.done = on_signal;
	rs->stop_op.done = on_stop;
	rs->timeout_op.done = on_timeout;
	ret = loop_read(&vm->loop, &rs->sig_op, rs->sig_fd, &rs->si, sizeof(rs->si));
	if (!ret)
		ret = loop_read(&vm->loop, &rs->stop_op, vm->stop_fd,
				&rs->stop_count, sizeof(rs->stop_count));
	if (!ret && vm->cfg->timeout_s)
		ret = loop_timeout(&vm->loop, &rs->timeout_op,
				   vm->cfg->timeout_s * 1000ull);
	if (ret)
		pr_err("event loop: %s", strerror(-ret));
	return ret;
}

int vm_run(struct vm *vm)
{
	struct run_state rs = { .vm = vm, .sig_fd = -1 };
	struct term term;
	int ret;

	ret = watch_stop_sources(&rs);
	if (!ret)
		ret = vcpus_start(vm);
	if (ret) {
		vm_request_stop(vm, VM_EXIT_ERROR);
	} else {
		term_raw(&term, STDIN_FILENO);
		/* Everything is open and the vCPU threads are confined. */
		if (vm->cfg->sandbox) {
			ret = sandbox_enter(SANDBOX_LOOP);
			if (ret)
				sandbox_report(ret);
		}
		/*
		 * Building the filters and the devices left freed memory in
		 * the heap and the vCPU threads' arenas, which stays
		 * resident for the whole run unless given back now.
		 */
		malloc_trim(0);
		if (!ret)
			ret = loop_run(&vm->loop);
		term_restore(&term);
		if (ret)
			vm_request_stop(vm, VM_EXIT_ERROR);
	}
	vcpus_stop(vm);
	/* The loop's requests point into rs: reap them before it goes. */
	loop_exit(&vm->loop);
	vm_devices_stopped(vm);
	if (rs.sig_fd >= 0)
		close(rs.sig_fd);
	return vm->exit_reason;
}
