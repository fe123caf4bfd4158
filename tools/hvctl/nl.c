// SPDX-License-Identifier: GPL-2.0-only
/*
 * libnl setup for the khv family: resolve the family and its monitor group,
 * send a request and collect replies, and print the kernel's extended ack
 * message when it refuses.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/khv_netlink.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "hvctl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

static struct nl_sock *sk;
static int family;

int hv_nl_open(void)
{
	int one = 1;
	int r;

	if (sk)
		return 0;
	sk = nl_socket_alloc();
	if (!sk) {
		fprintf(stderr, "hvctl: out of memory\n");
		return -ENOMEM;
	}
	r = genl_connect(sk);
	if (r) {
		fprintf(stderr, "hvctl: cannot open a generic netlink socket: %s\n",
			nl_geterror(r));
		goto err_free;
	}
	/* Error messages from the kernel, without the request echoed back. */
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));
	family = genl_ctrl_resolve(sk, KHV_FAMILY_NAME);
	if (family < 0) {
		fprintf(stderr,
			"hvctl: no generic netlink family \"%s\": is the khv module loaded?\n",
			KHV_FAMILY_NAME);
		r = family;
		goto err_free;
	}
	return 0;

err_free:
	nl_socket_free(sk);
	sk = NULL;
	return r;
}

void hv_nl_close(void)
{
	if (sk)
		nl_socket_free(sk);
	sk = NULL;
}

/* A request for @cmd; the socket is opened first if it is not (NULL: failed). */
struct nl_msg *hv_nl_msg(uint8_t cmd, int flags)
{
	struct nl_msg *msg;

	if (hv_nl_open())
		return NULL;
	msg = nlmsg_alloc();
	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, flags,
			 cmd, KHV_FAMILY_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

struct hv_req {
	int maxattr;
	hv_parse_fn parse;
	void *arg;
	int err;	/* -errno from the kernel or a parser */
	bool done;
};

static int valid_cb(struct nl_msg *msg, void *data)
{
	struct genlmsghdr *gnlh = nlmsg_data(nlmsg_hdr(msg));
	struct hv_req *req = data;
	struct nlattr *tb[64] = { NULL };
	int r;

	if (req->maxattr >= (int)ARRAY_SIZE(tb))
		return NL_SKIP;
	r = nla_parse(tb, req->maxattr, genlmsg_attrdata(gnlh, 0),
		      genlmsg_attrlen(gnlh, 0), NULL);
	if (r < 0) {
		fprintf(stderr, "hvctl: malformed message from the kernel\n");
		req->err = -EPROTO;
		return NL_STOP;
	}
	/* < 0: an error; > 0: enough (hv_nl_monitor() stops). */
	r = req->parse ? req->parse(tb, gnlh->cmd, req->arg) : 0;
	if (r) {
		req->err = r;
		return NL_STOP;
	}
	return NL_OK;
}

/*
 * The error message: libnl hands us the nlmsgerr; the extended ack's
 * attributes follow it (the request is not echoed: NETLINK_CAP_ACK).
 */
static void print_extack(struct nlmsgerr *e)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = { NULL };
	int off = sizeof(*e);

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		goto plain;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	if ((int)nlh->nlmsg_len < NLMSG_HDRLEN + off ||
	    nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)e + off),
		      nlh->nlmsg_len - NLMSG_HDRLEN - off, NULL) < 0)
		goto plain;
	if (tb[NLMSGERR_ATTR_MSG]) {
		fprintf(stderr, "Error: %s", nla_get_string(tb[NLMSGERR_ATTR_MSG]));
		if (tb[NLMSGERR_ATTR_MISS_TYPE])
			fprintf(stderr, " (missing attribute %u)",
				nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]));
		fprintf(stderr, ": %s\n", strerror(-e->error));
		return;
	}
plain:
	fprintf(stderr, "Error: %s\n", strerror(-e->error));
}

static int error_cb(struct sockaddr_nl *nla, struct nlmsgerr *e, void *data)
{
	struct hv_req *req = data;

	(void)nla;
	req->err = e->error;
	req->done = true;
	if (e->error)
		print_extack(e);
	return NL_STOP;
}

static int done_cb(struct nl_msg *msg, void *data)
{
	struct hv_req *req = data;

	(void)msg;
	req->done = true;
	return NL_STOP;
}

/**
 * hv_nl_exec() - send @msg (consumed) and pass every reply to @parse.
 *
 * Return: 0, or -errno (the kernel's error, already printed).
 */
int hv_nl_exec(struct nl_msg *msg, int maxattr, hv_parse_fn parse, void *arg)
{
	struct hv_req req = { .maxattr = maxattr, .parse = parse, .arg = arg };
	struct nl_cb *cb;
	int r;

	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, valid_cb, &req);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, done_cb, &req);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, done_cb, &req);
	nl_cb_err(cb, NL_CB_CUSTOM, error_cb, &req);

	r = nl_send_auto(sk, msg);
	nlmsg_free(msg);
	if (r < 0) {
		fprintf(stderr, "hvctl: cannot send: %s\n", nl_geterror(r));
		req.err = -EIO;
		goto out;
	}
	while (!req.done && !req.err) {
		r = nl_recvmsgs(sk, cb);
		if (r < 0 && !req.err) {
			fprintf(stderr, "hvctl: cannot receive: %s\n",
				nl_geterror(r));
			req.err = -EIO;
		}
	}
out:
	nl_cb_put(cb);
	return req.err;
}

uint8_t hv_get_u8(const struct nlattr *a)
{
	return a ? nla_get_u8(a) : 0;
}

uint32_t hv_get_u32(const struct nlattr *a)
{
	return a ? nla_get_u32(a) : 0;
}

int32_t hv_get_s32(const struct nlattr *a)
{
	return (int32_t)hv_get_u32(a);
}

uint64_t hv_get_u64(const struct nlattr *a)
{
	return a ? nla_get_u64(a) : 0;
}

const char *hv_get_str(const struct nlattr *a)
{
	return a ? nla_get_string((struct nlattr *)a) : "";
}

/**
 * hv_nl_dump_array() - dump @cmd, one object per reply, as a JSON array.
 *
 * Return: EXIT_OK or EXIT_KERNEL (the kernel's error printed).
 */
int hv_nl_dump_array(uint8_t cmd, int maxattr, hv_parse_fn parse)
{
	struct nl_msg *msg = hv_nl_msg(cmd, NLM_F_DUMP);
	int r;

	if (!msg)
		return EXIT_KERNEL;
	print_open_array(NULL);
	r = hv_nl_exec(msg, maxattr, parse, NULL);
	print_close_array();
	return r ? EXIT_KERNEL : EXIT_OK;
}

static int no_seq_check(struct nl_msg *msg, void *data)
{
	(void)msg;
	(void)data;
	return NL_OK;
}

/**
 * hv_nl_monitor() - join the monitor group and pass every event to @parse
 * until it returns 1, it fails, or *@stop is set (by a signal handler).
 *
 * Return: 0, or -errno.
 */
int hv_nl_monitor(int maxattr, hv_parse_fn parse, void *arg,
		  atomic_int *stop)
{
	struct hv_req req = { .maxattr = maxattr, .parse = parse, .arg = arg };
	struct pollfd pfd;
	struct nl_cb *cb;
	int grp, r;

	grp = genl_ctrl_resolve_grp(sk, KHV_FAMILY_NAME, KHV_MCGRP_MONITOR);
	if (grp < 0) {
		fprintf(stderr, "hvctl: no multicast group \"%s\": %s\n",
			KHV_MCGRP_MONITOR, nl_geterror(grp));
		return -ENOENT;
	}
	r = nl_socket_add_membership(sk, grp);
	if (r < 0) {
		fprintf(stderr, "Error: cannot join group \"%s\": %s\n",
			KHV_MCGRP_MONITOR, nl_geterror(r));
		return -EPERM;
	}
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		return -ENOMEM;
	/* Events are not answers to our requests: no sequence numbers. */
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, no_seq_check, NULL);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, valid_cb, &req);

	pfd.fd = nl_socket_get_fd(sk);
	pfd.events = POLLIN;
	/* libnl retries reads on EINTR: wait in poll(), which does not. */
	while (!*stop) {
		r = poll(&pfd, 1, -1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			req.err = -errno;
			break;
		}
		r = nl_recvmsgs(sk, cb);
		if (req.err)
			break;
		if (r == -NLE_NOMEM) {
			/* ENOBUFS: the socket overran, events were dropped. */
			fprintf(stderr, "hvctl: events lost (receive buffer overrun)\n");
		} else if (r < 0) {
			fprintf(stderr, "hvctl: cannot receive: %s\n",
				nl_geterror(r));
			req.err = -EIO;
			break;
		}
	}
	nl_cb_put(cb);
	return req.err == 1 ? 0 : req.err;
}
