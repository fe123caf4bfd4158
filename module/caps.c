// SPDX-License-Identifier: GPL-2.0-only
/*
 * Pure decisions of the vendor-neutral core: which backend a CPU vendor
 * gets, and whether an ioctl argument is acceptable. No hardware access
 * here, so that caps_test.c can feed any input.
 */
#include <linux/errno.h>
#include <linux/module.h>
#include <linux/string.h>

#include "compat.h"
#include "khv.h"

/**
 * khv_vendor_from_id() - the backend for a CPUID vendor string.
 * @vendor_id: the 12 characters of CPUID leaf 0 (EBX, EDX, ECX), NUL-ended.
 *
 * Return: KHV_VENDOR_INTEL, KHV_VENDOR_AMD, or 0 when khv has no backend.
 * Hygon's Dhyana implements AMD SVM and is treated as AMD, as KVM does.
 */
u32 khv_vendor_from_id(const char *vendor_id)
{
	if (!strcmp(vendor_id, "GenuineIntel"))
		return KHV_VENDOR_INTEL;
	if (!strcmp(vendor_id, "AuthenticAMD") ||
	    !strcmp(vendor_id, "HygonGenuine"))
		return KHV_VENDOR_AMD;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(khv_vendor_from_id);

/**
 * khv_create_vm_args_check() - validate a KHV_CREATE_VM argument.
 * @args: the argument, already copied from user space.
 *
 * Return: 0, or -EINVAL for unknown flags or a non-zero reserved word
 * (reserved space must be zero so that the ABI can grow).
 */
int khv_create_vm_args_check(const struct khv_create_vm *args)
{
	size_t i;

	if (args->flags)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(args->reserved); i++)
		if (args->reserved[i])
			return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(khv_create_vm_args_check);
