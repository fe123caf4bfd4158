// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvctl vm introspect regs VM VCPU: a vCPU's registers (pause the VM first);
 * hvctl vm introspect mem VM GPA LEN: guest-physical memory, as a hex dump
 * (text) or a hex string (JSON "data"). Both need the introspect grant and
 * are audited by the module.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/khv_netlink.h>
#include <linux/khv_netlink_names.h>

#include "hvctl.h"

static const char *const reg_names[] = KHV_A_REGS_NAMES;

static int regs_print(struct nlattr **tb, uint8_t cmd, void *arg)
{
	struct nlattr *regs[KHV_A_REGS_MAX + 1];
	int i;

	(void)cmd;
	(void)arg;
	if (!tb[KHV_A_INTROSPECT_REGS] ||
	    nla_parse_nested(regs, KHV_A_REGS_MAX, tb[KHV_A_INTROSPECT_REGS],
			     NULL) < 0)
		return -EPROTO;
	print_open_object(NULL);
	print_u64("vm", hv_get_u64(tb[KHV_A_INTROSPECT_VM_ID]));
	print_u64("vcpu", hv_get_u32(tb[KHV_A_INTROSPECT_VCPU_ID]));
	print_close_line();
	for (i = KHV_A_REGS_RAX; i <= KHV_A_REGS_MAX; i++) {
		print_hex(reg_names[i], hv_get_u64(regs[i]));
		if ((i - KHV_A_REGS_RAX) % 4 == 3)
			print_close_line();
	}
	print_close_object();
	return 0;
}

static int mem_print(struct nlattr **tb, uint8_t cmd, void *arg)
{
	uint64_t gpa;
	const uint8_t *data;
	char hex[3 * 16 + 1];
	int len, i, j;

	(void)cmd;
	(void)arg;
	if (!tb[KHV_A_INTROSPECT_DATA] || !tb[KHV_A_INTROSPECT_GPA])
		return -EPROTO;
	gpa = nla_get_u64(tb[KHV_A_INTROSPECT_GPA]);
	data = nla_data(tb[KHV_A_INTROSPECT_DATA]);
	len = nla_len(tb[KHV_A_INTROSPECT_DATA]);
	print_open_object(NULL);
	print_hex("gpa", gpa);
	print_u64("len", len);
	if (print_is_json()) {
		print_hex_bytes("data", data, len);
	} else {
		print_close_line();
		for (i = 0; i < len; i += 16) {
			for (j = 0; j < 16 && i + j < len; j++)
				sprintf(hex + 3 * j, "%02x ", data[i + j]);
			hex[j ? 3 * j - 1 : 0] = 0;
			printf("%016llx  %s\n", (unsigned long long)(gpa + i), hex);
		}
	}
	print_close_object();
	return 0;
}

static int introspect_regs(int argc, char **argv)
{
	struct nl_msg *msg;
	uint64_t id, vcpu;
	int r;

	if (argc != hv_vm_words(argc, argv) + 1)
		return hv_usage_error("usage: hvctl vm introspect regs VM VCPU");
	r = hv_parse_u64(argv[argc - 1], "vCPU id", &vcpu);
	if (!r)
		r = hv_vm_arg(&argc, &argv, &id);
	if (r)
		return r;
	if (vcpu > UINT32_MAX)
		return hv_usage_error("vCPU id \"%s\" is too large", argv[0]);
	msg = hv_nl_msg(KHV_CMD_INTROSPECT_REGS, 0);
	if (!msg || nla_put_u64(msg, KHV_A_INTROSPECT_VM_ID, id) ||
	    nla_put_u32(msg, KHV_A_INTROSPECT_VCPU_ID, vcpu))
		return EXIT_KERNEL;
	return hv_nl_exec(msg, KHV_A_INTROSPECT_MAX, regs_print, NULL) ?
	       EXIT_KERNEL : EXIT_OK;
}

static int introspect_mem(int argc, char **argv)
{
	uint64_t id, gpa, len;
	struct nl_msg *msg;
	int r;

	if (argc != hv_vm_words(argc, argv) + 2)
		return hv_usage_error("usage: hvctl vm introspect mem VM GPA LEN");
	r = hv_parse_u64(argv[argc - 2], "GPA", &gpa);
	if (!r)
		r = hv_parse_u64(argv[argc - 1], "LEN", &len);
	if (!r)
		r = hv_vm_arg(&argc, &argv, &id);
	if (r)
		return r;
	if (len > UINT32_MAX)
		return hv_usage_error("LEN \"%s\" is too large", argv[1]);
	/* The kernel bounds LEN (32768), and says so. */
	msg = hv_nl_msg(KHV_CMD_INTROSPECT_MEM, 0);
	if (!msg || nla_put_u64(msg, KHV_A_INTROSPECT_VM_ID, id) ||
	    nla_put_u64(msg, KHV_A_INTROSPECT_GPA, gpa) ||
	    nla_put_u32(msg, KHV_A_INTROSPECT_LEN, len))
		return EXIT_KERNEL;
	return hv_nl_exec(msg, KHV_A_INTROSPECT_MAX, mem_print, NULL) ?
	       EXIT_KERNEL : EXIT_OK;
}

static void introspect_usage(void)
{
	fprintf(stderr,
		"Usage: hvctl vm introspect regs VM VCPU\n"
		"       hvctl vm introspect mem VM GPA LEN\n"
		"regs: the vCPU must not be in KHV_RUN: pause the VM first.\n"
		"LEN: 1 to 32768 bytes. Needs the introspect grant; audited.\n");
}

static const struct hv_cmd introspect_cmds[] = {
	{ "regs", introspect_regs },
	{ "mem", introspect_mem },
	{ NULL, NULL },
};

int vm_introspect(int argc, char **argv)
{
	if (argc < 1) {
		introspect_usage();
		return EXIT_USAGE;
	}
	return hv_dispatch("vm introspect", introspect_cmds, argc, argv,
			   introspect_usage);
}
