/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * khv selftests: VMs, vCPUs and guest modes, hidden behind a few calls (in the
 * manner of KVM's selftests lib/kvm_util.c).
 *
 *   vm = vm_create(size);            RAM at GPA 0 in slot 0, mmap()ed
 *   vcpu = vcpu_add(vm, 0);          vCPU fd and its struct khv_run
 *   vm_load_code(vm, 0x1000, code, sizeof(code));
 *   vcpu_set_real_mode(vcpu, 0x1000);
 *   vcpu_run(vcpu);                  one KHV_RUN
 *
 * For C guests: vm_create_long_mode() gives a VM whose RAM holds a copy of the
 * test binary at its own addresses, identity-mapped (first 1 GiB, 2 MiB pages),
 * with a GDT, TSS and IDT; vcpu_set_long_mode(vcpu, guest_fn, arg) starts a
 * vCPU in guest_fn(arg) on its own stack; vcpu_get_ucall() reads the
 * GUEST_SYNC/ASSERT/DONE it stopped at.
 *
 * Functions that return a pointer return NULL with errno set on failure;
 * the others return 0 or -errno: the hostile tests assert on the precise
 * error. The asserting layer at the end (KVM's kvm_util.h) fails the test
 * with a message (TEST_ASSERT) instead, for tests that only need things to
 * work:
 *
 *   vm = vm_create_with_one_vcpu(&vcpu, guest_code, arg);
 *   vcpu_run_to_ucall(vcpu, &uc, UCALL_SYNC);   or, by hand:
 *   vcpu_run_ok(vcpu);
 *   switch (get_ucall(vcpu, &uc)) {
 *   case UCALL_ASSERT: REPORT_GUEST_ASSERT(uc);
 *   ...
 */
#ifndef KHV_SELFTEST_VM_H
#define KHV_SELFTEST_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/khv.h>

#include "khv_guest.h"

#define KHV_TEST_MAX_VCPUS	64

/* Guest-physical layout of the system structures of protected/long mode. */
#define GUEST_PML4_GPA		0x10000ul
#define GUEST_PDPT_GPA		0x11000ul
#define GUEST_PD_GPA		0x12000ul
#define GUEST_GDT_GPA		0x13000ul
#define GUEST_IDT_GPA		0x14000ul
#define GUEST_TSS_GPA		0x15000ul
#define GUEST_SYS_END		0x16000ul
/* Each vCPU's stack: GUEST_STACK_TOP - id * GUEST_STACK_SIZE, growing down. */
#define GUEST_STACK_TOP		0x200000ul
#define GUEST_STACK_SIZE	0x8000ul
/* The identity map covers this much; the rest of it without RAM is MMIO. */
#define GUEST_IDMAP_SIZE	(1ul << 30)

/* CR0/CR4/EFER bits (SDM Vol. 3A 2.5, APM Vol. 2 3.1). */
#define X86_CR0_PE		(1ull << 0)
#define X86_CR0_MP		(1ull << 1)
#define X86_CR0_ET		(1ull << 4)
#define X86_CR0_NE		(1ull << 5)
#define X86_CR0_WP		(1ull << 16)
#define X86_CR0_AM		(1ull << 18)
#define X86_CR0_PG		(1ull << 31)
#define X86_CR4_PAE		(1ull << 5)
#define EFER_LME		(1ull << 8)
#define EFER_LMA		(1ull << 10)
#define X86_RFLAGS_FIXED	(1ull << 1)
#define X86_RFLAGS_IF		(1ull << 9)
#define X86_RFLAGS_IOPL3	(3ull << 12)
#define X86_RFLAGS_AC		(1ull << 18)

struct khv_test_vm;

struct khv_test_vcpu {
	struct khv_test_vm *vm;
	uint32_t id;
	int fd;
	struct khv_run *run;
};

struct khv_test_vm {
	int devfd;		/* /dev/khv, for KHV_GET_VCPU_MMAP_SIZE */
	int fd;
	uint8_t *mem;		/* slot 0: RAM at GPA 0 */
	size_t mem_size;
	size_t run_size;
	bool long_mode;		/* vm_setup_long_mode() done */
	struct khv_test_vcpu *vcpus[KHV_TEST_MAX_VCPUS];
};

/* VMs and memory. */
struct khv_test_vm *vm_create(size_t ram_bytes);
int vm_add_region(struct khv_test_vm *vm, uint32_t slot, uint64_t gpa,
		  uint64_t size, uint32_t flags, void **hva);
void *addr_gpa2hva(struct khv_test_vm *vm, uint64_t gpa);
int vm_load_code(struct khv_test_vm *vm, uint64_t gpa, const void *bytes, size_t len);
void vm_free(struct khv_test_vm *vm);

/* Long mode for C guests. */
size_t vm_long_mode_ram_size(void);
int vm_setup_long_mode(struct khv_test_vm *vm);
struct khv_test_vm *vm_create_long_mode(void);
int vm_set_idt_handler(struct khv_test_vm *vm, uint8_t vector, void *handler);
/* Guest virtual = guest physical = test-process address (identity map). */
#define addr_gva2hva(vm, gva)	addr_gpa2hva((vm), (uint64_t)(uintptr_t)(gva))
#define sync_global_to_guest(vm, g)					\
	__builtin_memcpy(addr_gva2hva((vm), &(g)), (const void *)&(g), sizeof(g))
#define sync_global_from_guest(vm, g)					\
	__builtin_memcpy((void *)&(g), addr_gva2hva((vm), &(g)), sizeof(g))

/* vCPUs. */
struct khv_test_vcpu *vcpu_add(struct khv_test_vm *vm, uint32_t id);
int vcpu_get_regs(struct khv_test_vcpu *vcpu, struct khv_regs *regs);
int vcpu_set_regs(struct khv_test_vcpu *vcpu, const struct khv_regs *regs);
int vcpu_get_sregs(struct khv_test_vcpu *vcpu, struct khv_sregs *sregs);
int vcpu_set_sregs(struct khv_test_vcpu *vcpu, const struct khv_sregs *sregs);
int vcpu_set_real_mode(struct khv_test_vcpu *vcpu, uint64_t gpa);
int vcpu_set_protected_mode(struct khv_test_vcpu *vcpu, uint64_t gpa);
int vcpu_set_long_mode(struct khv_test_vcpu *vcpu, void (*guest_code)(uint64_t),
		       uint64_t arg);
/*
 * After vcpu_set_long_mode(): start at CPL 3 instead, with IOPL 3 (ucalls
 * are OUTs) and the identity map made user-accessible. Exceptions go to the
 * (CPL 0) IDT handlers on the lower half of the vCPU's stack (TSS.RSP0).
 */
int vcpu_enter_user_mode(struct khv_test_vcpu *vcpu);
int vcpu_run(struct khv_test_vcpu *vcpu);
/*
 * One MSR through KHV_GET_MSRS or KHV_SET_MSRS (@cmd): @data in, and what
 * the entry holds after the call out. 0 or -errno.
 */
int vcpu_msr(struct khv_test_vcpu *vcpu, unsigned long cmd, uint32_t index, uint64_t *data);
/* Events: KHV_GET/SET_VCPU_EVENTS, KHV_INTERRUPT (@vector), KHV_NMI. */
int vcpu_get_events(struct khv_test_vcpu *vcpu, struct khv_vcpu_events *events);
int vcpu_set_events(struct khv_test_vcpu *vcpu, const struct khv_vcpu_events *events);
int vcpu_interrupt(struct khv_test_vcpu *vcpu, uint32_t vector);
int vcpu_nmi(struct khv_test_vcpu *vcpu);
void vcpu_free(struct khv_test_vcpu *vcpu);

/*
 * The ucall the vCPU's last exit made: UCALL_SYNC/ASSERT/DONE with @uc filled
 * (msg and file copied into @msg/@file), or UCALL_NONE.
 */
uint64_t vcpu_get_ucall(struct khv_test_vcpu *vcpu, struct ucall *uc,
			char *file, size_t file_len, char *msg, size_t msg_len);

/* Describe the last exit for a test log: "IO out port 0x3f8 size 1 ...". */
const char *exit_reason_str(uint32_t reason);
void vcpu_describe_exit(struct khv_test_vcpu *vcpu, char *buf, size_t len);

/* ---- the asserting layer: any failure ends the test (TEST_ASSERT) ---- */

/* vm_create(), vm_create_long_mode() and vcpu_add() that cannot fail. */
struct khv_test_vm *vm_create_with_ram(size_t ram_bytes);
struct khv_test_vm *vm_create_for_guest_code(void);
struct khv_test_vcpu *vm_vcpu_add(struct khv_test_vm *vm, uint32_t id);
/* A long-mode VM whose vCPU 0 starts in guest_code(arg). */
struct khv_test_vm *vm_create_with_one_vcpu(struct khv_test_vcpu **vcpu,
					    void (*guest_code)(uint64_t),
					    uint64_t arg);
/* KHV_RUN that succeeds; ..._exit: and ends with @reason. */
void vcpu_run_ok(struct khv_test_vcpu *vcpu);
void vcpu_run_exit(struct khv_test_vcpu *vcpu, uint32_t reason);

/*
 * The ucall of the vCPU's last exit (UCALL_NONE if it was none), as
 * vcpu_get_ucall(); the file and message of a UCALL_ASSERT are kept, in this
 * thread, for REPORT_GUEST_ASSERT().
 */
uint64_t get_ucall(struct khv_test_vcpu *vcpu, struct ucall *uc);
void report_guest_assert(const struct ucall *uc) __attribute__((noreturn));
#define REPORT_GUEST_ASSERT(uc)	report_guest_assert(&(uc))

/*
 * Run a C guest to its next ucall, which must be @want: an exit that is no
 * ucall, or a GUEST_ASSERT*() that failed, fails the test with the guest's
 * file, line and message.
 */
void vcpu_run_to_ucall(struct khv_test_vcpu *vcpu, struct ucall *uc,
		       uint64_t want);

#endif /* KHV_SELFTEST_VM_H */
