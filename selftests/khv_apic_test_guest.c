// SPDX-License-Identifier: GPL-2.0-only
/*
 * khv_apic_test: the guest half (long mode, compiled with GUEST_CFLAGS).
 * Each function runs in a vCPU; the test reads apic_guest from guest RAM.
 */
#include <stdint.h>

#include "khv_apic_test.h"

volatile struct apic_guest apic_guest;
/* Per vCPU it would be better; every vCPU of a test uses one mode. */
volatile uint64_t apic_x2;

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a" (lo), "=d" (hi) : "c" (msr) : "memory");
	return lo | (uint64_t)hi << 32;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	asm volatile("wrmsr" : : "c" (msr), "a" ((uint32_t)v),
		     "d" ((uint32_t)(v >> 32)) : "memory");
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a" (lo), "=d" (hi));
	return lo | (uint64_t)hi << 32;
}

static inline uint64_t apic_read(uint32_t reg)
{
	if (apic_x2)
		return rdmsr(0x800 + (reg >> 4));
	return *(volatile uint32_t *)(uintptr_t)(APIC_TEST_XAPIC_GPA + reg);
}

static inline void apic_write(uint32_t reg, uint64_t v)
{
	if (apic_x2)
		wrmsr(0x800 + (reg >> 4), v);
	else
		*(volatile uint32_t *)(uintptr_t)(APIC_TEST_XAPIC_GPA + reg) = v;
}

static inline uint32_t apic_id(void)
{
	uint32_t id = apic_read(APIC_ID);

	return apic_x2 ? id : id >> 24;
}

/*
 * STI; HLT (apic_sti_hlt()): wait for an interrupt that was armed or awaited
 * with interrupts off. STI's shadow covers the HLT, so the interrupt is
 * taken once the processor halts (SDM Vol. 3A 6.8.3), never between the STI
 * and the HLT. With interrupts on, one that comes just before the HLT is
 * taken there, and the HLT waits for an interrupt that never comes (on any
 * host). Returns with interrupts off.
 */
void apic_sti_hlt(void);
extern const char apic_hlt_insn[];
asm(".pushsection .text\n"
    ".globl apic_sti_hlt\n"
    "apic_sti_hlt:\n"
    "\tsti\n"
    "apic_hlt_insn:\n"
    "\thlt\n"
    "\tcli\n"
    "\tret\n"
    ".popsection\n");

/*
 * An interrupt taken at that HLT, before it ran: only an emulator that
 * loses the STI shadow across VMRUN does that (QEMU before 9.1 does not
 * load the VMCB's interrupt shadow; the rig's is patched). The HLT would wait for good: the
 * handler steps over it, and counts it. Where each interrupt came is kept
 * too, for a test that saw one too many.
 */
static void skip_hlt(struct guest_intr_frame *frame)
{
	uint64_t n;

	if (frame->rip == (uint64_t)(uintptr_t)apic_hlt_insn) {
		frame->rip++;
		apic_guest.hlt_skipped++;
	}
	n = __atomic_fetch_add(&apic_guest.frames, 1, __ATOMIC_SEQ_CST) % 4;
	apic_guest.frame_rip[n] = frame->rip;
	apic_guest.frame_rflags[n] = frame->rflags;
	/* A maskable interrupt where IF was clear: delivered twice, say. */
	if (!(frame->rflags & (1u << 9))) {
		apic_guest.if_clear++;
		apic_guest.if_clear_rip = frame->rip;
	}
}

static void apic_count(unsigned int vec)
{
	uint32_t id = apic_id() & 7;

	apic_guest.count[id][vec - APIC_TEST_VEC]++;
	apic_write(APIC_EOI, 0);
}

__attribute__((interrupt))
void apic_handler_vec(struct guest_intr_frame *frame)
{
	skip_hlt(frame);
	apic_count(APIC_TEST_VEC);
}

__attribute__((interrupt))
void apic_handler_timer(struct guest_intr_frame *frame)
{
	skip_hlt(frame);
	apic_count(APIC_TEST_VEC_TIMER);
}

__attribute__((interrupt))
void apic_handler_ipi(struct guest_intr_frame *frame)
{
	skip_hlt(frame);
	apic_count(APIC_TEST_VEC_IPI);
}

__attribute__((interrupt))
void apic_handler_nmi(struct guest_intr_frame *frame)
{
	(void)frame;
	apic_guest.nmis++;
}

/* A refused RDMSR/WRMSR (2 bytes): counted and skipped. */
__attribute__((interrupt))
void apic_handler_gp(struct guest_intr_frame *frame, uint64_t error_code)
{
	(void)error_code;
	apic_guest.gp++;
	frame->rip += 2;
}

/* Switch to @mode: x2APIC by the MSR, xAPIC moved to APIC_TEST_XAPIC_GPA. */
static void apic_enable(uint64_t mode)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	if (mode == APIC_MODE_X2APIC) {
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_X2APIC);
		apic_x2 = 1;
	} else {
		wrmsr(MSR_APIC_BASE, APIC_TEST_XAPIC_GPA | APIC_BASE_ENABLE |
		      (base & APIC_BASE_BSP));
		apic_x2 = 0;
	}
	apic_write(APIC_SVR, 0x1ff);
}

static uint64_t my_count(unsigned int vec)
{
	return apic_guest.count[apic_id() & 7][vec - APIC_TEST_VEC];
}

/* Spin (interrupts as they are) until the count passes @n, or give up. */
static uint64_t wait_count(unsigned int vec, uint64_t n)
{
	volatile uint64_t spin;

	for (spin = 0; spin < 20000000 && my_count(vec) <= n; spin++)
		;
	return my_count(vec);
}

static uint64_t isr_has(unsigned int vec)
{
	return (apic_read(APIC_ISR + (vec / 32) * 0x10) >> (vec % 32)) & 1;
}

/*
 * MSIs (the test raises them at each SYNC): one arrives and its EOI clears
 * ISR; TPR holds one back until it is lowered, through the TPR register,
 * then through CR8.
 */
void guest_code_msi(uint64_t mode)
{
	uint64_t n;
	volatile uint64_t spin;

	apic_enable(mode);
	GUEST_SYNC2(0, apic_read(APIC_LVR));
	asm volatile("sti");
	GUEST_SYNC(1);
	n = wait_count(APIC_TEST_VEC, 0);
	GUEST_SYNC4(2, n, isr_has(APIC_TEST_VEC), apic_read(APIC_PPR));

	apic_write(APIC_TPR, 0x50);
	GUEST_SYNC(3);
	for (spin = 0; spin < 1000000; spin++)
		;
	GUEST_SYNC4(4, my_count(APIC_TEST_VEC), apic_read(APIC_PPR),
		    (apic_read(APIC_IRR + 0x20) >> 0) & 1);
	apic_write(APIC_TPR, 0);
	GUEST_SYNC2(5, wait_count(APIC_TEST_VEC, 1));

	asm volatile("mov %0, %%cr8" : : "r" (5ull) : "memory");
	GUEST_SYNC2(6, apic_read(APIC_TPR));
	for (spin = 0; spin < 1000000; spin++)
		;
	GUEST_SYNC2(7, my_count(APIC_TEST_VEC));
	asm volatile("mov %0, %%cr8" : : "r" (0ull) : "memory");
	GUEST_SYNC2(8, wait_count(APIC_TEST_VEC, 2));
	GUEST_DONE();
}

/*
 * The PIC's ExtINT (the test queues KHV_INTERRUPT at SYNC 1): LINT0 is
 * masked after reset, so it waits; once LINT0 is ExtINT it arrives; masked
 * again, the next one waits (KUnit khv_lapic_math.extint_through_lint0 has
 * the disabled APIC, which takes it whatever LINT0 says).
 */
void guest_code_extint(uint64_t mode)
{
	volatile uint64_t spin;

	apic_enable(mode);
	asm volatile("sti");
	GUEST_SYNC2(1, apic_read(APIC_LVT0));
	for (spin = 0; spin < 1000000; spin++)
		;
	GUEST_SYNC2(2, my_count(APIC_TEST_VEC));
	apic_write(APIC_LVT0, APIC_DM_EXTINT);
	GUEST_SYNC2(3, wait_count(APIC_TEST_VEC, 0));
	apic_write(APIC_LVT0, APIC_LVT_MASKED | APIC_DM_EXTINT);
	GUEST_SYNC(4);
	for (spin = 0; spin < 1000000; spin++)
		;
	GUEST_SYNC2(5, my_count(APIC_TEST_VEC));
	GUEST_DONE();
}

/* Is @vec requested (IRR) in this APIC? */
static uint64_t irr_has(unsigned int vec)
{
	return (apic_read(APIC_IRR + (vec / 32) * 0x10) >> (vec % 32)) & 1;
}

/*
 * The LAPIC timer in x2APIC mode, 1 GHz bus, divide by 1: one-shot fires
 * once (HLT wakes on it), periodic fires each period until stopped,
 * TSC-deadline once, and its MSR reads 0 after; one that expired while
 * interrupts were off is taken by STI; HLT at once, and one that had run out
 * when it was armed is in IRR at once.
 */
void guest_code_timer(uint64_t arg)
{
	volatile uint64_t spin;
	uint64_t n, i, tmcct;

	(void)arg;
	apic_enable(APIC_MODE_X2APIC);
	apic_write(APIC_TDCR, 0xb);
	apic_write(APIC_LVTT, APIC_TEST_VEC_TIMER);
	apic_guest.stage_count = my_count(APIC_TEST_VEC_TIMER);
	apic_guest.stage = APIC_STAGE_ONESHOT;
	apic_write(APIC_TMICT, 2000000);	/* 2 ms */
	tmcct = apic_read(APIC_TMCCT);
	apic_sti_hlt();
	n = my_count(APIC_TEST_VEC_TIMER);
	asm volatile("sti");
	for (spin = 0; spin < 2000000; spin++)
		;
	GUEST_SYNC4(1, n, my_count(APIC_TEST_VEC_TIMER), tmcct);

	/* Periodic: each HLT wakes on a tick, whenever the last one came. */
	apic_write(APIC_LVTT, APIC_TEST_VEC_TIMER | APIC_TIMER_PERIODIC);
	apic_write(APIC_TMICT, 1000000);	/* 1 ms */
	for (i = 0; i < 5; i++) {
		apic_guest.stage = APIC_STAGE_PERIODIC + i;
		asm volatile("hlt" ::: "memory");
	}
	apic_write(APIC_TMICT, 0);
	n = my_count(APIC_TEST_VEC_TIMER);
	for (spin = 0; spin < 2000000; spin++)
		;
	GUEST_SYNC4(2, n, my_count(APIC_TEST_VEC_TIMER), 0);

	asm volatile("cli");
	apic_write(APIC_LVTT, APIC_TEST_VEC_TIMER | APIC_TIMER_DEADLINE);
	apic_guest.stage_count = my_count(APIC_TEST_VEC_TIMER);
	apic_guest.stage = APIC_STAGE_DEADLINE;
	wrmsr(MSR_TSC_DEADLINE, rdtsc() + 1000000);
	apic_sti_hlt();
	n = my_count(APIC_TEST_VEC_TIMER);
	asm volatile("sti");
	for (spin = 0; spin < 2000000; spin++)
		;
	GUEST_SYNC4(3, n, my_count(APIC_TEST_VEC_TIMER),
		    rdmsr(MSR_TSC_DEADLINE));

	/* Hostile: a periodic count of 1 is clamped; the guest goes on. */
	apic_write(APIC_LVTT, APIC_TEST_VEC_TIMER | APIC_TIMER_PERIODIC);
	apic_write(APIC_TMICT, 1);
	for (i = 0; i < 3; i++) {
		apic_guest.stage = APIC_STAGE_CLAMPED + i;
		asm volatile("hlt" ::: "memory");
	}
	apic_write(APIC_LVTT, APIC_LVT_MASKED);
	asm volatile("cli");
	GUEST_SYNC2(4, my_count(APIC_TEST_VEC_TIMER));

	/* Expired with interrupts off: in IRR, and STI; HLT takes it at once. */
	apic_write(APIC_LVTT, APIC_TEST_VEC_TIMER);
	apic_guest.stage_count = my_count(APIC_TEST_VEC_TIMER);
	apic_guest.stage = APIC_STAGE_PENDING;
	apic_write(APIC_TMICT, 1000);		/* 1 us */
	for (spin = 0; spin < 20000000 && !irr_has(APIC_TEST_VEC_TIMER); spin++)
		;
	n = irr_has(APIC_TEST_VEC_TIMER);
	apic_sti_hlt();
	GUEST_SYNC4(5, n, my_count(APIC_TEST_VEC_TIMER) - apic_guest.stage_count,
		    irr_has(APIC_TEST_VEC_TIMER));

	/*
	 * Run out by the time it is armed (a count of one 1 ns bus cycle, a
	 * deadline in the past): in IRR at the next instruction.
	 */
	asm volatile("cli");
	apic_guest.stage_count = my_count(APIC_TEST_VEC_TIMER);
	apic_guest.stage = APIC_STAGE_EXPIRED;
	apic_write(APIC_TMICT, 1);
	n = irr_has(APIC_TEST_VEC_TIMER);
	apic_sti_hlt();
	asm volatile("cli");
	apic_write(APIC_LVTT, APIC_TEST_VEC_TIMER | APIC_TIMER_DEADLINE);
	apic_guest.stage = APIC_STAGE_EXPIRED + 1;
	wrmsr(MSR_TSC_DEADLINE, 1);
	i = irr_has(APIC_TEST_VEC_TIMER);
	apic_sti_hlt();
	GUEST_SYNC4(6, n, i, my_count(APIC_TEST_VEC_TIMER) - apic_guest.stage_count);
	GUEST_DONE();
}

/* HLT with interrupts on and nothing to come: only a signal ends the run. */
void guest_code_hlt_forever(uint64_t arg)
{
	(void)arg;
	apic_enable(APIC_MODE_X2APIC);
	asm volatile("sti");
	for (;;)
		asm volatile("hlt" ::: "memory");
}

/* IPIs: vCPU 1 sleeps in HLT until vCPU 0's fixed IPI and NMI IPI arrive. */
void guest_code_ipi_receiver(uint64_t mode)
{
	apic_enable(mode);
	apic_guest.ready = 1;
	/* The IPI may come at any time: look and halt with interrupts off. */
	while (my_count(APIC_TEST_VEC_IPI) < 1)
		apic_sti_hlt();
	asm volatile("sti");
	while (!apic_guest.nmis)
		asm volatile("pause");
	GUEST_SYNC2(1, my_count(APIC_TEST_VEC_IPI));
	GUEST_DONE();
}

static void send_ipi(uint32_t dest, uint32_t lo)
{
	if (apic_x2) {
		apic_write(APIC_ICR, (uint64_t)dest << 32 | lo);
	} else {
		apic_write(APIC_ICR2, dest << 24);
		apic_write(APIC_ICR, lo);
	}
}

void guest_code_ipi_sender(uint64_t mode)
{
	volatile uint64_t spin;

	apic_enable(mode);
	while (!apic_guest.ready)
		asm volatile("pause");
	for (spin = 0; spin < 100000; spin++)
		;
	send_ipi(1, APIC_TEST_VEC_IPI);
	send_ipi(1, APIC_DM_NMI);
	/* Hostile: absent destinations, illegal vector, self-IPI storm. */
	send_ipi(7, APIC_TEST_VEC_IPI);
	send_ipi(0xfe, APIC_TEST_VEC_IPI);
	send_ipi(0, 5);
	apic_write(APIC_ESR, 0);
	GUEST_SYNC2(1, apic_read(APIC_ESR));
	for (spin = 0; spin < 1000; spin++) {
		if (apic_x2)
			apic_write(APIC_SELF_IPI, APIC_TEST_VEC);
		else
			send_ipi(0, APIC_TEST_VEC | (1u << 18));
	}
	asm volatile("sti; nop; nop; cli" ::: "memory");
	GUEST_SYNC2(2, my_count(APIC_TEST_VEC));
	/* Read-only registers: x2APIC #GPs, xAPIC drops the write. */
	apic_write(APIC_PPR, 0xff);
	apic_write(APIC_LVR, 0);
	GUEST_SYNC4(3, apic_guest.gp, apic_read(APIC_LVR), apic_read(APIC_PPR));
	GUEST_DONE();
}

/* INIT, SIPI, SIPI to every other APIC (SDM Vol. 3A 9.4.4.1). */
void guest_code_sipi(uint64_t storm)
{
	volatile uint64_t spin;
	uint64_t i;

	apic_enable(APIC_MODE_X2APIC);
	for (i = 0; i <= storm; i++)
		apic_write(APIC_ICR, APIC_SH_ALL_BUT_SELF | APIC_DM_INIT |
			   APIC_ICR_ASSERT);
	for (spin = 0; spin < 100000; spin++)
		;
	for (i = 0; i < 2; i++) {
		apic_write(APIC_ICR, APIC_SH_ALL_BUT_SELF | APIC_DM_STARTUP |
			   APIC_TEST_SIPI_VECTOR);
		for (spin = 0; spin < 10000; spin++)
			;
	}
	GUEST_DONE();
}

/*
 * A level-triggered MSI (sent at SYNC 1): its EOI, in the handler, ends the
 * run with KHV_EXIT_IOAPIC_EOI; an edge-triggered one's (SYNC 2) does not.
 */
void guest_code_level_eoi(uint64_t mode)
{
	apic_enable(mode);
	asm volatile("sti");
	GUEST_SYNC(1);
	GUEST_SYNC2(2, wait_count(APIC_TEST_VEC, 0));
	GUEST_SYNC2(3, wait_count(APIC_TEST_VEC, 1));
	GUEST_DONE();
}

/*
 * An illegal vector sent to itself is an APIC error: with the error LVT
 * unmasked its vector arrives (once), with it masked nothing does.
 */
void guest_code_error_lvt(uint64_t mode)
{
	uint64_t esr;

	apic_enable(mode);
	apic_write(APIC_LVTERR, APIC_TEST_VEC_IPI);
	send_ipi(apic_id(), 5);
	asm volatile("sti; nop; nop; cli" ::: "memory");
	apic_write(APIC_ESR, 0);
	esr = apic_read(APIC_ESR);
	GUEST_SYNC4(1, my_count(APIC_TEST_VEC_IPI), esr, 0);
	apic_write(APIC_LVTERR, APIC_LVT_MASKED | APIC_TEST_VEC_IPI);
	send_ipi(apic_id(), 5);
	asm volatile("sti; nop; nop; cli" ::: "memory");
	GUEST_SYNC2(2, my_count(APIC_TEST_VEC_IPI));
	GUEST_DONE();
}

/*
 * An AP that ran with debug registers of its own, then parks in HLT (as an
 * OS parks its APs) until an INIT.
 */
void guest_code_ap_dirty(uint64_t arg)
{
	(void)arg;
	apic_enable(APIC_MODE_X2APIC);
	asm volatile("mov %0, %%dr0\n\t"
		     "mov %1, %%dr7" : : "r" (0x1234ull), "r" (0x402ull));
	apic_guest.ready = 1;
	for (;;)
		asm volatile("sti; hlt" ::: "memory");
}

/* The BSP: INIT, SIPI, SIPI to APIC 1 once it is running. */
void guest_code_init_ap(uint64_t arg)
{
	volatile uint64_t spin;
	int i;

	(void)arg;
	apic_enable(APIC_MODE_X2APIC);
	for (spin = 0; spin < 50000000 && !apic_guest.ready; spin++)
		asm volatile("pause");
	GUEST_ASSERT_EQ(apic_guest.ready, 1);
	apic_write(APIC_ICR, 1ull << 32 | APIC_DM_INIT | APIC_ICR_ASSERT);
	for (spin = 0; spin < 100000; spin++)
		;
	for (i = 0; i < 2; i++) {
		apic_write(APIC_ICR, 1ull << 32 | APIC_DM_STARTUP |
			   APIC_TEST_SIPI_VECTOR);
		for (spin = 0; spin < 10000; spin++)
			;
	}
	GUEST_DONE();
}

/* The count of @vec in the APIC @id (another vCPU's too). */
static uint64_t count_of(uint32_t id, unsigned int vec)
{
	return apic_guest.count[id & 7][vec - APIC_TEST_VEC];
}

/* Spin until every APIC in the bit set @ids counts @vec, or give up. */
static void wait_all(uint32_t ids, unsigned int vec)
{
	volatile uint64_t spin;
	uint32_t i, got;

	for (spin = 0; spin < 20000000; spin++) {
		got = 0;
		for (i = 0; i < APIC_GROUP_VCPUS; i++)
			if (count_of(i, vec))
				got |= 1u << i;
		if ((got & ids) == ids)
			return;
	}
}

/* The xAPIC logical ID of vCPU @id in the group scenario @sc. */
static uint32_t group_xapic_lid(uint32_t sc, uint32_t id)
{
	/* Cluster model: vCPUs 0 and 2 in cluster 1 (bits 0, 1), 1 in 2 (bit 0). */
	static const uint8_t cluster[APIC_GROUP_VCPUS] = { 0x11, 0x21, 0x12 };

	return sc == APIC_GROUP_LOGICAL_CLUSTER ? cluster[id] : 1u << id;
}

/*
 * Logical destinations: one that matches vCPUs 0 (the sender) and 2, not 1;
 * then one that matches nobody.
 */
static void group_logical(uint32_t sc)
{
	volatile uint64_t spin;
	uint32_t hit, miss;

	if (apic_x2) {
		hit = 0x5;			/* cluster 0, x2APIC IDs 0 and 2 */
		miss = 1u << 16 | 0x7;		/* cluster 1: nobody */
	} else if (sc == APIC_GROUP_LOGICAL_CLUSTER) {
		hit = 0x13;			/* cluster 1, bits 0 and 1 */
		miss = 0x14;			/* cluster 1, bit 2: nobody */
	} else {
		hit = 0x5;
		miss = 0x8;
	}
	send_ipi(hit, APIC_DEST_LOGICAL | APIC_TEST_VEC_IPI);
	send_ipi(miss, APIC_DEST_LOGICAL | APIC_TEST_VEC);
	wait_all(0x5, APIC_TEST_VEC_IPI);
	for (spin = 0; spin < 200000; spin++)
		;
}

/* The lowest-priority interrupts vCPUs 1 and 2 took, all vectors. */
static uint64_t lowest_taken(void)
{
	uint64_t n = 0;
	uint32_t i, v;

	for (i = 1; i < APIC_GROUP_VCPUS; i++)
		for (v = 0; v < APIC_TEST_NVEC; v++)
			n += apic_guest.count[i][v];
	return n;
}

/*
 * Lowest priority to vCPUs 1 and 2 (logical 0x6 in every model here), one
 * at a time, so that none merges with one still in IRR: each reaches one
 * of them. Then the test sends its MSIs (SYNC 1).
 */
static void group_lowest(void)
{
	volatile uint64_t spin;
	uint32_t i, vec;

	for (i = 0; i < APIC_LOWEST_IPIS; i++) {
		/* Two vectors: ties go by vector, so both APICs get some. */
		vec = i & 1 ? APIC_TEST_VEC_TIMER : APIC_TEST_VEC;
		send_ipi(0x6, APIC_DEST_LOGICAL | APIC_DM_LOWEST | vec);
		for (spin = 0; spin < 20000000 && lowest_taken() <= i; spin++)
			;
	}
	for (spin = 0; spin < 200000; spin++)
		;
	GUEST_SYNC2(1, lowest_taken());
}

/* All including self, then all excluding self. */
static void group_shorthand(void)
{
	volatile uint64_t spin;

	send_ipi(0, APIC_SH_ALL | APIC_TEST_VEC_IPI);
	wait_all(0x7, APIC_TEST_VEC_IPI);
	send_ipi(0, APIC_SH_ALL_BUT_SELF | APIC_TEST_VEC);
	wait_all(0x6, APIC_TEST_VEC);
	for (spin = 0; spin < 200000; spin++)
		;
}

/*
 * The group tests: every vCPU sets its APIC up (xAPIC: DFR and LDR), then
 * counts what arrives with interrupts on; vCPU 0 sends once all are ready,
 * and tells the others to finish.
 */
void guest_code_group(uint64_t arg)
{
	uint32_t sc = arg >> 8, id;
	volatile uint64_t spin;

	apic_enable(arg & 0xff);
	id = apic_id();
	if (!apic_x2) {
		apic_write(APIC_DFR, sc == APIC_GROUP_LOGICAL_CLUSTER ?
			   APIC_DFR_CLUSTER : APIC_DFR_FLAT);
		apic_write(APIC_LDR, group_xapic_lid(sc, id) << 24);
	}
	apic_guest.ldr[id & 7] = apic_read(APIC_LDR);
	__atomic_fetch_add(&apic_guest.started, 1, __ATOMIC_SEQ_CST);
	asm volatile("sti");
	if (id) {
		while (!apic_guest.stop)
			asm volatile("pause");
		asm volatile("cli");
		GUEST_DONE();
	}
	for (spin = 0; spin < 50000000 &&
	     apic_guest.started < APIC_GROUP_VCPUS; spin++)
		asm volatile("pause");
	GUEST_ASSERT_EQ(apic_guest.started, APIC_GROUP_VCPUS);
	switch (sc) {
	case APIC_GROUP_LOGICAL:
	case APIC_GROUP_LOGICAL_CLUSTER:
		group_logical(sc);
		break;
	case APIC_GROUP_LOWEST:
		group_lowest();
		break;
	case APIC_GROUP_SHORTHAND:
		group_shorthand();
		break;
	}
	asm volatile("cli");
	apic_guest.stop = 1;
	GUEST_DONE();
}

/*
 * The BSP: INIT to APIC 1, then APIC_STORM_SIPIS start-up IPIs back to
 * back, the first with vector APIC_STORM_FIRST, the others with the next
 * APIC_STORM_OTHERS vectors in turn.
 */
void guest_code_sipi_storm(uint64_t mode)
{
	volatile uint64_t spin;
	uint32_t i, vec;

	apic_enable(mode);
	send_ipi(1, APIC_DM_INIT | APIC_ICR_ASSERT);
	for (spin = 0; spin < 100000; spin++)
		;
	for (i = 0; i < APIC_STORM_SIPIS; i++) {
		vec = i ? APIC_STORM_FIRST + 1 + i % APIC_STORM_OTHERS :
		      APIC_STORM_FIRST;
		send_ipi(1, APIC_DM_STARTUP | vec);
	}
	GUEST_DONE();
}

/*
 * Each run of this handler sends its vector to itself again before its EOI
 * and IRET: the next arrives right after the IRET, without end.
 */
__attribute__((interrupt))
void apic_handler_loop(struct guest_intr_frame *frame)
{
	(void)frame;
	apic_guest.count[apic_id() & 7][APIC_TEST_VEC_LOOP - APIC_TEST_VEC]++;
	if (apic_x2)
		apic_write(APIC_SELF_IPI, APIC_TEST_VEC_LOOP);
	else
		send_ipi(0, APIC_SH_SELF | APIC_TEST_VEC_LOOP);
	apic_write(APIC_EOI, 0);
}

/* A self-IPI livelock with interrupts on: only a signal ends the run. */
void guest_code_self_ipi_loop(uint64_t mode)
{
	apic_enable(mode);
	asm volatile("sti");
	if (apic_x2)
		apic_write(APIC_SELF_IPI, APIC_TEST_VEC_LOOP);
	else
		send_ipi(0, APIC_SH_SELF | APIC_TEST_VEC_LOOP);
	for (;;)
		asm volatile("pause");
}

/*
 * A one-shot timer armed with interrupts off (SYNC 1: the test saves the
 * vCPU and restores it into another VM), then STI; HLT for it: it fires
 * once (SYNC 2 after a while).
 */
void guest_code_timer_migrate(uint64_t mode)
{
	volatile uint64_t spin;
	uint64_t n;

	apic_enable(mode);
	apic_write(APIC_TDCR, 0xb);
	apic_write(APIC_LVTT, APIC_TEST_VEC_TIMER);
	apic_write(APIC_TMICT, APIC_MIGRATE_TMICT);
	GUEST_SYNC2(1, my_count(APIC_TEST_VEC_TIMER));
	while (!my_count(APIC_TEST_VEC_TIMER))
		apic_sti_hlt();
	n = my_count(APIC_TEST_VEC_TIMER);
	asm volatile("sti");
	for (spin = 0; spin < 2000000; spin++)
		;
	asm volatile("cli");
	GUEST_SYNC4(2, n, my_count(APIC_TEST_VEC_TIMER), apic_read(APIC_TMCCT));
	GUEST_DONE();
}
