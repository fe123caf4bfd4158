// SPDX-License-Identifier: GPL-2.0-only
/*
 * The one output path: every command prints through these calls, and they
 * write either text for people or JSON (-j, -p pretty) with stable keys.
 *
 * Text: the fields of an object on one line as "key value" pairs; each
 * object without a key (a VM, an event, the host) ends its line, an object
 * with one ("exits") stays on its parent's. Arrays add nothing.
 *
 * Strings come from anyone (a process's comm is whatever it chose): no
 * control character and no byte that is not UTF-8 reaches the terminal or
 * the JSON raw (hvctl(8) "OUTPUT").
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

/*
 * The length of the well-formed UTF-8 sequence at @s (Unicode 15, table
 * 3-7: no overlong form, no surrogate, nothing above U+10FFFF), its code
 * point in *@cp; 0 if @s does not start one.
 */
static int utf8_seq(const unsigned char *s, uint32_t *cp)
{
	unsigned char lo = 0x80, hi = 0xbf;
	int n, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		*cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		*cp = s[0] & 0x0f;
		if (s[0] == 0xe0)
			lo = 0xa0;
		else if (s[0] == 0xed)
			hi = 0x9f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		*cp = s[0] & 0x07;
		if (s[0] == 0xf0)
			lo = 0x90;
		else if (s[0] == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if (s[i] < lo || s[i] > hi)
			return 0;	/* also stops at the NUL */
		*cp = *cp << 6 | (s[i] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	return n;
}

/* C0 controls, DEL and the C1 controls (U+0080 to U+009F, CSI among them). */
static bool is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

/* A control character in text: C's escapes, \e for ESC, else \xNN / \uNNNN. */
static void text_control(uint32_t cp)
{
	static const char letters[0x20] = {
		['\a'] = 'a', ['\b'] = 'b', ['\t'] = 't', ['\n'] = 'n',
		['\v'] = 'v', ['\f'] = 'f', ['\r'] = 'r', [0x1b] = 'e',
	};

	if (cp < 0x20 && letters[cp])
		printf("\\%c", letters[cp]);
	else if (cp < 0x80)
		printf("\\x%02x", cp);
	else
		printf("\\u%04x", cp);
}

/*
 * @str between double quotes, escaped: JSON's escapes (a byte that is not
 * UTF-8 becomes the character of its number, \u00NN), or in text C's
 * (\e, \xNN for a byte that is not UTF-8). Well-formed UTF-8 other than
 * controls is written as it is.
 */
static void quoted_string(const char *str, bool as_json)
{
	const unsigned char *s = (const unsigned char *)str;
	uint32_t cp;
	int n;

	putchar('"');
	while (*s) {
		n = utf8_seq(s, &cp);
		if (!n) {
			printf(as_json ? "\\u%04x" : "\\x%02x", *s);
			s++;
			continue;
		}
		if (cp == '"' || cp == '\\')
			printf("\\%c", (int)cp);
		else if (is_control(cp) && as_json)
			printf("\\u%04x", cp);
		else if (is_control(cp))
			text_control(cp);
		else
			fwrite(s, 1, n, stdout);
		s += n;
	}
	putchar('"');
}

static void json_string(const char *s)
{
	quoted_string(s, true);
}

/* Text: a value without space, quote, backslash or escape goes bare. */
static bool text_bare(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	uint32_t cp;
	int n;

	if (!*s)
		return false;
	for (; *s; s += n) {
		n = utf8_seq(s, &cp);
		if (!n || is_control(cp) || cp == ' ' || cp == '"' ||
		    cp == '\\')
			return false;
	}
	return true;
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
		/* Empty, with spaces or escapes: quoted, so the line still splits. */
		if (text_bare(val))
			fputs(val, stdout);
		else
			quoted_string(val, false);
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

/*
 * A duration in ns: exact in JSON; in text in the largest of s, ms, us it
 * reaches, with up to three decimals (1.5s, 250ms), else in ns.
 */
void print_ns(const char *key, uint64_t val)
{
	static const struct {
		uint64_t ns;
		const char *unit;
	} units[] = { { 1000000000ull, "s" }, { 1000000, "ms" }, { 1000, "us" } };
	unsigned int i;

	if (json) {
		print_u64(key, val);
		return;
	}
	text_key(key);
	for (i = 0; i < ARRAY_SIZE(units); i++) {
		if (val >= units[i].ns) {
			printf("%.3g%s", (double)val / (double)units[i].ns,
			       units[i].unit);
			return;
		}
	}
	printf(val ? "%lluns" : "%llu", (unsigned long long)val);
}

/*
 * A byte count: exact in JSON; in text, in the largest binary unit it
 * reaches (4KiB, 1.5GiB: one decimal where it is not a whole number of it),
 * 0 as 0.
 */
void print_size(const char *key, uint64_t val)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	unsigned int i;
	uint64_t unit = 1024;

	if (json) {
		print_u64(key, val);
		return;
	}
	if (val < 1024) {
		text_key(key);
		printf(val ? "%lluB" : "%llu", (unsigned long long)val);
		return;
	}
	for (i = 0; i + 1 < ARRAY_SIZE(units) && val / unit >= 1024; i++)
		unit *= 1024;
	text_key(key);
	if (val % unit)
		printf("%.1f%s", (double)val / (double)unit, units[i]);
	else
		printf("%llu%s", (unsigned long long)(val / unit), units[i]);
}
