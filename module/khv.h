/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * khv: the vendor-neutral core's shared declarations.
 */
#ifndef KHV_H
#define KHV_H

#include <linux/types.h>
#include <uapi/linux/khv.h>

#include "arch.h"

#define KHV_MAX_VMS	1024
#define KHV_MAX_VCPUS	64

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
unsigned int khv_vms_alive(void);
u64 khv_vms_created(void);

/* dev.c */
int khv_dev_init(void);
void khv_dev_exit(void);

/* debugfs.c */
void khv_debugfs_init(void);
void khv_debugfs_exit(void);

#endif /* KHV_H */
