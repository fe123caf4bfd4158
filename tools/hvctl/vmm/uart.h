/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A 16550A UART (COM1: ports 0x3f8-0x3ff, IRQ 4). Transmitted bytes collect
 * in tx[] for the VMM to write out; received bytes go in with uart_rx().
 * The interrupt line is uart_irq(): an interrupt is pending and OUT2 lets
 * it out to the bus, as on a PC.
 */
#ifndef VMM_UART_H
#define VMM_UART_H

#include <stdbool.h>
#include <stdint.h>

#define UART_COM1_BASE	0x3f8
#define UART_COM1_IRQ	4
#define UART_FIFO	16
#define UART_TX_BUF	4096

/* Register offsets and bits (as include/uapi/linux/serial_reg.h). */
#define UART_RX		0
#define UART_TX		0
#define UART_IER	1
#define UART_IIR	2
#define UART_FCR	2
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_MSR	6
#define UART_SCR	7

#define UART_IER_RDI	0x01
#define UART_IER_THRI	0x02
#define UART_IER_RLSI	0x04
#define UART_IER_MSI	0x08
#define UART_IIR_NO_INT	0x01
#define UART_IIR_MSI	0x00
#define UART_IIR_THRI	0x02
#define UART_IIR_RDI	0x04
#define UART_IIR_RLSI	0x06
#define UART_IIR_FIFO	0xc0
#define UART_FCR_ENABLE	0x01
#define UART_FCR_CLEAR_RCVR 0x02
#define UART_LCR_DLAB	0x80
#define UART_MCR_DTR	0x01
#define UART_MCR_RTS	0x02
#define UART_MCR_OUT1	0x04
#define UART_MCR_OUT2	0x08
#define UART_MCR_LOOP	0x10
#define UART_LSR_DR	0x01
#define UART_LSR_OE	0x02
#define UART_LSR_THRE	0x20
#define UART_LSR_TEMT	0x40
#define UART_MSR_DCTS	0x01
#define UART_MSR_CTS	0x10
#define UART_MSR_DSR	0x20
#define UART_MSR_RI	0x40
#define UART_MSR_DCD	0x80

struct uart {
	uint8_t ier, lcr, mcr, lsr, msr, scr, dll, dlm, fcr;
	bool thr_int;			/* THRE interrupt pending */
	uint8_t rx[UART_FIFO];
	unsigned int rx_head, rx_count;
	uint8_t tx[UART_TX_BUF];
	unsigned int tx_len;
	unsigned long tx_dropped;	/* tx[] full: the VMM did not drain it */
};

void uart_init(struct uart *u);
/* One byte at offset 0-7 from the base: *val in for a write, out for a read. */
void uart_io(struct uart *u, unsigned int off, bool write, uint8_t *val);
/* A byte from the outside world: false when the receiver is full (overrun). */
bool uart_rx(struct uart *u, uint8_t c);
/* How many bytes the receiver takes now without an overrun. */
unsigned int uart_rx_room(const struct uart *u);
bool uart_irq(const struct uart *u);
uint8_t uart_iir(const struct uart *u);

#endif /* VMM_UART_H */
