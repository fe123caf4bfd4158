// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvctl monitor [--count N]: stream the khv monitor group's events (VM
 * changes and audit records) until SIGINT or SIGTERM, or until N events have
 * been printed; hvctl audit monitor: the audit records only.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <linux/khv_netlink.h>

#include "hvctl.h"

/* VM and audit messages share the socket: parse up to the larger. */
#define MONITOR_MAXATTR	((int)KHV_A_AUDIT_MAX > (int)KHV_A_VM_MAX ? \
			 (int)KHV_A_AUDIT_MAX : (int)KHV_A_VM_MAX)

static atomic_int stop;	/* set by the signal handler */

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

enum monitor_what { MON_ALL, MON_VM, MON_AUDIT };

struct monitor {
	uint64_t count;		/* events still to print; 0: no limit */
	enum monitor_what what;
	uint64_t next_seq;	/* the audit record expected next; 0: any */
};

/*
 * The kernel sends the records in sequence order: a gap is records it could
 * not send (no memory) or that the socket dropped. The ring has them.
 */
static void audit_gap(struct monitor *mon, struct nlattr **tb)
{
	uint64_t seq;

	if (!tb[KHV_A_AUDIT_SEQ])
		return;
	seq = nla_get_u64(tb[KHV_A_AUDIT_SEQ]);
	if (mon->next_seq && seq > mon->next_seq)
		fprintf(stderr,
			"hvctl: audit records %llu to %llu not heard (hvctl audit show from %llu)\n",
			(unsigned long long)mon->next_seq,
			(unsigned long long)seq - 1,
			(unsigned long long)mon->next_seq);
	mon->next_seq = seq + 1;
}

static int event_print(struct nlattr **tb, uint8_t cmd, void *arg)
{
	struct monitor *mon = arg;
	const char *event;

	if ((mon->what == MON_AUDIT && cmd != KHV_CMD_AUDIT_NTF) ||
	    (mon->what == MON_VM && cmd == KHV_CMD_AUDIT_NTF))
		return 0;
	switch (cmd) {
	case KHV_CMD_AUDIT_NTF:
		event = "audit";
		break;
	case KHV_CMD_VM_CREATE_NTF:
		event = "vm-create";
		break;
	case KHV_CMD_VM_DELETE_NTF:
		event = "vm-delete";
		break;
	case KHV_CMD_VM_CHANGE_NTF:
		event = "vm-change";
		break;
	default:
		return 0;	/* an event this hvctl does not know */
	}
	if (cmd == KHV_CMD_AUDIT_NTF)
		audit_gap(mon, tb);
	print_open_object(NULL);
	print_string("event", event);
	if (cmd == KHV_CMD_AUDIT_NTF)
		print_audit(tb);
	else
		print_vm(tb);
	print_close_object();
	print_flush();
	if (mon->count && !--mon->count)
		return 1;
	return 0;
}

static void monitor_usage(void)
{
	fprintf(stderr,
		"Usage: hvctl monitor [ all | vm | audit ] [ --count N ]\n"
		"       hvctl audit monitor [ --count N ]\n"
		"Prints one line (with -j: one JSON object) per event (VM changes,\n"
		"audit records, or both: all) until interrupted, or until N have\n"
		"been printed. Needs CAP_SYS_ADMIN.\n");
}

int hv_monitor_run(int argc, char **argv, bool audit_only)
{
	static const char *const whats[] = { "all", "vm", "audit" };
	static const char *const opts[] = { "--count" };
	struct monitor mon = { .what = audit_only ? MON_AUDIT : MON_ALL };
	int w;
	struct sigaction sa;
	int r;

	if (argc > 0 && !strcmp(argv[0], "help")) {
		monitor_usage();
		return EXIT_OK;
	}
	if (!audit_only && argc > 0 && argv[0][0] != '-') {
		w = hv_match(argv[0], whats, 3);
		if (w < 0) {
			monitor_usage();
			return hv_usage_error("monitor: unknown event kind \"%s\"", argv[0]);
		}
		mon.what = w;
		argc--;
		argv++;
	}
	while (argc > 0) {
		if (hv_match(argv[0], opts, 1) != 0) {
			monitor_usage();
			return hv_usage_error("monitor: unknown argument \"%s\"", argv[0]);
		}
		if (argc < 2)
			return hv_usage_error("monitor: --count needs a number");
		r = hv_parse_u64(argv[1], "count", &mon.count);
		if (r)
			return r;
		argc -= 2;
		argv += 2;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: poll() returns */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	if (hv_nl_open())
		return EXIT_KERNEL;
	r = hv_nl_monitor(MONITOR_MAXATTR, event_print, &mon, &stop);
	return r ? EXIT_KERNEL : EXIT_OK;
}

int do_monitor(int argc, char **argv)
{
	return hv_monitor_run(argc, argv, false);
}
