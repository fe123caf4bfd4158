#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Turn an emulated host's serial log into results.

Usage: report.py LOG NAME [--counts FILE] [--expect kunit,kselftest]
       report.py --plain SUITE LOG NAME [--counts FILE]     (a file that is one TAP stream, e.g. compat.sh's)

The log is cut into sections by the markers scripts/rig/init.sh prints ("KHV-RIG: kunit begin" ...).
KUnit's KTAP (printk lines, "[  1.2]" prefix, 4 spaces per level) and the kselftest runner's TAP
("# " per level) are parsed into trees; leaves are counted (a parent that failed with no failing
child counts as one failure itself). Kernel reports after the gate marker, a missing "KHV-RIG: done"
(crash, hang, timeout) and the rig's own failures are failed results. Prints the results normalised,
one heading per host and suite, and appends "KHV-COUNTS NAME passed failed skipped" to --counts.
"""

import argparse
import re
import sys

PRINTK = re.compile(r'^\[\s*\d+\.\d+\](?:\[\s*[TC]\d+\])?\s?')
ESCAPES = re.compile(r'\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Za-z0-9]|\x1b[=>cDEHM78]')
CONTROL = re.compile(r'[\x00-\x08\x0b-\x1f\x7f]')
RESULT = re.compile(r'^(not ok|ok)\b\s*(\d+)?\s*(?:-\s*)?(.*?)\s*(?:(?<!\\)#\s*(.*))?$')
PLAN = re.compile(r'^1\.\.(\d+)')
# Kernel and tty output share the serial port and can cut into each other's lines: take every marker.
MARKER = re.compile(r'KHV-RIG: ((?:(?!KHV-RIG: ).)*)')

# A line matching one of these begins a kernel report; one matching SECONDARY only when no report is near.
PRIMARY = re.compile(r'BUG:|WARNING:|\bOops\b|UBSAN:|general protection fault|[Kk]ernel panic|'
                     r'unreferenced object|soft lockup|hard LOCKUP|detected stalls?|blocked for more than|'
                     r'possible (circular|recursive) locking|inconsistent lock state|list_(add|del) corruption|'
                     r'refcount_t:|stack-protector|Kernel BUG at|kernel BUG at')
SECONDARY = re.compile(r'Call Trace|KASAN|UBSAN|lockdep')
PRIMARY_MERGE = 10
TAIL_LINES = 25  # of the console, under a host that did not finish
SECONDARY_MERGE = 100


class Node:
    def __init__(self, ok, num, name, directive):
        self.ok = ok
        self.num = num
        self.name = name or f'test {num}'
        self.directive = (directive or '').strip()
        self.children = []
        self.missing = 0

    @property
    def status(self):
        if self.directive.upper().startswith('SKIP'):
            return 'skip'
        return 'pass' if self.ok else 'fail'


class TapTree:
    """Builds result trees from (depth, text) lines: children come before their parent's result line."""

    def __init__(self):
        self.groups = {}  # depth -> list of [expected, [nodes]]
        self.bailed = []
        self.subtest = {}  # depth -> name from "# Subtest: NAME", to name orphans

    def _group(self, depth):
        g = self.groups.setdefault(depth, [])
        if not g:
            g.append([None, []])
        return g[-1]

    def add(self, depth, text):
        m = PLAN.match(text)
        if m:
            g = self.groups.setdefault(depth, [])
            if g and g[-1][0] is None and not g[-1][1]:
                g[-1][0] = int(m.group(1))
            else:
                g.append([int(m.group(1)), []])
            return
        if text.startswith('# Subtest:'):
            self.subtest[depth] = text[len('# Subtest:'):].strip()
            return
        if text.startswith('Bail out!'):
            self.bailed.append(text)
            return
        m = RESULT.match(text)
        if not m:
            return
        node = Node(m.group(1) == 'ok', m.group(2), m.group(3), m.group(4))
        for expected, nodes in self.groups.pop(depth + 1, []):
            node.children.extend(nodes)
            if expected is not None and len(nodes) < expected:
                node.missing += expected - len(nodes)
        # Deeper leftovers (a parent that never printed its line) hang under this node too.
        for d in sorted(k for k in self.groups if k > depth + 1):
            for _, nodes in self.groups.pop(d):
                node.children.extend(nodes)
        self._group(depth)[1].append(node)

    def roots(self):
        """Top-level nodes, with the number of results a plan announced but never got."""
        roots, missing = [], 0
        for d in sorted(self.groups):
            for expected, nodes in self.groups[d]:
                if d > 0 and d in self.subtest:
                    for n in nodes:
                        n.name = f'{self.subtest[d]}.{n.name}'
                roots.extend(nodes)
                if expected is not None and len(nodes) < expected:
                    missing += expected - len(nodes)
        return roots, missing


class Results:
    def __init__(self):
        self.items = []  # (status, name, note)
        self.tails = {}  # item index -> console lines shown under it

    def add(self, status, name, note='', tail=None):
        if tail:
            self.tails[len(self.items)] = tail
        self.items.append((status, name, note))

    def count(self, status):
        return sum(1 for s, _, _ in self.items if s == status)

    def add_tree(self, nodes, prefix, sep):
        for n in nodes:
            name = prefix + n.name
            if n.children:
                before = self.count('fail')
                self.add_tree(n.children, name + sep, sep)
                if n.missing:
                    self.add('fail', name, f'{n.missing} subtest(s) announced but not run')
                elif n.status == 'fail' and self.count('fail') == before:
                    self.add('fail', name, n.directive)
            else:
                self.add(n.status, name, n.directive)

    def print(self, heading):
        print(f'# {heading}')
        for i, (status, name, note) in enumerate(self.items):
            word = {'pass': 'ok', 'fail': 'not ok', 'skip': 'ok'}[status]
            if status == 'skip':
                note = note if note.upper().startswith('SKIP') else ('SKIP ' + note).strip()
            print(f'{word} {name}' + (f' # {note}' if note else ''))
            for line in self.tails.get(i, []):
                print(f'#  | {line}')
        print(f'# {heading}: {self.summary()}')

    def summary(self):
        return f"{self.count('pass')} passed, {self.count('fail')} failed, {self.count('skip')} skipped"


def clean(raw):
    line = ESCAPES.sub('', raw.rstrip('\r\n')).replace('\r', '')
    return CONTROL.sub('', line)


def strip_printk(line):
    m = PRINTK.match(line)
    return (line[m.end():], True) if m else (line, False)


def kunit_line(line):
    text, _ = strip_printk(line)
    stripped = text.lstrip(' ')
    indent = len(text) - len(stripped)
    return indent // 4, stripped.rstrip()


def kselftest_line(line):
    depth = 0
    while line.startswith('# '):
        depth += 1
        line = line[2:]
    return depth, line.rstrip()


def parse_tap(lines, splitter):
    tree = TapTree()
    for line in lines:
        depth, text = splitter(line)
        tree.add(depth, text)
    return tree


def tap_results(lines, splitter, prefix='', sep='.', name_fix=None):
    tree = parse_tap(lines, splitter)
    roots, missing = tree.roots()
    if name_fix:
        for r in roots:
            r.name = name_fix(r.name)
    res = Results()
    res.add_tree(roots, prefix, sep)
    if missing:
        res.add('fail', 'unfinished', f'{missing} test(s) announced but not run')
    for b in tree.bailed:
        res.add('fail', 'bail out', b)
    return res


def markers(lines):
    """(index, marker text) for every KHV-RIG marker."""
    out = []
    for i, line in enumerate(lines):
        for m in MARKER.finditer(line):
            out.append((i, strip_printk(m.group(1))[0].strip()))
    return out


def section(lines, marks, name):
    """Lines between "NAME begin" and "NAME end" (or the end of the log); None when never begun."""
    begin = next((i for i, t in marks if t == f'{name} begin'), None)
    if begin is None:
        return None
    end = next((i for i, t in marks if i > begin and t.startswith(f'{name} end')), len(lines))
    return lines[begin + 1:end]


def kernel_reports(lines, marks):
    gate = next((i for i, t in marks if t in ('gate', 'kunit begin', 'khv loaded')), None)
    if gate is None:
        return []
    reports, last = [], None
    for i in range(gate + 1, len(lines)):
        text, _ = strip_printk(lines[i])
        text = text.strip()
        # "dmesg: " lines repeat, after the tests, what the console did not show while they ran.
        if not text or text.startswith(('#', 'ok ', 'not ok ', 'KHV-RIG', 'KHV-RUNNER', 'TAP version', 'dmesg: ')):
            continue
        if PRIMARY.search(text):
            if last is None or i - last > PRIMARY_MERGE:
                reports.append(text)
                last = i
        elif SECONDARY.search(text):
            if last is None or i - last > SECONDARY_MERGE:
                reports.append(text)
                last = i
    return reports


def selftest_name(name):
    return re.sub(r'^selftests:\s*[^:]*:\s*', '', name)


def rig_results(name, lines, marks, expect, sections):
    res = Results()
    texts = [t for _, t in marks]
    for t in texts:
        if t.startswith('khv load failed'):
            res.add('fail', 'khv load', t)
        elif t.startswith('unload ') and 'failed' in t:
            res.add('fail', t.split()[1] + ' unload', t)
        elif re.fullmatch(r'load \S+ rc=\d+', t) and not t.endswith(' rc=0'):
            res.add('fail', t.split()[1] + ' load', t)
        elif re.fullmatch(r'kselftest end rc=\d+', t) and not t.endswith(' rc=0'):
            res.add('fail', 'kselftest run', t + ' (killed by its time limit?)')
        elif t == 'kselftest missing' and 'kselftest' in expect:
            res.add('fail', 'kselftest run', 'no selftests in the payload')
    for suite in expect:
        if sections.get(suite) is None or not sections[suite].items:
            res.add('fail', f'{suite} results', f'no {suite} result in the log')
    for r in kernel_reports(lines, marks):
        res.add('fail', f'kernel report: {r}')
    if 'done' not in texts:
        runner = [clean(x) for x in lines if 'KHV-RUNNER' in x]
        # Where it stood: the console's last lines, so that a log that is gone still says.
        console = [clean(x) for x in lines if clean(x).strip() and 'KHV-RUNNER' not in x]
        res.add('fail', f'host {name} did not finish', runner[-1] if runner else 'no runner verdict',
                tail=console[-TAIL_LINES:])
    return res


def emit(name, parts, counts_file):
    total = {'pass': 0, 'fail': 0, 'skip': 0}
    for suite, res in parts:
        if res is None:
            continue
        res.print(f'host {name}: {suite}')
        for k in total:
            total[k] += res.count(k)
    print(f"# host {name}: {total['pass']} passed, {total['fail']} failed, {total['skip']} skipped")
    if counts_file:
        with open(counts_file, 'a') as f:
            f.write(f"KHV-COUNTS {name} {total['pass']} {total['fail']} {total['skip']}\n")
    return total


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--plain', metavar='SUITE', help='LOG is one TAP stream of this suite')
    ap.add_argument('--counts', metavar='FILE', help='append a KHV-COUNTS line here')
    ap.add_argument('--expect', default='', help='suites that must have results (kunit,kselftest)')
    ap.add_argument('log')
    ap.add_argument('name')
    a = ap.parse_args()

    try:
        with open(a.log, 'rb') as f:
            lines = [clean(x) for x in f.read().decode('utf-8', 'replace').split('\n')]
    except OSError as e:
        lines = [f'KHV-RUNNER: no log: {e}']

    if a.plain:
        res = tap_results(lines, kselftest_line)
        if not res.items:
            res.add('fail', f'{a.plain} results', 'no TAP result in ' + a.log)
        emit(a.name, [(a.plain, res)], a.counts)
        return 0

    expect = [s for s in a.expect.split(',') if s]
    marks = markers(lines)
    sections = {}
    kunit = section(lines, marks, 'kunit')
    if kunit is not None:
        sections['kunit'] = tap_results(kunit, kunit_line)
    ksft = section(lines, marks, 'kselftest')
    if ksft is not None:
        sections['kselftest'] = tap_results(ksft, kselftest_line, name_fix=selftest_name)
    rig = rig_results(a.name, lines, marks, expect, sections)
    # A suite with no result that nobody expected (no KUnit on a stock kernel) is not worth a heading.
    parts = [(s, sections.get(s)) for s in ('kunit', 'kselftest')
             if s in expect or (sections.get(s) is not None and sections[s].items)]
    emit(a.name, parts + [('rig', rig)], a.counts)
    return 0


if __name__ == '__main__':
    sys.exit(main())
