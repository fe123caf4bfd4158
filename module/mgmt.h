/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The core's side of the management plane: what module/netlink/ (and
 * debugfs) call to see and change the VMs, and the events the core
 * announces to whoever listens (the netlink family's monitor group).
 */
#ifndef KHV_MGMT_H
#define KHV_MGMT_H

#include <linux/types.h>
#include <linux/uidgid.h>

struct khv_vm;
struct khv_audit_rec;

/* vm.c: the live VMs, by id, and their lifecycle from outside. */
struct khv_vm *khv_vm_get_next(u64 *id);
void khv_vm_put(struct khv_vm *vm);
struct khv_vm *khv_vm_lookup(u64 id);
int khv_vm_set_state(struct khv_vm *vm, u32 state, u32 *old);
const char *khv_vm_state_name(u32 state);
void khv_vm_exit_stats(struct khv_vm *vm, u64 *stats, unsigned int *nr_vcpus);
unsigned int khv_vms_alive(void);
u64 khv_vms_created(void);

/* limits.c: VMs per user, vCPUs per VM. */
unsigned int khv_max_vcpus(void);
u32 khv_max_vms_per_user(void);
u32 khv_set_max_vms_per_user(u32 max);
int khv_user_vm_get(kuid_t uid);
void khv_user_vm_put(kuid_t uid);
void khv_limits_exit(void);

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
