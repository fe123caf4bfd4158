// SPDX-License-Identifier: GPL-2.0-only
/*
 * Intel VMX: the VMCS execution, exit and entry controls, computed from the
 * capability MSRs. A pure function (vmx/controls_test.c feeds it the values
 * of real CPUs and of Bochs).
 */
#include <linux/errno.h>
#include <linux/limits.h>
#include <linux/minmax.h>
#include <linux/module.h>

#include "../compat.h"
#include "vmcs.h"
#include "vmx.h"

/*
 * SDM Vol. 3D A.3-A.5: bits 31:0 of a capability MSR are the allowed-0
 * settings (a 1 there: the control must be 1), bits 63:32 the allowed-1
 * settings (a 0 there: the control must be 0).
 */
static int vmx_adjust(u64 msr, u32 required, u32 optional, u32 *out)
{
	u32 must_be_1 = (u32)msr, may_be_1 = msr >> 32;

	if (required & ~may_be_1)
		return -ENODEV;
	*out = ((required | optional) & may_be_1) | must_be_1;
	return 0;
}

/* What khv runs every guest with; the rest is optional or forced on it. */
#define PIN_REQUIRED	(PIN_EXT_INTR_EXITING | PIN_NMI_EXITING | \
			 PIN_VIRTUAL_NMIS)
#define PIN_OPTIONAL	PIN_PREEMPTION_TIMER
#define PROC_REQUIRED	(PROC_HLT_EXITING | PROC_MWAIT_EXITING | \
			 PROC_RDPMC_EXITING | PROC_CR8_LOAD_EXITING | \
			 PROC_CR8_STORE_EXITING | PROC_MOV_DR_EXITING | \
			 PROC_USE_IO_BITMAPS | PROC_USE_MSR_BITMAPS | \
			 PROC_MONITOR_EXITING | PROC_SECONDARY | \
			 PROC_USE_TSC_OFFSETTING)
/* Set and cleared per vCPU (vmx/inject.c): may be 1, need not be. */
#define PROC_WINDOWS	(PROC_INTR_WINDOW_EXITING | PROC_NMI_WINDOW_EXITING)
#define PROC2_REQUIRED	(PROC2_EPT | PROC2_UNRESTRICTED | PROC2_WBINVD_EXITING)
#define PROC2_OPTIONAL	(PROC2_VPID | PROC2_RDTSCP | PROC2_INVPCID)
#define EXIT_REQUIRED	(EXIT_HOST_64 | EXIT_SAVE_PAT | EXIT_LOAD_PAT | \
			 EXIT_SAVE_EFER | EXIT_LOAD_EFER | EXIT_SAVE_DEBUG)
#define ENTRY_REQUIRED	(ENTRY_LOAD_PAT | ENTRY_LOAD_EFER | ENTRY_LOAD_DEBUG)

/**
 * vmx_compute_controls() - the controls khv writes into every VMCS.
 * @m:   the capability MSRs (the TRUE_ ones where IA32_VMX_BASIC[55] says
 *	 they exist, SDM A.2).
 * @c:   filled with the control values.
 * @why: set to a one-line reason when a required control is missing.
 *
 * Required: external-interrupt and NMI exiting, virtual NMIs (the guest's
 * NMI blocking kept by the processor, SDM 25.6.1); the VMX-preemption timer
 * where there is one (vmx_backstop_ticks()); interrupt-window and
 * NMI-window exiting available, not forced; HLT, MWAIT, MONITOR, RDPMC,
 * CR8, MOV-DR exiting; TSC offsetting; I/O and MSR bitmaps; EPT,
 * unrestricted guest, WBINVD exiting; a 64-bit host; PAT, EFER and the
 * debug controls (DR7, IA32_DEBUGCTL: the guest must not run with the
 * host's breakpoints) saved and loaded. Optional: VPID, RDTSCP, INVPCID (the
 * guest gets #UD without them); never "enable XSAVES/XRSTORS" (#UD: khv
 * offers no supervisor state). Controls the CPU forces
 * to 1 are kept; CR3-load/store exiting among them is handled.
 *
 * Return: 0, or -ENODEV with @why set.
 */
int vmx_compute_controls(const struct vmx_ctl_msrs *m, struct vmx_controls *c,
			 const char **why)
{
	if (vmx_adjust(m->pin, PIN_REQUIRED, PIN_OPTIONAL, &c->pin)) {
		*why = "VMX lacks external-interrupt or NMI exiting or virtual NMIs";
		return -ENODEV;
	}
	if (vmx_adjust(m->proc, PROC_REQUIRED, 0, &c->proc)) {
		*why = "VMX lacks HLT/MWAIT/CR8/DR exiting or I/O or MSR bitmaps";
		return -ENODEV;
	}
	if ((PROC_WINDOWS & ~(u32)(m->proc >> 32)) || (PROC_WINDOWS & (u32)m->proc)) {
		*why = "VMX lacks interrupt-window or NMI-window exiting";
		return -ENODEV;
	}
	if (vmx_adjust(m->proc2, PROC2_REQUIRED, PROC2_OPTIONAL, &c->proc2)) {
		*why = "VMX lacks EPT, unrestricted guest or WBINVD exiting";
		return -ENODEV;
	}
	if (vmx_adjust(m->exit, EXIT_REQUIRED, 0, &c->exit)) {
		*why = "VMX cannot exit to a 64-bit host or switch PAT/EFER/debug controls on exit";
		return -ENODEV;
	}
	if (vmx_adjust(m->entry, ENTRY_REQUIRED, 0, &c->entry)) {
		*why = "VMX cannot load PAT/EFER/debug controls on entry";
		return -ENODEV;
	}
	/* Set per entry from the guest's EFER.LMA. */
	if ((u32)m->entry & ENTRY_IA32E) {
		*why = "VMX forces IA-32e mode guests";
		return -ENODEV;
	}
	c->entry &= ~ENTRY_IA32E;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(vmx_compute_controls);

/**
 * vmx_backstop_ticks() - the VMX-preemption timer's value for a backstop.
 * @tsc_khz: the TSC's frequency.
 * @misc:    IA32_VMX_MISC: bits 4:0, the timer counts once per 2^n TSC ticks
 *	     (SDM Vol. 3D A.6).
 * @ms:      how long a guest may run without an exit.
 *
 * An entry ends after @ms at the latest, whether or not the host takes an
 * interrupt (Documentation/khv-abi.rst, "Leaving the guest"): the value is
 * loaded at every entry and not saved at exit, so it needs no write.
 *
 * Return: the timer value, at least 1 and at most U32_MAX; 0 (no backstop)
 * for an unknown TSC frequency.
 */
u32 vmx_backstop_ticks(u32 tsc_khz, u64 misc, u32 ms)
{
	u64 ticks = (u64)tsc_khz * ms >> (misc & 0x1f);

	if (!tsc_khz)
		return 0;
	return clamp_t(u64, ticks, 1, U32_MAX);
}
EXPORT_SYMBOL_IF_KUNIT(vmx_backstop_ticks);
