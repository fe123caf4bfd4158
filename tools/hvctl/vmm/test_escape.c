// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of the terminal's Ctrl-A commands. */
#include <string.h>

#include "escape.h"
#include "tap.h"

static struct escape e;
static uint8_t sent[64];
static unsigned int nsent, quits, helps;

/* Feed a string; the bytes for the guest in sent[], the commands counted. */
static void feed(const char *s, size_t n)
{
	uint8_t out;
	size_t i;

	nsent = 0;
	quits = 0;
	helps = 0;
	for (i = 0; i < n; i++) {
		out = 0xee;
		switch (esc_feed(&e, s[i], &out)) {
		case ESC_BYTE:
			if (nsent < sizeof(sent))
				sent[nsent++] = out;
			break;
		case ESC_QUIT:
			quits++;
			break;
		case ESC_HELP:
			helps++;
			break;
		case ESC_NONE:
			CHECK_EQ(out, 0xee);
			break;
		}
	}
}

static void plain_bytes(void)
{
	esc_init(&e, true);
	feed("ab\003\r\n\000\377", 7);		/* Ctrl-C and NUL go to the guest */
	CHECK_EQ(nsent, 7);
	CHECK(!memcmp(sent, "ab\003\r\n\000\377", 7));
	CHECK_EQ(quits + helps, 0);
}

static void quit(void)
{
	esc_init(&e, true);
	feed("ab\001x", 4);
	CHECK_EQ(nsent, 2);
	CHECK_EQ(quits, 1);
	/* X (capital) is not x: dropped with its Ctrl-A. */
	feed("\001Xc", 3);
	CHECK_EQ(nsent, 1);
	CHECK_EQ(sent[0], 'c');
	CHECK_EQ(quits, 0);
}

static void literal_ctrl_a(void)
{
	esc_init(&e, true);
	feed("\001\001x", 3);		/* one Ctrl-A, then a plain x */
	CHECK_EQ(nsent, 2);
	CHECK(!memcmp(sent, "\001x", 2));
	CHECK_EQ(quits, 0);
	feed("\001\001\001\001", 4);
	CHECK_EQ(nsent, 2);
	CHECK_EQ(sent[1], 1);
}

static void help_and_unknown(void)
{
	esc_init(&e, true);
	feed("\001h\001?\001z\001\r", 8);
	CHECK_EQ(helps, 2);
	CHECK_EQ(nsent, 0);
	/* The command may come in a later read: the state carries over. */
	feed("\001", 1);
	feed("x", 1);
	CHECK_EQ(quits, 1);
}

/* Off (stdin is no terminal): Ctrl-A is a byte like any other. */
static void off(void)
{
	esc_init(&e, false);
	feed("\001x\001\001", 4);
	CHECK_EQ(nsent, 4);
	CHECK(!memcmp(sent, "\001x\001\001", 4));
	CHECK_EQ(quits, 0);
}

int main(void)
{
	static const struct tap_case cases[] = {
		TAP_CASE(plain_bytes),
		TAP_CASE(quit),
		TAP_CASE(literal_ctrl_a),
		TAP_CASE(help_and_unknown),
		TAP_CASE(off),
	};

	return tap_main(cases, ARRAY_SIZE(cases));
}
