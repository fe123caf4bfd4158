// SPDX-License-Identifier: GPL-2.0-only
/*
 * A guest page-table walk: 32-bit, PAE and 4-level long-mode paging
 * (SDM Vol. 3A 4.3, 4.4, 4.5). khv_gwalk() checks only presence (the
 * processor already fetched the instruction that walk is for, so the
 * permissions held); khv_gwalk_access() makes the checks of SDM Vol. 3A 4.6
 * for an access khv performs in the guest's name, and says which page fault
 * the processor would raise (4.7).
 */
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/module.h>
#include <asm/processor-flags.h>
#include <asm/msr-index.h>
#include <asm/trap_pf.h>

#include "compat.h"
#include "gwalk.h"

#define PTE_P		BIT_ULL(0)
#define PTE_RW		BIT_ULL(1)
#define PTE_US		BIT_ULL(2)
#define PTE_PS		BIT_ULL(7)
#define PTE_XD		BIT_ULL(63)
#define ADDR_52		GENMASK_ULL(51, 12)

/* The rights of a translation, combined over its levels (SDM 4.6.1). */
#define RIGHT_W		BIT(0)	/* writable at every level */
#define RIGHT_U		BIT(1)	/* user-mode at every level */
#define RIGHT_XD	BIT(2)	/* execute-disable at some level (NXE) */

/* Fold one paging-structure entry into the rights so far. */
static u32 khv_gwalk_rights(u32 rights, u64 e, unsigned int mode)
{
	if (!(e & PTE_RW))
		rights &= ~RIGHT_W;
	if (!(e & PTE_US))
		rights &= ~RIGHT_U;
	if ((mode & KHV_GWALK_NXE) && (e & PTE_XD))
		rights |= RIGHT_XD;
	return rights;
}

/**
 * khv_gwalk_mode() - the KHV_GWALK_* flags of a guest's control registers.
 * @cr0: guest CR0.
 * @cr4: guest CR4.
 * @efer: guest EFER.
 *
 * Return: the flags for khv_gwalk().
 */
unsigned int khv_gwalk_mode(u64 cr0, u64 cr4, u64 efer)
{
	unsigned int mode = 0;

	if (cr0 & X86_CR0_PG)
		mode |= KHV_GWALK_PG;
	if (cr4 & X86_CR4_PAE)
		mode |= KHV_GWALK_PAE;
	if (cr4 & X86_CR4_PSE)
		mode |= KHV_GWALK_PSE;
	if (efer & EFER_LMA)
		mode |= KHV_GWALK_LMA;
	if (cr0 & X86_CR0_WP)
		mode |= KHV_GWALK_WP;
	if (efer & EFER_NX)
		mode |= KHV_GWALK_NXE;
	if (cr4 & X86_CR4_SMEP)
		mode |= KHV_GWALK_SMEP;
	if (cr4 & X86_CR4_SMAP)
		mode |= KHV_GWALK_SMAP;
	return mode;
}
EXPORT_SYMBOL_IF_KUNIT(khv_gwalk_mode);

/* 32-bit paging: two levels of 4-byte entries, 4 MiB pages with PSE. */
static int khv_gwalk32(u64 gva, u64 cr3, unsigned int mode,
		       khv_gwalk_read_t read, void *ctx, u64 *gpa, u32 *rights)
{
	u64 pde, pte;
	int r;

	gva &= 0xffffffff;
	r = read(ctx, (cr3 & 0xfffff000) + ((gva >> 22) << 2), 4, &pde);
	if (r)
		return r;
	if (!(pde & PTE_P))
		return -ENOENT;
	*rights = khv_gwalk_rights(*rights, pde, 0);
	if ((pde & PTE_PS) && (mode & KHV_GWALK_PSE)) {
		/* SDM 4.3: bits 20:13 of a 4 MiB PDE are physical bits 39:32. */
		*gpa = (pde & 0xffc00000) | ((pde & 0x1fe000) << 19) |
		       (gva & 0x3fffff);
		return 0;
	}
	r = read(ctx, (pde & 0xfffff000) + (((gva >> 12) & 0x3ff) << 2), 4,
		 &pte);
	if (r)
		return r;
	if (!(pte & PTE_P))
		return -ENOENT;
	*rights = khv_gwalk_rights(*rights, pte, 0);
	*gpa = (pte & 0xfffff000) | (gva & 0xfff);
	return 0;
}

/*
 * The walk: the guest-physical address and the rights of @gva. Return: 0;
 * -ENOENT for a not-present entry, -EINVAL for a non-canonical address;
 * what @read returns when a table is not in guest RAM.
 */
static int khv_gwalk_rights_of(u64 gva, u64 cr3, unsigned int mode,
			       khv_gwalk_read_t read, void *ctx, u64 *gpa,
			       u32 *rights)
{
	unsigned int level, levels, shift;
	u64 table, e;
	int r;

	*rights = RIGHT_W | RIGHT_U;
	if (!(mode & KHV_GWALK_PG)) {
		*gpa = gva;
		return 0;
	}
	if (!(mode & KHV_GWALK_PAE))
		return khv_gwalk32(gva, cr3, mode, read, ctx, gpa, rights);

	if (mode & KHV_GWALK_LMA) {
		/* Bits 63:47 must all equal bit 47 (SDM 3.3.7.1). */
		if ((s64)(gva << 16) >> 16 != (s64)gva)
			return -EINVAL;
		levels = 4;
		table = cr3 & ADDR_52;
	} else {
		/* PAE: CR3 points at four 8-byte PDPTEs (SDM 4.4.1). */
		gva &= 0xffffffff;
		levels = 3;
		table = cr3 & 0xffffffe0;
	}

	for (level = levels; level >= 1; level--) {
		shift = 12 + 9 * (level - 1);
		if (level == 3 && levels == 3)
			r = read(ctx, table + ((gva >> 30) & 3) * 8, 8, &e);
		else
			r = read(ctx, table + ((gva >> shift) & 511) * 8, 8, &e);
		if (r)
			return r;
		if (!(e & PTE_P))
			return -ENOENT;
		/* SDM 4.4.1: PAE PDPTEs control no access rights. */
		if (level != 3 || levels == 4)
			*rights = khv_gwalk_rights(*rights, e, mode);
		/* PS makes a 1 GiB (long mode level 3) or 2 MiB (level 2) page. */
		if ((level == 2 || (level == 3 && levels == 4)) && (e & PTE_PS)) {
			*gpa = (e & ADDR_52 & ~GENMASK_ULL(shift - 1, 0)) |
			       (gva & GENMASK_ULL(shift - 1, 0));
			return 0;
		}
		table = e & ADDR_52;
	}
	*gpa = table | (gva & 0xfff);
	return 0;
}

/**
 * khv_gwalk() - translate a guest-virtual address; presence only.
 * @gva:  the address (a linear address: segment base already added).
 * @cr3:  guest CR3.
 * @mode: khv_gwalk_mode() of the guest.
 * @read: reads guest-physical memory.
 * @ctx:  for @read.
 * @gpa:  out: the guest-physical address.
 *
 * Return: 0; -ENOENT for a not-present entry or a non-canonical address;
 * what @read returns when a table is not in guest RAM.
 */
int khv_gwalk(u64 gva, u64 cr3, unsigned int mode, khv_gwalk_read_t read,
	      void *ctx, u64 *gpa)
{
	u32 rights;
	int r;

	r = khv_gwalk_rights_of(gva, cr3, mode, read, ctx, gpa, &rights);
	return r == -EINVAL ? -ENOENT : r;
}
EXPORT_SYMBOL_IF_KUNIT(khv_gwalk);

/* Whether the rights allow the access (SDM Vol. 3A 4.6.1). */
static bool khv_gwalk_allowed(unsigned int mode, u32 access, u32 rights)
{
	bool write = access & X86_PF_WRITE, fetch = access & X86_PF_INSTR;

	if (fetch && (rights & RIGHT_XD))
		return false;
	if (access & X86_PF_USER)
		return (rights & RIGHT_U) && (!write || (rights & RIGHT_W));
	/* Supervisor-mode accesses. */
	if (write && !(rights & RIGHT_W) && (mode & KHV_GWALK_WP))
		return false;
	if (!(rights & RIGHT_U))
		return true;
	if (fetch)
		return !(mode & KHV_GWALK_SMEP);
	/* SMAP: explicit accesses to user pages only with EFLAGS.AC. */
	return !(mode & KHV_GWALK_SMAP) || (mode & KHV_GWALK_AC);
}

/**
 * khv_gwalk_access() - translate a guest-virtual address for an access, as
 *	the processor checks it.
 * @gva:    the address (a linear address: segment base already added).
 * @cr3:    guest CR3.
 * @mode:   khv_gwalk_mode() of the guest, and KHV_GWALK_AC if its EFLAGS.AC
 *	    is set.
 * @access: the access: X86_PF_WRITE (else a read), X86_PF_USER (CPL 3),
 *	    X86_PF_INSTR (an instruction fetch).
 * @read:   reads guest-physical memory.
 * @ctx:    for @read.
 * @gpa:    out: the guest-physical address.
 * @pfec:   out, for -ENOENT and -EACCES: the error code of the page fault
 *	    the processor raises (SDM 4.7): the access's W/U bits, I for a
 *	    fetch where NXE or SMEP is on, P for a protection fault.
 *
 * Checks presence, U/S, R/W (with CR0.WP for supervisor writes),
 * execute-disable, SMEP and SMAP. Not checked: reserved bits, protection
 * keys (khv refuses CR4.PKE).
 *
 * Return: 0; -ENOENT (not present) or -EACCES (not allowed), the page fault
 * in @pfec; -EINVAL for a non-canonical address (#GP, not a page fault);
 * what @read returns when a table is not in guest RAM.
 */
int khv_gwalk_access(u64 gva, u64 cr3, unsigned int mode, u32 access,
		     khv_gwalk_read_t read, void *ctx, u64 *gpa, u32 *pfec)
{
	u32 rights;
	int r;

	*pfec = access & (X86_PF_WRITE | X86_PF_USER);
	if ((access & X86_PF_INSTR) &&
	    (mode & (KHV_GWALK_NXE | KHV_GWALK_SMEP)))
		*pfec |= X86_PF_INSTR;
	r = khv_gwalk_rights_of(gva, cr3, mode, read, ctx, gpa, &rights);
	if (r || !(mode & KHV_GWALK_PG))
		return r;
	if (!khv_gwalk_allowed(mode, access, rights)) {
		*pfec |= X86_PF_PROT;
		return -EACCES;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(khv_gwalk_access);
