/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The isolation mitigations khv applies on guest entry and exit that the
 * load-time parameter mitigations_off may switch off, one at a time, to
 * measure what each costs (Documentation/admin-guide.rst, "Measuring the
 * mitigations"). Usable from assembly (the bits).
 */
#ifndef KHV_MITIG_H
#define KHV_MITIG_H

#include <linux/bits.h>

#define KHV_MITIG_L1D		BIT(0)	/* L1D flush before VMX entry (L1TF) */
#define KHV_MITIG_VERW		BIT(1)	/* VERW before entry (MDS, TAA, RFDS, TSA) */
#define KHV_MITIG_IBPB		BIT(2)	/* IBPB between VMs, and before KVM's */
#define KHV_MITIG_VMSCAPE	BIT(3)	/* IBPB before host user space (VMSCAPE) */
#define KHV_MITIG_NR		4

#ifndef __ASSEMBLY__
#include <linux/jump_label.h>
#include <linux/types.h>

struct seq_file;

/* The bits switched off; set at load, read only while the key is on. */
extern u32 khv_mitig_off;
DECLARE_STATIC_KEY_FALSE(khv_mitig_measuring);

/*
 * khv_mitig_skip() - whether mitigation @m is switched off for measurement.
 * A patched-out jump unless mitigations_off was given: it adds no branch to
 * the entry path of a module loaded with the defaults. Test it after the
 * host's own reasons for the mitigation, beside each decision.
 */
static __always_inline bool khv_mitig_skip(u32 m)
{
	return static_branch_unlikely(&khv_mitig_measuring) &&
	       (khv_mitig_off & m);
}

/* mitig.c */
int khv_mitig_parse(const char *list, u32 *mask, const char **bad);
int khv_mitig_init(bool vmx);
void khv_mitig_show(struct seq_file *m);
#endif

#endif /* KHV_MITIG_H */
