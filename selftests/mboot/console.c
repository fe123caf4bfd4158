// SPDX-License-Identifier: GPL-2.0-only
/*
 * COM1 (0x3f8, IRQ 4 through the PIC): polled at first, then interrupt
 * driven: kprintf() fills a ring, and the THRE interrupt's handler sends up
 * to 16 bytes (a FIFO's worth) each time, as Linux's 8250 driver does; it
 * turns the interrupt off when the ring is empty and the next byte turns it
 * on again (enabling THRI with THR empty raises it). Only the BSP prints.
 */
#include "mboot.h"
/* The 16550A's registers, as hvctl's model of it names them. */
#include "../../tools/hvctl/vmm/uart.h"

#define COM1		UART_COM1_BASE
#define IIR_ID		0x0f
#define RING		8192

static char ring[RING];
static volatile uint32_t head, tail;
static volatile bool irq_mode, tx_on;
volatile uint32_t con_thre_irqs, con_irq_bytes, con_overruns;

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
			outb(COM1 + UART_IER, UART_IER_THRI);
		}
	}
	flags_restore(f);
}

/* IRQ 4. */
void con_irq(void)
{
	int n;

	if ((inb(COM1 + UART_IIR) & IIR_ID) == UART_IIR_THRI) {
		con_thre_irqs++;
		for (n = 0; n < UART_FIFO && tail != head; n++) {
			outb(COM1, ring[tail++ % RING]);
			con_irq_bytes++;
		}
		if (tail == head) {
			tx_on = false;
			outb(COM1 + UART_IER, 0);
		}
	}
	outb(0x20, PIC_EOI);
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
	outb(COM1 + UART_IER, 0);
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
