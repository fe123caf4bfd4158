#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""scripts/rig/bench_cost.py on canned input (make -C tools/costmodel check).

testdata/: a console log and a plugin file, each with an earlier run before its last reset
(which must be ignored), a warm-up record the console has no line for, a console line with no
record; latencies.tsv with round numbers. The figures the report must give follow by hand:

khv cpuid, 2 batches of 100: per operation 1000 kernel instructions, 10 WRMSR (x50), VMRUN,
VMLOAD (x1000, x200), VMSAVE (no row: the svm class's 10), CPUID (x150); classified 500 + 1210
+ 150 = 1860 cycles, other 1000 - 14 = 986 instructions x 1: 2846 cycles.
kvm cpuid: 500 instructions, RDMSR (x20), RDTSC (no row: msr's 100), VMRUN, CPUID: classified
120 + 1000 + 150 = 1270, other 500 - 4 = 496: 1766 cycles. khv/KVM = 2846 / 1766 = 1.6116.
"""
import json
import os
import re
import shutil
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts", "rig"))
import bench_cost  # noqa: E402

DATA = os.path.join(HERE, "testdata")


class Report(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        with open(os.path.join(self.dir, "bench.json"), "w") as f:
            for host in ("amd", "intel"):
                for w in ("cpuid", "pio_user"):
                    f.write(json.dumps({"workload": w, "host": host, "ratio": 1.0}) + "\n")
        with open(os.path.join(self.dir, "ratios.dat"), "w") as f:
            f.write("workload amd intel\ncpuid 1.0 1.1\npio_user 1.2 -\n")
        with open(os.path.join(self.dir, "table.md"), "w") as f:
            f.write("# khv_bench\n")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def run_report(self, latencies="latencies.tsv"):
        return bench_cost.report(self.dir, os.path.join(DATA, latencies), "amd",
                                 os.path.join(DATA, "console.log"),
                                 os.path.join(DATA, "plugin.txt"))

    def test_estimates(self):
        results, lines = self.run_report()
        khv, kvm = results["cpuid"]["khv"], results["cpuid"]["kvm"]
        self.assertEqual((khv["ops"], khv["batches"]), (200, 2))
        self.assertEqual(khv["per_op"]["insns"], 1000)
        self.assertEqual(khv["per_op"]["wrmsr"], 10)
        self.assertEqual(khv["per_op"]["vmrun"], 1)
        self.assertEqual(khv["classified_cycles_per_op"], 1860)
        self.assertEqual(khv["cycles_per_op"], 2846)
        self.assertEqual(khv["cycles_per_op_by_class"]["svm"], 1210)
        self.assertEqual(kvm["classified_cycles_per_op"], 1270)
        self.assertEqual(kvm["cycles_per_op"], 1766)
        self.assertEqual(results["cpuid"]["ratio"], 1.6116)

    def test_join(self):
        results, lines = self.run_report()
        # create_destroy's batch has no record; mem_per_vm's has no operations.
        self.assertEqual(sorted(results), ["cpuid"])
        self.assertIn("1 batches of the console had no record of the plugin's: left out.", lines)
        self.assertIn("- cpuid, khv: cpuid 1, vmload 1, vmsave 1, wrmsr 10 per operation", lines)

    def test_outputs(self):
        self.run_report()
        with open(os.path.join(self.dir, "bench.json")) as f:
            rows = [json.loads(line) for line in f]
        cost = {(r["host"], r["workload"]): "cost" in r for r in rows}
        self.assertEqual(cost, {("amd", "cpuid"): True, ("amd", "pio_user"): False,
                                ("intel", "cpuid"): False, ("intel", "pio_user"): False})
        amd = next(r for r in rows if r["host"] == "amd" and r["workload"] == "cpuid")
        self.assertEqual(amd["cost"]["ratio"], 1.6116)
        self.assertEqual(amd["ratio"], 1.0)
        with open(os.path.join(self.dir, "ratios.dat")) as f:
            self.assertEqual(f.read(), "workload amd intel amd-model\ncpuid 1.0 1.1 1.6116\n"
                                       "pio_user 1.2 - -\n")
        with open(os.path.join(self.dir, "table.md")) as f:
            table = f.read()
        self.assertTrue(table.startswith("# khv_bench\n\n### amd: cost model"))
        self.assertIn("| cpuid | khv | 1000 | 10 | 3 | 0 | 0 | 0 | 1 | 0 | 1 | 1860 | 2846 | 1.61 |",
                      table)
        self.assertIn("| cpuid | kvm | 500 | 2 | 1 | 0 | 0 | 0 | 1 | 0 | 1 | 1270 | 1766 |  |", table)

    def test_bad_table(self):
        path = os.path.join(self.dir, "bad.tsv")
        with open(os.path.join(DATA, "latencies.tsv")) as f:
            rows = [line for line in f if not line.startswith("tlb\t")]
        with open(path, "w") as f:
            f.writelines(rows)
        with self.assertRaisesRegex(bench_cost.TableError, "no row for the class 'tlb'"):
            bench_cost.read_latencies(path)
        with open(path, "w") as f:
            f.write("wrmsr\tmsr\tfast\tZen 3\tpublished\tsomewhere\n")
        with self.assertRaisesRegex(bench_cost.TableError, "not a number"):
            bench_cost.read_latencies(path)

    def test_shipped_table(self):
        """The table make bench uses: every class, a source for every row."""
        lat = bench_cost.read_latencies(os.path.join(HERE, "latencies.tsv"))
        with open(os.path.join(HERE, "khv_cost.c")) as f:
            plugin = re.findall(r'\[I_[A-Z0-9]+\] = \{ "([a-z0-9]+)", CLASS_([A-Z]+) \}',
                                f.read())
        self.assertGreater(len(plugin), 50)
        for name, cls in plugin:
            self.assertEqual(lat[name]["class"], cls.lower(), name)
        for name in ("wrmsr", "rdmsr", "vmrun", "vmload", "vmsave", "stgi", "clgi", "cpuid",
                     "lgdt", "lidt", "ltr", "xsave", "xsaves", "xrstor", "xrstors", "fxsave",
                     "fxrstor", "invlpga", "invlpg", "movcr3", "verw", "wbinvd"):
            self.assertIn(name, lat)


if __name__ == "__main__":
    unittest.main(verbosity=2)
