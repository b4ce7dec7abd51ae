#!/usr/bin/env python3
"""Import time of every shared ONNX model (flydel-translate --import-onnx, whole process, median of N runs).

usage: bench_import.py [--bin build/bin] [--models ../shared/models/onnx] [--runs 5]
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

# Models with a dynamic input dimension need a shape (docs/importer.md).
INPUT_SHAPES = {
    "mlperftiny_v0.7_alibaba_ic.onnx": ["--input-shape", "actual_input_1=1x3x32x32"],
    "paddleocr_ch_ppocr_mobile_v2.0_cls_infer.onnx": ["--input-shape", "x=1x3x48x192"],
}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default="build/bin")
    ap.add_argument("--models", default="../shared/models/onnx")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    if not os.path.isdir(args.models):
        sys.exit("bench_import: error: no model directory %s" % args.models)
    tool = os.path.join(args.bin, "flydel-translate")
    models = sorted(f for f in os.listdir(args.models) if f.endswith(".onnx"))
    print("%-48s %10s %12s %10s" % ("model", "size_kB", "median_ms", "min_ms"))
    largest = None
    for name in models:
        path = os.path.join(args.models, name)
        cmd = [tool, "--import-onnx", path, "-o", os.devnull] + INPUT_SHAPES.get(name, [])
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            proc = subprocess.run(cmd, capture_output=True, text=True)
            times.append(1000 * (time.perf_counter() - start))
            if proc.returncode != 0:
                sys.exit("bench_import: error: %s failed:\n%s" % (" ".join(cmd), proc.stderr[-1000:]))
        size = os.path.getsize(path) / 1000
        print("%-48s %10.1f %12.1f %10.1f" % (name, size, statistics.median(times), min(times)))
        if largest is None or size > largest[1]:
            largest = (name, size, statistics.median(times))
    print("largest model: %s (%.1f kB): %.1f ms median per import (target: well under 1 s)" % largest)


if __name__ == "__main__":
    main()
