// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host MMIO in the guest's physical space (KHV_MAP_HOST_MMIO;
 * Documentation/khv-abi.rst, "Host MMIO"): the VMM maps a page-aligned
 * range of host-physical MMIO at a guest-physical address, where the
 * guest's accesses reach the device without an exit. Only what the VM may
 * have: a range of the ACL's host MMIO, or one inside a memory BAR of a
 * function assigned to it; never host RAM, and never a BAR of a function
 * that is not assigned to it (its DMA would not be confined), whatever the
 * ACL says. The
 * nested page table maps it uncacheable (KHV_PT_UC: host PAT's UC for NPT,
 * memory type UC with IPAT for EPT), as the host maps device registers.
 *
 * Mappings leave the guest before the call that takes them away returns:
 * an acl-del of their range, the deassignment of the function whose BAR
 * they map, a deny action, the VM's end. Each is unmapped from the nested
 * page table and every vCPU is kicked out of the guest and flushes
 * (khv_vm_flush_tlbs()).
 */
#define pr_fmt(fmt) "khv: " fmt

#include <linux/ioport.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <uapi/linux/khv_netlink.h>

#include "../audit.h"
#include "../khv.h"
#include "assigned.h"

/* "+mmio 0x...-0x... at 0x...", with the NUL. */
#define KHV_MMIO_DESC_MAX	(KHV_ACL_DESC_MAX + 24)

/* A mapping in words; @sign '+' (mapped), '-' (unmapped) or 0 (asked for). */
static void khv_mmio_desc(char *buf, char sign, u64 hpa, u64 gpa, u64 size)
{
	int n = sign ? scnprintf(buf, KHV_MMIO_DESC_MAX, "%c", sign) : 0;

	n += khv_acl_desc(buf + n, KHV_MMIO_DESC_MAX - n, KHV_ACL_KIND_MMIO,
			  hpa, hpa + size - 1);
	scnprintf(buf + n, KHV_MMIO_DESC_MAX - n, " at %#llx", gpa);
}

/* Is host-physical @first..@last inside one memory BAR of a function of @vm? */
static bool khv_mmio_in_bars(struct khv_vm *vm, u64 first, u64 last)
{
	struct khv_assigned *a;
	struct resource *res;
	int bar;

	lockdep_assert_held(&vm->iommu.lock);
	list_for_each_entry(a, &vm->iommu.devs, link) {
		for (bar = 0; bar < PCI_STD_NUM_BARS; bar++) {
			res = &a->pdev->resource[bar];
			if ((res->flags & IORESOURCE_MEM) && res->start &&
			    first >= res->start && last <= res->end)
				return true;
		}
	}
	return false;
}

/*
 * A PCI function's BAR is given to a VM by assigning the function, never as
 * plain MMIO: a guest that drives a device's registers drives its DMA, and
 * only assignment puts that DMA behind the VM's IOMMU domain. Return the
 * first function not assigned to @vm that has a memory BAR (or ROM)
 * meeting host-physical @first..@last, referenced; or NULL.
 */
static struct pci_dev *khv_mmio_foreign_bar(struct khv_vm *vm, u64 first,
					    u64 last)
{
	struct pci_dev *pdev = NULL;
	struct khv_assigned *a;
	struct resource *res;
	bool mine;
	int bar;

	for_each_pci_dev(pdev) {
		mine = false;
		list_for_each_entry(a, &vm->iommu.devs, link)
			mine |= a->pdev == pdev;
		for (bar = 0; !mine && bar <= PCI_ROM_RESOURCE; bar++) {
			res = &pdev->resource[bar];
			if ((res->flags & IORESOURCE_MEM) && res->start &&
			    first <= res->end && res->start <= last)
				return pdev;
		}
	}
	return NULL;
}

/* May @vm keep @m? In a BAR of its functions, or in its ACL. */
static bool khv_mmio_allowed(struct khv_vm *vm, const struct khv_host_map *m)
{
	u64 last = m->hpa + m->size - 1;

	return khv_mmio_in_bars(vm, m->hpa, last) ||
	       !khv_vm_acl_allowed(vm, KHV_ACL_KIND_MMIO, m->hpa, last);
}

/**
 * khv_vm_mmio_overlaps() - does [@gpa, @gpa + @size) meet host MMIO mapped
 *	into @vm's guest?
 * @vm:   the VM, its mem_lock held.
 * @gpa:  guest-physical base.
 * @size: bytes.
 *
 * Return: true if so (mem.c refuses such a region of RAM).
 */
bool khv_vm_mmio_overlaps(struct khv_vm *vm, u64 gpa, u64 size)
{
	struct khv_host_map *m;

	lockdep_assert_held(&vm->mem_lock);
	list_for_each_entry(m, &vm->iommu.mmio, link)
		if (gpa < m->gpa + m->size && m->gpa < gpa + size)
			return true;
	return false;
}

/* Out of the guest (kicked and flushed), off the list, audited, freed. */
static void khv_mmio_remove(struct khv_vm *vm, struct khv_host_map *m,
			    const char *why)
{
	char desc[KHV_MMIO_DESC_MAX];
	int r;

	mutex_lock(&vm->mem_lock);
	r = khv_pt_unmap(&vm->npt, m->gpa, m->size);
	/* Mapped in one call, unmapped in one: never a part of a leaf. */
	WARN_ON_ONCE(r < 0);
	if (r > 0)
		khv_vm_flush_tlbs(vm);
	list_del(&m->link);
	vm->iommu.nr_mmio--;
	mutex_unlock(&vm->mem_lock);
	khv_mmio_desc(desc, '-', m->hpa, m->gpa, m->size);
	khv_audit_vm(KHV_AUDIT_OP_MMIO_MAP, vm, why, desc, 0);
	kfree(m);
}

/**
 * khv_vm_mmio_recheck() - unmap what @vm may no longer have.
 * @vm:  the VM, its iommu.lock held.
 * @all: unmap everything (a deny action, the VM's end).
 * @why: for the audit records ("acl-del", "deassign", "revoked", ...).
 */
void khv_vm_mmio_recheck(struct khv_vm *vm, bool all, const char *why)
{
	struct khv_host_map *m, *n;

	lockdep_assert_held(&vm->iommu.lock);
	list_for_each_entry_safe(m, n, &vm->iommu.mmio, link)
		if (all || !khv_mmio_allowed(vm, m))
			khv_mmio_remove(vm, m, why);
}

/*
 * Map @m, which the VM may have, under both locks: its guest range must
 * meet neither RAM nor another mapping.
 */
static int khv_mmio_insert(struct khv_vm *vm, struct khv_host_map *m)
{
	int r;

	mutex_lock(&vm->mem_lock);
	if (vm->gone) {
		r = -EIO;
	} else if (khv_mem_overlaps(vm, m->gpa, m->size) ||
		   khv_vm_mmio_overlaps(vm, m->gpa, m->size)) {
		r = -EEXIST;
	} else {
		/* Device registers: no instruction fetch from them. */
		r = khv_pt_map(&vm->npt, m->gpa, m->hpa, m->size,
			       KHV_PT_RW | KHV_PT_UC);
	}
	if (!r) {
		list_add_tail(&m->link, &vm->iommu.mmio);
		vm->iommu.nr_mmio++;
	}
	mutex_unlock(&vm->mem_lock);
	return r;
}

static int khv_mmio_map(struct khv_vm *vm, const struct khv_host_mmio *arg,
			char *desc)
{
	u64 last = arg->hpa + arg->size - 1;
	struct pci_dev *pdev;
	struct khv_host_map *m;
	bool pause = false;
	int r;

	m = kzalloc(sizeof(*m), GFP_KERNEL_ACCOUNT);
	if (!m)
		return -ENOMEM;
	m->hpa = arg->hpa;
	m->gpa = arg->gpa;
	m->size = arg->size;
	mutex_lock(&vm->iommu.lock);
	if (vm->iommu.gone) {
		r = -EIO;
		goto out_unlock;
	}
	/* Host RAM is never a device's, whatever an ACL says. */
	if (region_intersects(arg->hpa, arg->size, IORESOURCE_SYSTEM_RAM,
			      IORES_DESC_NONE) != REGION_DISJOINT) {
		pr_info_ratelimited("vm %llu: map %s: host RAM, not MMIO\n",
				    vm->id, desc);
		r = -EINVAL;
		goto out_unlock;
	}
	if (!khv_mmio_in_bars(vm, arg->hpa, last)) {
		r = khv_iommu_acl_refused(vm, KHV_ACL_KIND_MMIO, arg->hpa, last,
					  desc, &pause);
		if (r)
			goto out_unlock;
		pdev = khv_mmio_foreign_bar(vm, arg->hpa, last);
		if (pdev) {
			pr_info_ratelimited("vm %llu: map %s: a BAR of %s, which is not assigned to the VM\n",
					    vm->id, desc, pci_name(pdev));
			pci_dev_put(pdev);
			r = -EBUSY;
			goto out_unlock;
		}
	}
	r = -ENOSPC;
	if (vm->iommu.nr_mmio >= KHV_MAX_HOST_MMIO)
		goto out_unlock;
	r = khv_mmio_insert(vm, m);
out_unlock:
	mutex_unlock(&vm->iommu.lock);
	/* A violation has its own record (acl-violation). */
	if (r != -EPERM) {
		khv_mmio_desc(desc, r ? 0 : '+', m->hpa, m->gpa, m->size);
		khv_audit_vm(KHV_AUDIT_OP_MMIO_MAP, vm, "", desc, r);
	}
	if (pause)
		khv_vm_acl_pause(vm);
	if (r)
		kfree(m);
	return r;
}

static int khv_mmio_unmap(struct khv_vm *vm, const struct khv_host_mmio *arg)
{
	struct khv_host_map *m;
	int r = -ENOENT;

	mutex_lock(&vm->iommu.lock);
	list_for_each_entry(m, &vm->iommu.mmio, link) {
		if (m->gpa == arg->gpa && m->size == arg->size) {
			khv_mmio_remove(vm, m, "vmm");
			r = 0;
			break;
		}
	}
	mutex_unlock(&vm->iommu.lock);
	return r;
}

/**
 * khv_vm_map_host_mmio() - KHV_MAP_HOST_MMIO.
 * @vm:   the VM.
 * @argp: its struct khv_host_mmio.
 *
 * Return: 0; -EFAULT; -EINVAL for unknown flags, reserved words not 0, a
 * range not of whole pages, empty, wrapping, beyond 2^52 (host) or 2^48
 * (guest), an unmap with @hpa set, or host RAM; -EPERM for a range neither
 * in the ACL nor in a BAR of an assigned function (recorded as an ACL
 * violation, the action applied); -EACCES while a deny action holds;
 * -EBUSY for one that meets a BAR of a function not assigned to the VM;
 * -EEXIST for a guest range that meets RAM or another mapping; -ENOSPC
 * beyond KHV_MAX_HOST_MMIO mappings; -ENOENT for an unmap of nothing
 * mapped at @gpa with @size; -ENOMEM; -EIO for a VM that ends.
 */
long khv_vm_map_host_mmio(struct khv_vm *vm, void __user *argp)
{
	char desc[KHV_MMIO_DESC_MAX];
	struct khv_host_mmio arg;
	u64 hend, gend;

	if (copy_from_user(&arg, argp, sizeof(arg)))
		return -EFAULT;
	if ((arg.flags & ~KHV_HOST_MMIO_UNMAP) ||
	    memchr_inv(arg.reserved, 0, sizeof(arg.reserved)))
		return -EINVAL;
	if (!arg.size || !PAGE_ALIGNED(arg.hpa | arg.gpa | arg.size) ||
	    check_add_overflow(arg.hpa, arg.size, &hend) ||
	    check_add_overflow(arg.gpa, arg.size, &gend) ||
	    hend > KHV_ACL_MMIO_LIMIT || gend > BIT_ULL(48))
		return -EINVAL;
	if (arg.flags & KHV_HOST_MMIO_UNMAP)
		return arg.hpa ? -EINVAL : khv_mmio_unmap(vm, &arg);
	khv_mmio_desc(desc, 0, arg.hpa, arg.gpa, arg.size);
	return khv_mmio_map(vm, &arg, desc);
}
