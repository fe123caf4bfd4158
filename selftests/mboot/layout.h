/* SPDX-License-Identifier: GPL-2.0-only */
/* The test kernel's fixed addresses and vectors, shared by its C and assembly. */
#ifndef MBOOT_LAYOUT_H
#define MBOOT_LAYOUT_H

#define MB_HEADER_MAGIC	0x1badb002
#define MB_HEADER_FLAGS	0x00000003	/* modules page-aligned, memory information */
#define MB_BOOT_MAGIC	0x2badb002

#define KERNEL_CS	0x08
#define KERNEL_DS	0x10
#define TRAMP_ADDR	0x1000		/* the AP's real-mode start: SIPI vector 0x01 */
#define STACK_SIZE	16384

#define VEC_PIC		0x20		/* IRQ 0-7 at 0x20-0x27, 8-15 at 0x28-0x2f */
#define VEC_TIMER	0x40		/* the local APIC timer */
#define VEC_IPI_AP	0x41		/* BSP -> AP */
#define VEC_IPI_BSP	0x42		/* AP -> BSP */
#define VEC_SPURIOUS	0xff

#endif /* MBOOT_LAYOUT_H */
