#!/usr/bin/python3
"""Eighth round (docs/measurement.md): fully connected layers timed in nine passes while the VM was slow, against
the fifth round's tables. The files: <backend>-<plan>-9p.csv (flydel-measure --passes 9, 11:48-12:00), plans fc5 and
mm5 (the fifth round's FC and matmul designs, shipped in ../../plans), fc6 and mm6 (the sixth round's, with
power-of-two widths), val (the 12 matmul validation layers, runs a and b).

  compare.py OLD.csv:NEW.csv ...   per pair: NEW/OLD latency over the layers both hold (median, p10, p90, range)

e.g. from platforms/host-amd: experiments/nine-passes/compare.py validation/cpu-mlir-matmul-a.csv:experiments/
nine-passes/cpu-mlir-val-9p.csv excitation/cpu-mlir-fc.csv:experiments/nine-passes/cpu-mlir-fc5-9p.csv
"""
import os
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "python"))
import flydel_validate as fv  # noqa: E402


def latencies(path):
    return {fv.key(r): float(r["latency_ms"]) for r in fv.read_csv(path)[1] if r["latency_ms"]}


for pair in sys.argv[1:]:
    old_path, new_path = pair.split(":")
    old, new = latencies(old_path), latencies(new_path)
    ratios = sorted(v / old[k] for k, v in new.items() if k in old)
    if not ratios:
        print("%s vs %s: no layer in common" % (new_path, old_path))
        continue
    at = lambda p: ratios[min(len(ratios) - 1, int(p * len(ratios)))]
    print("%s vs %s: %d layers, median %.3f, p10 %.3f, p90 %.3f, range %.3f-%.3f" % (
        new_path, old_path, len(ratios), statistics.median(ratios), at(0.1), at(0.9), ratios[0], ratios[-1]))
