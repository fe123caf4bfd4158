// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of hvctl run --device's pure part: function names (and the
 * ones refused), a sysfs resource file as QEMU's edu device has it, and
 * the guest addresses of the BARs: aligned, packed, within the window,
 * I/O BARs and BARs smaller than a page left out.
 */
#include <string.h>

#include "pcidev.h"
#include "tap.h"

static void bdf_names(void)
{
	uint32_t s = 0;
	char buf[16];

	CHECK_EQ(vmm_parse_bdf("0000:00:04.0", &s), 0);
	CHECK_EQ(s, 0x20);
	CHECK_EQ(vmm_parse_bdf("00:1f.7", &s), 0);
	CHECK_EQ(s, 0xff);
	CHECK_EQ(vmm_parse_bdf("ffff:ff:1f.7", &s), 0);
	CHECK_EQ(s, 0xffffffff);
	vmm_bdf_name(0x10a3, buf, sizeof(buf));
	CHECK(!strcmp(buf, "0000:10:14.3"));
	CHECK(vmm_parse_bdf("00:20.0", &s) < 0);	/* device 32 */
	CHECK(vmm_parse_bdf("00:1f.8", &s) < 0);
	CHECK(vmm_parse_bdf("10000:00:00.0", &s) < 0);
	CHECK(vmm_parse_bdf("00:04.0x", &s) < 0);
	CHECK(vmm_parse_bdf("-1:04.0", &s) < 0);
	CHECK(vmm_parse_bdf("", &s) < 0);
	CHECK(vmm_parse_bdf("04.0", &s) < 0);
}

/* QEMU's edu: a 1 MiB memory BAR 0, nothing else, then ROM and bridge lines. */
static const char edu[] =
	"0x00000000fea00000 0x00000000feafffff 0x0000000000040200\n"
	"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
	"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
	"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
	"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
	"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
	"0x0000000000000000 0x0000000000000000 0x0000000000000000\n";

static void resource_file(void)
{
	struct vmm_bar b[VMM_PCI_BARS];

	CHECK_EQ(vmm_parse_resource(edu, b), 0);
	CHECK_EQ(b[0].hpa, 0xfea00000);
	CHECK_EQ(b[0].size, 0x100000);
	CHECK(b[0].mem);
	CHECK_EQ(b[1].size, 0);
	CHECK(vmm_parse_resource("0x1000 0x0fff 0x200\n", b) < 0);	/* end < start */
	CHECK(vmm_parse_resource("garbage", b) < 0);
	CHECK(vmm_parse_resource("0x1000 0x1fff 0x200\n", b) < 0);	/* too few lines */
}

static void bar_placement(void)
{
	struct vmm_bar b[VMM_PCI_BARS] = {
		{ .hpa = 0xfe000000, .size = 0x4000, .mem = true },
		{ .hpa = 0xc000, .size = 0x40, .mem = false },		/* I/O */
		{ .hpa = 0xfe100000, .size = 0x100000, .mem = true },
		{ .hpa = 0xfe204000, .size = 0x100, .mem = true },	/* < a page */
		{ .hpa = 0x800000000ULL, .size = 0x200000, .mem = true },
	};
	uint64_t next = 0x10001000;

	CHECK_EQ(vmm_bar_plan(b, &next, 0x40000000), 0);
	CHECK_EQ(b[0].gpa, 0x10004000);
	CHECK_EQ(b[1].gpa, 0);
	CHECK_EQ(b[2].gpa, 0x10100000);
	CHECK_EQ(b[3].gpa, 0);
	CHECK_EQ(b[4].gpa, 0x10200000);
	CHECK_EQ(next, 0x10400000);
	/* No room below the limit: refused. */
	next = 0x3ff00000;
	CHECK(vmm_bar_plan(b, &next, 0x40000000) < 0);
}

int main(void)
{
	static const struct tap_case cases[] = {
		TAP_CASE(bdf_names),
		TAP_CASE(resource_file),
		TAP_CASE(bar_placement),
	};

	return tap_main(cases, ARRAY_SIZE(cases));
}
