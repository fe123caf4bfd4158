#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""make bench's results from khv_bench's JSON lines (Documentation/performance.md).

Usage: bench_report.py OUTDIR VENDOR=LOG [VENDOR=LOG...]
  LOG     an emulated host's console log: its "KHV-BENCH-JSON: " lines are read
          up to the bench's end marker
  OUTDIR  gets bench.json (every line, with the host it came from), table.md
          (one Markdown table per vendor, as Documentation/performance.md shows
          it) and ratios.dat (workload, then khv/KVM per vendor, '-' where there
          is none, under a header line: gnuplot's input for ratios.svg)
Prints table.md. Exit status 1 when a vendor's log has no result at all.
"""
import json
import sys

PREFIX = "KHV-BENCH-JSON: "


def prefixed(path, prefix):
    """(line, what follows PREFIX) for each line of a console log that has PREFIX anywhere."""
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\r\n")
            # BENCH_MITIG=1's khv-only passes follow: mitig_report.py's.
            if "KHV-RIG: bench end" in line:
                break
            at = line.find(prefix)
            if at >= 0:
                yield line, line[at + len(prefix):]


def read_log(path):
    """The JSON objects of a console log; lines cut by the console are skipped."""
    rows = []
    for line, text in prefixed(path, PREFIX):
        try:
            rows.append(json.loads(text))
        except json.JSONDecodeError:
            print(f"{path}: unreadable line skipped: {line[:80]}", file=sys.stderr)
    return rows


def cell(side):
    if side is None:
        return "-"
    if side.get("check") != "ok":
        return "FAILED: " + side.get("check", "?")
    if "median" not in side:
        return "-"
    return f"{side['median']:.0f} [{side['min']:.0f}, {side['max']:.0f}]"


def table(vendor, rows):
    out = [f"### {vendor}", "",
           "| workload | unit | khv | KVM | khv/KVM |",
           "|---|---|---|---|---|"]
    for r in rows:
        ratio = "-" if r.get("ratio") is None else f"{r['ratio']:.3f}"
        out.append(f"| {r['workload']} | {r['unit']} | {cell(r.get('khv'))} | "
                   f"{cell(r.get('kvm'))} | {ratio} |")
    out.append("")
    return out


def main(argv):
    if len(argv) < 3 or any("=" not in a for a in argv[2:]):
        print(__doc__, file=sys.stderr)
        return 2
    outdir = argv[1]
    results = {}
    for arg in argv[2:]:
        vendor, log = arg.split("=", 1)
        results[vendor] = read_log(log)
    lines = ["# khv_bench: median [min, max] of the batches; khv/KVM below 1: khv needs less", ""]
    rc = 0
    with open(f"{outdir}/bench.json", "w") as f:
        for vendor, rows in results.items():
            if not rows:
                lines += [f"### {vendor}", "", "no results (see its console log)", ""]
                rc = 1
                continue
            lines += table(vendor, rows)
            for r in rows:
                f.write(json.dumps(dict(r, host=vendor)) + "\n")
    workloads = []
    for rows in results.values():
        for r in rows:
            if r["workload"] not in workloads:
                workloads.append(r["workload"])
    with open(f"{outdir}/ratios.dat", "w") as f:
        f.write("workload " + " ".join(results) + "\n")
        for w in workloads:
            vals = []
            for rows in results.values():
                r = next((r for r in rows if r["workload"] == w), None)
                ok = r is not None and r.get("ratio") is not None and r["ratio"] > 0
                vals.append(f"{r['ratio']:.4f}" if ok else "-")
            f.write(f"{w} " + " ".join(vals) + "\n")
    with open(f"{outdir}/table.md", "w") as f:
        f.write("\n".join(lines))
    print("\n".join(lines))
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv))
