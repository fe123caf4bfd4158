// SPDX-License-Identifier: GPL-2.0-only
/*
 * The monitor multicast group: one message per VM creation, destruction and
 * change, carrying the VM's attributes as vm-get would, and one per audit
 * record. The core announces them (mgmt.c); this is its listener.
 */
#include <net/genetlink.h>
#include <net/net_namespace.h>

#include "mgmt.h"
#include "netlink.h"

/**
 * khv_nl_event_new() - a message for the monitor group, if anyone listens.
 *
 * Process context. Best effort: without memory a listener misses the event
 * (netlink has no other way to tell it than an overrun, ENOBUFS, either).
 *
 * Return: the message, or NULL when no one listens or there is no memory.
 */
struct sk_buff *khv_nl_event_new(void)
{
	if (!genl_has_listeners(&khv_nl_family, &init_net, KHV_NLGRP_MONITOR))
		return NULL;
	return genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
}

/**
 * khv_nl_event_send() - send a message from khv_nl_event_new().
 * @msg: the message, consumed.
 * @r:   what filling it returned: on an error, @msg is dropped instead.
 */
void khv_nl_event_send(struct sk_buff *msg, int r)
{
	if (r) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_multicast(&khv_nl_family, msg, 0, KHV_NLGRP_MONITOR,
			  GFP_KERNEL);
}

/**
 * khv_nl_vm_notify() - announce a VM event to the monitor group.
 * @vm:  the VM, referenced by the caller.
 * @cmd: KHV_CMD_VM_CREATE_NTF, KHV_CMD_VM_DELETE_NTF or KHV_CMD_VM_CHANGE_NTF.
 */
void khv_nl_vm_notify(struct khv_vm *vm, u8 cmd)
{
	struct sk_buff *msg = khv_nl_event_new();

	if (msg)
		khv_nl_event_send(msg, khv_nl_vm_fill(msg, vm, 0, 0, 0, cmd));
}

static void khv_nl_vm_event(struct khv_vm *vm, enum khv_vm_event event)
{
	static const u8 cmds[] = {
		[KHV_VM_EVENT_CREATE] = KHV_CMD_VM_CREATE_NTF,
		[KHV_VM_EVENT_DELETE] = KHV_CMD_VM_DELETE_NTF,
		[KHV_VM_EVENT_CHANGE] = KHV_CMD_VM_CHANGE_NTF,
	};

	if (!WARN_ON_ONCE(event >= ARRAY_SIZE(cmds)))
		khv_nl_vm_notify(vm, cmds[event]);
}

const struct khv_mgmt_listener khv_nl_listener = {
	.vm_event = khv_nl_vm_event,
	.audit_record = khv_nl_audit_notify,
};
