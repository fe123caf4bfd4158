// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the 16550A: IIR priorities, THRE, the receiver (FIFO on and
 * off, LSR.DR and OE, the received-data interrupt, hvctl's flow control),
 * loopback, DLAB, LSR/MSR.
 */
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

/* The interrupt identification without the FIFO bits. */
static uint8_t iir(void)
{
	return in(UART_IIR) & 0x0f;
}

static void iir_priorities(void)
{
	unsigned int i;

	uart_init(&u);
	CHECK_EQ(in(UART_IIR) >> 6, 0);		/* FIFOs off: a 16450 */
	out(UART_FCR, UART_FCR_ENABLE);
	CHECK_EQ(in(UART_IIR) >> 6, 3);		/* on: what Linux probes for a 16550A */
	out(UART_MCR, UART_MCR_OUT2);
	out(UART_IER, 0x0f);
	for (i = 0; i < UART_FIFO + 1; i++)
		uart_rx(&u, 'a' + i);		/* one overrun */
	CHECK_EQ(iir(), UART_IIR_RLSI);		/* line status first */
	CHECK(in(UART_LSR) & UART_LSR_OE);	/* read clears OE */
	CHECK_EQ(iir(), UART_IIR_RDI);		/* then received data */
	for (i = 0; i < UART_FIFO; i++)
		CHECK_EQ(in(UART_RX), 'a' + i);
	CHECK(!(in(UART_LSR) & UART_LSR_DR));
	CHECK_EQ(iir(), UART_IIR_THRI);		/* then THR empty */
	CHECK_EQ(iir(), UART_IIR_NO_INT);
	/* Modem status last: a delta from loopback. */
	out(UART_MCR, UART_MCR_OUT2 | UART_MCR_LOOP);
	out(UART_MCR, UART_MCR_OUT2 | UART_MCR_LOOP | UART_MCR_RTS);
	CHECK_EQ(iir(), UART_IIR_MSI);
	CHECK(in(UART_MSR) & UART_MSR_DCTS);
	CHECK_EQ(iir(), UART_IIR_NO_INT);
}

/* The receive FIFO: 16 bytes in order, LSR.DR while any is there. */
static void rx_fifo(void)
{
	unsigned int i;

	uart_init(&u);
	out(UART_FCR, UART_FCR_ENABLE);
	CHECK_EQ(uart_rx_room(&u), UART_FIFO);
	CHECK(!(in(UART_LSR) & UART_LSR_DR));
	for (i = 0; i < UART_FIFO; i++)
		CHECK(uart_rx(&u, 'A' + i));
	CHECK_EQ(uart_rx_room(&u), 0);
	CHECK_EQ(in(UART_LSR) & (UART_LSR_DR | UART_LSR_OE), UART_LSR_DR);
	CHECK_EQ(in(UART_RX), 'A');
	CHECK_EQ(uart_rx_room(&u), 1);
	CHECK(uart_rx(&u, 'z'));		/* behind the 15 left */
	for (i = 1; i < UART_FIFO; i++)
		CHECK_EQ(in(UART_RX), 'A' + i);
	CHECK(in(UART_LSR) & UART_LSR_DR);
	CHECK_EQ(in(UART_RX), 'z');
	CHECK(!(in(UART_LSR) & UART_LSR_DR));
	CHECK_EQ(uart_rx_room(&u), UART_FIFO);
	/* FCR's receiver reset empties it. */
	uart_rx(&u, '1');
	uart_rx(&u, '2');
	out(UART_FCR, UART_FCR_ENABLE | UART_FCR_CLEAR_RCVR);
	CHECK(!(in(UART_LSR) & UART_LSR_DR));
	CHECK_EQ(uart_rx_room(&u), UART_FIFO);
}

/* FIFOs off: one byte; the next is an overrun, the first kept. */
static void rx_16450(void)
{
	uart_init(&u);
	CHECK_EQ(uart_rx_room(&u), 1);
	CHECK(uart_rx(&u, 'a'));
	CHECK_EQ(uart_rx_room(&u), 0);
	CHECK(!uart_rx(&u, 'b'));
	CHECK_EQ(in(UART_LSR) & (UART_LSR_DR | UART_LSR_OE), UART_LSR_DR | UART_LSR_OE);
	CHECK(!(in(UART_LSR) & UART_LSR_OE));	/* cleared by the read */
	CHECK_EQ(in(UART_RX), 'a');
	CHECK(!(in(UART_LSR) & UART_LSR_DR));
	/* Turning the FIFOs off empties them. */
	out(UART_FCR, UART_FCR_ENABLE);
	uart_rx(&u, 'c');
	uart_rx(&u, 'd');
	out(UART_FCR, 0);
	CHECK(!(in(UART_LSR) & UART_LSR_DR));
}

/* The received-data interrupt: IER.RDI and OUT2, until the FIFO is read empty. */
static void rx_interrupt(void)
{
	uart_init(&u);
	out(UART_FCR, UART_FCR_ENABLE);
	out(UART_MCR, UART_MCR_OUT2);
	uart_rx(&u, 'x');
	CHECK(!uart_irq(&u));			/* IER.RDI off */
	CHECK_EQ(iir(), UART_IIR_NO_INT);
	out(UART_IER, UART_IER_RDI);
	CHECK(uart_irq(&u));
	CHECK_EQ(in(UART_IIR), UART_IIR_FIFO | UART_IIR_RDI);
	CHECK(uart_irq(&u));			/* reading IIR does not end it */
	uart_rx(&u, 'y');
	CHECK_EQ(in(UART_RX), 'x');
	CHECK(uart_irq(&u));
	CHECK_EQ(in(UART_RX), 'y');
	CHECK(!uart_irq(&u));
	/* With THRI too: received data before THR empty. */
	out(UART_IER, UART_IER_RDI | UART_IER_THRI);
	uart_rx(&u, 'z');
	CHECK_EQ(iir(), UART_IIR_RDI);
	CHECK_EQ(iir(), UART_IIR_RDI);		/* the THRE one waits */
	CHECK_EQ(in(UART_RX), 'z');
	CHECK_EQ(iir(), UART_IIR_THRI);
	CHECK(!uart_irq(&u));
	/* Without OUT2 the line stays low, the IIR still says it. */
	out(UART_MCR, 0);
	uart_rx(&u, 'w');
	CHECK(!uart_irq(&u));
	CHECK_EQ(iir(), UART_IIR_RDI);
}

/*
 * hvctl's way of feeding it: only what uart_rx_room() allows, whatever the
 * guest does meanwhile. No byte is lost or reordered, no overrun ever.
 */
static void rx_flow_control(void)
{
	uint32_t seed = 12345, next_in = 0, next_out = 0;
	unsigned int i, n;
	uint8_t lsr;

	uart_init(&u);
	out(UART_FCR, UART_FCR_ENABLE);
	for (i = 0; i < 100000; i++) {
		seed = seed * 1103515245 + 12345;
		for (n = (seed >> 16) % 20; n && uart_rx_room(&u); n--)
			CHECK(uart_rx(&u, next_in++));
		seed = seed * 1103515245 + 12345;
		for (n = (seed >> 16) % 20; n; n--) {
			lsr = in(UART_LSR);
			CHECK(!(lsr & UART_LSR_OE));
			if (!(lsr & UART_LSR_DR))
				break;
			CHECK_EQ(in(UART_RX), next_out++ & 0xff);
		}
		/* Now and then the guest turns its FIFO off and on. */
		if ((seed >> 8) % 1000 == 0) {
			while (in(UART_LSR) & UART_LSR_DR)
				CHECK_EQ(in(UART_RX), next_out++ & 0xff);
			out(UART_FCR, (seed >> 4) & UART_FCR_ENABLE);
		}
	}
	CHECK(next_out > 100000);
	CHECK(next_in - next_out <= UART_FIFO);
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
		TAP_CASE(rx_fifo),
		TAP_CASE(rx_16450),
		TAP_CASE(rx_interrupt),
		TAP_CASE(rx_flow_control),
		TAP_CASE(loopback),
		TAP_CASE(dlab_and_scratch),
		TAP_CASE(flood),
	};

	return tap_main(cases, ARRAY_SIZE(cases));
}
