// SPDX-License-Identifier: GPL-2.0
/*
 * io_uring event loop (liburing). Requests are batched: helpers only queue
 * submission entries, and loop_run() submits them together with its wait,
 * so a burst of console traffic costs one system call per round.
 */
#include "vmm/loop.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "vmm/log.h"
#include "vmm/stats.h"

/*
 * The only operations the loop submits. seccomp does not see what the ring
 * does on our behalf, so the ring is created disabled and limited to these
 * before it is enabled: a compromised VMM cannot use it to open files or
 * sockets. No io_uring_register() operation is allowed at all.
 */
static const uint8_t loop_opcodes[] = {
	IORING_OP_READ, IORING_OP_WRITEV, IORING_OP_TIMEOUT, IORING_OP_ASYNC_CANCEL,
	IORING_OP_POLL_ADD,	/* loop_watch_eventfd(): the queues' kicks */
	/* a disk's requests: virtio-blk's read, write, flush and discard */
	IORING_OP_READV, IORING_OP_FSYNC, IORING_OP_FALLOCATE,
};

static int restrict_ring(struct loop *l)
{
	struct io_uring_restriction res[sizeof(loop_opcodes)];
	unsigned int i;

	memset(res, 0, sizeof(res));
	for (i = 0; i < sizeof(loop_opcodes); i++) {
		res[i].opcode = IORING_RESTRICTION_SQE_OP;
		res[i].sqe_op = loop_opcodes[i];
	}
	/*
	 * The system call itself: Debian's liburing 2.3 has these two
	 * helpers in its static library only, not in the shared one.
	 */
	if (syscall(__NR_io_uring_register, l->ring.ring_fd,
		    IORING_REGISTER_RESTRICTIONS, res, sizeof(loop_opcodes)) < 0 ||
	    syscall(__NR_io_uring_register, l->ring.ring_fd,
		    IORING_REGISTER_ENABLE_RINGS, NULL, 0) < 0)
		return -errno;
	return 0;
}

/*
 * One thread submits and reaps (the loop's), so the kernel may leave the
 * work of completing a request (an eventfd's read once it is signalled, a
 * worker's result) for that thread's next wait, instead of interrupting
 * it with task work as each one happens: Linux 6.1's DEFER_TASKRUN, which
 * needs SINGLE_ISSUER. The ring's submitter is the thread that enables
 * it (restrict_ring()). An older kernel refuses the flags; the ring then
 * works as before.
 */
static int ring_setup(struct loop *l, unsigned int entries)
{
	int ret;

	ret = io_uring_queue_init(entries, &l->ring, IORING_SETUP_R_DISABLED |
				  IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN);
	if (ret == -EINVAL)
		ret = io_uring_queue_init(entries, &l->ring, IORING_SETUP_R_DISABLED);
	return ret;
}

int loop_init(struct loop *l, unsigned int entries)
{
	int ret;

	memset(l, 0, sizeof(*l));
	ret = ring_setup(l, entries);
	if (ret < 0) {
		if (ret == -ENOSYS || ret == -EPERM)
			pr_err("io_uring is not available (%s); the event loop needs a kernel with CONFIG_IO_URING and io_uring_disabled=0",
			       strerror(-ret));
		else
			pr_err("io_uring setup: %s (a disabled ring with restrictions needs Linux 5.10 or later)",
			       strerror(-ret));
		return ret;
	}
	ret = restrict_ring(l);
	if (ret < 0) {
		pr_err("io_uring: limiting the ring to the loop's operations: %s (Linux 5.10 or later needed)",
		       strerror(-ret));
		io_uring_queue_exit(&l->ring);
		return ret;
	}
	l->ready = true;
	return 0;
}

static struct io_uring_sqe *get_sqe(struct loop *l)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&l->ring);

	if (!sqe) {
		/* Ring full: hand what is queued to the kernel and retry. */
		io_uring_submit(&l->ring);
		sqe = io_uring_get_sqe(&l->ring);
	}
	return sqe;
}

static int queue_op(struct loop *l, struct loop_op *op, struct io_uring_sqe *sqe)
{
	io_uring_sqe_set_data(sqe, op);
	op->watch = false;
	op->busy = true;
	l->inflight++;
	return 0;
}

int loop_read(struct loop *l, struct loop_op *op, int fd, void *buf,
	      unsigned int len)
{
	struct io_uring_sqe *sqe = get_sqe(l);

	if (!sqe)
		return -EBUSY;
	/* Offset -1: the file's current position, which is what pipes need. */
	io_uring_prep_read(sqe, fd, buf, len, (uint64_t)-1);
	return queue_op(l, op, sqe);
}

int loop_writev(struct loop *l, struct loop_op *op, int fd,
		const struct iovec *iov, unsigned int nr)
{
	struct io_uring_sqe *sqe = get_sqe(l);

	if (!sqe)
		return -EBUSY;
	io_uring_prep_writev(sqe, fd, iov, nr, (uint64_t)-1);
	return queue_op(l, op, sqe);
}

int loop_rw_at(struct loop *l, struct loop_op *op, int fd, bool write,
	       const struct iovec *iov, unsigned int nr, uint64_t offset)
{
	struct io_uring_sqe *sqe = get_sqe(l);

	if (!sqe)
		return -EBUSY;
	if (write)
		io_uring_prep_writev(sqe, fd, iov, nr, offset);
	else
		io_uring_prep_readv(sqe, fd, iov, nr, offset);
	return queue_op(l, op, sqe);
}

int loop_fdatasync(struct loop *l, struct loop_op *op, int fd)
{
	struct io_uring_sqe *sqe = get_sqe(l);

	if (!sqe)
		return -EBUSY;
	io_uring_prep_fsync(sqe, fd, IORING_FSYNC_DATASYNC);
	return queue_op(l, op, sqe);
}

int loop_fallocate(struct loop *l, struct loop_op *op, int fd, int mode,
		   uint64_t offset, uint64_t len)
{
	struct io_uring_sqe *sqe = get_sqe(l);

	if (!sqe)
		return -EBUSY;
	io_uring_prep_fallocate(sqe, fd, mode, offset, len);
	return queue_op(l, op, sqe);
}

static int arm_watch(struct loop *l, struct loop_op *op)
{
	struct io_uring_sqe *sqe = get_sqe(l);

	if (!sqe)
		return -EBUSY;
	if (l->no_multishot_poll)
		io_uring_prep_read(sqe, op->watch_fd, &op->watch_count,
				   sizeof(op->watch_count), (uint64_t)-1);
	else
		io_uring_prep_poll_multishot(sqe, op->watch_fd, POLLIN);
	queue_op(l, op, sqe);
	op->watch = true;
	op->watch_polls = !l->no_multishot_poll;
	return 0;
}

/*
 * One poll request that stays armed (multishot, Linux 5.13): a queue's
 * kick then costs the kernel a wakeup and a completion, where a read of
 * the eventfd re-submitted after each kick costs it, each time, a new
 * request, a failed read and a poll armed and torn down again. An older
 * kernel refuses it: see watch_goes_on().
 */
int loop_watch_eventfd(struct loop *l, struct loop_op *op, int fd)
{
	op->watch_fd = fd;
	return arm_watch(l, op);
}

int loop_timeout(struct loop *l, struct loop_op *op, uint64_t ms)
{
	struct __kernel_timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (ms % 1000) * 1000000,
	};
	struct io_uring_sqe *sqe = get_sqe(l);
	int ret;

	if (!sqe)
		return -EBUSY;
	io_uring_prep_timeout(sqe, &ts, 0, 0);
	queue_op(l, op, sqe);
	/* The kernel reads the timespec at submission: submit while ts lives. */
	ret = io_uring_submit(&l->ring);
	return ret < 0 ? ret : 0;
}

void loop_timer_init(struct loop_timer *t, loop_done_fn done)
{
	t->op.done = done;
	t->armed = false;
	/*
	 * Blocking on purpose: a timerfd does not tell io_uring it could
	 * block (no FMODE_NOWAIT in Linux 6.1), so with O_NONBLOCK its read
	 * would complete at once with -EAGAIN, over and over. A blocking
	 * read waits in an io-wq worker instead.
	 */
	t->fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
}

void loop_timer_close(struct loop_timer *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	t->armed = false;
}

void loop_timer_wait(struct loop *l, struct loop_timer *t)
{
	if (t->fd >= 0 && loop_read(l, &t->op, t->fd, &t->expiries, sizeof(t->expiries)) < 0)
		loop_timer_close(t);
}

bool loop_timer_arm(struct loop_timer *t, long ns)
{
	struct itimerspec at = {
		.it_value = { .tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000 },
	};

	if (!t->armed && t->fd >= 0 && !timerfd_settime(t->fd, 0, &at, NULL))
		t->armed = true;
	return t->armed;
}

void loop_timer_rewait(struct loop *l, struct loop_timer *t, int res)
{
	t->armed = false;
	if (res >= 0 || res == -EINTR || res == -EAGAIN)
		loop_timer_wait(l, t);
	else
		loop_timer_close(t);
}

/* @op is no longer the kernel's: completed for good, or never submitted. */
static void release(struct loop *l, struct loop_op *op)
{
	op->busy = false;
	l->inflight--;
}

/*
 * A request's completion: the last one, unless the kernel says more are
 * to come (loop_watch_eventfd()'s). @op may be NULL (a cancel's own).
 */
static void retire(struct loop *l, struct loop_op *op, const struct io_uring_cqe *cqe)
{
	if (!op || (cqe->flags & IORING_CQE_F_MORE))
		return;
	release(l, op);
}

/*
 * A watch that ended with @res, where it should go on: Linux 5.10 to
 * 5.12 (the documented minimum is 5.10) refuse a multishot poll with
 * EINVAL (each watch armed before the first refusal came back gets
 * one); from then on a watch reads its eventfd (a poll that ends at each
 * event would find the unread count ready for ever), and each read ends
 * it. Armed again, the watch goes on as its owner expects. True if it
 * does.
 */
static bool watch_goes_on(struct loop *l, struct loop_op *op, int res)
{
	if (res == -EINVAL && op->watch_polls) {
		if (!l->no_multishot_poll)
			pr_debug("event loop: no multishot poll in this kernel (before 5.13); eventfds are read instead");
		l->no_multishot_poll = true;
	} else if (op->watch_polls || res <= 0) {
		return false;
	}
	return arm_watch(l, op) == 0;
}

static void complete(struct loop *l, struct io_uring_cqe *cqe)
{
	struct loop_op *op = io_uring_cqe_get_data(cqe);
	int res = cqe->res;

	retire(l, op, cqe);
	io_uring_cqe_seen(&l->ring, cqe);
	if (!op)
		return;		/* a cancel request's own completion */
	if (op->watch && !op->busy && watch_goes_on(l, op, res) && res < 0)
		return;		/* the refused multishot poll: no event yet */
	STAT_ADD(op->completions, 1);
	STAT_ADD(l->completions, 1);
	op->done(op, res);
}

void loop_defer(struct loop *l, struct loop_deferred *d)
{
	if (d->queued)
		return;
	d->queued = true;
	d->next = l->deferred;
	l->deferred = d;
}

static void run_deferred(struct loop *l)
{
	struct loop_deferred *d;

	while ((d = l->deferred)) {
		l->deferred = d->next;
		d->queued = false;
		d->fn(d);
	}
}

/* Forget what is deferred: its owners may be freed once the loop stops. */
static void drop_deferred(struct loop *l)
{
	struct loop_deferred *d;

	while ((d = l->deferred)) {
		l->deferred = d->next;
		d->queued = false;
	}
}

int loop_run(struct loop *l)
{
	struct io_uring_cqe *cqe;
	int ret;

	l->stop = false;
	while (!l->stop) {
		ret = io_uring_submit_and_wait(&l->ring, 1);
		if (ret < 0 && ret != -EINTR) {
			pr_err("event loop: io_uring: %s", strerror(-ret));
			drop_deferred(l);
			return ret;
		}
		while (!l->stop && io_uring_peek_cqe(&l->ring, &cqe) == 0)
			complete(l, cqe);
		if (!l->stop)
			run_deferred(l);
	}
	drop_deferred(l);
	return 0;
}

void loop_stop(struct loop *l)
{
	l->stop = true;
}

/*
 * Guest requests queued in the submission ring but not yet handed to
 * the kernel when the loop stopped (a pass over a disk's queue queues
 * them, the loop submits them with its next wait): taken out, never
 * submitted, so that nothing the guest asked for starts once it has
 * powered off. The guest was told of none of them, as a disk that loses
 * power does not tell it either. The VMM's own requests (the console's
 * last output among them) stay, in their order, and go with the cancels.
 */
static void drop_unsubmitted(struct loop *l)
{
	struct io_uring_sq *sq = &l->ring.sq;
	unsigned int from, to = sq->sqe_head;
	struct io_uring_sqe *sqe;
	struct loop_op *op;

	for (from = sq->sqe_head; from != sq->sqe_tail; from++) {
		sqe = &sq->sqes[from & sq->ring_mask];
		op = (struct loop_op *)(uintptr_t)sqe->user_data;
		if (op && op->guest_request) {
			release(l, op);
			continue;
		}
		if (to != from)
			sq->sqes[to & sq->ring_mask] = *sqe;
		to++;
	}
	sq->sqe_tail = to;
}

/*
 * Drop the guest's requests never submitted, cancel what is in flight
 * and reap it all, so that no request writes into memory freed next,
 * and no disk write lands after the VMM is gone. A request that cannot
 * be cancelled (a write already under way) is waited for; at most
 * LOOP_EXIT_WAIT_S seconds in all, then it is said.
 */
#define LOOP_EXIT_WAIT_S	30

void loop_exit(struct loop *l)
{
	struct __kernel_timespec ts = { .tv_sec = 1 };
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	unsigned int waited = 0, i;
	int ret;

	if (!l->ready)
		return;
	drop_unsubmitted(l);
	/*
	 * Twice: a cancel of everything skips a request that carries the
	 * cancel's own sequence number (io_timeout_extract() for a timeout),
	 * and in Linux 6.1 a timeout never gets one of its own: neither
	 * io_prep_async_work() nor poll arming runs for it, and a reused
	 * request keeps the number it had, often that of a request the VMM
	 * before cancelled with this same first number. Each cancel numbers
	 * anew, so the second catches what the first skipped.
	 */
	for (i = 0; l->inflight && i < 2; i++) {
		sqe = get_sqe(l);
		if (sqe) {
			io_uring_prep_cancel(sqe, NULL, IORING_ASYNC_CANCEL_ANY);
			io_uring_sqe_set_data(sqe, NULL);
		}
	}
	io_uring_submit(&l->ring);
	while (l->inflight && waited < LOOP_EXIT_WAIT_S) {
		ret = io_uring_wait_cqe_timeout(&l->ring, &cqe, &ts);
		if (ret == -ETIME) {
			waited++;
			continue;
		}
		if (ret)
			break;
		retire(l, io_uring_cqe_get_data(cqe), cqe);
		io_uring_cqe_seen(&l->ring, cqe);
	}
	if (l->inflight)
		pr_warn("event loop: %u requests still in flight after %u s; leaving them to the kernel",
			l->inflight, waited);
	io_uring_queue_exit(&l->ring);
	drop_deferred(l);
	l->ready = false;
}
