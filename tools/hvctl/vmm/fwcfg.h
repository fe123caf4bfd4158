/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * QEMU's firmware configuration device, its traditional I/O interface only
 * (docs/specs/fw_cfg.rst in QEMU; Linux's drivers/firmware/qemu_fw_cfg.c):
 * a 16-bit write to 0x510 selects an item, each 8-bit read of 0x511 gives
 * its next byte. hvctl has the signature, the interface ID (1: no DMA), the
 * RAM size, the CPU counts and an empty file directory; an unknown item has
 * no bytes, and a read past an item's end reads 0.
 */
#ifndef VMM_FWCFG_H
#define VMM_FWCFG_H

#include <stdbool.h>
#include <stdint.h>

#define FWCFG_PORT_SEL		0x510
#define FWCFG_PORT_DATA		0x511

#define FWCFG_SIGNATURE		0x0000
#define FWCFG_ID		0x0001
#define FWCFG_RAM_SIZE		0x0003
#define FWCFG_NB_CPUS		0x0005
#define FWCFG_MAX_CPUS		0x000f
#define FWCFG_FILE_DIR		0x0019
#define FWCFG_WRITE_CHANNEL	0x4000
#define FWCFG_ARCH_LOCAL	0x8000
#define FWCFG_ID_TRADITIONAL	1	/* bit 1 (DMA) clear */

/* The items' bytes, as the guest reads them. */
struct fwcfg_items {
	uint8_t signature[4], id[4], ram_size[8], nb_cpus[2], file_dir[4];
};

struct fwcfg {
	struct fwcfg_items items;
	const uint8_t *cur;		/* the selected item; NULL: none */
	uint32_t len, off;		/* its length; the next byte, off <= len */
};

void fwcfg_init(struct fwcfg *f, uint64_t ram_size, unsigned int nr_cpus);
void fwcfg_select(struct fwcfg *f, uint16_t key);
/* The selected item's next byte, 0 past its end. */
uint8_t fwcfg_read(struct fwcfg *f);
/*
 * A port access of size bytes (1, 2 or 4) at port: true when it is the
 * device's (a 16-bit write of 0x510, an 8-bit access of 0x511). Data
 * writes are ignored, as QEMU has done since 2.4.
 */
bool fwcfg_io(struct fwcfg *f, uint16_t port, unsigned int size, bool write,
	      uint8_t *data);

#endif /* VMM_FWCFG_H */
