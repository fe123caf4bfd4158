// SPDX-License-Identifier: GPL-2.0-only
/*
 * A VM's device ACL and its port passthrough (Documentation/khv-abi.rst,
 * "Port passthrough"; Documentation/admin-guide.rst, "Device ACLs").
 *
 * The VM's I/O permission bitmap is the one set of ports its VMM opened: a
 * clear bit lets the guest reach the port, a set bit exits (VMX's bitmaps A
 * and B, SVM's IOPM: one bit per port, the same layout for ports 0 to
 * 0xffff). Opened ports are always inside the ACL: removing ACL ports closes
 * them, a deny action closes them all.
 *
 * The SDM (Vol. 3C 25.11.4) wants such a structure written only while no
 * processor runs a guest with it, so each VM has two: a change is written
 * to the one no vCPU uses, which is then published in acl.bitmap_pa; every
 * vCPU inside the guest is kicked out and waited for (kick.c), and takes
 * the new one at its next entry (khv_vcpu_enter_guest()). When the change
 * returns, no guest runs with the old one, which the next change reuses.
 */
#define pr_fmt(fmt) "khv: " fmt

#include <linux/bitmap.h>
#include <linux/errno.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <uapi/linux/khv_netlink_names.h>

#include "acl.h"
#include "audit.h"
#include "khv.h"
#include "mgmt.h"

/* Both vendors' bitmaps in one order-2 block (SVM's IOPM is 12 KiB). */
#define KHV_IO_BITMAP_ORDER	2

static const char *const khv_acl_actions[] = KHV_ACL_ACTION_NAMES;

static const char *khv_acl_action_name(u32 action)
{
	if (action < ARRAY_SIZE(khv_acl_actions) && khv_acl_actions[action])
		return khv_acl_actions[action];
	return "?";
}

void khv_vm_acl_init(struct khv_vm *vm)
{
	mutex_init(&vm->acl.lock);
	khv_acl_policy_init(&vm->acl.policy);
}

/**
 * khv_vm_acl_destroy() - free the bitmaps; after the VM's vCPUs are gone.
 * @vm: the VM, being freed (netlink may still hold it: its ACL stays).
 */
void khv_vm_acl_destroy(struct khv_vm *vm)
{
	unsigned int i;

	mutex_lock(&vm->acl.lock);
	vm->acl.gone = true;
	vm->acl.bitmap_pa = 0;
	for (i = 0; i < ARRAY_SIZE(vm->acl.bitmap); i++) {
		if (vm->acl.bitmap[i])
			__free_pages(vm->acl.bitmap[i], KHV_IO_BITMAP_ORDER);
		vm->acl.bitmap[i] = NULL;
	}
	mutex_unlock(&vm->acl.lock);
}

/* Both bitmaps, every bit set: nothing open yet. */
static int khv_acl_bitmaps_alloc(struct khv_vm_acl *acl)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(acl->bitmap); i++) {
		acl->bitmap[i] = alloc_pages(GFP_KERNEL_ACCOUNT,
					     KHV_IO_BITMAP_ORDER);
		if (!acl->bitmap[i])
			return -ENOMEM;	/* khv_vm_acl_destroy() frees */
		memset(page_address(acl->bitmap[i]), 0xff,
		       PAGE_SIZE << KHV_IO_BITMAP_ORDER);
	}
	return 0;
}

/*
 * Open or close @first..@last (ports) for every vCPU of @vm, with its ACL
 * lock held; closing is done when this returns (see the top of the file).
 */
static int khv_acl_ports_set(struct khv_vm *vm, u64 first, u64 last,
			     bool open)
{
	struct khv_vm_acl *acl = &vm->acl;
	unsigned long *next;
	unsigned int n;
	int r;

	lockdep_assert_held(&acl->lock);
	if (acl->gone)
		return -EIO;
	if (!acl->bitmap[0]) {
		if (!open)
			return 0;	/* nothing was ever opened */
		r = khv_acl_bitmaps_alloc(acl);
		if (r)
			return r;
	}
	n = !acl->cur;
	next = page_address(acl->bitmap[n]);
	memcpy(next, page_address(acl->bitmap[acl->cur]),
	       PAGE_SIZE << KHV_IO_BITMAP_ORDER);
	if (open)
		bitmap_clear(next, first, last - first + 1);
	else
		bitmap_set(next, first, last - first + 1);
	acl->cur = n;
	WRITE_ONCE(acl->bitmap_pa, page_to_phys(acl->bitmap[n]));
	/* Pairs with khv_vcpu_enter_guest()'s mode before its read. */
	khv_vm_kick_wait(vm);
	return 0;
}

/**
 * khv_vm_acl_change() - acl-add or acl-del of a checked range.
 * @vm:    the VM, referenced.
 * @add:   add, else delete (acl.c's rules: merge, cut, split).
 * @kind:  KHV_ACL_KIND_*.
 * @first: first of the range.
 * @last:  its last.
 * @old_n: out: entries before.
 * @new_n: out: entries after.
 *
 * Ports deleted are closed to the guest before it returns; so are PCI
 * functions and host MMIO taken from the VM (module/iommu/).
 *
 * Return: 0, -ENOSPC, -ENOENT (khv_acl_add(), khv_acl_del()).
 */
int khv_vm_acl_change(struct khv_vm *vm, bool add, u32 kind, u64 first,
		      u64 last, unsigned int *old_n, unsigned int *new_n)
{
	struct khv_vm_acl *acl = &vm->acl;
	int r;

	mutex_lock(&acl->lock);
	*old_n = acl->list.n;
	if (add)
		r = khv_acl_add(&acl->list, kind, first, last);
	else
		r = khv_acl_del(&acl->list, kind, first, last);
	/* Closing cannot fail but for a VM being freed: no guest runs. */
	if (!r && !add && kind == KHV_ACL_KIND_PORT)
		khv_acl_ports_set(vm, first, last, false);
	*new_n = acl->list.n;
	mutex_unlock(&acl->lock);
	/* Functions and host MMIO out of the ACL leave the VM now. */
	if (!r && !add && kind != KHV_ACL_KIND_PORT)
		khv_vm_iommu_recheck(vm, "acl-del");
	return r;
}

/**
 * khv_vm_acl_set_action() - acl-set: the violation action; ends a
 *	revocation (the VMM opens its ports again itself).
 * @vm:     the VM, referenced.
 * @action: KHV_ACL_ACTION_* (the policy checked it).
 * @old:    out: the action before.
 *
 * Return: 0.
 */
int khv_vm_acl_set_action(struct khv_vm *vm, u32 action, u32 *old)
{
	mutex_lock(&vm->acl.lock);
	*old = vm->acl.policy.action;
	khv_acl_policy_set(&vm->acl.policy, action);
	mutex_unlock(&vm->acl.lock);
	return 0;
}

void khv_vm_acl_state(struct khv_vm *vm, struct khv_acl_policy *p,
		      unsigned int *n)
{
	mutex_lock(&vm->acl.lock);
	*p = vm->acl.policy;
	*n = vm->acl.list.n;
	mutex_unlock(&vm->acl.lock);
}

/* The @i-th entry, for a dump; false past the last. */
bool khv_vm_acl_entry(struct khv_vm *vm, unsigned int i,
		      struct khv_acl_entry *e)
{
	bool ok;

	mutex_lock(&vm->acl.lock);
	ok = i < vm->acl.list.n;
	if (ok)
		*e = vm->acl.list.e[i];
	mutex_unlock(&vm->acl.lock);
	return ok;
}

/*
 * A request outside the ACL, or a device's DMA outside the VM: count it,
 * close every port for a deny action and record it, with the ACL's lock
 * held. The caller revokes the rest (deny) and pauses (pause) after it.
 */
static enum khv_acl_outcome khv_acl_violated(struct khv_vm *vm,
					     const char *what)
{
	struct khv_vm_acl *acl = &vm->acl;
	enum khv_acl_outcome out;
	char old[24];

	out = khv_acl_violation(&acl->policy);
	if (out == KHV_ACL_DO_DENY)
		khv_acl_ports_set(vm, 0, KHV_ACL_PORT_LAST, false);
	snprintf(old, sizeof(old), "action=%s",
		 khv_acl_action_name(acl->policy.action));
	khv_audit_vm(KHV_AUDIT_OP_ACL_VIOLATION, vm, old, what, -EPERM);
	return out;
}

/**
 * khv_vm_acl_violation() - a violation outside this file (an assignment or
 *	mapping refused, a device's IOMMU fault): counted, recorded, ports
 *	closed on deny.
 * @vm:   the VM.
 * @what: the request or the fault, for the audit record.
 *
 * Return: the outcome; the caller revokes its devices on KHV_ACL_DO_DENY
 * and calls khv_vm_acl_pause() on KHV_ACL_DO_PAUSE, after its own locks.
 */
enum khv_acl_outcome khv_vm_acl_violation(struct khv_vm *vm, const char *what)
{
	enum khv_acl_outcome out;

	mutex_lock(&vm->acl.lock);
	out = khv_acl_violated(vm, what);
	mutex_unlock(&vm->acl.lock);
	return out;
}

/**
 * khv_vm_acl_allowed() - whether @vm's ACL lets its VMM have a range now.
 * @vm:    the VM.
 * @kind:  KHV_ACL_KIND_*.
 * @first: first of the range.
 * @last:  its last.
 *
 * Return: 0 if every part of the range is in the ACL; -EACCES while a deny
 * action holds; -EPERM otherwise (not yet a violation: the caller decides).
 */
int khv_vm_acl_allowed(struct khv_vm *vm, u32 kind, u64 first, u64 last)
{
	int r = 0;

	mutex_lock(&vm->acl.lock);
	if (vm->acl.policy.revoked)
		r = -EACCES;
	else if (!khv_acl_covers(&vm->acl.list, kind, first, last))
		r = -EPERM;
	mutex_unlock(&vm->acl.lock);
	return r;
}

/**
 * khv_vm_acl_pause() - pause @vm for an ACL violation, as vm-pause does,
 *	and record it.
 * @vm: the VM; no lock of it held.
 */
void khv_vm_acl_pause(struct khv_vm *vm)
{
	u32 old;
	int r;

	r = khv_vm_set_state(vm, KHV_VM_STATE_PAUSED, &old);
	khv_audit_vm(KHV_AUDIT_OP_VM_PAUSE, vm, khv_vm_state_name(old),
		     khv_vm_state_name(KHV_VM_STATE_PAUSED), r);
}

/**
 * khv_vm_io_passthrough() - KHV_SET_IO_PASSTHROUGH.
 * @vm: the VM.
 * @io: the argument, copied from user space (unchecked).
 *
 * Return: 0; -EINVAL for a bad argument; -EPERM for ports outside the ACL
 * (recorded, the violation action applied: deny also takes the VM's
 * devices and host MMIO back); -EACCES while a deny action holds; -ENOMEM.
 */
int khv_vm_io_passthrough(struct khv_vm *vm,
			  const struct khv_io_passthrough *io)
{
	enum khv_acl_outcome out = KHV_ACL_DO_LOG;
	char what[KHV_ACL_DESC_MAX + 8];
	u64 first, last;
	bool open;
	unsigned int i;
	int r;

	if (io->flags & ~KHV_IO_PASSTHROUGH_CLOSE)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(io->reserved); i++)
		if (io->reserved[i])
			return -EINVAL;
	if (!io->count || io->base > KHV_ACL_PORT_LAST ||
	    io->count > KHV_ACL_PORT_LAST + 1 - io->base)
		return -EINVAL;
	first = io->base;
	last = first + io->count - 1;
	open = !(io->flags & KHV_IO_PASSTHROUGH_CLOSE);
	r = scnprintf(what, sizeof(what), "%s ", open ? "open" : "close");
	khv_acl_desc(what + r, sizeof(what) - r, KHV_ACL_KIND_PORT, first, last);

	mutex_lock(&vm->acl.lock);
	if (!open) {
		r = khv_acl_ports_set(vm, first, last, false);
	} else if (vm->acl.policy.revoked) {
		r = -EACCES;
	} else if (!khv_acl_covers(&vm->acl.list, KHV_ACL_KIND_PORT, first,
				   last)) {
		out = khv_acl_violated(vm, what);
		r = -EPERM;
	} else {
		r = khv_acl_ports_set(vm, first, last, true);
	}
	mutex_unlock(&vm->acl.lock);
	if (r != -EPERM)
		khv_audit_vm(KHV_AUDIT_OP_IO_PASSTHROUGH, vm, "", what, r);
	if (out == KHV_ACL_DO_PAUSE)
		khv_vm_acl_pause(vm);
	else if (out == KHV_ACL_DO_DENY)
		khv_vm_iommu_revoke(vm);
	return r;
}
