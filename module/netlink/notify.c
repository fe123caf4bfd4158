// SPDX-License-Identifier: GPL-2.0-only
/*
 * The monitor multicast group: one message per VM creation, destruction and
 * change, carrying the VM's attributes as vm-get would.
 */
#include <net/genetlink.h>
#include <net/net_namespace.h>

#include "khv.h"
#include "netlink.h"

/**
 * khv_nl_vm_notify() - announce a VM event to the monitor group.
 * @vm:  the VM, referenced by the caller.
 * @cmd: KHV_CMD_VM_CREATE_NTF, KHV_CMD_VM_DELETE_NTF or KHV_CMD_VM_CHANGE_NTF.
 *
 * Process context. Best effort: without memory a listener misses the event
 * (netlink has no other way to tell it than an overrun, ENOBUFS, either).
 */
void khv_nl_vm_notify(struct khv_vm *vm, u8 cmd)
{
	struct sk_buff *msg;

	if (!genl_has_listeners(&khv_nl_family, &init_net, KHV_NLGRP_MONITOR))
		return;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	if (khv_nl_vm_fill(msg, vm, 0, 0, 0, cmd)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_multicast(&khv_nl_family, msg, 0, KHV_NLGRP_MONITOR,
			  GFP_KERNEL);
}
