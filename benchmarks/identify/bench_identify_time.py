#!/usr/bin/env python3
"""Wall time of a structure selection as a user waits for it: the whole flydel-identify process on a table with
--structure auto, on every core (the default) and on one (--threads 1), with and without nested CV; runs interleaved,
median of N. Prints each configuration's time, the ratio of one core to all cores, and whether the two reports are
byte-identical (they must be: every fit writes its own slot). With --baseline BIN (an older flydel-identify) the
same runs of that binary are interleaved with these, and the ratio baseline / this is printed.

usage: bench_identify_time.py [--bin build/bin] [--table ../shared/data/tx2-c10gx/tx2_cpu_conv.csv]
                              [--kpi latency_ms] [--runs 3] [--baseline OLD/flydel-identify] [--skip-nested]
"""
import argparse
import os
import statistics
import subprocess
import sys
import time


def run(cmd):
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit("bench_identify_time: error: %s failed:\n%s" % (" ".join(cmd), proc.stderr[-1000:]))
    return elapsed, proc.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default="build/bin")
    ap.add_argument("--table", default="../shared/data/tx2-c10gx/tx2_cpu_conv.csv")
    ap.add_argument("--kpi", default="latency_ms")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--baseline", help="another flydel-identify to time in the same runs")
    ap.add_argument("--skip-nested", action="store_true", help="only --no-nested (nested CV costs about folds x)")
    args = ap.parse_args()
    if not os.path.isfile(args.table):
        sys.exit("bench_identify_time: error: no table %s" % args.table)
    tools = [("this", os.path.join(args.bin, "flydel-identify"))]
    if args.baseline:
        tools.append(("baseline", args.baseline))
    base = [args.table, "--kpi", args.kpi, "--structure", "auto"]
    variants = [("no-nested", ["--no-nested"])] + ([] if args.skip_nested else [("nested (default)", [])])
    cores = os.cpu_count()
    print("table %s, kpi %s, %d cores, median of %d interleaved runs" % (args.table, args.kpi, cores, args.runs))
    print("%-10s %-18s %12s %12s %10s %s" % ("binary", "selection", "all_cores_s", "one_core_s", "1/all", "reports"))
    results = {}
    for vname, vflags in variants:
        times = {(t, threads): [] for t, _ in tools for threads in ("all", "1")}
        outputs = {}
        for _ in range(args.runs):
            for tname, tool in tools:
                for threads in ("all", "1"):
                    cmd = [tool] + base + vflags + ([] if threads == "all" else ["--threads", "1"])
                    elapsed, out = run(cmd)
                    times[(tname, threads)].append(elapsed)
                    outputs[(tname, threads)] = out
        for tname, _ in tools:
            a = statistics.median(times[(tname, "all")])
            o = statistics.median(times[(tname, "1")])
            same = "identical" if outputs[(tname, "all")] == outputs[(tname, "1")] else "DIFFER"
            results[(tname, vname)] = a
            print("%-10s %-18s %12.2f %12.2f %10.2f %s" % (tname, vname, a, o, o / a, same))
    if args.baseline:
        for vname, _ in variants:
            print("%s: baseline / this (all cores) = %.2f" % (vname, results[("baseline", vname)] / results[("this", vname)]))


if __name__ == "__main__":
    main()
