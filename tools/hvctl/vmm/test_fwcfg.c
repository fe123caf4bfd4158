// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of fw_cfg: each item's bytes, the offset's auto-increment,
 * reads past an item's end, unknown and hostile selectors, and the access
 * sizes the ports take and refuse.
 */
#include <string.h>

#include "fwcfg.h"
#include "le.h"
#include "tap.h"

#define RAM	(3ULL << 30)

static struct fwcfg f;

static void sel(uint16_t key)
{
	uint8_t b[2];

	put16(b, key);
	CHECK(fwcfg_io(&f, FWCFG_PORT_SEL, 2, true, b));
}

static uint8_t data(void)
{
	uint8_t v = 0xaa;

	CHECK(fwcfg_io(&f, FWCFG_PORT_DATA, 1, false, &v));
	return v;
}

static void read_item(uint16_t key, uint8_t *buf, unsigned int n)
{
	unsigned int i;

	sel(key);
	for (i = 0; i < n; i++)
		buf[i] = data();
}

static void items(void)
{
	uint8_t b[8];

	fwcfg_init(&f, RAM, 2);
	read_item(FWCFG_SIGNATURE, b, 4);
	CHECK(!memcmp(b, "QEMU", 4));
	read_item(FWCFG_ID, b, 4);
	CHECK_EQ(get32(b), 1);			/* traditional, no DMA */
	read_item(FWCFG_RAM_SIZE, b, 8);
	CHECK_EQ(get64(b), RAM);
	read_item(FWCFG_NB_CPUS, b, 2);
	CHECK_EQ(get16(b), 2);
	read_item(FWCFG_MAX_CPUS, b, 2);
	CHECK_EQ(get16(b), 2);
	read_item(FWCFG_FILE_DIR, b, 4);
	CHECK_EQ(get32(b), 0);			/* no file */
	/* The write channel's bit selects the same item, as in QEMU. */
	read_item(FWCFG_WRITE_CHANNEL | FWCFG_NB_CPUS, b, 2);
	CHECK_EQ(get16(b), 2);
}

/* After reset the signature is selected: a guest may read it at once. */
static void reset_selects_signature(void)
{
	fwcfg_init(&f, RAM, 1);
	CHECK_EQ(data(), 'Q');
	CHECK_EQ(data(), 'E');
}

/* Each read takes the next byte; a new selection starts again at 0. */
static void auto_increment(void)
{
	uint8_t b[8];
	unsigned int i;

	fwcfg_init(&f, 0x0102030405060708ULL, 1);
	sel(FWCFG_RAM_SIZE);
	for (i = 0; i < 3; i++)
		b[i] = data();
	CHECK_EQ(b[0], 0x08);
	CHECK_EQ(b[2], 0x06);
	sel(FWCFG_RAM_SIZE);
	CHECK_EQ(data(), 0x08);
}

static void past_the_end(void)
{
	unsigned int i;

	fwcfg_init(&f, RAM, 4);
	sel(FWCFG_NB_CPUS);
	CHECK_EQ(data(), 4);
	CHECK_EQ(data(), 0);
	for (i = 0; i < 100000; i++)
		CHECK_EQ(data(), 0);
	CHECK_EQ(f.off, 2);			/* it stays at the end */
	sel(FWCFG_NB_CPUS);
	CHECK_EQ(data(), 4);
}

/* Every selector: unknown ones have no bytes, none reaches outside the items. */
static void hostile_selectors(void)
{
	const uint8_t *lo = (const uint8_t *)&f.items;
	unsigned int key, i, known = 0;
	uint8_t v, any;

	fwcfg_init(&f, ~0ULL, 64);
	for (key = 0; key <= 0xffff; key++) {
		sel(key);
		CHECK(!f.cur || (f.cur >= lo && f.cur + f.len <= lo + sizeof(f.items)));
		any = 0;
		for (i = 0; i < 12; i++) {
			v = data();
			any |= v;
		}
		CHECK(f.off <= f.len);
		if (f.cur)
			known++;
		else
			CHECK_EQ(any, 0);
	}
	/* 6 items (MAX_CPUS shares NB_CPUS's bytes), each with and without bit 14. */
	CHECK_EQ(known, 12);
	sel(FWCFG_ARCH_LOCAL | FWCFG_SIGNATURE);	/* x86's ACPI tables: none */
	CHECK_EQ(data(), 0);
	fwcfg_init(&f, RAM, 0x12345);			/* more CPUs than 16 bits */
	sel(FWCFG_NB_CPUS);
	CHECK_EQ(data(), 0x45);
	CHECK_EQ(data(), 0x23);
}

/* Only a 16-bit selector write and 8-bit data accesses are the device's. */
static void hostile_sizes(void)
{
	uint8_t b[4] = { 0x05, 0x00, 0x00, 0x00 };
	uint8_t v = 0x03;

	fwcfg_init(&f, RAM, 2);
	sel(FWCFG_ID);
	CHECK(!fwcfg_io(&f, FWCFG_PORT_SEL, 1, true, b));	/* 8-bit select */
	CHECK(!fwcfg_io(&f, FWCFG_PORT_SEL, 4, true, b));	/* 32-bit select */
	CHECK(!fwcfg_io(&f, FWCFG_PORT_SEL, 2, false, b));	/* a read */
	CHECK(!fwcfg_io(&f, FWCFG_PORT_DATA, 2, false, b));
	CHECK(!fwcfg_io(&f, FWCFG_PORT_DATA, 4, true, b));
	CHECK(!fwcfg_io(&f, FWCFG_PORT_SEL - 1, 2, true, b));
	CHECK(!fwcfg_io(&f, FWCFG_PORT_DATA + 1, 1, false, b));
	CHECK_EQ(data(), 1);			/* still the ID, from its start */
	/* A data write is taken and ignored: the item and offset stay. */
	CHECK(fwcfg_io(&f, FWCFG_PORT_DATA, 1, true, &v));
	CHECK_EQ(data(), 0);
	CHECK_EQ(f.off, 2);
	CHECK_EQ(f.items.nb_cpus[0], 2);
}

int main(void)
{
	static const struct tap_case cases[] = {
		TAP_CASE(items),
		TAP_CASE(reset_selects_signature),
		TAP_CASE(auto_increment),
		TAP_CASE(past_the_end),
		TAP_CASE(hostile_selectors),
		TAP_CASE(hostile_sizes),
	};

	return tap_main(cases, ARRAY_SIZE(cases));
}
