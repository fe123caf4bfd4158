/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A tiny TAP producer for the VMM's unit tests, which run on the build
 * machine itself: the plan, ok/not ok lines, exit 1 on a failure.
 */
#ifndef VMM_TAP_H
#define VMM_TAP_H

#include <stdio.h>
#include <stdlib.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static int tap_failed, tap_case_failed;
/* Inside a case: why it could not run here (it is reported as skipped). */
static const char *tap_case_skip;

/* Inside a case: record a failed check and say where. */
#define CHECK(cond) do {						\
	if (!(cond)) {							\
		printf("# %s:%d: check failed: %s\n",			\
		       __FILE__, __LINE__, #cond);			\
		tap_case_failed = 1;					\
	}								\
} while (0)

#define CHECK_EQ(a, b) do {						\
	unsigned long long __a = (a), __b = (b);			\
	if (__a != __b) {						\
		printf("# %s:%d: %s == %#llx, expected %#llx\n",	\
		       __FILE__, __LINE__, #a, __a, __b);		\
		tap_case_failed = 1;					\
	}								\
} while (0)

struct tap_case {
	void (*fn)(void);
	const char *name;
};

#define TAP_CASE(fn)	{ fn, #fn }

/* The plan first (report.py and kselftest's runner want it there), then each case. */
static inline int tap_main(const struct tap_case *c, int n)
{
	int i;

	printf("TAP version 13\n1..%d\n", n);
	for (i = 0; i < n; i++) {
		tap_case_failed = 0;
		tap_case_skip = NULL;
		c[i].fn();
		if (tap_case_failed)
			tap_failed++;
		printf("%sok %d %s", tap_case_failed ? "not " : "", i + 1, c[i].name);
		if (tap_case_skip && !tap_case_failed)
			printf(" # SKIP %s", tap_case_skip);
		putchar('\n');
	}
	return tap_failed ? 1 : 0;
}

#endif /* VMM_TAP_H */
