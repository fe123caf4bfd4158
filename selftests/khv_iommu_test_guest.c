// SPDX-License-Identifier: GPL-2.0-only
/*
 * khv_iommu_test's guest half: it drives QEMU's edu device through the BAR
 * the test mapped into its physical space (KHV_MAP_HOST_MMIO), as a guest's
 * driver would: DMA by the device's engine, and its interrupt. Built with
 * GUEST_CFLAGS (selftests/Makefile).
 */
#include <stdbool.h>

#include "khv_iommu_test.h"

volatile struct iommu_guest iommu_guest;
uint8_t iommu_buf_src[IOMMU_DMA_LEN] __attribute__((aligned(4096)));
uint8_t iommu_buf_dst[IOMMU_DMA_LEN] __attribute__((aligned(4096)));

static inline uint32_t rd32(uint64_t a)
{
	return *(volatile uint32_t *)a;
}

static inline void wr32(uint64_t a, uint32_t v)
{
	*(volatile uint32_t *)a = v;
}

static inline uint64_t rd64(uint64_t a)
{
	return *(volatile uint64_t *)a;
}

static inline void wr64(uint64_t a, uint64_t v)
{
	*(volatile uint64_t *)a = v;
}

/*
 * One transfer of @len bytes by edu's engine, memory @src to its buffer or
 * (EDU_DMA_TO_RAM) its buffer to memory @dst; edu finishes it 100 ms of
 * QEMU's clock later. Returns the command register at the end: RUN still
 * set if it never finished.
 */
static uint64_t edu_dma(uint64_t src, uint64_t dst, uint64_t cmd)
{
	uint64_t bar = iommu_guest.bar, i;

	wr64(bar + EDU_DMA_SRC, src);
	wr64(bar + EDU_DMA_DST, dst);
	wr64(bar + EDU_DMA_CNT, IOMMU_DMA_LEN);
	wr64(bar + EDU_DMA_CMD, cmd | EDU_DMA_RUN);
	for (i = 0; i < (1ull << 32); i++) {
		if (!(rd64(bar + EDU_DMA_CMD) & EDU_DMA_RUN))
			break;
		asm volatile("pause");
	}
	return rd64(bar + EDU_DMA_CMD);
}

/* Guest memory to memory through edu's buffer: both directions of DMA. */
void guest_code_dma_copy(uint64_t arg)
{
	uint64_t c1, c2;

	(void)arg;
	GUEST_ASSERT_EQ(rd32(iommu_guest.bar + EDU_ID), EDU_ID_VALUE);
	c1 = edu_dma(iommu_guest.src, EDU_DMA_BUF, 0);
	c2 = edu_dma(EDU_DMA_BUF, iommu_guest.dst, EDU_DMA_TO_RAM);
	GUEST_SYNC2(c1, c2);
	GUEST_DONE();
}

/*
 * The same aimed at a host page: the source buffer into edu, edu into the
 * host page (a write the IOMMU must stop), the host page into edu (a read
 * it must stop), edu into the destination buffer (whatever edu holds).
 */
void guest_code_dma_host(uint64_t arg)
{
	uint64_t c[4];

	(void)arg;
	c[0] = edu_dma(iommu_guest.src, EDU_DMA_BUF, 0);
	c[1] = edu_dma(EDU_DMA_BUF, iommu_guest.host, EDU_DMA_TO_RAM);
	c[2] = edu_dma(iommu_guest.host, EDU_DMA_BUF, 0);
	c[3] = edu_dma(EDU_DMA_BUF, iommu_guest.dst, EDU_DMA_TO_RAM);
	GUEST_SYNC4(c[0], c[1], c[2], c[3]);
	GUEST_DONE();
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a" (lo), "=d" (hi) : "c" (msr));
	return (uint64_t)hi << 32 | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	asm volatile("wrmsr" : : "c" (msr), "a" ((uint32_t)v),
		     "d" ((uint32_t)(v >> 32)) : "memory");
}

/*
 * The local APIC in x2APIC mode, software-enabled (SVR bit 8): a disabled
 * one takes no fixed interrupt (SDM Vol. 3A 11.4.7.2).
 */
static void apic_enable(void)
{
	wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | APIC_BASE_ENABLE |
	      APIC_BASE_X2APIC);
	wrmsr(MSR_X2APIC_SVR, 0x1ff);
}

/* edu raises its interrupt (interrupts off here), then lowers it. */
void guest_code_msi(uint64_t arg)
{
	(void)arg;
	apic_enable();
	wr32(iommu_guest.bar + EDU_IRQ_RAISE, EDU_IRQ_TEST);
	GUEST_SYNC(rd32(iommu_guest.bar + 0x24));
	wr32(iommu_guest.bar + EDU_IRQ_ACK, EDU_IRQ_TEST);
	GUEST_DONE();
}

/* How long the guest waits for an interrupt that must come, or must not. */
#define INTX_WAIT_SPINS		(1ull << 28)
#define INTX_QUIET_SPINS	(1ull << 22)

/* Interrupts on until *@v reaches @n or @spins are over; off again. */
static uint64_t wait_for(volatile uint64_t *v, uint64_t n, uint64_t spins)
{
	uint64_t i;

	asm volatile("sti" : : : "memory");
	for (i = 0; i < spins && *v < n; i++)
		asm volatile("pause");
	asm volatile("cli" : : : "memory");
	return *v;
}

/* A vector's bit of the in-service level-triggered set (x2APIC TMR). */
static bool tmr_has(uint8_t vec)
{
	return (rdmsr(MSR_X2APIC_TMR + vec / 32) >> (vec % 32)) & 1;
}

/* edu's INTx, as a driver's handler of a level line takes it. */
__attribute__((interrupt))
void iommu_intx_handler(struct guest_intr_frame *frame)
{
	uint32_t st = rd32(iommu_guest.bar + EDU_IRQ_STATUS);
	uint64_t n = ++iommu_guest.intx_count;

	(void)frame;
	if (!st)
		iommu_guest.intx_idle++;
	if (!tmr_has(IOMMU_INTX_VEC))
		iommu_guest.intx_edge++;
	if (iommu_guest.intx_mode == IOMMU_INTX_KEEP)
		return;
	/* Resampling: the first EOI with edu still asserting, it comes again. */
	if (st && (iommu_guest.intx_mode != IOMMU_INTX_RESAMPLE || !(n % 2)))
		wr32(iommu_guest.bar + EDU_IRQ_ACK, st);
	wrmsr(MSR_X2APIC_EOI, 0);
}

__attribute__((interrupt))
void iommu_level_handler(struct guest_intr_frame *frame)
{
	(void)frame;
	iommu_guest.level_count++;
	wrmsr(MSR_X2APIC_EOI, 0);
}

/*
 * edu raises its INTx (MSI off) the argument's number of times, each once
 * the last was handled (IOMMU_INTX_RESAMPLE: twice); then nothing more may
 * come: SYNC(count, idle, edge). IOMMU_INTX_KEEP: then edu is acknowledged
 * (never ended with an EOI) and it is done. IOMMU_INTX_ACK: the test sends
 * a level MSI on IOMMU_LEVEL_VEC (SYNC(its count)), then one on
 * IOMMU_INTX_VEC (SYNC(count, idle, edge)).
 */
void guest_code_intx(uint64_t arg)
{
	uint64_t mode = arg & 0xff, rounds = arg >> 8, r, n;
	uint64_t per = mode == IOMMU_INTX_RESAMPLE ? 2 : 1;
	volatile struct iommu_guest *g = &iommu_guest;

	g->intx_mode = mode;
	apic_enable();
	for (r = 0; r < rounds; r++) {
		wr32(g->bar + EDU_IRQ_RAISE, EDU_IRQ_TEST);
		n = wait_for(&g->intx_count, (r + 1) * per, INTX_WAIT_SPINS);
		GUEST_ASSERT_EQ(n, (r + 1) * per);
	}
	/* One too many would come here. */
	wait_for(&g->intx_count, ~0ull, INTX_QUIET_SPINS);
	GUEST_SYNC4(g->intx_count, g->intx_idle, g->intx_edge, 0);
	if (mode == IOMMU_INTX_ACK) {
		GUEST_SYNC(wait_for(&g->level_count, 1, INTX_WAIT_SPINS));
		n = g->intx_count;
		wait_for(&g->intx_count, n + 1, INTX_WAIT_SPINS);
		GUEST_SYNC4(g->intx_count, g->intx_idle, g->intx_edge, 0);
	} else {
		wr32(g->bar + EDU_IRQ_ACK, EDU_IRQ_TEST);
	}
	GUEST_DONE();
}

/* Read the mapped page for ever, counting; an unmapping ends it (an MMIO exit). */
void guest_code_mmio_loop(uint64_t arg)
{
	(void)arg;
	for (;;) {
		(void)rd32(iommu_guest.mmio);
		iommu_guest.loops++;
	}
}
