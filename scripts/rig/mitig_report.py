#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""make bench BENCH_MITIG=1: what each of khv's entry-path mitigations costs
(Documentation/performance.md, "What the mitigations cost").

Usage: mitig_report.py OUT.md VENDOR=LOG [VENDOR=LOG...]
  LOG     an emulated host's console log. scripts/rig/init.sh's bench_mitig ran
          khv_bench --khv-only over the exit workloads once with every
          mitigation the host asks for (between "KHV-RIG: mitig begin off=none"
          and "KHV-RIG: mitig end off=none ..."), then once per mitigation X
          with khv reloaded with mitigations_off=X (off=X); khv_bench printed
          "# khv mitigations: name=state ..." and a "KHV-BENCH-JSON: " line per
          workload in each.
  OUT.md  gets one table per vendor: workload, khv with all (ns/op), khv
          without X (ns/op), the cost of X (the difference, and its share of
          the exit with all). A pass whose khv did not report X=off, or whose
          workload failed its check, gives no figure.
Prints OUT.md. Exit status 1 when a vendor's log has no BENCH_MITIG pass.
"""
import json
import re
import sys

PREFIX = "KHV-BENCH-JSON: "
BEGIN = re.compile(r"KHV-RIG: mitig begin off=(\S+)")
END = re.compile(r"KHV-RIG: mitig end off=(\S+) rc=(\d+)")
ACTIVE = re.compile(r"KHV-RIG: mitig active=\[(.*)\]")
STATES = "# khv mitigations: "


def read_log(path):
    """{"active": [names] or None, "none": bool, "passes": {off: pass}} of a log.

    A pass: {"states": {name: state}, "ns": {workload: median or None}, "rc": int or None}.
    """
    host = {"active": None, "none": False, "passes": {}, "states": None}
    cur = None
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\r\n")
            m = ACTIVE.search(line)
            if m:
                host["active"] = m.group(1).split()
                continue
            if "KHV-RIG: mitig none active" in line:
                host["none"] = True
                continue
            m = BEGIN.search(line)
            if m:
                cur = {"states": {}, "ns": {}, "rc": None}
                host["passes"][m.group(1)] = cur
                continue
            m = END.search(line)
            if m and cur is not None:
                cur["rc"] = int(m.group(2))
                cur = None
                continue
            at = line.find(STATES)
            if at >= 0:
                states = dict(w.split("=", 1) for w in line[at + len(STATES):].split()
                              if "=" in w)
                if cur is not None:
                    cur["states"] = states
                elif host["states"] is None:
                    host["states"] = states
                continue
            at = line.find(PREFIX)
            if at < 0 or cur is None:
                continue
            try:
                r = json.loads(line[at + len(PREFIX):])
            except json.JSONDecodeError:
                print(f"{path}: unreadable line skipped: {line[:80]}", file=sys.stderr)
                continue
            k = r.get("khv") or {}
            ok = k.get("check") == "ok" and isinstance(k.get("median"), (int, float))
            cur["ns"][r["workload"]] = k["median"] if ok else None
    return host


def states_line(states):
    if not states:
        return "not reported"
    return " ".join(f"{n}={s}" for n, s in states.items())


def table(vendor, host):
    out = [f"### {vendor}", ""]
    base = host["passes"].get("none")
    if host["none"]:
        out += ["No mitigation that khv can switch off is active on this host "
                f"(khv mitigations: {states_line(host['states'])}).", ""]
        return out, True
    if base is None:
        return out + ["No BENCH_MITIG pass in this log (see its console log).", ""], False
    out += [f"khv mitigations with all: {states_line(base['states'])}", "",
            "| mitigation | workload | khv, all (ns/op) | khv without it (ns/op) "
            "| cost (ns/op) | cost (% of all) |",
            "|---|---|---|---|---|---|"]
    names = host["active"] or [n for n in host["passes"] if n != "none"]
    for name in names:
        p = host["passes"].get(name)
        why = None
        if p is None:
            why = "not measured (khv did not load without it?)"
        elif p["states"].get(name) != "off":
            why = f"not switched off ({name}={p['states'].get(name, '?')})"
        for w, all_ns in base["ns"].items():
            off_ns = None if why or p is None else p["ns"].get(w)
            if all_ns is None or off_ns is None:
                out.append(f"| {name} | {w} | {cell(all_ns)} | {why or cell(off_ns)} | - | - |")
                continue
            d = all_ns - off_ns
            pct = f"{100 * d / all_ns:.1f}" if all_ns > 0 else "-"
            out.append(f"| {name} | {w} | {all_ns:.0f} | {off_ns:.0f} | {d:.0f} | {pct} |")
    out.append("")
    return out, True


def cell(ns):
    return "FAILED" if ns is None else f"{ns:.0f}"


def main(argv):
    if len(argv) < 3 or any("=" not in a for a in argv[2:]):
        print(__doc__, file=sys.stderr)
        return 2
    lines = ["# What khv's entry-path mitigations cost: khv alone, median ns per "
             "operation, with all of them and without each in turn", ""]
    rc = 0
    for arg in argv[2:]:
        vendor, log = arg.split("=", 1)
        t, ok = table(vendor, read_log(log))
        lines += t
        if not ok:
            rc = 1
    with open(argv[1], "w") as f:
        f.write("\n".join(lines))
    print("\n".join(lines))
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv))
