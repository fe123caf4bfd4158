// SPDX-License-Identifier: GPL-2.0-only
/*
 * khv_xsave_test: the guest's extended state is its own (issue 14,
 * Documentation/khv-abi.rst "Extended state"): its AVX (and AVX-512) registers
 * survive exits and moves between CPUs, never reach the VMM thread or another
 * VM's guest, and none of theirs reach it; XSETBV is checked as the SDM says;
 * KHV_GET/SET_XSAVE and KHV_GET/SET_XCRS round trip and refuse what XRSTOR
 * and XSETBV would refuse; the hypervisor CPUID leaves; the guest's TSC
 * (per-VM offset).
 *
 * Runs on both vendors; the guests are C code in khv_xsave_test_guest.c.
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "khv_util.h"
#include "khv_vm.h"
#include "khv_xsave_test.h"

#define GUEST_PATTERN_A		0x4141414100000000ull
#define GUEST_PATTERN_B		0x4242424200000000ull
#define VMM_PATTERN		0x766d6d0000000000ull
#define ROUNDS			40

FIXTURE(xs) {
	int devfd;
};

FIXTURE_SETUP(xs)
{
	self->devfd = khv_open_dev();
	ASSERT_LE(0, self->devfd)
		TH_LOG("no " KHV_DEV_PATH ": %s", strerror(-self->devfd));
}

FIXTURE_TEARDOWN(xs)
{
	if (self->devfd >= 0)
		close(self->devfd);
}

static void host_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__cpuid_count(leaf, sub, r[0], r[1], r[2], r[3]);
}

/* The host kernel has AVX state on: OSXSAVE, AVX, and YMM in XCR0. */
static bool host_has_avx(void)
{
	uint32_t r[4];

	host_cpuid(1, 0, r);
	return (r[2] & (1u << 27)) && (r[2] & (1u << 28));
}

static struct khv_test_vcpu *xs_vcpu(struct khv_test_vm *vm, uint32_t id,
				     void (*code)(uint64_t), uint64_t arg)
{
	struct khv_test_vcpu *vcpu = vm_vcpu_add(vm, id);
	int r;

	TEST_ASSERT(!vm_set_idt_handler(vm, 13, xg_gp_handler), "IDT #GP");
	TEST_ASSERT(!vm_set_idt_handler(vm, 6, xg_ud_handler), "IDT #UD");
	r = vcpu_set_long_mode(vcpu, code, arg);
	TEST_ASSERT(!r, "long mode: %s", strerror(-r));
	return vcpu;
}

/*
 * KHV_RUN with @pattern in YMM0-15 of this thread right up to the system
 * call, and what YMM0-15 hold right after it into @after.
 */
static long run_with_ymm(int fd, const uint64_t *pattern, uint64_t *after)
{
	long ret;

	asm volatile("vmovdqu 0x000(%[p]), %%ymm0\n\t"
		     "vmovdqu 0x020(%[p]), %%ymm1\n\t"
		     "vmovdqu 0x040(%[p]), %%ymm2\n\t"
		     "vmovdqu 0x060(%[p]), %%ymm3\n\t"
		     "vmovdqu 0x080(%[p]), %%ymm4\n\t"
		     "vmovdqu 0x0a0(%[p]), %%ymm5\n\t"
		     "vmovdqu 0x0c0(%[p]), %%ymm6\n\t"
		     "vmovdqu 0x0e0(%[p]), %%ymm7\n\t"
		     "vmovdqu 0x100(%[p]), %%ymm8\n\t"
		     "vmovdqu 0x120(%[p]), %%ymm9\n\t"
		     "vmovdqu 0x140(%[p]), %%ymm10\n\t"
		     "vmovdqu 0x160(%[p]), %%ymm11\n\t"
		     "vmovdqu 0x180(%[p]), %%ymm12\n\t"
		     "vmovdqu 0x1a0(%[p]), %%ymm13\n\t"
		     "vmovdqu 0x1c0(%[p]), %%ymm14\n\t"
		     "vmovdqu 0x1e0(%[p]), %%ymm15\n\t"
		     "syscall\n\t"
		     "vmovdqu %%ymm0, 0x000(%[o])\n\t"
		     "vmovdqu %%ymm1, 0x020(%[o])\n\t"
		     "vmovdqu %%ymm2, 0x040(%[o])\n\t"
		     "vmovdqu %%ymm3, 0x060(%[o])\n\t"
		     "vmovdqu %%ymm4, 0x080(%[o])\n\t"
		     "vmovdqu %%ymm5, 0x0a0(%[o])\n\t"
		     "vmovdqu %%ymm6, 0x0c0(%[o])\n\t"
		     "vmovdqu %%ymm7, 0x0e0(%[o])\n\t"
		     "vmovdqu %%ymm8, 0x100(%[o])\n\t"
		     "vmovdqu %%ymm9, 0x120(%[o])\n\t"
		     "vmovdqu %%ymm10, 0x140(%[o])\n\t"
		     "vmovdqu %%ymm11, 0x160(%[o])\n\t"
		     "vmovdqu %%ymm12, 0x180(%[o])\n\t"
		     "vmovdqu %%ymm13, 0x1a0(%[o])\n\t"
		     "vmovdqu %%ymm14, 0x1c0(%[o])\n\t"
		     "vmovdqu %%ymm15, 0x1e0(%[o])"
		     : "=a" (ret)
		     : "0" ((long)SYS_ioctl), "D" ((long)fd), "S" ((long)KHV_RUN),
		       "d" (0L), [p] "r" (pattern), [o] "r" (after)
		     : "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3",
		       "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",
		       "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
	return ret;
}

/*
 * The guest's YMM (and ZMM16-31/k1-k7) state survives many exits and moves
 * of the vCPU thread between CPUs; the VMM thread's own YMM registers are
 * what it had before each KHV_RUN, never the guest's.
 */
TEST_F_TIMEOUT(xs, guest_state_survives_exits_and_migrations, 120)
{
	uint64_t vmm[64] __attribute__((aligned(32)));
	uint64_t after[64] __attribute__((aligned(32)));
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	int ncpus = khv_nr_online_cpus();
	struct ucall uc;
	cpu_set_t old, set;
	unsigned int i, round;
	char why[256];
	long ret;

	if (!host_has_avx())
		SKIP(return, "CPU lacks AVX (or the host has it off)");
	ASSERT_EQ(0, sched_getaffinity(0, sizeof(old), &old));
	for (i = 0; i < 64; i++)
		vmm[i] = VMM_PATTERN + i;
	vm = vm_create_for_guest_code();
	vcpu = xs_vcpu(vm, 0, guest_code_keep, GUEST_PATTERN_A);

	for (round = 0; round < ROUNDS; round++) {
		CPU_ZERO(&set);
		CPU_SET(round % ncpus, &set);
		ASSERT_EQ(0, sched_setaffinity(0, sizeof(set), &set));
		memset(after, 0, sizeof(after));
		ret = run_with_ymm(vcpu->fd, vmm, after);
		ASSERT_EQ(0, ret) TH_LOG("KHV_RUN: %s", strerror(-ret));
		for (i = 0; i < 64 && vmm[i] == after[i]; i++)
			;
		ASSERT_EQ(64, i) TH_LOG("round %u: the VMM's YMM word %u is %#llx",
					 round, i, (unsigned long long)after[i & 63]);
		vcpu_describe_exit(vcpu, why, sizeof(why));
		ASSERT_EQ(UCALL_SYNC, vcpu_get_ucall(vcpu, &uc, NULL, 0, NULL, 0))
			TH_LOG("not a ucall: %s", why);
		ASSERT_EQ(XS_OK, uc.args[0])
			TH_LOG("round %u: the guest found %#llx in word %llu", round,
			       (unsigned long long)uc.args[1], (unsigned long long)uc.args[2]);
		ASSERT_EQ(round, uc.args[1]);
	}
	TH_LOG("guest XCR0 %#llx over %u rounds on %d CPUs",
	       (unsigned long long)uc.args[2], ROUNDS, ncpus);
	sched_setaffinity(0, sizeof(old), &old);
	vm_free(vm);
}

/*
 * Two VMs on one CPU and one thread: guest A's vector registers never reach
 * guest B (which finds its own in the initial state), and B's do not
 * disturb A's.
 */
TEST_F(xs, other_guests_state_not_visible)
{
	struct khv_test_vcpu *a, *b;
	struct khv_test_vm *vma, *vmb;
	cpu_set_t old, set;
	struct ucall uc;

	if (!host_has_avx())
		SKIP(return, "CPU lacks AVX (or the host has it off)");
	ASSERT_EQ(0, sched_getaffinity(0, sizeof(old), &old));
	CPU_ZERO(&set);
	CPU_SET(sched_getcpu(), &set);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(set), &set));
	vma = vm_create_for_guest_code();
	a = xs_vcpu(vma, 0, guest_code_keep, GUEST_PATTERN_A);
	vmb = vm_create_for_guest_code();
	b = xs_vcpu(vmb, 0, guest_code_peek, GUEST_PATTERN_B);

	vcpu_run_to_ucall(a, &uc, UCALL_SYNC);
	ASSERT_EQ(XS_OK, uc.args[0]);
	vcpu_run_to_ucall(b, &uc, UCALL_SYNC);
	EXPECT_EQ(XS_OK, uc.args[0])
		TH_LOG("guest B saw %#llx (A's pattern %#llx)",
		       (unsigned long long)uc.args[1], GUEST_PATTERN_A);
	vcpu_run_to_ucall(b, &uc, UCALL_SYNC);
	vcpu_run_to_ucall(a, &uc, UCALL_SYNC);
	EXPECT_EQ(XS_OK, uc.args[0])
		TH_LOG("guest A found %#llx in word %llu", (unsigned long long)uc.args[1],
		       (unsigned long long)uc.args[2]);
	sched_setaffinity(0, sizeof(old), &old);
	vm_free(vmb);
	vm_free(vma);
}

/* XSETBV's checks (SDM Vol. 2 "XSETBV"), XGETBV and CPUID.(0DH,0) after it. */
TEST_F(xs, xsetbv_checks_and_xgetbv)
{
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct ucall uc;
	uint32_t h[4];
	uint64_t offered;

	host_cpuid(1, 0, h);
	if (!(h[2] & (1u << 27)))
		SKIP(return, "the host has no XSAVE on");
	vm = vm_create_for_guest_code();
	vcpu = xs_vcpu(vm, 0, guest_code_xsetbv, 0);

	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	EXPECT_EQ(1, uc.args[0]) TH_LOG("XSETBV without CR4.OSXSAVE: no #UD");
	EXPECT_EQ(0, uc.args[1]);

	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	offered = uc.args[0];
	TH_LOG("offered XCR0 %#llx, sizes %llu/%llu", (unsigned long long)offered,
	       (unsigned long long)uc.args[1], (unsigned long long)uc.args[2]);
	EXPECT_EQ(1, offered & 1);
	EXPECT_EQ(0, offered & ~0x2e7ull) TH_LOG("more than x87..AVX-512, PKRU");
	EXPECT_EQ(576, uc.args[1]) TH_LOG("size for XCR0 = 1");
	EXPECT_LE(576, uc.args[2]);
	EXPECT_EQ(1, uc.args[3]) TH_LOG("XCR0 after RESET");

	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	EXPECT_EQ(XS_NR_BAD, uc.args[0]) TH_LOG("#GPs of the bad values");
	EXPECT_EQ(1, uc.args[1]) TH_LOG("XCR0 changed to %#llx",
					(unsigned long long)uc.args[1]);

	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	EXPECT_EQ(XS_NR_BAD, uc.args[0]) TH_LOG("a good value was refused");
	EXPECT_EQ(offered & 7, uc.args[1]);
	if (offered & 4) {
		host_cpuid(0xd, 2, h);
		EXPECT_EQ(h[0] + h[1], uc.args[2]) TH_LOG("size with AVX");
	}
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	EXPECT_EQ(XS_NR_BAD, uc.args[0]);
	EXPECT_EQ(3, uc.args[1]);
	EXPECT_EQ(576, uc.args[2]);
	vcpu_run_to_ucall(vcpu, &uc, UCALL_DONE);
	vm_free(vm);
}

/* XSETBV above CPL 0: #GP(0), XCR0 unchanged (SDM Vol. 2 "XSETBV"). */
TEST_F(xs, xsetbv_at_cpl3_is_gp)
{
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct khv_sregs sregs;
	struct ucall uc;
	uint32_t h[4];
	int r;

	host_cpuid(1, 0, h);
	if (!(h[2] & (1u << 27)))
		SKIP(return, "the host has no XSAVE on");
	vm = vm_create_for_guest_code();
	vcpu = xs_vcpu(vm, 0, guest_code_xsetbv_user, 0);
	r = vcpu_enter_user_mode(vcpu);
	ASSERT_EQ(0, r) TH_LOG("user mode: %s", strerror(-r));
	ASSERT_EQ(0, vcpu_get_sregs(vcpu, &sregs));
	sregs.cr4 |= XS_CR4_OSXSAVE;
	ASSERT_EQ(0, vcpu_set_sregs(vcpu, &sregs));
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	EXPECT_EQ(1, uc.args[0]) TH_LOG("XSETBV at CPL 3: no #GP");
	EXPECT_EQ(1, uc.args[1]) TH_LOG("XCR0 changed to %#llx",
					(unsigned long long)uc.args[1]);
	vcpu_run_to_ucall(vcpu, &uc, UCALL_DONE);
	vm_free(vm);
}

/* Offsets in the standard-format area (SDM Vol. 1 13.4). */
#define XSAVE_XMM0	160
#define XSAVE_HDR	512

/*
 * KHV_GET_XSAVE shows the guest's registers where the host's CPUID puts
 * them; KHV_SET_XSAVE changes what the guest finds; both refuse what XRSTOR
 * would refuse.
 */
TEST_F(xs, get_set_xsave_round_trip)
{
	struct khv_xsave x, bad;
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct ucall uc;
	uint64_t v, bv;
	uint32_t h[4];
	uint8_t *p = (uint8_t *)x.region;

	if (!host_has_avx())
		SKIP(return, "CPU lacks AVX (or the host has it off)");
	host_cpuid(0xd, 2, h);
	vm = vm_create_for_guest_code();
	vcpu = xs_vcpu(vm, 0, guest_code_keep, GUEST_PATTERN_A);
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(XS_OK, uc.args[0]);

	memset(&x, 0xcc, sizeof(x));
	ASSERT_EQ(0, ioctl(vcpu->fd, KHV_GET_XSAVE, &x));
	memcpy(&bv, p + XSAVE_HDR, sizeof(bv));
	EXPECT_EQ(6, bv & 6) TH_LOG("XSTATE_BV %#llx", (unsigned long long)bv);
	/* YMM0 = pattern + 0..3: low half in XMM0, high half at CPUID.(0DH,2):EBX. */
	memcpy(&v, p + XSAVE_XMM0, sizeof(v));
	EXPECT_EQ(GUEST_PATTERN_A, v);
	memcpy(&v, p + h[1], sizeof(v));
	EXPECT_EQ(GUEST_PATTERN_A + 2, v);

	/* Change YMM0's high half: the guest sees it. */
	v = 0x1234567887654321ull;
	memcpy(p + h[1], &v, sizeof(v));
	ASSERT_EQ(0, ioctl(vcpu->fd, KHV_SET_XSAVE, &x));
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	EXPECT_EQ(XS_BAD, uc.args[0]);
	EXPECT_EQ(v, uc.args[1]);
	EXPECT_EQ(2, uc.args[2]);

	/* Refused as XRSTOR would: unknown XSTATE_BV bits, compacted form, MXCSR. */
	bad = x;
	bv |= 1ull << 62;
	memcpy((uint8_t *)bad.region + XSAVE_HDR, &bv, sizeof(bv));
	EXPECT_EQ(-1, ioctl(vcpu->fd, KHV_SET_XSAVE, &bad));
	EXPECT_EQ(EINVAL, errno);
	bad = x;
	v = 1ull << 63 | 3;
	memcpy((uint8_t *)bad.region + XSAVE_HDR + 8, &v, sizeof(v));
	EXPECT_EQ(-1, ioctl(vcpu->fd, KHV_SET_XSAVE, &bad));
	EXPECT_EQ(EINVAL, errno);
	bad = x;
	bad.region[6] = 0xffffffff;		/* MXCSR */
	EXPECT_EQ(-1, ioctl(vcpu->fd, KHV_SET_XSAVE, &bad));
	EXPECT_EQ(EINVAL, errno);
	vm_free(vm);
}

/* KHV_GET/SET_XCRS: XCR0 round trips; what XSETBV refuses is refused. */
TEST_F(xs, get_set_xcrs)
{
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct khv_xcrs x, y;
	uint32_t h[4];

	host_cpuid(1, 0, h);
	vm = vm_create_for_guest_code();
	vcpu = xs_vcpu(vm, 0, guest_code_xsetbv, 0);
	memset(&x, 0xcc, sizeof(x));
	ASSERT_EQ(0, ioctl(vcpu->fd, KHV_GET_XCRS, &x));
	if (!(h[2] & (1u << 27))) {
		EXPECT_EQ(0, x.nr_xcrs);
		vm_free(vm);
		SKIP(return, "the host has no XSAVE on");
	}
	ASSERT_EQ(1, x.nr_xcrs);
	EXPECT_EQ(0, x.flags);
	EXPECT_EQ(0, x.xcrs[0].xcr);
	EXPECT_EQ(1, x.xcrs[0].value);

	x.xcrs[0].value = 3;
	ASSERT_EQ(0, ioctl(vcpu->fd, KHV_SET_XCRS, &x));
	ASSERT_EQ(0, ioctl(vcpu->fd, KHV_GET_XCRS, &y));
	EXPECT_EQ(3, y.xcrs[0].value);

	y = x;
	y.xcrs[0].value = 2;
	EXPECT_EQ(-1, ioctl(vcpu->fd, KHV_SET_XCRS, &y));
	EXPECT_EQ(EINVAL, errno);
	y = x;
	y.xcrs[0].value = 5;
	EXPECT_EQ(-1, ioctl(vcpu->fd, KHV_SET_XCRS, &y));
	y = x;
	y.xcrs[0].xcr = 1;
	EXPECT_EQ(-1, ioctl(vcpu->fd, KHV_SET_XCRS, &y));
	y = x;
	y.flags = 1;
	EXPECT_EQ(-1, ioctl(vcpu->fd, KHV_SET_XCRS, &y));
	y = x;
	y.nr_xcrs = KHV_MAX_XCRS + 1;
	EXPECT_EQ(-1, ioctl(vcpu->fd, KHV_SET_XCRS, &y));
	y = x;
	y.padding[3] = 1;
	EXPECT_EQ(-1, ioctl(vcpu->fd, KHV_SET_XCRS, &y));
	ASSERT_EQ(0, ioctl(vcpu->fd, KHV_GET_XCRS, &y));
	EXPECT_EQ(3, y.xcrs[0].value);
	vm_free(vm);
}

/*
 * The hypervisor leaves: 4000_0000h names khv and its highest leaf,
 * 4000_0010h the TSC frequency (kHz, as the host's) and the APIC bus
 * frequency (1 GHz, in kHz); leaf 1 says a hypervisor is present and
 * OSXSAVE only as the guest's CR4 has it.
 */
TEST_F(xs, hypervisor_leaves)
{
	static const char signature[12] = "khvkhvkhv\0\0\0";
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct ucall uc;
	uint32_t g[4];
	int i;

	vm = vm_create_for_guest_code();
	vcpu = xs_vcpu(vm, 0, guest_code_hv_leaves, 0);
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	for (i = 0; i < 4; i++)
		g[i] = uc.args[i];
	EXPECT_EQ(0x40000010, g[0]);
	EXPECT_EQ(0, memcmp(&g[1], signature, 12));
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	TH_LOG("TSC %llu kHz, APIC bus %llu kHz", (unsigned long long)uc.args[0],
	       (unsigned long long)uc.args[1]);
	/* The host's tsc_khz: Bochs's TSC runs at its instructions per second. */
	EXPECT_NE(0, uc.args[0]) TH_LOG("no TSC frequency");
	EXPECT_EQ(1000000, uc.args[1]);
	EXPECT_EQ(0, uc.args[2] | uc.args[3]);
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	EXPECT_NE(0, uc.args[2] & (1u << 31)) TH_LOG("hypervisor bit clear");
	EXPECT_EQ(0, uc.args[2] & (1u << 27)) TH_LOG("OSXSAVE without CR4.OSXSAVE");
	vcpu_run_to_ucall(vcpu, &uc, UCALL_DONE);
	vm_free(vm);
}

static inline uint64_t host_rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a" (lo), "=d" (hi));
	return lo | (uint64_t)hi << 32;
}

/*
 * A guest's TSC starts near 0 at VM creation (its offset is the VM's), runs
 * forward across exits and moves between CPUs, reads the same through RDTSC
 * and RDMSR(IA32_TSC), and WRMSR(IA32_TSC) sets it, as on hardware; user
 * space reads and writes it with KHV_GET/SET_MSRS.
 */
TEST_F_TIMEOUT(xs, guest_tsc_starts_small_and_runs_forward, 120)
{
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	int ncpus = khv_nr_online_cpus();
	uint64_t khz, second, prev, v, host;
	cpu_set_t old, set;
	struct ucall uc;
	unsigned int round;

	ASSERT_EQ(0, sched_getaffinity(0, sizeof(old), &old));
	vm = vm_create_for_guest_code();
	vcpu = xs_vcpu(vm, 0, guest_code_tsc, ROUNDS);
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	host = host_rdtsc();
	khz = uc.args[1];
	second = khz ? khz * 1000 : 4000000000ull;
	TH_LOG("guest TSC %llu at its first instruction, host %llu, %llu kHz",
	       (unsigned long long)uc.args[0], (unsigned long long)host,
	       (unsigned long long)khz);
	EXPECT_LT(uc.args[0], 10 * second) TH_LOG("not near 0");
	EXPECT_LT(uc.args[0], host);
	prev = uc.args[0];
	for (round = 0; round < ROUNDS; round++) {
		CPU_ZERO(&set);
		CPU_SET(round % ncpus, &set);
		ASSERT_EQ(0, sched_setaffinity(0, sizeof(set), &set));
		vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
		ASSERT_EQ(XS_OK, uc.args[0])
			TH_LOG("round %u: RDTSC went from %llu back to %llu", round,
			       (unsigned long long)uc.args[3], (unsigned long long)uc.args[1]);
		ASSERT_LE(prev, uc.args[1]);
		ASSERT_LE(uc.args[1], uc.args[2]) TH_LOG("RDMSR(IA32_TSC) behind RDTSC");
		EXPECT_LT(uc.args[2] - uc.args[1], second);
		prev = uc.args[1];
	}
	v = 0;
	ASSERT_EQ(0, vcpu_msr(vcpu, KHV_GET_MSRS, XS_MSR_TSC, &v));
	EXPECT_LE(prev, v) TH_LOG("KHV_GET_MSRS IA32_TSC behind the guest's");
	EXPECT_LT(v - prev, 10 * second);

	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	EXPECT_LE(XS_TSC_SET, uc.args[0]) TH_LOG("WRMSR(IA32_TSC) not applied");
	EXPECT_LT(uc.args[0] - XS_TSC_SET, second);
	EXPECT_LE(uc.args[0], uc.args[1]);
	vcpu_run_to_ucall(vcpu, &uc, UCALL_DONE);

	/* And from user space: set back to 1000, read back a little more. */
	v = 1000;
	ASSERT_EQ(0, vcpu_msr(vcpu, KHV_SET_MSRS, XS_MSR_TSC, &v));
	ASSERT_EQ(0, vcpu_msr(vcpu, KHV_GET_MSRS, XS_MSR_TSC, &v));
	EXPECT_LE(1000, v);
	EXPECT_LT(v, 1000 + second);
	sched_setaffinity(0, sizeof(old), &old);
	vm_free(vm);
}

TEST_HARNESS_MAIN
