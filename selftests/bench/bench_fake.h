/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * khv_bench's hypervisor without hardware (bench_fake.c), for
 * bench_selftest.c on the build machine.
 */
#ifndef KHV_BENCH_FAKE_H
#define KHV_BENCH_FAKE_H

#include <stdbool.h>
#include <stdint.h>

#include "bench.h"

/* Its counters: khv's exit reasons (as KVM, their sum as "exits"). */
enum fake_counter {
	FAKE_OTHER,
	FAKE_CPUID,
	FAKE_HYPERCALL,
	FAKE_IO,
	FAKE_NPF,
	FAKE_HLT,
	FAKE_MSR,
	FAKE_NR
};

struct fake_opts {
	uint32_t hc_nr, hc_ret;	/* the hypercall it answers, and how */
	int drop;		/* a counter (FAKE_*) that never counts, or -1 */
	bool corrupt;		/* every store and OUT gives its value + 1 */
	bool intel;		/* CPUID says GenuineIntel, not AuthenticAMD */
	int lose_irq;		/* the Nth interrupt raised (from 1) is lost; 0: none */
};

/* @hv as khv, or (@as_kvm) as KVM; one of each at a time. */
void bench_fake_open(struct bench_hv *hv, bool as_kvm, const struct fake_opts *o);

#endif /* KHV_BENCH_FAKE_H */
