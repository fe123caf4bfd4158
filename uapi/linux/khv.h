/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * khv: the ABI between the khv hypervisor module and user space.
 *
 * Rules (Documentation/khv-abi.rst): fixed-size types only, explicit padding,
 * every structure carries flags and/or reserved space, and the module refuses
 * non-zero reserved fields and unknown flags with -EINVAL so that the ABI can
 * grow. Unknown ioctl numbers return -ENOTTY.
 */
#ifndef _UAPI_LINUX_KHV_H
#define _UAPI_LINUX_KHV_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define KHV_API_VERSION		1

/* ioctl magic: 0xAF 0x40-0x7F (0x00-0x1F belong to fsl_hypervisor). */
#define KHVIO			0xAF

/*
 * KHV_CHECK_EXTENSION arguments. The ioctl returns 0 for an extension the
 * module does not know or does not have, otherwise a positive value whose
 * meaning is given beside each extension.
 */
#define KHV_CAP_VENDOR		1	/* KHV_VENDOR_* of this host */
#define KHV_CAP_NESTED_PAGING	2	/* 1: EPT (Intel) or NPT (AMD) present */
#define KHV_CAP_VIRT_OWNER	3	/* KHV_VIRT_* : who has VMX/SVM on now */
#define KHV_CAP_MAX_VCPUS	4	/* vCPUs a VM may have */
#define KHV_CAP_MAX_VMS		5	/* VMs the host may have at once */
#define KHV_CAP_VCPU_EVENTS	6	/* 1: KHV_GET/SET_VCPU_EVENTS, KHV_INTERRUPT, KHV_NMI */
#define KHV_CAP_XSAVE		7	/* XCR0 bits a guest may have; KHV_GET/SET_XSAVE/XCRS */
#define KHV_CAP_IRQCHIP		8	/* 1: KHV_CREATE_IRQCHIP and what it brings */
#define KHV_CAP_DEVICE_ASSIGN	9	/* 1: KHV_ASSIGN_PCI_DEVICE and what it brings */
#define KHV_CAP_NR		10	/* first unknown extension */

#define KHV_VENDOR_INTEL	1	/* Intel VMX */
#define KHV_VENDOR_AMD		2	/* AMD SVM */

#define KHV_VIRT_OFF		1	/* khv holds no virtualization (no VM) */
#define KHV_VIRT_OWNED		2	/* khv switched VMX/SVM on itself */
#define KHV_VIRT_SHARED		3	/* KVM has it on; khv shares it */

/*
 * struct khv_create_vm - argument of KHV_CREATE_VM.
 * @flags:    none defined yet; must be 0.
 * @reserved: must be 0.
 */
struct khv_create_vm {
	__u32 flags;
	__u32 reserved[15];
};

/*
 * struct khv_memory_region - argument of KHV_SET_MEMORY_REGION (VM fd).
 * Guest memory is allocated by the module (zeroed, accounted to the caller's
 * memory cgroup); user space maps it with mmap() of the VM fd at
 * @mmap_offset to load images and emulate devices.
 * @slot:            0 .. KHV_MAX_MEM_SLOTS - 1, each used once.
 * @flags:           KHV_MEM_READONLY: guest writes exit with KHV_EXIT_MMIO.
 * @guest_phys_addr: 4 KiB aligned.
 * @size:            a non-zero multiple of 4 KiB, at most KHV_MAX_MEM_SIZE.
 * @mmap_offset:     out: where to mmap the VM fd to reach this memory.
 * @reserved:        must be 0.
 */
#define KHV_MEM_READONLY	(1U << 0)
#define KHV_MAX_MEM_SLOTS	32
#define KHV_MAX_MEM_SIZE	(64ULL << 30)

struct khv_memory_region {
	__u32 slot;
	__u32 flags;
	__u64 guest_phys_addr;
	__u64 size;
	__u64 mmap_offset;
	__u64 reserved[4];
};

/*
 * struct khv_create_vcpu - argument of KHV_CREATE_VCPU (VM fd).
 * @id:       0 .. KHV_CAP_MAX_VCPUS - 1, each used once.
 * @flags:    must be 0.
 * @reserved: must be 0.
 */
struct khv_create_vcpu {
	__u32 id;
	__u32 flags;
	__u64 reserved[3];
};

/* General-purpose registers (KHV_GET_REGS / KHV_SET_REGS). */
struct khv_regs {
	__u64 rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
	__u64 r8, r9, r10, r11, r12, r13, r14, r15;
	__u64 rip, rflags;
	__u64 reserved[6];
};

/*
 * A segment register as the hardware caches it. @padding (23 to 31) makes
 * the size 32 bytes for i386 and x86-64 VMMs alike; it must be 0.
 */
struct khv_segment {
	__u64 base;
	__u32 limit;
	__u16 selector;
	__u8 type, present, dpl, db, s, l, g, avl;
	__u8 unusable;
	__u8 padding[9];
};

/* A descriptor table register (GDTR, IDTR); @padding must be 0. */
struct khv_dtable {
	__u64 base;
	__u16 limit;
	__u16 padding[3];
};

/* Special registers (KHV_GET_SREGS / KHV_SET_SREGS). */
struct khv_sregs {
	struct khv_segment cs, ds, es, fs, gs, ss;
	struct khv_segment tr, ldt;
	struct khv_dtable gdt, idt;
	__u64 cr0, cr2, cr3, cr4, cr8;
	__u64 efer;
	__u64 apic_base;
	__u64 reserved[8];
};

/*
 * struct khv_msrs - argument of KHV_GET_MSRS / KHV_SET_MSRS (vCPU fd).
 * Only the MSRs khv lets a guest have are accepted (Documentation/khv-abi.rst);
 * any other index fails the whole call with -EINVAL and changes nothing.
 * @nmsrs:   entries used, 1 .. KHV_MAX_MSR_ENTRIES.
 * @flags:   must be 0.
 * @entries: index in, data in (SET) or out (GET); reserved must be 0.
 */
#define KHV_MAX_MSR_ENTRIES	32

struct khv_msr_entry {
	__u32 index;
	__u32 reserved;
	__u64 data;
};

struct khv_msrs {
	__u32 nmsrs;
	__u32 flags;
	struct khv_msr_entry entries[KHV_MAX_MSR_ENTRIES];
};

/*
 * struct khv_cpuid - argument of KHV_SET_CPUID (vCPU fd): the CPUID values
 * this vCPU's guest sees. Feature bits the host lacks or khv must not give a
 * guest are cleared (Documentation/khv-abi.rst); leaves not in the table read
 * as zeros. Without a table, the guest sees the host's values, masked alike.
 * @nent:    entries used, 1 .. KHV_MAX_CPUID_ENTRIES.
 * @flags:   must be 0.
 * @entries: function (EAX in), index (ECX in, compared only with
 *	     KHV_CPUID_FLAG_INDEX), flags, the four registers; reserved 0.
 */
#define KHV_MAX_CPUID_ENTRIES	80
#define KHV_CPUID_FLAG_INDEX	(1U << 0)

struct khv_cpuid_entry {
	__u32 function;
	__u32 index;
	__u32 flags;
	__u32 eax, ebx, ecx, edx;
	__u32 reserved[3];
};

struct khv_cpuid {
	__u32 nent;
	__u32 flags;
	struct khv_cpuid_entry entries[KHV_MAX_CPUID_ENTRIES];
};

/*
 * The khv hypercall ABI: VMMCALL (AMD) or VMCALL (Intel) with the number in
 * RAX and arguments in RBX, RCX, RDX, RSI, RDI; the result comes back in RAX.
 * Only the guest's kernel may call: at CPL 1-3 every call returns
 * KHV_HC_EPERM. KHV_HC_API_VERSION is answered by the module; numbers from
 * KHV_HC_USER_BASE go to user space as KHV_EXIT_HYPERCALL; any other number
 * returns KHV_HC_ENOSYS.
 */
#define KHV_HC_API_VERSION	0
#define KHV_HC_USER_BASE	0x1000
#define KHV_HC_EPERM		((__u64)-1)
#define KHV_HC_ENOSYS		((__u64)-38)

/* Why KHV_RUN returned (struct khv_run.exit_reason). */
#define KHV_EXIT_UNKNOWN	0	/* hardware exit khv does not handle */
#define KHV_EXIT_IO		1	/* port I/O: khv_run.io */
#define KHV_EXIT_MMIO		2	/* access outside guest RAM: khv_run.mmio */
#define KHV_EXIT_HLT		3	/* HLT with interrupts off (nothing can wake it) */
#define KHV_EXIT_SHUTDOWN	4	/* triple fault */
#define KHV_EXIT_FAIL_ENTRY	5	/* VM entry failed: khv_run.fail_entry */
#define KHV_EXIT_INTERNAL_ERROR	6	/* khv could not go on: khv_run.internal */
#define KHV_EXIT_EMULATION_FAILED 7	/* MMIO instruction not decodable: khv_run.emulation */
#define KHV_EXIT_HYPERCALL	8	/* khv hypercall for user space: khv_run.hypercall */
#define KHV_EXIT_INTR		9	/* interrupted by a signal or immediate_exit */
#define KHV_EXIT_IRQ_WINDOW_OPEN 10	/* request_interrupt_window: the guest can take one */
#define KHV_EXIT_IOAPIC_EOI	11	/* irqchip: a level-triggered vector's EOI: khv_run.eoi */
#define KHV_EXIT_MEMORY_QUOTA	12	/* a first touch refused: khv_run.memory_quota */

#define KHV_EXIT_IO_IN		0
#define KHV_EXIT_IO_OUT		1

/* khv_run.memory_quota.limit: which limit refused the page. */
#define KHV_MEMORY_QUOTA_CAP	1	/* the VM's mem-max */
#define KHV_MEMORY_QUOTA_BUDGET	2	/* the host's mem-budget */
#define KHV_MEMORY_QUOTA_RESERVED 3	/* held for VMs of higher mem-priority */

/*
 * struct khv_run - the vCPU's shared page, mmap()ed from the vCPU fd at
 * offset 0 (KHV_GET_VCPU_MMAP_SIZE bytes). khv writes the exit description;
 * user space completes I/O-in and MMIO-read exits by writing the data in
 * place before the next KHV_RUN, which khv copies and checks, never trusts.
 * The layout is the same for i386 and x86-64 VMMs; so is every structure's
 * in this file (every gap is a named padding field).
 *
 * request_interrupt_window (0 or 1, else KHV_RUN fails with -EINVAL): return
 * with KHV_EXIT_IRQ_WINDOW_OPEN as soon as the guest can take an external
 * interrupt and none is pending (KHV_INTERRUPT). On every return,
 * ready_for_interrupt_injection says whether it can now (RFLAGS.IF set, no
 * STI/MOV SS shadow, no interrupt pending or being delivered) and if_flag
 * is RFLAGS.IF; khv ignores what user space writes there.
 */
struct khv_run {
	__u8 immediate_exit;	/* in: return -EINTR before entering the guest */
	__u8 request_interrupt_window;	/* in */
	__u8 ready_for_interrupt_injection;	/* out */
	__u8 if_flag;		/* out */
	__u32 exit_reason;	/* out: KHV_EXIT_* */
	__u64 flags;		/* none defined: 0, or KHV_RUN fails with -EINVAL */
	__u64 reserved[6];	/* 0, or KHV_RUN fails with -EINVAL */
	union {
		/* KHV_EXIT_IO: data at (char *)run + data_offset, size * count bytes. */
		struct {
			__u8 direction;	/* KHV_EXIT_IO_IN / KHV_EXIT_IO_OUT */
			__u8 size;	/* 1, 2 or 4 */
			__u16 port;
			__u32 count;	/* > 1 for INS/OUTS with REP */
			__u64 data_offset;
		} io;
		/* KHV_EXIT_MMIO */
		struct {
			__u64 phys_addr;
			__u8 data[8];	/* out for writes, in for reads */
			__u32 len;	/* 1, 2, 4 or 8 */
			__u8 is_write;
			__u8 padding[3];
		} mmio;
		/* KHV_EXIT_FAIL_ENTRY */
		struct {
			/* VMX: VM-instruction error or exit reason; SVM: exit code */
			__u64 hardware_reason;
			__u32 cpu;
			__u32 padding;
		} fail_entry;
		/* KHV_EXIT_INTERNAL_ERROR, KHV_EXIT_UNKNOWN */
		struct {
			__u64 hardware_exit_reason;
			__u64 info[2];
		} internal;
		/* KHV_EXIT_EMULATION_FAILED */
		struct {
			__u64 gpa;
			__u8 insn_len;
			__u8 insn[15];
		} emulation;
		/* KHV_EXIT_HYPERCALL */
		struct {
			__u64 nr;
			__u64 args[5];
			__u64 ret;	/* in: returned to the guest in RAX */
		} hypercall;
		/* KHV_EXIT_IOAPIC_EOI: the vector, for the VMM's IOAPIC */
		struct {
			__u8 vector;
			__u8 padding[7];
		} eoi;
		/*
		 * KHV_EXIT_MEMORY_QUOTA: the guest's access to @gpa (its page
		 * not yet allocated) needs a page that a limit refuses; the
		 * access runs again on the next KHV_RUN.
		 */
		struct {
			__u64 gpa;
			__u8 is_write;
			__u8 limit;	/* KHV_MEMORY_QUOTA_* */
			__u8 padding[6];
		} memory_quota;
		__u8 padding2[256];
	};
};

/*
 * struct khv_vcpu_events - argument of KHV_GET_VCPU_EVENTS and
 * KHV_SET_VCPU_EVENTS (vCPU fd): the events a vCPU holds besides its
 * registers, so that it can be saved and restored exactly
 * (Documentation/khv-abi.rst, "Events"). Flags 0 or 1 are booleans.
 *
 * @exception: a hardware exception (vector 0-31, not 2): @injected, its
 *	delivery began and an exit interrupted it; or @pending, raised and
 *	not yet delivered, with CR2 (#PF) or DR6 (#DB) in @payload when
 *	@has_payload. @has_error with @error: its error code (vectors that
 *	push one; dropped outside protected mode).
 * @interrupt: @injected: the external interrupt @vector (32-255) whose
 *	delivery an exit interrupted; @soft: 0 (khv never holds a software
 *	interrupt: its INTn runs again); @shadow: KHV_INTERRUPT_SHADOW_* now in
 *	effect; @pending with @pending_vector: queued by KHV_INTERRUPT, not yet
 *	delivered.
 * @nmi: @injected: an NMI whose delivery an exit interrupted; @pending:
 *	NMIs raised and not yet delivered (0-2; at most 1 while @masked or
 *	@injected); @masked: NMIs blocked until the guest's next IRET.
 * @flags:    none defined: 0.
 * @reserved, padding: 0.
 *
 * At most one of the three @injected, and not with @exception.pending.
 */
#define KHV_INTERRUPT_SHADOW_STI	(1U << 0)
#define KHV_INTERRUPT_SHADOW_MOV_SS	(1U << 1)

struct khv_vcpu_events {
	struct {
		__u8 injected;
		__u8 pending;
		__u8 vector;
		__u8 has_error;
		__u32 error;
		__u8 has_payload;
		__u8 padding[7];
		__u64 payload;
	} exception;
	struct {
		__u8 injected;
		__u8 vector;
		__u8 soft;
		__u8 shadow;
		__u8 pending;
		__u8 pending_vector;
		__u8 padding[2];
	} interrupt;
	struct {
		__u8 injected;
		__u8 pending;
		__u8 masked;
		__u8 padding[5];
	} nmi;
	__u32 flags;
	__u32 reserved[13];
};

/*
 * struct khv_interrupt - argument of KHV_INTERRUPT (vCPU fd): queue the
 * external interrupt @vector (32-255), as an interrupt controller in user
 * space (the PIC's ExtINT) raises one. It is delivered when the guest can
 * take it (RFLAGS.IF, no shadow). -EEXIST while one is already queued.
 * @flags, @reserved: 0.
 */
struct khv_interrupt {
	__u32 vector;
	__u32 flags;
	__u32 reserved[2];
};

/*
 * struct khv_xsave - argument of KHV_GET_XSAVE and KHV_SET_XSAVE (vCPU fd):
 * the guest's x87, SSE, AVX, AVX-512 and PKRU state as an XSAVE area in the
 * standard (non-compacted) format, the components at the host's offsets
 * (CPUID.(EAX=0DH,ECX=i):EBX), PKRU included. KHV_SET_XSAVE checks it as
 * XRSTOR would: XSTATE_BV within the host's supported components, XCOMP_BV
 * and the header's reserved bytes 0, MXCSR within MXCSR_MASK
 * (Documentation/khv-abi.rst, "Extended state").
 */
struct khv_xsave {
	__u32 region[1024];
};

/*
 * struct khv_xcrs - argument of KHV_GET_XCRS and KHV_SET_XCRS (vCPU fd): the
 * extended control registers; XCR0 is the only one (@xcr 0).
 * @nr_xcrs: entries used, 0 .. KHV_MAX_XCRS.
 * @flags:   must be 0.
 * @xcrs:    register number, reserved (0), value.
 * @padding: must be 0.
 */
#define KHV_MAX_XCRS		16

struct khv_xcr {
	__u32 xcr;
	__u32 reserved;
	__u64 value;
};

struct khv_xcrs {
	__u32 nr_xcrs;
	__u32 flags;
	struct khv_xcr xcrs[KHV_MAX_XCRS];
	__u64 padding[16];
};

/*
 * struct khv_msi - argument of KHV_SIGNAL_MSI (VM fd, after
 * KHV_CREATE_IRQCHIP): one message-signalled interrupt, as a device writes
 * it (SDM Vol. 3A 11.11): @address_lo 0xfeeXXXXX with the destination ID in
 * bits 19:12, the redirection hint in bit 3 and the destination mode in bit
 * 2; @address_hi bits 31:8 of an x2APIC destination ID (bits 7:0 must be 0);
 * @data the vector in bits 7:0, the delivery mode in bits 10:8 (fixed,
 * lowest priority or NMI), the trigger mode in bit 15. Returns how many
 * local APICs took it (0: none matched).
 * @flags, @reserved: 0.
 */
struct khv_msi {
	__u32 address_lo;
	__u32 address_hi;
	__u32 data;
	__u32 flags;
	__u32 reserved[4];
};

/*
 * struct khv_irqfd - argument of KHV_IRQFD (VM fd, after
 * KHV_CREATE_IRQCHIP): each signal of the eventfd @fd delivers the MSI
 * @address_lo/@address_hi/@data (as struct khv_msi) without stopping any
 * vCPU. With KHV_IRQFD_DEASSIGN in @flags the binding of @fd goes (the MSI
 * fields must be 0 then). At most KHV_MAX_IRQFDS per VM.
 * @reserved: 0.
 */
#define KHV_IRQFD_DEASSIGN	(1U << 0)
#define KHV_MAX_IRQFDS		256

struct khv_irqfd {
	__u32 fd;
	__u32 flags;
	__u32 address_lo;
	__u32 address_hi;
	__u32 data;
	__u32 reserved[3];
};

/*
 * struct khv_io_passthrough - argument of KHV_SET_IO_PASSTHROUGH (VM fd):
 * open the ports @base .. @base + @count - 1 to the guest, which then reach
 * the hardware without an exit on every vCPU, or close them again with
 * KHV_IO_PASSTHROUGH_CLOSE in @flags (always allowed). Opening needs every
 * port in the VM's device ACL, which only an administrator sets (netlink
 * acl-add): otherwise EPERM, an audit record and the VM's violation action
 * (Documentation/khv-abi.rst, "Port passthrough").
 * @count: 1 .. 0x10000 - @base.
 * @reserved: 0.
 */
#define KHV_IO_PASSTHROUGH_CLOSE	(1U << 0)

struct khv_io_passthrough {
	__u32 base;
	__u32 count;
	__u32 flags;
	__u32 reserved[5];
};

/*
 * struct khv_pci_device - argument of KHV_ASSIGN_PCI_DEVICE and
 * KHV_DEASSIGN_PCI_DEVICE (VM fd): a host PCI function given to the guest
 * behind the IOMMU, its DMA confined to the VM's memory at guest-physical
 * addresses, or taken back (Documentation/khv-abi.rst, "Device
 * assignment"). The function must be in the VM's device ACL.
 * @segment: PCI segment (domain).
 * @bus:     bus number.
 * @devfn:   device << 3 | function.
 * @flags:   none defined: 0.
 * @reserved: 0.
 */
struct khv_pci_device {
	__u16 segment;
	__u8 bus;
	__u8 devfn;
	__u32 flags;
	__u32 reserved[6];
};

/*
 * struct khv_device_msi - argument of KHV_SET_DEVICE_MSI (VM fd, with the
 * irqchip): an assigned function's MSI, taken by the host, raises the
 * message @address_lo/@address_hi/@data (as struct khv_msi) in the guest;
 * with KHV_DEVICE_MSI_OFF in @flags the host stops taking it (the message
 * fields must be 0 then).
 * @segment, @bus, @devfn: the function, as struct khv_pci_device.
 * @reserved: 0.
 */
#define KHV_DEVICE_MSI_OFF	(1U << 0)
#define KHV_DEVICE_MSI_INTX	(1U << 1)

struct khv_device_msi {
	__u16 segment;
	__u8 bus;
	__u8 devfn;
	__u32 flags;
	__u32 address_lo;
	__u32 address_hi;
	__u32 data;
	__u32 reserved[3];
};

/*
 * struct khv_host_mmio - argument of KHV_MAP_HOST_MMIO (VM fd): map the
 * host-physical MMIO @hpa .. @hpa + @size - 1 at @gpa in the guest,
 * uncacheable, or with KHV_HOST_MMIO_UNMAP in @flags remove the mapping
 * made at @gpa with this @size (@hpa must be 0 then). The range must be in
 * the VM's ACL (kind mmio), or in a memory BAR of a PCI function assigned
 * to the VM; it is never host RAM.
 * @hpa, @gpa, @size: page-aligned; @size not 0.
 * @reserved: 0.
 */
#define KHV_HOST_MMIO_UNMAP	(1U << 0)

struct khv_host_mmio {
	__u64 hpa;
	__u64 gpa;
	__u64 size;
	__u32 flags;
	__u32 reserved[5];
};

/*
 * struct khv_lapic_state - argument of KHV_GET_LAPIC / KHV_SET_LAPIC (vCPU
 * fd, with the irqchip): the local APIC's registers as the xAPIC page lays
 * them out, each 32-bit register at its offset (SDM Vol. 3A Table 11-1), as
 * KVM's kvm_lapic_state. In x2APIC mode the ID register holds the 32-bit
 * x2APIC ID and ICR2 (0x310) the ICR's high half.
 */
#define KHV_LAPIC_REGS_SIZE	1024

struct khv_lapic_state {
	__u8 regs[KHV_LAPIC_REGS_SIZE];
};

/*
 * struct khv_mp_state - argument of KHV_GET_MP_STATE / KHV_SET_MP_STATE
 * (vCPU fd, with the irqchip).
 * @mp_state: KHV_MP_STATE_*.
 * @reserved: 0.
 */
#define KHV_MP_STATE_RUNNABLE		0
#define KHV_MP_STATE_UNINITIALIZED	1	/* waiting for INIT */
#define KHV_MP_STATE_INIT_RECEIVED	2	/* waiting for SIPI */
#define KHV_MP_STATE_HALTED		3

struct khv_mp_state {
	__u32 mp_state;
	__u32 reserved;
};

/* On /dev/khv. */
#define KHV_GET_API_VERSION	_IO(KHVIO, 0x40)
#define KHV_CHECK_EXTENSION	_IO(KHVIO, 0x41)
#define KHV_CREATE_VM		_IOW(KHVIO, 0x42, struct khv_create_vm)
#define KHV_GET_VCPU_MMAP_SIZE	_IO(KHVIO, 0x43)

/* On a VM fd. */
#define KHV_SET_MEMORY_REGION	_IOWR(KHVIO, 0x48, struct khv_memory_region)
#define KHV_CREATE_VCPU		_IOW(KHVIO, 0x49, struct khv_create_vcpu)
#define KHV_CREATE_IRQCHIP	_IO(KHVIO, 0x4a)
#define KHV_SIGNAL_MSI		_IOW(KHVIO, 0x4b, struct khv_msi)
#define KHV_IRQFD		_IOW(KHVIO, 0x4c, struct khv_irqfd)
#define KHV_SET_IO_PASSTHROUGH	_IOW(KHVIO, 0x4d, struct khv_io_passthrough)
#define KHV_ASSIGN_PCI_DEVICE	_IOW(KHVIO, 0x4e, struct khv_pci_device)
#define KHV_DEASSIGN_PCI_DEVICE	_IOW(KHVIO, 0x4f, struct khv_pci_device)
#define KHV_MAP_HOST_MMIO	_IOW(KHVIO, 0x5c, struct khv_host_mmio)
#define KHV_SET_DEVICE_MSI	_IOW(KHVIO, 0x5d, struct khv_device_msi)

/* On a vCPU fd. */
#define KHV_RUN			_IO(KHVIO, 0x50)
#define KHV_GET_REGS		_IOR(KHVIO, 0x51, struct khv_regs)
#define KHV_SET_REGS		_IOW(KHVIO, 0x52, struct khv_regs)
#define KHV_GET_SREGS		_IOR(KHVIO, 0x53, struct khv_sregs)
#define KHV_SET_SREGS		_IOW(KHVIO, 0x54, struct khv_sregs)
#define KHV_GET_MSRS		_IOWR(KHVIO, 0x55, struct khv_msrs)
#define KHV_SET_MSRS		_IOW(KHVIO, 0x56, struct khv_msrs)
#define KHV_SET_CPUID		_IOW(KHVIO, 0x57, struct khv_cpuid)
#define KHV_GET_VCPU_EVENTS	_IOR(KHVIO, 0x58, struct khv_vcpu_events)
#define KHV_SET_VCPU_EVENTS	_IOW(KHVIO, 0x59, struct khv_vcpu_events)
#define KHV_INTERRUPT		_IOW(KHVIO, 0x5a, struct khv_interrupt)
#define KHV_NMI			_IO(KHVIO, 0x5b)
#define KHV_GET_XSAVE		_IOR(KHVIO, 0x70, struct khv_xsave)
#define KHV_SET_XSAVE		_IOW(KHVIO, 0x71, struct khv_xsave)
#define KHV_GET_XCRS		_IOR(KHVIO, 0x72, struct khv_xcrs)
#define KHV_SET_XCRS		_IOW(KHVIO, 0x73, struct khv_xcrs)
#define KHV_GET_LAPIC		_IOR(KHVIO, 0x68, struct khv_lapic_state)
#define KHV_SET_LAPIC		_IOW(KHVIO, 0x69, struct khv_lapic_state)
#define KHV_GET_MP_STATE	_IOR(KHVIO, 0x6a, struct khv_mp_state)
#define KHV_SET_MP_STATE	_IOW(KHVIO, 0x6b, struct khv_mp_state)

#endif /* _UAPI_LINUX_KHV_H */
