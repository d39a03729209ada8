// SPDX-License-Identifier: GPL-2.0
/*
 * virtio console. Queue 0 (receiveq) carries host input to the guest,
 * queue 1 (transmitq) guest output to the host. No multiport, no size.
 *
 * Input runs in the event loop thread: the receive queue's QueueNotify
 * write is an ioeventfd the loop reads. Output is written by the vCPU
 * thread that traps the transmit queue's notification, straight from
 * the guest's buffers (what the pipe or tty does not take at once goes
 * on in the loop), and a buffer is handed back only once its bytes have
 * been written out, so a guest that powers off right after printing
 * loses nothing. Interrupts go out through an irqfd.
 */
#include "devices/virtio/console.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "arch/arm64/layout.h"
#include "devices/virtio/console-input.h"
#include "devices/virtio/mmio.h"
#include "devices/virtio/plug.h"
#include "devices/virtio/queue.h"
#include "vmm/log.h"
#include "vmm/loop.h"
#include "vmm/sandbox.h"
#include "vmm/stats.h"
#include "vmm/vm.h"

#define VIRTIO_ID_CONSOLE	3
#define RX			0
#define TX			1
/* When input starts to flow: see console_input_hold(). */
#define CONSOLE_INPUT_QUIET_MS	50
#define CONSOLE_INPUT_HOLD_MAX_MS	2000
/* The output interrupt: see console_tx_notify(). */
#define CONSOLE_TX_QUIET_NS	1000000L
#define CONSOLE_TX_HOLD_MAX_NS	(16 * CONSOLE_TX_QUIET_NS)
/* Output staged before it is written: see console_stage(). */
#define CONSOLE_STAGE_SIZE	32768
#define CONSOLE_STAGE_FLUSH_AT	(CONSOLE_STAGE_SIZE / 2)
#define CONSOLE_STOP_WAIT_MS	1000

struct console {
	struct vm *vm;
	const struct console_cfg *cfg;
	struct virtio_mmio vmmio;
	struct virtio_plug plug;

	/* Host input waiting for the guest's receive buffers. */
	struct loop_op in_op;
	uint8_t in_raw[1024];
	struct console_input in;
	bool in_eof;
	bool input_open;		/* the guest is ready for input */
	struct loop_op hold_op;
	struct console_input_gate gate;	/* until input_open */

	/*
	 * Output the loop is writing, and what is left of it: staged output
	 * (the stage's first bytes) and, with tx_chain, a chain after it.
	 */
	struct loop_op out_op;
	uint16_t tx_head;
	bool tx_chain;
	struct iovec tx_iov[VIRTQ_MAX_SIZE + 1];
	unsigned int tx_nr, tx_first;
	bool tx_busy;
	bool tx_in_loop;		/* a pass the loop thread makes */
	unsigned int reset_gen, tx_gen;
	bool out_warned;
	int out_fd;			/* cfg->out_fd or our own reopening */
	bool out_fd_owned;

	/* The output interrupt, held back: see console_tx_notify(). */
	struct loop_timer tx_irq;
	long tx_irq_wait_ns;		/* the timer's current period */
	uint64_t tx_held_since_ns;	/* the first buffer it covers came back */
	uint64_t tx_returned_ns;	/* the last one did */

	uint64_t bytes_in, bytes_out;	/* for --stats */

	/* Output copied out of returned chains, not yet written. */
	size_t st_len;
	char stage[CONSOLE_STAGE_SIZE];
};


/* --- guest input --------------------------------------------------- */

/*
 * Keep a read on the input fd outstanding while the buffer has room, so
 * that Ctrl-A x works even when the guest takes nothing.
 */
static void console_read_input(struct console *con)
{
	size_t want;

	if (con->in_eof || con->in_op.busy)
		return;
	want = console_input_room(&con->in);
	if (want > sizeof(con->in_raw))
		want = sizeof(con->in_raw);
	if (!want)
		return;		/* full: wait for the guest to take some */
	if (loop_read(&con->vm->loop, &con->in_op, con->cfg->in_fd,
		      con->in_raw, want) < 0)
		con->in_eof = true;
}

/* Append @n raw bytes; Ctrl-A x stops the VM. */
static void console_take_input(struct console *con, size_t n)
{
	bool stop = false;

	console_input_take(&con->in, con->in_raw, n, &stop);
	if (stop) {
		pr_info("Ctrl-A x: stopping the guest");
		vm_request_stop(con->vm, VM_EXIT_STOPPED);
	}
}

static void console_input_done(struct loop_op *op, int res)
{
	struct console *con = (struct console *)((char *)op -
				offsetof(struct console, in_op));

	if (res == -EINTR || res == -EAGAIN) {
		console_read_input(con);
		return;
	}
	if (res <= 0) {
		/* EOF or an unreadable stdin: the guest simply gets no more input. */
		pr_debug("console: end of input (%d)", res);
		con->in_eof = true;
		return;
	}
	pr_debug("console: %d bytes of input", res);
	console_take_input(con, res);
	pthread_mutex_lock(&con->vmmio.lock);
	virtio_queue_serve(&con->vmmio, RX);
	pthread_mutex_unlock(&con->vmmio.lock);
	console_read_input(con);
}

/* Pending input into one of the guest's receive buffers (lock held). */
static int console_fill_input(struct console *con, struct virtq_chain *chain)
{
	const uint8_t *data;
	size_t len;
	uint32_t n;

	data = console_input_data(&con->in, &len);
	n = virtq_chain_fill(chain, data, len);
	console_input_consume(&con->in, n);
	STAT_ADD(con->bytes_in, n);
	return n;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void console_input_hold(struct console *con);

static void console_input_hold_done(struct loop_op *op, int res)
{
	struct console *con = (struct console *)((char *)op -
				offsetof(struct console, hold_op));

	(void)res;
	pthread_mutex_lock(&con->vmmio.lock);
	con->input_open = console_gate_open(&con->gate, now_ns());
	if (con->input_open)
		virtio_queue_serve(&con->vmmio, RX);
	pthread_mutex_unlock(&con->vmmio.lock);
	if (con->input_open)
		console_read_input(con);
	else
		console_input_hold(con);
}

/*
 * Linux's virtio_console (without multiport) fills the receive queue in
 * add_port() before it puts the port on the list in_intr() looks it up
 * in; input that arrives in between is freed with its buffer
 * (flush_bufs() in drivers/char/virtio_console.c), and a script that
 * pipes commands in loses them. In between, init_port_console() runs
 * hvc_alloc(), and that can take hundreds of milliseconds on a loaded
 * host: a fixed delay was seen to lose input. Its end is what the
 * device can see: only a registered hvc console writes to the transmit
 * queue, and once hvc_alloc() returns, the port is listed without the
 * guest sleeping. So input waits until the guest has offered receive
 * buffers and then written output, and its output has gone quiet for
 * CONSOLE_INPUT_QUIET_MS (a kernel console replays its log through
 * hvc_alloc()); a guest that writes nothing gets input
 * CONSOLE_INPUT_HOLD_MAX_MS after its first receive buffers.
 *
 * Called in the loop after a receive queue kick, and from the timer it
 * sets, which looks again every CONSOLE_INPUT_QUIET_MS.
 */
static void console_input_hold(struct console *con)
{
	if (con->input_open || con->hold_op.busy)
		return;
	pthread_mutex_lock(&con->vmmio.lock);
	console_gate_offered(&con->gate, now_ns());
	if (loop_timeout(&con->vm->loop, &con->hold_op, CONSOLE_INPUT_QUIET_MS) < 0)
		con->input_open = true;
	pthread_mutex_unlock(&con->vmmio.lock);
}

/* Output while input is held (lock held): see console_input_hold(). */
static void console_input_note_output(struct console *con)
{
	if (!con->input_open)
		console_gate_output(&con->gate, now_ns());
}

/* --- guest output -------------------------------------------------- */

static int console_write_out(struct console *con)
{
	return loop_writev(&con->vm->loop, &con->out_op, con->out_fd,
			   con->tx_iov + con->tx_first,
			   con->tx_nr - con->tx_first);
}

static void console_output_failed(struct console *con, int err)
{
	if (!con->out_warned)
		pr_warn("console: writing guest output: %s; output is dropped from now on",
			strerror(-err));
	con->out_warned = true;
}

static void console_drop_output(struct console *con, int err)
{
	console_output_failed(con, err);
	con->tx_first = con->tx_nr;
}

/*
 * Write what the pipe or tty takes at once of the staged output, on our
 * own non-blocking description (lock held, any thread). True when
 * nothing is left staged.
 */
static bool console_flush_stage(struct console *con)
{
	size_t done = 0;
	ssize_t n;

	while (done < con->st_len) {
		n = write(con->out_fd, con->stage + done, con->st_len - done);
		if (n > 0) {
			done += n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else {
			if (n < 0 && errno != EAGAIN) {
				console_output_failed(con, -errno);
				con->st_len = done;	/* dropped */
			}
			break;
		}
	}
	STAT_ADD(con->bytes_out, done);
	memmove(con->stage, con->stage + done, con->st_len - done);
	con->st_len -= done;
	return !con->st_len;
}

/*
 * Take a chain's output into the stage (lock held, any thread): true if
 * it did, and the chain can go back at once. Linux's hvc console spins
 * until each 2 KiB buffer comes back, and a copy costs it less than a
 * write to a pipe or tty and the reader's wake-up; so buffers are copied
 * here and written together, when half the stage is full or when the
 * output interrupt's timer expires (console_tx_irq_done(): a millisecond
 * after the guest stopped writing, a few while it goes on). Only on our
 * own non-blocking description, only while the loop is writing nothing,
 * and only with the timer there; otherwise, and for a chain larger than
 * the stage, the chain is written as it is (console_start_tx()).
 */
static bool console_stage(struct console *con, const struct virtq_chain *chain)
{
	if (!con->out_fd_owned || con->tx_busy || con->tx_irq.fd < 0 ||
	    chain->out_len > CONSOLE_STAGE_SIZE)
		return false;
	if (chain->out_len > CONSOLE_STAGE_SIZE - con->st_len &&
	    !console_flush_stage(con))
		return false;
	con->st_len += virtq_chain_read(chain, con->stage + con->st_len,
					CONSOLE_STAGE_SIZE - con->st_len);
	if (con->st_len >= CONSOLE_STAGE_FLUSH_AT)
		console_flush_stage(con);
	return true;
}

/*
 * Begin output for the loop to finish (lock held): the staged bytes
 * first, so that output keeps its order; the stage is the loop's until
 * they are written (nothing is staged while tx_busy).
 */
static void console_tx_begin(struct console *con)
{
	con->tx_nr = 0;
	con->tx_first = 0;
	con->tx_chain = false;
	con->tx_busy = true;
	if (con->st_len) {
		con->tx_iov[0] = (struct iovec) { con->stage, con->st_len };
		con->tx_nr = 1;
		con->st_len = 0;
	}
}

/*
 * Tell the driver that output buffers came back, once the transmit queue
 * has gone quiet (lock held). Linux's hvc console spins on the transmit
 * queue until its buffer is returned and never waits for this interrupt,
 * which costs it two exits (the status read, and the acknowledge, which
 * goes no further than KVM where it keeps it) per buffer: more than the
 * notification that sent the buffer. So the first
 * buffer returned arms a timer of CONSOLE_TX_QUIET_NS; when it expires
 * with buffers returned in its period (the guest is still writing), it
 * waits twice as long again instead of interrupting, until the
 * interrupt has been held CONSOLE_TX_HOLD_MAX_NS. A driver that waits
 * for the interrupt sends nothing meanwhile, so it is told within one
 * period; one that streams takes an interrupt every 16 ms, not one a
 * millisecond, and the timer expires a few times per interrupt.
 */
static void console_tx_notify(struct console *con)
{
	struct virtq *vq = virtio_mmio_queue(&con->vmmio, TX);
	uint64_t now = now_ns();

	con->tx_returned_ns = now;
	if (con->tx_irq.armed)
		return;
	con->tx_held_since_ns = now;
	con->tx_irq_wait_ns = CONSOLE_TX_QUIET_NS;
	/* Armed with no queue too: its expiry also writes staged output. */
	if (!loop_timer_arm(&con->tx_irq, con->tx_irq_wait_ns) && vq)
		virtio_mmio_notify(&con->vmmio, vq);
}

/*
 * The timer expired at @now: true if it was armed again because the
 * guest is still writing and the interrupt has not been held too long.
 */
static bool console_tx_hold_on(struct console *con, uint64_t now)
{
	uint64_t held = now - con->tx_held_since_ns;
	long wait = 2 * con->tx_irq_wait_ns;

	if (now - con->tx_returned_ns >= (uint64_t)con->tx_irq_wait_ns ||
	    held >= CONSOLE_TX_HOLD_MAX_NS)
		return false;
	if (wait > (long)(CONSOLE_TX_HOLD_MAX_NS - held))
		wait = CONSOLE_TX_HOLD_MAX_NS - held;
	con->tx_irq_wait_ns = wait;
	return loop_timer_arm(&con->tx_irq, wait);
}

static void console_flush_in_loop(struct console *con);

static void console_tx_irq_done(struct loop_op *op, int res)
{
	struct console *con = (struct console *)((char *)op -
				offsetof(struct console, tx_irq.op));
	struct virtq *vq;

	pthread_mutex_lock(&con->vmmio.lock);
	console_flush_in_loop(con);
	loop_timer_rewait(&con->vm->loop, &con->tx_irq, res);
	vq = virtio_mmio_queue(&con->vmmio, TX);
	if (vq && !console_tx_hold_on(con, now_ns()))
		virtio_mmio_notify(&con->vmmio, vq);
	pthread_mutex_unlock(&con->vmmio.lock);
}

/* The loop's output is written: hand its chain back to the guest (lock held). */
static void console_tx_complete(struct console *con)
{
	con->tx_busy = false;
	/* After a device reset the chain belongs to no ring any more. */
	if (con->tx_chain && con->tx_gen == con->reset_gen)
		virtio_queue_complete(&con->vmmio, TX, con->tx_head, 0);
	con->tx_chain = false;
}

/* Advance the iovecs past @done bytes; true when all are written. */
static bool console_tx_advance(struct console *con, size_t done)
{
	while (con->tx_first < con->tx_nr) {
		struct iovec *iov = &con->tx_iov[con->tx_first];

		if (done < iov->iov_len) {
			iov->iov_base = (char *)iov->iov_base + done;
			iov->iov_len -= done;
			return false;
		}
		done -= iov->iov_len;
		con->tx_first++;
	}
	return true;
}

/*
 * On our own non-blocking description, write what the pipe or tty takes
 * at once, right here: the guest spins until the buffer comes back, and
 * this saves it a trip through the event loop. Returns 1 when the chain
 * is done with (written, or dropped after an error), 0 when the loop is
 * to write the rest.
 */
static int console_write_now(struct console *con)
{
	ssize_t n;

	if (!con->out_fd_owned)
		return 0;
	n = writev(con->out_fd, con->tx_iov + con->tx_first, con->tx_nr - con->tx_first);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n < 0) {
		console_drop_output(con, -errno);
		return 1;
	}
	STAT_ADD(con->bytes_out, n);
	return console_tx_advance(con, n);
}

/*
 * Start writing an output chain (lock held), from the vCPU thread that
 * trapped the notification or from the loop. It is staged if it can be
 * (console_stage()); if not, it is written after what is staged: what
 * the pipe or tty takes at once here, the rest in the event loop, which
 * is the loop thread's alone: from the loop, at once; from a vCPU
 * thread, the chain is held and the loop is told through the queue's
 * kick (console_kicked()).
 */
static int console_start_tx(struct console *con, struct virtq_chain *chain)
{
	int ret;

	console_input_note_output(con);
	if (!chain->nr_out || console_stage(con, chain))
		return 0;
	console_tx_begin(con);
	memcpy(con->tx_iov + con->tx_nr, chain->iov, chain->nr_out * sizeof(struct iovec));
	con->tx_nr += chain->nr_out;
	con->tx_head = chain->head;
	con->tx_chain = true;
	con->tx_gen = con->reset_gen;
	if (console_write_now(con) > 0) {
		con->tx_busy = con->tx_chain = false;
		return 0;
	}
	if (!con->tx_in_loop) {
		virtio_mmio_kick(&con->vmmio, TX);
		return VIRTIO_QUEUE_HELD;
	}
	ret = console_write_out(con);
	if (ret) {
		console_drop_output(con, ret);
		con->tx_busy = con->tx_chain = false;
		return 0;
	}
	return VIRTIO_QUEUE_HELD;
}

/* A pass over the output queue from the loop thread (lock held). */
static void console_serve_tx_in_loop(struct console *con)
{
	con->tx_in_loop = true;
	virtio_queue_serve(&con->vmmio, TX);
	con->tx_in_loop = false;
}

/*
 * The timer expired (loop thread, lock held): write the staged output;
 * what the pipe or tty does not take now, the loop writes when it can.
 */
static void console_flush_in_loop(struct console *con)
{
	int ret;

	if (con->tx_busy || console_flush_stage(con))
		return;
	console_tx_begin(con);
	ret = console_write_out(con);
	if (ret) {
		console_drop_output(con, ret);
		console_tx_complete(con);
	}
}

/*
 * In the loop thread, after a kick: go on with a chain a vCPU thread could
 * not write at once (lock held).
 */
static void console_resume_tx(struct console *con)
{
	int ret;

	if (!con->tx_busy || con->out_op.busy)
		return;		/* nothing held, or already being written */
	ret = console_write_out(con);
	if (ret) {
		console_drop_output(con, ret);
		console_tx_complete(con);
		console_serve_tx_in_loop(con);
	}
}

static void console_output_done(struct loop_op *op, int res)
{
	struct console *con = (struct console *)((char *)op -
				offsetof(struct console, out_op));

	if (res == -EINTR || res == -EAGAIN)
		res = console_write_out(con);
	else if (res >= 0) {
		STAT_ADD(con->bytes_out, res);
		res = console_tx_advance(con, res) ? 0 : console_write_out(con);
	}
	if (con->out_op.busy)
		return;		/* the rest of the chain is on its way */
	if (res < 0)
		console_drop_output(con, res);

	pthread_mutex_lock(&con->vmmio.lock);
	console_tx_complete(con);
	console_serve_tx_in_loop(con);
	pthread_mutex_unlock(&con->vmmio.lock);
}

/* --- the queue service's hooks -------------------------------------- */

static int console_handle_chain(struct virtio_mmio *vmmio, unsigned int q,
				struct virtq_chain *chain)
{
	struct console *con = vmmio->priv;

	return q == RX ? console_fill_input(con, chain) : console_start_tx(con, chain);
}

/* Input only while there is some and the guest is ready; output one chain at a time. */
static bool console_can_take(struct virtio_mmio *vmmio, unsigned int q)
{
	struct console *con = vmmio->priv;
	size_t len;

	if (q == TX)
		return !con->tx_busy;
	console_input_data(&con->in, &len);
	return con->input_open && len;
}

static void console_used(struct virtio_mmio *vmmio, unsigned int q)
{
	struct console *con = vmmio->priv;

	if (q == TX)
		console_tx_notify(con);
	else
		virtio_mmio_notify(vmmio, virtio_mmio_queue(vmmio, RX));
}

/*
 * After the loop served a kick: receive buffers may let more input in
 * (and the first ones open the input, see console_input_hold()); an
 * output chain may be waiting for the loop to write it.
 */
static void console_kicked(struct virtio_mmio *vmmio, unsigned int q)
{
	struct console *con = vmmio->priv;

	if (q == RX) {
		console_input_hold(con);
		console_read_input(con);
		return;
	}
	pthread_mutex_lock(&vmmio->lock);
	console_resume_tx(con);
	pthread_mutex_unlock(&vmmio->lock);
}

static void console_reset(struct virtio_mmio *vmmio)
{
	struct console *con = vmmio->priv;

	con->reset_gen++;
}

/*
 * Output is served in the vCPU thread that trapped the notification: the
 * guest spins until the buffer comes back, and a hop to the event loop's
 * thread (an eventfd wake-up) costs it more than the exit does. What the
 * pipe or tty does not take at once still goes through the loop. Input
 * notifications come through KVM's ioeventfd to the loop.
 */
static const struct virtio_dev_ops console_virtio_ops = {
	.device_id	= VIRTIO_ID_CONSOLE,
	.features	= 1ull << VIRTIO_F_VERSION_1,
	.nr_queues	= 2,
	.reset		= console_reset,
	.handle_chain	= console_handle_chain,
	.can_take	= console_can_take,
	.used		= console_used,
	.kicked		= console_kicked,
	.serve_in_vcpu	= 1u << TX,
};

/* --- device ops ---------------------------------------------------- */

/*
 * io_uring can try a write at once, in the loop's own thread, only on a
 * file that can say "would block": with O_NONBLOCK or FMODE_NOWAIT, which
 * pipes and ttys lack before Linux 6.3. Otherwise every write goes through
 * an io-wq worker, a thread hop per buffer while the guest spins waiting
 * for it. Setting O_NONBLOCK on stdout itself would change it for every
 * process sharing it, so reopen the pipe or tty into a description of our
 * own; on anything else, or if that fails, keep the fd as it is.
 */
static void console_open_output(struct console *con)
{
	char path[64];
	struct stat st;
	int fd;

	con->out_fd = con->cfg->out_fd;
	if (fstat(con->out_fd, &st) || !(S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)))
		return;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", con->out_fd);
	fd = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return;
	con->out_fd = fd;
	con->out_fd_owned = true;
}

static int console_init(struct vm *vm, struct device *dev)
{
	struct console *con;
	int ret;

	con = calloc(1, sizeof(*con));
	if (!con)
		return -ENOMEM;
	dev->priv = con;
	con->vm = vm;
	con->cfg = dev->cfg;
	console_input_init(&con->in, con->cfg->escape);
	console_gate_init(&con->gate, CONSOLE_INPUT_QUIET_MS * 1000000ull,
			  CONSOLE_INPUT_HOLD_MAX_MS * 1000000ull);
	con->in_op.done = console_input_done;
	con->hold_op.done = console_input_hold_done;
	con->out_op.done = console_output_done;
	loop_timer_init(&con->tx_irq, console_tx_irq_done);
	console_open_output(con);

	if (virtio_plug_reserve(&con->plug, vm)) {
		pr_err("console: no guest address or interrupt left");
		return -ENOSPC;
	}
	ret = virtio_mmio_init(&con->vmmio, &console_virtio_ops, &vm->ram,
			       "virtio-console", con);
	if (ret) {
		pr_err("console: %s", strerror(-ret));
		return ret;
	}
	/* Under the sandbox every thread writes the output (and the eventfds). */
	sandbox_allow_fd(con->out_fd, SANDBOX_FD_WRITE, SANDBOX_EVERY_ROLE);
	/* Input notifications go to the loop through KVM; output ones trap. */
	ret = virtio_plug_wire(&con->plug, vm, &con->vmmio, 1u << RX);
	if (ret) {
		pr_err("console: wiring it to KVM: %s", strerror(-ret));
		return ret;
	}
	virtio_queue_listen(&con->vmmio, &vm->loop);
	console_read_input(con);
	loop_timer_wait(&vm->loop, &con->tx_irq);
	return 0;
}

static void console_exit(struct vm *vm, struct device *dev)
{
	struct console *con = dev->priv;

	if (!con)
		return;
	virtio_plug_unwire(&con->plug, vm, &con->vmmio);
	virtio_mmio_exit(&con->vmmio);
	if (con->out_fd_owned)
		close(con->out_fd);
	loop_timer_close(&con->tx_irq);
	free(con);
	dev->priv = NULL;
}

static int console_fdt(struct vm *vm, struct device *dev, struct dt *dt)
{
	struct console *con = dev->priv;

	(void)vm;
	return virtio_plug_fdt(&con->plug, dt);
}

static void console_stats(struct vm *vm, struct device *dev, FILE *out)
{
	struct console *con = dev->priv;
	uint64_t wakeups = con->in_op.completions + con->out_op.completions +
			   con->hold_op.completions + con->tx_irq.op.completions +
			   con->vmmio.queues[RX].kick_op.completions +
			   con->vmmio.queues[TX].kick_op.completions;

	fprintf(out, ", \"mmio_exits\": %llu, \"loop_wakeups\": %llu, \"bytes_in\": %llu, \"bytes_out\": %llu",
		(unsigned long long)stats_mmio_exits(vm, "virtio-console"),
		(unsigned long long)wakeups,
		(unsigned long long)con->bytes_in,
		(unsigned long long)con->bytes_out);
	virtio_plug_stats_irqs(&con->plug, con->vmmio.irqs_raised, out);
}

/*
 * The guest has stopped: write what is still staged, waiting up to
 * CONSOLE_STOP_WAIT_MS for a reader that takes it slowly. (Output the
 * loop was writing went with the loop.)
 */
static void console_stopped(struct vm *vm, struct device *dev)
{
	struct timespec one_ms = { .tv_nsec = 1000000 };
	struct console *con = dev->priv;
	unsigned int waited = 0;

	(void)vm;
	if (!con)
		return;
	pthread_mutex_lock(&con->vmmio.lock);
	while (!con->tx_busy && !console_flush_stage(con) &&
	       waited++ < CONSOLE_STOP_WAIT_MS)
		nanosleep(&one_ms, NULL);
	if (con->st_len && !con->tx_busy)
		pr_warn("console: %zu bytes of guest output left unwritten: nothing took them for %d ms",
			con->st_len, CONSOLE_STOP_WAIT_MS);
	pthread_mutex_unlock(&con->vmmio.lock);
}

const struct dev_ops console_ops = {
	.name	= "virtio-console",
	.init	= console_init,
	.exit	= console_exit,
	.stopped = console_stopped,
	.fdt	= console_fdt,
	.stats	= console_stats,
};
