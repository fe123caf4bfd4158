// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvctl quota set VM [ mem-min SIZE ] [ mem-max SIZE ]: a VM's memory
 * guarantee and cap (quota-set; 0 removes one);
 * hvctl quota show VM: them and the VM's allocation (vm-get).
 */
#include <stdio.h>
#include <string.h>

#include <linux/khv_netlink.h>

#include "hvctl.h"

#define QUOTA_SET_USAGE \
	"usage: hvctl quota set VM [ mem-min SIZE ] [ mem-max SIZE ]"

static int quota_print(struct nlattr **tb, uint8_t cmd, void *arg)
{
	(void)cmd;
	(void)arg;
	print_open_object(NULL);
	print_u64("id", hv_get_u64(tb[KHV_A_VM_ID]));
	print_string("name", hv_get_str(tb[KHV_A_VM_NAME]));
	print_size("mem_min", hv_get_u64(tb[KHV_A_VM_MEM_MIN]));
	print_size("mem_max", hv_get_u64(tb[KHV_A_VM_MEM_MAX]));
	print_size("mem_allocated", hv_get_u64(tb[KHV_A_VM_MEM_ALLOCATED]));
	print_close_object();
	return 0;
}

static int quota_show(int argc, char **argv)
{
	struct nl_msg *msg;
	uint64_t id;
	int r;

	r = hv_vm_arg(&argc, &argv, &id);
	if (r)
		return r;
	if (argc)
		return hv_usage_error("unexpected \"%s\"; usage: hvctl quota show VM",
				      argv[0]);
	msg = hv_nl_msg(KHV_CMD_VM_GET, 0);
	if (!msg || nla_put_u64(msg, KHV_A_VM_ID, id))
		return EXIT_KERNEL;
	return hv_nl_exec(msg, KHV_A_VM_MAX, quota_print, NULL) ?
	       EXIT_KERNEL : EXIT_OK;
}

/* Keys may be written as --key too (hvctl quota set vm1 --mem-max 1G). */
static int quota_set(int argc, char **argv)
{
	static const char *const keys[] = { "mem-min", "mem-max" };
	bool has[2] = { false, false };
	uint64_t val[2] = { 0, 0 }, id;
	struct nl_msg *msg;
	const char *key;
	int i, k, r;

	if (argc < 1)
		return hv_usage_error(QUOTA_SET_USAGE);
	r = hv_vm_arg(&argc, &argv, &id);
	if (r)
		return r;
	for (i = 0; i < argc; i += 2) {
		key = argv[i];
		if (!strncmp(key, "--", 2))
			key += 2;
		k = hv_match(key, keys, 2);
		if (k < 0)
			return hv_usage_error("quota set: unknown key \"%s\"; %s",
					      argv[i], QUOTA_SET_USAGE);
		if (i + 1 >= argc)
			return hv_usage_error("quota set: %s needs a value", keys[k]);
		r = hv_parse_size(argv[i + 1], keys[k], &val[k]);
		if (r)
			return r;
		has[k] = true;
	}
	if (!has[0] && !has[1])
		return hv_usage_error("quota set: nothing to set; %s", QUOTA_SET_USAGE);
	/* The kernel checks them against the VM and the host, and says why not. */
	msg = hv_nl_msg(KHV_CMD_QUOTA_SET, 0);
	if (!msg || nla_put_u64(msg, KHV_A_VM_ID, id) ||
	    (has[0] && nla_put_u64(msg, KHV_A_VM_MEM_MIN, val[0])) ||
	    (has[1] && nla_put_u64(msg, KHV_A_VM_MEM_MAX, val[1])))
		return EXIT_KERNEL;
	return hv_nl_exec(msg, KHV_A_VM_MAX, NULL, NULL) ?
	       EXIT_KERNEL : EXIT_OK;
}

static void quota_usage(void)
{
	fprintf(stderr, "Usage: hvctl quota show VM\n"
			"       hvctl quota set VM [ mem-min SIZE ] [ mem-max SIZE ]\n"
			"where  VM := { ID | NAME | id ID | name NAME }\n"
			"       SIZE := NUMBER[K|M|G|T] (binary units; 0 removes)\n");
}

static const struct hv_cmd quota_cmds[] = {
	{ "show", quota_show },
	{ "set", quota_set },
	{ NULL, NULL },
};

int do_quota(int argc, char **argv)
{
	if (argc < 1) {
		quota_usage();
		return EXIT_USAGE;
	}
	return hv_dispatch("quota", quota_cmds, argc, argv, quota_usage);
}
