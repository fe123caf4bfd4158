#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""make bench's cost model: what silicon would charge khv's and KVM's host kernel paths
(Documentation/performance.md, "The cost model").

Usage: bench_cost.py OUTDIR LATENCIES VENDOR CONSOLE PLUGIN
  CONSOLE    the emulated host's console log: khv_bench --cost's lines
             "KHV-BENCH-COST: SEQ WORKLOAD HV OPERATIONS" (and "KHV-BENCH-COST: reset")
  PLUGIN     tools/costmodel/khv_cost.so's records, "khv-cost SEQ insns=N msr=N ..."
  LATENCIES  tools/costmodel/latencies.tsv: NAME CLASS CYCLES CPU KIND SOURCE, tab-separated
  OUTDIR     bench_report.py's results: table.md gets a section, the VENDOR lines of bench.json
             a "cost" object, ratios.dat a column VENDOR-model (the ratio of the estimates)
The records of the last run in each file (after its last reset) are joined by sequence number
and summed per workload and hypervisor; the estimate per operation is the sum, over the
instructions counted, of count x cycles (an instruction without a row of its own takes its
class's), plus the kernel's other instructions x the "other" row. Prints the section.
Exit status 1 when nothing could be joined, 2 for a bad command line or latency table.
"""
import json
import os
import sys

from bench_report import prefixed

CONSOLE_PREFIX = "KHV-BENCH-COST: "
PLUGIN_PREFIX = "khv-cost "
CLASSES = ["msr", "svm", "vmx", "desc", "fpu", "serial", "tlb"]
# Keys of a record that are not instruction names.
SUMMARY = ["insns"] + CLASSES
WARNED = set()


class TableError(Exception):
    pass


def read_latencies(path):
    """NAME -> {"class", "cycles", "cpu", "kind", "source"}; every class and "other" must have a row."""
    rows = {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) != 6:
                raise TableError(f"{path}:{n}: want 6 tab-separated columns, not {len(cols)}")
            name, cls, cycles, cpu, kind, source = cols
            try:
                cycles = float(cycles)
            except ValueError:
                raise TableError(f"{path}:{n}: cycles '{cycles}' is not a number") from None
            if cls not in CLASSES + ["other"]:
                raise TableError(f"{path}:{n}: unknown class '{cls}'")
            if kind not in ("published", "estimate"):
                raise TableError(f"{path}:{n}: kind is 'published' or 'estimate', not '{kind}'")
            if not source.strip():
                raise TableError(f"{path}:{n}: {name} has no source")
            rows[name] = {"class": cls, "cycles": cycles, "cpu": cpu, "kind": kind,
                          "source": source}
    for cls in CLASSES + ["other"]:
        if cls not in rows or rows[cls]["class"] != cls:
            raise TableError(f"{path}: no row for the class '{cls}'")
    return rows


def read_console(path):
    """The runs of a console log: each a list of (seq, workload, hv, ops)."""
    runs = [[]]
    for line, text in prefixed(path, CONSOLE_PREFIX):
        words = text.split()
        if words == ["reset"]:
            runs.append([])
            continue
        try:
            seq, workload, hv, ops = int(words[0]), words[1], words[2], int(words[3])
        except (IndexError, ValueError):
            print(f"{path}: unreadable line skipped: {line[:80]}", file=sys.stderr)
            continue
        runs[-1].append((seq, workload, hv, ops))
    return runs


def read_plugin(path):
    """The runs of the plugin's file: each a dict seq -> {key: count}."""
    runs = [{}]
    with open(path, errors="replace") as f:
        for line in f:
            line = line.strip()
            if line == PLUGIN_PREFIX + "reset":
                runs.append({})
                continue
            if not line.startswith(PLUGIN_PREFIX):
                continue
            words = line[len(PLUGIN_PREFIX):].split()
            try:
                seq = int(words[0])
                counts = {k: int(v) for k, v in (w.split("=", 1) for w in words[1:])}
            except (IndexError, ValueError):
                print(f"{path}: unreadable line skipped: {line[:80]}", file=sys.stderr)
                continue
            runs[-1][seq] = counts
    return runs


def join(console, plugin):
    """(workload, hv) -> {"ops", "batches", "counts"}, in the console's order; and the misses."""
    sides, missing = {}, 0
    for seq, workload, hv, ops in console:
        rec = plugin.get(seq)
        if rec is None:
            missing += 1
            continue
        s = sides.setdefault((workload, hv), {"ops": 0, "batches": 0, "counts": {}})
        s["ops"] += ops
        s["batches"] += 1
        for k, v in rec.items():
            s["counts"][k] = s["counts"].get(k, 0) + v
    return sides, missing


def estimate(side, lat):
    """Per-operation counts and the cycle estimate of one (workload, hv)."""
    counts, ops = side["counts"], side["ops"]
    per_op = {k: v / ops for k, v in counts.items() if v}
    classified, by_class = 0.0, {c: 0.0 for c in CLASSES}
    for name, v in counts.items():
        if name in SUMMARY:
            continue
        row = lat.get(name)
        if row is None or row["class"] == "other":
            if name not in WARNED:
                print(f"no latency for '{name}': counted at its class's", file=sys.stderr)
                WARNED.add(name)
            continue
        by_class[row["class"]] += v * row["cycles"]
    # An instruction counted in a class but named nowhere in the table takes the class's figure.
    for cls in CLASSES:
        named = sum(v for k, v in counts.items() if k not in SUMMARY and k in lat and
                    lat[k]["class"] == cls)
        rest = counts.get(cls, 0) - named
        if rest > 0:
            by_class[cls] += rest * lat[cls]["cycles"]
        classified += by_class[cls]
    ordinary = counts.get("insns", 0) - sum(counts.get(c, 0) for c in CLASSES)
    other = max(ordinary, 0) * lat["other"]["cycles"]
    return {
        "ops": ops,
        "batches": side["batches"],
        "per_op": {k: round(v, 3) for k, v in sorted(per_op.items())},
        "cycles_per_op": round((classified + other) / ops, 1),
        "classified_cycles_per_op": round(classified / ops, 1),
        "cycles_per_op_by_class": {c: round(by_class[c] / ops, 1) for c in CLASSES},
    }


def fmt(x):
    if x is None:
        return "-"
    return f"{x:.0f}" if abs(x) >= 100 or x == int(x) else f"{x:.2f}"


def section(vendor, results, lat, missing):
    est = sum(1 for r in lat.values() if r["kind"] == "estimate")
    out = [f"### {vendor}: cost model (host kernel instructions per operation, weighed in cycles)",
           "",
           f"Cycles: {lat['other']['cpu']}, tools/costmodel/latencies.tsv ({est} of its {len(lat)} "
           "figures are estimates); est. = classified + the other instructions x its 'other' row.",
           "",
           "| workload | HV | kernel insns/op | msr | svm | vmx | desc | fpu | serial | tlb | "
           "VMRUN/op | classified cycles/op | est. cycles/op | khv/KVM (est.) |",
           "|---" * 14 + "|"]
    notes = []
    for w, r in results.items():
        for hv in ("khv", "kvm"):
            e = r.get(hv)
            if e is None:
                continue
            p = e["per_op"]
            ratio = fmt(r.get("ratio")) if hv == "khv" and r.get("ratio") is not None else ""
            cols = [fmt(p.get(c, 0)) for c in CLASSES]
            out.append(f"| {w} | {hv} | {fmt(p.get('insns', 0))} | {' | '.join(cols)} | "
                       f"{fmt(p.get('vmrun', 0))} | {fmt(e['classified_cycles_per_op'])} | "
                       f"{fmt(e['cycles_per_op'])} | {ratio} |")
            named = [f"{k} {fmt(v)}" for k, v in p.items() if k not in SUMMARY and k != "vmrun"]
            if named:
                notes.append(f"- {w}, {hv}: {', '.join(named)} per operation")
    out.append("")
    if notes:
        out += ["Instructions per operation:", ""] + notes + [""]
    if missing:
        out += [f"{missing} batches of the console had no record of the plugin's: left out.", ""]
    return out


def update_json(path, vendor, results):
    lines, seen = [], set()
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                if not line.strip():
                    continue
                r = json.loads(line)
                if r.get("host") == vendor and r.get("workload") in results:
                    r["cost"] = results[r["workload"]]
                    seen.add(r["workload"])
                lines.append(r)
    for w, c in results.items():
        if w not in seen:
            lines.append({"workload": w, "host": vendor, "cost": c})
    with open(path, "w") as f:
        for r in lines:
            f.write(json.dumps(r) + "\n")


def update_ratios(path, vendor, results):
    if not os.path.exists(path):
        return
    with open(path) as f:
        rows = [line.split() for line in f if line.strip()]
    if not rows:
        return
    rows[0].append(f"{vendor}-model")
    for row in rows[1:]:
        r = results.get(row[0], {}).get("ratio")
        row.append(f"{r:.4f}" if r else "-")
    with open(path, "w") as f:
        for row in rows:
            f.write(" ".join(row) + "\n")


def report(outdir, lat_path, vendor, console_path, plugin_path):
    lat = read_latencies(lat_path)
    console = read_console(console_path)[-1]
    plugin = read_plugin(plugin_path)[-1]
    sides, missing = join(console, plugin)
    results = {}
    for (w, hv), side in sides.items():
        if side["ops"] <= 0:
            continue
        results.setdefault(w, {})[hv] = estimate(side, lat)
    for r in results.values():
        a, b = r.get("khv"), r.get("kvm")
        r["ratio"] = (round(a["cycles_per_op"] / b["cycles_per_op"], 4)
                      if a and b and b["cycles_per_op"] > 0 else None)
        r["cpu"] = lat["other"]["cpu"]
    lines = section(vendor, results, lat, missing)
    if outdir:
        with open(os.path.join(outdir, "table.md"), "a") as f:
            f.write("\n" + "\n".join(lines))
        update_json(os.path.join(outdir, "bench.json"), vendor, results)
        update_ratios(os.path.join(outdir, "ratios.dat"), vendor, results)
    return results, lines


def main(argv):
    if len(argv) != 6:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        results, lines = report(*argv[1:])
    except TableError as e:
        print(f"bench_cost.py: {e}", file=sys.stderr)
        return 2
    print("\n".join(lines))
    return 0 if results else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
