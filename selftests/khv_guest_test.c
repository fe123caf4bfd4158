// SPDX-License-Identifier: GPL-2.0-only
/*
 * khv_guest_test: guests that run. Real mode, protected mode and long mode
 * with paging running C code of this binary (khv_guest_test_guest.c); port
 * I/O, MMIO and the exits user space completes; CPUID and MSR policy; several
 * vCPUs and VMs at once; signals, immediate_exit and closing a VM under a
 * running vCPU; triple faults; a killed large region call, and a region call
 * failing under a vCPU that reads it; argument checks of the memory, vCPU
 * and register ioctls; a thousand VM lifetimes with nothing left behind; and
 * host state no guest may reach or change (RDPMC, CR4.PKE/OSXSAVE, PKRU,
 * YMM registers, TSC_AUX) and an event whose delivery an exit interrupted;
 * event injection: external interrupts (IF, STI's shadow, STI; HLT, the
 * interrupt window), NMIs and their masking, the event state's round trip,
 * and the arguments the event ioctls refuse.
 *
 * The same tests run on both vendors: Intel VMX in the Bochs host, AMD SVM
 * in the QEMU hosts.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>

#include <cpuid.h>

#include "kselftest_harness.h"
#include "khv_util.h"
#include "khv_vm.h"
#include "khv_guest_test.h"

/* STYLE.md: fixed-size ABI, same layout on 32- and 64-bit. */
_Static_assert(sizeof(struct khv_memory_region) == 64, "struct khv_memory_region is 64 bytes");
_Static_assert(sizeof(struct khv_create_vcpu) == 32, "struct khv_create_vcpu is 32 bytes");
_Static_assert(sizeof(struct khv_regs) == 24 * 8, "struct khv_regs is 192 bytes");
_Static_assert(sizeof(struct khv_run) == 64 + 256, "struct khv_run is 320 bytes");

#define CODE_GPA	0x1000
#define SMALL_RAM	0x10000		/* 64 KiB: real-mode tests, MMIO above it */

static long state_long(struct __test_metadata *_metadata, const char *key)
{
	long val = -1;
	int r = khv_debugfs_get_long(key, &val);

	EXPECT_EQ(0, r)
		TH_LOG("debugfs %s: %s", key, strerror(-r));
	return val;
}

/* `vms` drops when the last reference to a VM goes; give deferred fputs a moment. */
static long wait_vms(struct __test_metadata *_metadata, long want)
{
	long vms = -1;
	int i;

	for (i = 0; i < 200; i++) {
		vms = state_long(_metadata, "vms");
		if (vms == want)
			break;
		usleep(10000);
	}
	return vms;
}

/* A real-mode guest at CODE_GPA in a SMALL_RAM VM. */
#define REAL_MODE_GUEST(vm, vcpu, code) do {					\
	int __r;								\
	vm = vm_create_with_ram(SMALL_RAM);				\
	vcpu = vm_vcpu_add(vm, 0);					\
	ASSERT_EQ(0, vm_load_code(vm, CODE_GPA, code, sizeof(code)));		\
	__r = vcpu_set_real_mode(vcpu, CODE_GPA);				\
	ASSERT_EQ(0, __r) TH_LOG("real mode: %s", strerror(-__r));		\
} while (0)

/* A guest-code VM whose vCPU 0 counts #GPs (guest_gp_handler). */
#define GP_COUNTING_GUEST(vm, vcpu) do {					\
	vm = vm_create_for_guest_code();					\
	vcpu = vm_vcpu_add(vm, 0);						\
	ASSERT_EQ(0, vm_set_idt_handler(vm, 13, guest_gp_handler));		\
} while (0)

static uint8_t *io_data(struct khv_test_vcpu *vcpu)
{
	return (uint8_t *)vcpu->run + vcpu->run->io.data_offset;
}

FIXTURE(guest) {
	int devfd;
};

FIXTURE_SETUP(guest)
{
	self->devfd = khv_open_dev();
	ASSERT_LE(0, self->devfd)
		TH_LOG("no " KHV_DEV_PATH ": %s", strerror(-self->devfd));
}

FIXTURE_TEARDOWN(guest)
{
	if (self->devfd >= 0)
		close(self->devfd);
}

/* ---- real mode ----------------------------------------------------------- */

TEST_F(guest, realmode_out_hlt)
{
	static const uint8_t code[] = {
		0xb0, 0x42,		/* mov $0x42, %al */
		0xe6, 0x10,		/* out %al, $0x10 */
		0xf4,			/* hlt */
	};
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct khv_regs regs;

	REAL_MODE_GUEST(vm, vcpu, code);
	vcpu_run_exit(vcpu, KHV_EXIT_IO);
	EXPECT_EQ(KHV_EXIT_IO_OUT, vcpu->run->io.direction);
	EXPECT_EQ(0x10, vcpu->run->io.port);
	EXPECT_EQ(1, vcpu->run->io.size);
	EXPECT_EQ(1, vcpu->run->io.count);
	EXPECT_EQ(0x42, io_data(vcpu)[0]);
	vcpu_run_exit(vcpu, KHV_EXIT_HLT);
	ASSERT_EQ(0, vcpu_get_regs(vcpu, &regs));
	EXPECT_EQ(CODE_GPA + sizeof(code), regs.rip);
	vm_free(vm);
}

TEST_F(guest, realmode_in_completes_into_al)
{
	static const uint8_t code[] = {
		0xb8, 0x34, 0x12,	/* mov $0x1234, %ax */
		0xe4, 0x20,		/* in $0x20, %al */
		0xba, 0x21, 0x00,	/* mov $0x21, %dx */
		0x89, 0xc3,		/* mov %ax, %bx */
		0x66, 0xed,		/* in (%dx), %eax */
		0xf4,			/* hlt */
	};
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct khv_regs regs;

	REAL_MODE_GUEST(vm, vcpu, code);
	vcpu_run_exit(vcpu, KHV_EXIT_IO);
	EXPECT_EQ(KHV_EXIT_IO_IN, vcpu->run->io.direction);
	EXPECT_EQ(0x20, vcpu->run->io.port);
	ASSERT_EQ(1, vcpu->run->io.size);
	io_data(vcpu)[0] = 0xab;
	vcpu_run_exit(vcpu, KHV_EXIT_IO);
	EXPECT_EQ(KHV_EXIT_IO_IN, vcpu->run->io.direction);
	EXPECT_EQ(0x21, vcpu->run->io.port);
	ASSERT_EQ(4, vcpu->run->io.size);
	memcpy(io_data(vcpu), "\xef\xbe\xad\xde", 4);
	vcpu_run_exit(vcpu, KHV_EXIT_HLT);
	ASSERT_EQ(0, vcpu_get_regs(vcpu, &regs));
	/* IN to AL keeps AH; a 32-bit IN fills EAX. */
	EXPECT_EQ(0x12ab, regs.rbx);
	EXPECT_EQ(0xdeadbeef, regs.rax);
	vm_free(vm);
}

/*
 * EFER.LME set with paging off, as Linux's boot path has it for a few
 * instructions: legal, and every exit from there must come back to a host
 * in its own state. QEMU 7.2's #VMEXIT kept such a guest's CR0 and the
 * host hung with GIF clear (the rig's svm-vmexit-host-cr0.patch; found by
 * khv_fuzz).
 */
TEST_F(guest, lme_without_paging_exits_to_the_host)
{
	static const uint8_t code[] = {
		0x66, 0xb9, 0x80, 0x00, 0x00, 0xc0,	/* mov $0xc0000080, %ecx */
		0x0f, 0x32,				/* rdmsr */
		0x66, 0x0d, 0x00, 0x01, 0x00, 0x00,	/* or $0x100, %eax (LME) */
		0x0f, 0x30,				/* wrmsr */
		0xe6, 0x10,				/* out %al, $0x10 */
		0x66, 0x31, 0xc0,			/* xor %eax, %eax */
		0x0f, 0xa2,				/* cpuid */
		0xe6, 0x11,				/* out %al, $0x11 */
		0xf4,					/* hlt */
	};
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct khv_sregs sregs;
	int i;

	REAL_MODE_GUEST(vm, vcpu, code);
	vcpu_run_exit(vcpu, KHV_EXIT_IO);
	EXPECT_EQ(0x10, vcpu->run->io.port);
	ASSERT_EQ(0, vcpu_get_sregs(vcpu, &sregs));
	EXPECT_EQ(0x100, sregs.efer & 0x500) TH_LOG("EFER %#llx: LME, not LMA",
						  (unsigned long long)sregs.efer);
	EXPECT_EQ(0, sregs.cr0 & 0x80000001);
	vcpu_run_exit(vcpu, KHV_EXIT_IO);
	EXPECT_EQ(0x11, vcpu->run->io.port);
	vcpu_run_exit(vcpu, KHV_EXIT_HLT);
	/* Set from user space as well, and many exits in a row. */
	for (i = 0; i < 64; i++) {
		ASSERT_EQ(0, vcpu_set_real_mode(vcpu, CODE_GPA + 16));
		ASSERT_EQ(0, vcpu_get_sregs(vcpu, &sregs));
		sregs.efer |= 0x100;
		ASSERT_EQ(0, vcpu_set_sregs(vcpu, &sregs));
		vcpu_run_exit(vcpu, KHV_EXIT_IO);
		EXPECT_EQ(0x10, vcpu->run->io.port);
	}
	vm_free(vm);
}

/* ---- protected mode ------------------------------------------------------ */

TEST_F(guest, protected_mode_guest_runs)
{
	static const uint8_t code[] = {
		0xb8, 0x78, 0x56, 0x34, 0x12,	/* mov $0x12345678, %eax */
		0x66, 0xba, 0x10, 0x00,		/* mov $0x10, %dx */
		0xef,				/* out %eax, (%dx) */
		0xc7, 0x05, 0x00, 0x00, 0x10, 0x00,
		0xef, 0xbe, 0xad, 0xde,		/* movl $0xdeadbeef, 0x100000 */
		0xf4,				/* hlt */
	};
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct khv_sregs sregs;
	uint32_t v;
	int r;

	vm = vm_create_with_ram(0x200000);
	vcpu = vm_vcpu_add(vm, 0);
	ASSERT_EQ(0, vm_load_code(vm, CODE_GPA, code, sizeof(code)));
	r = vcpu_set_protected_mode(vcpu, CODE_GPA);
	ASSERT_EQ(0, r) TH_LOG("protected mode: %s", strerror(-r));
	vcpu_run_exit(vcpu, KHV_EXIT_IO);
	EXPECT_EQ(KHV_EXIT_IO_OUT, vcpu->run->io.direction);
	EXPECT_EQ(0x10, vcpu->run->io.port);
	ASSERT_EQ(4, vcpu->run->io.size);
	memcpy(&v, io_data(vcpu), 4);
	EXPECT_EQ(0x12345678, v);
	vcpu_run_exit(vcpu, KHV_EXIT_HLT);
	/* A store at 1 MiB: 32-bit addressing, out of real mode's reach. */
	memcpy(&v, vm->mem + 0x100000, 4);
	EXPECT_EQ(0xdeadbeef, v);
	ASSERT_EQ(0, vcpu_get_sregs(vcpu, &sregs));
	EXPECT_TRUE(sregs.cr0 & X86_CR0_PE);
	EXPECT_EQ(1, sregs.cs.db);
	EXPECT_EQ(GUEST_SEL_CODE32, sregs.cs.selector);
	vm_free(vm);
}

/* ---- long mode, C guests ------------------------------------------------- */

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

TEST_F(guest, long_mode_c_guest_runs_with_paging)
{
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct khv_sregs sregs;
	struct ucall uc;
	uint64_t i;
	int r;

	vm = vm_create_for_guest_code();
	vcpu = vm_vcpu_add(vm, 0);
	guest_input = GUEST_TEST_MAGIC;
	sync_global_to_guest(vm, guest_input);
	r = vcpu_set_long_mode(vcpu, guest_code_sync_values, 0x77);
	ASSERT_EQ(0, r) TH_LOG("long mode: %s", strerror(-r));

	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	EXPECT_EQ(0x77, uc.args[0]);
	ASSERT_EQ(0, vcpu_get_sregs(vcpu, &sregs));
	EXPECT_TRUE(sregs.efer & EFER_LMA);
	EXPECT_TRUE(sregs.cr0 & X86_CR0_PG);
	EXPECT_EQ(1, sregs.cs.l);
	for (i = 0; i < 8; i++) {
		vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
		EXPECT_EQ(i, uc.args[0]);
		EXPECT_EQ(fib(i + 10), uc.args[1]);
	}
	vcpu_run_to_ucall(vcpu, &uc, UCALL_DONE);
	sync_global_from_guest(vm, guest_output);
	EXPECT_EQ(GUEST_TEST_MAGIC ^ 0x77, guest_output);
	vm_free(vm);
}

TEST_F(guest, cpuid_hides_svm_vmx_and_reports_khv)
{
	static const uint32_t leaves[] = { 0, 1, 0x80000000, 0x80000001, 0x40000000 };
	static const char signature[12] = "khvkhvkhv\0\0";
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	uint32_t h[4], g[4];
	struct ucall uc;
	unsigned int i, j;

	vm = vm_create_with_one_vcpu(&vcpu, guest_code_cpuid, 0);

	for (i = 0; i < ARRAY_SIZE(leaves); i++) {
		vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
		for (j = 0; j < 4; j++)
			g[j] = uc.args[j];
		__cpuid_count(leaves[i], 0, h[0], h[1], h[2], h[3]);
		TH_LOG("leaf 0x%08x guest %08x %08x %08x %08x host %08x %08x %08x %08x",
		       leaves[i], g[0], g[1], g[2], g[3], h[0], h[1], h[2], h[3]);
		switch (leaves[i]) {
		case 1:
			EXPECT_EQ(h[0], g[0]);
			/* EBX[31:24] is the initial APIC ID of the CPU that ran it. */
			EXPECT_EQ(h[1] & 0xffffff, g[1] & 0xffffff);
			EXPECT_EQ(0, g[2] & (1u << 5)) TH_LOG("VMX visible");
			EXPECT_NE(0, g[2] & (1u << 31)) TH_LOG("hypervisor bit clear");
			/* Masked, never more than the host has. */
			EXPECT_EQ(0, g[2] & ~h[2] & ~(1u << 31));
			EXPECT_EQ(0, g[3] & ~h[3]);
			break;
		case 0x80000001:
			EXPECT_EQ(h[0], g[0]);
			EXPECT_EQ(0, g[2] & (1u << 2)) TH_LOG("SVM visible");
			EXPECT_EQ(0, g[2] & ~h[2]);
			EXPECT_EQ(0, g[3] & ~h[3]);
			break;
		case 0x40000000:
			/* The highest hypervisor leaf: 4000_0010h, the frequencies. */
			EXPECT_EQ(0x40000010, g[0]);
			EXPECT_EQ(0, memcmp(&g[1], signature, 4));
			EXPECT_EQ(0, memcmp(&g[2], signature + 4, 4));
			EXPECT_EQ(0, memcmp(&g[3], signature + 8, 4));
			break;
		default:
			for (j = 0; j < 4; j++)
				EXPECT_EQ(h[j], g[j]) TH_LOG("register %u", j);
		}
	}
	vcpu_run_to_ucall(vcpu, &uc, UCALL_DONE);
	vm_free(vm);
}

/*
 * KHV_SET_CPUID on a vCPU that has run: the guest's next CPUIDs read the new
 * table, not values it read before (khv keeps a vCPU's results per leaf):
 * an entry without KHV_CPUID_FLAG_INDEX for any sub-leaf, one with it for its
 * sub-leaf only, zeros for a leaf the table lacks. Before it, the host's.
 */
TEST_F(guest, cpuid_table_set_after_a_run_replaces_what_the_guest_read)
{
	static const uint32_t leaf[3] = { 0x80000008, 4, 6 }, sub[3] = { 0, 1, 0 };
	static const uint32_t want[3][4] = {
		{ 0x3030, 0x1234, 0, 0x5678 },
		{ 0x4141, 0x4242, 0x4343, 0x4444 },
		{ 0, 0, 0, 0 },
	};
	struct khv_cpuid *t;
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	uint32_t h[4];
	struct ucall uc;
	unsigned int i, j;

	vm = vm_create_with_one_vcpu(&vcpu, guest_code_cpuid_twice, 0);
	for (i = 0; i < 3; i++) {
		vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
		__cpuid_count(leaf[i], sub[i], h[0], h[1], h[2], h[3]);
		for (j = 0; j < 4; j++)
			EXPECT_EQ(h[j], (uint32_t)uc.args[j])
				TH_LOG("leaf 0x%x.%u register %u before the table", leaf[i], sub[i], j);
	}
	t = calloc(1, sizeof(*t));
	ASSERT_NE(NULL, t);
	t->nent = 3;
	t->entries[0] = (struct khv_cpuid_entry){ .function = 0x80000008,
		.eax = 0x3030, .ebx = 0x1234, .edx = 0x5678 };
	/* Sub-leaf 0 first: a match on the function alone would take it. */
	t->entries[1] = (struct khv_cpuid_entry){ .function = 4, .index = 0,
		.flags = KHV_CPUID_FLAG_INDEX, .eax = 0x4040 };
	t->entries[2] = (struct khv_cpuid_entry){ .function = 4, .index = 1,
		.flags = KHV_CPUID_FLAG_INDEX, .eax = 0x4141, .ebx = 0x4242,
		.ecx = 0x4343, .edx = 0x4444 };
	ASSERT_EQ(0, khv_ioctl(vcpu->fd, KHV_SET_CPUID, (unsigned long)t));
	free(t);
	for (i = 0; i < 3; i++) {
		vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
		for (j = 0; j < 4; j++)
			EXPECT_EQ(want[i][j], (uint32_t)uc.args[j])
				TH_LOG("leaf 0x%x.%u register %u after the table", leaf[i], sub[i], j);
	}
	vcpu_run_to_ucall(vcpu, &uc, UCALL_DONE);
	vm_free(vm);
}

/* A feature bit of the host's CPUID (the kernel's view: OSXSAVE, OSPKE). */
static bool host_cpuid_bit(uint32_t leaf, uint32_t sub, int reg, int bit)
{
	uint32_t r[4];

	if (!__get_cpuid_count(leaf, sub, &r[0], &r[1], &r[2], &r[3]))
		return false;
	return r[reg] & (1u << bit);
}

enum { EAX, EBX, ECX, EDX };

/*
 * No APIC ID of the host reaches a guest: vCPU 1, run on CPU 0, reads 1 in
 * leaf 1 EBX[31:24], as its x2APIC ID (leaf 0Bh EDX) and as AMD's extended
 * APIC ID (8000_001Eh EAX). Nor do x2APIC, CET or SGX (leaf 12h); PKU only
 * where the host has protection keys on, OSPKE only with the guest's CR4.PKE.
 */
TEST_F(guest, cpuid_apic_ids_are_vcpu_ids_and_hidden_features)
{
	static const uint32_t leaves[] = { 1, 7, 0xb, 0x12, 0x8000001e };
	unsigned int max = __get_cpuid_max(0, NULL);
	unsigned int max_ext = __get_cpuid_max(0x80000000, NULL);
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	cpu_set_t old, cpu0;
	struct ucall uc;
	uint32_t g[4];
	unsigned int i, j;
	int r;

	if (khv_nr_online_cpus() < 2)
		SKIP(return, "one online CPU: no vCPU 1");
	ASSERT_EQ(0, sched_getaffinity(0, sizeof(old), &old));
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(cpu0), &cpu0));
	vm = vm_create_for_guest_code();
	vcpu = vm_vcpu_add(vm, 1);
	r = vcpu_set_long_mode(vcpu, guest_code_cpuid_ids, 0);
	ASSERT_EQ(0, r) TH_LOG("long mode: %s", strerror(-r));

	for (i = 0; i < ARRAY_SIZE(leaves); i++) {
		vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
		for (j = 0; j < 4; j++)
			g[j] = uc.args[j];
		TH_LOG("leaf 0x%08x: %08x %08x %08x %08x", leaves[i], g[0], g[1], g[2], g[3]);
		switch (leaves[i]) {
		case 1:
			EXPECT_EQ(1, g[1] >> 24) TH_LOG("initial APIC ID");
			EXPECT_EQ(0, g[2] & (1u << 21)) TH_LOG("x2APIC visible");
			break;
		case 7:
			EXPECT_EQ(0, g[1] & (1u << 2)) TH_LOG("SGX visible");
			EXPECT_EQ(0, g[2] & (1u << 4)) TH_LOG("OSPKE without CR4.PKE");
			EXPECT_EQ(host_cpuid_bit(7, 0, ECX, 4), !!(g[2] & (1u << 3)))
				TH_LOG("PKU is not the host's OSPKE");
			EXPECT_EQ(0, g[2] & (1u << 7)) TH_LOG("CET_SS visible");
			EXPECT_EQ(0, g[3] & (1u << 20)) TH_LOG("CET_IBT visible");
			break;
		case 0xb:
			if (max >= 0xb)
				EXPECT_EQ(1, g[3]) TH_LOG("x2APIC ID");
			break;
		case 0x12:
			EXPECT_EQ(0, g[0] | g[1] | g[2] | g[3]) TH_LOG("SGX leaf");
			break;
		case 0x8000001e:
			if (max_ext >= 0x8000001e)
				EXPECT_EQ(1, g[0]) TH_LOG("extended APIC ID");
			break;
		}
	}
	vcpu_run_to_ucall(vcpu, &uc, UCALL_DONE);
	vm_free(vm);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(old), &old));
}

TEST_F(guest, forbidden_msr_gets_gp)
{
	static const uint32_t msrs[] = {
		0x34,		/* MSR_SMI_COUNT */
		0x1b,		/* IA32_APIC_BASE */
		0xc0010114,	/* VM_CR */
		0xc0010117,	/* VM_HSAVE_PA */
		0x12345678,	/* no such MSR */
	};
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct ucall uc;
	unsigned int i;
	int r;

	GP_COUNTING_GUEST(vm, vcpu);
	for (i = 0; i < ARRAY_SIZE(msrs); i++) {
		r = vcpu_set_long_mode(vcpu, guest_code_msr, msrs[i]);
		ASSERT_EQ(0, r) TH_LOG("long mode: %s", strerror(-r));
		/* RDMSR: one #GP with error code 0. */
		vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
		EXPECT_EQ(1, uc.args[0]) TH_LOG("MSR 0x%x", msrs[i]);
		EXPECT_EQ(0, uc.args[1]) TH_LOG("MSR 0x%x", msrs[i]);
		/* WRMSR: the second. */
		vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
		EXPECT_EQ(2, uc.args[0]) TH_LOG("MSR 0x%x", msrs[i]);
		EXPECT_EQ(0, uc.args[1]) TH_LOG("MSR 0x%x", msrs[i]);
		vcpu_run_to_ucall(vcpu, &uc, UCALL_DONE);
	}
	vm_free(vm);
}

TEST_F(guest, allowed_msr_round_trip_and_noncanonical_gp)
{
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct ucall uc;
	uint64_t v;
	int r;

	GP_COUNTING_GUEST(vm, vcpu);
	v = TEST_KGSBASE_VALUE;
	r = vcpu_msr(vcpu, KHV_SET_MSRS, MSR_KERNEL_GS_BASE, &v);
	ASSERT_EQ(0, r) TH_LOG("KHV_SET_MSRS KERNEL_GS_BASE: %s", strerror(-r));
	/* Not on the list: refused from user space too. */
	v = 0;
	EXPECT_EQ(-EINVAL, vcpu_msr(vcpu, KHV_SET_MSRS, 0x34, &v));
	EXPECT_EQ(-EINVAL, vcpu_msr(vcpu, KHV_GET_MSRS, 0x34, &v));
	r = vcpu_set_long_mode(vcpu, guest_code_msr_allowed, 0);
	ASSERT_EQ(0, r) TH_LOG("long mode: %s", strerror(-r));

	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	EXPECT_EQ(GUEST_LSTAR_VALUE, uc.args[0]);
	v = 0;
	EXPECT_EQ(0, vcpu_msr(vcpu, KHV_GET_MSRS, MSR_LSTAR, &v));
	EXPECT_EQ(GUEST_LSTAR_VALUE, v);
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	EXPECT_EQ(TEST_KGSBASE_VALUE, uc.args[0]);
	vcpu_run_to_ucall(vcpu, &uc, UCALL_DONE);
	vm_free(vm);
}

/*
 * The MTRRs are the vCPU's, checked as the hardware checks them, from the
 * guest and from user space alike; NB_CFG and SYSCFG read 0
 * (Documentation/khv-abi.rst).
 */
TEST_F(guest, mtrrs_are_kept_and_checked)
{
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct ucall uc;
	uint64_t v;

	GP_COUNTING_GUEST(vm, vcpu);
	/* Off at creation, as after RESET. */
	v = 1;
	EXPECT_EQ(0, vcpu_msr(vcpu, KHV_GET_MSRS, 0x2ff, &v));
	EXPECT_EQ(0, v);
	/* A fixed range round trip; a reserved type, bit or MTRRcap refused. */
	v = 0x0606060605040100ull;
	EXPECT_EQ(0, vcpu_msr(vcpu, KHV_SET_MSRS, 0x26f, &v));
	v = 0;
	EXPECT_EQ(0, vcpu_msr(vcpu, KHV_GET_MSRS, 0x26f, &v));
	EXPECT_EQ(0x0606060605040100ull, v);
	v = 0x0606060603040100ull;
	EXPECT_EQ(-EINVAL, vcpu_msr(vcpu, KHV_SET_MSRS, 0x26f, &v));
	v = 0x1006;
	EXPECT_EQ(-EINVAL, vcpu_msr(vcpu, KHV_SET_MSRS, 0x2ff, &v));
	v = 0x801;
	EXPECT_EQ(-EINVAL, vcpu_msr(vcpu, KHV_SET_MSRS, 0x201, &v));
	v = 0x508;
	EXPECT_EQ(-EINVAL, vcpu_msr(vcpu, KHV_SET_MSRS, 0xfe, &v));
	v = 0;
	EXPECT_EQ(0, vcpu_msr(vcpu, KHV_GET_MSRS, 0x26f, &v));
	EXPECT_EQ(0x0606060605040100ull, v);

	ASSERT_EQ(0, vcpu_set_long_mode(vcpu, guest_code_mtrr, 0));
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	EXPECT_EQ(0x508, uc.args[0]) TH_LOG("MTRRcap");
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	EXPECT_EQ(GUEST_MTRR_DEF_TYPE, uc.args[0]);
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	EXPECT_EQ(0, uc.args[0]) TH_LOG("NB_CFG");
	EXPECT_EQ(3, uc.args[1]) TH_LOG("#GPs");
	vcpu_run_to_ucall(vcpu, &uc, UCALL_DONE);
	v = 0;
	EXPECT_EQ(0, vcpu_msr(vcpu, KHV_GET_MSRS, 0x2ff, &v));
	EXPECT_EQ(GUEST_MTRR_DEF_TYPE, v);
	vm_free(vm);
}

/* ---- MMIO ---------------------------------------------------------------- */

/* The next exit is an MMIO write of @len bytes of @val at @gpa. */
#define EXPECT_MMIO_WRITE(_vcpu, _gpa, _len, _val) do {				\
	uint64_t __v = 0;							\
	vcpu_run_exit(_vcpu, KHV_EXIT_MMIO);				\
	EXPECT_EQ(1, (_vcpu)->run->mmio.is_write);				\
	EXPECT_EQ((uint64_t)(_gpa), (_vcpu)->run->mmio.phys_addr);		\
	ASSERT_EQ((_len), (_vcpu)->run->mmio.len);				\
	memcpy(&__v, (_vcpu)->run->mmio.data, (_len));				\
	EXPECT_EQ((uint64_t)(_val), __v);					\
} while (0)

/* The next exit is an MMIO read of @len bytes at @gpa: answer @val. */
#define ANSWER_MMIO_READ(_vcpu, _gpa, _len, _val) do {				\
	uint64_t __v = (_val);							\
	static const uint8_t __zero[8];						\
	vcpu_run_exit(_vcpu, KHV_EXIT_MMIO);				\
	EXPECT_EQ(0, (_vcpu)->run->mmio.is_write);				\
	EXPECT_EQ((uint64_t)(_gpa), (_vcpu)->run->mmio.phys_addr);		\
	ASSERT_EQ((_len), (_vcpu)->run->mmio.len);				\
	/* Nothing of the host's in the buffer the guest will read. */		\
	EXPECT_EQ(0, memcmp((_vcpu)->run->mmio.data, __zero, 8));		\
	memcpy((_vcpu)->run->mmio.data, &__v, 8);				\
} while (0)

TEST_F(guest, mmio_write_and_read_round_trip_real_mode)
{
	static const uint8_t code[] = {
		0xb8, 0x00, 0x20,			/* mov $0x2000, %ax */
		0x8e, 0xd8,				/* mov %ax, %ds */
		0x66, 0xba, 0xff, 0xff, 0xff, 0xff,	/* mov $0xffffffff, %edx */
		0xc6, 0x06, 0x10, 0x00, 0x11,		/* movb $0x11, 0x10 */
		0xc7, 0x06, 0x20, 0x00, 0x22, 0x22,	/* movw $0x2222, 0x20 */
		0x66, 0xc7, 0x06, 0x30, 0x00,
		0x33, 0x33, 0x33, 0x33,			/* movl $0x33333333, 0x30 */
		0xa0, 0x40, 0x00,			/* mov 0x40, %al */
		0x8b, 0x1e, 0x50, 0x00,			/* mov 0x50, %bx */
		0x66, 0x8b, 0x0e, 0x60, 0x00,		/* mov 0x60, %ecx */
		0x66, 0x0f, 0xb6, 0x16, 0x70, 0x00,	/* movzbl 0x70, %edx */
		0xf4,					/* hlt */
	};
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct khv_regs regs;

	REAL_MODE_GUEST(vm, vcpu, code);
	EXPECT_MMIO_WRITE(vcpu, 0x20010, 1, 0x11);
	EXPECT_MMIO_WRITE(vcpu, 0x20020, 2, 0x2222);
	EXPECT_MMIO_WRITE(vcpu, 0x20030, 4, 0x33333333);
	ANSWER_MMIO_READ(vcpu, 0x20040, 1, 0xa1);
	ANSWER_MMIO_READ(vcpu, 0x20050, 2, 0xa2a2);
	ANSWER_MMIO_READ(vcpu, 0x20060, 4, 0xa3a3a3a3);
	ANSWER_MMIO_READ(vcpu, 0x20070, 1, 0xa4);
	vcpu_run_exit(vcpu, KHV_EXIT_HLT);
	ASSERT_EQ(0, vcpu_get_regs(vcpu, &regs));
	EXPECT_EQ(0xa1, regs.rax & 0xff);
	EXPECT_EQ(0xa2a2, regs.rbx);
	EXPECT_EQ(0xa3a3a3a3, regs.rcx);
	EXPECT_EQ(0xa4, regs.rdx);	/* MOVZX cleared the 0xffffff00 */
	EXPECT_EQ(CODE_GPA + sizeof(code), regs.rip);
	vm_free(vm);
}

/*
 * Needs khv to read the instruction through the guest's page tables: until
 * it does, this ends in KHV_EXIT_EMULATION_FAILED with no bytes.
 */
TEST_F(guest, mmio_write_and_read_round_trip_long_mode)
{
	const uint64_t base = 0x20000000;	/* 512 MiB: mapped, no RAM */
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct ucall uc;

	vm = vm_create_with_one_vcpu(&vcpu, guest_code_mmio, base);
	EXPECT_MMIO_WRITE(vcpu, base, 1, 0x11);
	EXPECT_MMIO_WRITE(vcpu, base + 0x10, 2, 0x2222);
	EXPECT_MMIO_WRITE(vcpu, base + 0x20, 4, 0x33333333);
	EXPECT_MMIO_WRITE(vcpu, base + 0x30, 8, 0x4444444444444444ull);
	ANSWER_MMIO_READ(vcpu, base, 1, 0xa1);
	ANSWER_MMIO_READ(vcpu, base + 0x10, 2, 0xa2a2);
	ANSWER_MMIO_READ(vcpu, base + 0x20, 4, 0xa3a3a3a3);
	ANSWER_MMIO_READ(vcpu, base + 0x30, 8, 0xa4a4a4a4a4a4a4a4ull);
	vcpu_run_to_ucall(vcpu, &uc, UCALL_DONE);
	vm_free(vm);
}

TEST_F(guest, access_outside_ram_is_mmio_not_host_data)
{
	static const uint8_t code[] = {
		0xb8, 0x00, 0x10,			/* mov $0x1000, %ax */
		0x8e, 0xd8,				/* mov %ax, %ds */
		0x66, 0xa1, 0x00, 0x00,			/* mov 0x0, %eax: first byte past RAM */
		0xb9, 0xff, 0xff,			/* mov $0xffff, %cx */
		0x8e, 0xc1,				/* mov %cx, %es */
		0x26, 0x66, 0x8b, 0x1e, 0x10, 0x00,	/* mov %es:0x10, %ebx: 1 MiB */
		0xf4,					/* hlt */
	};
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct khv_regs regs;

	REAL_MODE_GUEST(vm, vcpu, code);
	ANSWER_MMIO_READ(vcpu, SMALL_RAM, 4, 0x5a5a5a5a);
	ANSWER_MMIO_READ(vcpu, 0x100000, 4, 0xa5a5a5a5);
	vcpu_run_exit(vcpu, KHV_EXIT_HLT);
	ASSERT_EQ(0, vcpu_get_regs(vcpu, &regs));
	/* Exactly what user space answered: no host byte mixed in. */
	EXPECT_EQ(0x5a5a5a5a, regs.rax);
	EXPECT_EQ(0xa5a5a5a5, regs.rbx);
	vm_free(vm);
}

TEST_F(guest, readonly_region_write_exits_as_mmio)
{
	static const uint8_t code[] = {
		0xb8, 0x00, 0x20,		/* mov $0x2000, %ax */
		0x8e, 0xd8,			/* mov %ax, %ds */
		0x8a, 0x1e, 0x00, 0x00,		/* mov 0x0, %bl: reads RAM */
		0xc6, 0x06, 0x08, 0x00, 0x77,	/* movb $0x77, 0x8: exits */
		0xa0, 0x08, 0x00,		/* mov 0x8, %al: still 0xcc */
		0xf4,				/* hlt */
	};
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct khv_regs regs;
	uint8_t *ro = NULL;
	int r;

	REAL_MODE_GUEST(vm, vcpu, code);
	r = vm_add_region(vm, 1, 0x20000, 0x1000, KHV_MEM_READONLY, (void **)&ro);
	ASSERT_EQ(0, r) TH_LOG("read-only region: %s", strerror(-r));
	memset(ro, 0xcc, 0x1000);

	EXPECT_MMIO_WRITE(vcpu, 0x20008, 1, 0x77);
	vcpu_run_exit(vcpu, KHV_EXIT_HLT);
	ASSERT_EQ(0, vcpu_get_regs(vcpu, &regs));
	EXPECT_EQ(0xcc, regs.rbx & 0xff);
	EXPECT_EQ(0xcc, regs.rax & 0xff);
	EXPECT_EQ(0xcc, ro[8]);
	munmap(ro, 0x1000);
	vm_free(vm);
}

TEST_F(guest, emulation_failed_reports_bytes)
{
	static const uint8_t code[] = {
		0xb8, 0x00, 0x20,	/* mov $0x2000, %ax */
		0x8e, 0xd8,		/* mov %ax, %ds */
		0xbb, 0x40, 0x00,	/* mov $0x40, %bx */
		0x00, 0x07,		/* add %al, (%bx): read-modify-write */
		0xf4,			/* hlt */
	};
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct khv_regs regs;

	REAL_MODE_GUEST(vm, vcpu, code);
	vcpu_run_exit(vcpu, KHV_EXIT_EMULATION_FAILED);
	EXPECT_EQ(0x20040, vcpu->run->emulation.gpa);
	ASSERT_LE(2, vcpu->run->emulation.insn_len);
	ASSERT_GE(15, vcpu->run->emulation.insn_len);
	EXPECT_EQ(0x00, vcpu->run->emulation.insn[0]);
	EXPECT_EQ(0x07, vcpu->run->emulation.insn[1]);
	/* Not emulated, not skipped: RIP still at the instruction. */
	ASSERT_EQ(0, vcpu_get_regs(vcpu, &regs));
	EXPECT_EQ(CODE_GPA + 8, regs.rip);
	vm_free(vm);
}

/* ---- several vCPUs and VMs ----------------------------------------------- */

struct loop_job {
	struct khv_test_vcpu *vcpu;
	uint64_t id;
	int result;		/* 0: every SYNC right, then DONE */
	char why[512];
};

/* A thread's run of guest_code_loop(): no harness ASSERTs off the main thread. */
static void *loop_thread(void *arg)
{
	struct loop_job *job = arg;
	char file[64], msg[128];
	struct ucall uc;
	uint64_t i, cmd;
	int r;

	job->result = -1;
	for (i = 0; i <= GUEST_LOOP_ROUNDS; i++) {
		r = vcpu_run(job->vcpu);
		if (r) {
			snprintf(job->why, sizeof(job->why), "KHV_RUN: %s", strerror(-r));
			return NULL;
		}
		cmd = vcpu_get_ucall(job->vcpu, &uc, file, sizeof(file), msg, sizeof(msg));
		if (i == GUEST_LOOP_ROUNDS && cmd == UCALL_DONE)
			break;
		if (cmd != UCALL_SYNC || uc.args[0] != job->id || uc.args[1] != i) {
			if (cmd == UCALL_NONE)
				vcpu_describe_exit(job->vcpu, job->why, sizeof(job->why));
			else
				snprintf(job->why, sizeof(job->why),
					 "round %llu: ucall %llu (%llu, %llu) %s:%llu %s",
					 (unsigned long long)i, (unsigned long long)cmd,
					 (unsigned long long)uc.args[0],
					 (unsigned long long)uc.args[1], file,
					 (unsigned long long)uc.line, msg);
			return NULL;
		}
	}
	job->result = 0;
	return NULL;
}

static void run_loop_jobs(struct __test_metadata *_metadata, struct loop_job *jobs, int nr)
{
	pthread_t threads[16];
	int i;

	for (i = 0; i < nr; i++)
		ASSERT_EQ(0, pthread_create(&threads[i], NULL, loop_thread, &jobs[i]));
	for (i = 0; i < nr; i++)
		ASSERT_EQ(0, pthread_join(threads[i], NULL));
	for (i = 0; i < nr; i++)
		EXPECT_EQ(0, jobs[i].result)
			TH_LOG("job %d: %s", i, jobs[i].why);
}

TEST_F(guest, two_vcpus_in_one_vm)
{
	struct loop_job jobs[2];
	struct khv_test_vm *vm;
	int i, r;

	if (khv_nr_online_cpus() < 2)
		SKIP(return, "one online CPU: a VM may have only one vCPU");
	memset(jobs, 0, sizeof(jobs));
	vm = vm_create_for_guest_code();
	for (i = 0; i < 2; i++) {
		jobs[i].vcpu = vm_vcpu_add(vm, i);
		jobs[i].id = i;
		r = vcpu_set_long_mode(jobs[i].vcpu, guest_code_loop, i);
		ASSERT_EQ(0, r) TH_LOG("long mode: %s", strerror(-r));
	}
	run_loop_jobs(_metadata, jobs, 2);
	vm_free(vm);
}

#define NR_VMS	8

TEST_F_TIMEOUT(guest, eight_vms_at_once, 120)
{
	struct khv_test_vm *vms[NR_VMS];
	struct loop_job jobs[NR_VMS];
	long base = state_long(_metadata, "vms");
	int i, r;

	memset(jobs, 0, sizeof(jobs));
	for (i = 0; i < NR_VMS; i++) {
		vms[i] = vm_create_for_guest_code();
		jobs[i].vcpu = vm_vcpu_add(vms[i], 0);
		jobs[i].id = 100 + i;
		r = vcpu_set_long_mode(jobs[i].vcpu, guest_code_loop, jobs[i].id);
		ASSERT_EQ(0, r) TH_LOG("long mode: %s", strerror(-r));
	}
	EXPECT_EQ(base + NR_VMS, state_long(_metadata, "vms"));
	run_loop_jobs(_metadata, jobs, NR_VMS);
	for (i = 0; i < NR_VMS; i++)
		vm_free(vms[i]);
	EXPECT_EQ(base, wait_vms(_metadata, base));
}

/* ---- signals, immediate_exit, close while running ------------------------ */

static void noop_handler(int sig)
{
	(void)sig;
}

static void install_kick_handler(struct __test_metadata *_metadata)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = noop_handler;	/* no SA_RESTART: KHV_RUN must return */
	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
}

struct spin_job {
	int vcpu_fd;
	atomic_int done;
	int r;			/* KHV_RUN's result */
};

static void *spin_thread(void *arg)
{
	struct spin_job *job = arg;

	job->r = khv_ioctl(job->vcpu_fd, KHV_RUN, 0);
	atomic_store(&job->done, 1);
	return NULL;
}

/* Signal @t until its KHV_RUN returns (a signal before the ioctl is lost). */
static int kick_until_done(pthread_t t, struct spin_job *job)
{
	int i;

	for (i = 0; i < 3000 && !atomic_load(&job->done); i++) {
		pthread_kill(t, SIGUSR1);
		usleep(10000);
	}
	return atomic_load(&job->done) ? 0 : -ETIMEDOUT;
}

/*
 * A guest that never exits by itself: only host interrupts (the timer, the
 * signal's IPI) end its entries.
 */
static const uint8_t spin_code[] = {
	0xfb,			/* sti */
	0x90,			/* nop */
	0xeb, 0xfe,		/* jmp . */
};

/*
 * The same with the guest's IF clear: a host interrupt ends the entry all
 * the same (external-interrupt exiting, SDM Vol. 3C 25.2; the SVM INTR
 * intercept with V_INTR_MASKING, APM Vol. 2 15.21.1). Bochs 2.7 keeps the
 * interrupt masked for a VMX guest with IF clear; khv's VMX-preemption timer
 * ends such an entry there (Documentation/khv-abi.rst, "Leaving the guest").
 */
static const uint8_t cli_spin_code[] = {
	0xfa,			/* cli */
	0xeb, 0xfe,		/* jmp . */
};

/*
 * The same with CPUID in the loop: every CPUID exits, and khv handles it and
 * enters again without leaving its backend's loop (Documentation/khv-abi.rst,
 * "Isolation on entry and exit"); a signal must still end the run.
 */
static const uint8_t cli_cpuid_spin_code[] = {
	0xfa,			/* cli */
	0x0f, 0xa2,		/* 1: cpuid */
	0xeb, 0xfc,		/* jmp 1b */
};

/* KHV_RUN in another thread, ended by signals @rounds times; the guest spins at @rip. */
static void kick_spinning_guest(struct __test_metadata *_metadata,
				struct khv_test_vcpu *vcpu, int rounds, __u64 rip)
{
	struct khv_regs regs;
	struct spin_job job;
	pthread_t t;
	int i, r;

	for (i = 0; i < rounds; i++) {
		memset(&job, 0, sizeof(job));
		job.vcpu_fd = vcpu->fd;
		ASSERT_EQ(0, pthread_create(&t, NULL, spin_thread, &job));
		usleep(100000);
		r = kick_until_done(t, &job);
		if (r) {
			/* Do not leave a thread spinning in the guest behind. */
			vcpu->run->immediate_exit = 1;
			kick_until_done(t, &job);
		}
		ASSERT_EQ(0, r) TH_LOG("KHV_RUN did not return for a signal");
		ASSERT_EQ(0, pthread_join(t, NULL));
		EXPECT_EQ(-EINTR, job.r);
		EXPECT_EQ(KHV_EXIT_INTR, vcpu->run->exit_reason);
		ASSERT_EQ(0, vcpu_get_regs(vcpu, &regs));
		/* cli_cpuid_spin_code stops at its CPUID or its JMP. */
		if (regs.rip != rip + 2)
			EXPECT_EQ(rip, regs.rip) TH_LOG("round %d: the guest did not run", i);
	}
}


TEST_F(guest, signal_kick_returns_eintr)
{
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct khv_regs regs;
	int r;

	install_kick_handler(_metadata);
	REAL_MODE_GUEST(vm, vcpu, spin_code);

	/* immediate_exit: -EINTR before the guest runs an instruction. */
	vcpu->run->immediate_exit = 1;
	r = vcpu_run(vcpu);
	EXPECT_EQ(-EINTR, r);
	EXPECT_EQ(KHV_EXIT_INTR, vcpu->run->exit_reason);
	ASSERT_EQ(0, vcpu_get_regs(vcpu, &regs));
	EXPECT_EQ(CODE_GPA, regs.rip);
	vcpu->run->immediate_exit = 0;

	/* A signal to the thread in KHV_RUN, twice: the vCPU can be resumed. */
	kick_spinning_guest(_metadata, vcpu, 2, CODE_GPA + 2);
	vm_free(vm);
}

TEST_F(guest, signal_kick_ends_a_spin_with_if_clear)
{
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct khv_regs regs;

	install_kick_handler(_metadata);
	REAL_MODE_GUEST(vm, vcpu, cli_spin_code);
	ASSERT_EQ(0, vcpu_get_regs(vcpu, &regs));
	regs.rflags |= X86_RFLAGS_IF;	/* the guest's own CLI clears it */
	ASSERT_EQ(0, vcpu_set_regs(vcpu, &regs));
	kick_spinning_guest(_metadata, vcpu, 2, CODE_GPA + 1);
	ASSERT_EQ(0, vcpu_get_regs(vcpu, &regs));
	EXPECT_EQ(0, regs.rflags & X86_RFLAGS_IF);
	vm_free(vm);
}

/*
 * Bochs keeps a host interrupt masked while a VMX guest runs with IF clear;
 * each CPUID exit re-arms the backstop timer: only the bound on a run of
 * entries gives the CPU back to the signal's IPI there.
 */
TEST_F(guest, signal_kick_ends_a_cpuid_spin_with_if_clear)
{
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct khv_regs regs;

	install_kick_handler(_metadata);
	REAL_MODE_GUEST(vm, vcpu, cli_cpuid_spin_code);
	kick_spinning_guest(_metadata, vcpu, 2, CODE_GPA + 1);
	ASSERT_EQ(0, vcpu_get_regs(vcpu, &regs));
	EXPECT_EQ(0, regs.rflags & X86_RFLAGS_IF);
	vm_free(vm);
}

TEST_F(guest, close_vm_while_vcpu_runs_in_other_thread)
{
	long base = state_long(_metadata, "vms");
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct spin_job job;
	pthread_t t;
	int r;

	install_kick_handler(_metadata);
	REAL_MODE_GUEST(vm, vcpu, spin_code);
	EXPECT_EQ(base + 1, state_long(_metadata, "vms"));
	memset(&job, 0, sizeof(job));
	job.vcpu_fd = vcpu->fd;
	ASSERT_EQ(0, pthread_create(&t, NULL, spin_thread, &job));
	usleep(200000);

	/* Everything but the vCPU fd goes while the guest runs. */
	ASSERT_EQ(0, munmap(vm->mem, vm->mem_size));
	vm->mem = MAP_FAILED;
	ASSERT_EQ(0, munmap(vcpu->run, vm->run_size));
	vcpu->run = NULL;
	ASSERT_EQ(0, close(vm->fd));
	vm->fd = -1;
	EXPECT_FALSE(atomic_load(&job.done)) TH_LOG("KHV_RUN returned early: %d", job.r);
	/* The vCPU fd holds the VM. */
	EXPECT_EQ(base + 1, state_long(_metadata, "vms"));

	r = kick_until_done(t, &job);
	ASSERT_EQ(0, r) TH_LOG("KHV_RUN did not return for a signal");
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(-EINTR, job.r);

	/* The orphaned vCPU still answers; its last close frees the VM. */
	EXPECT_EQ(0, khv_ioctl(vcpu->fd, KHV_GET_REGS, (unsigned long)&(struct khv_regs){}));
	vm_free(vm);
	EXPECT_EQ(base, wait_vms(_metadata, base));
}

/* ---- faults -------------------------------------------------------------- */

TEST_F(guest, triple_fault_is_shutdown)
{
	static const uint8_t code[] = {
		0xcc,		/* int3: no IDT entry, no #GP or #DF entry either */
		0xf4,		/* hlt: never reached */
	};
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct khv_sregs sregs;
	int r;

	/* Real mode: an IVT of limit 0. */
	REAL_MODE_GUEST(vm, vcpu, code);
	ASSERT_EQ(0, vcpu_get_sregs(vcpu, &sregs));
	sregs.idt.base = 0;
	sregs.idt.limit = 0;
	ASSERT_EQ(0, vcpu_set_sregs(vcpu, &sregs));
	vcpu_run_exit(vcpu, KHV_EXIT_SHUTDOWN);
	vm_free(vm);

	/* Protected mode: the lib's IDT limit is 0 there. */
	vm = vm_create_with_ram(SMALL_RAM + 0x10000);
	vcpu = vm_vcpu_add(vm, 0);
	ASSERT_EQ(0, vm_load_code(vm, CODE_GPA, code, sizeof(code)));
	r = vcpu_set_protected_mode(vcpu, CODE_GPA);
	ASSERT_EQ(0, r) TH_LOG("protected mode: %s", strerror(-r));
	ASSERT_EQ(0, vcpu_get_sregs(vcpu, &sregs));
	ASSERT_EQ(0, sregs.idt.limit);
	vcpu_run_exit(vcpu, KHV_EXIT_SHUTDOWN);
	vm_free(vm);
}

/*
 * State that passes KHV_SET_SREGS's checks but that the hardware refuses:
 * a 64-bit code segment with D set (SDM Vol. 3C 27.3.1.2, APM 15.5.1). The
 * run ends with KHV_EXIT_FAIL_ENTRY and the hardware's reason. What the
 * guest state holds after a refused entry is the hardware's business (QEMU
 * writes part of its own back): user space sets it again, as a VMM would,
 * and the same vCPU enters and runs.
 */
TEST_F(guest, refused_entry_is_fail_entry_and_recoverable)
{
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct khv_sregs sregs, good;
	struct khv_regs regs;
	struct ucall uc;

	vm = vm_create_with_one_vcpu(&vcpu, guest_code_sync_values, 0x55);
	ASSERT_EQ(0, vcpu_get_regs(vcpu, &regs));
	ASSERT_EQ(0, vcpu_get_sregs(vcpu, &good));
	sregs = good;
	sregs.cs.db = 1;
	ASSERT_EQ(0, vcpu_set_sregs(vcpu, &sregs));

	vcpu_run_exit(vcpu, KHV_EXIT_FAIL_ENTRY);
	EXPECT_NE(0, vcpu->run->fail_entry.hardware_reason);
	EXPECT_GT(sysconf(_SC_NPROCESSORS_ONLN), (long)vcpu->run->fail_entry.cpu);
	TH_LOG("entry refused: hardware reason %#llx",
	       (unsigned long long)vcpu->run->fail_entry.hardware_reason);

	ASSERT_EQ(0, vcpu_set_sregs(vcpu, &good));
	ASSERT_EQ(0, vcpu_set_regs(vcpu, &regs));
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	EXPECT_EQ(0x55, uc.args[0]);
	vm_free(vm);
}

/* ---- lifetimes ----------------------------------------------------------- */

#define NR_CYCLES	1000

TEST_F_TIMEOUT(guest, create_run_destroy_1000_cycles_no_leak, 1500)
{
	static const uint8_t code[] = {
		0xb0, 0x42,	/* mov $0x42, %al */
		0xe6, 0x10,	/* out %al, $0x10 */
		0xf4,		/* hlt */
	};
	long base = state_long(_metadata, "vms");
	long created = state_long(_metadata, "vms_created");
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	int i;

	for (i = 0; i < NR_CYCLES; i++) {
		vm = vm_create_with_ram(0x2000);
		vcpu = vm_vcpu_add(vm, 0);
		ASSERT_EQ(0, vm_load_code(vm, CODE_GPA, code, sizeof(code)));
		ASSERT_EQ(0, vcpu_set_real_mode(vcpu, CODE_GPA));
		vcpu_run_exit(vcpu, KHV_EXIT_IO);
		ASSERT_EQ(0x42, io_data(vcpu)[0]);
		vcpu_run_exit(vcpu, KHV_EXIT_HLT);
		vm_free(vm);
	}
	EXPECT_EQ(base, wait_vms(_metadata, base));
	EXPECT_EQ(created + NR_CYCLES, state_long(_metadata, "vms_created"));
}

/* ---- long region calls, and memory leaving the guest --------------------- */

#define SZ_2M		(2ull << 20)
#define SZ_1M		(1ull << 20)

/* What a child making a region call tells the test (a shared page). */
struct region_call {
	atomic_int started;
	atomic_int finished;	/* the ioctl returned to user space */
	int result;
};

static struct region_call *region_call_alloc(void)
{
	void *p = mmap(NULL, sizeof(struct region_call), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/*
 * Fork a child that makes KHV_SET_MEMORY_REGION on @vmfd (on @cpu, if not
 * -1) and reports to @rc, then waits to be killed.
 */
static pid_t region_call_fork(int vmfd, uint32_t slot, uint64_t gpa, uint64_t size,
			      int cpu, struct region_call *rc)
{
	struct khv_memory_region mr;
	pid_t pid;
	int r;

	pid = fork();
	if (pid)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (cpu >= 0)
		khv_pin_to_cpu(cpu);
	memset(&mr, 0, sizeof(mr));
	mr.slot = slot;
	mr.guest_phys_addr = gpa;
	mr.size = size;
	atomic_store(&rc->started, 1);
	r = khv_ioctl(vmfd, KHV_SET_MEMORY_REGION, (unsigned long)&mr);
	rc->result = r;
	atomic_store(&rc->finished, 1);
	for (;;)
		pause();
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* MemAvailable in bytes, 0 if unknown. */
static uint64_t mem_available(void)
{
	uint64_t kb = 0;

	return khv_meminfo_kb("MemAvailable", &kb) ? 0 : kb << 10;
}

/* Free memory in bytes: sysinfo() is far cheaper than /proc/meminfo. */
static uint64_t mem_free(void)
{
	struct sysinfo si;

	return sysinfo(&si) ? 0 : (uint64_t)si.freeram * si.mem_unit;
}

/* Wait up to @ms for @pid; 0 once reaped, -ETIMEDOUT. */
static int reap(pid_t pid, int ms)
{
	for (; ms > 0; ms--) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return 0;
		usleep(1000);
	}
	return -ETIMEDOUT;
}

/*
 * Half the free memory, at most 1 GiB, as one region: a caller killed once an
 * eighth of it is allocated must stop there (the memory in use grows by less
 * than another eighth; the old code went on to allocate all of it), its
 * process must end, and the pages and the VM must be freed. Measured in
 * memory, not time: the emulated hosts' speed varies tenfold with the load of
 * the machine under them, and freeing the pages one by one is what takes the
 * time there.
 */
TEST_F_TIMEOUT(guest, large_region_creation_stops_when_killed, 600)
{
	long base = state_long(_metadata, "vms");
	uint64_t before = mem_free(), size, avail, lowest, at_kill, t0, after = 0;
	struct region_call *rc;
	pid_t pid;
	int vm, i;

	size = mem_available() / 2;
	if (size > (1ull << 30))
		size = 1ull << 30;
	size &= ~(SZ_2M - 1);
	if (size < 64 * SZ_1M)
		SKIP(return, "MemAvailable %llu MiB: too little for a large region",
		     (unsigned long long)(mem_available() >> 20));
	rc = region_call_alloc();
	ASSERT_NE(NULL, rc);
	vm = khv_create_vm(self->devfd);
	ASSERT_LE(0, vm) TH_LOG("KHV_CREATE_VM: %s", strerror(-vm));
	pid = region_call_fork(vm, 0, 0, size, -1, rc);
	ASSERT_LE(0, pid);
	close(vm);

	/* Kill once an eighth is allocated. */
	lowest = before;
	for (i = 0; i < 1200000 && !atomic_load(&rc->finished); i++) {
		avail = mem_free();
		lowest = avail < lowest ? avail : lowest;
		if (before - lowest >= size / 8)
			break;
		usleep(50);
	}
	at_kill = before - lowest;
	ASSERT_EQ(0, kill(pid, SIGKILL));
	if (atomic_load(&rc->finished) || at_kill > size / 8 * 5) {
		reap(pid, 120000);
		SKIP(return, "%llu MiB made too fast to interrupt: %llu MiB in use at the kill",
		     (unsigned long long)(size >> 20), (unsigned long long)(at_kill >> 20));
	}
	/* Until it is gone: how far the memory in use still grew. */
	t0 = now_ns();
	for (i = 0; i < 1200000; i++) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			break;
		avail = mem_free();
		lowest = avail < lowest ? avail : lowest;
		usleep(100);
	}
	ASSERT_GT(1200000, i) TH_LOG("the killed child did not exit");
	TH_LOG("%llu MiB region: %llu MiB in use at the kill, at most %llu MiB after; gone in %llu ms",
	       (unsigned long long)(size >> 20), (unsigned long long)(at_kill >> 20),
	       (unsigned long long)((before - lowest) >> 20),
	       (unsigned long long)((now_ns() - t0) / 1000000));
	EXPECT_FALSE(atomic_load(&rc->finished)) TH_LOG("the call returned before the kill");
	EXPECT_GT(size / 8, before - lowest - at_kill)
		TH_LOG("a killed KHV_SET_MEMORY_REGION went on allocating");

	/* Nothing left: the VM, and the pages allocated before the kill. */
	EXPECT_EQ(base, wait_vms(_metadata, base));
	for (i = 0; i < 100; i++) {
		after = mem_free();
		if (after + 32 * SZ_1M >= before)
			break;
		usleep(10000);
	}
	EXPECT_LE(before, after + 32 * SZ_1M)
		TH_LOG("free memory %llu MiB before, %llu MiB after",
		       (unsigned long long)(before >> 20), (unsigned long long)(after >> 20));
	munmap(rc, sizeof(*rc));
}

/* The range guest_code_spin_on_range() spins on: in the guest's identity map. */
#define SPIN_GPA	0x20000000ull	/* 512 MiB */

struct spin_range_job {
	struct khv_test_vcpu *vcpu;
	int cpu;
	atomic_int done;
	int result;		/* 0: the guest ended with GUEST_DONE */
	char why[512];
};

/* Run the spinning guest on its CPU: MMIO reads of the range read GUEST_SPIN_MMIO. */
static void *spin_range_thread(void *arg)
{
	static const uint64_t mmio = GUEST_SPIN_MMIO;
	struct spin_range_job *job = arg;
	struct khv_run *run = job->vcpu->run;
	char file[64], msg[128];
	struct ucall uc;
	uint64_t cmd;
	int r;

	job->result = -1;
	khv_pin_to_cpu(job->cpu);
	for (;;) {
		r = vcpu_run(job->vcpu);
		if (r) {
			snprintf(job->why, sizeof(job->why), "KHV_RUN: %s", strerror(-r));
			break;
		}
		if (run->exit_reason == KHV_EXIT_MMIO && run->mmio.phys_addr == SPIN_GPA) {
			if (!run->mmio.is_write)
				memcpy(run->mmio.data, &mmio, sizeof(mmio));
			continue;
		}
		cmd = vcpu_get_ucall(job->vcpu, &uc, file, sizeof(file), msg, sizeof(msg));
		if (cmd == UCALL_DONE) {
			job->result = 0;
			break;
		}
		if (cmd == UCALL_NONE)
			vcpu_describe_exit(job->vcpu, job->why, sizeof(job->why));
		else
			snprintf(job->why, sizeof(job->why), "ucall %llu %s:%llu %s (0x%llx, 0x%llx)",
				 (unsigned long long)cmd, file, (unsigned long long)uc.line, msg,
				 (unsigned long long)uc.args[0], (unsigned long long)uc.args[1]);
		break;
	}
	atomic_store(&job->done, 1);
	return NULL;
}

/*
 * Kill @pid once the guest reads its range as RAM, before the call is done.
 * Short sleeps, no real-time priority: a poller that never lets go of its
 * CPU starves the call it waits for, and the kernel's own threads.
 */
static void kill_when_seen(volatile struct guest_spin *spin, struct region_call *rc,
			   struct spin_range_job *job, pid_t pid)
{
	uint64_t t0 = now_ns();

	while (!spin->seen && !atomic_load(&rc->finished) && !atomic_load(&job->done) &&
	       now_ns() - t0 < 60000000000ull)
		usleep(100);
	kill(pid, SIGKILL);
}

/*
 * A region call that fails after mapping part of its range frees the pages
 * it mapped: not before every vCPU has left the guest and flushed what it
 * cached. A vCPU spins on the range's first page, which the call maps first;
 * the call is killed (the only way this host has to make it fail part way:
 * it has no memory cgroups) as soon as the guest reads the page as RAM. The
 * guest must then read it as MMIO, never as anything else: with
 * init_on_free=1 (the qemu-svm host), a page freed under the guest reads as
 * zeroes.
 */
TEST_F_TIMEOUT(guest, region_failing_part_way_leaves_no_translation, 900)
{
	bool online[KHV_MAX_CPUS];
	int cpus[2], nr = 0, attempt, valid = 0, c;
	volatile struct guest_spin *spin;
	struct spin_range_job job;
	struct khv_test_vcpu *vcpu;
	struct region_call *rc;
	struct khv_test_vm *vm;
	uint64_t size;
	pthread_t t;
	pid_t pid;
	int r;

	khv_online_cpus(online);
	for (c = 0; c < KHV_MAX_CPUS && nr < 2; c++)
		if (online[c])
			cpus[nr++] = c;
	if (nr < 2)
		SKIP(return, "needs two online CPUs: one in the guest, one making the call");
	if (!khv_cmdline_has("init_on_free=1"))
		TH_LOG("init_on_free is off: a page freed under the guest keeps its data, unseen");
	size = mem_available() / 3;
	if (size > 448 * SZ_1M)
		size = 448 * SZ_1M;
	size &= ~(SZ_2M - 1);
	if (size < 16 * SZ_1M)
		SKIP(return, "too little free memory");

	for (attempt = 0; attempt < 8 && !valid; attempt++) {
		vm = vm_create_for_guest_code();
		vcpu = vm_vcpu_add(vm, 0);
		spin = (volatile struct guest_spin *)addr_gva2hva(vm, &guest_spin);
		r = vcpu_set_long_mode(vcpu, guest_code_spin_on_range, SPIN_GPA);
		ASSERT_EQ(0, r) TH_LOG("long mode: %s", strerror(-r));
		rc = region_call_alloc();
		ASSERT_NE(NULL, rc);

		memset(&job, 0, sizeof(job));
		job.vcpu = vcpu;
		job.cpu = cpus[1];
		ASSERT_EQ(0, pthread_create(&t, NULL, spin_range_thread, &job));
		pid = region_call_fork(vm->fd, 1, SPIN_GPA, size, cpus[0], rc);
		ASSERT_LE(0, pid);
		kill_when_seen(spin, rc, &job, pid);
		EXPECT_EQ(0, reap(pid, 120000)) TH_LOG("the killed child did not exit");

		/* The guest goes on reading for a while, then stops. */
		usleep(100000);
		spin->stop = 1;
		ASSERT_EQ(0, pthread_join(t, NULL));
		TH_LOG("attempt %d: seen %llu, call %s, left %llu, %llu reads as RAM", attempt,
		       (unsigned long long)spin->seen,
		       atomic_load(&rc->finished) ? "returned" : "killed",
		       (unsigned long long)spin->left, (unsigned long long)spin->reads);
		ASSERT_EQ(0, job.result) TH_LOG("guest: %s", job.why);
		/* Seen as RAM, then as MMIO: the call unmapped what it had mapped. */
		valid = spin->seen && spin->left;
		munmap(rc, sizeof(*rc));
		vm_free(vm);
	}
	if (!valid)
		SKIP(return, "no attempt killed the call while it mapped the range");
}

/* ---- argument checks ----------------------------------------------------- */

static int set_region(int vmfd, uint32_t slot, uint32_t flags, uint64_t gpa, uint64_t size)
{
	struct khv_memory_region mr;

	memset(&mr, 0, sizeof(mr));
	mr.slot = slot;
	mr.flags = flags;
	mr.guest_phys_addr = gpa;
	mr.size = size;
	return khv_ioctl(vmfd, KHV_SET_MEMORY_REGION, (unsigned long)&mr);
}

TEST_F(guest, memory_region_rejects_bad_args)
{
	static const struct {
		uint32_t slot, flags;
		uint64_t gpa, size;
		int err;
		const char *what;
	} cases[] = {
		{ 0, 1u << 1, 0, 0x1000, -EINVAL, "unknown flag 1 << 1" },
		{ 0, 1u << 31, 0, 0x1000, -EINVAL, "unknown flag 1 << 31" },
		{ KHV_MAX_MEM_SLOTS, 0, 0, 0x1000, -EINVAL, "slot KHV_MAX_MEM_SLOTS" },
		{ 0xffffffff, 0, 0, 0x1000, -EINVAL, "slot 0xffffffff" },
		{ 0, 0, 0, 0, -EINVAL, "size 0" },
		{ 0, 0, 0x800, 0x1000, -EINVAL, "unaligned gpa" },
		{ 0, 0, 0, 0x1800, -EINVAL, "unaligned size" },
		{ 0, 0, 0xfffffffffffff000ull, 0x2000, -EINVAL, "gpa + size wraps" },
		{ 0, 0, 1ull << 48, 0x1000, -EINVAL, "gpa at 2^48" },
		{ 0, 0, (1ull << 48) - 0x1000, 0x2000, -EINVAL, "end past 2^48" },
		{ 0, 0, 0, KHV_MAX_MEM_SIZE + 0x1000, -E2BIG, "size over KHV_MAX_MEM_SIZE" },
		/* Against slot 0 at [0x10000, 0x14000), set up below. */
		{ 0, 0, 0x100000, 0x1000, -EEXIST, "slot 0 again" },
		{ 1, 0, 0x12000, 0x4000, -EINVAL, "overlap at the end" },
		{ 1, 0, 0xe000, 0x4000, -EINVAL, "overlap at the start" },
		{ 1, 0, 0x11000, 0x1000, -EINVAL, "inside" },
		{ 1, 0, 0x0, 0x100000, -EINVAL, "around" },
		{ 1, KHV_MEM_READONLY, 0x13000, 0x1000, -EINVAL, "read-only overlap" },
	};
	struct khv_memory_region mr;
	long base = state_long(_metadata, "vms");
	void *p;
	size_t i, j;
	int vm, r;

	vm = khv_create_vm(self->devfd);
	ASSERT_LE(0, vm) TH_LOG("KHV_CREATE_VM: %s", strerror(-vm));
	for (j = 0; j < ARRAY_SIZE(mr.reserved); j++) {
		memset(&mr, 0, sizeof(mr));
		mr.size = 0x1000;
		mr.reserved[j] = 1;
		EXPECT_EQ(-EINVAL, khv_ioctl(vm, KHV_SET_MEMORY_REGION, (unsigned long)&mr))
			TH_LOG("reserved[%zu] = 1", j);
	}
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		if (i && cases[i - 1].err != -EEXIST && cases[i].err == -EEXIST) {
			r = set_region(vm, 0, 0, 0x10000, 0x4000);
			ASSERT_EQ(0, r) TH_LOG("slot 0: %s", strerror(-r));
		}
		r = set_region(vm, cases[i].slot, cases[i].flags, cases[i].gpa, cases[i].size);
		EXPECT_EQ(cases[i].err, r)
			TH_LOG("%s: got %d (%s)", cases[i].what, r, strerror(-r));
	}
	/* Neighbours are fine, and the highest page below 2^48 too. */
	EXPECT_EQ(0, set_region(vm, 1, 0, 0x14000, 0x1000));
	EXPECT_EQ(0, set_region(vm, 2, KHV_MEM_READONLY, 0xf000, 0x1000));
	EXPECT_EQ(0, set_region(vm, KHV_MAX_MEM_SLOTS - 1, 0, (1ull << 48) - 0x1000, 0x1000));

	/* mmap() only inside a region's window. */
	p = mmap(NULL, 0x1000, PROT_READ, MAP_SHARED, vm, 5 * KHV_MAX_MEM_SIZE);
	EXPECT_EQ(MAP_FAILED, p) TH_LOG("mmap of unused slot 5 succeeded");
	p = mmap(NULL, 0x5000, PROT_READ, MAP_SHARED, vm, 0);
	EXPECT_EQ(MAP_FAILED, p) TH_LOG("mmap past slot 0's end succeeded");
	close(vm);
	EXPECT_EQ(base, wait_vms(_metadata, base));
}

TEST_F(guest, vcpu_create_rejects_bad_args)
{
	struct khv_create_vcpu args;
	int nr = khv_nr_online_cpus(), max, vm, fd;
	uint32_t bad_ids[3];
	size_t i;

	max = nr < KHV_TEST_MAX_VCPUS ? nr : KHV_TEST_MAX_VCPUS;
	EXPECT_EQ(max, khv_check_extension(self->devfd, KHV_CAP_MAX_VCPUS));
	bad_ids[0] = max;
	bad_ids[1] = KHV_TEST_MAX_VCPUS;
	bad_ids[2] = 0xffffffff;
	vm = khv_create_vm(self->devfd);
	ASSERT_LE(0, vm) TH_LOG("KHV_CREATE_VM: %s", strerror(-vm));
	for (i = 0; i < ARRAY_SIZE(bad_ids); i++) {
		memset(&args, 0, sizeof(args));
		args.id = bad_ids[i];
		EXPECT_EQ(-EINVAL, khv_ioctl(vm, KHV_CREATE_VCPU, (unsigned long)&args))
			TH_LOG("id %u (%d CPUs online)", bad_ids[i], nr);
	}
	memset(&args, 0, sizeof(args));
	args.flags = 1;
	EXPECT_EQ(-EINVAL, khv_ioctl(vm, KHV_CREATE_VCPU, (unsigned long)&args));
	for (i = 0; i < ARRAY_SIZE(args.reserved); i++) {
		memset(&args, 0, sizeof(args));
		args.reserved[i] = 1ull << 63;
		EXPECT_EQ(-EINVAL, khv_ioctl(vm, KHV_CREATE_VCPU, (unsigned long)&args))
			TH_LOG("reserved[%zu]", i);
	}

	memset(&args, 0, sizeof(args));
	args.id = max - 1;
	fd = khv_ioctl(vm, KHV_CREATE_VCPU, (unsigned long)&args);
	ASSERT_LE(0, fd) TH_LOG("id %d: %s", max - 1, strerror(-fd));
	EXPECT_EQ(-EEXIST, khv_ioctl(vm, KHV_CREATE_VCPU, (unsigned long)&args));
	close(fd);
	/* The id stays taken while the VM lives, fd closed or not. */
	EXPECT_EQ(-EEXIST, khv_ioctl(vm, KHV_CREATE_VCPU, (unsigned long)&args));
	close(vm);
}

TEST_F(guest, set_regs_rejects_reserved_rflags_bits)
{
	static const uint64_t bad_rflags[] = {
		0,			/* bit 1 must be 1 */
		0x2 | 1ull << 3,
		0x2 | 1ull << 5,
		0x2 | 1ull << 15,
		0x2 | 1ull << 22,
		0x2 | 1ull << 32,
		0x2 | 1ull << 63,
	};
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct khv_regs regs, now;
	size_t i;

	vm = vm_create_with_ram(SMALL_RAM);
	vcpu = vm_vcpu_add(vm, 0);
	memset(&regs, 0, sizeof(regs));
	regs.rip = 0x1234;
	regs.rflags = 0x2;
	ASSERT_EQ(0, vcpu_set_regs(vcpu, &regs));
	for (i = 0; i < ARRAY_SIZE(bad_rflags); i++) {
		regs.rflags = bad_rflags[i];
		regs.rip = 0x5678;
		EXPECT_EQ(-EINVAL, vcpu_set_regs(vcpu, &regs))
			TH_LOG("rflags 0x%llx", (unsigned long long)bad_rflags[i]);
	}
	regs.rflags = 0x2;
	for (i = 0; i < ARRAY_SIZE(regs.reserved); i++) {
		regs.reserved[i] = 1;
		EXPECT_EQ(-EINVAL, vcpu_set_regs(vcpu, &regs)) TH_LOG("reserved[%zu]", i);
		regs.reserved[i] = 0;
	}
	/* Nothing of a refused call was applied. */
	ASSERT_EQ(0, vcpu_get_regs(vcpu, &now));
	EXPECT_EQ(0x1234, now.rip);
	EXPECT_EQ(0x2, now.rflags);
	/* The architecturally defined flags are accepted. */
	regs.rflags = 0x2 | 0x1 | 0x4 | 0x10 | 0x40 | 0x80 | 0x100 | 0x400 | 0x800;
	EXPECT_EQ(0, vcpu_set_regs(vcpu, &regs));
	vm_free(vm);
}

/* ---- host state a guest must not reach (issue 11) ------------------------ */

/* Keep this thread on the CPU it runs on now. */
static int pin_to_this_cpu(void)
{
	cpu_set_t set;
	int cpu = sched_getcpu();

	if (cpu < 0)
		return -errno;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : cpu;
}

TEST_F(guest, rdpmc_gets_gp)
{
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct ucall uc;
	int r;

	vm = vm_create_for_guest_code();
	vcpu = vm_vcpu_add(vm, 0);
	ASSERT_EQ(0, vm_set_idt_handler(vm, 6, guest_ud_skip_handler));
	ASSERT_EQ(0, vm_set_idt_handler(vm, 13, guest_gp_skip_handler));
	r = vcpu_set_long_mode(vcpu, guest_code_rdpmc, 0);
	ASSERT_EQ(0, r) TH_LOG("long mode: %s", strerror(-r));
	vcpu_run_to_ucall(vcpu, &uc, UCALL_DONE);
	vm_free(vm);
}

/*
 * The exits of instructions khv does not offer end in the guest, never in an
 * unknown exit: WBINVD and INVD run on, MONITOR, MWAIT and XSETBV get #UD
 * (both vendors' exit tables).
 */
TEST_F(guest, unoffered_instructions_end_in_the_guest)
{
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct ucall uc;
	int r;

	vm = vm_create_for_guest_code();
	vcpu = vm_vcpu_add(vm, 0);
	ASSERT_EQ(0, vm_set_idt_handler(vm, 6, guest_ud_skip_handler));
	r = vcpu_set_long_mode(vcpu, guest_code_unoffered, 0);
	ASSERT_EQ(0, r) TH_LOG("long mode: %s", strerror(-r));
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	EXPECT_EQ(3, uc.args[0]) TH_LOG("#UD raised %llu times", (unsigned long long)uc.args[0]);
	vcpu_run_to_ucall(vcpu, &uc, UCALL_DONE);
	vm_free(vm);
}

/*
 * The guest's debug registers are its own on both vendors: it reads none of
 * the host's DR0-3, sees RESET values, reads back what it wrote, and gets
 * #GP for DR7's high half (Documentation/khv-abi.rst, "Debug registers").
 */
TEST_F(guest, debug_registers_are_the_guests)
{
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct ucall uc;
	int r;

	vm = vm_create_for_guest_code();
	vcpu = vm_vcpu_add(vm, 0);
	ASSERT_EQ(0, vm_set_idt_handler(vm, 13, guest_gp_skip_handler));
	r = vcpu_set_long_mode(vcpu, guest_code_debugregs, 0);
	ASSERT_EQ(0, r) TH_LOG("long mode: %s", strerror(-r));
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	EXPECT_EQ(0, uc.args[0]);
	EXPECT_EQ(0, uc.args[1]);
	EXPECT_EQ(0, uc.args[2]);
	EXPECT_EQ(0, uc.args[3]);
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	EXPECT_EQ(0xffff0ff0, uc.args[0]) TH_LOG("DR6 %#llx", (unsigned long long)uc.args[0]);
	EXPECT_EQ(0x400, uc.args[1]) TH_LOG("DR7 %#llx", (unsigned long long)uc.args[1]);
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	EXPECT_EQ(0x1000, uc.args[0]);
	EXPECT_EQ(0xffffffff81000000ull, uc.args[1]);
	EXPECT_EQ(0x2222, uc.args[2]);
	EXPECT_EQ(0x3333, uc.args[3]);
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	EXPECT_EQ(1, uc.args[0]) TH_LOG("#GP raised %llu times", (unsigned long long)uc.args[0]);
	EXPECT_EQ(0x400, uc.args[1]) TH_LOG("DR7 %#llx", (unsigned long long)uc.args[1]);
	vcpu_run_to_ucall(vcpu, &uc, UCALL_DONE);
	vm_free(vm);
}

/* Does this host run on QEMU's TCG (hypervisor leaf "TCGTCGTCGTCG")? */
static bool host_is_qemu_tcg(void)
{
	uint32_t a, b, c, d;
	char sig[13];

	if (!host_cpuid_bit(1, 0, ECX, 31))
		return false;
	__cpuid(0x40000000, a, b, c, d);
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	sig[12] = 0;
	return !strcmp(sig, "TCGTCGTCGTCG");
}

/*
 * A data breakpoint the guest arms raises #DB in the guest, B0 in its DR6:
 * khv loads the guest's DR0-3 around such an entry. Skipped only on QEMU's
 * TCG, whose VMRUN takes DR7 from the VMCB without arming breakpoints.
 */
TEST_F(guest, guest_data_breakpoint_raises_db_in_the_guest)
{
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct ucall uc;
	int r;

	vm = vm_create_for_guest_code();
	vcpu = vm_vcpu_add(vm, 0);
	ASSERT_EQ(0, vm_set_idt_handler(vm, 1, guest_db_dr6_handler));
	r = vcpu_set_long_mode(vcpu, guest_code_data_breakpoint, 0);
	ASSERT_EQ(0, r) TH_LOG("long mode: %s", strerror(-r));
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	if (uc.args[0] == 0 && host_is_qemu_tcg()) {
		vm_free(vm);
		SKIP(return, "QEMU's TCG arms no breakpoint from a VMRUN's DR7");
	}
	EXPECT_EQ(1, uc.args[0]) TH_LOG("#DB raised %llu times", (unsigned long long)uc.args[0]);
	EXPECT_EQ(0xffff0ff1, uc.args[1]) TH_LOG("DR6 in the handler %#llx",
						  (unsigned long long)uc.args[1]);
	vcpu_run_to_ucall(vcpu, &uc, UCALL_DONE);
	vm_free(vm);
}

/*
 * INT1 (ICEBP) exits on both vendors (SVM's ICEBP intercept, VMX's
 * privileged-software-exception #DB exit); khv steps over it and delivers
 * the #DB trap, which returns just after it. Skipped only where the
 * processor itself raises #UD for the opcode (QEMU's TCG): then no exit
 * happened and khv had nothing to do.
 */
TEST_F(guest, icebp_raises_db_just_after_it)
{
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct ucall uc;
	int r;

	vm = vm_create_for_guest_code();
	vcpu = vm_vcpu_add(vm, 0);
	ASSERT_EQ(0, vm_set_idt_handler(vm, 1, guest_db_handler));
	ASSERT_EQ(0, vm_set_idt_handler(vm, 6, guest_ud_skip_handler));
	r = vcpu_set_long_mode(vcpu, guest_code_icebp, 0);
	ASSERT_EQ(0, r) TH_LOG("long mode: %s", strerror(-r));
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	if (uc.args[0] == 1 && uc.args[1] == 0) {
		vm_free(vm);
		SKIP(return, "this processor raises #UD for INT1 (0xf1) without an exit");
	}
	EXPECT_EQ(0, uc.args[0]) TH_LOG("#UD raised %llu times", (unsigned long long)uc.args[0]);
	EXPECT_EQ(1, uc.args[1]) TH_LOG("#DB raised %llu times", (unsigned long long)uc.args[1]);
	EXPECT_EQ((uint64_t)(uintptr_t)guest_icebp_next, uc.args[2])
		TH_LOG("#DB returned to %#llx", (unsigned long long)uc.args[2]);
	vcpu_run_to_ucall(vcpu, &uc, UCALL_DONE);
	vm_free(vm);
}

/*
 * CR4.PKE and CR4.OSXSAVE: allowed where the host has them on (khv switches
 * PKRU and XCR0), refused otherwise (#GP, and EINVAL from KHV_SET_SREGS);
 * other bits work.
 */
TEST_F(guest, cr4_pke_and_osxsave_follow_the_host)
{
	/* CPUID.1:ECX[27] OSXSAVE, CPUID.7.0:ECX[4] OSPKE: the host kernel's. */
	bool osxsave = host_cpuid_bit(1, 0, ECX, 27);
	bool ospke = host_cpuid_bit(7, 0, ECX, 4);
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct khv_sregs sregs;
	struct ucall uc;
	uint64_t cr4;
	int r;

	vm = vm_create_for_guest_code();
	vcpu = vm_vcpu_add(vm, 0);
	ASSERT_EQ(0, vm_set_idt_handler(vm, 13, guest_gp_skip_handler));
	r = vcpu_set_long_mode(vcpu, guest_code_cr4, 0);
	ASSERT_EQ(0, r) TH_LOG("long mode: %s", strerror(-r));
	ASSERT_EQ(0, vcpu_get_sregs(vcpu, &sregs));
	cr4 = sregs.cr4;
	sregs.cr4 = cr4 | X86_CR4_PKE;
	EXPECT_EQ(ospke ? 0 : -EINVAL, vcpu_set_sregs(vcpu, &sregs));
	sregs.cr4 = cr4 | X86_CR4_OSXSAVE;
	EXPECT_EQ(osxsave ? 0 : -EINVAL, vcpu_set_sregs(vcpu, &sregs));
	sregs.cr4 = cr4;
	ASSERT_EQ(0, vcpu_set_sregs(vcpu, &sregs));

	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	EXPECT_EQ(ospke ? 0 : 1, uc.args[0]) TH_LOG("#GPs after MOV to CR4 with PKE");
	EXPECT_EQ(ospke ? cr4 | X86_CR4_PKE : cr4, uc.args[1])
		TH_LOG("CR4 is %#llx", (unsigned long long)uc.args[1]);
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	EXPECT_EQ((ospke ? 0 : 1) + (osxsave ? 0 : 1), uc.args[0])
		TH_LOG("#GPs after MOV to CR4 with OSXSAVE");
	EXPECT_EQ(osxsave ? cr4 | X86_CR4_OSXSAVE : cr4, uc.args[1])
		TH_LOG("CR4 is %#llx", (unsigned long long)uc.args[1]);
	vcpu_run_to_ucall(vcpu, &uc, UCALL_DONE);
	vm_free(vm);
}

static uint32_t host_rdpkru(void)
{
	uint32_t eax, edx;

	asm volatile(".byte 0x0f, 0x01, 0xee" : "=a" (eax), "=d" (edx) : "c" (0));
	return eax;
}

#define GUEST_PKRU	0x0000000cu

/*
 * A guest's WRPKRU must not reach the VMM's PKRU (its user-memory keys), and
 * the guest keeps its own PKRU across exits.
 */
TEST_F(guest, guest_wrpkru_leaves_vmm_pkru)
{
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct ucall uc;
	uint32_t before;
	int r;

	/* CPUID.7.0:ECX[4] OSPKE: the host kernel turned protection keys on. */
	if (!host_cpuid_bit(7, 0, ECX, 4))
		SKIP(return, "CPU lacks PKU or the host kernel left it off");
	vm = vm_create_for_guest_code();
	vcpu = vm_vcpu_add(vm, 0);
	ASSERT_EQ(0, vm_set_idt_handler(vm, 6, guest_ud_skip_handler));
	ASSERT_EQ(0, vm_set_idt_handler(vm, 13, guest_gp_skip_handler));
	r = vcpu_set_long_mode(vcpu, guest_code_pkru, GUEST_PKRU);
	ASSERT_EQ(0, r) TH_LOG("long mode: %s", strerror(-r));
	before = host_rdpkru();
	ASSERT_NE(GUEST_PKRU, before);

	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	EXPECT_EQ(before, host_rdpkru()) TH_LOG("the guest's WRPKRU reached the VMM");
	EXPECT_EQ(0, uc.args[0]) TH_LOG("MOV to CR4 with PKE: #GP");
	EXPECT_EQ(0, uc.args[1]) TH_LOG("WRPKRU with CR4.PKE: #UD");
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	EXPECT_EQ(GUEST_PKRU, uc.args[0]) TH_LOG("the guest's PKRU after an exit");
	EXPECT_EQ(before, host_rdpkru());
	vcpu_run_to_ucall(vcpu, &uc, UCALL_DONE);
	EXPECT_EQ(before, host_rdpkru());
	vm_free(vm);
}

#define YMM_VMM_PATTERN		0x766d6d5f796d6d31ull	/* "1mmy_mmv" */
#define YMM_SIBLING_PATTERN	0x7369626c5f796d32ull

static const uint64_t ymm_vmm[4] __attribute__((aligned(32))) = {
	YMM_VMM_PATTERN, YMM_VMM_PATTERN, YMM_VMM_PATTERN, YMM_VMM_PATTERN,
};
static const uint64_t ymm_sibling[4] __attribute__((aligned(32))) = {
	YMM_SIBLING_PATTERN, YMM_SIBLING_PATTERN, YMM_SIBLING_PATTERN, YMM_SIBLING_PATTERN,
};

/*
 * Load @pattern into YMM0-15 and make the system call @nr right after, with
 * nothing in between that could clear the upper halves (libc's AVX string
 * functions end with VZEROUPPER).
 */
static long syscall_with_ymm(long nr, long a0, long a1, long a2, const uint64_t *pattern)
{
	long ret;

	asm volatile("vmovdqa (%[p]), %%ymm0\n\t"
		     "vmovdqa (%[p]), %%ymm1\n\t"
		     "vmovdqa (%[p]), %%ymm2\n\t"
		     "vmovdqa (%[p]), %%ymm3\n\t"
		     "vmovdqa (%[p]), %%ymm4\n\t"
		     "vmovdqa (%[p]), %%ymm5\n\t"
		     "vmovdqa (%[p]), %%ymm6\n\t"
		     "vmovdqa (%[p]), %%ymm7\n\t"
		     "vmovdqa (%[p]), %%ymm8\n\t"
		     "vmovdqa (%[p]), %%ymm9\n\t"
		     "vmovdqa (%[p]), %%ymm10\n\t"
		     "vmovdqa (%[p]), %%ymm11\n\t"
		     "vmovdqa (%[p]), %%ymm12\n\t"
		     "vmovdqa (%[p]), %%ymm13\n\t"
		     "vmovdqa (%[p]), %%ymm14\n\t"
		     "vmovdqa (%[p]), %%ymm15\n\t"
		     "syscall"
		     : "=a" (ret)
		     : "0" (nr), "D" (a0), "S" (a1), "d" (a2), [p] "r" (pattern)
		     : "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4",
		       "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",
		       "xmm12", "xmm13", "xmm14", "xmm15");
	return ret;
}

static atomic_int ymm_sibling_stop;

/* On the vCPU thread's CPU: its own pattern in the registers, then yield. */
static void *ymm_sibling_thread(void *arg)
{
	cpu_set_t *set = arg;

	if (sched_setaffinity(0, sizeof(*set), set))
		return NULL;
	while (!atomic_load(&ymm_sibling_stop))
		syscall_with_ymm(SYS_sched_yield, 0, 0, 0, ymm_sibling);
	return NULL;
}

#define YMM_ROUNDS	200

/*
 * kernel_fpu_begin() saves the task's extended state but leaves it in the
 * registers: a guest (with CR4.OSXSAVE and AVX in its XCR0) must not see the
 * YMM upper halves of the VMM thread (loaded right before KHV_RUN) or of
 * another thread on the same CPU.
 */
TEST_F_TIMEOUT(guest, ymm_high_of_other_tasks_not_visible, 120)
{
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	pthread_t sibling;
	cpu_set_t set;
	struct ucall uc;
	char why[256];
	int cpu, r;
	long ret;

	/* AVX and OSXSAVE, and the kernel enabled YMM state in XCR0. */
	if (!host_cpuid_bit(1, 0, ECX, 28) || !host_cpuid_bit(1, 0, ECX, 27))
		SKIP(return, "CPU lacks AVX");
	cpu = pin_to_this_cpu();
	ASSERT_LE(0, cpu) TH_LOG("pinning: %s", strerror(-cpu));
	vm = vm_create_for_guest_code();
	vcpu = vm_vcpu_add(vm, 0);
	ASSERT_EQ(0, vm_set_idt_handler(vm, 13, guest_gp_skip_handler));
	r = vcpu_set_long_mode(vcpu, guest_code_ymm, YMM_ROUNDS);
	ASSERT_EQ(0, r) TH_LOG("long mode: %s", strerror(-r));
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	atomic_store(&ymm_sibling_stop, 0);
	ASSERT_EQ(0, pthread_create(&sibling, NULL, ymm_sibling_thread, &set));

	ret = syscall_with_ymm(SYS_ioctl, vcpu->fd, KHV_RUN, 0, ymm_vmm);
	atomic_store(&ymm_sibling_stop, 1);
	pthread_join(sibling, NULL);
	ASSERT_EQ(0, ret) TH_LOG("KHV_RUN: %s", strerror(-ret));
	vcpu_describe_exit(vcpu, why, sizeof(why));
	ASSERT_EQ(UCALL_SYNC, vcpu_get_ucall(vcpu, &uc, NULL, 0, NULL, 0))
		TH_LOG("not a ucall: %s", why);
	EXPECT_NE(YMM_SEEN, uc.args[0])
		TH_LOG("the guest saw YMM upper halves %#llx (VMM thread %#llx, other thread %#llx)",
		       (unsigned long long)uc.args[1], YMM_VMM_PATTERN, YMM_SIBLING_PATTERN);
	EXPECT_EQ(YMM_CLEAN, uc.args[0]) TH_LOG("the guest found %llu (%#llx)",
					     (unsigned long long)uc.args[0],
					     (unsigned long long)uc.args[1]);
	vm_free(vm);
}

static uint32_t host_rdtscp_aux(void)
{
	uint32_t lo, hi, aux;

	asm volatile("rdtscp" : "=a" (lo), "=d" (hi), "=c" (aux));
	return aux;
}

/*
 * TSC_AUX: RDTSCP and RDPID in the guest see the guest's value; the host's
 * (Linux: node << 12 | CPU, what getcpu() in the vDSO reads) never changes.
 */
TEST_F(guest, tsc_aux_is_the_guests)
{
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	uint32_t host_aux;
	struct ucall uc;
	uint64_t v;
	int cpu, r;

	/* CPUID 8000_0001h:EDX[27] RDTSCP. */
	if (!host_cpuid_bit(0x80000001, 0, EDX, 27))
		SKIP(return, "CPU lacks RDTSCP");
	cpu = pin_to_this_cpu();
	ASSERT_LE(0, cpu) TH_LOG("pinning: %s", strerror(-cpu));
	host_aux = host_rdtscp_aux();
	ASSERT_EQ((uint32_t)cpu, host_aux & 0xfff);

	vm = vm_create_for_guest_code();
	vcpu = vm_vcpu_add(vm, 0);
	ASSERT_EQ(0, vm_set_idt_handler(vm, 6, guest_ud_skip_handler));
	ASSERT_EQ(0, vm_set_idt_handler(vm, 13, guest_gp_skip_handler));
	v = GUEST_TSC_AUX_VALUE;
	r = vcpu_msr(vcpu, KHV_SET_MSRS, MSR_TSC_AUX, &v);
	ASSERT_EQ(0, r) TH_LOG("KHV_SET_MSRS TSC_AUX: %s", strerror(-r));
	v = 1ull << 32;
	EXPECT_EQ(-EINVAL, vcpu_msr(vcpu, KHV_SET_MSRS, MSR_TSC_AUX, &v));
	r = vcpu_set_long_mode(vcpu, guest_code_tsc_aux, 0);
	ASSERT_EQ(0, r) TH_LOG("long mode: %s", strerror(-r));

	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	EXPECT_EQ(GUEST_TSC_AUX_VALUE, uc.args[0]) TH_LOG("RDTSCP in the guest");
	EXPECT_EQ(host_aux, host_rdtscp_aux());
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	if (uc.args[0] == RDPID_RAN) {
		EXPECT_EQ(GUEST_TSC_AUX_VALUE, uc.args[1]) TH_LOG("RDPID in the guest");
	} else {
		TH_LOG("RDPID not checked: %s", uc.args[0] == RDPID_UD ?
		       "#UD though CPUID offers it (the emulator's)" : "not offered");
	}
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	EXPECT_EQ(GUEST_TSC_AUX_VALUE2, uc.args[0]) TH_LOG("RDTSCP after the guest's WRMSR");
	EXPECT_EQ(GUEST_TSC_AUX_VALUE2, uc.args[1]) TH_LOG("RDMSR TSC_AUX");
	EXPECT_EQ(host_aux, host_rdtscp_aux());
	vcpu_run_to_ucall(vcpu, &uc, UCALL_DONE);
	v = 0;
	EXPECT_EQ(0, vcpu_msr(vcpu, KHV_GET_MSRS, MSR_TSC_AUX, &v));
	EXPECT_EQ(GUEST_TSC_AUX_VALUE2, v);
	EXPECT_EQ(host_aux, host_rdtscp_aux());
	vm_free(vm);
}

/*
 * An exit during the delivery of an event: a single-step #DB onto a stack
 * that is no RAM. khv cannot emulate the delivery (KHV_EXIT_INTERNAL_ERROR,
 * the event in info[0], the address in info[1]) but keeps the event: once
 * the VMM maps RAM there, the same #DB arrives, returning where it should.
 */
TEST_F(guest, event_delivery_interrupted_is_delivered_again)
{
	uint64_t top = GUEST_DB_STACK_BASE + GUEST_DB_STACK_SIZE;
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct khv_run *run;
	char why[256];
	struct ucall uc;
	int r;

	vm = vm_create_for_guest_code();
	vcpu = vm_vcpu_add(vm, 0);
	ASSERT_GT(GUEST_DB_STACK_BASE, (uint64_t)vm->mem_size);
	ASSERT_EQ(0, vm_set_idt_handler(vm, 1, guest_db_handler));
	r = vcpu_set_long_mode(vcpu, guest_code_db_on_stack, top);
	ASSERT_EQ(0, r) TH_LOG("long mode: %s", strerror(-r));
	run = vcpu->run;

	ASSERT_EQ(0, vcpu_run(vcpu));
	vcpu_describe_exit(vcpu, why, sizeof(why));
	ASSERT_EQ(KHV_EXIT_INTERNAL_ERROR, run->exit_reason) TH_LOG("%s", why);
	/* EXITINTINFO (SVM) and IDT-vectoring information (VMX) agree here. */
	EXPECT_EQ(1ull << 31, run->internal.info[0] & (1ull << 31)) TH_LOG("%s", why);
	EXPECT_EQ(1, run->internal.info[0] & 0xff) TH_LOG("%s", why);
	EXPECT_EQ(GUEST_DB_STACK_BASE, run->internal.info[1] & ~(GUEST_DB_STACK_SIZE - 1))
		TH_LOG("%s", why);

	r = vm_add_region(vm, 1, GUEST_DB_STACK_BASE, GUEST_DB_STACK_SIZE, 0, NULL);
	ASSERT_EQ(0, r) TH_LOG("KHV_SET_MEMORY_REGION: %s", strerror(-r));
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	EXPECT_EQ(1, uc.args[0]) TH_LOG("#DB handler ran %llu times", (unsigned long long)uc.args[0]);
	EXPECT_EQ((uint64_t)(uintptr_t)guest_db_resume, uc.args[1])
		TH_LOG("#DB returned to %#llx", (unsigned long long)uc.args[1]);
	vcpu_run_to_ucall(vcpu, &uc, UCALL_DONE);
	vm_free(vm);
}

/* ---- event injection ----------------------------------------------------- */

static struct khv_test_vm *vm_with_event_handlers(struct khv_test_vcpu **vcpu,
						  void (*guest_code)(uint64_t),
						  uint64_t arg)
{
	struct khv_test_vm *vm = vm_create_with_one_vcpu(vcpu, guest_code, arg);

	TEST_ASSERT(!vm_set_idt_handler(vm, GUEST_IRQ_A, guest_irq_handler_a) &&
		    !vm_set_idt_handler(vm, GUEST_IRQ_B, guest_irq_handler_b) &&
		    !vm_set_idt_handler(vm, GUEST_IRQ_C, guest_irq_handler_c) &&
		    !vm_set_idt_handler(vm, 2, guest_nmi_handler) &&
		    !vm_set_idt_handler(vm, 14, guest_pf_handler),
		    "IDT handlers");
	return vm;
}

static uint64_t vcpu_rip(struct khv_test_vcpu *vcpu)
{
	struct khv_regs regs;

	TEST_ASSERT(!vcpu_get_regs(vcpu, &regs), "KHV_GET_REGS");
	return regs.rip;
}

/*
 * KHV_INTERRUPT while the guest has RFLAGS.IF = 0: nothing arrives until it
 * runs STI, and then after the instruction STI's shadow covers, at the
 * handler of that vector. The run page says the guest cannot take one.
 */
TEST_F(guest, interrupt_waits_for_sti_and_its_shadow)
{
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct khv_vcpu_events ev;
	struct ucall uc;

	vm = vm_with_event_handlers(&vcpu, guest_code_irq_if, 0);
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(1, uc.args[0]);
	EXPECT_EQ(0, vcpu->run->if_flag);
	EXPECT_EQ(0, vcpu->run->ready_for_interrupt_injection);
	ASSERT_EQ(0, vcpu_interrupt(vcpu, GUEST_IRQ_B));
	ASSERT_EQ(0, vcpu_get_events(vcpu, &ev));
	EXPECT_EQ(1, ev.interrupt.pending);
	EXPECT_EQ(GUEST_IRQ_B, ev.interrupt.pending_vector);

	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(2, uc.args[0]);
	EXPECT_EQ(0, uc.args[1]) TH_LOG("delivered with RFLAGS.IF = 0");
	EXPECT_EQ(0, vcpu->run->ready_for_interrupt_injection);

	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(3, uc.args[0]);
	EXPECT_EQ(1, uc.args[1]) TH_LOG("handler ran %llu times", (unsigned long long)uc.args[1]);
	EXPECT_EQ(GUEST_IRQ_B, uc.args[2]) TH_LOG("vector %#llx", (unsigned long long)uc.args[2]);
	EXPECT_EQ((uint64_t)(uintptr_t)guest_sti_next, uc.args[3])
		TH_LOG("arrived at %#llx, STI's shadow ends at %p",
		       (unsigned long long)uc.args[3], guest_sti_next);
	ASSERT_EQ(0, vcpu_get_events(vcpu, &ev));
	EXPECT_EQ(0, ev.interrupt.pending);
	EXPECT_EQ(0, ev.interrupt.injected);
	vcpu_run_to_ucall(vcpu, &uc, UCALL_DONE);
	vm_free(vm);
}

/*
 * guest_code_irq_loaded_shadow() stopped at SYNC 1: resume it at @rip, with
 * RFLAGS.IF and an STI shadow if @shadow, and an interrupt queued. It must
 * arrive once, at guest_shadow_next: after the one instruction a shadow
 * covers, whether the guest's STI at the entry set it or the entry loaded
 * it (VMCB INTERRUPT_SHADOW, VMCS interruptibility state).
 */
static void resume_with_interrupt_queued(struct __test_metadata *_metadata,
					 struct khv_test_vcpu *vcpu,
					 const char *rip, bool shadow)
{
	struct khv_vcpu_events ev;
	struct khv_regs regs;
	struct ucall uc;

	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(1, uc.args[0]);
	ASSERT_EQ(0, vcpu_get_regs(vcpu, &regs));
	regs.rip = (uint64_t)(uintptr_t)rip;
	if (shadow)
		regs.rflags |= 1u << 9;
	ASSERT_EQ(0, vcpu_set_regs(vcpu, &regs));
	if (shadow) {
		ASSERT_EQ(0, vcpu_get_events(vcpu, &ev));
		ev.interrupt.shadow = KHV_INTERRUPT_SHADOW_STI;
		ASSERT_EQ(0, vcpu_set_events(vcpu, &ev));
		ASSERT_EQ(0, vcpu_get_events(vcpu, &ev));
		ASSERT_NE(0, ev.interrupt.shadow);
	}
	ASSERT_EQ(0, vcpu_interrupt(vcpu, GUEST_IRQ_B));

	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(2, uc.args[0]);
	EXPECT_EQ(1, uc.args[1]) TH_LOG("handler ran %llu times", (unsigned long long)uc.args[1]);
	EXPECT_EQ(GUEST_IRQ_B, uc.args[2]) TH_LOG("vector %#llx", (unsigned long long)uc.args[2]);
	EXPECT_EQ((uint64_t)(uintptr_t)guest_shadow_next, uc.args[3])
		TH_LOG("arrived at %#llx; the shadow covers %p, up to %p",
		       (unsigned long long)uc.args[3], guest_shadow_insn, guest_shadow_next);
	vcpu_run_to_ucall(vcpu, &uc, UCALL_DONE);
}

/*
 * The guest's first instruction after an entry is an STI (an exit, say a
 * host interrupt, came right before it): STI sets its own shadow. An
 * emulator that lets the host's STI before VMRUN cover the guest's first
 * instruction loses it (an STI in a shadow sets none): QEMU 7.2 without the
 * rig's scripts/rig/qemu/svm-vmrun-int-shadow.patch.
 */
TEST_F(guest, sti_at_entry_sets_its_own_shadow)
{
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;

	vm = vm_with_event_handlers(&vcpu, guest_code_irq_loaded_shadow, 0);
	resume_with_interrupt_queued(_metadata, vcpu, guest_entry_sti, false);
	vm_free(vm);
}

/*
 * An STI shadow user space set (KHV_SET_VCPU_EVENTS, as a restore does):
 * the entry loads it, so the interrupt queued with it waits one instruction.
 */
TEST_F(guest, interrupt_in_loaded_shadow_waits_one_instruction)
{
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;

	vm = vm_with_event_handlers(&vcpu, guest_code_irq_loaded_shadow, 0);
	resume_with_interrupt_queued(_metadata, vcpu, guest_shadow_insn, true);
	vm_free(vm);
}

/*
 * The MOV SS shadow (SDM Vol. 3A 6.8.3) covers one instruction; when that
 * one is an MMIO load that leaves the run, khv has completed it for the
 * guest (RIP is past it), so the shadow is over: an interrupt queued then
 * arrives right after the load, not one instruction late.
 */
TEST_F(guest, mov_ss_shadow_ends_with_emulated_mmio_load)
{
	const uint64_t mmio = 0x20000000;	/* mapped, no RAM */
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct khv_vcpu_events ev;
	struct ucall uc;

	vm = vm_with_event_handlers(&vcpu, guest_code_irq_mov_ss, mmio);
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(1, uc.args[0]);
	ANSWER_MMIO_READ(vcpu, mmio, 4, 0x55aa55aa);
	EXPECT_EQ(1, vcpu->run->if_flag);
	ASSERT_EQ(0, vcpu_get_events(vcpu, &ev));
	EXPECT_EQ(0, ev.interrupt.shadow) TH_LOG("shadow %#x past the load", ev.interrupt.shadow);
	EXPECT_EQ(1, vcpu->run->ready_for_interrupt_injection);
	ASSERT_EQ(0, vcpu_interrupt(vcpu, GUEST_IRQ_B));

	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(2, uc.args[0]);
	EXPECT_EQ(1, uc.args[1]) TH_LOG("handler ran %llu times", (unsigned long long)uc.args[1]);
	EXPECT_EQ(GUEST_IRQ_B, uc.args[2]);
	EXPECT_EQ((uint64_t)(uintptr_t)guest_mov_ss_next, uc.args[3])
		TH_LOG("arrived at %#llx, the load ends at %p",
		       (unsigned long long)uc.args[3], guest_mov_ss_next);
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(3, uc.args[0]);
	EXPECT_EQ(0x55aa55aa, uc.args[1]);
	vcpu_run_to_ucall(vcpu, &uc, UCALL_DONE);
	vm_free(vm);
}

/*
 * request_interrupt_window: the run goes on while the guest cannot take an
 * interrupt, and ends with KHV_EXIT_IRQ_WINDOW_OPEN once it can (after STI
 * and its shadow); the interrupt queued then arrives right there.
 */
TEST_F(guest, request_interrupt_window_exits_when_guest_can_take_one)
{
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct ucall uc;
	char why[256];

	vm = vm_with_event_handlers(&vcpu, guest_code_irq_window, 0);
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(1, uc.args[0]);
	vcpu->run->request_interrupt_window = 1;
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(2, uc.args[0]);
	EXPECT_EQ(0, vcpu->run->if_flag);
	EXPECT_EQ(0, vcpu->run->ready_for_interrupt_injection);

	vcpu_run_ok(vcpu);
	vcpu_describe_exit(vcpu, why, sizeof(why));
	ASSERT_EQ(KHV_EXIT_IRQ_WINDOW_OPEN, vcpu->run->exit_reason) TH_LOG("%s", why);
	EXPECT_EQ((uint64_t)(uintptr_t)guest_window_open, vcpu_rip(vcpu)) TH_LOG("%s", why);
	EXPECT_EQ(1, vcpu->run->if_flag);
	EXPECT_EQ(1, vcpu->run->ready_for_interrupt_injection);

	vcpu->run->request_interrupt_window = 0;
	ASSERT_EQ(0, vcpu_interrupt(vcpu, GUEST_IRQ_A));
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(3, uc.args[0]);
	EXPECT_EQ(1, uc.args[1]);
	EXPECT_EQ(GUEST_IRQ_A, uc.args[2]);
	EXPECT_EQ((uint64_t)(uintptr_t)guest_window_open, uc.args[3]);
	vcpu_run_to_ucall(vcpu, &uc, UCALL_DONE);
	vm_free(vm);
}

/*
 * The guest's CR8 while an interrupt window is requested and IF is clear:
 * under SVM's V_INTR_MASKING the MOVs do not exit and V_IRQ is set for the
 * window. Every value reads back, the run carries on, and the window opens
 * at STI. QEMU 7.2 aborted (its MOV to CR8 raised the virtual interrupt
 * without the I/O thread lock; the rig's svm-cr8-lock.patch; found by
 * khv_fuzz).
 */
TEST_F(guest, cr8_writes_with_interrupt_window_requested)
{
	const uint64_t rounds = 64;
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct ucall uc;
	char why[256];

	vm = vm_with_event_handlers(&vcpu, guest_code_cr8_window, rounds);
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(1, uc.args[0]);
	vcpu->run->request_interrupt_window = 1;
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(2, uc.args[0]);
	EXPECT_EQ(rounds * 16, uc.args[1]);
	EXPECT_EQ(0, vcpu->run->if_flag);

	vcpu_run_ok(vcpu);
	vcpu_describe_exit(vcpu, why, sizeof(why));
	ASSERT_EQ(KHV_EXIT_IRQ_WINDOW_OPEN, vcpu->run->exit_reason) TH_LOG("%s", why);
	vcpu->run->request_interrupt_window = 0;
	vcpu_run_to_ucall(vcpu, &uc, UCALL_DONE);
	vm_free(vm);
}

/* STI; HLT: the HLT in STI's shadow runs (and exits), the interrupt comes after it. */
TEST_F(guest, sti_hlt_takes_interrupt_after_hlt)
{
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct ucall uc;

	vm = vm_with_event_handlers(&vcpu, guest_code_sti_hlt, 0);
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(0, vcpu_interrupt(vcpu, GUEST_IRQ_C));
	vcpu_run_exit(vcpu, KHV_EXIT_HLT);
	EXPECT_EQ((uint64_t)(uintptr_t)guest_hlt_next, vcpu_rip(vcpu));
	sync_global_from_guest(vm, guest_events);
	EXPECT_EQ(0, guest_events.irq_count) TH_LOG("arrived inside STI's shadow");
	EXPECT_EQ(1, vcpu->run->if_flag);
	/* Queued, not yet delivered: no room for another. */
	EXPECT_EQ(0, vcpu->run->ready_for_interrupt_injection);
	EXPECT_EQ(-EEXIST, vcpu_interrupt(vcpu, GUEST_IRQ_A));

	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(2, uc.args[0]);
	EXPECT_EQ(1, uc.args[1]);
	EXPECT_EQ(GUEST_IRQ_C, uc.args[2]);
	EXPECT_EQ((uint64_t)(uintptr_t)guest_hlt_next, uc.args[3]);
	vcpu_run_to_ucall(vcpu, &uc, UCALL_DONE);
	vm_free(vm);
}

/*
 * KHV_NMI reaches the NMI handler. Inside it NMIs are masked: another
 * KHV_NMI (two, which latch as one) waits until the handler's IRET and
 * arrives right after it, where the first one had interrupted the guest.
 */
TEST_F(guest, nmi_delivered_and_second_waits_for_iret)
{
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct khv_vcpu_events ev;
	struct ucall uc;

	vm = vm_with_event_handlers(&vcpu, guest_code_nmi, 0);
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(1, uc.args[0]);
	ASSERT_EQ(0, vcpu_nmi(vcpu));
	ASSERT_EQ(0, vcpu_get_events(vcpu, &ev));
	EXPECT_EQ(1, ev.nmi.pending);
	EXPECT_EQ(0, ev.nmi.masked);

	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(10, uc.args[0]) TH_LOG("not in the NMI handler");
	EXPECT_EQ(1, uc.args[1]);
	ASSERT_EQ(0, vcpu_get_events(vcpu, &ev));
	EXPECT_EQ(0, ev.nmi.pending);
	EXPECT_EQ(1, ev.nmi.masked);
	ASSERT_EQ(0, vcpu_nmi(vcpu));
	ASSERT_EQ(0, vcpu_nmi(vcpu));
	ASSERT_EQ(0, vcpu_get_events(vcpu, &ev));
	EXPECT_EQ(1, ev.nmi.pending) TH_LOG("NMIs latch: one waits");

	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(11, uc.args[0]);
	EXPECT_EQ(1, uc.args[1]) TH_LOG("the second NMI arrived inside the first's handler");

	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(2, uc.args[0]);
	EXPECT_EQ(2, uc.args[1]) TH_LOG("%llu NMIs", (unsigned long long)uc.args[1]);
	EXPECT_EQ(uc.args[2], uc.args[3])
		TH_LOG("second NMI at %#llx, not right after the IRET to %#llx",
		       (unsigned long long)uc.args[3], (unsigned long long)uc.args[2]);
	ASSERT_EQ(0, vcpu_get_events(vcpu, &ev));
	EXPECT_EQ(0, ev.nmi.pending);
	EXPECT_EQ(0, ev.nmi.masked);
	vcpu_run_to_ucall(vcpu, &uc, UCALL_DONE);
	vm_free(vm);
}

#define TEST_PF_CR2	0xdead000ull
#define TEST_PF_ERROR	0x6

/*
 * A pending #PF, set with its error code and CR2: GET gives back what SET
 * took, byte for byte, through a reset of the state and back; the guest then
 * gets exactly that #PF.
 */
TEST_F(guest, vcpu_events_round_trip_keeps_pending_exception)
{
	struct khv_vcpu_events set, got, empty;
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct ucall uc;
	uint64_t rip;

	vm = vm_with_event_handlers(&vcpu, guest_code_pending_pf, 0);
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(0, vcpu_get_events(vcpu, &empty));
	memset(&set, 0, sizeof(set));
	set.exception.pending = 1;
	set.exception.vector = 14;
	set.exception.has_error = 1;
	set.exception.error = TEST_PF_ERROR;
	set.exception.has_payload = 1;
	set.exception.payload = TEST_PF_CR2;
	set.interrupt.pending = 1;
	set.interrupt.pending_vector = GUEST_IRQ_A;
	ASSERT_EQ(0, vcpu_set_events(vcpu, &set));
	ASSERT_EQ(0, vcpu_get_events(vcpu, &got));
	EXPECT_EQ(0, memcmp(&set, &got, sizeof(got)));

	/* Saved; another state in between; restored. */
	ASSERT_EQ(0, vcpu_set_events(vcpu, &empty));
	memset(&got, 0xff, sizeof(got));
	ASSERT_EQ(0, vcpu_get_events(vcpu, &got));
	EXPECT_EQ(0, memcmp(&empty, &got, sizeof(got)));
	ASSERT_EQ(0, vcpu_set_events(vcpu, &set));
	ASSERT_EQ(0, vcpu_get_events(vcpu, &got));
	EXPECT_EQ(0, memcmp(&set, &got, sizeof(got)));

	rip = vcpu_rip(vcpu);
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	EXPECT_EQ(1, uc.args[0]) TH_LOG("#PF handler ran %llu times", (unsigned long long)uc.args[0]);
	EXPECT_EQ(TEST_PF_ERROR, uc.args[1]);
	EXPECT_EQ(TEST_PF_CR2, uc.args[2]);
	EXPECT_EQ(rip, uc.args[3]);
	ASSERT_EQ(0, vcpu_get_events(vcpu, &got));
	EXPECT_EQ(0, got.exception.pending);
	EXPECT_EQ(0, got.exception.injected);
	/* The guest has RFLAGS.IF = 0: the interrupt still waits. */
	EXPECT_EQ(1, got.interrupt.pending);
	vcpu_run_to_ucall(vcpu, &uc, UCALL_DONE);
	vm_free(vm);
}

/*
 * A pending #DB set with its causes as the payload (B1): the guest's handler
 * finds them in its DR6, as after a processor's #DB, and its MOV DR runs
 * though the guest had set DR7.GD: the delivery cleared it.
 */
TEST_F(guest, pending_db_payload_lands_in_guest_dr6)
{
	struct khv_test_vcpu *vcpu;
	struct khv_vcpu_events set;
	struct khv_test_vm *vm;
	struct ucall uc;
	int r;

	vm = vm_create_for_guest_code();
	vcpu = vm_vcpu_add(vm, 0);
	ASSERT_EQ(0, vm_set_idt_handler(vm, 1, guest_db_dr6_handler));
	r = vcpu_set_long_mode(vcpu, guest_code_pending_db, 0);
	ASSERT_EQ(0, r) TH_LOG("long mode: %s", strerror(-r));
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(1, uc.args[0]);
	memset(&set, 0, sizeof(set));
	set.exception.pending = 1;
	set.exception.vector = 1;
	set.exception.has_payload = 1;
	set.exception.payload = 0x2;
	ASSERT_EQ(0, vcpu_set_events(vcpu, &set));

	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	EXPECT_EQ(1, uc.args[0]) TH_LOG("#DB raised %llu times", (unsigned long long)uc.args[0]);
	EXPECT_EQ(0xffff0ff2, uc.args[1]) TH_LOG("DR6 in the handler %#llx",
						  (unsigned long long)uc.args[1]);
	EXPECT_EQ(0x400, uc.args[2]) TH_LOG("DR7 %#llx", (unsigned long long)uc.args[2]);
	vcpu_run_to_ucall(vcpu, &uc, UCALL_DONE);
	vm_free(vm);
}

/*
 * An interrupt whose delivery touches a stack that is no RAM: the exit
 * keeps it (KHV_GET_VCPU_EVENTS shows it injected, the run ends with
 * KHV_EXIT_INTERNAL_ERROR), and once the VMM maps RAM there it arrives
 * exactly once.
 */
TEST_F(guest, interrupt_delivery_interrupted_is_delivered_once)
{
	uint64_t top = GUEST_IRQ_STACK_BASE + GUEST_IRQ_STACK_SIZE;
	struct khv_test_vcpu *vcpu;
	struct khv_vcpu_events ev;
	struct khv_test_vm *vm;
	struct khv_run *run;
	char why[256];
	struct ucall uc;
	int r;

	vm = vm_with_event_handlers(&vcpu, guest_code_irq_on_stack, top);
	ASSERT_GT(GUEST_IRQ_STACK_BASE, (uint64_t)vm->mem_size);
	run = vcpu->run;
	ASSERT_EQ(0, vcpu_interrupt(vcpu, GUEST_IRQ_B));
	ASSERT_EQ(0, vcpu_run(vcpu));
	vcpu_describe_exit(vcpu, why, sizeof(why));
	ASSERT_EQ(KHV_EXIT_INTERNAL_ERROR, run->exit_reason) TH_LOG("%s", why);
	/* EXITINTINFO and IDT-vectoring information: valid, type 0, the vector. */
	EXPECT_EQ((1ull << 31) | GUEST_IRQ_B, run->internal.info[0] & 0x800007ffull)
		TH_LOG("%s", why);
	ASSERT_EQ(0, vcpu_get_events(vcpu, &ev));
	EXPECT_EQ(1, ev.interrupt.injected);
	EXPECT_EQ(GUEST_IRQ_B, ev.interrupt.vector);
	EXPECT_EQ(0, ev.interrupt.pending);

	r = vm_add_region(vm, 1, GUEST_IRQ_STACK_BASE, GUEST_IRQ_STACK_SIZE, 0, NULL);
	ASSERT_EQ(0, r) TH_LOG("KHV_SET_MEMORY_REGION: %s", strerror(-r));
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	EXPECT_EQ(1, uc.args[0]) TH_LOG("handler ran %llu times", (unsigned long long)uc.args[0]);
	EXPECT_EQ(GUEST_IRQ_B, uc.args[1]);
	EXPECT_EQ((uint64_t)(uintptr_t)guest_irq_stack_resume, uc.args[2]);
	vcpu_run_to_ucall(vcpu, &uc, UCALL_DONE);
	vm_free(vm);
}

/* KHV_INTERRUPT and KHV_NMI refuse what they document (khv-abi.rst). */
TEST_F(guest, interrupt_and_nmi_reject_bad_args)
{
	static const uint32_t bad_vectors[] = { 0, 1, 2, 14, 31, 256, 0xffffffffu };
	struct khv_interrupt irq;
	struct khv_test_vcpu *vcpu;
	struct khv_vcpu_events ev;
	struct khv_test_vm *vm;
	size_t i;

	vm = vm_create_for_guest_code();
	vcpu = vm_vcpu_add(vm, 0);
	for (i = 0; i < ARRAY_SIZE(bad_vectors); i++)
		EXPECT_EQ(-EINVAL, vcpu_interrupt(vcpu, bad_vectors[i]))
			TH_LOG("vector %u", bad_vectors[i]);
	memset(&irq, 0, sizeof(irq));
	irq.vector = 0x40;
	irq.flags = 1;
	EXPECT_EQ(-EINVAL, khv_ioctl(vcpu->fd, KHV_INTERRUPT, (unsigned long)&irq));
	irq.flags = 0;
	irq.reserved[1] = 1;
	EXPECT_EQ(-EINVAL, khv_ioctl(vcpu->fd, KHV_INTERRUPT, (unsigned long)&irq));
	EXPECT_EQ(-EFAULT, khv_ioctl(vcpu->fd, KHV_INTERRUPT, 0));
	EXPECT_EQ(-EINVAL, khv_ioctl(vcpu->fd, KHV_NMI, 1));
	ASSERT_EQ(0, vcpu_get_events(vcpu, &ev));
	EXPECT_EQ(0, ev.interrupt.pending);
	EXPECT_EQ(0, ev.nmi.pending);

	EXPECT_EQ(0, vcpu_interrupt(vcpu, 32));
	EXPECT_EQ(-EEXIST, vcpu_interrupt(vcpu, 255));
	ASSERT_EQ(0, vcpu_get_events(vcpu, &ev));
	EXPECT_EQ(32, ev.interrupt.pending_vector);
	vm_free(vm);
}

/*
 * KHV_SET_VCPU_EVENTS: every padding and reserved byte, unknown flags,
 * vectors outside their range, software interrupts and states no processor
 * holds are refused with EINVAL, and change nothing.
 */
TEST_F(guest, set_vcpu_events_rejects_hostile_input)
{
	static const struct {
		size_t off, len;
	} zero[] = {
		{ offsetof(struct khv_vcpu_events, exception.padding), 7 },
		{ offsetof(struct khv_vcpu_events, interrupt.padding), 2 },
		{ offsetof(struct khv_vcpu_events, nmi.padding), 5 },
		{ offsetof(struct khv_vcpu_events, flags), 4 },
		{ offsetof(struct khv_vcpu_events, reserved), 52 },
	};
	struct khv_vcpu_events good, bad, now;
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	size_t i, b;

	vm = vm_create_for_guest_code();
	vcpu = vm_vcpu_add(vm, 0);
	ASSERT_EQ(0, vcpu_nmi(vcpu));
	ASSERT_EQ(0, vcpu_interrupt(vcpu, 0x50));
	ASSERT_EQ(0, vcpu_get_events(vcpu, &good));
	ASSERT_EQ(0, vcpu_set_events(vcpu, &good));
	for (i = 0; i < ARRAY_SIZE(zero); i++) {
		for (b = zero[i].off; b < zero[i].off + zero[i].len; b++) {
			bad = good;
			((uint8_t *)&bad)[b] = b & 1 ? 0x80 : 0x01;
			EXPECT_EQ(-EINVAL, vcpu_set_events(vcpu, &bad))
				TH_LOG("byte %zu set", b);
		}
	}
#define EXPECT_REFUSED(field, value) do {				\
	bad = good;							\
	bad.field = (value);						\
	EXPECT_EQ(-EINVAL, vcpu_set_events(vcpu, &bad))		\
		TH_LOG(#field " = %llu", (unsigned long long)(value));	\
} while (0)
	EXPECT_REFUSED(interrupt.pending_vector, 31);
	EXPECT_REFUSED(interrupt.pending_vector, 0);
	EXPECT_REFUSED(interrupt.pending, 2);
	EXPECT_REFUSED(interrupt.soft, 1);
	EXPECT_REFUSED(interrupt.shadow, 4);
	EXPECT_REFUSED(nmi.pending, 3);
	EXPECT_REFUSED(nmi.masked, 2);
	EXPECT_REFUSED(exception.vector, 13);	/* without an exception */
	bad = good;
	bad.interrupt.injected = 1;
	bad.interrupt.vector = 0x1f;
	EXPECT_EQ(-EINVAL, vcpu_set_events(vcpu, &bad));
	bad.interrupt.vector = 0x20;
	bad.nmi.injected = 1;
	EXPECT_EQ(-EINVAL, vcpu_set_events(vcpu, &bad)) TH_LOG("two events injected");
	bad = good;
	bad.exception.pending = 1;
	bad.exception.vector = 32;
	EXPECT_EQ(-EINVAL, vcpu_set_events(vcpu, &bad));
	bad.exception.vector = 2;
	EXPECT_EQ(-EINVAL, vcpu_set_events(vcpu, &bad)) TH_LOG("the NMI as an exception");
	bad.exception.vector = 6;
	bad.exception.has_error = 1;
	EXPECT_EQ(-EINVAL, vcpu_set_events(vcpu, &bad)) TH_LOG("#UD with an error code");
	bad.exception.has_error = 0;
	bad.exception.has_payload = 1;
	EXPECT_EQ(-EINVAL, vcpu_set_events(vcpu, &bad)) TH_LOG("#UD with a payload");
#undef EXPECT_REFUSED
	EXPECT_EQ(-EFAULT, khv_ioctl(vcpu->fd, KHV_SET_VCPU_EVENTS, 0));
	ASSERT_EQ(0, vcpu_get_events(vcpu, &now));
	EXPECT_EQ(0, memcmp(&good, &now, sizeof(now)));
	vm_free(vm);
}

TEST_HARNESS_MAIN
