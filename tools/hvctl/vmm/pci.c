// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest's PCI bus: see pci.h. Configuration mechanism #1 as the PCI
 * Local Bus Specification 3.0 (3.2.2.3.2) gives it; the functions'
 * configuration spaces virtualised as QEMU's VFIO and kvmtool do.
 */
#include <string.h>

#include "le.h"
#include "pci.h"

#define ADDR_ENABLE		0x80000000U
#define ADDR_RESERVED		0x7f000000U	/* AMD's extended register bits too */
#define ADDR_BUS(a)		(((a) >> 16) & 0xff)
#define ADDR_SLOT(a)		(((a) >> 11) & 0x1f)
#define ADDR_FN(a)		(((a) >> 8) & 7)
#define ADDR_REG(a)		((a) & 0xfc)

#define BAR_END			(PCI_BAR0 + 4 * VMM_PCI_BARS)
#define BAR_IO			0x1U
#define BAR_64			0x4U
#define BAR_TYPE		0xeU	/* memory: type and prefetchable */
#define MAX_CAPS		48	/* (256 - 64) / 4: more is a loop */

#define BRIDGE_VENDOR		0x8086
#define BRIDGE_DEVICE		0x1237	/* 82441FX, QEMU's i440FX */
#define BRIDGE_REVISION		0x02
#define CLASS_HOST_BRIDGE	0x060000U

/*
 * What the guest writes in every function's header: the command
 * register's I/O, memory, bus master, parity and SERR enables and INTx
 * Disable; cache line size and latency timer; the interrupt line.
 */
static void header_wmask(struct pci_fn *f)
{
	put16(f->wmask + PCI_COMMAND, 0x0547);
	f->wmask[PCI_CACHE_LINE] = 0xff;
	f->wmask[PCI_LATENCY] = 0xff;
	f->wmask[PCI_INT_LINE] = 0xff;
}

void pci_init(struct pci_bus *b)
{
	struct pci_fn *h = &b->bridge;

	memset(b, 0, sizeof(*b));
	put16(h->cfg + PCI_VENDOR, BRIDGE_VENDOR);
	put16(h->cfg + PCI_DEVICE, BRIDGE_DEVICE);
	put32(h->cfg + PCI_REVISION, CLASS_HOST_BRIDGE << 8 | BRIDGE_REVISION);
	header_wmask(h);
	h->wmask[PCI_INT_LINE] = 0;
}

int pci_attach(struct pci_bus *b, struct pci_fn *f)
{
	if (b->nr >= VMM_MAX_DEVICES)
		return -1;
	b->fns[b->nr++] = f;
	return 0;
}

/* The MSI capability in the host's list, or 0: each pointer checked, loops cut. */
static unsigned int find_msi(const uint8_t *host, size_t len)
{
	unsigned int at, n;

	if (!(get16(host + PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	at = host[PCI_CAP_PTR] & 0xfc;
	for (n = 0; n < MAX_CAPS && at >= PCI_CFG_HEADER && at + 2 <= len; n++) {
		if (host[at] == PCI_CAP_MSI)
			return at;
		at = host[at + 1] & 0xfc;
	}
	return 0;
}

/* The host's MSI capability at @at as the guest's only one: one vector, no masking. */
static void init_msi(struct pci_fn *f, const uint8_t *host, size_t len, unsigned int at)
{
	bool is64 = get16(host + at + PCI_MSI_CONTROL) & PCI_MSI_64BIT;
	unsigned int data = at + (is64 ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32);

	/* The registers the guest programs must be where the host has them. */
	if (data + 2 > len)
		return;
	f->msi = at;
	f->msi_len = data + 2 - at;
	f->cfg[at] = PCI_CAP_MSI;
	f->cfg[at + 1] = 0;				/* the last */
	put16(f->cfg + at + PCI_MSI_CONTROL, is64 ? PCI_MSI_64BIT : 0);
	f->wmask[at + PCI_MSI_CONTROL] = PCI_MSI_ENABLE;
	put32(f->wmask + at + PCI_MSI_ADDR_LO, 0xfffffffc);
	if (is64)
		put32(f->wmask + at + PCI_MSI_ADDR_HI, 0xffffffff);
	put16(f->wmask + data, 0xffff);
	f->cfg[PCI_CAP_PTR] = at;
	put16(f->cfg + PCI_STATUS, PCI_STATUS_CAP_LIST);
}

/*
 * The memory BARs the VMM placed, with the host's type bits; a size the
 * guest cannot be told (not a power of two, or a 32-bit BAR above 4 GiB)
 * leaves the BAR absent. True when any is there.
 */
static bool init_bars(struct pci_fn *f, const uint8_t *host, const struct vmm_bar *bars)
{
	uint32_t raw, type;
	uint64_t gpa, size;
	bool any = false;
	unsigned int i;

	for (i = 0; i < VMM_PCI_BARS; i++) {
		raw = get32(host + PCI_BAR0 + 4 * i);
		if (raw & BAR_IO)
			continue;
		type = raw & BAR_TYPE;
		gpa = bars[i].gpa;
		size = bars[i].size;
		if ((type & BAR_64) && i == VMM_PCI_BARS - 1)
			break;				/* half a BAR: none */
		if (gpa && !(size & (size - 1)) &&
		    ((type & BAR_64) || gpa + size - 1 <= 0xffffffffULL)) {
			f->bar[i] = (uint32_t)gpa | type;
			f->bar_mask[i] = ((uint32_t)~(size - 1) & ~0xfU) | type;
			if (type & BAR_64) {
				f->bar[i + 1] = gpa >> 32;
				f->bar_mask[i + 1] = ~(size - 1) >> 32;
			}
			any = true;
		}
		if (type & BAR_64)
			i++;
	}
	return any;
}

int pci_fn_init(struct pci_fn *f, uint32_t sbdf, unsigned int index, const uint8_t *host,
		size_t len, const struct vmm_bar bars[VMM_PCI_BARS], const char **why)
{
	unsigned int pin, at;

	memset(f, 0, sizeof(*f));
	if (len < PCI_CFG_HEADER) {
		*why = "shorter than the 64-byte header";
		return -1;
	}
	if (len > PCI_CFG_SIZE)
		len = PCI_CFG_SIZE;
	if (host[PCI_HEADER_TYPE] & 0x7f) {
		*why = "not a type 0 (endpoint) header";
		return -1;
	}
	if (index >= VMM_MAX_DEVICES) {
		*why = "more functions than the guest's bus has slots for";
		return -1;
	}
	f->sbdf = sbdf;
	f->slot = index + 1;
	f->redir = IOAPIC_MASKED;
	memcpy(f->cfg, host, 4);			/* vendor, device */
	memcpy(f->cfg + PCI_REVISION, host + PCI_REVISION, 4);	/* revision, class */
	memcpy(f->cfg + PCI_SUBSYS_VENDOR, host + PCI_SUBSYS_VENDOR, 4);
	header_wmask(f);
	pin = host[PCI_INT_PIN];
	if (pin >= 1 && pin <= 4) {
		f->ioapic_pin = PCI_INTX_PIN_BASE + index;
		f->cfg[PCI_INT_PIN] = pin;
		f->cfg[PCI_INT_LINE] = f->ioapic_pin;
	} else {
		f->cfg[PCI_INT_LINE] = 0xff;		/* x86: no connection */
	}
	/* As firmware leaves a function whose BARs it placed: memory decode on. */
	if (init_bars(f, host, bars))
		put16(f->cfg + PCI_COMMAND, PCI_COMMAND_MEMORY);
	memcpy(f->bar_written, f->bar, sizeof(f->bar));
	at = find_msi(host, len);
	if (at)
		init_msi(f, host, len, at);
	return 0;
}

static struct ioapic_msi msi_message(const struct pci_fn *f)
{
	const uint8_t *c = f->cfg + f->msi;
	bool is64 = get16(c + PCI_MSI_CONTROL) & PCI_MSI_64BIT;

	return (struct ioapic_msi){
		.address_lo = get32(c + PCI_MSI_ADDR_LO),
		.address_hi = is64 ? get32(c + PCI_MSI_ADDR_HI) : 0,
		.data = get16(c + (is64 ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32)),
	};
}

/* One KHV_SET_DEVICE_MSI; what khv has is recorded when it succeeds. */
static void tell(struct pci_bus *b, struct pci_fn *f, uint32_t flags,
		 const struct ioapic_msi *msi)
{
	struct khv_device_msi k = {
		.segment = f->sbdf >> 16, .bus = f->sbdf >> 8, .devfn = f->sbdf,
		.flags = flags,
	};
	bool intx = flags & KHV_DEVICE_MSI_INTX, on = !(flags & KHV_DEVICE_MSI_OFF);

	if (on) {
		k.address_lo = msi->address_lo;
		k.address_hi = msi->address_hi;
		k.data = msi->data;
	}
	if (b->set_msi && b->set_msi(b->opaque, &k)) {
		f->errors++;
		return;
	}
	if (intx) {
		f->intx_on = on;
		if (on)
			f->intx_sent = *msi;
	} else {
		f->msi_on = on;
		if (on)
			f->msi_sent = *msi;
	}
}

static bool same(const struct ioapic_msi *a, const struct ioapic_msi *b)
{
	return a->address_lo == b->address_lo && a->address_hi == b->address_hi &&
	       a->data == b->data;
}

/*
 * khv told what the guest programmed: MSI when its enable bit is set, else
 * INTx while the pin's entry is unmasked (and INTx Disable clear). What
 * goes off goes first: khv has one of the two at a time.
 */
static void pci_sync(struct pci_bus *b, struct pci_fn *f)
{
	struct ioapic_msi msi = { 0 }, intx = { 0 };
	bool want_msi, want_intx;

	want_msi = f->msi && (f->cfg[f->msi + PCI_MSI_CONTROL] & PCI_MSI_ENABLE);
	if (want_msi)
		msi = msi_message(f);
	want_intx = !want_msi && f->ioapic_pin && !(f->redir & IOAPIC_MASKED) &&
		    !(get16(f->cfg + PCI_COMMAND) & PCI_COMMAND_INTX_OFF) &&
		    ioapic_entry_msi(f->redir, &intx);
	if (f->intx_on && !want_intx)
		tell(b, f, KHV_DEVICE_MSI_INTX | KHV_DEVICE_MSI_OFF, NULL);
	if (f->msi_on && !want_msi)
		tell(b, f, KHV_DEVICE_MSI_OFF, NULL);
	if (want_msi && (!f->msi_on || !same(&f->msi_sent, &msi)))
		tell(b, f, 0, &msi);
	if (want_intx && (!f->intx_on || !same(&f->intx_sent, &intx)))
		tell(b, f, KHV_DEVICE_MSI_INTX, &intx);
}

void pci_redir_written(struct pci_bus *b, unsigned int pin, uint64_t entry)
{
	unsigned int i;

	for (i = 0; i < b->nr; i++) {
		if (b->fns[i]->ioapic_pin && b->fns[i]->ioapic_pin == pin) {
			b->fns[i]->redir = entry;
			pci_sync(b, b->fns[i]);
		}
	}
}

/* BAR @i's dword as the guest reads it now. */
static uint32_t bar_read(const struct pci_fn *f, unsigned int i)
{
	return f->bar_written[i] == 0xffffffff ? f->bar_mask[i] : f->bar[i];
}

static bool overlaps(unsigned int offset, unsigned int len, unsigned int at, unsigned int n)
{
	return offset < at + n && at < offset + len;
}

/*
 * The bytes [@lo, @hi) of the dword at @at: a BAR's written bytes kept as
 * the guest wrote them (all ones in all four probes its size; anything
 * else puts the placement back), the others' each through its write mask.
 */
static void dword_access(struct pci_fn *f, unsigned int at, unsigned int lo, unsigned int hi,
			 bool write, uint8_t *data)
{
	bool is_bar = at >= PCI_BAR0 && at < BAR_END;
	unsigned int i, bar = (at - PCI_BAR0) / 4;
	uint8_t v[4], *c = f->cfg + at;

	if (is_bar) {
		put32(v, write ? f->bar_written[bar] : bar_read(f, bar));
		c = v;
	}
	for (i = lo; i < hi; i++) {
		if (!write)
			*data++ = c[i];
		else if (is_bar)
			c[i] = *data++;
		else
			c[i] = (c[i] & ~f->wmask[at + i]) | (*data++ & f->wmask[at + i]);
	}
	if (write && is_bar)
		f->bar_written[bar] = get32(v);
}

void pci_cfg_access(struct pci_bus *b, struct pci_fn *f, unsigned int offset,
		    unsigned int len, bool write, uint8_t *data)
{
	unsigned int at, lo, hi, end = offset + len;

	if (len > 4 || offset >= PCI_CFG_SIZE || len > PCI_CFG_SIZE - offset)
		return;
	for (at = offset & ~3U; at < end; at += 4) {
		lo = at < offset ? offset - at : 0;
		hi = end - at < 4 ? end - at : 4;
		dword_access(f, at, lo, hi, write, data);
		data += hi - lo;
	}
	if (write && (overlaps(offset, len, PCI_COMMAND, 2) ||
		      (f->msi && overlaps(offset, len, f->msi, f->msi_len))))
		pci_sync(b, f);
}

/* CONFIG_ADDRESS's function, or NULL: none there, all ones. */
static struct pci_fn *target(struct pci_bus *b)
{
	uint32_t a = b->address;
	unsigned int i;

	if (!(a & ADDR_ENABLE) || (a & ADDR_RESERVED) || ADDR_BUS(a) || ADDR_FN(a))
		return NULL;
	if (!ADDR_SLOT(a))
		return &b->bridge;
	for (i = 0; i < b->nr; i++)
		if (b->fns[i]->slot == ADDR_SLOT(a))
			return b->fns[i];
	return NULL;
}

bool pci_pio(struct pci_bus *b, uint16_t port, unsigned int size, bool write, uint8_t *data)
{
	unsigned int n;
	struct pci_fn *f;

	if (port == PCI_CONFIG_ADDRESS && size == 4) {
		/* Bits 1:0 are read-only 0. */
		if (write)
			b->address = get32(data) & ~3U;
		else
			put32(data, b->address);
		return true;
	}
	if (port < PCI_CONFIG_DATA || port > PCI_CONFIG_DATA + 3 || size > 4)
		return false;
	if (!write)
		memset(data, 0xff, size);
	n = PCI_CONFIG_DATA + 4 - port;
	f = target(b);
	if (f)
		pci_cfg_access(b, f, ADDR_REG(b->address) + port - PCI_CONFIG_DATA,
			       size < n ? size : n, write, data);
	return true;
}
