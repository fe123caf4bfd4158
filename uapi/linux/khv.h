/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * khv: the ABI between the khv hypervisor module and user space.
 *
 * Rules (Documentation/khv-abi.rst): fixed-size types only, explicit padding,
 * every structure carries flags and/or reserved space, and the module refuses
 * non-zero reserved fields and unknown flags with -EINVAL so that the ABI can
 * grow. Unknown ioctl numbers return -ENOTTY.
 */
#ifndef _UAPI_LINUX_KHV_H
#define _UAPI_LINUX_KHV_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define KHV_API_VERSION		1

/* ioctl magic: 0xAF 0x40-0x7F (0x00-0x1F belong to fsl_hypervisor). */
#define KHVIO			0xAF

/*
 * KHV_CHECK_EXTENSION arguments. The ioctl returns 0 for an extension the
 * module does not know or does not have, otherwise a positive value whose
 * meaning is given beside each extension.
 */
#define KHV_CAP_VENDOR		1	/* KHV_VENDOR_* of this host */
#define KHV_CAP_NESTED_PAGING	2	/* 1: EPT (Intel) or NPT (AMD) present */
#define KHV_CAP_VIRT_OWNER	3	/* KHV_VIRT_* : who has VMX/SVM on now */
#define KHV_CAP_MAX_VCPUS	4	/* vCPUs a VM may have */
#define KHV_CAP_MAX_VMS		5	/* VMs the host may have at once */
#define KHV_CAP_NR		6	/* first unknown extension */

#define KHV_VENDOR_INTEL	1	/* Intel VMX */
#define KHV_VENDOR_AMD		2	/* AMD SVM */

#define KHV_VIRT_OFF		1	/* khv holds no virtualization (no VM) */
#define KHV_VIRT_OWNED		2	/* khv switched VMX/SVM on itself */
#define KHV_VIRT_SHARED		3	/* KVM has it on; khv shares it */

/*
 * struct khv_create_vm - argument of KHV_CREATE_VM.
 * @flags:    none defined yet; must be 0.
 * @reserved: must be 0.
 */
struct khv_create_vm {
	__u32 flags;
	__u32 reserved[15];
};

/* On /dev/khv. */
#define KHV_GET_API_VERSION	_IO(KHVIO, 0x40)
#define KHV_CHECK_EXTENSION	_IO(KHVIO, 0x41)
#define KHV_CREATE_VM		_IOW(KHVIO, 0x42, struct khv_create_vm)

#endif /* _UAPI_LINUX_KHV_H */
