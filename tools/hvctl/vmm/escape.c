// SPDX-License-Identifier: GPL-2.0-only
/* The terminal's Ctrl-A commands (escape.h). */
#include "escape.h"

void esc_init(struct escape *e, bool on)
{
	e->on = on;
	e->pending = false;
}

enum esc_action esc_feed(struct escape *e, uint8_t c, uint8_t *out)
{
	if (!e->pending) {
		if (e->on && c == ESC_CHAR) {
			e->pending = true;
			return ESC_NONE;
		}
		*out = c;
		return ESC_BYTE;
	}
	e->pending = false;
	switch (c) {
	case ESC_CHAR:
		*out = c;
		return ESC_BYTE;
	case 'x':
		return ESC_QUIT;
	case 'h':
	case '?':
		return ESC_HELP;
	default:
		return ESC_NONE;
	}
}
