/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A VM's device access control list (Documentation/admin-guide.rst,
 * "Device ACLs"): PCI functions, I/O port ranges and host MMIO ranges an
 * administrator gave it, default deny, and the action its violations take.
 * acl.c is the pure part (ranges and the violation state machine,
 * KUnit-tested in acl_test.c); acl_vm.c holds a VM's ACL and port
 * passthrough (the I/O permission bitmaps both vendors read).
 */
#ifndef KHV_ACL_H
#define KHV_ACL_H

#include <linux/bits.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <uapi/linux/khv_netlink.h>

struct khv_vm;
struct khv_vcpu;
struct khv_io_passthrough;
struct page;

/* Entries per VM, all kinds together (Documentation/admin-guide.rst). */
#define KHV_ACL_MAX		64
#define KHV_ACL_PORT_LAST	0xffffULL
#define KHV_ACL_PCI_LAST	0xffffffffULL
#define KHV_ACL_MMIO_LIMIT	BIT_ULL(52)
/* "mmio 0x000ffffffffff000-0x000fffffffffffff", with the NUL. */
#define KHV_ACL_DESC_MAX	48

/**
 * struct khv_acl_entry - one range: @first to @last of KHV_ACL_KIND_*.
 * @kind:  KHV_ACL_KIND_PCI, _PORT or _MMIO.
 * @first: the first function, port or byte.
 * @last:  the last, inclusive.
 */
struct khv_acl_entry {
	u32 kind;
	u64 first;
	u64 last;
};

/**
 * struct khv_acl_list - an ACL: its entries sorted by kind and first, no
 *	two of one kind overlapping or touching (they are merged).
 * @n: entries in use.
 * @e: the entries.
 */
struct khv_acl_list {
	unsigned int n;
	struct khv_acl_entry e[KHV_ACL_MAX];
};

/**
 * enum khv_acl_outcome - what a violation does (khv_acl_violation()).
 * @KHV_ACL_DO_LOG:   refused and recorded only.
 * @KHV_ACL_DO_DENY:  also revoke the VM's device access: close its ports,
 *	take back its PCI functions and host MMIO.
 * @KHV_ACL_DO_PAUSE: also pause the VM.
 */
enum khv_acl_outcome {
	KHV_ACL_DO_LOG,
	KHV_ACL_DO_DENY,
	KHV_ACL_DO_PAUSE,
};

/**
 * struct khv_acl_policy - the violation state machine of one VM.
 * @action:     KHV_ACL_ACTION_*, set by the administrator (log at creation).
 * @revoked:    a deny action revoked the VM's device access: until @action
 *	is set again, no passthrough is open and every request is refused.
 * @violations: counted since creation.
 */
struct khv_acl_policy {
	u32 action;
	bool revoked;
	u64 violations;
};

/* acl.c: pure. */
int khv_acl_range_check(u32 kind, u64 first, u64 last);
int khv_acl_add(struct khv_acl_list *l, u32 kind, u64 first, u64 last);
int khv_acl_del(struct khv_acl_list *l, u32 kind, u64 first, u64 last);
bool khv_acl_covers(const struct khv_acl_list *l, u32 kind, u64 first,
		    u64 last);
int khv_acl_desc(char *buf, size_t len, u32 kind, u64 first, u64 last);
void khv_acl_policy_init(struct khv_acl_policy *p);
enum khv_acl_outcome khv_acl_violation(struct khv_acl_policy *p);
bool khv_acl_policy_set(struct khv_acl_policy *p, u32 action);

/**
 * struct khv_vm_acl - a VM's ACL and what its VMM opened.
 * @lock:    serialises everything below.
 * @gone:    the VM is being freed: nothing more is opened.
 * @list:    the ACL.
 * @policy:  its violation state machine.
 * @bitmap:  two I/O permission bitmaps (order 2: VMX's A and B in the first
 *	two pages, the whole of SVM's 12 KiB IOPM), allocated at the first
 *	passthrough; a set bit exits. Changes go to the one no vCPU uses,
 *	which then becomes the VM's (acl_vm.c).
 * @cur:     which of @bitmap the vCPUs use.
 * @bitmap_pa: that one's physical address (0: none yet, the host-wide
 *	all-ones bitmaps); read by vCPUs entering the guest (kick.c).
 */
struct khv_vm_acl {
	struct mutex lock;	/* protects all below */
	bool gone;
	struct khv_acl_list list;
	struct khv_acl_policy policy;
	struct page *bitmap[2];
	unsigned int cur;
	u64 bitmap_pa;
};

/* acl_vm.c: a VM's. */
void khv_vm_acl_init(struct khv_vm *vm);
void khv_vm_acl_destroy(struct khv_vm *vm);
int khv_vm_acl_change(struct khv_vm *vm, bool add, u32 kind, u64 first,
		      u64 last, unsigned int *old_n, unsigned int *new_n);
int khv_vm_acl_set_action(struct khv_vm *vm, u32 action, u32 *old);
void khv_vm_acl_state(struct khv_vm *vm, struct khv_acl_policy *p,
		      unsigned int *n);
bool khv_vm_acl_entry(struct khv_vm *vm, unsigned int i,
		      struct khv_acl_entry *e);
int khv_vm_io_passthrough(struct khv_vm *vm,
			  const struct khv_io_passthrough *io);
int khv_vm_acl_allowed(struct khv_vm *vm, u32 kind, u64 first, u64 last);
enum khv_acl_outcome khv_vm_acl_violation(struct khv_vm *vm, const char *what);
void khv_vm_acl_pause(struct khv_vm *vm);

#endif /* KHV_ACL_H */
