// SPDX-License-Identifier: GPL-2.0-only
/*
 * Intel VMX backend: detection and VMX root operation on each CPU.
 */
#define pr_fmt(fmt) "khv: " fmt

#include <linux/gfp.h>
#include <linux/idr.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/printk.h>
#include <linux/smp.h>
#include <asm/asm.h>
#include <asm/msr-index.h>
#include <asm/processor.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <asm/tsc.h>

#include "../compat.h"
#include "../arch.h"
#include "../vcpu.h"
#include "../vm.h"
#include "vcpu.h"
#include "vmx.h"

struct vmx_caps vmx_caps __ro_after_init;
struct vmx_controls vmx_ctls __ro_after_init;

/*
 * Shared by every vCPU: I/O bitmaps A and B and the MSR bitmap, all ones
 * (every port and every MSR exits), and the VPIDs. khv takes VPIDs from the
 * top half, away from KVM's (which counts up from 1): a VPID both use is
 * still safe, as each flushes on a vCPU's first entry on a CPU.
 */
static struct page *vmx_bitmaps;
static DEFINE_IDA(vmx_vpids);
#define VMX_VPID_FIRST	0x8000
#define VMX_VPID_LAST	0xffff

u64 vmx_io_bitmap_pa(int which)
{
	return page_to_phys(vmx_bitmaps) + which * PAGE_SIZE;
}

u64 vmx_msr_bitmap_pa(void)
{
	return page_to_phys(vmx_bitmaps) + 2 * PAGE_SIZE;
}

/* A VPID for a new vCPU, or 0 (none) where the CPU has no VPID. */
int vmx_vpid_alloc(void)
{
	if (!vmx_caps.vpid)
		return 0;
	return ida_alloc_range(&vmx_vpids, VMX_VPID_FIRST, VMX_VPID_LAST,
			       GFP_KERNEL);
}

void vmx_vpid_free(u16 vpid)
{
	if (vpid)
		ida_free(&vmx_vpids, vpid);
}

/* One VMXON region per CPU, used only while khv owns VMX (SDM 24.11.5). */
static DEFINE_PER_CPU(struct page *, vmx_vmxon_region);

static void vmx_read_facts(struct vmx_facts *f)
{
	u64 basic = 0;

	f->cpuid1_ecx = cpuid_ecx(1);
	if (khv_rdmsr_safe(MSR_IA32_FEAT_CTL, &f->feature_control))
		f->feature_control = 0;
	if (!(f->cpuid1_ecx & BIT(5)) || khv_rdmsr_safe(MSR_IA32_VMX_BASIC, &basic))
		return;
	f->basic = basic;
	/* SDM A.3.2: the TRUE_ MSRs exist when IA32_VMX_BASIC[55] is set. */
	if (khv_rdmsr_safe(basic & BIT_ULL(55) ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
			   MSR_IA32_VMX_PROCBASED_CTLS, &f->procbased))
		f->procbased = 0;
	if (!(f->procbased & BIT_ULL(63)) ||
	    khv_rdmsr_safe(MSR_IA32_VMX_PROCBASED_CTLS2, &f->procbased2))
		f->procbased2 = 0;
	/* SDM A.10: the EPT/VPID capability MSR exists with EPT or VPID. */
	if (!(f->procbased2 & (BIT_ULL(32 + 1) | BIT_ULL(32 + 5))) ||
	    khv_rdmsr_safe(MSR_IA32_VMX_EPT_VPID_CAP, &f->ept_vpid_cap))
		f->ept_vpid_cap = 0;
}

/* The control capability MSRs, TRUE_ ones where they exist (SDM A.2). */
static void vmx_read_ctl_msrs(u64 basic, struct vmx_ctl_msrs *m)
{
	bool t = basic & BIT_ULL(55);

	khv_rdmsr(t ? MSR_IA32_VMX_TRUE_PINBASED_CTLS :
		  MSR_IA32_VMX_PINBASED_CTLS, m->pin);
	khv_rdmsr(t ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
		  MSR_IA32_VMX_PROCBASED_CTLS, m->proc);
	khv_rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2, m->proc2);
	khv_rdmsr(t ? MSR_IA32_VMX_TRUE_EXIT_CTLS : MSR_IA32_VMX_EXIT_CTLS,
		  m->exit);
	khv_rdmsr(t ? MSR_IA32_VMX_TRUE_ENTRY_CTLS : MSR_IA32_VMX_ENTRY_CTLS,
		  m->entry);
}

static int vmx_probe(void)
{
	struct vmx_facts f = {};
	struct vmx_ctl_msrs m;
	const char *why = NULL;
	int r;

	vmx_read_facts(&f);
	r = vmx_check_facts(&f, &vmx_caps, &why);
	if (!r) {
		vmx_read_ctl_msrs(f.basic, &m);
		r = vmx_compute_controls(&m, &vmx_ctls, &why);
		pr_info("VMX capability MSRs: pin %#llx proc %#llx proc2 %#llx exit %#llx entry %#llx\n",
			m.pin, m.proc, m.proc2, m.exit, m.entry);
	}
	if (!r && khv_fred_enabled()) {
		why = "VMX with FRED enabled is not supported (boot with fred=off)";
		r = -ENODEV;
	}
	if (r) {
		pr_err("%s\n", why);
		return r;
	}
	khv_rdmsr(MSR_IA32_VMX_CR0_FIXED0, vmx_caps.cr0_fixed0);
	khv_rdmsr(MSR_IA32_VMX_CR4_FIXED0, vmx_caps.cr4_fixed0);
	if (vmx_ctls.pin & PIN_PREEMPTION_TIMER) {
		u64 misc;

		khv_rdmsr(MSR_IA32_VMX_MISC, misc);
		vmx_caps.backstop_ticks = vmx_backstop_ticks(tsc_khz, misc,
							     VMX_BACKSTOP_MS);
		if (!vmx_caps.backstop_ticks)
			vmx_ctls.pin &= ~PIN_PREEMPTION_TIMER;
	}
	vmx_percpu_init();
	return 0;
}

static void vmx_describe(char *buf, size_t len)
{
	snprintf(buf, len, "Intel VMX with EPT%s%s, unrestricted guest%s",
		 vmx_caps.ept_2m ? " (2M pages)" : "",
		 vmx_caps.ept_ad ? " (A/D bits)" : "",
		 vmx_caps.vpid ? ", VPID" : "");
}

static int vmx_hardware_setup(void)
{
	struct page *page;
	int cpu;

	vmx_bitmaps = alloc_pages(GFP_KERNEL, 2);
	if (!vmx_bitmaps)
		return -ENOMEM;
	memset(page_address(vmx_bitmaps), 0xff, 3 * PAGE_SIZE);
	for_each_possible_cpu(cpu) {
		page = alloc_pages_node(cpu_to_node(cpu),
					GFP_KERNEL | __GFP_ZERO, 0);
		if (!page)
			goto err_free;
		/* SDM 24.11.5: the region starts with the VMCS revision id. */
		*(u32 *)page_address(page) = vmx_caps.vmcs_revision;
		per_cpu(vmx_vmxon_region, cpu) = page;
	}
	if (vmx_l1d_setup())
		goto err_free;
	return 0;

err_free:
	for_each_possible_cpu(cpu) {
		if (per_cpu(vmx_vmxon_region, cpu))
			__free_page(per_cpu(vmx_vmxon_region, cpu));
		per_cpu(vmx_vmxon_region, cpu) = NULL;
	}
	__free_pages(vmx_bitmaps, 2);
	return -ENOMEM;
}

static void vmx_hardware_unsetup(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		if (per_cpu(vmx_vmxon_region, cpu))
			__free_page(per_cpu(vmx_vmxon_region, cpu));
		per_cpu(vmx_vmxon_region, cpu) = NULL;
	}
	__free_pages(vmx_bitmaps, 2);
	vmx_l1d_unsetup();
}

/* CR4.VMXE is set whenever this CPU is in VMX operation (SDM 24.7). */
static bool vmx_cpu_virt_on(void)
{
	return native_read_cr4() & X86_CR4_VMXE;
}

#if KHV_CAN_OWN_VIRT
static int vmx_cpu_enable(void)
{
	u64 pa = page_to_phys(this_cpu_read(vmx_vmxon_region));
	u64 fc;

	if (native_read_cr4() & X86_CR4_VMXE)
		return -EBUSY;
	/* The firmware may lock VMX off on one CPU and not on the others. */
	if (khv_rdmsr_safe(MSR_IA32_FEAT_CTL, &fc) ||
	    (fc & (FEAT_CTL_LOCKED | FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) !=
	    (FEAT_CTL_LOCKED | FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX))
		return -EIO;

	/* cr4_set_bits() keeps the kernel's CR4 shadow right. */
	cr4_set_bits(X86_CR4_VMXE);
	asm goto("1: vmxon %[pa]\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : [pa] "m" (pa) : "cc", "memory" : fault);
	return 0;

fault:
	cr4_clear_bits(X86_CR4_VMXE);
	return -EFAULT;
}

static void vmx_cpu_disable(void)
{
	vmx_clear_cpu();
	/* A fault here means VMX was already off: nothing left to undo. */
	asm goto("1: vmxoff\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : : "cc", "memory" : fault);
fault:
	cr4_clear_bits(X86_CR4_VMXE);
}
#else
static int vmx_cpu_enable(void)
{
	return -EOPNOTSUPP;
}

static void vmx_cpu_disable(void)
{
}
#endif

const struct khv_arch_ops khv_vmx_ops = {
	.name = "vmx",
	.vendor = KHV_VENDOR_INTEL,
	.kvm_module = "kvm_intel",
	.probe = vmx_probe,
	.describe = vmx_describe,
	.hardware_setup = vmx_hardware_setup,
	.hardware_unsetup = vmx_hardware_unsetup,
	.cpu_virt_on = vmx_cpu_virt_on,
	.cpu_enable = vmx_cpu_enable,
	.cpu_disable = vmx_cpu_disable,
	.cpu_release = vmx_clear_cpu,
	.pt_format = &khv_ept_format,
	.vcpu_size = sizeof(struct vmx_vcpu),
	.vcpu_create = vmx_vcpu_create,
	.vcpu_free = vmx_vcpu_free,
	.vcpu_run = vmx_vcpu_run,
	.handle_exit = vmx_handle_exit,
	.get_sregs = vmx_get_sregs,
	.set_sregs = vmx_set_sregs,
	.get_msr = vmx_get_msr,
	.set_msr = vmx_set_msr,
	.skip_instruction = vmx_skip_instruction,
	.get_cpl = vmx_get_cpl,
	.get_cpu_mode = vmx_get_cpu_mode,
	.get_segment = vmx_get_segment,
	.set_dr7 = vmx_set_dr7,
	.set_cr2 = vmx_set_cr2,
	.interrupt_allowed = vmx_interrupt_allowed,
	.nmi_allowed = vmx_nmi_allowed,
	.inject_event = vmx_inject_event,
	.request_irq_window = vmx_request_irq_window,
	.request_nmi_window = vmx_request_nmi_window,
	.exit_event = vmx_exit_event,
	.get_interrupt_shadow = vmx_get_interrupt_shadow,
	.set_interrupt_shadow = vmx_set_interrupt_shadow,
	.get_nmi_mask = vmx_get_nmi_mask,
	.set_nmi_mask = vmx_set_nmi_mask,
	.get_cr8 = vmx_get_cr8,
	.set_cr8 = vmx_set_cr8,
};
