/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The event loop: one io_uring in the main thread that serves every file
 * descriptor the VMM waits on (console, queue kicks, signals, timers).
 *
 * A request is a struct loop_op embedded in an object that outlives it;
 * its done() runs in the loop thread with the request's result (bytes or
 * -errno). Requests are one-shot, a handler that wants more submits
 * again, except loop_watch_eventfd()'s, which stays busy while it lasts.
 */
#ifndef LKVM_VMM_LOOP_H
#define LKVM_VMM_LOOP_H

#include <stdbool.h>
#include <stdint.h>
#include <liburing.h>

struct loop_op;
typedef void (*loop_done_fn)(struct loop_op *op, int res);

struct loop_op {
	loop_done_fn done;
	bool busy;		/* submitted and not yet completed */
	uint64_t completions;	/* times done() ran: wakeups it caused */
	bool watch;		/* loop_watch_eventfd()'s, on watch_fd */
	bool watch_polls;	/* with a multishot poll, not a read */
	int watch_fd;
	uint64_t watch_count;	/* the count, where it is read */
	/* A guest's request (a disk's): not started once the loop stopped. */
	bool guest_request;
};

/*
 * Work to do once, after the loop has handled the completions at hand:
 * what several of them would each do (raise an interrupt) done once.
 */
struct loop_deferred {
	void (*fn)(struct loop_deferred *d);
	struct loop_deferred *next;
	bool queued;
};

struct loop {
	struct io_uring ring;
	bool ready;
	bool stop;
	unsigned int inflight;
	uint64_t completions;	/* all wakeups, for --stats */
	/* Kicks that found their device's lock taken, and of those the ones
	 * still waiting when the wait ran out (devices/virtio/queue.c). */
	uint64_t lock_waits, lock_retries;
	struct loop_deferred *deferred;	/* to run after this batch */
	/* The kernel has no multishot poll (before 5.13): loop_watch_eventfd()
	 * reads the eventfd instead, submitted again after each signal. */
	bool no_multishot_poll;
};

/* Returns 0, or -errno (-ENOSYS with a message if io_uring is off). */
int loop_init(struct loop *l, unsigned int entries);
/* Cancel what is in flight, wait for it, and free the ring. Safe twice. */
void loop_exit(struct loop *l);

/* Queue requests; each returns 0 or -errno. @op must not be busy. */
int loop_read(struct loop *l, struct loop_op *op, int fd, void *buf,
	      unsigned int len);
int loop_writev(struct loop *l, struct loop_op *op, int fd,
		const struct iovec *iov, unsigned int nr);
/*
 * Complete each time the eventfd @fd is signalled (res >= 0), the op
 * busy all along, until cancelled or failed: then one last completion
 * with !op->busy, after which the owner may watch again. Signals close
 * together may complete once. Where the kernel has multishot poll the
 * count is never read (it only grows; nothing else should read it).
 */
int loop_watch_eventfd(struct loop *l, struct loop_op *op, int fd);
/* Complete after @ms milliseconds with -ETIME. */
int loop_timeout(struct loop *l, struct loop_op *op, uint64_t ms);

/* Read (or, with @write, write) @iov at @offset of a file. 0 or -errno. */
int loop_rw_at(struct loop *l, struct loop_op *op, int fd, bool write,
	       const struct iovec *iov, unsigned int nr, uint64_t offset);
/* fdatasync(@fd). */
int loop_fdatasync(struct loop *l, struct loop_op *op, int fd);
/* fallocate(@fd, @mode, @offset, @len). */
int loop_fallocate(struct loop *l, struct loop_op *op, int fd, int mode,
		   uint64_t offset, uint64_t len);

/*
 * A one-shot timer any thread may arm, whose expiry the loop thread
 * handles: @op.done runs there, and should call loop_timer_rewait(). The
 * owner's lock must be held around arming, rewaiting and stopping. A
 * timer that could not be made or waited on has fd -1, and
 * loop_timer_arm() says so: the caller then does at once what the timer
 * would have done later.
 */
struct loop_timer {
	int fd;			/* a timerfd, -1 if there is none */
	bool armed;		/* set, and not yet handled */
	struct loop_op op;
	uint64_t expiries;
};

/* Make the timer; on failure fd is -1 (not an error: see above). */
void loop_timer_init(struct loop_timer *t, loop_done_fn done);
/* Start waiting for its expiry (loop thread, or before other threads run). */
void loop_timer_wait(struct loop *l, struct loop_timer *t);
/*
 * Arm it @ns from now, unless it is armed already: it is not pushed
 * back. True if it will expire; false if there is no timer.
 */
bool loop_timer_arm(struct loop_timer *t, long ns);
/* From its done(): wait for the next expiry, or give the timer up on an error. */
void loop_timer_rewait(struct loop *l, struct loop_timer *t, int res);
void loop_timer_close(struct loop_timer *t);

/*
 * Run @d->fn once the completions at hand are handled, before the loop
 * waits again; queued twice, it runs once. Loop thread only. What is
 * still queued when the loop stops is dropped.
 */
void loop_defer(struct loop *l, struct loop_deferred *d);

/* Run until loop_stop(). Returns 0, or -errno if the ring fails. */
int loop_run(struct loop *l);
/* Make loop_run() return after the current completion (loop thread only). */
void loop_stop(struct loop *l);

#endif
