// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvctl host show: the host's virtualization facts, limits and integrity;
 * hvctl host set: its limits, guest memory policy and the quotas new VMs
 *	get.
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
	print_size("default_mem_min", hv_get_u64(tb[KHV_A_HOST_DEFAULT_MEM_MIN]));
	print_size("default_mem_max", hv_get_u64(tb[KHV_A_HOST_DEFAULT_MEM_MAX]));
	print_u64("default_cpu_cap", hv_get_u32(tb[KHV_A_HOST_DEFAULT_CPU_CAP]));
	print_u64("default_io_exits_rate",
		  hv_get_u64(tb[KHV_A_HOST_DEFAULT_IO_EXITS_RATE]));
	print_size("default_io_bytes_rate",
		   hv_get_u64(tb[KHV_A_HOST_DEFAULT_IO_BYTES_RATE]));
	print_u64("default_cpu_weight",
		  hv_get_u32(tb[KHV_A_HOST_DEFAULT_CPU_WEIGHT]));
	print_u64("default_mem_priority",
		  hv_get_u32(tb[KHV_A_HOST_DEFAULT_MEM_PRIORITY]));
	print_u64("cpu_budget", hv_get_u32(tb[KHV_A_HOST_CPU_BUDGET]));
	print_u64("cpu_reserved", hv_get_u32(tb[KHV_A_HOST_CPU_RESERVED]));
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
	"usage: hvctl host set [ max-vms-per-user N ] [ mem-budget SIZE ] " \
	"[ mem-overcommit on|off ] [ default-mem-min SIZE ] [ default-mem-max SIZE ] " \
	"[ default-cpu-cap PERCENT ] [ default-io-exits-rate NUMBER ] " \
	"[ default-io-bytes-rate SIZE ] [ default-cpu-weight WEIGHT ] " \
	"[ default-mem-priority PRIORITY ] [ cpu-budget PERCENT ]"

/* host set's keys: the attribute, and how its value is read and written. */
enum host_kind { HOST_U32, HOST_SIZE, HOST_U64, HOST_ONOFF };

static const struct {
	const char *key;
	int attr;
	enum host_kind kind;
} host_keys[] = {
	{ "max-vms-per-user", KHV_A_HOST_MAX_VMS_PER_USER, HOST_U32 },
	{ "mem-budget", KHV_A_HOST_MEM_BUDGET, HOST_SIZE },
	{ "mem-overcommit", KHV_A_HOST_MEM_OVERCOMMIT, HOST_ONOFF },
	{ "default-mem-min", KHV_A_HOST_DEFAULT_MEM_MIN, HOST_SIZE },
	{ "default-mem-max", KHV_A_HOST_DEFAULT_MEM_MAX, HOST_SIZE },
	{ "default-cpu-cap", KHV_A_HOST_DEFAULT_CPU_CAP, HOST_U32 },
	{ "default-io-exits-rate", KHV_A_HOST_DEFAULT_IO_EXITS_RATE, HOST_U64 },
	{ "default-io-bytes-rate", KHV_A_HOST_DEFAULT_IO_BYTES_RATE, HOST_SIZE },
	{ "default-cpu-weight", KHV_A_HOST_DEFAULT_CPU_WEIGHT, HOST_U32 },
	{ "default-mem-priority", KHV_A_HOST_DEFAULT_MEM_PRIORITY, HOST_U32 },
	{ "cpu-budget", KHV_A_HOST_CPU_BUDGET, HOST_U32 },
};

#define NR_HOST_KEYS	ARRAY_SIZE(host_keys)

/* One key's value into @msg: its parsed number in the attribute's width. */
static int host_put(struct nl_msg *msg, unsigned int k, uint64_t val)
{
	switch (host_keys[k].kind) {
	case HOST_U32:
		return nla_put_u32(msg, host_keys[k].attr, val);
	case HOST_ONOFF:
		return nla_put_u8(msg, host_keys[k].attr, val);
	default:
		return nla_put_u64(msg, host_keys[k].attr, val);
	}
}

/* Keys may be written as --key too (hvctl host set --mem-budget 8G). */
static int host_set(int argc, char **argv)
{
	const char *names[NR_HOST_KEYS];
	bool has[NR_HOST_KEYS] = { false }, on;
	uint64_t val[NR_HOST_KEYS] = { 0 };
	struct nl_msg *msg;
	const char *key;
	unsigned int j;
	int i, k, r;

	if (argc < 2)
		return hv_usage_error(HOST_SET_USAGE);
	for (j = 0; j < NR_HOST_KEYS; j++)
		names[j] = host_keys[j].key;
	for (i = 0; i < argc; i += 2) {
		key = argv[i];
		if (!strncmp(key, "--", 2))
			key += 2;
		k = hv_match(key, names, NR_HOST_KEYS);
		if (k < 0)
			return hv_usage_error("host set: unknown key \"%s\"; %s",
					      argv[i], HOST_SET_USAGE);
		if (i + 1 >= argc)
			return hv_usage_error("host set: %s needs a value", names[k]);
		has[k] = true;
		switch (host_keys[k].kind) {
		case HOST_SIZE:
			r = hv_parse_size(argv[i + 1], names[k], &val[k]);
			break;
		case HOST_ONOFF:
			r = hv_parse_onoff(argv[i + 1], names[k], &on);
			val[k] = on;
			break;
		default:
			r = hv_parse_u64(argv[i + 1], names[k], &val[k]);
			break;
		}
		if (r)
			return r;
		/* Never cut: the kernel refuses what is out of range. */
		if (host_keys[k].kind == HOST_U32 && val[k] > UINT32_MAX)
			return hv_usage_error("host set: %s \"%s\" is too large",
					      names[k], argv[i + 1]);
	}
	/* The kernel bounds them (1 to 1024 VMs, the pool), and says so. */
	msg = hv_nl_msg(KHV_CMD_HOST_SET, 0);
	if (!msg)
		return EXIT_KERNEL;
	for (j = 0; j < NR_HOST_KEYS; j++)
		if (has[j] && host_put(msg, j, val[j]))
			return EXIT_KERNEL;
	return hv_nl_exec(msg, KHV_A_HOST_MAX, NULL, NULL) ?
	       EXIT_KERNEL : EXIT_OK;
}

static void host_usage(void)
{
	fprintf(stderr, "Usage: hvctl host [ show ]\n"
			"       hvctl host set [ max-vms-per-user N ] [ mem-budget SIZE ]\n"
			"                      [ mem-overcommit on|off ]\n"
			"                      [ default-mem-min SIZE ] [ default-mem-max SIZE ]\n"
			"                      [ default-cpu-cap PERCENT ]\n"
			"                      [ default-io-exits-rate NUMBER ]\n"
			"                      [ default-io-bytes-rate SIZE ]\n"
			"                      [ default-cpu-weight WEIGHT ]\n"
			"                      [ default-mem-priority PRIORITY ] [ cpu-budget PERCENT ]\n"
			"SIZE := NUMBER[K|M|G|T] (binary units; --key VALUE works too)\n"
			"PRIORITY := 0..7 (a new VM's mem-priority; 4 at load)\n");
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
