// SPDX-License-Identifier: GPL-2.0
#include "devices/virtio/rng-fill.h"

#include <sys/random.h>

uint32_t rng_fill(const struct iovec *iov, unsigned int nr, rng_source source)
{
	uint32_t done = 0;
	unsigned int i;
	ssize_t n;

	for (i = 0; i < nr && done < RNG_MAX_PER_REQUEST; i++) {
		size_t want = iov[i].iov_len;

		if (want > RNG_MAX_PER_REQUEST - done)
			want = RNG_MAX_PER_REQUEST - done;
		n = source(iov[i].iov_base, want, GRND_NONBLOCK);
		if (n <= 0)
			break;
		if ((size_t)n > want)	/* a source that lies is not believed */
			n = want;
		done += n;
		if ((size_t)n < want)
			break;
	}
	return done;
}
