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
#include "devices/console.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "arch/arm64/layout.h"
#include "devices/console-input.h"
#include "devices/virtio-mmio.h"
#include "fdt/dt.h"
#include "vmm/log.h"
#include "vmm/loop.h"
#include "vmm/sandbox.h"
#include "vmm/stats.h"
#include "vmm/vm.h"

#define VIRTIO_ID_CONSOLE	3
#define RX			0
#define TX			1
#define CONSOLE_INPUT_HOLD_MS	300
#define CONSOLE_TX_IRQ_DELAY_NS	1000000

struct console;

struct console_kick {
	struct loop_op op;
	struct console *con;
	unsigned int queue;
	uint64_t count;
};

struct console {
	struct vm *vm;
	const struct console_cfg *cfg;
	struct virtio_mmio vmmio;
	uint64_t base;
	int spi;
	bool mmio_registered;
	bool rx_ioeventfd;
	bool irqfd_assigned;

	struct console_kick kicks[2];

	/* Host input waiting for the guest's receive buffers. */
	struct loop_op in_op;
	uint8_t in_raw[1024];
	struct console_input in;
	bool in_eof;
	bool input_open;		/* the guest is ready for input */
	struct loop_op hold_op;

	struct virtq_chain rx_chain;

	/* The output chain in flight, and what is left of it to write. */
	struct loop_op out_op;
	struct virtq_chain tx_chain;
	struct iovec tx_iov[VIRTQ_MAX_SIZE];
	unsigned int tx_nr, tx_first;
	bool tx_busy;
	unsigned int reset_gen, tx_gen;
	bool out_warned;
	int out_fd;			/* cfg->out_fd or our own reopening */
	bool out_fd_owned;

	/* The output interrupt, coalesced: see console_tx_notify(). */
	struct loop_timer tx_irq;

	uint64_t bytes_in, bytes_out;	/* for --stats */
};

static void console_pump_input(struct console *con);
static void console_start_tx(struct console *con, bool in_vcpu);

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
	console_pump_input(con);
	pthread_mutex_unlock(&con->vmmio.lock);
	console_read_input(con);
}

/* Move pending input into the guest's receive buffers (lock held). */
static void console_pump_input(struct console *con)
{
	struct virtq *vq = virtio_mmio_queue(&con->vmmio, RX);
	unsigned int taken = 0;
	const uint8_t *data;
	size_t len;
	uint32_t n;

	if (!vq || !con->input_open)
		return;
	while ((data = console_input_data(&con->in, &len), len) &&
	       virtio_mmio_pop(&con->vmmio, RX, &taken, &con->rx_chain) > 0) {
		n = virtq_chain_fill(&con->rx_chain, data, len);
		console_input_consume(&con->in, n);
		STAT_ADD(con->bytes_in, n);
		virtq_push(vq, con->rx_chain.head, n);
	}
	if (taken)
		virtio_mmio_notify(&con->vmmio, vq);
}

/*
 * Linux's virtio_console fills the receive queue before it marks the
 * console port connected, and drops what arrives in between (add_port()
 * vs. in_intr() in drivers/char/virtio_console.c). A script that pipes
 * commands in would lose them, so input waits a moment after the guest
 * first offers receive buffers.
 */
static void console_input_hold_done(struct loop_op *op, int res)
{
	struct console *con = (struct console *)((char *)op -
				offsetof(struct console, hold_op));

	(void)res;
	pthread_mutex_lock(&con->vmmio.lock);
	con->input_open = true;
	console_pump_input(con);
	pthread_mutex_unlock(&con->vmmio.lock);
	console_read_input(con);
}

static void console_input_hold(struct console *con)
{
	if (con->input_open || con->hold_op.busy)
		return;
	if (loop_timeout(&con->vm->loop, &con->hold_op, CONSOLE_INPUT_HOLD_MS) < 0)
		con->input_open = true;
}

/* --- guest output -------------------------------------------------- */

static int console_write_out(struct console *con)
{
	return loop_writev(&con->vm->loop, &con->out_op, con->out_fd,
			   con->tx_iov + con->tx_first,
			   con->tx_nr - con->tx_first);
}

static void console_drop_output(struct console *con, int err)
{
	if (!con->out_warned)
		pr_warn("console: writing guest output: %s; output is dropped from now on",
			strerror(-err));
	con->out_warned = true;
	con->tx_first = con->tx_nr;
}

/*
 * Tell the driver that output buffers came back, a little later (lock
 * held). Linux's hvc console spins on the transmit queue until its buffer
 * is returned and never waits for this interrupt, which costs it two
 * exits (the status read and the acknowledge) per buffer: more than the
 * notification that sent the buffer. So the first buffer returned arms a
 * short timer, and one interrupt covers all that were returned until it
 * expires. The interrupt still comes, as virtio asks; only later.
 */
static void console_tx_notify(struct console *con, struct virtq *vq)
{
	if (!loop_timer_arm(&con->tx_irq, CONSOLE_TX_IRQ_DELAY_NS))
		virtio_mmio_notify(&con->vmmio, vq);
}

static void console_tx_irq_done(struct loop_op *op, int res)
{
	struct console *con = (struct console *)((char *)op -
				offsetof(struct console, tx_irq.op));
	struct virtq *vq;

	pthread_mutex_lock(&con->vmmio.lock);
	vq = virtio_mmio_queue(&con->vmmio, TX);
	if (vq)
		virtio_mmio_notify(&con->vmmio, vq);
	loop_timer_rewait(&con->vm->loop, &con->tx_irq, res);
	pthread_mutex_unlock(&con->vmmio.lock);
}

/* Hand the written chain back to the guest (lock held). */
static void console_tx_complete(struct console *con)
{
	struct virtq *vq = virtio_mmio_queue(&con->vmmio, TX);

	con->tx_busy = false;
	/* After a device reset the chain belongs to no ring any more. */
	if (vq && con->tx_gen == con->reset_gen) {
		virtq_push(vq, con->tx_chain.head, 0);
		console_tx_notify(con, vq);
	}
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
 * Take the next output chain and start writing it (lock held). From a
 * vCPU thread (@in_vcpu) only the at-once write is tried: the event loop
 * is the loop thread's alone, so what is left is handed to it through the
 * queue's kick eventfd, and console_resume_tx() goes on from there.
 */
static void console_start_tx(struct console *con, bool in_vcpu)
{
	struct virtq *vq = virtio_mmio_queue(&con->vmmio, TX);
	unsigned int taken = 0;
	int ret;

	while (!con->tx_busy &&
	       virtio_mmio_pop(&con->vmmio, TX, &taken, &con->tx_chain) > 0) {
		if (!con->tx_chain.nr_out) {
			virtq_push(vq, con->tx_chain.head, 0);
			console_tx_notify(con, vq);
			continue;
		}
		memcpy(con->tx_iov, con->tx_chain.iov,
		       con->tx_chain.nr_out * sizeof(struct iovec));
		con->tx_nr = con->tx_chain.nr_out;
		con->tx_first = 0;
		con->tx_gen = con->reset_gen;
		con->tx_busy = true;
		ret = console_write_now(con);
		if (ret > 0) {
			console_tx_complete(con);
			continue;
		}
		if (in_vcpu) {
			virtio_mmio_kick(&con->vmmio, TX);
			return;
		}
		ret = console_write_out(con);
		if (ret) {
			console_drop_output(con, ret);
			console_tx_complete(con);
		}
	}
}

/*
 * In the loop thread, after a kick: go on with a chain a vCPU thread could
 * not write at once, or take new ones (lock held).
 */
static void console_resume_tx(struct console *con)
{
	int ret;

	if (!con->tx_busy) {
		console_start_tx(con, false);
		return;
	}
	if (con->out_op.busy)
		return;		/* already being written */
	ret = console_write_out(con);
	if (ret) {
		console_drop_output(con, ret);
		console_tx_complete(con);
		console_start_tx(con, false);
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
	console_start_tx(con, false);
	pthread_mutex_unlock(&con->vmmio.lock);
}

/* --- queue kicks --------------------------------------------------- */

static void console_wait_kick(struct console *con, struct console_kick *k)
{
	int fd = con->vmmio.queues[k->queue].kick_fd;

	if (loop_read(&con->vm->loop, &k->op, fd, &k->count, sizeof(k->count)) < 0)
		pr_warn("console: cannot wait for queue %u notifications", k->queue);
}

static void console_kick_done(struct loop_op *op, int res)
{
	struct console_kick *k = (struct console_kick *)op;
	struct console *con = k->con;

	pthread_mutex_lock(&con->vmmio.lock);
	if (k->queue == RX && virtio_mmio_queue(&con->vmmio, RX))
		console_input_hold(con);
	if (k->queue == RX)
		console_pump_input(con);
	else
		console_resume_tx(con);
	pthread_mutex_unlock(&con->vmmio.lock);
	if (k->queue == RX)
		console_read_input(con);
	if (res >= 0 || res == -EINTR || res == -EAGAIN)
		console_wait_kick(con, k);
}

/* --- transport hooks ----------------------------------------------- */

static void console_reset(struct virtio_mmio *vmmio)
{
	struct console *con = vmmio->priv;

	con->reset_gen++;
}

/*
 * Output is written from the vCPU thread that trapped the notification:
 * the guest spins until the buffer comes back, and a hop to the event
 * loop's thread (an eventfd wake-up) costs it more than the exit does.
 * What the pipe or tty does not take at once still goes through the loop.
 */
static void console_notify(struct virtio_mmio *vmmio, unsigned int q)
{
	struct console *con = vmmio->priv;

	if (q == TX)
		console_start_tx(con, true);
	else
		virtio_mmio_kick(vmmio, q);
}

static const struct virtio_dev_ops console_virtio_ops = {
	.device_id	= VIRTIO_ID_CONSOLE,
	.features	= 1ull << VIRTIO_F_VERSION_1,
	.nr_queues	= 2,
	.reset		= console_reset,
	.notify		= console_notify,
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

/* Under the sandbox every thread writes the output and the eventfds, and nothing else. */
static void allow_writes(struct console *con)
{
	int fds[VIRTIO_MMIO_MAX_QUEUES + 1];
	unsigned int i, n = virtio_mmio_eventfds(&con->vmmio, fds);

	for (i = 0; i < n; i++)
		sandbox_allow_fd(fds[i], SANDBOX_FD_WRITE, SANDBOX_EVERY_ROLE);
	sandbox_allow_fd(con->out_fd, SANDBOX_FD_WRITE, SANDBOX_EVERY_ROLE);
}

static int console_wire(struct vm *vm, struct console *con)
{
	int ret;

	ret = vm_register_mmio(vm, con->base, VIRTIO_MMIO_SIZE, virtio_mmio_access,
			       &con->vmmio, "virtio-console");
	if (ret)
		return ret;
	con->mmio_registered = true;
	/* Input notifications go to the loop through KVM; output ones trap. */
	ret = vm_ioeventfd(vm, con->base + VIRTIO_MMIO_QUEUE_NOTIFY, 4, RX,
			   con->vmmio.queues[RX].kick_fd, true);
	if (ret)
		return ret;
	con->rx_ioeventfd = true;
	ret = vm_irqfd(vm, con->spi, con->vmmio.irq_fd, true);
	if (ret)
		return ret;
	con->irqfd_assigned = true;
	return 0;
}

static int console_init(struct vm *vm, struct device *dev)
{
	struct console *con;
	unsigned int q;
	int ret;

	con = calloc(1, sizeof(*con));
	if (!con)
		return -ENOMEM;
	dev->priv = con;
	con->vm = vm;
	con->cfg = dev->cfg;
	console_input_init(&con->in, con->cfg->escape);
	con->in_op.done = console_input_done;
	con->hold_op.done = console_input_hold_done;
	con->out_op.done = console_output_done;
	loop_timer_init(&con->tx_irq, console_tx_irq_done);
	console_open_output(con);

	con->base = vm_alloc_device_addr(vm);
	con->spi = vm_alloc_spi(vm);
	if (!con->base || con->spi < 0) {
		pr_err("console: no guest address or interrupt left");
		return -ENOSPC;
	}
	ret = virtio_mmio_init(&con->vmmio, &console_virtio_ops, &vm->ram,
			       "virtio-console", con);
	if (ret) {
		pr_err("console: %s", strerror(-ret));
		return ret;
	}
	allow_writes(con);
	ret = console_wire(vm, con);
	if (ret) {
		pr_err("console: wiring it to KVM: %s", strerror(-ret));
		return ret;
	}
	for (q = 0; q < 2; q++) {
		con->kicks[q] = (struct console_kick) {
			.op.done = console_kick_done, .con = con, .queue = q,
		};
		console_wait_kick(con, &con->kicks[q]);
	}
	console_read_input(con);
	loop_timer_wait(&vm->loop, &con->tx_irq);
	return 0;
}

static void console_exit(struct vm *vm, struct device *dev)
{
	struct console *con = dev->priv;

	if (!con)
		return;
	if (con->irqfd_assigned)
		vm_irqfd(vm, con->spi, con->vmmio.irq_fd, false);
	if (con->rx_ioeventfd)
		vm_ioeventfd(vm, con->base + VIRTIO_MMIO_QUEUE_NOTIFY, 4, RX,
			     con->vmmio.queues[RX].kick_fd, false);
	if (con->mmio_registered)
		vm_unregister_mmio(vm, con->base);
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
	/* Edge: the irqfd delivers one pulse per notification. */
	return dt_add_mmio_device(dt, "virtio", "virtio,mmio", con->base,
				  VIRTIO_MMIO_SIZE, con->spi, DT_IRQ_EDGE_RISING);
}

static void console_stats(struct vm *vm, struct device *dev, FILE *out)
{
	struct console *con = dev->priv;
	uint64_t wakeups = con->in_op.completions + con->out_op.completions +
			   con->hold_op.completions + con->kicks[0].op.completions +
			   con->kicks[1].op.completions + con->tx_irq.op.completions;

	fprintf(out, ", \"mmio_exits\": %llu, \"loop_wakeups\": %llu, \"irqs\": { \"spi\": %d, \"delivery\": \"irqfd\", \"raised_by_vmm\": %llu }, \"bytes_in\": %llu, \"bytes_out\": %llu",
		(unsigned long long)stats_mmio_exits(vm, "virtio-console"),
		(unsigned long long)wakeups, con->spi,
		(unsigned long long)con->vmmio.irqs_raised,
		(unsigned long long)con->bytes_in,
		(unsigned long long)con->bytes_out);
}

const struct dev_ops console_ops = {
	.name	= "virtio-console",
	.init	= console_init,
	.exit	= console_exit,
	.fdt	= console_fdt,
	.stats	= console_stats,
};
