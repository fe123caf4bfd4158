/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * khv selftests: the khv generic netlink family through plain netlink
 * sockets, not libnl: the tests must see exactly what the kernel answers
 * (errno and extended ack), with no library in between.
 */
#ifndef KHV_SELFTEST_NL_H
#define KHV_SELFTEST_NL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/khv_netlink.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

#define BUF_SIZE	16384
#define MAX_ATTR	32
#define NO_VM_ID	(1ull << 62)	/* ids count up from 1: never live */

/* A reply: its command, a copy of its attributes, and pointers into that. */
struct nl_reply {
	uint8_t cmd;
	struct nlattr *tb[MAX_ATTR];
	int len;
	char data[4096];
};

struct nl {
	int fd;
	uint16_t family;
	uint32_t monitor_grp;
	uint32_t seq;
	char extack[256];	/* the last error's message, "" if none */
	uint32_t miss_type;	/* the last error's missing attribute, or 0 */
	char buf[BUF_SIZE];
};

struct msg {
	struct nlmsghdr nlh;
	struct genlmsghdr genl;
	char attrs[512];
};

/* The VMs a dump lists that this process created: their ids. */
struct dump_mine {
	int nr;
	uint64_t id[16];
};

struct audit_state {
	uint32_t ring_size;
	uint64_t next_seq, first_seq, lost;
	uint64_t suppressed;
	uint32_t denial_burst, denial_interval;
};

/* One audit record, as much of it as the tests look at. */
struct audit_rec {
	uint64_t seq, vm_id, time_ns;
	uint64_t suppressed;	/* audit-suppressed records only */
	uint32_t uid, pid, op;
	int32_t result;
	char comm[16];
	/* Longer than the module writes: a cut record shows as shorter. */
	char object[128];
	char old[384], new[384];
};

#define AUDIT_DUMP_MAX	256

struct audit_dump {
	int nr;
	struct audit_rec rec[AUDIT_DUMP_MAX];
};

#define NLA_DATA(a)	((void *)((char *)(a) + NLA_HDRLEN))
#define NLA_U32(a)	(*(uint32_t *)NLA_DATA(a))
#define NLA_U64(a)	({ uint64_t __v; memcpy(&__v, NLA_DATA(a), 8); __v; })

void put_attr(struct msg *m, uint16_t type, const void *data, int len);
void put_u64(struct msg *m, uint16_t type, uint64_t v);
void put_str(struct msg *m, uint16_t type, const char *s);
void msg_init(struct msg *m, uint16_t family, uint8_t cmd, uint16_t flags);
void parse_attrs(struct nlattr **tb, int max, void *data, int len);
void reply_fill(struct nl_reply *r, uint8_t cmd, const void *attrs, int len);
void copy_reply(struct nl_reply *r, void *arg);
void record_extack(struct nl *nl, struct nlmsghdr *h);
int nl_call(struct nl *nl, struct msg *m,
		   void (*cb)(struct nl_reply *r, void *arg), void *arg);
void family_cb(struct nl_reply *r, void *arg);
int nl_open(struct nl *nl);
int host_get(struct nl *nl, struct nl_reply *out);
int host_set_max_vms_per_user(struct nl *nl, uint32_t max);
long host_max_vms_per_user(struct nl *nl);
int host_mem_policy(struct nl *nl, uint64_t *budget, int *overcommit);
int host_set_mem_policy(struct nl *nl, uint64_t budget, int overcommit);
int vm_get(struct nl *nl, uint64_t id, struct nl_reply *out);
int vm_set_name(struct nl *nl, uint64_t id, const char *name);
void dump_cb(struct nl_reply *r, void *arg);
int vm_dump_mine(struct nl *nl, struct dump_mine *d);
int my_newest_vm(struct nl *nl, uint64_t *id);
int read_any_event(struct nl *nl, struct nl_reply *r);
void put_u32(struct msg *m, uint16_t type, uint32_t v);
int vm_cmd(struct nl *nl, uint8_t cmd, uint64_t id);
int vm_set_tags(struct nl *nl, uint64_t id, const char *tags);
int vm_state(struct nl *nl, uint64_t id);
int grant_add(struct nl *nl, uint32_t subject_type, uint32_t subject,
	      uint32_t op, uint32_t object_type, uint64_t vm_id,
	      const char *tag, uint32_t action, uint32_t *id);
int grant_del(struct nl *nl, uint32_t id);
int audit_state(struct nl *nl, struct audit_state *st);
int audit_set_size(struct nl *nl, uint32_t size);
int audit_dump(struct nl *nl, uint64_t from, struct audit_dump *d);
int audit_scan(struct nl *nl, uint64_t from,
	       void (*fn)(const struct audit_rec *a, void *arg), void *arg);
void audit_rec_parse(struct nl_reply *r, struct audit_rec *a);
int audit_set_limit(struct nl *nl, uint32_t burst, uint32_t interval);
int monitor_join(struct nl *nl);
int read_event(struct nl *nl, struct nl_reply *r);
uint64_t attr_u64(struct nlattr *a);

/* A VM's device ACL (acl-add, acl-del, acl-set, acl-get): 0 or -errno. */
struct acl_state {
	uint32_t action, entries;
	uint8_t revoked;
	uint64_t violations;
};

int acl_change(struct nl *nl, uint8_t cmd, uint64_t id, uint32_t kind,
	       uint64_t first, uint64_t last);
int acl_add(struct nl *nl, uint64_t id, uint32_t kind, uint64_t first,
	    uint64_t last);
int acl_del(struct nl *nl, uint64_t id, uint32_t kind, uint64_t first,
	    uint64_t last);
int acl_set(struct nl *nl, uint64_t id, uint32_t action);
int acl_state(struct nl *nl, uint64_t id, struct acl_state *s);

/* An acl-del from another thread, a while later: its result in @r. */
struct acl_del_later {
	uint64_t id;
	uint32_t kind;
	uint64_t first, last;
	unsigned int delay_ms;
	int r;
};

void *acl_del_later(void *arg);

/* quota-set of a VM's mem-min and mem-max (QUOTA_KEEP: unchanged). */
#define QUOTA_KEEP	(~0ull)
int quota_set(struct nl *nl, uint64_t id, uint64_t min, uint64_t max);

/*
 * The audit records from @from on with @op, @result, @uid and @new holding
 * @what (NULL: any): how many (-1 on error), the last in @last.
 */
int audit_count(struct nl *nl, uint64_t from, uint32_t op, int32_t result,
		uint32_t uid, const char *what, struct audit_rec *last);
/* The sequence number the next record gets; 0 on error. */
uint64_t audit_next(struct nl *nl);

/* The unprivileged user the tests drop to. */
#define NOBODY	65534
int drop_to_nobody(int ngroups, const gid_t *groups);
int nl_as_nobody_in(int ngroups, const gid_t *groups,
		    int (*fn)(struct nl *nl, void *arg), void *arg);
int nl_as_nobody(int (*fn)(struct nl *nl, void *arg), void *arg);

#endif /* KHV_SELFTEST_NL_H */
