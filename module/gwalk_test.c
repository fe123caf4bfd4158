// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: guest page-table walks (gwalk.c) over tables built in a buffer
 * that stands for guest RAM.
 */
#include <kunit/test.h>
#include <linux/string.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#include "gwalk.h"

#define RAM_SIZE	0x20000
#define P		0x1ULL
#define RW		0x2ULL
#define PS		0x80ULL

struct fake_ram {
	u8 bytes[RAM_SIZE];
};

static int fake_read(void *ctx, u64 gpa, unsigned int size, u64 *val)
{
	struct fake_ram *ram = ctx;
	u64 v = 0;

	if (gpa >= RAM_SIZE || RAM_SIZE - gpa < size)
		return -EFAULT;
	memcpy(&v, ram->bytes + gpa, size);
	*val = v;
	return 0;
}

static void put64(struct fake_ram *ram, u64 gpa, u64 v)
{
	memcpy(ram->bytes + gpa, &v, 8);
}

static void put32(struct fake_ram *ram, u64 gpa, u32 v)
{
	memcpy(ram->bytes + gpa, &v, 4);
}

static struct fake_ram *new_ram(struct kunit *test)
{
	struct fake_ram *ram = kunit_kzalloc(test, sizeof(*ram), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ram);
	return ram;
}

static const unsigned int long_mode = KHV_GWALK_PG | KHV_GWALK_PAE |
				      KHV_GWALK_LMA;

static void gwalk_mode_from_registers(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, khv_gwalk_mode(X86_CR0_PE, 0, 0), 0U);
	KUNIT_EXPECT_EQ(test, khv_gwalk_mode(X86_CR0_PE | X86_CR0_PG,
					     X86_CR4_PAE, EFER_LME | EFER_LMA),
			long_mode);
	KUNIT_EXPECT_EQ(test, khv_gwalk_mode(X86_CR0_PE | X86_CR0_PG,
					     X86_CR4_PSE, 0),
			(unsigned int)(KHV_GWALK_PG | KHV_GWALK_PSE));
}

static void gwalk_unpaged_is_identity(struct kunit *test)
{
	u64 gpa = 0;

	KUNIT_EXPECT_EQ(test, khv_gwalk(0x12345, 0, 0, fake_read, NULL, &gpa), 0);
	KUNIT_EXPECT_EQ(test, gpa, 0x12345ULL);
}

/* PML4 at 0x1000, PDPT at 0x2000, PD at 0x3000, PT at 0x4000. */
static void build_long_mode(struct fake_ram *ram)
{
	put64(ram, 0x1000 + 0 * 8, 0x2000 | P | RW);
	put64(ram, 0x2000 + 0 * 8, 0x3000 | P | RW);
	put64(ram, 0x3000 + 0 * 8, 0x4000 | P | RW);		/* 0 .. 2M: 4K pages */
	put64(ram, 0x4000 + 5 * 8, 0x9000 | P);			/* 0x5000 -> 0x9000 */
	put64(ram, 0x3000 + 1 * 8, 0x40000000ULL | P | PS);	/* 2M .. 4M -> 1G */
	put64(ram, 0x2000 + 1 * 8, 0x80000000ULL | P | PS);	/* 1G .. 2G -> 2G */
	/* The top of the address space: PML4 entry 511. */
	put64(ram, 0x1000 + 511 * 8, 0x2000 | P | RW);
}

static void gwalk_long_mode_4k_2m_1g(struct kunit *test)
{
	struct fake_ram *ram = new_ram(test);
	u64 gpa = 0;

	build_long_mode(ram);
	KUNIT_EXPECT_EQ(test, khv_gwalk(0x5123, 0x1000, long_mode, fake_read,
					ram, &gpa), 0);
	KUNIT_EXPECT_EQ(test, gpa, 0x9123ULL);
	KUNIT_EXPECT_EQ(test, khv_gwalk(0x200000 + 0x12345, 0x1000, long_mode,
					fake_read, ram, &gpa), 0);
	KUNIT_EXPECT_EQ(test, gpa, 0x40000000ULL + 0x12345);
	KUNIT_EXPECT_EQ(test, khv_gwalk(0x40000000ULL + 0x1234567, 0x1000,
					long_mode, fake_read, ram, &gpa), 0);
	KUNIT_EXPECT_EQ(test, gpa, 0x80000000ULL + 0x1234567);
	/* Kernel-half address through PML4 entry 511. */
	KUNIT_EXPECT_EQ(test, khv_gwalk(0xffffff8000005010ULL, 0x1000,
					long_mode, fake_read, ram, &gpa), 0);
	KUNIT_EXPECT_EQ(test, gpa, 0x9010ULL);
}

static void gwalk_long_mode_faults(struct kunit *test)
{
	struct fake_ram *ram = new_ram(test);
	u64 gpa = 0;

	build_long_mode(ram);
	/* Not present at the PT, the PD and the PML4 levels. */
	KUNIT_EXPECT_EQ(test, khv_gwalk(0x6000, 0x1000, long_mode, fake_read,
					ram, &gpa), -ENOENT);
	KUNIT_EXPECT_EQ(test, khv_gwalk(0x600000, 0x1000, long_mode, fake_read,
					ram, &gpa), -ENOENT);
	KUNIT_EXPECT_EQ(test, khv_gwalk(0x8000000000ULL, 0x1000, long_mode,
					fake_read, ram, &gpa), -ENOENT);
	/* Non-canonical. */
	KUNIT_EXPECT_EQ(test, khv_gwalk(0x0000800000000000ULL, 0x1000,
					long_mode, fake_read, ram, &gpa),
			-ENOENT);
	/* A table outside guest RAM. */
	put64(ram, 0x4000 + 7 * 8, 0x9000 | P);
	put64(ram, 0x3000 + 3 * 8, 0x7fff000ULL | P);
	KUNIT_EXPECT_EQ(test, khv_gwalk(0x600000, 0x1000, long_mode, fake_read,
					ram, &gpa), -EFAULT);
}

static void gwalk_pae(struct kunit *test)
{
	struct fake_ram *ram = new_ram(test);
	unsigned int mode = KHV_GWALK_PG | KHV_GWALK_PAE;
	u64 gpa = 0;

	/* PDPT at 0x1020 (32-byte aligned), PD at 0x2000, PT at 0x3000. */
	put64(ram, 0x1020 + 0 * 8, 0x2000 | P);
	put64(ram, 0x2000 + 0 * 8, 0x3000 | P | RW);
	put64(ram, 0x3000 + 1 * 8, 0x8000 | P);
	put64(ram, 0x2000 + 1 * 8, 0x600000 | P | PS);
	put64(ram, 0x1020 + 3 * 8, 0x2000 | P);
	KUNIT_EXPECT_EQ(test, khv_gwalk(0x1abc, 0x1020, mode, fake_read, ram,
					&gpa), 0);
	KUNIT_EXPECT_EQ(test, gpa, 0x8abcULL);
	KUNIT_EXPECT_EQ(test, khv_gwalk(0x212345, 0x1020, mode, fake_read, ram,
					&gpa), 0);
	KUNIT_EXPECT_EQ(test, gpa, 0x612345ULL);
	KUNIT_EXPECT_EQ(test, khv_gwalk(0xc0001abcULL, 0x1020, mode, fake_read,
					ram, &gpa), 0);
	KUNIT_EXPECT_EQ(test, gpa, 0x8abcULL);
	KUNIT_EXPECT_EQ(test, khv_gwalk(0x40000000, 0x1020, mode, fake_read,
					ram, &gpa), -ENOENT);
}

static void gwalk_32bit_4k_and_4m(struct kunit *test)
{
	struct fake_ram *ram = new_ram(test);
	unsigned int mode = KHV_GWALK_PG;
	u64 gpa = 0;

	put32(ram, 0x1000 + 0 * 4, 0x2000 | P | RW);
	put32(ram, 0x2000 + 3 * 4, 0x7000 | P);
	put32(ram, 0x1000 + 1 * 4, 0x00c00000 | P | PS);
	KUNIT_EXPECT_EQ(test, khv_gwalk(0x3456, 0x1000, mode, fake_read, ram,
					&gpa), 0);
	KUNIT_EXPECT_EQ(test, gpa, 0x7456ULL);
	/* Without CR4.PSE the PS bit is ignored: 0xc00000 is read as a PT. */
	KUNIT_EXPECT_EQ(test, khv_gwalk(0x400010, 0x1000, mode, fake_read, ram,
					&gpa), -EFAULT);
	KUNIT_EXPECT_EQ(test, khv_gwalk(0x400010, 0x1000, mode | KHV_GWALK_PSE,
					fake_read, ram, &gpa), 0);
	KUNIT_EXPECT_EQ(test, gpa, 0xc00010ULL);
	KUNIT_EXPECT_EQ(test, khv_gwalk(0x800000, 0x1000, mode, fake_read, ram,
					&gpa), -ENOENT);
}

static struct kunit_case khv_gwalk_cases[] = {
	KUNIT_CASE(gwalk_mode_from_registers),
	KUNIT_CASE(gwalk_unpaged_is_identity),
	KUNIT_CASE(gwalk_long_mode_4k_2m_1g),
	KUNIT_CASE(gwalk_long_mode_faults),
	KUNIT_CASE(gwalk_pae),
	KUNIT_CASE(gwalk_32bit_4k_and_4m),
	{}
};

static struct kunit_suite khv_gwalk_suite = {
	.name = "khv_gwalk",
	.test_cases = khv_gwalk_cases,
};

kunit_test_suite(khv_gwalk_suite);
