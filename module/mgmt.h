/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The core's side of the management plane: what module/netlink/ (and
 * debugfs) call to see and change the VMs, and the events the core
 * announces to whoever listens (the netlink family's monitor group).
 */
#ifndef KHV_MGMT_H
#define KHV_MGMT_H

#include <linux/types.h>

struct khv_vm;
struct khv_audit_rec;

/* What happened to a VM (netlink: vm-create-ntf, vm-delete-ntf, vm-change-ntf). */
enum khv_vm_event {
	KHV_VM_EVENT_CREATE,
	KHV_VM_EVENT_DELETE,
	KHV_VM_EVENT_CHANGE,
};

/**
 * struct khv_mgmt_listener - who hears the core's events.
 * @vm_event:     a VM, referenced by the caller, was created, deleted or
 *	changed. Process context, no lock held.
 * @audit_record: a record was written to the audit ring. Process context,
 *	with the audit lock held, so that records are heard in sequence order.
 *
 * Both may sleep and allocate; both are best effort.
 */
struct khv_mgmt_listener {
	void (*vm_event)(struct khv_vm *vm, enum khv_vm_event event);
	void (*audit_record)(const struct khv_audit_rec *rec);
};

/* mgmt.c */
void khv_mgmt_listen(const struct khv_mgmt_listener *l);
void khv_mgmt_unlisten(void);
void khv_mgmt_vm_event(struct khv_vm *vm, enum khv_vm_event event);
void khv_mgmt_audit_record(const struct khv_audit_rec *rec);

#endif /* KHV_MGMT_H */
