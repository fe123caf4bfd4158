/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hvctl run --device: a host PCI function given to the guest with khv's
 * device assignment (Documentation/khv-abi.rst, "Device assignment"). The
 * pure part (vmm/pcidev.c, tested by vmm/test_pcidev.c): the function's
 * name, its BARs as sysfs lists them, and where in the guest's physical
 * space the VMM puts them. assign.c does the rest over /dev/khv.
 */
#ifndef VMM_PCIDEV_H
#define VMM_PCIDEV_H

#include <stdbool.h>
#include <stdint.h>

#define VMM_MAX_DEVICES		8	/* khv's limit per VM */
#define VMM_PCI_BARS		6

/* sysfs "resource" flags (the kernel's IORESOURCE_*). */
#define VMM_RES_IO		0x100ULL
#define VMM_RES_MEM		0x200ULL

/* The functions of --device, in order. */
struct vmm_devices {
	unsigned int nr;
	uint32_t sbdf[VMM_MAX_DEVICES];
};

/*
 * One BAR: @hpa and @size from sysfs (@size 0: none), @mem for a memory
 * BAR; @gpa where the VMM maps it, 0 when it does not (an I/O BAR, or one
 * smaller than a page, which khv never maps).
 */
struct vmm_bar {
	uint64_t hpa, size, gpa;
	bool mem;
};

/* [SEG:]BUS:DEV.FN in hex, as lspci and sysfs write it: 0 or -1. */
int vmm_parse_bdf(const char *s, uint32_t *sbdf);
/* "SSSS:BB:DD.F" of @sbdf into @buf (at least 13 bytes). */
void vmm_bdf_name(uint32_t sbdf, char *buf, unsigned long len);
/*
 * A function's sysfs "resource" file (one "START END FLAGS" line per
 * resource, BARs first) into @bars: 0, or -1 for text that is not that.
 */
int vmm_parse_resource(const char *text, struct vmm_bar bars[VMM_PCI_BARS]);
/*
 * Guest addresses for @bars' mappable BARs, from *@next up, each aligned to
 * its size (as a BIOS places them), below @limit; *@next moves past the
 * last. 0, or -1 when they do not fit.
 */
int vmm_bar_plan(struct vmm_bar bars[VMM_PCI_BARS], uint64_t *next,
		 uint64_t limit);

#endif /* VMM_PCIDEV_H */
