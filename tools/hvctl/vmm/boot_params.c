// SPDX-License-Identifier: GPL-2.0-only
/*
 * The zero page (struct boot_params, Documentation/arch/x86/zero-page.rst):
 * the image's setup header, the command line, the initrd and the e820 map.
 */
#include <string.h>

#include "bzimage.h"
#include "le.h"

#define ZP_EXT_RAMDISK_IMAGE	0x0c0
#define ZP_EXT_RAMDISK_SIZE	0x0c4
#define ZP_EXT_CMD_LINE_PTR	0x0c8
#define ZP_E820_ENTRIES		0x1e8
#define ZP_HDR			0x1f1
#define ZP_VID_MODE		0x1fa
#define ZP_TYPE_OF_LOADER	0x210
#define ZP_RAMDISK_IMAGE	0x218
#define ZP_RAMDISK_SIZE		0x21c
#define ZP_CMD_LINE_PTR		0x228
#define ZP_E820_TABLE		0x2d0
#define ZP_E820_ENTRY_SIZE	20

/*
 * RAM below the EBDA, the legacy hole reserved (EBDA, VGA, option ROMs and
 * the BIOS area where Linux looks for an MP table), RAM from 1 MiB up.
 * Returns the number of entries, or -1 when max is too small or the RAM is
 * not above 1 MiB.
 */
int e820_layout(struct e820_entry *e, int max, uint64_t ram_size)
{
	static const int n = 4;

	if (max < n || ram_size <= BOOT_HIGH_START)
		return -1;
	e[0] = (struct e820_entry){ 0, BOOT_EBDA_START, E820_RAM };
	e[1] = (struct e820_entry){ BOOT_EBDA_START, 0xa0000 - BOOT_EBDA_START,
				    E820_RESERVED };
	e[2] = (struct e820_entry){ BOOT_BIOS_START, BOOT_HIGH_START - BOOT_BIOS_START,
				    E820_RESERVED };
	e[3] = (struct e820_entry){ BOOT_HIGH_START, ram_size - BOOT_HIGH_START,
				    E820_RAM };
	return n;
}

void bz_zero_page(const struct bz_image *bz, const struct bz_plan *p,
		  uint8_t *zp)
{
	struct e820_entry e[E820_MAX];
	uint8_t *t;
	int i, n;

	memset(zp, 0, 4096);
	memcpy(zp + ZP_HDR, bz->img + ZP_HDR, bz->hdr_end - ZP_HDR);
	put16(zp + ZP_VID_MODE, 0xffff);		/* "normal" */
	zp[ZP_TYPE_OF_LOADER] = 0xff;			/* no assigned id */
	put32(zp + ZP_CMD_LINE_PTR, BOOT_CMDLINE_ADDR);
	put32(zp + ZP_EXT_CMD_LINE_PTR, 0);
	put32(zp + ZP_RAMDISK_IMAGE, p->initrd_addr);
	put32(zp + ZP_RAMDISK_SIZE, p->initrd_size);
	put32(zp + ZP_EXT_RAMDISK_IMAGE, 0);
	put32(zp + ZP_EXT_RAMDISK_SIZE, 0);
	n = e820_layout(e, E820_MAX, p->ram_size);
	if (n < 0)
		n = 0;
	zp[ZP_E820_ENTRIES] = n;
	for (i = 0; i < n; i++) {
		t = zp + ZP_E820_TABLE + i * ZP_E820_ENTRY_SIZE;
		put64(t, e[i].addr);
		put64(t + 8, e[i].size);
		put32(t + 16, e[i].type);
	}
}
