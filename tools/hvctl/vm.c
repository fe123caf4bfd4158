// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvctl vm list | show ID | set ID name NAME
 */
#include <stdio.h>
#include <string.h>

#include <linux/khv_netlink.h>

#include "hvctl.h"

/* One VM as an object: the same keys in text, JSON, lists and events. */
void print_vm(struct nlattr **tb)
{
	print_u64("id", tb[KHV_A_VM_ID] ? nla_get_u64(tb[KHV_A_VM_ID]) : 0);
	print_string("name", tb[KHV_A_VM_NAME] ?
		     nla_get_string(tb[KHV_A_VM_NAME]) : "");
	print_u64("owner_uid", tb[KHV_A_VM_OWNER_UID] ?
		  nla_get_u32(tb[KHV_A_VM_OWNER_UID]) : 0);
	print_u64("pid", tb[KHV_A_VM_PID] ? nla_get_u32(tb[KHV_A_VM_PID]) : 0);
	print_u64("created_ns", tb[KHV_A_VM_CREATED_NS] ?
		  nla_get_u64(tb[KHV_A_VM_CREATED_NS]) : 0);
}

static int vm_print(struct nlattr **tb, uint8_t cmd, void *arg)
{
	(void)cmd;
	(void)arg;
	print_open_object(NULL);
	print_vm(tb);
	print_close_object();
	return 0;
}

static int vm_list(int argc, char **argv)
{
	struct nl_msg *msg;
	int r;

	if (argc > 0)
		return hv_usage_error("vm list: unexpected argument \"%s\"", argv[0]);
	if (hv_nl_open())
		return EXIT_KERNEL;
	msg = hv_nl_msg(KHV_CMD_VM_GET, NLM_F_DUMP);
	if (!msg)
		return EXIT_KERNEL;
	print_open_array(NULL);
	r = hv_nl_exec(msg, KHV_A_VM_MAX, vm_print, NULL);
	print_close_array();
	return r ? EXIT_KERNEL : EXIT_OK;
}

static int vm_show(int argc, char **argv)
{
	struct nl_msg *msg;
	uint64_t id;
	int r;

	if (argc != 1)
		return hv_usage_error("usage: hvctl vm show ID");
	r = hv_parse_u64(argv[0], "VM id", &id);
	if (r)
		return r;
	if (hv_nl_open())
		return EXIT_KERNEL;
	msg = hv_nl_msg(KHV_CMD_VM_GET, 0);
	if (!msg || nla_put_u64(msg, KHV_A_VM_ID, id))
		return EXIT_KERNEL;
	return hv_nl_exec(msg, KHV_A_VM_MAX, vm_print, NULL) ?
	       EXIT_KERNEL : EXIT_OK;
}

static int vm_set(int argc, char **argv)
{
	static const char *const keys[] = { "name" };
	const char *name = NULL;
	struct nl_msg *msg;
	uint64_t id;
	int i, r;

	if (argc < 1)
		return hv_usage_error("usage: hvctl vm set ID name NAME");
	r = hv_parse_u64(argv[0], "VM id", &id);
	if (r)
		return r;
	for (i = 1; i < argc; i += 2) {
		if (hv_match(argv[i], keys, 1) != 0)
			return hv_usage_error("vm set: unknown key \"%s\" (known: name)",
					      argv[i]);
		if (i + 1 >= argc)
			return hv_usage_error("vm set: name needs a value");
		name = argv[i + 1];
	}
	if (!name)
		return hv_usage_error("vm set: nothing to set (name NAME)");
	if (hv_nl_open())
		return EXIT_KERNEL;
	/* The kernel validates the name, and says what is wrong with it. */
	msg = hv_nl_msg(KHV_CMD_VM_SET, 0);
	if (!msg || nla_put_u64(msg, KHV_A_VM_ID, id) ||
	    nla_put_string(msg, KHV_A_VM_NAME, name))
		return EXIT_KERNEL;
	return hv_nl_exec(msg, KHV_A_VM_MAX, NULL, NULL) ?
	       EXIT_KERNEL : EXIT_OK;
}

static void vm_usage(void)
{
	fprintf(stderr,
		"Usage: hvctl vm [ list ]\n"
		"       hvctl vm show ID\n"
		"       hvctl vm set ID name NAME\n"
		"NAME: 1 to 63 printable ASCII characters, unique among VMs.\n");
}

static const struct hv_cmd vm_cmds[] = {
	{ "list", vm_list },
	{ "show", vm_show },
	{ "set", vm_set },
	{ NULL, NULL },
};

int do_vm(int argc, char **argv)
{
	return hv_dispatch("vm", vm_cmds, argc, argv, vm_usage);
}
