// SPDX-License-Identifier: GPL-2.0-only
/*
 * A struct bench_hv without hardware, for bench_selftest.c: it interprets
 * the few instructions of guests.S on guest RAM of its own, handles WBINVD,
 * CPUID and hypercalls "in the kernel" with counters named as khv's (or one
 * "exits" counter, as KVM's), and exits to the caller for OUT, for stores
 * outside RAM and for HLT, so that khv_bench's workloads, checks and output
 * run on the build machine. Faults can be injected to prove the checks fail.
 *
 * With BENCH_VM_IRQCHIP it has local APICs in x2APIC mode, as much of them
 * as the interrupt guests use (SVR, the one-shot timer, fixed IPIs to a
 * physical destination, EOI), interrupt delivery through the IDT of
 * bench_load_guest() with STI's shadow, IRET, and HLT with interrupts on
 * waiting in "the kernel" (as khv's; with them off it exits, as khv's and
 * not KVM's, whose vCPU would wait for good). Two vCPUs run in two threads;
 * the APICs' requests and HLT's wait are under one lock. A timer fires at
 * once (its count is one bus cycle), and a raised interrupt can be lost
 * (fake_opts.lose_irq): then a HLT waits until the workload's watchdog
 * kicks it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "bench_fake.h"
#include "bench_vmm.h"

#define FAKE_BUDGET	300000000ul	/* instructions per run before giving up */
/* The vectors its APICs take: 64 from BENCH_VECTOR, a bit each in IRR and ISR. */
#define FAKE_VEC_BASE	BENCH_VECTOR
#define FAKE_VEC_NR	64
#define FAKE_EFLAGS_IF	0x200u

struct fake_vcpu {
	struct bench_regs r;
	const struct fake_opts *opts;
	uint8_t *touched;	/* per 4 KiB page of RAM: written once */
	/* The interrupt guests' processor state. */
	uint32_t id, esp;
	bool irqchip, zf, if_flag, shadow;
	/* Its local APIC: the registers the guests write. */
	uint32_t apic_base, svr, lvtt, tdcr;
	uint64_t irr;		/* raised by any thread: atomic */
	uint64_t isr;		/* its own thread's */
	bool kicked;		/* struct bench_hv.kick: runs return -EINTR */
	struct fake_vcpu *peer;	/* the VM's other vCPU, or NULL */
};

static struct fake_opts fake_khv_opts, fake_kvm_opts;
static uint64_t fake_count[2][FAKE_NR];
static unsigned int fake_raised[2];
static const char *const fake_names[FAKE_NR] = {
	[FAKE_OTHER] = "other", [FAKE_CPUID] = "cpuid", [FAKE_HYPERCALL] = "hypercall",
	[FAKE_IO] = "io", [FAKE_NPF] = "npf", [FAKE_HLT] = "hlt", [FAKE_MSR] = "msr",
};

/* Over every APIC's IRR writes, kicked and a halted vCPU's wait. */
static pthread_mutex_t fake_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t fake_cond = PTHREAD_COND_INITIALIZER;

static int fake_idx(const struct fake_opts *o)
{
	return o == &fake_kvm_opts;
}

static const struct fake_opts *fake_opts_of(const struct bench_hv *hv)
{
	return strcmp(hv->name, "kvm") ? &fake_khv_opts : &fake_kvm_opts;
}

static void count(const struct fake_opts *o, enum fake_counter c)
{
	if (o->drop != (int)c)
		__atomic_fetch_add(&fake_count[fake_idx(o)][c], 1, __ATOMIC_RELAXED);
}

static int fake_vm_create(struct bench_hv *hv, struct bench_vm *vm, size_t mem_bytes,
			  unsigned int flags)
{
	(void)hv;
	memset(vm, 0, sizeof(*vm));
	vm->vcpu_fd = -1;
	vm->flags = flags;
	vm->fd = 1000;		/* never a real fd: fake_vm_destroy() closes none */
	if (!mem_bytes)
		return 0;
	vm->mem = calloc(1, mem_bytes);
	if (!vm->mem)
		return -ENOMEM;
	vm->mem_size = mem_bytes;
	return 0;
}

static void fake_vm_destroy(struct bench_hv *hv, struct bench_vm *vm)
{
	(void)hv;
	if (vm->run)
		free(((struct fake_vcpu *)vm->run)->touched);
	free(vm->run);
	free(vm->mem);
	memset(vm, 0, sizeof(*vm));
	vm->fd = -1;
	vm->vcpu_fd = -1;
}

/* vCPU @id of @vm (the VM's, or an AP's view), its APIC as after RESET. */
static int fake_vcpu_new(struct bench_hv *hv, struct bench_vm *vm, uint32_t id)
{
	struct fake_vcpu *v = calloc(1, sizeof(*v));

	if (!v)
		return -ENOMEM;
	v->touched = calloc(1, vm->mem_size / 4096 + 1);
	if (!v->touched) {
		free(v);
		return -ENOMEM;
	}
	v->opts = fake_opts_of(hv);
	v->id = id;
	v->irqchip = vm->flags & BENCH_VM_IRQCHIP;
	/* Enabled at 0xfee00000, the BSP's with bit 8 (SDM Vol. 3A 11.4.4). */
	v->apic_base = 0xfee00800 | (id ? 0 : 0x100);
	v->svr = 0xff;
	v->lvtt = BENCH_APIC_LVT_MASKED;
	vm->vcpu_fd = 1001 + id;
	vm->run = v;
	return 0;
}

static int fake_vcpu_create(struct bench_hv *hv, struct bench_vm *vm)
{
	return fake_vcpu_new(hv, vm, 0);
}

static int fake_ap_create(struct bench_hv *hv, struct bench_vm *vm, struct bench_vm *ap)
{
	struct fake_vcpu *bsp = vm->run;
	int r;

	bench_ap_view(ap, vm);
	r = fake_vcpu_new(hv, ap, 1);
	if (r)
		return r;
	bsp->peer = ap->run;
	bsp->peer->peer = bsp;
	return 0;
}

static void fake_ap_destroy(struct bench_hv *hv, struct bench_vm *ap)
{
	struct fake_vcpu *v = ap->run;

	(void)hv;
	if (v && v->peer)
		v->peer->peer = NULL;
	if (v)
		free(v->touched);
	free(v);
	memset(ap, 0, sizeof(*ap));
	ap->fd = -1;
	ap->vcpu_fd = -1;
}

static void fake_kick(struct bench_vm *vm, pthread_t thread)
{
	struct fake_vcpu *v = vm->run;

	(void)thread;
	pthread_mutex_lock(&fake_lock);
	__atomic_store_n(&v->kicked, true, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&fake_cond);
	pthread_mutex_unlock(&fake_lock);
}

static int fake_get_regs(struct bench_vm *vm, struct bench_regs *r)
{
	*r = ((struct fake_vcpu *)vm->run)->r;
	return 0;
}

/* The byte of guest RAM at @gpa, or -1 outside it. */
static int byte_at(const struct bench_vm *vm, uint32_t gpa)
{
	return gpa < vm->mem_size ? vm->mem[gpa] : -1;
}

/* The aligned word of guest RAM at @gpa, or NULL outside it. */
static uint32_t *word_at(const struct bench_vm *vm, uint32_t gpa)
{
	return (uint64_t)gpa + 4 <= vm->mem_size && !(gpa & 3) ?
	       (uint32_t *)(vm->mem + gpa) : NULL;
}

/* The 4 bytes at @gpa, little-endian as the instruction holds them. */
static uint32_t imm32(const struct bench_vm *vm, uint32_t gpa)
{
	uint32_t v = 0;

	if ((uint64_t)gpa + 4 <= vm->mem_size)
		memcpy(&v, vm->mem + gpa, 4);
	return v;
}

/* ESP's push and pop: false outside RAM (the guest would fault). */
static bool push(struct bench_vm *vm, struct fake_vcpu *v, uint32_t val)
{
	uint32_t *p = word_at(vm, v->esp - 4);

	if (!p)
		return false;
	v->esp -= 4;
	*p = val;
	return true;
}

static bool pop(struct bench_vm *vm, struct fake_vcpu *v, uint32_t *val)
{
	uint32_t *p = word_at(vm, v->esp);

	if (!p)
		return false;
	v->esp += 4;
	*val = *p;
	return true;
}

static int highest(uint64_t bits)
{
	return bits ? 63 - __builtin_clzll(bits) : -1;
}

/* The vector (less FAKE_VEC_BASE) the APIC would deliver now, or -1. */
static int fake_pending(struct fake_vcpu *v)
{
	int irr = highest(__atomic_load_n(&v->irr, __ATOMIC_ACQUIRE));

	return irr > highest(v->isr) ? irr : -1;
}

/*
 * A fixed interrupt reaches @t's APIC: dropped while the APIC is software
 * disabled (as both hypervisors drop it), and the lost one of lose_irq.
 */
static void fake_raise(struct fake_vcpu *t, uint32_t vec)
{
	const struct fake_opts *o = t->opts;
	unsigned int *raised = &fake_raised[fake_idx(o)];

	if (!(__atomic_load_n(&t->svr, __ATOMIC_ACQUIRE) & 0x100) ||
	    vec < FAKE_VEC_BASE || vec >= FAKE_VEC_BASE + FAKE_VEC_NR)
		return;
	if (o->lose_irq && __atomic_add_fetch(raised, 1, __ATOMIC_RELAXED) == (unsigned int)o->lose_irq)
		return;
	pthread_mutex_lock(&fake_lock);
	__atomic_fetch_or(&t->irr, 1ull << (vec - FAKE_VEC_BASE), __ATOMIC_RELEASE);
	pthread_cond_broadcast(&fake_cond);
	pthread_mutex_unlock(&fake_lock);
}

/* HLT with interrupts on: wait for an interrupt, or a kick (-EINTR). */
static int fake_halt(struct fake_vcpu *v)
{
	int r = 1;

	pthread_mutex_lock(&fake_lock);
	while (fake_pending(v) < 0 && !__atomic_load_n(&v->kicked, __ATOMIC_ACQUIRE))
		pthread_cond_wait(&fake_cond, &fake_lock);
	if (__atomic_load_n(&v->kicked, __ATOMIC_ACQUIRE))
		r = -EINTR;
	pthread_mutex_unlock(&fake_lock);
	return r;
}

/*
 * Before an instruction: the pending interrupt, if IF and no STI shadow let
 * it in, through BENCH_VECTOR's gate of the IDT bench_load_guest() wrote
 * (a 32-bit interrupt gate: EFLAGS, CS, EIP pushed, IF cleared). 1 to go
 * on, 0 with @e filled where the guest would shut down (no gate, no stack).
 */
static int fake_deliver(struct bench_vm *vm, struct fake_vcpu *v, struct bench_exit *e)
{
	int vec = fake_pending(v);
	uint32_t gpa;
	uint64_t gate;

	if (!v->irqchip || !v->if_flag || v->shadow || vec < 0)
		return 1;
	__atomic_fetch_and(&v->irr, ~(1ull << vec), __ATOMIC_ACQ_REL);
	v->isr |= 1ull << vec;
	gpa = BENCH_IDT_GPA + (vec + FAKE_VEC_BASE) * 8;
	if (gpa + 7 > BENCH_IDT_GPA + BENCH_IDT_LIMIT || (uint64_t)gpa + 8 > vm->mem_size)
		goto shutdown;
	memcpy(&gate, vm->mem + gpa, 8);
	if (((gate >> 40) & 0xff) != 0x8e || ((gate >> 16) & 0xffff) != BENCH_SEL_CODE32)
		goto shutdown;
	if (!push(vm, v, FAKE_EFLAGS_IF | 2) || !push(vm, v, BENCH_SEL_CODE32) ||
	    !push(vm, v, v->r.eip))
		goto shutdown;
	v->if_flag = false;
	v->r.eip = (gate & 0xffff) | (uint32_t)(gate >> 48) << 16;
	return 1;
shutdown:
	*e = (struct bench_exit){ BENCH_EXIT_OTHER, 4, v->r.eip, 0, vec + FAKE_VEC_BASE };
	return 0;
}

/* An x2APIC register write: 1, or 0 for a #GP (the guest has no gate for it). */
static int fake_apic_write(struct fake_vcpu *v, uint32_t msr, uint32_t lo, uint32_t hi)
{
	struct fake_vcpu *t;

	if (hi && msr != BENCH_X2APIC_ICR)
		return 0;
	switch (msr) {
	case BENCH_X2APIC_SVR:
		__atomic_store_n(&v->svr, lo, __ATOMIC_RELEASE);
		return 1;
	case BENCH_X2APIC_TDCR:
		v->tdcr = lo;
		return 1;
	case BENCH_X2APIC_LVTT:
		v->lvtt = lo;
		return 1;
	case BENCH_X2APIC_TMICT:
		/* One-shot: a count of one bus cycle has run out at once. */
		if (lo && !(v->lvtt & BENCH_APIC_LVT_MASKED))
			fake_raise(v, v->lvtt & 0xff);
		return 1;
	case BENCH_X2APIC_EOI:
		if (lo)
			return 0;
		if (v->isr)
			v->isr &= ~(1ull << highest(v->isr));
		return 1;
	case BENCH_X2APIC_ICR:
		/* Fixed, physical, no shorthand: all the guests send. */
		if ((lo & ~0x40ffu) != 0)
			return 0;
		t = hi == v->id ? v : v->peer && hi == v->peer->id ? v->peer : NULL;
		if (t)
			fake_raise(t, lo & 0xff);
		return 1;
	}
	return 0;
}

/* RDMSR, WRMSR: IA32_APIC_BASE and the x2APIC registers, with the irqchip. */
static int fake_msr(struct fake_vcpu *v, bool write, struct bench_exit *e)
{
	struct bench_regs *r = &v->r;
	bool x2;

	count(v->opts, FAKE_MSR);
	r->eip += 2;
	if (v->irqchip && r->ecx == BENCH_MSR_APIC_BASE) {
		if (write) {
			v->apic_base = r->eax;
		} else {
			r->eax = v->apic_base;
			r->edx = 0;
		}
		return 1;
	}
	x2 = (v->apic_base & BENCH_APIC_BASE_X2APIC) == BENCH_APIC_BASE_X2APIC;
	if (v->irqchip && write && x2 && fake_apic_write(v, r->ecx, r->eax, r->edx))
		return 1;
	*e = (struct bench_exit){ BENCH_EXIT_OTHER, 5, r->ecx, 0, r->eax };
	return 0;
}

/* The register of an opcode's low 3 bits (B8+r, 50+r, 58+r); ESP is the fake's own. */
static uint32_t *reg_of(struct fake_vcpu *v, int n)
{
	struct bench_regs *r = &v->r;
	uint32_t *regs[8] = { &r->eax, &r->ecx, &r->edx, &r->ebx, &v->esp, &r->ebp,
			      &r->esi, &r->edi };

	return regs[n & 7];
}

/*
 * The interrupt guests' instructions: 1 to go on, 0 with @e filled for an
 * exit; -1 for none of them, or one it cannot do (a store or stack outside
 * RAM), which step() then finds no instruction it knows either.
 */
static int step_irq(struct bench_vm *vm, struct fake_vcpu *v, struct bench_exit *e)
{
	struct bench_regs *r = &v->r;
	int b0 = byte_at(vm, r->eip), b1 = byte_at(vm, r->eip + 1);
	uint32_t *p, val;

	switch (b0 << 8 | (b1 & 0xff)) {
	case 0x0f30:				/* wrmsr */
	case 0x0f32:				/* rdmsr */
		return fake_msr(v, b1 == 0x30, e);
	case 0x0fae:				/* mfence */
		if (byte_at(vm, r->eip + 2) != 0xf0)
			return -1;
		r->eip += 3;
		return 1;
	case 0x31d2:				/* xor %edx, %edx */
		r->edx = 0;
		v->zf = true;
		r->eip += 2;
		return 1;
	case 0xc705:				/* movl $imm32, abs32 */
		p = word_at(vm, imm32(vm, r->eip + 2));
		if (!p)
			return -1;
		__atomic_store_n(p, imm32(vm, r->eip + 6), __ATOMIC_SEQ_CST);
		r->eip += 10;
		return 1;
	case 0x833d:				/* cmpl $imm8, abs32 */
		p = word_at(vm, imm32(vm, r->eip + 2));
		if (!p)
			return -1;
		v->zf = __atomic_load_n(p, __ATOMIC_SEQ_CST) ==
			(uint32_t)(int8_t)byte_at(vm, r->eip + 6);
		r->eip += 7;
		return 1;
	}
	switch (b0) {
	case 0xb8 ... 0xbf:			/* mov $imm32, %reg */
		*reg_of(v, b0) = imm32(vm, r->eip + 1);
		r->eip += 5;
		return 1;
	case 0x0d:				/* or $imm32, %eax */
		r->eax |= imm32(vm, r->eip + 1);
		v->zf = !r->eax;
		r->eip += 5;
		return 1;
	case 0x50 ... 0x52:			/* push %eax, %ecx, %edx */
		if (!push(vm, v, *reg_of(v, b0)))
			return -1;
		r->eip++;
		return 1;
	case 0x58 ... 0x5a:			/* pop %eax, %ecx, %edx */
		if (!pop(vm, v, reg_of(v, b0)))
			return -1;
		r->eip++;
		return 1;
	case 0xcf:				/* iret */
		if (!pop(vm, v, &r->eip) || !pop(vm, v, &val) || !pop(vm, v, &val))
			return -1;
		v->if_flag = val & FAKE_EFLAGS_IF;
		return 1;
	case 0xeb:				/* jmp rel8 */
		r->eip += 2 + (int8_t)b1;
		return 1;
	case 0xfa:				/* cli */
		v->if_flag = false;
		r->eip++;
		return 1;
	case 0xfb:				/* sti: the next instruction in its shadow */
		v->if_flag = true;
		v->shadow = true;
		r->eip++;
		return 1;
	}
	return -1;
}

/* One instruction at EIP; 1 to go on, 0 with @e filled for an exit, or -EINTR. */
static int step(struct bench_vm *vm, struct fake_vcpu *v, struct bench_exit *e)
{
	const struct fake_opts *o = v->opts;
	struct bench_regs *r = &v->r;
	int b0 = byte_at(vm, r->eip), b1 = byte_at(vm, r->eip + 1);
	int b2 = byte_at(vm, r->eip + 2);
	uint32_t data;
	int k;

	k = step_irq(vm, v, e);
	if (k >= 0)
		return k;
	switch (b0 << 8 | (b1 & 0xff)) {
	case 0x0f09:				/* wbinvd */
		count(o, FAKE_OTHER);
		r->eip += 2;
		return 1;
	case 0x0fa2:				/* cpuid */
		count(o, FAKE_CPUID);
		r->eax = 0xd;
		r->ebx = o->intel ? 0x756e6547 : 0x68747541;	/* "Genu", "Auth" */
		r->ecx = o->intel ? 0x6c65746e : 0x444d4163;	/* "ntel", "cAMD" */
		r->edx = o->intel ? 0x49656e69 : 0x69746e65;	/* "ineI", "enti" */
		r->eip += 2;
		return 1;
	case 0x0f01:				/* vmcall, vmmcall */
		if (b2 != 0xc1 && b2 != 0xd9)
			break;
		count(o, FAKE_HYPERCALL);
		r->eax = r->eax == o->hc_nr ? o->hc_ret : (uint32_t)-1000;
		r->eip += 3;
		return 1;
	case 0x31c0:				/* xor %eax, %eax */
		r->eax = 0;
		v->zf = true;
		r->eip += 2;
		return 1;
	case 0x89d8:				/* mov %ebx, %eax */
		r->eax = r->ebx;
		r->eip += 2;
		return 1;
	case 0x89f8:				/* mov %edi, %eax */
		r->eax = r->edi;
		r->eip += 2;
		return 1;
	case 0x01d6:				/* add %edx, %esi */
		r->esi += r->edx;
		r->eip += 2;
		return 1;
	case 0x893e:				/* mov %edi, (%esi) */
		r->eip += 2;
		data = r->edi + (o->corrupt ? 1 : 0);
		if ((uint64_t)r->esi + 4 <= vm->mem_size) {
			/* A page's first write is a nested page fault. */
			if (!v->touched[r->esi >> 12]) {
				v->touched[r->esi >> 12] = 1;
				count(o, FAKE_NPF);
			}
			memcpy(vm->mem + r->esi, &data, 4);
			return 1;
		}
		count(o, FAKE_NPF);
		*e = (struct bench_exit){ BENCH_EXIT_MMIO_WRITE, 2, r->esi, 4, data };
		return 0;
	}
	switch (b0) {
	case 0x47:				/* inc %edi */
		r->edi++;
		v->zf = !r->edi;
		r->eip++;
		return 1;
	case 0x4d:				/* dec %ebp */
		r->ebp--;
		v->zf = !r->ebp;
		r->eip++;
		return 1;
	case 0x75:				/* jnz rel8 */
		r->eip += 2;
		if (!v->zf)
			r->eip += (int8_t)b1;
		return 1;
	case 0xef:				/* out %eax, (%dx) */
		count(o, FAKE_IO);
		r->eip++;
		*e = (struct bench_exit){ BENCH_EXIT_IO_OUT, 1, r->edx & 0xffff, 4,
					  r->eax + (o->corrupt ? 1 : 0) };
		return 0;
	case 0xf4:				/* hlt */
		count(o, FAKE_HLT);
		r->eip++;
		if (v->irqchip && v->if_flag)
			return fake_halt(v);
		*e = (struct bench_exit){ BENCH_EXIT_HLT, 3, 0, 0, 0 };
		return 0;
	}
	*e = (struct bench_exit){ BENCH_EXIT_OTHER, 0, r->eip, 0, (uint32_t)b0 };
	return 0;
}

/* set_regs() puts interrupts off and no STI shadow, as BENCH_REGS_PUT() does. */
static int fake_set_regs(struct bench_vm *vm, const struct bench_regs *r)
{
	struct fake_vcpu *v = vm->run;

	v->r = *r;
	v->if_flag = false;
	v->shadow = false;
	return 0;
}

static int fake_run(struct bench_vm *vm, struct bench_exit *e)
{
	struct fake_vcpu *v = vm->run;
	unsigned long n;
	int k;

	for (n = 0; n < FAKE_BUDGET; n++) {
		if (__atomic_load_n(&v->kicked, __ATOMIC_ACQUIRE))
			return -EINTR;
		if (!fake_deliver(vm, v, e))
			return 0;
		v->shadow = false;	/* it covered the delivery just skipped */
		k = step(vm, v, e);
		if (k <= 0)
			return k;
	}
	*e = (struct bench_exit){ BENCH_EXIT_OTHER, 0, v->r.eip, 0, 0 };
	return 0;
}

static int fake_counters_of(int idx, struct bench_counters *c)
{
	int i;

	memset(c, 0, sizeof(*c));
	if (idx) {
		snprintf(c->name[0], sizeof(c->name[0]), "exits");
		for (i = 0; i < FAKE_NR; i++)
			c->value[0] += __atomic_load_n(&fake_count[1][i], __ATOMIC_RELAXED);
		c->nr = 1;
		return 0;
	}
	for (i = 0; i < FAKE_NR; i++) {
		snprintf(c->name[c->nr], sizeof(c->name[0]), "%s", fake_names[i]);
		c->value[c->nr++] = __atomic_load_n(&fake_count[0][i], __ATOMIC_RELAXED);
	}
	return 0;
}

static int fake_khv_counters(struct bench_counters *c)
{
	return fake_counters_of(0, c);
}

static int fake_kvm_counters(struct bench_counters *c)
{
	return fake_counters_of(1, c);
}

void bench_fake_open(struct bench_hv *hv, bool as_kvm, const struct fake_opts *o)
{
	memset(hv, 0, sizeof(*hv));
	hv->name = as_kvm ? "kvm" : "khv";
	hv->devfd = -1;
	if (as_kvm)
		fake_kvm_opts = *o;
	else
		fake_khv_opts = *o;
	fake_raised[as_kvm] = 0;
	hv->hc_nr = o->hc_nr;
	hv->hc_ret = o->hc_ret;
	hv->vm_create = fake_vm_create;
	hv->vcpu_create = fake_vcpu_create;
	hv->vm_destroy = fake_vm_destroy;
	hv->set_regs = fake_set_regs;
	hv->get_regs = fake_get_regs;
	hv->run = fake_run;
	hv->ap_create = fake_ap_create;
	hv->ap_destroy = fake_ap_destroy;
	hv->kick = fake_kick;
	hv->counters = as_kvm ? fake_kvm_counters : fake_khv_counters;
}
