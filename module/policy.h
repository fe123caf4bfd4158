/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * policy.c: grant rules and their checks against a caller's credentials
 * (Documentation/admin-guide.rst, "Who may do what").
 */
#ifndef KHV_POLICY_H
#define KHV_POLICY_H

#include <linux/types.h>

#include "grant.h"

struct cred;
struct khv_vm;

#define KHV_GRANT_MAX	256

/*
 * Whom a check is for: the credentials that sent the request and, for a
 * netlink socket opened by someone else, those of its opener (both must be
 * allowed: Documentation/admin-guide.rst, "Who may do what"); and whether
 * CAP_SYS_ADMIN, which no grant restricts, was found in both.
 */
struct khv_subject {
	const struct cred *cred;
	const struct cred *opener;	/* NULL: the same as @cred */
	bool admin;
};

bool khv_grant_allows(const struct khv_subject *s, u32 op,
		      struct khv_vm *vm);
bool khv_grant_allows_tags(const struct khv_subject *s, u32 op,
			   struct khv_vm *vm, const char *tags);
int khv_grant_check(u32 op, struct khv_vm *vm);
int khv_grant_add(const struct khv_grant_rule *rule, u32 *id);
int khv_grant_del(u32 id);
bool khv_grant_get_next(u32 *id, struct khv_grant_rule *rule);
void khv_grant_exit(void);

#endif /* KHV_POLICY_H */
