// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvctl vm list | show VM | set VM [ name NAME ] [ tags TAGS ]
 *          pause VM | resume VM | destroy VM
 *          introspect { regs VM VCPU | mem VM GPA LEN }
 * where VM := { id ID | name NAME | ID | NAME }: a lone word is an id when
 * it is all decimal digits, a name otherwise (names may begin with a digit).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/khv_netlink.h>
#include <linux/khv_netlink_names.h>

#include "hvctl.h"

static const char *const vm_states[] = KHV_VM_STATE_NAMES;
static const char *const exit_names[] = KHV_A_EXIT_STATS_NAMES;

const char *hv_enum_name(const char *const *names, unsigned int n,
			 unsigned int val)
{
	return val < n && names[val] ? names[val] : "unknown";
}

/* The exit counters as an object "exits" (text: "exits intr N cpuid N ..."). */
static void print_exits(struct nlattr *nest)
{
	struct nlattr *tb[KHV_A_EXIT_STATS_MAX + 1];
	int i;

	if (!nest || nla_parse_nested(tb, KHV_A_EXIT_STATS_MAX, nest, NULL) < 0)
		return;
	print_open_object("exits");
	for (i = KHV_A_EXIT_STATS_INTR; i <= KHV_A_EXIT_STATS_MAX; i++)
		print_u64(exit_names[i], hv_get_u64(tb[i]));
	print_close_object();
}

/* One VM as an object: the same keys in text, JSON, lists and events. */
void print_vm(struct nlattr **tb)
{
	print_u64("id", hv_get_u64(tb[KHV_A_VM_ID]));
	print_string("name", hv_get_str(tb[KHV_A_VM_NAME]));
	print_string("state", hv_enum_name(vm_states, ARRAY_SIZE(vm_states),
					   hv_get_u32(tb[KHV_A_VM_STATE])));
	print_string("tags", hv_get_str(tb[KHV_A_VM_TAGS]));
	print_u64("owner_uid", hv_get_u32(tb[KHV_A_VM_OWNER_UID]));
	print_u64("pid", hv_get_u32(tb[KHV_A_VM_PID]));
	print_u64("created_ns", hv_get_u64(tb[KHV_A_VM_CREATED_NS]));
	print_u64("nr_vcpus", hv_get_u32(tb[KHV_A_VM_NR_VCPUS]));
	print_u64("mem_bytes", hv_get_u64(tb[KHV_A_VM_MEM_BYTES]));
	print_size("mem_allocated", hv_get_u64(tb[KHV_A_VM_MEM_ALLOCATED]));
	print_size("mem_min", hv_get_u64(tb[KHV_A_VM_MEM_MIN]));
	print_size("mem_max", hv_get_u64(tb[KHV_A_VM_MEM_MAX]));
	print_u64("mem_priority", hv_get_u32(tb[KHV_A_VM_MEM_PRIORITY]));
	print_exits(tb[KHV_A_VM_EXITS]);
	print_run_quota(tb);
	print_u64("mem_denials", hv_get_u64(tb[KHV_A_VM_MEM_DENIALS]));
	print_cpu_share(tb);
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
	if (argc > 0)
		return hv_usage_error("vm list: unexpected argument \"%s\"", argv[0]);
	return hv_nl_dump_array(KHV_CMD_VM_GET, KHV_A_VM_MAX, vm_print);
}

static int id_get(struct nlattr **tb, uint8_t cmd, void *arg)
{
	(void)cmd;
	*(uint64_t *)arg = hv_get_u64(tb[KHV_A_VM_ID]);
	return 0;
}

/* A VM by name: the kernel looks it up (vm-get by name). */
static int vm_by_name(const char *name, uint64_t *id)
{
	struct nl_msg *msg;

	msg = hv_nl_msg(KHV_CMD_VM_GET, 0);
	if (!msg || nla_put_string(msg, KHV_A_VM_NAME, name))
		return EXIT_KERNEL;
	*id = 0;
	if (hv_nl_exec(msg, KHV_A_VM_MAX, id_get, id) || !*id)
		return EXIT_KERNEL;
	return 0;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static bool is_vm_keyword(const char *word)
{
	return !strcmp(word, "id") || !strcmp(word, "name");
}

/* How many of the arguments name the VM at their front (see hv_vm_arg()). */
int hv_vm_words(int argc, char **argv)
{
	return argc >= 2 && is_vm_keyword(argv[0]) ? 2 : 1;
}

/**
 * hv_vm_arg() - the VM named at the front of the arguments.
 * @argc: the arguments left; the VM's words are taken off.
 * @argv: likewise.
 * @id:   the VM's id.
 *
 * "id ID" and "name NAME" say which; a lone word is an id when it is all
 * decimal digits and a name otherwise, so that a name may begin with a
 * digit ("name 42" for a name that is all digits, and for the names "id"
 * and "name"). Keywords are not abbreviated here: "n" is a VM's name.
 *
 * Return: 0, EXIT_USAGE or EXIT_KERNEL (the kernel's message printed).
 */
int hv_vm_arg(int *argc, char ***argv, uint64_t *id)
{
	const char *word = *argc > 0 ? (*argv)[0] : NULL;
	unsigned long long v;
	char *end;
	int r;

	if (!word)
		return hv_usage_error("a VM is missing (ID, NAME, id ID or name NAME)");
	if (is_vm_keyword(word)) {
		if (*argc < 2)
			return hv_usage_error("%s needs a value", word);
		r = word[0] == 'i' ? hv_parse_u64((*argv)[1], "VM id", id) :
				     vm_by_name((*argv)[1], id);
		*argc -= 2;
		*argv += 2;
		return r;
	}
	*argc -= 1;
	*argv += 1;
	if (!all_digits(word))
		return vm_by_name(word, id);
	errno = 0;
	v = strtoull(word, &end, 10);
	if (errno)
		return hv_usage_error("VM id \"%s\" is too large", word);
	*id = v;
	return 0;
}

/* "hvctl OBJECT CMD VM" with nothing more: the VM's id, or an error. */
int hv_vm_id_arg(int argc, char **argv, const char *usage, uint64_t *id)
{
	int r = hv_vm_arg(&argc, &argv, id);

	if (!r && argc)
		return hv_usage_error("unexpected \"%s\"; usage: %s", argv[0], usage);
	return r;
}

static int vm_show(int argc, char **argv)
{
	struct nl_msg *msg;
	uint64_t id;
	int r;

	r = hv_vm_id_arg(argc, argv, "hvctl vm show VM", &id);
	if (r)
		return r;
	msg = hv_nl_msg(KHV_CMD_VM_GET, 0);
	if (!msg || nla_put_u64(msg, KHV_A_VM_ID, id))
		return EXIT_KERNEL;
	return hv_nl_exec(msg, KHV_A_VM_MAX, vm_print, NULL) ?
	       EXIT_KERNEL : EXIT_OK;
}

/* The kernel validates both, and says what is wrong. */
static int vm_set_attrs(uint64_t id, const char *name, const char *tags)
{
	struct nl_msg *msg;

	msg = hv_nl_msg(KHV_CMD_VM_SET, 0);
	if (!msg || nla_put_u64(msg, KHV_A_VM_ID, id) ||
	    (name && nla_put_string(msg, KHV_A_VM_NAME, name)) ||
	    (tags && nla_put_string(msg, KHV_A_VM_TAGS, tags)))
		return EXIT_KERNEL;
	return hv_nl_exec(msg, KHV_A_VM_MAX, NULL, NULL) ?
	       EXIT_KERNEL : EXIT_OK;
}

static int vm_set(int argc, char **argv)
{
	static const char *const keys[] = { "name", "tags" };
	const char *val[2] = { NULL, NULL };
	uint64_t id;
	int i, k, r;

	if (argc < 1)
		return hv_usage_error("usage: hvctl vm set VM [ name NAME ] [ tags TAGS ]");
	r = hv_vm_arg(&argc, &argv, &id);
	if (r)
		return r;
	for (i = 0; i < argc; i += 2) {
		k = hv_match(argv[i], keys, 2);
		if (k < 0)
			return hv_usage_error("vm set: unknown key \"%s\" (known: name, tags)",
					      argv[i]);
		if (i + 1 >= argc)
			return hv_usage_error("vm set: %s needs a value", keys[k]);
		val[k] = argv[i + 1];
	}
	if (!val[0] && !val[1])
		return hv_usage_error("vm set: nothing to set (name NAME, tags TAGS)");
	return vm_set_attrs(id, val[0], val[1]);
}

struct own_vm {
	uint32_t pid;
	uint64_t id;
};

static int own_vm_find(struct nlattr **tb, uint8_t cmd, void *arg)
{
	uint64_t id = hv_get_u64(tb[KHV_A_VM_ID]);
	struct own_vm *o = arg;

	(void)cmd;
	if (hv_get_u32(tb[KHV_A_VM_PID]) == o->pid && id > o->id)
		o->id = id;
	return 0;
}

/**
 * hv_vm_own_id() - the id of the VM this process has just created.
 * @what: the option that wants it, for the message.
 * @id:   out: the id.
 *
 * Its id is the largest (ids only grow) among the VMs whose creator's pid
 * (khv's, in the initial PID namespace) is this process's: a VM an older
 * process with the same pid created, and passed on, has a smaller one.
 * The dump lists the VMs the caller may view: CAP_SYS_ADMIN's or the
 * grant's (view).
 *
 * Return: 0, or EXIT_KERNEL with the reason printed.
 */
int hv_vm_own_id(const char *what, uint64_t *id)
{
	struct own_vm o = { .pid = getpid() };
	struct nl_msg *msg;

	msg = hv_nl_msg(KHV_CMD_VM_GET, NLM_F_DUMP);
	if (!msg || hv_nl_exec(msg, KHV_A_VM_MAX, own_vm_find, &o))
		return EXIT_KERNEL;
	if (!o.id) {
		fprintf(stderr,
			"hvctl: run: %s: no VM created by pid %u is listed to this user (grant view, or another PID namespace?)\n",
			what, o.pid);
		return EXIT_KERNEL;
	}
	*id = o.id;
	return 0;
}

/**
 * hv_vm_name_own() - name the VM this process has just created.
 * @name: the name; the kernel validates it.
 *
 * The grant view (to find it, hv_vm_own_id()) and set are needed, or
 * CAP_SYS_ADMIN. The netlink socket is closed after.
 *
 * Return: 0, or EXIT_KERNEL with the reason printed.
 */
int hv_vm_name_own(const char *name)
{
	uint64_t id;
	int r;

	r = hv_vm_own_id("--name", &id);
	if (!r)
		r = vm_set_attrs(id, name, NULL);
	if (r)
		fprintf(stderr, "hvctl: run: cannot name the VM \"%s\"\n", name);
	hv_nl_close();
	return r;
}

static int vm_state_cmd(int argc, char **argv, uint8_t cmd, const char *usage)
{
	struct nl_msg *msg;
	uint64_t id;
	int r;

	r = hv_vm_id_arg(argc, argv, usage, &id);
	if (r)
		return r;
	msg = hv_nl_msg(cmd, 0);
	if (!msg || nla_put_u64(msg, KHV_A_VM_ID, id))
		return EXIT_KERNEL;
	return hv_nl_exec(msg, KHV_A_VM_MAX, NULL, NULL) ?
	       EXIT_KERNEL : EXIT_OK;
}

static int vm_pause(int argc, char **argv)
{
	return vm_state_cmd(argc, argv, KHV_CMD_VM_PAUSE, "hvctl vm pause VM");
}

static int vm_resume(int argc, char **argv)
{
	return vm_state_cmd(argc, argv, KHV_CMD_VM_RESUME, "hvctl vm resume VM");
}

static int vm_destroy(int argc, char **argv)
{
	return vm_state_cmd(argc, argv, KHV_CMD_VM_DESTROY, "hvctl vm destroy VM");
}

static void vm_usage(void)
{
	fprintf(stderr,
		"Usage: hvctl vm [ list ]\n"
		"       hvctl vm show VM\n"
		"       hvctl vm set VM [ name NAME ] [ tags TAGS ]\n"
		"       hvctl vm { pause | resume | destroy } VM\n"
		"       hvctl vm introspect { regs VM VCPU | mem VM GPA LEN }\n"
		"VM := { ID | NAME | id ID | name NAME }: a lone word is an id when it is\n"
		"      all digits, a name otherwise; \"name\" for names that are all digits.\n"
		"NAME: 1 to 63 printable ASCII characters, unique among VMs.\n"
		"TAGS: comma-separated, at most 8, each 1 to 31 of [A-Za-z0-9_.-];\n"
		"      \"\" removes them all.\n");
}

static const struct hv_cmd vm_cmds[] = {
	{ "list", vm_list },
	{ "show", vm_show },
	{ "set", vm_set },
	{ "pause", vm_pause },
	{ "resume", vm_resume },
	{ "destroy", vm_destroy },
	{ "introspect", vm_introspect },
	{ NULL, NULL },
};

int do_vm(int argc, char **argv)
{
	return hv_dispatch("vm", vm_cmds, argc, argv, vm_usage);
}
