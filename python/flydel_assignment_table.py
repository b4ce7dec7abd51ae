#!/usr/bin/env python3
"""Device assignments of ONNX models for every objective and mode, as a Markdown table.

For each model: import (flydel-translate), annotate with a platform (default: the embedded tx2-c10gx), run
--assign-devices for each objective (latency, energy, edp, weighted) and mode (sequential, pipelined), and read
the flydel.assignment summary: ops per device, predicted latency and energy of the chosen assignment, and the
single-device baselines.

usage: flydel_assignment_table.py MODEL.onnx [MODEL.onnx ...] [--bin build/bin] [--platform NAME|LIB.json]
"""
import argparse
import os
import re
import subprocess
import sys

KPI = r'#flydel\.kpi<latency_us = ([0-9.e+-]+), energy_uj = ([0-9.e+-]+)>'


def run(cmd, stdin=None):
    proc = subprocess.run(cmd, input=stdin, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit("flydel_assignment_table: error: %s failed:\n%s" % (" ".join(cmd), proc.stderr[-2000:]))
    return proc.stdout


def summary(ir):
    m = re.search(r'flydel\.assignment = \{(.*?)\}\}( \{|$)', ir, re.M)
    if not m:
        sys.exit("flydel_assignment_table: error: no flydel.assignment in the output")
    text = m.group(1)
    chosen = re.search(r'chosen = ' + KPI, text)
    ops = dict((k, int(v)) for k, v in re.findall(r'(\w+) = (\d+) : i64', re.search(r'ops = \{([^}]*)\}', text).group(1)))
    baselines = {}
    base_text = re.search(r'baselines = \{(.*?)\}, chosen', text).group(1)
    for name, lat, en in re.findall(r'(\w+) = ' + KPI, base_text):
        baselines[name] = (float(lat), float(en))
    for name in re.findall(r'(\w+) = "infeasible', base_text):
        baselines[name] = None
    optimal = "optimal = true" in text
    unmodeled = int(re.search(r'unmodeled_ops = (\d+)', text).group(1))
    return (float(chosen.group(1)), float(chosen.group(2))), ops, baselines, optimal, unmodeled


def ms(us):
    return "%.1f" % (us / 1000.0)


def mj(uj):
    return "%.1f" % (uj / 1000.0)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("models", nargs="+")
    ap.add_argument("--bin", default="build/bin")
    ap.add_argument("--platform", default="tx2-c10gx")
    args = ap.parse_args()
    translate = os.path.join(args.bin, "flydel-translate")
    opt = os.path.join(args.bin, "flydel-opt")
    for model in args.models:
        imported = run([translate, "--import-onnx", model])
        annotated = run([opt, "--annotate-kpis=platform=" + args.platform, "--mlir-print-op-on-diagnostic=false"],
                        imported)
        print("### %s (platform %s)\n" % (os.path.basename(model), args.platform))
        rows = []
        baselines_by_objective = {}
        for mode in ("sequential", "pipelined"):
            for objective in ("latency", "energy", "edp", "weighted"):
                out = run([opt, "--assign-devices=objective=%s mode=%s" % (objective, mode),
                           "--mlir-print-op-on-diagnostic=false"], annotated)
                (lat, en), ops, baselines, optimal, unmodeled = summary(out)
                if mode == "sequential":
                    baselines_by_objective[objective] = baselines
                placed = ", ".join("%s %d" % (d, n) for d, n in ops.items() if n)
                rows.append("| %s | %s | %s | %s | %s | %s |" % (objective, mode, placed, ms(lat), mj(en),
                                                             "yes" if optimal else "no"))
        print("| objective | mode | ops per device | latency (ms) | energy (mJ) | proven optimal |")
        print("|---|---|---|--:|--:|---|")
        print("\n".join(rows))
        print()
        # A device may be possible for one objective and not another: an op can only go where it has a model
        # for the objective's KPIs (latency for latency, energy for energy, both for edp and weighted).
        print("| single device | latency (ms) | energy (mJ) | possible for latency | possible for energy, edp, weighted |")
        print("|---|--:|--:|---|---|")
        lat_base, en_base = baselines_by_objective["latency"], baselines_by_objective["edp"]
        for name in lat_base:
            value = lat_base[name] or en_base.get(name)
            print("| all-%s | %s | %s | %s | %s |" % (name, ms(value[0]) if value else "-", mj(value[1]) if value else "-",
                                                     "yes" if lat_base[name] else "no",
                                                     "yes" if en_base.get(name) else "no"))
        print("\n%d annotated ops have no model on any device: their cost is unknown and not counted.\n" % unmodeled)


if __name__ == "__main__":
    main()
