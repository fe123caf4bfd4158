// SPDX-License-Identifier: GPL-2.0-only
/*
 * Intel VMX backend: detection and VMX root operation on each CPU.
 */
#define pr_fmt(fmt) "khv: " fmt

#include <linux/gfp.h>
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

#include "../compat.h"
#include "../khv.h"
#include "vmx.h"

static struct vmx_caps vmx_caps __ro_after_init;

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

static int vmx_probe(void)
{
	struct vmx_facts f = {};
	const char *why = NULL;
	int r;

	vmx_read_facts(&f);
	r = vmx_check_facts(&f, &vmx_caps, &why);
	if (r)
		pr_err("%s\n", why);
	return r;
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

	for_each_possible_cpu(cpu) {
		page = alloc_pages_node(cpu_to_node(cpu),
					GFP_KERNEL | __GFP_ZERO, 0);
		if (!page)
			goto err_free;
		/* SDM 24.11.5: the region starts with the VMCS revision id. */
		*(u32 *)page_address(page) = vmx_caps.vmcs_revision;
		per_cpu(vmx_vmxon_region, cpu) = page;
	}
	return 0;

err_free:
	for_each_possible_cpu(cpu) {
		if (per_cpu(vmx_vmxon_region, cpu))
			__free_page(per_cpu(vmx_vmxon_region, cpu));
		per_cpu(vmx_vmxon_region, cpu) = NULL;
	}
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

	/* cr4_set_bits() keeps the kernel's CR4 shadow right (KERNELS.md). */
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

/* VMX vCPUs come with the Intel backend's own issue; refuse cleanly until then. */
static struct khv_vcpu *vmx_vcpu_create(struct khv_vm *vm, u32 id)
{
	return ERR_PTR(-EOPNOTSUPP);
}

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
	.pt_format = &khv_ept_format,
	.vcpu_create = vmx_vcpu_create,
};
