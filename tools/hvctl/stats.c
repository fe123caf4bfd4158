// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvctl stats [ --prometheus ]: every VM the caller may view, its usage
 * counters and quotas, in the Prometheus text exposition format (version
 * 0.0.4), for node_exporter's textfile collector (Documentation/hvctl.8,
 * Documentation/admin-guide.rst "Quotas"). Each metric is one block: its
 * HELP and TYPE lines, then one sample per VM, labelled id and name.
 * Seconds are printed from the kernel's nanoseconds with all nine decimals.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/khv_netlink.h>
#include <linux/khv_netlink_names.h>

#include "hvctl.h"

/* How a sample's value is written. */
enum stat_kind {
	STAT_U32,	/* a u32 attribute, as it is */
	STAT_U64,	/* a u64 attribute, as it is */
	STAT_NS,	/* a u64 of nanoseconds, as seconds */
};

static const struct {
	const char *name;
	const char *type;
	const char *help;
	int attr;
	enum stat_kind kind;
} stats[] = {
	{ "khv_vm_vcpus", "gauge", "vCPUs created.",
	  KHV_A_VM_NR_VCPUS, STAT_U32 },
	{ "khv_vm_memory_bytes", "gauge", "Guest RAM in memory regions, bytes.",
	  KHV_A_VM_MEM_BYTES, STAT_U64 },
	{ "khv_vm_memory_allocated_bytes", "gauge",
	  "Guest memory allocated to the VM, bytes.",
	  KHV_A_VM_MEM_ALLOCATED, STAT_U64 },
	{ "khv_vm_memory_min_bytes", "gauge",
	  "Memory guarantee (mem-min), bytes; 0: none.",
	  KHV_A_VM_MEM_MIN, STAT_U64 },
	{ "khv_vm_memory_max_bytes", "gauge",
	  "Memory cap (mem-max), bytes; 0: none.",
	  KHV_A_VM_MEM_MAX, STAT_U64 },
	{ "khv_vm_memory_priority", "gauge",
	  "Memory priority (mem-priority), 0 to 7.",
	  KHV_A_VM_MEM_PRIORITY, STAT_U32 },
	{ "khv_vm_memory_denials_total", "counter",
	  "Requests for guest memory refused by mem-max, mem-budget or mem-priority.",
	  KHV_A_VM_MEM_DENIALS, STAT_U64 },
	{ "khv_vm_cpu_cap_percent", "gauge",
	  "CPU cap (cpu-cap), percent of one CPU per vCPU; 0: none.",
	  KHV_A_VM_CPU_CAP, STAT_U32 },
	{ "khv_vm_cpu_weight", "gauge",
	  "CPU weight (cpu-weight), 1 to 10000; 0: none.",
	  KHV_A_VM_CPU_WEIGHT, STAT_U32 },
	{ "khv_vm_cpu_reservation_percent", "gauge",
	  "CPU reservation (cpu-reservation), percent of one CPU per vCPU; 0: none.",
	  KHV_A_VM_CPU_RESERVATION, STAT_U32 },
	{ "khv_vm_guest_seconds_total", "counter",
	  "Time the vCPUs spent entering and in the guest, seconds.",
	  KHV_A_VM_GUEST_NS, STAT_NS },
	{ "khv_vm_throttled_seconds_total", "counter",
	  "Time the vCPUs waited for cpu-cap or the I/O limits, seconds.",
	  KHV_A_VM_THROTTLED_NS, STAT_NS },
	{ "khv_vm_throttles_total", "counter",
	  "Waits for cpu-cap or the I/O limits begun.",
	  KHV_A_VM_THROTTLES, STAT_U64 },
	{ "khv_vm_io_exits_total", "counter",
	  "Exits to user space for port I/O and MMIO.",
	  KHV_A_VM_IO_EXITS, STAT_U64 },
	{ "khv_vm_io_bytes_total", "counter",
	  "Bytes of the port I/O and MMIO exits to user space.",
	  KHV_A_VM_IO_BYTES, STAT_U64 },
	{ "khv_vm_io_exits_rate_limit", "gauge",
	  "I/O exit limit (io-exits-rate), per second; 0: none.",
	  KHV_A_VM_IO_EXITS_RATE, STAT_U64 },
	{ "khv_vm_io_bytes_rate_limit", "gauge",
	  "I/O byte limit (io-bytes-rate), bytes per second; 0: none.",
	  KHV_A_VM_IO_BYTES_RATE, STAT_U64 },
};

#define NR_STATS	ARRAY_SIZE(stats)
#define NR_EXITS	(KHV_A_EXIT_STATS_MAX + 1)

static const char *const exit_names[] = KHV_A_EXIT_STATS_NAMES;

/* One VM's values, copied out of its vm-get reply. */
struct stat_vm {
	uint64_t id;
	char name[64];
	uint64_t val[NR_STATS];
	uint64_t exits[NR_EXITS];
};

struct stat_list {
	struct stat_vm *vms;
	size_t nr, cap;
};

static int stats_parse(struct nlattr **tb, uint8_t cmd, void *arg)
{
	struct nlattr *ex[KHV_A_EXIT_STATS_MAX + 1];
	struct stat_list *l = arg;
	struct stat_vm *vm, *vms;
	unsigned int i;

	(void)cmd;
	if (l->nr == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		vms = realloc(l->vms, l->cap * sizeof(*vms));
		if (!vms)
			return -ENOMEM;
		l->vms = vms;
	}
	vm = &l->vms[l->nr++];
	memset(vm, 0, sizeof(*vm));
	vm->id = hv_get_u64(tb[KHV_A_VM_ID]);
	snprintf(vm->name, sizeof(vm->name), "%s",
		 hv_get_str(tb[KHV_A_VM_NAME]));
	for (i = 0; i < NR_STATS; i++)
		vm->val[i] = stats[i].kind == STAT_U32 ?
			     hv_get_u32(tb[stats[i].attr]) :
			     hv_get_u64(tb[stats[i].attr]);
	if (tb[KHV_A_VM_EXITS] &&
	    !nla_parse_nested(ex, KHV_A_EXIT_STATS_MAX, tb[KHV_A_VM_EXITS],
			      NULL))
		for (i = KHV_A_EXIT_STATS_INTR; i < NR_EXITS; i++)
			vm->exits[i] = hv_get_u64(ex[i]);
	return 0;
}

/*
 * A label value: backslash, double quote and line feed escaped (names are
 * printable ASCII already; the escapes keep the format whatever they are).
 */
static void print_label(const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			printf("\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", stdout);
		else
			putchar(*s);
	}
}

static void print_labels(const struct stat_vm *vm, const char *reason)
{
	printf("{id=\"%" PRIu64 "\",name=\"", vm->id);
	print_label(vm->name);
	putchar('"');
	if (reason)
		printf(",reason=\"%s\"", reason);
	putchar('}');
}

static void print_value(uint64_t val, enum stat_kind kind)
{
	if (kind == STAT_NS)
		printf(" %" PRIu64 ".%09" PRIu64 "\n", val / 1000000000u,
		       val % 1000000000u);
	else
		printf(" %" PRIu64 "\n", val);
}

static void stats_print(const struct stat_list *l)
{
	unsigned int i, j;
	size_t v;

	for (i = 0; i < NR_STATS; i++) {
		printf("# HELP %s %s\n# TYPE %s %s\n", stats[i].name,
		       stats[i].help, stats[i].name, stats[i].type);
		for (v = 0; v < l->nr; v++) {
			fputs(stats[i].name, stdout);
			print_labels(&l->vms[v], NULL);
			print_value(l->vms[v].val[i], stats[i].kind);
		}
	}
	printf("# HELP khv_vm_exits_total Hardware exits, by reason.\n"
	       "# TYPE khv_vm_exits_total counter\n");
	for (v = 0; v < l->nr; v++) {
		for (j = KHV_A_EXIT_STATS_INTR; j < NR_EXITS; j++) {
			fputs("khv_vm_exits_total", stdout);
			print_labels(&l->vms[v], exit_names[j]);
			print_value(l->vms[v].exits[j], STAT_U64);
		}
	}
}

static void stats_usage(void)
{
	fprintf(stderr, "Usage: hvctl stats [ --prometheus ]\n"
			"Every VM's usage counters and quotas in the Prometheus text format.\n");
}

int do_stats(int argc, char **argv)
{
	struct stat_list l = { NULL, 0, 0 };
	struct nl_msg *msg;
	int r;

	if (argc > 0 && !strcmp(argv[0], "help")) {
		stats_usage();
		return EXIT_OK;
	}
	if (argc > 0 && (!strcmp(argv[0], "--prometheus") ||
			 !strcmp(argv[0], "-prometheus") ||
			 !strcmp(argv[0], "prometheus"))) {
		argc--;
		argv++;
	}
	if (argc > 0) {
		stats_usage();
		return hv_usage_error("stats: unexpected argument \"%s\"", argv[0]);
	}
	if (print_is_json())
		return hv_usage_error("stats: no JSON form; use hvctl -j vm list");
	msg = hv_nl_msg(KHV_CMD_VM_GET, NLM_F_DUMP);
	if (!msg)
		return EXIT_KERNEL;
	/* Printed only once whole: a failed dump leaves no partial file. */
	r = hv_nl_exec(msg, KHV_A_VM_MAX, stats_parse, &l);
	if (!r)
		stats_print(&l);
	free(l.vms);
	if (r == -ENOMEM)
		fprintf(stderr, "hvctl: stats: out of memory\n");
	return r ? EXIT_KERNEL : EXIT_OK;
}
