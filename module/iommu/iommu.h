/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Device assignment on the kernel's IOMMU API (Documentation/khv-abi.rst,
 * "Device assignment"; Documentation/admin-guide.rst, "Device assignment"):
 * a host PCI function without a driver, in the VM's ACL, whose IOMMU group
 * khv owns and attaches to a domain that maps exactly the VM's memory at its
 * guest-physical addresses; its BARs and other host MMIO of the ACL mapped
 * into the guest uncacheable; its MSI or INTx raised in the guest's local
 * APICs.
 *
 * The files: assign.c (the ioctls, a function's life, the VM's end),
 * group.c (the function and its group: checks, DMA ownership), domain.c
 * (the IOMMU domain as a mirror of the VM's memory), plan.c (its pure part,
 * KUnit-tested in plan_test.c), mmio.c (host MMIO in the nested page table),
 * msi.c (interrupts: MSI), intx.c (INTx, resampled at the guest's EOI;
 * its vector bookkeeping KUnit-tested in intx_test.c), fault.c (IOMMU
 * faults as ACL violations).
 */
#ifndef KHV_IOMMU_H
#define KHV_IOMMU_H

#include <linux/bitops.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include "../lapic_math.h"

struct dentry;
struct khv_vm;
struct khv_memslot;
struct page;

/* PCI functions assigned to one VM, and host MMIO ranges it maps. */
#define KHV_MAX_ASSIGNED	8
#define KHV_MAX_HOST_MMIO	32

/**
 * struct khv_intx_vectors - the vectors of a VM's forwarded INTx messages.
 * @users: per vector, how many forwarded functions' messages have it.
 * @map:   the vectors with users. Changed only under the VM's
 *	iommu.intx_lock, and never cleared for a vector that keeps a user
 *	(khv_intx_vec_move()): a guest's EOI looks at it without the lock.
 */
struct khv_intx_vectors {
	u8 users[KHV_APIC_VECTORS];
	unsigned long map[BITS_TO_LONGS(KHV_APIC_VECTORS)];
};

/**
 * struct khv_vm_iommu - a VM's assigned PCI functions and host MMIO.
 * @lock:    serialises assignment, mapping and their removal, so that each
 *	is checked against the ACL and done as one step; taken before the VM's
 *	mem_lock and its ACL's lock, never inside them.
 * @devs:    the assigned functions (struct khv_assigned); changed under
 *	@lock and the VM's mem_lock, which mem.c holds to read them.
 * @nr_devs: how many.
 * @mmio:    the host MMIO mapped into the guest (struct khv_host_map);
 *	changed under @lock and mem_lock, as @devs.
 * @nr_mmio: how many.
 * @gone:    the VM is ending or dead: nothing more is assigned or mapped.
 * @fault_work: turns the IOMMU faults that fault.c's handler counted into
 *	ACL violations, where it may sleep.
 * @intx_lock: protects @intx, @intx_vec and the INTx state of the functions
 *	on @intx (struct khv_assigned's intx_*) against their host interrupt
 *	handlers and the guest's EOIs (intx.c); taken with interrupts off,
 *	inside @lock, around nothing that sleeps.
 * @intx:    the functions whose INTx is forwarded (changed under @lock and
 *	@intx_lock).
 * @intx_vec: their messages' vectors.
 */
struct khv_vm_iommu {
	struct mutex lock;	/* protects devs..gone; intx with intx_lock */
	struct list_head devs;
	unsigned int nr_devs;
	struct list_head mmio;
	unsigned int nr_mmio;
	bool gone;
	struct work_struct fault_work;
	spinlock_t intx_lock;	/* protects intx, intx_vec */
	struct list_head intx;
	struct khv_intx_vectors intx_vec;
};

/* assign.c */
void khv_vm_iommu_init(struct khv_vm *vm);
void khv_vm_iommu_destroy(struct khv_vm *vm, const char *why);
long khv_vm_iommu_ioctl(struct khv_vm *vm, unsigned int cmd, unsigned long arg);
void khv_vm_iommu_recheck(struct khv_vm *vm, const char *why);
void khv_vm_iommu_revoke(struct khv_vm *vm);

/* fault.c */
void khv_iommu_debugfs_init(struct dentry *dir);

/*
 * intx.c: the guest ended @vec, a vector of @vm->iommu.intx_vec.map (the
 * caller looks there first, without a lock); true if that ended a
 * forwarded INTx, which user space's IOAPIC never saw. In a vCPU's run
 * loop, none of the VM's locks held.
 */
bool khv_intx_eoi(struct khv_vm *vm, u8 vec);

/* intx.c: pure (intx_test.c); under the VM's iommu.intx_lock. */
void khv_intx_vec_get(struct khv_intx_vectors *v, u8 vec);
void khv_intx_vec_put(struct khv_intx_vectors *v, u8 vec);
void khv_intx_vec_move(struct khv_intx_vectors *v, u8 from, u8 to);

/* domain.c: with the VM's mem_lock held. */
bool khv_vm_iommu_pins(struct khv_vm *vm);
int khv_vm_iommu_map_slot(struct khv_vm *vm, struct khv_memslot *ms);

/* mmio.c: with the VM's mem_lock held. */
bool khv_vm_mmio_overlaps(struct khv_vm *vm, u64 gpa, u64 size);

/* plan.c: pure (plan_test.c). */
unsigned long khv_page_run(struct page *const *pages, unsigned long max);
unsigned long khv_slot_run_max(u64 gpa, unsigned long i, unsigned long npages);
unsigned long khv_slot_next_run(u64 gpa, struct page *const *pages,
				unsigned long npages, unsigned long *i);
int khv_iommu_slot_prot(u32 slot_flags, int prot);

#endif /* KHV_IOMMU_H */
