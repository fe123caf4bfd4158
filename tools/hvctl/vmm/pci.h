/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest's PCI bus under hvctl run --kernel (Documentation/hvctl.8,
 * --device): configuration mechanism #1, CONFIG_ADDRESS at port 0xcf8
 * (dword accesses only: a byte at 0xcf9 is still the reset register) and
 * CONFIG_DATA at 0xcfc-0xcff (bytes, words, dwords), one bus, number 0.
 * 00:00.0 is a host bridge (8086:1237, class 0x060000, as QEMU's i440FX):
 * Linux's type 1 probe wants one. Each --device is function 0 of its own
 * slot, 00:01.0, 00:02.0, ... in the order given, with a configuration
 * space made from the host function's (read once, pure code here):
 *
 * - its IDs, revision, class, subsystem IDs and interrupt pin; header type
 *   0, single function; cache line, latency timer, interrupt line and the
 *   command register the guest's (the host keeps the device enabled: the
 *   guest's command bits never reach it; its INTx Disable turns the INTx
 *   forwarding off); status: the capability list bit only;
 * - memory BARs at the guest addresses the VMM mapped them at
 *   (vmm_bar_plan()), with the host BAR's type bits, answering the size
 *   probe (all ones written) with the size mask; any other write is
 *   ignored: the VMM keeps its placement. I/O BARs, BARs not mapped
 *   (smaller than a page) and 32-bit BARs placed above 4 GiB read 0
 *   (absent); so does the expansion ROM;
 * - of the capabilities, only MSI, at the host's offset, the last in the
 *   list, shadowed: one vector (Multiple Message Capable 0, Multiple
 *   Message Enable stays 0), no per-vector masking, 32- or 64-bit as the
 *   host's. Its enable bit and message go to khv (KHV_SET_DEVICE_MSI)
 *   through the set_msi callback; everything else above the header reads
 *   0 and ignores writes;
 * - INTx: function N's pin is routed to I/O APIC pin PCI_INTX_PIN_BASE + N
 *   (level, active low in the MP table); the interrupt line register says
 *   that pin. The guest's redirection entry for it (pci_redir_written())
 *   becomes KHV_SET_DEVICE_MSI with KHV_DEVICE_MSI_INTX and the entry's
 *   message, or INTX|OFF when it is masked; khv delivers the function's
 *   INTx itself. While the guest has MSI on, INTx is off (khv takes one of
 *   the two at a time: off goes first).
 *
 * Anything else reads all ones and drops writes: the enable bit clear,
 * another bus, a function other than 0, an empty slot, reserved address
 * bits 30:24 set (AMD's extended register bits included: there is no
 * extended configuration space).
 */
#ifndef VMM_PCI_H
#define VMM_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/khv.h>

#include "ioapic.h"
#include "pcidev.h"

#define PCI_CONFIG_ADDRESS	0xcf8
#define PCI_CONFIG_DATA		0xcfc
#define PCI_CFG_SIZE		256
#define PCI_CFG_HEADER		64
#define PCI_INTX_PIN_BASE	16	/* function N's INTx: I/O APIC pin 16 + N */

/* Header registers. */
#define PCI_VENDOR		0x00
#define PCI_DEVICE		0x02
#define PCI_COMMAND		0x04
#define PCI_STATUS		0x06
#define PCI_REVISION		0x08
#define PCI_CACHE_LINE		0x0c
#define PCI_LATENCY		0x0d
#define PCI_HEADER_TYPE		0x0e
#define PCI_BAR0		0x10
#define PCI_SUBSYS_VENDOR	0x2c
#define PCI_SUBSYS_ID		0x2e
#define PCI_ROM			0x30
#define PCI_CAP_PTR		0x34
#define PCI_INT_LINE		0x3c
#define PCI_INT_PIN		0x3d

#define PCI_COMMAND_MEMORY	0x0002
#define PCI_COMMAND_INTX_OFF	0x0400
#define PCI_STATUS_CAP_LIST	0x0010
#define PCI_CAP_MSI		0x05

/* The MSI capability's registers, from its offset. */
#define PCI_MSI_CONTROL		2
#define PCI_MSI_ADDR_LO		4
#define PCI_MSI_ADDR_HI		8	/* 64-bit layout */
#define PCI_MSI_DATA_32		8
#define PCI_MSI_DATA_64		12
#define PCI_MSI_ENABLE		0x0001
#define PCI_MSI_64BIT		0x0080

/* One function of the guest's bus: what it reads, and what khv was told. */
struct pci_fn {
	uint32_t sbdf;			/* the host's function */
	uint8_t slot;			/* the guest's device number, function 0 */
	uint8_t ioapic_pin;		/* its INTx's I/O APIC pin; 0: no INTx */
	uint8_t cfg[PCI_CFG_SIZE];	/* the guest's view, BARs aside */
	uint8_t wmask[PCI_CFG_SIZE];	/* the bits the guest writes */
	uint32_t bar[VMM_PCI_BARS];	/* each BAR dword as placed */
	uint32_t bar_mask[VMM_PCI_BARS];	/* the size probe's answer; 0: none */
	uint32_t bar_written[VMM_PCI_BARS];	/* all ones: the mask reads */
	uint8_t msi;			/* the MSI capability's offset; 0: none */
	uint8_t msi_len;		/* 10, or 14 for the 64-bit layout */
	uint64_t redir;			/* the guest's entry of ioapic_pin */
	/* What khv has, after the calls that succeeded. */
	bool msi_on, intx_on;
	struct ioapic_msi msi_sent, intx_sent;
	unsigned int errors;		/* KHV_SET_DEVICE_MSI calls that failed */
};

struct pci_bus {
	uint32_t address;		/* CONFIG_ADDRESS */
	struct pci_fn bridge;		/* 00:00.0 */
	unsigned int nr;
	struct pci_fn *fns[VMM_MAX_DEVICES];
	/*
	 * KHV_SET_DEVICE_MSI with @msi (the caller's lock held): 0 or
	 * -errno. NULL: nobody is told.
	 */
	int (*set_msi)(void *opaque, const struct khv_device_msi *msi);
	void *opaque;
};

/*
 * @f: the guest's function @index (slot @index + 1, I/O APIC pin
 * PCI_INTX_PIN_BASE + @index) for host function @sbdf, whose
 * configuration space is @host (@len bytes: 64 to 256 are taken) and whose
 * BARs the VMM placed as @bars says. 0, or -1 with *@why set: fewer than
 * 64 bytes, a header type other than 0, @index beyond VMM_MAX_DEVICES.
 */
int pci_fn_init(struct pci_fn *f, uint32_t sbdf, unsigned int index, const uint8_t *host,
		size_t len, const struct vmm_bar bars[VMM_PCI_BARS], const char **why);
/* The bus with its host bridge only; set_msi NULL. */
void pci_init(struct pci_bus *b);
/* @f on the bus (it stays the caller's): 0, or -1 when the bus is full. */
int pci_attach(struct pci_bus *b, struct pci_fn *f);
/*
 * A port access of @size bytes at @port: true when it is the bus's
 * (CONFIG_ADDRESS as a dword, or one starting at CONFIG_DATA's ports;
 * bytes past 0xcff read all ones and are dropped), false for the caller's
 * other ports (a byte at 0xcf9 included).
 */
bool pci_pio(struct pci_bus *b, uint16_t port, unsigned int size, bool write, uint8_t *data);
/*
 * @len bytes (1 to 4) at @offset of @f's configuration space (@offset +
 * @len at most 256), as the guest reads or writes them.
 */
void pci_cfg_access(struct pci_bus *b, struct pci_fn *f, unsigned int offset,
		    unsigned int len, bool write, uint8_t *data);
/* The guest wrote I/O APIC @pin's redirection entry: now @entry. */
void pci_redir_written(struct pci_bus *b, unsigned int pin, uint64_t entry);

#endif /* VMM_PCI_H */
