/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The khv generic netlink family (Documentation/netlink/specs/khv.yaml):
 * the management plane through which administrators see and control every
 * VM on the host. The family, its policies and operations table, and the
 * callbacks it names are generated from the spec (netlink_gen.h).
 */
#ifndef KHV_NETLINK_H
#define KHV_NETLINK_H

#include <net/genetlink.h>
#include <uapi/linux/khv_netlink.h>

#include "netlink_gen.h"
#include "quota.h"

struct khv_vm;
struct khv_audit_rec;
struct khv_subject;
struct khv_mgmt_listener;

/* Read at most this much guest memory per request: nla_len is 16 bits. */
#define KHV_INTROSPECT_MEM_MAX	32768

/* family.c */
int khv_nl_init(void);
void khv_nl_exit(void);

/* guard.c: the operations' preamble (khv_nl_pre_vm(), khv_nl_pre_admin()). */
int khv_nl_dump_admin_check(struct netlink_callback *cb);
struct khv_vm *khv_nl_vm_from_attr(struct genl_info *info, int type);
int khv_nl_vm_refused(struct genl_info *info, struct nlattr *attr,
		      const struct khv_subject *s, struct khv_vm *vm,
		      u32 audit_op, const char *new, bool by_name);

/* The VM of an operation that khv_nl_pre_vm() let through. */
static inline struct khv_vm *khv_nl_vm(struct genl_info *info)
{
	return info->user_ptr[0];
}

/* perm.c */
void khv_nl_subject(struct khv_subject *s, const struct sk_buff *skb);
void khv_nl_subject_hold(struct khv_subject *s, struct netlink_callback *cb);
void khv_nl_subject_put(struct khv_subject *s);

/* vm.c */
int khv_nl_vm_fill(struct sk_buff *skb, struct khv_vm *vm, u32 portid,
		   u32 seq, int flags, u8 cmd);

/* quota.c */
int khv_nl_page_bytes(struct genl_info *info, int type, u64 *val);
void khv_nl_quota_refused(struct netlink_ext_ack *extack,
			  enum khv_quota_limit limit, u64 excess);

/* audit.c */
void khv_nl_audit_notify(const struct khv_audit_rec *rec);

/* notify.c: the monitor group; @cmd is KHV_CMD_VM_{CREATE,DELETE,CHANGE}_NTF. */
extern const struct khv_mgmt_listener khv_nl_listener;
struct sk_buff *khv_nl_event_new(void);
void khv_nl_event_send(struct sk_buff *msg, int r);
void khv_nl_vm_notify(struct khv_vm *vm, u8 cmd);

#endif /* KHV_NETLINK_H */
