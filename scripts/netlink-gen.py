#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Generate the khv netlink boilerplate from its spec (python3, stdlib only).

  netlink-gen.py [--check] [SPEC]

SPEC defaults to Documentation/netlink/specs/khv.yaml. Writes, under the
repository's root:

  module/netlink/netlink_gen.c   the family: its per-operation attribute
                                 policies, operations table, multicast groups,
                                 and the do hooks the spec names (pre, post);
  module/netlink/netlink_gen.h   their declarations, the callbacks the table
                                 names, and the spec's checks by name;
  uapi/linux/khv_netlink_names.h the names the spec gives its enums' values and
                                 its nests' attributes, for the module and hvctl.

The kernel's ynl-gen-c.py renders split ops, const range validations and
per-op hooks, none of which 6.1 has; this renders what all of 6.1, 6.12 and
7.3 take: struct genl_ops with one policy for do and dump, and the hooks
called through the family's pre_doit/post_doit (internal_flags selects them).
The uapi header itself stays ynl-gen-c.py's (scripts/netlink-spec-check.sh).

--check writes nothing: it exits 1, with a diff, if a committed file differs
from what the spec generates (the spec host of scripts/check.sh runs it).
"""
import difflib
import os
import re
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPEC = 'Documentation/netlink/specs/khv.yaml'
OUT_C = 'module/netlink/netlink_gen.c'
OUT_H = 'module/netlink/netlink_gen.h'
OUT_NAMES = 'uapi/linux/khv_netlink_names.h'


# --- a reader for the YAML the specs use --------------------------------------
#
# Block mappings and sequences, flow sequences and mappings on one line,
# literal block scalars (|), anchors and aliases, quoted and plain scalars
# resolved as YAML 1.1 does (PyYAML's safe_load). Anything else is an error:
# scripts/netlink-spec-check.sh also compares the result with PyYAML's.

class YamlError(Exception):
    pass


_BOOL = {'true': True, 'yes': True, 'on': True,
         'false': False, 'no': False, 'off': False}


def _scalar(text, lineno):
    t = text.strip()
    if t.startswith('"'):
        if not t.endswith('"') or len(t) < 2:
            raise YamlError(f'line {lineno}: unterminated string')
        body = t[1:-1]
        out, i = [], 0
        esc = {'"': '"', '\\': '\\', 'n': '\n', 't': '\t', '/': '/'}
        while i < len(body):
            c = body[i]
            if c == '\\':
                i += 1
                if i >= len(body) or body[i] not in esc:
                    raise YamlError(f'line {lineno}: unsupported escape')
                c = esc[body[i]]
            out.append(c)
            i += 1
        return ''.join(out)
    if t.startswith("'"):
        if not t.endswith("'") or len(t) < 2:
            raise YamlError(f'line {lineno}: unterminated string')
        return t[1:-1].replace("''", "'")
    if t in ('', '~') or t.lower() == 'null':
        return None
    if t.lower() in _BOOL and t in (t.lower(), t.upper(), t.capitalize()):
        return _BOOL[t.lower()]
    if re.fullmatch(r'[-+]?(0|[1-9][0-9_]*)', t):
        return int(t.replace('_', ''))
    if re.fullmatch(r'0x[0-9a-fA-F_]+', t):
        return int(t.replace('_', ''), 16)
    if re.fullmatch(r'[-+]?([0-9][0-9_]*)?\.[0-9.]*([eE][-+][0-9]+)?', t):
        raise YamlError(f'line {lineno}: floats are not supported')
    if t[0] in '&*!|>@`%{[':
        raise YamlError(f'line {lineno}: unsupported scalar {t!r}')
    return t


def _strip_comment(text):
    """Drop a trailing comment (' #...') outside quotes."""
    quote = None
    for i, c in enumerate(text):
        if quote:
            if c == quote:
                quote = None
        elif c in '"\'' and (i == 0 or text[i - 1] in ' [{,:'):
            quote = c
        elif c == '#' and (i == 0 or text[i - 1] in ' \t'):
            return text[:i].rstrip()
    return text.rstrip()


def _split_flow(body, lineno):
    items, depth, quote, cur = [], 0, None, ''
    for c in body:
        if quote:
            quote = None if c == quote else quote
        elif c in '"\'':
            quote = c
        elif c in '[{':
            depth += 1
        elif c in ']}':
            depth -= 1
        elif c == ',' and depth == 0:
            items.append(cur)
            cur = ''
            continue
        cur += c
    if quote or depth:
        raise YamlError(f'line {lineno}: unbalanced flow collection')
    if cur.strip():
        items.append(cur)
    return [i.strip() for i in items]


def _flow(text, lineno):
    t = text.strip()
    if t.startswith('['):
        if not t.endswith(']'):
            raise YamlError(f'line {lineno}: flow sequence must end its line')
        return [_flow(i, lineno) for i in _split_flow(t[1:-1], lineno)]
    if t.startswith('{'):
        if not t.endswith('}'):
            raise YamlError(f'line {lineno}: flow mapping must end its line')
        out = {}
        for item in _split_flow(t[1:-1], lineno):
            m = re.match(r'([^:]+):(\s+(.*))?$', item)
            if not m:
                raise YamlError(f'line {lineno}: bad flow mapping entry {item!r}')
            out[_scalar(m.group(1), lineno)] = _flow(m.group(3) or '', lineno)
        return out
    return _scalar(t, lineno)


class _Reader:
    def __init__(self, text):
        self.lines = text.split('\n')
        self.anchors = {}

    def _next(self, i):
        """The first line from @i that is neither blank nor a comment."""
        while i < len(self.lines):
            s = self.lines[i].strip()
            if s and not s.startswith('#') and s != '---':
                if '\t' in self.lines[i][:len(self.lines[i]) - len(self.lines[i].lstrip())]:
                    raise YamlError(f'line {i + 1}: tab in indentation')
                return i
            i += 1
        return i

    def _indent(self, i):
        return len(self.lines[i]) - len(self.lines[i].lstrip(' '))

    def _is_item(self, i):
        s = self.lines[i].strip()
        return s == '-' or s.startswith('- ')

    def block(self, i, indent):
        i = self._next(i)
        if i >= len(self.lines) or self._indent(i) < indent:
            return None, i
        ind = self._indent(i)
        if self._is_item(i):
            return self.sequence(i, ind)
        return self.mapping(i, ind)

    def _literal(self, i, parent):
        """A | block scalar after line @i - 1, more indented than @parent."""
        lines, ind = [], None
        while i < len(self.lines):
            raw = self.lines[i]
            if raw.strip():
                cur = self._indent(i)
                if cur <= parent:
                    break
                ind = cur if ind is None else ind
                if cur < ind:
                    raise YamlError(f'line {i + 1}: block scalar indentation')
                lines.append(raw[ind:])
            else:
                lines.append('')
            i += 1
        while lines and not lines[-1]:
            lines.pop()
        return '\n'.join(lines) + '\n' if lines else '', i

    def value(self, rest, i, indent, lineno):
        """The value @rest starts on line @lineno (@i: the line after it)."""
        anchor = None
        m = re.match(r'&([^\s]+)\s*(.*)$', rest)
        if m:
            anchor, rest = m.group(1), m.group(2)
        if rest.startswith('*'):
            name = rest[1:].strip()
            if name not in self.anchors:
                raise YamlError(f'line {lineno}: unknown alias {name}')
            val = self.anchors[name]
        elif rest in ('|', '|-', '|+'):
            if rest != '|':
                raise YamlError(f'line {lineno}: only | block scalars')
            val, i = self._literal(i, indent)
        elif rest.startswith('>'):
            raise YamlError(f'line {lineno}: folded scalars are not supported')
        elif rest:
            val = _flow(rest, lineno)
        else:
            j = self._next(i)
            if j < len(self.lines) and (self._indent(j) > indent or
                                        (self._indent(j) == indent and self._is_item(j))):
                val, i = (self.sequence(j, indent) if self._indent(j) == indent
                          else self.block(j, indent + 1))
            else:
                val = None
        if anchor:
            self.anchors[anchor] = val
        return val, i

    def mapping(self, i, ind):
        out = {}
        while True:
            i = self._next(i)
            if i >= len(self.lines) or self._indent(i) != ind or self._is_item(i):
                if i < len(self.lines) and self._indent(i) > ind:
                    raise YamlError(f'line {i + 1}: unexpected indentation')
                return out, i
            text = _strip_comment(self.lines[i].strip())
            m = re.match(r'("[^"]*"|\'[^\']*\'|[^\s:][^:]*?)\s*:(\s+(.*))?$', text)
            if not m:
                raise YamlError(f'line {i + 1}: expected "key: value"')
            key = _scalar(m.group(1), i + 1)
            if key in out:
                raise YamlError(f'line {i + 1}: duplicate key {key}')
            out[key], i = self.value((m.group(3) or '').strip(), i + 1, ind, i + 1)

    def sequence(self, i, ind):
        out = []
        while True:
            i = self._next(i)
            if i >= len(self.lines) or self._indent(i) != ind or not self._is_item(i):
                return out, i
            raw = self.lines[i]
            rest = _strip_comment(raw.strip()[1:].strip())
            if re.match(r'("[^"]*"|\'[^\']*\'|[^\s:\[{&*][^:]*?)\s*:(\s|$)', rest):
                # "- key: value": a mapping whose keys line up after "- ".
                col = ind + 1 + (len(raw.strip()[1:]) - len(raw.strip()[1:].lstrip()))
                self.lines[i] = ' ' * col + raw.strip()[1:].lstrip()
                val, i = self.mapping(i, col)
            else:
                val, i = self.value(rest, i + 1, ind, i + 1)
            out.append(val)


def yaml_load(text):
    r = _Reader(text)
    val, i = r.block(0, 0)
    i = r._next(i)
    if i < len(r.lines):
        raise YamlError(f'line {i + 1}: unexpected text')
    return val


# --- the spec, as ynl names things --------------------------------------------

def c_upper(name):
    return name.upper().replace('-', '_')


def c_lower(name):
    return name.lower().replace('-', '_')


class Spec:
    def __init__(self, spec):
        self.spec = spec
        self.name = spec['name']
        self.prefix = c_upper(self.name) + '_'
        self.enums = {}
        for d in spec.get('definitions', []):
            if d['type'] not in ('enum', 'flags'):
                continue
            start = d.get('value-start', 0)
            prefix = d.get('name-prefix', f'{self.name}-{d["name"]}-')
            entries = []
            for k, e in enumerate(d['entries']):
                ename = e['name'] if isinstance(e, dict) else e
                entries.append((c_upper(prefix + ename), ename,
                                start + k if d['type'] == 'enum' else 1 << (start + k)))
            self.enums[d['name']] = (d, entries)
        self.sets = {}
        for s in spec['attribute-sets']:
            prefix = s.get('name-prefix', f'{self.name}-a-{s["name"]}-')
            attrs, val = {}, 1
            for a in s['attributes']:
                val = a.get('value', val)
                attrs[a['name']] = (val, c_upper(prefix + a['name']), a)
                val += 1
            self.sets[s['name']] = attrs
        self.ops = []
        val = 0
        for op in spec['operations']['list']:
            val = op.get('value', val + 1)
            self.ops.append((val, op))
        self.mcgrps = spec.get('mcast-groups', {}).get('list', [])

    def cmd(self, op):
        return c_upper(f'{self.name}-cmd-{op["name"]}')


TYPES = {'u8': 'NLA_U8', 'u16': 'NLA_U16', 'u32': 'NLA_U32', 'u64': 'NLA_U64',
         's8': 'NLA_S8', 's16': 'NLA_S16', 's32': 'NLA_S32', 's64': 'NLA_S64',
         'flag': 'NLA_FLAG', 'string': 'NLA_NUL_STRING', 'binary': 'NLA_BINARY'}
UMAX = {'u8': 0xff, 'u16': 0xffff, 'u32': 0xffffffff, 'u64': 0xffffffffffffffff}


def fits_s16(v):
    return -32768 <= v <= 32767


# --- module/netlink/netlink_gen.[ch] ------------------------------------------

HEAD = ['/*', ' * Generated by scripts/netlink-gen.py from', ' * ' + SPEC + ': do not edit.', ' */']


def check_macro(aset, attr, check):
    return c_upper(f'khv-nl-{aset}-{attr}-{check}')


def op_request_attrs(spec, op):
    """Request attributes of do and dump together, in attribute order."""
    names = []
    for part in ('do', 'dump'):
        req = (op.get(part) or {}).get('request') or {}
        names += [n for n in req.get('attributes', []) if n not in names]
    attrs = spec.sets[op['attribute-set']]
    return sorted((attrs[n] for n in names), key=lambda a: a[0])


def policy_entry(spec, aset, val, cname, a, ranges):
    t, checks = a['type'], a.get('checks', {})
    if t not in TYPES:
        raise SystemExit(f'netlink-gen: attribute {a["name"]}: type {t} in a request')
    nla = TYPES[t]
    if t == 'string' or t == 'binary':
        if 'max-len' in checks:
            return f'{{ .type = {nla}, .len = {check_macro(aset, a["name"], "max-len")} }}'
        return f'{{ .type = {nla} }}'
    lo, hi = checks.get('min'), checks.get('max')
    if lo is not None or hi is not None:
        lo_c = check_macro(aset, a['name'], 'min') if lo is not None else None
        hi_c = check_macro(aset, a['name'], 'max') if hi is not None else None
        if (lo is None or fits_s16(lo)) and (hi is None or fits_s16(hi)):
            if lo is not None and hi is not None:
                return f'NLA_POLICY_RANGE({nla}, {lo_c}, {hi_c})'
            if lo is not None:
                return f'NLA_POLICY_MIN({nla}, {lo_c})'
            return f'NLA_POLICY_MAX({nla}, {hi_c})'
        if t not in UMAX:
            raise SystemExit(f'netlink-gen: {a["name"]}: wide signed ranges are not supported')
        rname = c_lower(f'khv-nl-{aset}-{a["name"]}-range')
        ranges.append((rname, lo_c or '0', hi_c or f'{UMAX[t]:#x}ULL'))
        return f'NLA_POLICY_FULL_RANGE({nla}, &{rname})'
    if 'enum' in a and not a.get('enum-as-flags'):
        entries = spec.enums[a['enum']][1]
        return f'NLA_POLICY_RANGE({nla}, {entries[0][0]}, {entries[-1][0]})'
    return f'{{ .type = {nla} }}'


def c_wrap(line):
    """A line past 80 columns, wrapped after its last comma inside (...)."""
    if len(line.expandtabs(8)) <= 80 or '(' not in line:
        return [line]
    open_col = line.index('(') + 1
    cut = line.rindex(', ', open_col, line.rindex(')')) + 1
    col = len(line[:open_col].expandtabs(8))
    rest = line[cut:].lstrip()
    # Aligned under the parenthesis unless that passes 100 columns (checkpatch):
    # then one indent more than the line's own.
    if col + len(rest) > 100:
        col = len(line[:len(line) - len(line.lstrip('\t'))].expandtabs(8)) + 16
    return [line[:cut], '\t' * (col // 8) + ' ' * (col % 8) + rest]


def c_decl(head, params):
    """A declaration, its parameters wrapped at 80 columns under the first."""
    lines, cur = [], head
    col = len(head)
    for k, prm in enumerate(params):
        piece = prm + (', ' if k < len(params) - 1 else ');')
        if len(cur.expandtabs(8)) + len(piece.rstrip()) > 80 and cur.strip() != head.strip():
            lines.append(cur.rstrip())
            cur = '\t' * (col // 8) + ' ' * (col % 8)
        cur += piece
    lines.append(cur)
    return lines


def hook_name(name):
    return c_lower(name)


def gen_kernel(spec):
    policies = []	# (name, [ops], max attr, [(cname, entry)])
    ranges = []
    op_policy = {}
    for _, op in spec.ops:
        if 'do' not in op and 'dump' not in op:
            continue
        attrs = op_request_attrs(spec, op)
        if not attrs:
            continue
        entries = [(cname, policy_entry(spec, op['attribute-set'], val, cname, a, ranges))
                   for val, cname, a in attrs]
        for p in policies:
            if p[3] == entries:
                p[1].append(op['name'])
                op_policy[op['name']] = p
                break
        else:
            p = (c_lower(f'khv-nl-{op["name"]}-policy'), [op['name']], attrs[-1][1], entries)
            policies.append(p)
            op_policy[op['name']] = p

    # The do hooks: each pair (pre, post) the spec names is one internal_flags value.
    hooks = []
    for _, op in spec.ops:
        do = op.get('do') or {}
        pair = (do.get('pre'), do.get('post'))
        if pair != (None, None) and pair not in hooks:
            hooks.append(pair)

    def hook_enum(pair):
        parts = [hook_name(h).replace('khv_nl_', '') for h in pair if h]
        return c_upper('khv-nl-hooks-' + '-'.join(parts))

    c = ['// SPDX-License-Identifier: GPL-2.0-only'] + HEAD + ['/*',
         ' * The khv generic netlink family as the spec states it: a policy per',
         ' * operation, so that an attribute an operation does not take is refused',
         ' * rather than ignored; the operations; the multicast groups.',
         ' */', '#include <linux/module.h>', '#include <net/genetlink.h>', '',
         '#include "compat.h"', '#include "netlink.h"', '']
    if ranges:
        c += ['/*', ' * NLA_POLICY_RANGE() holds 16-bit bounds: these need a full range. Not const:',
              " * 6.1's struct nla_policy points at a modifiable one (read-only after init).",
              ' */']
        for rname, lo, hi in ranges:
            c += [f'static struct netlink_range_validation {rname} __ro_after_init = {{',
                  f'\t.min = {lo},', f'\t.max = {hi},', '};', '']
    for name, ops, maxattr, entries in policies:
        c.append(f'/* {", ".join(ops)} */')
        c.append(f'static const struct nla_policy {name}[{maxattr} + 1] = {{')
        for cname, entry in entries:
            c += c_wrap(f'\t[{cname}] = {entry},')
        c += ['};', '']
    if hooks:
        c += ['/*', ' * The do hooks the spec names (pre, post). 6.1 calls them per family, not',
              ' * per operation: internal_flags says which pair an operation has.', ' */',
              'enum {', '\tKHV_NL_HOOKS_NONE,']
        c += [f'\t{hook_enum(h)},' for h in hooks]
        c += ['};', '', 'static const struct {',
              '\tint (*pre)(const struct khv_genl_op *ops, struct sk_buff *skb,',
              '\t\t   struct genl_info *info);',
              '\tvoid (*post)(const struct khv_genl_op *ops, struct sk_buff *skb,',
              '\t\t     struct genl_info *info);',
              '} khv_nl_hooks[] = {']
        for h in hooks:
            fields = []
            if h[0]:
                fields.append(f'.pre = {hook_name(h[0])}')
            if h[1]:
                fields.append(f'.post = {hook_name(h[1])}')
            c.append(f'\t[{hook_enum(h)}] = {{ {", ".join(fields)} }},')
        c += ['};', '',
              'static int khv_nl_pre_doit(const struct khv_genl_op *ops, struct sk_buff *skb,',
              '\t\t\t   struct genl_info *info)', '{',
              '\tif (!khv_nl_hooks[ops->internal_flags].pre)', '\t\treturn 0;',
              '\treturn khv_nl_hooks[ops->internal_flags].pre(ops, skb, info);', '}', '',
              'static void khv_nl_post_doit(const struct khv_genl_op *ops, struct sk_buff *skb,',
              '\t\t\t     struct genl_info *info)', '{',
              '\tif (khv_nl_hooks[ops->internal_flags].post)',
              '\t\tkhv_nl_hooks[ops->internal_flags].post(ops, skb, info);', '}', '']
    c += ['/*',
          ' * struct genl_ops with a policy per operation rather than split ops: 6.1',
          ' * has no split ops, and 6.12 and 7.3 still accept these. No GENL_ADMIN_PERM:',
          ' * every operation checks itself, before any effect, CAP_SYS_ADMIN or a',
          ' * grant (policy.c), so that each refusal is audited and names what is',
          ' * missing. An operation without a policy takes no attribute.',
          ' */',
          'static const struct genl_ops khv_nl_ops[] = {']
    for _, op in spec.ops:
        if 'do' not in op and 'dump' not in op:
            continue
        do, dump = op.get('do'), op.get('dump')
        base = c_lower(f'khv-nl-{op["name"]}')
        c += ['\t{', f'\t\t.cmd = {spec.cmd(op)},']
        if do is not None:
            pair = (do.get('pre'), do.get('post'))
            if pair != (None, None):
                c.append(f'\t\t.internal_flags = {hook_enum(pair)},')
            c.append(f'\t\t.doit = {base}_doit,')
        if dump is not None:
            if dump.get('pre'):
                c.append(f'\t\t.start = {hook_name(dump["pre"])},')
            c.append(f'\t\t.dumpit = {base}_dumpit,')
            if dump.get('post'):
                c.append(f'\t\t.done = {hook_name(dump["post"])},')
        if op['name'] in op_policy:
            p = op_policy[op['name']]
            c += [f'\t\t.policy = {p[0]},', f'\t\t.maxattr = {p[2]},']
        c.append('\t},')
    c += ['};', '']
    if spec.mcgrps:
        c.append('static const struct genl_multicast_group khv_nl_mcgrps[] = {')
        for g in spec.mcgrps:
            c.append(f'\t[{c_upper("khv-nlgrp-" + g["name"])}] = {{')
            c.append(f'\t\t.name = {c_upper("khv-mcgrp-" + g["name"])},')
            if 'admin-perm' in g.get('flags', []):
                c.append('\t\t.flags = GENL_MCAST_CAP_SYS_ADMIN,')
            c.append('\t},')
        c += ['};', '']
    c += ['/*',
          ' * Not netnsok: VMs belong to the host, so the family exists in the initial',
          ' * network namespace only. resv_start_op 0: every operation has its header\'s',
          ' * reserved field checked and unknown attributes refused.',
          ' */',
          'struct genl_family khv_nl_family __ro_after_init = {',
          '\t.name = KHV_FAMILY_NAME,', '\t.version = KHV_FAMILY_VERSION,',
          '\t.module = THIS_MODULE,', '\t.ops = khv_nl_ops,',
          '\t.n_ops = ARRAY_SIZE(khv_nl_ops),', '\t.resv_start_op = 0,']
    if hooks:
        c += ['\t.pre_doit = khv_nl_pre_doit,', '\t.post_doit = khv_nl_post_doit,']
    if spec.mcgrps:
        c += ['\t.mcgrps = khv_nl_mcgrps,', '\t.n_mcgrps = ARRAY_SIZE(khv_nl_mcgrps),']
    c += ['};']

    h = ['/* SPDX-License-Identifier: GPL-2.0-only */'] + HEAD + [
         '#ifndef KHV_NETLINK_GEN_H', '#define KHV_NETLINK_GEN_H', '',
         '#include <net/genetlink.h>', '#include <uapi/linux/khv_netlink.h>', '',
         '#include "compat.h"', '',
         "/* The spec's checks of request attributes (min, max, max-len). */"]
    checks = {}
    for _, op in spec.ops:
        for val, cname, a in (op_request_attrs(spec, op) if ('do' in op or 'dump' in op) else []):
            for check, v in a.get('checks', {}).items():
                checks.setdefault(check_macro(op['attribute-set'], a['name'], check), v)
    width = max(len(m) for m in checks) + len('#define ') if checks else 0
    for m, v in checks.items():
        pad = (width // 8 + 1) * 8 - len('#define ' + m)
        h.append(f'#define {m}' + '\t' * ((pad + 7) // 8) + str(v))
    h += ['', '/* Multicast groups, in the order of the family\'s mcgrps table. */',
          'enum khv_nl_mcgrp {']
    h += [f'\t{c_upper("khv-nlgrp-" + g["name"])},' for g in spec.mcgrps]
    h += ['};', '', 'extern struct genl_family khv_nl_family;', '',
          '/* The callbacks the operations table names. */']
    for _, op in spec.ops:
        base = c_lower(f'khv-nl-{op["name"]}')
        if 'do' in op:
            h.append(f'int {base}_doit(struct sk_buff *skb, struct genl_info *info);')
        if 'dump' in op:
            if op['dump'].get('pre'):
                h.append(f'int {hook_name(op["dump"]["pre"])}(struct netlink_callback *cb);')
            h.append(f'int {base}_dumpit(struct sk_buff *skb, struct netlink_callback *cb);')
            if op['dump'].get('post'):
                h.append(f'int {hook_name(op["dump"]["post"])}(struct netlink_callback *cb);')
    if hooks:
        h += ['', '/* The do hooks. */']
        for name in dict.fromkeys(x for pair in hooks for x in pair if x):
            ret = 'int' if any(name == p[0] for p in hooks) else 'void'
            h += c_decl(f'{ret} {hook_name(name)}(', ['const struct khv_genl_op *ops',
                                                     'struct sk_buff *skb',
                                                     'struct genl_info *info'])
    h += ['', '#endif /* KHV_NETLINK_GEN_H */']
    return '\n'.join(c) + '\n', '\n'.join(h) + '\n'


# --- uapi/linux/khv_netlink_names.h -------------------------------------------

def gen_names(spec):
    out = ['/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */'] + HEAD + ['/*',
           ' * The names the spec gives the values of its enums and the attributes of',
           ' * its nests, as array initialisers indexed by value, for the module and',
           ' * hvctl to print the same words:',
           ' *',
           ' *\tstatic const char *const names[] = KHV_AUDIT_OP_NAMES;',
           ' *',
           ' * Include <linux/khv.h> and <linux/khv_netlink.h> first.',
           ' */', '#ifndef _UAPI_LINUX_KHV_NETLINK_NAMES_H',
           '#define _UAPI_LINUX_KHV_NETLINK_NAMES_H', '']

    def table(macro, rows):
        out.append(f'#define {macro} {{ \\')
        out.extend(f'\t[{c}] = "{n}", \\' for c, n in rows)
        out.extend(['}', ''])

    for name, (d, entries) in spec.enums.items():
        if d['type'] == 'enum':
            table(c_upper(f'{spec.name}-{name}-names'), [(c, n) for c, n, _ in entries])
    nested = [a['nested-attributes'] for s in spec.spec['attribute-sets']
              for a in s['attributes'] if a.get('type') == 'nest']
    for sname in dict.fromkeys(nested):
        rows = [(c, n) for n, (v, c, a) in spec.sets[sname].items() if a['type'] != 'pad']
        table(c_upper(f'{spec.name}-a-{sname}-names'), rows)
    out.append('#endif /* _UAPI_LINUX_KHV_NETLINK_NAMES_H */')
    return '\n'.join(out) + '\n'


def main(argv):
    check = '--check' in argv
    args = [a for a in argv if a != '--check']
    path = args[0] if args else os.path.join(TOP, SPEC)
    try:
        spec = Spec(yaml_load(open(path, encoding='utf-8').read()))
    except YamlError as e:
        sys.exit(f'netlink-gen: {path}: {e}')
    kc, kh = gen_kernel(spec)
    files = {OUT_C: kc, OUT_H: kh, OUT_NAMES: gen_names(spec)}
    rc = 0
    for rel, text in files.items():
        dst = os.path.join(TOP, rel)
        old = open(dst, encoding='utf-8').read() if os.path.exists(dst) else ''
        if old == text:
            continue
        if check:
            sys.stdout.writelines(difflib.unified_diff(
                old.splitlines(True), text.splitlines(True), rel, rel + ' (from the spec)'))
            rc = 1
        else:
            with open(dst, 'w', encoding='utf-8') as f:
                f.write(text)
    return rc


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
