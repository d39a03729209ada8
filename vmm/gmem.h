/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A view of guest physical memory: one contiguous range of guest
 * addresses backed by one host mapping. Every access the VMM makes on the
 * guest's behalf goes through gmem_ptr(), which refuses any range that is
 * not wholly inside the view, so a guest-supplied address can never make
 * the VMM touch its own memory.
 */
#ifndef LKVM_VMM_GMEM_H
#define LKVM_VMM_GMEM_H

#include <stddef.h>
#include <stdint.h>

struct gmem {
	uint8_t *host;	/* host address of guest address gpa */
	uint64_t gpa;
	uint64_t size;
};

/* Host pointer for [gpa, gpa + len), or NULL if any of it lies outside. */
static inline void *gmem_ptr(const struct gmem *m, uint64_t gpa, uint64_t len)
{
	if (gpa < m->gpa)
		return NULL;
	gpa -= m->gpa;
	if (gpa > m->size || len > m->size - gpa)
		return NULL;
	return m->host + gpa;
}

#endif
