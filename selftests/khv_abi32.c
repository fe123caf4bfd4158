// SPDX-License-Identifier: GPL-2.0-only
/*
 * khv_abi32: a 32-bit (i386) VMM, run by khv_dev_test on hosts that run
 * i386 programs. It drives /dev/khv through the kernel's compat ioctl path
 * with the structures as an i386 compiler lays them out (pinned by
 * khv_abi_layout.h): it creates a VM with RAM and a vCPU, reads and writes
 * the special registers, checks that a non-zero padding byte is refused,
 * and runs a real-mode guest to an OUT and a HLT.
 *
 * Built with -m32 -nostdlib: no 32-bit C library is needed, the system calls
 * are made with INT 0x80. Exit status 0 when everything holds, otherwise the
 * number of the step that failed, with a line on standard error.
 */
#include <linux/fcntl.h>
#include <linux/mman.h>
#include <asm/unistd.h>

#include "khv_abi_layout.h"

#define KHV_ERRNO_MAX	4095
#define GUEST_RAM	0x10000
#define GUEST_CODE	0x1000
#define GUEST_PORT	0x10
#define GUEST_BYTE	0x32

/* mov $GUEST_BYTE, %al; out %al, $GUEST_PORT; hlt */
static const unsigned char guest_code[] = {
	0xb0, GUEST_BYTE, 0xe6, GUEST_PORT, 0xf4,
};

/* The compiler may call these for structure copies and initialisers. */
void *memset(void *s, int c, size_t n);
void *memset(void *s, int c, size_t n)
{
	unsigned char *p = s;

	while (n--)
		*p++ = c;
	return s;
}

void *memcpy(void *d, const void *s, size_t n);
void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *q = d;
	const unsigned char *p = s;

	while (n--)
		*q++ = *p++;
	return d;
}

static long sys3(long nr, long a, long b, long c)
{
	long r;

	asm volatile ("int $0x80"
		      : "=a" (r)
		      : "a" (nr), "b" (a), "c" (b), "d" (c)
		      : "memory");
	return r;
}

static size_t len(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

static void say(const char *s)
{
	sys3(__NR_write, 2, (long)s, len(s));
}

/* Decimal of a non-negative number, for the error line. */
static void say_num(unsigned long v)
{
	char buf[12];
	int i = sizeof(buf);

	buf[--i] = 0;
	do {
		buf[--i] = '0' + v % 10;
		v /= 10;
	} while (v && i);
	say(buf + i);
}

static int fail(int step, const char *what, long r)
{
	say("khv_abi32: step ");
	say_num(step);
	say(": ");
	say(what);
	if (r < 0 && r >= -KHV_ERRNO_MAX) {
		say(": errno ");
		say_num(-r);
	}
	say("\n");
	return step;
}

static long khv_ioctl(int fd, unsigned int cmd, const void *arg)
{
	return sys3(__NR_ioctl, fd, cmd, (long)arg);
}

/* The old mmap() of i386: its six arguments in memory, a byte offset. */
static void *map(int fd, unsigned long size, unsigned long off)
{
	unsigned long args[6] = {
		0, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off,
	};
	long r = sys3(__NR_mmap, (long)args, 0, 0);

	return r < 0 && r >= -KHV_ERRNO_MAX ? (void *)0 : (void *)r;
}

static int all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--)
		if (*b++)
			return 0;
	return 1;
}

static int vmm(void)
{
	struct khv_memory_region region = { .size = GUEST_RAM };
	struct khv_msrs msrs = { .nmsrs = 1 };
	struct khv_create_vcpu cvcpu = { 0 };
	struct khv_create_vm cvm = { 0 };
	struct khv_segment *segs[8];
	struct khv_sregs sregs;
	struct khv_regs regs;
	struct khv_run *run;
	unsigned char *mem;
	long dev, vm, vcpu, r;
	unsigned int i;

	dev = sys3(__NR_open, (long)"/dev/khv", O_RDWR | O_CLOEXEC, 0);
	if (dev < 0)
		return fail(1, "open /dev/khv", dev);
	r = khv_ioctl(dev, KHV_GET_API_VERSION, 0);
	if (r != KHV_API_VERSION)
		return fail(2, "KHV_GET_API_VERSION", r);
	vm = khv_ioctl(dev, KHV_CREATE_VM, &cvm);
	if (vm < 0)
		return fail(3, "KHV_CREATE_VM", vm);
	r = khv_ioctl(vm, KHV_SET_MEMORY_REGION, &region);
	if (r)
		return fail(4, "KHV_SET_MEMORY_REGION", r);
	mem = region.mmap_offset >> 32 ? 0 :
	      map(vm, GUEST_RAM, (unsigned long)region.mmap_offset);
	if (!mem)
		return fail(5, "mmap of guest RAM", 0);
	memcpy(mem + GUEST_CODE, guest_code, sizeof(guest_code));
	vcpu = khv_ioctl(vm, KHV_CREATE_VCPU, &cvcpu);
	if (vcpu < 0)
		return fail(6, "KHV_CREATE_VCPU", vcpu);

	/* The RESET state, as the 64-bit ABI has it. */
	r = khv_ioctl(vcpu, KHV_GET_SREGS, &sregs);
	if (r)
		return fail(7, "KHV_GET_SREGS", r);
	if (sregs.cs.selector != 0xf000 || sregs.cs.base != 0xffff0000ull ||
	    sregs.cs.limit != 0xffff || !sregs.cs.present)
		return fail(8, "KHV_GET_SREGS: CS is not f000 based at ffff0000", 0);
	segs[0] = &sregs.cs; segs[1] = &sregs.ds; segs[2] = &sregs.es;
	segs[3] = &sregs.fs; segs[4] = &sregs.gs; segs[5] = &sregs.ss;
	segs[6] = &sregs.tr; segs[7] = &sregs.ldt;
	for (i = 0; i < 8; i++)
		if (!all_zero(segs[i]->padding, sizeof(segs[i]->padding)))
			return fail(9, "KHV_GET_SREGS: segment padding not zero", 0);
	for (i = 0; i < 6; i++) {
		segs[i]->base = 0;
		segs[i]->selector = 0;
	}
	r = khv_ioctl(vcpu, KHV_SET_SREGS, &sregs);
	if (r)
		return fail(10, "KHV_SET_SREGS", r);
	sregs.ds.padding[sizeof(sregs.ds.padding) - 1] = 1;
	r = khv_ioctl(vcpu, KHV_SET_SREGS, &sregs);
	if (r != -22)
		return fail(11, "KHV_SET_SREGS with the last padding byte set is not EINVAL", r);
	sregs.ds.padding[sizeof(sregs.ds.padding) - 1] = 0;

	r = khv_ioctl(vcpu, KHV_GET_REGS, &regs);
	if (r)
		return fail(12, "KHV_GET_REGS", r);
	regs.rip = GUEST_CODE;
	r = khv_ioctl(vcpu, KHV_SET_REGS, &regs);
	if (r)
		return fail(13, "KHV_SET_REGS", r);
	msrs.entries[0].index = 0xc0000080;	/* EFER */
	r = khv_ioctl(vcpu, KHV_GET_MSRS, &msrs);
	if (r)
		return fail(14, "KHV_GET_MSRS of EFER", r);

	r = khv_ioctl(dev, KHV_GET_VCPU_MMAP_SIZE, 0);
	if (r <= 0)
		return fail(15, "KHV_GET_VCPU_MMAP_SIZE", r);
	run = map(vcpu, r, 0);
	if (!run)
		return fail(16, "mmap of the run page", 0);
	r = khv_ioctl(vcpu, KHV_RUN, 0);
	if (r || run->exit_reason != KHV_EXIT_IO ||
	    run->io.direction != KHV_EXIT_IO_OUT || run->io.port != GUEST_PORT ||
	    run->io.size != 1 || run->io.count != 1 ||
	    run->io.data_offset >= 4096 ||
	    ((unsigned char *)run)[run->io.data_offset] != GUEST_BYTE)
		return fail(17, "KHV_RUN: not the guest's OUT", r);
	r = khv_ioctl(vcpu, KHV_RUN, 0);
	if (r || run->exit_reason != KHV_EXIT_HLT)
		return fail(18, "KHV_RUN: not the guest's HLT", r);
	r = khv_ioctl(vcpu, KHV_GET_REGS, &regs);
	if (r || regs.rip != GUEST_CODE + sizeof(guest_code))
		return fail(19, "KHV_GET_REGS: RIP not after the HLT", r);
	return 0;
}

void _start(void);
__attribute__((force_align_arg_pointer, noreturn)) void _start(void)
{
	int status = vmm();

	for (;;)
		sys3(__NR_exit_group, status, 0, 0);
}
