// SPDX-License-Identifier: GPL-2.0-only
/*
 * The 16550A's registers as a state machine: the interrupt identification
 * in priority order (line status, received data, transmitter empty, modem
 * status), the divisor latch behind LCR.DLAB, loopback through MCR.
 * Transmission is instantaneous: THR is always empty again at once. The
 * receiver holds 16 bytes with its FIFO on, 1 with it off; a byte beyond
 * that is an overrun (LSR.OE): the VMM asks uart_rx_room() first.
 */
#include <string.h>

#include "uart.h"

/* MSR's four inputs as the outside world drives them: carrier, ready, clear. */
#define MSR_CONNECTED	(UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS)

void uart_init(struct uart *u)
{
	memset(u, 0, sizeof(*u));
	u->lsr = UART_LSR_THRE | UART_LSR_TEMT;
	u->msr = MSR_CONNECTED;
	u->dll = 12;			/* 9600 baud */
}

uint8_t uart_iir(const struct uart *u)
{
	uint8_t fifo = u->fcr & UART_FCR_ENABLE ? UART_IIR_FIFO : 0;

	if ((u->ier & UART_IER_RLSI) && (u->lsr & UART_LSR_OE))
		return fifo | UART_IIR_RLSI;
	if ((u->ier & UART_IER_RDI) && u->rx_count)
		return fifo | UART_IIR_RDI;
	if ((u->ier & UART_IER_THRI) && u->thr_int)
		return fifo | UART_IIR_THRI;
	if ((u->ier & UART_IER_MSI) && (u->msr & 0x0f))
		return fifo | UART_IIR_MSI;
	return fifo | UART_IIR_NO_INT;
}

bool uart_irq(const struct uart *u)
{
	return !(uart_iir(u) & UART_IIR_NO_INT) && (u->mcr & UART_MCR_OUT2);
}

/* The modem status inputs: the looped-back MCR outputs, or "connected". */
static void uart_set_msr(struct uart *u)
{
	uint8_t in = MSR_CONNECTED, changed;

	if (u->mcr & UART_MCR_LOOP) {
		in = 0;
		if (u->mcr & UART_MCR_RTS)
			in |= UART_MSR_CTS;
		if (u->mcr & UART_MCR_DTR)
			in |= UART_MSR_DSR;
		if (u->mcr & UART_MCR_OUT1)
			in |= UART_MSR_RI;
		if (u->mcr & UART_MCR_OUT2)
			in |= UART_MSR_DCD;
	}
	changed = (in ^ u->msr) & 0xf0;
	/* Delta bits: CTS, DSR, DCD on any change; RI (TERI) on its fall. */
	u->msr = (u->msr & 0x0f) | in;
	u->msr |= (changed & (UART_MSR_CTS | UART_MSR_DSR)) >> 4;
	if (changed & UART_MSR_DCD)
		u->msr |= 0x08;
	if ((changed & UART_MSR_RI) && !(in & UART_MSR_RI))
		u->msr |= 0x04;
}

/* With its FIFOs off (FCR bit 0 clear), a 16550 holds one byte, as a 16450. */
unsigned int uart_rx_room(const struct uart *u)
{
	unsigned int size = u->fcr & UART_FCR_ENABLE ? UART_FIFO : 1;

	return u->rx_count < size ? size - u->rx_count : 0;
}

bool uart_rx(struct uart *u, uint8_t c)
{
	if (!uart_rx_room(u)) {
		u->lsr |= UART_LSR_OE;
		return false;
	}
	u->rx[(u->rx_head + u->rx_count) % UART_FIFO] = c;
	u->rx_count++;
	u->lsr |= UART_LSR_DR;
	return true;
}

static uint8_t uart_rx_pop(struct uart *u)
{
	uint8_t c;

	if (!u->rx_count)
		return 0;
	c = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % UART_FIFO;
	if (!--u->rx_count)
		u->lsr &= ~UART_LSR_DR;
	return c;
}

static void uart_tx(struct uart *u, uint8_t c)
{
	if (u->mcr & UART_MCR_LOOP)
		uart_rx(u, c);
	else if (u->tx_len < UART_TX_BUF)
		u->tx[u->tx_len++] = c;
	else
		u->tx_dropped++;
	u->thr_int = true;		/* sent at once: THR empty again */
}

static void uart_write(struct uart *u, unsigned int off, uint8_t v)
{
	bool dlab = u->lcr & UART_LCR_DLAB;

	switch (off) {
	case UART_TX:
		if (dlab)
			u->dll = v;
		else
			uart_tx(u, v);
		break;
	case UART_IER:
		if (dlab) {
			u->dlm = v;
			break;
		}
		/* Enabling THRI with THR empty raises it (as a 16550 does). */
		if ((v & UART_IER_THRI) && !(u->ier & UART_IER_THRI))
			u->thr_int = true;
		u->ier = v & 0x0f;
		break;
	case UART_FCR:
		u->fcr = v & (UART_FCR_ENABLE | 0xc0);
		if ((v & UART_FCR_CLEAR_RCVR) || !(v & UART_FCR_ENABLE)) {
			u->rx_count = 0;
			u->lsr &= ~UART_LSR_DR;
		}
		break;
	case UART_LCR:
		u->lcr = v;
		break;
	case UART_MCR:
		u->mcr = v & 0x1f;
		uart_set_msr(u);
		break;
	case UART_LSR:
	case UART_MSR:
		break;			/* read-only here */
	case UART_SCR:
		u->scr = v;
		break;
	}
}

static uint8_t uart_read(struct uart *u, unsigned int off)
{
	bool dlab = u->lcr & UART_LCR_DLAB;
	uint8_t v;

	switch (off) {
	case UART_RX:
		return dlab ? u->dll : uart_rx_pop(u);
	case UART_IER:
		return dlab ? u->dlm : u->ier;
	case UART_IIR:
		v = uart_iir(u);
		/* Reading IIR is what acknowledges a THRE interrupt. */
		if ((v & 0x0f) == UART_IIR_THRI)
			u->thr_int = false;
		return v;
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		v = u->lsr;
		u->lsr &= ~UART_LSR_OE;	/* errors clear on read */
		return v;
	case UART_MSR:
		v = u->msr;
		u->msr &= 0xf0;		/* deltas clear on read */
		return v;
	default:
		return u->scr;
	}
}

void uart_io(struct uart *u, unsigned int off, bool write, uint8_t *val)
{
	off &= 7;
	if (write)
		uart_write(u, off, *val);
	else
		*val = uart_read(u, off);
}
