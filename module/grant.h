/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * grant.c: pure grant resolution and tag syntax, KUnit-tested (grant_test.c).
 * The rules' table and the checks against credentials: policy.h.
 */
#ifndef KHV_GRANT_H
#define KHV_GRANT_H

#include <linux/types.h>
#include <uapi/linux/khv_netlink.h>

#include "labels.h"

struct group_info;

struct khv_grant_rule {
	u32 id;
	u32 subject_type;	/* KHV_GRANT_SUBJECT_* */
	u32 subject;		/* uid or gid, initial user namespace */
	u32 op;			/* KHV_GRANT_OP_* */
	u32 object_type;	/* KHV_GRANT_OBJECT_* */
	u32 action;		/* KHV_GRANT_ACTION_* */
	u64 vm_id;		/* object VM */
	char tag[KHV_TAG_MAX];	/* object TAG */
};

/*
 * Who asks: effective uid and gid, and every supplementary group (sorted, as
 * in a struct cred; NULL for none), all in the initial user namespace.
 */
struct khv_grant_actor {
	u32 uid;
	u32 gid;
	const struct group_info *groups;
};

/* What is asked about: a VM (its id and tags), or the host (vm_id 0). */
struct khv_grant_target {
	u64 vm_id;
	const char *tags;
};

enum khv_grant_verdict {
	KHV_GRANT_NONE,		/* no rule matches: deny without CAP_SYS_ADMIN */
	KHV_GRANT_ALLOW,
	KHV_GRANT_DENY,
};

enum khv_grant_verdict khv_grant_resolve(const struct khv_grant_rule *rules,
					 unsigned int n,
					 const struct khv_grant_actor *actor,
					 u32 op,
					 const struct khv_grant_target *target);
bool khv_tag_valid(const char *tag);
bool khv_tags_valid(const char *tags);
bool khv_tags_has(const char *tags, const char *tag);

#endif /* KHV_GRANT_H */
