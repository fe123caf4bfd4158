// SPDX-License-Identifier: GPL-2.0-only
/*
 * The khv generic netlink family: its operations, their attribute policies
 * and its multicast groups, as Documentation/netlink/specs/khv.yaml states
 * them. One policy per operation, so that an attribute an operation does not
 * take is refused rather than ignored.
 */
#define pr_fmt(fmt) "khv: " fmt

#include <linux/module.h>
#include <net/genetlink.h>

#include "khv.h"
#include "netlink.h"

static const struct nla_policy khv_nl_vm_get_policy[KHV_A_VM_ID + 1] = {
	[KHV_A_VM_ID] = NLA_POLICY_MIN(NLA_U64, 1),
};

static const struct nla_policy khv_nl_vm_set_policy[KHV_A_VM_NAME + 1] = {
	[KHV_A_VM_ID] = NLA_POLICY_MIN(NLA_U64, 1),
	[KHV_A_VM_NAME] = { .type = NLA_NUL_STRING,
			    .len = KHV_VM_NAME_MAX - 1 },
};

/*
 * struct genl_ops with a policy per operation rather than split ops: 6.1
 * has no split ops, and 6.12 and 7.3 still accept these.
 */
static const struct genl_ops khv_nl_ops[] = {
	{
		.cmd = KHV_CMD_HOST_GET,
		.doit = khv_nl_host_get_doit,
	},
	{
		.cmd = KHV_CMD_VM_GET,
		.doit = khv_nl_vm_get_doit,
		.dumpit = khv_nl_vm_get_dumpit,
		.policy = khv_nl_vm_get_policy,
		.maxattr = ARRAY_SIZE(khv_nl_vm_get_policy) - 1,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = KHV_CMD_VM_SET,
		.doit = khv_nl_vm_set_doit,
		.policy = khv_nl_vm_set_policy,
		.maxattr = ARRAY_SIZE(khv_nl_vm_set_policy) - 1,
		.flags = GENL_ADMIN_PERM,
	},
};

/* Events name other users' VMs and processes: administrators only. */
static const struct genl_multicast_group khv_nl_mcgrps[] = {
	[KHV_NLGRP_MONITOR] = {
		.name = KHV_MCGRP_MONITOR,
		.flags = GENL_MCAST_CAP_SYS_ADMIN,
	},
};

/*
 * Not netnsok: VMs belong to the host, so the family exists in the initial
 * network namespace only. resv_start_op 0: every operation has its header's
 * reserved field checked and unknown attributes refused.
 */
struct genl_family khv_nl_family __ro_after_init = {
	.name = KHV_FAMILY_NAME,
	.version = KHV_FAMILY_VERSION,
	.module = THIS_MODULE,
	.ops = khv_nl_ops,
	.n_ops = ARRAY_SIZE(khv_nl_ops),
	.resv_start_op = 0,
	.mcgrps = khv_nl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(khv_nl_mcgrps),
};

int __init khv_nl_init(void)
{
	int r;

	r = genl_register_family(&khv_nl_family);
	if (r)
		pr_err("cannot register generic netlink family %s: %d\n",
		       KHV_FAMILY_NAME, r);
	return r;
}

void khv_nl_exit(void)
{
	genl_unregister_family(&khv_nl_family);
}
