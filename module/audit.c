// SPDX-License-Identifier: GPL-2.0-only
/*
 * The audit trail (Documentation/admin-guide.rst, "Audit"): one record per
 * state change and per denial, with who (uid, pid, comm), what (operation,
 * object), before and after, and the result. Each record goes to the kernel
 * audit subsystem (where it is enabled), to the management plane's listener
 * (the netlink monitor group: mgmt.c), and to an in-module ring that the
 * administrator sizes (audit_ring_size, audit-set) and reads by sequence
 * number: a record dropped from the ring is counted in "lost" and leaves a
 * visible gap in the sequence, never a silent one.
 *
 * A record is written in place in the ring, under the lock that numbers it,
 * and handed to the listener before the lock is dropped: no allocation can
 * lose it from the ring, and listeners hear the records in sequence order.
 * Denials are rate-limited per subject (audit_limit.c); what the limit
 * suppresses is summed up in one record.
 */
#define pr_fmt(fmt) "khv: " fmt

#include <linux/audit.h>
#include <linux/bits.h>
#include <linux/cred.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>
#include <linux/workqueue.h>
#include <uapi/linux/khv_netlink.h>
#include <uapi/linux/khv_netlink_names.h>

#include "audit.h"
#include "khv.h"
#include "mgmt.h"

static unsigned int audit_ring_size = 1024;
module_param(audit_ring_size, uint, 0444);
MODULE_PARM_DESC(audit_ring_size,
		 "audit records kept in the module's ring (16 to 65536; netlink audit-set changes it)");

static unsigned int audit_denial_burst = 32;
module_param(audit_denial_burst, uint, 0444);
MODULE_PARM_DESC(audit_denial_burst,
		 "denials recorded per uid in each window, the rest summed up (0: no limit; up to 65536; audit-set changes it)");

static unsigned int audit_denial_interval = 60;
module_param(audit_denial_interval, uint, 0444);
MODULE_PARM_DESC(audit_denial_interval,
		 "the denial rate limit's window, seconds (1 to 86400; audit-set changes it)");

/*
 * Protects the ring, its counters and the limiter:
 * khv_audit_ring[seq % khv_audit_size] holds the record with sequence number
 * seq, for first_seq <= seq < next_seq. Held while a record is sent out.
 */
static DEFINE_MUTEX(khv_audit_lock);
static struct khv_audit_rec *khv_audit_ring;
static u32 khv_audit_size;
static u64 khv_audit_next_seq = 1;
static u64 khv_audit_first_seq = 1;
static u64 khv_audit_lost;
static u64 khv_audit_suppressed;
static struct khv_audit_limiter khv_audit_limiter;
static bool khv_audit_closing;	/* unloading: no more flush work */

static void khv_audit_flush_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(khv_audit_flush_work, khv_audit_flush_fn);

static const char *const khv_audit_op_names[] = KHV_AUDIT_OP_NAMES;

/* Documentation/admin-guide.rst "Audit" gives the ring's memory from it. */
static_assert(sizeof(struct khv_audit_rec) == 816);

/* The limiter keeps the suppressed operations as bits of a u32. */
static_assert(ARRAY_SIZE(khv_audit_op_names) <= 32);

const char *khv_audit_op_name(u32 op)
{
	if (op < ARRAY_SIZE(khv_audit_op_names) && khv_audit_op_names[op])
		return khv_audit_op_names[op];
	return "?";
}

/*
 * " key=value" as audit_log_untrustedstring() would write it (not exported
 * to modules): quoted, or in hex when the value has a quote, a space or a
 * control character, so that no value can forge another field.
 */
static void khv_audit_log_str(struct audit_buffer *ab, const char *key,
			      const char *val)
{
	const unsigned char *p;

	for (p = val; *p; p++)
		if (*p == '"' || *p <= 0x20 || *p >= 0x7f)
			break;
	if (!*p) {
		audit_log_format(ab, " %s=\"%s\"", key, val);
		return;
	}
	audit_log_format(ab, " %s=", key);
	for (p = val; *p; p++)
		audit_log_format(ab, "%02X", *p);
}

/* What a record says, before it has its number and time. */
struct khv_audit_entry {
	u32 uid;
	u32 pid;
	const char *comm;
	u32 op;
	u64 vm_id;
	const char *object;
	const char *old;
	const char *new;
	int result;
	u64 suppressed;		/* audit-suppressed only */
	u64 seq;		/* out: given by khv_audit_commit() */
};

/*
 * To the kernel audit subsystem, after khv_audit_lock is dropped:
 * audit_log_start() may wait for the audit backlog (it is NULL where audit
 * is off). Its records carry seq=, so their order there does not matter.
 */
static void khv_audit_log_kernel(const struct khv_audit_entry *e)
{
	struct audit_buffer *ab;

	ab = audit_log_start(audit_context(), GFP_KERNEL, AUDIT_KERNEL_OTHER);
	if (!ab)
		return;
	audit_log_format(ab, "khv seq=%llu op=%s vm=%llu uid=%u pid=%u res=%d",
			 e->seq, khv_audit_op_name(e->op), e->vm_id, e->uid,
			 e->pid, e->result);
	khv_audit_log_str(ab, "comm", e->comm);
	khv_audit_log_str(ab, "object", e->object);
	khv_audit_log_str(ab, "old", e->old);
	khv_audit_log_str(ab, "new", e->new);
	if (e->op == KHV_AUDIT_OP_AUDIT_SUPPRESSED)
		audit_log_format(ab, " suppressed=%llu", e->suppressed);
	audit_log_end(ab);
}

/* A record's string: whole, since the fields hold the longest khv writes. */
static void khv_audit_copy(char *dst, const char *src, size_t len)
{
	WARN_ON_ONCE(strscpy(dst, src ?: "", len) < 0);
}

/*
 * Number a record, write it in the ring (evicting the oldest when it is
 * full) and hand it to the listener, under khv_audit_lock so that
 * listeners hear the records in sequence order.
 */
static void khv_audit_commit(struct khv_audit_entry *e)
{
	struct khv_audit_rec *rec;

	lockdep_assert_held(&khv_audit_lock);
	if (khv_audit_next_seq - khv_audit_first_seq >= khv_audit_size) {
		khv_audit_first_seq++;
		khv_audit_lost++;
	}
	e->seq = khv_audit_next_seq++;
	rec = &khv_audit_ring[e->seq % khv_audit_size];
	memset(rec, 0, sizeof(*rec));
	rec->seq = e->seq;
	rec->time_ns = ktime_get_real_ns();
	rec->vm_id = e->vm_id;
	rec->suppressed = e->suppressed;
	rec->uid = e->uid;
	rec->pid = e->pid;
	rec->op = e->op;
	rec->result = e->result;
	khv_audit_copy(rec->comm, e->comm, sizeof(rec->comm));
	khv_audit_copy(rec->object, e->object, sizeof(rec->object));
	khv_audit_copy(rec->old, e->old, sizeof(rec->old));
	khv_audit_copy(rec->new, e->new, sizeof(rec->new));
	khv_mgmt_audit_record(rec);
}

/*
 * The audit-suppressed record of a subject's window, in @e; @ops (of
 * KHV_AUDIT_VAL_MAX bytes) holds its "ops=..." value.
 */
static void khv_audit_summary_entry(const struct khv_audit_summary *sum,
				    struct khv_audit_entry *e, char *ops)
{
	size_t len = 0;
	unsigned int op;

	ops[0] = 0;
	for (op = 0; op < ARRAY_SIZE(khv_audit_op_names); op++)
		if (sum->ops & BIT(op))
			len += scnprintf(ops + len, KHV_AUDIT_VAL_MAX - len,
					 "%s%s", len ? "," : "ops=",
					 khv_audit_op_name(op));
	*e = (struct khv_audit_entry) {
		.uid = sum->uid, .pid = sum->pid, .comm = sum->comm,
		.op = KHV_AUDIT_OP_AUDIT_SUPPRESSED, .object = "denials",
		.old = "", .new = ops, .result = -EPERM,
		.suppressed = sum->suppressed,
	};
}

/* Write the summaries of the windows that are over at @now. */
static void khv_audit_flush(u64 now)
{
	struct khv_audit_summary sum;
	struct khv_audit_entry e;
	char ops[KHV_AUDIT_VAL_MAX];
	bool found;

	do {
		mutex_lock(&khv_audit_lock);
		found = khv_audit_limit_expire(&khv_audit_limiter, now, &sum);
		if (found) {
			khv_audit_summary_entry(&sum, &e, ops);
			khv_audit_commit(&e);
		}
		mutex_unlock(&khv_audit_lock);
		if (found)
			khv_audit_log_kernel(&e);
	} while (found);
}

/* Arm the work that writes the summaries of the windows still open. */
static void khv_audit_arm_flush(u64 now)
{
	u64 next = khv_audit_limit_next(&khv_audit_limiter);

	lockdep_assert_held(&khv_audit_lock);
	if (next && !khv_audit_closing)
		mod_delayed_work(system_wq, &khv_audit_flush_work,
				 nsecs_to_jiffies(next > now ? next - now : 0) + 1);
}

static void khv_audit_flush_fn(struct work_struct *work)
{
	u64 now = ktime_get_ns();

	khv_audit_flush(now);
	mutex_lock(&khv_audit_lock);
	khv_audit_arm_flush(now);
	mutex_unlock(&khv_audit_lock);
}

/**
 * khv_audit() - record a state change or a denial by current.
 * @op:     KHV_AUDIT_OP_*.
 * @vm_id:  the VM concerned, or 0.
 * @object: what was acted on, in words (at most KHV_AUDIT_OBJ_MAX - 1).
 * @old:    the value before ("" if none; at most KHV_AUDIT_VAL_MAX - 1).
 * @new:    the value after, or the one refused (likewise).
 * @result: 0, or the -errno returned to the caller.
 *
 * Process context, no spinlock held. A denial (-EPERM) beyond its subject's
 * burst is counted instead (Documentation/admin-guide.rst "Audit").
 */
void khv_audit(u32 op, u64 vm_id, const char *object, const char *old,
	       const char *new, int result)
{
	char comm[TASK_COMM_LEN], ops[KHV_AUDIT_VAL_MAX];
	struct khv_audit_entry e = {
		.uid = from_kuid_munged(&init_user_ns, current_euid()),
		.pid = task_tgid_nr(current),
		.comm = comm, .op = op, .vm_id = vm_id, .object = object,
		.old = old, .new = new, .result = result,
	};
	struct khv_audit_summary sum;
	struct khv_audit_entry flushed;
	bool flush = false, record = true;
	u64 now;

	get_task_comm(comm, current);
	mutex_lock(&khv_audit_lock);
	if (result == -EPERM) {
		now = ktime_get_ns();
		record = khv_audit_limit(&khv_audit_limiter, now, e.uid, op,
					 e.pid, comm, &sum, &flush);
		if (flush) {
			khv_audit_summary_entry(&sum, &flushed, ops);
			khv_audit_commit(&flushed);
		}
		if (!record) {
			khv_audit_suppressed++;
			khv_audit_arm_flush(now);
		}
	}
	if (record)
		khv_audit_commit(&e);
	mutex_unlock(&khv_audit_lock);
	if (flush)
		khv_audit_log_kernel(&flushed);
	if (record)
		khv_audit_log_kernel(&e);
}

/* khv_audit() about a VM: its id and "vm ID (NAME)" as the object. */
void khv_audit_vm(u32 op, struct khv_vm *vm, const char *old,
		  const char *new, int result)
{
	char object[KHV_AUDIT_OBJ_MAX];

	mutex_lock(&vm->lock);
	scnprintf(object, sizeof(object), "vm %llu%s%s", vm->id,
		  vm->name[0] ? " " : "", vm->name);
	mutex_unlock(&vm->lock);
	khv_audit(op, vm->id, object, old, new, result);
}

void khv_audit_get_state(struct khv_audit_state *st)
{
	mutex_lock(&khv_audit_lock);
	st->ring_size = khv_audit_size;
	st->next_seq = khv_audit_next_seq;
	st->first_seq = khv_audit_first_seq;
	st->lost = khv_audit_lost;
	st->suppressed = khv_audit_suppressed;
	st->denial_burst = khv_audit_limiter.burst;
	st->denial_interval = div_u64(khv_audit_limiter.interval_ns,
				      NSEC_PER_SEC);
	mutex_unlock(&khv_audit_lock);
}

/**
 * khv_audit_set_limit() - the denial rate limit from now on.
 * @burst:    denials recorded per subject and window; 0: no limit.
 * @interval: the window, seconds (1 to KHV_AUDIT_INTERVAL_MAX).
 *
 * Every subject starts afresh: the windows open are summed up now.
 */
void khv_audit_set_limit(u32 burst, u32 interval)
{
	mutex_lock(&khv_audit_lock);
	khv_audit_limiter.burst = burst;
	khv_audit_limiter.interval_ns = (u64)interval * NSEC_PER_SEC;
	mutex_unlock(&khv_audit_lock);
	khv_audit_flush(U64_MAX);
}

/**
 * khv_audit_read() - a copy of the oldest record with sequence >= *@seq.
 * @seq: where to start; set to the record's sequence number.
 * @rec: out.
 *
 * Return: whether there is one.
 */
bool khv_audit_read(u64 *seq, struct khv_audit_rec *rec)
{
	bool found = false;

	mutex_lock(&khv_audit_lock);
	if (*seq < khv_audit_first_seq)
		*seq = khv_audit_first_seq;
	/* Every number from first_seq on is in the ring; check anyway. */
	for (; *seq < khv_audit_next_seq; ++*seq) {
		*rec = khv_audit_ring[*seq % khv_audit_size];
		if (rec->seq == *seq) {
			found = true;
			break;
		}
	}
	mutex_unlock(&khv_audit_lock);
	return found;
}

static struct khv_audit_rec *khv_audit_alloc(u32 size)
{
	return kvcalloc(size, sizeof(struct khv_audit_rec), GFP_KERNEL);
}

/**
 * khv_audit_resize() - keep @size records from now on.
 * @size: KHV_AUDIT_RING_MIN to KHV_AUDIT_RING_MAX (the policy checks).
 *
 * The newest records are kept; those that do not fit count as lost.
 * Return: 0 or -ENOMEM.
 */
int khv_audit_resize(u32 size)
{
	struct khv_audit_rec *ring, *prev;
	u64 seq, first;

	ring = khv_audit_alloc(size);
	if (!ring)
		return -ENOMEM;
	mutex_lock(&khv_audit_lock);
	first = khv_audit_first_seq;
	if (khv_audit_next_seq - first > size) {
		khv_audit_lost += khv_audit_next_seq - size - first;
		first = khv_audit_next_seq - size;
	}
	for (seq = first; seq < khv_audit_next_seq; seq++)
		ring[seq % size] = khv_audit_ring[seq % khv_audit_size];
	prev = khv_audit_ring;
	khv_audit_ring = ring;
	khv_audit_size = size;
	khv_audit_first_seq = first;
	mutex_unlock(&khv_audit_lock);
	kvfree(prev);
	return 0;
}

int khv_audit_init(void)
{
	if (audit_denial_burst > KHV_AUDIT_BURST_MAX) {
		pr_warn("audit_denial_burst=%u above %u: using 32\n",
			audit_denial_burst, KHV_AUDIT_BURST_MAX);
		audit_denial_burst = 32;
	}
	if (!audit_denial_interval ||
	    audit_denial_interval > KHV_AUDIT_INTERVAL_MAX) {
		pr_warn("audit_denial_interval=%u out of 1..%u: using 60\n",
			audit_denial_interval, KHV_AUDIT_INTERVAL_MAX);
		audit_denial_interval = 60;
	}
	khv_audit_limiter.burst = audit_denial_burst;
	khv_audit_limiter.interval_ns = (u64)audit_denial_interval * NSEC_PER_SEC;
	if (audit_ring_size < KHV_AUDIT_RING_MIN ||
	    audit_ring_size > KHV_AUDIT_RING_MAX) {
		pr_warn("audit_ring_size=%u out of %u..%u: using 1024\n",
			audit_ring_size, KHV_AUDIT_RING_MIN, KHV_AUDIT_RING_MAX);
		audit_ring_size = 1024;
	}
	khv_audit_ring = khv_audit_alloc(audit_ring_size);
	if (!khv_audit_ring)
		return -ENOMEM;
	khv_audit_size = audit_ring_size;
	return 0;
}

/*
 * Unload (the netlink family and its listener are gone): the windows still
 * open are summed up now, for the kernel audit log, rather than never.
 */
void khv_audit_exit(void)
{
	mutex_lock(&khv_audit_lock);
	khv_audit_closing = true;
	mutex_unlock(&khv_audit_lock);
	cancel_delayed_work_sync(&khv_audit_flush_work);
	khv_audit_flush(U64_MAX);
	kvfree(khv_audit_ring);
	khv_audit_ring = NULL;
}
