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

uint64_t guest_db_ist[GUEST_DB_IST_WORDS] __attribute__((aligned(16)));
volatile uint64_t guest_db_count, guest_db_probe;

/* DR7: L0, a write breakpoint (R/W0 = 01) of 8 bytes (LEN0 = 10). */
#define GUEST_DR7_WRITE8_L0	(0x400ull | 1 | 1ull << 16 | 2ull << 18)

/* #DB on its own IST stack: count it and disarm the breakpoint. */
__attribute__((interrupt))
void guest_db_loop_handler(struct guest_intr_frame *frame)
{
	(void)frame;
	guest_db_count = guest_db_count + 1;
	GUEST_SET_DR(7, 0x400);
	GUEST_SET_DR(6, 0xffff0ff0);
}

/*
 * SYNC 1: how many #DBs a write breakpoint on an ordinary variable raised
 * (0: this CPU arms none in a guest). Then a write breakpoint on the IST
 * slot where delivering #DB pushes SS, and a write to it: each delivery
 * raises the next #DB before the handler's first instruction. SYNC 2 (the
 * handler's count) comes only if that loop ever ends.
 */
void guest_code_db_loop(uint64_t arg)
{
	(void)arg;
	guest_db_count = 0;
	GUEST_SET_DR(0, (uint64_t)(uintptr_t)&guest_db_probe);
	GUEST_SET_DR(7, GUEST_DR7_WRITE8_L0);
	guest_db_probe = 1;
	GUEST_SET_DR(7, 0x400);
	GUEST_SYNC(guest_db_count);

	GUEST_SET_DR(0, (uint64_t)(uintptr_t)&guest_db_ist[GUEST_DB_IST_WORDS - 1]);
	GUEST_SET_DR(7, GUEST_DR7_WRITE8_L0);
	*(volatile uint64_t *)&guest_db_ist[GUEST_DB_IST_WORDS - 1] = 0;
	GUEST_SYNC(guest_db_count);
	GUEST_DONE();
}

/* At CPL 3: a WRMSR (#GP, 2 bytes), then the #GP handler's count to the test. */
void guest_code_user_gp(uint64_t arg)
{
	(void)arg;
	asm volatile("wrmsr" : : "c" (0), "a" (0), "d" (0));
	GUEST_SYNC(guest_faults.gp_count);
	GUEST_DONE();
}
