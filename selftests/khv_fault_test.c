// SPDX-License-Identifier: GPL-2.0-only
/*
 * khv_fault_test: what a guest may not do to the host or to its own kernel.
 *
 * An #AC that recurs while it is being delivered (CVE-2015-5307) loops
 * through the host, where a signal ends KHV_RUN, instead of hanging the
 * processor. The INS/OUTS that khv emulates check their memory operand as
 * the processor would: segment type and limit (#GP), canonical address
 * (#GP), page presence, U/S, R/W with CR0.WP, SMAP (#PF with its error code
 * and CR2). A hypercall above CPL 0 gets KHV_HC_EPERM. VMX refuses CR4.CET.
 * A TR marked absent ends only the guest.
 *
 * The same tests run on both vendors: Intel VMX in the Bochs host, AMD SVM
 * in the QEMU hosts; one the host's CPU cannot show is skipped, saying why.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cpuid.h>

#include "kselftest_harness.h"
#include "khv_util.h"
#include "khv_vm.h"
#include "khv_fault_test.h"

#define CODE_GPA	0x1000
#define HANDLER_GPA	0x1100
#define PM32_RAM	0x20000		/* 128 KiB: the 32-bit guests */
#define SIO_PORT	0x1234

/* Aliases of guest RAM at GPA 0 in the long-mode identity map (2 MiB pages). */
#define PDE_P		0x1ull
#define PDE_RW		0x2ull
#define PDE_US		0x4ull
#define PDE_PS		0x80ull
#define ALIAS(i)	((uint64_t)(i) << 21)	/* the virtual address of pd[i] */
#define RAM_OFF		0x9000			/* a free page of guest RAM */

/* The next exit is port I/O: @dir, @port, @size, @count. */
#define EXPECT_IO(vcpu, dir, _port, _size, _count) do {				\
	vcpu_run_exit(vcpu, KHV_EXIT_IO);				\
	EXPECT_EQ((dir), (vcpu)->run->io.direction);				\
	EXPECT_EQ((_port), (vcpu)->run->io.port);				\
	EXPECT_EQ((_size), (vcpu)->run->io.size);				\
	EXPECT_EQ((_count), (vcpu)->run->io.count);				\
} while (0)

static uint8_t *io_data(struct khv_test_vcpu *vcpu)
{
	return (uint8_t *)vcpu->run + vcpu->run->io.data_offset;
}

/* An OUT of a 32-bit value to @port, which the test reads back. */
static uint32_t io_out32(struct __test_metadata *_metadata,
			 struct khv_test_vcpu *vcpu, uint16_t port)
{
	uint32_t v = 0;

	EXPECT_IO(vcpu, KHV_EXIT_IO_OUT, port, 4, 1);
	memcpy(&v, io_data(vcpu), 4);
	return v;
}

/* The backend khv chose: KHV_VENDOR_INTEL or KHV_VENDOR_AMD. */
static int khv_vendor(struct __test_metadata *_metadata)
{
	char v[16];

	ASSERT_EQ(0, khv_debugfs_get("vendor", v, sizeof(v)));
	return strcmp(v, "svm") ? KHV_VENDOR_INTEL : KHV_VENDOR_AMD;
}

/* Exceptions khv delivered to guests since it loaded (debugfs "exits"). */
static long exceptions_delivered(struct __test_metadata *_metadata)
{
	char buf[1024], *p;

	/* Mounts debugfs if it is not yet. */
	khv_vendor(_metadata);
	ASSERT_LT(0, khv_read_file("/sys/kernel/debug/khv/exits", buf, sizeof(buf)));
	p = strstr(buf, "exception ");
	ASSERT_NE(NULL, p);
	return strtol(p + strlen("exception "), NULL, 10);
}

/* ---- 32-bit protected mode, raw code ------------------------------------ */

/* A 32-bit interrupt gate (SDM Vol. 3A 6.11): present, DPL 0. */
static void idt32_gate(struct khv_test_vm *vm, uint8_t vector, uint16_t sel, uint32_t off)
{
	uint32_t gate[2] = { (off & 0xffff) | (uint32_t)sel << 16, (off & 0xffff0000) | 0x8e00 };

	memcpy(vm->mem + GUEST_IDT_GPA + vector * 8, gate, sizeof(gate));
}

/*
 * A 32-bit protected-mode guest without paging at CODE_GPA with a handler
 * at HANDLER_GPA, a 32-bit IDT of 32 gates and ESP @esp; at CPL 3 with
 * @user (flat DPL 3 segments, IOPL 3).
 */
static void pm32_guest(struct __test_metadata *_metadata, struct khv_test_vm **vmp,
		       struct khv_test_vcpu **vcpup, const uint8_t *code, size_t code_len,
		       const uint8_t *handler, size_t handler_len, uint32_t esp, bool user)
{
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct khv_sregs sregs;
	struct khv_regs regs;
	int r;

	vm = vm_create_with_ram(PM32_RAM);
	*vmp = vm;
	vcpu = vm_vcpu_add(vm, 0);
	*vcpup = vcpu;
	ASSERT_EQ(0, vm_load_code(vm, CODE_GPA, code, code_len));
	ASSERT_EQ(0, vm_load_code(vm, HANDLER_GPA, handler, handler_len));
	r = vcpu_set_protected_mode(vcpu, CODE_GPA);
	ASSERT_EQ(0, r) TH_LOG("protected mode: %s", strerror(-r));
	ASSERT_EQ(0, vcpu_get_sregs(vcpu, &sregs));
	sregs.idt.limit = 32 * 8 - 1;
	if (user) {
		sregs.cs.selector = GUEST_SEL_USER_CODE32;
		sregs.cs.dpl = 3;
		sregs.ds.selector = GUEST_SEL_USER_DATA;
		sregs.ds.dpl = 3;
		sregs.es = sregs.ds;
		sregs.fs = sregs.ds;
		sregs.gs = sregs.ds;
		sregs.ss = sregs.ds;
	}
	ASSERT_EQ(0, vcpu_set_sregs(vcpu, &sregs));
	ASSERT_EQ(0, vcpu_get_regs(vcpu, &regs));
	regs.rsp = esp;
	if (user)
		regs.rflags |= X86_RFLAGS_IOPL3;
	ASSERT_EQ(0, vcpu_set_regs(vcpu, &regs));
}

/* Alignment checking on: CR0.AM and EFLAGS.AC (at CPL 3, SDM Vol. 3A 6.15). */
static void pm32_alignment_check(struct __test_metadata *_metadata, struct khv_test_vcpu *vcpu)
{
	struct khv_sregs sregs;
	struct khv_regs regs;

	ASSERT_EQ(0, vcpu_get_sregs(vcpu, &sregs));
	sregs.cr0 |= X86_CR0_AM;
	ASSERT_EQ(0, vcpu_set_sregs(vcpu, &sregs));
	ASSERT_EQ(0, vcpu_get_regs(vcpu, &regs));
	regs.rflags |= X86_RFLAGS_AC;
	ASSERT_EQ(0, vcpu_set_regs(vcpu, &regs));
}

/* A misaligned load at CPL 3; without an #AC, an OUT to port 0x81. */
static const uint8_t ac_code[] = {
	0xa1, 0x01, 0x20, 0x00, 0x00,	/* mov 0x2001, %eax */
	0xb0, 0x00,			/* mov $0, %al */
	0xe6, 0x81,			/* out %al, $0x81 */
	0xeb, 0xfe,			/* jmp . */
};

/* The #AC handler, at CPL 3 as well (a same-privilege gate): OUT to port 0x80. */
static const uint8_t ac_handler[] = {
	0xb0, 0xac,			/* mov $0xac, %al */
	0xe6, 0x80,			/* out %al, $0x80 */
	0xeb, 0xfe,			/* jmp . */
};

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

static void noop_handler(int sig)
{
	(void)sig;
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
 * A guest caught in an exception delivery loop: KHV_RUN keeps running it
 * (it does not return by itself within 30 ms: on Bochs, where each round trip
 * costs ~0.1 ms of real time, 300 ms made 900,000 of them), returns -EINTR with
 * KHV_EXIT_INTR for a signal, and khv delivered the exceptions meanwhile.
 * Return: how many khv delivered.
 */
static long run_loop_until_signalled(struct __test_metadata *_metadata,
				     struct khv_test_vcpu *vcpu)
{
	struct spin_job job;
	struct sigaction sa;
	long before;
	pthread_t t;
	int r;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = noop_handler;	/* no SA_RESTART: KHV_RUN must return */
	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	before = exceptions_delivered(_metadata);
	memset(&job, 0, sizeof(job));
	job.vcpu_fd = vcpu->fd;
	ASSERT_EQ(0, pthread_create(&t, NULL, spin_thread, &job));
	usleep(30000);
	EXPECT_FALSE(atomic_load(&job.done))
		TH_LOG("KHV_RUN returned by itself: %d, exit %s", job.r,
		       exit_reason_str(vcpu->run->exit_reason));
	r = kick_until_done(t, &job);
	ASSERT_EQ(0, r) TH_LOG("KHV_RUN did not return for a signal");
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(-EINTR, job.r);
	EXPECT_EQ(KHV_EXIT_INTR, vcpu->run->exit_reason);
	return exceptions_delivered(_metadata) - before;
}

/*
 * CVE-2015-5307: a 32-bit guest at CPL 3 with alignment checking on, a
 * misaligned stack and an #AC gate of the same privilege. Each #AC pushes
 * its frame on the misaligned stack, which raises #AC again: on a processor
 * that delivers it, an endless loop in microcode that no interrupt breaks.
 * khv intercepts #AC and delivers it itself, so each round trip passes
 * through the host: KHV_RUN runs until a signal, the exceptions are counted,
 * and the guest has not moved.
 */
TEST(ac_during_ac_delivery_loops_through_host)
{
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct khv_regs regs;
	long n;

	/* The same guest with an aligned stack: does this CPU check alignment? */
	pm32_guest(_metadata, &vm, &vcpu, ac_code, sizeof(ac_code), ac_handler,
		   sizeof(ac_handler), 0x8000, true);
	idt32_gate(vm, 17, GUEST_SEL_USER_CODE32, HANDLER_GPA);
	pm32_alignment_check(_metadata, vcpu);
	vcpu_run_exit(vcpu, KHV_EXIT_IO);
	if (vcpu->run->io.port == 0x81) {
		vm_free(vm);
		SKIP(return, "this host's CPU does not check alignment (QEMU's TCG does not)");
	}
	ASSERT_EQ(0x80, vcpu->run->io.port) TH_LOG("the #AC handler did not run");
	vm_free(vm);

	pm32_guest(_metadata, &vm, &vcpu, ac_code, sizeof(ac_code), ac_handler,
		   sizeof(ac_handler), 0x8001, true);
	idt32_gate(vm, 17, GUEST_SEL_USER_CODE32, HANDLER_GPA);
	pm32_alignment_check(_metadata, vcpu);

	n = run_loop_until_signalled(_metadata, vcpu);
	EXPECT_LT(1, n) TH_LOG("%ld #AC delivered by khv", n);
	TH_LOG("%ld #AC delivered by khv in the loop", n);
	ASSERT_EQ(0, vcpu_get_regs(vcpu, &regs));
	EXPECT_EQ(CODE_GPA, regs.rip);
	EXPECT_EQ(0x8001, regs.rsp);
	vm_free(vm);
}

/*
 * CVE-2015-8104: a write breakpoint on the slot of #DB's IST stack where
 * delivering #DB pushes SS. Each delivery hits it and raises the next #DB
 * before the handler's first instruction: on a processor that delivers
 * #DB itself, an endless loop in microcode that no interrupt breaks. khv
 * intercepts #DB and delivers it itself, so each round passes through the
 * host: KHV_RUN runs until a signal and the exceptions are counted.
 */
TEST(db_during_db_delivery_loops_through_host)
{
	uint64_t ist = (uint64_t)(uintptr_t)&guest_db_ist[GUEST_DB_IST_WORDS];
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct ucall uc;
	long n;

	vm = vm_create_with_one_vcpu(&vcpu, guest_code_db_loop, 0);
	ASSERT_EQ(0, vm_set_idt_handler(vm, 1, guest_db_loop_handler));
	/* The gate's IST field (SDM Vol. 3A 6.14.1) and the 64-bit TSS's IST1 (8.7). */
	((uint64_t *)(vm->mem + GUEST_IDT_GPA))[2 * 1] |= 1ull << 32;
	memcpy(vm->mem + GUEST_TSS_GPA + 0x24, &ist, sizeof(ist));
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	if (uc.args[0] == 0) {
		vm_free(vm);
		SKIP(return, "this host's CPU arms no data breakpoint in a guest (QEMU's TCG)");
	}
	ASSERT_EQ(1, uc.args[0]) TH_LOG("the probe raised %llu #DB", (unsigned long long)uc.args[0]);

	n = run_loop_until_signalled(_metadata, vcpu);
	EXPECT_LT(1, n) TH_LOG("%ld #DB delivered by khv", n);
	TH_LOG("%ld #DB delivered by khv in the loop", n);
	vm_free(vm);
}

/*
 * 32-bit protected mode at CPL 0: an OUTS past DS's limit and an INS into a
 * read-only ES get #GP(0); an OUTS of DS's last byte runs.
 */
TEST(pm32_string_io_checks_segments)
{
	static const uint8_t code[] = {
		0xbe, 0x00, 0x10, 0x00, 0x00,	/* mov $0x1000, %esi */
		0x66, 0xba, 0x34, 0x12,		/* mov $SIO_PORT, %dx */
		0x6e,				/* 0x1009: outsb: past the limit */
		0xbf, 0x00, 0x20, 0x00, 0x00,	/* mov $0x2000, %edi */
		0x6c,				/* 0x100f: insb: ES read-only */
		0xbe, 0xff, 0x0f, 0x00, 0x00,	/* mov $0xfff, %esi */
		0x6e,				/* outsb: DS's last byte */
		0xf4,				/* hlt */
	};
	/* #GP: error code to port 0x82, EIP to 0x83, step over the 1-byte insn. */
	static const uint8_t handler[] = {
		0x58,				/* pop %eax */
		0xe7, 0x82,			/* out %eax, $0x82 */
		0x8b, 0x04, 0x24,		/* mov (%esp), %eax */
		0xe7, 0x83,			/* out %eax, $0x83 */
		0x83, 0x04, 0x24, 0x01,		/* addl $1, (%esp) */
		0xcf,				/* iret */
	};
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct khv_sregs sregs;

	pm32_guest(_metadata, &vm, &vcpu, code, sizeof(code), handler, sizeof(handler),
		   0x8000, false);
	idt32_gate(vm, 13, GUEST_SEL_CODE32, HANDLER_GPA);
	ASSERT_EQ(0, vcpu_get_sregs(vcpu, &sregs));
	sregs.ds.limit = 0xfff;
	sregs.ds.g = 0;
	sregs.es.type = 0x1;		/* read-only data, accessed */
	ASSERT_EQ(0, vcpu_set_sregs(vcpu, &sregs));
	vm->mem[0xfff] = 0x5a;

	EXPECT_EQ(0, io_out32(_metadata, vcpu, 0x82));
	EXPECT_EQ(CODE_GPA + 9, io_out32(_metadata, vcpu, 0x83));
	EXPECT_EQ(0, io_out32(_metadata, vcpu, 0x82));
	EXPECT_EQ(CODE_GPA + 15, io_out32(_metadata, vcpu, 0x83));
	EXPECT_IO(vcpu, KHV_EXIT_IO_OUT, SIO_PORT, 1, 1);
	EXPECT_EQ(0x5a, io_data(vcpu)[0]);
	vcpu_run_exit(vcpu, KHV_EXIT_HLT);
	vm_free(vm);
}

/* ---- long mode, C guests ------------------------------------------------ */

static uint64_t *guest_pd(struct khv_test_vm *vm)
{
	return (uint64_t *)(vm->mem + GUEST_PD_GPA);
}

/* Start guest_code_string_io() for @op, with #PF and #GP handlers; CPL 3 with @user. */
static void sio_start(struct __test_metadata *_metadata, struct khv_test_vm *vm,
		      struct khv_test_vcpu *vcpu, const struct guest_sio *op, bool user)
{
	int r;

	guest_sio = *op;
	sync_global_to_guest(vm, guest_sio);
	memset(addr_gva2hva(vm, &guest_faults), 0, sizeof(guest_faults));
	ASSERT_EQ(0, vm_set_idt_handler(vm, 14, guest_pf_handler));
	ASSERT_EQ(0, vm_set_idt_handler(vm, 13, guest_gp_handler));
	r = vcpu_set_long_mode(vcpu, guest_code_string_io, 0);
	ASSERT_EQ(0, r) TH_LOG("long mode: %s", strerror(-r));
	if (user) {
		r = vcpu_enter_user_mode(vcpu);
		ASSERT_EQ(0, r) TH_LOG("user mode: %s", strerror(-r));
	}
}

/* Run to GUEST_DONE and read what the guest saw. */
static void sio_done(struct khv_test_vm *vm, struct khv_test_vcpu *vcpu,
		     struct guest_faults *f)
{
	struct ucall uc;

	vcpu_run_to_ucall(vcpu, &uc, UCALL_DONE);
	memcpy(f, addr_gva2hva(vm, &guest_faults), sizeof(*f));
}

/*
 * An OUTS from a page that is not present: a #PF (error code 0, CR2 the
 * address), not the end of the run. A REP OUTS that reaches it moves the
 * bytes before it first, and faults with RSI at the page and RCX counting
 * the rest, as the processor does.
 */
TEST(outs_from_not_present_page_injects_pf)
{
	const uint64_t hole = 1ull << 30;	/* PDPT entry 1: not present */
	struct guest_sio op = { .addr = hole + 0x123, .count = 4, .port = SIO_PORT };
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct guest_faults f;

	vm = vm_create_for_guest_code();
	vcpu = vm_vcpu_add(vm, 0);
	sio_start(_metadata, vm, vcpu, &op, false);
	sio_done(vm, vcpu, &f);
	EXPECT_EQ(1, f.pf_count);
	EXPECT_EQ(0, f.pf_error);
	EXPECT_EQ(hole + 0x123, f.pf_cr2);
	EXPECT_EQ(f.insn, f.pf_rip);
	EXPECT_EQ(4, f.count);

	/* The last 16 bytes before the hole are RAM (an alias of GPA 0x1ffff0). */
	guest_pd(vm)[511] = 0 | PDE_P | PDE_RW | PDE_PS;
	op.addr = hole - 16;
	op.count = 32;
	sio_start(_metadata, vm, vcpu, &op, false);
	EXPECT_IO(vcpu, KHV_EXIT_IO_OUT, SIO_PORT, 1, 16);
	EXPECT_EQ(0, memcmp(io_data(vcpu), vm->mem + 0x1ffff0, 16));
	sio_done(vm, vcpu, &f);
	EXPECT_EQ(1, f.pf_count);
	EXPECT_EQ(hole, f.pf_cr2);
	EXPECT_EQ(hole, f.index);
	EXPECT_EQ(16, f.count);
	vm_free(vm);
}

/*
 * With CR0.WP, an INS into a read-only page gets #PF(P|W) before user space
 * sees the port; into a writable page it completes there.
 */
TEST(ins_into_read_only_page_injects_pf)
{
	struct guest_sio op = { .in = 1, .addr = ALIAS(300) + RAM_OFF, .count = 4,
				.port = SIO_PORT };
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct guest_faults f;

	vm = vm_create_for_guest_code();
	vcpu = vm_vcpu_add(vm, 0);
	guest_pd(vm)[300] = 0 | PDE_P | PDE_PS;
	guest_pd(vm)[301] = 0 | PDE_P | PDE_RW | PDE_PS;
	memset(vm->mem + RAM_OFF, 0xcc, 4);
	sio_start(_metadata, vm, vcpu, &op, false);
	sio_done(vm, vcpu, &f);
	EXPECT_EQ(1, f.pf_count);
	EXPECT_EQ(0x3, f.pf_error);	/* P | W */
	EXPECT_EQ(ALIAS(300) + RAM_OFF, f.pf_cr2);
	EXPECT_EQ(0, memcmp(vm->mem + RAM_OFF, "\xcc\xcc\xcc\xcc", 4));

	op.addr = ALIAS(301) + RAM_OFF;
	sio_start(_metadata, vm, vcpu, &op, false);
	EXPECT_IO(vcpu, KHV_EXIT_IO_IN, SIO_PORT, 1, 4);
	memcpy(io_data(vcpu), "\x11\x22\x33\x44", 4);
	sio_done(vm, vcpu, &f);
	EXPECT_EQ(0, f.pf_count);
	EXPECT_EQ(ALIAS(301) + RAM_OFF + 4, f.index);
	EXPECT_EQ(0, f.count);
	EXPECT_EQ(0, memcmp(vm->mem + RAM_OFF, "\x11\x22\x33\x44", 4));
	vm_free(vm);
}

/*
 * At CPL 3: an OUTS from a supervisor page gets #PF(P|U), an INS into a
 * read-only user page #PF(P|W|U); an OUTS from a user page runs.
 */
TEST(cpl3_string_io_checks_user_pages)
{
	struct guest_sio op = { .addr = ALIAS(302) + RAM_OFF, .count = 4, .port = SIO_PORT };
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct guest_faults f;

	vm = vm_create_for_guest_code();
	vcpu = vm_vcpu_add(vm, 0);
	sio_start(_metadata, vm, vcpu, &op, true);
	/* After vcpu_enter_user_mode(), which makes the whole map user. */
	guest_pd(vm)[302] = 0 | PDE_P | PDE_RW | PDE_PS;
	guest_pd(vm)[303] = 0 | PDE_P | PDE_US | PDE_PS;
	guest_pd(vm)[304] = 0 | PDE_P | PDE_RW | PDE_US | PDE_PS;
	sio_done(vm, vcpu, &f);
	EXPECT_EQ(1, f.pf_count);
	EXPECT_EQ(0x5, f.pf_error);	/* P | U */
	EXPECT_EQ(ALIAS(302) + RAM_OFF, f.pf_cr2);

	op.in = 1;
	op.addr = ALIAS(303) + RAM_OFF;
	sio_start(_metadata, vm, vcpu, &op, true);
	sio_done(vm, vcpu, &f);
	EXPECT_EQ(1, f.pf_count);
	EXPECT_EQ(0x7, f.pf_error);	/* P | W | U */
	EXPECT_EQ(ALIAS(303) + RAM_OFF, f.pf_cr2);

	op.in = 0;
	op.addr = ALIAS(304) + RAM_OFF;
	sio_start(_metadata, vm, vcpu, &op, true);
	EXPECT_IO(vcpu, KHV_EXIT_IO_OUT, SIO_PORT, 1, 4);
	sio_done(vm, vcpu, &f);
	EXPECT_EQ(0, f.pf_count);
	vm_free(vm);
}

/* With CR4.SMAP, a CPL 0 OUTS from a user page gets #PF(P) unless EFLAGS.AC is set. */
TEST(smap_stops_supervisor_outs_from_user_page)
{
	struct guest_sio op = { .addr = ALIAS(304) + RAM_OFF, .count = 4, .port = SIO_PORT };
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct khv_sregs sregs;
	struct guest_faults f;
	unsigned int a, b, c, d;
	uint64_t *pml4, *pdpt;

	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || !(b & (1u << 20)))
		SKIP(return, "this host's CPU has no SMAP");
	vm = vm_create_for_guest_code();
	vcpu = vm_vcpu_add(vm, 0);
	pml4 = (uint64_t *)(vm->mem + GUEST_PML4_GPA);
	pdpt = (uint64_t *)(vm->mem + GUEST_PDPT_GPA);
	pml4[0] |= PDE_US;
	pdpt[0] |= PDE_US;
	guest_pd(vm)[304] = 0 | PDE_P | PDE_RW | PDE_US | PDE_PS;
	sio_start(_metadata, vm, vcpu, &op, false);
	ASSERT_EQ(0, vcpu_get_sregs(vcpu, &sregs));
	sregs.cr4 |= 1ull << 21;	/* SMAP */
	ASSERT_EQ(0, vcpu_set_sregs(vcpu, &sregs));
	sio_done(vm, vcpu, &f);
	EXPECT_EQ(1, f.pf_count);
	EXPECT_EQ(0x1, f.pf_error);	/* P */
	EXPECT_EQ(ALIAS(304) + RAM_OFF, f.pf_cr2);

	op.stac = 1;
	sio_start(_metadata, vm, vcpu, &op, false);
	ASSERT_EQ(0, vcpu_set_sregs(vcpu, &sregs));
	EXPECT_IO(vcpu, KHV_EXIT_IO_OUT, SIO_PORT, 1, 4);
	sio_done(vm, vcpu, &f);
	EXPECT_EQ(0, f.pf_count);
	vm_free(vm);
}

/* A non-canonical operand in 64-bit mode: #GP(0), for OUTS and INS. */
TEST(string_io_non_canonical_injects_gp)
{
	struct guest_sio op = { .addr = 1ull << 47, .count = 1, .port = SIO_PORT };
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct guest_faults f;

	vm = vm_create_for_guest_code();
	vcpu = vm_vcpu_add(vm, 0);
	sio_start(_metadata, vm, vcpu, &op, false);
	sio_done(vm, vcpu, &f);
	EXPECT_EQ(1, f.gp_count);
	EXPECT_EQ(0, f.gp_error);
	EXPECT_EQ(f.insn, f.gp_rip);
	EXPECT_EQ(0, f.pf_count);

	op.in = 1;
	sio_start(_metadata, vm, vcpu, &op, false);
	sio_done(vm, vcpu, &f);
	EXPECT_EQ(1, f.gp_count);
	EXPECT_EQ(f.insn, f.gp_rip);
	vm_free(vm);
}

/* ---- hypercalls and control registers ----------------------------------- */

/*
 * Only the guest's kernel may make hypercalls (as KVM has it): at CPL 3
 * every call returns KHV_HC_EPERM and none reaches user space.
 */
TEST(hypercall_above_cpl0_gets_eperm)
{
	uint64_t vmmcall = khv_vendor(_metadata) == KHV_VENDOR_AMD;
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct ucall uc;
	int r;

	vm = vm_create_with_one_vcpu(&vcpu, guest_code_hypercall, vmmcall);
	r = vcpu_enter_user_mode(vcpu);
	ASSERT_EQ(0, r) TH_LOG("user mode: %s", strerror(-r));
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	EXPECT_EQ(KHV_HC_EPERM, uc.args[0]);
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	EXPECT_EQ(KHV_HC_EPERM, uc.args[0]);
	vcpu_run_to_ucall(vcpu, &uc, UCALL_DONE);

	/* The same calls at CPL 0. */
	r = vcpu_set_long_mode(vcpu, guest_code_hypercall, vmmcall);
	ASSERT_EQ(0, r) TH_LOG("long mode: %s", strerror(-r));
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	EXPECT_EQ(KHV_API_VERSION, uc.args[0]);
	vcpu_run_exit(vcpu, KHV_EXIT_HYPERCALL);
	EXPECT_EQ(KHV_HC_USER_BASE, vcpu->run->hypercall.nr);
	vcpu->run->hypercall.ret = 0x77;
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	EXPECT_EQ(0x77, uc.args[0]);
	vcpu_run_to_ucall(vcpu, &uc, UCALL_DONE);
	vm_free(vm);
}

/* VMX: CR4.CET is refused like the other CR4 bits khv owns (PKE, OSXSAVE). */
TEST(vmx_refuses_cr4_cet)
{
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct khv_sregs sregs;

	if (khv_vendor(_metadata) != KHV_VENDOR_INTEL)
		SKIP(return, "VMX only");
	vm = vm_create_for_guest_code();
	vcpu = vm_vcpu_add(vm, 0);
	ASSERT_EQ(0, vcpu_set_long_mode(vcpu, guest_code_hypercall, 0));
	ASSERT_EQ(0, vcpu_get_sregs(vcpu, &sregs));
	sregs.cr4 |= 1ull << 23;	/* CET */
	EXPECT_EQ(-EINVAL, vcpu_set_sregs(vcpu, &sregs));
	sregs.cr4 &= ~(1ull << 23);
	EXPECT_EQ(0, vcpu_set_sregs(vcpu, &sregs));
	vm_free(vm);
}

/*
 * A TR user space marked not present (KHV_SET_SREGS takes it, as KVM's),
 * then a #GP at CPL 3, whose delivery reads RSP0 from the TSS. VMX refuses
 * the entry (SDM Vol. 3C 26.3.1.2: TR must be present). SVM checks no TR at
 * VMRUN (APM 15.5.1): the processor delivers through the TSS, or faults
 * (#TS, then #DF and a triple fault): the guest's own end either way.
 * QEMU's model aborted the emulator there, the whole emulated host with it
 * ("invalid tss"): the rig's QEMU raises #TS instead (scripts/rig/qemu/).
 */
TEST(stack_switch_through_absent_tr_ends_only_the_guest)
{
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct khv_sregs sregs;
	struct ucall uc;
	int vendor = khv_vendor(_metadata);
	int present;

	for (present = 1; present >= 0; present--) {
		vm = vm_create_with_one_vcpu(&vcpu, guest_code_user_gp, 0);
		ASSERT_EQ(0, vm_set_idt_handler(vm, 13, guest_gp_handler));
		ASSERT_EQ(0, vcpu_enter_user_mode(vcpu));
		ASSERT_EQ(0, vcpu_get_sregs(vcpu, &sregs));
		ASSERT_EQ(1, sregs.tr.present);
		sregs.tr.present = present;
		ASSERT_EQ(0, vcpu_set_sregs(vcpu, &sregs));
		ASSERT_EQ(0, vcpu_run(vcpu));
		if (present) {
			/* The same guest with its TR: the handler runs once. */
			ASSERT_EQ(UCALL_SYNC, get_ucall(vcpu, &uc));
			EXPECT_EQ(1, uc.args[0]);
		} else if (vendor == KHV_VENDOR_INTEL) {
			EXPECT_EQ(KHV_EXIT_FAIL_ENTRY, vcpu->run->exit_reason);
		} else if (vcpu->run->exit_reason != KHV_EXIT_SHUTDOWN) {
			/* A processor that used the TSS: the handler ran. */
			ASSERT_EQ(UCALL_SYNC, get_ucall(vcpu, &uc))
				TH_LOG("exit %s", exit_reason_str(vcpu->run->exit_reason));
			EXPECT_EQ(1, uc.args[0]);
		}
		vm_free(vm);
	}
}

TEST_HARNESS_MAIN
