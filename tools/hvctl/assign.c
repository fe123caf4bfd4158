// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvctl run --device BDF: the VMM's side of khv's device assignment
 * (Documentation/khv-abi.rst, "Device assignment"). For each function, in
 * the new VM: an acl-add of it (the ACL is the administrator's, so --device
 * needs CAP_SYS_ADMIN), KHV_ASSIGN_PCI_DEVICE, and each memory BAR mapped
 * with KHV_MAP_HOST_MMIO at a guest address chosen here (vmm/pcidev.c),
 * which hvctl prints on standard error.
 *
 * What the guest gets: the BARs at those addresses, and DMA by the device
 * into its own memory at guest-physical addresses. What it does not: PCI
 * configuration space (hvctl emulates none, so a guest's PCI scan finds
 * nothing), the device's interrupts (with no MSI capability to program,
 * nothing tells hvctl which message the guest wants), I/O BARs and BARs
 * smaller than a page. A guest that knows the addresses (a test, or one
 * told on its command line) drives the device.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/khv.h>
#include <linux/khv_netlink.h>

#include "hvctl.h"
#include "vmm/vm.h"

#define GIB	0x40000000ULL

void vmm_bar_window(struct vmm *m, bool kernel)
{
	uint64_t top = (m->ram_size + GIB - 1) & ~(GIB - 1);

	if (!kernel) {
		/* Images run on hvctl's identity map of the first GiB. */
		m->bar_base = (m->ram_size + GIB / 4 - 1) & ~(GIB / 4 - 1);
		m->bar_limit = GIB;
	} else if (top <= 3 * GIB) {
		/* Below the I/O APIC and the local APIC, as a PC's PCI hole. */
		m->bar_base = 3 * GIB;
		m->bar_limit = 0xfec00000ULL;
	} else {
		m->bar_base = top;
		m->bar_limit = top + 64 * GIB;
	}
}

static int acl_allow(uint64_t id, uint32_t sbdf)
{
	struct nl_msg *msg = hv_nl_msg(KHV_CMD_ACL_ADD, 0);

	if (!msg || nla_put_u64(msg, KHV_A_ACL_VM_ID, id) ||
	    nla_put_u32(msg, KHV_A_ACL_KIND, KHV_ACL_KIND_PCI) ||
	    nla_put_u64(msg, KHV_A_ACL_FIRST, sbdf) ||
	    nla_put_u64(msg, KHV_A_ACL_LAST, sbdf))
		return -1;
	return hv_nl_exec(msg, KHV_A_ACL_MAX, NULL, NULL) ? -1 : 0;
}

static int dev_fail(const char *name, const char *what)
{
	fprintf(stderr, "hvctl: run: %s: %s: %s\n", name, what, strerror(errno));
	return 1;
}

/* The function's memory BARs into the guest, from m->bar_base up. */
static int map_bars(struct vmm *m, const char *name)
{
	struct vmm_bar bars[VMM_PCI_BARS];
	char path[128], text[1024];
	struct khv_host_mmio mmio;
	FILE *f;
	size_t n;
	int i;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource", name);
	f = fopen(path, "re");
	if (!f)
		return dev_fail(name, path);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = 0;
	if (vmm_parse_resource(text, bars)) {
		fprintf(stderr, "hvctl: run: %s: cannot read its BARs in %s\n", name, path);
		return 1;
	}
	if (vmm_bar_plan(bars, &m->bar_base, m->bar_limit)) {
		fprintf(stderr, "hvctl: run: %s: its BARs do not fit below %#llx\n",
			name, (unsigned long long)m->bar_limit);
		return 1;
	}
	for (i = 0; i < VMM_PCI_BARS; i++) {
		if (!bars[i].size)
			continue;
		if (!bars[i].gpa) {
			fprintf(stderr, "hvctl: run: %s: BAR%d (%s, %#llx bytes) not mapped\n",
				name, i, bars[i].mem ? "memory" : "I/O",
				(unsigned long long)bars[i].size);
			continue;
		}
		mmio = (struct khv_host_mmio){ .hpa = bars[i].hpa, .gpa = bars[i].gpa,
					       .size = bars[i].size };
		if (ioctl(m->vm, KHV_MAP_HOST_MMIO, &mmio))
			return dev_fail(name, "KHV_MAP_HOST_MMIO");
		fprintf(stderr, "hvctl: run: %s: BAR%d %#llx+%#llx at guest %#llx\n",
			name, i, (unsigned long long)bars[i].hpa,
			(unsigned long long)bars[i].size,
			(unsigned long long)bars[i].gpa);
	}
	return 0;
}

/* One function into VM @id: its ACL, the assignment, its BARs. */
static int assign_one(struct vmm *m, uint64_t id, uint32_t sbdf)
{
	struct khv_pci_device pci = {
		.segment = sbdf >> 16, .bus = sbdf >> 8, .devfn = sbdf,
	};
	char name[16];

	vmm_bdf_name(sbdf, name, sizeof(name));
	if (acl_allow(id, sbdf)) {
		fprintf(stderr, "hvctl: run: %s: not added to VM %llu's ACL %s\n",
			name, (unsigned long long)id, "(--device needs CAP_SYS_ADMIN)");
		return 1;
	}
	if (ioctl(m->vm, KHV_ASSIGN_PCI_DEVICE, &pci))
		return dev_fail(name, "KHV_ASSIGN_PCI_DEVICE (the kernel log says why)");
	fprintf(stderr, "hvctl: run: %s assigned to VM %llu\n", name,
		(unsigned long long)id);
	return map_bars(m, name);
}

int vmm_assign_devices(struct vmm *m)
{
	const struct vmm_devices *d = m->devices;
	unsigned int i;
	uint64_t id;
	int r;

	if (!d || !d->nr)
		return 0;
	r = hv_vm_own_id("--device", &id);
	for (i = 0; !r && i < d->nr; i++)
		r = assign_one(m, id, d->sbdf[i]);
	/* The guest runs confined: no netlink socket is left to it. */
	hv_nl_close();
	return r;
}
