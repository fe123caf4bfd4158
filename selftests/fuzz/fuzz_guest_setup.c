// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest fuzzer's modes: real mode with an IVT, 32-bit protected mode
 * and long mode with an IDT (SDM Vol. 3A 6.10-6.14), at CPL 0 or 3, and
 * the handler every vector leads to: IRET, or more generated code.
 */
#include <string.h>

#include "fuzz_guest.h"

#define PD_ENTRIES	512
#define TSS_LIMIT	0x67

static void handler(struct fuzz_rng *r, struct khv_test_vm *vm, enum insn_mode mode)
{
	uint8_t *h = addr_gpa2hva(vm, FG_HANDLER_GPA);
	struct insn_ctx c = { .mode = mode, .ram_size = vm->mem_size,
			      .code_gpa = FG_HANDLER_GPA, .code_len = 0x100 };

	memset(h, 0x90, 0x200);
	if (rng_pct(r, 30))
		insn_generate(r, &c, h, 0x100);
	/* Past the generated code, NOPs then IRET (IRETQ in long mode). */
	if (mode == MODE_LONG)
		h[0x1fe] = 0x48;
	h[0x1ff] = 0xcf;
}

/* 8-byte gates (32-bit) or 16-byte gates (64-bit) to the handler, some broken. */
static void idt_fill(struct fuzz_rng *r, struct khv_test_vm *vm, enum insn_mode mode)
{
	uint64_t *idt = addr_gpa2hva(vm, GUEST_IDT_GPA);
	uint64_t off = FG_HANDLER_GPA;
	int i;

	for (i = 0; i < 256; i++) {
		uint64_t type = rng_pct(r, 50) ? 0x8e : 0xee;	/* interrupt gate, DPL 0 or 3 */
		uint64_t sel = mode == MODE_LONG ? GUEST_SEL_CODE64 : GUEST_SEL_CODE32;
		uint64_t lo;

		if (rng_pct(r, 10))
			type = 0x8f;	/* trap gate */
		lo = (off & 0xffff) | sel << 16 | type << 40 | (off >> 16 & 0xffff) << 48;
		if (rng_pct(r, 3))
			lo = rng_next(r);
		if (mode == MODE_LONG) {
			idt[2 * i] = lo;
			idt[2 * i + 1] = off >> 32;
		} else {
			idt[i] = lo;
		}
	}
}

static void page_tables(struct fuzz_rng *r, struct khv_test_vm *vm)
{
	uint64_t *pml4 = addr_gpa2hva(vm, GUEST_PML4_GPA);
	uint64_t *pdpt = addr_gpa2hva(vm, GUEST_PDPT_GPA);
	uint64_t *pd = addr_gpa2hva(vm, GUEST_PD_GPA);
	uint64_t *gdt = addr_gpa2hva(vm, GUEST_GDT_GPA);
	uint64_t tss = GUEST_TSS_GPA;
	int i;

	/* Identity map of the first GiB in 2 MiB pages: RAM, then MMIO. */
	pml4[0] = GUEST_PDPT_GPA | 0x3;
	pdpt[0] = GUEST_PD_GPA | 0x3;
	for (i = 0; i < PD_ENTRIES; i++)
		pd[i] = (uint64_t)i * (2ul << 20) | 0x83;
	if (rng_pct(r, 10))	/* reserved bits, not present, no write: #PF */
		pd[rng_below(r, 4)] ^= rng_edgy(r);
	gdt[GUEST_SEL_TSS / 8] = TSS_LIMIT | (tss & 0xffffff) << 16 | 0x8bull << 40 |
				 (tss >> 24 & 0xff) << 56;
	gdt[GUEST_SEL_TSS / 8 + 1] = tss >> 32;
	/* The 64-bit TSS's RSP0. */
	*(uint64_t *)addr_gpa2hva(vm, GUEST_TSS_GPA + 4) = GUEST_STACK_TOP - 0x4000;
}

static void user_segs(struct khv_sregs *s, uint16_t cs_sel)
{
	s->cs.selector = cs_sel;
	s->cs.dpl = 3;
	s->ds.selector = GUEST_SEL_USER_DATA;
	s->ds.dpl = 3;
	s->es = s->ds;
	s->fs = s->ds;
	s->gs = s->ds;
	s->ss = s->ds;
}

static int setup_real(struct fuzz_rng *r, struct khv_test_vcpu *vcpu)
{
	uint16_t *ivt = addr_gpa2hva(vcpu->vm, FG_IVT_GPA);
	int i;

	for (i = 0; i < 256; i++) {	/* segment 0, offset FG_HANDLER_GPA */
		ivt[2 * i] = rng_pct(r, 97) ? FG_HANDLER_GPA : rng_next(r);
		ivt[2 * i + 1] = 0;
	}
	return vcpu_set_real_mode(vcpu, FG_CODE_GPA);
}

static int setup_prot(struct fuzz_rng *r, struct khv_test_vcpu *vcpu, int cpl)
{
	struct khv_test_vm *vm = vcpu->vm;
	struct khv_sregs s;
	int ret = vcpu_set_protected_mode(vcpu, FG_CODE_GPA);

	if (ret)
		return ret;
	ret = vcpu_get_sregs(vcpu, &s);
	if (ret)
		return ret;
	idt_fill(r, vm, MODE_PROT);
	s.idt.base = GUEST_IDT_GPA;
	s.idt.limit = rng_pct(r, 80) ? 256 * 8 - 1 : rng_below(r, 0x100);
	/* The 32-bit TSS's ESP0 and SS0, for CPL 3's exceptions. */
	*(uint32_t *)addr_gpa2hva(vm, GUEST_TSS_GPA + 4) = GUEST_STACK_TOP - 0x4000;
	*(uint32_t *)addr_gpa2hva(vm, GUEST_TSS_GPA + 8) = GUEST_SEL_DATA;
	if (cpl)
		user_segs(&s, GUEST_SEL_USER_CODE32);
	return vcpu_set_sregs(vcpu, &s);
}

static int setup_long(struct fuzz_rng *r, struct khv_test_vcpu *vcpu, int cpl)
{
	struct khv_test_vm *vm = vcpu->vm;
	struct khv_sregs s;
	int ret = vcpu_set_protected_mode(vcpu, FG_CODE_GPA);

	if (ret)
		return ret;
	page_tables(r, vm);
	idt_fill(r, vm, MODE_LONG);
	ret = vcpu_get_sregs(vcpu, &s);
	if (ret)
		return ret;
	s.cs.selector = GUEST_SEL_CODE64;
	s.cs.l = 1;
	s.cs.db = 0;
	s.idt.limit = rng_pct(r, 80) ? 256 * 16 - 1 : rng_below(r, 0x100);
	s.cr0 |= X86_CR0_PG | X86_CR0_WP;
	s.cr3 = GUEST_PML4_GPA;
	s.cr4 = X86_CR4_PAE;
	s.efer = EFER_LME | EFER_LMA;
	if (cpl) {
		uint64_t *pd = addr_gpa2hva(vm, GUEST_PD_GPA);
		int i;

		user_segs(&s, GUEST_SEL_USER_CODE64);
		s.cs.l = 1;
		s.cs.db = 0;
		*(uint64_t *)addr_gpa2hva(vm, GUEST_PML4_GPA) |= 4;
		*(uint64_t *)addr_gpa2hva(vm, GUEST_PDPT_GPA) |= 4;
		for (i = 0; i < PD_ENTRIES; i++)
			pd[i] |= 4;
	}
	return vcpu_set_sregs(vcpu, &s);
}

int fg_setup(struct fuzz_rng *r, struct khv_test_vcpu *vcpu, enum insn_mode mode, int cpl)
{
	struct khv_sregs s;
	int ret;

	handler(r, vcpu->vm, mode);
	rng_fill(r, addr_gpa2hva(vcpu->vm, FG_DATA_GPA), 0x1000);
	switch (mode) {
	case MODE_REAL:
		ret = setup_real(r, vcpu);
		break;
	case MODE_PROT:
		ret = setup_prot(r, vcpu, cpl);
		break;
	default:
		ret = setup_long(r, vcpu, cpl);
		break;
	}
	/* On QEMU, a TR that QEMU takes: even real mode may reach CPL 3 (fuzz_host.c). */
	if (ret || !fuzz_host_qemu_tcg())
		return ret;
	ret = vcpu_get_sregs(vcpu, &s);
	if (ret)
		return ret;
	fuzz_host_tr(&s);
	return vcpu_set_sregs(vcpu, &s);
}
