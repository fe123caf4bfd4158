// SPDX-License-Identifier: GPL-2.0-only
/*
 * The one output path: every command prints through these calls, and they
 * write either text for people or JSON (-j, -p pretty) with stable keys.
 *
 * Text: the fields of an object on one line as "key value" pairs; each
 * object without a key (a VM, an event, the host) ends its line, an object
 * with one ("exits") stays on its parent's. Arrays add nothing.
 */
#include <stdio.h>
#include <string.h>

#include "hvctl.h"

#define MAX_DEPTH	8

static bool json, pretty;
static int depth;
static bool first[MAX_DEPTH];	/* no member printed yet at this depth */
static bool text_first = true;	/* no field printed yet on this text line */
static int text_depth;		/* objects open in text mode */
static bool text_keyed[MAX_DEPTH];	/* opened with a key: stays on the line */

void print_init(bool j, bool p)
{
	json = j;
	pretty = j && p;
	depth = 0;
	first[0] = true;
}

static void json_indent(void)
{
	int i;

	if (!pretty)
		return;
	putchar('\n');
	for (i = 0; i < depth; i++)
		fputs("    ", stdout);
}

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* A new member at the current depth: the comma, the indent, the key. */
static void json_member(const char *key)
{
	if (!first[depth])
		putchar(',');
	first[depth] = false;
	if (depth)
		json_indent();
	if (key) {
		json_string(key);
		fputs(pretty ? ": " : ":", stdout);
	}
}

static void json_open(const char *key, char c)
{
	json_member(key);
	putchar(c);
	if (depth < MAX_DEPTH - 1)
		depth++;
	first[depth] = true;
}

static void json_close(char c)
{
	bool empty = first[depth];

	if (depth)
		depth--;
	if (!empty)
		json_indent();
	putchar(c);
	if (!depth) {
		putchar('\n');
		first[0] = true;
	}
}

static void text_key(const char *key);

/* Text: a nested object's key, then its fields on the same line. */
void print_open_object(const char *key)
{
	if (json) {
		json_open(key, '{');
		return;
	}
	if (key) {
		/* Its fields follow with their own separating space. */
		printf("%s%s", text_first ? "" : " ", key);
		text_first = false;
	}
	if (text_depth < MAX_DEPTH)
		text_keyed[text_depth] = key;
	text_depth++;
}

void print_close_object(void)
{
	if (json) {
		json_close('}');
		return;
	}
	if (text_depth)
		text_depth--;
	/* An element of a list or a top-level object ends its line. */
	if (text_depth >= MAX_DEPTH || !text_keyed[text_depth])
		print_close_line();
}

/* Text: end the line here (a long object on several lines). JSON: nothing. */
void print_close_line(void)
{
	if (!json && !text_first) {
		putchar('\n');
		text_first = true;
	}
}

bool print_is_json(void)
{
	return json;
}

/* Bytes as one hex string, in text and JSON alike. */
void print_hex_bytes(const char *key, const uint8_t *data, int len)
{
	int i;

	if (json) {
		json_member(key);
		putchar('"');
	} else {
		text_key(key);
	}
	for (i = 0; i < len; i++)
		printf("%02x", data[i]);
	if (json)
		putchar('"');
}

void print_open_array(const char *key)
{
	if (json)
		json_open(key, '[');
}

void print_close_array(void)
{
	if (json)
		json_close(']');
}

static void text_key(const char *key)
{
	printf("%s%s ", text_first ? "" : " ", key);
	text_first = false;
}

void print_string(const char *key, const char *val)
{
	if (json) {
		json_member(key);
		json_string(val);
	} else {
		text_key(key);
		/* Empty or with spaces: quoted, so that the line still splits. */
		if (*val && !strpbrk(val, " \t\"\\"))
			fputs(val, stdout);
		else
			json_string(val);
	}
}

void print_u64(const char *key, uint64_t val)
{
	if (json) {
		json_member(key);
		printf("%llu", (unsigned long long)val);
	} else {
		text_key(key);
		printf("%llu", (unsigned long long)val);
	}
}

/* JSON has no hex numbers: the value is a number there, hex in text. */
void print_hex(const char *key, uint64_t val)
{
	if (json) {
		print_u64(key, val);
	} else {
		text_key(key);
		printf("0x%llx", (unsigned long long)val);
	}
}

void print_bool(const char *key, bool val)
{
	if (json) {
		json_member(key);
		fputs(val ? "true" : "false", stdout);
	} else {
		text_key(key);
		fputs(val ? "yes" : "no", stdout);
	}
}

void print_flush(void)
{
	fflush(stdout);
}

void print_s64(const char *key, int64_t val)
{
	if (json)
		json_member(key);
	else
		text_key(key);
	printf("%lld", (long long)val);
}
