// SPDX-License-Identifier: GPL-2.0-only
/*
 * A multiboot v1 test kernel for hvctl run --kernel (hvctl_scenario.sh):
 * on 2 vCPUs it checks what hvctl gives a multiboot kernel (the machine
 * state, the information structure, the MP table), the PIT through the PIC,
 * the in-kernel local APIC's timer one-shot and periodic, the AP's start by
 * INIT-SIPI-SIPI and fixed IPIs both ways, QEMU's fw_cfg (signature, RAM
 * size, CPU count), and COM1 output driven by its THRE interrupt. With
 * "echo" on its command line it then echoes what COM1 receives, by its
 * received-data interrupt, until a Ctrl-D (and waits for it forever). It
 * prints TAP on COM1 and ends the VM through port 0xf4 with the number of
 * failures (0xff after an exception). Guest time is kept
 * to a few tens of milliseconds: the Intel rig host (Bochs) runs guests
 * about a hundred times slower than QEMU.
 */
#include "mboot.h"
/* QEMU's fw_cfg, as hvctl's model of it names it. */
#include "../../tools/hvctl/vmm/fwcfg.h"

#define NR_TESTS	11		/* 12 with "echo" */
#define MI_MEMORY	0x001
#define MI_CMDLINE	0x004
#define MI_MMAP		0x040
#define PIT_1MS		1193		/* 1.193182 MHz */
#define PIT_10MS	11932		/* the BSP's heartbeat after the PIT test */
#define PIT_TICKS	5
#define APIC_1MS	1000000		/* 1 GHz APIC bus (khv), divide by 1 */
#define APIC_TICKS	10
#define NR_IPIS		5
#define TIMEOUT_US	500000		/* for anything to arrive */

struct mb_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
	uint32_t mods_count, mods_addr, syms[4], mmap_length, mmap_addr;
} __attribute__((packed));

struct mb_mmap {
	uint32_t size;
	uint64_t addr, len;
	uint32_t type;
} __attribute__((packed));

static int test_nr, failed;
static volatile uint32_t pit_ticks, timer_ticks, ipis_at_ap, ipis_at_bsp;
static volatile uint32_t unexpected, spurious, last_unexpected;
static volatile uint32_t ap_alive, ap_apic_id, ap_svr;
static uint32_t ap_id = 1, want_cpus = 2;
static bool echo;

static void result(bool ok, const char *what)
{
	test_nr++;
	if (!ok)
		failed++;
	kprintf("%sok %u - %s\n", ok ? "" : "not ", test_nr, what);
}

/* Exceptions end the run at once; every other vector is counted. */
void isr(struct frame *f)
{
	switch (f->vec) {
	case 0 ... 31:
		con_flush(0);
		kprintf("Bail out! exception %u at %x (error %x) on APIC %u\n", f->vec, f->eip,
			f->err, lapic_read(LAPIC_ID) >> 24);
		outb(EXIT_PORT, 0xff);
		for (;;)
			asm volatile("cli; hlt");
	case VEC_PIC:
		pit_ticks++;
		outb(0x20, PIC_EOI);
		return;
	case VEC_PIC + 4:
		con_irq();
		return;
	case VEC_PIC + 7:
	case VEC_PIC + 15:
	case VEC_SPURIOUS:
		spurious++;
		return;
	case VEC_TIMER:
		timer_ticks++;
		break;
	case VEC_IPI_AP:
		ipis_at_ap++;
		/* The answer: a fixed IPI back to the BSP. */
		lapic_write(LAPIC_ICR_HI, 0);
		lapic_write(LAPIC_ICR_LO, ICR_FIXED | VEC_IPI_BSP);
		break;
	case VEC_IPI_BSP:
		ipis_at_bsp++;
		break;
	default:
		unexpected++;
		last_unexpected = f->vec;
		return;
	}
	lapic_write(LAPIC_EOI, 0);
}

static bool str_has(const char *s, const char *w)
{
	size_t n = 0;

	while (w[n])
		n++;
	for (; *s; s++)
		if (!memcmp(s, w, n))
			return true;
	return false;
}

/* 1: EAX, the information structure, its memory map and command line. */
static void check_info(uint32_t magic, const struct mb_info *mi)
{
	const struct mb_mmap *m;
	uint32_t off, n = 0, end = 0;
	bool ok = magic == MB_BOOT_MAGIC, low = false, bios = false, high = false;

	if (ok && (mi->flags & (MI_MEMORY | MI_CMDLINE | MI_MMAP)) ==
		  (MI_MEMORY | MI_CMDLINE | MI_MMAP)) {
		kprintf("# cmdline: %s\n", (const char *)mi->cmdline);
		for (off = 0; off + sizeof(*m) <= mi->mmap_length; off += m->size + 4, n++) {
			m = (const struct mb_mmap *)(mi->mmap_addr + off);
			ok &= m->size >= 20 && (uint32_t)m->addr >= end;
			end = m->addr + m->len;
			low |= !m->addr && m->len == mi->mem_lower * 1024ULL && m->type == 1;
			bios |= m->addr <= 0xf0000 && end >= 0x100000 && m->type == 2;
			high |= m->addr == 0x100000 && m->len == mi->mem_upper * 1024ULL &&
				m->type == 1;
		}
		ok &= mi->mem_lower == 639 && low && bios && high;
	} else {
		ok = false;
	}
	kprintf("# magic %x flags %x mem %u %u, %u map entries\n", magic, mi->flags,
		mi->mem_lower, mi->mem_upper, n);
	for (off = 0; !ok && off + sizeof(*m) <= mi->mmap_length; off += m->size + 4) {
		m = (const struct mb_mmap *)(mi->mmap_addr + off);
		kprintf("# mmap: %x + %x type %u\n", (uint32_t)m->addr, (uint32_t)m->len,
			m->type);
	}
	result(ok, "multiboot info");
}

/* The command line's words: cpus=1 (no AP), echo. */
static void options(uint32_t magic, const struct mb_info *mi)
{
	const char *cmdline = (const char *)mi->cmdline;

	if (magic != MB_BOOT_MAGIC || !(mi->flags & MI_CMDLINE))
		return;
	if (str_has(cmdline, "cpus=1"))
		want_cpus = 1;
	echo = str_has(cmdline, "echo");
}

/* 2: the MP table in the BIOS area lists want_cpus processors, the BSP first. */
static void check_mptable(void)
{
	const uint8_t *p, *t = NULL, *e;
	uint32_t cpus = 0, i, n;
	uint8_t sum;
	bool ok = false;

	for (p = (const uint8_t *)0xf0000; p < (const uint8_t *)0x100000; p += 16) {
		for (sum = 0, i = 0; i < 16; i++)
			sum += p[i];
		if (!memcmp(p, "_MP_", 4) && !sum) {
			t = (const uint8_t *)*(const uint32_t *)(p + 4);
			break;
		}
	}
	if (t && !memcmp(t, "PCMP", 4)) {
		n = *(const uint16_t *)(t + 34);
		ok = true;
		for (e = t + 44, i = 0; i < n; i++) {
			if (e[0] != 0) {
				e += 8;
				continue;
			}
			if (cpus == 0)
				ok &= e[1] == 0 && (e[3] & 3) == 3;	/* enabled BSP */
			else
				ap_id = e[1];
			cpus++;
			e += 20;
		}
	}
	kprintf("# MP table: %u CPUs, AP ID %u\n", cpus, ap_id);
	result(ok && cpus == want_cpus, "MP table");
}

/* 3: the PIT's channel 0 at 1 kHz through the PIC's IRQ 0. */
static void check_pit(void)
{
	uint64_t t = rdtsc();
	bool ok;

	pit_periodic(PIT_1MS);
	ok = wait_count(&pit_ticks, PIT_TICKS, TIMEOUT_US);
	kprintf("# PIT: %u ticks in %u us\n", pit_ticks, us_since(t));
	/* From now on a heartbeat: every wait wakes at least each 10 ms. */
	pit_periodic(PIT_10MS);
	result(ok, "PIT through the PIC");
}

/*
 * 4: a one-shot counting down from 1 s; armed again for 1 ms, it fires
 * once, and its current count reads 0 after it.
 */
static void check_oneshot(void)
{
	uint32_t cur, cur2, us;
	uint64_t t;
	bool ok;

	lapic_write(LAPIC_TDCR, 0xb);			/* divide by 1 */
	lapic_write(LAPIC_LVT_TIMER, VEC_TIMER);
	lapic_write(LAPIC_TMICT, 1000 * APIC_1MS);
	cur = lapic_read(LAPIC_TMCCT);
	cur2 = lapic_read(LAPIC_TMCCT);
	t = rdtsc();
	lapic_write(LAPIC_TMICT, APIC_1MS);
	ok = wait_count(&timer_ticks, 1, TIMEOUT_US);
	us = us_since(t);
	wait_count(&timer_ticks, 2, 3000);
	kprintf("# one-shot: count %u, %u, %u interrupts, the first after %u us\n",
		cur, cur2, timer_ticks, us);
	ok &= cur2 && cur2 < cur && cur < 1000 * APIC_1MS && timer_ticks == 1 &&
	      !lapic_read(LAPIC_TMCCT);
	result(ok, "APIC timer one-shot");
}

/* 5: periodic at 1 ms: ten interrupts, no fewer than 5 ms apart in all, none after it stops. */
static void check_periodic(void)
{
	uint32_t us, stopped;
	uint64_t t;
	bool ok;

	timer_ticks = 0;
	lapic_write(LAPIC_LVT_TIMER, VEC_TIMER | LAPIC_PERIODIC);
	t = rdtsc();
	lapic_write(LAPIC_TMICT, APIC_1MS);
	ok = wait_count(&timer_ticks, APIC_TICKS, TIMEOUT_US);
	us = us_since(t);
	lapic_write(LAPIC_TMICT, 0);
	lapic_write(LAPIC_LVT_TIMER, VEC_TIMER | LAPIC_MASKED);
	udelay(100);				/* one in flight lands */
	stopped = timer_ticks;
	wait_count(&timer_ticks, stopped + 1, 3000);
	kprintf("# periodic: %u in %u us, %u after\n", stopped, us,
		timer_ticks - stopped);
	ok &= us >= APIC_TICKS * 1000 / 2 && timer_ticks == stopped;
	result(ok, "APIC timer periodic");
}

/* The AP, from the trampoline: its APIC on, the IDT, then it waits for IPIs. */
void ap_main(void)
{
	idt_load();
	lapic_write(LAPIC_SVR, LAPIC_SVR_ON | VEC_SPURIOUS);
	ap_svr = lapic_read(LAPIC_SVR);
	ap_apic_id = lapic_read(LAPIC_ID) >> 24;
	sti();
	ap_alive = 1;
	for (;;)
		sti_hlt();
}

static void ipi(uint32_t dest, uint32_t icr)
{
	lapic_write(LAPIC_ICR_HI, dest << 24);
	lapic_write(LAPIC_ICR_LO, icr);
}

/* 6: INIT-SIPI-SIPI to the AP, which reports in from protected mode. */
static void check_ap_start(void)
{
	extern char tramp_start[], tramp_end[];
	uint64_t t = rdtsc();
	bool ok;

	memcpy((void *)TRAMP_ADDR, tramp_start, tramp_end - tramp_start);
	ipi(ap_id, ICR_INIT);
	udelay(10);
	ipi(ap_id, ICR_STARTUP | TRAMP_ADDR >> 12);
	udelay(10);
	ipi(ap_id, ICR_STARTUP | TRAMP_ADDR >> 12);
	ok = wait_count(&ap_alive, 1, TIMEOUT_US);
	kprintf("# AP: %u after %u us, ID %u, SVR %x\n", ap_alive, us_since(t),
		ap_apic_id, ap_svr);
	result(ok && ap_apic_id == ap_id && (ap_svr & 0x1ff) == 0x1ff,
	       "AP started by INIT-SIPI-SIPI");
}

/* 7, 8: fixed IPIs to the AP, each answered by one to the BSP. */
static void check_ipis(void)
{
	uint32_t i, icr = 0;
	bool ok = ap_alive;

	for (i = 1; i <= NR_IPIS && ok; i++) {
		ipi(ap_id, ICR_FIXED | VEC_IPI_AP);
		icr |= lapic_read(LAPIC_ICR_LO);
		ok = wait_count(&ipis_at_ap, i, TIMEOUT_US) &&
		     wait_count(&ipis_at_bsp, i, TIMEOUT_US);
	}
	kprintf("# IPIs: %u at the AP, %u at the BSP\n", ipis_at_ap,
		ipis_at_bsp);
	result(ipis_at_ap == NR_IPIS && !(icr & ICR_BUSY), "IPIs BSP to AP");
	result(ipis_at_bsp == NR_IPIS, "IPIs AP to BSP");
}

static void fwcfg_get(uint16_t key, void *buf, uint32_t n)
{
	uint8_t *p = buf;

	outw(FWCFG_PORT_SEL, key);
	while (n--)
		*p++ = inb(FWCFG_PORT_DATA);
}

/*
 * 9: QEMU's fw_cfg: its signature, the traditional interface (ID 1), the
 * RAM the multiboot information describes, want_cpus CPUs, and nothing
 * (zeros) in an item hvctl does not have or past an item's end.
 */
static void check_fwcfg(const struct mb_info *mi)
{
	uint64_t ram = 0, want_ram = ((uint64_t)mi->mem_upper + 1024) * 1024;
	uint32_t id = 0, none = 1;
	uint16_t cpus[2] = { 0 };
	char sig[5] = { 0 };

	fwcfg_get(FWCFG_SIGNATURE, sig, 4);
	fwcfg_get(FWCFG_ID, &id, 4);
	fwcfg_get(FWCFG_RAM_SIZE, &ram, 8);
	fwcfg_get(FWCFG_NB_CPUS, &cpus[0], 4);		/* 2 bytes, then zeros */
	fwcfg_get(FWCFG_MAX_CPUS, &cpus[1], 2);
	fwcfg_get(0x0042, &none, 4);
	kprintf("# fw_cfg: %s, ID %u, RAM %u KiB, %u CPUs, max %u, %x\n", sig, id,
		(uint32_t)(ram >> 10), cpus[0], cpus[1], none);
	result(!memcmp(sig, "QEMU", 4) && id == 1 && ram == want_ram && cpus[0] == want_cpus &&
	       cpus[1] == want_cpus && !none, "fw_cfg");
}

/*
 * 10 (echo): COM1's input by its received-data interrupt, each byte echoed
 * on a "# got: " line (others as dots) until a Ctrl-D; bytes before the
 * first STX are skipped (one the receiver held when con_init() reset its
 * FIFO is lost), and STX is never echoed.
 */
static void check_echo(void)
{
	uint32_t n = 0;
	bool started = false;
	char c;

	kprintf("# echo: ready\n# got: ");
	con_rx_on(true);
	for (;;) {
		cli();
		if (!con_getc(&c)) {
			sti_hlt();
			continue;
		}
		sti();
		if (c == 0x04 && started)
			break;
		if (c == 0x02)
			started = true;
		else if (!started)
			continue;
		else if (c == '\n' || c == '\r')
			kprintf("\n# got: ");
		else
			kprintf("%c", c >= ' ' && c < 0x7f ? c : '.');
		n += c != 0x02;
	}
	con_rx_on(false);
	kprintf("\n# echo: %u bytes echoed, %u received in %u interrupts, %u errors, %u dropped\n",
		n, con_rx_bytes, con_rx_irqs, con_rx_errors, con_rx_dropped);
	result(n && con_rx_irqs && !con_rx_errors && !con_rx_dropped,
	       "COM1 input by received-data interrupts");
}

void kmain(uint32_t magic, const struct mb_info *mi)
{
	uint64_t t0 = rdtsc();
	uint32_t bytes, irqs;
	bool flushed;

	con_init();
	time_init();
	idt_init();
	idt_load();
	lapic_write(LAPIC_SVR, LAPIC_SVR_ON | VEC_SPURIOUS);
	pic_init(0xee);				/* IRQ 0 (PIT) and 4 (COM1) */
	con_irq_on();				/* every line sent by THRE interrupts */
	sti();
	options(magic, mi);
	kprintf("TAP version 13\n1..%u\n", NR_TESTS + echo);
	check_info(magic, mi);
	check_mptable();
	check_pit();
	check_oneshot();
	check_periodic();
	if (want_cpus > 1) {
		check_ap_start();
		check_ipis();
	} else {
		kprintf("ok 6 # SKIP 1 CPU\nok 7 # SKIP 1 CPU\nok 8 # SKIP 1 CPU\n");
		test_nr += 3;
	}
	check_fwcfg(mi);
	if (echo)
		check_echo();

	bytes = con_irq_bytes;
	irqs = con_thre_irqs;
	flushed = con_flush(TIMEOUT_US);
	kprintf("# COM1: %u bytes in %u interrupts, %u overruns\n", bytes, irqs,
		con_overruns);
	result(flushed && bytes && irqs && !con_overruns,
	       "COM1 by THRE interrupts");
	kprintf("# %u stray (last %u), %u spurious\n", unexpected,
		last_unexpected, spurious);
	result(!unexpected, "no stray vector");
	kprintf("# %u failed, guest time %u us\n", failed, us_since(t0));
	outb(EXIT_PORT, failed);
}
