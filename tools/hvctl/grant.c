// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvctl grant [ list ]
 * hvctl grant add { uid | gid } N OP { vm ID | tag TAG | all } { allow | deny }
 * hvctl grant del ID
 */
#include <stdio.h>
#include <string.h>

#include <linux/khv_netlink.h>
#include <linux/khv_netlink_names.h>

#include "hvctl.h"

static const char *const subjects[] = KHV_GRANT_SUBJECT_NAMES;
static const char *const ops[] = KHV_GRANT_OP_NAMES;
static const char *const objects[] = KHV_GRANT_OBJECT_NAMES;
static const char *const actions[] = KHV_GRANT_ACTION_NAMES;

/* The index in @names (which start at 1) that @arg abbreviates, or < 0. */
static int match_enum(const char *arg, const char *const *names, int n)
{
	int i = hv_match(arg, names + 1, n - 1);

	return i < 0 ? i : i + 1;
}

static int grant_print(struct nlattr **tb, uint8_t cmd, void *arg)
{
	uint32_t object = hv_get_u32(tb[KHV_A_GRANT_OBJECT_TYPE]);

	(void)cmd;
	(void)arg;
	print_open_object(NULL);
	print_u64("id", hv_get_u32(tb[KHV_A_GRANT_ID]));
	print_string("subject_type", hv_enum_name(subjects, ARRAY_SIZE(subjects),
						  hv_get_u32(tb[KHV_A_GRANT_SUBJECT_TYPE])));
	print_u64("subject", hv_get_u32(tb[KHV_A_GRANT_SUBJECT]));
	print_string("op", hv_enum_name(ops, ARRAY_SIZE(ops),
					hv_get_u32(tb[KHV_A_GRANT_OP])));
	print_string("object", hv_enum_name(objects, ARRAY_SIZE(objects), object));
	if (object == KHV_GRANT_OBJECT_VM)
		print_u64("vm", hv_get_u64(tb[KHV_A_GRANT_VM_ID]));
	if (object == KHV_GRANT_OBJECT_TAG)
		print_string("tag", hv_get_str(tb[KHV_A_GRANT_TAG]));
	print_string("action", hv_enum_name(actions, ARRAY_SIZE(actions),
					    hv_get_u32(tb[KHV_A_GRANT_ACTION])));
	print_close_object();
	return 0;
}

static int grant_list(int argc, char **argv)
{
	if (argc > 0)
		return hv_usage_error("grant list: unexpected argument \"%s\"", argv[0]);
	return hv_nl_dump_array(KHV_CMD_GRANT_GET, KHV_A_GRANT_MAX, grant_print);
}

static int added_print(struct nlattr **tb, uint8_t cmd, void *arg)
{
	(void)cmd;
	(void)arg;
	print_open_object(NULL);
	print_u64("id", hv_get_u32(tb[KHV_A_GRANT_ID]));
	print_close_object();
	return 0;
}

#define GRANT_OPS \
	"create, view, set, tag, pause-resume, destroy, set-quota, set-acl, introspect"

#define GRANT_ADD_USAGE \
	"usage: hvctl grant add { uid | gid } N OP { vm ID | tag TAG | all } { allow | deny }"

static int grant_add(int argc, char **argv)
{
	int subject_type, op, object, action;
	uint64_t subject, vm_id = 0;
	const char *tag = NULL;
	struct nl_msg *msg;
	int i = 0, r;

	if (argc < 5)
		return hv_usage_error(GRANT_ADD_USAGE);
	subject_type = match_enum(argv[i++], subjects, ARRAY_SIZE(subjects));
	if (subject_type < 0)
		return hv_usage_error("grant add: subject \"%s\" is not uid or gid", argv[0]);
	r = hv_parse_u64(argv[i++], "uid or gid", &subject);
	if (r)
		return r;
	if (subject > UINT32_MAX)
		return hv_usage_error("grant add: uid or gid \"%s\" too large", argv[1]);
	op = match_enum(argv[i++], ops, ARRAY_SIZE(ops));
	if (op < 0)
		return hv_usage_error("grant add: unknown operation \"%s\" (%s)",
				      argv[2], GRANT_OPS);
	object = match_enum(argv[i++], objects, ARRAY_SIZE(objects));
	if (object < 0)
		return hv_usage_error("grant add: object \"%s\" is not vm, tag or all", argv[3]);
	if (object == KHV_GRANT_OBJECT_VM || object == KHV_GRANT_OBJECT_TAG) {
		if (i >= argc - 1)
			return hv_usage_error(GRANT_ADD_USAGE);
		if (object == KHV_GRANT_OBJECT_VM) {
			r = hv_parse_u64(argv[i], "VM id", &vm_id);
			if (r)
				return r;
		} else {
			tag = argv[i];
		}
		i++;
	}
	if (i != argc - 1)
		return hv_usage_error(GRANT_ADD_USAGE);
	action = match_enum(argv[i], actions, ARRAY_SIZE(actions));
	if (action < 0)
		return hv_usage_error("grant add: \"%s\" is not allow or deny", argv[i]);

	msg = hv_nl_msg(KHV_CMD_GRANT_ADD, 0);
	if (!msg ||
	    nla_put_u32(msg, KHV_A_GRANT_SUBJECT_TYPE, subject_type) ||
	    nla_put_u32(msg, KHV_A_GRANT_SUBJECT, subject) ||
	    nla_put_u32(msg, KHV_A_GRANT_OP, op) ||
	    nla_put_u32(msg, KHV_A_GRANT_OBJECT_TYPE, object) ||
	    nla_put_u32(msg, KHV_A_GRANT_ACTION, action) ||
	    (vm_id && nla_put_u64(msg, KHV_A_GRANT_VM_ID, vm_id)) ||
	    (tag && nla_put_string(msg, KHV_A_GRANT_TAG, tag)))
		return EXIT_KERNEL;
	return hv_nl_exec(msg, KHV_A_GRANT_MAX, added_print, NULL) ?
	       EXIT_KERNEL : EXIT_OK;
}

static int grant_del(int argc, char **argv)
{
	struct nl_msg *msg;
	uint64_t id;
	int r;

	if (argc != 1)
		return hv_usage_error("usage: hvctl grant del ID");
	r = hv_parse_u64(argv[0], "grant id", &id);
	if (r)
		return r;
	if (id > UINT32_MAX)
		return hv_usage_error("grant id \"%s\" too large", argv[0]);
	msg = hv_nl_msg(KHV_CMD_GRANT_DEL, 0);
	if (!msg || nla_put_u32(msg, KHV_A_GRANT_ID, id))
		return EXIT_KERNEL;
	return hv_nl_exec(msg, KHV_A_GRANT_MAX, NULL, NULL) ?
	       EXIT_KERNEL : EXIT_OK;
}

static void grant_usage(void)
{
	fprintf(stderr,
		"Usage: hvctl grant [ list ]\n"
		"       hvctl grant add { uid | gid } N OP OBJECT { allow | deny }\n"
		"       hvctl grant del ID\n"
		"where  OP := { create | view | set | tag | pause-resume | destroy |\n"
		"               set-quota | set-acl | introspect }\n"
		"       OBJECT := { vm ID | tag TAG | all }   (create: all only)\n"
		"A matching deny wins over any allow; without a matching allow,\n"
		"only CAP_SYS_ADMIN may. Managing grants needs CAP_SYS_ADMIN.\n");
}

static const struct hv_cmd grant_cmds[] = {
	{ "list", grant_list },
	{ "show", grant_list },
	{ "add", grant_add },
	{ "del", grant_del },
	{ NULL, NULL },
};

int do_grant(int argc, char **argv)
{
	return hv_dispatch("grant", grant_cmds, argc, argv, grant_usage);
}
