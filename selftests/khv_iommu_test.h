/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * khv_iommu_test: what the test and its guest code (khv_iommu_test_guest.c)
 * share: QEMU's edu device (docs/specs/edu.rst, hw/misc/edu.c in QEMU's
 * source) and the guest's orders.
 */
#ifndef KHV_IOMMU_TEST_H
#define KHV_IOMMU_TEST_H

#include <stdint.h>

#include "khv_guest.h"

#define EDU_VENDOR		0x1234
#define EDU_DEVICE		0x11e8
/* BAR0 registers: 32-bit below 0x80, 32- or 64-bit from 0x80. */
#define EDU_ID			0x00		/* reads 0x010000ed */
#define EDU_ID_VALUE		0x010000edu
#define EDU_IRQ_STATUS		0x24		/* what was raised and not acknowledged */
/* ORs into the status; MSI when on, else INTx asserted while the status is not 0. */
#define EDU_IRQ_RAISE		0x60
#define EDU_IRQ_ACK		0x64		/* clears status bits: INTx deasserts at 0 */
#define EDU_DMA_SRC		0x80
#define EDU_DMA_DST		0x88
#define EDU_DMA_CNT		0x90
#define EDU_DMA_CMD		0x98
#define EDU_DMA_RUN		0x1ull		/* cleared when the transfer is done */
#define EDU_DMA_TO_RAM		0x2ull		/* from its buffer to memory; else memory to it */
/* Its DMA buffer, 4 KiB, at this address of its own (a transfer outside it aborts QEMU). */
#define EDU_DMA_BUF		0x40000ull
#define EDU_IRQ_TEST		0x100u

/* The guest's local APIC (SDM Vol. 3A 11.4.4, 11.12.1). */
#define MSR_APIC_BASE		0x1b
#define APIC_BASE_X2APIC	(1ull << 10)
#define APIC_BASE_ENABLE	(1ull << 11)
#define MSR_X2APIC_SVR		0x80f
#define MSR_X2APIC_EOI		0x80b
#define MSR_X2APIC_TMR		0x818		/* 0x818-0x81f: vectors 0-255 */

#define IOMMU_DMA_LEN		256
#define IOMMU_MSI_VEC		0x45
#define IOMMU_INTX_VEC		0x46		/* edu's INTx */
#define IOMMU_LEVEL_VEC		0x47		/* a level MSI of the test's */

/*
 * What guest_code_intx()'s handler of IOMMU_INTX_VEC does; its argument is
 * the mode | the edu interrupts it raises, one after the other, << 8.
 */
enum {
	IOMMU_INTX_ACK = 1,	/* acknowledges edu, then EOI */
	IOMMU_INTX_RESAMPLE,	/* the first of two EOIs before acknowledging */
	IOMMU_INTX_KEEP,	/* neither: khv's mask stays */
};
#define IOMMU_INTX_ARG(mode, n)	((mode) | (uint64_t)(n) << 8)

/* What the test gives the guest (guest-physical = guest-virtual addresses). */
struct iommu_guest {
	uint64_t bar;		/* where edu's BAR0 is mapped */
	uint64_t src, dst;	/* guest buffers of IOMMU_DMA_LEN bytes */
	uint64_t host;		/* a host page outside the VM's memory */
	uint64_t mmio;		/* a mapped MMIO page that guest_code_mmio_loop() reads */
	uint64_t loops;		/* out: its reads so far */
	uint64_t intx_mode;	/* guest_code_intx()'s IOMMU_INTX_* */
	uint64_t intx_count;	/* out: interrupts taken on IOMMU_INTX_VEC, */
	uint64_t intx_idle;	/* of them with edu's status 0, */
	uint64_t intx_edge;	/* of them with the vector's TMR bit clear */
	uint64_t level_count;	/* out: interrupts taken on IOMMU_LEVEL_VEC */
};

extern volatile struct iommu_guest iommu_guest;
extern uint8_t iommu_buf_src[IOMMU_DMA_LEN];
extern uint8_t iommu_buf_dst[IOMMU_DMA_LEN];

void guest_code_dma_copy(uint64_t arg);
void guest_code_dma_host(uint64_t arg);
void guest_code_msi(uint64_t arg);
void guest_code_intx(uint64_t arg);
void guest_code_mmio_loop(uint64_t arg);
void iommu_intx_handler(struct guest_intr_frame *frame);
void iommu_level_handler(struct guest_intr_frame *frame);

#endif /* KHV_IOMMU_TEST_H */
