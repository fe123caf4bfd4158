/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * khv_bench: the same guest bytes under khv and under KVM, timed side by
 * side in one host (Documentation/performance.md).
 *
 * A hypervisor is a struct bench_hv: a handful of operations that hide
 * /dev/khv or /dev/kvm (bench_khv.c, bench_kvm.c). Every guest runs in
 * 32-bit protected mode with flat segments and paging off, from GPA
 * BENCH_CODE_GPA (bench_layout.h), with the registers of struct bench_regs
 * as its input and output; the workloads (bench_work.c) time it and check
 * what it did.
 */
#ifndef KHV_BENCH_H
#define KHV_BENCH_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bench_layout.h"

/* The registers a guest starts with and ends with (32-bit). */
struct bench_regs {
	uint32_t eax, ebx, ecx, edx, esi, edi, ebp, eip;
};

/* Why a run returned, in terms both hypervisors share. */
enum bench_exit_kind {
	BENCH_EXIT_HLT,
	BENCH_EXIT_IO_OUT,
	BENCH_EXIT_MMIO_WRITE,
	BENCH_EXIT_OTHER,	/* anything else: a failed check */
};

struct bench_exit {
	enum bench_exit_kind kind;
	uint32_t raw_reason;	/* the hypervisor's own exit reason */
	uint64_t addr;		/* port or guest-physical address */
	uint32_t size;
	uint32_t data;		/* the value written (first 4 bytes) */
};

/*
 * One VM and its vCPU 0; or, made by ap_create(), a view of the same VM
 * through its vCPU 1 (fd -1; mem as the VM's, not its own).
 */
struct bench_vm {
	int fd;
	unsigned int flags;	/* BENCH_VM_*, as vm_create() was asked */
	uint8_t *mem;		/* guest RAM at GPA 0, mapped here */
	size_t mem_size;
	int vcpu_fd;
	void *run;		/* the vCPU's shared run structure */
	size_t run_size;	/* its mapping's size (KVM's I/O data follows it) */
};

/* --vms at most (khv limits a user who is not root to 64 VMs). */
#define BENCH_MAX_VMS		256

/* Counters of a hypervisor, by name: exits by reason (khv) or KVM's stats. */
#define BENCH_MAX_COUNTERS	16
struct bench_counters {
	int nr;
	char name[BENCH_MAX_COUNTERS][24];
	uint64_t value[BENCH_MAX_COUNTERS];
};

struct bench_hv {
	const char *name;	/* "khv" or "kvm" */
	int devfd;
	size_t run_size;
	/* The hypercall this hypervisor answers in the kernel, and its result. */
	uint32_t hc_nr, hc_ret;
	void *priv;		/* the backend's own: KVM's CPUID table, khv's netlink */
	/*
	 * vm_create: a VM with @mem_bytes of RAM at GPA 0 (none for 0),
	 * mapped at vm->mem; with BENCH_VM_CAPPED in @flags, RAM the
	 * hypervisor allocates on first touch (khv: a VM with a mem-max,
	 * whose RAM above its guarantee comes so; KVM's always does).
	 * With BENCH_VM_IRQCHIP, an in-kernel local APIC for each vCPU (khv's
	 * KHV_CREATE_IRQCHIP, KVM's split irqchip).
	 * vcpu_create: its vCPU 0 with the run structure
	 * mapped, in flat 32-bit protected mode at BENCH_CODE_GPA (the GDT
	 * and IDT are the caller's: bench_load_guest()). Both return 0 or
	 * -errno; vm_destroy undoes what exists, and leaves vm->fd -1.
	 */
	int (*vm_create)(struct bench_hv *hv, struct bench_vm *vm, size_t mem_bytes,
			 unsigned int flags);
	int (*vcpu_create)(struct bench_hv *hv, struct bench_vm *vm);
	void (*vm_destroy)(struct bench_hv *hv, struct bench_vm *vm);
	/*
	 * ap_create: vCPU 1 of @vm (an irqchip VM with RAM), as vcpu_create
	 * makes vCPU 0 and runnable at once (no INIT and start-up IPI: the
	 * MP state set by its VMM), into the view @ap. 0 or -errno.
	 * ap_destroy closes the view (before vm_destroy of its VM).
	 */
	int (*ap_create)(struct bench_hv *hv, struct bench_vm *vm, struct bench_vm *ap);
	void (*ap_destroy)(struct bench_hv *hv, struct bench_vm *ap);
	/*
	 * Make the run of @vm's vCPU in @thread, now or its next, return
	 * -EINTR soon (immediate_exit and a signal): the watchdog of the
	 * interrupt workloads. The vCPU runs no more after it.
	 */
	void (*kick)(struct bench_vm *vm, pthread_t thread);
	int (*set_regs)(struct bench_vm *vm, const struct bench_regs *r);
	int (*get_regs)(struct bench_vm *vm, struct bench_regs *r);
	/* One entry; @e says why it came back. 0 or -errno. */
	int (*run)(struct bench_vm *vm, struct bench_exit *e);
	/*
	 * The counters now: khv's exits by reason (global), KVM's statistics
	 * summed over the VMs alive (so read them before a VM goes).
	 * 0, or -errno when there are none to read.
	 */
	int (*counters)(struct bench_counters *c);
	/* Undo what the backend holds in priv besides its memory, or NULL. */
	void (*close)(struct bench_hv *hv);
};

#define BENCH_VM_CAPPED		0x1U	/* vm_create(): RAM on first touch */
#define BENCH_VM_IRQCHIP	0x2U	/* vm_create(): in-kernel local APICs */

/* The signal of struct bench_hv.kick (a handler that does nothing). */
#define BENCH_KICK_SIGNAL	SIGUSR1

/* The two hypervisors: 0, or -errno with @why filled when unavailable. */
int bench_khv_open(struct bench_hv *hv, char *why, size_t len);
int bench_kvm_open(struct bench_hv *hv, char *why, size_t len);
void bench_hv_close(struct bench_hv *hv);

/*
 * Guest programs (bench_guest.c): same bytes for both hypervisors. The
 * interrupt guests have a handler (BENCH_VECTOR's gate) and may have an
 * entry for vCPU 1.
 */
struct bench_guest {
	const char *name;
	const uint8_t *start, *end;
	const uint8_t *handler, *ap;
};

enum bench_guest_id {
	GUEST_WBINVD,		/* EBP times WBINVD */
	GUEST_CPUID,		/* EBP times CPUID leaf 0 */
	GUEST_VMCALL,		/* EBP times VMCALL, EBX the number */
	GUEST_VMMCALL,		/* the same with VMMCALL */
	GUEST_OUT,		/* EBP times OUT of EDI to port DX */
	GUEST_MMIO,		/* EBP times a 4-byte store of EDI to [ESI] */
	GUEST_STORE,		/* EBP stores of EDI to [ESI], ESI += EDX */
	GUEST_TIMER,		/* EBP LAPIC one-shot timers, each awaited in HLT */
	GUEST_IPI,		/* EBP IPI round trips with vCPU 1 */
	GUEST_NR
};

/* Their bytes (bench_guest.c's assembly). */
extern const uint8_t guest_wbinvd_start[], guest_wbinvd_end[];
extern const uint8_t guest_cpuid_start[], guest_cpuid_end[];
extern const uint8_t guest_vmcall_start[], guest_vmcall_end[];
extern const uint8_t guest_vmmcall_start[], guest_vmmcall_end[];
extern const uint8_t guest_out_start[], guest_out_end[];
extern const uint8_t guest_mmio_start[], guest_mmio_end[];
extern const uint8_t guest_store_start[], guest_store_end[];
extern const uint8_t guest_timer_start[], guest_timer_end[], guest_timer_irq[];
extern const uint8_t guest_ipi_start[], guest_ipi_end[], guest_ipi_irq[], guest_ipi_ap[];

const struct bench_guest *bench_guest(enum bench_guest_id id);
/* The GDT, the IDT and guest @id into @vm's RAM. 0 or -ENOSPC. */
int bench_load_guest(struct bench_vm *vm, enum bench_guest_id id);
/* Where @p, a byte of guest @g, is once loaded. */
uint32_t bench_guest_gpa(const struct bench_guest *g, const uint8_t *p);
/* Flat 4 GiB code and data descriptors (SDM Vol. 3A 3.4.5). */
#define BENCH_GDT_CODE32	0x00cf9b000000ffffull
#define BENCH_GDT_DATA		0x00cf93000000ffffull

/* Statistics of the batches of one measurement (bench_stats.c). */
struct bench_stat {
	int n;
	double median, min, max, q1, q3;
};

void bench_stat_compute(struct bench_stat *s, double *v, int n);
uint64_t bench_now_ns(void);
int bench_counters_delta(struct bench_counters *after, const struct bench_counters *before);

/* /proc/meminfo fields kernel memory is counted in (KiB). */
enum bench_mem_field {
	MEM_FREE,
	MEM_SLAB,
	MEM_KERNEL_STACK,
	MEM_PAGE_TABLES,
	MEM_VMALLOC,
	MEM_NR
};

extern const char *const bench_mem_names[MEM_NR];
int bench_meminfo(int64_t kb[MEM_NR]);

/* The result of one workload under one hypervisor. */
struct bench_side {
	bool ran;
	char check[160];	/* "ok" or why the figures cannot be trusted */
	struct bench_stat stat;
	/* Workload 8: KiB per object, by meminfo field. */
	bool has_mem;
	double mem_kb[MEM_NR];
	bool has_counters;
	struct bench_counters counters;
	/*
	 * What the guest computed that both must agree on before a ratio
	 * (CPUID: the vendor string in EBX, EDX, ECX).
	 */
	bool has_result;
	uint32_t result[3];
};

struct bench_opts {
	int iterations;		/* operations per batch (exit workloads) */
	int batches;		/* timed batches (after one warm-up) */
	int vms;		/* VMs of the memory workload */
	size_t touch_bytes;	/* memory of the touch workloads */
	const char *only;	/* a comma list of workloads, or NULL: all */
	bool khv_only;		/* KVM not measured (--khv-only) */
	const char *json;	/* JSON lines to this file ("-": stdout), or NULL */
	int vendor;		/* KHV_VENDOR_* */
	FILE *cost;		/* --cost: markers on, KHV-BENCH-COST lines here; or NULL */
	int watchdog_ms;	/* interrupt workloads: a batch's bound; 0: by size */
};

struct bench_workload {
	const char *name;
	const char *unit;
	/* khv's exit counter each operation must count in (exit workloads). */
	const char *khv_counter;
	/* Measure under @hv into @out; @out->check says what went wrong. */
	void (*measure)(struct bench_hv *hv, const struct bench_opts *o,
			const struct bench_workload *w, struct bench_side *out);
	enum bench_guest_id guest;
	int arg;
};

extern const struct bench_workload bench_workloads[];
extern const int bench_nr_workloads;
/* The workload called @name, or NULL. */
const struct bench_workload *bench_find_workload(const char *name);
/* Whether @name is in @list, a comma list of workload names (NULL: all). */
bool bench_only_has(const char *list, const char *name);
/*
 * 0 when every name of the comma list @list is a workload, else -1 with
 * the first that is not (an empty one too) in @bad, cut to @len.
 */
int bench_only_check(const char *list, char *bad, size_t len);

/* Output (bench_out.c). */
void bench_out_header(const struct bench_opts *o, const char *kvm_state);
void bench_out_row(const struct bench_workload *w, const struct bench_opts *o,
		   const struct bench_side *khv, const struct bench_side *kvm);
/* The debugfs file where khv lists its entry path's mitigations. */
#define BENCH_KHV_MITIGATIONS	"/sys/kernel/debug/khv/mitigations"
/*
 * Its "name state" lines from @in as one line "name=state ..." in @buf;
 * -1 when @in has none.
 */
int bench_mitig_line(FILE *in, char *buf, size_t len);
/* --json -: the lines go to stdout among the table's, marked with this. */
#define BENCH_JSON_PREFIX	"KHV-BENCH-JSON: "
int bench_out_json(FILE *f, const char *prefix, const struct bench_workload *w,
		   const struct bench_opts *o, const struct bench_side *khv,
		   const struct bench_side *kvm);

/*
 * The cost model's markers (bench_cost.c, tools/costmodel/khv_cost.c), all
 * no-ops unless o->cost: a window per timed batch, from BEGIN to END, and
 * after each one that counts, bench_cost_note() with the operations it
 * timed. RESET once, before the first window.
 */
enum bench_cost_marker {
	BENCH_COST_BEGIN,
	BENCH_COST_END,
	BENCH_COST_RESET,
};

#define BENCH_COST_PREFIX	"KHV-BENCH-COST: "
void bench_cost_mark(const struct bench_opts *o, enum bench_cost_marker m);
void bench_cost_note(const struct bench_opts *o, const struct bench_workload *w,
		     const struct bench_hv *hv, uint64_t ops);

#endif /* KHV_BENCH_H */
