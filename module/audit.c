// SPDX-License-Identifier: GPL-2.0-only
/*
 * The audit trail (SPEC.md "Audit", HY-SR-17): one record per state change
 * and per denial, with who (uid, pid, comm), what (operation, object),
 * before and after, and the result. Each record goes to the kernel audit
 * subsystem (where it is enabled), to the netlink monitor group, and to an
 * in-module ring that the administrator sizes (audit_ring_size, audit-set)
 * and reads by sequence number: a record dropped from the ring is counted in
 * "lost" and leaves a visible gap in the sequence, never a silent one.
 */
#define pr_fmt(fmt) "khv: " fmt

#include <linux/audit.h>
#include <linux/cred.h>
#include <linux/ktime.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>

#include "khv.h"
#include "netlink/netlink.h"

static unsigned int audit_ring_size = 1024;
module_param(audit_ring_size, uint, 0444);
MODULE_PARM_DESC(audit_ring_size,
		 "audit records kept in the module's ring (16 to 65536; netlink audit-set changes it)");

/*
 * Protects the ring: khv_audit_ring[seq % khv_audit_size] holds the record
 * with sequence number seq, for first_seq <= seq < next_seq.
 */
static DEFINE_MUTEX(khv_audit_lock);
static struct khv_audit_rec *khv_audit_ring;
static u32 khv_audit_size;
static u64 khv_audit_next_seq = 1;
static u64 khv_audit_first_seq = 1;
static u64 khv_audit_lost;

static const char *const khv_audit_op_names[] = {
	[KHV_AUDIT_OP_VM_CREATE] = "vm-create",
	[KHV_AUDIT_OP_VM_CLOSE] = "vm-close",
	[KHV_AUDIT_OP_VM_SET] = "vm-set",
	[KHV_AUDIT_OP_VM_PAUSE] = "vm-pause",
	[KHV_AUDIT_OP_VM_RESUME] = "vm-resume",
	[KHV_AUDIT_OP_VM_DESTROY] = "vm-destroy",
	[KHV_AUDIT_OP_VM_VIEW] = "vm-view",
	[KHV_AUDIT_OP_GRANT_ADD] = "grant-add",
	[KHV_AUDIT_OP_GRANT_DEL] = "grant-del",
	[KHV_AUDIT_OP_GRANT_VIEW] = "grant-view",
	[KHV_AUDIT_OP_AUDIT_VIEW] = "audit-view",
	[KHV_AUDIT_OP_AUDIT_SET] = "audit-set",
	[KHV_AUDIT_OP_INTROSPECT_REGS] = "introspect-regs",
	[KHV_AUDIT_OP_INTROSPECT_MEM] = "introspect-mem",
	[KHV_AUDIT_OP_HOST_SET] = "host-set",
};

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

/* To the kernel audit subsystem; audit_log_start() is NULL where it is off. */
static void khv_audit_log_kernel(const struct khv_audit_rec *rec)
{
	struct audit_buffer *ab;

	ab = audit_log_start(audit_context(), GFP_KERNEL, AUDIT_KERNEL_OTHER);
	if (!ab)
		return;
	audit_log_format(ab, "khv seq=%llu op=%s vm=%llu uid=%u pid=%u res=%d",
			 rec->seq, khv_audit_op_name(rec->op), rec->vm_id,
			 rec->uid, rec->pid, rec->result);
	khv_audit_log_str(ab, "comm", rec->comm);
	khv_audit_log_str(ab, "object", rec->object);
	khv_audit_log_str(ab, "old", rec->old);
	khv_audit_log_str(ab, "new", rec->new);
	audit_log_end(ab);
}

/**
 * khv_audit() - record a state change or a denial by current.
 * @op:     KHV_AUDIT_OP_*.
 * @vm_id:  the VM concerned, or 0.
 * @object: what was acted on, in words.
 * @old:    the value before ("" if none).
 * @new:    the value after, or the one refused.
 * @result: 0, or the -errno returned to the caller.
 *
 * Process context, no spinlock held. Strings longer than a record's fields
 * are cut.
 */
void khv_audit(u32 op, u64 vm_id, const char *object, const char *old,
	       const char *new, int result)
{
	struct khv_audit_rec *rec;

	rec = kzalloc(sizeof(*rec), GFP_KERNEL);
	if (!rec) {
		/* Not silent: the record is counted, and its number skipped. */
		mutex_lock(&khv_audit_lock);
		khv_audit_next_seq++;
		khv_audit_lost++;
		mutex_unlock(&khv_audit_lock);
		return;
	}
	rec->time_ns = ktime_get_real_ns();
	rec->vm_id = vm_id;
	rec->uid = from_kuid_munged(&init_user_ns, current_euid());
	rec->pid = task_tgid_nr(current);
	rec->op = op;
	rec->result = result;
	get_task_comm(rec->comm, current);
	strscpy(rec->object, object ?: "", sizeof(rec->object));
	strscpy(rec->old, old ?: "", sizeof(rec->old));
	strscpy(rec->new, new ?: "", sizeof(rec->new));

	mutex_lock(&khv_audit_lock);
	rec->seq = khv_audit_next_seq++;
	if (khv_audit_next_seq - khv_audit_first_seq > khv_audit_size) {
		khv_audit_first_seq++;
		khv_audit_lost++;
	}
	khv_audit_ring[rec->seq % khv_audit_size] = *rec;
	mutex_unlock(&khv_audit_lock);

	khv_audit_log_kernel(rec);
	khv_nl_audit_notify(rec);
	kfree(rec);
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
	mutex_unlock(&khv_audit_lock);
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
	/* Numbers skipped without memory are not in the ring: step over. */
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
 * @old:  out: the size before.
 *
 * The newest records are kept; those that do not fit count as lost.
 * Return: 0 or -ENOMEM.
 */
int khv_audit_resize(u32 size, u32 *old)
{
	struct khv_audit_rec *ring, *prev;
	u64 seq, first;

	ring = khv_audit_alloc(size);
	if (!ring)
		return -ENOMEM;
	mutex_lock(&khv_audit_lock);
	*old = khv_audit_size;
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

void khv_audit_exit(void)
{
	kvfree(khv_audit_ring);
	khv_audit_ring = NULL;
}
