// SPDX-License-Identifier: GPL-2.0-only
/*
 * The IOMMU domain of an assigned function: a paging domain of the kernel's
 * IOMMU API that maps exactly the VM's RAM, each page at its guest-physical
 * address (the I/O virtual address the guest programs into its device), so
 * that the device reaches nothing else: no host memory, no other VM's.
 * Each function has a domain of its own, made for its IOMMU (functions of
 * one VM may sit behind different IOMMUs); all mirror the nested page
 * table, in the same runs (plan.c). The VM's mem_lock keeps them in step:
 * a new region is mapped into every domain before it is published, and
 * pages never leave a VM before it ends. A VM with a function has no page
 * left for first touch (khv_vm_mem_populate(), and new regions are
 * allocated whole): a device cannot touch.
 */
#define pr_fmt(fmt) "khv: " fmt

#include <linux/iommu.h>
#include <linux/pci.h>
#include <linux/sched.h>

#include "../compat.h"
#include "../khv.h"
#include "assigned.h"

/*
 * Where the IOMMU enforces snooping, DMA is cache-coherent (IOMMU_CACHE):
 * guest RAM is write-back in the nested page table whatever the guest's PAT
 * says (ept.c's IPAT), so a device must not write around the caches.
 */
static int khv_domain_prot(struct khv_assigned *a)
{
	int prot = IOMMU_READ | IOMMU_WRITE;

	if (device_iommu_capable(&a->pdev->dev, IOMMU_CAP_CACHE_COHERENCY))
		prot |= IOMMU_CACHE;
	return prot;
}

/* Can @domain translate guest-physical [@gpa, @gpa + @size)? */
static bool khv_domain_fits(const struct iommu_domain *domain, u64 gpa,
			    u64 size)
{
	const struct iommu_domain_geometry *g = &domain->geometry;

	if (!g->force_aperture)
		return true;
	return gpa >= g->aperture_start && gpa + size - 1 <= g->aperture_end;
}

/* Unmap the runs of @ms that start below page @end (mapped before). */
static void khv_domain_unmap_slot(struct iommu_domain *domain,
				  const struct khv_memslot *ms,
				  unsigned long end)
{
	unsigned long i, n;
	size_t done;

	for (i = 0;
	     (n = khv_slot_next_run(ms->gpa, ms->pages, ms->npages, &i)) &&
	     i < end; i += n) {
		done = iommu_unmap(domain, ms->gpa + i * PAGE_SIZE,
				   n * PAGE_SIZE);
		WARN_ON_ONCE(done != n * PAGE_SIZE);
		cond_resched();
	}
}

/*
 * Map the allocated pages of @ms into @domain at their guest-physical
 * addresses: all of them, or none (-E2BIG beyond the domain's aperture,
 * -ENOMEM, or what the IOMMU driver says).
 */
static int khv_domain_map_slot(struct iommu_domain *domain,
			       const struct khv_memslot *ms, int prot)
{
	unsigned long i, n;
	int r;

	if (!khv_domain_fits(domain, ms->gpa, ms->size))
		return -E2BIG;
	prot = khv_iommu_slot_prot(ms->flags, prot);
	for (i = 0; (n = khv_slot_next_run(ms->gpa, ms->pages, ms->npages, &i));
	     i += n) {
		r = khv_iommu_map(domain, ms->gpa + i * PAGE_SIZE,
				  page_to_phys(ms->pages[i]), n * PAGE_SIZE,
				  prot);
		if (r) {
			khv_domain_unmap_slot(domain, ms, i);
			return r;
		}
		cond_resched();
	}
	return 0;
}

/**
 * khv_domain_create() - a domain for @a's function mapping all of @vm's
 *	RAM, attached to its group.
 * @vm: the VM, its mem_lock held; every page of its RAM allocated.
 * @a:  a claimed assignment (group.c).
 *
 * Return: 0 with a->domain attached: from here the function's DMA reaches
 * the VM's RAM and nothing else. -E2BIG when the VM's RAM reaches beyond
 * what the IOMMU translates; -ENOMEM; the IOMMU driver's error. On an
 * error the group's DMA stays blocked and nothing is left allocated.
 */
int khv_domain_create(struct khv_vm *vm, struct khv_assigned *a)
{
	struct khv_memslot *ms;
	int i, r;

	lockdep_assert_held(&vm->mem_lock);
	a->domain = khv_iommu_domain_alloc(&a->pdev->dev);
	if (IS_ERR(a->domain)) {
		r = PTR_ERR(a->domain);
		a->domain = NULL;
		return r;
	}
	a->prot = khv_domain_prot(a);
	for (i = 0; i < KHV_MAX_MEM_SLOTS; i++) {
		ms = vm->slots[i];
		if (!ms)
			continue;
		r = khv_domain_map_slot(a->domain, ms, a->prot);
		if (r)
			goto err_free;
	}
	khv_fault_attach(a);
	r = iommu_attach_group(a->domain, a->group);
	if (r)
		goto err_free;
	return 0;

err_free:
	if (r == -E2BIG)
		pr_info_ratelimited("vm %llu: %s: the VM's RAM reaches beyond what its IOMMU translates\n",
				    vm->id, a->desc);
	/* Never attached: its tables go with it. */
	iommu_domain_free(a->domain);
	a->domain = NULL;
	return r;
}

/**
 * khv_domain_destroy() - detach @a's domain and free it.
 * @a: an assignment whose domain is attached.
 *
 * The group is still khv's: its DMA is blocked from here (the kernel puts
 * its blocking domain in), until group.c gives it back.
 */
void khv_domain_destroy(struct khv_assigned *a)
{
	iommu_detach_group(a->domain, a->group);
	iommu_domain_free(a->domain);
	a->domain = NULL;
}

/**
 * khv_vm_iommu_pins() - does @vm have a function assigned?
 * @vm: the VM, its mem_lock held.
 *
 * Return: true if so: its new regions are allocated whole (mem.c), since a
 * device reaches only pages mapped into its domain.
 */
bool khv_vm_iommu_pins(struct khv_vm *vm)
{
	lockdep_assert_held(&vm->mem_lock);
	return vm->iommu.nr_devs;
}

/**
 * khv_vm_iommu_map_slot() - map a new region into every domain of @vm.
 * @vm: the VM, its mem_lock held.
 * @ms: the region, allocated and in the nested page table, not yet
 *	published.
 *
 * Return: 0, or an error with the region in no domain (khv_domain_map_slot()).
 */
int khv_vm_iommu_map_slot(struct khv_vm *vm, struct khv_memslot *ms)
{
	struct khv_assigned *a, *b;
	int r;

	lockdep_assert_held(&vm->mem_lock);
	list_for_each_entry(a, &vm->iommu.devs, link) {
		r = khv_domain_map_slot(a->domain, ms, a->prot);
		if (r)
			goto err_unmap;
	}
	return 0;

err_unmap:
	list_for_each_entry(b, &vm->iommu.devs, link) {
		if (b == a)
			break;
		khv_domain_unmap_slot(b->domain, ms, ms->npages);
	}
	return r;
}
