/* SPDX-License-Identifier: GPL-2.0-only */
/* khv_fault_test: what the test and its guest code (khv_fault_test_guest.c) share. */
#ifndef KHV_FAULT_TEST_H
#define KHV_FAULT_TEST_H

#include <stdint.h>

#include "khv_guest.h"

/* A string I/O instruction for guest_code_string_io(). */
struct guest_sio {
	uint64_t in;		/* REP INSB, else REP OUTSB */
	uint64_t addr;		/* RDI or RSI */
	uint64_t count;		/* RCX */
	uint64_t port;
	uint64_t stac;		/* with EFLAGS.AC set (STAC) */
};

/* What the guest saw: its exception handlers fill these. */
struct guest_faults {
	uint64_t pf_count, pf_error, pf_cr2, pf_rip;
	uint64_t gp_count, gp_error, gp_rip;
	uint64_t index, count;	/* RSI/RDI and RCX after the instruction */
	uint64_t insn;		/* the instruction's address */
};

extern struct guest_sio guest_sio;
extern volatile struct guest_faults guest_faults;

void guest_pf_handler(struct guest_intr_frame *frame, uint64_t error_code);
void guest_gp_handler(struct guest_intr_frame *frame, uint64_t error_code);
void guest_code_string_io(uint64_t arg);
void guest_code_hypercall(uint64_t vmmcall);
void guest_code_user_gp(uint64_t arg);

/* The #DB delivery loop (CVE-2015-8104): #DB's IST stack, 8-byte words. */
#define GUEST_DB_IST_WORDS	64
extern uint64_t guest_db_ist[GUEST_DB_IST_WORDS];
extern volatile uint64_t guest_db_count;
void guest_db_loop_handler(struct guest_intr_frame *frame);
void guest_code_db_loop(uint64_t arg);

#endif /* KHV_FAULT_TEST_H */
