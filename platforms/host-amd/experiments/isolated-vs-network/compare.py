#!/usr/bin/python3
"""Whole networks against the sum of their isolated layers measured in the same machine state (docs/measurement.md,
"End to end"): per model, the fastest of the end-to-end runs (networks-*.csv, flydel-measure --network, 10:04-10:19)
against the conv2d, pool2d and matmul layers measured in isolation at 10:15 (iso-*.csv, one pass) plus the library's
predictions for the model's other ops (elementwise, data movement). Run from the repository root after a build:
    python3 platforms/host-amd/experiments/isolated-vs-network/compare.py"""
import csv
import glob
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..", "..", "..")
sys.path.insert(0, os.path.join(ROOT, "python"))
import flydel_validate as fv  # noqa: E402

VALIDATION = os.path.join(HERE, "..", "..", "validation")
isolated = {}
for op in ["conv2d", "pool2d", "matmul"]:
    for r in fv.read_csv(os.path.join(HERE, "iso-%s.csv" % op))[1]:
        isolated[fv.key(r)] = float(r["latency_ms"])
runs = []
for path in sorted(glob.glob(os.path.join(HERE, "networks-*.csv"))):
    with open(path) as f:
        runs.append({r["network"]: float(r["latency_ms"])
                     for r in csv.DictReader(l for l in f if l.strip() and not l.startswith("#"))})
for name in sorted(runs[0]):
    whole = min(run[name] for run in runs if name in run)
    ops = fv.read_csv(os.path.join(VALIDATION, name + ".ops.csv"))[1]
    count = lambda r: float(r.get("count") or 1)
    layers = sum(count(r) * isolated[fv.key(r)] for r in ops if r["op"] in ("conv2d", "pool2d", "matmul"))
    other = [r for r in ops if r["op"] not in ("conv2d", "pool2d", "matmul")]
    predicted = fv.predict(os.path.join(ROOT, "build", "bin", "flydel-identify"),
                           os.path.join(HERE, "..", "..", "host.json"), "cpu-mlir", [fv.key(r) for r in other])
    rest = sum(count(r) * p[0] for r, p in zip(other, predicted))
    print("%-42s whole %10.4g ms  isolated layers %10.4g + other ops (predicted) %8.4g  -> %+6.1f %%" %
          (name, whole, layers, rest, 100 * (layers + rest - whole) / whole))
