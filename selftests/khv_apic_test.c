// SPDX-License-Identifier: GPL-2.0-only
/*
 * khv_apic_test: the split irqchip (Documentation/khv-abi.rst, "Local
 * APIC"): KHV_CREATE_IRQCHIP's rules, MSIs from user space and from an
 * eventfd reaching the guest's handler through xAPIC and x2APIC, TPR and
 * CR8, the LAPIC timer's modes, HLT that sleeps until an interrupt or a
 * signal, IPIs between vCPUs (physical and logical destinations, lowest
 * priority, shorthands), INIT-SIPI-SIPI bringing up four APs,
 * KHV_GET/SET_LAPIC and KHV_GET/SET_MP_STATE (a timer that survives a save
 * and restore into another VM), and what a hostile guest or VMM may try (a
 * SIPI storm, a self-IPI livelock). The guest half is khv_apic_test_guest.c.
 *
 * Counts, never wall-clock bounds: the emulated hosts are slow (the timer
 * test's bound on each run only turns a guest that never wakes into a failure).
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include "kselftest_harness.h"
#include "khv_util.h"
#include "khv_vm.h"
#include "khv_apic_test.h"

extern volatile struct apic_guest apic_guest;
void apic_handler_vec(struct guest_intr_frame *frame);
void apic_handler_timer(struct guest_intr_frame *frame);
void apic_handler_ipi(struct guest_intr_frame *frame);
void apic_handler_nmi(struct guest_intr_frame *frame);
void apic_handler_gp(struct guest_intr_frame *frame, uint64_t error_code);
void guest_code_msi(uint64_t mode);
void guest_code_extint(uint64_t mode);
void guest_code_timer(uint64_t arg);
void guest_code_hlt_forever(uint64_t arg);
void guest_code_ipi_receiver(uint64_t mode);
void guest_code_ipi_sender(uint64_t mode);
void guest_code_sipi(uint64_t storm);
void guest_code_level_eoi(uint64_t mode);
void guest_code_error_lvt(uint64_t mode);
void guest_code_ap_dirty(uint64_t arg);
void guest_code_init_ap(uint64_t arg);
void apic_handler_loop(struct guest_intr_frame *frame);
void guest_code_group(uint64_t arg);
void guest_code_sipi_storm(uint64_t mode);
void guest_code_self_ipi_loop(uint64_t mode);
void guest_code_timer_migrate(uint64_t mode);

/* Bochs is ~50x slower than native: the harness's own timeout stays below the runner's. */
#define APIC_TEST_TIMEOUT	900

static volatile struct apic_guest *guest_view(struct khv_test_vm *vm)
{
	return addr_gva2hva(vm, (const void *)&apic_guest);
}

/* A long-mode VM with the irqchip, the handlers in its IDT, no vCPU yet. */
static struct khv_test_vm *apic_vm(void)
{
	struct khv_test_vm *vm = vm_create_for_guest_code();

	TEST_ASSERT(!khv_ioctl(vm->fd, KHV_CREATE_IRQCHIP, 0), "KHV_CREATE_IRQCHIP");
	TEST_ASSERT(!vm_set_idt_handler(vm, APIC_TEST_VEC, apic_handler_vec) &&
		    !vm_set_idt_handler(vm, APIC_TEST_VEC_TIMER, apic_handler_timer) &&
		    !vm_set_idt_handler(vm, APIC_TEST_VEC_IPI, apic_handler_ipi) &&
		    !vm_set_idt_handler(vm, APIC_TEST_VEC_LOOP, apic_handler_loop) &&
		    !vm_set_idt_handler(vm, 2, apic_handler_nmi) &&
		    !vm_set_idt_handler(vm, 13, apic_handler_gp), "IDT handlers");
	return vm;
}

/* vCPU @id of an irqchip VM, runnable (an AP starts waiting for INIT), in @code. */
static struct khv_test_vcpu *apic_vcpu(struct khv_test_vm *vm, uint32_t id,
				       void (*code)(uint64_t), uint64_t arg)
{
	struct khv_test_vcpu *vcpu = vm_vcpu_add(vm, id);
	struct khv_mp_state mp = { .mp_state = KHV_MP_STATE_RUNNABLE };

	TEST_ASSERT(!khv_ioctl(vcpu->fd, KHV_SET_MP_STATE, (unsigned long)&mp),
		    "KHV_SET_MP_STATE");
	TEST_ASSERT(!vcpu_set_long_mode(vcpu, code, arg), "long mode");
	return vcpu;
}

/* An MSI; @level: level-triggered and asserted (data bits 15 and 14), as an IOAPIC's. */
static int signal_msi_level(struct khv_test_vm *vm, uint32_t dest, uint32_t vec, bool level)
{
	struct khv_msi msi = {
		.address_lo = 0xfee00000u | dest << 12,
		.data = vec | (level ? 3u << 14 : 0),
	};

	return khv_ioctl(vm->fd, KHV_SIGNAL_MSI, (unsigned long)&msi);
}

static int signal_msi(struct khv_test_vm *vm, uint32_t dest, uint32_t vec)
{
	return signal_msi_level(vm, dest, vec, false);
}

/* A test of @fn in x2APIC mode and one in xAPIC mode: @name_x2apic, @name_xapic. */
#define APIC_TEST_EACH_MODE(name, fn)					\
	TEST_F_TIMEOUT(apic, name##_x2apic, APIC_TEST_TIMEOUT)		\
	{								\
		fn(_metadata, APIC_MODE_X2APIC);			\
	}								\
	TEST_F_TIMEOUT(apic, name##_xapic, APIC_TEST_TIMEOUT)		\
	{								\
		fn(_metadata, APIC_MODE_XAPIC);				\
	}

#define OVERCOMMIT_PARAM	"/sys/module/khv/parameters/vcpu_overcommit"

FIXTURE(apic) {
	int devfd;
	char overcommit[8];
};

/* The SMP tests want 5 vCPUs on hosts with fewer CPUs: the administrator's knob (HY-SR-4). */
FIXTURE_SETUP(apic)
{
	self->devfd = khv_open_dev();
	ASSERT_LE(0, self->devfd)
		TH_LOG("no " KHV_DEV_PATH ": %s", strerror(-self->devfd));
	ASSERT_EQ(1, khv_check_extension(self->devfd, KHV_CAP_IRQCHIP));
	ASSERT_LT(0, khv_read_file(OVERCOMMIT_PARAM, self->overcommit,
				   sizeof(self->overcommit)));
	ASSERT_EQ(0, khv_write_file(OVERCOMMIT_PARAM, "Y"));
}

FIXTURE_TEARDOWN(apic)
{
	khv_write_file(OVERCOMMIT_PARAM, self->overcommit[0] == 'Y' ? "Y" : "N");
	if (self->devfd >= 0)
		close(self->devfd);
}

/* Opt-in, before any vCPU, once; the interrupt ioctls need it. */
TEST_F(apic, create_irqchip_rules)
{
	struct khv_test_vm *vm = vm_create_for_guest_code();
	struct khv_test_vcpu *vcpu;
	struct khv_msi msi = { .address_lo = 0xfee00000u, .data = APIC_TEST_VEC };
	struct khv_mp_state mp;
	struct khv_lapic_state st;

	EXPECT_EQ(64, khv_check_extension(self->devfd, KHV_CAP_MAX_VCPUS));
	EXPECT_EQ(-ENXIO, khv_ioctl(vm->fd, KHV_SIGNAL_MSI, (unsigned long)&msi));
	EXPECT_EQ(-EINVAL, khv_ioctl(vm->fd, KHV_CREATE_IRQCHIP, 1));
	vcpu = vm_vcpu_add(vm, 0);
	EXPECT_EQ(-EBUSY, khv_ioctl(vm->fd, KHV_CREATE_IRQCHIP, 0));
	EXPECT_EQ(-ENXIO, khv_ioctl(vcpu->fd, KHV_GET_LAPIC, (unsigned long)&st));
	EXPECT_EQ(-ENXIO, khv_ioctl(vcpu->fd, KHV_GET_MP_STATE, (unsigned long)&mp));
	vm_free(vm);

	vm = vm_create_for_guest_code();
	EXPECT_EQ(0, khv_ioctl(vm->fd, KHV_CREATE_IRQCHIP, 0));
	EXPECT_EQ(-EEXIST, khv_ioctl(vm->fd, KHV_CREATE_IRQCHIP, 0));
	/* No vCPU: nothing matches. */
	EXPECT_EQ(0, khv_ioctl(vm->fd, KHV_SIGNAL_MSI, (unsigned long)&msi));
	vcpu = vm_vcpu_add(vm, 0);
	EXPECT_EQ(1, khv_ioctl(vm->fd, KHV_SIGNAL_MSI, (unsigned long)&msi));
	/* Hostile messages. */
	msi.flags = 1;
	EXPECT_EQ(-EINVAL, khv_ioctl(vm->fd, KHV_SIGNAL_MSI, (unsigned long)&msi));
	msi.flags = 0;
	msi.reserved[3] = 1;
	EXPECT_EQ(-EINVAL, khv_ioctl(vm->fd, KHV_SIGNAL_MSI, (unsigned long)&msi));
	msi.reserved[3] = 0;
	msi.address_lo = 0xfed00000u;
	EXPECT_EQ(-EINVAL, khv_ioctl(vm->fd, KHV_SIGNAL_MSI, (unsigned long)&msi));
	msi.address_lo = 0xfee00000u;
	msi.data = APIC_DM_INIT;
	EXPECT_EQ(-EINVAL, khv_ioctl(vm->fd, KHV_SIGNAL_MSI, (unsigned long)&msi));
	msi.data = 7u << 8;
	EXPECT_EQ(-EINVAL, khv_ioctl(vm->fd, KHV_SIGNAL_MSI, (unsigned long)&msi));
	msi.data = APIC_TEST_VEC | 1u << 16;
	EXPECT_EQ(-EINVAL, khv_ioctl(vm->fd, KHV_SIGNAL_MSI, (unsigned long)&msi));
	msi.data = APIC_TEST_VEC;
	msi.address_lo = 0xfee00000u | 5u << 12;
	EXPECT_EQ(0, khv_ioctl(vm->fd, KHV_SIGNAL_MSI, (unsigned long)&msi));
	/* vCPU 0 runs; an AP waits for INIT. */
	ASSERT_EQ(0, khv_ioctl(vcpu->fd, KHV_GET_MP_STATE, (unsigned long)&mp));
	EXPECT_EQ(KHV_MP_STATE_RUNNABLE, mp.mp_state);
	vcpu = vm_vcpu_add(vm, 1);
	ASSERT_EQ(0, khv_ioctl(vcpu->fd, KHV_GET_MP_STATE, (unsigned long)&mp));
	EXPECT_EQ(KHV_MP_STATE_UNINITIALIZED, mp.mp_state);
	mp.mp_state = 4;
	EXPECT_EQ(-EINVAL, khv_ioctl(vcpu->fd, KHV_SET_MP_STATE, (unsigned long)&mp));
	mp.mp_state = 0;
	mp.reserved = 1;
	EXPECT_EQ(-EINVAL, khv_ioctl(vcpu->fd, KHV_SET_MP_STATE, (unsigned long)&mp));
	vm_free(vm);
}

/* An MSI reaches the handler, EOI clears ISR; TPR and CR8 hold one back. */
static void run_msi(struct __test_metadata *_metadata, uint64_t mode)
{
	struct khv_test_vm *vm = apic_vm();
	struct khv_test_vcpu *vcpu = apic_vcpu(vm, 0, guest_code_msi, mode);
	struct ucall uc;

	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(0, uc.args[0]);
	EXPECT_EQ(0x50014u, uc.args[1]) TH_LOG("LVR %#llx", (unsigned long long)uc.args[1]);
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(1, uc.args[0]);
	EXPECT_EQ(1, signal_msi(vm, 0, APIC_TEST_VEC));
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(2, uc.args[0]);
	EXPECT_EQ(1, uc.args[1]) TH_LOG("handler ran %llu times", (unsigned long long)uc.args[1]);
	EXPECT_EQ(0, uc.args[2]) TH_LOG("ISR bit still set after EOI");
	EXPECT_EQ(0, uc.args[3]) TH_LOG("PPR %#llx", (unsigned long long)uc.args[3]);

	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(3, uc.args[0]);
	EXPECT_EQ(1, signal_msi(vm, 0, APIC_TEST_VEC));
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(4, uc.args[0]);
	EXPECT_EQ(1, uc.args[1]) TH_LOG("delivered through TPR 0x50");
	EXPECT_EQ(0x50, uc.args[2]);
	EXPECT_EQ(1, uc.args[3]) TH_LOG("not in IRR");
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(5, uc.args[0]);
	EXPECT_EQ(2, uc.args[1]) TH_LOG("not delivered once TPR was 0");

	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(6, uc.args[0]);
	EXPECT_EQ(0x50, uc.args[1]) TH_LOG("TPR %#llx after CR8 = 5", (unsigned long long)uc.args[1]);
	EXPECT_EQ(1, signal_msi(vm, 0, APIC_TEST_VEC));
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(7, uc.args[0]);
	EXPECT_EQ(2, uc.args[1]) TH_LOG("delivered through CR8 5");
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(8, uc.args[0]);
	EXPECT_EQ(3, uc.args[1]) TH_LOG("not delivered once CR8 was 0");
	vcpu_run_to_ucall(vcpu, &uc, UCALL_DONE);
	vm_free(vm);
}

APIC_TEST_EACH_MODE(msi, run_msi)

/* KHV_INTERRUPT (the PIC's ExtINT) only through LINT0 unmasked in ExtINT mode. */
static void run_extint(struct __test_metadata *_metadata, uint64_t mode)
{
	struct khv_test_vm *vm = apic_vm();
	struct khv_test_vcpu *vcpu = apic_vcpu(vm, 0, guest_code_extint, mode);
	struct khv_interrupt irq = { .vector = APIC_TEST_VEC };
	struct ucall uc;

	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(1, uc.args[0]);
	EXPECT_EQ(APIC_LVT_MASKED, uc.args[1]) TH_LOG("LINT0 %#llx after reset",
						     (unsigned long long)uc.args[1]);
	/* IF is set, but no ExtINT could be delivered now. */
	EXPECT_EQ(1, vcpu->run->if_flag);
	EXPECT_EQ(0, vcpu->run->ready_for_interrupt_injection);
	ASSERT_EQ(0, khv_ioctl(vcpu->fd, KHV_INTERRUPT, (unsigned long)&irq));
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(2, uc.args[0]);
	EXPECT_EQ(0, uc.args[1]) TH_LOG("an ExtINT went through a masked LINT0");
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(3, uc.args[0]);
	EXPECT_EQ(1, uc.args[1]) TH_LOG("no ExtINT through LINT0 in ExtINT mode");
	EXPECT_EQ(1, vcpu->run->ready_for_interrupt_injection);
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(4, uc.args[0]);
	ASSERT_EQ(0, khv_ioctl(vcpu->fd, KHV_INTERRUPT, (unsigned long)&irq));
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(5, uc.args[0]);
	EXPECT_EQ(1, uc.args[1]) TH_LOG("an ExtINT went through a masked LINT0");
	vcpu_run_to_ucall(vcpu, &uc, UCALL_DONE);
	vm_free(vm);
}

APIC_TEST_EACH_MODE(extint, run_extint)

static void on_signal(int sig)
{
	(void)sig;
}

/* A 32-bit register of a KHV_GET_LAPIC image. */
static uint32_t lapic_reg(const struct khv_lapic_state *st, uint32_t off)
{
	uint32_t v;

	memcpy(&v, st->regs + off, sizeof(v));
	return v;
}

static bool lapic_vec_set(const struct khv_lapic_state *st, uint32_t base, unsigned int vec)
{
	return (lapic_reg(st, base + (vec / 32) * 0x10) >> (vec % 32)) & 1;
}

/* What a vCPU stopped in the timer test was waiting for: stage, count, APIC, MP state. */
static void timer_describe(struct __test_metadata *_metadata, struct khv_test_vm *vm,
			   struct khv_test_vcpu *vcpu)
{
	volatile struct apic_guest *g = guest_view(vm);
	struct khv_lapic_state st;
	struct khv_mp_state mp = {};
	struct khv_regs regs = {};
	struct khv_msrs msrs = {
		.nmsrs = 2,
		.entries = { { .index = MSR_TSC_DEADLINE }, { .index = MSR_IA32_TSC } },
	};
	uint64_t n = g->count[0][APIC_TEST_VEC_TIMER - APIC_TEST_VEC];

	TH_LOG("stuck at stage %#llx: %llu timer interrupts taken, %llu since the step began",
	       (unsigned long long)g->stage, (unsigned long long)n,
	       (unsigned long long)(n - g->stage_count));
	if (!khv_ioctl(vcpu->fd, KHV_GET_MSRS, (unsigned long)&msrs))
		TH_LOG("IA32_TSC_DEADLINE %#llx, IA32_TSC %#llx",
		       (unsigned long long)msrs.entries[0].data,
		       (unsigned long long)msrs.entries[1].data);
	if (!khv_ioctl(vcpu->fd, KHV_GET_LAPIC, (unsigned long)&st))
		TH_LOG("LVTT %#x TMICT %#x TMCCT %#x TDCR %#x IRR.%#x %d ISR.%#x %d",
		       lapic_reg(&st, APIC_LVTT), lapic_reg(&st, APIC_TMICT),
		       lapic_reg(&st, APIC_TMCCT), lapic_reg(&st, APIC_TDCR),
		       APIC_TEST_VEC_TIMER, lapic_vec_set(&st, APIC_IRR, APIC_TEST_VEC_TIMER),
		       APIC_TEST_VEC_TIMER, lapic_vec_set(&st, APIC_ISR, APIC_TEST_VEC_TIMER));
	if (!khv_ioctl(vcpu->fd, KHV_GET_MP_STATE, (unsigned long)&mp) &&
	    !vcpu_get_regs(vcpu, &regs))
		TH_LOG("MP state %u, RIP %#llx, RFLAGS %#llx", mp.mp_state,
		       (unsigned long long)regs.rip, (unsigned long long)regs.rflags);
}

/* Interrupts the guest's handlers took before STI; HLT's HLT ran (apic_sti_hlt()). */
static void report_hlt_skipped(struct __test_metadata *_metadata, struct khv_test_vm *vm)
{
	uint64_t n = guest_view(vm)->hlt_skipped;

	if (n)
		TH_LOG("%llu interrupts came between STI and HLT: this host's CPU lost the STI shadow",
		       (unsigned long long)n);
}

/* Where the last interrupts came, for a count that is off. */
static void report_frames(struct __test_metadata *_metadata, struct khv_test_vm *vm)
{
	volatile struct apic_guest *g = guest_view(vm);
	uint64_t i, n = g->frames;

	TH_LOG("%llu interrupts taken, %llu with IF clear", (unsigned long long)n,
	       (unsigned long long)g->if_clear);
	for (i = n > 4 ? n - 4 : 0; i < n; i++)
		TH_LOG("interrupt %llu: RIP %#llx RFLAGS %#llx", (unsigned long long)i,
		       (unsigned long long)g->frame_rip[i % 4],
		       (unsigned long long)g->frame_rflags[i % 4]);
}

/*
 * The timer test's run to its next ucall, bounded: a guest halted for a
 * timer that never wakes it fails the test, its stage named, instead of
 * waiting for the harness's timeout.
 */
#define APIC_TIMER_STAGE_SECS	120

static void timer_run_to_ucall(struct __test_metadata *_metadata, struct khv_test_vm *vm,
			       struct khv_test_vcpu *vcpu, struct ucall *uc, uint64_t want)
{
	struct sigaction sa = { .sa_handler = on_signal };
	char why[256];
	uint64_t cmd;
	int r;

	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	alarm(APIC_TIMER_STAGE_SECS);
	r = vcpu_run(vcpu);
	alarm(0);
	if (r == -EINTR)
		timer_describe(_metadata, vm, vcpu);
	ASSERT_EQ(0, r) TH_LOG("KHV_RUN: %s (not back within %d s)", strerror(-r),
			       APIC_TIMER_STAGE_SECS);
	cmd = get_ucall(vcpu, uc);
	if (cmd == UCALL_NONE) {
		vcpu_describe_exit(vcpu, why, sizeof(why));
		TH_LOG("not a ucall: %s", why);
	}
	if (cmd == UCALL_ASSERT)
		REPORT_GUEST_ASSERT(*uc);
	ASSERT_EQ(want, cmd);
}

/*
 * One-shot once, periodic each period until stopped, TSC deadline once; one
 * that expired while interrupts were off is taken at STI; HLT.
 */
TEST_F_TIMEOUT(apic, timer_modes, APIC_TEST_TIMEOUT)
{
	struct khv_test_vm *vm = apic_vm();
	struct khv_test_vcpu *vcpu = apic_vcpu(vm, 0, guest_code_timer, 0);
	struct ucall uc;

	timer_run_to_ucall(_metadata, vm, vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(1, uc.args[0]);
	EXPECT_EQ(1, uc.args[1]) TH_LOG("one-shot: %llu after HLT", (unsigned long long)uc.args[1]);
	EXPECT_EQ(1, uc.args[2]) TH_LOG("one-shot fired %llu times", (unsigned long long)uc.args[2]);
	EXPECT_GE(2000000, uc.args[3]);
	timer_run_to_ucall(_metadata, vm, vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(2, uc.args[0]);
	EXPECT_LE(6, uc.args[1]) TH_LOG("periodic: %llu after 5 HLTs", (unsigned long long)uc.args[1]);
	EXPECT_EQ(uc.args[1], uc.args[2]) TH_LOG("fired after TMICT = 0");
	timer_run_to_ucall(_metadata, vm, vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(3, uc.args[0]);
	EXPECT_EQ(uc.args[1], uc.args[2]);
	EXPECT_EQ(0, uc.args[3]) TH_LOG("TSC deadline %#llx after it fired", (unsigned long long)uc.args[3]);
	timer_run_to_ucall(_metadata, vm, vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(4, uc.args[0]);
	timer_run_to_ucall(_metadata, vm, vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(5, uc.args[0]);
	EXPECT_EQ(1, uc.args[1]) TH_LOG("an expired one-shot not in IRR with IF = 0");
	EXPECT_EQ(1, uc.args[2]) TH_LOG("STI; HLT took it %llu times", (unsigned long long)uc.args[2]);
	EXPECT_EQ(0, uc.args[3]) TH_LOG("still in IRR after it was taken");
	timer_run_to_ucall(_metadata, vm, vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(6, uc.args[0]);
	EXPECT_EQ(1, uc.args[1]) TH_LOG("a one-shot count of 1 not in IRR right after TMICT");
	EXPECT_EQ(1, uc.args[2]) TH_LOG("a past TSC deadline not in IRR right after the WRMSR");
	EXPECT_EQ(2, uc.args[3]) TH_LOG("%llu interrupts for the two", (unsigned long long)uc.args[3]);
	timer_run_to_ucall(_metadata, vm, vcpu, &uc, UCALL_DONE);
	report_hlt_skipped(_metadata, vm);
	vm_free(vm);
}

/* HLT with IF = 1 sleeps in KHV_RUN; a signal still ends the run. */
TEST_F_TIMEOUT(apic, hlt_sleeps_until_signal, APIC_TEST_TIMEOUT)
{
	struct khv_test_vm *vm = apic_vm();
	struct khv_test_vcpu *vcpu = apic_vcpu(vm, 0, guest_code_hlt_forever, 0);
	struct sigaction sa = { .sa_handler = on_signal };
	struct khv_mp_state mp;
	int r;

	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	alarm(2);
	r = vcpu_run(vcpu);
	alarm(0);
	EXPECT_EQ(-EINTR, r);
	EXPECT_EQ(KHV_EXIT_INTR, vcpu->run->exit_reason);
	ASSERT_EQ(0, khv_ioctl(vcpu->fd, KHV_GET_MP_STATE, (unsigned long)&mp));
	EXPECT_EQ(KHV_MP_STATE_HALTED, mp.mp_state);
	/* An MSI wakes it: the next run goes on into HLT again, and a signal ends it. */
	EXPECT_EQ(1, signal_msi(vm, 0, APIC_TEST_VEC));
	alarm(2);
	r = vcpu_run(vcpu);
	alarm(0);
	EXPECT_EQ(-EINTR, r);
	EXPECT_EQ(1, guest_view(vm)->count[0][0]);
	vm_free(vm);
}

/* An AP waits for INIT in KHV_RUN; a signal still ends the run. */
TEST_F_TIMEOUT(apic, ap_waits_for_init_until_signal, APIC_TEST_TIMEOUT)
{
	struct khv_test_vm *vm = apic_vm();
	struct khv_test_vcpu *ap;
	struct sigaction sa = { .sa_handler = on_signal };
	struct khv_mp_state mp;

	vm_vcpu_add(vm, 0);
	ap = vm_vcpu_add(vm, 1);
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	alarm(2);
	EXPECT_EQ(-EINTR, vcpu_run(ap));
	alarm(0);
	EXPECT_EQ(KHV_EXIT_INTR, ap->run->exit_reason);
	ASSERT_EQ(0, khv_ioctl(ap->fd, KHV_GET_MP_STATE, (unsigned long)&mp));
	EXPECT_EQ(KHV_MP_STATE_UNINITIALIZED, mp.mp_state);
	/* A fixed MSI does not start it. */
	EXPECT_EQ(1, signal_msi(vm, 1, APIC_TEST_VEC));
	alarm(2);
	EXPECT_EQ(-EINTR, vcpu_run(ap));
	alarm(0);
	vm_free(vm);
}

struct vcpu_thread {
	struct khv_test_vcpu *vcpu;
	pthread_t thread;
	atomic_int done;
	int r;
	uint32_t exits[4];	/* the reasons of its first runs */
	uint16_t port;
	struct ucall uc;
};

/* Run a C guest to its end: SYNCs go on, DONE or anything else stops. */
static void *run_guest_thread(void *arg)
{
	struct vcpu_thread *t = arg;
	uint64_t cmd;

	for (;;) {
		t->r = vcpu_run(t->vcpu);
		if (t->r)
			break;
		cmd = vcpu_get_ucall(t->vcpu, &t->uc, NULL, 0, NULL, 0);
		if (cmd != UCALL_SYNC)
			break;
	}
	atomic_store(&t->done, 1);
	return NULL;
}

/* An AP of the SIPI test: its first two exits (the OUT, then HLT). */
static void *run_ap_thread(void *arg)
{
	struct vcpu_thread *t = arg;
	int i;

	for (i = 0; i < 2; i++) {
		t->r = vcpu_run(t->vcpu);
		if (t->r)
			break;
		t->exits[i] = t->vcpu->run->exit_reason;
		if (i == 0 && t->vcpu->run->exit_reason == KHV_EXIT_IO)
			t->port = t->vcpu->run->io.port;
	}
	atomic_store(&t->done, 1);
	return NULL;
}

/* Wait for @t (at most @secs seconds), else stop it with a signal. */
static bool join_or_kick(struct vcpu_thread *t, int secs)
{
	int i;

	for (i = 0; i < secs * 10 && !atomic_load(&t->done); i++)
		usleep(100000);
	if (!atomic_load(&t->done)) {
		pthread_kill(t->thread, SIGUSR1);
		pthread_join(t->thread, NULL);
		return false;
	}
	pthread_join(t->thread, NULL);
	return true;
}

/* vCPU 0 sends vCPU 1 (asleep in HLT) a fixed IPI and an NMI; hostile IPIs too. */
static void run_ipi(struct __test_metadata *_metadata, uint64_t mode)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct khv_test_vm *vm = apic_vm();
	struct khv_test_vcpu *v0 = apic_vcpu(vm, 0, guest_code_ipi_sender, mode);
	struct vcpu_thread t = { .vcpu = apic_vcpu(vm, 1, guest_code_ipi_receiver, mode) };
	struct ucall uc;

	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	ASSERT_EQ(0, pthread_create(&t.thread, NULL, run_guest_thread, &t));
	vcpu_run_to_ucall(v0, &uc, UCALL_SYNC);
	ASSERT_EQ(1, uc.args[0]);
	EXPECT_EQ(0x20, uc.args[1]) TH_LOG("ESR %#llx after an illegal vector", (unsigned long long)uc.args[1]);
	vcpu_run_to_ucall(v0, &uc, UCALL_SYNC);
	ASSERT_EQ(2, uc.args[0]);
	EXPECT_EQ(1, uc.args[1]) TH_LOG("1000 self-IPIs with IF = 0 arrived %llu times", (unsigned long long)uc.args[1]);
	vcpu_run_to_ucall(v0, &uc, UCALL_SYNC);
	ASSERT_EQ(3, uc.args[0]);
	EXPECT_EQ(mode == APIC_MODE_X2APIC ? 2 : 0, uc.args[1]);
	EXPECT_EQ(0x50014u, uc.args[2]);
	EXPECT_EQ(0, uc.args[3]);
	vcpu_run_to_ucall(v0, &uc, UCALL_DONE);

	ASSERT_TRUE(join_or_kick(&t, 300)) TH_LOG("vCPU 1 never took the IPI");
	EXPECT_EQ(0, t.r);
	EXPECT_EQ(UCALL_DONE, t.uc.cmd);
	EXPECT_EQ(1, guest_view(vm)->count[1][2]);
	EXPECT_EQ(1, guest_view(vm)->nmis);
	EXPECT_EQ(0, guest_view(vm)->count[1][0]);
	report_hlt_skipped(_metadata, vm);
	vm_free(vm);
}

APIC_TEST_EACH_MODE(ipi, run_ipi)

/*
 * INIT-SIPI-SIPI, broadcast, brings up @naps APs, each at the SIPI vector in
 * real mode; @storm INITs first.
 */
static void run_sipi(struct __test_metadata *_metadata, uint64_t storm, int naps)
{
	/* mov al, 0x5a; out 0x80, al; cli; hlt */
	static const uint8_t tramp[] = { 0xb0, 0x5a, 0xe6, APIC_TEST_SIPI_PORT, 0xfa, 0xf4 };
	struct sigaction sa = { .sa_handler = on_signal };
	struct khv_test_vm *vm = apic_vm();
	struct khv_test_vcpu *v0 = apic_vcpu(vm, 0, guest_code_sipi, storm);
	struct vcpu_thread *t = calloc(naps, sizeof(*t));
	struct khv_mp_state mp;
	struct ucall uc;
	int i;

	ASSERT_NE(NULL, t);
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	ASSERT_EQ(0, vm_load_code(vm, APIC_TEST_SIPI_VECTOR << 12, tramp, sizeof(tramp)));
	for (i = 0; i < naps; i++) {
		t[i].vcpu = vm_vcpu_add(vm, i + 1);
		ASSERT_NE(NULL, t[i].vcpu) TH_LOG("vCPU %d", i + 1);
		ASSERT_EQ(0, khv_ioctl(t[i].vcpu->fd, KHV_GET_MP_STATE, (unsigned long)&mp));
		EXPECT_EQ(KHV_MP_STATE_UNINITIALIZED, mp.mp_state);
		ASSERT_EQ(0, pthread_create(&t[i].thread, NULL, run_ap_thread, &t[i]));
	}
	vcpu_run_to_ucall(v0, &uc, UCALL_DONE);
	for (i = 0; i < naps; i++) {
		EXPECT_TRUE(join_or_kick(&t[i], 300)) TH_LOG("AP %d never reported in", i + 1);
		EXPECT_EQ(0, t[i].r);
		EXPECT_EQ(KHV_EXIT_IO, t[i].exits[0]) TH_LOG("AP %d: exit %u", i + 1, t[i].exits[0]);
		EXPECT_EQ(APIC_TEST_SIPI_PORT, t[i].port);
		EXPECT_EQ(KHV_EXIT_HLT, t[i].exits[1]);
		ASSERT_EQ(0, khv_ioctl(t[i].vcpu->fd, KHV_GET_MP_STATE, (unsigned long)&mp));
		EXPECT_EQ(KHV_MP_STATE_RUNNABLE, mp.mp_state);
	}
	vm_free(vm);
	free(t);
}

TEST_F_TIMEOUT(apic, init_sipi_sipi_brings_up_4_aps, APIC_TEST_TIMEOUT)
{
	run_sipi(_metadata, 0, 4);
}

TEST_F_TIMEOUT(apic, init_storm_then_sipi, APIC_TEST_TIMEOUT)
{
	run_sipi(_metadata, 200, 4);
}

/* The most a VM may have (KHV_CAP_MAX_VCPUS), whatever the host's CPU count. */
TEST_F_TIMEOUT(apic, init_sipi_sipi_brings_up_63_aps, APIC_TEST_TIMEOUT)
{
	ASSERT_EQ(KHV_TEST_MAX_VCPUS, khv_check_extension(self->devfd, KHV_CAP_MAX_VCPUS));
	run_sipi(_metadata, 0, KHV_TEST_MAX_VCPUS - 1);
}

struct irqfd_writer {
	int fd;
	int n;
};

static void *irqfd_write_thread(void *arg)
{
	struct irqfd_writer *w = arg;
	uint64_t one = 1;
	int i;

	for (i = 0; i < w->n; i++) {
		usleep(20000);
		if (write(w->fd, &one, sizeof(one)) != sizeof(one))
			break;
	}
	return NULL;
}

static int irqfd(struct khv_test_vm *vm, int fd, uint32_t flags, uint32_t lo, uint32_t data)
{
	struct khv_irqfd a = {
		.fd = fd, .flags = flags, .address_lo = lo, .data = data,
	};

	return khv_ioctl(vm->fd, KHV_IRQFD, (unsigned long)&a);
}

/* An eventfd's signal, from another thread while the guest runs, is an MSI. */
TEST_F_TIMEOUT(apic, irqfd_delivers_msi, APIC_TEST_TIMEOUT)
{
	struct khv_test_vm *vm = apic_vm();
	struct khv_test_vcpu *vcpu = apic_vcpu(vm, 0, guest_code_msi, APIC_MODE_X2APIC);
	struct irqfd_writer w = { .n = 1 };
	struct khv_irqfd bad;
	struct ucall uc;
	pthread_t th;
	int fds[KHV_MAX_IRQFDS + 1], i, r;

	w.fd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, w.fd);
	EXPECT_EQ(-EINVAL, irqfd(vm, w.fd, 0, 0xfed00000u, APIC_TEST_VEC));
	EXPECT_EQ(-EINVAL, irqfd(vm, w.fd, 2, 0xfee00000u, APIC_TEST_VEC));
	EXPECT_EQ(-ENOENT, irqfd(vm, w.fd, KHV_IRQFD_DEASSIGN, 0, 0));
	EXPECT_EQ(-EBADF, irqfd(vm, 12345, 0, 0xfee00000u, APIC_TEST_VEC));
	EXPECT_EQ(-EINVAL, irqfd(vm, 0, 0, 0xfee00000u, APIC_TEST_VEC));
	memset(&bad, 0, sizeof(bad));
	bad.fd = w.fd;
	bad.address_lo = 0xfee00000u;
	bad.reserved[2] = 1;
	EXPECT_EQ(-EINVAL, khv_ioctl(vm->fd, KHV_IRQFD, (unsigned long)&bad));
	ASSERT_EQ(0, irqfd(vm, w.fd, 0, 0xfee00000u, APIC_TEST_VEC));
	EXPECT_EQ(-EBUSY, irqfd(vm, w.fd, 0, 0xfee00000u, APIC_TEST_VEC));

	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(1, uc.args[0]);
	ASSERT_EQ(0, pthread_create(&th, NULL, irqfd_write_thread, &w));
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	pthread_join(th, NULL);
	ASSERT_EQ(2, uc.args[0]);
	EXPECT_EQ(1, uc.args[1]) TH_LOG("the eventfd's MSI arrived %llu times", (unsigned long long)uc.args[1]);
	if (uc.args[1] != 1)
		report_frames(_metadata, vm);
	EXPECT_EQ(0, irqfd(vm, w.fd, KHV_IRQFD_DEASSIGN, 0, 0));
	EXPECT_EQ(-ENOENT, irqfd(vm, w.fd, KHV_IRQFD_DEASSIGN, 0, 0));

	/* Hostile: a bounded number per VM; the VM's end unbinds the rest. */
	for (i = 0; i <= KHV_MAX_IRQFDS; i++) {
		fds[i] = eventfd(0, EFD_CLOEXEC);
		ASSERT_LE(0, fds[i]);
		r = irqfd(vm, fds[i], 0, 0xfee00000u, APIC_TEST_VEC);
		EXPECT_EQ(i < KHV_MAX_IRQFDS ? 0 : -ENOSPC, r) TH_LOG("irqfd %d", i);
	}
	close(fds[3]);		/* closed while bound: still safe */
	vm_free(vm);
	for (i = 0; i <= KHV_MAX_IRQFDS; i++)
		if (i != 3)
			close(fds[i]);
	close(w.fd);
}

/* KHV_GET_LAPIC gives the registers; KHV_SET_LAPIC of them gives them back. */
TEST_F(apic, get_set_lapic_round_trip)
{
	struct khv_test_vm *vm = apic_vm();
	struct khv_test_vcpu *vcpu = apic_vcpu(vm, 0, guest_code_msi, APIC_MODE_X2APIC);
	struct khv_lapic_state a, b;
	struct khv_sregs sregs;
	uint32_t v;

	ASSERT_EQ(0, khv_ioctl(vcpu->fd, KHV_GET_LAPIC, (unsigned long)&a));
	memcpy(&v, a.regs + APIC_LVR, 4);
	EXPECT_EQ(0x50014u, v);
	memcpy(&v, a.regs + APIC_ID, 4);
	EXPECT_EQ(0u, v);
	memcpy(&v, a.regs + 0x320, 4);
	EXPECT_EQ(APIC_LVT_MASKED, v);
	ASSERT_EQ(0, vcpu_get_sregs(vcpu, &sregs));
	EXPECT_EQ(0xfee00000ull | APIC_BASE_ENABLE | APIC_BASE_BSP, sregs.apic_base);

	v = 0x70;
	memcpy(a.regs + APIC_TPR, &v, 4);
	v = 0x1ff;
	memcpy(a.regs + APIC_SVR, &v, 4);
	v = 1u << (APIC_TEST_VEC % 32);
	memcpy(a.regs + APIC_IRR + (APIC_TEST_VEC / 32) * 0x10, &v, 4);
	ASSERT_EQ(0, khv_ioctl(vcpu->fd, KHV_SET_LAPIC, (unsigned long)&a));
	ASSERT_EQ(0, khv_ioctl(vcpu->fd, KHV_GET_LAPIC, (unsigned long)&b));
	memcpy(&v, b.regs + APIC_TPR, 4);
	EXPECT_EQ(0x70u, v);
	memcpy(&v, b.regs + APIC_PPR, 4);
	EXPECT_EQ(0x70u, v);
	memcpy(&v, b.regs + APIC_SVR, 4);
	EXPECT_EQ(0x1ffu, v);
	memcpy(&v, b.regs + APIC_IRR + (APIC_TEST_VEC / 32) * 0x10, 4);
	EXPECT_EQ(1u << (APIC_TEST_VEC % 32), v);
	/* What GET gives, SET takes back unchanged. */
	ASSERT_EQ(0, khv_ioctl(vcpu->fd, KHV_SET_LAPIC, (unsigned long)&b));
	ASSERT_EQ(0, khv_ioctl(vcpu->fd, KHV_GET_LAPIC, (unsigned long)&a));
	EXPECT_EQ(0, memcmp(&a, &b, sizeof(a)));
	/* CR8 is TPR bits 7:4. */
	ASSERT_EQ(0, vcpu_get_sregs(vcpu, &sregs));
	EXPECT_EQ(7, sregs.cr8);
	/* Hostile: an x2APIC ID that is not the vCPU's. */
	vm_free(vm);
	vm = apic_vm();
	vcpu = apic_vcpu(vm, 0, guest_code_msi, APIC_MODE_X2APIC);
	ASSERT_EQ(0, vcpu_get_sregs(vcpu, &sregs));
	sregs.apic_base |= APIC_BASE_X2APIC;
	ASSERT_EQ(0, vcpu_set_sregs(vcpu, &sregs));
	ASSERT_EQ(0, khv_ioctl(vcpu->fd, KHV_GET_LAPIC, (unsigned long)&a));
	v = 5;
	memcpy(a.regs + APIC_ID, &v, 4);
	EXPECT_EQ(-EINVAL, khv_ioctl(vcpu->fd, KHV_SET_LAPIC, (unsigned long)&a));
	sregs.apic_base &= ~APIC_BASE_X2APIC;
	EXPECT_EQ(-EINVAL, vcpu_set_sregs(vcpu, &sregs)) TH_LOG("x2APIC back to xAPIC");
	vm_free(vm);
}

/*
 * A level-triggered vector's EOI ends the run with KHV_EXIT_IOAPIC_EOI and
 * the vector, for user space's IOAPIC; an edge one's stays in the kernel.
 */
static void run_level_eoi(struct __test_metadata *_metadata, uint64_t mode)
{
	struct khv_test_vm *vm = apic_vm();
	struct khv_test_vcpu *vcpu = apic_vcpu(vm, 0, guest_code_level_eoi, mode);
	struct ucall uc;

	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(1, uc.args[0]);
	EXPECT_EQ(1, signal_msi_level(vm, 0, APIC_TEST_VEC, true));
	vcpu_run_exit(vcpu, KHV_EXIT_IOAPIC_EOI);
	EXPECT_EQ(APIC_TEST_VEC, vcpu->run->eoi.vector);
	EXPECT_EQ(0, vcpu->run->eoi.padding[0]);
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(2, uc.args[0]);
	EXPECT_EQ(1, uc.args[1]) TH_LOG("the level MSI arrived %llu times", (unsigned long long)uc.args[1]);
	EXPECT_EQ(1, signal_msi(vm, 0, APIC_TEST_VEC));
	/* Its EOI would show here as an exit that is not the ucall. */
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(3, uc.args[0]);
	EXPECT_EQ(2, uc.args[1]);
	vcpu_run_to_ucall(vcpu, &uc, UCALL_DONE);
	vm_free(vm);
}

APIC_TEST_EACH_MODE(level_eoi_exits, run_level_eoi)

/* An APIC error raises the error LVT's vector only while it is unmasked. */
static void run_error_lvt(struct __test_metadata *_metadata, uint64_t mode)
{
	struct khv_test_vm *vm = apic_vm();
	struct khv_test_vcpu *vcpu = apic_vcpu(vm, 0, guest_code_error_lvt, mode);
	struct ucall uc;

	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(1, uc.args[0]);
	EXPECT_EQ(1, uc.args[1]) TH_LOG("error vector arrived %llu times", (unsigned long long)uc.args[1]);
	EXPECT_TRUE(uc.args[2] & 0x20) TH_LOG("ESR %#llx", (unsigned long long)uc.args[2]);
	vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(2, uc.args[0]);
	EXPECT_EQ(1, uc.args[1]) TH_LOG("masked error LVT delivered");
	vcpu_run_to_ucall(vcpu, &uc, UCALL_DONE);
	vm_free(vm);
}

APIC_TEST_EACH_MODE(error_lvt, run_error_lvt)

/* The AP of init_resets_debug_registers: its runs until the trampoline's HLT. */
struct init_ap {
	struct vcpu_thread t;
	uint32_t data[2];	/* what the trampoline's two OUTs carried */
	struct khv_regs regs;	/* at the first */
	struct khv_sregs sregs;
};

static void *run_init_ap_thread(void *arg)
{
	struct init_ap *ap = arg;
	struct khv_run *run = ap->t.vcpu->run;
	int i = 0;

	while (i < 3) {
		ap->t.r = vcpu_run(ap->t.vcpu);
		if (ap->t.r)
			break;
		ap->t.exits[i] = run->exit_reason;
		if (run->exit_reason == KHV_EXIT_IO && run->io.port == APIC_TEST_SIPI_PORT &&
		    run->io.size == 4 && i < 2) {
			memcpy(&ap->data[i], (uint8_t *)run + run->io.data_offset, 4);
			if (!i && (vcpu_get_regs(ap->t.vcpu, &ap->regs) ||
				   vcpu_get_sregs(ap->t.vcpu, &ap->sregs)))
				break;
		} else if (run->exit_reason != KHV_EXIT_HLT) {
			break;
		}
		i++;
	}
	atomic_store(&ap->t.done, 1);
	return NULL;
}

/*
 * INIT puts an AP that ran in the INIT state of SDM Vol. 3A Table 10-1:
 * DR7 0x400 and DR0 0 (it had set them), EDX the processor signature,
 * CR0 with PE and PG clear; the SIPI then starts it.
 */
TEST_F_TIMEOUT(apic, init_resets_debug_registers, APIC_TEST_TIMEOUT)
{
	/* mov %dr7,%eax; out %eax,$0x80; mov %dr0,%eax; out %eax,$0x80; cli; hlt */
	static const uint8_t tramp[] = {
		0x0f, 0x21, 0xf8, 0x66, 0xe7, APIC_TEST_SIPI_PORT,
		0x0f, 0x21, 0xc0, 0x66, 0xe7, APIC_TEST_SIPI_PORT,
		0xfa, 0xf4,
	};
	struct sigaction sa = { .sa_handler = on_signal };
	struct khv_test_vm *vm = apic_vm();
	struct khv_test_vcpu *v0 = apic_vcpu(vm, 0, guest_code_init_ap, 0);
	struct init_ap ap = {};
	unsigned int eax, ebx, ecx, edx;
	struct ucall uc;

	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	ASSERT_EQ(0, vm_load_code(vm, APIC_TEST_SIPI_VECTOR << 12, tramp, sizeof(tramp)));
	ap.t.vcpu = apic_vcpu(vm, 1, guest_code_ap_dirty, 0);
	ASSERT_EQ(0, pthread_create(&ap.t.thread, NULL, run_init_ap_thread, &ap));
	vcpu_run_to_ucall(v0, &uc, UCALL_DONE);
	ASSERT_TRUE(join_or_kick(&ap.t, 300)) TH_LOG("the AP never got to the trampoline's HLT");
	EXPECT_EQ(0, ap.t.r);
	EXPECT_EQ(KHV_EXIT_IO, ap.t.exits[0]);
	EXPECT_EQ(KHV_EXIT_IO, ap.t.exits[1]);
	EXPECT_EQ(KHV_EXIT_HLT, ap.t.exits[2]);
	EXPECT_EQ(0x400, ap.data[0]) TH_LOG("DR7 %#x after INIT", ap.data[0]);
	EXPECT_EQ(0, ap.data[1]) TH_LOG("DR0 %#x after INIT", ap.data[1]);
	/* CPUID.1:EAX passes through unchanged: the host's signature. */
	__cpuid(1, eax, ebx, ecx, edx);
	EXPECT_EQ(eax, (uint32_t)ap.regs.rdx) TH_LOG("EDX %#llx after INIT", (unsigned long long)ap.regs.rdx);
	EXPECT_EQ(0, ap.sregs.cr0 & 0x80000001u) TH_LOG("CR0 %#llx", (unsigned long long)ap.sregs.cr0);
	EXPECT_EQ(APIC_TEST_SIPI_VECTOR << 8, ap.sregs.cs.selector);
	vm_free(vm);
}

/* How many times the guest's handler took @vec in the APIC @id. */
static uint64_t taken(struct khv_test_vm *vm, uint32_t id, uint32_t vec)
{
	return guest_view(vm)->count[id][vec - APIC_TEST_VEC];
}

/* The group tests: vCPU 0 sends (this thread), vCPUs 1 and 2 take (threads). */
struct apic_group {
	struct khv_test_vm *vm;
	struct khv_test_vcpu *v0;
	struct vcpu_thread t[APIC_GROUP_VCPUS - 1];
};

static void group_start(struct __test_metadata *_metadata, struct apic_group *g,
			uint64_t mode, uint32_t sc)
{
	struct sigaction sa = { .sa_handler = on_signal };
	uint64_t arg = APIC_GROUP_ARG(mode, sc);
	int i;

	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	memset(g, 0, sizeof(*g));
	g->vm = apic_vm();
	g->v0 = apic_vcpu(g->vm, 0, guest_code_group, arg);
	for (i = 0; i < APIC_GROUP_VCPUS - 1; i++) {
		g->t[i].vcpu = apic_vcpu(g->vm, i + 1, guest_code_group, arg);
		ASSERT_EQ(0, pthread_create(&g->t[i].thread, NULL, run_guest_thread,
					    &g->t[i]));
	}
}

/* vCPU 0 to its end, then the others. */
static void group_finish(struct __test_metadata *_metadata, struct apic_group *g)
{
	struct ucall uc;
	int i;

	vcpu_run_to_ucall(g->v0, &uc, UCALL_DONE);
	for (i = 0; i < APIC_GROUP_VCPUS - 1; i++) {
		ASSERT_TRUE(join_or_kick(&g->t[i], 300)) TH_LOG("vCPU %d never finished", i + 1);
		EXPECT_EQ(0, g->t[i].r);
		EXPECT_EQ(UCALL_DONE, g->t[i].uc.cmd);
	}
	EXPECT_EQ(0, guest_view(g->vm)->if_clear)
		TH_LOG("%llu interrupts taken with IF clear, the last at %#llx",
		       (unsigned long long)guest_view(g->vm)->if_clear,
		       (unsigned long long)guest_view(g->vm)->if_clear_rip);
}

/* The LDR each vCPU of a logical test must read (what its guest wrote, or x2APIC's). */
static uint32_t group_ldr(uint64_t mode, uint32_t sc, uint32_t id)
{
	static const uint32_t cluster[APIC_GROUP_VCPUS] = { 0x11, 0x21, 0x12 };

	if (mode == APIC_MODE_X2APIC)
		return 1u << id;	/* cluster 0: x2APIC ID bits 19:4 */
	return (sc == APIC_GROUP_LOGICAL_CLUSTER ? cluster[id] : 1u << id) << 24;
}

/*
 * An IPI to a logical destination reaches exactly the APICs whose LDR
 * matches it: vCPUs 0 (the sender) and 2, not 1; one that matches no LDR
 * reaches nobody.
 */
static void run_logical(struct __test_metadata *_metadata, uint64_t mode, uint32_t sc)
{
	struct apic_group g;
	uint32_t i;

	group_start(_metadata, &g, mode, sc);
	group_finish(_metadata, &g);
	for (i = 0; i < APIC_GROUP_VCPUS; i++) {
		EXPECT_EQ(group_ldr(mode, sc, i), guest_view(g.vm)->ldr[i])
			TH_LOG("vCPU %u: LDR %#llx", i, (unsigned long long)guest_view(g.vm)->ldr[i]);
		EXPECT_EQ(i != 1, taken(g.vm, i, APIC_TEST_VEC_IPI))
			TH_LOG("vCPU %u took the logical IPI %llu times", i,
			       (unsigned long long)taken(g.vm, i, APIC_TEST_VEC_IPI));
		EXPECT_EQ(0, taken(g.vm, i, APIC_TEST_VEC))
			TH_LOG("vCPU %u took the IPI to nobody", i);
	}
	vm_free(g.vm);
}

/* x2APIC: the cluster model the APIC derives; xAPIC: the flat model. */
static void run_logical_flat(struct __test_metadata *_metadata, uint64_t mode)
{
	run_logical(_metadata, mode, APIC_GROUP_LOGICAL);
}

APIC_TEST_EACH_MODE(logical_destination, run_logical_flat)

TEST_F_TIMEOUT(apic, logical_destination_xapic_cluster, APIC_TEST_TIMEOUT)
{
	run_logical(_metadata, APIC_MODE_XAPIC, APIC_GROUP_LOGICAL_CLUSTER);
}

/* The lowest-priority interrupts vCPUs 1 and 2 took, both vectors. */
static uint64_t lowest_taken(struct khv_test_vm *vm)
{
	return taken(vm, 1, APIC_TEST_VEC) + taken(vm, 2, APIC_TEST_VEC) +
	       taken(vm, 1, APIC_TEST_VEC_TIMER) + taken(vm, 2, APIC_TEST_VEC_TIMER);
}

/*
 * Lowest priority to a set of two APICs (logical 0x6: vCPUs 1 and 2): each
 * IPI, and each MSI, reaches exactly one of them: none lost, none twice.
 */
static void run_lowest(struct __test_metadata *_metadata, uint64_t mode)
{
	struct khv_msi msi = { .address_lo = 0xfee00000u | 0x6u << 12 | 1u << 2 };
	struct apic_group g;
	struct ucall uc;
	uint64_t before;
	int i, spin;

	group_start(_metadata, &g, mode, APIC_GROUP_LOWEST);
	vcpu_run_to_ucall(g.v0, &uc, UCALL_SYNC);
	ASSERT_EQ(1, uc.args[0]);
	EXPECT_EQ(APIC_LOWEST_IPIS, uc.args[1])
		TH_LOG("%d lowest-priority IPIs arrived %llu times", APIC_LOWEST_IPIS,
		       (unsigned long long)uc.args[1]);
	/* The same from user space, one at a time: each returns 1 (one APIC took it). */
	for (i = 0; i < APIC_LOWEST_IPIS; i++) {
		before = lowest_taken(g.vm);
		msi.data = (i & 1 ? APIC_TEST_VEC_TIMER : APIC_TEST_VEC) | APIC_DM_LOWEST;
		EXPECT_EQ(1, khv_ioctl(g.vm->fd, KHV_SIGNAL_MSI, (unsigned long)&msi));
		for (spin = 0; spin < 3000 && lowest_taken(g.vm) <= before; spin++)
			usleep(10000);
	}
	usleep(100000);
	group_finish(_metadata, &g);
	EXPECT_EQ(2 * APIC_LOWEST_IPIS, lowest_taken(g.vm));
	TH_LOG("vCPU 1 took %llu + %llu, vCPU 2 %llu + %llu",
	       (unsigned long long)taken(g.vm, 1, APIC_TEST_VEC),
	       (unsigned long long)taken(g.vm, 1, APIC_TEST_VEC_TIMER),
	       (unsigned long long)taken(g.vm, 2, APIC_TEST_VEC),
	       (unsigned long long)taken(g.vm, 2, APIC_TEST_VEC_TIMER));
	EXPECT_EQ(0, taken(g.vm, 0, APIC_TEST_VEC) + taken(g.vm, 0, APIC_TEST_VEC_TIMER))
		TH_LOG("the sender, not a destination, took some");
	vm_free(g.vm);
}

APIC_TEST_EACH_MODE(lowest_priority_reaches_one, run_lowest)

/* All including self reaches the three vCPUs; all excluding self the other two. */
static void run_shorthand(struct __test_metadata *_metadata, uint64_t mode)
{
	struct apic_group g;
	uint32_t i;

	group_start(_metadata, &g, mode, APIC_GROUP_SHORTHAND);
	group_finish(_metadata, &g);
	for (i = 0; i < APIC_GROUP_VCPUS; i++) {
		EXPECT_EQ(1, taken(g.vm, i, APIC_TEST_VEC_IPI))
			TH_LOG("vCPU %u took all-including-self %llu times", i,
			       (unsigned long long)taken(g.vm, i, APIC_TEST_VEC_IPI));
		EXPECT_EQ(i != 0, taken(g.vm, i, APIC_TEST_VEC))
			TH_LOG("vCPU %u took all-excluding-self %llu times", i,
			       (unsigned long long)taken(g.vm, i, APIC_TEST_VEC));
	}
	if (guest_view(g.vm)->frames != 2 * APIC_GROUP_VCPUS - 1)
		report_frames(_metadata, g.vm);
	vm_free(g.vm);
}

APIC_TEST_EACH_MODE(shorthands, run_shorthand)

/* The AP of the SIPI storm: its first two exits, the OUT's byte. */
struct storm_ap {
	struct vcpu_thread t;
	uint8_t data;
};

static void *run_storm_ap_thread(void *arg)
{
	struct storm_ap *ap = arg;
	struct khv_run *run = ap->t.vcpu->run;
	int i;

	for (i = 0; i < 2; i++) {
		ap->t.r = vcpu_run(ap->t.vcpu);
		if (ap->t.r)
			break;
		ap->t.exits[i] = run->exit_reason;
		if (run->exit_reason == KHV_EXIT_IO) {
			ap->t.port = run->io.port;
			ap->data = *((uint8_t *)run + run->io.data_offset);
		}
	}
	atomic_store(&ap->t.done, 1);
	return NULL;
}

/*
 * INIT, then 1000 start-up IPIs back to back: the AP starts once, at the
 * first one's vector (its trampoline OUTs the vector, then halts); the
 * others find it running and are ignored (SDM Vol. 3A 9.4.4.1), also those
 * that came before it started.
 */
static void run_sipi_storm(struct __test_metadata *_metadata, uint64_t mode)
{
	/* mov al, VEC; out 0x80, al; 1: cli; hlt; jmp 1b */
	uint8_t tramp[] = { 0xb0, 0, 0xe6, APIC_TEST_SIPI_PORT, 0xfa, 0xf4, 0xeb, 0xfc };
	struct sigaction sa = { .sa_handler = on_signal };
	struct khv_test_vm *vm = apic_vm();
	struct khv_test_vcpu *v0 = apic_vcpu(vm, 0, guest_code_sipi_storm, mode);
	struct storm_ap ap = {};
	struct khv_mp_state mp;
	struct khv_sregs sregs;
	struct ucall uc;
	int i, r;

	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	for (i = 0; i <= APIC_STORM_OTHERS; i++) {
		tramp[1] = APIC_STORM_FIRST + i;
		ASSERT_EQ(0, vm_load_code(vm, (APIC_STORM_FIRST + i) << 12, tramp,
					  sizeof(tramp)));
	}
	ap.t.vcpu = vm_vcpu_add(vm, 1);
	ASSERT_EQ(0, pthread_create(&ap.t.thread, NULL, run_storm_ap_thread, &ap));
	vcpu_run_to_ucall(v0, &uc, UCALL_DONE);
	ASSERT_TRUE(join_or_kick(&ap.t, 300)) TH_LOG("the AP never got to its HLT");
	EXPECT_EQ(0, ap.t.r);
	EXPECT_EQ(KHV_EXIT_IO, ap.t.exits[0]);
	EXPECT_EQ(APIC_TEST_SIPI_PORT, ap.t.port);
	EXPECT_EQ(APIC_STORM_FIRST, ap.data) TH_LOG("the AP started at vector %u", ap.data);
	EXPECT_EQ(KHV_EXIT_HLT, ap.t.exits[1]);
	/* Nothing left over: the next run halts again, in the first trampoline. */
	alarm(60);
	r = vcpu_run(ap.t.vcpu);
	alarm(0);
	EXPECT_EQ(0, r);
	EXPECT_EQ(KHV_EXIT_HLT, ap.t.vcpu->run->exit_reason)
		TH_LOG("exit %u after the storm", ap.t.vcpu->run->exit_reason);
	ASSERT_EQ(0, vcpu_get_sregs(ap.t.vcpu, &sregs));
	EXPECT_EQ(APIC_STORM_FIRST << 8, sregs.cs.selector);
	ASSERT_EQ(0, khv_ioctl(ap.t.vcpu->fd, KHV_GET_MP_STATE, (unsigned long)&mp));
	EXPECT_EQ(KHV_MP_STATE_RUNNABLE, mp.mp_state);
	vm_free(vm);
}

APIC_TEST_EACH_MODE(sipi_storm_starts_once, run_sipi_storm)

/* One KHV_RUN, in a thread of its own. */
static void *run_once_thread(void *arg)
{
	struct vcpu_thread *t = arg;

	t->r = vcpu_run(t->vcpu);
	atomic_store(&t->done, 1);
	return NULL;
}

/*
 * Signal @t every 100 ms (one sent before its KHV_RUN began would be lost)
 * until its run ends, at most @secs seconds. Return: how long it took
 * (ms), or -1 if it never ended.
 */
static long kick_until_done(struct vcpu_thread *t, int secs)
{
	struct timespec a, b;
	int i;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < secs * 10 && !atomic_load(&t->done); i++) {
		pthread_kill(t->thread, SIGUSR1);
		usleep(100000);
	}
	if (!atomic_load(&t->done))
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &b);
	pthread_join(t->thread, NULL);
	return (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
}

/* A run of the livelock may take this long to end after the first signal. */
#define APIC_LIVELOCK_STOP_SECS	10

/*
 * The guest's handler sends its own vector to itself again before its EOI
 * and IRET, forever, interrupts on: a signal still ends KHV_RUN with EINTR,
 * twice in a row.
 */
static void run_self_ipi_livelock(struct __test_metadata *_metadata, uint64_t mode)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct khv_test_vm *vm = apic_vm();
	struct khv_test_vcpu *vcpu = apic_vcpu(vm, 0, guest_code_self_ipi_loop, mode);
	struct vcpu_thread t;
	uint64_t before;
	long ms;
	int round, i;

	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	for (round = 0; round < 2; round++) {
		before = taken(vm, 0, APIC_TEST_VEC_LOOP);
		memset(&t, 0, sizeof(t));
		t.vcpu = vcpu;
		ASSERT_EQ(0, pthread_create(&t.thread, NULL, run_once_thread, &t));
		for (i = 0; i < 600 && taken(vm, 0, APIC_TEST_VEC_LOOP) < before + 100 &&
		     !atomic_load(&t.done); i++)
			usleep(100000);
		EXPECT_LE(before + 100, taken(vm, 0, APIC_TEST_VEC_LOOP))
			TH_LOG("round %d: the handler ran %llu times", round,
			       (unsigned long long)(taken(vm, 0, APIC_TEST_VEC_LOOP) - before));
		ms = kick_until_done(&t, 60);
		ASSERT_LE(0, ms) TH_LOG("round %d: KHV_RUN still running 60 s after the first signal",
					round);
		EXPECT_GE(APIC_LIVELOCK_STOP_SECS * 1000, ms)
			TH_LOG("round %d: %ld ms to stop", round, ms);
		EXPECT_EQ(-EINTR, t.r) TH_LOG("round %d: KHV_RUN %d", round, t.r);
		EXPECT_EQ(KHV_EXIT_INTR, vcpu->run->exit_reason);
	}
	vm_free(vm);
}

APIC_TEST_EACH_MODE(self_ipi_livelock_stops_on_signal, run_self_ipi_livelock)

/* What a VMM saves of a vCPU and restores into another. */
struct apic_saved_vcpu {
	struct khv_regs regs;
	struct khv_sregs sregs;
	struct khv_xcrs xcrs;
	struct khv_xsave xsave;
	struct khv_lapic_state lapic;
	struct khv_vcpu_events events;
	struct khv_mp_state mp;
};

static int save_vcpu(struct khv_test_vcpu *vcpu, struct apic_saved_vcpu *s)
{
	int r;

	r = vcpu_get_regs(vcpu, &s->regs);
	r = r ?: vcpu_get_sregs(vcpu, &s->sregs);
	r = r ?: khv_ioctl(vcpu->fd, KHV_GET_XCRS, (unsigned long)&s->xcrs);
	r = r ?: khv_ioctl(vcpu->fd, KHV_GET_XSAVE, (unsigned long)&s->xsave);
	r = r ?: khv_ioctl(vcpu->fd, KHV_GET_LAPIC, (unsigned long)&s->lapic);
	r = r ?: vcpu_get_events(vcpu, &s->events);
	return r ?: khv_ioctl(vcpu->fd, KHV_GET_MP_STATE, (unsigned long)&s->mp);
}

/* The APIC base (and so the mode) before the APIC's registers. */
static int restore_vcpu(struct khv_test_vcpu *vcpu, const struct apic_saved_vcpu *s)
{
	int r;

	r = vcpu_set_sregs(vcpu, &s->sregs);
	r = r ?: vcpu_set_regs(vcpu, &s->regs);
	r = r ?: khv_ioctl(vcpu->fd, KHV_SET_XCRS, (unsigned long)&s->xcrs);
	r = r ?: khv_ioctl(vcpu->fd, KHV_SET_XSAVE, (unsigned long)&s->xsave);
	r = r ?: khv_ioctl(vcpu->fd, KHV_SET_LAPIC, (unsigned long)&s->lapic);
	r = r ?: vcpu_set_events(vcpu, &s->events);
	return r ?: khv_ioctl(vcpu->fd, KHV_SET_MP_STATE, (unsigned long)&s->mp);
}

/*
 * A vCPU with a one-shot timer armed (200 ms) is saved, its VM destroyed,
 * and restored with the guest's memory into a fresh VM: the timer fires
 * there, once; the old VM's went with it.
 */
static void run_timer_migrate(struct __test_metadata *_metadata, uint64_t mode)
{
	struct khv_test_vm *vm = apic_vm(), *nvm;
	struct khv_test_vcpu *vcpu = apic_vcpu(vm, 0, guest_code_timer_migrate, mode);
	struct apic_saved_vcpu *s = calloc(1, sizeof(*s));
	struct khv_lapic_state st;
	struct ucall uc;

	ASSERT_NE(NULL, s);
	timer_run_to_ucall(_metadata, vm, vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(1, uc.args[0]);
	EXPECT_EQ(0, uc.args[1]);
	ASSERT_EQ(0, save_vcpu(vcpu, s));
	EXPECT_EQ(APIC_MIGRATE_TMICT, lapic_reg(&s->lapic, APIC_TMICT));
	EXPECT_NE(0, lapic_reg(&s->lapic, APIC_TMCCT)) TH_LOG("the timer is not running");

	nvm = apic_vm();
	ASSERT_EQ(vm->mem_size, nvm->mem_size);
	memcpy(nvm->mem, vm->mem, vm->mem_size);
	/* The old VM goes with its timer armed: it must never fire. */
	vm_free(vm);
	vcpu = vm_vcpu_add(nvm, 0);
	ASSERT_EQ(0, restore_vcpu(vcpu, s));
	ASSERT_EQ(0, khv_ioctl(vcpu->fd, KHV_GET_LAPIC, (unsigned long)&st));
	EXPECT_EQ(APIC_MIGRATE_TMICT, lapic_reg(&st, APIC_TMICT));
	EXPECT_NE(0, lapic_reg(&st, APIC_TMCCT)) TH_LOG("the restored timer is not running");
	EXPECT_EQ(lapic_reg(&s->lapic, APIC_LVTT), lapic_reg(&st, APIC_LVTT));
	EXPECT_EQ(0, taken(nvm, 0, APIC_TEST_VEC_TIMER));

	timer_run_to_ucall(_metadata, nvm, vcpu, &uc, UCALL_SYNC);
	ASSERT_EQ(2, uc.args[0]);
	EXPECT_EQ(1, uc.args[1]) TH_LOG("the timer fired %llu times by the HLT's end",
				       (unsigned long long)uc.args[1]);
	EXPECT_EQ(1, uc.args[2]) TH_LOG("the timer fired %llu times", (unsigned long long)uc.args[2]);
	EXPECT_EQ(0, uc.args[3]) TH_LOG("TMCCT %#llx after the one-shot fired",
				       (unsigned long long)uc.args[3]);
	timer_run_to_ucall(_metadata, nvm, vcpu, &uc, UCALL_DONE);
	report_hlt_skipped(_metadata, nvm);
	free(s);
	vm_free(nvm);
}

APIC_TEST_EACH_MODE(timer_survives_save_restore, run_timer_migrate)

TEST_HARNESS_MAIN
