/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest fuzzer's code generator: random instruction streams weighted
 * towards the instructions that exit (fuzz_insn.c).
 */
#ifndef KHV_FUZZ_INSN_H
#define KHV_FUZZ_INSN_H

#include <stddef.h>
#include <stdint.h>

#include "fuzz.h"

enum insn_mode { MODE_REAL = 16, MODE_PROT = 32, MODE_LONG = 64 };

struct insn_ctx {
	enum insn_mode mode;
	uint64_t ram_size;	/* guest RAM at GPA 0 */
	uint64_t code_gpa;	/* where the stream goes (for self-modification) */
	size_t code_len;
};

/* Fill @buf (@len bytes) with instructions; the tail is padded with HLT. */
void insn_generate(struct fuzz_rng *r, const struct insn_ctx *c, uint8_t *buf, size_t len);

#endif /* KHV_FUZZ_INSN_H */
