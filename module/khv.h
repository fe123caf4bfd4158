/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * khv: the module-wide declarations of the vendor-neutral core (the chosen
 * backend, who has VMX/SVM on, prediction barriers, the device). The rest
 * are apart, for the files that use them: vm.h and vcpu.h (a VM, a vCPU),
 * exit.h (the exit handlers), mgmt.h (VM lookups, limits, events),
 * policy.h and grant.h (grants), audit.h (the audit trail).
 */
#ifndef KHV_H
#define KHV_H

#include <linux/types.h>
#include <uapi/linux/khv.h>

#include "arch.h"
#include "vcpu.h"
#include "vm.h"

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

/* spec.c: prediction barriers between guests and the host */
void khv_spec_run_begin(struct khv_spec_run *sr);
void khv_spec_run_end(struct khv_spec_run *sr);
void khv_spec_init(void);
void khv_spec_exit(void);

/* dev.c */
long khv_check_extension(unsigned long cap);
int khv_dev_init(void);
void khv_dev_exit(void);

/* debugfs.c */
void khv_debugfs_init(void);
void khv_debugfs_exit(void);

#endif /* KHV_H */
