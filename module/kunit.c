// SPDX-License-Identifier: GPL-2.0-only
/*
 * khv_kunit.ko: KUnit suites for khv's pure logic. The suites sit beside the
 * code they test (*_test.c); this file only names the module.
 */
#include <linux/module.h>

#include "compat.h"

MODULE_DESCRIPTION("KUnit tests for the khv hypervisor");
MODULE_LICENSE("GPL");
KHV_IMPORT_KUNIT_NS();
