/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The terminal's escape character, as QEMU's -serial mon:stdio has it:
 * Ctrl-A then x quits, then h (or ?) asks for help, then Ctrl-A sends one
 * Ctrl-A to the guest; Ctrl-A then anything else is dropped, both bytes.
 * Every other byte goes to the guest as it is (Ctrl-C included). Off, every
 * byte goes to the guest.
 */
#ifndef VMM_ESCAPE_H
#define VMM_ESCAPE_H

#include <stdbool.h>
#include <stdint.h>

#define ESC_CHAR	0x01		/* Ctrl-A */

enum esc_action {
	ESC_NONE,			/* nothing (yet) */
	ESC_BYTE,			/* *out to the guest */
	ESC_QUIT,
	ESC_HELP,
};

struct escape {
	bool on;
	bool pending;			/* Ctrl-A seen */
};

void esc_init(struct escape *e, bool on);
enum esc_action esc_feed(struct escape *e, uint8_t c, uint8_t *out);

#endif /* VMM_ESCAPE_H */
