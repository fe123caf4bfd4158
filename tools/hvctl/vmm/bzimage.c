// SPDX-License-Identifier: GPL-2.0-only
/*
 * A bzImage's setup header (Documentation/arch/x86/boot.rst, "The real-mode
 * kernel header"), checked field by field against the file hvctl read into
 * its own buffer and against the guest's RAM, and the plan of where the
 * kernel, the command line and the initrd go.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bzimage.h"
#include "le.h"

/* Offsets in the image (and in the zero page, which holds the same header). */
#define HDR_SETUP_SECTS		0x1f1
#define HDR_SYSSIZE		0x1f4
#define HDR_BOOT_FLAG		0x1fe
#define HDR_JUMP_END		0x201
#define HDR_MAGIC		0x202
#define HDR_VERSION		0x206
#define HDR_LOADFLAGS		0x211
#define HDR_INITRD_ADDR_MAX	0x22c
#define HDR_KERNEL_ALIGNMENT	0x230
#define HDR_RELOCATABLE		0x234
#define HDR_XLOADFLAGS		0x236
#define HDR_CMDLINE_SIZE	0x238
#define HDR_PREF_ADDRESS	0x258
#define HDR_INIT_SIZE		0x260
#define HDR_END_2_12		0x264	/* init_size's end: what 2.12 has at least */
#define HDR_END_MAX		0x290	/* boot_params.hdr cannot go further */

#define LOADED_HIGH		0x01
#define XLF_KERNEL_64		0x01
#define SETUP_SECTS_MAX		63	/* the real-mode part is at most 32 KiB */
#define ALIGN_MAX		0x40000000U	/* 1 GiB */

int boot_bad(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int bz_check_layout(struct bz_image *bz, const uint8_t *img,
			   size_t len, char *err, size_t errlen)
{
	unsigned int sects = img[HDR_SETUP_SECTS];

	bz->hdr_end = HDR_MAGIC + img[HDR_JUMP_END];
	if (bz->hdr_end < HDR_END_2_12 || bz->hdr_end > HDR_END_MAX)
		return boot_bad(err, errlen, "setup header ends at %#zx, not in %#x..%#x",
				bz->hdr_end, HDR_END_2_12, HDR_END_MAX);
	if (!sects)
		sects = 4;
	if (sects > SETUP_SECTS_MAX)
		return boot_bad(err, errlen, "setup_sects %u is more than %u",
				sects, SETUP_SECTS_MAX);
	bz->setup_len = (size_t)(sects + 1) * 512;
	if (bz->setup_len < bz->hdr_end || bz->setup_len >= len)
		return boot_bad(err, errlen,
				"setup_sects %u: no kernel after the setup in %zu bytes",
				sects, len);
	bz->kernel_len = (uint64_t)get32(img + HDR_SYSSIZE) * 16;
	if (!bz->kernel_len || bz->kernel_len > len - bz->setup_len)
		return boot_bad(err, errlen, "syssize: %#llx bytes of kernel, %#zx in the file",
				(unsigned long long)bz->kernel_len,
				len - bz->setup_len);
	return 0;
}

static int bz_check_fields(struct bz_image *bz, const uint8_t *img,
			   uint64_t ram_size, char *err, size_t errlen)
{
	uint64_t top = ram_size < BOOT_RAM_MAX ? ram_size : BOOT_RAM_MAX;
	uint32_t a;

	if (!(img[HDR_LOADFLAGS] & LOADED_HIGH))
		return boot_bad(err, errlen, "not a bzImage (loadflags %#x)",
				img[HDR_LOADFLAGS]);
	if (!(get16(img + HDR_XLOADFLAGS) & XLF_KERNEL_64))
		return boot_bad(err, errlen, "no 64-bit entry point (xloadflags %#x)",
				get16(img + HDR_XLOADFLAGS));
	a = get32(img + HDR_KERNEL_ALIGNMENT);
	if (a < 4096 || a > ALIGN_MAX || (a & (a - 1)))
		return boot_bad(err, errlen, "kernel_alignment %#x: not a power of 2, 4 KiB..1 GiB",
				a);
	bz->kernel_alignment = a;
	bz->relocatable = img[HDR_RELOCATABLE];
	bz->pref_address = get64(img + HDR_PREF_ADDRESS);
	bz->init_size = get32(img + HDR_INIT_SIZE);
	bz->cmdline_size = get32(img + HDR_CMDLINE_SIZE);
	bz->initrd_addr_max = get32(img + HDR_INITRD_ADDR_MAX);
	if (bz->pref_address < BOOT_HIGH_START || bz->pref_address >= top ||
	    (bz->pref_address & 0xfff))
		return boot_bad(err, errlen,
				"pref_address %#llx is not a page in guest RAM above 1 MiB",
				(unsigned long long)bz->pref_address);
	if (bz->init_size < bz->kernel_len)
		return boot_bad(err, errlen, "init_size %#x is smaller than the kernel (%#llx)",
				bz->init_size, (unsigned long long)bz->kernel_len);
	if (!bz->cmdline_size)
		return boot_bad(err, errlen, "cmdline_size is 0");
	if (bz->initrd_addr_max < BOOT_HIGH_START)
		return boot_bad(err, errlen, "initrd_addr_max %#x is below 1 MiB",
				bz->initrd_addr_max);
	return 0;
}

bool bz_signature(const uint8_t *img, size_t len)
{
	return len >= HDR_MAGIC + 4 && get16(img + HDR_BOOT_FLAG) == 0xaa55 &&
	       !memcmp(img + HDR_MAGIC, "HdrS", 4);
}

int bz_check(struct bz_image *bz, const uint8_t *img, size_t len,
	     uint64_t ram_size, char *err, size_t errlen)
{
	memset(bz, 0, sizeof(*bz));
	if (len < 1024)
		return boot_bad(err, errlen, "%zu bytes: too short for a bzImage", len);
	if (!bz_signature(img, len))
		return boot_bad(err, errlen,
				"no Linux setup header (boot_flag 0xaa55, \"HdrS\") nor multiboot header");
	bz->version = get16(img + HDR_VERSION);
	if (bz->version < 0x020c)
		return boot_bad(err, errlen, "boot protocol %u.%02u: the 64-bit entry needs 2.12",
				bz->version >> 8, bz->version & 0xff);
	if (bz_check_layout(bz, img, len, err, errlen) ||
	    bz_check_fields(bz, img, ram_size, err, errlen))
		return -1;
	bz->img = img;
	bz->len = len;
	return 0;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

int bz_plan(const struct bz_image *bz, uint64_t ram_size, size_t cmdline_len,
	    uint64_t initrd_size, struct bz_plan *p, char *err, size_t errlen)
{
	uint64_t top, limit;

	memset(p, 0, sizeof(*p));
	if (ram_size < BOOT_RAM_MIN || ram_size > BOOT_RAM_MAX || (ram_size & 0xfff))
		return boot_bad(err, errlen,
				"guest RAM %#llx: a bzImage needs 32 MiB .. 3 GiB in pages",
				(unsigned long long)ram_size);
	p->ram_size = ram_size;
	/* boot.rst, init_size: where the kernel will run. */
	p->kernel_addr = bz->relocatable ? align_up(bz->pref_address, bz->kernel_alignment)
					 : bz->pref_address;
	if (p->kernel_addr >= ram_size || bz->init_size > ram_size - p->kernel_addr)
		return boot_bad(err, errlen, "the kernel needs %#x bytes at %#llx: RAM is %llu MiB",
				bz->init_size, (unsigned long long)p->kernel_addr,
				(unsigned long long)(ram_size >> 20));
	p->kernel_end = p->kernel_addr + bz->init_size;
	p->entry = p->kernel_addr + 0x200;
	if (cmdline_len > bz->cmdline_size || cmdline_len >= BOOT_CMDLINE_MAX)
		return boot_bad(err, errlen,
				"command line of %zu bytes: this kernel takes %u at most",
				cmdline_len, bz->cmdline_size < BOOT_CMDLINE_MAX ?
				bz->cmdline_size : (uint32_t)BOOT_CMDLINE_MAX - 1);
	p->cmdline_len = cmdline_len;
	if (!initrd_size)
		return 0;
	/* The initrd as high as it may go, page-aligned, above the kernel. */
	limit = (uint64_t)bz->initrd_addr_max + 1;
	top = (limit < ram_size ? limit : ram_size) & ~0xfffULL;
	if (initrd_size > top || ((top - initrd_size) & ~0xfffULL) < p->kernel_end)
		return boot_bad(err, errlen, "initrd of %#llx bytes: no room from %#llx to %#llx",
				(unsigned long long)initrd_size,
				(unsigned long long)p->kernel_end,
				(unsigned long long)top);
	p->initrd_addr = (top - initrd_size) & ~0xfffULL;
	p->initrd_size = initrd_size;
	return 0;
}

void bz_load(const struct bz_image *bz, const struct bz_plan *p, uint8_t *ram,
	     const char *cmdline, const uint8_t *initrd)
{
	memcpy(ram + p->kernel_addr, bz->img + bz->setup_len, bz->kernel_len);
	memset(ram + BOOT_CMDLINE_ADDR, 0, p->cmdline_len + 1);
	memcpy(ram + BOOT_CMDLINE_ADDR, cmdline, p->cmdline_len);
	if (p->initrd_size)
		memcpy(ram + p->initrd_addr, initrd, p->initrd_size);
	bz_zero_page(bz, p, ram + BOOT_ZERO_PAGE);
	boot64_tables(ram, p->ram_size);
}
