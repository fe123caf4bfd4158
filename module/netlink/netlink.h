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
struct khv_audit_rec;
struct khv_subject;
struct khv_mgmt_listener;

/* Read at most this much guest memory per request: nla_len is 16 bits. */
#define KHV_INTROSPECT_MEM_MAX	32768

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
int khv_nl_host_set_doit(struct sk_buff *skb, struct genl_info *info);

/* perm.c */
void khv_nl_subject(struct khv_subject *s, const struct sk_buff *skb);
void khv_nl_subject_hold(struct khv_subject *s, struct netlink_callback *cb);
void khv_nl_subject_put(struct khv_subject *s);

/* vm.c */
int khv_nl_vm_fill(struct sk_buff *skb, struct khv_vm *vm, u32 portid,
		   u32 seq, int flags, u8 cmd);
int khv_nl_vm_get_doit(struct sk_buff *skb, struct genl_info *info);
int khv_nl_vm_get_start(struct netlink_callback *cb);
int khv_nl_vm_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int khv_nl_vm_get_done(struct netlink_callback *cb);
int khv_nl_vm_set_doit(struct sk_buff *skb, struct genl_info *info);
int khv_nl_vm_pause_doit(struct sk_buff *skb, struct genl_info *info);
int khv_nl_vm_resume_doit(struct sk_buff *skb, struct genl_info *info);
int khv_nl_vm_destroy_doit(struct sk_buff *skb, struct genl_info *info);
struct khv_vm *khv_nl_vm_from_attr(struct genl_info *info, int type);
int khv_nl_vm_allowed(const struct sk_buff *skb, struct genl_info *info,
		      int type, struct khv_vm *vm, u32 grant_op, u32 audit_op);

/* grant.c */
int khv_nl_admin_check(const struct sk_buff *skb,
		       struct netlink_ext_ack *extack, u32 audit_op,
		       const char *object);
int khv_nl_grant_add_doit(struct sk_buff *skb, struct genl_info *info);
int khv_nl_grant_del_doit(struct sk_buff *skb, struct genl_info *info);
int khv_nl_grant_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);

/* audit.c */
void khv_nl_audit_notify(const struct khv_audit_rec *rec);
int khv_nl_audit_get_doit(struct sk_buff *skb, struct genl_info *info);
int khv_nl_audit_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int khv_nl_audit_set_doit(struct sk_buff *skb, struct genl_info *info);

/* introspect.c */
int khv_nl_introspect_regs_doit(struct sk_buff *skb, struct genl_info *info);
int khv_nl_introspect_mem_doit(struct sk_buff *skb, struct genl_info *info);

/* notify.c: the monitor group; @cmd is KHV_CMD_VM_{CREATE,DELETE,CHANGE}_NTF. */
extern const struct khv_mgmt_listener khv_nl_listener;
struct sk_buff *khv_nl_event_new(void);
void khv_nl_event_send(struct sk_buff *msg, int r);
void khv_nl_vm_notify(struct khv_vm *vm, u8 cmd);

#endif /* KHV_NETLINK_H */
