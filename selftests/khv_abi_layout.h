/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The layout of every structure of uapi/linux/khv.h, and every ioctl number,
 * pinned. A VMM built for i386 and one built for x86-64 must see one layout
 * (the module passes a 32-bit VMM's ioctls through compat_ptr_ioctl
 * unchanged: Documentation/khv-abi.rst, "32-bit VMMs"), so the selftest build
 * compiles this header with -m64 (khv_dev_test) and with -m32 (khv_abi32 and
 * khv_abi_layout.c, where the compiler can), with -Wpadded: any padding the
 * compiler adds instead of a named padding field fails the build.
 *
 * Only C11 and <stddef.h>: it must compile without a C library.
 */
#ifndef KHV_ABI_LAYOUT_H
#define KHV_ABI_LAYOUT_H

#include <stddef.h>

#include <linux/khv.h>

#define KHV_ABI_AT(type, field, off) \
	_Static_assert(offsetof(struct type, field) == (off), \
		       #type "." #field " is at " #off)
#define KHV_ABI_SIZE(type, size) \
	_Static_assert(sizeof(struct type) == (size), #type " is " #size " bytes")
#define KHV_ABI_FIELD_SIZE(type, field, size) \
	_Static_assert(sizeof(((struct type *)0)->field) == (size), \
		       #type "." #field " is " #size " bytes")

KHV_ABI_SIZE(khv_create_vm, 64);
KHV_ABI_AT(khv_create_vm, flags, 0);
KHV_ABI_AT(khv_create_vm, reserved, 4);

KHV_ABI_SIZE(khv_memory_region, 64);
KHV_ABI_AT(khv_memory_region, slot, 0);
KHV_ABI_AT(khv_memory_region, flags, 4);
KHV_ABI_AT(khv_memory_region, guest_phys_addr, 8);
KHV_ABI_AT(khv_memory_region, size, 16);
KHV_ABI_AT(khv_memory_region, mmap_offset, 24);
KHV_ABI_AT(khv_memory_region, reserved, 32);

KHV_ABI_SIZE(khv_create_vcpu, 32);
KHV_ABI_AT(khv_create_vcpu, id, 0);
KHV_ABI_AT(khv_create_vcpu, flags, 4);
KHV_ABI_AT(khv_create_vcpu, reserved, 8);

KHV_ABI_SIZE(khv_regs, 192);
KHV_ABI_AT(khv_regs, rax, 0);
KHV_ABI_AT(khv_regs, r15, 120);
KHV_ABI_AT(khv_regs, rip, 128);
KHV_ABI_AT(khv_regs, rflags, 136);
KHV_ABI_AT(khv_regs, reserved, 144);

/* 12.9 of issue 12: 26 bytes of fields, 6 (x86-64) or 2 (i386) of them hidden. */
KHV_ABI_SIZE(khv_segment, 32);
KHV_ABI_AT(khv_segment, base, 0);
KHV_ABI_AT(khv_segment, limit, 8);
KHV_ABI_AT(khv_segment, selector, 12);
KHV_ABI_AT(khv_segment, type, 14);
KHV_ABI_AT(khv_segment, present, 15);
KHV_ABI_AT(khv_segment, dpl, 16);
KHV_ABI_AT(khv_segment, db, 17);
KHV_ABI_AT(khv_segment, s, 18);
KHV_ABI_AT(khv_segment, l, 19);
KHV_ABI_AT(khv_segment, g, 20);
KHV_ABI_AT(khv_segment, avl, 21);
KHV_ABI_AT(khv_segment, unusable, 22);
KHV_ABI_AT(khv_segment, padding, 23);
KHV_ABI_FIELD_SIZE(khv_segment, padding, 9);

KHV_ABI_SIZE(khv_dtable, 16);
KHV_ABI_AT(khv_dtable, base, 0);
KHV_ABI_AT(khv_dtable, limit, 8);
KHV_ABI_AT(khv_dtable, padding, 10);

KHV_ABI_SIZE(khv_sregs, 408);
KHV_ABI_AT(khv_sregs, cs, 0);
KHV_ABI_AT(khv_sregs, ds, 32);
KHV_ABI_AT(khv_sregs, es, 64);
KHV_ABI_AT(khv_sregs, fs, 96);
KHV_ABI_AT(khv_sregs, gs, 128);
KHV_ABI_AT(khv_sregs, ss, 160);
KHV_ABI_AT(khv_sregs, tr, 192);
KHV_ABI_AT(khv_sregs, ldt, 224);
KHV_ABI_AT(khv_sregs, gdt, 256);
KHV_ABI_AT(khv_sregs, idt, 272);
KHV_ABI_AT(khv_sregs, cr0, 288);
KHV_ABI_AT(khv_sregs, cr2, 296);
KHV_ABI_AT(khv_sregs, cr3, 304);
KHV_ABI_AT(khv_sregs, cr4, 312);
KHV_ABI_AT(khv_sregs, cr8, 320);
KHV_ABI_AT(khv_sregs, efer, 328);
KHV_ABI_AT(khv_sregs, apic_base, 336);
KHV_ABI_AT(khv_sregs, reserved, 344);

KHV_ABI_SIZE(khv_msr_entry, 16);
KHV_ABI_AT(khv_msr_entry, index, 0);
KHV_ABI_AT(khv_msr_entry, reserved, 4);
KHV_ABI_AT(khv_msr_entry, data, 8);
KHV_ABI_SIZE(khv_msrs, 8 + KHV_MAX_MSR_ENTRIES * 16);
KHV_ABI_AT(khv_msrs, nmsrs, 0);
KHV_ABI_AT(khv_msrs, flags, 4);
KHV_ABI_AT(khv_msrs, entries, 8);

KHV_ABI_SIZE(khv_cpuid_entry, 40);
KHV_ABI_AT(khv_cpuid_entry, function, 0);
KHV_ABI_AT(khv_cpuid_entry, index, 4);
KHV_ABI_AT(khv_cpuid_entry, flags, 8);
KHV_ABI_AT(khv_cpuid_entry, eax, 12);
KHV_ABI_AT(khv_cpuid_entry, edx, 24);
KHV_ABI_AT(khv_cpuid_entry, reserved, 28);
KHV_ABI_SIZE(khv_cpuid, 8 + KHV_MAX_CPUID_ENTRIES * 40);
KHV_ABI_AT(khv_cpuid, nent, 0);
KHV_ABI_AT(khv_cpuid, flags, 4);
KHV_ABI_AT(khv_cpuid, entries, 8);

KHV_ABI_SIZE(khv_run, 320);
KHV_ABI_AT(khv_run, immediate_exit, 0);
KHV_ABI_AT(khv_run, request_interrupt_window, 1);
KHV_ABI_AT(khv_run, ready_for_interrupt_injection, 2);
KHV_ABI_AT(khv_run, if_flag, 3);
KHV_ABI_AT(khv_run, exit_reason, 4);
KHV_ABI_AT(khv_run, flags, 8);
KHV_ABI_AT(khv_run, reserved, 16);
KHV_ABI_AT(khv_run, io.direction, 64);
KHV_ABI_AT(khv_run, io.size, 65);
KHV_ABI_AT(khv_run, io.port, 66);
KHV_ABI_AT(khv_run, io.count, 68);
KHV_ABI_AT(khv_run, io.data_offset, 72);
KHV_ABI_AT(khv_run, mmio.phys_addr, 64);
KHV_ABI_AT(khv_run, mmio.data, 72);
KHV_ABI_AT(khv_run, mmio.len, 80);
KHV_ABI_AT(khv_run, mmio.is_write, 84);
KHV_ABI_AT(khv_run, mmio.padding, 85);
KHV_ABI_AT(khv_run, fail_entry.hardware_reason, 64);
KHV_ABI_AT(khv_run, fail_entry.cpu, 72);
KHV_ABI_AT(khv_run, fail_entry.padding, 76);
KHV_ABI_AT(khv_run, internal.hardware_exit_reason, 64);
KHV_ABI_AT(khv_run, internal.info, 72);
KHV_ABI_AT(khv_run, emulation.gpa, 64);
KHV_ABI_AT(khv_run, emulation.insn_len, 72);
KHV_ABI_AT(khv_run, emulation.insn, 73);
KHV_ABI_AT(khv_run, hypercall.nr, 64);
KHV_ABI_AT(khv_run, hypercall.args, 72);
KHV_ABI_AT(khv_run, hypercall.ret, 112);
KHV_ABI_AT(khv_run, eoi.vector, 64);
KHV_ABI_AT(khv_run, eoi.padding, 65);
KHV_ABI_AT(khv_run, memory_quota.gpa, 64);
KHV_ABI_AT(khv_run, memory_quota.is_write, 72);
KHV_ABI_AT(khv_run, memory_quota.limit, 73);
KHV_ABI_AT(khv_run, memory_quota.padding, 74);
KHV_ABI_AT(khv_run, padding2, 64);

KHV_ABI_SIZE(khv_vcpu_events, 96);
KHV_ABI_AT(khv_vcpu_events, exception.injected, 0);
KHV_ABI_AT(khv_vcpu_events, exception.pending, 1);
KHV_ABI_AT(khv_vcpu_events, exception.vector, 2);
KHV_ABI_AT(khv_vcpu_events, exception.has_error, 3);
KHV_ABI_AT(khv_vcpu_events, exception.error, 4);
KHV_ABI_AT(khv_vcpu_events, exception.has_payload, 8);
KHV_ABI_AT(khv_vcpu_events, exception.padding, 9);
KHV_ABI_AT(khv_vcpu_events, exception.payload, 16);
KHV_ABI_AT(khv_vcpu_events, interrupt.injected, 24);
KHV_ABI_AT(khv_vcpu_events, interrupt.vector, 25);
KHV_ABI_AT(khv_vcpu_events, interrupt.soft, 26);
KHV_ABI_AT(khv_vcpu_events, interrupt.shadow, 27);
KHV_ABI_AT(khv_vcpu_events, interrupt.pending, 28);
KHV_ABI_AT(khv_vcpu_events, interrupt.pending_vector, 29);
KHV_ABI_AT(khv_vcpu_events, interrupt.padding, 30);
KHV_ABI_AT(khv_vcpu_events, nmi.injected, 32);
KHV_ABI_AT(khv_vcpu_events, nmi.pending, 33);
KHV_ABI_AT(khv_vcpu_events, nmi.masked, 34);
KHV_ABI_AT(khv_vcpu_events, nmi.padding, 35);
KHV_ABI_AT(khv_vcpu_events, flags, 40);
KHV_ABI_AT(khv_vcpu_events, reserved, 44);

KHV_ABI_SIZE(khv_interrupt, 16);
KHV_ABI_AT(khv_interrupt, vector, 0);
KHV_ABI_AT(khv_interrupt, flags, 4);
KHV_ABI_AT(khv_interrupt, reserved, 8);

KHV_ABI_SIZE(khv_xsave, 4096);
KHV_ABI_AT(khv_xsave, region, 0);

KHV_ABI_SIZE(khv_xcr, 16);
KHV_ABI_AT(khv_xcr, xcr, 0);
KHV_ABI_AT(khv_xcr, reserved, 4);
KHV_ABI_AT(khv_xcr, value, 8);

KHV_ABI_SIZE(khv_xcrs, 392);
KHV_ABI_AT(khv_xcrs, nr_xcrs, 0);
KHV_ABI_AT(khv_xcrs, flags, 4);
KHV_ABI_AT(khv_xcrs, xcrs, 8);
KHV_ABI_AT(khv_xcrs, padding, 264);

KHV_ABI_SIZE(khv_msi, 32);
KHV_ABI_AT(khv_msi, address_lo, 0);
KHV_ABI_AT(khv_msi, address_hi, 4);
KHV_ABI_AT(khv_msi, data, 8);
KHV_ABI_AT(khv_msi, flags, 12);
KHV_ABI_AT(khv_msi, reserved, 16);

KHV_ABI_SIZE(khv_irqfd, 32);
KHV_ABI_AT(khv_irqfd, fd, 0);
KHV_ABI_AT(khv_irqfd, flags, 4);
KHV_ABI_AT(khv_irqfd, address_lo, 8);
KHV_ABI_AT(khv_irqfd, address_hi, 12);
KHV_ABI_AT(khv_irqfd, data, 16);
KHV_ABI_AT(khv_irqfd, reserved, 20);

KHV_ABI_SIZE(khv_io_passthrough, 32);
KHV_ABI_AT(khv_io_passthrough, base, 0);
KHV_ABI_AT(khv_io_passthrough, count, 4);
KHV_ABI_AT(khv_io_passthrough, flags, 8);
KHV_ABI_AT(khv_io_passthrough, reserved, 12);

KHV_ABI_SIZE(khv_pci_device, 32);
KHV_ABI_AT(khv_pci_device, segment, 0);
KHV_ABI_AT(khv_pci_device, bus, 2);
KHV_ABI_AT(khv_pci_device, devfn, 3);
KHV_ABI_AT(khv_pci_device, flags, 4);
KHV_ABI_AT(khv_pci_device, reserved, 8);

KHV_ABI_SIZE(khv_device_msi, 32);
KHV_ABI_AT(khv_device_msi, segment, 0);
KHV_ABI_AT(khv_device_msi, bus, 2);
KHV_ABI_AT(khv_device_msi, devfn, 3);
KHV_ABI_AT(khv_device_msi, flags, 4);
KHV_ABI_AT(khv_device_msi, address_lo, 8);
KHV_ABI_AT(khv_device_msi, address_hi, 12);
KHV_ABI_AT(khv_device_msi, data, 16);
KHV_ABI_AT(khv_device_msi, reserved, 20);

KHV_ABI_SIZE(khv_host_mmio, 48);
KHV_ABI_AT(khv_host_mmio, hpa, 0);
KHV_ABI_AT(khv_host_mmio, gpa, 8);
KHV_ABI_AT(khv_host_mmio, size, 16);
KHV_ABI_AT(khv_host_mmio, flags, 24);
KHV_ABI_AT(khv_host_mmio, reserved, 28);

KHV_ABI_SIZE(khv_lapic_state, 1024);

KHV_ABI_SIZE(khv_mp_state, 8);
KHV_ABI_AT(khv_mp_state, mp_state, 0);
KHV_ABI_AT(khv_mp_state, reserved, 4);

/* The numbers carry the sizes: one number per ioctl on both ABIs. */
#define KHV_ABI_IOCTL(cmd, val) \
	_Static_assert((cmd) == (val), #cmd " is " #val)

KHV_ABI_IOCTL(KHV_GET_API_VERSION, 0x0000af40u);
KHV_ABI_IOCTL(KHV_CHECK_EXTENSION, 0x0000af41u);
KHV_ABI_IOCTL(KHV_CREATE_VM, 0x4040af42u);
KHV_ABI_IOCTL(KHV_GET_VCPU_MMAP_SIZE, 0x0000af43u);
KHV_ABI_IOCTL(KHV_SET_MEMORY_REGION, 0xc040af48u);
KHV_ABI_IOCTL(KHV_CREATE_VCPU, 0x4020af49u);
KHV_ABI_IOCTL(KHV_RUN, 0x0000af50u);
KHV_ABI_IOCTL(KHV_GET_REGS, 0x80c0af51u);
KHV_ABI_IOCTL(KHV_SET_REGS, 0x40c0af52u);
KHV_ABI_IOCTL(KHV_GET_SREGS, 0x8198af53u);
KHV_ABI_IOCTL(KHV_SET_SREGS, 0x4198af54u);
KHV_ABI_IOCTL(KHV_GET_MSRS, 0xc208af55u);
KHV_ABI_IOCTL(KHV_SET_MSRS, 0x4208af56u);
KHV_ABI_IOCTL(KHV_SET_CPUID, 0x4c88af57u);
KHV_ABI_IOCTL(KHV_GET_VCPU_EVENTS, 0x8060af58u);
KHV_ABI_IOCTL(KHV_SET_VCPU_EVENTS, 0x4060af59u);
KHV_ABI_IOCTL(KHV_INTERRUPT, 0x4010af5au);
KHV_ABI_IOCTL(KHV_NMI, 0x0000af5bu);
KHV_ABI_IOCTL(KHV_GET_XSAVE, 0x9000af70u);
KHV_ABI_IOCTL(KHV_SET_XSAVE, 0x5000af71u);
KHV_ABI_IOCTL(KHV_GET_XCRS, 0x8188af72u);
KHV_ABI_IOCTL(KHV_SET_XCRS, 0x4188af73u);
KHV_ABI_IOCTL(KHV_CREATE_IRQCHIP, 0x0000af4au);
KHV_ABI_IOCTL(KHV_SIGNAL_MSI, 0x4020af4bu);
KHV_ABI_IOCTL(KHV_IRQFD, 0x4020af4cu);
KHV_ABI_IOCTL(KHV_SET_IO_PASSTHROUGH, 0x4020af4du);
KHV_ABI_IOCTL(KHV_ASSIGN_PCI_DEVICE, 0x4020af4eu);
KHV_ABI_IOCTL(KHV_DEASSIGN_PCI_DEVICE, 0x4020af4fu);
KHV_ABI_IOCTL(KHV_MAP_HOST_MMIO, 0x4030af5cu);
KHV_ABI_IOCTL(KHV_SET_DEVICE_MSI, 0x4020af5du);
KHV_ABI_IOCTL(KHV_GET_LAPIC, 0x8400af68u);
KHV_ABI_IOCTL(KHV_SET_LAPIC, 0x4400af69u);
KHV_ABI_IOCTL(KHV_GET_MP_STATE, 0x8008af6au);
KHV_ABI_IOCTL(KHV_SET_MP_STATE, 0x4008af6bu);

#endif /* KHV_ABI_LAYOUT_H */
