// SPDX-License-Identifier: GPL-2.0-only
/*
 * Device ACLs, the pure part (Documentation/admin-guide.rst, "Device
 * ACLs"): ranges of PCI functions, I/O ports and host MMIO, kept sorted by
 * kind and first, merged on add when they overlap or touch, split on a
 * delete of their middle; and the violation action's state machine. No
 * locks, no allocation: acl_vm.c holds the VM's lock around these, and
 * acl_test.c tests them.
 */
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <kunit/visibility.h>

#include "acl.h"

/**
 * khv_acl_range_check() - whether @first..@last is a range of @kind.
 * @kind:  KHV_ACL_KIND_*.
 * @first: its first function, port or byte.
 * @last:  its last, inclusive.
 *
 * Return: 0; -EINVAL for an unknown kind, @last below @first, a value
 * beyond the kind's bounds or MMIO not made of whole pages.
 */
int khv_acl_range_check(u32 kind, u64 first, u64 last)
{
	if (last < first)
		return -EINVAL;
	switch (kind) {
	case KHV_ACL_KIND_PCI:
		return last <= KHV_ACL_PCI_LAST ? 0 : -EINVAL;
	case KHV_ACL_KIND_PORT:
		return last <= KHV_ACL_PORT_LAST ? 0 : -EINVAL;
	case KHV_ACL_KIND_MMIO:
		if (!PAGE_ALIGNED(first) || !PAGE_ALIGNED(last + 1) ||
		    last >= KHV_ACL_MMIO_LIMIT)
			return -EINVAL;
		return 0;
	default:
		return -EINVAL;
	}
}
EXPORT_SYMBOL_IF_KUNIT(khv_acl_range_check);

/* @e and @first..@last overlap or touch (no overflow at U64_MAX). */
static bool khv_acl_joins(const struct khv_acl_entry *e, u64 first, u64 last)
{
	if (e->first <= last && first <= e->last)
		return true;
	return (e->last != U64_MAX && e->last + 1 == first) ||
	       (last != U64_MAX && last + 1 == e->first);
}

static bool khv_acl_overlaps(const struct khv_acl_entry *e, u32 kind,
			     u64 first, u64 last)
{
	return e->kind == kind && e->first <= last && first <= e->last;
}

static void khv_acl_remove(struct khv_acl_list *l, unsigned int i)
{
	memmove(&l->e[i], &l->e[i + 1], (l->n - i - 1) * sizeof(l->e[0]));
	l->n--;
	memset(&l->e[l->n], 0, sizeof(l->e[0]));
}

/* Insert in order of kind and first; the caller made room. */
static void khv_acl_insert(struct khv_acl_list *l, u32 kind, u64 first,
			   u64 last)
{
	unsigned int i = 0;

	while (i < l->n && (l->e[i].kind < kind ||
			    (l->e[i].kind == kind && l->e[i].first < first)))
		i++;
	memmove(&l->e[i + 1], &l->e[i], (l->n - i) * sizeof(l->e[0]));
	l->e[i].kind = kind;
	l->e[i].first = first;
	l->e[i].last = last;
	l->n++;
}

/**
 * khv_acl_add() - add a checked range (khv_acl_range_check()).
 * @l:     the ACL.
 * @kind:  KHV_ACL_KIND_*.
 * @first: first of the range.
 * @last:  its last, inclusive.
 *
 * Entries of @kind that overlap or touch the range are merged with it into
 * one entry. A range already covered changes nothing and succeeds.
 *
 * Return: 0, or -ENOSPC (nothing changed) if it needs a new entry and @l
 * has KHV_ACL_MAX.
 */
int khv_acl_add(struct khv_acl_list *l, u32 kind, u64 first, u64 last)
{
	unsigned int i, joined = 0;

	for (i = 0; i < l->n; i++)
		if (l->e[i].kind == kind && khv_acl_joins(&l->e[i], first, last))
			joined++;
	if (!joined && l->n >= KHV_ACL_MAX)
		return -ENOSPC;
	for (i = 0; i < l->n;) {
		if (l->e[i].kind == kind && khv_acl_joins(&l->e[i], first, last)) {
			first = min(first, l->e[i].first);
			last = max(last, l->e[i].last);
			khv_acl_remove(l, i);
			continue;
		}
		i++;
	}
	khv_acl_insert(l, kind, first, last);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(khv_acl_add);

/**
 * khv_acl_del() - remove a checked range from the ACL.
 * @l:     the ACL.
 * @kind:  KHV_ACL_KIND_*.
 * @first: first of the range.
 * @last:  its last, inclusive.
 *
 * What of @l's entries of @kind lies inside the range goes: entries inside
 * it are removed, entries across one of its ends are cut, and an entry
 * holding it strictly inside is split in two.
 *
 * Return: 0; -ENOENT if no entry of @kind overlaps the range; -ENOSPC if
 * the split needs an entry beyond KHV_ACL_MAX. Nothing changes on an error.
 */
int khv_acl_del(struct khv_acl_list *l, u32 kind, u64 first, u64 last)
{
	struct khv_acl_entry *e;
	bool found = false;
	unsigned int i;
	u64 tail;

	for (i = 0; i < l->n; i++) {
		e = &l->e[i];
		if (!khv_acl_overlaps(e, kind, first, last))
			continue;
		found = true;
		/* Entries do not overlap: only one can hold the range inside. */
		if (e->first < first && last < e->last && l->n >= KHV_ACL_MAX)
			return -ENOSPC;
	}
	if (!found)
		return -ENOENT;
	for (i = 0; i < l->n;) {
		e = &l->e[i];
		if (!khv_acl_overlaps(e, kind, first, last)) {
			i++;
			continue;
		}
		if (first <= e->first && e->last <= last) {
			khv_acl_remove(l, i);
			continue;
		}
		if (e->first < first && last < e->last) {
			tail = e->last;
			e->last = first - 1;
			khv_acl_insert(l, kind, last + 1, tail);
			return 0;
		}
		if (e->first < first)
			e->last = first - 1;
		else
			e->first = last + 1;
		i++;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(khv_acl_del);

/**
 * khv_acl_covers() - whether the ACL allows all of a range.
 * @l:     the ACL.
 * @kind:  KHV_ACL_KIND_*.
 * @first: first of the range.
 * @last:  its last, inclusive (at least @first).
 *
 * Entries of one kind never touch, so a range is covered only when one
 * entry holds all of it.
 *
 * Return: true if every function, port or byte of the range is in @l.
 */
bool khv_acl_covers(const struct khv_acl_list *l, u32 kind, u64 first,
		    u64 last)
{
	unsigned int i;

	for (i = 0; i < l->n; i++)
		if (l->e[i].kind == kind && l->e[i].first <= first &&
		    last <= l->e[i].last)
			return true;
	return false;
}
EXPORT_SYMBOL_IF_KUNIT(khv_acl_covers);

/**
 * khv_acl_desc() - a range in words: "port 0x3f8-0x3ff",
 *	"pci 0000:00:03.0-0000:00:03.7", "mmio 0xfed00000-0xfed00fff".
 * @buf:   at least KHV_ACL_DESC_MAX bytes.
 * @len:   its size.
 * @kind:  KHV_ACL_KIND_*.
 * @first: first of the range.
 * @last:  its last.
 *
 * Return: the characters written.
 */
int khv_acl_desc(char *buf, size_t len, u32 kind, u64 first, u64 last)
{
	switch (kind) {
	case KHV_ACL_KIND_PCI:
		return scnprintf(buf, len,
				 "pci %04llx:%02llx:%02llx.%llx-%04llx:%02llx:%02llx.%llx",
				 first >> 16, (first >> 8) & 0xff,
				 (first >> 3) & 0x1f, first & 7, last >> 16,
				 (last >> 8) & 0xff, (last >> 3) & 0x1f,
				 last & 7);
	case KHV_ACL_KIND_PORT:
		return scnprintf(buf, len, "port %#llx-%#llx", first, last);
	case KHV_ACL_KIND_MMIO:
		return scnprintf(buf, len, "mmio %#llx-%#llx", first, last);
	default:
		return scnprintf(buf, len, "? %#llx-%#llx", first, last);
	}
}
EXPORT_SYMBOL_IF_KUNIT(khv_acl_desc);

/**
 * khv_acl_policy_init() - a new VM's: action log, not revoked.
 * @p: the policy.
 */
void khv_acl_policy_init(struct khv_acl_policy *p)
{
	p->action = KHV_ACL_ACTION_LOG;
	p->revoked = false;
	p->violations = 0;
}
EXPORT_SYMBOL_IF_KUNIT(khv_acl_policy_init);

/**
 * khv_acl_violation() - a violation happened: count it and say what to do.
 * @p: the VM's policy.
 *
 * Every violation is refused and recorded whatever the action. Action deny
 * revokes the VM's device access (@p->revoked) until the action is set
 * again; a revoked VM's further violations are denied again. Action pause
 * pauses the VM each time; it does not revoke.
 *
 * Return: the outcome to apply.
 */
enum khv_acl_outcome khv_acl_violation(struct khv_acl_policy *p)
{
	if (p->violations != U64_MAX)
		p->violations++;
	switch (p->action) {
	case KHV_ACL_ACTION_DENY:
		p->revoked = true;
		return KHV_ACL_DO_DENY;
	case KHV_ACL_ACTION_PAUSE:
		return KHV_ACL_DO_PAUSE;
	default:
		return KHV_ACL_DO_LOG;
	}
}
EXPORT_SYMBOL_IF_KUNIT(khv_acl_violation);

/**
 * khv_acl_policy_set() - the administrator sets the action.
 * @p:      the VM's policy.
 * @action: KHV_ACL_ACTION_* (checked by the caller).
 *
 * Setting it, even to the same action, ends a revocation.
 *
 * Return: true if it ended one (the VM may open ports again).
 */
bool khv_acl_policy_set(struct khv_acl_policy *p, u32 action)
{
	bool was = p->revoked;

	p->action = action;
	p->revoked = false;
	return was;
}
EXPORT_SYMBOL_IF_KUNIT(khv_acl_policy_set);
