// SPDX-License-Identifier: GPL-2.0-only
/*
 * khv_unload_test: khv cannot be unloaded from under an open VM.
 *
 * Runs last in the suite: if the module wrongly lets itself be unloaded, the
 * tests after it would fail for that reason, and the rig's oops detection
 * catches the fallout of closing a VM fd whose code is gone.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "khv_util.h"

FIXTURE(unload) {
	int dev;
	int vm[2];
	long refcnt_idle;	/* khv's refcnt with none of our fds open */
};

FIXTURE_SETUP(unload)
{
	self->dev = self->vm[0] = self->vm[1] = -1;
	ASSERT_EQ(KHV_MOD_LOADED, khv_module_state(KHV_MODULE_NAME))
		TH_LOG("the khv module is not loaded");
	self->refcnt_idle = khv_module_refcnt(KHV_MODULE_NAME);
	ASSERT_LE(0, self->refcnt_idle)
		TH_LOG("/sys/module/khv/refcnt: %s (CONFIG_MODULE_UNLOAD?)",
		       strerror((int)-self->refcnt_idle));
	self->dev = khv_open_dev();
	ASSERT_LE(0, self->dev)
		TH_LOG("no " KHV_DEV_PATH ": %s", strerror(-self->dev));
}

FIXTURE_TEARDOWN(unload)
{
	if (self->vm[0] >= 0)
		close(self->vm[0]);
	if (self->vm[1] >= 0)
		close(self->vm[1]);
	if (self->dev >= 0)
		close(self->dev);
}

TEST_F_TIMEOUT(unload, module_unload_refused_with_open_vm, 300)
{
	long vms = -1;
	int r;

	self->vm[0] = khv_create_vm(self->dev);
	ASSERT_LE(0, self->vm[0])
		TH_LOG("KHV_CREATE_VM: %s", strerror(-self->vm[0]));

	/* Only the VM fd is left: it alone must pin the module. */
	close(self->dev);
	self->dev = -1;
	EXPECT_LT(self->refcnt_idle, khv_module_refcnt(KHV_MODULE_NAME))
		TH_LOG("an open VM fd holds no reference on khv");

	r = khv_module_unload(KHV_MODULE_NAME);
	ASSERT_TRUE(r == -EBUSY || r == -EWOULDBLOCK)
		TH_LOG("delete_module(khv) with a VM fd open: %s",
		       r ? strerror(-r) : "succeeded: khv unloaded under an open VM");
	ASSERT_EQ(KHV_MOD_LOADED, khv_module_state(KHV_MODULE_NAME));

	/* The refused unload left the module working. */
	self->dev = khv_open_dev();
	ASSERT_LE(0, self->dev);
	EXPECT_EQ(KHV_API_VERSION, khv_ioctl(self->dev, KHV_GET_API_VERSION, 0));
	self->vm[1] = khv_create_vm(self->dev);
	ASSERT_LE(0, self->vm[1])
		TH_LOG("KHV_CREATE_VM after the refused unload: %s", strerror(-self->vm[1]));
	EXPECT_EQ(0, khv_debugfs_get_long("vms", &vms));
	EXPECT_EQ(2, vms);

	close(self->vm[0]);
	close(self->vm[1]);
	close(self->dev);
	self->vm[0] = self->vm[1] = self->dev = -1;

	/* Nothing left behind: an unload would now go through. */
	EXPECT_EQ(0, khv_debugfs_get_long("vms", &vms));
	EXPECT_EQ(0, vms);
	EXPECT_EQ(self->refcnt_idle, khv_module_refcnt(KHV_MODULE_NAME))
		TH_LOG("khv keeps references after every fd closed");
}

TEST_HARNESS_MAIN
