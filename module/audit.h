/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The audit trail (Documentation/admin-guide.rst, "Audit"): its records and
 * ring (audit.c) and the denial rate limit (audit_limit.c).
 */
#ifndef KHV_AUDIT_H
#define KHV_AUDIT_H

#include <linux/sched.h>
#include <linux/types.h>
#include <uapi/linux/khv_netlink.h>

#include "labels.h"

struct khv_vm;

/*
 * audit.c: one record per state change and per denial. A record's strings
 * hold the longest value khv writes, so that no record is ever cut: the
 * object "vm ID NAME" and the value "name=NAME tags=TAGS".
 */
#define KHV_AUDIT_OBJ_MAX	(sizeof("vm 18446744073709551615 ") + \
				 KHV_VM_NAME_MAX - 1)
#define KHV_AUDIT_VAL_MAX	(sizeof("name= tags=") + KHV_VM_NAME_MAX - 1 + \
				 KHV_VM_TAGS_MAX - 1)
#define KHV_AUDIT_RING_MIN	16
#define KHV_AUDIT_RING_MAX	65536

struct khv_audit_rec {
	u64 seq;
	u64 time_ns;
	u64 vm_id;
	u64 suppressed;		/* audit-suppressed: the denials it sums up */
	u32 uid;
	u32 pid;
	u32 op;			/* KHV_AUDIT_OP_* */
	s32 result;		/* 0 or -errno */
	char comm[TASK_COMM_LEN];
	char object[KHV_AUDIT_OBJ_MAX];
	char old[KHV_AUDIT_VAL_MAX];
	char new[KHV_AUDIT_VAL_MAX];
};

struct khv_audit_state {
	u32 ring_size;
	u64 next_seq;
	u64 first_seq;
	u64 lost;
	u64 suppressed;
	u32 denial_burst;
	u32 denial_interval;
};

/* The limits of audit-set's fields (Documentation/admin-guide.rst "Audit"). */
#define KHV_AUDIT_BURST_MAX	65536
#define KHV_AUDIT_INTERVAL_MAX	86400

void khv_audit(u32 op, u64 vm_id, const char *object, const char *old,
	       const char *new, int result);
void khv_audit_vm(u32 op, struct khv_vm *vm, const char *old,
		  const char *new, int result);
const char *khv_audit_op_name(u32 op);
int khv_audit_init(void);
void khv_audit_exit(void);
void khv_audit_get_state(struct khv_audit_state *st);
int khv_audit_resize(u32 size);
void khv_audit_set_limit(u32 burst, u32 interval);
bool khv_audit_read(u64 *seq, struct khv_audit_rec *rec);

/*
 * audit_limit.c: the denial rate limit, per subject (uid). Pure: the caller
 * holds the audit lock and says what time it is (monotonic ns).
 */
#define KHV_AUDIT_SUBJECTS	64

/* One subject's denials in its current window; window_end 0: slot free. */
struct khv_audit_subject {
	u64 window_end;
	u64 suppressed;
	u32 uid;
	u32 recorded;
	u32 ops;		/* BIT(KHV_AUDIT_OP_*) of the suppressed */
	u32 pid;		/* the last suppressed denial's actor */
	char comm[TASK_COMM_LEN];
};

struct khv_audit_limiter {
	u32 burst;		/* denials recorded per window; 0: no limit */
	u64 interval_ns;
	struct khv_audit_subject subj[KHV_AUDIT_SUBJECTS];
};

/* What a subject's window suppressed, for its audit-suppressed record. */
struct khv_audit_summary {
	u64 suppressed;
	u32 uid;
	u32 pid;
	u32 ops;
	char comm[TASK_COMM_LEN];
};

bool khv_audit_limit(struct khv_audit_limiter *l, u64 now, u32 uid, u32 op,
		     u32 pid, const char *comm, struct khv_audit_summary *sum,
		     bool *flush);
bool khv_audit_limit_expire(struct khv_audit_limiter *l, u64 now,
			    struct khv_audit_summary *sum);
u64 khv_audit_limit_next(const struct khv_audit_limiter *l);

#endif /* KHV_AUDIT_H */
