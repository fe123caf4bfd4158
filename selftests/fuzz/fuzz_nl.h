/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The netlink fuzzer's pieces: the spec's operations (khv_spec_table.h,
 * rendered from Documentation/netlink/specs/khv.yaml at build time by
 * scripts/netlink-spec-table.py) and the message builder (fuzz_nl_msg.c).
 */
#ifndef KHV_FUZZ_NL_H
#define KHV_FUZZ_NL_H

#include <stdint.h>

#include "fuzz.h"
#include "khv_spec.h"

#define NLF_MSG_MAX	2048

/* What a message may name: the iteration's VMs and grants. */
struct nlf_ids {
	uint64_t vm[4];
	int nr_vm;
	uint32_t grant[8];
	int nr_grant;
};

/*
 * A request for one of the spec's operations, its attributes mostly valid
 * and in range, then often mutated (wrong types and lengths, unknown,
 * duplicated, missing, nested attributes, cut messages). Returns its length
 * in @buf; *@dump says whether it asked for a dump.
 */
int nlf_build(struct fuzz_rng *r, uint16_t family, uint32_t seq, const struct nlf_ids *ids,
	      uint8_t *buf, int *dump);

#endif /* KHV_FUZZ_NL_H */
