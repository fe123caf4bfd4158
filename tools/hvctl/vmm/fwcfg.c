// SPDX-License-Identifier: GPL-2.0-only
/*
 * The fw_cfg device's state: the selected item and the offset of its next
 * byte. Every item lives in struct fwcfg_items; the selector names one of
 * them or none, the offset never passes the item's length, so nothing a
 * guest writes or reads reaches outside them.
 */
#include <stddef.h>
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

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* Each item's bytes in struct fwcfg_items (MAX_CPUS shares NB_CPUS's). */
static const struct {
	uint16_t key;
	uint8_t off, len;
} fwcfg_table[] = {
	{ FWCFG_SIGNATURE, offsetof(struct fwcfg_items, signature), 4 },
	{ FWCFG_ID, offsetof(struct fwcfg_items, id), 4 },
	{ FWCFG_RAM_SIZE, offsetof(struct fwcfg_items, ram_size), 8 },
	{ FWCFG_NB_CPUS, offsetof(struct fwcfg_items, nb_cpus), 2 },
	{ FWCFG_MAX_CPUS, offsetof(struct fwcfg_items, nb_cpus), 2 },
	{ FWCFG_FILE_DIR, offsetof(struct fwcfg_items, file_dir), 4 },
};

_Static_assert(sizeof(struct fwcfg_items) == 4 + 4 + 8 + 2 + 4, "fw_cfg items");

/*
 * As QEMU: the write-channel bit is ignored, arch-local items (x86: ACPI,
 * SMBIOS, e820 ...) are none of hvctl's; the offset starts again at 0.
 */
void fwcfg_select(struct fwcfg *f, uint16_t key)
{
	unsigned int i;

	f->cur = NULL;
	f->len = 0;
	f->off = 0;
	if (key & FWCFG_ARCH_LOCAL)
		return;
	for (i = 0; i < ARRAY_SIZE(fwcfg_table); i++) {
		if (fwcfg_table[i].key == (key & ~FWCFG_WRITE_CHANNEL)) {
			f->cur = (const uint8_t *)&f->items + fwcfg_table[i].off;
			f->len = fwcfg_table[i].len;
		}
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
