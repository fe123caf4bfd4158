// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest RAM: allocated by khv (zeroed, accounted to the creator's memory
 * cgroup), mapped into the guest through the nested page table and into the
 * VMM through mmap() of the VM fd. No host page reaches a guest unzeroed,
 * and nothing outside a region is ever mapped: such accesses exit as MMIO.
 * A VM with a memory cap gets a region's pages up to its guarantee at once,
 * the others on first touch (mem_touch.c): until then such a page is NULL
 * in its slot, not mapped, and reads as zeros (Documentation/admin-guide.rst,
 * "Quotas").
 */
#define pr_fmt(fmt) "khv: " fmt

#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <asm/trap_pf.h>

#include "compat.h"
#include "gwalk.h"
#include "khv.h"

/* 2 MiB chunks map as one nested 2 MiB leaf when the guest address allows. */
#define KHV_CHUNK_ORDER		(21 - PAGE_SHIFT)
#define KHV_CHUNK_PAGES		BIT(KHV_CHUNK_ORDER)

/* Each slot owns a fixed window of the VM fd's mmap offsets. */
static u64 khv_slot_mmap_offset(u32 slot)
{
	return (u64)slot * KHV_MAX_MEM_SIZE;
}

/*
 * A region may hold 16M pages: the loops over them give the CPU away every
 * KHV_CHUNK_PAGES pages (@i counts pages), and the ones that build a region
 * stop there when the caller is killed (Documentation/khv-abi.rst,
 * KHV_SET_MEMORY_REGION). Return: true if it was.
 */
static bool khv_mem_yield(unsigned long i)
{
	if (i % KHV_CHUNK_PAGES)
		return false;
	cond_resched();
	return fatal_signal_pending(current);
}

static void khv_memslot_free(struct khv_memslot *ms)
{
	unsigned long i;

	if (!ms)
		return;
	for (i = 0; i < ms->npages; i++) {
		/* Freeing always completes, killed or not. */
		if (!(i % KHV_CHUNK_PAGES))
			cond_resched();
		if (ms->pages[i])
			__free_page(ms->pages[i]);
	}
	kvfree(ms->pages);
	kfree(ms);
}

/*
 * Allocate the first @npages zeroed pages of @ms: 2 MiB physically
 * contiguous chunks where the allocator has them (split into ordinary pages
 * so that each can be mapped on its own), single pages otherwise. The rest
 * stay NULL, for first touch.
 * Return: 0, -ENOMEM, or -EINTR when the caller was killed.
 */
static int khv_memslot_alloc_pages(struct khv_memslot *ms,
				   unsigned long npages)
{
	const gfp_t gfp = GFP_KERNEL_ACCOUNT | __GFP_ZERO;
	unsigned long i = 0, j;
	struct page *page;

	while (i < npages) {
		/* Chunks start at multiples of KHV_CHUNK_PAGES in guest space. */
		if (khv_mem_yield(i + (ms->gpa >> PAGE_SHIFT)))
			return -EINTR;
		page = NULL;
		if (npages - i >= KHV_CHUNK_PAGES &&
		    IS_ALIGNED(ms->gpa + i * PAGE_SIZE, SZ_2M))
			page = alloc_pages(gfp | __GFP_NOWARN | __GFP_NORETRY,
					   KHV_CHUNK_ORDER);
		if (page) {
			split_page(page, KHV_CHUNK_ORDER);
			for (j = 0; j < KHV_CHUNK_PAGES; j++)
				ms->pages[i++] = page + j;
			continue;
		}
		page = alloc_page(gfp);
		if (!page)
			return -ENOMEM;
		ms->pages[i++] = page;
	}
	return 0;
}

/*
 * Map the allocated pages of @ms into the nested page table in physically
 * contiguous runs, none across a 2 MiB boundary of guest-physical space (so
 * that each step is short): the runs of iommu/plan.c, which the IOMMU
 * domains of the VM's assigned functions map alike.
 * Return: 0, -ENOMEM, or -EINTR when the caller was killed; on an error, part
 * of @ms may be mapped.
 */
static int khv_memslot_map(struct khv_vm *vm, struct khv_memslot *ms)
{
	unsigned int prot = ms->flags & KHV_MEM_READONLY ?
			    KHV_PT_R | KHV_PT_X : KHV_PT_RWX;
	unsigned long gfn = ms->gpa >> PAGE_SHIFT;
	unsigned long i = 0, n;
	int r;

	while (i < ms->npages) {
		if (khv_mem_yield(gfn + i))
			return -EINTR;
		n = khv_page_run(&ms->pages[i],
				 khv_slot_run_max(ms->gpa, i, ms->npages));
		/* Not allocated: mapped on first touch. */
		if (!n) {
			i++;
			continue;
		}
		r = khv_pt_map(&vm->npt, ms->gpa + i * PAGE_SIZE,
			       page_to_phys(ms->pages[i]), n * PAGE_SIZE, prot);
		if (r)
			return r;
		i += n;
	}
	return 0;
}

static int khv_memslot_unmap(struct khv_vm *vm, struct khv_memslot *ms)
{
	return khv_pt_unmap(&vm->npt, ms->gpa, ms->size);
}

/* Does [gpa, gpa + size) meet a region of @vm? Caller holds mem_lock. */
bool khv_mem_overlaps(struct khv_vm *vm, u64 gpa, u64 size)
{
	struct khv_memslot *ms;
	int i;

	for (i = 0; i < KHV_MAX_MEM_SLOTS; i++) {
		ms = vm->slots[i];
		if (ms && gpa < ms->gpa + ms->size && ms->gpa < gpa + size)
			return true;
	}
	return false;
}

/**
 * khv_vm_set_memory_region() - give the guest a new region of RAM.
 * @vm:     the VM.
 * @region: the user's request; @region->mmap_offset is filled in.
 *
 * Return: 0; -EINVAL for unknown flags, non-zero reserved words, a slot out
 * of range, a zero, unaligned or wrapping range, a range beyond the nested
 * page table's reach or overlapping another region or host MMIO mapped into
 * the guest; -E2BIG beyond what an assigned device's IOMMU translates (or
 * the IOMMU driver's error); -EEXIST for a slot in
 * use; -E2BIG for a region over KHV_MAX_MEM_SIZE; -ENOMEM, also when the
 * VM's mem-max or the host's mem-budget does not admit what the region
 * allocates at once (quota.c: then nothing is allocated). That is all of
 * it without a cap or with an assigned device; with a cap, what is left of
 * the guarantee (khv_quota_eager()), and the rest comes on first touch.
 */
int khv_vm_set_memory_region(struct khv_vm *vm,
			     struct khv_memory_region *region)
{
	enum khv_quota_limit limit;
	struct khv_mem_quota q;
	struct khv_memslot *ms;
	u64 end, eager = 0;
	size_t i;
	int r;

	if (region->flags & ~KHV_MEM_READONLY)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(region->reserved); i++)
		if (region->reserved[i])
			return -EINVAL;
	if (region->slot >= KHV_MAX_MEM_SLOTS || !region->size ||
	    !PAGE_ALIGNED(region->guest_phys_addr) ||
	    !PAGE_ALIGNED(region->size) ||
	    check_add_overflow(region->guest_phys_addr, region->size, &end) ||
	    end > (1ULL << 48))
		return -EINVAL;
	if (region->size > KHV_MAX_MEM_SIZE)
		return -E2BIG;

	ms = kzalloc(sizeof(*ms), GFP_KERNEL_ACCOUNT);
	if (!ms)
		return -ENOMEM;
	ms->gpa = region->guest_phys_addr;
	ms->size = region->size;
	ms->flags = region->flags;
	ms->npages = region->size >> PAGE_SHIFT;
	ms->mmap_offset = khv_slot_mmap_offset(region->slot);
	ms->pages = kvcalloc(ms->npages, sizeof(*ms->pages),
			     GFP_KERNEL_ACCOUNT);
	if (!ms->pages) {
		r = -ENOMEM;
		goto err_free;
	}

	mutex_lock(&vm->mem_lock);
	if (vm->slots[region->slot]) {
		r = -EEXIST;
		goto err_unlock;
	}
	if (khv_mem_overlaps(vm, ms->gpa, ms->size) ||
	    khv_vm_mmio_overlaps(vm, ms->gpa, ms->size)) {
		r = -EINVAL;
		goto err_unlock;
	}
	/*
	 * Charged before a page is allocated: a refusal allocates nothing.
	 * First touches of this VM's other regions wait on mem_lock. A VM
	 * with an assigned device gets all of it: a device cannot touch.
	 */
	khv_quota_vm_get(vm, &q);
	eager = khv_vm_iommu_pins(vm) ? ms->size : khv_quota_eager(&q, ms->size);
	r = khv_quota_mem_charge(vm, eager, &limit);
	if (r)
		goto err_unlock;
	r = khv_memslot_alloc_pages(ms, eager >> PAGE_SHIFT);
	if (r)
		goto err_uncharge;
	r = khv_memslot_map(vm, ms);
	if (r)
		goto err_unmap;
	/* Every assigned device reaches it as the guest does. */
	r = khv_vm_iommu_map_slot(vm, ms);
	if (r)
		goto err_unmap;
	/*
	 * Publish after the mapping exists; a new mapping needs no flush (no
	 * processor caches a not-present translation).
	 */
	WRITE_ONCE(vm->slots[region->slot], ms);
	vm->mem_bytes += ms->size;
	mutex_unlock(&vm->mem_lock);
	region->mmap_offset = ms->mmap_offset;
	return 0;

err_unmap:
	/* No vCPU may reach a page once it is freed (khv_vm_flush_tlbs()). */
	if (khv_memslot_unmap(vm, ms) > 0)
		khv_vm_flush_tlbs(vm);
err_uncharge:
	khv_quota_mem_uncharge(vm, eager);
err_unlock:
	mutex_unlock(&vm->mem_lock);
err_free:
	khv_memslot_free(ms);
	return r;
}

/* The region holding @gpa, or NULL. Regions are never removed. */
struct khv_memslot *khv_gpa_memslot(struct khv_vm *vm, u64 gpa)
{
	struct khv_memslot *ms;
	int i;

	for (i = 0; i < KHV_MAX_MEM_SLOTS; i++) {
		ms = READ_ONCE(vm->slots[i]);
		if (ms && gpa >= ms->gpa && gpa - ms->gpa < ms->size)
			return ms;
	}
	return NULL;
}

/*
 * The page of @ms at @gpa, or NULL before its first touch. It is published
 * zeroed and mapped (khv_mem_touch()), and never changes after.
 */
struct page *khv_memslot_page(struct khv_memslot *ms, u64 gpa)
{
	/* Pairs with khv_mem_touch()'s release: the page's zeroes first. */
	return smp_load_acquire(&ms->pages[(gpa - ms->gpa) >> PAGE_SHIFT]);
}

/**
 * khv_gpa_state() - what backs @gpa for an access of the guest.
 * @vm:    the VM.
 * @gpa:   the guest-physical address.
 * @write: the access is a write: a read-only region does not back it.
 *
 * Return: KHV_GPA_PAGE (allocated and mapped), KHV_GPA_UNTOUCHED (guest RAM
 * whose page is not allocated yet) or KHV_GPA_NONE (MMIO for user space).
 */
enum khv_gpa_state khv_gpa_state(struct khv_vm *vm, u64 gpa, bool write)
{
	struct khv_memslot *ms = khv_gpa_memslot(vm, gpa);

	if (!ms || (write && (ms->flags & KHV_MEM_READONLY)))
		return KHV_GPA_NONE;
	return khv_memslot_page(ms, gpa) ? KHV_GPA_PAGE : KHV_GPA_UNTOUCHED;
}

/**
 * khv_gpa_to_page() - the page backing @gpa, for khv's own access.
 * @vm:    the VM.
 * @gpa:   the guest-physical address.
 * @write: only from a writable region.
 *
 * Never allocates (callers may not sleep): a page not touched yet reads as
 * the zero page, which must not be written.
 * Return: the page; the zero page for a read of an untouched page; NULL
 * for no guest RAM, a read-only region's for a write, or an untouched page
 * for a write.
 */
struct page *khv_gpa_to_page(struct khv_vm *vm, u64 gpa, bool write)
{
	struct khv_memslot *ms = khv_gpa_memslot(vm, gpa);
	struct page *page;

	if (!ms || (write && (ms->flags & KHV_MEM_READONLY)))
		return NULL;
	page = khv_memslot_page(ms, gpa);
	if (!page && !write)
		return ZERO_PAGE(0);
	return page;
}

/* Copy guest-physical memory within one page; false if not guest RAM. */
static bool khv_read_gpa_page(struct khv_vm *vm, u64 gpa, void *buf,
			      unsigned int len)
{
	struct page *page = khv_gpa_to_page(vm, gpa, false);
	void *p;

	if (!page)
		return false;
	p = kmap_local_page(page);
	memcpy(buf, p + offset_in_page(gpa), len);
	kunmap_local(p);
	return true;
}

static int khv_gwalk_read(void *ctx, u64 gpa, unsigned int size, u64 *val)
{
	u64 v = 0;

	/* Entries are naturally aligned: never across a page. */
	if (!IS_ALIGNED(gpa, size) || !khv_read_gpa_page(ctx, gpa, &v, size))
		return -EFAULT;
	*val = v;
	return 0;
}

/**
 * khv_fetch_guest() - read guest memory at a linear address, through the
 *	guest's own page tables.
 * @vm:     the VM.
 * @linear: segment base + offset.
 * @cr3:    guest CR3.
 * @mode:   khv_gwalk_mode() of the guest.
 * @buf:    out.
 * @len:    bytes wanted.
 *
 * Return: the bytes read, fewer at the first page that is not present or
 * not guest RAM.
 */
unsigned int khv_fetch_guest(struct khv_vm *vm, u64 linear, u64 cr3,
			     unsigned int mode, u8 *buf, unsigned int len)
{
	unsigned int n = 0, chunk;
	u64 gpa;

	while (n < len) {
		if (khv_gwalk(linear + n, cr3, mode, khv_gwalk_read, vm, &gpa))
			break;
		chunk = min_t(unsigned int, len - n,
			      PAGE_SIZE - offset_in_page(gpa));
		if (!khv_read_gpa_page(vm, gpa, buf + n, chunk))
			break;
		n += chunk;
	}
	return n;
}

/**
 * khv_store_guest() - write guest memory at a linear address, through the
 *	guest's own page tables; never into a read-only region.
 * @vm:     the VM.
 * @linear: segment base + offset.
 * @cr3:    guest CR3.
 * @mode:   khv_gwalk_mode() of the guest.
 * @buf:    the bytes.
 * @len:    how many.
 *
 * Return: the bytes written, fewer at the first page that is not present,
 * not guest RAM, read-only or not yet touched (khv_gpa_to_page()).
 */
unsigned int khv_store_guest(struct khv_vm *vm, u64 linear, u64 cr3,
			     unsigned int mode, const u8 *buf, unsigned int len)
{
	unsigned int n = 0, chunk;
	struct page *page;
	u64 gpa;
	void *p;

	while (n < len) {
		if (khv_gwalk(linear + n, cr3, mode, khv_gwalk_read, vm, &gpa))
			break;
		page = khv_gpa_to_page(vm, gpa, true);
		if (!page)
			break;
		chunk = min_t(unsigned int, len - n,
			      PAGE_SIZE - offset_in_page(gpa));
		p = kmap_local_page(page);
		memcpy(p + offset_in_page(gpa), buf + n, chunk);
		kunmap_local(p);
		n += chunk;
	}
	return n;
}

/**
 * khv_guest_access() - read or write guest memory at a linear address as an
 *	instruction of the guest would: through its page tables, with the
 *	processor's permission checks (khv_gwalk_access()).
 * @vm:     the VM.
 * @linear: the address (segmentation already checked).
 * @cr3:    guest CR3.
 * @mode:   khv_gwalk_mode() of the guest, with KHV_GWALK_AC for EFLAGS.AC.
 * @access: X86_PF_WRITE for a write, X86_PF_USER at CPL 3.
 * @buf:    the data of a write, or out for a read; NULL only checks.
 * @len:    bytes, at most a page (they may span two).
 * @pf_addr: out, for -EACCES: the linear address of the page fault (CR2)
 * @pfec:   and its error code.
 *
 * Nothing is copied unless every byte may be. Reads of a page not yet
 * touched read zeros; a write to one needs it allocated first, which the
 * caller does where it may sleep (khv_vcpu_mem_touch()) before the guest's
 * instruction runs again.
 * Return: 0; -EACCES for a page fault the guest must get; -EINVAL for a
 * non-canonical address (#GP); -EFAULT when a byte or a page table is not
 * guest RAM, or for a write, in a read-only region; -EAGAIN for a write to
 * a page not yet touched, with its guest-physical address in *@pf_addr.
 */
int khv_guest_access(struct khv_vm *vm, u64 linear, u64 cr3, unsigned int mode,
		     u32 access, void *buf, unsigned int len, u64 *pf_addr,
		     u32 *pfec)
{
	bool write = access & X86_PF_WRITE;
	struct page *page[2];
	unsigned int n, i, chunk[2];
	u64 gpa[2], addr;
	void *p;
	int r;

	if (WARN_ON_ONCE(!len || len > PAGE_SIZE))
		return -EFAULT;
	for (n = 0, i = 0; n < len; i++) {
		addr = linear + n;
		r = khv_gwalk_access(addr, cr3, mode, access, khv_gwalk_read, vm,
				     &gpa[i], pfec);
		if (r == -ENOENT || r == -EACCES) {
			*pf_addr = addr;
			return -EACCES;
		}
		if (r)
			return r;
		page[i] = khv_gpa_to_page(vm, gpa[i], write);
		if (!page[i] && khv_gpa_state(vm, gpa[i], write) ==
		    KHV_GPA_UNTOUCHED) {
			*pf_addr = gpa[i];
			return -EAGAIN;
		}
		if (!page[i])
			return -EFAULT;
		chunk[i] = min_t(unsigned int, len - n,
				 PAGE_SIZE - offset_in_page(gpa[i]));
		n += chunk[i];
	}
	if (!buf)
		return 0;
	for (n = 0, i = 0; n < len; n += chunk[i], i++) {
		p = kmap_local_page(page[i]);
		if (write)
			memcpy(p + offset_in_page(gpa[i]), buf + n, chunk[i]);
		else
			memcpy(buf + n, p + offset_in_page(gpa[i]), chunk[i]);
		kunmap_local(p);
	}
	return 0;
}

/*
 * The VMM's access: a page not yet touched is allocated now, or SIGBUS when
 * the VM's cap or the host's budget refuses it (Documentation/khv-abi.rst,
 * KHV_SET_MEMORY_REGION).
 */
static vm_fault_t khv_mem_fault(struct vm_fault *vmf)
{
	struct khv_memslot *ms = vmf->vma->vm_private_data;
	unsigned long index = vmf->pgoff - (ms->mmap_offset >> PAGE_SHIFT);
	struct khv_vm *vm = vmf->vma->vm_file->private_data;
	enum khv_quota_limit limit;
	u64 gpa = ms->gpa + ((u64)index << PAGE_SHIFT);
	struct page *page;
	int r;

	if (index >= ms->npages)
		return VM_FAULT_SIGBUS;
	page = khv_memslot_page(ms, gpa);
	if (!page) {
		r = khv_mem_touch(vm, gpa, &limit);
		if (r == -ENOMEM && limit == KHV_QUOTA_OK)
			return VM_FAULT_OOM;
		if (r)
			return VM_FAULT_SIGBUS;
		page = khv_memslot_page(ms, gpa);
	}
	vmf->page = page;
	get_page(vmf->page);
	return 0;
}

static const struct vm_operations_struct khv_mem_vm_ops = {
	.fault = khv_mem_fault,
};

/**
 * khv_vm_mmap() - map a region's pages into the VMM.
 * @vm:  the VM whose fd is mapped.
 * @vma: must lie inside one region's window of offsets.
 *
 * The mapping holds the VM file, so the pages outlive it. It is neither
 * inherited by a fork() (VM_DONTCOPY: a child would keep the VM alive) nor
 * written to core dumps (VM_DONTDUMP: guest memory is the guest's).
 * Return: 0, or -EINVAL for offsets that are not a region's.
 */
int khv_vm_mmap(struct khv_vm *vm, struct vm_area_struct *vma)
{
	u64 off = (u64)vma->vm_pgoff << PAGE_SHIFT;
	u64 len = vma->vm_end - vma->vm_start;
	struct khv_memslot *ms;
	u32 slot = off / KHV_MAX_MEM_SIZE;

	if (slot >= KHV_MAX_MEM_SLOTS)
		return -EINVAL;
	ms = READ_ONCE(vm->slots[slot]);
	if (!ms || off - ms->mmap_offset > ms->size ||
	    len > ms->size - (off - ms->mmap_offset))
		return -EINVAL;
	khv_vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP | VM_DONTCOPY);
	vma->vm_private_data = ms;
	vma->vm_ops = &khv_mem_vm_ops;
	return 0;
}

/* vm->mem_lock lives as long as the VM struct: vm.c sets it up. */
int khv_vm_mem_init(struct khv_vm *vm)
{
	return khv_pt_init(&vm->npt, khv_arch->pt_format, GFP_KERNEL_ACCOUNT);
}

/* The VM is gone: no vCPU can run, no mapping of the fd remains. */
void khv_vm_mem_destroy(struct khv_vm *vm)
{
	int i;

	khv_pt_destroy(&vm->npt);
	for (i = 0; i < KHV_MAX_MEM_SLOTS; i++) {
		khv_memslot_free(vm->slots[i]);
		vm->slots[i] = NULL;
	}
}
