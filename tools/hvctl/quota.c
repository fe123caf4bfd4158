// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvctl quota set VM [ mem-min SIZE ] [ mem-max SIZE ] [ mem-priority N ]
 *	[ cpu-cap PERCENT ] [ io-exits-rate NUMBER ] [ io-bytes-rate SIZE ]
 *	[ cpu-weight WEIGHT ] [ cpu-reservation PERCENT ]: a VM's memory
 *	guarantee, cap and priority, CPU cap, weight and reservation and I/O
 *	limits (quota-set; 0 removes one, mem-priority 0 is the lowest);
 * hvctl quota show VM: them, the VM's allocation and the usage the CPU
 *	and I/O quotas count (vm-get).
 */
#include <stdio.h>
#include <string.h>

#include <linux/khv_netlink.h>

#include "hvctl.h"

#define QUOTA_SET_USAGE \
	"usage: hvctl quota set VM [ mem-min SIZE ] [ mem-max SIZE ] " \
	"[ mem-priority PRIORITY ] [ cpu-cap PERCENT ] [ io-exits-rate NUMBER ] " \
	"[ io-bytes-rate SIZE ] [ cpu-weight WEIGHT ] [ cpu-reservation PERCENT ]"

/* quota set's keys: the attribute, and how its value is written. */
enum quota_kind { QUOTA_SIZE, QUOTA_U64, QUOTA_U32 };

static const struct {
	const char *key;
	int attr;
	enum quota_kind kind;
} quota_keys[] = {
	{ "mem-min", KHV_A_VM_MEM_MIN, QUOTA_SIZE },
	{ "mem-max", KHV_A_VM_MEM_MAX, QUOTA_SIZE },
	{ "mem-priority", KHV_A_VM_MEM_PRIORITY, QUOTA_U32 },
	{ "cpu-cap", KHV_A_VM_CPU_CAP, QUOTA_U32 },
	{ "io-exits-rate", KHV_A_VM_IO_EXITS_RATE, QUOTA_U64 },
	{ "io-bytes-rate", KHV_A_VM_IO_BYTES_RATE, QUOTA_SIZE },
	{ "cpu-weight", KHV_A_VM_CPU_WEIGHT, QUOTA_U32 },
	{ "cpu-reservation", KHV_A_VM_CPU_RESERVATION, QUOTA_U32 },
};

#define NR_QUOTA_KEYS	ARRAY_SIZE(quota_keys)

/* The CPU cap, the I/O limits and their usage: vm show and quota show. */
void print_run_quota(struct nlattr **tb)
{
	print_u64("cpu_cap", hv_get_u32(tb[KHV_A_VM_CPU_CAP]));
	print_u64("io_exits_rate", hv_get_u64(tb[KHV_A_VM_IO_EXITS_RATE]));
	print_size("io_bytes_rate", hv_get_u64(tb[KHV_A_VM_IO_BYTES_RATE]));
	print_ns("guest_ns", hv_get_u64(tb[KHV_A_VM_GUEST_NS]));
	print_ns("throttled_ns", hv_get_u64(tb[KHV_A_VM_THROTTLED_NS]));
	print_u64("throttles", hv_get_u64(tb[KHV_A_VM_THROTTLES]));
	print_u64("io_exits", hv_get_u64(tb[KHV_A_VM_IO_EXITS]));
	print_size("io_bytes", hv_get_u64(tb[KHV_A_VM_IO_BYTES]));
}

/* The CPU weight and reservation: printed last in vm show and quota show. */
void print_cpu_share(struct nlattr **tb)
{
	print_u64("cpu_weight", hv_get_u32(tb[KHV_A_VM_CPU_WEIGHT]));
	print_u64("cpu_reservation", hv_get_u32(tb[KHV_A_VM_CPU_RESERVATION]));
}

static int quota_print(struct nlattr **tb, uint8_t cmd, void *arg)
{
	(void)cmd;
	(void)arg;
	print_open_object(NULL);
	print_u64("id", hv_get_u64(tb[KHV_A_VM_ID]));
	print_string("name", hv_get_str(tb[KHV_A_VM_NAME]));
	print_size("mem_min", hv_get_u64(tb[KHV_A_VM_MEM_MIN]));
	print_size("mem_max", hv_get_u64(tb[KHV_A_VM_MEM_MAX]));
	print_u64("mem_priority", hv_get_u32(tb[KHV_A_VM_MEM_PRIORITY]));
	print_size("mem_allocated", hv_get_u64(tb[KHV_A_VM_MEM_ALLOCATED]));
	print_u64("mem_denials", hv_get_u64(tb[KHV_A_VM_MEM_DENIALS]));
	print_run_quota(tb);
	print_cpu_share(tb);
	print_close_object();
	return 0;
}

static int quota_show(int argc, char **argv)
{
	struct nl_msg *msg;
	uint64_t id;
	int r;

	r = hv_vm_id_arg(argc, argv, "hvctl quota show VM", &id);
	if (r)
		return r;
	msg = hv_nl_msg(KHV_CMD_VM_GET, 0);
	if (!msg || nla_put_u64(msg, KHV_A_VM_ID, id))
		return EXIT_KERNEL;
	return hv_nl_exec(msg, KHV_A_VM_MAX, quota_print, NULL) ?
	       EXIT_KERNEL : EXIT_OK;
}

/* Keys may be written as --key too (hvctl quota set vm1 --mem-max 1G). */
static int quota_set(int argc, char **argv)
{
	const char *names[NR_QUOTA_KEYS];
	bool has[NR_QUOTA_KEYS] = { false };
	uint64_t val[NR_QUOTA_KEYS] = { 0 }, id;
	struct nl_msg *msg;
	const char *key;
	unsigned int j;
	int i, k, r;
	bool any = false;

	if (argc < 1)
		return hv_usage_error(QUOTA_SET_USAGE);
	r = hv_vm_arg(&argc, &argv, &id);
	if (r)
		return r;
	for (j = 0; j < NR_QUOTA_KEYS; j++)
		names[j] = quota_keys[j].key;
	for (i = 0; i < argc; i += 2) {
		key = argv[i];
		if (!strncmp(key, "--", 2))
			key += 2;
		k = hv_match(key, names, NR_QUOTA_KEYS);
		if (k < 0)
			return hv_usage_error("quota set: unknown key \"%s\"; %s",
					      argv[i], QUOTA_SET_USAGE);
		if (i + 1 >= argc)
			return hv_usage_error("quota set: %s needs a value", names[k]);
		if (quota_keys[k].kind == QUOTA_SIZE)
			r = hv_parse_size(argv[i + 1], names[k], &val[k]);
		else
			r = hv_parse_u64(argv[i + 1], names[k], &val[k]);
		if (r)
			return r;
		/* Never cut: the kernel refuses what is out of range. */
		if (quota_keys[k].kind == QUOTA_U32 && val[k] > UINT32_MAX)
			return hv_usage_error("quota set: %s \"%s\" is too large",
					      names[k], argv[i + 1]);
		has[k] = true;
		any = true;
	}
	if (!any)
		return hv_usage_error("quota set: nothing to set; %s", QUOTA_SET_USAGE);
	/* The kernel checks them against the VM and the host, and says why not. */
	msg = hv_nl_msg(KHV_CMD_QUOTA_SET, 0);
	if (!msg || nla_put_u64(msg, KHV_A_VM_ID, id))
		return EXIT_KERNEL;
	for (j = 0; j < NR_QUOTA_KEYS; j++) {
		if (!has[j])
			continue;
		if (quota_keys[j].kind == QUOTA_U32 ?
		    nla_put_u32(msg, quota_keys[j].attr, val[j]) :
		    nla_put_u64(msg, quota_keys[j].attr, val[j]))
			return EXIT_KERNEL;
	}
	return hv_nl_exec(msg, KHV_A_VM_MAX, NULL, NULL) ?
	       EXIT_KERNEL : EXIT_OK;
}

static void quota_usage(void)
{
	fprintf(stderr, "Usage: hvctl quota show VM\n"
			"       hvctl quota set VM [ mem-min SIZE ] [ mem-max SIZE ]\n"
			"                          [ mem-priority PRIORITY ]\n"
			"                          [ cpu-cap PERCENT ] [ io-exits-rate NUMBER ]\n"
			"                          [ io-bytes-rate SIZE ] [ cpu-weight WEIGHT ]\n"
			"                          [ cpu-reservation PERCENT ]\n"
			"where  VM := { ID | NAME | id ID | name NAME }\n"
			"       SIZE := NUMBER[K|M|G|T] (binary units; 0 removes)\n"
			"       PERCENT := 0..100 of one CPU per vCPU (0 removes)\n"
			"       WEIGHT := 1..10000, 100 is nice 0 (0 removes)\n"
			"       PRIORITY := 0..7, the highest first when the shared memory runs short\n");
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
