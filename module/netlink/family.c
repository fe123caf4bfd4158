// SPDX-License-Identifier: GPL-2.0-only
/*
 * The khv generic netlink family's registration. The family itself, its
 * operations, their attribute policies and its multicast groups are
 * generated from Documentation/netlink/specs/khv.yaml (netlink_gen.c);
 * the spec's bounds must be the module's.
 */
#define pr_fmt(fmt) "khv: " fmt

#include <linux/module.h>
#include <net/genetlink.h>

#include "audit.h"
#include "khv.h"
#include "mgmt.h"
#include "netlink.h"
#include "quota_run.h"

static_assert(KHV_NL_VM_NAME_MAX_LEN + 1 == KHV_VM_NAME_MAX);
static_assert(KHV_NL_VM_TAGS_MAX_LEN + 1 == KHV_VM_TAGS_MAX);
static_assert(KHV_NL_GRANT_TAG_MAX_LEN + 1 == KHV_TAG_MAX);
static_assert(KHV_NL_AUDIT_RING_SIZE_MIN == KHV_AUDIT_RING_MIN);
static_assert(KHV_NL_AUDIT_RING_SIZE_MAX == KHV_AUDIT_RING_MAX);
static_assert(KHV_NL_AUDIT_DENIAL_BURST_MAX == KHV_AUDIT_BURST_MAX);
static_assert(KHV_NL_AUDIT_DENIAL_INTERVAL_MAX == KHV_AUDIT_INTERVAL_MAX);
static_assert(KHV_NL_INTROSPECT_VCPU_ID_MAX + 1 == KHV_MAX_VCPUS);
static_assert(KHV_NL_INTROSPECT_LEN_MAX == KHV_INTROSPECT_MEM_MAX);
static_assert(KHV_NL_HOST_MAX_VMS_PER_USER_MAX == KHV_MAX_VMS);
static_assert(KHV_NL_HOST_DEFAULT_CPU_CAP_MAX == KHV_CPU_CAP_MAX);
static_assert(KHV_NL_HOST_DEFAULT_IO_EXITS_RATE_MAX == KHV_IO_RATE_MAX);
static_assert(KHV_NL_HOST_DEFAULT_IO_BYTES_RATE_MAX == KHV_IO_RATE_MAX);
static_assert(KHV_NL_VM_CPU_CAP_MAX == KHV_CPU_CAP_MAX);
static_assert(KHV_NL_VM_IO_EXITS_RATE_MAX == KHV_IO_RATE_MAX);
static_assert(KHV_NL_VM_IO_BYTES_RATE_MAX == KHV_IO_RATE_MAX);
static_assert(KHV_NL_HOST_CPU_BUDGET_MAX == KHV_CPU_BUDGET_MAX);
static_assert(KHV_NL_HOST_DEFAULT_CPU_WEIGHT_MAX == KHV_CPU_WEIGHT_MAX);
static_assert(KHV_NL_VM_CPU_WEIGHT_MAX == KHV_CPU_WEIGHT_MAX);
static_assert(KHV_NL_VM_CPU_RESERVATION_MAX == KHV_CPU_RESV_MAX);
static_assert(KHV_NL_HOST_DEFAULT_MEM_PRIORITY_MAX == KHV_MEM_PRIORITY_MAX);
static_assert(KHV_NL_VM_MEM_PRIORITY_MAX == KHV_MEM_PRIORITY_MAX);

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
