// SPDX-License-Identifier: GPL-2.0-only
/*
 * Who sent a netlink request, for the permission checks
 * (Documentation/admin-guide.rst, "Who may do what"). A socket may be opened
 * by one process and written by another (passed over a unix socket, or
 * inherited as the standard output of a setuid program): like the kernel's
 * own netlink_capable(), a request is allowed only if both the socket's
 * opener and the writer are. A dump is continued by whoever reads the
 * socket; it goes on with the credentials of the request that started it.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/net.h>
#include <linux/user_namespace.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "netlink.h"
#include "policy.h"

/* The file of the socket @skb came from; NULL for a kernel socket. */
static struct file *khv_nl_sender_file(const struct sk_buff *skb)
{
	struct sock *sk = NETLINK_CB(skb).sk;

	return sk && sk->sk_socket ? sk->sk_socket->file : NULL;
}

/**
 * khv_nl_subject() - the caller of a request, in its doit.
 * @s:   out; valid until the doit returns.
 * @skb: the request.
 *
 * The doit runs in the sending task (current). CAP_SYS_ADMIN is looked for
 * without an audit record: it is an override, and a caller without it may
 * still be allowed by a grant. A refusal asks again with an audit record
 * (netlink_capable()), so that an LSM records it.
 */
void khv_nl_subject(struct khv_subject *s, const struct sk_buff *skb)
{
	struct file *file = khv_nl_sender_file(skb);

	s->cred = current_cred();
	s->opener = file ? file->f_cred : NULL;
	/*
	 * The opener's capability with an audit record (no export checks a
	 * credential without one), but only for a privileged writer on a
	 * socket someone else opened: a refusal, the case netlink_capable()
	 * exists for.
	 */
	s->admin = ns_capable_noaudit(&init_user_ns, CAP_SYS_ADMIN) &&
		   (!file || file->f_cred == s->cred ||
		    file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN));
}

/**
 * khv_nl_subject_hold() - the caller of a dump, kept for its continuations.
 * @s:  out; release with khv_nl_subject_put().
 * @cb: the dump, in its start callback (the sending task).
 */
void khv_nl_subject_hold(struct khv_subject *s, struct netlink_callback *cb)
{
	khv_nl_subject(s, cb->skb);
	s->cred = get_cred(s->cred);
	if (s->opener)
		s->opener = get_cred(s->opener);
}

/**
 * khv_nl_subject_put() - release what khv_nl_subject_hold() took.
 * @s: the caller.
 */
void khv_nl_subject_put(struct khv_subject *s)
{
	if (s->opener)
		put_cred(s->opener);
	if (s->cred)
		put_cred(s->cred);
	s->opener = NULL;
	s->cred = NULL;
}
