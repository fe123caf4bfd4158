// SPDX-License-Identifier: GPL-2.0-only
/*
 * AMD SVM backend: detection and EFER.SVME on each CPU.
 */
#define pr_fmt(fmt) "khv: " fmt

#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/printk.h>
#include <linux/smp.h>
#include <asm/msr-index.h>
#include <asm/processor.h>

#include "../compat.h"
#include "../arch.h"
#include "../xstate.h"
#include "../vcpu.h"
#include "../vm.h"
#include "svm.h"
#include "vcpu.h"

static struct svm_caps svm_caps __ro_after_init;

/* One host save area per CPU, used only while khv owns SVM (APM 15.30.4). */
static DEFINE_PER_CPU(struct page *, svm_hsave_area);
/* Where each CPU's host FS/GS/TR/LDTR and syscall MSRs wait (VMSAVE). */
static DEFINE_PER_CPU(struct page *, svm_host_vmsave);
/* Intercept every port and every MSR: 12 KiB and 8 KiB of ones (APM 15.10, 15.11). */
static struct page *svm_iopm, *svm_msrpm;

#define SVM_IOPM_ORDER	2
#define SVM_MSRPM_ORDER	1

u64 svm_iopm_pa(void)
{
	return page_to_phys(svm_iopm);
}

u64 svm_msrpm_pa(void)
{
	return page_to_phys(svm_msrpm);
}

u64 svm_host_save_pa(int cpu)
{
	return page_to_phys(per_cpu(svm_host_vmsave, cpu));
}

const struct svm_caps *svm_get_caps(void)
{
	return &svm_caps;
}

bool svm_has_nrips(void)
{
	return svm_caps.nrips;
}

bool svm_has_decode_assists(void)
{
	return svm_caps.decode_assists;
}

/* TSC_AUX exists where RDTSCP or RDPID reads it. */
bool svm_has_tsc_aux(void)
{
	return boot_cpu_has(X86_FEATURE_RDTSCP) || boot_cpu_has(X86_FEATURE_RDPID);
}

static void svm_read_facts(struct svm_facts *f)
{
	f->max_ext_leaf = cpuid_eax(0x80000000);
	if (f->max_ext_leaf >= 0x80000001)
		f->ext1_ecx = cpuid_ecx(0x80000001);
	if (f->max_ext_leaf >= 0x8000000a) {
		f->svm_ebx = cpuid_ebx(0x8000000a);
		f->svm_edx = cpuid_edx(0x8000000a);
	}
	if ((f->ext1_ecx & BIT(2)) && khv_rdmsr_safe(MSR_VM_CR, &f->vm_cr))
		f->vm_cr = 0;
}

static int svm_probe(void)
{
	struct svm_facts f = {};
	const char *why = NULL;
	int r;

	struct svm_cr4_features cr4 = {
		.umip = boot_cpu_has(X86_FEATURE_UMIP),
		.fsgsbase = boot_cpu_has(X86_FEATURE_FSGSBASE),
		.pcid = boot_cpu_has(X86_FEATURE_PCID),
		.smep = boot_cpu_has(X86_FEATURE_SMEP),
		.smap = boot_cpu_has(X86_FEATURE_SMAP),
		.xstate = khv_xstate_cr4_allowed(),
	};

	svm_read_facts(&f);
	r = svm_check_facts(&f, &svm_caps, &why);
	if (r)
		pr_err("%s\n", why);
	svm_caps.cr4_allowed = svm_cr4_allowed_bits(&cr4);
	return r;
}

static void svm_describe(char *buf, size_t len)
{
	snprintf(buf, len, "AMD SVM with NPT, %u ASIDs%s%s%s", svm_caps.nr_asids,
		 svm_caps.nrips ? ", NRIP save" : "",
		 svm_caps.decode_assists ? ", decode assists" : "",
		 svm_caps.flush_by_asid ? ", flush by ASID" : "");
}

static void svm_free_page_ptr(struct page **page, unsigned int order)
{
	if (*page)
		__free_pages(*page, order);
	*page = NULL;
}

static void svm_hardware_unsetup(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		svm_free_page_ptr(per_cpu_ptr(&svm_hsave_area, cpu), 0);
		svm_free_page_ptr(per_cpu_ptr(&svm_host_vmsave, cpu), 0);
	}
	svm_free_page_ptr(&svm_iopm, SVM_IOPM_ORDER);
	svm_free_page_ptr(&svm_msrpm, SVM_MSRPM_ORDER);
	svm_asid_unsetup();
}

static int svm_hardware_setup(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		per_cpu(svm_hsave_area, cpu) =
			alloc_pages_node(cpu_to_node(cpu), GFP_KERNEL | __GFP_ZERO, 0);
		per_cpu(svm_host_vmsave, cpu) =
			alloc_pages_node(cpu_to_node(cpu), GFP_KERNEL | __GFP_ZERO, 0);
		if (!per_cpu(svm_hsave_area, cpu) || !per_cpu(svm_host_vmsave, cpu))
			goto err_free;
	}
	svm_iopm = alloc_pages(GFP_KERNEL, SVM_IOPM_ORDER);
	svm_msrpm = alloc_pages(GFP_KERNEL, SVM_MSRPM_ORDER);
	if (!svm_iopm || !svm_msrpm)
		goto err_free;
	memset(page_address(svm_iopm), 0xff, PAGE_SIZE << SVM_IOPM_ORDER);
	memset(page_address(svm_msrpm), 0xff, PAGE_SIZE << SVM_MSRPM_ORDER);
	if (svm_asid_setup())
		goto err_free;
	return 0;

err_free:
	svm_hardware_unsetup();
	return -ENOMEM;
}

static bool svm_cpu_virt_on(void)
{
	u64 efer;

	khv_rdmsr(MSR_EFER, efer);
	return efer & EFER_SVME;
}

#if KHV_CAN_OWN_VIRT
static int svm_cpu_enable(void)
{
	u64 efer;

	khv_rdmsr(MSR_EFER, efer);
	if (efer & EFER_SVME)
		return -EBUSY;
	khv_wrmsr(MSR_EFER, efer | EFER_SVME);
	khv_wrmsr(MSR_VM_HSAVE_PA, page_to_phys(this_cpu_read(svm_hsave_area)));
	return 0;
}

static void svm_cpu_disable(void)
{
	u64 efer;

	khv_wrmsr(MSR_VM_HSAVE_PA, 0);
	khv_rdmsr(MSR_EFER, efer);
	if (efer & EFER_SVME) {
		/* APM 15.17: GIF=0 would keep INIT and NMI blocked. */
		asm volatile("stgi" : : : "memory");
		khv_wrmsr(MSR_EFER, efer & ~EFER_SVME);
	}
}
#else
static int svm_cpu_enable(void)
{
	return -EOPNOTSUPP;
}

static void svm_cpu_disable(void)
{
}
#endif

const struct khv_arch_ops khv_svm_ops = {
	.name = "svm",
	.vendor = KHV_VENDOR_AMD,
	.kvm_module = "kvm_amd",
	.probe = svm_probe,
	.describe = svm_describe,
	.hardware_setup = svm_hardware_setup,
	.hardware_unsetup = svm_hardware_unsetup,
	.cpu_virt_on = svm_cpu_virt_on,
	.cpu_enable = svm_cpu_enable,
	.cpu_disable = svm_cpu_disable,
	.pt_format = &khv_npt_format,
	.vcpu_size = sizeof(struct svm_vcpu),
	.vcpu_create = svm_vcpu_create,
	.vcpu_free = svm_vcpu_free,
	.vcpu_load = svm_vcpu_load,
	.vcpu_put = svm_vcpu_put,
	.vcpu_run = svm_vcpu_run,
	.handle_exit = svm_handle_exit,
	.get_sregs = svm_get_sregs,
	.set_sregs = svm_set_sregs,
	.get_msr = svm_get_msr,
	.set_msr = svm_set_msr,
	.skip_instruction = svm_skip_instruction,
	.set_dr7 = svm_set_dr7,
	.get_cpl = svm_get_cpl,
	.get_cpu_mode = svm_get_cpu_mode,
	.get_segment = svm_get_segment,
	.insn_bytes = svm_insn_bytes,
	.set_cr2 = svm_set_cr2,
	.interrupt_allowed = svm_interrupt_allowed,
	.nmi_allowed = svm_nmi_allowed,
	.inject_event = svm_inject_event,
	.request_irq_window = svm_request_irq_window,
	.request_nmi_window = svm_request_nmi_window,
	.exit_event = svm_exit_event,
	.get_interrupt_shadow = svm_get_interrupt_shadow,
	.set_interrupt_shadow = svm_set_interrupt_shadow,
	.get_nmi_mask = svm_get_nmi_mask,
	.set_nmi_mask = svm_set_nmi_mask,
	.get_cr8 = svm_get_cr8,
	.set_cr8 = svm_set_cr8,
	.cr8_intercept = svm_cr8_intercept,
};
