// SPDX-License-Identifier: GPL-2.0-only
/*
 * /sys/kernel/debug/khv/state: the module's own counters, for tests and
 * for people (lines of "key value"); exits; mitigations (mitig.c);
 * iommu_fault (iommu/fault.c).
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "khv.h"
#include "mgmt.h"
#include "mitig.h"

static struct dentry *khv_debugfs_dir;

/*
 * Exits of every vCPU since load, by reason: /sys/kernel/debug/khv/exits.
 * Per CPU, so that an exit writes no cache line other CPUs' exits write
 * (KVM's stats are per vCPU, summed when read); summed over the possible
 * CPUs when read, so a CPU going offline loses none.
 */
static DEFINE_PER_CPU(u64 [KHV_STAT_NR], khv_stats);

static const char *const khv_stat_names[KHV_STAT_NR] = {
	[KHV_STAT_INTR] = "intr",
	[KHV_STAT_CPUID] = "cpuid",
	[KHV_STAT_HLT] = "hlt",
	[KHV_STAT_IO] = "io",
	[KHV_STAT_MSR] = "msr",
	[KHV_STAT_NPF] = "npf",
	[KHV_STAT_HYPERCALL] = "hypercall",
	[KHV_STAT_EXCEPTION] = "exception",
	[KHV_STAT_SHUTDOWN] = "shutdown",
	[KHV_STAT_OTHER] = "other",
};

/* Called on every exit by the backends: one increment per counter. */
void khv_stat_count(struct khv_vcpu *vcpu, enum khv_exit_stat stat)
{
	vcpu->stats[stat]++;
	this_cpu_inc(khv_stats[stat]);
}

static int khv_exits_show(struct seq_file *m, void *unused)
{
	u64 sum;
	int i, cpu;

	for (i = 0; i < KHV_STAT_NR; i++) {
		sum = 0;
		for_each_possible_cpu(cpu)
			sum += per_cpu(khv_stats, cpu)[i];
		seq_printf(m, "%s %llu\n", khv_stat_names[i], sum);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(khv_exits);

static const char *const khv_owner_names[] = {
	[KHV_VIRT_OFF] = "off",
	[KHV_VIRT_OWNED] = "owned",
	[KHV_VIRT_SHARED] = "shared",
};

static int khv_state_show(struct seq_file *m, void *unused)
{
	u32 owner = khv_virt_owner();

	seq_printf(m, "vendor %s\n", khv_arch->name);
	seq_printf(m, "vms %u\n", khv_vms_alive());
	seq_printf(m, "vms_created %llu\n", khv_vms_created());
	seq_printf(m, "virt %s\n", owner < ARRAY_SIZE(khv_owner_names) &&
		   khv_owner_names[owner] ? khv_owner_names[owner] : "?");
	seq_printf(m, "virt_users %u\n", khv_virt_users());
	seq_printf(m, "kicks %llu\n", khv_kicks());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(khv_state);

static int khv_mitigations_show(struct seq_file *m, void *unused)
{
	khv_mitig_show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(khv_mitigations);

void khv_debugfs_init(void)
{
	khv_debugfs_dir = debugfs_create_dir("khv", NULL);
	debugfs_create_file("state", 0400, khv_debugfs_dir, NULL,
			    &khv_state_fops);
	debugfs_create_file("exits", 0400, khv_debugfs_dir, NULL,
			    &khv_exits_fops);
	debugfs_create_file("mitigations", 0400, khv_debugfs_dir, NULL,
			    &khv_mitigations_fops);
	khv_iommu_debugfs_init(khv_debugfs_dir);
}

void khv_debugfs_exit(void)
{
	debugfs_remove_recursive(khv_debugfs_dir);
}
