// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvctl acl add VM KIND RANGE, hvctl acl del VM KIND RANGE: a VM's device
 *	ACL (acl-add, acl-del); KIND is pci, port or mmio, RANGE is FIRST,
 *	FIRST-LAST or FIRST+COUNT (a PCI function [SEG:]BUS:DEV.FN in hex;
 *	a port or an address in C notation; one mmio address is one page);
 * hvctl acl show VM: its violation action, revocation, violation count and
 *	entries (acl-get, do and dump);
 * hvctl acl action VM log|deny|pause: its violation action (acl-set).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/khv_netlink.h>
#include <linux/khv_netlink_names.h>

#include "hvctl.h"
#include "vmm/pcidev.h"

#define ACL_PAGE	4096ULL

static const char *const kinds[] = KHV_ACL_KIND_NAMES;
static const char *const actions[] = KHV_ACL_ACTION_NAMES;

static void acl_usage(void)
{
	fprintf(stderr,
		"usage: hvctl acl { add | del } VM KIND RANGE\n"
		"       hvctl acl show VM\n"
		"       hvctl acl action VM { log | deny | pause }\n"
		"where  KIND := { pci | port | mmio }\n"
		"       RANGE := FIRST | FIRST-LAST | FIRST+COUNT\n"
		"       (pci: [SEG:]BUS:DEV.FN in hex; port, mmio: a number)\n");
}

/* The index of @arg in an enum's names (1-based), or -1. */
static int acl_enum(const char *arg, const char *const *names, int n)
{
	int i = hv_match(arg, names + 1, n - 1);

	return i < 0 ? i : i + 1;
}

/* [SEG:]BUS:DEV.FN, hex: the kernel's numbering (acl-kind pci). */
static int acl_parse_pci(const char *s, uint64_t *val)
{
	uint32_t sbdf;

	if (vmm_parse_bdf(s, &sbdf))
		return -1;
	*val = sbdf;
	return 0;
}

static int acl_parse_num(const char *s, uint64_t *val)
{
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	*val = strtoull(s, &end, 0);
	return errno || *end ? -1 : 0;
}

static int acl_parse_one(uint32_t kind, const char *s, uint64_t *val)
{
	return kind == KHV_ACL_KIND_PCI ? acl_parse_pci(s, val) :
					  acl_parse_num(s, val);
}

/*
 * RANGE into first and last; the kernel checks the kind's bounds. A "+"
 * counts functions, ports or bytes.
 */
static int acl_parse_range(uint32_t kind, const char *arg, uint64_t *first,
			   uint64_t *last)
{
	char buf[64], *sep;
	uint64_t count;

	if (snprintf(buf, sizeof(buf), "%s", arg) >= (int)sizeof(buf))
		goto bad;
	sep = strpbrk(buf, "-+");
	if (sep) {
		char op = *sep;

		*sep = '\0';
		if (acl_parse_one(kind, buf, first))
			goto bad;
		if (op == '-') {
			if (acl_parse_one(kind, sep + 1, last))
				goto bad;
			return 0;
		}
		if (acl_parse_num(sep + 1, &count) || !count ||
		    count - 1 > UINT64_MAX - *first)
			goto bad;
		*last = *first + count - 1;
		return 0;
	}
	if (acl_parse_one(kind, buf, first))
		goto bad;
	*last = *first;
	if (kind == KHV_ACL_KIND_MMIO && *first <= UINT64_MAX - (ACL_PAGE - 1))
		*last = *first + ACL_PAGE - 1;
	return 0;
bad:
	return hv_usage_error("acl: bad %s range \"%s\"",
			      hv_enum_name(kinds, ARRAY_SIZE(kinds), kind), arg);
}

static int acl_change(int argc, char **argv, uint8_t cmd)
{
	uint64_t id, first = 0, last = 0;
	struct nl_msg *msg;
	int kind, r;

	r = hv_vm_arg(&argc, &argv, &id);
	if (r)
		return r;
	if (argc != 2) {
		acl_usage();
		return hv_usage_error("acl: KIND and RANGE expected");
	}
	kind = acl_enum(argv[0], kinds, ARRAY_SIZE(kinds));
	if (kind < 0)
		return hv_usage_error("acl: unknown kind \"%s\" (pci, port, mmio)",
				      argv[0]);
	r = acl_parse_range(kind, argv[1], &first, &last);
	if (r)
		return r;
	msg = hv_nl_msg(cmd, 0);
	if (!msg || nla_put_u64(msg, KHV_A_ACL_VM_ID, id) ||
	    nla_put_u32(msg, KHV_A_ACL_KIND, kind) ||
	    nla_put_u64(msg, KHV_A_ACL_FIRST, first) ||
	    nla_put_u64(msg, KHV_A_ACL_LAST, last))
		return EXIT_KERNEL;
	return hv_nl_exec(msg, KHV_A_ACL_MAX, NULL, NULL) ? EXIT_KERNEL : EXIT_OK;
}

static int acl_add(int argc, char **argv)
{
	return acl_change(argc, argv, KHV_CMD_ACL_ADD);
}

static int acl_del(int argc, char **argv)
{
	return acl_change(argc, argv, KHV_CMD_ACL_DEL);
}

static void acl_print_pci(const char *key, uint64_t v)
{
	char buf[16];

	vmm_bdf_name(v, buf, sizeof(buf));
	print_string(key, buf);
}

static int acl_entry_print(struct nlattr **tb, uint8_t cmd, void *arg)
{
	uint32_t kind = hv_get_u32(tb[KHV_A_ACL_KIND]);
	uint64_t first = hv_get_u64(tb[KHV_A_ACL_FIRST]);
	uint64_t last = hv_get_u64(tb[KHV_A_ACL_LAST]);

	(void)cmd;
	(void)arg;
	print_open_object(NULL);
	print_string("kind", hv_enum_name(kinds, ARRAY_SIZE(kinds), kind));
	if (kind == KHV_ACL_KIND_PCI && !print_is_json()) {
		acl_print_pci("first", first);
		acl_print_pci("last", last);
	} else {
		print_hex("first", first);
		print_hex("last", last);
	}
	print_close_object();
	return 0;
}

static int acl_state_print(struct nlattr **tb, uint8_t cmd, void *arg)
{
	(void)cmd;
	(void)arg;
	print_u64("vm", hv_get_u64(tb[KHV_A_ACL_VM_ID]));
	print_string("action", hv_enum_name(actions, ARRAY_SIZE(actions),
					    hv_get_u32(tb[KHV_A_ACL_ACTION])));
	print_bool("revoked", hv_get_u8(tb[KHV_A_ACL_REVOKED]));
	print_u64("violations", hv_get_u64(tb[KHV_A_ACL_VIOLATIONS]));
	print_u64("nr_entries", hv_get_u32(tb[KHV_A_ACL_ENTRIES]));
	print_close_line();
	return 0;
}

/* One object: the state, then "entries", one line each in text. */
static int acl_show(int argc, char **argv)
{
	struct nl_msg *msg;
	uint64_t id;
	int r;

	r = hv_vm_id_arg(argc, argv, "hvctl acl show VM", &id);
	if (r)
		return r;
	print_open_object(NULL);
	msg = hv_nl_msg(KHV_CMD_ACL_GET, 0);
	if (!msg || nla_put_u64(msg, KHV_A_ACL_VM_ID, id))
		return EXIT_KERNEL;
	if (hv_nl_exec(msg, KHV_A_ACL_MAX, acl_state_print, NULL))
		return EXIT_KERNEL;
	msg = hv_nl_msg(KHV_CMD_ACL_GET, NLM_F_DUMP);
	if (!msg || nla_put_u64(msg, KHV_A_ACL_VM_ID, id))
		return EXIT_KERNEL;
	print_open_array("entries");
	r = hv_nl_exec(msg, KHV_A_ACL_MAX, acl_entry_print, NULL);
	print_close_array();
	print_close_object();
	return r ? EXIT_KERNEL : EXIT_OK;
}

static int acl_action(int argc, char **argv)
{
	struct nl_msg *msg;
	uint64_t id;
	int action, r;

	r = hv_vm_arg(&argc, &argv, &id);
	if (r)
		return r;
	if (argc != 1)
		return hv_usage_error("usage: hvctl acl action VM { log | deny | pause }");
	action = acl_enum(argv[0], actions, ARRAY_SIZE(actions));
	if (action < 0)
		return hv_usage_error("acl action: unknown action \"%s\" (log, deny, pause)",
				      argv[0]);
	msg = hv_nl_msg(KHV_CMD_ACL_SET, 0);
	if (!msg || nla_put_u64(msg, KHV_A_ACL_VM_ID, id) ||
	    nla_put_u32(msg, KHV_A_ACL_ACTION, action))
		return EXIT_KERNEL;
	return hv_nl_exec(msg, KHV_A_ACL_MAX, NULL, NULL) ? EXIT_KERNEL : EXIT_OK;
}

int do_acl(int argc, char **argv)
{
	static const struct hv_cmd cmds[] = {
		{ "add", acl_add },
		{ "del", acl_del },
		{ "show", acl_show },
		{ "action", acl_action },
		{ NULL, NULL },
	};

	if (argc < 1) {
		acl_usage();
		return EXIT_USAGE;
	}
	return hv_dispatch("acl", cmds, argc, argv, acl_usage);
}
