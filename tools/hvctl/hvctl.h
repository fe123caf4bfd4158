/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hvctl: the khv management tool. iproute2 conventions:
 * hvctl [-j] [-p] [-V] OBJECT COMMAND [ARGS], exit 0 (ok), 1 (the kernel or
 * the system refused), 2 (usage).
 */
#ifndef HVCTL_H
#define HVCTL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <netlink/genl/genl.h>

#define HVCTL_VERSION	"0.1"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

enum {
	EXIT_OK = 0,
	EXIT_KERNEL = 1,
	EXIT_USAGE = 2,
};

/* main.c: argument helpers shared by the objects. */
struct hv_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
};

int hv_dispatch(const char *object, const struct hv_cmd *cmds, int argc,
		char **argv, void (*usage)(void));
int hv_match(const char *arg, const char *const *words, int n);
int hv_usage_error(const char *fmt, ...);
int hv_parse_u64(const char *arg, const char *what, uint64_t *val);
int hv_parse_size(const char *arg, const char *what, uint64_t *val);
int hv_parse_onoff(const char *arg, const char *what, bool *val);

/* nl.c: one libnl socket bound to the khv family. */
typedef int (*hv_parse_fn)(struct nlattr **tb, uint8_t cmd, void *arg);

int hv_nl_open(void);
void hv_nl_close(void);
struct nl_msg *hv_nl_msg(uint8_t cmd, int flags);
int hv_nl_exec(struct nl_msg *msg, int maxattr, hv_parse_fn parse,
	       void *arg);
int hv_nl_dump_array(uint8_t cmd, int maxattr, hv_parse_fn parse);
int hv_nl_monitor(int maxattr, hv_parse_fn parse, void *arg,
		  atomic_int *stop);
/* An attribute's value; one that is absent reads as 0 or "". */
uint8_t hv_get_u8(const struct nlattr *a);
uint32_t hv_get_u32(const struct nlattr *a);
int32_t hv_get_s32(const struct nlattr *a);
uint64_t hv_get_u64(const struct nlattr *a);
const char *hv_get_str(const struct nlattr *a);

/* print.c: the one output path, text or JSON. */
void print_init(bool json, bool pretty);
void print_open_object(const char *key);
void print_close_object(void);
void print_open_array(const char *key);
void print_close_array(void);
void print_string(const char *key, const char *val);
void print_u64(const char *key, uint64_t val);
void print_bool(const char *key, bool val);
void print_hex(const char *key, uint64_t val);
void print_flush(void);
void print_close_line(void);
bool print_is_json(void);
void print_hex_bytes(const char *key, const uint8_t *data, int len);
void print_s64(const char *key, int64_t val);
void print_size(const char *key, uint64_t val);
void print_ns(const char *key, uint64_t val);

/* The objects. */
int do_host(int argc, char **argv);
int do_vm(int argc, char **argv);
int do_monitor(int argc, char **argv);
int hv_monitor_run(int argc, char **argv, bool audit_only);
int do_grant(int argc, char **argv);
int do_audit(int argc, char **argv);
int do_quota(int argc, char **argv);
int do_acl(int argc, char **argv);
int do_stats(int argc, char **argv);
int vm_introspect(int argc, char **argv);
int hv_vm_words(int argc, char **argv);
int hv_vm_arg(int *argc, char ***argv, uint64_t *id);
int hv_vm_id_arg(int argc, char **argv, const char *usage, uint64_t *id);
void print_audit(struct nlattr **tb);
const char *hv_enum_name(const char *const *names, unsigned int n,
			 unsigned int val);
int hv_cmd_run(int argc, char **argv);
int hv_vm_name_own(const char *name);
int hv_vm_own_id(const char *what, uint64_t *id);
void print_vm(struct nlattr **tb);
void print_run_quota(struct nlattr **tb);
void print_cpu_share(struct nlattr **tb);

#endif /* HVCTL_H */
