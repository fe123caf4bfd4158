// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the MP table: the floating pointer and the configuration
 * table checksum to 0, point at each other, count their entries right, have
 * one enabled processor per vCPU with the BSP first, the I/O APIC with
 * every ISA IRQ on its pin, and bad arguments write nothing.
 */
#include <string.h>

#include "le.h"
#include "mptable.h"
#include "tap.h"

#define GPA	0xf0000ULL

static uint8_t buf[4096];

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s += *p++;
	return s;
}

/* Walk the table as Linux's smp_read_mpc() does: check and count. */
static void check_table(unsigned int ncpus)
{
	const uint8_t *fps = buf, *hdr = buf + MP_FPS_LEN, *e, *end;
	unsigned int cpus = 0, bsps = 0, buses = 0, lints = 0, entries = 0;
	unsigned int ioapics = 0, ints = 0, irqs = 0, pins = 0;
	size_t n;

	memset(buf, 0xa5, sizeof(buf));
	n = mptable_write(buf, sizeof(buf), GPA, ncpus, 0x00a00f11, 0x178bfbff);
	CHECK_EQ(n, mptable_size(ncpus));
	CHECK(!memcmp(fps, "_MP_", 4));
	CHECK_EQ(get32(fps + 4), GPA + MP_FPS_LEN);
	CHECK_EQ(fps[8], 1);
	CHECK_EQ(fps[9], 4);
	CHECK_EQ(fps[11], 0);				/* a table, no default config */
	CHECK_EQ(sum(fps, MP_FPS_LEN), 0);
	CHECK(!memcmp(hdr, "PCMP", 4));
	CHECK_EQ(get16(hdr + 4), n - MP_FPS_LEN);
	CHECK_EQ(sum(hdr, get16(hdr + 4)), 0);
	CHECK_EQ(get32(hdr + 36), MP_LAPIC_ADDR);
	CHECK_EQ(get16(hdr + 40), 0);			/* no extended table */
	e = hdr + MP_HDR_LEN;
	end = hdr + get16(hdr + 4);
	while (e < end) {
		entries++;
		switch (e[0]) {
		case 0:
			CHECK_EQ(e[1], cpus);		/* APIC ID = vCPU id */
			CHECK(e[3] & 1);
			bsps += !!(e[3] & 2);
			CHECK_EQ(get32(e + 4), 0x00a00f11);
			cpus++;
			e += MP_CPU_LEN;
			break;
		case 1:
			CHECK(!memcmp(e + 2, "ISA   ", 6));
			buses++;
			e += MP_ENTRY_LEN;
			break;
		case 2:
			CHECK_EQ(e[1], ncpus < 16 ? ncpus : 0);
			CHECK_EQ(e[2], 0x11);
			CHECK_EQ(e[3], 1);		/* enabled */
			CHECK_EQ(get32(e + 4), 0xfec00000);
			ioapics++;
			e += MP_ENTRY_LEN;
			break;
		case 3:
			CHECK_EQ(e[1], 0);		/* INT */
			CHECK_EQ(get16(e + 2), 0);	/* as the bus: high, edge */
			CHECK_EQ(e[4], 0);		/* the ISA bus */
			CHECK_EQ(e[6], ncpus < 16 ? ncpus : 0);
			CHECK_EQ(e[7], e[5] ? e[5] : 2);	/* IRQ 0 on pin 2 */
			irqs |= 1U << e[5];
			pins |= 1U << e[7];
			ints++;
			e += MP_ENTRY_LEN;
			break;
		case 4:
			CHECK_EQ(e[7], lints);		/* LINT0 ExtINT, LINT1 NMI */
			CHECK_EQ(e[1], lints ? 1 : 3);
			CHECK_EQ(e[6], 0xff);
			lints++;
			e += MP_ENTRY_LEN;
			break;
		default:
			CHECK(!"unexpected entry type");
			return;
		}
	}
	CHECK(e == end);
	CHECK_EQ(entries, get16(hdr + 34));
	CHECK_EQ(cpus, ncpus);
	CHECK_EQ(bsps, 1);
	CHECK(buf[MP_FPS_LEN + MP_HDR_LEN + 3] & 2);	/* the BSP is vCPU 0 */
	CHECK_EQ(buses, 1);
	CHECK_EQ(lints, 2);
	CHECK_EQ(ioapics, 1);
	CHECK_EQ(ints, 15);
	CHECK_EQ(irqs, 0xfffb);				/* all but the cascade */
	CHECK_EQ(pins, 0xfffe);				/* all but pin 0 */
	CHECK_EQ(buf[n], 0xa5);				/* nothing beyond */
}

static void one_cpu(void)
{
	check_table(1);
}

static void two_cpus(void)
{
	check_table(2);
}

static void max_cpus(void)
{
	check_table(MP_MAX_CPUS);
}

static void bad_arguments(void)
{
	memset(buf, 0xa5, sizeof(buf));
	CHECK_EQ(mptable_write(buf, sizeof(buf), GPA, 0, 0, 0), 0);
	CHECK_EQ(mptable_write(buf, sizeof(buf), GPA, MP_MAX_CPUS + 1, 0, 0), 0);
	CHECK_EQ(mptable_write(buf, sizeof(buf), GPA + 8, 2, 0, 0), 0);
	CHECK_EQ(mptable_write(buf, sizeof(buf), 0xfffffff0ULL, 2, 0, 0), 0);
	CHECK_EQ(mptable_write(buf, sizeof(buf), 1ULL << 32, 2, 0, 0), 0);
	CHECK_EQ(mptable_write(buf, mptable_size(2) - 1, GPA, 2, 0, 0), 0);
	CHECK_EQ(buf[0], 0xa5);				/* nothing written */
	CHECK_EQ(mptable_write(buf, mptable_size(2), GPA, 2, 0, 0), mptable_size(2));
}

int main(void)
{
	static const struct tap_case cases[] = {
		TAP_CASE(one_cpu),
		TAP_CASE(two_cpus),
		TAP_CASE(max_cpus),
		TAP_CASE(bad_arguments),
	};

	return tap_main(cases, ARRAY_SIZE(cases));
}
