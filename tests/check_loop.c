// SPDX-License-Identifier: GPL-2.0
/*
 * The io_uring event loop, on pipes, eventfds and timerfds (io_uring
 * works on the build machine too).
 */
#include "tests/check.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <unistd.h>
#include <linux/falloc.h>

#include "vmm/loop.h"

struct probe {
	struct loop_op op;
	struct loop *loop;
	int calls;
	int res;
	bool stop;
};

static void probe_done(struct loop_op *op, int res)
{
	struct probe *p = (struct probe *)op;

	p->calls++;
	p->res = res;
	if (p->stop)
		loop_stop(p->loop);
}

static struct loop loop;

static void setup(void)
{
	ck_assert_int_eq(loop_init(&loop, 8), 0);
}

static void teardown(void)
{
	loop_exit(&loop);
}

START_TEST(test_read_from_pipe)
{
	struct probe p = { .op.done = probe_done, .loop = &loop, .stop = true };
	char buf[16] = { 0 };
	int fds[2];

	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_int_eq(loop_read(&loop, &p.op, fds[0], buf, sizeof(buf)), 0);
	ck_assert(p.op.busy);
	ck_assert_int_eq(write(fds[1], "ping", 4), 4);
	ck_assert_int_eq(loop_run(&loop), 0);
	ck_assert_int_eq(p.calls, 1);
	ck_assert_int_eq(p.res, 4);
	ck_assert(!p.op.busy);
	ck_assert_str_eq(buf, "ping");
	ck_assert_uint_eq(loop.inflight, 0);
	close(fds[0]);
	close(fds[1]);
}
END_TEST

START_TEST(test_writev_to_pipe)
{
	struct probe p = { .op.done = probe_done, .loop = &loop, .stop = true };
	struct iovec iov[2] = {
		{ .iov_base = "hello ", .iov_len = 6 },
		{ .iov_base = "world", .iov_len = 5 },
	};
	char buf[16] = { 0 };
	int fds[2];

	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_int_eq(loop_writev(&loop, &p.op, fds[1], iov, 2), 0);
	ck_assert_int_eq(loop_run(&loop), 0);
	ck_assert_int_eq(p.res, 11);
	ck_assert_int_eq(read(fds[0], buf, sizeof(buf)), 11);
	ck_assert_str_eq(buf, "hello world");
	close(fds[0]);
	close(fds[1]);
}
END_TEST

START_TEST(test_eof)
{
	struct probe p = { .op.done = probe_done, .loop = &loop, .stop = true };
	char buf[4];
	int fds[2];

	ck_assert_int_eq(pipe(fds), 0);
	close(fds[1]);
	ck_assert_int_eq(loop_read(&loop, &p.op, fds[0], buf, sizeof(buf)), 0);
	ck_assert_int_eq(loop_run(&loop), 0);
	ck_assert_int_eq(p.res, 0);
	close(fds[0]);
}
END_TEST

START_TEST(test_timeout)
{
	struct probe p = { .op.done = probe_done, .loop = &loop, .stop = true };

	ck_assert_int_eq(loop_timeout(&loop, &p.op, 10), 0);
	ck_assert_int_eq(loop_run(&loop), 0);
	ck_assert_int_eq(p.res, -ETIME);
}
END_TEST

/* Completions run in order of arrival; stop ends the run after one. */
START_TEST(test_eventfd_and_stop)
{
	struct probe a = { .op.done = probe_done, .loop = &loop };
	struct probe b = { .op.done = probe_done, .loop = &loop, .stop = true };
	uint64_t va, vb, one = 1;
	int ea = eventfd(0, 0), eb = eventfd(0, 0);

	ck_assert_int_eq(loop_read(&loop, &a.op, ea, &va, 8), 0);
	ck_assert_int_eq(loop_read(&loop, &b.op, eb, &vb, 8), 0);
	ck_assert_int_eq(write(ea, &one, 8), 8);
	ck_assert_int_eq(write(eb, &one, 8), 8);
	ck_assert_int_eq(loop_run(&loop), 0);
	ck_assert_int_eq(b.calls, 1);
	ck_assert_uint_eq(vb, 1);
	close(ea);
	close(eb);
}
END_TEST

/*
 * A watch reports each signal of its eventfd, busy all along; exit ends
 * it. @multishot: as on Linux 5.13 and later, one request, the count not
 * read; or as before, where the loop reads the count after each signal.
 */
static void watch_three_signals(bool multishot)
{
	struct probe p = { .op.done = probe_done, .loop = &loop, .stop = true };
	uint64_t one = 1, count;
	int i, fd = eventfd(0, EFD_NONBLOCK);

	ck_assert_int_ge(fd, 0);
	loop.no_multishot_poll = !multishot;
	ck_assert_int_eq(loop_watch_eventfd(&loop, &p.op, fd), 0);
	for (i = 1; i <= 3; i++) {
		ck_assert_int_eq(write(fd, &one, 8), 8);
		ck_assert_int_eq(loop_run(&loop), 0);
		ck_assert_int_eq(p.calls, i);
		ck_assert_int_gt(p.res, 0);
		ck_assert(p.op.busy);
		ck_assert_uint_eq(loop.inflight, 1);
	}
	if (multishot) {
		ck_assert_int_eq(read(fd, &count, 8), 8);
		ck_assert_uint_eq(count, 3);	/* the watch read none of it */
	} else {
		ck_assert_int_eq(read(fd, &count, 8), -1);	/* it read each */
	}
	loop_exit(&loop);
	ck_assert(!p.op.busy);
	ck_assert_uint_eq(loop.inflight, 0);
	close(fd);
}

START_TEST(test_watch_multishot)
{
	watch_three_signals(true);
}
END_TEST

START_TEST(test_watch_without_multishot_poll)
{
	watch_three_signals(false);
}
END_TEST

/* Deferred work: once per batch of completions, however often asked. */
struct batch {
	struct probe a, b;
	struct loop_deferred later;
	int later_calls;
	int calls_seen;		/* completions done when it ran */
};

static struct batch the_batch;

static void batch_probe_done(struct loop_op *op, int res)
{
	(void)res;
	((struct probe *)op)->calls++;
	loop_defer(&loop, &the_batch.later);
}

static void later_fn(struct loop_deferred *d)
{
	(void)d;
	the_batch.later_calls++;
	the_batch.calls_seen = the_batch.a.calls + the_batch.b.calls;
	loop_stop(&loop);
}

START_TEST(test_deferred_once_after_the_batch)
{
	uint64_t va, vb, one = 1;
	int ea = eventfd(0, 0), eb = eventfd(0, 0);

	memset(&the_batch, 0, sizeof(the_batch));
	the_batch.a.op.done = batch_probe_done;
	the_batch.b.op.done = batch_probe_done;
	the_batch.later.fn = later_fn;
	ck_assert_int_eq(loop_read(&loop, &the_batch.a.op, ea, &va, 8), 0);
	ck_assert_int_eq(loop_read(&loop, &the_batch.b.op, eb, &vb, 8), 0);
	/* Both ready before the loop looks: one batch of two completions. */
	ck_assert_int_eq(write(ea, &one, 8), 8);
	ck_assert_int_eq(write(eb, &one, 8), 8);
	ck_assert_int_eq(loop_run(&loop), 0);
	ck_assert_int_eq(the_batch.later_calls, 1);
	ck_assert_int_eq(the_batch.calls_seen, 2);
	ck_assert(!the_batch.later.queued);
	close(ea);
	close(eb);
}
END_TEST

/* What is still deferred when the loop stops is dropped, not run later. */
START_TEST(test_deferred_dropped_at_stop)
{
	struct probe p = { .op.done = probe_done, .loop = &loop, .stop = true };
	struct loop_deferred d = { .fn = later_fn };
	char buf[4];
	int fds[2];

	memset(&the_batch, 0, sizeof(the_batch));
	ck_assert_int_eq(pipe(fds), 0);
	loop_defer(&loop, &d);
	ck_assert_int_eq(loop_read(&loop, &p.op, fds[0], buf, sizeof(buf)), 0);
	ck_assert_int_eq(write(fds[1], "x", 1), 1);
	/* The probe stops the loop in the first batch, before deferred work. */
	ck_assert_int_eq(loop_run(&loop), 0);
	ck_assert_int_eq(the_batch.later_calls, 0);
	ck_assert(!d.queued);
	ck_assert_ptr_null(loop.deferred);
	close(fds[0]);
	close(fds[1]);
}
END_TEST

/* Exit cancels what is in flight and waits for it to be gone. */
START_TEST(test_exit_reaps_pending)
{
	struct probe p = { .op.done = probe_done, .loop = &loop };
	char buf[4];
	int fds[2];

	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_int_eq(loop_read(&loop, &p.op, fds[0], buf, sizeof(buf)), 0);
	ck_assert_int_eq(io_uring_submit(&loop.ring), 1);
	loop_exit(&loop);
	ck_assert_uint_eq(loop.inflight, 0);
	ck_assert(!p.op.busy);
	ck_assert_int_eq(p.calls, 0);	/* handlers do not run at exit */
	loop_exit(&loop);		/* safe twice */
	close(fds[0]);
	close(fds[1]);
}
END_TEST

/*
 * A guest's write queued but not yet submitted when the loop stopped is
 * dropped at exit, not submitted with the cancels; the VMM's own writes
 * queued around it still go, in order. A pipe takes a write at once,
 * before any cancel could reach it.
 */
START_TEST(test_exit_drops_unsubmitted_guest_requests)
{
	struct probe own1 = { .op.done = probe_done, .loop = &loop };
	struct probe own2 = { .op.done = probe_done, .loop = &loop };
	struct probe guest = { .op.done = probe_done, .loop = &loop,
			       .op.guest_request = true };
	struct iovec one = { .iov_base = "one", .iov_len = 3 };
	struct iovec two = { .iov_base = "two", .iov_len = 3 };
	struct iovec late = { .iov_base = "late", .iov_len = 4 };
	char buf[8] = "";
	int own[2], guest_pipe[2];

	ck_assert_int_eq(pipe2(own, O_NONBLOCK), 0);
	ck_assert_int_eq(pipe2(guest_pipe, O_NONBLOCK), 0);
	ck_assert_int_eq(loop_writev(&loop, &own1.op, own[1], &one, 1), 0);
	ck_assert_int_eq(loop_writev(&loop, &guest.op, guest_pipe[1], &late, 1), 0);
	ck_assert_int_eq(loop_writev(&loop, &own2.op, own[1], &two, 1), 0);
	ck_assert_uint_eq(loop.inflight, 3);
	loop_exit(&loop);
	ck_assert_uint_eq(loop.inflight, 0);
	ck_assert(!guest.op.busy && !own1.op.busy && !own2.op.busy);
	ck_assert_int_eq(read(guest_pipe[0], buf, sizeof(buf)), -1);
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_int_eq(read(own[0], buf, sizeof(buf) - 1), 6);
	ck_assert_str_eq(buf, "onetwo");
	close(own[0]);
	close(own[1]);
	close(guest_pipe[0]);
	close(guest_pipe[1]);
}
END_TEST

/* One request on @p, run until it completes; its result. */
static int run_one(struct probe *p, int queued)
{
	ck_assert_int_eq(queued, 0);
	p->calls = 0;
	ck_assert_int_eq(loop_run(&loop), 0);
	ck_assert_int_eq(p->calls, 1);
	return p->res;
}

/*
 * A disk's operations, each through the restricted ring: a refused
 * opcode would complete with -EACCES.
 */
START_TEST(test_disk_operations)
{
	struct probe p = { .op.done = probe_done, .loop = &loop, .stop = true };
	char path[] = "/dev/shm/lkvm-loop-XXXXXX";
	char a[512], b[512], back[1024];
	struct iovec out[2] = { { a, sizeof(a) }, { b, sizeof(b) } };
	struct iovec in = { back, sizeof(back) };
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	unlink(path);
	ck_assert_int_eq(ftruncate(fd, 8192), 0);
	memset(a, 'a', sizeof(a));
	memset(b, 'b', sizeof(b));
	ck_assert_int_eq(run_one(&p, loop_rw_at(&loop, &p.op, fd, true, out, 2, 4096)), 1024);
	ck_assert_int_eq(run_one(&p, loop_fdatasync(&loop, &p.op, fd)), 0);
	ck_assert_int_eq(run_one(&p, loop_rw_at(&loop, &p.op, fd, false, &in, 1, 4096)), 1024);
	ck_assert(!memcmp(back, a, sizeof(a)) && !memcmp(back + 512, b, sizeof(b)));
	/* Discard: a hole punched over the second half reads as zeroes. */
	ck_assert_int_eq(run_one(&p, loop_fallocate(&loop, &p.op, fd,
			FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 4096 + 512, 512)), 0);
	ck_assert_int_eq(pread(fd, back, sizeof(back), 4096), 1024);
	ck_assert(!memcmp(back, a, sizeof(a)));
	memset(b, 0, sizeof(b));
	ck_assert(!memcmp(back + 512, b, sizeof(b)));
	ck_assert_uint_eq(loop.inflight, 0);
	close(fd);
}
END_TEST

/* The ring takes nothing but the loop's own operations. */
START_TEST(test_ring_refuses_other_operations)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&loop.ring);
	struct io_uring_cqe *cqe;

	ck_assert_ptr_nonnull(sqe);
	io_uring_prep_openat(sqe, AT_FDCWD, "/etc/passwd", O_RDONLY, 0);
	ck_assert_int_eq(io_uring_submit(&loop.ring), 1);
	ck_assert_int_eq(io_uring_wait_cqe(&loop.ring, &cqe), 0);
	ck_assert_int_eq(cqe->res, -EACCES);
	io_uring_cqe_seen(&loop.ring, cqe);
	ck_assert_int_lt(io_uring_register_probe(&loop.ring, NULL, 0), 0);
}
END_TEST

/* More requests than ring entries: the loop submits to make room. */
START_TEST(test_more_requests_than_entries)
{
	struct probe p[20];
	uint64_t v[20], one = 1;
	int efd = eventfd(0, EFD_SEMAPHORE), i, total = 0;

	for (i = 0; i < 20; i++) {
		p[i] = (struct probe) {
			.op.done = probe_done, .loop = &loop, .stop = true,
		};
		ck_assert_int_eq(loop_read(&loop, &p[i].op, efd, &v[i], 8), 0);
	}
	for (i = 0; i < 20; i++)
		ck_assert_int_eq(write(efd, &one, 8), 8);
	/* Each completion stops the run: run until none is left. */
	while (loop.inflight)
		ck_assert_int_eq(loop_run(&loop), 0);
	for (i = 0; i < 20; i++)
		total += p[i].calls;
	ck_assert_int_eq(total, 20);
	close(efd);
}
END_TEST

/* A loop_timer: armed once however often it is armed, handled, re-armable. */
struct timer_probe {
	struct loop_timer t;
	int calls;
	uint64_t expiries;
};

static void timer_done(struct loop_op *op, int res)
{
	struct timer_probe *p = (struct timer_probe *)((char *)op -
				offsetof(struct timer_probe, t.op));

	p->calls++;
	p->expiries = p->t.expiries;
	loop_timer_rewait(&loop, &p->t, res);
	loop_stop(&loop);
}

START_TEST(test_timer)
{
	struct timer_probe p = { 0 };

	loop_timer_init(&p.t, timer_done);
	ck_assert_int_ge(p.t.fd, 0);
	loop_timer_wait(&loop, &p.t);
	ck_assert(loop_timer_arm(&p.t, 1000000));
	ck_assert(p.t.armed);
	ck_assert(loop_timer_arm(&p.t, 1000000));	/* already armed: kept */
	ck_assert_int_eq(loop_run(&loop), 0);
	ck_assert_int_eq(p.calls, 1);
	ck_assert_uint_eq(p.expiries, 1);
	ck_assert(!p.t.armed);
	ck_assert(p.t.op.busy);				/* waiting again */
	ck_assert(loop_timer_arm(&p.t, 1000000));
	ck_assert_int_eq(loop_run(&loop), 0);
	ck_assert_int_eq(p.calls, 2);
	loop_exit(&loop);	/* reap the wait before the fd goes */
	loop_timer_close(&p.t);
	ck_assert_int_eq(p.t.fd, -1);
	ck_assert(!loop_timer_arm(&p.t, 1000000));	/* no timer: do it now */
}
END_TEST

/* After an error the timer is given up, and arming says so. */
START_TEST(test_timer_given_up_on_error)
{
	struct loop_timer t;

	loop_timer_init(&t, timer_done);
	ck_assert(loop_timer_arm(&t, 1000000000));
	loop_timer_rewait(&loop, &t, -EBADF);
	ck_assert_int_eq(t.fd, -1);
	ck_assert(!t.armed);
	ck_assert(!loop_timer_arm(&t, 1000000));
}
END_TEST

Suite *loop_suite(void)
{
	Suite *s = suite_create("loop");
	TCase *tc = tcase_create("io_uring");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_read_from_pipe);
	tcase_add_test(tc, test_writev_to_pipe);
	tcase_add_test(tc, test_eof);
	tcase_add_test(tc, test_timeout);
	tcase_add_test(tc, test_eventfd_and_stop);
	tcase_add_test(tc, test_watch_multishot);
	tcase_add_test(tc, test_watch_without_multishot_poll);
	tcase_add_test(tc, test_deferred_once_after_the_batch);
	tcase_add_test(tc, test_deferred_dropped_at_stop);
	tcase_add_test(tc, test_exit_reaps_pending);
	tcase_add_test(tc, test_exit_drops_unsubmitted_guest_requests);
	tcase_add_test(tc, test_more_requests_than_entries);
	tcase_add_test(tc, test_ring_refuses_other_operations);
	tcase_add_test(tc, test_disk_operations);
	tcase_add_test(tc, test_timer);
	tcase_add_test(tc, test_timer_given_up_on_error);
	suite_add_tcase(s, tc);
	return s;
}
