// SPDX-License-Identifier: GPL-2.0-only
/*
 * Grant rules (SPEC.md HY-SR-18): the administrator's table of
 * subject x operation x object -> allow | deny, and the check every
 * management operation and KHV_CREATE_VM makes against it before any
 * effect. CAP_SYS_ADMIN passes every check; anyone else needs a matching
 * allow and no matching deny (grant.c resolves).
 */
#define pr_fmt(fmt) "khv: " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>

#include "khv.h"

/* Protects khv_grants[], khv_nr_grants and khv_grant_next_id. */
static DEFINE_MUTEX(khv_grant_lock);
static struct khv_grant_rule khv_grants[KHV_GRANT_MAX];
static unsigned int khv_nr_grants;
static u32 khv_grant_next_id = 1;

/* Groups beyond this many are not looked at (the kernel allows 65536). */
#define KHV_GRANT_MAX_GIDS	64

/**
 * khv_grant_check() - may current do @op to @vm?
 * @op: KHV_GRANT_OP_*.
 * @vm: the VM, referenced; NULL for the host (create).
 *
 * Return: 0, or -EPERM. The caller audits the refusal.
 */
int khv_grant_check(u32 op, struct khv_vm *vm)
{
	const struct cred *cred = current_cred();
	struct khv_grant_target target = { 0 };
	struct khv_grant_actor actor = { 0 };
	enum khv_grant_verdict v;
	char tags[KHV_VM_TAGS_MAX];
	u32 *gids;
	int i, n;

	if (capable(CAP_SYS_ADMIN))
		return 0;

	n = min_t(int, cred->group_info->ngroups, KHV_GRANT_MAX_GIDS - 1);
	gids = kcalloc(n + 1, sizeof(*gids), GFP_KERNEL);
	if (!gids)
		return -ENOMEM;
	/* The family lives in the initial namespaces only (not netnsok). */
	actor.uid = from_kuid_munged(&init_user_ns, cred->euid);
	gids[0] = from_kgid_munged(&init_user_ns, cred->egid);
	for (i = 0; i < n; i++)
		gids[i + 1] = from_kgid_munged(&init_user_ns,
					       cred->group_info->gid[i]);
	actor.gids = gids;
	actor.ngids = n + 1;

	if (vm) {
		mutex_lock(&vm->lock);
		strscpy(tags, vm->tags, sizeof(tags));
		mutex_unlock(&vm->lock);
		target.vm_id = vm->id;
		target.tags = tags;
	}
	mutex_lock(&khv_grant_lock);
	v = khv_grant_resolve(khv_grants, khv_nr_grants, &actor, op, &target);
	mutex_unlock(&khv_grant_lock);
	kfree(gids);
	return v == KHV_GRANT_ALLOW ? 0 : -EPERM;
}

/**
 * khv_grant_add() - add a validated rule.
 * @rule: the rule; its id is ignored.
 * @id:   out: the id given to it.
 *
 * Return: 0; -ENOSPC when KHV_GRANT_MAX rules exist; -EEXIST when the same
 * rule (all but the id) exists already.
 */
int khv_grant_add(const struct khv_grant_rule *rule, u32 *id)
{
	struct khv_grant_rule *g;
	unsigned int i;
	int r = 0;

	mutex_lock(&khv_grant_lock);
	for (i = 0; i < khv_nr_grants; i++) {
		g = &khv_grants[i];
		if (g->subject_type == rule->subject_type &&
		    g->subject == rule->subject && g->op == rule->op &&
		    g->object_type == rule->object_type &&
		    g->action == rule->action && g->vm_id == rule->vm_id &&
		    !strcmp(g->tag, rule->tag)) {
			*id = g->id;
			r = -EEXIST;
			goto out;
		}
	}
	if (khv_nr_grants == KHV_GRANT_MAX) {
		r = -ENOSPC;
		goto out;
	}
	g = &khv_grants[khv_nr_grants++];
	*g = *rule;
	g->id = khv_grant_next_id++;
	*id = g->id;
out:
	mutex_unlock(&khv_grant_lock);
	return r;
}

/**
 * khv_grant_del() - delete the rule with this id.
 * @id: its id.
 *
 * Return: 0, or -ENOENT.
 */
int khv_grant_del(u32 id)
{
	unsigned int i;
	int r = -ENOENT;

	mutex_lock(&khv_grant_lock);
	for (i = 0; i < khv_nr_grants; i++) {
		if (khv_grants[i].id != id)
			continue;
		/* Keep the order: ids stay ascending for dumps. */
		memmove(&khv_grants[i], &khv_grants[i + 1],
			(khv_nr_grants - i - 1) * sizeof(khv_grants[0]));
		khv_nr_grants--;
		memset(&khv_grants[khv_nr_grants], 0, sizeof(khv_grants[0]));
		r = 0;
		break;
	}
	mutex_unlock(&khv_grant_lock);
	return r;
}

/**
 * khv_grant_get_next() - a copy of the rule with the smallest id >= *@id.
 * @id:   where to start; set to the rule's id.
 * @rule: out.
 *
 * Return: whether there is one.
 */
bool khv_grant_get_next(u32 *id, struct khv_grant_rule *rule)
{
	unsigned int i;
	bool found = false;

	mutex_lock(&khv_grant_lock);
	for (i = 0; i < khv_nr_grants; i++) {
		if (khv_grants[i].id >= *id) {
			*rule = khv_grants[i];
			*id = rule->id;
			found = true;
			break;
		}
	}
	mutex_unlock(&khv_grant_lock);
	return found;
}

/* Unload: forget the rules (they are not persistent across loads). */
void khv_grant_exit(void)
{
	mutex_lock(&khv_grant_lock);
	memset(khv_grants, 0, sizeof(khv_grants));
	khv_nr_grants = 0;
	mutex_unlock(&khv_grant_lock);
}
