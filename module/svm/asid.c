// SPDX-License-Identifier: GPL-2.0-only
/*
 * AMD SVM: the ASID khv's guests run with, when their translations are
 * flushed, and how none of them outlives the khv thread on a CPU. The
 * argument is in Documentation/khv-abi.rst ("ASIDs and the TLB"); in short:
 *
 * - every khv guest runs with one ASID per CPU, the top one (KVM hands its
 *   ASIDs out upwards from the bottom and reaches it last);
 * - an entry flushes that ASID unless the same vCPU ran last on this CPU,
 *   under the same generation of its VM's mappings, and nothing asked for
 *   a flush since;
 * - before the khv thread lets go of the CPU (it is scheduled out, or
 *   KHV_RUN returns), a VMRUN of a guest that executes nothing flushes the
 *   ASID again ("scrub"): when anyone else's guest runs on this CPU, with
 *   whatever ASID, no translation of a khv guest is left in the TLB.
 */
#define pr_fmt(fmt) "khv: " fmt

#include <linux/atomic.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/printk.h>
#include <asm/debugreg.h>

#include "../compat.h"
#include "../x86.h"
#include "insn.h"
#include "svm.h"
#include "vmcb.h"

/**
 * svm_asid_plan() - the ASID and TLB_CONTROL of the next entry on a CPU.
 * @pc:      what the CPU's khv ASID may hold; updated for this entry.
 * @tag:     the vCPU, by a number no other vCPU ever has (never 0).
 * @tlb_gen: its VM's tlb_gen, read before the entry.
 * @flush:   the vCPU asks for a flush (an emulated MOV to CR4).
 * @caps:    the CPU's ASID count and whether it flushes by ASID.
 * @out:     the ASID and the TLB_CONTROL value for the VMCB.
 *
 * The ASID's entries may be kept only if they were made by this vCPU under
 * this @tlb_gen and the CPU has not been let go since (a scrub sets
 * @pc->owner to 0). Anything else flushes: the ASID alone where the CPU can
 * (FlushByAsid), the whole TLB where it cannot.
 */
void svm_asid_plan(struct svm_asid_cpu *pc, u64 tag, u64 tlb_gen, bool flush,
		   const struct svm_caps *caps, struct svm_asid_choice *out)
{
	out->asid = caps->nr_asids - 1;
	if (pc->owner != tag || pc->tlb_gen != tlb_gen || flush)
		out->tlb_ctl = caps->flush_by_asid ? SVM_TLB_FLUSH_ASID :
						     SVM_TLB_FLUSH_ALL;
	else
		out->tlb_ctl = SVM_TLB_FLUSH_NONE;
	pc->owner = tag;
	pc->tlb_gen = tlb_gen;
}
EXPORT_SYMBOL_IF_KUNIT(svm_asid_plan);

static DEFINE_PER_CPU(struct svm_asid_cpu, svm_asid_cpu);
/* Per CPU: the VMCB of the scrub, a guest that cannot execute anything. */
static DEFINE_PER_CPU(struct page *, svm_scrub_vmcb);
/* Its nested page table: a root without entries, so every access is an NPF. */
static struct page *svm_empty_npt;
static atomic64_t svm_asid_tags = ATOMIC64_INIT(0);
/* A scrub failed: translations may be left behind, so no guest runs again. */
static bool svm_scrub_failed;
static u64 svm_scrub_failure;	/* its exit code, or -1: VMRUN faulted */

u64 svm_asid_new_tag(void)
{
	return atomic64_inc_return(&svm_asid_tags);
}

/* May guests run? Not after a failed scrub; the first caller logs why. */
bool svm_asid_usable(void)
{
	if (!READ_ONCE(svm_scrub_failed))
		return true;
	pr_err_once("an ASID flush failed (exit %#llx): no more guests run\n",
		    svm_scrub_failure);
	return false;
}

/* Interrupts off: choose the ASID of the entry @vmcb is about to make. */
void svm_asid_enter(struct svm_vmcb *vmcb, u64 tag, u64 tlb_gen, bool flush)
{
	struct svm_asid_choice c;

	lockdep_assert_irqs_disabled();
	svm_asid_plan(this_cpu_ptr(&svm_asid_cpu), tag, tlb_gen, flush,
		      svm_get_caps(), &c);
	vmcb->control.asid = c.asid;
	vmcb->control.tlb_ctl = c.tlb_ctl;
}

/**
 * svm_asid_scrub() - flush khv's ASID on this CPU if a guest used it.
 *
 * Interrupts off. Called when the khv thread is scheduled out and when
 * KHV_RUN returns. The scrub guest has an empty nested page table: VMRUN
 * flushes the ASID (TLB_CONTROL), the first instruction fetch is a nested
 * page fault, and #VMEXIT comes back with no guest instruction executed.
 */
void svm_asid_scrub(void)
{
	struct svm_asid_cpu *pc = this_cpu_ptr(&svm_asid_cpu);
	struct page *page = this_cpu_read(svm_scrub_vmcb);
	struct svm_vmcb *vmcb = page_address(page);
	unsigned long dr7;
	int r;

	lockdep_assert_irqs_disabled();
	if (!pc->owner)
		return;
	/*
	 * SVM is off on this CPU: no guest runs here until someone switches
	 * it on again, and both khv (a new owner flushes) and KVM (its first
	 * VMRUN after enabling flushes every ASID) flush before that.
	 */
	if (svm_clgi()) {
		pc->owner = 0;
		return;
	}
	dr7 = native_get_debugreg(7);
	vmcb->control.clean = 0;
	r = svm_vmrun_no_guest_code(page_to_phys(page));
	/* APM 15.7.2: #VMEXIT leaves DR7 = 0x400. */
	if (dr7 != KHV_DR7_RESET)
		native_set_debugreg(7, dr7);
	svm_stgi();
	if (r || (u32)vmcb->control.exit_code == (u32)SVM_EXIT_INVALID) {
		/* Maybe inside the scheduler: svm_asid_usable() tells the log. */
		svm_scrub_failure = r ? -1 : vmcb->control.exit_code;
		WRITE_ONCE(svm_scrub_failed, true);
		return;
	}
	pc->owner = 0;
}

int svm_asid_setup(void)
{
	const struct svm_caps *caps = svm_get_caps();
	struct svm_vmcb *vmcb;
	struct page *page;
	int cpu;

	svm_empty_npt = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!svm_empty_npt)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		page = alloc_pages_node(cpu_to_node(cpu), GFP_KERNEL | __GFP_ZERO, 0);
		if (!page)
			goto err_free;
		per_cpu(svm_scrub_vmcb, cpu) = page;
		vmcb = page_address(page);
		svm_vmcb_reset(vmcb, page_to_phys(svm_empty_npt));
		vmcb->control.asid = caps->nr_asids - 1;
		vmcb->control.tlb_ctl = caps->flush_by_asid ? SVM_TLB_FLUSH_ASID :
							      SVM_TLB_FLUSH_ALL;
	}
	return 0;

err_free:
	svm_asid_unsetup();
	return -ENOMEM;
}

void svm_asid_unsetup(void)
{
	struct page **page;
	int cpu;

	for_each_possible_cpu(cpu) {
		page = per_cpu_ptr(&svm_scrub_vmcb, cpu);
		if (*page)
			__free_page(*page);
		*page = NULL;
	}
	if (svm_empty_npt)
		__free_page(svm_empty_npt);
	svm_empty_npt = NULL;
}
