// SPDX-License-Identifier: GPL-2.0
/*
 * Split virtqueue, device side (virtio 1.2, section 2.7). The rings live in
 * guest memory that vCPUs write concurrently: indices are read with
 * acquire loads, descriptors are copied out once before they are checked,
 * and the used index is published with a release store after the entry it
 * covers.
 */
#include "devices/virtio/virtq.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#define VIRTQ_DESC_F_NEXT	1
#define VIRTQ_DESC_F_WRITE	2
#define VIRTQ_DESC_F_INDIRECT	4
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[];
};

_Static_assert(sizeof(struct virtq_desc) == 16, "virtq_desc layout");
_Static_assert(sizeof(struct virtq_used_elem) == 8, "virtq_used_elem layout");

/* virtio is little-endian; so are arm64 guests and the hosts we run on. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "little-endian host");

static void *ring_at(const struct gmem *mem, uint64_t gpa, uint64_t len,
		     uint64_t align)
{
	if (gpa & (align - 1))
		return NULL;
	return gmem_ptr(mem, gpa, len);
}

int virtq_setup(struct virtq *vq, const struct gmem *mem, unsigned int size,
		uint64_t desc, uint64_t avail, uint64_t used)
{
	memset(vq, 0, sizeof(*vq));
	if (!size || size > VIRTQ_MAX_SIZE || (size & (size - 1)))
		return -EINVAL;

	/* Sizes and alignments from virtio 1.2, section 2.7 (+2 for used_event). */
	vq->desc = ring_at(mem, desc, 16ull * size, 16);
	vq->avail = ring_at(mem, avail, 6 + 2ull * size, 2);
	vq->used = ring_at(mem, used, 6 + 8ull * size, 4);
	if (!vq->desc || !vq->avail || !vq->used)
		return -EINVAL;

	vq->mem = mem;
	vq->size = size;
	vq->used_idx = __atomic_load_n(&vq->used->idx, __ATOMIC_RELAXED);
	vq->last_avail = vq->used_idx;
	return 0;
}

static int virtq_break(struct virtq *vq, const char *why)
{
	vq->broken = true;
	vq->why_broken = why;
	return -EIO;
}

static int chain_add(struct virtq *vq, struct virtq_chain *chain,
		     const struct virtq_desc *d)
{
	unsigned int n = chain->nr_out + chain->nr_in;
	void *p;

	if (n == VIRTQ_MAX_SIZE)
		return virtq_break(vq, "chain of more buffers than the device takes");
	p = gmem_ptr(vq->mem, d->addr, d->len);
	if (!p)
		return virtq_break(vq, "descriptor points outside guest RAM");

	if (d->flags & VIRTQ_DESC_F_WRITE) {
		chain->nr_in++;
		chain->in_len += d->len;
	} else {
		/* Section 2.7.4.2: readable parts come before writable ones. */
		if (chain->nr_in)
			return virtq_break(vq, "readable descriptor after a writable one");
		chain->nr_out++;
		chain->out_len += d->len;
	}
	chain->iov[n].iov_base = p;
	chain->iov[n].iov_len = d->len;
	return 0;
}

/*
 * The chain's rest from an indirect table (section 2.7.5.3): @table is
 * the descriptor that points at it, the last of the chain in the ring.
 * Each entry is copied out once; the table's own chain may not leave
 * it, loop, or point at another table.
 */
static int chain_add_indirect(struct virtq *vq, struct virtq_chain *chain,
			      const struct virtq_desc *table)
{
	const uint8_t *entries;
	struct virtq_desc d;
	unsigned int count, n;
	uint16_t i = 0;
	int ret;

	if (!vq->indirect)
		return virtq_break(vq, "indirect descriptor (not negotiated)");
	if (table->flags & VIRTQ_DESC_F_NEXT)
		return virtq_break(vq, "indirect descriptor with a next one");
	if (!table->len || table->len % sizeof(d))
		return virtq_break(vq, "indirect table of no whole descriptors");
	count = table->len / sizeof(d);
	entries = gmem_ptr(vq->mem, table->addr, table->len);
	if (!entries)
		return virtq_break(vq, "indirect table outside guest RAM");
	for (n = 0;; n++) {
		if (n == count)
			return virtq_break(vq, "indirect chain loops");
		memcpy(&d, entries + (size_t)i * sizeof(d), sizeof(d));
		if (d.flags & VIRTQ_DESC_F_INDIRECT)
			return virtq_break(vq, "indirect table inside an indirect table");
		ret = chain_add(vq, chain, &d);
		if (ret)
			return ret;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return 0;
		if (d.next >= count)
			return virtq_break(vq, "indirect descriptor links past its table");
		i = d.next;
	}
}

/*
 * With event_idx, the driver notifies only when it makes available the
 * entry the device published as avail_event (section 2.7.10): the one
 * the device will take next, once it has taken everything. Published,
 * then the index read again, so that an entry made available meanwhile
 * is either seen here or notified.
 */
static uint16_t avail_idx_after_publishing(struct virtq *vq, uint16_t avail_idx)
{
	uint16_t *avail_event = (uint16_t *)&vq->used->ring[vq->size];

	if (!vq->event_idx || avail_idx != vq->last_avail)
		return avail_idx;
	__atomic_store_n(avail_event, vq->last_avail, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE);
}

int virtq_pop(struct virtq *vq, struct virtq_chain *chain)
{
	uint16_t avail_idx, head, i;
	struct virtq_desc d;
	unsigned int n;
	int ret;

	if (vq->broken)
		return -EIO;

	avail_idx = __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE);
	avail_idx = avail_idx_after_publishing(vq, avail_idx);
	if (avail_idx == vq->last_avail)
		return 0;
	if ((uint16_t)(avail_idx - vq->last_avail) > vq->size)
		return virtq_break(vq, "available index moved by more than the queue size");

	head = __atomic_load_n(&vq->avail->ring[vq->last_avail % vq->size],
			       __ATOMIC_RELAXED);
	if (head >= vq->size)
		return virtq_break(vq, "available ring names a descriptor past the table");

	memset(chain, 0, offsetof(struct virtq_chain, iov));
	chain->head = head;
	i = head;
	for (n = 0;; n++) {
		/* A chain longer than the table must revisit a descriptor. */
		if (n == vq->size)
			return virtq_break(vq, "descriptor chain loops");
		memcpy(&d, &vq->desc[i], sizeof(d));
		/* Normal descriptors, then at most one table, which ends the chain. */
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			ret = chain_add_indirect(vq, chain, &d);
			if (ret)
				return ret;
			break;
		}
		ret = chain_add(vq, chain, &d);
		if (ret)
			return ret;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			break;
		if (d.next >= vq->size)
			return virtq_break(vq, "descriptor links past the table");
		i = d.next;
	}

	vq->last_avail++;
	return 1;
}

int virtq_push(struct virtq *vq, uint16_t head, uint32_t len)
{
	struct virtq_used_elem *e;

	if (vq->broken)
		return -EIO;
	e = &vq->used->ring[vq->used_idx % vq->size];
	e->id = head;
	e->len = len;
	vq->used_idx++;
	__atomic_store_n(&vq->used->idx, vq->used_idx, __ATOMIC_RELEASE);
	return 0;
}

bool virtq_should_notify(struct virtq *vq)
{
	uint16_t flags, used_event, old = vq->signalled_used;
	bool first = !vq->signalled;

	/* Order the used index store before reading what the driver asks. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!vq->event_idx) {
		flags = __atomic_load_n(&vq->avail->flags, __ATOMIC_RELAXED);
		return !(flags & VIRTQ_AVAIL_F_NO_INTERRUPT);
	}
	/*
	 * Section 2.7.10: an interrupt when the entries pushed since the
	 * last one include the one the driver named, used_event, the index
	 * it has consumed up to when it last looked. While it has not yet
	 * looked since the last interrupt, the entries pushed after it wait
	 * for the driver's pass over the ring that interrupt started.
	 */
	used_event = __atomic_load_n(&vq->avail->ring[vq->size], __ATOMIC_RELAXED);
	vq->signalled_used = vq->used_idx;
	vq->signalled = true;
	return first || (uint16_t)(vq->used_idx - used_event - 1) < (uint16_t)(vq->used_idx - old);
}

uint32_t virtq_chain_fill(const struct virtq_chain *chain,
			  const void *src, uint32_t len)
{
	const uint8_t *p = src;
	uint32_t done = 0;
	unsigned int i;

	for (i = chain->nr_out; i < chain->nr_out + chain->nr_in && done < len; i++) {
		size_t n = chain->iov[i].iov_len;

		if (n > len - done)
			n = len - done;
		memcpy(chain->iov[i].iov_base, p + done, n);
		done += n;
	}
	return done;
}

uint32_t virtq_chain_read(const struct virtq_chain *chain, void *dst,
			  uint32_t len)
{
	uint8_t *p = dst;
	uint32_t done = 0;
	unsigned int i;

	for (i = 0; i < chain->nr_out && done < len; i++) {
		size_t n = chain->iov[i].iov_len;

		if (n > len - done)
			n = len - done;
		memcpy(p + done, chain->iov[i].iov_base, n);
		done += n;
	}
	return done;
}
