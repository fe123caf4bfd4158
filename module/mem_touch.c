// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest RAM above a capped VM's guarantee, allocated on first touch
 * (Documentation/admin-guide.rst, "Quotas"): by the guest (a nested page
 * fault, or khv writing guest memory for one of its instructions), or by the
 * VMM through its mmap(). Each page is charged to the VM's quota, then
 * allocated zeroed, mapped in the nested page table and published in its
 * slot, all under the VM's mem_lock: of two touches of one page, the second
 * finds it there. A page refused by the cap, the host's budget or the VM's
 * mem-priority ends the guest's KHV_RUN with KHV_EXIT_MEMORY_QUOTA
 * (Documentation/khv-abi.rst).
 *
 * Exit handlers may not sleep (VMX handles exits with interrupts off): they
 * note the address (khv_vcpu_want_touch()) and the run loop allocates
 * before the next entry (khv_vcpu_mem_touch()); the guest's instruction
 * then runs again and finds the page mapped.
 */
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/string.h>

#include "khv.h"

/**
 * khv_mem_touch() - allocate and map the page of guest RAM at @gpa.
 * @vm:    the VM.
 * @gpa:   an address in the page.
 * @limit: out: KHV_QUOTA_OVER_CAP, _OVER_BUDGET or _RESERVED when the quota
 *	refused the page (khv_quota_mem_charge()), else KHV_QUOTA_OK.
 *
 * Return: 0 (the page exists now, or did already); -ENOMEM when the quota
 * refused it (@limit says which) or no memory was left (@limit is
 * KHV_QUOTA_OK); -EFAULT for no guest RAM or a VM going away.
 */
int khv_mem_touch(struct khv_vm *vm, u64 gpa, enum khv_quota_limit *limit)
{
	struct khv_memslot *ms;
	struct page *page;
	unsigned int prot;
	int r = 0;

	*limit = KHV_QUOTA_OK;
	gpa &= ~(u64)(PAGE_SIZE - 1);
	ms = khv_gpa_memslot(vm, gpa);
	if (!ms)
		return -EFAULT;
	mutex_lock(&vm->mem_lock);
	if (vm->gone) {
		r = -EFAULT;
		goto out;
	}
	/* Another vCPU, or the VMM, was first. */
	if (khv_memslot_page(ms, gpa))
		goto out;
	/* Charged before it is allocated: a refusal allocates nothing. */
	r = khv_quota_mem_charge(vm, PAGE_SIZE, limit);
	if (r)
		goto out;
	page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!page) {
		r = -ENOMEM;
		goto err_uncharge;
	}
	prot = ms->flags & KHV_MEM_READONLY ? KHV_PT_R | KHV_PT_X : KHV_PT_RWX;
	/* All or nothing; a new mapping needs no flush. */
	r = khv_pt_map(&vm->npt, gpa, page_to_phys(page), PAGE_SIZE, prot);
	if (r) {
		__free_page(page);
		goto err_uncharge;
	}
	/* Zeroed and mapped before anyone finds it: khv_memslot_page(). */
	smp_store_release(&ms->pages[(gpa - ms->gpa) >> PAGE_SHIFT], page);
	goto out;

err_uncharge:
	khv_quota_mem_uncharge(vm, PAGE_SIZE);
out:
	mutex_unlock(&vm->mem_lock);
	return r;
}

/**
 * khv_vm_mem_populate() - allocate every page of guest RAM not yet touched.
 * @vm:    the VM, with its mem_lock held.
 * @limit: out: as khv_mem_touch()'s.
 *
 * A device assigned to the VM (module/iommu/) cannot touch a page: its DMA
 * reaches only what the VM's IOMMU domains map. Assignment therefore
 * allocates the rest of the VM's memory first, as VFIO pins all of a
 * guest's before its device runs (Documentation/khv-abi.rst, "Device
 * assignment"). All of it is charged at once: a refusal allocates nothing.
 * Pages allocated before an allocation failure stay, touched.
 *
 * Return: 0; -ENOMEM when the quota refused (@limit says which) or no
 * memory was left; -EINTR when the caller was killed; -EFAULT for a VM
 * going away.
 */
int khv_vm_mem_populate(struct khv_vm *vm, enum khv_quota_limit *limit)
{
	struct khv_mem_quota q;
	struct khv_memslot *ms;
	struct page *page;
	unsigned long i;
	unsigned int prot;
	u64 left;
	int s, r;

	lockdep_assert_held(&vm->mem_lock);
	*limit = KHV_QUOTA_OK;
	if (vm->gone)
		return -EFAULT;
	khv_quota_vm_get(vm, &q);
	/* Every allocated page is charged: the rest is what is missing. */
	if (WARN_ON_ONCE(q.alloc > vm->mem_bytes))
		return -EFAULT;
	left = vm->mem_bytes - q.alloc;
	if (!left)
		return 0;
	r = khv_quota_mem_charge(vm, left, limit);
	if (r)
		return r;
	for (s = 0; s < KHV_MAX_MEM_SLOTS; s++) {
		ms = vm->slots[s];
		if (!ms)
			continue;
		prot = ms->flags & KHV_MEM_READONLY ? KHV_PT_R | KHV_PT_X :
						      KHV_PT_RWX;
		for (i = 0; i < ms->npages && left; i++) {
			if (ms->pages[i])
				continue;
			cond_resched();
			r = -EINTR;
			if (fatal_signal_pending(current))
				goto err_uncharge;
			r = -ENOMEM;
			page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
			if (!page)
				goto err_uncharge;
			r = khv_pt_map(&vm->npt, ms->gpa + i * PAGE_SIZE,
				       page_to_phys(page), PAGE_SIZE, prot);
			if (r) {
				__free_page(page);
				goto err_uncharge;
			}
			/* Zeroed and mapped first: khv_memslot_page(). */
			smp_store_release(&ms->pages[i], page);
			left -= PAGE_SIZE;
		}
	}
	/* Charged for pages there were not: give it back. */
	if (WARN_ON_ONCE(left))
		khv_quota_mem_uncharge(vm, left);
	return 0;

err_uncharge:
	khv_quota_mem_uncharge(vm, left);
	return r;
}

/**
 * khv_vcpu_want_touch() - an exit handler found the guest's access needs
 *	the page at @gpa, not yet touched.
 * @vcpu:  the vCPU; its instruction (or event delivery) has not happened.
 * @gpa:   the address.
 * @write: the access is a write.
 *
 * Return: 1, as a handler: the run loop allocates the page
 * (khv_vcpu_mem_touch()) and enters the guest again, which repeats the
 * access; an event being delivered is delivered again as after any exit.
 */
int khv_vcpu_want_touch(struct khv_vcpu *vcpu, u64 gpa, bool write)
{
	vcpu->touch_gpa = gpa;
	vcpu->touch_write = write;
	vcpu->touch_pending = true;
	return 1;
}

/**
 * khv_vcpu_mem_touch() - the run loop allocates the page an exit asked for
 *	(khv_vcpu_want_touch()), where it may sleep.
 * @vcpu: the vCPU, its mutex held.
 *
 * Return: 1 to enter the guest again; 0 with KHV_EXIT_MEMORY_QUOTA when the
 * VM's cap, the host's budget or the VM's mem-priority refuses the page;
 * -ENOMEM when the host has no memory left.
 */
int khv_vcpu_mem_touch(struct khv_vcpu *vcpu)
{
	struct khv_run *run = vcpu->run;
	enum khv_quota_limit limit;
	int r;

	vcpu->touch_pending = false;
	r = khv_mem_touch(vcpu->vm, vcpu->touch_gpa, &limit);
	/* -EFAULT: the VM is going away; the loop finds out before entry. */
	if (!r || r == -EFAULT)
		return 1;
	if (limit == KHV_QUOTA_OK)
		return r;
	memset(&run->memory_quota, 0, sizeof(run->memory_quota));
	run->memory_quota.gpa = vcpu->touch_gpa;
	run->memory_quota.is_write = vcpu->touch_write;
	switch (limit) {
	case KHV_QUOTA_OVER_CAP:
		run->memory_quota.limit = KHV_MEMORY_QUOTA_CAP;
		break;
	case KHV_QUOTA_RESERVED:
		run->memory_quota.limit = KHV_MEMORY_QUOTA_RESERVED;
		break;
	default:
		run->memory_quota.limit = KHV_MEMORY_QUOTA_BUDGET;
		break;
	}
	return khv_vcpu_exit(vcpu, KHV_EXIT_MEMORY_QUOTA);
}
