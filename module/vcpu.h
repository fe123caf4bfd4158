/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The vendor-neutral vCPU: its registers (regs.h), what it waits for from
 * user space, its exit statistics, and the core's calls on it (vcpu.c,
 * exit.c, kick.c, cpuid.c, seg.c, exception.c). The exit handlers are in
 * exit.h.
 */
#ifndef KHV_VCPU_H
#define KHV_VCPU_H

#include <linux/compiler.h>
#include <linux/mutex.h>
#include <linux/preempt.h>
#include <linux/rcuwait.h>
#include <linux/sched.h>
#include <linux/types.h>
#include <uapi/linux/khv.h>

#include "decode.h"
#include "event.h"
#include "mtrr.h"
#include "quota_run.h"
#include "vcpu_regs.h"
#include "xstate.h"

struct khv_lapic;
struct khv_vm;
struct khv_vcpu;

/* struct khv_vcpu's mode (kick.c). */
#define KHV_VCPU_OUTSIDE_GUEST	0
#define KHV_VCPU_IN_GUEST	1

/* KHV_RUN's loop saw the VM paused: wait outside the vCPU mutex, retry. */
#define KHV_RUN_PAUSED	1

/* Hardware exits by reason, vendor-neutral (Jailhouse-style statistics). */
enum khv_exit_stat {
	KHV_STAT_INTR,		/* host interrupt, NMI, SMI, INIT */
	KHV_STAT_CPUID,
	KHV_STAT_HLT,
	KHV_STAT_IO,
	KHV_STAT_MSR,
	KHV_STAT_NPF,		/* nested page fault / EPT violation */
	KHV_STAT_HYPERCALL,
	KHV_STAT_EXCEPTION,	/* an exception injected for the guest */
	KHV_STAT_SHUTDOWN,
	KHV_STAT_OTHER,
	KHV_STAT_NR
};

void khv_stat_count(struct khv_vcpu *vcpu, enum khv_exit_stat stat);

/* What a vCPU waits for user space to complete before it runs again. */
enum khv_pending {
	KHV_PENDING_NONE,
	KHV_PENDING_IO_IN,	/* data for IN lands in RAX */
	KHV_PENDING_MMIO_READ,	/* data for a load lands in a GPR */
	KHV_PENDING_HYPERCALL,	/* the result lands in RAX */
	KHV_PENDING_INS,	/* INS data lands in guest memory at ES:RDI */
};

/*
 * Segment registers numbered as instructions encode them (the sreg field);
 * the VMCS fields and VMX exit information use the same order.
 */
enum { KHV_SEG_ES, KHV_SEG_CS, KHV_SEG_SS, KHV_SEG_DS, KHV_SEG_FS, KHV_SEG_GS };

/*
 * Which segmentation applies (seg.c): real-address or virtual-8086 mode,
 * protected or compatibility mode, 64-bit mode.
 */
enum { KHV_CPU_REAL, KHV_CPU_PROT, KHV_CPU_64 };

/**
 * struct khv_string_io - an INS/OUTS (with or without REP), as
 *	khv_handle_io() prepares it to check and move the data (exit.c).
 * @in:        INS (port to memory) or OUTS.
 * @rep:       a REP prefix: RCX counts elements.
 * @port:      the port.
 * @size:      element size, 1, 2 or 4.
 * @addr_bytes: address size, 2, 4 or 8: masks RSI/RDI/RCX.
 * @seg_nr:    KHV_SEG_*: DS (or the override) for OUTS, ES for INS,
 * @seg:       and that segment register.
 * @cpu:       KHV_CPU_*, for the segment checks.
 * @cpl:       the guest's CPL, for the page checks.
 * @next_rip:  where the guest goes on when the count is done.
 * @cr3:       the guest's CR3 and @walk its khv_gwalk_mode(): for the walk
 * @walk:      from linear to guest-physical addresses.
 * @count:     elements in this exit (set by the core).
 */
struct khv_string_io {
	bool in;
	bool rep;
	u16 port;
	u8 size;
	u8 addr_bytes;
	u8 seg_nr;
	u8 cpu;
	u8 cpl;
	struct khv_segment seg;
	u64 next_rip;
	u64 cr3;
	unsigned int walk;
	u32 count;
};

/**
 * struct khv_dr - the guest's debug registers (debugreg.c): every MOV DR
 *	exits, so these are what the guest reads and writes.
 * @db:  DR0-3.
 * @dr6: DR6.
 * @dr7: DR7; the backend also keeps it where the hardware loads it from
 *	(khv_arch_ops.set_dr7).
 */
struct khv_dr {
	u64 db[4];
	u64 dr6;
	u64 dr7;
};

/* Slots of struct khv_vcpu.cpuid_cache (a power of two). */
#define KHV_CPUID_CACHE	8

/* One guest CPUID result, @valid once filled (cpuid.c). */
struct khv_cpuid_cached {
	u32 function;
	u32 index;
	u32 regs[4];
	bool valid;
};

/**
 * struct khv_vcpu - the vendor-neutral part of a vCPU; the backends' vCPUs
 *	(struct svm_vcpu, struct vmx_vcpu) start with it, and get back with
 *	container_of(). The core allocates khv_arch->vcpu_size bytes.
 * @regs:    the guest's registers by x86 number, then RIP and RFLAGS
 *	(enum khv_reg); read and written through regs.h.
 * @regs_dirty: BIT(KHV_REG_*) of those written since the last exit, which
 *	the backend copies to the VMCS/VMCB before the next entry.
 * @vm:      its VM; the vCPU file holds the VM file open.
 * @id:      0 .. KHV_MAX_VCPUS - 1.
 * @mutex:   one ioctl at a time on this vCPU.
 * @run:     the page shared with user space (struct khv_run).
 * @pending: a KHV_PENDING_* exit that the next KHV_RUN completes.
 * @pending_size: bytes of the I/O-in or MMIO read.
 * @pending_insn: the decoded load for KHV_PENDING_MMIO_READ.
 * @pending_sio: the INS for KHV_PENDING_INS.
 * @touch_pending: an exit handler wants the page at @touch_gpa allocated
 *	before the next entry (mem_touch.c); @touch_write: for a write.
 * @tlb_gen: the VM's tlb_gen this vCPU last flushed for.
 * @io_bitmap_pa: the VM's I/O bitmap for this entry (0: the host-wide one
 *	that exits on every port), read by khv_vcpu_enter_guest().
 * @mode:    KHV_VCPU_IN_GUEST from just before an entry to just after the
 *	exit (interrupts off throughout), else KHV_VCPU_OUTSIDE_GUEST (kick.c).
 * @cpu:     the CPU of the last entry.
 * @exits:   exits by KHV_EXIT_* reason returned to user space.
 * @stats:   hardware exits by enum khv_exit_stat.
 * @cpuid:   the table set by KHV_SET_CPUID, or NULL for the host's values.
 * @cpuid_nent: its entries.
 * @cpuid_cache: guest CPUID results of the leaves that depend on nothing
 *	the guest can change (khv_cpuid_cacheable()), so that the host's CPUID
 *	runs once per leaf and vCPU, not per exit; emptied by KHV_SET_CPUID.
 * @xs:      the guest's extended state (XSAVE area, XCR0, PKRU), kept apart
 *	from the host's: the backend loads it before each entry and saves it
 *	after each exit (xstate.h).
 * @dr:      its debug registers.
 * @tsc_offset: added to the host's TSC for this vCPU's (khv_guest_tsc());
 *	the VM's at creation, moved by the guest's WRMSR to IA32_TSC.
 * @events:  exceptions, NMIs and interrupts to deliver (event.h).
 * @lapic:   its local APIC when the VM has the irqchip (lapic.h), else NULL.
 * @wait:    KHV_RUN sleeps here while the vCPU is halted or waits for
 *	INIT/SIPI, or for a quota (quota_run.c); khv_vcpu_wake() and the VM's
 *	kicks wake it.
 * @run_quota: its CPU cap's account and timer (quota_run.c).
 * @exit_done: the backend's entry loop ran the last exit's handler already
 *	(khv_exit_reenter()), and @exit_r is its result.
 * @reentries: entries the backend's loop made again since KHV_RUN's loop
 *	called it (bounded, exit.c).
 */
struct khv_vcpu {
	u64 regs[KHV_NR_REGS];
	u32 regs_dirty;
	struct khv_vm *vm;
	u32 id;
	struct mutex mutex;	/* serialises ioctls on this vCPU */
	struct khv_run *run;
	enum khv_pending pending;
	u8 pending_size;
	struct khv_insn pending_insn;
	struct khv_string_io pending_sio;
	bool touch_pending;
	bool touch_write;
	u64 touch_gpa;
	u64 tlb_gen;
	u64 io_bitmap_pa;
	int mode;
	int cpu;
	u64 exits[KHV_EXIT_MEMORY_QUOTA + 1];
	u64 stats[KHV_STAT_NR];
	struct khv_cpuid_entry *cpuid;
	unsigned int cpuid_nent;
	struct khv_cpuid_cached cpuid_cache[KHV_CPUID_CACHE];
	struct khv_xstate xs;
	struct khv_dr dr;
	struct khv_mtrr mtrr;
	u64 tsc_offset;
	struct khv_events events;
	struct khv_lapic *lapic;
	struct rcuwait wait;
	struct khv_vcpu_quota run_quota;
	bool exit_done;
	int exit_r;
	u32 reentries;
};

/* What the guest's RDTSC reads while the host's reads @host_tsc. */
static inline u64 khv_guest_tsc(struct khv_vcpu *vcpu, u64 host_tsc)
{
	return host_tsc + vcpu->tsc_offset;
}

/* spec.c: one KHV_RUN's watch on its thread leaving and coming back to a CPU. */
struct khv_spec_run {
#ifdef CONFIG_PREEMPT_NOTIFIERS
	struct preempt_notifier pn;
	bool on;
#endif
};

/* vcpu.c */
int khv_vcpu_create(struct khv_vm *vm, const struct khv_create_vcpu *args);
void khv_vcpu_destroy(struct khv_vcpu *vcpu);
void khv_vcpu_get_regs(struct khv_vcpu *vcpu, struct khv_regs *regs);
bool khv_vcpu_loop_due(struct khv_vcpu *vcpu);

/* exit.c (the handlers themselves: exit.h) */
int khv_vcpu_exit(struct khv_vcpu *vcpu, u32 reason);
int khv_msr_get(struct khv_vcpu *vcpu, u32 index, u64 *data, bool host);
int khv_msr_set(struct khv_vcpu *vcpu, u32 index, u64 data, bool apply,
		bool host);
void khv_vcpu_complete_user(struct khv_vcpu *vcpu);

/* kick.c: a vCPU's entries and exits, against kicks. */
bool khv_vcpu_enter_guest(struct khv_vcpu *vcpu, bool *flush);
void khv_vcpu_exit_guest(struct khv_vcpu *vcpu);
void khv_vcpu_wake(struct khv_vcpu *vcpu);

/* seg.c: pure, KUnit-tested (seg_test.c). */
int khv_seg_linear(const struct khv_segment *seg, unsigned int seg_nr,
		   unsigned int cpu, u64 ea, unsigned int size, bool write,
		   u64 *linear);

/* debugreg.c */
int khv_dr_access(struct khv_dr *dr, unsigned int nr, bool write, u64 *val,
		  unsigned int cpl, u64 cr4);
void khv_dr_debug_trap(struct khv_dr *dr, u64 payload);
void khv_dr_reset(struct khv_dr *dr);
bool khv_dr_enter(struct khv_vcpu *vcpu, unsigned long host[4]);
void khv_dr_exit(const unsigned long host[4]);

/* exception.c */
void khv_machine_check(void);
bool khv_ac_is_split_lock(bool host_sld, unsigned int cpl, u64 cr0, u64 rflags);

/* cpuid.c */
void khv_cpuid_mask(u32 function, u32 index, u32 *regs, const u32 *host,
		    u32 id);
void khv_cpuid(struct khv_vcpu *vcpu, u32 function, u32 index, u32 *regs);
long khv_vcpu_set_cpuid(struct khv_vcpu *vcpu, void __user *argp);
u64 khv_xcr0_offered(struct khv_vcpu *vcpu);

#endif /* KHV_VCPU_H */
