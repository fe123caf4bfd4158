// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: events in the VMCS's format (vmx/event.c): what an entry injects,
 * and what an exit that interrupted a delivery gives back to inject again.
 */
#include <kunit/test.h>
#include <asm/trapnr.h>

#include "../event.h"
#include "vcpu.h"
#include "vmcs.h"
#include "vmx.h"

static void vmx_event_none_is_not_valid(struct kunit *test)
{
	struct khv_event ev = {};

	KUNIT_EXPECT_EQ(test, vmx_event_info(&ev), 0U);
	vmx_event_decode(0, 0, &ev);
	KUNIT_EXPECT_EQ(test, ev.type, (u8)KHV_EVENT_NONE);
	/* Fields without VALID mean nothing. */
	vmx_event_decode(INTR_TYPE_HW_EXCEPTION << 8 | 14, 0, &ev);
	KUNIT_EXPECT_EQ(test, ev.type, (u8)KHV_EVENT_NONE);
}

/* SDM Vol. 3C 25.8.3: vector, type, deliver-error-code, valid. */
static void vmx_event_info_encodes_each_type(struct kunit *test)
{
	struct khv_event irq = { .type = KHV_EVENT_EXT_INTR, .vector = 0x40 };
	struct khv_event nmi = { .type = KHV_EVENT_NMI, .vector = X86_TRAP_NMI };
	struct khv_event gp = { .type = KHV_EVENT_HW_EXCEPTION,
				.vector = X86_TRAP_GP, .has_error = true,
				.error = 0x18 };
	struct khv_event ud = { .type = KHV_EVENT_HW_EXCEPTION,
				.vector = X86_TRAP_UD };
	struct khv_event bp = { .type = KHV_EVENT_SOFT_EXCEPTION,
				.vector = X86_TRAP_BP, .insn_len = 1 };
	struct khv_event intn = { .type = KHV_EVENT_SOFT_INTR, .vector = 0x80,
				  .insn_len = 2 };
	struct khv_event icebp = { .type = KHV_EVENT_PRIV_SOFT_EXCEPTION,
				   .vector = X86_TRAP_DB, .insn_len = 1 };

	KUNIT_EXPECT_EQ(test, vmx_event_info(&irq), 0x80000040U);
	KUNIT_EXPECT_EQ(test, vmx_event_info(&nmi), 0x80000202U);
	KUNIT_EXPECT_EQ(test, vmx_event_info(&gp), 0x80000b0dU);
	KUNIT_EXPECT_EQ(test, vmx_event_info(&ud), 0x80000306U);
	KUNIT_EXPECT_EQ(test, vmx_event_info(&bp), 0x80000603U);
	KUNIT_EXPECT_EQ(test, vmx_event_info(&intn), 0x80000480U);
	KUNIT_EXPECT_EQ(test, vmx_event_info(&icebp), 0x80000501U);
	/* Only a hardware exception delivers an error code. */
	irq.has_error = true;
	KUNIT_EXPECT_EQ(test, vmx_event_info(&irq), 0x80000040U);
}

/* What an exit interrupted comes back as the same event. */
static void vmx_event_decode_round_trips(struct kunit *test)
{
	struct khv_event pf = { .type = KHV_EVENT_HW_EXCEPTION,
				.vector = X86_TRAP_PF, .has_error = true,
				.error = 6 };
	struct khv_event irq = { .type = KHV_EVENT_EXT_INTR, .vector = 0xef };
	struct khv_event nmi = { .type = KHV_EVENT_NMI, .vector = X86_TRAP_NMI };
	struct khv_event ev;

	vmx_event_decode(vmx_event_info(&pf), 6, &ev);
	KUNIT_EXPECT_EQ(test, memcmp(&ev, &pf, sizeof(ev)), 0);
	vmx_event_decode(vmx_event_info(&irq), 0x1234, &ev);
	KUNIT_EXPECT_EQ(test, memcmp(&ev, &irq, sizeof(ev)), 0);
	vmx_event_decode(vmx_event_info(&nmi), 0, &ev);
	KUNIT_EXPECT_EQ(test, memcmp(&ev, &nmi, sizeof(ev)), 0);
	/* An error code without bit 11 is not taken. */
	vmx_event_decode(0x80000306U, 0x55, &ev);
	KUNIT_EXPECT_FALSE(test, ev.has_error);
	KUNIT_EXPECT_EQ(test, ev.error, 0U);
}

/* INTn, INT3/INTO and INT1 run again from their instruction. */
static void vmx_event_decode_drops_software_events(struct kunit *test)
{
	struct khv_event ev;

	vmx_event_decode(0x80000480U, 0, &ev);
	KUNIT_EXPECT_EQ(test, ev.type, (u8)KHV_EVENT_NONE);
	vmx_event_decode(0x80000603U, 0, &ev);
	KUNIT_EXPECT_EQ(test, ev.type, (u8)KHV_EVENT_NONE);
	vmx_event_decode(0x80000501U, 0, &ev);
	KUNIT_EXPECT_EQ(test, ev.type, (u8)KHV_EVENT_NONE);
	/* Types 1 and 7 are not events to deliver again. */
	vmx_event_decode(0x80000100U, 0, &ev);
	KUNIT_EXPECT_EQ(test, ev.type, (u8)KHV_EVENT_NONE);
	vmx_event_decode(0x80000700U, 0, &ev);
	KUNIT_EXPECT_EQ(test, ev.type, (u8)KHV_EVENT_NONE);
}

/*
 * A machine check is the host's (Documentation/khv-abi.rst, "Isolation on entry
 * and exit"): it always exits, and both of its exits go to the host's handler.
 * No emulated host can raise one inside a guest, so this is its test.
 */
static void vmx_event_machine_check_is_the_hosts(struct kunit *test)
{
	struct vmx_exit e = { .reason = EXIT_EXCEPTION_NMI };

	KUNIT_EXPECT_TRUE(test, VMX_EXCEPTION_BITMAP & BIT(X86_TRAP_MC));
	/* #AC and #DB exit too, so that their delivery loops pass the host. */
	KUNIT_EXPECT_TRUE(test, VMX_EXCEPTION_BITMAP & BIT(X86_TRAP_AC));
	KUNIT_EXPECT_TRUE(test, VMX_EXCEPTION_BITMAP & BIT(X86_TRAP_DB));

	e.intr_info = INTR_INFO_VALID | (INTR_TYPE_HW_EXCEPTION << 8) | X86_TRAP_MC;
	KUNIT_EXPECT_TRUE(test, vmx_exit_is_mce(&e));
	/* SDM 27.8: a machine check during entry; bit 31 marks the failure. */
	e.reason = BIT(31) | EXIT_MCE_DURING_ENTRY;
	e.intr_info = 0;
	KUNIT_EXPECT_TRUE(test, vmx_exit_is_mce(&e));

	e.reason = EXIT_EXCEPTION_NMI;
	e.intr_info = INTR_INFO_VALID | (INTR_TYPE_HW_EXCEPTION << 8) | X86_TRAP_AC;
	KUNIT_EXPECT_FALSE(test, vmx_exit_is_mce(&e));
	e.intr_info = INTR_INFO_VALID | (INTR_TYPE_HW_EXCEPTION << 8) | X86_TRAP_DB;
	KUNIT_EXPECT_FALSE(test, vmx_exit_is_mce(&e));
	/* Vector 18 of another type (an INT 18 software interrupt) is not one. */
	e.intr_info = INTR_INFO_VALID | (4 << 8) | X86_TRAP_MC;
	KUNIT_EXPECT_FALSE(test, vmx_exit_is_mce(&e));
	/* Nor is an exit of another reason with stale interruption information. */
	e.reason = 1;
	e.intr_info = INTR_INFO_VALID | (INTR_TYPE_HW_EXCEPTION << 8) | X86_TRAP_MC;
	KUNIT_EXPECT_FALSE(test, vmx_exit_is_mce(&e));
}

static struct kunit_case vmx_event_cases[] = {
	KUNIT_CASE(vmx_event_none_is_not_valid),
	KUNIT_CASE(vmx_event_info_encodes_each_type),
	KUNIT_CASE(vmx_event_decode_round_trips),
	KUNIT_CASE(vmx_event_decode_drops_software_events),
	KUNIT_CASE(vmx_event_machine_check_is_the_hosts),
	{}
};

static struct kunit_suite vmx_event_suite = {
	.name = "khv_vmx_event",
	.test_cases = vmx_event_cases,
};

kunit_test_suite(vmx_event_suite);
