// SPDX-License-Identifier: GPL-2.0-only
/*
 * The core emits events, the management plane listens: VM creation,
 * deletion and change, and every audit record, for the netlink monitor
 * group (Documentation/netlink/specs/khv.yaml, mcast-groups). The core
 * (vm.c, audit.c) knows nothing of netlink; module/netlink/ registers its
 * listener once its family exists and removes it before the family goes.
 *
 * One listener, so one registered ops pointer rather than a notifier chain:
 * the callbacks keep their types (a chain passes an unsigned long and a
 * void *), and a blocking chain would be this same rwsem behind one more
 * indirection. The listener sleeps (it allocates, and takes a VM's locks to
 * describe it), so the pointer is read under an rwsem rather than RCU;
 * khv_mgmt_unlisten() takes it for writing, so that no call is still inside
 * the listener when it returns.
 */
#include <linux/bug.h>
#include <linux/rwsem.h>

#include "mgmt.h"

static DECLARE_RWSEM(khv_mgmt_sem);
static const struct khv_mgmt_listener *khv_mgmt_listener;	/* khv_mgmt_sem */

/**
 * khv_mgmt_listen() - hear the core's events from now on.
 * @l: the listener; only one at a time.
 */
void khv_mgmt_listen(const struct khv_mgmt_listener *l)
{
	down_write(&khv_mgmt_sem);
	WARN_ON_ONCE(khv_mgmt_listener);
	khv_mgmt_listener = l;
	up_write(&khv_mgmt_sem);
}

/**
 * khv_mgmt_unlisten() - hear no more; no call is in the listener on return.
 */
void khv_mgmt_unlisten(void)
{
	down_write(&khv_mgmt_sem);
	khv_mgmt_listener = NULL;
	up_write(&khv_mgmt_sem);
}

void khv_mgmt_vm_event(struct khv_vm *vm, enum khv_vm_event event)
{
	down_read(&khv_mgmt_sem);
	if (khv_mgmt_listener)
		khv_mgmt_listener->vm_event(vm, event);
	up_read(&khv_mgmt_sem);
}

void khv_mgmt_audit_record(const struct khv_audit_rec *rec)
{
	down_read(&khv_mgmt_sem);
	if (khv_mgmt_listener)
		khv_mgmt_listener->audit_record(rec);
	up_read(&khv_mgmt_sem);
}
