// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: guest page-table walks (gwalk.c) over tables built in a buffer
 * that stands for guest RAM.
 */
#include <kunit/test.h>
#include <linux/string.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <asm/trap_pf.h>

#include "gwalk.h"

#define RAM_SIZE	0x20000
#define P		0x1ULL
#define RW		0x2ULL
#define US		0x4ULL
#define PS		0x80ULL
#define XD		BIT_ULL(63)

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
	KUNIT_EXPECT_EQ(test, khv_gwalk_mode(X86_CR0_PE | X86_CR0_PG | X86_CR0_WP,
					     X86_CR4_PAE | X86_CR4_SMEP |
					     X86_CR4_SMAP, EFER_NX),
			(unsigned int)(KHV_GWALK_PG | KHV_GWALK_PAE |
				       KHV_GWALK_WP | KHV_GWALK_NXE |
				       KHV_GWALK_SMEP | KHV_GWALK_SMAP));
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

/*
 * Rights (SDM Vol. 3A 4.6): PML4 0x1000, PDPT 0x2000, PD 0x3000, PT 0x4000;
 * 4 KiB pages at 0x1000 user RW, 0x2000 user RO, 0x3000 supervisor RW,
 * 0x4000 supervisor RO, 0x5000 user RW XD; 1 GiB..: user RW below a PDPTE
 * without RW.
 */
static void build_rights(struct fake_ram *ram)
{
	put64(ram, 0x1000, 0x2000 | P | RW | US);
	put64(ram, 0x2000, 0x3000 | P | RW | US);
	put64(ram, 0x3000, 0x4000 | P | RW | US);
	put64(ram, 0x4000 + 1 * 8, 0x9000 | P | RW | US);
	put64(ram, 0x4000 + 2 * 8, 0x9000 | P | US);
	put64(ram, 0x4000 + 3 * 8, 0x9000 | P | RW);
	put64(ram, 0x4000 + 4 * 8, 0x9000 | P);
	put64(ram, 0x4000 + 5 * 8, 0x9000 | P | RW | US | XD);
	put64(ram, 0x2000 + 1 * 8, 0x5000 | P | US);
	put64(ram, 0x5000, 0x600000 | P | RW | US | PS);
}

/* khv_gwalk_access() on the tables of build_rights(): 0 or -errno, *pfec. */
static int access(struct fake_ram *ram, u64 gva, unsigned int mode, u32 acc,
		  u32 *pfec)
{
	u64 gpa = 0;

	*pfec = ~0U;
	return khv_gwalk_access(gva, 0x1000, long_mode | mode, acc, fake_read,
				ram, &gpa, pfec);
}

#define W	X86_PF_WRITE
#define U	X86_PF_USER
#define I	X86_PF_INSTR

static void gwalk_access_user_supervisor_write(struct kunit *test)
{
	struct fake_ram *ram = new_ram(test);
	u32 pfec;

	build_rights(ram);
	KUNIT_EXPECT_EQ(test, access(ram, 0x1010, 0, W | U, &pfec), 0);
	/* User write to a read-only page: #PF(P|W|U), CR0.WP or not. */
	KUNIT_EXPECT_EQ(test, access(ram, 0x2010, 0, W | U, &pfec), -EACCES);
	KUNIT_EXPECT_EQ(test, pfec, (u32)(X86_PF_PROT | W | U));
	KUNIT_EXPECT_EQ(test, access(ram, 0x2010, 0, U, &pfec), 0);
	/* User read of a supervisor page: #PF(P|U). */
	KUNIT_EXPECT_EQ(test, access(ram, 0x3010, 0, U, &pfec), -EACCES);
	KUNIT_EXPECT_EQ(test, pfec, (u32)(X86_PF_PROT | U));
	KUNIT_EXPECT_EQ(test, access(ram, 0x3010, 0, W, &pfec), 0);
	/* Supervisor write to a read-only page: only with CR0.WP. */
	KUNIT_EXPECT_EQ(test, access(ram, 0x4010, 0, W, &pfec), 0);
	KUNIT_EXPECT_EQ(test, access(ram, 0x4010, KHV_GWALK_WP, W, &pfec),
			-EACCES);
	KUNIT_EXPECT_EQ(test, pfec, (u32)(X86_PF_PROT | W));
	/* A level above the page without R/W makes it read-only. */
	KUNIT_EXPECT_EQ(test, access(ram, 0x40000010, 0, U, &pfec), 0);
	KUNIT_EXPECT_EQ(test, access(ram, 0x40000010, 0, W | U, &pfec),
			-EACCES);
	KUNIT_EXPECT_EQ(test, pfec, (u32)(X86_PF_PROT | W | U));
}

static void gwalk_access_smap_smep_nx(struct kunit *test)
{
	struct fake_ram *ram = new_ram(test);
	u32 pfec;

	build_rights(ram);
	/* SMAP: a supervisor access to a user page, unless EFLAGS.AC. */
	KUNIT_EXPECT_EQ(test, access(ram, 0x1010, 0, W, &pfec), 0);
	KUNIT_EXPECT_EQ(test, access(ram, 0x1010, KHV_GWALK_SMAP, 0, &pfec),
			-EACCES);
	KUNIT_EXPECT_EQ(test, pfec, (u32)X86_PF_PROT);
	KUNIT_EXPECT_EQ(test, access(ram, 0x1010, KHV_GWALK_SMAP, W, &pfec),
			-EACCES);
	KUNIT_EXPECT_EQ(test, pfec, (u32)(X86_PF_PROT | W));
	KUNIT_EXPECT_EQ(test, access(ram, 0x1010,
				     KHV_GWALK_SMAP | KHV_GWALK_AC, W, &pfec), 0);
	KUNIT_EXPECT_EQ(test, access(ram, 0x1010, KHV_GWALK_SMAP, U, &pfec), 0);
	KUNIT_EXPECT_EQ(test, access(ram, 0x3010, KHV_GWALK_SMAP, W, &pfec), 0);
	/* SMEP: a supervisor fetch from a user page. */
	KUNIT_EXPECT_EQ(test, access(ram, 0x1010, 0, I, &pfec), 0);
	KUNIT_EXPECT_EQ(test, access(ram, 0x1010, KHV_GWALK_SMEP, I, &pfec),
			-EACCES);
	KUNIT_EXPECT_EQ(test, pfec, (u32)(X86_PF_PROT | I));
	KUNIT_EXPECT_EQ(test, access(ram, 0x1010, KHV_GWALK_SMEP, I | U, &pfec),
			0);
	/* Execute-disable, with EFER.NXE. */
	KUNIT_EXPECT_EQ(test, access(ram, 0x5010, KHV_GWALK_NXE, U, &pfec), 0);
	KUNIT_EXPECT_EQ(test, access(ram, 0x5010, KHV_GWALK_NXE, I | U, &pfec),
			-EACCES);
	KUNIT_EXPECT_EQ(test, pfec, (u32)(X86_PF_PROT | I | U));
	KUNIT_EXPECT_EQ(test, access(ram, 0x5010, KHV_GWALK_NXE, I, &pfec),
			-EACCES);
}

static void gwalk_access_not_present_and_noncanonical(struct kunit *test)
{
	struct fake_ram *ram = new_ram(test);
	u64 gpa;
	u32 pfec;

	build_rights(ram);
	KUNIT_EXPECT_EQ(test, access(ram, 0x6010, 0, W | U, &pfec), -ENOENT);
	KUNIT_EXPECT_EQ(test, pfec, (u32)(W | U));
	/* I only where NXE or SMEP is on (SDM 4.7). */
	KUNIT_EXPECT_EQ(test, access(ram, 0x6010, 0, I, &pfec), -ENOENT);
	KUNIT_EXPECT_EQ(test, pfec, 0U);
	KUNIT_EXPECT_EQ(test, access(ram, 0x6010, KHV_GWALK_NXE, I, &pfec),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, pfec, (u32)I);
	KUNIT_EXPECT_EQ(test, access(ram, 0x0000800000000000ULL, 0, 0, &pfec),
			-EINVAL);
	/* Paging off: nothing to check, whatever CR4 says. */
	KUNIT_EXPECT_EQ(test, khv_gwalk_access(0x1234, 0, KHV_GWALK_SMAP |
					       KHV_GWALK_WP, W, fake_read, ram,
					       &gpa, &pfec), 0);
	KUNIT_EXPECT_EQ(test, gpa, 0x1234ULL);
}

static void gwalk_access_pae_and_32bit(struct kunit *test)
{
	struct fake_ram *ram = new_ram(test);
	unsigned int pae = KHV_GWALK_PG | KHV_GWALK_PAE | KHV_GWALK_WP;
	u64 gpa = 0;
	u32 pfec;

	/* PAE PDPTEs have no R/W or U/S: they restrict nothing. */
	put64(ram, 0x1020, 0x2000 | P);
	put64(ram, 0x2000, 0x3000 | P | RW | US);
	put64(ram, 0x3000 + 1 * 8, 0x8000 | P | RW | US);
	put64(ram, 0x3000 + 2 * 8, 0x8000 | P | RW);
	KUNIT_EXPECT_EQ(test, khv_gwalk_access(0x1000, 0x1020, pae, W | U,
					       fake_read, ram, &gpa, &pfec), 0);
	KUNIT_EXPECT_EQ(test, gpa, 0x8000ULL);
	KUNIT_EXPECT_EQ(test, khv_gwalk_access(0x2000, 0x1020, pae, U,
					       fake_read, ram, &gpa, &pfec),
			-EACCES);
	KUNIT_EXPECT_EQ(test, pfec, (u32)(X86_PF_PROT | U));

	/* 32-bit paging: a supervisor PDE hides its whole 4 MiB. */
	put32(ram, 0x5000, 0x6000 | P | RW);
	put32(ram, 0x6000 + 1 * 4, 0x7000 | P | RW | US);
	KUNIT_EXPECT_EQ(test, khv_gwalk_access(0x1000, 0x5000, KHV_GWALK_PG, U,
					       fake_read, ram, &gpa, &pfec),
			-EACCES);
	KUNIT_EXPECT_EQ(test, khv_gwalk_access(0x1000, 0x5000, KHV_GWALK_PG, W,
					       fake_read, ram, &gpa, &pfec), 0);
	KUNIT_EXPECT_EQ(test, gpa, 0x7000ULL);
}

static struct kunit_case khv_gwalk_cases[] = {
	KUNIT_CASE(gwalk_mode_from_registers),
	KUNIT_CASE(gwalk_unpaged_is_identity),
	KUNIT_CASE(gwalk_long_mode_4k_2m_1g),
	KUNIT_CASE(gwalk_long_mode_faults),
	KUNIT_CASE(gwalk_pae),
	KUNIT_CASE(gwalk_32bit_4k_and_4m),
	KUNIT_CASE(gwalk_access_user_supervisor_write),
	KUNIT_CASE(gwalk_access_smap_smep_nx),
	KUNIT_CASE(gwalk_access_not_present_and_noncanonical),
	KUNIT_CASE(gwalk_access_pae_and_32bit),
	{}
};

static struct kunit_suite khv_gwalk_suite = {
	.name = "khv_gwalk",
	.test_cases = khv_gwalk_cases,
};

kunit_test_suite(khv_gwalk_suite);
