// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvctl audit [ show [ from SEQ ] ]: the ring's state and its records;
 * hvctl audit monitor [ --count N ]: records as they are written;
 * hvctl audit set [ size N ] [ denial-burst N ] [ denial-interval SECONDS ]:
 * resize the ring, change the denial rate limit.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <linux/khv_netlink.h>
#include <linux/khv_netlink_names.h>

#include "hvctl.h"

static const char *const audit_ops[] = KHV_AUDIT_OP_NAMES;

/*
 * A record's time: for people, local ISO 8601 with nanoseconds and the UTC offset
 * ("2026-12-02T12:05:03.123456789+01:00"); for machines (-j), nanoseconds since the epoch.
 */
static void print_audit_time(uint64_t ns)
{
	time_t secs = (time_t)(ns / 1000000000ULL);
	char date[32], zone[8], buf[64];
	struct tm tm;

	if (print_is_json() || !localtime_r(&secs, &tm) ||
	    !strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm) ||
	    strftime(zone, sizeof(zone), "%z", &tm) != 5) {
		print_u64("time_ns", ns);
		return;
	}
	snprintf(buf, sizeof(buf), "%s.%09llu%.3s:%s", date,
		 (unsigned long long)(ns % 1000000000ULL), zone, zone + 3);
	print_string("time", buf);
}

/* One record: the same keys in show, monitor and hvctl monitor. */
void print_audit(struct nlattr **tb)
{
	print_u64("seq", hv_get_u64(tb[KHV_A_AUDIT_SEQ]));
	print_audit_time(hv_get_u64(tb[KHV_A_AUDIT_TIME_NS]));
	print_u64("uid", hv_get_u32(tb[KHV_A_AUDIT_UID]));
	print_u64("pid", hv_get_u32(tb[KHV_A_AUDIT_PID]));
	print_string("comm", hv_get_str(tb[KHV_A_AUDIT_COMM]));
	print_string("op", hv_enum_name(audit_ops, ARRAY_SIZE(audit_ops),
					hv_get_u32(tb[KHV_A_AUDIT_OP])));
	print_u64("vm", hv_get_u64(tb[KHV_A_AUDIT_VM_ID]));
	print_string("object", hv_get_str(tb[KHV_A_AUDIT_OBJECT]));
	print_string("old", hv_get_str(tb[KHV_A_AUDIT_OLD]));
	print_string("new", hv_get_str(tb[KHV_A_AUDIT_NEW]));
	print_s64("result", hv_get_s32(tb[KHV_A_AUDIT_RESULT]));
	/* audit-suppressed only: how many denials it sums up. */
	if (tb[KHV_A_AUDIT_SUPPRESSED])
		print_u64("suppressed", hv_get_u64(tb[KHV_A_AUDIT_SUPPRESSED]));
}

static int record_print(struct nlattr **tb, uint8_t cmd, void *arg)
{
	(void)cmd;
	(void)arg;
	print_open_object(NULL);
	print_audit(tb);
	print_close_object();
	return 0;
}

struct ring_state {
	uint64_t ring_size, next_seq, first_seq, lost, suppressed;
	uint64_t denial_burst, denial_interval;
};

static int state_get(struct nlattr **tb, uint8_t cmd, void *arg)
{
	struct ring_state *st = arg;

	(void)cmd;
	st->ring_size = hv_get_u32(tb[KHV_A_AUDIT_RING_SIZE]);
	st->next_seq = hv_get_u64(tb[KHV_A_AUDIT_NEXT_SEQ]);
	st->first_seq = hv_get_u64(tb[KHV_A_AUDIT_FIRST_SEQ]);
	st->lost = hv_get_u64(tb[KHV_A_AUDIT_LOST]);
	st->suppressed = hv_get_u64(tb[KHV_A_AUDIT_SUPPRESSED]);
	st->denial_burst = hv_get_u32(tb[KHV_A_AUDIT_DENIAL_BURST]);
	st->denial_interval = hv_get_u32(tb[KHV_A_AUDIT_DENIAL_INTERVAL]);
	return 0;
}

static int audit_show(int argc, char **argv)
{
	static const char *const keys[] = { "from" };
	struct ring_state st = { 0 };
	struct nl_msg *msg;
	uint64_t from = 0;
	int r;

	if (argc > 0) {
		if (argc != 2 || hv_match(argv[0], keys, 1) != 0)
			return hv_usage_error("usage: hvctl audit show [ from SEQ ]");
		r = hv_parse_u64(argv[1], "SEQ", &from);
		if (r)
			return r;
	}
	msg = hv_nl_msg(KHV_CMD_AUDIT_GET, 0);
	if (!msg)
		return EXIT_KERNEL;
	r = hv_nl_exec(msg, KHV_A_AUDIT_MAX, state_get, &st);
	if (r)
		return EXIT_KERNEL;
	print_open_object(NULL);
	print_u64("ring_size", st.ring_size);
	print_u64("next_seq", st.next_seq);
	print_u64("first_seq", st.first_seq);
	print_u64("lost", st.lost);
	print_u64("suppressed", st.suppressed);
	print_u64("denial_burst", st.denial_burst);
	print_u64("denial_interval", st.denial_interval);
	print_close_line();
	msg = hv_nl_msg(KHV_CMD_AUDIT_GET, NLM_F_DUMP);
	if (!msg || (from && nla_put_u64(msg, KHV_A_AUDIT_SEQ, from)))
		return EXIT_KERNEL;
	print_open_array("records");
	r = hv_nl_exec(msg, KHV_A_AUDIT_MAX, record_print, NULL);
	print_close_array();
	print_close_object();
	return r ? EXIT_KERNEL : EXIT_OK;
}

static int audit_set(int argc, char **argv)
{
	static const char *const keys[] = {
		"size", "denial-burst", "denial-interval",
	};
	static const int attrs[] = {
		KHV_A_AUDIT_RING_SIZE, KHV_A_AUDIT_DENIAL_BURST,
		KHV_A_AUDIT_DENIAL_INTERVAL,
	};
	const char *usage =
		"usage: hvctl audit set [ size N ] [ denial-burst N ] [ denial-interval SECONDS ]";
	uint64_t val[ARRAY_SIZE(keys)];
	bool given[ARRAY_SIZE(keys)] = { false };
	struct nl_msg *msg;
	int k, r;
	size_t i;

	if (argc < 2 || argc % 2)
		return hv_usage_error("%s", usage);
	for (; argc >= 2; argc -= 2, argv += 2) {
		k = hv_match(argv[0], keys, ARRAY_SIZE(keys));
		if (k < 0 || given[k])
			return hv_usage_error("%s", usage);
		r = hv_parse_u64(argv[1], keys[k], &val[k]);
		if (r)
			return r;
		if (val[k] > UINT32_MAX)
			return hv_usage_error("%s \"%s\" too large", keys[k], argv[1]);
		given[k] = true;
	}
	/* The kernel bounds them, and says so. */
	msg = hv_nl_msg(KHV_CMD_AUDIT_SET, 0);
	if (!msg)
		return EXIT_KERNEL;
	for (i = 0; i < ARRAY_SIZE(keys); i++)
		if (given[i] && nla_put_u32(msg, attrs[i], val[i]))
			return EXIT_KERNEL;
	return hv_nl_exec(msg, KHV_A_AUDIT_MAX, NULL, NULL) ?
	       EXIT_KERNEL : EXIT_OK;
}

static int audit_monitor(int argc, char **argv)
{
	return hv_monitor_run(argc, argv, true);
}

static void audit_usage(void)
{
	fprintf(stderr,
		"Usage: hvctl audit [ show [ from SEQ ] ]\n"
		"       hvctl audit monitor [ --count N ]\n"
		"       hvctl audit set [ size N ] [ denial-burst N ] [ denial-interval SECONDS ]\n"
		"show: the ring's size, next and first sequence numbers, records\n"
		"lost (a gap in seq), denials suppressed by the rate limit and the\n"
		"limit, then the records. Needs CAP_SYS_ADMIN.\n");
}

static const struct hv_cmd audit_cmds[] = {
	{ "show", audit_show },
	{ "monitor", audit_monitor },
	{ "set", audit_set },
	{ NULL, NULL },
};

int do_audit(int argc, char **argv)
{
	return hv_dispatch("audit", audit_cmds, argc, argv, audit_usage);
}
