// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel command line of a Linux guest: see cmdline.h. Words are split
 * at spaces as the kernel's parse_args() splits them outside quotes; a
 * quoted value never holds a parameter name that matters here.
 */
#include <stdio.h>
#include <string.h>

#include "cmdline.h"

/* Where init's arguments ("--" as a word) start, or the end. */
static const char *cmdline_init_args(const char *s)
{
	const char *p = s;

	while ((p = strstr(p, "--"))) {
		if ((p == s || p[-1] == ' ') && (p[2] == ' ' || !p[2]))
			return p;
		p += 2;
	}
	return s + strlen(s);
}

int cmdline_has(const char *cmdline, const char *name)
{
	const char *end = cmdline_init_args(cmdline), *p = cmdline;
	size_t n = strlen(name);

	while ((p = strstr(p, name)) && p < end) {
		if ((p == cmdline || p[-1] == ' ') &&
		    (p[n] == '=' || p[n] == ' ' || !p[n]))
			return 1;
		p += n;
	}
	return 0;
}

int cmdline_build(char *out, size_t len, const char *user, uint32_t tsc_khz)
{
	const char *init = cmdline_init_args(user);
	int n, kernel_len = init - user;
	char added[64] = "";

	if (tsc_khz && !cmdline_has(user, "tsc_early_khz"))
		snprintf(added, sizeof(added), " tsc_early_khz=%u", tsc_khz);
	if (!cmdline_has(user, "no_timer_check"))
		strcat(added, " no_timer_check");
	/* The user's kernel part without its trailing spaces. */
	while (kernel_len && user[kernel_len - 1] == ' ')
		kernel_len--;
	n = snprintf(out, len, "%.*s%s%s%s", kernel_len, user,
		     kernel_len ? added : added + 1, *init ? " " : "", init);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}
