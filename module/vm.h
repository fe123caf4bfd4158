/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A virtual machine: its RAM, its nested page table, its vCPUs' table and
 * its state (vm.c, mem.c, kick.c). The management plane's calls on a VM are
 * in mgmt.h.
 */
#ifndef KHV_VM_H
#define KHV_VM_H

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/wait.h>
#include <uapi/linux/khv.h>
/* A VM's state is enum khv_vm_state of the management plane's ABI. */
#include <uapi/linux/khv_netlink.h>

#include "acl.h"
#include "iommu/iommu.h"
#include "labels.h"
#include "mmu/mmu.h"
#include "quota.h"
#include "quota_run.h"

struct file;
struct page;
struct vm_area_struct;
struct khv_vcpu;

/**
 * struct khv_memslot - one region of guest RAM, allocated by khv.
 * @gpa:     guest-physical base.
 * @size:    bytes.
 * @flags:   KHV_MEM_* (uapi).
 * @mmap_offset: where user space maps it on the VM fd.
 * @npages:  @size / PAGE_SIZE.
 * @pages:   the host pages, zeroed at allocation, in guest order; NULL for
 *	one not yet touched (mem_touch.c: set once, under the VM's mem_lock).
 */
struct khv_memslot {
	u64 gpa;
	u64 size;
	u32 flags;
	u64 mmap_offset;
	unsigned long npages;
	struct page **pages;
};

#define KHV_MAX_VMS	1024
/* max_vms_per_user's default: no user takes more than a sixteenth. */
#define KHV_MAX_VMS_PER_USER	64
#define KHV_MAX_VCPUS	64

/**
 * struct khv_vm - a virtual machine.
 * @ref:     the VM fd holds one reference; lookups (netlink) take more.
 * @id:      unique for the module's lifetime, never reused.
 * @owner:   the creator's effective uid.
 * @pid:     the creator's thread-group id.
 * @created: creation time (boot-based, ns).
 * @lock:    protects @name, @tags and changes of @state.
 * @name:    set by the administrator; empty until then.
 * @tags:    comma-separated, set by the administrator (khv_tags_valid()).
 * @state:   KHV_VM_STATE_*; read without @lock by the run loop.
 * @state_wq: vCPUs of a paused VM wait here for resume or destroy.
 * @gone:    the VM's fd was released: its vCPUs and memory are being freed.
 *	Set under @vcpu_lock and again under @mem_lock, so that a holder of
 *	either (introspection, vm-get) never sees them freed.
 * @rcu:     lookups run under RCU: the VM is freed after a grace period.
 * @mem_lock: serialises changes of @slots and @npt.
 * @slots:   guest RAM regions, indexed by slot number.
 * @mem_bytes: sum of the regions' sizes.
 * @quota:   its memory guarantee, cap, priority and allocation (quota.c's
 *	lock).
 * @quota_gone: it is not in the host's memory pool: not yet admitted
 *	(khv_quota_vm_init()) or its memory freed (quota.c's lock).
 * @run_quota: its CPU cap and I/O limits, and their usage (quota_run.c).
 * @npt:     the nested page table (NPT or EPT format) mapping @slots.
 * @tlb_gen: bumped by khv_vm_flush_tlbs() after every mapping change that
 *	needs a TLB flush; each vCPU flushes when it sees a new value before
 *	entering the guest.
 * @vcpu_lock: serialises vCPU creation, and kicks (kick.c) against the
 *	vCPUs' freeing.
 * @vcpus:   by id; an entry is set before the vCPU's fd exists and never
 *	changes until the VM is freed.
 * @nr_vcpus: created so far.
 * @file:    the VM's file; vCPU files hold it open.
 * @tsc_offset: added to the host's TSC for the guest's (TSC offsetting),
 *	chosen at creation so that the guest's TSC starts near 0; each vCPU
 *	starts with it (struct khv_vcpu's tsc_offset).
 * @irqchip: KHV_CREATE_IRQCHIP was done: every vCPU has a local APIC
 *	(set under @vcpu_lock before any vCPU exists, never cleared).
 * @irqfd_lock: protects @irqfds and @nr_irqfds (irq.c).
 * @irqfds:  the eventfds bound by KHV_IRQFD.
 * @nr_irqfds: how many, at most KHV_MAX_IRQFDS.
 * @acl:     its device ACL, violation action and port passthrough (acl.h).
 * @iommu:   its assigned PCI functions and host MMIO (iommu/iommu.h).
 */
struct khv_vm {
	struct kref ref;
	struct rcu_head rcu;
	u64 id;
	kuid_t owner;
	pid_t pid;
	u64 created;
	struct mutex lock;	/* protects name */
	char name[KHV_VM_NAME_MAX];
	char tags[KHV_VM_TAGS_MAX];
	u32 state;
	wait_queue_head_t state_wq;
	bool gone;
	struct mutex mem_lock;	/* protects slots, mem_bytes, npt */
	struct khv_memslot *slots[KHV_MAX_MEM_SLOTS];
	u64 mem_bytes;
	struct khv_mem_quota quota;	/* khv_quota_lock */
	bool quota_gone;		/* khv_quota_lock */
	struct khv_run_quota run_quota;
	struct khv_pt npt;
	atomic64_t tlb_gen;
	struct mutex vcpu_lock;	/* protects vcpus[], nr_vcpus */
	struct khv_vcpu *vcpus[KHV_MAX_VCPUS];
	unsigned int nr_vcpus;
	struct file *file;
	u64 tsc_offset;
	bool irqchip;
	struct mutex irqfd_lock;	/* protects irqfds, nr_irqfds */
	struct list_head irqfds;
	unsigned int nr_irqfds;
	struct khv_vm_acl acl;
	struct khv_vm_iommu iommu;
};

/* vm.c: the VM fd (the management plane's calls: mgmt.h). */
int khv_vm_create(const struct khv_create_vm *args);
int khv_vm_wait_running(struct khv_vm *vm);
u64 khv_vm_guest_ns(struct khv_vm *vm);

/* mem.c */
int khv_vm_mem_init(struct khv_vm *vm);
void khv_vm_mem_destroy(struct khv_vm *vm);
int khv_vm_set_memory_region(struct khv_vm *vm,
			     struct khv_memory_region *region);
int khv_vm_mmap(struct khv_vm *vm, struct vm_area_struct *vma);
struct page *khv_gpa_to_page(struct khv_vm *vm, u64 gpa, bool write);
struct khv_memslot *khv_gpa_memslot(struct khv_vm *vm, u64 gpa);
bool khv_mem_overlaps(struct khv_vm *vm, u64 gpa, u64 size);
struct page *khv_memslot_page(struct khv_memslot *ms, u64 gpa);

/**
 * enum khv_gpa_state - what backs a guest-physical address (khv_gpa_state()).
 * @KHV_GPA_NONE:      no guest RAM for the access: MMIO.
 * @KHV_GPA_PAGE:      a page, allocated and mapped.
 * @KHV_GPA_UNTOUCHED: guest RAM whose page comes on first touch.
 */
enum khv_gpa_state {
	KHV_GPA_NONE,
	KHV_GPA_PAGE,
	KHV_GPA_UNTOUCHED,
};

enum khv_gpa_state khv_gpa_state(struct khv_vm *vm, u64 gpa, bool write);

/* mem_touch.c: guest RAM allocated on first touch. */
int khv_mem_touch(struct khv_vm *vm, u64 gpa, enum khv_quota_limit *limit);
int khv_vm_mem_populate(struct khv_vm *vm, enum khv_quota_limit *limit);
int khv_vcpu_want_touch(struct khv_vcpu *vcpu, u64 gpa, bool write);
int khv_vcpu_mem_touch(struct khv_vcpu *vcpu);
unsigned int khv_fetch_guest(struct khv_vm *vm, u64 linear, u64 cr3,
			     unsigned int mode, u8 *buf, unsigned int len);
unsigned int khv_store_guest(struct khv_vm *vm, u64 linear, u64 cr3,
			     unsigned int mode, const u8 *buf, unsigned int len);
int khv_guest_access(struct khv_vm *vm, u64 linear, u64 cr3, unsigned int mode,
		     u32 access, void *buf, unsigned int len, u64 *pf_addr,
		     u32 *pfec);

/* kick.c: vCPUs out of the guest, for a state change or a TLB flush. */
void khv_vm_kick(struct khv_vm *vm);
void khv_vm_flush_tlbs(struct khv_vm *vm);
void khv_vm_kick_wait(struct khv_vm *vm);
u64 khv_kicks(void);

/* spec.c: a prediction barrier when this CPU enters another VM's guest. */
void khv_barrier_on_vm_switch(struct khv_vm *vm);

#endif /* KHV_VM_H */
