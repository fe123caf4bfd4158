// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the I/O APIC: its registers through IOREGSEL/IOWIN, edge
 * and level pins, Remote IRR and EOI, masking, the messages it sends, and
 * the hook that tells the PCI bus of each entry the guest writes.
 */
#include <string.h>

#include "ioapic.h"
#include "le.h"
#include "tap.h"

static struct ioapic a;
static struct ioapic_msi sent[16];
static unsigned int nsent;
static bool refuse;

static bool record(void *opaque, const struct ioapic_msi *msi)
{
	(void)opaque;
	if (refuse)
		return false;
	if (nsent < ARRAY_SIZE(sent))
		sent[nsent] = *msi;
	nsent++;
	return true;
}

static void reset(void)
{
	ioapic_init(&a, 2, record, NULL);
	nsent = 0;
	refuse = false;
}

static void sel(uint8_t reg)
{
	uint8_t b[4] = { reg };

	ioapic_mmio(&a, IOAPIC_REG_SELECT, true, b, 4);
}

static uint32_t rd(uint8_t reg)
{
	uint8_t b[4];

	sel(reg);
	ioapic_mmio(&a, IOAPIC_REG_WINDOW, false, b, 4);
	return get32(b);
}

static void wr(uint8_t reg, uint32_t v)
{
	uint8_t b[4];

	sel(reg);
	put32(b, v);
	ioapic_mmio(&a, IOAPIC_REG_WINDOW, true, b, 4);
}

/* Pin's entry as Linux programs an ISA IRQ: dest, vector, edge or level. */
static void route(unsigned int pin, uint8_t dest, uint8_t vector, bool level)
{
	wr(IOAPIC_REDIR + 2 * pin + 1, (uint32_t)dest << 24);
	wr(IOAPIC_REDIR + 2 * pin, vector | (level ? IOAPIC_LEVEL : 0));
}

static void registers(void)
{
	uint8_t b[8];

	reset();
	CHECK_EQ(rd(IOAPIC_ID), 2U << 24);
	CHECK_EQ(rd(IOAPIC_VER), 0x170011);
	CHECK_EQ(rd(IOAPIC_ARB), 2U << 24);
	wr(IOAPIC_ID, 0xfa000000);		/* four bits of ID */
	CHECK_EQ(rd(IOAPIC_ID), 0x0a000000);
	/* Every pin starts masked. */
	CHECK_EQ(rd(IOAPIC_REDIR), IOAPIC_MASKED);
	CHECK_EQ(rd(IOAPIC_REDIR + 2 * 23), IOAPIC_MASKED);
	/* The read-only bits stay the chip's; the high half keeps its destination only. */
	wr(IOAPIC_REDIR + 2 * 5, 0xffffffff);
	CHECK_EQ(rd(IOAPIC_REDIR + 2 * 5),
		 0xffffffff & ~(IOAPIC_DELIVERY_STATUS | IOAPIC_REMOTE_IRR) & 0x1ffff);
	wr(IOAPIC_REDIR + 2 * 5 + 1, 0xffffffff);
	CHECK_EQ(rd(IOAPIC_REDIR + 2 * 5 + 1), 0xff000000);
	/* Past the last pin and between registers: zero, writes go nowhere. */
	wr(IOAPIC_REDIR + 2 * 24, 0x30);
	CHECK_EQ(rd(IOAPIC_REDIR + 2 * 24), 0);
	CHECK_EQ(rd(0x03), 0);
	CHECK_EQ(rd(0xff), 0);
	/* IOREGSEL reads back; other offsets and sizes read all ones. */
	sel(0x12);
	memset(b, 0x55, sizeof(b));
	ioapic_mmio(&a, IOAPIC_REG_SELECT, false, b, 4);
	CHECK_EQ(get32(b), 0x12);
	ioapic_mmio(&a, 0x20, false, b, 8);
	CHECK_EQ(get64(b), ~0ULL);
	ioapic_mmio(&a, IOAPIC_REG_WINDOW, false, b, 2);
	CHECK_EQ(get16(b), 0xffff);
	CHECK_EQ(nsent, 0);
}

static void edge_pin(void)
{
	reset();
	ioapic_set_irq(&a, 2, true);		/* masked: nothing */
	ioapic_set_irq(&a, 2, false);
	CHECK_EQ(nsent, 0);
	route(2, 1, 0x30, false);
	ioapic_set_irq(&a, 2, true);
	CHECK_EQ(nsent, 1);
	CHECK_EQ(sent[0].address_lo, 0xfee01000);
	CHECK_EQ(sent[0].address_hi, 0);
	CHECK_EQ(sent[0].data, 0x30);
	ioapic_set_irq(&a, 2, true);		/* still high: no new edge */
	CHECK_EQ(nsent, 1);
	ioapic_set_irq(&a, 2, false);
	ioapic_set_irq(&a, 2, true);
	CHECK_EQ(nsent, 2);
	CHECK_EQ(rd(IOAPIC_REDIR + 4) & IOAPIC_REMOTE_IRR, 0);
	/* An edge's EOI does nothing. */
	ioapic_eoi(&a, 0x30);
	CHECK_EQ(nsent, 2);
	/* Logical destination, lowest priority. */
	wr(IOAPIC_REDIR + 5, 0x03000000);
	wr(IOAPIC_REDIR + 4, 0x31 | IOAPIC_DEST_LOGICAL | IOAPIC_LOWEST << IOAPIC_DELIVERY_SHIFT);
	ioapic_set_irq(&a, 2, false);
	ioapic_set_irq(&a, 2, true);
	CHECK_EQ(nsent, 3);
	CHECK_EQ(sent[2].address_lo, 0xfee03004);
	CHECK_EQ(sent[2].data, 0x131);
	/* Out-of-range pins are ignored. */
	ioapic_set_irq(&a, 24, true);
	ioapic_set_irq(&a, 200, true);
	CHECK_EQ(nsent, 3);
}

static void level_pin(void)
{
	reset();
	route(4, 0, 0x34, true);
	ioapic_set_irq(&a, 4, true);
	CHECK_EQ(nsent, 1);
	CHECK_EQ(sent[0].data, 0x34 | 0xc000);	/* level, asserted */
	CHECK(rd(IOAPIC_REDIR + 8) & IOAPIC_REMOTE_IRR);
	/* Held high, Remote IRR set: no more until the EOI. */
	ioapic_set_irq(&a, 4, true);
	CHECK_EQ(nsent, 1);
	/* The EOI of another vector does not end it. */
	ioapic_eoi(&a, 0x35);
	CHECK_EQ(nsent, 1);
	/* Its EOI with the line still high: again. */
	ioapic_eoi(&a, 0x34);
	CHECK_EQ(nsent, 2);
	CHECK(rd(IOAPIC_REDIR + 8) & IOAPIC_REMOTE_IRR);
	/* Line down, then EOI: Remote IRR clear, nothing sent. */
	ioapic_set_irq(&a, 4, false);
	ioapic_eoi(&a, 0x34);
	CHECK_EQ(nsent, 2);
	CHECK_EQ(rd(IOAPIC_REDIR + 8) & IOAPIC_REMOTE_IRR, 0);
	/* Writing the entry as edge clears a stuck Remote IRR. */
	ioapic_set_irq(&a, 4, true);
	CHECK_EQ(nsent, 3);
	wr(IOAPIC_REDIR + 8, 0x34);
	CHECK_EQ(rd(IOAPIC_REDIR + 8) & IOAPIC_REMOTE_IRR, 0);
}

static void masking(void)
{
	reset();
	route(4, 0, 0x34, true);
	wr(IOAPIC_REDIR + 8, 0x34 | IOAPIC_LEVEL | IOAPIC_MASKED);
	ioapic_set_irq(&a, 4, true);
	CHECK_EQ(nsent, 0);
	/* Unmasking a level pin that is asserted sends it. */
	wr(IOAPIC_REDIR + 8, 0x34 | IOAPIC_LEVEL);
	CHECK_EQ(nsent, 1);
	/* An edge pin raised while masked stays lost. */
	route(3, 0, 0x33, false);
	wr(IOAPIC_REDIR + 6, 0x33 | IOAPIC_MASKED);
	ioapic_set_irq(&a, 3, true);
	wr(IOAPIC_REDIR + 6, 0x33);
	CHECK_EQ(nsent, 1);
}

static void modes(void)
{
	reset();
	/* NMI: sent as an edge, never waits for an EOI. */
	wr(IOAPIC_REDIR + 2, IOAPIC_NMI << IOAPIC_DELIVERY_SHIFT | IOAPIC_LEVEL);
	ioapic_set_irq(&a, 1, true);
	CHECK_EQ(nsent, 1);
	CHECK_EQ(sent[0].data, 0x400);
	CHECK_EQ(rd(IOAPIC_REDIR + 2) & IOAPIC_REMOTE_IRR, 0);
	ioapic_set_irq(&a, 1, true);		/* an edge: held high, once */
	CHECK_EQ(nsent, 1);
	ioapic_set_irq(&a, 1, false);
	ioapic_set_irq(&a, 1, true);
	CHECK_EQ(nsent, 2);
	/* SMI, INIT, ExtINT: khv's APICs take none; counted, not sent. */
	wr(IOAPIC_REDIR + 0, IOAPIC_EXTINT << IOAPIC_DELIVERY_SHIFT);
	wr(IOAPIC_REDIR + 4, IOAPIC_INIT << IOAPIC_DELIVERY_SHIFT);
	ioapic_set_irq(&a, 0, true);
	ioapic_set_irq(&a, 2, true);
	CHECK_EQ(nsent, 2);
	CHECK_EQ(a.dropped, 2);
	/* A message the APICs refuse leaves no Remote IRR behind. */
	route(9, 0, 0x39, true);
	refuse = true;
	ioapic_set_irq(&a, 9, true);
	CHECK_EQ(rd(IOAPIC_REDIR + 18) & IOAPIC_REMOTE_IRR, 0);
	refuse = false;
	ioapic_eoi(&a, 0x39);			/* no Remote IRR: no retry */
	CHECK_EQ(nsent, 2);
	ioapic_set_irq(&a, 9, true);		/* still high, level: sent now */
	CHECK_EQ(nsent, 3);
}

static unsigned int nwritten, written_pin;
static uint64_t written_entry;

static void on_written(void *opaque, unsigned int pin, uint64_t entry)
{
	CHECK(opaque == &a);
	nwritten++;
	written_pin = pin;
	written_entry = entry;
}

/* Each write to an entry's half, and only those, with the whole entry. */
static void written_hook(void)
{
	struct ioapic_msi msi;

	reset();
	a.written = on_written;
	a.written_opaque = &a;
	nwritten = 0;
	wr(IOAPIC_ID, 0x01000000);
	rd(IOAPIC_REDIR + 2 * 16);
	wr(IOAPIC_REDIR + 2 * 24, 0);		/* no pin 24 */
	CHECK_EQ(nwritten, 0);
	wr(IOAPIC_REDIR + 2 * 16 + 1, 0x03000000);
	CHECK_EQ(nwritten, 1);
	CHECK_EQ(written_pin, 16);
	CHECK_EQ(written_entry, 3ULL << IOAPIC_DEST_SHIFT | IOAPIC_MASKED);
	wr(IOAPIC_REDIR + 2 * 16, 0xffffffff);	/* the chip's bits stay its own */
	CHECK_EQ(nwritten, 2);
	CHECK_EQ(written_entry, 3ULL << IOAPIC_DEST_SHIFT | (IOAPIC_WRITABLE & 0xffffffff));
	/* The message an entry sends: as fire() sends it. */
	CHECK(ioapic_entry_msi(5ULL << IOAPIC_DEST_SHIFT | IOAPIC_LEVEL | IOAPIC_MASKED |
			       IOAPIC_LOWEST << IOAPIC_DELIVERY_SHIFT | 0x41, &msi));
	CHECK_EQ(msi.address_lo, 0xfee05000);
	CHECK_EQ(msi.address_hi, 0);
	CHECK_EQ(msi.data, 0xc141);
	CHECK(!ioapic_entry_msi(IOAPIC_SMI << IOAPIC_DELIVERY_SHIFT | 0x41, &msi));
	CHECK_EQ(nsent, 0);
}

int main(void)
{
	static const struct tap_case cases[] = {
		TAP_CASE(registers),
		TAP_CASE(edge_pin),
		TAP_CASE(level_pin),
		TAP_CASE(masking),
		TAP_CASE(modes),
		TAP_CASE(written_hook),
	};

	return tap_main(cases, ARRAY_SIZE(cases));
}
