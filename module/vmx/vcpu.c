// SPDX-License-Identifier: GPL-2.0-only
/*
 * Intel VMX vCPU: the VMCS of each vCPU, where it is loaded, and the guest
 * state it holds (exits: exit.c; entry: run.c).
 *
 * A VMCS is active on at most one CPU (SDM Vol. 3C 25.1). Each run loads it
 * on the CPU it runs on, with preemption off: if the vCPU last ran
 * elsewhere, the VMCS is VMCLEARed there first (an IPI) and the TLB entries
 * of its EPT are flushed here. The VMCS that was current before, KVM's when
 * khv shares VMX with KVM, is made current again before interrupts are back
 * on (Documentation/khv-abi.rst, "Isolation on entry and exit"). Exits are
 * handled with the VMCS still current and interrupts off; the handlers do
 * not sleep.
 */
#define pr_fmt(fmt) "khv: " fmt

#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/io.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <asm/cpufeature.h>
#include <asm/desc.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <asm/segment.h>
#include <asm/special_insns.h>

#include "../compat.h"
#include "../gwalk.h"
#include "../arch.h"
#include "../vcpu.h"
#include "../vm.h"
#include "../x86.h"
#include "../xstate.h"
#include "vmcs.h"
#include "vcpu.h"
#include "vmx.h"

const u32 vmx_swap_msrs[VMX_NR_SWAP] = {
	MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK, MSR_KERNEL_GS_BASE,
};

/* The VMCSs active on each CPU (interrupts off while changing it). */
static DEFINE_PER_CPU(struct list_head, vmx_loaded_vmcss);

void vmx_percpu_init(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		INIT_LIST_HEAD(&per_cpu(vmx_loaded_vmcss, cpu));
}

static int vmx_vmclear(u64 pa)
{
	asm goto("1: vmclear %[pa]\n\t"
		 "jbe %l[fail]\n\t"
		 _ASM_EXTABLE(1b, %l[fail])
		 : : [pa] "m" (pa) : "cc", "memory" : fail);
	return 0;
fail:
	return -EIO;
}

static int vmx_vmptrld(u64 pa)
{
	asm goto("1: vmptrld %[pa]\n\t"
		 "jbe %l[fail]\n\t"
		 _ASM_EXTABLE(1b, %l[fail])
		 : : [pa] "m" (pa) : "cc", "memory" : fail);
	return 0;
fail:
	return -EIO;
}

static u64 vmx_vmptrst(void)
{
	u64 pa = ~0ULL;

	asm volatile("1: vmptrst %[pa]\n\t"
		     "2:\n\t"
		     _ASM_EXTABLE(1b, 2b)
		     : [pa] "=m" (pa) : : "cc", "memory");
	return pa;
}

/* INVEPT single-context where the CPU has it, else all contexts (SDM 31.3). */
void vmx_invept(u64 eptp)
{
	struct { u64 eptp, zero; } desc = { eptp, 0 };
	u64 type = vmx_caps.invept_single ? 1 : 2;

	asm volatile("1: invept %[desc], %[type]\n\t"
		     "2:\n\t"
		     _ASM_EXTABLE(1b, 2b)
		     : : [desc] "m" (desc), [type] "r" (type) : "cc", "memory");
}

/* Make the VMCS clear on this CPU; interrupts off. */
static void vmx_clear_here(struct vmx_vcpu *vmx)
{
	if (vmx->cpu != smp_processor_id())
		return;
	vmx_vmclear(vmx->vmcs_pa);
	list_del(&vmx->loaded);
	vmx->launched = false;
	/* Seen by the next load on another CPU only after the list change. */
	smp_wmb();
	WRITE_ONCE(vmx->cpu, -1);
}

static void vmx_clear_ipi(void *data)
{
	vmx_clear_here(data);
}

/* VMCLEAR wherever the VMCS is active. Not with interrupts off. */
static void vmx_clear(struct vmx_vcpu *vmx)
{
	int cpu = READ_ONCE(vmx->cpu);

	if (cpu >= 0)
		smp_call_function_single(cpu, vmx_clear_ipi, vmx, 1);
}

/**
 * vmx_clear_cpu() - VMCLEAR every khv VMCS active on this CPU: before VMXOFF,
 *	offline, suspend or reboot, whoever owns VMX. Interrupts off.
 *
 * If VMX is off already (someone switched it off without asking khv), no
 * VMX instruction may run: the VMCSs are only taken off the list, and
 * their next vmx_load() VMCLEARs them before use.
 */
void vmx_clear_cpu(void)
{
	struct list_head *head = this_cpu_ptr(&vmx_loaded_vmcss);
	struct vmx_vcpu *vmx, *tmp;
	bool on = native_read_cr4() & X86_CR4_VMXE;

	if (!on && !list_empty(head))
		pr_warn_once("VMX was switched off under khv's VMCSs on CPU %d\n",
			     smp_processor_id());
	list_for_each_entry_safe(vmx, tmp, head, loaded) {
		if (on) {
			vmx_clear_here(vmx);
			continue;
		}
		list_del(&vmx->loaded);
		vmx->launched = false;
		/* As in vmx_clear_here(): the list change before the CPU. */
		smp_wmb();
		WRITE_ONCE(vmx->cpu, -1);
	}
}

/* The base of this CPU's TSS, from its descriptor in the GDT (SDM 8.2.3). */
static u64 vmx_host_tr_base(u64 gdt_base)
{
	u16 tr;
	const u8 *d;

	asm volatile("str %0" : "=r" (tr));
	d = (const u8 *)gdt_base + (tr & ~7);
	return d[2] | (u64)d[3] << 8 | (u64)d[4] << 16 | (u64)d[7] << 24 |
	       (u64)*(const u32 *)(d + 8) << 32;
}

/* Host state that is per CPU: written when the VMCS comes to this CPU. */
static void vmx_set_host_cpu_state(void)
{
	struct desc_ptr gdt, idt;
	u64 v;

	native_store_gdt(&gdt);
	store_idt(&idt);
	vmcs_write(VMCS_HOST_GDTR_BASE, gdt.address);
	vmcs_write(VMCS_HOST_IDTR_BASE, idt.address);
	vmcs_write(VMCS_HOST_TR_BASE, vmx_host_tr_base(gdt.address));
	khv_rdmsr(MSR_GS_BASE, v);
	vmcs_write(VMCS_HOST_GS_BASE, v);
	khv_rdmsr(MSR_IA32_SYSENTER_ESP, v);
	vmcs_write(VMCS_HOST_SYSENTER_ESP, v);
	khv_rdmsr(MSR_IA32_SYSENTER_EIP, v);
	vmcs_write(VMCS_HOST_SYSENTER_EIP, v);
	khv_rdmsr(MSR_IA32_SYSENTER_CS, v);
	vmcs_write(VMCS_HOST_SYSENTER_CS, v);
	vmcs_write(VMCS_HOST_CR0, native_read_cr0());
	khv_rdmsr(MSR_IA32_CR_PAT, v);
	vmcs_write(VMCS_HOST_PAT, v);
	khv_rdmsr(MSR_EFER, v);
	vmcs_write(VMCS_HOST_EFER, v);
}

/**
 * vmx_load() - make the vCPU's VMCS current on this CPU. Preemption off.
 * @vmx:   the vCPU.
 * @flags: out: the interrupt state to give vmx_put().
 *
 * Returns with interrupts off, until vmx_put(): the VMCS that was current
 * before (KVM's, when khv shares VMX with it) is put back before any
 * interrupt can run. KVM VMCLEARs its VMCSs from IPIs (a vCPU moving to
 * another CPU, a VM going away) and then thinks them clear, or frees them;
 * khv must not make such a VMCS current again (Documentation/khv-abi.rst,
 * "Isolation").
 *
 * Return: the VMCS that was current (~0 for none), for vmx_put(); or 0 if
 * the VMCS could not be loaded (interrupts are back on then).
 */
u64 vmx_load(struct vmx_vcpu *vmx, unsigned long *flags)
{
	int cpu = smp_processor_id();
	bool moved = READ_ONCE(vmx->cpu) != cpu;
	u64 prev;

	if (moved) {
		/* An IPI: with interrupts on. */
		vmx_clear(vmx);
		/* After the list change of the CPU it was active on. */
		smp_rmb();
	}
	local_irq_save(*flags);
	/*
	 * Clear in memory too, as VMLAUNCH wants it, should VMX have gone off
	 * under it (vmx_clear_cpu()); a VMCS active nowhere may be cleared.
	 */
	if (moved && vmx_vmclear(vmx->vmcs_pa)) {
		local_irq_restore(*flags);
		return 0;
	}
	prev = vmx_vmptrst();
	if (prev != vmx->vmcs_pa && vmx_vmptrld(vmx->vmcs_pa)) {
		local_irq_restore(*flags);
		return 0;
	}
	if (moved) {
		list_add(&vmx->loaded, this_cpu_ptr(&vmx_loaded_vmcss));
		WRITE_ONCE(vmx->cpu, cpu);
		vmx_set_host_cpu_state();
		/* Translations cached here may predate changes made elsewhere. */
		vmx_invept(khv_ept_pointer(&vmx->vcpu.vm->npt, false));
	}
	return prev;
}

/* Make @prev current again, then interrupts may run. */
void vmx_put(struct vmx_vcpu *vmx, u64 prev, unsigned long flags)
{
	if (prev != ~0ULL && prev != vmx->vmcs_pa)
		vmx_vmptrld(prev);
	local_irq_restore(flags);
}

/* Segment access rights as the VMCS holds them, from and to the ABI. */
void vmx_seg_get(enum vmx_seg seg, struct khv_segment *k)
{
	u32 ar = vmcs_read(VMCS_GUEST_ES_AR + 2 * seg);

	memset(k, 0, sizeof(*k));
	k->base = vmcs_read(VMCS_GUEST_ES_BASE + 2 * seg);
	k->limit = vmcs_read(VMCS_GUEST_ES_LIMIT + 2 * seg);
	k->selector = vmcs_read(VMCS_GUEST_ES_SEL + 2 * seg);
	k->type = VMX_AR_TYPE(ar);
	k->s = !!(ar & VMX_AR_S);
	k->dpl = (ar >> VMX_AR_DPL_SHIFT) & 3;
	k->present = !!(ar & VMX_AR_P);
	k->avl = !!(ar & VMX_AR_AVL);
	k->l = !!(ar & VMX_AR_L);
	k->db = !!(ar & VMX_AR_DB);
	k->g = !!(ar & VMX_AR_G);
	k->unusable = !!(ar & VMX_AR_UNUSABLE);
}

static u32 vmx_seg_ar(const struct khv_segment *k)
{
	if (k->unusable)
		return VMX_AR_UNUSABLE;
	return k->type | (k->s ? VMX_AR_S : 0) | k->dpl << VMX_AR_DPL_SHIFT |
	       (k->present ? VMX_AR_P : 0) | (k->avl ? VMX_AR_AVL : 0) |
	       (k->l ? VMX_AR_L : 0) | (k->db ? VMX_AR_DB : 0) | (k->g ? VMX_AR_G : 0);
}

static void vmx_seg_put(enum vmx_seg seg, const struct khv_segment *k)
{
	vmcs_write(VMCS_GUEST_ES_SEL + 2 * seg, k->selector);
	vmcs_write(VMCS_GUEST_ES_BASE + 2 * seg, k->base);
	vmcs_write(VMCS_GUEST_ES_LIMIT + 2 * seg, k->limit);
	vmcs_write(VMCS_GUEST_ES_AR + 2 * seg, vmx_seg_ar(k));
}

static void vmx_seg_set(enum vmx_seg seg, u16 sel, u64 base, u32 limit, u32 ar)
{
	vmcs_write(VMCS_GUEST_ES_SEL + 2 * seg, sel);
	vmcs_write(VMCS_GUEST_ES_BASE + 2 * seg, base);
	vmcs_write(VMCS_GUEST_ES_LIMIT + 2 * seg, limit);
	vmcs_write(VMCS_GUEST_ES_AR + 2 * seg, ar);
}

/* The CR0/CR4 the guest sees: its own bits, and the shadows of khv's. */
u64 vmx_guest_cr0(struct vmx_vcpu *vmx)
{
	return (vmcs_read(VMCS_GUEST_CR0) & ~VMX_CR0_OWNED) |
	       (vmx->cr0 & VMX_CR0_OWNED);
}

u64 vmx_guest_cr4(struct vmx_vcpu *vmx)
{
	return (vmcs_read(VMCS_GUEST_CR4) & ~VMX_CR4_OWNED) |
	       (vmx->cr4 & VMX_CR4_OWNED);
}

/* The bits CR0/CR4 must have in VMX operation (SDM A.7/A.8, with UG). */
static u64 vmx_real_cr0(u64 cr0)
{
	return cr0 | (vmx_caps.cr0_fixed0 & ~(X86_CR0_PE | X86_CR0_PG));
}

static u64 vmx_real_cr4(u64 cr4)
{
	return (cr4 & ~(VMX_CR4_OWNED & ~VMX_CR4_GUEST)) | vmx_caps.cr4_fixed0;
}

/* The CR4 bits a guest may not set (VMX_CR4_OWNED). */
u64 vmx_cr4_denied(void)
{
	return (X86_CR4_VMXE | X86_CR4_CET | VMX_CR4_GUEST) &
	       ~khv_xstate_cr4_allowed();
}

void vmx_set_cr0(struct vmx_vcpu *vmx, u64 cr0)
{
	vmx->cr0 = cr0;
	vmcs_write(VMCS_CR0_SHADOW, cr0 & VMX_CR0_OWNED);
	vmcs_write(VMCS_GUEST_CR0, vmx_real_cr0(cr0));
}

void vmx_set_cr4(struct vmx_vcpu *vmx, u64 cr4)
{
	vmx->cr4 = cr4;
	vmcs_write(VMCS_CR4_SHADOW, cr4 & VMX_CR4_OWNED);
	vmcs_write(VMCS_GUEST_CR4, vmx_real_cr4(cr4));
}

/* EFER and the IA-32e mode entry control, which must agree (SDM 26.3.1.1). */
void vmx_set_efer(struct vmx_vcpu *vmx, u64 efer)
{
	if (efer & EFER_LMA)
		vmx->entry_ctls |= ENTRY_IA32E;
	else
		vmx->entry_ctls &= ~ENTRY_IA32E;
	vmcs_write(VMCS_ENTRY_CONTROLS, vmx->entry_ctls);
	vmcs_write(VMCS_GUEST_EFER, efer);
}

/*
 * PAE paging outside long mode: VM entry takes the four PDPTEs from the
 * VMCS (SDM 26.3.2.4), so khv loads them when it sets CR0/CR3/CR4 itself.
 * Not guest RAM: 0, and the guest faults on its first access.
 */
void vmx_load_pdptes(struct vmx_vcpu *vmx, u64 cr0, u64 cr3, u64 cr4,
		     u64 efer)
{
	u64 pdpte[4] = {};
	struct page *page;
	void *p;
	int i;

	if (!(cr0 & X86_CR0_PG) || !(cr4 & X86_CR4_PAE) || (efer & EFER_LMA))
		return;
	page = khv_gpa_to_page(vmx->vcpu.vm, cr3 & GENMASK_ULL(31, 5), false);
	if (page) {
		p = kmap_local_page(page);
		memcpy(pdpte, p + offset_in_page(cr3 & GENMASK_ULL(11, 5)),
		       sizeof(pdpte));
		kunmap_local(p);
	}
	for (i = 0; i < 4; i++)
		vmcs_write(VMCS_GUEST_PDPTE0 + 2 * i, pdpte[i]);
}

/* The reset state of an x86 processor (SDM Vol. 3A 10.1.1), real mode. */
static void vmx_vmcs_init(struct vmx_vcpu *vmx)
{
	struct khv_vm *vm = vmx->vcpu.vm;
	int i;

	vmcs_write(VMCS_PIN_CONTROLS, vmx_ctls.pin);
	if (vmx_ctls.pin & PIN_PREEMPTION_TIMER)
		vmcs_write(VMCS_PREEMPTION_TIMER, vmx_caps.backstop_ticks);
	vmx->proc = vmx_ctls.proc;
	vmcs_write(VMCS_PROC_CONTROLS, vmx->proc);
	vmcs_write(VMCS_PROC2_CONTROLS, vmx_ctls.proc2 |
		   (vmx->vpid ? PROC2_VPID : 0));
	vmcs_write(VMCS_EXIT_CONTROLS, vmx_ctls.exit);
	vmx->entry_ctls = vmx_ctls.entry;
	vmcs_write(VMCS_ENTRY_CONTROLS, vmx->entry_ctls);
	vmcs_write(VMCS_EXCEPTION_BITMAP, VMX_EXCEPTION_BITMAP);
	vmcs_write(VMCS_CR3_TARGET_COUNT, 0);
	vmcs_write(VMCS_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write(VMCS_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write(VMCS_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write(VMCS_ENTRY_INTR_INFO, 0);
	vmcs_write(VMCS_IO_BITMAP_A, vmx_io_bitmap_pa(0));
	vmcs_write(VMCS_IO_BITMAP_B, vmx_io_bitmap_pa(1));
	vmcs_write(VMCS_MSR_BITMAP, vmx_msr_bitmap_pa());
	vmcs_write(VMCS_EPT_POINTER, khv_ept_pointer(&vm->npt, false));
	if (vmx->vpid)
		vmcs_write(VMCS_VPID, vmx->vpid);
	vmcs_write(VMCS_LINK_POINTER, ~0ULL);
	vmcs_write(VMCS_CR0_MASK, VMX_CR0_OWNED);
	vmcs_write(VMCS_CR4_MASK, VMX_CR4_OWNED);

	vmcs_write(VMCS_HOST_CS_SEL, __KERNEL_CS);
	vmcs_write(VMCS_HOST_SS_SEL, __KERNEL_DS);
	vmcs_write(VMCS_HOST_DS_SEL, 0);
	vmcs_write(VMCS_HOST_ES_SEL, 0);
	vmcs_write(VMCS_HOST_FS_SEL, 0);
	vmcs_write(VMCS_HOST_GS_SEL, 0);
	vmcs_write(VMCS_HOST_TR_SEL, GDT_ENTRY_TSS * 8);
	vmcs_write(VMCS_HOST_RIP, (unsigned long)khv_vmx_vmexit);

	vmx_seg_set(VMX_CS, 0xf000, 0xffff0000, 0xffff, VMX_AR_P | VMX_AR_S | 0xb);
	for (i = VMX_ES; i <= VMX_GS; i++)
		if (i != VMX_CS)
			vmx_seg_set(i, 0, 0, 0xffff, VMX_AR_P | VMX_AR_S | 0x3);
	vmx_seg_set(VMX_LDTR, 0, 0, 0xffff, VMX_AR_P | 0x2);
	vmx_seg_set(VMX_TR, 0, 0, 0xffff, VMX_AR_P | 0xb);
	vmcs_write(VMCS_GUEST_GDTR_BASE, 0);
	vmcs_write(VMCS_GUEST_GDTR_LIMIT, 0xffff);
	vmcs_write(VMCS_GUEST_IDTR_BASE, 0);
	vmcs_write(VMCS_GUEST_IDTR_LIMIT, 0xffff);
	vmx_set_cr0(vmx, X86_CR0_NW | X86_CR0_CD | X86_CR0_ET);
	vmx_set_cr4(vmx, 0);
	vmcs_write(VMCS_GUEST_CR3, 0);
	vmx_set_efer(vmx, 0);
	vmcs_write(VMCS_GUEST_PAT, 0x0007040600070406ULL);
	vmcs_write(VMCS_GUEST_DR7, KHV_DR7_RESET);
	vmcs_write(VMCS_GUEST_DEBUGCTL, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_CS, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_ESP, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_EIP, 0);
	vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmcs_write(VMCS_GUEST_ACTIVITY, 0);
	vmcs_write(VMCS_GUEST_PENDING_DBG, 0);
}

/* khv_arch_ops.vcpu_create: the core allocated struct vmx_vcpu, zeroed. */
int vmx_vcpu_create(struct khv_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	unsigned long flags;
	struct page *page;
	u64 prev;
	int r;

	vmx->cpu = -1;
	INIT_LIST_HEAD(&vmx->loaded);
	page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!page)
		return -ENOMEM;
	vmx->vmcs = page_address(page);
	vmx->vmcs_pa = page_to_phys(page);
	/* SDM 25.2: the region starts with the VMCS revision identifier. */
	*(u32 *)vmx->vmcs = vmx_caps.vmcs_revision;
	r = vmx_vpid_alloc();
	if (r < 0)
		goto err_page;
	vmx->vpid = r;

	preempt_disable();
	/* VMCLEAR initialises a new VMCS (SDM 25.11.3) before it is loaded. */
	r = vmx_vmclear(vmx->vmcs_pa);
	prev = r ? 0 : vmx_load(vmx, &flags);
	if (prev) {
		vmx_vmcs_init(vmx);
		vmx_put(vmx, prev, flags);
	}
	preempt_enable();
	if (!prev) {
		r = -EIO;
		goto err_vpid;
	}
	return 0;

err_vpid:
	vmx_vpid_free(vmx->vpid);
err_page:
	free_page((unsigned long)vmx->vmcs);
	return r;
}

void vmx_vcpu_free(struct khv_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx_clear(vmx);
	vmx_vpid_free(vmx->vpid);
	free_page((unsigned long)vmx->vmcs);
}

static const struct {
	enum vmx_seg seg;
	size_t off;
} vmx_sregs_segs[] = {
	{ VMX_CS, offsetof(struct khv_sregs, cs) },
	{ VMX_DS, offsetof(struct khv_sregs, ds) },
	{ VMX_ES, offsetof(struct khv_sregs, es) },
	{ VMX_FS, offsetof(struct khv_sregs, fs) },
	{ VMX_GS, offsetof(struct khv_sregs, gs) },
	{ VMX_SS, offsetof(struct khv_sregs, ss) },
	{ VMX_TR, offsetof(struct khv_sregs, tr) },
	{ VMX_LDTR, offsetof(struct khv_sregs, ldt) },
};

static struct khv_segment *vmx_sregs_seg(const struct khv_sregs *s,
					 unsigned int i)
{
	return (struct khv_segment *)((u8 *)s + vmx_sregs_segs[i].off);
}

void vmx_get_sregs(struct khv_vcpu *vcpu, struct khv_sregs *sregs)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	unsigned long flags;
	unsigned int i;
	u64 prev;

	memset(sregs, 0, sizeof(*sregs));
	preempt_disable();
	prev = vmx_load(vmx, &flags);
	if (prev) {
		for (i = 0; i < ARRAY_SIZE(vmx_sregs_segs); i++)
			vmx_seg_get(vmx_sregs_segs[i].seg, vmx_sregs_seg(sregs, i));
		sregs->gdt.base = vmcs_read(VMCS_GUEST_GDTR_BASE);
		sregs->gdt.limit = vmcs_read(VMCS_GUEST_GDTR_LIMIT);
		sregs->idt.base = vmcs_read(VMCS_GUEST_IDTR_BASE);
		sregs->idt.limit = vmcs_read(VMCS_GUEST_IDTR_LIMIT);
		sregs->cr0 = vmx_guest_cr0(vmx);
		sregs->cr3 = vmcs_read(VMCS_GUEST_CR3);
		sregs->cr4 = vmx_guest_cr4(vmx);
		sregs->efer = vmcs_read(VMCS_GUEST_EFER);
		vmx_put(vmx, prev, flags);
	}
	preempt_enable();
	sregs->cr2 = vmx->cr2;
	sregs->cr8 = vmx->cr8;
	sregs->apic_base = APIC_DEFAULT_PHYS_BASE | MSR_IA32_APICBASE_ENABLE |
			   (vcpu->id ? 0 : MSR_IA32_APICBASE_BSP);
}

int vmx_set_sregs(struct khv_vcpu *vcpu, const struct khv_sregs *sregs)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	unsigned long flags;
	unsigned int i;
	u64 prev, efer;
	bool lma;

	if (khv_sregs_check(sregs, &lma) || (sregs->cr4 & vmx_cr4_denied()))
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(vmx_sregs_segs); i++)
		if (!khv_segment_valid(vmx_sregs_seg(sregs, i)))
			return -EINVAL;
	efer = (sregs->efer & ~EFER_LMA) | (lma ? EFER_LMA : 0);

	/* All checked: apply. */
	preempt_disable();
	prev = vmx_load(vmx, &flags);
	if (prev) {
		for (i = 0; i < ARRAY_SIZE(vmx_sregs_segs); i++)
			vmx_seg_put(vmx_sregs_segs[i].seg, vmx_sregs_seg(sregs, i));
		vmcs_write(VMCS_GUEST_GDTR_BASE, sregs->gdt.base);
		vmcs_write(VMCS_GUEST_GDTR_LIMIT, sregs->gdt.limit);
		vmcs_write(VMCS_GUEST_IDTR_BASE, sregs->idt.base);
		vmcs_write(VMCS_GUEST_IDTR_LIMIT, sregs->idt.limit);
		vmx_set_cr0(vmx, sregs->cr0);
		vmcs_write(VMCS_GUEST_CR3, sregs->cr3);
		vmx_set_cr4(vmx, sregs->cr4);
		vmx_set_efer(vmx, efer);
		vmx_load_pdptes(vmx, sregs->cr0, sregs->cr3, sregs->cr4, efer);
		vmx_put(vmx, prev, flags);
	}
	preempt_enable();
	if (!prev)
		return -EIO;
	vmx->cr2 = sregs->cr2;
	vmx->cr8 = sregs->cr8;
	return 0;
}

/*
 * The MSRs a guest may have, as on SVM: those the VMCS holds, and the
 * syscall MSRs khv swaps itself. Every other MSR is #GP for the guest and
 * -EINVAL for user space. Called with the VMCS current.
 */
static int vmx_msr_field(u32 index, enum vmcs_field *field)
{
	switch (index) {
	case MSR_FS_BASE:
		*field = VMCS_GUEST_ES_BASE + 2 * VMX_FS;
		return 0;
	case MSR_GS_BASE:
		*field = VMCS_GUEST_ES_BASE + 2 * VMX_GS;
		return 0;
	case MSR_IA32_SYSENTER_CS:
		*field = VMCS_GUEST_SYSENTER_CS;
		return 0;
	case MSR_IA32_SYSENTER_ESP:
		*field = VMCS_GUEST_SYSENTER_ESP;
		return 0;
	case MSR_IA32_SYSENTER_EIP:
		*field = VMCS_GUEST_SYSENTER_EIP;
		return 0;
	case MSR_IA32_CR_PAT:
		*field = VMCS_GUEST_PAT;
		return 0;
	case MSR_EFER:
		*field = VMCS_GUEST_EFER;
		return 0;
	default:
		return -EINVAL;
	}
}

static int vmx_swap_index(u32 index)
{
	int i;

	for (i = 0; i < VMX_NR_SWAP; i++)
		if (vmx_swap_msrs[i] == index)
			return i;
	return -EINVAL;
}

/* The guest has TSC_AUX where it may run RDTSCP (and so RDPID, SDM 26.3). */
bool vmx_has_tsc_aux(void)
{
	return vmx_ctls.proc2 & PROC2_RDTSCP;
}

int __vmx_get_msr(struct vmx_vcpu *vmx, u32 index, u64 *data)
{
	enum vmcs_field field;
	int i = vmx_swap_index(index);

	if (index == MSR_TSC_AUX && vmx_has_tsc_aux()) {
		*data = vmx->tsc_aux;
		return 0;
	}
	if (i >= 0) {
		*data = vmx->swap[i];
		return 0;
	}
	if (vmx_msr_field(index, &field))
		return -EINVAL;
	*data = vmcs_read(field);
	return 0;
}

int __vmx_set_msr(struct vmx_vcpu *vmx, u32 index, u64 data, bool apply)
{
	enum vmcs_field field;
	u64 cr0, efer;
	bool lma;
	int i;

	if (index == MSR_EFER) {
		if (data & ~KHV_EFER_KNOWN)
			return -EINVAL;
		cr0 = vmx_guest_cr0(vmx);
		efer = vmcs_read(VMCS_GUEST_EFER);
		/* SDM Vol. 3A 10.8.5: LME may not change while paging is on. */
		if ((cr0 & X86_CR0_PG) && ((data ^ efer) & EFER_LME))
			return -EINVAL;
		lma = (data & EFER_LME) && (cr0 & X86_CR0_PG);
		if (apply)
			vmx_set_efer(vmx, (data & ~EFER_LMA) | (lma ? EFER_LMA : 0));
		return 0;
	}
	if (!khv_msr_value_valid(index, data))
		return -EINVAL;
	if (index == MSR_TSC_AUX && vmx_has_tsc_aux()) {
		if (apply)
			vmx->tsc_aux = data;
		return 0;
	}
	i = vmx_swap_index(index);
	if (i >= 0) {
		if (!apply)
			return 0;
		/* In the entry loop the guest's value is in the MSR too. */
		if (vmx->swap_live && khv_wrmsr_safe(index, data))
			return -EINVAL;
		vmx->swap[i] = data;
		return 0;
	}
	if (vmx_msr_field(index, &field))
		return -EINVAL;
	if (apply)
		vmcs_write(field, data);
	return 0;
}

/*
 * khv_arch_ops.get_msr and set_msr: from an ioctl, and from the RDMSR and
 * WRMSR handlers, where the VMCS is current already and interrupts are off:
 * vmx_load() then finds it current (VMPTRST) and changes nothing, and
 * vmx_put() leaves interrupts off.
 */
int vmx_get_msr(struct khv_vcpu *vcpu, u32 index, u64 *data)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	unsigned long flags;
	u64 prev;
	int r = -EIO;

	preempt_disable();
	prev = vmx_load(vmx, &flags);
	if (prev) {
		r = __vmx_get_msr(vmx, index, data);
		vmx_put(vmx, prev, flags);
	}
	preempt_enable();
	return r;
}

int vmx_set_msr(struct khv_vcpu *vcpu, u32 index, u64 data, bool apply)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	unsigned long flags;
	u64 prev;
	int r = -EIO;

	preempt_disable();
	prev = vmx_load(vmx, &flags);
	if (prev) {
		r = __vmx_set_msr(vmx, index, data, apply);
		vmx_put(vmx, prev, flags);
	}
	preempt_enable();
	return r;
}
