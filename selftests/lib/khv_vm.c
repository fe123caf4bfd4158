// SPDX-License-Identifier: GPL-2.0-only
/*
 * khv selftests: VM, vCPU and guest-mode helpers (see khv_vm.h).
 *
 * Long mode for C guests works as KVM's selftests do it, without an ELF
 * loader: the test binary is static and not position independent, so the
 * loadable segments of the running process are copied into guest RAM at their
 * own addresses and the guest identity-maps its first GiB; a function of the
 * binary then runs in the guest at the address it has in the test.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "khv_util.h"
#include "khv_vm.h"

#define PAGE_SIZE_4K	0x1000ul
#define SIZE_2M		0x200000ul

/* Where a long-mode guest returns to if its function ever returns. */
void khv_guest_return_stub(void);
asm(".pushsection .text\n"
    ".globl khv_guest_return_stub\n"
    "khv_guest_return_stub:\n"
    "	hlt\n"
    "	jmp khv_guest_return_stub\n"
    ".popsection");

/* ---- VMs and memory ---------------------------------------------------- */

struct khv_test_vm *vm_create(size_t ram_bytes)
{
	struct khv_memory_region mr;
	struct khv_test_vm *vm;
	int r;

	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return NULL;
	vm->fd = -1;
	vm->mem = MAP_FAILED;
	vm->devfd = khv_open_dev();
	if (vm->devfd < 0) {
		r = vm->devfd;
		goto err;
	}
	r = khv_ioctl(vm->devfd, KHV_GET_VCPU_MMAP_SIZE, 0);
	if (r < (int)sizeof(struct khv_run)) {
		r = r < 0 ? r : -EPROTO;
		goto err;
	}
	vm->run_size = r;
	vm->fd = khv_create_vm(vm->devfd);
	if (vm->fd < 0) {
		r = vm->fd;
		goto err;
	}
	memset(&mr, 0, sizeof(mr));
	mr.slot = 0;
	mr.guest_phys_addr = 0;
	mr.size = ram_bytes;
	r = khv_ioctl(vm->fd, KHV_SET_MEMORY_REGION, (unsigned long)&mr);
	if (r)
		goto err;
	vm->mem = mmap(NULL, ram_bytes, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vm->fd, mr.mmap_offset);
	if (vm->mem == MAP_FAILED) {
		r = -errno;
		goto err;
	}
	vm->mem_size = ram_bytes;
	return vm;
err:
	vm_free(vm);
	errno = -r;
	return NULL;
}

int vm_add_region(struct khv_test_vm *vm, uint32_t slot, uint64_t gpa,
		  uint64_t size, uint32_t flags, void **hva)
{
	struct khv_memory_region mr;
	void *p;
	int r;

	memset(&mr, 0, sizeof(mr));
	mr.slot = slot;
	mr.flags = flags;
	mr.guest_phys_addr = gpa;
	mr.size = size;
	r = khv_ioctl(vm->fd, KHV_SET_MEMORY_REGION, (unsigned long)&mr);
	if (r || !hva)
		return r;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->fd, mr.mmap_offset);
	if (p == MAP_FAILED)
		return -errno;
	*hva = p;
	return 0;
}

void *addr_gpa2hva(struct khv_test_vm *vm, uint64_t gpa)
{
	if (gpa >= vm->mem_size)
		return NULL;
	return vm->mem + gpa;
}

int vm_load_code(struct khv_test_vm *vm, uint64_t gpa, const void *bytes, size_t len)
{
	if (gpa > vm->mem_size || len > vm->mem_size - gpa)
		return -ERANGE;
	memcpy(vm->mem + gpa, bytes, len);
	return 0;
}

void vcpu_free(struct khv_test_vcpu *vcpu)
{
	if (!vcpu)
		return;
	if (vcpu->vm && vcpu->id < KHV_TEST_MAX_VCPUS && vcpu->vm->vcpus[vcpu->id] == vcpu)
		vcpu->vm->vcpus[vcpu->id] = NULL;
	if (vcpu->run && vcpu->run != MAP_FAILED)
		munmap(vcpu->run, vcpu->vm->run_size);
	if (vcpu->fd >= 0)
		close(vcpu->fd);
	free(vcpu);
}

void vm_free(struct khv_test_vm *vm)
{
	int i;

	if (!vm)
		return;
	for (i = 0; i < KHV_TEST_MAX_VCPUS; i++)
		vcpu_free(vm->vcpus[i]);
	if (vm->mem != MAP_FAILED && vm->mem)
		munmap(vm->mem, vm->mem_size);
	if (vm->fd >= 0)
		close(vm->fd);
	if (vm->devfd >= 0)
		close(vm->devfd);
	free(vm);
}

/* ---- long mode ---------------------------------------------------------- */

struct image_range {
	uint64_t start, end;
};

struct image {
	struct image_range r[16];
	int nr;
};

static int image_phdr_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	struct image *img = data;
	int i;

	(void)size;
	/* The first object is the executable itself. */
	for (i = 0; i < info->dlpi_phnum && img->nr < (int)ARRAY_SIZE(img->r); i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type != PT_LOAD || !ph->p_memsz)
			continue;
		img->r[img->nr].start = info->dlpi_addr + ph->p_vaddr;
		img->r[img->nr].end = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
		img->nr++;
	}
	return 1;
}

static void image_ranges(struct image *img)
{
	memset(img, 0, sizeof(*img));
	dl_iterate_phdr(image_phdr_cb, img);
}

size_t vm_long_mode_ram_size(void)
{
	struct image img;
	uint64_t end = GUEST_STACK_TOP;
	int i;

	image_ranges(&img);
	for (i = 0; i < img.nr; i++)
		if (img.r[i].end > end)
			end = img.r[i].end;
	return (end + SIZE_2M - 1) & ~(SIZE_2M - 1);
}

/* GDT entries (SDM Vol. 3A 3.4.5): flat 4 GiB, granularity 4 KiB. */
#define GDT_CODE64	0x00af9b000000ffffull	/* P, DPL 0, code RX accessed, L */
#define GDT_DATA	0x00cf93000000ffffull	/* P, DPL 0, data RW accessed, D/B */
#define GDT_CODE32	0x00cf9b000000ffffull	/* P, DPL 0, code RX accessed, D/B */
#define GDT_USER_DATA	0x00cff3000000ffffull	/* the same at DPL 3 */
#define GDT_USER_CODE64	0x00affb000000ffffull
#define GDT_USER_CODE32	0x00cffb000000ffffull
#define GDT_LIMIT	(GUEST_SEL_USER_CODE32 | 7)
#define TSS_LIMIT	0x67
#define PTE_US		0x4ull

/* The code and data descriptors every mode uses. */
static void gdt_fill(uint64_t *gdt)
{
	gdt[GUEST_SEL_CODE64 / 8] = GDT_CODE64;
	gdt[GUEST_SEL_DATA / 8] = GDT_DATA;
	gdt[GUEST_SEL_CODE32 / 8] = GDT_CODE32;
	gdt[GUEST_SEL_USER_DATA / 8] = GDT_USER_DATA;
	gdt[GUEST_SEL_USER_CODE64 / 8] = GDT_USER_CODE64;
	gdt[GUEST_SEL_USER_CODE32 / 8] = GDT_USER_CODE32;
}

int vm_setup_long_mode(struct khv_test_vm *vm)
{
	uint64_t *pml4, *pdpt, *pd, *gdt;
	uint64_t tss = GUEST_TSS_GPA;
	struct image img;
	int i;

	if (vm->mem_size < vm_long_mode_ram_size())
		return -ENOSPC;

	/* The test binary, at its own addresses. */
	image_ranges(&img);
	if (!img.nr)
		return -ENOEXEC;
	for (i = 0; i < img.nr; i++) {
		if (img.r[i].start < GUEST_STACK_TOP)
			return -ENOEXEC;	/* a PIE binary: link with -no-pie */
		memcpy(vm->mem + img.r[i].start, (void *)(uintptr_t)img.r[i].start,
		       img.r[i].end - img.r[i].start);
	}

	/* Identity map of the first GiB with 2 MiB pages (SDM Vol. 3A 4.5). */
	pml4 = (uint64_t *)(vm->mem + GUEST_PML4_GPA);
	pdpt = (uint64_t *)(vm->mem + GUEST_PDPT_GPA);
	pd = (uint64_t *)(vm->mem + GUEST_PD_GPA);
	memset(pml4, 0, GUEST_SYS_END - GUEST_PML4_GPA);
	pml4[0] = GUEST_PDPT_GPA | 0x3;		/* P, RW */
	pdpt[0] = GUEST_PD_GPA | 0x3;
	for (i = 0; i < 512; i++)
		pd[i] = (uint64_t)i * SIZE_2M | 0x83;	/* P, RW, PS */

	gdt = (uint64_t *)(vm->mem + GUEST_GDT_GPA);
	gdt_fill(gdt);
	/* A 64-bit busy TSS (type 0xb), 16 bytes. */
	gdt[GUEST_SEL_TSS / 8] = TSS_LIMIT | (tss & 0xffffff) << 16 | 0x8bull << 40 |
				 (tss >> 24 & 0xff) << 56;
	gdt[GUEST_SEL_TSS / 8 + 1] = tss >> 32;
	vm->long_mode = true;
	return 0;
}

struct khv_test_vm *vm_create_long_mode(void)
{
	struct khv_test_vm *vm = vm_create(vm_long_mode_ram_size());
	int r;

	if (!vm)
		return NULL;
	r = vm_setup_long_mode(vm);
	if (r) {
		vm_free(vm);
		errno = -r;
		return NULL;
	}
	return vm;
}

int vm_set_idt_handler(struct khv_test_vm *vm, uint8_t vector, void *handler)
{
	uint64_t *gate = (uint64_t *)(vm->mem + GUEST_IDT_GPA) + 2 * vector;
	uint64_t off = (uint64_t)(uintptr_t)handler;

	if (!vm->long_mode)
		return -EINVAL;
	/* SDM Vol. 3A 6.14.1: 64-bit interrupt gate (type 0xe), present. */
	gate[0] = (off & 0xffff) | (uint64_t)GUEST_SEL_CODE64 << 16 | 0x8eull << 40 |
		  (off >> 16 & 0xffff) << 48;
	gate[1] = off >> 32;
	return 0;
}

/* ---- vCPUs ------------------------------------------------------------- */

struct khv_test_vcpu *vcpu_add(struct khv_test_vm *vm, uint32_t id)
{
	struct khv_create_vcpu args;
	struct khv_test_vcpu *vcpu;
	int r;

	if (id >= KHV_TEST_MAX_VCPUS || vm->vcpus[id]) {
		errno = EINVAL;
		return NULL;
	}
	vcpu = calloc(1, sizeof(*vcpu));
	if (!vcpu)
		return NULL;
	vcpu->vm = vm;
	vcpu->id = id;
	memset(&args, 0, sizeof(args));
	args.id = id;
	vcpu->fd = khv_ioctl(vm->fd, KHV_CREATE_VCPU, (unsigned long)&args);
	if (vcpu->fd < 0) {
		r = vcpu->fd;
		goto err;
	}
	vcpu->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu->fd, 0);
	if (vcpu->run == MAP_FAILED) {
		r = -errno;
		goto err;
	}
	vm->vcpus[id] = vcpu;
	return vcpu;
err:
	vcpu_free(vcpu);
	errno = -r;
	return NULL;
}

int vcpu_get_regs(struct khv_test_vcpu *vcpu, struct khv_regs *regs)
{
	return khv_ioctl(vcpu->fd, KHV_GET_REGS, (unsigned long)regs);
}

int vcpu_set_regs(struct khv_test_vcpu *vcpu, const struct khv_regs *regs)
{
	return khv_ioctl(vcpu->fd, KHV_SET_REGS, (unsigned long)regs);
}

int vcpu_get_sregs(struct khv_test_vcpu *vcpu, struct khv_sregs *sregs)
{
	return khv_ioctl(vcpu->fd, KHV_GET_SREGS, (unsigned long)sregs);
}

int vcpu_set_sregs(struct khv_test_vcpu *vcpu, const struct khv_sregs *sregs)
{
	return khv_ioctl(vcpu->fd, KHV_SET_SREGS, (unsigned long)sregs);
}

static int vcpu_start_at(struct khv_test_vcpu *vcpu, uint64_t rip, uint64_t rsp, uint64_t rdi)
{
	struct khv_regs regs;

	memset(&regs, 0, sizeof(regs));
	regs.rip = rip;
	regs.rsp = rsp;
	regs.rdi = rdi;
	regs.rflags = X86_RFLAGS_FIXED;
	return vcpu_set_regs(vcpu, &regs);
}

/* Real mode, CS = DS = ES = SS = 0: @gpa must be below 64 KiB. */
int vcpu_set_real_mode(struct khv_test_vcpu *vcpu, uint64_t gpa)
{
	struct khv_segment *segs[6];
	struct khv_sregs sregs;
	int i, r;

	if (gpa > 0xffff)
		return -ERANGE;
	r = vcpu_get_sregs(vcpu, &sregs);
	if (r)
		return r;
	segs[0] = &sregs.cs; segs[1] = &sregs.ds; segs[2] = &sregs.es;
	segs[3] = &sregs.fs; segs[4] = &sregs.gs; segs[5] = &sregs.ss;
	for (i = 0; i < 6; i++) {
		segs[i]->base = 0;
		segs[i]->selector = 0;
	}
	r = vcpu_set_sregs(vcpu, &sregs);
	if (r)
		return r;
	return vcpu_start_at(vcpu, gpa, 0xfff0, 0);
}

static void seg_flat(struct khv_segment *s, uint16_t sel, uint8_t type, bool code64)
{
	memset(s, 0, sizeof(*s));
	s->base = 0;
	s->limit = 0xffffffff;
	s->selector = sel;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->db = !code64;
	s->l = code64;
	s->g = 1;
}

static void sregs_flat(struct khv_sregs *sregs, bool long_mode)
{
	seg_flat(&sregs->cs, long_mode ? GUEST_SEL_CODE64 : GUEST_SEL_CODE32, 0xb, long_mode);
	seg_flat(&sregs->ds, GUEST_SEL_DATA, 0x3, false);
	sregs->es = sregs->ds;
	sregs->fs = sregs->ds;
	sregs->gs = sregs->ds;
	sregs->ss = sregs->ds;

	memset(&sregs->tr, 0, sizeof(sregs->tr));
	sregs->tr.base = GUEST_TSS_GPA;
	sregs->tr.limit = TSS_LIMIT;
	sregs->tr.selector = GUEST_SEL_TSS;
	sregs->tr.type = 0xb;		/* busy TSS (32- or 64-bit) */
	sregs->tr.present = 1;
	memset(&sregs->ldt, 0, sizeof(sregs->ldt));
	sregs->ldt.type = 0x2;
	sregs->ldt.unusable = 1;

	memset(&sregs->gdt, 0, sizeof(sregs->gdt));
	sregs->gdt.base = GUEST_GDT_GPA;
	sregs->gdt.limit = GDT_LIMIT;
	memset(&sregs->idt, 0, sizeof(sregs->idt));
	sregs->idt.base = GUEST_IDT_GPA;
	sregs->idt.limit = long_mode ? 256 * 16 - 1 : 0;
}

/* 32-bit protected mode, flat segments, no paging; the GDT is in guest RAM. */
int vcpu_set_protected_mode(struct khv_test_vcpu *vcpu, uint64_t gpa)
{
	struct khv_sregs sregs;
	uint64_t *gdt;
	int r;

	if (vcpu->vm->mem_size < GUEST_SYS_END || gpa > 0xffffffffull)
		return -ERANGE;
	gdt = (uint64_t *)(vcpu->vm->mem + GUEST_GDT_GPA);
	gdt_fill(gdt);
	r = vcpu_get_sregs(vcpu, &sregs);
	if (r)
		return r;
	sregs_flat(&sregs, false);
	sregs.cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE;
	sregs.cr3 = 0;
	sregs.cr4 = 0;
	sregs.efer = 0;
	r = vcpu_set_sregs(vcpu, &sregs);
	if (r)
		return r;
	return vcpu_start_at(vcpu, gpa, GUEST_STACK_TOP - vcpu->id * GUEST_STACK_SIZE, 0);
}

int vcpu_set_long_mode(struct khv_test_vcpu *vcpu, void (*guest_code)(uint64_t), uint64_t arg)
{
	struct khv_test_vm *vm = vcpu->vm;
	uint64_t rsp = GUEST_STACK_TOP - vcpu->id * GUEST_STACK_SIZE;
	struct khv_sregs sregs;
	int r;

	if (!vm->long_mode)
		return -EINVAL;
	r = vcpu_get_sregs(vcpu, &sregs);
	if (r)
		return r;
	sregs_flat(&sregs, true);
	sregs.cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_PG;
	sregs.cr3 = GUEST_PML4_GPA;
	sregs.cr4 = X86_CR4_PAE;
	sregs.efer = EFER_LME | EFER_LMA;
	r = vcpu_set_sregs(vcpu, &sregs);
	if (r)
		return r;
	/* As if called: RSP + 8 is 16-byte aligned, a return address on top. */
	rsp -= 8;
	*(uint64_t *)(vm->mem + rsp) = (uint64_t)(uintptr_t)khv_guest_return_stub;
	return vcpu_start_at(vcpu, (uint64_t)(uintptr_t)guest_code, rsp, arg);
}

int vcpu_enter_user_mode(struct khv_test_vcpu *vcpu)
{
	struct khv_test_vm *vm = vcpu->vm;
	uint64_t *pml4, *pdpt, *pd;
	uint64_t rsp0 = GUEST_STACK_TOP - vcpu->id * GUEST_STACK_SIZE -
			GUEST_STACK_SIZE / 2;
	struct khv_sregs sregs;
	struct khv_regs regs;
	int i, r;

	if (!vm->long_mode)
		return -EINVAL;
	pml4 = (uint64_t *)(vm->mem + GUEST_PML4_GPA);
	pdpt = (uint64_t *)(vm->mem + GUEST_PDPT_GPA);
	pd = (uint64_t *)(vm->mem + GUEST_PD_GPA);
	/* SDM Vol. 3A 4.6: user access needs U/S at every level. */
	pml4[0] |= PTE_US;
	pdpt[0] |= PTE_US;
	for (i = 0; i < 512; i++)
		pd[i] |= PTE_US;
	/* The 64-bit TSS's RSP0 (SDM Vol. 3A 8.7): at byte 4. */
	memcpy(vm->mem + GUEST_TSS_GPA + 4, &rsp0, sizeof(rsp0));

	r = vcpu_get_sregs(vcpu, &sregs);
	if (r)
		return r;
	sregs.cs.selector = GUEST_SEL_USER_CODE64;
	sregs.cs.dpl = 3;
	sregs.ds.selector = GUEST_SEL_USER_DATA;
	sregs.ds.dpl = 3;
	sregs.es = sregs.ds;
	sregs.fs = sregs.ds;
	sregs.gs = sregs.ds;
	sregs.ss = sregs.ds;
	r = vcpu_set_sregs(vcpu, &sregs);
	if (r)
		return r;
	r = vcpu_get_regs(vcpu, &regs);
	if (r)
		return r;
	regs.rflags |= X86_RFLAGS_IOPL3;
	return vcpu_set_regs(vcpu, &regs);
}

int vcpu_run(struct khv_test_vcpu *vcpu)
{
	return khv_ioctl(vcpu->fd, KHV_RUN, 0);
}

int vcpu_get_events(struct khv_test_vcpu *vcpu, struct khv_vcpu_events *events)
{
	return khv_ioctl(vcpu->fd, KHV_GET_VCPU_EVENTS, (unsigned long)events);
}

int vcpu_set_events(struct khv_test_vcpu *vcpu, const struct khv_vcpu_events *events)
{
	return khv_ioctl(vcpu->fd, KHV_SET_VCPU_EVENTS, (unsigned long)events);
}

int vcpu_msr(struct khv_test_vcpu *vcpu, unsigned long cmd, uint32_t index, uint64_t *data)
{
	struct khv_msrs msrs;
	int r;

	memset(&msrs, 0, sizeof(msrs));
	msrs.nmsrs = 1;
	msrs.entries[0].index = index;
	msrs.entries[0].data = *data;
	r = khv_ioctl(vcpu->fd, cmd, (unsigned long)&msrs);
	*data = msrs.entries[0].data;
	return r;
}

int vcpu_interrupt(struct khv_test_vcpu *vcpu, uint32_t vector)
{
	struct khv_interrupt irq;

	memset(&irq, 0, sizeof(irq));
	irq.vector = vector;
	return khv_ioctl(vcpu->fd, KHV_INTERRUPT, (unsigned long)&irq);
}

int vcpu_nmi(struct khv_test_vcpu *vcpu)
{
	return khv_ioctl(vcpu->fd, KHV_NMI, 0);
}

/* ---- ucalls and exits --------------------------------------------------- */

static void copy_guest_string(struct khv_test_vm *vm, uint64_t gva, char *buf, size_t len)
{
	size_t i;

	if (!len)
		return;
	for (i = 0; i + 1 < len && gva + i < vm->mem_size && vm->mem[gva + i]; i++)
		buf[i] = vm->mem[gva + i];
	buf[i] = '\0';
	if (!gva)
		snprintf(buf, len, "?");
}

uint64_t vcpu_get_ucall(struct khv_test_vcpu *vcpu, struct ucall *uc,
			char *file, size_t file_len, char *msg, size_t msg_len)
{
	struct khv_run *run = vcpu->run;
	struct khv_regs regs;

	memset(uc, 0, sizeof(*uc));
	if (file_len)
		file[0] = '\0';
	if (msg_len)
		msg[0] = '\0';
	if (run->exit_reason != KHV_EXIT_IO || run->io.direction != KHV_EXIT_IO_OUT ||
	    run->io.port != KHV_UCALL_PORT || run->io.size != 4)
		return UCALL_NONE;
	if (vcpu_get_regs(vcpu, &regs) || regs.rdi >= vcpu->vm->mem_size ||
	    vcpu->vm->mem_size - regs.rdi < sizeof(*uc))
		return UCALL_NONE;
	memcpy(uc, vcpu->vm->mem + regs.rdi, sizeof(*uc));
	if (uc->cmd == UCALL_ASSERT) {
		copy_guest_string(vcpu->vm, uc->file, file, file_len);
		copy_guest_string(vcpu->vm, uc->msg, msg, msg_len);
	}
	if (uc->cmd > UCALL_DONE)
		return UCALL_NONE;
	return uc->cmd;
}

const char *exit_reason_str(uint32_t reason)
{
	static const char *const names[] = {
		[KHV_EXIT_UNKNOWN] = "UNKNOWN",
		[KHV_EXIT_IO] = "IO",
		[KHV_EXIT_MMIO] = "MMIO",
		[KHV_EXIT_HLT] = "HLT",
		[KHV_EXIT_SHUTDOWN] = "SHUTDOWN",
		[KHV_EXIT_FAIL_ENTRY] = "FAIL_ENTRY",
		[KHV_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR",
		[KHV_EXIT_EMULATION_FAILED] = "EMULATION_FAILED",
		[KHV_EXIT_HYPERCALL] = "HYPERCALL",
		[KHV_EXIT_INTR] = "INTR",
		[KHV_EXIT_IRQ_WINDOW_OPEN] = "IRQ_WINDOW_OPEN",
		[KHV_EXIT_IOAPIC_EOI] = "IOAPIC_EOI",
		[KHV_EXIT_MEMORY_QUOTA] = "MEMORY_QUOTA",
	};

	return reason < ARRAY_SIZE(names) && names[reason] ? names[reason] : "?";
}

void vcpu_describe_exit(struct khv_test_vcpu *vcpu, char *buf, size_t len)
{
	struct khv_run *run = vcpu->run;
	struct khv_regs regs;
	int n;

	memset(&regs, 0, sizeof(regs));
	vcpu_get_regs(vcpu, &regs);
	n = snprintf(buf, len, "exit %s (%u) at rip 0x%llx:", exit_reason_str(run->exit_reason),
		     run->exit_reason, (unsigned long long)regs.rip);
	if (n < 0 || (size_t)n >= len)
		return;
	buf += n;
	len -= n;
	switch (run->exit_reason) {
	case KHV_EXIT_IO:
		snprintf(buf, len, " %s port 0x%x size %u count %u",
			 run->io.direction == KHV_EXIT_IO_OUT ? "out" : "in",
			 run->io.port, run->io.size, run->io.count);
		break;
	case KHV_EXIT_MMIO:
		snprintf(buf, len, " %s gpa 0x%llx len %u", run->mmio.is_write ? "write" : "read",
			 (unsigned long long)run->mmio.phys_addr, run->mmio.len);
		break;
	case KHV_EXIT_EMULATION_FAILED:
		snprintf(buf, len, " gpa 0x%llx insn_len %u bytes %02x %02x %02x %02x",
			 (unsigned long long)run->emulation.gpa, run->emulation.insn_len,
			 run->emulation.insn[0], run->emulation.insn[1],
			 run->emulation.insn[2], run->emulation.insn[3]);
		break;
	case KHV_EXIT_FAIL_ENTRY:
		snprintf(buf, len, " hardware reason 0x%llx cpu %u",
			 (unsigned long long)run->fail_entry.hardware_reason, run->fail_entry.cpu);
		break;
	case KHV_EXIT_INTERNAL_ERROR:
	case KHV_EXIT_UNKNOWN:
		snprintf(buf, len, " hardware exit 0x%llx info 0x%llx 0x%llx",
			 (unsigned long long)run->internal.hardware_exit_reason,
			 (unsigned long long)run->internal.info[0],
			 (unsigned long long)run->internal.info[1]);
		break;
	default:
		snprintf(buf, len, " -");
	}
}

/* ---- the asserting layer ------------------------------------------------ */

struct khv_test_vm *vm_create_with_ram(size_t ram_bytes)
{
	struct khv_test_vm *vm = vm_create(ram_bytes);

	TEST_ASSERT(vm, "vm_create(0x%zx): %s", ram_bytes, strerror(errno));
	return vm;
}

struct khv_test_vm *vm_create_for_guest_code(void)
{
	struct khv_test_vm *vm = vm_create_long_mode();

	TEST_ASSERT(vm, "vm_create_long_mode: %s", strerror(errno));
	return vm;
}

struct khv_test_vcpu *vm_vcpu_add(struct khv_test_vm *vm, uint32_t id)
{
	struct khv_test_vcpu *vcpu = vcpu_add(vm, id);

	TEST_ASSERT(vcpu, "KHV_CREATE_VCPU %u: %s", id, strerror(errno));
	return vcpu;
}

struct khv_test_vm *vm_create_with_one_vcpu(struct khv_test_vcpu **vcpu,
					    void (*guest_code)(uint64_t),
					    uint64_t arg)
{
	struct khv_test_vm *vm = vm_create_for_guest_code();
	int r;

	*vcpu = vm_vcpu_add(vm, 0);
	r = vcpu_set_long_mode(*vcpu, guest_code, arg);
	TEST_ASSERT(!r, "long mode: %s", strerror(-r));
	return vm;
}

void vcpu_run_ok(struct khv_test_vcpu *vcpu)
{
	int r = vcpu_run(vcpu);

	TEST_ASSERT(!r, "KHV_RUN: %s", strerror(-r));
}

void vcpu_run_exit(struct khv_test_vcpu *vcpu, uint32_t reason)
{
	char why[256];

	vcpu_run_ok(vcpu);
	vcpu_describe_exit(vcpu, why, sizeof(why));
	TEST_ASSERT(vcpu->run->exit_reason == reason, "expected %s, got %s",
		    exit_reason_str(reason), why);
}

/* The file and message of the last UCALL_ASSERT get_ucall() read here. */
static __thread char ucall_file[128], ucall_msg[256];

uint64_t get_ucall(struct khv_test_vcpu *vcpu, struct ucall *uc)
{
	return vcpu_get_ucall(vcpu, uc, ucall_file, sizeof(ucall_file),
			      ucall_msg, sizeof(ucall_msg));
}

void report_guest_assert(const struct ucall *uc)
{
	TEST_FAIL("%s:%llu: %s (0x%llx, 0x%llx)", ucall_file,
		  (unsigned long long)uc->line, ucall_msg,
		  (unsigned long long)uc->args[0],
		  (unsigned long long)uc->args[1]);
}

void vcpu_run_to_ucall(struct khv_test_vcpu *vcpu, struct ucall *uc,
		       uint64_t want)
{
	char why[256];
	uint64_t cmd;

	vcpu_run_ok(vcpu);
	cmd = get_ucall(vcpu, uc);
	if (cmd == UCALL_NONE) {
		vcpu_describe_exit(vcpu, why, sizeof(why));
		TEST_FAIL("not a ucall: %s", why);
	}
	if (cmd == UCALL_ASSERT && want != UCALL_ASSERT)
		REPORT_GUEST_ASSERT(*uc);
	TEST_ASSERT_EQ(want, cmd);
}
