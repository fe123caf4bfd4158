// SPDX-License-Identifier: GPL-2.0-only
/*
 * khv_fault_test: the guest side (long mode, at the test binary's own
 * addresses; see khv_guest_test_guest.c for the rules such code follows).
 */
#include <stdint.h>

#include "khv_guest.h"
#include "khv_fault_test.h"
#include <linux/khv.h>

struct guest_sio guest_sio;
volatile struct guest_faults guest_faults;

/* #PF: count it, keep error code, CR2 and RIP, step over the 2-byte REP INSB/OUTSB. */
__attribute__((interrupt))
void guest_pf_handler(struct guest_intr_frame *frame, uint64_t error_code)
{
	uint64_t cr2;

	asm volatile("mov %%cr2, %0" : "=r" (cr2));
	guest_faults.pf_count = guest_faults.pf_count + 1;
	guest_faults.pf_error = error_code;
	guest_faults.pf_cr2 = cr2;
	guest_faults.pf_rip = frame->rip;
	frame->rip += 2;
}

/* #GP: the same. */
__attribute__((interrupt))
void guest_gp_handler(struct guest_intr_frame *frame, uint64_t error_code)
{
	guest_faults.gp_count = guest_faults.gp_count + 1;
	guest_faults.gp_error = error_code;
	guest_faults.gp_rip = frame->rip;
	frame->rip += 2;
}

extern const char guest_ins_insn[], guest_outs_insn[];

/* One REP INSB or REP OUTSB as guest_sio says, then what became of it. */
void guest_code_string_io(uint64_t arg)
{
	uint64_t addr = guest_sio.addr, count = guest_sio.count;

	(void)arg;
	guest_faults.insn = (uint64_t)(uintptr_t)(guest_sio.in ? guest_ins_insn :
						     guest_outs_insn);
	if (guest_sio.stac)
		asm volatile("stac" ::: "cc");
	if (guest_sio.in)
		asm volatile(".globl guest_ins_insn\n"
			     "guest_ins_insn: rep insb"
			     : "+D" (addr), "+c" (count)
			     : "d" ((uint16_t)guest_sio.port) : "memory");
	else
		asm volatile(".globl guest_outs_insn\n"
			     "guest_outs_insn: rep outsb"
			     : "+S" (addr), "+c" (count)
			     : "d" ((uint16_t)guest_sio.port) : "memory");
	if (guest_sio.stac)
		asm volatile("clac" ::: "cc");
	guest_faults.index = addr;
	guest_faults.count = count;
	GUEST_DONE();
}

static uint64_t guest_hypercall(uint64_t nr, int vmmcall)
{
	if (vmmcall)
		asm volatile("vmmcall" : "+a" (nr) : : "memory");
	else
		asm volatile("vmcall" : "+a" (nr) : : "memory");
	return nr;
}

/* Hypercalls, each result to the test: the API version, then a user-space call. */
void guest_code_hypercall(uint64_t vmmcall)
{
	GUEST_SYNC(guest_hypercall(KHV_HC_API_VERSION, vmmcall));
	GUEST_SYNC(guest_hypercall(KHV_HC_USER_BASE, vmmcall));
	GUEST_DONE();
}
