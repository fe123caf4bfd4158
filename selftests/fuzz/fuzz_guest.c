// SPDX-License-Identifier: GPL-2.0-only
/* The guest fuzzer: not yet. */
#include "fuzz.h"

int fuzz_guest_iter(uint64_t seed, uint64_t iter, uint64_t *calls, char *why, size_t len)
{
	(void)seed; (void)iter; (void)calls; (void)why; (void)len;
	return 0;
}
