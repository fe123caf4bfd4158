// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvctl: the khv management tool.
 *
 *   hvctl [-j] [-p] [-V] OBJECT COMMAND [ARGS]
 *
 * Objects and commands may be abbreviated to any unique prefix; "help" works
 * at every level. Exit status: 0 ok, 1 the kernel (or the system) refused,
 * 2 usage error.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <linux/khv_netlink.h>

#include "hvctl.h"

static void usage(void)
{
	fprintf(stderr,
		"Usage: hvctl [OPTIONS] OBJECT { COMMAND | help }\n"
		"       hvctl -V\n"
		"where  OBJECT := { host | vm | quota | acl | stats | grant | audit | monitor | run }\n"
		"       OPTIONS := { -j[son] | -p[retty] | -V[ersion] | -h[elp] }\n"
		"Objects and commands may be abbreviated to a unique prefix.\n"
		"See hvctl(8).\n");
}

int hv_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("hvctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

/**
 * hv_match() - the index of the one word that @arg is a prefix of.
 *
 * Return: the index; -1 when none matches, -2 when several do (an exact
 * match wins over longer words).
 */
int hv_match(const char *arg, const char *const *words, int n)
{
	size_t len = strlen(arg);
	int i, found = -1;

	if (!len)
		return -1;
	for (i = 0; i < n; i++) {
		if (!strcmp(arg, words[i]))
			return i;
		if (!strncmp(arg, words[i], len))
			found = found == -1 ? i : -2;
	}
	return found;
}

int hv_parse_u64(const char *arg, const char *what, uint64_t *val)
{
	unsigned long long v;
	char *end;

	errno = 0;
	if (*arg < '0' || *arg > '9')
		return hv_usage_error("%s \"%s\" is not a number", what, arg);
	v = strtoull(arg, &end, 0);
	if (errno || *end)
		return hv_usage_error("%s \"%s\" is not a number", what, arg);
	*val = v;
	return 0;
}

/*
 * A byte count: a number with an optional binary unit, K, M, G or T (also
 * KiB ... TiB, any case) or B for bytes.
 */
int hv_parse_size(const char *arg, const char *what, uint64_t *val)
{
	static const char *const units[] = { "k", "m", "g", "t" };
	unsigned long long v;
	unsigned int i, shift = 0;
	char *end;

	errno = 0;
	if (*arg < '0' || *arg > '9')
		return hv_usage_error("%s \"%s\" is not a size", what, arg);
	v = strtoull(arg, &end, 0);
	if (errno)
		return hv_usage_error("%s \"%s\" is too large", what, arg);
	if (*end && strcasecmp(end, "b")) {
		for (i = 0; i < ARRAY_SIZE(units); i++) {
			if (!strcasecmp(end, units[i]) ||
			    (tolower((unsigned char)end[0]) == units[i][0] &&
			     !strcasecmp(end + 1, "ib"))) {
				shift = 10 * (i + 1);
				break;
			}
		}
		if (!shift)
			return hv_usage_error("%s \"%s\": unknown unit (K, M, G, T)",
					      what, arg);
	}
	if (shift && v > (~0ull >> shift))
		return hv_usage_error("%s \"%s\" is too large", what, arg);
	*val = (uint64_t)v << shift;
	return 0;
}

int hv_parse_onoff(const char *arg, const char *what, bool *val)
{
	if (!strcmp(arg, "on") || !strcmp(arg, "yes") || !strcmp(arg, "1")) {
		*val = true;
		return 0;
	}
	if (!strcmp(arg, "off") || !strcmp(arg, "no") || !strcmp(arg, "0")) {
		*val = false;
		return 0;
	}
	return hv_usage_error("%s \"%s\": on or off", what, arg);
}

/*
 * Run the command of @object named by argv[0] (the first command when there
 * is none), with the rest of the arguments.
 */
int hv_dispatch(const char *object, const struct hv_cmd *cmds, int argc,
		char **argv, void (*obj_usage)(void))
{
	const char *names[16];
	int i, n;

	for (n = 0; cmds[n].name && n < 16; n++)
		names[n] = cmds[n].name;
	if (argc < 1)
		return cmds[0].fn(0, argv);
	if (!strcmp(argv[0], "help")) {
		obj_usage();
		return EXIT_OK;
	}
	i = hv_match(argv[0], names, n);
	if (i == -2)
		return hv_usage_error("%s command \"%s\" is ambiguous; try \"hvctl %s help\"",
				      object, argv[0], object);
	if (i < 0) {
		obj_usage();
		return hv_usage_error("unknown %s command \"%s\"", object, argv[0]);
	}
	return cmds[i].fn(argc - 1, argv + 1);
}

static int do_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	usage();
	return EXIT_OK;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} objects[] = {
	{ "host", do_host },
	{ "vm", do_vm },
	{ "grant", do_grant },
	{ "audit", do_audit },
	{ "quota", do_quota },
	{ "acl", do_acl },
	{ "stats", do_stats },
	{ "monitor", do_monitor },
	{ "run", hv_cmd_run },
	{ "help", do_help },
};

#define NR_OBJECTS	((int)ARRAY_SIZE(objects))

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "Version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *names[NR_OBJECTS];
	bool json = false, pretty = false;
	int c, i, r;

	/* "+": options end at OBJECT; the objects parse their own. */
	while ((c = getopt_long_only(argc, argv, "+jpVh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'p':
			pretty = true;
			break;
		case 'V':
			printf("hvctl %s (khv netlink family \"%s\" version %d)\n",
			       HVCTL_VERSION, KHV_FAMILY_NAME, KHV_FAMILY_VERSION);
			return EXIT_OK;
		case 'h':
			usage();
			return EXIT_OK;
		default:
			usage();
			return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		usage();
		return EXIT_USAGE;
	}
	print_init(json, pretty);

	for (i = 0; i < NR_OBJECTS; i++)
		names[i] = objects[i].name;
	i = hv_match(argv[0], names, NR_OBJECTS);
	if (i == -2)
		return hv_usage_error("object \"%s\" is ambiguous; try \"hvctl help\"",
				      argv[0]);
	if (i < 0) {
		usage();
		return hv_usage_error("unknown object \"%s\"", argv[0]);
	}
	/* The commands open the netlink socket once their arguments parse. */
	r = objects[i].fn(argc - 1, argv + 1);
	print_flush();
	hv_nl_close();
	return r;
}
