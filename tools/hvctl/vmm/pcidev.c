// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvctl run --device, the pure part (vmm/pcidev.h): PCI function names,
 * sysfs BARs, and the guest addresses of the BARs the VMM maps.
 */
#include <stdio.h>
#include <string.h>

#include "pcidev.h"

#define PAGE	4096ULL

int vmm_parse_bdf(const char *s, uint32_t *sbdf)
{
	unsigned int seg = 0, bus, dev, fn;
	int n = 0;

	if (sscanf(s, "%x:%x:%x.%x%n", &seg, &bus, &dev, &fn, &n) != 4 || s[n]) {
		seg = 0;
		n = 0;
		if (sscanf(s, "%x:%x.%x%n", &bus, &dev, &fn, &n) != 3 || s[n])
			return -1;
	}
	/* sscanf's %x takes a sign, blanks and "0x": none of them here. */
	if (strpbrk(s, "-+ \t\nxX") ||
	    seg > 0xffff || bus > 0xff || dev > 0x1f || fn > 7)
		return -1;
	*sbdf = seg << 16 | bus << 8 | dev << 3 | fn;
	return 0;
}

void vmm_bdf_name(uint32_t sbdf, char *buf, unsigned long len)
{
	snprintf(buf, len, "%04x:%02x:%02x.%x", sbdf >> 16, (sbdf >> 8) & 0xff,
		 (sbdf >> 3) & 0x1f, sbdf & 7);
}

int vmm_parse_resource(const char *text, struct vmm_bar bars[VMM_PCI_BARS])
{
	unsigned long long start, end, flags;
	const char *p = text;
	int i, n;

	memset(bars, 0, sizeof(*bars) * VMM_PCI_BARS);
	for (i = 0; i < VMM_PCI_BARS; i++) {
		if (sscanf(p, "%llx %llx %llx%n", &start, &end, &flags, &n) != 3)
			return -1;
		p += n;
		if (*p == '\n')
			p++;
		else if (*p)
			return -1;
		if (!start && !end)
			continue;
		if (end < start)
			return -1;
		bars[i].hpa = start;
		bars[i].size = end - start + 1;
		bars[i].mem = flags & VMM_RES_MEM;
	}
	return 0;
}

int vmm_bar_plan(struct vmm_bar bars[VMM_PCI_BARS], uint64_t *next,
		 uint64_t limit)
{
	uint64_t at, align;
	int i;

	for (i = 0; i < VMM_PCI_BARS; i++) {
		struct vmm_bar *b = &bars[i];

		b->gpa = 0;
		/* khv maps whole pages of memory BARs only. */
		if (!b->mem || b->size < PAGE || (b->size | b->hpa) & (PAGE - 1))
			continue;
		/* A BAR's size is a power of two: its natural alignment. */
		align = b->size & (b->size - 1) ? PAGE : b->size;
		at = (*next + align - 1) & ~(align - 1);
		if (at < *next || at > limit || b->size > limit - at)
			return -1;
		b->gpa = at;
		*next = at + b->size;
	}
	return 0;
}
