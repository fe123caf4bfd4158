// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the VMCS controls computed from capability MSRs (vmx/controls.c).
 * "xeon" holds the TRUE_ control MSRs read on a Skylake-SP Xeon, "bochs"
 * those of Bochs 2.7's corei7_skylake_x (broadwell_ult, khv's Intel test
 * host, has the same pin, proc, exit and entry MSRs); the
 * non-TRUE ones force CR3-load/store exiting on.
 */
#include <kunit/test.h>

#include "vmcs.h"
#include "vmx.h"

static const struct vmx_ctl_msrs xeon = {
	.pin = 0x000000ff00000016ULL,
	.proc = 0xfff9fffe04006172ULL,
	.proc2 = 0x005ffcff00000000ULL,
	.exit = 0x01ffffff00036dfbULL,
	.entry = 0x0003ffff000011fbULL,
};

static const struct vmx_ctl_msrs bochs = {
	.pin = 0x0000007f00000016ULL,
	.proc = 0xf7f9fffe04006172ULL,
	.proc2 = 0x02177fff00000000ULL,
	.exit = 0x007fffff00036dfbULL,
	.entry = 0x0000ffff000011fbULL,
};

static void vmx_ctls_bochs(struct kunit *test)
{
	struct vmx_controls c = {};
	const char *why = NULL;

	KUNIT_ASSERT_EQ(test, vmx_compute_controls(&bochs, &c, &why), 0);
	KUNIT_EXPECT_EQ(test, c.pin, (u32)(0x16 | PIN_EXT_INTR_EXITING |
					   PIN_NMI_EXITING | PIN_VIRTUAL_NMIS |
					   PIN_PREEMPTION_TIMER));
	KUNIT_EXPECT_EQ(test, c.proc, (u32)(0x04006172 | PROC_HLT_EXITING |
					    PROC_MWAIT_EXITING |
					    PROC_RDPMC_EXITING |
					    PROC_CR8_LOAD_EXITING |
					    PROC_CR8_STORE_EXITING |
					    PROC_MOV_DR_EXITING |
					    PROC_USE_IO_BITMAPS |
					    PROC_USE_MSR_BITMAPS |
					    PROC_MONITOR_EXITING | PROC_SECONDARY |
					    PROC_USE_TSC_OFFSETTING));
	KUNIT_EXPECT_EQ(test, c.proc2, (u32)(PROC2_EPT | PROC2_UNRESTRICTED |
					     PROC2_WBINVD_EXITING | PROC2_VPID |
					     PROC2_RDTSCP | PROC2_INVPCID));
	KUNIT_EXPECT_EQ(test, c.exit, (u32)(0x36dfb | EXIT_HOST_64 |
					    EXIT_SAVE_PAT | EXIT_LOAD_PAT |
					    EXIT_SAVE_EFER | EXIT_LOAD_EFER |
					    EXIT_SAVE_DEBUG));
	KUNIT_EXPECT_EQ(test, c.entry, (u32)(0x11fb | ENTRY_LOAD_PAT |
					     ENTRY_LOAD_EFER | ENTRY_LOAD_DEBUG));
}

static void vmx_ctls_xeon(struct kunit *test)
{
	struct vmx_controls c = {};
	const char *why = NULL;

	KUNIT_ASSERT_EQ(test, vmx_compute_controls(&xeon, &c, &why), 0);
	KUNIT_EXPECT_NULL(test, why);
	KUNIT_EXPECT_EQ(test, c.pin, (u32)(0x16 | PIN_EXT_INTR_EXITING |
					   PIN_NMI_EXITING | PIN_VIRTUAL_NMIS |
					   PIN_PREEMPTION_TIMER));
	KUNIT_EXPECT_TRUE(test, c.proc & PROC_HLT_EXITING);
	KUNIT_EXPECT_TRUE(test, c.proc & PROC_USE_IO_BITMAPS);
	KUNIT_EXPECT_TRUE(test, c.proc & PROC_USE_MSR_BITMAPS);
	KUNIT_EXPECT_TRUE(test, c.proc & PROC_CR8_LOAD_EXITING);
	KUNIT_EXPECT_TRUE(test, c.proc & PROC_MOV_DR_EXITING);
	KUNIT_EXPECT_TRUE(test, c.proc & PROC_SECONDARY);
	/* TRUE_ controls let CR3 exiting be off: EPT handles CR3. */
	KUNIT_EXPECT_FALSE(test, c.proc & PROC_CR3_LOAD_EXITING);
	KUNIT_EXPECT_FALSE(test, c.proc & PROC_CR3_STORE_EXITING);
	KUNIT_EXPECT_FALSE(test, c.proc & PROC_UNCOND_IO_EXITING);
	KUNIT_EXPECT_EQ(test, c.proc2, (u32)(PROC2_EPT | PROC2_UNRESTRICTED |
					     PROC2_WBINVD_EXITING | PROC2_VPID |
					     PROC2_RDTSCP | PROC2_INVPCID));
	KUNIT_EXPECT_EQ(test, c.exit, (u32)(0x36dfb | EXIT_HOST_64 |
					    EXIT_SAVE_PAT | EXIT_LOAD_PAT |
					    EXIT_SAVE_EFER | EXIT_LOAD_EFER |
					    EXIT_SAVE_DEBUG));
	KUNIT_EXPECT_EQ(test, c.entry, (u32)(0x11fb | ENTRY_LOAD_PAT |
					     ENTRY_LOAD_EFER | ENTRY_LOAD_DEBUG));
	KUNIT_EXPECT_FALSE(test, c.entry & ENTRY_IA32E);
}

static void vmx_ctls_old_msrs_force_cr3_exiting(struct kunit *test)
{
	struct vmx_ctl_msrs m = xeon;
	struct vmx_controls c = {};
	const char *why = NULL;

	m.proc = 0xfff9fffe0401e172ULL;	/* IA32_VMX_PROCBASED_CTLS */
	KUNIT_ASSERT_EQ(test, vmx_compute_controls(&m, &c, &why), 0);
	KUNIT_EXPECT_TRUE(test, c.proc & PROC_CR3_LOAD_EXITING);
	KUNIT_EXPECT_TRUE(test, c.proc & PROC_CR3_STORE_EXITING);
}

static void vmx_ctls_refusal(struct kunit *test, struct vmx_ctl_msrs *m,
			     const char *word)
{
	struct vmx_controls c = {};
	const char *why = NULL;

	KUNIT_EXPECT_EQ(test, vmx_compute_controls(m, &c, &why), -ENODEV);
	KUNIT_ASSERT_NOT_NULL(test, why);
	KUNIT_EXPECT_NOT_NULL(test, strstr(why, word));
}

static void vmx_ctls_without_ept_refused(struct kunit *test)
{
	struct vmx_ctl_msrs m = xeon;

	m.proc2 &= ~((u64)PROC2_EPT << 32);
	vmx_ctls_refusal(test, &m, "EPT");
}

static void vmx_ctls_without_nmi_exiting_refused(struct kunit *test)
{
	struct vmx_ctl_msrs m = xeon;

	m.pin &= ~((u64)PIN_NMI_EXITING << 32);
	vmx_ctls_refusal(test, &m, "NMI");
}

/* NMI blocking is the processor's, and NMI-window exiting needs it. */
static void vmx_ctls_without_virtual_nmis_refused(struct kunit *test)
{
	struct vmx_ctl_msrs m = xeon;

	m.pin &= ~((u64)PIN_VIRTUAL_NMIS << 32);
	vmx_ctls_refusal(test, &m, "virtual NMIs");
}

/* The windows are opened per vCPU: available, never on from the start. */
static void vmx_ctls_windows_available_not_set(struct kunit *test)
{
	struct vmx_ctl_msrs m = xeon;
	struct vmx_controls c = {};
	const char *why = NULL;

	KUNIT_ASSERT_EQ(test, vmx_compute_controls(&bochs, &c, &why), 0);
	KUNIT_EXPECT_FALSE(test, c.proc & PROC_INTR_WINDOW_EXITING);
	KUNIT_EXPECT_FALSE(test, c.proc & PROC_NMI_WINDOW_EXITING);
	m.proc &= ~((u64)PROC_NMI_WINDOW_EXITING << 32);
	vmx_ctls_refusal(test, &m, "NMI-window");
	m = xeon;
	m.proc &= ~((u64)PROC_INTR_WINDOW_EXITING << 32);
	vmx_ctls_refusal(test, &m, "interrupt-window");
	m = xeon;
	m.proc |= PROC_INTR_WINDOW_EXITING;
	vmx_ctls_refusal(test, &m, "interrupt-window");
}

static void vmx_ctls_without_efer_switch_refused(struct kunit *test)
{
	struct vmx_ctl_msrs m = xeon;

	m.exit &= ~((u64)EXIT_LOAD_EFER << 32);
	vmx_ctls_refusal(test, &m, "EFER");
}

static void vmx_ctls_without_msr_bitmaps_refused(struct kunit *test)
{
	struct vmx_ctl_msrs m = xeon;

	m.proc &= ~((u64)PROC_USE_MSR_BITMAPS << 32);
	vmx_ctls_refusal(test, &m, "bitmaps");
}

/* The guest must not run with the host's DR7 and IA32_DEBUGCTL. */
static void vmx_ctls_without_debug_controls_refused(struct kunit *test)
{
	struct vmx_ctl_msrs m = xeon;

	m.entry &= ~((u64)ENTRY_LOAD_DEBUG << 32);
	vmx_ctls_refusal(test, &m, "debug");
	m = xeon;
	m.exit &= ~((u64)EXIT_SAVE_DEBUG << 32);
	vmx_ctls_refusal(test, &m, "debug");
}

static void vmx_ctls_debug_controls_set(struct kunit *test)
{
	struct vmx_controls c = {};
	const char *why = NULL;

	KUNIT_ASSERT_EQ(test, vmx_compute_controls(&bochs, &c, &why), 0);
	KUNIT_EXPECT_TRUE(test, c.entry & ENTRY_LOAD_DEBUG);
	KUNIT_EXPECT_TRUE(test, c.exit & EXIT_SAVE_DEBUG);
}

static void vmx_ctls_optional_left_out(struct kunit *test)
{
	struct vmx_ctl_msrs m = xeon;
	struct vmx_controls c = {};
	const char *why = NULL;

	m.proc2 &= ~((u64)(PROC2_VPID | PROC2_RDTSCP | PROC2_INVPCID) << 32);
	m.pin &= ~((u64)PIN_PREEMPTION_TIMER << 32);
	KUNIT_ASSERT_EQ(test, vmx_compute_controls(&m, &c, &why), 0);
	KUNIT_EXPECT_EQ(test, c.proc2, (u32)(PROC2_EPT | PROC2_UNRESTRICTED |
					     PROC2_WBINVD_EXITING));
	KUNIT_EXPECT_EQ(test, c.pin, (u32)(0x16 | PIN_EXT_INTR_EXITING |
					   PIN_NMI_EXITING | PIN_VIRTUAL_NMIS));
}

static void vmx_ctls_forced_ia32e_refused(struct kunit *test)
{
	struct vmx_ctl_msrs m = xeon;

	m.entry |= ENTRY_IA32E;
	vmx_ctls_refusal(test, &m, "IA-32e");
}

/*
 * The backstop's timer value: 10 ms of a 3 GHz TSC at the rate of a
 * Skylake (IA32_VMX_MISC[4:0] = 5) and of Bochs (0); never 0 (a timer
 * that ends every entry at once), never above the 32-bit field.
 */
static void vmx_backstop_ticks_scale(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, vmx_backstop_ticks(3000000, 0x7004c1e5, 10), 937500U);
	KUNIT_EXPECT_EQ(test, vmx_backstop_ticks(3000000, 0x20, 10), 30000000U);
	KUNIT_EXPECT_EQ(test, vmx_backstop_ticks(1, 0x1f, 1), 1U);
	KUNIT_EXPECT_EQ(test, vmx_backstop_ticks(U32_MAX, 0, 1000), U32_MAX);
	KUNIT_EXPECT_EQ(test, vmx_backstop_ticks(0, 5, 10), 0U);
}

static struct kunit_case vmx_ctls_cases[] = {
	KUNIT_CASE(vmx_ctls_xeon),
	KUNIT_CASE(vmx_ctls_bochs),
	KUNIT_CASE(vmx_ctls_old_msrs_force_cr3_exiting),
	KUNIT_CASE(vmx_ctls_without_ept_refused),
	KUNIT_CASE(vmx_ctls_without_nmi_exiting_refused),
	KUNIT_CASE(vmx_ctls_without_virtual_nmis_refused),
	KUNIT_CASE(vmx_ctls_windows_available_not_set),
	KUNIT_CASE(vmx_ctls_without_efer_switch_refused),
	KUNIT_CASE(vmx_ctls_without_msr_bitmaps_refused),
	KUNIT_CASE(vmx_ctls_without_debug_controls_refused),
	KUNIT_CASE(vmx_ctls_debug_controls_set),
	KUNIT_CASE(vmx_ctls_optional_left_out),
	KUNIT_CASE(vmx_ctls_forced_ia32e_refused),
	KUNIT_CASE(vmx_backstop_ticks_scale),
	{}
};

static struct kunit_suite vmx_ctls_suite = {
	.name = "khv_vmx_controls",
	.test_cases = vmx_ctls_cases,
};

kunit_test_suite(vmx_ctls_suite);
