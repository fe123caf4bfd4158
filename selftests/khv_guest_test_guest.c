// SPDX-License-Identifier: GPL-2.0-only
/*
 * khv_guest_test: the guest side. Everything here runs inside long-mode
 * guests, at the address it has in the test binary (lib/khv_vm.c copies the
 * binary into guest RAM). Built with GUEST_CFLAGS: general registers only, no
 * red zone (exceptions push on the same stack), no stack protector (no TLS in
 * the guest), no CET. No libc.
 */
#include <stdint.h>

#include "khv_guest.h"
#include "khv_guest_test.h"

/* Set by the test before the guest runs (sync_global_to_guest()). */
uint64_t guest_input;
/* Written by the guest, read by the test (sync_global_from_guest()). */
volatile uint64_t guest_output;

volatile uint64_t guest_gp_count;
volatile uint64_t guest_gp_error;
volatile uint64_t guest_gp_rip;

static uint64_t fib(uint64_t n)
{
	uint64_t a = 0, b = 1, t;

	while (n--) {
		t = a + b;
		a = b;
		b = t;
	}
	return a;
}

/* C runs with paging on: calls, a loop, globals both ways, the stack. */
void guest_code_sync_values(uint64_t arg)
{
	volatile uint64_t on_stack[8];
	uint64_t i;

	GUEST_SYNC(arg);
	for (i = 0; i < 8; i++)
		on_stack[i] = fib(i + 10);
	for (i = 0; i < 8; i++)
		GUEST_SYNC2(i, on_stack[i]);
	GUEST_ASSERT_EQ(guest_input, GUEST_TEST_MAGIC);
	guest_output = guest_input ^ arg;
	GUEST_DONE();
}

static inline void guest_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	asm volatile("cpuid"
		     : "=a" (r[0]), "=b" (r[1]), "=c" (r[2]), "=d" (r[3])
		     : "a" (leaf), "c" (sub));
}

/* Each leaf goes to the test, which compares with the host's. */
void guest_code_cpuid(uint64_t arg)
{
	static const uint32_t leaves[] = { 0, 1, 0x80000000, 0x80000001, 0x40000000 };
	uint32_t r[4];
	unsigned int i;

	(void)arg;
	for (i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
		guest_cpuid(leaves[i], 0, r);
		GUEST_SYNC4(r[0], r[1], r[2], r[3]);
	}
	/* And the guest's own view of the bits that matter. */
	guest_cpuid(1, 0, r);
	GUEST_ASSERT(!(r[2] & (1u << 5)));	/* no VMX */
	GUEST_ASSERT(r[2] & (1u << 31));	/* hypervisor present */
	guest_cpuid(0x80000001, 0, r);
	GUEST_ASSERT(!(r[2] & (1u << 2)));	/* no SVM */
	GUEST_DONE();
}

/*
 * Three leaves that depend on nothing the guest changes, twice: the VMM
 * replaces the vCPU's CPUID table between the two passes.
 */
void guest_code_cpuid_twice(uint64_t arg)
{
	static const struct { uint32_t leaf, sub; } q[] = {
		{ 0x80000008, 0 }, { 4, 1 }, { 6, 0 },
	};
	uint32_t r[4];
	unsigned int pass, i;

	(void)arg;
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
			guest_cpuid(q[i].leaf, q[i].sub, r);
			GUEST_SYNC4(r[0], r[1], r[2], r[3]);
		}
	}
	GUEST_DONE();
}

/* The leaves that hold APIC IDs or features khv hides: one SYNC each. */
void guest_code_cpuid_ids(uint64_t arg)
{
	static const uint32_t leaves[] = { 1, 7, 0xb, 0x12, 0x8000001e };
	uint32_t r[4];
	unsigned int i;

	(void)arg;
	for (i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
		guest_cpuid(leaves[i], 0, r);
		GUEST_SYNC4(r[0], r[1], r[2], r[3]);
	}
	GUEST_DONE();
}

/* #GP: count it, keep its error code and RIP, step over the 2-byte RDMSR/WRMSR. */
__attribute__((interrupt))
void guest_gp_handler(struct guest_intr_frame *frame, uint64_t error_code)
{
	guest_gp_count = guest_gp_count + 1;
	guest_gp_error = error_code;
	guest_gp_rip = frame->rip;
	frame->rip += 2;
}

extern const char guest_rdmsr_insn[], guest_wrmsr_insn[];

void guest_code_msr(uint64_t msr)
{
	uint32_t lo = 0x1234, hi = 0x5678;

	guest_gp_count = 0;
	asm volatile(".globl guest_rdmsr_insn\n"
		     "guest_rdmsr_insn: rdmsr"
		     : "+a" (lo), "+d" (hi) : "c" ((uint32_t)msr) : "memory");
	GUEST_ASSERT_EQ(guest_gp_count, 1);
	GUEST_ASSERT_EQ(guest_gp_rip, (uint64_t)(uintptr_t)guest_rdmsr_insn);
	/* The faulting RDMSR wrote nothing. */
	GUEST_ASSERT_EQ(lo, 0x1234);
	GUEST_ASSERT_EQ(hi, 0x5678);
	GUEST_SYNC2(guest_gp_count, guest_gp_error);

	asm volatile(".globl guest_wrmsr_insn\n"
		     "guest_wrmsr_insn: wrmsr"
		     : : "a" (lo), "d" (hi), "c" ((uint32_t)msr) : "memory");
	GUEST_ASSERT_EQ(guest_gp_count, 2);
	GUEST_ASSERT_EQ(guest_gp_rip, (uint64_t)(uintptr_t)guest_wrmsr_insn);
	GUEST_SYNC2(guest_gp_count, guest_gp_error);
	GUEST_DONE();
}

static inline uint64_t guest_rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a" (lo), "=d" (hi) : "c" (msr) : "memory");
	return (uint64_t)hi << 32 | lo;
}

static inline void guest_wrmsr(uint32_t msr, uint64_t v)
{
	asm volatile("wrmsr" : : "a" ((uint32_t)v), "d" ((uint32_t)(v >> 32)), "c" (msr)
		     : "memory");
}

/*
 * Allowed MSRs: LSTAR written here is read back, KERNEL_GS_BASE set by the
 * test is seen here, and a non-canonical LSTAR is refused with #GP(0).
 */
void guest_code_msr_allowed(uint64_t arg)
{
	(void)arg;
	guest_gp_count = 0;
	guest_wrmsr(MSR_LSTAR, GUEST_LSTAR_VALUE);
	GUEST_ASSERT_EQ(guest_gp_count, 0);
	GUEST_SYNC(guest_rdmsr(MSR_LSTAR));
	GUEST_SYNC(guest_rdmsr(MSR_KERNEL_GS_BASE));
	guest_wrmsr(MSR_LSTAR, 0x0000800000000000ull);
	GUEST_ASSERT_EQ(guest_gp_count, 1);
	GUEST_ASSERT_EQ(guest_gp_error, 0);
	GUEST_ASSERT_EQ(guest_rdmsr(MSR_LSTAR), GUEST_LSTAR_VALUE);
	GUEST_DONE();
}

/*
 * The MTRRs and NB_CFG as a Linux guest uses them: MTRRcap read, the
 * default type written and read back, a reserved type and a write of
 * MTRRcap refused with #GP(0); NB_CFG reads 0 and takes a write; SYSCFG
 * reads 0 and refuses one.
 */
void guest_code_mtrr(uint64_t arg)
{
	(void)arg;
	guest_gp_count = 0;
	GUEST_SYNC(guest_rdmsr(0xfe));			/* MTRRcap */
	guest_wrmsr(0x2ff, GUEST_MTRR_DEF_TYPE);	/* MTRRdefType */
	GUEST_ASSERT_EQ(guest_gp_count, 0);
	GUEST_SYNC(guest_rdmsr(0x2ff));
	guest_wrmsr(0x200, 0x100000002ull);		/* PHYSBASE0: type 2 */
	GUEST_ASSERT_EQ(guest_gp_count, 1);
	guest_wrmsr(0xfe, 0x508);
	GUEST_ASSERT_EQ(guest_gp_count, 2);
	GUEST_ASSERT_EQ(guest_gp_error, 0);
	guest_wrmsr(0xc001001f, 1ull << 46);		/* NB_CFG: EnableCf8ExtCfg */
	GUEST_ASSERT_EQ(guest_gp_count, 2);
	GUEST_ASSERT_EQ(guest_rdmsr(0xc0010010), 0);	/* SYSCFG */
	guest_wrmsr(0xc0010010, 1ull << 18);		/* read-only: #GP */
	GUEST_ASSERT_EQ(guest_gp_count, 3);
	GUEST_SYNC2(guest_rdmsr(0xc001001f), guest_gp_count);
	GUEST_DONE();
}

/* MMIO through page tables: sizes 1, 2, 4 and 8, write then read. */
void guest_code_mmio(uint64_t base)
{
	volatile uint8_t *p8 = (volatile uint8_t *)(uintptr_t)base;
	volatile uint16_t *p16 = (volatile uint16_t *)(uintptr_t)(base + 0x10);
	volatile uint32_t *p32 = (volatile uint32_t *)(uintptr_t)(base + 0x20);
	volatile uint64_t *p64 = (volatile uint64_t *)(uintptr_t)(base + 0x30);

	*p8 = 0x11;
	*p16 = 0x2222;
	*p32 = 0x33333333;
	*p64 = 0x4444444444444444ull;
	GUEST_ASSERT_EQ(*p8, 0xa1);
	GUEST_ASSERT_EQ(*p16, 0xa2a2);
	GUEST_ASSERT_EQ(*p32, 0xa3a3a3a3);
	GUEST_ASSERT_EQ(*p64, 0xa4a4a4a4a4a4a4a4ull);
	GUEST_DONE();
}

/* One of several vCPUs or VMs: GUEST_LOOP_ROUNDS syncs of (id, round), then done. */
void guest_code_loop(uint64_t id)
{
	uint64_t i;

	for (i = 0; i < GUEST_LOOP_ROUNDS; i++)
		GUEST_SYNC2(id, i);
	GUEST_DONE();
}

volatile struct guest_spin guest_spin;

/*
 * Spin on the first word of the range at @gpa, never leaving the guest while
 * it is RAM. Until it is RAM: write GUEST_SPIN_TAG and read it back (both exit
 * as MMIO, the test answers GUEST_SPIN_MMIO; a zero is a region that appeared
 * between the two, fresh and zeroed). Once the tag stays, only read: it must
 * stay the tag while the range is RAM, or read as MMIO once it is not. Any
 * other value is the host's: the page was freed (and wiped, with
 * init_on_free=1) while this vCPU could still reach it.
 */
void guest_code_spin_on_range(uint64_t gpa)
{
	volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)gpa;
	uint64_t v;

	while (!guest_spin.stop && !guest_spin.seen) {
		*p = GUEST_SPIN_TAG;
		v = *p;
		if (v == GUEST_SPIN_TAG)
			guest_spin.seen = 1;
		else if (v != GUEST_SPIN_MMIO && v != 0)
			GUEST_ASSERT_EQ(v, GUEST_SPIN_MMIO);
	}
	while (!guest_spin.stop) {
		v = *p;
		if (v == GUEST_SPIN_MMIO) {
			guest_spin.left = 1;
			continue;
		}
		/* RAM again after MMIO: a region of a later attempt, not ours. */
		GUEST_ASSERT(!guest_spin.left);
		GUEST_ASSERT_EQ(v, GUEST_SPIN_TAG);
		guest_spin.reads = guest_spin.reads + 1;
	}
	GUEST_DONE();
}

/* ---- host state a guest must not reach (issue 11) ----------------------- */

volatile uint64_t guest_ud_count;
/* Bytes the #GP and #UD handlers below step over: the faulting instruction's. */
volatile uint64_t guest_skip_len;

__attribute__((interrupt))
void guest_gp_skip_handler(struct guest_intr_frame *frame, uint64_t error_code)
{
	guest_gp_count = guest_gp_count + 1;
	guest_gp_error = error_code;
	frame->rip += guest_skip_len;
}

__attribute__((interrupt))
void guest_ud_skip_handler(struct guest_intr_frame *frame)
{
	guest_ud_count = guest_ud_count + 1;
	frame->rip += guest_skip_len;
}

/* RDPMC: no counters for guests, #GP(0) as for one that does not exist. */
void guest_code_rdpmc(uint64_t arg)
{
	uint32_t lo = 0x1234, hi = 0x5678;

	(void)arg;
	guest_gp_count = 0;
	guest_ud_count = 0;
	guest_skip_len = 2;
	asm volatile("rdpmc" : "+a" (lo), "+d" (hi) : "c" (0u) : "memory");
	GUEST_ASSERT_EQ(guest_ud_count, 0);
	GUEST_ASSERT_EQ(guest_gp_count, 1);
	GUEST_ASSERT_EQ(guest_gp_error, 0);
	GUEST_ASSERT_EQ(lo, 0x1234);
	GUEST_ASSERT_EQ(hi, 0x5678);
	GUEST_DONE();
}

static inline uint64_t guest_read_cr4(void)
{
	uint64_t v;

	asm volatile("mov %%cr4, %0" : "=r" (v));
	return v;
}

/* mov %rax, %cr4: 3 bytes. */
static inline void guest_write_cr4_rax(uint64_t v)
{
	guest_skip_len = 3;
	asm volatile("mov %%rax, %%cr4" : : "a" (v) : "memory");
}

/* mov %r9, %cr4: 4 bytes (REX.B). */
static inline void guest_write_cr4_r9(uint64_t v)
{
	register uint64_t r9 asm("r9") = v;

	guest_skip_len = 4;
	asm volatile("mov %%r9, %%cr4" : : "r" (r9) : "memory");
}

/*
 * MOV to CR4: bits a guest may have work from any register; PKE and OSXSAVE
 * are refused with #GP(0) where the host lacks them and leave CR4 as it
 * was. Reports the #GPs so far and CR4 after each.
 */
void guest_code_cr4(uint64_t arg)
{
	uint64_t cr4 = guest_read_cr4();

	(void)arg;
	guest_gp_count = 0;
	guest_write_cr4_rax(cr4 | X86_CR4_PGE);
	GUEST_ASSERT_EQ(guest_gp_count, 0);
	GUEST_ASSERT_EQ(guest_read_cr4(), cr4 | X86_CR4_PGE);
	guest_write_cr4_r9(cr4);
	GUEST_ASSERT_EQ(guest_gp_count, 0);
	GUEST_ASSERT_EQ(guest_read_cr4(), cr4);

	guest_write_cr4_rax(cr4 | X86_CR4_PKE);
	GUEST_SYNC2(guest_gp_count, guest_read_cr4());
	guest_write_cr4_r9(cr4 | X86_CR4_OSXSAVE);
	GUEST_SYNC2(guest_gp_count, guest_read_cr4());
	GUEST_ASSERT_EQ(guest_gp_error, 0);
	guest_write_cr4_rax(cr4);
	GUEST_DONE();
}

/*
 * WRPKRU of @value: only with CR4.PKE, which the guest tries to set first.
 * Reports the #GPs of that try and the #UDs of WRPKRU, then (after that
 * exit) what RDPKRU reads; the test looks at its own PKRU afterwards.
 */
void guest_code_pkru(uint64_t value)
{
	uint64_t cr4 = guest_read_cr4();
	uint32_t pkru = 0, edx;

	guest_gp_count = 0;
	guest_ud_count = 0;
	guest_write_cr4_rax(cr4 | X86_CR4_PKE);
	guest_skip_len = 3;
	asm volatile(".byte 0x0f, 0x01, 0xef"	/* wrpkru */
		     : : "a" ((uint32_t)value), "c" (0u), "d" (0u) : "memory");
	GUEST_SYNC2(guest_gp_count, guest_ud_count);
	guest_skip_len = 3;
	asm volatile(".byte 0x0f, 0x01, 0xee"	/* rdpkru */
		     : "=a" (pkru), "=d" (edx) : "c" (0u));
	GUEST_SYNC(pkru);
	GUEST_DONE();
}

/* The OR of the upper halves of YMM0-15 (bits 255:128). */
static uint64_t guest_ymm_high_or(void)
{
	uint64_t buf[16 * 4] __attribute__((aligned(32)));
	uint64_t v = 0;
	int i;

	guest_ymm_store(buf);
	for (i = 0; i < 16; i++)
		v |= buf[i * 4 + 2] | buf[i * 4 + 3];
	return v;
}

/*
 * Can the guest see YMM upper halves that another task (or the VMM thread
 * itself) left in the registers? It needs CR4.OSXSAVE and AVX in XCR0 to
 * look at all (it sets XCR0 to x87|SSE|AVX); then it looks @rounds times,
 * spinning in between so that the host can switch tasks under it.
 */
void guest_code_ymm(uint64_t rounds)
{
	uint64_t cr4 = guest_read_cr4(), v;
	uint32_t lo, hi, r[4];
	uint64_t i;
	volatile uint64_t spin;

	guest_gp_count = 0;
	guest_write_cr4_rax(cr4 | X86_CR4_OSXSAVE);
	if (guest_gp_count) {
		GUEST_SYNC2(YMM_OSXSAVE_REFUSED, 0);
		GUEST_DONE();
	}
	guest_cpuid(0xd, 0, r);
	if ((r[0] & 7) == 7)
		asm volatile("xsetbv" : : "a" (7u), "d" (0u), "c" (0u));
	asm volatile("xgetbv" : "=a" (lo), "=d" (hi) : "c" (0u));
	if ((lo & 6) != 6) {
		GUEST_SYNC2(YMM_NO_AVX, lo);
		GUEST_DONE();
	}
	for (i = 0; i < rounds; i++) {
		v = guest_ymm_high_or();
		if (v) {
			GUEST_SYNC2(YMM_SEEN, v);
			GUEST_DONE();
		}
		for (spin = 0; spin < 100000; spin++)
			;
	}
	GUEST_SYNC2(YMM_CLEAN, 0);
	GUEST_DONE();
}

static inline uint32_t guest_rdtscp_aux(void)
{
	uint32_t lo, hi, aux;

	asm volatile("rdtscp" : "=a" (lo), "=d" (hi), "=c" (aux));
	(void)lo;
	(void)hi;
	return aux;
}

/*
 * TSC_AUX: RDTSCP and RDPID see the guest's value (set by the test, then by
 * the guest's own WRMSR); bits 63:32 are reserved (#GP).
 */
void guest_code_tsc_aux(uint64_t arg)
{
	uint32_t r[4];
	uint64_t pid = 0;

	(void)arg;
	GUEST_SYNC(guest_rdtscp_aux());
	asm volatile("cpuid" : "=a" (r[0]), "=b" (r[1]), "=c" (r[2]), "=d" (r[3])
		     : "a" (7u), "c" (0u));
	if (r[2] & (1u << 22)) {
		guest_ud_count = 0;
		guest_skip_len = 4;
		asm volatile(".byte 0xf3, 0x0f, 0xc7, 0xf8"	/* rdpid %rax */
			     : "+a" (pid) : : "memory");
		GUEST_SYNC2(guest_ud_count ? RDPID_UD : RDPID_RAN, pid);
	} else {
		GUEST_SYNC2(RDPID_ABSENT, 0);
	}
	guest_gp_count = 0;
	guest_skip_len = 2;	/* WRMSR */
	guest_wrmsr(MSR_TSC_AUX, GUEST_TSC_AUX_VALUE2);
	GUEST_ASSERT_EQ(guest_gp_count, 0);
	GUEST_SYNC2(guest_rdtscp_aux(), guest_rdmsr(MSR_TSC_AUX));
	guest_wrmsr(MSR_TSC_AUX, 1ull << 32);
	GUEST_ASSERT_EQ(guest_gp_count, 1);
	GUEST_ASSERT_EQ(guest_rdtscp_aux(), GUEST_TSC_AUX_VALUE2);
	GUEST_DONE();
}

volatile uint64_t guest_db_count;
volatile uint64_t guest_db_rip;

/* #DB: where it returns to; clear TF so that single-stepping stops. */
__attribute__((interrupt))
void guest_db_handler(struct guest_intr_frame *frame)
{
	guest_db_count = guest_db_count + 1;
	guest_db_rip = frame->rip;
	frame->rflags &= ~(1ull << 8);
}

/*
 * A single-step #DB (a trap: the instruction is done, running it again
 * does not raise it again) delivered onto a stack at @stack_top, which is
 * no RAM until the test maps some there. The test sees the delivery fail,
 * maps RAM, and the same #DB must then arrive, returning to guest_db_resume.
 */
void guest_code_db_on_stack(uint64_t stack_top)
{
	guest_db_count = 0;
	asm volatile("mov %%rsp, %%r12\n\t"
		     "pushfq\n\t"
		     "orq $0x100, (%%rsp)\n\t"
		     "popfq\n\t"
		     "mov %0, %%rsp\n\t"	/* single-stepped: #DB after it */
		     ".globl guest_db_resume\n"
		     "guest_db_resume:\n\t"
		     "mov %%r12, %%rsp"
		     : : "r" (stack_top) : "r12", "memory");
	GUEST_SYNC2(guest_db_count, guest_db_rip);
	GUEST_DONE();
}

/*
 * Instructions khv does not offer, or offers as no-ops: WBINVD and INVD
 * run on (nothing to write back), MONITOR, MWAIT and XSETBV raise #UD.
 * SYNC: the #UD count.
 */
void guest_code_unoffered(uint64_t arg)
{
	(void)arg;
	guest_ud_count = 0;
	asm volatile("wbinvd" ::: "memory");
	asm volatile("invd" ::: "memory");
	guest_skip_len = 3;
	asm volatile("monitor" : : "a" (0ul), "c" (0u), "d" (0u) : "memory");
	asm volatile("mwait" : : "a" (0u), "c" (0u) : "memory");
	asm volatile("xsetbv" : : "a" (1u), "d" (0u), "c" (0u) : "memory");
	GUEST_SYNC(guest_ud_count);
	GUEST_DONE();
}

/*
 * INT1 (ICEBP, 0xf1): the #DB trap it raises, just after it. A processor
 * that does not know the opcode raises #UD instead (one byte skipped).
 * SYNC: #UD count, #DB count, where the #DB returned to.
 */
void guest_code_icebp(uint64_t arg)
{
	(void)arg;
	guest_ud_count = 0;
	guest_db_count = 0;
	guest_skip_len = 1;
	asm volatile(".byte 0xf1\n\t"
		     ".globl guest_icebp_next\n"
		     "guest_icebp_next:" ::: "memory");
	GUEST_SYNC4(guest_ud_count, guest_db_count, guest_db_rip, 0);
	GUEST_DONE();
}

volatile uint32_t guest_dr_watched;
volatile uint64_t guest_db_dr6;

/* #DB: note DR6 as the handler reads it, and clear its causes. */
__attribute__((interrupt))
void guest_db_dr6_handler(struct guest_intr_frame *frame)
{
	(void)frame;
	guest_db_count = guest_db_count + 1;
	guest_db_dr6 = GUEST_GET_DR(6);
	GUEST_SET_DR(6, 0xffff0ff0ull);
}

/*
 * The debug registers are the guest's own (every MOV DR exits and khv
 * keeps them): DR0-3 start at 0 and read back what the guest wrote, DR6
 * and DR7 start at their RESET values, and a 1 in DR7's high half is #GP.
 * SYNCs: DR0-3 at start; DR6 and DR7 at start; DR0-3 after writing;
 * #GP count and DR7 at the end.
 */
void guest_code_debugregs(uint64_t arg)
{
	(void)arg;
	GUEST_SYNC4(GUEST_GET_DR(0), GUEST_GET_DR(1), GUEST_GET_DR(2),
		    GUEST_GET_DR(3));
	GUEST_SYNC2(GUEST_GET_DR(6), GUEST_GET_DR(7));
	GUEST_SET_DR(0, 0x1000);
	GUEST_SET_DR(1, 0xffffffff81000000ull);
	GUEST_SET_DR(2, 0x2222);
	GUEST_SET_DR(3, 0x3333);
	GUEST_SYNC4(GUEST_GET_DR(0), GUEST_GET_DR(1), GUEST_GET_DR(2),
		    GUEST_GET_DR(3));
	guest_gp_count = 0;
	guest_skip_len = 3;	/* mov %rax, %dr7 */
	asm volatile("mov %0, %%dr7" : : "a" (1ull << 32) : "memory");
	GUEST_SYNC2(guest_gp_count, GUEST_GET_DR(7));
	GUEST_DONE();
}

/*
 * The guest's own data breakpoint (DR0 on a variable, L0, a 4-byte write)
 * raises #DB in the guest with B0 in DR6; disabled, it stays quiet.
 * SYNC: #DB count, DR6 in the #DB handler.
 */
void guest_code_data_breakpoint(uint64_t arg)
{
	(void)arg;
	guest_db_count = 0;
	guest_db_dr6 = 0;
	GUEST_SET_DR(0, (uint64_t)(uintptr_t)&guest_dr_watched);
	GUEST_SET_DR(7, 0x400 | 1 | (1 << 16) | (3 << 18));
	guest_dr_watched = 1;
	GUEST_SET_DR(7, 0x400);
	guest_dr_watched = 2;
	GUEST_SYNC2(guest_db_count, guest_db_dr6);
	GUEST_DONE();
}

/*
 * A #DB the test queues with KHV_SET_VCPU_EVENTS at SYNC 1, its causes in
 * the payload, while DR7.GD is set: its delivery clears GD, so the #DB
 * handler's MOV DR runs. SYNC: #DB count, DR6 in the handler, DR7 after.
 */
void guest_code_pending_db(uint64_t arg)
{
	(void)arg;
	guest_db_count = 0;
	guest_db_dr6 = 0;
	GUEST_SET_DR(7, 0x400 | (1 << 13));
	GUEST_SYNC(1);
	GUEST_SYNC4(guest_db_count, guest_db_dr6, GUEST_GET_DR(7), 0);
	GUEST_DONE();
}

/* ---- event injection (issue 14) ------------------------------------------ */

volatile struct guest_events guest_events;

static inline void guest_irq_record(uint64_t vector, struct guest_intr_frame *frame)
{
	guest_events.irq_count = guest_events.irq_count + 1;
	guest_events.irq_vector = vector;
	guest_events.irq_rip = frame->rip;
}

/* One handler per vector: which one ran says which vector arrived. */
__attribute__((interrupt))
void guest_irq_handler_a(struct guest_intr_frame *frame)
{
	guest_irq_record(GUEST_IRQ_A, frame);
}

__attribute__((interrupt))
void guest_irq_handler_b(struct guest_intr_frame *frame)
{
	guest_irq_record(GUEST_IRQ_B, frame);
}

__attribute__((interrupt))
void guest_irq_handler_c(struct guest_intr_frame *frame)
{
	guest_irq_record(GUEST_IRQ_C, frame);
}

/*
 * An NMI: where it interrupted. The first one reports from inside the
 * handler twice (the test raises another NMI in between, which must wait
 * for this handler's IRET); later ones only count.
 */
__attribute__((interrupt))
void guest_nmi_handler(struct guest_intr_frame *frame)
{
	uint64_t n = guest_events.nmi_count + 1;

	guest_events.nmi_count = n;
	if (n <= 2)
		guest_events.nmi_rip[n - 1] = frame->rip;
	if (n == 1) {
		GUEST_SYNC2(10, guest_events.nmi_count);
		GUEST_SYNC2(11, guest_events.nmi_count);
	}
}

/* A #PF the test queued: what it carried; the instruction runs again. */
__attribute__((interrupt))
void guest_pf_handler(struct guest_intr_frame *frame, uint64_t error_code)
{
	uint64_t cr2;

	asm volatile("mov %%cr2, %0" : "=r" (cr2));
	guest_events.pf_count = guest_events.pf_count + 1;
	guest_events.pf_error = error_code;
	guest_events.pf_cr2 = cr2;
	guest_events.pf_rip = frame->rip;
}

/*
 * The event tests put a NOP before each STI they time: Debian's QEMU 7.2
 * lets the host's own STI shadow (its STI right before VMRUN) cover the
 * guest's first instruction, and an STI that starts in a shadow sets none
 * of its own; a processor's VMRUN loads the guest's shadow from the VMCB.
 * The rig's QEMU is patched (scripts/rig/qemu/svm-vmrun-int-shadow.patch);
 * the NOPs keep these tests about one thing each on an unpatched one, and
 * sti_at_entry_sets_its_own_shadow is the test of that case.
 */
static void guest_events_clear(void)
{
	guest_events.irq_count = 0;
	guest_events.irq_vector = 0;
	guest_events.irq_rip = 0;
	guest_events.nmi_count = 0;
	guest_events.pf_count = 0;
}

/*
 * With RFLAGS.IF = 0 (the start state) an interrupt queued at SYNC 1 does
 * not arrive, however long the guest runs; after STI it arrives after the
 * one instruction STI's shadow covers, at guest_sti_next.
 */
void guest_code_irq_if(uint64_t arg)
{
	volatile uint64_t spin;

	(void)arg;
	guest_events_clear();
	GUEST_SYNC(1);
	for (spin = 0; spin < 1000000; spin++)
		;
	GUEST_SYNC2(2, guest_events.irq_count);
	asm volatile("nop\n\t"
		     "sti\n\t"
		     "mov $1, %%eax\n\t"
		     ".globl guest_sti_next\n"
		     "guest_sti_next:\n\t"
		     "nop\n\t"
		     "cli" ::: "rax", "memory");
	GUEST_SYNC4(3, guest_events.irq_count, guest_events.irq_vector,
		    guest_events.irq_rip);
	GUEST_DONE();
}

/*
 * Stops at SYNC 1 with interrupts off, before an STI, the MOV its shadow
 * covers, and guest_shadow_next. The tests move RIP to the STI or, with
 * RFLAGS.IF and an STI shadow set through KHV_SET_VCPU_EVENTS, to the MOV,
 * and queue an interrupt: either way it arrives at guest_shadow_next.
 */
void guest_code_irq_loaded_shadow(uint64_t arg)
{
	(void)arg;
	guest_events_clear();
	GUEST_SYNC(1);
	asm volatile(".globl guest_entry_sti\n"
		     "guest_entry_sti:\n\t"
		     "sti\n\t"
		     ".globl guest_shadow_insn\n"
		     "guest_shadow_insn:\n\t"
		     "mov $1, %%eax\n\t"
		     ".globl guest_shadow_next\n"
		     "guest_shadow_next:\n\t"
		     "nop\n\t"
		     "cli" ::: "rax", "memory");
	GUEST_SYNC4(2, guest_events.irq_count, guest_events.irq_vector,
		    guest_events.irq_rip);
	GUEST_DONE();
}

/*
 * With RFLAGS.IF = 1, a load from @mmio in the shadow of MOV SS: the run
 * ends at that load (KHV_EXIT_MMIO); an interrupt queued then arrives
 * after the load, at guest_mov_ss_next.
 */
void guest_code_irq_mov_ss(uint64_t mmio)
{
	uint32_t v;

	guest_events_clear();
	GUEST_SYNC(1);
	asm volatile("sti\n\t"
		     "nop\n\t"
		     "mov %%ss, %%eax\n\t"
		     "mov %%eax, %%ss\n\t"
		     "mov (%1), %0\n\t"
		     ".globl guest_mov_ss_next\n"
		     "guest_mov_ss_next:\n\t"
		     "nop\n\t"
		     "cli"
		     : "=r" (v) : "r" (mmio) : "rax", "memory");
	GUEST_SYNC4(2, guest_events.irq_count, guest_events.irq_vector,
		    guest_events.irq_rip);
	GUEST_SYNC2(3, v);
	GUEST_DONE();
}

/*
 * request_interrupt_window with nothing queued: SYNC 1 and 2 with IF = 0,
 * then STI: the run ends with KHV_EXIT_IRQ_WINDOW_OPEN at guest_window_open,
 * where the interrupt the test then queues arrives.
 */
void guest_code_irq_window(uint64_t arg)
{
	(void)arg;
	guest_events_clear();
	GUEST_SYNC(1);
	GUEST_SYNC(2);
	asm volatile("nop\n\t"
		     "sti\n\t"
		     "mov $1, %%eax\n\t"
		     ".globl guest_window_open\n"
		     "guest_window_open:\n\t"
		     "nop\n\t"
		     "cli" ::: "rax", "memory");
	GUEST_SYNC4(3, guest_events.irq_count, guest_events.irq_vector,
		    guest_events.irq_rip);
	GUEST_DONE();
}

/*
 * MOV to and from CR8 with IF = 0 while the test keeps an interrupt window
 * requested (SVM: V_IRQ set, CR8 writes not intercepted): each of @rounds
 * rounds writes TPR 0..15 and reads it back. SYNC 2 reports how many reads
 * matched; then STI opens the window.
 */
void guest_code_cr8_window(uint64_t rounds)
{
	uint64_t i, tpr, v, good = 0;

	guest_events_clear();
	GUEST_SYNC(1);
	for (i = 0; i < rounds; i++) {
		for (tpr = 0; tpr < 16; tpr++) {
			asm volatile("mov %0, %%cr8" :: "r" (tpr) : "memory");
			asm volatile("mov %%cr8, %0" : "=r" (v));
			good += v == tpr;
		}
	}
	asm volatile("mov %0, %%cr8" :: "r" (0ULL) : "memory");
	GUEST_SYNC2(2, good);
	asm volatile("sti\n\tnop\n\tcli" ::: "memory");
	GUEST_DONE();
}

/*
 * STI; HLT with an interrupt queued: HLT runs in STI's shadow (the test
 * sees it exit), and the interrupt arrives after it, at guest_hlt_next.
 */
void guest_code_sti_hlt(uint64_t arg)
{
	(void)arg;
	guest_events_clear();
	GUEST_SYNC(1);
	asm volatile("nop\n\t"
		     "sti\n\t"
		     "hlt\n\t"
		     ".globl guest_hlt_next\n"
		     "guest_hlt_next:\n\t"
		     "cli" ::: "memory");
	GUEST_SYNC4(2, guest_events.irq_count, guest_events.irq_vector,
		    guest_events.irq_rip);
	GUEST_DONE();
}

/* NMIs (guest_nmi_handler()): the test raises one at SYNC 1. */
void guest_code_nmi(uint64_t arg)
{
	(void)arg;
	guest_events_clear();
	GUEST_SYNC(1);
	GUEST_SYNC4(2, guest_events.nmi_count, guest_events.nmi_rip[0],
		    guest_events.nmi_rip[1]);
	GUEST_DONE();
}

/* A #PF the test queues with KHV_SET_VCPU_EVENTS at SYNC 1. */
void guest_code_pending_pf(uint64_t arg)
{
	(void)arg;
	guest_events_clear();
	GUEST_SYNC(1);
	GUEST_SYNC4(guest_events.pf_count, guest_events.pf_error,
		    guest_events.pf_cr2, guest_events.pf_rip);
	GUEST_DONE();
}

/*
 * An interrupt (queued before the guest runs) delivered onto a stack at
 * @stack_top, which is no RAM until the test maps some there: its delivery
 * exits, and once there is RAM the same interrupt arrives, once, at
 * guest_irq_stack_resume.
 */
void guest_code_irq_on_stack(uint64_t stack_top)
{
	guest_events_clear();
	asm volatile("mov %%rsp, %%r12\n\t"
		     "mov %0, %%rsp\n\t"
		     "sti\n\t"
		     "nop\n\t"
		     ".globl guest_irq_stack_resume\n"
		     "guest_irq_stack_resume:\n\t"
		     "cli\n\t"
		     "mov %%r12, %%rsp" : : "r" (stack_top) : "r12", "memory");
	GUEST_SYNC4(guest_events.irq_count, guest_events.irq_vector,
		    guest_events.irq_rip, 0);
	GUEST_DONE();
}
