// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the guest's kernel command line: the added parameters, the
 * user's own kept and never doubled, init's arguments left last, and a
 * buffer too small refused.
 */
#include <string.h>

#include "cmdline.h"
#include "tap.h"

static char out[256];

static int build(const char *user, unsigned int khz)
{
	memset(out, 0x55, sizeof(out));
	return cmdline_build(out, sizeof(out), user, khz);
}

static void added(void)
{
	CHECK_EQ(build("console=ttyS0", 2495000), 0);
	CHECK(!strcmp(out, "console=ttyS0 tsc_early_khz=2495000 no_timer_check"));
	CHECK_EQ(build("", 1000), 0);
	CHECK(!strcmp(out, "tsc_early_khz=1000 no_timer_check"));
	CHECK_EQ(build("quiet  ", 0), 0);		/* no leaf: no tsc_early_khz */
	CHECK(!strcmp(out, "quiet no_timer_check"));
}

static void user_wins(void)
{
	static const char whole[] =
		"xtsc_early_khz=1 no_timer_checker tsc_early_khz=7 no_timer_check";

	CHECK_EQ(build("tsc_early_khz=5 no_timer_check", 7), 0);
	CHECK(!strcmp(out, "tsc_early_khz=5 no_timer_check"));
	CHECK_EQ(build("a no_timer_check=1 b", 7), 0);
	CHECK(!strcmp(out, "a no_timer_check=1 b tsc_early_khz=7"));
	/* Only whole names count. */
	CHECK_EQ(build("xtsc_early_khz=1 no_timer_checker", 7), 0);
	CHECK(!strcmp(out, whole));
}

static void init_args(void)
{
	static const char want[] =
		"quiet tsc_early_khz=9 no_timer_check -- no_timer_check tsc_early_khz=1";

	CHECK_EQ(build("quiet -- no_timer_check tsc_early_khz=1", 9), 0);
	CHECK(!strcmp(out, want));
	CHECK_EQ(build("-- x", 9), 0);
	CHECK(!strcmp(out, "tsc_early_khz=9 no_timer_check -- x"));
	CHECK_EQ(build("a --b", 9), 0);		/* "--b" is no separator */
	CHECK(!strcmp(out, "a --b tsc_early_khz=9 no_timer_check"));
	CHECK(cmdline_has("a -- no_timer_check", "no_timer_check") == 0);
	CHECK(cmdline_has("no_timer_check --", "no_timer_check") == 1);
	CHECK_EQ(build("noapic -- noapic", 9), 0);	/* the user's, as given */
	CHECK(!strcmp(out, "noapic tsc_early_khz=9 no_timer_check -- noapic"));
}

static void too_small(void)
{
	char small[24];

	CHECK(cmdline_build(small, sizeof(small), "console=ttyS0", 1) < 0);
	CHECK_EQ(cmdline_build(small, sizeof(small), "no_timer_check", 0), 0);
	CHECK(!strcmp(small, "no_timer_check"));
}

int main(void)
{
	static const struct tap_case cases[] = {
		TAP_CASE(added),
		TAP_CASE(user_wins),
		TAP_CASE(init_args),
		TAP_CASE(too_small),
	};

	return tap_main(cases, ARRAY_SIZE(cases));
}
