/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The labels an administrator gives a VM: its name and its tags
 * (Documentation/admin-guide.rst, "Tags and the rules that name them").
 * Their syntax is checked in grant.c and module/netlink/vm.c.
 */
#ifndef KHV_LABELS_H
#define KHV_LABELS_H

#define KHV_VM_NAME_MAX	64	/* bytes, with the NUL */
#define KHV_VM_TAGS_MAX	256	/* bytes of the comma-separated list, NUL */
#define KHV_TAG_MAX	32	/* bytes of one tag, with the NUL */
#define KHV_VM_NR_TAGS	8	/* tags a VM may have */

#endif /* KHV_LABELS_H */
