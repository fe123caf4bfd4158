// SPDX-License-Identifier: GPL-2.0-only
/*
 * khv_host_state_test: host state a guest must neither see nor change
 * (issue 11): the host's hardware breakpoints stay out of the guest and
 * armed for the host afterwards (VMX: the debug controls; SVM: DR7 in the
 * VMCB), and a guest-chosen value that would fault in a host MSR is refused
 * as the CPU would refuse it (#GP in the guest, -EINVAL from user space).
 *
 * Runs on both vendors; the guests are C code in
 * khv_host_state_test_guest.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>

#include "kselftest_harness.h"
#include "khv_util.h"
#include "khv_vm.h"
#include "khv_host_state_test.h"

FIXTURE(hs) {
	int devfd;
	int perf_fd;
	struct khv_test_vm *vm;
	struct khv_test_vcpu *vcpu;
};

FIXTURE_SETUP(hs)
{
	self->perf_fd = -1;
	self->devfd = khv_open_dev();
	ASSERT_LE(0, self->devfd)
		TH_LOG("no " KHV_DEV_PATH ": %s", strerror(-self->devfd));
	self->vm = vm_create_for_guest_code();
	self->vcpu = vm_vcpu_add(self->vm, 0);
}

FIXTURE_TEARDOWN(hs)
{
	if (self->perf_fd >= 0)
		close(self->perf_fd);
	if (self->vm)
		vm_free(self->vm);
	if (self->devfd >= 0)
		close(self->devfd);
}

static uint64_t bp_count(struct __test_metadata *_metadata, int fd)
{
	uint64_t n = 0;

	EXPECT_EQ((ssize_t)sizeof(n), read(fd, &n, sizeof(n)));
	return n;
}

/*
 * A perf hardware breakpoint of this thread on a word the guest writes (at
 * the same linear address: the guest runs this binary identity-mapped). The
 * host's DR7 arms it whenever the thread runs, KHV_RUN included; the guest
 * must run with its own DR7 (0x400, nothing armed) and the host's must be
 * back after the exit.
 */
TEST_F(hs, host_hw_breakpoint_stays_out_of_guest_and_armed)
{
	struct perf_event_attr attr = {};
	uint64_t before, after;
	struct ucall uc;
	int r;

	attr.type = PERF_TYPE_BREAKPOINT;
	attr.size = sizeof(attr);
	attr.bp_type = HW_BREAKPOINT_W;
	attr.bp_addr = (uintptr_t)&hs_bp_target;
	attr.bp_len = HW_BREAKPOINT_LEN_8;
	attr.sample_period = 1;
	attr.exclude_kernel = 1;
	attr.exclude_hv = 1;
	self->perf_fd = syscall(__NR_perf_event_open, &attr, 0, -1, -1, 0);
	if (self->perf_fd < 0)
		SKIP(return, "no hardware breakpoints here (perf_event_open: %s)", strerror(errno));

	/* The breakpoint works for the host at all. */
	before = bp_count(_metadata, self->perf_fd);
	hs_bp_target = 1;
	if (bp_count(_metadata, self->perf_fd) == before)
		SKIP(return, "this CPU model does not report data breakpoints");
	before = bp_count(_metadata, self->perf_fd);

	ASSERT_EQ(0, vm_set_idt_handler(self->vm, 1, hs_db_handler));
	r = vcpu_set_long_mode(self->vcpu, hs_guest_write_bp_target, HS_BP_WRITES);
	ASSERT_EQ(0, r) TH_LOG("long mode: %s", strerror(-r));
	vcpu_run_to_ucall(self->vcpu, &uc, UCALL_SYNC);
	EXPECT_EQ(0, uc.args[0]) TH_LOG("the host's breakpoint raised #DB in the guest");
	EXPECT_EQ(HS_BP_WRITES - 1, uc.args[1]);
	vcpu_run_to_ucall(self->vcpu, &uc, UCALL_DONE);
	after = bp_count(_metadata, self->perf_fd);
	EXPECT_EQ(before, after) TH_LOG("the guest's writes counted as the host's");

	/* Still armed for the host after the guest ran. */
	hs_bp_target = 2;
	EXPECT_EQ(after + 1, bp_count(_metadata, self->perf_fd))
		TH_LOG("the host's breakpoint is gone after KHV_RUN");
}

/*
 * SFMASK bits 63:32 are reserved (SDM Vol. 4 2.1, APM Vol. 2 6.1.1): the
 * host's WRMSR of such a value faults, so the guest's gets #GP and user
 * space's -EINVAL, and the guest's SFMASK keeps its value.
 */
TEST_F(hs, sfmask_reserved_bits_refused)
{
	struct ucall uc;
	uint64_t v;
	int r;

	ASSERT_EQ(0, vm_set_idt_handler(self->vm, 13, hs_gp_handler));
	v = 1ull << 32;
	EXPECT_EQ(-EINVAL, vcpu_msr(self->vcpu, KHV_SET_MSRS, HS_MSR_SYSCALL_MASK, &v));
	v = 0x47700;
	ASSERT_EQ(0, vcpu_msr(self->vcpu, KHV_SET_MSRS, HS_MSR_SYSCALL_MASK, &v));

	r = vcpu_set_long_mode(self->vcpu, hs_guest_wrmsr, 1ull << 32);
	ASSERT_EQ(0, r) TH_LOG("long mode: %s", strerror(-r));
	vcpu_run_to_ucall(self->vcpu, &uc, UCALL_SYNC);
	EXPECT_EQ(1, uc.args[0]) TH_LOG("WRMSR SFMASK with bit 32: no #GP");
	vcpu_run_to_ucall(self->vcpu, &uc, UCALL_DONE);
	v = 0;
	EXPECT_EQ(0, vcpu_msr(self->vcpu, KHV_GET_MSRS, HS_MSR_SYSCALL_MASK, &v));
	EXPECT_EQ(0x47700, v);

	/* A valid value goes through. */
	r = vcpu_set_long_mode(self->vcpu, hs_guest_wrmsr, 0x4700);
	ASSERT_EQ(0, r) TH_LOG("long mode: %s", strerror(-r));
	vcpu_run_to_ucall(self->vcpu, &uc, UCALL_SYNC);
	EXPECT_EQ(0, uc.args[0]);
	vcpu_run_to_ucall(self->vcpu, &uc, UCALL_DONE);
	EXPECT_EQ(0, vcpu_msr(self->vcpu, KHV_GET_MSRS, HS_MSR_SYSCALL_MASK, &v));
	EXPECT_EQ(0x4700, v);
}

/*
 * On SVM the guest's GS base is loaded from VMLOAD before VMRUN until the
 * host's VMLOAD after #VMEXIT: a per-CPU access of the host in between (as
 * the kernel's RSB filling after VM exits does with call-depth tracking
 * built in) would write at the guest's GS base plus the variable's offset,
 * wherever the guest points it. These bases put that address in user
 * space (SMAP) or outside the canonical range, so such an access oopses
 * or resets the host at the first exit; the VMX exit loads the host's GS
 * base itself. The guest keeps its bases either way (KERNEL_GS_BASE, which
 * SWAPGS would bring in, is set to the same).
 */
TEST_F(hs, guest_gs_base_is_never_the_hosts)
{
	static const uint64_t bases[] = {
		0x0000400000000000ull, 0x00007ffffffff000ull,
		0xffff800000000000ull, 0xfffffffffffff000ull,
	};
	struct ucall uc;
	unsigned int i;
	uint64_t v;
	int r;

	for (i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		r = vcpu_set_long_mode(self->vcpu, hs_guest_cpuid_exits, HS_GS_EXITS);
		ASSERT_EQ(0, r) TH_LOG("long mode: %s", strerror(-r));
		v = bases[i];
		ASSERT_EQ(0, vcpu_msr(self->vcpu, KHV_SET_MSRS, HS_MSR_GS_BASE, &v));
		ASSERT_EQ(0, vcpu_msr(self->vcpu, KHV_SET_MSRS, HS_MSR_KERNEL_GS_BASE, &v));
		vcpu_run_to_ucall(self->vcpu, &uc, UCALL_SYNC);
		EXPECT_EQ(HS_GS_EXITS, uc.args[0]);
		vcpu_run_to_ucall(self->vcpu, &uc, UCALL_DONE);
		v = 0;
		EXPECT_EQ(0, vcpu_msr(self->vcpu, KHV_GET_MSRS, HS_MSR_GS_BASE, &v));
		EXPECT_EQ(bases[i], v) TH_LOG("GS base %#llx came back as %#llx",
					      (unsigned long long)bases[i], (unsigned long long)v);
	}
}

/*
 * STAR holds two selector pairs and a 32-bit EIP, not an address: every
 * value is valid (APM Vol. 2 6.1.1), Linux's own is not canonical. A #GP
 * there left Linux guests with STAR 0, so SYSRET returned to user space on
 * CS 0x13 and the first IRET to it faulted.
 */
TEST_F(hs, star_takes_linux_value)
{
	struct ucall uc;
	uint64_t v;
	int r;

	ASSERT_EQ(0, vm_set_idt_handler(self->vm, 13, hs_gp_handler));
	v = ~0ull;
	EXPECT_EQ(0, vcpu_msr(self->vcpu, KHV_SET_MSRS, HS_MSR_STAR, &v));
	v = 0;
	EXPECT_EQ(0, vcpu_msr(self->vcpu, KHV_GET_MSRS, HS_MSR_STAR, &v));
	EXPECT_EQ(~0ull, v);

	r = vcpu_set_long_mode(self->vcpu, hs_guest_wrmsr_star, HS_LINUX_STAR);
	ASSERT_EQ(0, r) TH_LOG("long mode: %s", strerror(-r));
	vcpu_run_to_ucall(self->vcpu, &uc, UCALL_SYNC);
	EXPECT_EQ(0, uc.args[0]) TH_LOG("WRMSR STAR: #GP");
	EXPECT_EQ(HS_LINUX_STAR, uc.args[1]);
	vcpu_run_to_ucall(self->vcpu, &uc, UCALL_DONE);
	v = 0;
	EXPECT_EQ(0, vcpu_msr(self->vcpu, KHV_GET_MSRS, HS_MSR_STAR, &v));
	EXPECT_EQ(HS_LINUX_STAR, v);
}

TEST_HARNESS_MAIN
