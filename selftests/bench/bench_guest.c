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
};

const struct bench_guest *bench_guest(enum bench_guest_id id)
{
	return id < GUEST_NR ? &guests[id] : NULL;
}

int bench_load_guest(struct bench_vm *vm, enum bench_guest_id id)
{
	const struct bench_guest *g = bench_guest(id);
	uint64_t gdt[3] = { 0, BENCH_GDT_CODE32, BENCH_GDT_DATA };
	size_t len;

	if (!g)
		return -EINVAL;
	len = g->end - g->start;
	if (!vm->mem || vm->mem_size < BENCH_CODE_GPA + len)
		return -ENOSPC;
	memcpy(vm->mem + BENCH_GDT_GPA, gdt, sizeof(gdt));
	memcpy(vm->mem + BENCH_CODE_GPA, g->start, len);
	return 0;
}
