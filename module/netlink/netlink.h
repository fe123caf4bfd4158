/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The khv generic netlink family (Documentation/netlink/specs/khv.yaml):
 * the management plane through which administrators see and control every
 * VM on the host.
 */
#ifndef KHV_NETLINK_H
#define KHV_NETLINK_H

#include <net/genetlink.h>
#include <uapi/linux/khv_netlink.h>

struct khv_vm;

/* Multicast groups, in the order of the family's mcgrps table. */
enum khv_nl_mcgrp {
	KHV_NLGRP_MONITOR,
};

extern struct genl_family khv_nl_family;

/* family.c */
int khv_nl_init(void);
void khv_nl_exit(void);

/* host.c */
int khv_nl_host_get_doit(struct sk_buff *skb, struct genl_info *info);

/* vm.c */
int khv_nl_vm_fill(struct sk_buff *skb, struct khv_vm *vm, u32 portid,
		   u32 seq, int flags, u8 cmd);
int khv_nl_vm_get_doit(struct sk_buff *skb, struct genl_info *info);
int khv_nl_vm_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int khv_nl_vm_set_doit(struct sk_buff *skb, struct genl_info *info);

/* notify.c: @cmd is KHV_CMD_VM_{CREATE,DELETE,CHANGE}_NTF. */
void khv_nl_vm_notify(struct khv_vm *vm, u8 cmd);

#endif /* KHV_NETLINK_H */
