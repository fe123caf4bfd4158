// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvctl host show: the host's virtualization facts, limits and integrity;
 * hvctl host set: its limits and guest memory policy.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <linux/khv.h>
#include <linux/khv_netlink.h>
#include <linux/khv_netlink_names.h>

#include "hvctl.h"

static const char *const vendors[] = KHV_VENDOR_NAMES;
static const char *const virt_owners[] = KHV_VIRT_NAMES;
static const char *const module_sigs[] = KHV_MODULE_SIG_NAMES;
static const char *const lockdowns[] = KHV_LOCKDOWN_NAMES;

/* An enum attribute by name; a value this hvctl does not know as unknown(N). */
static void print_enum(const char *key, const char *const *names,
		       unsigned int n, struct nlattr *attr)
{
	unsigned int val = hv_get_u32(attr);
	char buf[32];

	if (val < n && names[val]) {
		print_string(key, names[val]);
	} else {
		snprintf(buf, sizeof(buf), "unknown(%u)", val);
		print_string(key, buf);
	}
}

static int host_print(struct nlattr **tb, uint8_t cmd, void *arg)
{
	(void)cmd;
	(void)arg;
	print_open_object(NULL);
	print_u64("api_version", hv_get_u32(tb[KHV_A_HOST_API_VERSION]));
	print_enum("vendor", vendors, ARRAY_SIZE(vendors),
		   tb[KHV_A_HOST_VENDOR]);
	print_bool("nested_paging", hv_get_u8(tb[KHV_A_HOST_NESTED_PAGING]));
	print_enum("virt_owner", virt_owners, ARRAY_SIZE(virt_owners),
		   tb[KHV_A_HOST_VIRT_OWNER]);
	print_u64("max_vcpus", hv_get_u32(tb[KHV_A_HOST_MAX_VCPUS]));
	print_u64("max_vms", hv_get_u32(tb[KHV_A_HOST_MAX_VMS]));
	print_u64("nr_vms", hv_get_u32(tb[KHV_A_HOST_NR_VMS]));
	print_enum("module_sig", module_sigs, ARRAY_SIZE(module_sigs),
		   tb[KHV_A_HOST_MODULE_SIG]);
	print_hex("taint", hv_get_u64(tb[KHV_A_HOST_TAINT]));
	print_enum("lockdown", lockdowns, ARRAY_SIZE(lockdowns),
		   tb[KHV_A_HOST_LOCKDOWN]);
	print_u64("max_vms_per_user", hv_get_u32(tb[KHV_A_HOST_MAX_VMS_PER_USER]));
	print_size("mem_budget", hv_get_u64(tb[KHV_A_HOST_MEM_BUDGET]));
	print_bool("mem_overcommit", hv_get_u8(tb[KHV_A_HOST_MEM_OVERCOMMIT]));
	print_size("mem_allocated", hv_get_u64(tb[KHV_A_HOST_MEM_ALLOCATED]));
	print_size("mem_guaranteed", hv_get_u64(tb[KHV_A_HOST_MEM_GUARANTEED]));
	print_size("mem_capped", hv_get_u64(tb[KHV_A_HOST_MEM_CAPPED]));
	print_size("mem_charged", hv_get_u64(tb[KHV_A_HOST_MEM_CHARGED]));
	print_size("mem_committed", hv_get_u64(tb[KHV_A_HOST_MEM_COMMITTED]));
	print_close_object();
	return 0;
}

static int host_show(int argc, char **argv)
{
	struct nl_msg *msg;

	if (argc > 0)
		return hv_usage_error("host show: unexpected argument \"%s\"", argv[0]);
	msg = hv_nl_msg(KHV_CMD_HOST_GET, 0);
	if (!msg || hv_nl_exec(msg, KHV_A_HOST_MAX, host_print, NULL))
		return EXIT_KERNEL;
	return EXIT_OK;
}

#define HOST_SET_USAGE \
	"usage: hvctl host set [ max-vms-per-user N ] [ mem-budget SIZE ] [ mem-overcommit on|off ]"

/* Keys may be written as --key too (hvctl host set --mem-budget 8G). */
static int host_set(int argc, char **argv)
{
	static const char *const keys[] = {
		"max-vms-per-user", "mem-budget", "mem-overcommit",
	};
	bool has[3] = { false }, oc = false;
	uint64_t max = 0, budget = 0;
	struct nl_msg *msg;
	const char *key;
	int i, k, r;

	if (argc < 2)
		return hv_usage_error(HOST_SET_USAGE);
	for (i = 0; i < argc; i += 2) {
		key = argv[i];
		if (!strncmp(key, "--", 2))
			key += 2;
		k = hv_match(key, keys, ARRAY_SIZE(keys));
		if (k < 0)
			return hv_usage_error("host set: unknown key \"%s\"; %s",
					      argv[i], HOST_SET_USAGE);
		if (i + 1 >= argc)
			return hv_usage_error("host set: %s needs a value", keys[k]);
		has[k] = true;
		if (k == 0)
			r = hv_parse_u64(argv[i + 1], keys[k], &max);
		else if (k == 1)
			r = hv_parse_size(argv[i + 1], keys[k], &budget);
		else
			r = hv_parse_onoff(argv[i + 1], keys[k], &oc);
		if (r)
			return r;
	}
	if (max > UINT32_MAX)
		return hv_usage_error("max-vms-per-user %llu too large",
				      (unsigned long long)max);
	/* The kernel bounds them (1 to 1024 VMs, the pool), and says so. */
	msg = hv_nl_msg(KHV_CMD_HOST_SET, 0);
	if (!msg ||
	    (has[0] && nla_put_u32(msg, KHV_A_HOST_MAX_VMS_PER_USER, max)) ||
	    (has[1] && nla_put_u64(msg, KHV_A_HOST_MEM_BUDGET, budget)) ||
	    (has[2] && nla_put_u8(msg, KHV_A_HOST_MEM_OVERCOMMIT, oc)))
		return EXIT_KERNEL;
	return hv_nl_exec(msg, KHV_A_HOST_MAX, NULL, NULL) ?
	       EXIT_KERNEL : EXIT_OK;
}

static void host_usage(void)
{
	fprintf(stderr, "Usage: hvctl host [ show ]\n"
			"       hvctl host set [ max-vms-per-user N ] [ mem-budget SIZE ]\n"
			"                      [ mem-overcommit on|off ]\n"
			"SIZE := NUMBER[K|M|G|T] (binary units; --key VALUE works too)\n");
}

static const struct hv_cmd host_cmds[] = {
	{ "show", host_show },
	{ "set", host_set },
	{ NULL, NULL },
};

int do_host(int argc, char **argv)
{
	return hv_dispatch("host", host_cmds, argc, argv, host_usage);
}
