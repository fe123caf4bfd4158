// SPDX-License-Identifier: GPL-2.0-only
/*
 * A struct bench_hv without hardware, for bench_selftest.c: it interprets
 * the few instructions of guests.S on guest RAM of its own, handles WBINVD,
 * CPUID and hypercalls "in the kernel" with counters named as khv's (or one
 * "exits" counter, as KVM's), and exits to the caller for OUT, for stores
 * outside RAM and for HLT, so that khv_bench's workloads, checks and output
 * run on the build machine. Faults can be injected to prove the checks fail.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "bench_fake.h"

#define FAKE_BUDGET	300000000ul	/* instructions per run before giving up */

struct fake_vcpu {
	struct bench_regs r;
	const struct fake_opts *opts;
	uint8_t *touched;	/* per 4 KiB page of RAM: written once */
};

static struct fake_opts fake_khv_opts, fake_kvm_opts;
static uint64_t fake_count[2][FAKE_NR];
static const char *const fake_names[FAKE_NR] = {
	[FAKE_OTHER] = "other", [FAKE_CPUID] = "cpuid", [FAKE_HYPERCALL] = "hypercall",
	[FAKE_IO] = "io", [FAKE_NPF] = "npf", [FAKE_HLT] = "hlt",
};

static int fake_idx(const struct fake_opts *o)
{
	return o == &fake_kvm_opts;
}

static void count(const struct fake_opts *o, enum fake_counter c)
{
	if (o->drop != (int)c)
		fake_count[fake_idx(o)][c]++;
}

static int fake_vm_create(struct bench_hv *hv, struct bench_vm *vm, size_t mem_bytes,
			  unsigned int flags)
{
	(void)hv;
	(void)flags;
	memset(vm, 0, sizeof(*vm));
	vm->vcpu_fd = -1;
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

static int fake_vcpu_create_with(struct bench_vm *vm, const struct fake_opts *o)
{
	struct fake_vcpu *v = calloc(1, sizeof(*v));

	if (!v)
		return -ENOMEM;
	v->touched = calloc(1, vm->mem_size / 4096 + 1);
	if (!v->touched) {
		free(v);
		return -ENOMEM;
	}
	v->opts = o;
	vm->vcpu_fd = 1001;
	vm->run = v;
	return 0;
}

static int fake_khv_vcpu_create(struct bench_hv *hv, struct bench_vm *vm)
{
	(void)hv;
	return fake_vcpu_create_with(vm, &fake_khv_opts);
}

static int fake_kvm_vcpu_create(struct bench_hv *hv, struct bench_vm *vm)
{
	(void)hv;
	return fake_vcpu_create_with(vm, &fake_kvm_opts);
}

static int fake_set_regs(struct bench_vm *vm, const struct bench_regs *r)
{
	((struct fake_vcpu *)vm->run)->r = *r;
	return 0;
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

/* One instruction at EIP; 1 to go on, 0 with @e filled for an exit. */
static int step(struct bench_vm *vm, struct fake_vcpu *v, struct bench_exit *e)
{
	const struct fake_opts *o = v->opts;
	struct bench_regs *r = &v->r;
	int b0 = byte_at(vm, r->eip), b1 = byte_at(vm, r->eip + 1);
	int b2 = byte_at(vm, r->eip + 2);
	uint32_t data;

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
		r->eip++;
		return 1;
	case 0x4d:				/* dec %ebp */
		r->ebp--;
		r->eip++;
		return 1;
	case 0x75:				/* jnz rel8 */
		r->eip += 2;
		if (r->ebp)
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
		*e = (struct bench_exit){ BENCH_EXIT_HLT, 3, 0, 0, 0 };
		return 0;
	}
	*e = (struct bench_exit){ BENCH_EXIT_OTHER, 0, r->eip, 0, (uint32_t)b0 };
	return 0;
}

static int fake_run(struct bench_vm *vm, struct bench_exit *e)
{
	struct fake_vcpu *v = vm->run;
	unsigned long n;

	for (n = 0; n < FAKE_BUDGET; n++)
		if (!step(vm, v, e))
			return 0;
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
			c->value[0] += fake_count[1][i];
		c->nr = 1;
		return 0;
	}
	for (i = 0; i < FAKE_NR; i++) {
		snprintf(c->name[c->nr], sizeof(c->name[0]), "%s", fake_names[i]);
		c->value[c->nr++] = fake_count[0][i];
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
	hv->hc_nr = o->hc_nr;
	hv->hc_ret = o->hc_ret;
	hv->vm_create = fake_vm_create;
	hv->vcpu_create = as_kvm ? fake_kvm_vcpu_create : fake_khv_vcpu_create;
	hv->vm_destroy = fake_vm_destroy;
	hv->set_regs = fake_set_regs;
	hv->get_regs = fake_get_regs;
	hv->run = fake_run;
	hv->counters = as_kvm ? fake_kvm_counters : fake_khv_counters;
}
