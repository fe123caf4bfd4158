// SPDX-License-Identifier: GPL-2.0-only
/*
 * The denial rate limit of the audit trail (Documentation/admin-guide.rst
 * "Audit"): a refused request costs its caller nothing, so without a limit
 * any local user could overwrite the ring and fill the kernel audit backlog
 * in a moment. Each subject (uid) has a window of interval_ns from its first
 * denial: the first burst denials in it are recorded, the rest only counted;
 * when the window ends, one audit-suppressed record says how many were
 * suppressed, which operations and the last caller.
 *
 * Pure logic on a table of KHV_AUDIT_SUBJECTS windows (KUnit-tested in
 * audit_limit_test.c); audit.c holds its lock, tells the time and writes the
 * records.
 */
#include <linux/bits.h>
#include <linux/module.h>
#include <linux/string.h>

#include "audit.h"
#include "compat.h"

static void khv_audit_summarise(const struct khv_audit_subject *s,
				struct khv_audit_summary *sum)
{
	sum->suppressed = s->suppressed;
	sum->uid = s->uid;
	sum->pid = s->pid;
	sum->ops = s->ops;
	strscpy(sum->comm, s->comm, sizeof(sum->comm));
}

/*
 * Give @s to @uid with a new window from @now; if the window it had
 * suppressed anything, its summary goes to @sum and *@flush is set.
 */
static void khv_audit_subject_start(struct khv_audit_limiter *l,
				    struct khv_audit_subject *s, u64 now,
				    u32 uid, struct khv_audit_summary *sum,
				    bool *flush)
{
	if (s->window_end && s->suppressed) {
		khv_audit_summarise(s, sum);
		*flush = true;
	}
	memset(s, 0, sizeof(*s));
	s->uid = uid;
	/* 0 marks a free slot: a window never ends at 0. */
	s->window_end = now + l->interval_ns ?: 1;
}

/* @uid's slot, or the one to give it: free, else ended, else the oldest. */
static struct khv_audit_subject *
khv_audit_subject_find(struct khv_audit_limiter *l, u64 now, u32 uid)
{
	struct khv_audit_subject *s, *free = NULL, *ended = NULL, *oldest = NULL;

	for (s = l->subj; s < l->subj + KHV_AUDIT_SUBJECTS; s++) {
		if (!s->window_end) {
			free = free ?: s;
			continue;
		}
		if (s->uid == uid)
			return s;
		if (now >= s->window_end)
			ended = ended ?: s;
		if (!oldest || s->window_end < oldest->window_end)
			oldest = s;
	}
	return free ?: ended ?: oldest;
}

/**
 * khv_audit_limit() - may a denial by @uid be recorded?
 * @l:     the limiter.
 * @now:   monotonic time, ns.
 * @uid:   the subject.
 * @op:    KHV_AUDIT_OP_* of the denial.
 * @pid:   the caller, remembered if the denial is suppressed.
 * @comm:  its command name, likewise.
 * @sum:   out: a summary to write before this denial's record.
 * @flush: out: set when @sum was filled (an ended window of @uid, or of the
 *         subject whose slot @uid takes over).
 *
 * Return: true to record the denial, false to suppress it (counted in its
 * subject's window).
 */
bool khv_audit_limit(struct khv_audit_limiter *l, u64 now, u32 uid, u32 op,
		     u32 pid, const char *comm, struct khv_audit_summary *sum,
		     bool *flush)
{
	struct khv_audit_subject *s;

	*flush = false;
	if (!l->burst)
		return true;
	s = khv_audit_subject_find(l, now, uid);
	if (s->uid != uid || !s->window_end || now >= s->window_end)
		khv_audit_subject_start(l, s, now, uid, sum, flush);
	if (s->recorded < l->burst) {
		s->recorded++;
		return true;
	}
	s->suppressed++;
	if (op < 32)
		s->ops |= BIT(op);
	s->pid = pid;
	strscpy(s->comm, comm, sizeof(s->comm));
	return false;
}
EXPORT_SYMBOL_IF_KUNIT(khv_audit_limit);

/**
 * khv_audit_limit_expire() - end the windows that are over at @now.
 * @l:   the limiter.
 * @now: monotonic time, ns.
 * @sum: out: the summary of one ended window that suppressed denials.
 *
 * Frees every ended window until one with suppressed denials; call again
 * until it returns false.
 *
 * Return: whether @sum was filled.
 */
bool khv_audit_limit_expire(struct khv_audit_limiter *l, u64 now,
			    struct khv_audit_summary *sum)
{
	struct khv_audit_subject *s;
	bool found;

	for (s = l->subj; s < l->subj + KHV_AUDIT_SUBJECTS; s++) {
		if (!s->window_end || now < s->window_end)
			continue;
		found = s->suppressed;
		if (found)
			khv_audit_summarise(s, sum);
		memset(s, 0, sizeof(*s));
		if (found)
			return true;
	}
	return false;
}
EXPORT_SYMBOL_IF_KUNIT(khv_audit_limit_expire);

/**
 * khv_audit_limit_next() - when the first window with suppressed denials ends.
 * @l: the limiter.
 *
 * Return: its end (monotonic ns), or 0 if no window has any.
 */
u64 khv_audit_limit_next(const struct khv_audit_limiter *l)
{
	const struct khv_audit_subject *s;
	u64 next = 0;

	for (s = l->subj; s < l->subj + KHV_AUDIT_SUBJECTS; s++)
		if (s->window_end && s->suppressed &&
		    (!next || s->window_end < next))
			next = s->window_end;
	return next;
}
EXPORT_SYMBOL_IF_KUNIT(khv_audit_limit_next);
