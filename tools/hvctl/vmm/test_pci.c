// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the guest's PCI bus (vmm/pci.c) with a fake host function
 * like QEMU's edu (1234:11e8, a 1 MiB BAR 0, MSI at 0x40 between two
 * capabilities the guest must not see): configuration mechanism #1's
 * address decoding, absent functions all ones, the host bridge Linux's
 * type 1 probe wants, the BARs' values and size probe, the capability
 * list with MSI only, the KHV_SET_DEVICE_MSI calls MSI and the I/O APIC's
 * redirection entries (through the devices' I/O APIC too) make, in order,
 * byte and word accesses, and a hostile guest's accesses.
 */
#include <errno.h>
#include <string.h>

#include "devices.h"
#include "le.h"
#include "pci.h"
#include "tap.h"

#define ADDR(slot, fn, reg)	(0x80000000U | (slot) << 11 | (fn) << 8 | (reg))
#define EDU_GPA			0xc0000000ULL
#define EDU_SBDF		0x20		/* 0000:00:04.0 */

static struct pci_bus bus;
static struct pci_fn edu;
static uint8_t host[PCI_CFG_SIZE];
static struct khv_device_msi calls[16];
static unsigned int ncalls;
static int fail_with;			/* set_msi's answer: 0 or -errno */

static int record(void *opaque, const struct khv_device_msi *msi)
{
	(void)opaque;
	if (ncalls < ARRAY_SIZE(calls))
		calls[ncalls] = *msi;
	ncalls++;
	return fail_with;
}

/* edu as QEMU has it, and a PM capability at 0x50 and a vendor one at 0x60. */
static void edu_host(void)
{
	memset(host, 0, sizeof(host));
	put16(host + PCI_VENDOR, 0x1234);
	put16(host + PCI_DEVICE, 0x11e8);
	put16(host + PCI_COMMAND, 0x0107);
	put16(host + PCI_STATUS, PCI_STATUS_CAP_LIST);
	put32(host + PCI_REVISION, 0x00ff0010);		/* class 0x00ff00, rev 0x10 */
	host[PCI_HEADER_TYPE] = 0x80;			/* multi-function: hidden */
	put32(host + PCI_BAR0, 0xfea00000);
	put16(host + PCI_SUBSYS_VENDOR, 0x1af4);
	put16(host + PCI_SUBSYS_ID, 0x1100);
	put32(host + PCI_ROM, 0xfeb00000);
	host[PCI_CAP_PTR] = 0x50;
	host[PCI_INT_LINE] = 11;
	host[PCI_INT_PIN] = 1;
	host[0x50] = 0x01;				/* PM, next MSI */
	host[0x51] = 0x40;
	host[0x40] = PCI_CAP_MSI;			/* 64-bit, masking, 4 vectors */
	host[0x41] = 0x60;
	put16(host + 0x42, 0x0184);
	put32(host + 0x44, 0xfee00000);			/* the host's own message */
	host[0x60] = 0x09;				/* vendor-specific, the last */
	host[0x62] = 0x42;
	host[0xa0] = 0x5a;				/* device-specific */
}

static const struct vmm_bar edu_bars[VMM_PCI_BARS] = {
	{ .hpa = 0xfea00000, .size = 0x100000, .gpa = EDU_GPA, .mem = true },
};

/* The bus with edu in slot 1 (index 0, I/O APIC pin 16). */
static void setup(void)
{
	const char *why = NULL;

	edu_host();
	pci_init(&bus);
	bus.set_msi = record;
	CHECK_EQ(pci_fn_init(&edu, EDU_SBDF, 0, host, sizeof(host), edu_bars, &why), 0);
	CHECK_EQ(pci_attach(&bus, &edu), 0);
	ncalls = 0;
	fail_with = 0;
}

static void outl(uint16_t port, uint32_t v)
{
	uint8_t b[4];

	put32(b, v);
	CHECK(pci_pio(&bus, port, 4, true, b));
}

/* A read of size bytes at port, as the guest's IN gets it. */
static uint32_t in(uint16_t port, unsigned int size)
{
	uint8_t b[4] = { 0 };

	CHECK(pci_pio(&bus, port, size, false, b));
	return size == 4 ? get32(b) : size == 2 ? get16(b) : b[0];
}

static void out(uint16_t port, unsigned int size, uint32_t v)
{
	uint8_t b[4];

	put32(b, v);
	CHECK(pci_pio(&bus, port, size, true, b));
}

/* Configuration reads and writes as Linux's pci_conf1_read/write do them. */
static uint32_t rd(uint32_t slot, uint32_t reg, unsigned int size)
{
	outl(PCI_CONFIG_ADDRESS, ADDR(slot, 0, reg & 0xfc));
	return in(PCI_CONFIG_DATA + (reg & 3), size);
}

static void wr(uint32_t slot, uint32_t reg, unsigned int size, uint32_t v)
{
	outl(PCI_CONFIG_ADDRESS, ADDR(slot, 0, reg & 0xfc));
	out(PCI_CONFIG_DATA + (reg & 3), size, v);
}

static void address_decoding(void)
{
	uint8_t b[4];

	setup();
	/* Linux's pci_check_type1(): the address reads back as written. */
	outl(PCI_CONFIG_ADDRESS, 0x80000000);
	CHECK_EQ(in(PCI_CONFIG_ADDRESS, 4), 0x80000000);
	outl(PCI_CONFIG_ADDRESS, 0x12345677);
	CHECK_EQ(in(PCI_CONFIG_ADDRESS, 4), 0x12345674);	/* bits 1:0 read 0 */
	/* Bytes and words at 0xcf8-0xcfb are not the address (0xcf9 resets). */
	b[0] = 0x06;
	CHECK(!pci_pio(&bus, 0xcf9, 1, true, b));
	CHECK(!pci_pio(&bus, PCI_CONFIG_ADDRESS, 1, false, b));
	CHECK(!pci_pio(&bus, PCI_CONFIG_ADDRESS, 2, true, b));
	CHECK(!pci_pio(&bus, 0xcfa, 2, false, b));
	CHECK(!pci_pio(&bus, 0xcf7, 1, false, b));
	CHECK(!pci_pio(&bus, 0xd00, 4, false, b));
	CHECK_EQ(in(PCI_CONFIG_ADDRESS, 4), 0x12345674);
	/* Slot 1, function 0, register 0: edu; the same with the enable bit clear: none. */
	CHECK_EQ(rd(1, 0, 4), 0x11e81234);
	outl(PCI_CONFIG_ADDRESS, ADDR(1, 0, 0) & ~0x80000000U);
	CHECK_EQ(in(PCI_CONFIG_DATA, 4), 0xffffffff);
	/* Another bus, function or slot: all ones; writes there change nothing. */
	outl(PCI_CONFIG_ADDRESS, ADDR(1, 0, 0) | 1 << 16);
	CHECK_EQ(in(PCI_CONFIG_DATA, 4), 0xffffffff);
	outl(PCI_CONFIG_ADDRESS, ADDR(1, 1, 0));
	CHECK_EQ(in(PCI_CONFIG_DATA, 4), 0xffffffff);
	outl(PCI_CONFIG_ADDRESS, ADDR(1, 1, PCI_COMMAND));
	out(PCI_CONFIG_DATA, 2, 0x0000);
	CHECK_EQ(rd(2, 0, 4), 0xffffffff);
	CHECK_EQ(rd(31, 0, 2), 0xffff);
	wr(2, PCI_COMMAND, 2, 0);
	CHECK_EQ(rd(1, PCI_COMMAND, 2), PCI_COMMAND_MEMORY);
	/* Register offsets: the dword's, and the port's byte within it. */
	CHECK_EQ(rd(1, PCI_DEVICE, 2), 0x11e8);
	CHECK_EQ(rd(1, PCI_REVISION, 1), 0x10);
	CHECK_EQ(rd(1, 0x0b, 1), 0x00);
	CHECK_EQ(rd(1, 0x0a, 1), 0xff);
	CHECK_EQ(ncalls, 0);
}

/* What Linux's pci_sanity_check() looks for, and nothing to place. */
static void host_bridge(void)
{
	unsigned int i;

	setup();
	CHECK_EQ(rd(0, PCI_VENDOR, 2), 0x8086);
	CHECK_EQ(rd(0, PCI_DEVICE, 2), 0x1237);
	CHECK_EQ(rd(0, 0x0a, 2), 0x0600);		/* PCI_CLASS_BRIDGE_HOST */
	CHECK_EQ(rd(0, PCI_REVISION, 4) >> 8, 0x060000);
	CHECK_EQ(rd(0, PCI_HEADER_TYPE, 1), 0);
	CHECK_EQ(rd(0, PCI_STATUS, 2), 0);
	CHECK_EQ(rd(0, PCI_CAP_PTR, 1), 0);
	for (i = 0; i < VMM_PCI_BARS; i++) {
		wr(0, PCI_BAR0 + 4 * i, 4, 0xffffffff);
		CHECK_EQ(rd(0, PCI_BAR0 + 4 * i, 4), 0);
	}
	wr(0, PCI_VENDOR, 4, 0);
	CHECK_EQ(rd(0, PCI_VENDOR, 4), 0x12378086);
	CHECK_EQ(rd(0, 0x40, 4), 0);
}

static void edu_header(void)
{
	setup();
	CHECK_EQ(rd(1, PCI_VENDOR, 4), 0x11e81234);
	CHECK_EQ(rd(1, PCI_REVISION, 4), 0x00ff0010);
	CHECK_EQ(rd(1, PCI_SUBSYS_VENDOR, 4), 0x11001af4);
	CHECK_EQ(rd(1, PCI_HEADER_TYPE, 1), 0);		/* one function, type 0 */
	CHECK_EQ(rd(1, PCI_COMMAND, 2), PCI_COMMAND_MEMORY);
	CHECK_EQ(rd(1, PCI_STATUS, 2), PCI_STATUS_CAP_LIST);
	CHECK_EQ(rd(1, PCI_CAP_PTR, 1), 0x40);
	CHECK_EQ(rd(1, PCI_INT_PIN, 1), 1);
	CHECK_EQ(rd(1, PCI_INT_LINE, 1), 16);		/* its I/O APIC pin */
	CHECK_EQ(edu.ioapic_pin, 16);
	CHECK_EQ(edu.slot, 1);
	CHECK_EQ(rd(1, PCI_ROM, 4), 0);
	CHECK_EQ(rd(1, 0xa0, 1), 0);			/* device-specific: hidden */
	/* The guest's own registers: cache line, latency, interrupt line, command. */
	wr(1, PCI_CACHE_LINE, 2, 0x4010);
	wr(1, PCI_INT_LINE, 1, 11);
	wr(1, PCI_COMMAND, 2, 0xffff);
	CHECK_EQ(rd(1, PCI_CACHE_LINE, 2), 0x4010);
	CHECK_EQ(rd(1, PCI_INT_LINE, 2), 0x010b);	/* the pin stays */
	CHECK_EQ(rd(1, PCI_COMMAND, 2), 0x0547);
	/* Read-only: IDs, class, header type, status, capability pointer. */
	wr(1, PCI_VENDOR, 4, 0);
	wr(1, PCI_REVISION, 4, 0);
	wr(1, PCI_HEADER_TYPE, 1, 0x81);
	wr(1, PCI_STATUS, 2, 0xffff);
	wr(1, PCI_CAP_PTR, 1, 0x50);
	wr(1, PCI_ROM, 4, 0xffffffff);
	CHECK_EQ(rd(1, PCI_VENDOR, 4), 0x11e81234);
	CHECK_EQ(rd(1, PCI_REVISION, 4), 0x00ff0010);
	CHECK_EQ(rd(1, PCI_HEADER_TYPE, 1), 0);
	CHECK_EQ(rd(1, PCI_STATUS, 2), PCI_STATUS_CAP_LIST);
	CHECK_EQ(rd(1, PCI_CAP_PTR, 1), 0x40);
	CHECK_EQ(rd(1, PCI_ROM, 4), 0);
}

static void bar_probe(void)
{
	unsigned int i;

	setup();
	CHECK_EQ(rd(1, PCI_BAR0, 4), EDU_GPA);		/* 32-bit, not prefetchable */
	/* Linux's __pci_read_base(): all ones, the size mask, the old value back. */
	wr(1, PCI_BAR0, 4, 0xffffffff);
	CHECK_EQ(rd(1, PCI_BAR0, 4), 0xfff00000);
	wr(1, PCI_BAR0, 4, EDU_GPA);
	CHECK_EQ(rd(1, PCI_BAR0, 4), EDU_GPA);
	/* Any other address: the VMM keeps its placement. */
	wr(1, PCI_BAR0, 4, 0xd0000000);
	CHECK_EQ(rd(1, PCI_BAR0, 4), EDU_GPA);
	/* The probe byte by byte, as a guest might. */
	for (i = 0; i < 4; i++)
		wr(1, PCI_BAR0 + i, 1, 0xff);
	CHECK_EQ(rd(1, PCI_BAR0, 4), 0xfff00000);
	CHECK_EQ(rd(1, PCI_BAR0 + 2, 2), 0xfff0);
	wr(1, PCI_BAR0, 2, 0);
	CHECK_EQ(rd(1, PCI_BAR0, 4), EDU_GPA);
	/* The bytes written are kept: the last half makes all ones. */
	wr(1, PCI_BAR0, 4, EDU_GPA);
	wr(1, PCI_BAR0, 2, 0xffff);
	CHECK_EQ(rd(1, PCI_BAR0, 4), EDU_GPA);
	wr(1, PCI_BAR0 + 2, 2, 0xffff);
	CHECK_EQ(rd(1, PCI_BAR0, 4), 0xfff00000);
	wr(1, PCI_BAR0, 4, EDU_GPA);
	/* No other BAR. */
	for (i = 1; i < VMM_PCI_BARS; i++) {
		wr(1, PCI_BAR0 + 4 * i, 4, 0xffffffff);
		CHECK_EQ(rd(1, PCI_BAR0 + 4 * i, 4), 0);
	}
	CHECK_EQ(ncalls, 0);
}

/* A 64-bit prefetchable BAR, an I/O BAR, a 32-bit BAR above 4 GiB, one not mapped. */
static void bar_kinds(void)
{
	const struct vmm_bar bars[VMM_PCI_BARS] = {
		{ .hpa = 0x800000000ULL, .size = 0x200000, .gpa = 0x1c0000000ULL, .mem = true },
		{ 0 },
		{ .hpa = 0xc000, .size = 0x40 },
		{ .hpa = 0xfe000000, .size = 0x1000, .gpa = 0x100000000ULL, .mem = true },
		{ .hpa = 0xfe001000, .size = 0x100, .mem = true },
		{ 0 },
	};
	const char *why;

	edu_host();
	put32(host + PCI_BAR0, 0x0000000c);		/* 64-bit, prefetchable */
	put32(host + PCI_BAR0 + 4, 0x8);
	put32(host + PCI_BAR0 + 8, 0xc001);		/* I/O */
	put32(host + PCI_BAR0 + 12, 0xfe000000);
	put32(host + PCI_BAR0 + 16, 0xfe001000);
	pci_init(&bus);
	CHECK_EQ(pci_fn_init(&edu, EDU_SBDF, 0, host, sizeof(host), bars, &why), 0);
	CHECK_EQ(pci_attach(&bus, &edu), 0);
	CHECK_EQ(rd(1, PCI_BAR0, 4), 0xc000000c);
	CHECK_EQ(rd(1, PCI_BAR0 + 4, 4), 1);
	wr(1, PCI_BAR0, 4, 0xffffffff);
	wr(1, PCI_BAR0 + 4, 4, 0xffffffff);
	CHECK_EQ(rd(1, PCI_BAR0, 4), 0xffe0000c);
	CHECK_EQ(rd(1, PCI_BAR0 + 4, 4), 0xffffffff);
	wr(1, PCI_BAR0, 4, 0xc000000c);
	CHECK_EQ(rd(1, PCI_BAR0, 4), 0xc000000c);
	CHECK_EQ(rd(1, PCI_BAR0 + 4, 4), 0xffffffff);	/* still probing */
	wr(1, PCI_BAR0 + 4, 4, 1);
	CHECK_EQ(rd(1, PCI_BAR0 + 4, 4), 1);
	CHECK_EQ(rd(1, PCI_BAR0 + 8, 4), 0);		/* I/O: absent */
	CHECK_EQ(rd(1, PCI_BAR0 + 12, 4), 0);		/* 32-bit above 4 GiB */
	CHECK_EQ(rd(1, PCI_BAR0 + 16, 4), 0);		/* not mapped */
	/* A 64-bit BAR in the last slot has no high half: none. */
	memset(host + PCI_BAR0, 0, 24);
	put32(host + PCI_BAR0 + 20, 0x4);
	CHECK_EQ(pci_fn_init(&edu, EDU_SBDF, 0, host, sizeof(host), bars, &why), 0);
	CHECK_EQ(edu.bar_mask[5], 0);
	CHECK_EQ(edu.cfg[PCI_COMMAND], 0);		/* no BAR: memory decode off */
}

static void capabilities(void)
{
	const char *why;
	unsigned int at;

	setup();
	at = rd(1, PCI_CAP_PTR, 1);
	CHECK_EQ(at, 0x40);
	CHECK_EQ(rd(1, at, 2), PCI_CAP_MSI);		/* MSI, the last */
	/* 64-bit as the host's; one vector, no per-vector masking. */
	CHECK_EQ(rd(1, at + PCI_MSI_CONTROL, 2), PCI_MSI_64BIT);
	CHECK_EQ(rd(1, at + PCI_MSI_ADDR_LO, 4), 0);	/* not the host's message */
	CHECK_EQ(rd(1, 0x50, 4), 0);			/* PM: hidden */
	CHECK_EQ(rd(1, 0x60, 4), 0);			/* vendor: hidden */
	wr(1, 0x41, 1, 0x50);
	CHECK_EQ(rd(1, 0x41, 1), 0);
	/* Multiple Message Enable stays 0. */
	wr(1, at + PCI_MSI_CONTROL, 2, 0x0070);
	CHECK_EQ(rd(1, at + PCI_MSI_CONTROL, 2), PCI_MSI_64BIT);
	/* The host's list ignored without the status bit; a loop ends. */
	edu_host();
	put16(host + PCI_STATUS, 0);
	CHECK_EQ(pci_fn_init(&edu, EDU_SBDF, 0, host, sizeof(host), edu_bars, &why), 0);
	CHECK_EQ(edu.msi, 0);
	CHECK_EQ(edu.cfg[PCI_CAP_PTR], 0);
	CHECK_EQ(get16(edu.cfg + PCI_STATUS), 0);
	edu_host();
	host[0x51] = 0x50;				/* PM points at itself */
	CHECK_EQ(pci_fn_init(&edu, EDU_SBDF, 0, host, sizeof(host), edu_bars, &why), 0);
	CHECK_EQ(edu.msi, 0);
	/* Into the header: not a capability. */
	edu_host();
	host[PCI_CAP_PTR] = 0x10;
	CHECK_EQ(pci_fn_init(&edu, EDU_SBDF, 0, host, sizeof(host), edu_bars, &why), 0);
	CHECK_EQ(edu.msi, 0);
	/* 64 bytes (what sysfs gives a user): the header, no capability. */
	edu_host();
	CHECK_EQ(pci_fn_init(&edu, EDU_SBDF, 0, host, 64, edu_bars, &why), 0);
	CHECK_EQ(edu.msi, 0);
	CHECK_EQ(get16(edu.cfg + PCI_VENDOR), 0x1234);
	/* A 32-bit MSI at the end of the space: its data register is 0xfc. */
	edu_host();
	host[0x51] = 0xf4;
	host[0xf4] = PCI_CAP_MSI;
	CHECK_EQ(pci_fn_init(&edu, EDU_SBDF, 0, host, sizeof(host), edu_bars, &why), 0);
	CHECK_EQ(edu.msi, 0xf4);
	CHECK_EQ(edu.msi_len, 10);
	/* 64-bit there would not fit: none. */
	put16(host + 0xf6, PCI_MSI_64BIT);
	CHECK_EQ(pci_fn_init(&edu, EDU_SBDF, 0, host, sizeof(host), edu_bars, &why), 0);
	CHECK_EQ(edu.msi, 0);
}

static void refusals(void)
{
	const char *why = NULL;
	int i;

	edu_host();
	CHECK(pci_fn_init(&edu, EDU_SBDF, 0, host, 63, edu_bars, &why) < 0);
	CHECK(why && strstr(why, "64-byte"));
	host[PCI_HEADER_TYPE] = 0x01;			/* a bridge */
	why = NULL;
	CHECK(pci_fn_init(&edu, EDU_SBDF, 0, host, sizeof(host), edu_bars, &why) < 0);
	CHECK(why && strstr(why, "type 0"));
	edu_host();
	CHECK(pci_fn_init(&edu, EDU_SBDF, VMM_MAX_DEVICES, host, sizeof(host), edu_bars,
			  &why) < 0);
	/* No interrupt pin: no INTx, line 0xff. */
	host[PCI_INT_PIN] = 0;
	CHECK_EQ(pci_fn_init(&edu, EDU_SBDF, 7, host, sizeof(host), edu_bars, &why), 0);
	CHECK_EQ(edu.ioapic_pin, 0);
	CHECK_EQ(edu.cfg[PCI_INT_LINE], 0xff);
	CHECK_EQ(edu.slot, 8);
	host[PCI_INT_PIN] = 5;
	CHECK_EQ(pci_fn_init(&edu, EDU_SBDF, 7, host, sizeof(host), edu_bars, &why), 0);
	CHECK_EQ(edu.ioapic_pin, 0);
	CHECK_EQ(edu.cfg[PCI_INT_PIN], 0);
	/* The bus takes 8 functions. */
	pci_init(&bus);
	for (i = 0; i < VMM_MAX_DEVICES; i++)
		CHECK_EQ(pci_attach(&bus, &edu), 0);
	CHECK(pci_attach(&bus, &edu) < 0);
}

/* Call i: the function, flags and message. */
static void check_call(unsigned int i, uint32_t flags, uint32_t lo, uint32_t hi, uint32_t data)
{
	const struct khv_device_msi *c = &calls[i];

	CHECK(i < ncalls);
	CHECK_EQ(c->segment, 0);
	CHECK_EQ(c->bus, 0);
	CHECK_EQ(c->devfn, EDU_SBDF);
	CHECK_EQ(c->flags, flags);
	CHECK_EQ(c->address_lo, lo);
	CHECK_EQ(c->address_hi, hi);
	CHECK_EQ(c->data, data);
	CHECK(!c->reserved[0] && !c->reserved[1] && !c->reserved[2]);
}

/* Linux's msi_capability_init(): message first, then the enable bit. */
static void msi_calls(void)
{
	setup();
	wr(1, 0x40 + PCI_MSI_ADDR_LO, 4, 0xfee01003);	/* bits 1:0 are not the guest's */
	wr(1, 0x40 + PCI_MSI_ADDR_HI, 4, 0);
	wr(1, 0x40 + PCI_MSI_DATA_64, 2, 0x0041);
	CHECK_EQ(ncalls, 0);				/* not enabled: nothing */
	CHECK_EQ(rd(1, 0x40 + PCI_MSI_ADDR_LO, 4), 0xfee01000);
	wr(1, 0x40 + PCI_MSI_CONTROL, 2, PCI_MSI_64BIT | PCI_MSI_ENABLE);
	CHECK_EQ(ncalls, 1);
	check_call(0, 0, 0xfee01000, 0, 0x41);
	CHECK_EQ(rd(1, 0x40 + PCI_MSI_CONTROL, 2), PCI_MSI_64BIT | PCI_MSI_ENABLE);
	/* Reprogrammed while enabled: told again; the same again: not. */
	wr(1, 0x40 + PCI_MSI_DATA_64, 4, 0xffff0042);	/* extended data: not there */
	CHECK_EQ(ncalls, 2);
	check_call(1, 0, 0xfee01000, 0, 0x42);
	CHECK_EQ(rd(1, 0x40 + PCI_MSI_DATA_64, 4), 0x42);
	wr(1, 0x40 + PCI_MSI_DATA_64, 2, 0x0042);
	wr(1, 0x40 + PCI_MSI_CONTROL, 2, PCI_MSI_ENABLE);
	CHECK_EQ(ncalls, 2);
	wr(1, 0x40 + PCI_MSI_ADDR_HI, 4, 1);
	CHECK_EQ(ncalls, 3);
	check_call(2, 0, 0xfee01000, 1, 0x42);
	/* Disabled: off, with the message fields 0. */
	wr(1, 0x40 + PCI_MSI_CONTROL, 1, 0);
	CHECK_EQ(ncalls, 4);
	check_call(3, KHV_DEVICE_MSI_OFF, 0, 0, 0);
	wr(1, 0x40 + PCI_MSI_CONTROL, 1, 0);
	CHECK_EQ(ncalls, 4);
	CHECK(!edu.msi_on && !edu.intx_on);
}

/* A 32-bit MSI capability: the data register at +8, address_hi 0. */
static void msi_32bit(void)
{
	const char *why;

	edu_host();
	put16(host + 0x42, 0);
	pci_init(&bus);
	bus.set_msi = record;
	CHECK_EQ(pci_fn_init(&edu, EDU_SBDF, 0, host, sizeof(host), edu_bars, &why), 0);
	CHECK_EQ(pci_attach(&bus, &edu), 0);
	ncalls = 0;
	CHECK_EQ(edu.msi_len, 10);
	wr(1, 0x40 + PCI_MSI_ADDR_LO, 4, 0xfee00000);
	wr(1, 0x40 + PCI_MSI_DATA_32, 2, 0x4033);
	wr(1, 0x40 + PCI_MSI_DATA_64, 4, 0xffffffff);	/* beyond it: nothing */
	CHECK_EQ(rd(1, 0x40 + PCI_MSI_DATA_64, 4), 0);
	wr(1, 0x40 + PCI_MSI_CONTROL, 2, PCI_MSI_ENABLE);
	CHECK_EQ(ncalls, 1);
	check_call(0, 0, 0xfee00000, 0, 0x4033);
}

/* A level-triggered, active-low entry to APIC 1, vector 0x31, as Linux programs a PCI pin. */
#define PCI_ENTRY	((uint64_t)1 << IOAPIC_DEST_SHIFT | IOAPIC_LEVEL | \
			 IOAPIC_POLARITY_LOW | 0x31)
#define PCI_MSG_ADDR	0xfee01000U
#define PCI_MSG_DATA	0xc031U		/* level, assert, fixed, 0x31 */

static void intx_routing(void)
{
	setup();
	pci_redir_written(&bus, 16, PCI_ENTRY | IOAPIC_MASKED);
	pci_redir_written(&bus, 17, PCI_ENTRY);		/* nobody's pin */
	CHECK_EQ(ncalls, 0);
	pci_redir_written(&bus, 16, PCI_ENTRY);
	CHECK_EQ(ncalls, 1);
	check_call(0, KHV_DEVICE_MSI_INTX, PCI_MSG_ADDR, 0, PCI_MSG_DATA);
	pci_redir_written(&bus, 16, PCI_ENTRY);		/* the same: nothing */
	CHECK_EQ(ncalls, 1);
	/* Another destination while unmasked: told again. */
	pci_redir_written(&bus, 16, (PCI_ENTRY & ~(0xffULL << IOAPIC_DEST_SHIFT)) |
				    2ULL << IOAPIC_DEST_SHIFT | IOAPIC_DEST_LOGICAL);
	CHECK_EQ(ncalls, 2);
	check_call(1, KHV_DEVICE_MSI_INTX, 0xfee02004, 0, PCI_MSG_DATA);
	pci_redir_written(&bus, 16, PCI_ENTRY | IOAPIC_MASKED);
	CHECK_EQ(ncalls, 3);
	check_call(2, KHV_DEVICE_MSI_INTX | KHV_DEVICE_MSI_OFF, 0, 0, 0);
	/* A mode khv's APICs do not take (ExtINT): off as well. */
	pci_redir_written(&bus, 16, PCI_ENTRY);
	pci_redir_written(&bus, 16, PCI_ENTRY | (uint64_t)IOAPIC_EXTINT << IOAPIC_DELIVERY_SHIFT);
	CHECK_EQ(ncalls, 5);
	check_call(4, KHV_DEVICE_MSI_INTX | KHV_DEVICE_MSI_OFF, 0, 0, 0);
	/* INTx Disable in the command register turns it off, and clear, on. */
	pci_redir_written(&bus, 16, PCI_ENTRY);
	CHECK_EQ(ncalls, 6);
	wr(1, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_INTX_OFF);
	CHECK_EQ(ncalls, 7);
	check_call(6, KHV_DEVICE_MSI_INTX | KHV_DEVICE_MSI_OFF, 0, 0, 0);
	wr(1, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	CHECK_EQ(ncalls, 8);
	check_call(7, KHV_DEVICE_MSI_INTX, PCI_MSG_ADDR, 0, PCI_MSG_DATA);
}

/* khv has MSI or INTx: off goes first, each way. */
static void msi_and_intx(void)
{
	setup();
	pci_redir_written(&bus, 16, PCI_ENTRY);
	wr(1, 0x40 + PCI_MSI_ADDR_LO, 4, 0xfee00000);
	wr(1, 0x40 + PCI_MSI_DATA_64, 2, 0x0051);
	CHECK_EQ(ncalls, 1);
	wr(1, 0x40 + PCI_MSI_CONTROL, 2, PCI_MSI_ENABLE);
	CHECK_EQ(ncalls, 3);
	check_call(1, KHV_DEVICE_MSI_INTX | KHV_DEVICE_MSI_OFF, 0, 0, 0);
	check_call(2, 0, 0xfee00000, 0, 0x51);
	/* The entry moves while MSI is on: nothing for INTx. */
	pci_redir_written(&bus, 16, PCI_ENTRY | IOAPIC_MASKED);
	pci_redir_written(&bus, 16, PCI_ENTRY);
	CHECK_EQ(ncalls, 3);
	wr(1, 0x40 + PCI_MSI_CONTROL, 2, 0);
	CHECK_EQ(ncalls, 5);
	check_call(3, KHV_DEVICE_MSI_OFF, 0, 0, 0);
	check_call(4, KHV_DEVICE_MSI_INTX, PCI_MSG_ADDR, 0, PCI_MSG_DATA);
	/* Disabled with the entry masked: INTx stays off. */
	pci_redir_written(&bus, 16, PCI_ENTRY | IOAPIC_MASKED);
	wr(1, 0x40 + PCI_MSI_CONTROL, 2, PCI_MSI_ENABLE);
	wr(1, 0x40 + PCI_MSI_CONTROL, 2, 0);
	CHECK_EQ(ncalls, 8);
	check_call(5, KHV_DEVICE_MSI_INTX | KHV_DEVICE_MSI_OFF, 0, 0, 0);
	check_call(6, 0, 0xfee00000, 0, 0x51);
	check_call(7, KHV_DEVICE_MSI_OFF, 0, 0, 0);
}

/* A refused call counts, leaves khv's state as it was, and the next write tries again. */
static void refused_calls(void)
{
	setup();
	fail_with = -EINVAL;
	wr(1, 0x40 + PCI_MSI_DATA_64, 2, 0x0005);	/* vector 5: khv refuses it */
	wr(1, 0x40 + PCI_MSI_CONTROL, 2, PCI_MSI_ENABLE);
	CHECK_EQ(ncalls, 1);
	CHECK_EQ(edu.errors, 1);
	CHECK(!edu.msi_on);
	fail_with = 0;
	wr(1, 0x40 + PCI_MSI_DATA_64, 2, 0x0045);
	CHECK_EQ(ncalls, 2);
	check_call(1, 0, 0, 0, 0x45);
	CHECK(edu.msi_on);
	CHECK_EQ(edu.errors, 1);
	/* No callback: nothing told, the state followed all the same. */
	bus.set_msi = NULL;
	wr(1, 0x40 + PCI_MSI_CONTROL, 2, 0);
	CHECK(!edu.msi_on);
}

/* The I/O APIC of the devices: the guest's writes to pin 16 reach the bus. */
static void through_ioapic(void)
{
	static struct devices d;
	uint8_t b[4];

	edu_host();
	dev_init(&d, 0, 2, NULL, NULL);
	d.pci.set_msi = record;
	CHECK_EQ(pci_fn_init(&edu, EDU_SBDF, 0, host, sizeof(host), edu_bars, &(const char *){ 0 }),
		 0);
	CHECK_EQ(pci_attach(&d.pci, &edu), 0);
	ncalls = 0;
	fail_with = 0;
	/* Linux's ioapic_write_entry(): the high half, then the low. */
	b[0] = IOAPIC_REDIR + 2 * 16 + 1;
	ioapic_mmio(&d.ioapic, IOAPIC_REG_SELECT, true, b, 4);
	put32(b, 1U << 24);
	ioapic_mmio(&d.ioapic, IOAPIC_REG_WINDOW, true, b, 4);
	CHECK_EQ(ncalls, 0);				/* still masked */
	b[0] = IOAPIC_REDIR + 2 * 16;
	ioapic_mmio(&d.ioapic, IOAPIC_REG_SELECT, true, b, 4);
	put32(b, (uint32_t)PCI_ENTRY);
	ioapic_mmio(&d.ioapic, IOAPIC_REG_WINDOW, true, b, 4);
	CHECK_EQ(ncalls, 1);
	check_call(0, KHV_DEVICE_MSI_INTX, PCI_MSG_ADDR, 0, PCI_MSG_DATA);
	/* The configuration ports through the devices' port dispatch. */
	put32(b, ADDR(1, 0, 0));
	dev_pio(&d, PCI_CONFIG_ADDRESS, 4, true, b, 0, 0);
	dev_pio(&d, PCI_CONFIG_DATA + 2, 2, false, b, 0, 0);
	CHECK_EQ(get16(b), 0x11e8);
	/* A byte at 0xcf9 is still the reset register. */
	b[0] = 0x06;
	dev_pio(&d, 0xcf9, 1, true, b, 0, 0);
	CHECK(d.reset);
}

static void sub_dword(void)
{
	setup();
	outl(PCI_CONFIG_ADDRESS, ADDR(1, 0, 0));
	CHECK_EQ(in(0xcfc, 1), 0x34);
	CHECK_EQ(in(0xcfd, 1), 0x12);
	CHECK_EQ(in(0xcfe, 1), 0xe8);
	CHECK_EQ(in(0xcff, 1), 0x11);
	CHECK_EQ(in(0xcfc, 2), 0x1234);
	CHECK_EQ(in(0xcfe, 2), 0x11e8);
	CHECK_EQ(in(0xcfd, 2), 0xe812);
	/* A word write at 0xcfe of the command dword: the status. */
	wr(1, PCI_COMMAND + 2, 2, 0xffff);
	CHECK_EQ(rd(1, PCI_COMMAND, 4), PCI_STATUS_CAP_LIST << 16 | PCI_COMMAND_MEMORY);
	/* The MSI data register a byte at a time. */
	wr(1, 0x40 + PCI_MSI_DATA_64, 1, 0x61);
	wr(1, 0x40 + PCI_MSI_DATA_64 + 1, 1, 0x40);
	CHECK_EQ(rd(1, 0x40 + PCI_MSI_DATA_64, 2), 0x4061);
	wr(1, 0x40 + PCI_MSI_CONTROL, 1, PCI_MSI_ENABLE);
	CHECK_EQ(ncalls, 1);
	check_call(0, 0, 0, 0, 0x4061);
}

static void hostile(void)
{
	unsigned int slot, reg;
	uint8_t b[4];

	setup();
	/* A dword at 0xcfe: bytes 2 and 3 of the register, then no port. */
	outl(PCI_CONFIG_ADDRESS, ADDR(1, 0, 0));
	CHECK_EQ(in(0xcfe, 4), 0xffff11e8);
	CHECK_EQ(in(0xcff, 4), 0xffffff11);
	CHECK_EQ(in(0xcff, 2), 0xff11);
	/* Written there, only the register's bytes count: the command's high byte. */
	outl(PCI_CONFIG_ADDRESS, ADDR(1, 0, PCI_COMMAND));
	out(0xcfd, 4, 0xffffff04);
	CHECK_EQ(rd(1, PCI_COMMAND, 4), PCI_STATUS_CAP_LIST << 16 | 0x0402);
	/* Misaligned dword at 0xcfd of a BAR: bytes 1-3 only. */
	outl(PCI_CONFIG_ADDRESS, ADDR(1, 0, PCI_BAR0));
	out(0xcfd, 4, 0xffffffff);
	CHECK_EQ(rd(1, PCI_BAR0, 4), EDU_GPA);		/* byte 0 is not all ones */
	/* Offsets beyond 256 (AMD's extended register bits): nothing there. */
	outl(PCI_CONFIG_ADDRESS, ADDR(1, 0, 0) | 1 << 24);
	CHECK_EQ(in(PCI_CONFIG_DATA, 4), 0xffffffff);
	out(PCI_CONFIG_DATA, 4, 0);
	outl(PCI_CONFIG_ADDRESS, ADDR(1, 0, 0x40) | 0x0f000000);
	out(PCI_CONFIG_DATA, 4, 0xffffffff);
	CHECK_EQ(rd(1, 0x40, 4), PCI_MSI_64BIT << 16 | PCI_CAP_MSI);
	/* pci_cfg_access() itself refuses what is not in the 256 bytes. */
	put32(b, 0xffffffff);
	pci_cfg_access(&bus, &edu, 0xfe, 4, true, b);
	pci_cfg_access(&bus, &edu, 0x100, 1, true, b);
	pci_cfg_access(&bus, &edu, 0x40, 5, true, b);
	pci_cfg_access(&bus, &edu, 0xffffffff, 2, true, b);
	put32(b, 0x5a5a5a5a);
	pci_cfg_access(&bus, &edu, 0x100, 4, false, b);
	CHECK_EQ(get32(b), 0x5a5a5a5a);
	CHECK_EQ(rd(1, 0xfc, 4), 0);
	/* A size no port access has. */
	CHECK(!pci_pio(&bus, PCI_CONFIG_DATA, 8, false, b));
	/* Every register of every slot written with all ones: IDs and placement stay. */
	for (slot = 0; slot < 32; slot++)
		for (reg = 0; reg < 256; reg += 4)
			wr(slot, reg, 4, 0xffffffff);
	CHECK_EQ(rd(1, PCI_VENDOR, 4), 0x11e81234);
	CHECK_EQ(rd(0, PCI_VENDOR, 4), 0x12378086);
	CHECK_EQ(rd(1, PCI_HEADER_TYPE, 1), 0);
	wr(1, PCI_BAR0, 4, 0);
	CHECK_EQ(rd(1, PCI_BAR0, 4), EDU_GPA);
	/*
	 * MSI enabled (a message of zeros yet), then each register all ones:
	 * khv is told each time, and judges the message itself.
	 */
	CHECK_EQ(ncalls, 4);
	check_call(0, 0, 0, 0, 0);
	check_call(3, 0, 0xfffffffc, 0xffffffff, 0xffff);
}

int main(void)
{
	static const struct tap_case cases[] = {
		TAP_CASE(address_decoding),
		TAP_CASE(host_bridge),
		TAP_CASE(edu_header),
		TAP_CASE(bar_probe),
		TAP_CASE(bar_kinds),
		TAP_CASE(capabilities),
		TAP_CASE(refusals),
		TAP_CASE(msi_calls),
		TAP_CASE(msi_32bit),
		TAP_CASE(intx_routing),
		TAP_CASE(msi_and_intx),
		TAP_CASE(refused_calls),
		TAP_CASE(through_ioapic),
		TAP_CASE(sub_dword),
		TAP_CASE(hostile),
	};

	return tap_main(cases, ARRAY_SIZE(cases));
}
