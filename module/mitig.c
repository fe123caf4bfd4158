// SPDX-License-Identifier: GPL-2.0-only
/*
 * What khv's entry and exit paths apply against the host's speculation bugs,
 * told once at load and in /sys/kernel/debug/khv/mitigations, and the
 * load-time parameter mitigations_off that switches some of them off to
 * measure their cost (Documentation/admin-guide.rst, "Measuring the
 * mitigations"; Documentation/performance.md, "What the mitigations cost").
 *
 * The decisions stay where they were (vmx/run.c, svm/vmenter.S, spec.c);
 * each tests khv_mitig_skip() after the host's own reasons.
 */
#define pr_fmt(fmt) "khv: " fmt

#include <linux/cache.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <asm/cpufeature.h>
#include <kunit/visibility.h>

#include "compat.h"
#include "mitig.h"
#include "spec_asm.h"

static char *mitigations_off;
module_param(mitigations_off, charp, 0444);
MODULE_PARM_DESC(mitigations_off,
		 "for measurement only, each weakens isolation: comma list of l1d,verw,ibpb,vmscape to switch off (default: none)");

u32 khv_mitig_off __ro_after_init;
DEFINE_STATIC_KEY_FALSE(khv_mitig_measuring);

/* The names of mitigations_off, by bit. */
static const char *const khv_mitig_names[KHV_MITIG_NR] = {
	"l1d", "verw", "ibpb", "vmscape",
};

/**
 * khv_mitig_parse() - mitigations_off's comma list to bits.
 * @list: the list; NULL or "" is none.
 * @mask: the bits (KHV_MITIG_*), set when the list is valid.
 * @bad: set to the first name that is not one of khv_mitig_names[] (an
 *	 empty name too), up to its comma.
 *
 * Return: 0, or -EINVAL for a name that is not known.
 */
int khv_mitig_parse(const char *list, u32 *mask, const char **bad)
{
	const char *p = list;
	u32 m = 0;

	if (!p || !*p) {
		*mask = 0;
		return 0;
	}
	for (;;) {
		size_t len = strcspn(p, ",");
		int i;

		for (i = 0; i < KHV_MITIG_NR; i++)
			if (len == strlen(khv_mitig_names[i]) &&
			    !strncmp(p, khv_mitig_names[i], len))
				break;
		if (i == KHV_MITIG_NR) {
			*bad = p;
			return -EINVAL;
		}
		m |= BIT(i);
		if (!p[len])
			break;
		p += len + 1;
	}
	*mask = m;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(khv_mitig_parse);

enum khv_mitig_state { KHV_MS_UNNEEDED, KHV_MS_ON, KHV_MS_OFF, KHV_MS_FIXED };

static const char *const khv_mitig_states[] = {
	[KHV_MS_UNNEEDED] = "unneeded",
	[KHV_MS_ON] = "on",
	[KHV_MS_OFF] = "off",
	[KHV_MS_FIXED] = "fixed",
};

/*
 * Everything the entry path may apply: the switchable ones by their bit,
 * then those mitigations_off leaves alone ("fixed" when the host asks for
 * them: their cost shows only against a host booted without them).
 */
enum khv_mitig_index {
	KHV_MI_L1D, KHV_MI_VERW, KHV_MI_IBPB, KHV_MI_VMSCAPE,
	KHV_MI_RSB, KHV_MI_BHB, KHV_MI_IBRS, KHV_MI_IBPB_EXIT,
	KHV_MI_ALL
};

static_assert(BIT(KHV_MI_L1D) == KHV_MITIG_L1D &&
	      BIT(KHV_MI_VERW) == KHV_MITIG_VERW &&
	      BIT(KHV_MI_IBPB) == KHV_MITIG_IBPB &&
	      BIT(KHV_MI_VMSCAPE) == KHV_MITIG_VMSCAPE &&
	      KHV_MI_RSB == KHV_MITIG_NR);

static const char *const khv_mitig_fixed_names[] = {
	"rsb", "bhb", "ibrs", "ibpb_vmexit",
};

static bool khv_mitig_vmx __ro_after_init;

/*
 * Whether the host asks for mitigation @i on khv's entry path: the tests of
 * the places that apply it (vmx/run.c, vmx/vmenter.S, svm/vmenter.S, spec.c).
 */
static bool khv_mitig_needed(int i)
{
	bool vmx = khv_mitig_vmx;

	switch (i) {
	case KHV_MI_L1D:
		return vmx && boot_cpu_has_bug(X86_BUG_L1TF);
	case KHV_MI_VERW:
		return (vmx && boot_cpu_has(X86_FEATURE_CLEAR_CPU_BUF)) ||
		       khv_clear_cpu_buf_vm();
	case KHV_MI_IBPB:
		return boot_cpu_has(X86_FEATURE_IBPB);
	case KHV_MI_VMSCAPE:
		return KHV_IBPB_EXIT_TO_USER();
	case KHV_MI_RSB:
		return cpu_feature_enabled(X86_FEATURE_RSB_VMEXIT) ||
		       (vmx && cpu_feature_enabled(X86_FEATURE_RSB_VMEXIT_LITE));
	case KHV_MI_BHB:
#ifdef KHV_FEATURE_CLEAR_BHB_VMEXIT
		return vmx && cpu_feature_enabled(KHV_FEATURE_CLEAR_BHB_VMEXIT);
#else
		return false;
#endif
	case KHV_MI_IBRS:
		return vmx && cpu_feature_enabled(X86_FEATURE_KERNEL_IBRS);
	case KHV_MI_IBPB_EXIT:
#ifdef X86_FEATURE_IBPB_ON_VMEXIT
		return !vmx && cpu_feature_enabled(X86_FEATURE_IBPB_ON_VMEXIT);
#else
		return false;
#endif
	}
	return false;
}

static enum khv_mitig_state khv_mitig_state(int i)
{
	if (!khv_mitig_needed(i))
		return KHV_MS_UNNEEDED;
	if (i >= KHV_MITIG_NR)
		return KHV_MS_FIXED;
	return khv_mitig_off & BIT(i) ? KHV_MS_OFF : KHV_MS_ON;
}

static const char *khv_mitig_name(int i)
{
	return i < KHV_MITIG_NR ? khv_mitig_names[i] :
	       khv_mitig_fixed_names[i - KHV_MITIG_NR];
}

/**
 * khv_mitig_init() - read mitigations_off; log what the entry path applies.
 * @vmx: the backend is Intel VMX (else AMD SVM).
 *
 * Return: 0, or -EINVAL for a name mitigations_off does not know.
 */
int khv_mitig_init(bool vmx)
{
	char line[160];
	const char *bad;
	int i, n = 0;
	u32 mask;

	if (khv_mitig_parse(mitigations_off, &mask, &bad)) {
		pr_err("mitigations_off: unknown mitigation '%.*s' (known: l1d, verw, ibpb, vmscape)\n",
		       (int)strcspn(bad, ","), bad);
		return -EINVAL;
	}
	khv_mitig_vmx = vmx;
	khv_mitig_off = mask;
	for (i = 0; i < KHV_MITIG_NR; i++)
		if (mask & BIT(i))
			pr_warn("mitigations_off: %s switched off for measurement: guests are less isolated%s\n",
				khv_mitig_names[i], khv_mitig_needed(i) ?
				"" : " (this host does not ask for it anyway)");
	if (mask)
		static_branch_enable(&khv_mitig_measuring);

	for (i = 0; i < KHV_MI_ALL; i++)
		n += scnprintf(line + n, sizeof(line) - n, " %s=%s",
			       khv_mitig_name(i),
			       khv_mitig_states[khv_mitig_state(i)]);
	pr_info("mitigations:%s\n", line);
	return 0;
}

/* /sys/kernel/debug/khv/mitigations: one "name state" line each. */
void khv_mitig_show(struct seq_file *m)
{
	int i;

	for (i = 0; i < KHV_MI_ALL; i++)
		seq_printf(m, "%s %s\n", khv_mitig_name(i),
			   khv_mitig_states[khv_mitig_state(i)]);
}
