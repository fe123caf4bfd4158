/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Memory quotas and admission control (Documentation/admin-guide.rst,
 * "Quotas"): the arithmetic (quota_math.c, pure, with a KUnit suite) and the
 * host's pool of guest memory that every VM's quota counts against
 * (quota.c, one lock).
 */
#ifndef KHV_QUOTA_H
#define KHV_QUOTA_H

#include <linux/types.h>

struct khv_vm;

/*
 * mem-priority: 0 .. KHV_MEM_PRIORITY_MAX, KHV_MEM_PRIORITY_DFL for a new VM
 * unless the host's default-mem-priority says otherwise. With overcommit
 * on, each level below the highest of the live VMs holds back one
 * KHV_MEM_PRIORITY_SHARES-th of the shared pool from that VM's demand above
 * its guarantee (khv_quota_reserve(), khv_quota_admit_alloc()).
 */
#define KHV_MEM_PRIORITY_MAX	7
#define KHV_MEM_PRIORITY_DFL	4
#define KHV_MEM_PRIORITY_SHARES	16
#define KHV_MEM_PRIORITY_LEVELS	(KHV_MEM_PRIORITY_MAX + 1)

/**
 * struct khv_mem_quota - one VM's memory quota and use, bytes.
 * @min:   guarantee (mem-min); 0: none.
 * @max:   cap (mem-max); 0: none.
 * @alloc: guest memory allocated to the VM.
 * @denials: charges refused (khv_quota_mem_charge()); a usage counter, no
 *	part of the arithmetic.
 * @priority: mem-priority, 0 .. KHV_MEM_PRIORITY_MAX: how far into the
 *	shared pool its demand above @min may reach (khv_quota_admit_alloc());
 *	no part of the sums.
 */
struct khv_mem_quota {
	u64 min;
	u64 max;
	u64 alloc;
	u64 denials;
	u32 priority;
};

/**
 * struct khv_mem_pool - the host's guest memory: its policy and the sums of
 *	every VM's struct khv_mem_quota.
 * @budget:     mem-budget, bytes.
 * @overcommit: mem-overcommit: the ceilings may exceed @budget.
 * @alloc:      the sum of the allocations.
 * @min:        the sum of the guarantees.
 * @max:        the sum of the caps.
 * @charge:     the sum of the charges (khv_quota_charge()).
 * @ceiling:    the sum of the ceilings (khv_quota_ceiling()).
 */
struct khv_mem_pool {
	u64 budget;
	bool overcommit;
	u64 alloc;
	u64 min;
	u64 max;
	u64 charge;
	u64 ceiling;
};

/**
 * enum khv_quota_limit - which limit a change would break.
 * @KHV_QUOTA_OK:          none: admitted.
 * @KHV_QUOTA_MIN_OVER_MAX: the guarantee is above the cap.
 * @KHV_QUOTA_OVER_CAP:    the allocation is above the cap.
 * @KHV_QUOTA_OVER_BUDGET: the sum of the charges is above the budget.
 * @KHV_QUOTA_OVER_COMMIT: overcommit is off and the sum of the ceilings is
 *	above the budget.
 * @KHV_QUOTA_RESERVED:    the VM's demand above its guarantee would take
 *	what its mem-priority leaves to VMs of a higher one
 *	(khv_quota_admit_alloc()).
 */
enum khv_quota_limit {
	KHV_QUOTA_OK,
	KHV_QUOTA_MIN_OVER_MAX,
	KHV_QUOTA_OVER_CAP,
	KHV_QUOTA_OVER_BUDGET,
	KHV_QUOTA_OVER_COMMIT,
	KHV_QUOTA_RESERVED,
};

/**
 * struct khv_quota_defaults - the quotas a new VM is created with (host-set;
 *	Documentation/admin-guide.rst, "Default quotas"); each 0: none, but
 *	for @mem_priority.
 * @mem_min:       mem-min, bytes (page-granular).
 * @mem_max:       mem-max, bytes (page-granular; at least @mem_min if set).
 * @cpu_cap:       cpu-cap, percent (0 .. KHV_CPU_CAP_MAX).
 * @cpu_weight:    cpu-weight (0 .. KHV_CPU_WEIGHT_MAX).
 * @io_exits_rate: io-exits-rate (0 .. KHV_IO_RATE_MAX).
 * @io_bytes_rate: io-bytes-rate, likewise.
 * @mem_priority:  mem-priority (0 .. KHV_MEM_PRIORITY_MAX;
 *	KHV_MEM_PRIORITY_DFL when the module loads).
 */
struct khv_quota_defaults {
	u64 mem_min;
	u64 mem_max;
	u32 cpu_cap;
	u32 cpu_weight;
	u64 io_exits_rate;
	u64 io_bytes_rate;
	u32 mem_priority;
};

/* quota_math.c */
u64 khv_quota_charge(const struct khv_mem_quota *q);
u64 khv_quota_ceiling(const struct khv_mem_quota *q);
u64 khv_quota_eager(const struct khv_mem_quota *q, u64 size);
bool khv_quota_apply(const struct khv_mem_pool *pool,
		     const struct khv_mem_quota *old,
		     const struct khv_mem_quota *new, struct khv_mem_pool *out);
enum khv_quota_limit khv_quota_check(const struct khv_mem_pool *pool,
				     u64 *excess);
enum khv_quota_limit khv_quota_admit(const struct khv_mem_pool *pool,
				     const struct khv_mem_quota *old,
				     const struct khv_mem_quota *new,
				     struct khv_mem_pool *out, u64 *excess);
unsigned int khv_quota_top(const u32 nr[KHV_MEM_PRIORITY_LEVELS]);
u64 khv_quota_shared(const struct khv_mem_pool *pool);
u64 khv_quota_reserve(const struct khv_mem_pool *pool, unsigned int top,
		      unsigned int priority);
enum khv_quota_limit khv_quota_admit_alloc(const struct khv_mem_pool *pool,
					   const struct khv_mem_quota *old,
					   const struct khv_mem_quota *new,
					   unsigned int top,
					   struct khv_mem_pool *out,
					   u64 *excess);
enum khv_quota_limit khv_quota_admit_new(const struct khv_mem_pool *pool,
					 const struct khv_quota_defaults *d,
					 struct khv_mem_quota *q,
					 struct khv_mem_pool *out,
					 u64 *excess);

/* quota.c */
void khv_quota_init(void);
void khv_quota_pool_get(struct khv_mem_pool *pool);
enum khv_quota_limit khv_quota_host_set(const u64 *budget,
					const bool *overcommit,
					struct khv_mem_pool *old, u64 *excess);
void khv_quota_vm_get(struct khv_vm *vm, struct khv_mem_quota *q);
int khv_quota_vm_set(struct khv_vm *vm, const u64 *min, const u64 *max,
		     const u32 *priority, struct khv_mem_quota *old,
		     struct khv_mem_quota *new, enum khv_quota_limit *limit,
		     u64 *excess);
int khv_quota_mem_charge(struct khv_vm *vm, u64 bytes,
			 enum khv_quota_limit *limit);
void khv_quota_mem_uncharge(struct khv_vm *vm, u64 bytes);
void khv_quota_vm_release(struct khv_vm *vm);
void khv_quota_defaults_get(struct khv_quota_defaults *d);
bool khv_quota_defaults_set(const struct khv_quota_defaults *d);
int khv_quota_vm_init(struct khv_vm *vm, struct khv_quota_defaults *d,
		      enum khv_quota_limit *limit, u64 *excess);
int khv_quota_limit_desc(char *buf, size_t len, enum khv_quota_limit limit,
			 u64 excess);
void khv_quota_cpu_get(u32 *budget, u32 *reserved);
int khv_quota_cpu_budget_set(u32 budget, u32 *old, u64 *excess);
int khv_quota_cpu_resv_set(struct khv_vm *vm, u32 resv, u32 *old,
			   u64 *excess);
int khv_quota_vcpu_charge(struct khv_vm *vm, u64 *excess);
void khv_quota_vcpu_uncharge(struct khv_vm *vm);

#endif /* KHV_QUOTA_H */
