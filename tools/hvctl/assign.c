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
 * into its own memory at guest-physical addresses. A PC (--kernel) also
 * sees each function on its PCI bus (vmm/pci.h), with a configuration
 * space made from the host's, read here once, before the guest runs: BARs
 * at the guest addresses, MSI and INTx forwarded by khv as the guest
 * programs them (vmm/loop.c tells khv). What it does not: I/O BARs, BARs
 * smaller than a page, the host's other capabilities. An IMAGE gets no
 * configuration space: a guest that knows the addresses (a test, or one
 * told on its command line) drives the device.
 */
#include <errno.h>
#include <fcntl.h>
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

/*
 * The function's configuration space (at most 256 bytes: the guest's bus
 * has no extended space), read once; sysfs gives root all of it.
 */
static int read_config(const char *name, uint8_t *cfg, size_t *len)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return dev_fail(name, path);
	n = pread(fd, cfg, PCI_CFG_SIZE, 0);
	close(fd);
	if (n < 0)
		return dev_fail(name, path);
	*len = n;
	return 0;
}

/* The function's memory BARs into the guest, from m->bar_base up, as @bars says. */
static int map_bars(struct vmm *m, const char *name, struct vmm_bar *bars)
{
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

/*
 * A PC's function on its PCI bus, m->pci[m->nr_pci], from its host
 * configuration space @cfg (@len bytes) and its BARs as placed.
 */
static int add_pci(struct vmm *m, const char *name, uint32_t sbdf, const uint8_t *cfg,
		   size_t len, const struct vmm_bar *bars)
{
	struct pci_fn *f = &m->pci[m->nr_pci];
	const char *why;

	if (pci_fn_init(f, sbdf, m->nr_pci, cfg, len, bars, &why)) {
		fprintf(stderr, "hvctl: run: %s: its configuration space: %s\n", name, why);
		return 1;
	}
	m->nr_pci++;
	fprintf(stderr, "hvctl: run: %s: the guest's 00:%02x.0", name, f->slot);
	if (f->ioapic_pin)
		fprintf(stderr, ", INT%c# on I/O APIC pin %u", 'A' + f->cfg[PCI_INT_PIN] - 1,
			f->ioapic_pin);
	fprintf(stderr, "%s\n", f->msi ? ", MSI" : "");
	return 0;
}

/*
 * One function into VM @id: its configuration space read (a PC's), its
 * ACL, the assignment, its BARs.
 */
static int assign_one(struct vmm *m, uint64_t id, uint32_t sbdf)
{
	struct khv_pci_device pci = {
		.segment = sbdf >> 16, .bus = sbdf >> 8, .devfn = sbdf,
	};
	struct vmm_bar bars[VMM_PCI_BARS];
	uint8_t cfg[PCI_CFG_SIZE];
	size_t len = 0;
	char name[16];

	vmm_bdf_name(sbdf, name, sizeof(name));
	if (m->pc && read_config(name, cfg, &len))
		return 1;
	if (acl_allow(id, sbdf)) {
		fprintf(stderr, "hvctl: run: %s: not added to VM %llu's ACL %s\n",
			name, (unsigned long long)id, "(--device needs CAP_SYS_ADMIN)");
		return 1;
	}
	if (ioctl(m->vm, KHV_ASSIGN_PCI_DEVICE, &pci))
		return dev_fail(name, "KHV_ASSIGN_PCI_DEVICE (the kernel log says why)");
	fprintf(stderr, "hvctl: run: %s assigned to VM %llu\n", name,
		(unsigned long long)id);
	if (map_bars(m, name, bars))
		return 1;
	return m->pc ? add_pci(m, name, sbdf, cfg, len, bars) : 0;
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
