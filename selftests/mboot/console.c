// SPDX-License-Identifier: GPL-2.0-only
/*
 * COM1 (0x3f8, IRQ 4 through the PIC): polled at first, then interrupt
 * driven: kprintf() fills a ring, and the THRE interrupt's handler sends up
 * to 16 bytes (a FIFO's worth) each time, as Linux's 8250 driver does; it
 * turns the interrupt off when the ring is empty and the next byte turns it
 * on again (enabling THRI with THR empty raises it). Only the BSP prints.
 * Input, once con_rx_on(), comes by the received-data interrupt into a
 * ring of its own. The handler serves the UART until its IIR says no
 * interrupt is pending: IRQ 4 is edge-triggered at the PIC, so a line left
 * high at the EOI would never interrupt again.
 */
#include "mboot.h"
/* The 16550A's registers, as hvctl's model of it names them. */
#include "../../tools/hvctl/vmm/uart.h"

#define COM1		UART_COM1_BASE
#define IIR_ID		0x0f
#define IIR_TIMEOUT	0x0c		/* received data, below the FIFO's trigger level */
#define RING		8192
#define RX_RING		4096

static char ring[RING], rx_ring[RX_RING];
static volatile uint32_t head, tail, rx_head, rx_tail;
static volatile bool irq_mode, tx_on, rx_on;
volatile uint32_t con_thre_irqs, con_irq_bytes, con_overruns;
volatile uint32_t con_rx_irqs, con_rx_bytes, con_rx_errors, con_rx_dropped;

static void ier_set(void)
{
	outb(COM1 + UART_IER, (tx_on ? UART_IER_THRI : 0) | (rx_on ? UART_IER_RDI : 0));
}

static void put_polled(char c)
{
	while (!(inb(COM1 + UART_LSR) & UART_LSR_THRE))
		;
	outb(COM1, c);
}

void con_init(void)
{
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, 0x03);		/* 8N1 */
	outb(COM1 + UART_FCR, 0x07);		/* FIFOs on and cleared */
	outb(COM1 + UART_MCR, UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2);	/* OUT2: IRQ 4 */
}

void con_irq_on(void)
{
	irq_mode = true;
}

static uint32_t flags_save(void)
{
	uint32_t f;

	asm volatile("pushfl; popl %0; cli" : "=r"(f) : : "memory");
	return f;
}

static void flags_restore(uint32_t f)
{
	if (f & 0x200)
		sti();
}

static void con_putc(char c)
{
	uint32_t f;

	if (!irq_mode) {
		put_polled(c);
		return;
	}
	f = flags_save();
	if (head - tail == RING) {
		con_overruns++;
		put_polled(c);
	} else {
		ring[head++ % RING] = c;
		if (!tx_on) {
			tx_on = true;
			ier_set();
		}
	}
	flags_restore(f);
}

static void con_send(void)
{
	int n;

	con_thre_irqs++;
	for (n = 0; n < UART_FIFO && tail != head; n++) {
		outb(COM1, ring[tail++ % RING]);
		con_irq_bytes++;
	}
	if (tail == head) {
		tx_on = false;
		ier_set();
	}
}

static void con_receive(void)
{
	uint8_t lsr, c;

	con_rx_irqs++;
	while ((lsr = inb(COM1 + UART_LSR)) & UART_LSR_DR) {
		if (lsr & UART_LSR_OE)
			con_rx_errors++;
		c = inb(COM1 + UART_RX);
		if (rx_head - rx_tail < RX_RING)
			rx_ring[rx_head++ % RX_RING] = c;
		else
			con_rx_dropped++;
		con_rx_bytes++;
	}
}

/* IRQ 4. */
void con_irq(void)
{
	uint8_t iir;
	int passes;

	for (passes = 0; passes < 64; passes++) {
		iir = inb(COM1 + UART_IIR) & IIR_ID;
		if (iir & UART_IIR_NO_INT)
			break;
		if (iir == UART_IIR_THRI)
			con_send();
		else if (iir == UART_IIR_RDI || iir == IIR_TIMEOUT)
			con_receive();
		else if (iir == UART_IIR_RLSI)
			con_rx_errors += !!(inb(COM1 + UART_LSR) & UART_LSR_OE);
		else
			inb(COM1 + UART_MSR);
	}
	outb(0x20, PIC_EOI);
}

/* The received-data interrupt on or off. */
void con_rx_on(bool on)
{
	uint32_t f = flags_save();

	rx_on = on;
	ier_set();
	flags_restore(f);
}

/* The next byte received, if any. */
bool con_getc(char *c)
{
	uint32_t f = flags_save();
	bool got = rx_tail != rx_head;

	if (got)
		*c = rx_ring[rx_tail++ % RX_RING];
	flags_restore(f);
	return got;
}

/*
 * Wait for the ring to drain (halting with interrupts on, if they were) and
 * print polled from then on; when it does not drain within us, the rest is
 * sent polled: false then.
 */
bool con_flush(uint32_t us)
{
	uint32_t f = flags_save();
	uint64_t t = rdtsc();
	bool ok;

	if (!irq_mode) {
		flags_restore(f);
		return true;
	}
	for (;;) {
		cli();
		if (tail == head || us_since(t) >= us)
			break;
		sti_hlt();
	}
	ok = tail == head;
	irq_mode = false;
	tx_on = false;
	ier_set();
	while (tail != head)
		put_polled(ring[tail++ % RING]);
	flags_restore(f);
	return ok;
}

static void put_num(uint32_t v, unsigned int base, int width, char pad)
{
	char buf[12];
	int n = 0;

	do {
		buf[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (width-- > n)
		con_putc(pad);
	while (n)
		con_putc(buf[--n]);
}

/* %s %c %u %d %x, with a width and '0' padding for the numbers. */
void kprintf(const char *fmt, ...)
{
	const char *s;
	uint32_t f;
	va_list ap;
	int width;
	char pad;
	int32_t d;

	/* The whole message in the ring before the THRE interrupt sends it. */
	f = flags_save();
	va_start(ap, fmt);
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			con_putc(*fmt);
			continue;
		}
		pad = *++fmt == '0' ? '0' : ' ';
		for (width = 0; *fmt >= '0' && *fmt <= '9'; fmt++)
			width = width * 10 + *fmt - '0';
		switch (*fmt) {
		case 's':
			for (s = va_arg(ap, const char *); *s; s++)
				con_putc(*s);
			break;
		case 'c':
			con_putc(va_arg(ap, int));
			break;
		case 'u':
			put_num(va_arg(ap, uint32_t), 10, width, pad);
			break;
		case 'd':
			d = va_arg(ap, int32_t);
			if (d < 0) {
				con_putc('-');
				d = -d;
			}
			put_num(d, 10, width, pad);
			break;
		case 'x':
			put_num(va_arg(ap, uint32_t), 16, width, pad);
			break;
		default:
			con_putc('%');
			if (*fmt)
				con_putc(*fmt);
			else
				fmt--;
		}
	}
	va_end(ap);
	flags_restore(f);
}
