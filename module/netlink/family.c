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

#include "audit.h"
#include "khv.h"
#include "mgmt.h"
#include "netlink.h"

static const struct nla_policy khv_nl_host_set_policy[KHV_A_HOST_MAX_VMS_PER_USER + 1] = {
	[KHV_A_HOST_MAX_VMS_PER_USER] = NLA_POLICY_RANGE(NLA_U32, 1, KHV_MAX_VMS),
};

static const struct nla_policy khv_nl_vm_get_policy[KHV_A_VM_NAME + 1] = {
	[KHV_A_VM_ID] = NLA_POLICY_MIN(NLA_U64, 1),
	[KHV_A_VM_NAME] = { .type = NLA_NUL_STRING,
			    .len = KHV_VM_NAME_MAX - 1 },
};

static const struct nla_policy khv_nl_vm_set_policy[KHV_A_VM_TAGS + 1] = {
	[KHV_A_VM_ID] = NLA_POLICY_MIN(NLA_U64, 1),
	[KHV_A_VM_NAME] = { .type = NLA_NUL_STRING,
			    .len = KHV_VM_NAME_MAX - 1 },
	[KHV_A_VM_TAGS] = { .type = NLA_NUL_STRING,
			    .len = KHV_VM_TAGS_MAX - 1 },
};

/* vm-pause, vm-resume, vm-destroy: the VM's id only. */
static const struct nla_policy khv_nl_vm_id_policy[KHV_A_VM_ID + 1] = {
	[KHV_A_VM_ID] = NLA_POLICY_MIN(NLA_U64, 1),
};

static const struct nla_policy khv_nl_grant_add_policy[KHV_A_GRANT_ACTION + 1] = {
	[KHV_A_GRANT_SUBJECT_TYPE] = NLA_POLICY_RANGE(NLA_U32, KHV_GRANT_SUBJECT_UID,
						      KHV_GRANT_SUBJECT_GID),
	[KHV_A_GRANT_SUBJECT] = { .type = NLA_U32 },
	[KHV_A_GRANT_OP] = NLA_POLICY_RANGE(NLA_U32, KHV_GRANT_OP_CREATE,
					    KHV_GRANT_OP_TAG),
	[KHV_A_GRANT_OBJECT_TYPE] = NLA_POLICY_RANGE(NLA_U32, KHV_GRANT_OBJECT_VM,
						     KHV_GRANT_OBJECT_ALL),
	[KHV_A_GRANT_VM_ID] = NLA_POLICY_MIN(NLA_U64, 1),
	[KHV_A_GRANT_TAG] = { .type = NLA_NUL_STRING, .len = KHV_TAG_MAX - 1 },
	[KHV_A_GRANT_ACTION] = NLA_POLICY_RANGE(NLA_U32, KHV_GRANT_ACTION_ALLOW,
						KHV_GRANT_ACTION_DENY),
};

static const struct nla_policy khv_nl_grant_del_policy[KHV_A_GRANT_ID + 1] = {
	[KHV_A_GRANT_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* audit-get: the dump's request may say where to start. */
static const struct nla_policy khv_nl_audit_get_policy[KHV_A_AUDIT_SEQ + 1] = {
	[KHV_A_AUDIT_SEQ] = { .type = NLA_U64 },
};

/*
 * NLA_POLICY_RANGE() holds 16-bit bounds: these need a full range. Not const:
 * 6.1's struct nla_policy points at a modifiable one (read-only after init).
 */
static struct netlink_range_validation khv_nl_ring_size_range __ro_after_init = {
	.min = KHV_AUDIT_RING_MIN,
	.max = KHV_AUDIT_RING_MAX,
};

static struct netlink_range_validation khv_nl_denial_burst_range __ro_after_init = {
	.min = 0,
	.max = KHV_AUDIT_BURST_MAX,
};

static struct netlink_range_validation khv_nl_denial_interval_range __ro_after_init = {
	.min = 1,
	.max = KHV_AUDIT_INTERVAL_MAX,
};

static struct netlink_range_validation khv_nl_introspect_len_range __ro_after_init = {
	.min = 1,
	.max = KHV_INTROSPECT_MEM_MAX,
};

static const struct nla_policy khv_nl_audit_set_policy[KHV_A_AUDIT_DENIAL_INTERVAL + 1] = {
	[KHV_A_AUDIT_RING_SIZE] = NLA_POLICY_FULL_RANGE(NLA_U32,
							&khv_nl_ring_size_range),
	[KHV_A_AUDIT_DENIAL_BURST] = NLA_POLICY_FULL_RANGE(NLA_U32,
							   &khv_nl_denial_burst_range),
	[KHV_A_AUDIT_DENIAL_INTERVAL] = NLA_POLICY_FULL_RANGE(NLA_U32,
							      &khv_nl_denial_interval_range),
};

static const struct nla_policy khv_nl_introspect_regs_policy[KHV_A_INTROSPECT_VCPU_ID + 1] = {
	[KHV_A_INTROSPECT_VM_ID] = NLA_POLICY_MIN(NLA_U64, 1),
	[KHV_A_INTROSPECT_VCPU_ID] = NLA_POLICY_MAX(NLA_U32, KHV_MAX_VCPUS - 1),
};

static const struct nla_policy khv_nl_introspect_mem_policy[KHV_A_INTROSPECT_LEN + 1] = {
	[KHV_A_INTROSPECT_VM_ID] = NLA_POLICY_MIN(NLA_U64, 1),
	[KHV_A_INTROSPECT_GPA] = { .type = NLA_U64 },
	[KHV_A_INTROSPECT_LEN] = NLA_POLICY_FULL_RANGE(NLA_U32,
						       &khv_nl_introspect_len_range),
};

/*
 * struct genl_ops with a policy per operation rather than split ops: 6.1
 * has no split ops, and 6.12 and 7.3 still accept these. No GENL_ADMIN_PERM:
 * every operation checks itself, before any effect, CAP_SYS_ADMIN or a
 * grant (policy.c), so that each refusal is audited and names what is
 * missing. An operation without a policy takes no attribute.
 */
static const struct genl_ops khv_nl_ops[] = {
	{
		.cmd = KHV_CMD_HOST_GET,
		.doit = khv_nl_host_get_doit,
	},
	{
		.cmd = KHV_CMD_VM_GET,
		.doit = khv_nl_vm_get_doit,
		.start = khv_nl_vm_get_start,
		.dumpit = khv_nl_vm_get_dumpit,
		.done = khv_nl_vm_get_done,
		.policy = khv_nl_vm_get_policy,
		.maxattr = ARRAY_SIZE(khv_nl_vm_get_policy) - 1,
	},
	{
		.cmd = KHV_CMD_VM_SET,
		.doit = khv_nl_vm_set_doit,
		.policy = khv_nl_vm_set_policy,
		.maxattr = ARRAY_SIZE(khv_nl_vm_set_policy) - 1,
	},
	{
		.cmd = KHV_CMD_VM_PAUSE,
		.doit = khv_nl_vm_pause_doit,
		.policy = khv_nl_vm_id_policy,
		.maxattr = ARRAY_SIZE(khv_nl_vm_id_policy) - 1,
	},
	{
		.cmd = KHV_CMD_VM_RESUME,
		.doit = khv_nl_vm_resume_doit,
		.policy = khv_nl_vm_id_policy,
		.maxattr = ARRAY_SIZE(khv_nl_vm_id_policy) - 1,
	},
	{
		.cmd = KHV_CMD_VM_DESTROY,
		.doit = khv_nl_vm_destroy_doit,
		.policy = khv_nl_vm_id_policy,
		.maxattr = ARRAY_SIZE(khv_nl_vm_id_policy) - 1,
	},
	{
		.cmd = KHV_CMD_GRANT_ADD,
		.doit = khv_nl_grant_add_doit,
		.policy = khv_nl_grant_add_policy,
		.maxattr = ARRAY_SIZE(khv_nl_grant_add_policy) - 1,
	},
	{
		.cmd = KHV_CMD_GRANT_DEL,
		.doit = khv_nl_grant_del_doit,
		.policy = khv_nl_grant_del_policy,
		.maxattr = ARRAY_SIZE(khv_nl_grant_del_policy) - 1,
	},
	{
		.cmd = KHV_CMD_GRANT_GET,
		.dumpit = khv_nl_grant_get_dumpit,
	},
	{
		.cmd = KHV_CMD_AUDIT_GET,
		.doit = khv_nl_audit_get_doit,
		.dumpit = khv_nl_audit_get_dumpit,
		.policy = khv_nl_audit_get_policy,
		.maxattr = ARRAY_SIZE(khv_nl_audit_get_policy) - 1,
	},
	{
		.cmd = KHV_CMD_AUDIT_SET,
		.doit = khv_nl_audit_set_doit,
		.policy = khv_nl_audit_set_policy,
		.maxattr = ARRAY_SIZE(khv_nl_audit_set_policy) - 1,
	},
	{
		.cmd = KHV_CMD_INTROSPECT_REGS,
		.doit = khv_nl_introspect_regs_doit,
		.policy = khv_nl_introspect_regs_policy,
		.maxattr = ARRAY_SIZE(khv_nl_introspect_regs_policy) - 1,
	},
	{
		.cmd = KHV_CMD_INTROSPECT_MEM,
		.doit = khv_nl_introspect_mem_doit,
		.policy = khv_nl_introspect_mem_policy,
		.maxattr = ARRAY_SIZE(khv_nl_introspect_mem_policy) - 1,
	},
	{
		.cmd = KHV_CMD_HOST_SET,
		.doit = khv_nl_host_set_doit,
		.policy = khv_nl_host_set_policy,
		.maxattr = ARRAY_SIZE(khv_nl_host_set_policy) - 1,
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
	if (r) {
		pr_err("cannot register generic netlink family %s: %d\n",
		       KHV_FAMILY_NAME, r);
		return r;
	}
	khv_mgmt_listen(&khv_nl_listener);
	return 0;
}

void khv_nl_exit(void)
{
	/* No event is in the listener once this returns. */
	khv_mgmt_unlisten();
	genl_unregister_family(&khv_nl_family);
}
