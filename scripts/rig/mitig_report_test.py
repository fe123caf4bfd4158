#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""mitig_report.py and bench_report.py on canned console logs (make -C selftests
bench-check runs it on the build machine). TAP output; exit status 1 on a failure."""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def jline(workload, median, check="ok", kvm=None):
    khv = f'{{"check":"{check}","median":{median},"min":{median},"max":{median}}}'
    return (f'KHV-BENCH-JSON: {{"workload":"{workload}","unit":"ns/exit","vendor":"intel",'
            f'"iterations":1000,"batches":9,"khv":{khv},"kvm":{kvm or "null"},"ratio":null}}')


ALL = "l1d=on verw=on ibpb=unneeded vmscape=unneeded rsb=fixed bhb=unneeded"
INTEL = "\r\n".join([
    "KHV-RIG: bench begin modules=khv kvm_intel kvm",
    "# khv mitigations: " + ALL,
    jline("cpuid", 2000, kvm='{"check":"ok","median":3000,"min":1,"max":1}'),
    "KHV-RIG: bench end rc=0",
    "KHV-RIG: mitig active=[ l1d verw ]",
    "KHV-RIG: mitig begin off=none",
    "# khv mitigations: " + ALL,
    jline("null_exit", 1000),
    jline("cpuid", 1200),
    "KHV-RIG: mitig end off=none rc=0",
    "[   12.3] khv: mitigations_off: l1d switched off for measurement",
    "KHV-RIG: mitig begin off=l1d",
    "# khv mitigations: " + ALL.replace("l1d=on", "l1d=off"),
    jline("null_exit", 750),
    jline("cpuid", 0, check="exit 1 after 0 operations"),
    "KHV-RIG: mitig end off=l1d rc=1",
    "KHV-RIG: mitig begin off=verw",
    "# khv mitigations: " + ALL,
    jline("null_exit", 900),
    jline("cpuid", 1100),
    "KHV-RIG: mitig end off=verw rc=0",
    "KHV-RIG: done",
]) + "\r\n"
AMD = "\n".join([
    "KHV-RIG: bench begin modules=khv kvm_amd kvm",
    "# khv mitigations: l1d=unneeded verw=unneeded ibpb=unneeded vmscape=unneeded",
    jline("cpuid", 2000),
    "KHV-RIG: bench end rc=0",
    "KHV-RIG: mitig active=[ ]",
    "KHV-RIG: mitig none active",
]) + "\n"

tests = failures = 0


def ok(cond, desc, detail=""):
    global tests, failures
    tests += 1
    failures += not cond
    print(f"{'' if cond else 'not '}ok {tests} - {desc}" + ("" if cond else f" # {detail}"))


with tempfile.TemporaryDirectory() as d:
    for name, text in (("intel.log", INTEL), ("amd.log", AMD), ("none.log", "booted\n")):
        with open(os.path.join(d, name), "w", newline="") as f:
            f.write(text)
    out = os.path.join(d, "mitigations.md")
    run = subprocess.run([sys.executable, os.path.join(HERE, "mitig_report.py"), out,
                          f"intel={d}/intel.log", f"amd={d}/amd.log"],
                         capture_output=True, text=True)
    md = open(out).read() if os.path.exists(out) else ""
    ok(run.returncode == 0, "a log with passes and one with none active: status 0",
       run.stderr)
    ok(md.rstrip("\n") == run.stdout.rstrip("\n"), "prints what it writes")
    ok("| l1d | null_exit | 1000 | 750 | 250 | 25.0 |" in md,
       "the cost of l1d: the difference and its share of the exit with all", md)
    ok("| l1d | cpuid | 1200 | FAILED | - | - |" in md,
       "a failed workload gives no figure", md)
    ok("| verw | null_exit | 1000 | not switched off (verw=on) | - | - |" in md,
       "a pass whose khv did not report verw=off gives no figure", md)
    ok("khv mitigations with all: " + ALL in md, "names what all means", md)
    ok("No mitigation that khv can switch off is active on this host (khv mitigations: "
       "l1d=unneeded verw=unneeded ibpb=unneeded vmscape=unneeded)." in md,
       "a host with none active says so in one line", md)
    ok("| none |" not in md and "| 3000" not in md and "2000" not in md,
       "neither the baseline as a row nor the main bench's lines", md)
    run = subprocess.run([sys.executable, os.path.join(HERE, "mitig_report.py"), out,
                          f"intel={d}/none.log"], capture_output=True, text=True)
    ok(run.returncode == 1 and "No BENCH_MITIG pass" in run.stdout,
       "a log without the passes: status 1, said", run.stdout)
    run = subprocess.run([sys.executable, os.path.join(HERE, "bench_report.py"), d,
                          f"intel={d}/intel.log"], capture_output=True, text=True)
    ok(run.returncode == 0 and run.stdout.count("| cpuid |") == 1 and "3000" in run.stdout
       and "| null_exit |" not in run.stdout,
       "bench_report.py reads the main bench only, not the khv-only passes", run.stdout)

print(f"1..{tests}")
sys.exit(1 if failures else 0)
