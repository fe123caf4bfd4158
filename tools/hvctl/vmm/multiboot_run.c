// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvctl run --kernel with a multiboot v1 kernel (vmm/multiboot.c checks and
 * loads it): the same PC as for Linux (vmm/linux.c), the in-kernel local
 * APICs, the MP table and the legacy devices of vmm/loop.c, and vCPU 0 in
 * the machine state the Multiboot Specification (3.2) gives the kernel:
 * 32-bit protected mode without paging, flat segments, interrupts off, EAX
 * the boot magic and EBX the information structure.
 */
#include <stdio.h>
#include <string.h>

#include "multiboot.h"
#include "vm.h"

static int mb_entry(struct vmm *m, uint32_t eip)
{
	static const struct vmm_flat_entry e = {
		.cs = MB_CS, .ds = MB_DS, .gdt = MB_GDT_ADDR, .gdt_limit = 3 * 8 - 1,
	};
	struct khv_regs regs = { .rflags = 2, .rip = eip, .rax = MB_BOOT_MAGIC,
				 .rbx = MB_INFO_ADDR, .rsp = MB_STACK_TOP };

	return vmm_enter_flat(m, &e, &regs);
}

int vmm_setup_multiboot(struct vmm *m, const struct vmm_linux_opts *o,
			const uint8_t *img, size_t len)
{
	const char *cmdline = o->append ? o->append : "";
	struct mb_image mb;
	char err[256];
	int r;

	/* Refused before a VM exists: a bad image never runs. */
	if (o->initrd) {
		fprintf(stderr, "hvctl: run: %s: multiboot kernel: no modules, so no --initrd\n",
			o->kernel);
		return 1;
	}
	if (mb_check(&mb, img, len, o->ram_size, strlen(cmdline), err, sizeof(err))) {
		fprintf(stderr, "hvctl: run: %s: %s\n", o->kernel, err);
		return 1;
	}
	m->devices = o->devices;
	r = vmm_create(m, o->ram_size, o->nr_vcpus, true);
	if (r)
		return r;
	mb_load(&mb, m->ram, m->ram_size, cmdline);
	return vmm_mptable(m) ?: mb_entry(m, mb.entry) ?: vmm_virtual_wire(m) ?: vmm_mtrr(m);
}
