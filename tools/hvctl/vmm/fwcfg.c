// SPDX-License-Identifier: GPL-2.0-only
/*
 * The fw_cfg device's state: the selected item and the offset of its next
 * byte. Every item lives in struct fwcfg_items; the selector names one of
 * them or none, the offset never passes the item's length, so nothing a
 * guest writes or reads reaches outside them.
 */
#include <string.h>

#include "fwcfg.h"
#include "le.h"

void fwcfg_init(struct fwcfg *f, uint64_t ram_size, unsigned int nr_cpus)
{
	struct fwcfg_items *it = &f->items;

	memset(f, 0, sizeof(*f));
	memcpy(it->signature, "QEMU", 4);
	put32(it->id, FWCFG_ID_TRADITIONAL);
	put64(it->ram_size, ram_size);
	put16(it->nb_cpus, nr_cpus);
	/* FW_CFG_FILE_DIR: a big-endian count, 0, and no entries. */
	fwcfg_select(f, FWCFG_SIGNATURE);	/* as QEMU's reset does */
}

/*
 * As QEMU: the write-channel bit is ignored, arch-local items (x86: ACPI,
 * SMBIOS, e820 ...) are none of hvctl's; the offset starts again at 0.
 */
void fwcfg_select(struct fwcfg *f, uint16_t key)
{
	struct fwcfg_items *it = &f->items;

	f->cur = NULL;
	f->len = 0;
	f->off = 0;
	if (key & FWCFG_ARCH_LOCAL)
		return;
	switch (key & ~FWCFG_WRITE_CHANNEL) {
	case FWCFG_SIGNATURE:
		f->cur = it->signature;
		f->len = sizeof(it->signature);
		break;
	case FWCFG_ID:
		f->cur = it->id;
		f->len = sizeof(it->id);
		break;
	case FWCFG_RAM_SIZE:
		f->cur = it->ram_size;
		f->len = sizeof(it->ram_size);
		break;
	case FWCFG_NB_CPUS:
	case FWCFG_MAX_CPUS:
		f->cur = it->nb_cpus;
		f->len = sizeof(it->nb_cpus);
		break;
	case FWCFG_FILE_DIR:
		f->cur = it->file_dir;
		f->len = sizeof(it->file_dir);
		break;
	}
}

uint8_t fwcfg_read(struct fwcfg *f)
{
	if (!f->cur || f->off >= f->len)
		return 0;
	return f->cur[f->off++];
}

bool fwcfg_io(struct fwcfg *f, uint16_t port, unsigned int size, bool write,
	      uint8_t *data)
{
	if (port == FWCFG_PORT_SEL && size == 2 && write) {
		fwcfg_select(f, get16(data));
		return true;
	}
	if (port != FWCFG_PORT_DATA || size != 1)
		return false;
	if (!write)
		*data = fwcfg_read(f);
	return true;
}
