// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ABI fuzzer's arguments: each starts from something the module would
 * take (often what a GET returned) and is then, more often than not,
 * mutated: reserved and padding bits, flags, counts, sizes, addresses.
 */
#include <string.h>
#include <sys/ioctl.h>

#include "fuzz_abi.h"

/* MSRs a guest may have, and neighbours it may not (SDM Vol. 4, APM Vol. 2 A). */
static const uint32_t msr_list[] = {
	0x10, 0x1b, 0x3a, 0x48, 0x49, 0x8b, 0xe7, 0xe8, 0x174, 0x175, 0x176, 0x179,
	0x1a0, 0x1d9, 0x277, 0x2ff, 0x6e0, 0x802, 0x808, 0x80b, 0x830, 0x8ff,
	0xda0, 0xc0000080, 0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084,
	0xc0000100, 0xc0000101, 0xc0000102, 0xc0000103, 0xc0000104, 0xc0010010,
	0xc0010114, 0xc0010117, 0xc0011029, 0x40000000, 0xffffffff, 0,
};

static const uint32_t cpuid_leaves[] = {
	0, 1, 2, 4, 6, 7, 0xb, 0xd, 0xf, 0x10, 0x12, 0x14, 0x1f, 0x24, 0x40000000,
	0x40000001, 0x80000000, 0x80000001, 0x80000007, 0x80000008, 0x8000000a,
	0x8000001f, 0x80000021, 0xffffffff,
};

void abi_count(struct abi_state *st)
{
	__atomic_add_fetch(&st->calls, 1, __ATOMIC_RELAXED);
}

void abi_msrs_arg(struct fuzz_rng *r, struct khv_msrs *m)
{
	uint32_t i;

	m->nmsrs = rng_pct(r, 90) ? 1 + rng_below(r, KHV_MAX_MSR_ENTRIES) : rng_edgy(r);
	for (i = 0; i < KHV_MAX_MSR_ENTRIES; i++) {
		m->entries[i].index = rng_pct(r, 90) ? msr_list[rng_below(r, ARRAY_SIZE(msr_list))]
						     : (uint32_t)rng_edgy(r);
		m->entries[i].data = rng_pct(r, 30) ? 0 : rng_edgy(r);
	}
}

void abi_cpuid_arg(struct fuzz_rng *r, struct khv_cpuid *c)
{
	uint32_t i;

	c->nent = rng_pct(r, 90) ? 1 + rng_below(r, KHV_MAX_CPUID_ENTRIES) : rng_edgy(r);
	for (i = 0; i < KHV_MAX_CPUID_ENTRIES; i++) {
		struct khv_cpuid_entry *e = &c->entries[i];

		e->function = cpuid_leaves[rng_below(r, ARRAY_SIZE(cpuid_leaves))];
		e->index = rng_below(r, 4);
		e->flags = rng_pct(r, 50) ? KHV_CPUID_FLAG_INDEX : 0;
		e->eax = rng_edgy(r);
		e->ebx = rng_edgy(r);
		e->ecx = rng_edgy(r);
		e->edx = rng_edgy(r);
	}
}

void abi_events_arg(struct fuzz_rng *r, struct khv_vcpu_events *e)
{
	e->exception.injected = rng_pct(r, 20);
	e->exception.pending = rng_pct(r, 20);
	e->exception.vector = rng_below(r, 34);
	e->exception.has_error = rng_pct(r, 50);
	e->exception.error = rng_edgy(r);
	e->exception.has_payload = rng_pct(r, 30);
	e->exception.payload = rng_edgy(r);
	e->interrupt.injected = rng_pct(r, 20);
	e->interrupt.vector = rng_next(r);
	e->interrupt.shadow = rng_below(r, 4);
	e->interrupt.pending = rng_pct(r, 20);
	e->interrupt.pending_vector = rng_next(r);
	e->nmi.injected = rng_pct(r, 20);
	e->nmi.pending = rng_below(r, 4);
	e->nmi.masked = rng_pct(r, 50);
}

void abi_region_arg(struct fuzz_rng *r, struct khv_memory_region *m, struct abi_state *st)
{
	static const uint64_t gpas[] = {
		0, 0x1000, 0x100000, 0xa0000, 0xfee00000, 0xfffff000, 0x100000000ull,
		(1ull << 48) - 0x1000, 1ull << 48, ~0ull - 0xfff,
	};
	uint64_t pages;

	memset(m, 0, sizeof(*m));
	m->slot = rng_pct(r, 90) ? rng_below(r, KHV_MAX_MEM_SLOTS) : rng_edgy(r);
	m->flags = rng_pct(r, 20) ? KHV_MEM_READONLY : 0;
	m->guest_phys_addr = rng_pct(r, 70) ? gpas[rng_below(r, ARRAY_SIZE(gpas))] +
					      rng_below(r, 64) * 0x1000 : rng_edgy(r);
	pages = rng_pct(r, 95) ? 1 + rng_below(r, 16) : 1 + rng_below(r, 512);
	m->size = pages * 0x1000;
	switch (rng_below(r, 12)) {	/* sizes refused before any page is allocated */
	case 0:
		m->size = 0;
		break;
	case 1:
		m->size = KHV_MAX_MEM_SIZE + 0x1000;
		break;
	case 2:
		m->size = ~0ull << rng_below(r, 64);
		break;
	case 3:
		m->size |= 1 + rng_below(r, 0xfff);
		break;
	}
	if (rng_pct(r, 10))
		m->flags = rng_edgy(r);
	if (rng_pct(r, 10))
		m->reserved[rng_below(r, 4)] = rng_edgy(r);
	if (rng_pct(r, 10))
		m->mmap_offset = rng_edgy(r);
	/* Never more RAM than the budget: a size that would pass is cut down. */
	if (m->size <= KHV_MAX_MEM_SIZE && !(m->size & 0xfff) &&
	    st->mem_asked + m->size > ABI_MEM_BUDGET)
		m->size = 0x1000 | 1;
	if (m->size <= KHV_MAX_MEM_SIZE)
		st->mem_asked += m->size;
}

void abi_create_vcpu_arg(struct fuzz_rng *r, struct khv_create_vcpu *c)
{
	memset(c, 0, sizeof(*c));
	c->id = rng_pct(r, 85) ? rng_below(r, 8) : rng_edgy(r);
	if (rng_pct(r, 10))
		rng_mutate(r, c, sizeof(*c));
}

void abi_create_vm_arg(struct fuzz_rng *r, struct khv_create_vm *c)
{
	memset(c, 0, sizeof(*c));
	if (rng_pct(r, 15))
		rng_mutate(r, c, sizeof(*c));
}

unsigned long abi_device_cmd(struct fuzz_rng *r, union abi_buf *b)
{
	/* Functions of a q35 machine (00:01.0 and 00:02.0 may be edu). */
	static const uint16_t devfn[] = { 0x00, 0x08, 0x10, 0x18, 0xf8, 0xfa, 0xfb };
	unsigned long cmd;

	memset(b, 0, sizeof(*b));
	switch (rng_below(r, 5)) {
	case 0:
	case 1:
		cmd = rng_pct(r, 60) ? KHV_ASSIGN_PCI_DEVICE : KHV_DEASSIGN_PCI_DEVICE;
		b->pci.devfn = devfn[rng_below(r, ARRAY_SIZE(devfn))];
		break;
	case 2:
		cmd = KHV_SET_DEVICE_MSI;
		b->msi.devfn = devfn[rng_below(r, ARRAY_SIZE(devfn))];
		b->msi.address_lo = 0xfee00000u | rng_below(r, 4) << 12;
		b->msi.data = 32 + rng_below(r, 224);
		if (rng_pct(r, 20)) {
			memset(&b->msi.address_lo, 0, 12);
			b->msi.flags = KHV_DEVICE_MSI_OFF;
		}
		/* The function's INTx instead of its MSI. */
		if (rng_pct(r, 40))
			b->msi.flags |= KHV_DEVICE_MSI_INTX;
		break;
	default:
		cmd = KHV_MAP_HOST_MMIO;
		/* The HPET, the I/O APIC, a BAR's neighbourhood, RAM, the top. */
		b->mmio.hpa = rng_pct(r, 70) ? 0xfe000000ull + rng_below(r, 0x1000) * 0x1000 :
					       rng_edgy(r) & ~0xfffull;
		b->mmio.gpa = 0x10000000ull + rng_below(r, 64) * 0x100000;
		b->mmio.size = 0x1000ull << rng_below(r, 9);
		b->mmio.flags = rng_pct(r, 30) ? KHV_HOST_MMIO_UNMAP : 0;
		break;
	}
	if (rng_pct(r, 40))
		rng_mutate(r, b, _IOC_SIZE(cmd));
	return cmd;
}

unsigned long abi_bad_cmd(struct fuzz_rng *r)
{
	static const unsigned long good[] = {
		KHV_GET_API_VERSION, KHV_CHECK_EXTENSION, KHV_CREATE_VM, KHV_GET_VCPU_MMAP_SIZE,
		KHV_SET_MEMORY_REGION, KHV_CREATE_VCPU, KHV_RUN, KHV_GET_REGS, KHV_SET_REGS,
		KHV_GET_SREGS, KHV_SET_SREGS, KHV_GET_MSRS, KHV_SET_MSRS, KHV_SET_CPUID,
		KHV_GET_VCPU_EVENTS, KHV_SET_VCPU_EVENTS, KHV_INTERRUPT, KHV_NMI,
	};
	unsigned long c = good[rng_below(r, ARRAY_SIZE(good))];

	switch (rng_below(r, 5)) {
	case 0:		/* another direction */
		return _IOC(rng_below(r, 4), _IOC_TYPE(c), _IOC_NR(c), _IOC_SIZE(c));
	case 1:		/* another size */
		return _IOC(_IOC_DIR(c), _IOC_TYPE(c), _IOC_NR(c),
			    rng_below(r, 1u << _IOC_SIZEBITS));
	case 2:		/* any number of the magic */
		return _IOC(rng_below(r, 4), KHVIO, rng_below(r, 256), rng_below(r, 4096));
	case 3:		/* another magic */
		return _IOC(_IOC_DIR(c), rng_below(r, 256), _IOC_NR(c), _IOC_SIZE(c));
	default:
		return (uint32_t)rng_next(r);
	}
}

unsigned long abi_ptr(struct fuzz_rng *r, union abi_buf *b, unsigned long cmd,
		      struct abi_state *st)
{
	size_t size = _IOC_SIZE(cmd);

	switch (rng_below(r, 40)) {
	case 0:
		return 0;
	case 1:		/* the structure runs into a PROT_NONE page */
		if (size > 1 && size <= (size_t)st->page) {
			uint8_t *p = st->guard + st->page - size + 1 + rng_below(r, size - 1);

			memcpy(p, b, st->guard + st->page - p);
			return (unsigned long)p;
		}
		return (unsigned long)(st->guard + st->page);
	case 2:		/* read-only: copy_to_user() fails */
		return (unsigned long)st->ro;
	case 3:		/* a kernel address, a non-canonical one */
		return rng_pct(r, 50) ? 0xffffffff81000000ul : 0x8000000000000000ul;
	case 4:		/* unaligned */
		memmove(b->bytes + 1, b->bytes, sizeof(*b) - 1);
		return (unsigned long)(b->bytes + 1);
	default:
		return (unsigned long)b;
	}
}

unsigned long abi_vcpu_cmd(struct fuzz_rng *r, int fd, union abi_buf *b,
			   struct abi_state *st)
{
	unsigned long get = 0, cmd;

	memset(b, 0, sizeof(*b));
	switch (rng_below(r, 12)) {
	case 0:
		cmd = KHV_GET_REGS;
		break;
	case 1:
		cmd = KHV_SET_REGS;
		get = KHV_GET_REGS;
		break;
	case 2:
		cmd = KHV_GET_SREGS;
		break;
	case 3:
	case 4:
		cmd = KHV_SET_SREGS;
		get = KHV_GET_SREGS;
		break;
	case 5:
		cmd = KHV_GET_MSRS;
		abi_msrs_arg(r, &b->msrs);
		break;
	case 6:
		cmd = KHV_SET_MSRS;
		abi_msrs_arg(r, &b->msrs);
		break;
	case 7:
		cmd = KHV_SET_CPUID;
		abi_cpuid_arg(r, &b->cpuid);
		break;
	case 8:
		cmd = KHV_GET_VCPU_EVENTS;
		break;
	case 9:
		cmd = KHV_SET_VCPU_EVENTS;
		get = KHV_GET_VCPU_EVENTS;
		break;
	case 10:
		cmd = KHV_INTERRUPT;
		b->interrupt.vector = rng_pct(r, 80) ? 32 + rng_below(r, 224) : rng_edgy(r);
		break;
	default:
		return KHV_NMI;
	}
	if (get) {
		ioctl(fd, get, b);
		abi_count(st);
		if (cmd == KHV_SET_VCPU_EVENTS && rng_pct(r, 50))
			abi_events_arg(r, &b->events);
	}
	/* Mostly a mutated argument: the reserved bytes, the flags, any field. */
	if (rng_pct(r, 60))
		rng_mutate(r, b, _IOC_SIZE(cmd));
	/* Whatever else is wrong, a TR that QEMU's TCG takes (fuzz_host.c). */
	if (cmd == KHV_SET_SREGS)
		fuzz_host_tr(&b->sregs);
	return cmd;
}
