// SPDX-License-Identifier: GPL-2.0-only
/*
 * Intel VMX vCPU: the VMCS of each vCPU, where it is loaded, guest entry and
 * the exit handlers.
 *
 * A VMCS is active on at most one CPU (SDM Vol. 3C 25.1). Each run loads it
 * on the CPU it runs on, with preemption off: if the vCPU last ran
 * elsewhere, the VMCS is VMCLEARed there first (an IPI) and the TLB entries
 * of its EPT are flushed here. The VMCS that was current before, KVM's when
 * khv shares VMX with KVM, is made current again before preemption is back
 * on (KERNELS.md 3). Exits are handled with the VMCS still current; the
 * handlers do not sleep.
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
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/fpu/api.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <asm/segment.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>

#include "../compat.h"
#include "../gwalk.h"
#include "../khv.h"
#include "../x86.h"
#include "vmcs.h"
#include "vmx.h"

/* The x86 register numbers (SDM Vol. 2 2.1.5); RSP lives in the VMCS. */
enum { VMX_RAX, VMX_RCX, VMX_RDX, VMX_RBX, VMX_RSP, VMX_RBP, VMX_RSI, VMX_RDI };

/* The guest's syscall MSRs: not in the VMCS, swapped around each entry. */
enum { VMX_STAR, VMX_LSTAR, VMX_CSTAR, VMX_SFMASK, VMX_KGSBASE, VMX_NR_SWAP };

static const u32 vmx_swap_msrs[VMX_NR_SWAP] = {
	MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK, MSR_KERNEL_GS_BASE,
};

/*
 * CR0.NE and CR4.VMXE must be 1 in VMX operation (SDM A.7, A.8); the guest
 * reads its own values from the shadows. CR4 bits the guest may not set are
 * owned by khv too: VMX (not offered), PKE (PKRU would reach host
 * user-memory accesses), OSXSAVE (XCR0 is not switched).
 */
#define VMX_CR0_OWNED	X86_CR0_NE
#define VMX_CR4_OWNED	(X86_CR4_VMXE | X86_CR4_PKE | X86_CR4_OSXSAVE)
#define VMX_CR4_DENIED	(X86_CR4_VMXE | X86_CR4_PKE | X86_CR4_OSXSAVE)

/**
 * struct vmx_vcpu - a vCPU on Intel VMX.
 * @vcpu:	the vendor-neutral part.
 * @gprs:	guest registers by x86 number; [VMX_RSP] unused (the VMCS's).
 * @rip:	cached from the VMCS after each exit, like @rsp and @rflags;
 *		written back before the next entry when @regs_dirty.
 * @rsp:	the guest's RSP.
 * @rflags:	the guest's RFLAGS.
 * @regs_dirty:	@rip, @rsp or @rflags changed since the exit.
 * @vmcs:	the VMCS (one page).
 * @vmcs_pa:	its physical address.
 * @cpu:	the CPU the VMCS is active on, or -1 (clear).
 * @loaded:	on that CPU's list of active VMCSs.
 * @launched:	VMRESUME, not VMLAUNCH, enters it.
 * @vpid:	its VPID, 0 without VPID.
 * @cr0:	the value the guest sees for the bits khv owns (the shadow).
 * @cr4:	the same for CR4.
 * @cr2:	the guest's CR2, which VMX does not switch: loaded before entry.
 * @cr8:	the guest's task priority (CR8 exits always).
 * @entry_ctls:	VM-entry controls; IA-32e mode follows EFER.LMA.
 * @swap:	the guest's values of vmx_swap_msrs[].
 * @inject:	an event for the next entry (VM-entry interruption info) and
 * @inject_err:	its error code.
 * @host_cr3:	the host CR3 last written to the VMCS.
 * @host_cr4:	the host CR4 last written to the VMCS.
 * @fpu:	the guest's x87/SSE state (FXSAVE format).
 */
struct vmx_vcpu {
	struct khv_vcpu vcpu;
	u64 gprs[16];
	u64 rip;
	u64 rsp;
	u64 rflags;
	bool regs_dirty;
	void *vmcs;
	u64 vmcs_pa;
	int cpu;
	struct list_head loaded;
	bool launched;
	u16 vpid;
	u64 cr0;
	u64 cr4;
	u64 cr2;
	u64 cr8;
	u32 entry_ctls;
	u64 swap[VMX_NR_SWAP];
	u32 inject;
	u32 inject_err;
	u64 host_cr3;
	u64 host_cr4;
	u8 fpu[512] __aligned(16);
};

/* Exit information read while the VMCS is current. */
struct vmx_exit {
	u32 reason;
	u64 qual;
	u32 insn_len;
	u32 intr_info;
};

/* The VMCSs active on each CPU (interrupts off while changing it). */
static DEFINE_PER_CPU(struct list_head, vmx_loaded_vmcss);
/* Host values that are the same for every entry on a CPU. */
static DEFINE_PER_CPU(u64[VMX_NR_SWAP], vmx_host_swap);
/* A data selector for VERW (the kernel's is not exported everywhere). */
static const u16 vmx_verw_sel = __KERNEL_DS;

#define RUN_LAUNCHED	BIT(0)
#define RUN_VERW	BIT(1)

static_assert(VMX_RDI == 7 && VMX_RBP == 5);

static struct vmx_vcpu *to_vmx(struct khv_vcpu *vcpu)
{
	return container_of(vcpu, struct vmx_vcpu, vcpu);
}

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
static void vmx_invept(u64 eptp)
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
 */
void vmx_clear_cpu(void)
{
	struct list_head *head = this_cpu_ptr(&vmx_loaded_vmcss);
	struct vmx_vcpu *vmx, *tmp;

	list_for_each_entry_safe(vmx, tmp, head, loaded)
		vmx_clear_here(vmx);
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
	int i;

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
	for (i = 0; i < VMX_NR_SWAP - 1; i++)
		khv_rdmsr(vmx_swap_msrs[i], this_cpu_ptr(&vmx_host_swap)[0][i]);
}

/**
 * vmx_load() - make the vCPU's VMCS current on this CPU. Preemption off.
 * @vmx: the vCPU.
 *
 * Return: the VMCS that was current (~0 for none), for vmx_put(); or 0 if
 * the VMCS could not be loaded.
 */
static u64 vmx_load(struct vmx_vcpu *vmx)
{
	int cpu = smp_processor_id();
	bool moved = READ_ONCE(vmx->cpu) != cpu;
	unsigned long flags;
	u64 prev;

	if (moved) {
		vmx_clear(vmx);
		/* After the list change of the CPU it was active on. */
		smp_rmb();
	}
	prev = vmx_vmptrst();
	if (prev != vmx->vmcs_pa && vmx_vmptrld(vmx->vmcs_pa))
		return 0;
	if (moved) {
		local_irq_save(flags);
		list_add(&vmx->loaded, this_cpu_ptr(&vmx_loaded_vmcss));
		WRITE_ONCE(vmx->cpu, cpu);
		local_irq_restore(flags);
		vmx_set_host_cpu_state();
		/* Translations cached here may predate changes made elsewhere. */
		vmx_invept(khv_ept_pointer(&vmx->vcpu.vm->npt, false));
	}
	return prev;
}

/* Make @prev current again: KVM's VMCS when khv shares VMX with it. */
static void vmx_put(struct vmx_vcpu *vmx, u64 prev)
{
	if (prev != ~0ULL && prev != vmx->vmcs_pa)
		vmx_vmptrld(prev);
}

/* Segment access rights as the VMCS holds them, from and to the ABI. */
static void vmx_seg_get(enum vmx_seg seg, struct khv_segment *k)
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
static u64 vmx_guest_cr0(struct vmx_vcpu *vmx)
{
	return (vmcs_read(VMCS_GUEST_CR0) & ~VMX_CR0_OWNED) |
	       (vmx->cr0 & VMX_CR0_OWNED);
}

static u64 vmx_guest_cr4(struct vmx_vcpu *vmx)
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
	return (cr4 & ~VMX_CR4_OWNED) | vmx_caps.cr4_fixed0;
}

static void vmx_set_cr0(struct vmx_vcpu *vmx, u64 cr0)
{
	vmx->cr0 = cr0;
	vmcs_write(VMCS_CR0_SHADOW, cr0 & VMX_CR0_OWNED);
	vmcs_write(VMCS_GUEST_CR0, vmx_real_cr0(cr0));
}

static void vmx_set_cr4(struct vmx_vcpu *vmx, u64 cr4)
{
	vmx->cr4 = cr4;
	vmcs_write(VMCS_CR4_SHADOW, cr4 & VMX_CR4_OWNED);
	vmcs_write(VMCS_GUEST_CR4, vmx_real_cr4(cr4));
}

/* EFER and the IA-32e mode entry control, which must agree (SDM 26.3.1.1). */
static void vmx_set_efer(struct vmx_vcpu *vmx, u64 efer)
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
static void vmx_load_pdptes(struct vmx_vcpu *vmx, u64 cr0, u64 cr3, u64 cr4,
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
	vmcs_write(VMCS_PROC_CONTROLS, vmx_ctls.proc);
	vmcs_write(VMCS_PROC2_CONTROLS, vmx_ctls.proc2 |
		   (vmx->vpid ? PROC2_VPID : 0));
	vmcs_write(VMCS_EXIT_CONTROLS, vmx_ctls.exit);
	vmx->entry_ctls = vmx_ctls.entry;
	vmcs_write(VMCS_ENTRY_CONTROLS, vmx->entry_ctls);
	vmcs_write(VMCS_EXCEPTION_BITMAP, 0);
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
	vmx->rip = 0xfff0;
	vmx->rsp = 0;
	vmx->rflags = X86_EFLAGS_FIXED;
	vmx->regs_dirty = true;
}

/* The x87/SSE state after RESET (SDM Vol. 1 Table 10-2): FCW and MXCSR. */
static void vmx_fpu_init(struct vmx_vcpu *vmx)
{
	u16 fcw = 0x37f;
	u32 mxcsr = 0x1f80;

	memcpy(&vmx->fpu[0], &fcw, sizeof(fcw));
	memcpy(&vmx->fpu[24], &mxcsr, sizeof(mxcsr));
}

struct khv_vcpu *vmx_vcpu_create(struct khv_vm *vm, u32 id)
{
	struct vmx_vcpu *vmx;
	struct page *page;
	u64 prev;
	int r;

	vmx = kzalloc(sizeof(*vmx), GFP_KERNEL_ACCOUNT);
	if (!vmx)
		return ERR_PTR(-ENOMEM);
	vmx->cpu = -1;
	INIT_LIST_HEAD(&vmx->loaded);
	r = khv_vcpu_init(&vmx->vcpu, vm, id);
	if (r)
		goto err_free;
	page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!page) {
		r = -ENOMEM;
		goto err_uninit;
	}
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
	prev = r ? 0 : vmx_load(vmx);
	if (prev) {
		vmx_vmcs_init(vmx);
		vmx_put(vmx, prev);
	}
	preempt_enable();
	if (!prev) {
		r = -EIO;
		goto err_vpid;
	}
	vmx_fpu_init(vmx);
	return &vmx->vcpu;

err_vpid:
	vmx_vpid_free(vmx->vpid);
err_page:
	free_page((unsigned long)vmx->vmcs);
err_uninit:
	khv_vcpu_uninit(&vmx->vcpu);
err_free:
	kfree(vmx);
	return ERR_PTR(r);
}

void vmx_vcpu_free(struct khv_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx_clear(vmx);
	vmx_vpid_free(vmx->vpid);
	free_page((unsigned long)vmx->vmcs);
	khv_vcpu_uninit(vcpu);
	kfree(vmx);
}

/* The general registers: the array and the cached RIP/RSP/RFLAGS. */
static const u8 vmx_regs_order[] = {
	VMX_RAX, VMX_RBX, VMX_RCX, VMX_RDX, VMX_RSI, VMX_RDI, VMX_RSP, VMX_RBP,
	8, 9, 10, 11, 12, 13, 14, 15,
};

/* struct khv_regs holds rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp, r8-r15. */
static_assert(offsetof(struct khv_regs, rbx) == 8 &&
	      offsetof(struct khv_regs, r15) == 15 * 8 &&
	      offsetof(struct khv_regs, rip) == 16 * 8 &&
	      offsetof(struct khv_regs, rflags) == 17 * 8);

void vmx_get_regs(struct khv_vcpu *vcpu, struct khv_regs *regs)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u64 *out = (u64 *)regs;
	unsigned int i;

	memset(regs, 0, sizeof(*regs));
	for (i = 0; i < ARRAY_SIZE(vmx_regs_order); i++)
		out[i] = vmx->gprs[vmx_regs_order[i]];
	regs->rsp = vmx->rsp;
	regs->rip = vmx->rip;
	regs->rflags = vmx->rflags;
}

int vmx_set_regs(struct khv_vcpu *vcpu, const struct khv_regs *regs)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	const u64 *in = (const u64 *)regs;
	unsigned int i;

	if (!khv_rflags_valid(regs->rflags))
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(vmx_regs_order); i++)
		vmx->gprs[vmx_regs_order[i]] = in[i];
	vmx->gprs[VMX_RSP] = 0;
	vmx->rsp = regs->rsp;
	vmx->rip = regs->rip;
	vmx->rflags = regs->rflags;
	vmx->regs_dirty = true;
	return 0;
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
	unsigned int i;
	u64 prev;

	memset(sregs, 0, sizeof(*sregs));
	preempt_disable();
	prev = vmx_load(vmx);
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
		vmx_put(vmx, prev);
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
	unsigned int i;
	u64 prev, efer;
	bool lma;

	if (khv_sregs_check(sregs, &lma) || (sregs->cr4 & VMX_CR4_DENIED))
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(vmx_sregs_segs); i++)
		if (!khv_segment_valid(vmx_sregs_seg(sregs, i)))
			return -EINVAL;
	efer = (sregs->efer & ~EFER_LMA) | (lma ? EFER_LMA : 0);

	/* All checked: apply. */
	preempt_disable();
	prev = vmx_load(vmx);
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
		vmx_put(vmx, prev);
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

static int __vmx_get_msr(struct vmx_vcpu *vmx, u32 index, u64 *data)
{
	enum vmcs_field field;
	int i = vmx_swap_index(index);

	if (i >= 0) {
		*data = vmx->swap[i];
		return 0;
	}
	if (vmx_msr_field(index, &field))
		return -EINVAL;
	*data = vmcs_read(field);
	return 0;
}

static int __vmx_set_msr(struct vmx_vcpu *vmx, u32 index, u64 data, bool apply)
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
	i = vmx_swap_index(index);
	if (i >= 0) {
		if (apply)
			vmx->swap[i] = data;
		return 0;
	}
	if (vmx_msr_field(index, &field))
		return -EINVAL;
	if (apply)
		vmcs_write(field, data);
	return 0;
}

int vmx_get_msr(struct khv_vcpu *vcpu, u32 index, u64 *data)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u64 prev;
	int r = -EIO;

	preempt_disable();
	prev = vmx_load(vmx);
	if (prev) {
		r = __vmx_get_msr(vmx, index, data);
		vmx_put(vmx, prev);
	}
	preempt_enable();
	return r;
}

int vmx_set_msr(struct khv_vcpu *vcpu, u32 index, u64 data, bool apply)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u64 prev;
	int r = -EIO;

	preempt_disable();
	prev = vmx_load(vmx);
	if (prev) {
		r = __vmx_set_msr(vmx, index, data, apply);
		vmx_put(vmx, prev);
	}
	preempt_enable();
	return r;
}

/* ---- exits: the VMCS is current, preemption is off --------------------- */

/* Queue a hardware exception for the next entry (SDM 26.6.1). */
static int vmx_inject_exception(struct vmx_vcpu *vmx, u8 vector, bool has_err,
				u32 err)
{
	khv_stat_count(&vmx->vcpu, KHV_STAT_EXCEPTION);
	vmx->inject = INTR_INFO_VALID | INTR_TYPE_HW_EXCEPTION << 8 | vector |
		      (has_err ? INTR_INFO_HAS_ERROR : 0);
	vmx->inject_err = err;
	return 1;
}

static int vmx_inject_gp(struct vmx_vcpu *vmx)
{
	return vmx_inject_exception(vmx, 13, true, 0);
}

static int vmx_inject_ud(struct vmx_vcpu *vmx)
{
	return vmx_inject_exception(vmx, 6, false, 0);
}

/* Move RIP past the instruction that exited; no STI/MOV SS shadow after it. */
static void vmx_skip(struct vmx_vcpu *vmx, const struct vmx_exit *e)
{
	u32 intr = vmcs_read(VMCS_GUEST_INTERRUPTIBILITY);

	vmx->rip += e->insn_len;
	vmx->regs_dirty = true;
	if (intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS))
		vmcs_write(VMCS_GUEST_INTERRUPTIBILITY,
			   intr & ~(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS));
}

static int vmx_handle_cpuid(struct vmx_vcpu *vmx, const struct vmx_exit *e)
{
	u32 regs[4];

	khv_cpuid(&vmx->vcpu, vmx->gprs[VMX_RAX], vmx->gprs[VMX_RCX], regs);
	vmx->gprs[VMX_RAX] = regs[0];
	vmx->gprs[VMX_RBX] = regs[1];
	vmx->gprs[VMX_RCX] = regs[2];
	vmx->gprs[VMX_RDX] = regs[3];
	vmx_skip(vmx, e);
	return 1;
}

/* The operand mode of the guest's code segment, for the decoder. */
static int vmx_code_mode(u64 efer, u64 cr0)
{
	u32 cs_ar = vmcs_read(VMCS_GUEST_ES_AR + 2 * VMX_CS);

	if ((efer & EFER_LMA) && (cs_ar & VMX_AR_L))
		return 64;
	if ((cr0 & X86_CR0_PE) && (cs_ar & VMX_AR_DB))
		return 32;
	return 16;
}

/* The instruction at CS:RIP, read through the guest's page tables. */
static unsigned int vmx_fetch_insn(struct vmx_vcpu *vmx, u8 *buf,
				   unsigned int len, int *mode)
{
	u64 cr0 = vmx_guest_cr0(vmx), efer = vmcs_read(VMCS_GUEST_EFER);
	u64 cs_base = vmcs_read(VMCS_GUEST_ES_BASE + 2 * VMX_CS);

	*mode = vmx_code_mode(efer, cr0);
	/* SDM Vol. 1 3.4.2.1: in 64-bit mode the CS base is 0. */
	return khv_fetch_guest(vmx->vcpu.vm,
			       (*mode == 64 ? 0 : cs_base) + vmx->rip,
			       vmcs_read(VMCS_GUEST_CR3),
			       khv_gwalk_mode(cr0, vmx_guest_cr4(vmx), efer),
			       buf, len);
}

/*
 * INS/OUTS: the VM-exit instruction information (SDM 28.2.5, where
 * IA32_VMX_BASIC[54] says it is given) names the address size and, for
 * OUTS, the segment; without it, the code segment's address size and DS.
 */
static int vmx_handle_string_io(struct vmx_vcpu *vmx, const struct vmx_exit *e)
{
	u64 cr0 = vmx_guest_cr0(vmx), efer = vmcs_read(VMCS_GUEST_EFER);
	int mode = vmx_code_mode(efer, cr0);
	bool in = e->qual & BIT(3);
	unsigned int seg = in ? VMX_ES : VMX_DS;
	struct khv_string_io sio = {
		.in = in,
		.rep = e->qual & BIT(5),
		.port = e->qual >> 16,
		.size = (e->qual & 7) + 1,
		.addr_bytes = mode / 8,
		.next_rip = vmx->rip + e->insn_len,
		.cr3 = vmcs_read(VMCS_GUEST_CR3),
		.walk = khv_gwalk_mode(cr0, vmx_guest_cr4(vmx), efer),
	};
	u32 info;

	if (vmx_caps.insn_info_ins_outs) {
		info = vmcs_read(VMCS_EXIT_INSN_INFO);
		sio.addr_bytes = 2 << ((info >> 7) & 7);
		if (!in)
			seg = (info >> 15) & 7;
	}
	/* INS writes ES:RDI; in 64-bit mode only FS and GS have bases. */
	sio.seg_base = vmcs_read(VMCS_GUEST_ES_BASE + 2 * seg);
	if (mode == 64 && seg != VMX_FS && seg != VMX_GS)
		sio.seg_base = 0;
	return khv_vcpu_exit_string_io(&vmx->vcpu, &sio);
}

/* Port I/O (SDM 28.2.1 Table 28-5): size - 1 in bits 2:0, IN in bit 3. */
static int vmx_handle_io(struct vmx_vcpu *vmx, const struct vmx_exit *e)
{
	if (e->qual & BIT(4))
		return vmx_handle_string_io(vmx, e);
	vmx_skip(vmx, e);
	return khv_vcpu_exit_io(&vmx->vcpu, e->qual & BIT(3), e->qual >> 16,
				(e->qual & 7) + 1, vmx->gprs[VMX_RAX]);
}

static int vmx_handle_ept_violation(struct vmx_vcpu *vmx,
				    const struct vmx_exit *e)
{
	u64 gpa = vmcs_read(VMCS_GUEST_PHYS_ADDR);
	bool write = e->qual & BIT(1);
	u8 insn[KHV_INSN_MAX_LEN];
	unsigned int n;
	u64 delta;
	int mode, r;

	/* Mapped and allowed: a stale translation; just go back in. */
	if (khv_gpa_to_page(vmx->vcpu.vm, gpa, write))
		return 1;
	n = vmx_fetch_insn(vmx, insn, sizeof(insn), &mode);
	r = khv_vcpu_exit_mmio(&vmx->vcpu, gpa, insn, n, mode, &delta);
	vmx->rip += delta;
	vmx->regs_dirty = true;
	return r;
}

/* RDMSR/WRMSR: ECX the index, EDX:EAX the value. */
static int vmx_handle_msr(struct vmx_vcpu *vmx, const struct vmx_exit *e,
			  bool write)
{
	u32 index = vmx->gprs[VMX_RCX];
	u64 data;

	if (write) {
		data = (u32)vmx->gprs[VMX_RAX] | vmx->gprs[VMX_RDX] << 32;
		if (__vmx_set_msr(vmx, index, data, false))
			return vmx_inject_gp(vmx);
		__vmx_set_msr(vmx, index, data, true);
	} else {
		if (__vmx_get_msr(vmx, index, &data))
			return vmx_inject_gp(vmx);
		vmx->gprs[VMX_RAX] = (u32)data;
		vmx->gprs[VMX_RDX] = data >> 32;
	}
	vmx_skip(vmx, e);
	return 1;
}

static int vmx_handle_vmcall(struct vmx_vcpu *vmx, const struct vmx_exit *e)
{
	struct khv_regs regs;
	int r;

	vmx_skip(vmx, e);
	vmx_get_regs(&vmx->vcpu, &regs);
	r = khv_vcpu_hypercall(&vmx->vcpu, &regs);
	if (r > 0)
		vmx->gprs[VMX_RAX] = regs.rax;
	return r;
}

static u64 vmx_gpr_read(struct vmx_vcpu *vmx, unsigned int nr)
{
	return nr == VMX_RSP ? vmx->rsp : vmx->gprs[nr];
}

static void vmx_gpr_write(struct vmx_vcpu *vmx, unsigned int nr, u64 v)
{
	if (nr == VMX_RSP)
		vmx->rsp = v;
	else
		vmx->gprs[nr] = v;
	vmx->regs_dirty = true;
}

/*
 * MOV to CR0 that changes a bit khv owns (NE), as the processor would do it
 * (SDM Vol. 3A 2.5, 10.8.5): #GP for reserved bits, PG without PE, NW
 * without CD, or long mode without PAE; paging switches long mode.
 */
static int vmx_write_cr0(struct vmx_vcpu *vmx, u64 cr0)
{
	u64 old = vmx_guest_cr0(vmx), efer = vmcs_read(VMCS_GUEST_EFER);
	u64 cr4 = vmx_guest_cr4(vmx);

	if ((cr0 >> 32) || ((cr0 & X86_CR0_PG) && !(cr0 & X86_CR0_PE)) ||
	    ((cr0 & X86_CR0_NW) && !(cr0 & X86_CR0_CD)))
		return -EINVAL;
	if ((cr0 ^ old) & X86_CR0_PG) {
		if ((cr0 & X86_CR0_PG) && (efer & EFER_LME)) {
			if (!(cr4 & X86_CR4_PAE))
				return -EINVAL;
			efer |= EFER_LMA;
		} else {
			efer &= ~EFER_LMA;
		}
		vmx_set_efer(vmx, efer);
	}
	vmx_set_cr0(vmx, cr0);
	vmx_load_pdptes(vmx, cr0, vmcs_read(VMCS_GUEST_CR3), cr4, efer);
	return 0;
}

/* MOV to CR4: bits khv owns are refused (#GP) unless VMX needs them. */
static int vmx_write_cr4(struct vmx_vcpu *vmx, u64 cr4)
{
	u64 efer = vmcs_read(VMCS_GUEST_EFER);

	if ((cr4 >> 32) || (cr4 & VMX_CR4_DENIED) ||
	    ((efer & EFER_LMA) && !(cr4 & X86_CR4_PAE)))
		return -EINVAL;
	vmx_set_cr4(vmx, cr4);
	vmx_load_pdptes(vmx, vmx_guest_cr0(vmx), vmcs_read(VMCS_GUEST_CR3),
			cr4, efer);
	return 0;
}

/* Control-register accesses (SDM 28.2.1 Table 28-3). */
static int vmx_handle_cr(struct vmx_vcpu *vmx, const struct vmx_exit *e)
{
	unsigned int cr = e->qual & 15, type = (e->qual >> 4) & 3;
	unsigned int gpr = (e->qual >> 8) & 15;
	u64 v = vmx_gpr_read(vmx, gpr);
	int r = 0;

	if (type == 0) {		/* MOV to CR */
		switch (cr) {
		case 0:
			r = vmx_write_cr0(vmx, v);
			break;
		case 3:
			vmcs_write(VMCS_GUEST_CR3, v);
			vmx_load_pdptes(vmx, vmx_guest_cr0(vmx), v,
					vmx_guest_cr4(vmx),
					vmcs_read(VMCS_GUEST_EFER));
			break;
		case 4:
			r = vmx_write_cr4(vmx, v);
			break;
		case 8:
			if (v > 15)
				r = -EINVAL;
			else
				vmx->cr8 = v;
			break;
		default:
			r = -EINVAL;
		}
	} else if (type == 1) {		/* MOV from CR */
		if (cr == 3)
			vmx_gpr_write(vmx, gpr, vmcs_read(VMCS_GUEST_CR3));
		else if (cr == 8)
			vmx_gpr_write(vmx, gpr, vmx->cr8);
		else
			r = -EINVAL;
	} else {			/* CLTS, LMSW: only NE is khv's */
		return 0;
	}
	if (r)
		return vmx_inject_gp(vmx);
	vmx_skip(vmx, e);
	return 1;
}

/* The statistics bucket of a basic exit reason. */
static enum khv_exit_stat vmx_exit_stat(u32 reason)
{
	switch (reason) {
	case EXIT_EXCEPTION_NMI ... EXIT_OTHER_SMI:
		return reason == EXIT_TRIPLE_FAULT ? KHV_STAT_SHUTDOWN :
		       KHV_STAT_INTR;
	case EXIT_CPUID:
		return KHV_STAT_CPUID;
	case EXIT_HLT:
		return KHV_STAT_HLT;
	case EXIT_IO:
		return KHV_STAT_IO;
	case EXIT_RDMSR:
	case EXIT_WRMSR:
		return KHV_STAT_MSR;
	case EXIT_EPT_VIOLATION:
		return KHV_STAT_NPF;
	case EXIT_VMCALL:
		return KHV_STAT_HYPERCALL;
	default:
		return KHV_STAT_OTHER;
	}
}

static int vmx_exit_unknown(struct vmx_vcpu *vmx, const struct vmx_exit *e,
			    u32 reason)
{
	struct khv_run *run = vmx->vcpu.run;

	memset(&run->internal, 0, sizeof(run->internal));
	run->internal.hardware_exit_reason = e->reason;
	run->internal.info[0] = e->qual;
	run->internal.info[1] = e->intr_info;
	return khv_vcpu_exit(&vmx->vcpu, reason);
}

static int vmx_fail_entry(struct vmx_vcpu *vmx, u64 hardware_reason)
{
	struct khv_run *run = vmx->vcpu.run;

	memset(&run->fail_entry, 0, sizeof(run->fail_entry));
	run->fail_entry.hardware_reason = hardware_reason;
	run->fail_entry.cpu = raw_smp_processor_id();
	return khv_vcpu_exit(&vmx->vcpu, KHV_EXIT_FAIL_ENTRY);
}

static int vmx_handle_exit(struct vmx_vcpu *vmx, const struct vmx_exit *e)
{
	u32 reason = e->reason & 0xffff;

	if (e->reason & EXIT_REASON_FAILED_ENTRY)
		return vmx_fail_entry(vmx, e->reason);
	khv_stat_count(&vmx->vcpu, vmx_exit_stat(reason));
	switch (reason) {
	case EXIT_EXCEPTION_NMI:
		/* NMIs were handed to the host already; nothing else exits. */
		if (INTR_INFO_TYPE(e->intr_info) == INTR_TYPE_NMI)
			return 1;
		return vmx_exit_unknown(vmx, e, KHV_EXIT_UNKNOWN);
	case EXIT_EXT_INTR:
	case EXIT_INIT:
	case EXIT_SIPI:
	case EXIT_SMI:
	case EXIT_OTHER_SMI:
		/* Taken by the host once interrupts are on again. */
		return 1;
	case EXIT_TRIPLE_FAULT:
		return khv_vcpu_exit(&vmx->vcpu, KHV_EXIT_SHUTDOWN);
	case EXIT_CPUID:
		return vmx_handle_cpuid(vmx, e);
	case EXIT_HLT:
		vmx_skip(vmx, e);
		return khv_vcpu_exit(&vmx->vcpu, KHV_EXIT_HLT);
	case EXIT_IO:
		return vmx_handle_io(vmx, e);
	case EXIT_EPT_VIOLATION:
		return vmx_handle_ept_violation(vmx, e);
	case EXIT_RDMSR:
	case EXIT_WRMSR:
		return vmx_handle_msr(vmx, e, reason == EXIT_WRMSR);
	case EXIT_VMCALL:
		return vmx_handle_vmcall(vmx, e);
	case EXIT_CR_ACCESS:
		return vmx_handle_cr(vmx, e);
	case EXIT_WBINVD:
		/* Guest RAM is write-back host RAM: nothing to write back. */
		vmx_skip(vmx, e);
		return 1;
	case EXIT_RDPMC:
		/* No performance counters are offered (SDM: #GP). */
		return vmx_inject_gp(vmx);
	case EXIT_VMCLEAR ... EXIT_VMXON:
	case EXIT_INVEPT:
	case EXIT_INVVPID:
	case EXIT_VMFUNC:
	case EXIT_MWAIT:
	case EXIT_MONITOR:
		/* VMX is not offered, nor MONITOR/MWAIT: #UD as without them. */
		return vmx_inject_ud(vmx);
	default:
		return vmx_exit_unknown(vmx, e, KHV_EXIT_UNKNOWN);
	}
}

/*
 * An event whose delivery the exit interrupted (SDM 28.2.4) is delivered
 * again on the next entry; a software event is not (its instruction runs
 * again).
 */
static void vmx_requeue_event(struct vmx_vcpu *vmx)
{
	u32 info = vmcs_read(VMCS_IDT_VECTORING_INFO);
	u32 type = INTR_INFO_TYPE(info);

	if (!(info & INTR_INFO_VALID) ||
	    (type != INTR_TYPE_HW_EXCEPTION && type != INTR_TYPE_EXT &&
	     type != INTR_TYPE_NMI))
		return;
	vmx->inject = info & (INTR_INFO_VALID | 0x7ff | INTR_INFO_HAS_ERROR);
	if (info & INTR_INFO_HAS_ERROR)
		vmx->inject_err = vmcs_read(VMCS_IDT_VECTORING_ERROR);
}

/* Host segment state VM exit does not restore (SDM 28.5.2). */
struct vmx_host_segs {
	u16 ds, es, fs, gs, ldt;
	u64 fs_base, kernel_gs_base;
	struct desc_ptr gdt, idt;
};

static void vmx_save_host_segs(struct vmx_host_segs *h)
{
	savesegment(ds, h->ds);
	savesegment(es, h->es);
	savesegment(fs, h->fs);
	savesegment(gs, h->gs);
	asm volatile("sldt %0" : "=r" (h->ldt));
	khv_rdmsr(MSR_FS_BASE, h->fs_base);
	khv_rdmsr(MSR_KERNEL_GS_BASE, h->kernel_gs_base);
	native_store_gdt(&h->gdt);
	store_idt(&h->idt);
}

static void vmx_restore_host_segs(const struct vmx_host_segs *h)
{
	if (h->ldt)
		asm volatile("lldt %0" : : "r" (h->ldt));
	/* VM exit loads null selectors: reload what the task had. */
	if (h->gs) {
		/* Loads the user GS base from the descriptor: put it back. */
		load_gs_index(h->gs);
		khv_wrmsr(MSR_KERNEL_GS_BASE, h->kernel_gs_base);
	}
	if (h->fs) {
		loadsegment(fs, h->fs);
		khv_wrmsr(MSR_FS_BASE, h->fs_base);
	}
	if (h->ds | h->es) {
		loadsegment(ds, h->ds);
		loadsegment(es, h->es);
	}
	/* The TSS limit is 0x67 now: the I/O bitmap needs it back. */
	invalidate_tss_limit();
	/* VM exit sets the GDT and IDT limits to 0xffff. */
	load_fixmap_gdt(raw_smp_processor_id());
	if (h->idt.size != 0xffff)
		load_idt(&h->idt);
}

/* Write the guest's syscall MSRs, or put the host's back. */
static void vmx_swap_msrs_load(const u64 *vals)
{
	int i;

	for (i = 0; i < VMX_NR_SWAP; i++)
		khv_wrmsr(vmx_swap_msrs[i], vals[i]);
}

/* Mitigations the host asks for before a guest runs (KERNELS.md). */
static void vmx_entry_barriers(struct khv_vm *vm)
{
	khv_barrier_on_vm_switch(vm);
	if (boot_cpu_has_bug(X86_BUG_L1TF) && boot_cpu_has(X86_FEATURE_FLUSH_L1D))
		khv_wrmsr(MSR_IA32_FLUSH_CMD, L1D_FLUSH);
}

/* Enter the guest once; interrupts off, VMCS current. */
static int vmx_enter(struct vmx_vcpu *vmx, struct vmx_exit *e)
{
	u64 host[VMX_NR_SWAP];
	unsigned long host_dr7;
	u64 host_debugctl;
	struct vmx_host_segs h;
	u32 flags = 0;
	int r;

	if (vmx->regs_dirty) {
		vmcs_write(VMCS_GUEST_RIP, vmx->rip);
		vmcs_write(VMCS_GUEST_RSP, vmx->rsp);
		vmcs_write(VMCS_GUEST_RFLAGS, vmx->rflags);
		vmx->regs_dirty = false;
	}
	if (vmx->inject) {
		vmcs_write(VMCS_ENTRY_INTR_INFO, vmx->inject);
		if (vmx->inject & INTR_INFO_HAS_ERROR)
			vmcs_write(VMCS_ENTRY_EXCEPTION_ERROR, vmx->inject_err);
		vmx->inject = 0;
	}
	if (__read_cr3() != vmx->host_cr3) {
		vmx->host_cr3 = __read_cr3();
		vmcs_write(VMCS_HOST_CR3, vmx->host_cr3);
	}
	if (native_read_cr4() != vmx->host_cr4) {
		vmx->host_cr4 = native_read_cr4();
		vmcs_write(VMCS_HOST_CR4, vmx->host_cr4);
	}
	vmx_save_host_segs(&h);
	vmcs_write(VMCS_HOST_FS_BASE, h.fs_base);
	memcpy(host, this_cpu_ptr(&vmx_host_swap)[0], sizeof(host));
	host[VMX_KGSBASE] = h.kernel_gs_base;
	host_dr7 = native_get_debugreg(7);
	khv_rdmsr(MSR_IA32_DEBUGCTLMSR, host_debugctl);
	vmx_swap_msrs_load(vmx->swap);
	if (native_read_cr2() != vmx->cr2)
		native_write_cr2(vmx->cr2);
	if (vmx->launched)
		flags |= RUN_LAUNCHED;
	if (boot_cpu_has(X86_FEATURE_CLEAR_CPU_BUF))
		flags |= RUN_VERW;

	r = khv_vmx_vmenter(vmx->gprs, &vmx_verw_sel, flags);

	vmx->cr2 = native_read_cr2();
	vmx_swap_msrs_load(host);
	/* SDM 28.5.1: DR7 is 0x400 and IA32_DEBUGCTL 0 after a VM exit. */
	if (host_dr7 != KHV_DR7_RESET)
		native_set_debugreg(7, host_dr7);
	if (host_debugctl)
		khv_wrmsr(MSR_IA32_DEBUGCTLMSR, host_debugctl);
	vmx_restore_host_segs(&h);
	if (r)
		return r;

	e->reason = vmcs_read(VMCS_EXIT_REASON);
	/* An entry that failed while loading guest state did not launch it. */
	if (!(e->reason & EXIT_REASON_FAILED_ENTRY))
		vmx->launched = true;
	e->intr_info = vmcs_read(VMCS_EXIT_INTR_INFO);
	/* An NMI exited the guest: the host's handler gets it now. */
	if ((e->reason & 0xffff) == EXIT_EXCEPTION_NMI &&
	    INTR_INFO_TYPE(e->intr_info) == INTR_TYPE_NMI)
		asm volatile("int $2");
	return 0;
}

int vmx_vcpu_run(struct khv_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_exit e = {};
	u64 prev, gen;
	int r;

	preempt_disable();
	prev = vmx_load(vmx);
	if (!prev) {
		preempt_enable();
		memset(&vcpu->run->internal, 0, sizeof(vcpu->run->internal));
		return khv_vcpu_exit(vcpu, KHV_EXIT_INTERNAL_ERROR);
	}
	gen = atomic64_read(&vcpu->vm->tlb_gen);
	if (vcpu->tlb_gen != gen) {
		vcpu->tlb_gen = gen;
		vmx_invept(khv_ept_pointer(&vcpu->vm->npt, false));
	}

	/* The guest's FPU use must not reach the task's FPU state. */
	kernel_fpu_begin();
	vmx_entry_barriers(vcpu->vm);
	asm volatile("fxrstorq %0" : : "m" (vmx->fpu));
	local_irq_disable();
	r = vmx_enter(vmx, &e);
	local_irq_enable();
	asm volatile("fxsaveq %0" : "=m" (vmx->fpu));
	kernel_fpu_end();

	if (r == 1) {
		r = vmx_fail_entry(vmx, vmcs_read(VMCS_INSN_ERROR));
	} else if (r) {
		memset(&vcpu->run->internal, 0, sizeof(vcpu->run->internal));
		vcpu->run->internal.hardware_exit_reason = r;
		r = khv_vcpu_exit(vcpu, KHV_EXIT_INTERNAL_ERROR);
	} else {
		vmx->rip = vmcs_read(VMCS_GUEST_RIP);
		vmx->rsp = vmcs_read(VMCS_GUEST_RSP);
		vmx->rflags = vmcs_read(VMCS_GUEST_RFLAGS);
		e.qual = vmcs_read(VMCS_EXIT_QUAL);
		e.insn_len = vmcs_read(VMCS_EXIT_INSN_LEN);
		vmx_requeue_event(vmx);
		r = vmx_handle_exit(vmx, &e);
	}
	vmx_put(vmx, prev);
	preempt_enable();
	return r;
}
