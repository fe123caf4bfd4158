// SPDX-License-Identifier: GPL-2.0-only
/*
 * The L1D flush before a VMX entry on a host with L1TF
 * (Documentation/khv-abi.rst, "Isolation on entry and exit"): the
 * IA32_FLUSH_CMD MSR where the microcode has it, else a read of 64 KiB of
 * khv's own, which leaves none of the host's data in the L1D (KVM's software
 * flush for the same case, vmx_l1d_flush()).
 */
#include <linux/errno.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <asm/cpufeature.h>
#include <asm/msr-index.h>

#include "../compat.h"
#include "../mitig.h"
#include "vmx.h"

/*
 * 64 KiB: twice the 32 KiB L1D of every part with L1TF, as its replacement
 * is not strictly LRU (KVM reads as much).
 */
#define VMX_L1D_ORDER	4

static void *vmx_l1d_buf;

/**
 * vmx_l1d_setup() - the buffer of the software flush, where the host has
 *	L1TF and no IA32_FLUSH_CMD.
 *
 * Return: 0 or -ENOMEM.
 */
int vmx_l1d_setup(void)
{
	struct page *page;
	int i;

	if (!boot_cpu_has_bug(X86_BUG_L1TF) ||
	    boot_cpu_has(X86_FEATURE_FLUSH_L1D))
		return 0;
	page = alloc_pages(GFP_KERNEL, VMX_L1D_ORDER);
	if (!page)
		return -ENOMEM;
	vmx_l1d_buf = page_address(page);
	/*
	 * A pattern of its own in each page: identical or zero pages could be
	 * merged by a hypervisor below this host (KSM), and one shared page
	 * would fill one set of lines only.
	 */
	for (i = 0; i < 1 << VMX_L1D_ORDER; i++)
		memset(vmx_l1d_buf + i * PAGE_SIZE, i + 1, PAGE_SIZE);
	return 0;
}

void vmx_l1d_unsetup(void)
{
	if (vmx_l1d_buf)
		free_pages((unsigned long)vmx_l1d_buf, VMX_L1D_ORDER);
	vmx_l1d_buf = NULL;
}

/**
 * vmx_l1d_flush() - empty the L1D of host data before an entry.
 *
 * Interrupts off, right before the entry. Nothing where the host has no
 * L1TF or mitigations_off names l1d (measurement only).
 */
void vmx_l1d_flush(void)
{
	unsigned int size = PAGE_SIZE << VMX_L1D_ORDER;

	if (!boot_cpu_has_bug(X86_BUG_L1TF) || khv_mitig_skip(KHV_MITIG_L1D))
		return;
	if (boot_cpu_has(X86_FEATURE_FLUSH_L1D)) {
		khv_wrmsr(MSR_IA32_FLUSH_CMD, L1D_FLUSH);
		return;
	}
	/*
	 * Touch each page first, so that no TLB miss interrupts the fill,
	 * serialise (CPUID), then read one byte of every line.
	 */
	asm volatile("xorl %%eax, %%eax\n"
		     "1:\tmovzbl (%[buf], %%rax), %%ecx\n\t"
		     "addl $4096, %%eax\n\t"
		     "cmpl %%eax, %[size]\n\t"
		     "jne 1b\n\t"
		     "xorl %%eax, %%eax\n\t"
		     "cpuid\n\t"
		     "xorl %%eax, %%eax\n"
		     "2:\tmovzbl (%[buf], %%rax), %%ecx\n\t"
		     "addl $64, %%eax\n\t"
		     "cmpl %%eax, %[size]\n\t"
		     "jne 2b\n\t"
		     "lfence"
		     : : [buf] "r" (vmx_l1d_buf), [size] "r" (size)
		     : "eax", "ebx", "ecx", "edx", "memory");
}
