/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * khv_bench: what its two VMMs (bench_khv.c, bench_kvm.c) do alike. khv's
 * ABI spells its registers, segments and exits as KVM's does, so each macro
 * here serves the structures of either.
 */
#ifndef KHV_BENCH_VMM_H
#define KHV_BENCH_VMM_H

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "bench.h"

/* @b into the hypervisor's general registers *@rp: interrupts off, so HLT exits. */
#define BENCH_REGS_PUT(rp, b) do {						\
	__auto_type __r = (rp);							\
	const struct bench_regs *__b = (b);					\
									\
	memset(__r, 0, sizeof(*__r));						\
	__r->rax = __b->eax;							\
	__r->rbx = __b->ebx;							\
	__r->rcx = __b->ecx;							\
	__r->rdx = __b->edx;							\
	__r->rsi = __b->esi;							\
	__r->rdi = __b->edi;							\
	__r->rbp = __b->ebp;							\
	__r->rip = __b->eip;							\
	__r->rflags = 0x2;							\
} while (0)

/* The hypervisor's general registers *@rp into @b. */
#define BENCH_REGS_GET(b, rp) do {						\
	__auto_type __r = (rp);							\
	struct bench_regs *__b = (b);						\
									\
	__b->eax = __r->rax;							\
	__b->ebx = __r->rbx;							\
	__b->ecx = __r->rcx;							\
	__b->edx = __r->rdx;							\
	__b->esi = __r->rsi;							\
	__b->edi = __r->rdi;							\
	__b->ebp = __r->rbp;							\
	__b->eip = __r->rip;							\
} while (0)

/* A flat 4 GiB segment, 32-bit, present, DPL 0 (SDM Vol. 3A 3.4.5). */
#define BENCH_SEG_FLAT(segp, sel, typ) do {					\
	__auto_type __g = (segp);						\
									\
	memset(__g, 0, sizeof(*__g));						\
	__g->limit = 0xffffffff;						\
	__g->selector = (sel);							\
	__g->type = (typ);							\
	__g->present = 1;							\
	__g->s = 1;								\
	__g->db = 1;								\
	__g->g = 1;								\
} while (0)

/*
 * Flat 32-bit protected mode with paging off (SDM Vol. 3A 9.9.1) in the
 * special registers *@sp: the GDT and IDT of bench_load_guest(), a busy
 * 32-bit TSS and no LDT, as VM entry checks them (SDM Vol. 3C 27.3.1.2).
 */
#define BENCH_SREGS_FLAT32(sp) do {						\
	__auto_type __s = (sp);							\
									\
	BENCH_SEG_FLAT(&__s->cs, BENCH_SEL_CODE32, 0xb);			\
	BENCH_SEG_FLAT(&__s->ds, BENCH_SEL_DATA, 0x3);				\
	__s->es = __s->ds;							\
	__s->fs = __s->ds;							\
	__s->gs = __s->ds;							\
	__s->ss = __s->ds;							\
	memset(&__s->tr, 0, sizeof(__s->tr));					\
	__s->tr.limit = 0x67;							\
	__s->tr.type = 0xb;							\
	__s->tr.present = 1;							\
	memset(&__s->ldt, 0, sizeof(__s->ldt));					\
	__s->ldt.type = 0x2;							\
	__s->ldt.unusable = 1;							\
	memset(&__s->gdt, 0, sizeof(__s->gdt));					\
	__s->gdt.base = BENCH_GDT_GPA;						\
	__s->gdt.limit = 3 * 8 - 1;						\
	memset(&__s->idt, 0, sizeof(__s->idt));					\
	__s->idt.base = BENCH_IDT_GPA;						\
	__s->idt.limit = BENCH_IDT_LIMIT;					\
	__s->cr0 = 0x31;		/* PE, ET, NE */			\
	__s->cr3 = 0;								\
	__s->cr4 = 0;								\
	__s->efer = 0;								\
} while (0)

/*
 * The exit in the run structure @run into @e, given the ABI's numbers for
 * HLT, port I/O, MMIO and an OUT; @run_size is the run structure's mapping
 * (KVM puts an OUT's data on the page after struct kvm_run, at 4096, in a
 * mapping of KVM_GET_VCPU_MMAP_SIZE). Only what the guests do is understood:
 * one OUT of at most 4 bytes, an MMIO write; anything else is
 * BENCH_EXIT_OTHER, which fails the workload's check (with the exit's first
 * word of information in @e->addr, for the message).
 */
#define BENCH_EXIT_DECODE(run, run_size, e, exit_hlt, exit_io, exit_mmio, io_out) do { \
	__auto_type __x = (run);						\
	struct bench_exit *__e = (e);						\
									\
	memset(__e, 0, sizeof(*__e));						\
	__e->raw_reason = __x->exit_reason;					\
	__e->kind = BENCH_EXIT_OTHER;						\
	if (__x->exit_reason == (exit_hlt)) {					\
		__e->kind = BENCH_EXIT_HLT;					\
	} else if (__x->exit_reason == (exit_io)) {				\
		__e->addr = __x->io.port;					\
		__e->size = __x->io.size;					\
		if (__x->io.direction == (io_out) && __x->io.count == 1 &&	\
		    __x->io.size <= 4 && __x->io.data_offset <= (run_size) - 4) { \
			__e->kind = BENCH_EXIT_IO_OUT;				\
			memcpy(&__e->data, (const uint8_t *)__x + __x->io.data_offset, \
			       __x->io.size);					\
		}								\
	} else if (__x->exit_reason == (exit_mmio)) {				\
		__e->addr = __x->mmio.phys_addr;				\
		__e->size = __x->mmio.len;					\
		memcpy(&__e->data, __x->mmio.data, 4);				\
		if (__x->mmio.is_write && __x->mmio.len <= 8)			\
			__e->kind = BENCH_EXIT_MMIO_WRITE;			\
	} else {								\
		/* the first word: a failed entry's, an error's reason */	\
		memcpy(&__e->addr, &__x->io, sizeof(__e->addr));		\
	}									\
} while (0)

/* The run structure of @vm's new vCPU, mapped: 0 or -errno. */
static inline int bench_map_run(const struct bench_hv *hv, struct bench_vm *vm)
{
	void *run = mmap(NULL, hv->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 vm->vcpu_fd, 0);

	if (run == MAP_FAILED)
		return -errno;
	vm->run = run;
	vm->run_size = hv->run_size;
	return 0;
}

/*
 * struct bench_hv.kick of both, given their run structure's immediate_exit:
 * the vCPU's next run returns -EINTR at once (the flag stays set), and the
 * signal ends a run that sleeps in HLT or is in the guest.
 */
static inline void bench_kick(uint8_t *immediate_exit, pthread_t thread)
{
	__atomic_store_n(immediate_exit, 1, __ATOMIC_SEQ_CST);
	pthread_kill(thread, BENCH_KICK_SIGNAL);
}

/* @ap, before ap_create() fills it: a view of @vm, no vCPU yet. */
static inline void bench_ap_view(struct bench_vm *ap, const struct bench_vm *vm)
{
	memset(ap, 0, sizeof(*ap));
	ap->fd = -1;
	ap->flags = vm->flags;
	ap->mem = vm->mem;
	ap->mem_size = vm->mem_size;
	ap->vcpu_fd = -1;
}

/*
 * struct bench_hv.ap_destroy of both: @v's vCPU (its run structure, its
 * fd), never the VM's RAM; @v is reset.
 */
static inline void bench_vcpu_release(struct bench_hv *hv, struct bench_vm *v)
{
	if (v->run)
		munmap(v->run, hv->run_size);
	if (v->vcpu_fd >= 0)
		close(v->vcpu_fd);
	memset(v, 0, sizeof(*v));
	v->fd = -1;
	v->vcpu_fd = -1;
}

/* struct bench_hv.vm_destroy of both: unmap and close what @vm has. */
static inline void bench_vm_release(struct bench_hv *hv, struct bench_vm *vm)
{
	uint8_t *mem = vm->mem;
	size_t mem_size = vm->mem_size;
	int fd = vm->fd;

	bench_vcpu_release(hv, vm);
	if (fd >= 0)
		close(fd);
	if (mem)
		munmap(mem, mem_size);
}

/*
 * struct bench_hv.ap_create of both: vCPU 1 of @vm into the view @ap, made
 * by @vcpu_new as vCPU 0 is, then runnable by the ioctl @set_mp_state with
 * @mp (the ABI's MP state "runnable"): an AP waits for INIT and a start-up
 * IPI under both (Documentation/khv-abi.rst, "MP state"), unless its VMM
 * sets it up itself. 0 or -errno.
 */
static inline int bench_ap_create(struct bench_hv *hv, struct bench_vm *vm, struct bench_vm *ap,
				  int (*vcpu_new)(struct bench_hv *hv, struct bench_vm *vm,
						  uint32_t id, struct bench_vm *v),
				  unsigned long set_mp_state, const void *mp)
{
	int r;

	bench_ap_view(ap, vm);
	r = vcpu_new(hv, vm, 1, ap);
	if (!r && ioctl(ap->vcpu_fd, set_mp_state, mp))
		r = -errno;
	if (r)
		bench_vcpu_release(hv, ap);
	return r;
}

#endif /* KHV_BENCH_VMM_H */
