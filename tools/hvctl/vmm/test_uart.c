// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of the 16550A: IIR priorities, THRE, loopback, DLAB, LSR/MSR. */
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "uart.h"

static struct uart u;

static void out(unsigned int off, uint8_t v)
{
	uart_io(&u, off, true, &v);
}

static uint8_t in(unsigned int off)
{
	uint8_t v = 0;

	uart_io(&u, off, false, &v);
	return v;
}

static void reset_state(void)
{
	uart_init(&u);
	CHECK_EQ(in(UART_IIR), UART_IIR_NO_INT);
	CHECK_EQ(in(UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	CHECK(!uart_irq(&u));
}

static void transmit(void)
{
	uart_init(&u);
	out(UART_TX, 'h');
	out(UART_TX, 'i');
	CHECK_EQ(u.tx_len, 2);
	CHECK(!memcmp(u.tx, "hi", 2));
	CHECK(in(UART_LSR) & UART_LSR_THRE);
}

static void thre_interrupt(void)
{
	uart_init(&u);
	out(UART_MCR, UART_MCR_OUT2);
	out(UART_IER, UART_IER_THRI);	/* THR empty: raised at once */
	CHECK(uart_irq(&u));
	CHECK_EQ(in(UART_IIR), UART_IIR_THRI);
	CHECK(!uart_irq(&u));		/* the IIR read acknowledged it */
	CHECK_EQ(in(UART_IIR), UART_IIR_NO_INT);
	out(UART_TX, 'x');		/* sent: empty again */
	CHECK(uart_irq(&u));
	/* Without OUT2 the line stays low, the IIR still says it. */
	out(UART_MCR, 0);
	CHECK(!uart_irq(&u));
	CHECK_EQ(in(UART_IIR), UART_IIR_THRI);
}

static void iir_priorities(void)
{
	unsigned int i;

	uart_init(&u);
	out(UART_MCR, UART_MCR_OUT2);
	out(UART_IER, 0x0f);
	for (i = 0; i < UART_FIFO + 1; i++)
		uart_rx(&u, 'a' + i);		/* one overrun */
	CHECK_EQ(in(UART_IIR), UART_IIR_RLSI);	/* line status first */
	CHECK(in(UART_LSR) & UART_LSR_OE);	/* read clears OE */
	CHECK_EQ(in(UART_IIR), UART_IIR_RDI);	/* then received data */
	for (i = 0; i < UART_FIFO; i++)
		CHECK_EQ(in(UART_RX), 'a' + i);
	CHECK(!(in(UART_LSR) & UART_LSR_DR));
	CHECK_EQ(in(UART_IIR), UART_IIR_THRI);	/* then THR empty */
	CHECK_EQ(in(UART_IIR), UART_IIR_NO_INT);
	/* Modem status last: a delta from loopback. */
	out(UART_MCR, UART_MCR_OUT2 | UART_MCR_LOOP);
	out(UART_MCR, UART_MCR_OUT2 | UART_MCR_LOOP | UART_MCR_RTS);
	CHECK_EQ(in(UART_IIR), UART_IIR_MSI);
	CHECK(in(UART_MSR) & UART_MSR_DCTS);
	CHECK_EQ(in(UART_IIR), UART_IIR_NO_INT);
	/* FIFO enabled: IIR bits 7:6 (what Linux probes for a 16550A). */
	out(UART_FCR, UART_FCR_ENABLE);
	CHECK_EQ(in(UART_IIR) >> 6, 3);
}

static void loopback(void)
{
	uart_init(&u);
	/* Linux's autoconfig: MCR = LOOP | OUT2 | RTS gives DCD | CTS. */
	out(UART_MCR, UART_MCR_LOOP | 0x0a);
	CHECK_EQ(in(UART_MSR) & 0xf0, UART_MSR_DCD | UART_MSR_CTS);
	out(UART_MCR, UART_MCR_LOOP | UART_MCR_DTR | UART_MCR_OUT1);
	CHECK_EQ(in(UART_MSR) & 0xf0, UART_MSR_DSR | UART_MSR_RI);
	out(UART_TX, 0x5a);
	CHECK_EQ(u.tx_len, 0);		/* not on the wire */
	CHECK(in(UART_LSR) & UART_LSR_DR);
	CHECK_EQ(in(UART_RX), 0x5a);
	out(UART_MCR, 0);
	CHECK_EQ(in(UART_MSR) & 0xf0, UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS);
}

static void dlab_and_scratch(void)
{
	uart_init(&u);
	out(UART_LCR, UART_LCR_DLAB | 0x03);
	out(0, 0x01);
	out(1, 0x00);
	CHECK_EQ(in(0), 0x01);
	CHECK_EQ(in(1), 0x00);
	CHECK_EQ(u.tx_len, 0);		/* no byte sent */
	out(UART_LCR, 0x03);
	CHECK_EQ(in(UART_LCR), 0x03);
	CHECK_EQ(in(UART_IER), 0x00);
	out(UART_SCR, 0xa5);
	CHECK_EQ(in(UART_SCR), 0xa5);
}

static void flood(void)
{
	unsigned int i;

	uart_init(&u);
	for (i = 0; i < 3 * UART_TX_BUF; i++)
		out(UART_TX, 'x');
	CHECK_EQ(u.tx_len, UART_TX_BUF);
	CHECK_EQ(u.tx_dropped, 2 * UART_TX_BUF);
	for (i = 0; i < 100000; i++) {
		out(i & 7, (uint8_t)(i * 2654435761U >> 9));
		in((i >> 3) & 7);
		uart_rx(&u, i);
	}
	CHECK(u.rx_count <= UART_FIFO && u.rx_head < UART_FIFO);
}

int main(void)
{
	static const struct tap_case cases[] = {
		TAP_CASE(reset_state),
		TAP_CASE(transmit),
		TAP_CASE(thre_interrupt),
		TAP_CASE(iir_priorities),
		TAP_CASE(loopback),
		TAP_CASE(dlab_and_scratch),
		TAP_CASE(flood),
	};

	return tap_main(cases, ARRAY_SIZE(cases));
}
