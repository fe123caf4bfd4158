// SPDX-License-Identifier: GPL-2.0-only
/*
 * khv_bench's guests (guests.S), by name, and their loading: the same bytes
 * go into the RAM of whichever hypervisor runs them.
 */
#include <errno.h>
#include <string.h>

#include "bench.h"

static const struct bench_guest guests[GUEST_NR] = {
	[GUEST_WBINVD] = { "wbinvd", guest_wbinvd_start, guest_wbinvd_end },
	[GUEST_CPUID] = { "cpuid", guest_cpuid_start, guest_cpuid_end },
	[GUEST_VMCALL] = { "vmcall", guest_vmcall_start, guest_vmcall_end },
	[GUEST_VMMCALL] = { "vmmcall", guest_vmmcall_start, guest_vmmcall_end },
	[GUEST_OUT] = { "out", guest_out_start, guest_out_end },
	[GUEST_MMIO] = { "mmio", guest_mmio_start, guest_mmio_end },
	[GUEST_STORE] = { "store", guest_store_start, guest_store_end },
	[GUEST_TIMER] = { "timer", guest_timer_start, guest_timer_end, guest_timer_irq },
	[GUEST_IPI] = { "ipi", guest_ipi_start, guest_ipi_end, guest_ipi_irq, guest_ipi_ap },
};

const struct bench_guest *bench_guest(enum bench_guest_id id)
{
	return id < GUEST_NR ? &guests[id] : NULL;
}

uint32_t bench_guest_gpa(const struct bench_guest *g, const uint8_t *p)
{
	return BENCH_CODE_GPA + (uint32_t)(p - g->start);
}

/* A 32-bit interrupt gate, present, DPL 0, to @off (SDM Vol. 3A 6.11). */
static uint64_t bench_idt_gate(uint32_t off)
{
	return (off & 0xffff) | (uint64_t)BENCH_SEL_CODE32 << 16 | 0x8eull << 40 |
	       (uint64_t)(off >> 16) << 48;
}

/*
 * The IDT (BENCH_IDT_GPA, BENCH_IDT_LIMIT) has one gate, BENCH_VECTOR's, to
 * the guest's handler where it has one; every other vector, the exceptions
 * included, finds none: a guest that faults shuts down.
 */
int bench_load_guest(struct bench_vm *vm, enum bench_guest_id id)
{
	const struct bench_guest *g = bench_guest(id);
	uint64_t gdt[3] = { 0, BENCH_GDT_CODE32, BENCH_GDT_DATA };
	uint64_t gate = 0;
	size_t len;

	if (!g)
		return -EINVAL;
	len = g->end - g->start;
	if (!vm->mem || len > BENCH_CODE_MAX || vm->mem_size < BENCH_STACK0_TOP)
		return -ENOSPC;
	memset(vm->mem + BENCH_IDT_GPA, 0, BENCH_IDT_LIMIT + 1);
	if (g->handler)
		gate = bench_idt_gate(bench_guest_gpa(g, g->handler));
	memcpy(vm->mem + BENCH_IDT_GPA + BENCH_VECTOR * 8, &gate, sizeof(gate));
	memcpy(vm->mem + BENCH_GDT_GPA, gdt, sizeof(gdt));
	memcpy(vm->mem + BENCH_CODE_GPA, g->start, len);
	return 0;
}
