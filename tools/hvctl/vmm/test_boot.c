// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the boot protocol: header checks on hostile images, the
 * memory plan, the zero page and its e820 map, the 64-bit entry tables.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bzimage.h"
#include "tap.h"

#define RAM	(64ULL << 20)
#define IMG_LEN	(5 * 512 + 64 * 1024)

static uint8_t img[IMG_LEN];
static char err[256];
static struct bz_image bz;

static void put(size_t off, uint64_t v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		img[off + i] = v >> (8 * i);
}

/* A well-formed 2.15 header: 4 setup sectors, 64 KiB of "kernel". */
static void good_image(void)
{
	memset(img, 0, sizeof(img));
	img[0x1f1] = 4;					/* setup_sects */
	put(0x1f4, 64 * 1024 / 16, 4);			/* syssize */
	put(0x1fe, 0xaa55, 2);
	img[0x200] = 0xeb;
	img[0x201] = 0x6a;				/* header to 0x26c */
	memcpy(img + 0x202, "HdrS", 4);
	put(0x206, 0x020f, 2);
	img[0x211] = 0x01;				/* LOADED_HIGH */
	put(0x22c, 0x7fffffff, 4);			/* initrd_addr_max */
	put(0x230, 0x200000, 4);			/* kernel_alignment */
	img[0x234] = 1;					/* relocatable */
	put(0x236, 0x01, 2);				/* XLF_KERNEL_64 */
	put(0x238, 2047, 4);				/* cmdline_size */
	put(0x258, 0x1000000, 8);			/* pref_address */
	put(0x260, 0x800000, 4);			/* init_size */
	memset(img + 5 * 512, 0x90, 64 * 1024);
}

static int check(size_t len)
{
	return bz_check(&bz, img, len, RAM, err, sizeof(err));
}

static void good_header(void)
{
	good_image();
	CHECK_EQ(check(IMG_LEN), 0);
	CHECK_EQ(bz.setup_len, 5 * 512);
	CHECK_EQ(bz.kernel_len, 64 * 1024);
	CHECK_EQ(bz.hdr_end, 0x26c);
	CHECK_EQ(bz.version, 0x020f);
}

static void truncated(void)
{
	good_image();
	CHECK(check(512) < 0);
	CHECK(check(5 * 512) < 0);		/* setup only */
	CHECK(check(IMG_LEN - 1) < 0);		/* syssize beyond the file */
}

static void bad_magic(void)
{
	good_image();
	img[0x205] = 'Z';
	CHECK(check(IMG_LEN) < 0);
	good_image();
	img[0x1fe] = 0;
	CHECK(check(IMG_LEN) < 0);
}

static void old_version(void)
{
	good_image();
	put(0x206, 0x020b, 2);
	CHECK(check(IMG_LEN) < 0);
	CHECK(strstr(err, "2.11"));
}

static void absurd_fields(void)
{
	good_image();
	img[0x1f1] = 200;			/* setup_sects beyond 32 KiB */
	CHECK(check(IMG_LEN) < 0);
	good_image();
	img[0x1f1] = 0;				/* 0 means 4: still fine */
	CHECK_EQ(check(IMG_LEN), 0);
	good_image();
	put(0x1f4, 0xffffffff, 4);		/* syssize */
	CHECK(check(IMG_LEN) < 0);
	good_image();
	put(0x1f4, 0, 4);
	CHECK(check(IMG_LEN) < 0);
	good_image();
	put(0x260, 0x1000, 4);			/* init_size below the kernel */
	CHECK(check(IMG_LEN) < 0);
	good_image();
	put(0x230, 0x3000, 4);			/* alignment not a power of 2 */
	CHECK(check(IMG_LEN) < 0);
	good_image();
	put(0x230, 0, 4);
	CHECK(check(IMG_LEN) < 0);
	good_image();
	put(0x258, 0xfffffffffffff000ULL, 8);	/* pref_address */
	CHECK(check(IMG_LEN) < 0);
	good_image();
	put(0x258, 0x7c00, 8);
	CHECK(check(IMG_LEN) < 0);
	good_image();
	img[0x211] = 0;				/* zImage */
	CHECK(check(IMG_LEN) < 0);
	good_image();
	put(0x236, 0, 2);			/* no 64-bit entry */
	CHECK(check(IMG_LEN) < 0);
	good_image();
	img[0x201] = 0xff;			/* header beyond boot_params.hdr */
	CHECK(check(IMG_LEN) < 0);
	good_image();
	img[0x201] = 0x00;
	CHECK(check(IMG_LEN) < 0);
	good_image();
	put(0x238, 0, 4);			/* cmdline_size */
	CHECK(check(IMG_LEN) < 0);
}

static void plan(void)
{
	struct bz_plan p;

	good_image();
	CHECK_EQ(check(IMG_LEN), 0);
	CHECK_EQ(bz_plan(&bz, RAM, 10, 0x12345, &p, err, sizeof(err)), 0);
	CHECK_EQ(p.kernel_addr, 0x1000000);
	CHECK_EQ(p.entry, 0x1000200);
	CHECK_EQ(p.kernel_end, 0x1800000);
	CHECK_EQ(p.initrd_addr, (RAM - 0x12345) & ~0xfffULL);
	CHECK(p.initrd_addr + p.initrd_size <= RAM);
	/* initrd_addr_max lower than RAM end: the initrd ends below it. */
	put(0x22c, 0x2ffffff, 4);
	CHECK_EQ(check(IMG_LEN), 0);
	CHECK_EQ(bz_plan(&bz, RAM, 10, 0x1000, &p, err, sizeof(err)), 0);
	CHECK_EQ(p.initrd_addr, 0x2fff000);
	/* init_size beyond RAM */
	good_image();
	put(0x260, 0x4000000, 4);
	CHECK_EQ(check(IMG_LEN), 0);
	CHECK(bz_plan(&bz, RAM, 10, 0, &p, err, sizeof(err)) < 0);
	/* RAM too small or too large */
	good_image();
	CHECK_EQ(check(IMG_LEN), 0);
	CHECK(bz_plan(&bz, 16 << 20, 10, 0, &p, err, sizeof(err)) < 0);
	CHECK(bz_plan(&bz, 4ULL << 30, 10, 0, &p, err, sizeof(err)) < 0);
}

static void initrd_too_large(void)
{
	struct bz_plan p;

	good_image();
	CHECK_EQ(check(IMG_LEN), 0);
	CHECK(bz_plan(&bz, RAM, 0, RAM - 0x1800000 + 1, &p, err, sizeof(err)) < 0);
	CHECK(bz_plan(&bz, RAM, 0, UINT64_MAX, &p, err, sizeof(err)) < 0);
	CHECK_EQ(bz_plan(&bz, RAM, 0, RAM - 0x1800000, &p, err, sizeof(err)), 0);
	CHECK_EQ(p.initrd_addr, 0x1800000);
	put(0x22c, 0x17fffff, 4);		/* initrd_addr_max below the kernel */
	CHECK_EQ(check(IMG_LEN), 0);
	CHECK(bz_plan(&bz, RAM, 0, 0x1000, &p, err, sizeof(err)) < 0);
}

static void cmdline_too_long(void)
{
	struct bz_plan p;

	good_image();
	CHECK_EQ(check(IMG_LEN), 0);
	CHECK_EQ(bz_plan(&bz, RAM, 2047, 0, &p, err, sizeof(err)), 0);
	CHECK(bz_plan(&bz, RAM, 2048, 0, &p, err, sizeof(err)) < 0);
	put(0x238, 0xffffffff, 4);		/* the kernel's limit is absurd */
	CHECK_EQ(check(IMG_LEN), 0);
	CHECK(bz_plan(&bz, RAM, BOOT_CMDLINE_MAX, 0, &p, err, sizeof(err)) < 0);
	CHECK_EQ(bz_plan(&bz, RAM, BOOT_CMDLINE_MAX - 1, 0, &p, err, sizeof(err)), 0);
}

static void e820(void)
{
	struct e820_entry e[E820_MAX];
	uint64_t ram = 0;
	int n, i;

	n = e820_layout(e, E820_MAX, RAM);
	CHECK_EQ(n, 4);
	CHECK_EQ(e[0].addr, 0);
	CHECK_EQ(e[0].size, 0x9fc00);
	CHECK_EQ(e[0].type, E820_RAM);
	CHECK_EQ(e[1].type, E820_RESERVED);
	CHECK_EQ(e[2].addr, 0xf0000);
	CHECK_EQ(e[2].type, E820_RESERVED);
	CHECK_EQ(e[3].addr, 0x100000);
	CHECK_EQ(e[3].addr + e[3].size, RAM);
	CHECK_EQ(e[3].type, E820_RAM);
	for (i = 0; i < n; i++) {
		if (i)
			CHECK(e[i].addr >= e[i - 1].addr + e[i - 1].size);
		if (e[i].type == E820_RAM)
			ram += e[i].size;
	}
	CHECK_EQ(ram, RAM - 0x100000 + 0x9fc00);
	CHECK(e820_layout(e, 3, RAM) < 0);
}

static void zero_page_and_tables(void)
{
	uint8_t *ram = calloc(1, RAM), *zp;
	const char *cmd = "console=ttyS0";
	uint8_t initrd[100];
	struct bz_plan p;
	uint64_t v;

	if (!ram) {
		CHECK(ram);
		return;
	}
	good_image();
	memset(initrd, 0xab, sizeof(initrd));
	CHECK_EQ(check(IMG_LEN), 0);
	CHECK_EQ(bz_plan(&bz, RAM, strlen(cmd), sizeof(initrd), &p, err, sizeof(err)), 0);
	bz_load(&bz, &p, ram, cmd, initrd);
	zp = ram + BOOT_ZERO_PAGE;
	CHECK(!memcmp(zp + 0x202, "HdrS", 4));
	CHECK_EQ(zp[0x210], 0xff);			/* type_of_loader */
	memcpy(&v, zp + 0x228, 4);
	CHECK_EQ(v & 0xffffffff, BOOT_CMDLINE_ADDR);
	CHECK(!strcmp((char *)ram + BOOT_CMDLINE_ADDR, cmd));
	memcpy(&v, zp + 0x218, 4);
	CHECK_EQ(v & 0xffffffff, p.initrd_addr);
	memcpy(&v, zp + 0x21c, 4);
	CHECK_EQ(v & 0xffffffff, sizeof(initrd));
	CHECK_EQ(ram[p.initrd_addr + 99], 0xab);
	CHECK_EQ(zp[0x1e8], 4);				/* e820_entries */
	memcpy(&v, zp + 0x2d0 + 3 * 20, 8);
	CHECK_EQ(v, 0x100000);
	CHECK_EQ(zp[0x26c], 0);			/* nothing past the header */
	CHECK_EQ(ram[p.kernel_addr], 0x90);
	/* PML4 -> PDPT -> PD, 2 MiB pages; the GDT's code segment is long. */
	memcpy(&v, ram + BOOT_PML4_ADDR, 8);
	CHECK_EQ(v, BOOT_PML4_ADDR + 0x1003);
	memcpy(&v, ram + BOOT_PML4_ADDR + 0x2000 + 8 * 8, 8);
	CHECK_EQ(v, (8ULL << 21) | 0x83);
	memcpy(&v, ram + BOOT_GDT_ADDR + BOOT_CS, 8);
	CHECK(v & (1ULL << 53));
	free(ram);
}

int main(void)
{
	static const struct tap_case cases[] = {
		TAP_CASE(good_header),
		TAP_CASE(truncated),
		TAP_CASE(bad_magic),
		TAP_CASE(old_version),
		TAP_CASE(absurd_fields),
		TAP_CASE(plan),
		TAP_CASE(initrd_too_large),
		TAP_CASE(cmdline_too_long),
		TAP_CASE(e820),
		TAP_CASE(zero_page_and_tables),
	};

	return tap_main(cases, ARRAY_SIZE(cases));
}
