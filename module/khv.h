/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * khv: the vendor-neutral core's shared declarations.
 */
#ifndef KHV_H
#define KHV_H

#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <uapi/linux/khv.h>

#include "arch.h"

#define KHV_MAX_VMS	1024
#define KHV_MAX_VCPUS	64

#define KHV_VM_NAME_MAX	64	/* bytes, with the NUL */

/**
 * struct khv_vm - a virtual machine.
 * @ref:     the VM fd holds one reference; lookups (netlink) take more.
 * @id:      unique for the module's lifetime, never reused.
 * @owner:   the creator's effective uid.
 * @pid:     the creator's thread-group id.
 * @created: creation time (boot-based, ns).
 * @lock:    protects @name.
 * @name:    set by the administrator; empty until then.
 * @rcu:     lookups run under RCU: the VM is freed after a grace period.
 */
struct khv_vm {
	struct kref ref;
	struct rcu_head rcu;
	u64 id;
	kuid_t owner;
	pid_t pid;
	u64 created;
	struct mutex lock;	/* protects name */
	char name[KHV_VM_NAME_MAX];
};

/* The backend chosen at load time; constant afterwards. */
extern const struct khv_arch_ops *khv_arch;

/* caps.c: pure logic, KUnit-tested (caps_test.c). */
u32 khv_vendor_from_id(const char *vendor_id);
int khv_create_vm_args_check(const struct khv_create_vm *args);

/* virt.c: who has VMX/SVM on, and khv's claim on it. */
int khv_virt_init(void);
void khv_virt_exit(void);
int khv_virt_get(void);
void khv_virt_put(void);
u32 khv_virt_owner(void);
unsigned int khv_virt_users(void);
void khv_virt_report(void);

/* vm.c */
int khv_vm_create(const struct khv_create_vm *args);
struct khv_vm *khv_vm_get_next(u64 *id);
void khv_vm_put(struct khv_vm *vm);
unsigned int khv_vms_alive(void);
u64 khv_vms_created(void);

/* dev.c */
int khv_dev_init(void);
void khv_dev_exit(void);

/* debugfs.c */
void khv_debugfs_init(void);
void khv_debugfs_exit(void);

#endif /* KHV_H */
