/* SPDX-License-Identifier: GPL-2.0-only */
/* khv_guest_test: what the test and its guest code (khv_guest_test_guest.c) share. */
#ifndef KHV_GUEST_TEST_H
#define KHV_GUEST_TEST_H

#include <stdint.h>

#include "khv_guest.h"

#define GUEST_TEST_MAGIC	0x6b68765f74657374ull	/* "khv_test" */
#define GUEST_LOOP_ROUNDS	20

#define MSR_LSTAR		0xc0000082u
#define MSR_KERNEL_GS_BASE	0xc0000102u
#define GUEST_LSTAR_VALUE	0xffffffff81234560ull
#define GUEST_MTRR_DEF_TYPE	0xc06ull	/* E, FE, write-back */
#define TEST_KGSBASE_VALUE	0xffff888012345000ull

/*
 * guest_code_spin_on_range(): what the test answers to an MMIO read of the
 * range, and what the guest writes there.
 */
#define GUEST_SPIN_MMIO		0x4d4d494f4d4d494full	/* "OIMMOIMM" */
#define GUEST_SPIN_TAG		0x5441475441475441ull

/* guest_code_spin_on_range()'s progress, read by the test. */
struct guest_spin {
	uint64_t stop;		/* set by the test */
	uint64_t seen;		/* the range was RAM: the guest's write stayed */
	uint64_t left;		/* then it was MMIO again */
	uint64_t reads;		/* reads of the range while it was RAM */
};

#define MSR_TSC_AUX		0xc0000103u
#define GUEST_TSC_AUX_VALUE	0x5a5a1234u
#define GUEST_TSC_AUX_VALUE2	0x42u

#define X86_CR4_PGE		(1ull << 7)
#define X86_CR4_OSXSAVE		(1ull << 18)
#define X86_CR4_PKE		(1ull << 22)

/* guest_code_ymm(): what the guest found. */
enum { YMM_OSXSAVE_REFUSED = 1, YMM_NO_AVX, YMM_SEEN, YMM_CLEAN };
/* guest_code_tsc_aux(): how RDPID went. */
enum { RDPID_ABSENT, RDPID_RAN, RDPID_UD };

/* Where guest_code_db_on_stack() puts its stack: above RAM, inside the identity map. */
#define GUEST_DB_STACK_BASE	0x3ff00000ull
#define GUEST_DB_STACK_SIZE	0x10000ull

/* The external interrupt vectors the event tests use; guest_irq_handler_*(). */
#define GUEST_IRQ_A		0x40
#define GUEST_IRQ_B		0x41
#define GUEST_IRQ_C		0x42
/* Where guest_code_irq_on_stack() puts its stack (the #DB test's place). */
#define GUEST_IRQ_STACK_BASE	GUEST_DB_STACK_BASE
#define GUEST_IRQ_STACK_SIZE	GUEST_DB_STACK_SIZE

/* The guest's view of the external interrupts and NMIs it took. */
struct guest_events {
	uint64_t irq_count;
	uint64_t irq_vector;	/* of the last one */
	uint64_t irq_rip;	/* where it interrupted */
	uint64_t nmi_count;
	uint64_t nmi_rip[2];	/* where the first two interrupted */
	uint64_t pf_count;
	uint64_t pf_error;
	uint64_t pf_cr2;
	uint64_t pf_rip;
};

extern uint64_t guest_input;
extern volatile uint64_t guest_output;
extern volatile uint64_t guest_gp_count;
extern volatile uint64_t guest_gp_error;
extern volatile struct guest_spin guest_spin;
extern volatile uint64_t guest_ud_count;
extern volatile uint64_t guest_db_count;
extern volatile uint64_t guest_db_rip;
extern const char guest_db_resume[];

void guest_code_sync_values(uint64_t arg);
void guest_code_cpuid(uint64_t arg);
void guest_code_cpuid_ids(uint64_t arg);
void guest_code_cpuid_twice(uint64_t arg);
void guest_gp_handler(struct guest_intr_frame *frame, uint64_t error_code);
void guest_code_msr(uint64_t msr);
void guest_code_msr_allowed(uint64_t arg);
void guest_code_mtrr(uint64_t arg);
void guest_code_mmio(uint64_t base);
void guest_code_loop(uint64_t id);
void guest_code_spin_on_range(uint64_t gpa);
void guest_gp_skip_handler(struct guest_intr_frame *frame, uint64_t error_code);
void guest_ud_skip_handler(struct guest_intr_frame *frame);
void guest_db_handler(struct guest_intr_frame *frame);
void guest_code_rdpmc(uint64_t arg);
void guest_code_unoffered(uint64_t arg);
void guest_db_dr6_handler(struct guest_intr_frame *frame);
void guest_code_debugregs(uint64_t arg);
void guest_code_data_breakpoint(uint64_t arg);
void guest_code_pending_db(uint64_t arg);
void guest_code_icebp(uint64_t arg);
extern const char guest_icebp_next[];
void guest_code_cr4(uint64_t arg);
void guest_code_pkru(uint64_t value);
void guest_code_ymm(uint64_t rounds);
void guest_code_tsc_aux(uint64_t arg);
void guest_code_db_on_stack(uint64_t stack_top);

extern volatile struct guest_events guest_events;
extern const char guest_sti_next[], guest_window_open[], guest_hlt_next[];
extern const char guest_mov_ss_next[];
extern const char guest_entry_sti[], guest_shadow_insn[], guest_shadow_next[];
extern const char guest_irq_stack_resume[];
void guest_irq_handler_a(struct guest_intr_frame *frame);
void guest_irq_handler_b(struct guest_intr_frame *frame);
void guest_irq_handler_c(struct guest_intr_frame *frame);
void guest_nmi_handler(struct guest_intr_frame *frame);
void guest_pf_handler(struct guest_intr_frame *frame, uint64_t error_code);
void guest_code_irq_if(uint64_t arg);
void guest_code_irq_mov_ss(uint64_t mmio);
void guest_code_irq_loaded_shadow(uint64_t arg);
void guest_code_irq_window(uint64_t arg);
void guest_code_cr8_window(uint64_t rounds);
void guest_code_sti_hlt(uint64_t arg);
void guest_code_nmi(uint64_t arg);
void guest_code_pending_pf(uint64_t arg);
void guest_code_irq_on_stack(uint64_t stack_top);

#endif /* KHV_GUEST_TEST_H */
