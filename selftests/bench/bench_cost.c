// SPDX-License-Identifier: GPL-2.0-only
/*
 * khv_bench --cost: the markers of the cost model (Documentation/
 * performance.md, "The cost model"). The QEMU plugin tools/costmodel/
 * khv_cost.c recognises a long NOP, nopl 0x4b48NNNN(%rax,%rax,1), and
 * counts the host kernel's expensive instructions between a begin (NNNN =
 * 1) and an end (2); a reset (3) restarts its numbering. Each begin takes
 * the next sequence number, here as in the plugin, so a record of the
 * plugin's and a KHV-BENCH-COST line of ours with the same number describe
 * the same window: scripts/rig/bench_cost.py joins them.
 *
 * On hardware, and under an emulator without the plugin, a marker is a
 * NOP of 8 bytes.
 */
#include <inttypes.h>
#include <stdio.h>

#include "bench.h"

static uint64_t cost_seq;

#define COST_MARK(id)	__asm__ volatile(".byte 0x0f, 0x1f, 0x84, 0x00\n\t"		\
					 ".long 0x4b480000 + " #id ::: "memory")

void bench_cost_mark(const struct bench_opts *o, enum bench_cost_marker m)
{
	if (!o->cost)
		return;
	switch (m) {
	case BENCH_COST_BEGIN:
		cost_seq++;
		COST_MARK(1);
		break;
	case BENCH_COST_END:
		COST_MARK(2);
		break;
	case BENCH_COST_RESET:
		cost_seq = 0;
		COST_MARK(3);
		fprintf(o->cost, "%sreset\n", BENCH_COST_PREFIX);
		break;
	}
}

void bench_cost_note(const struct bench_opts *o, const struct bench_workload *w,
		     const struct bench_hv *hv, uint64_t ops)
{
	if (o->cost)
		fprintf(o->cost, "%s%" PRIu64 " %s %s %" PRIu64 "\n", BENCH_COST_PREFIX, cost_seq,
			w->name, hv->name, ops);
}
