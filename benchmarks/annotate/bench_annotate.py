#!/usr/bin/env python3
"""Cost of --annotate-kpis against parsing and printing the same module.

Generates a synthetic module of N TOSA convolutions (default 100,000) with seeded random shapes inside the
tx2-c10gx training domain of all three devices, or with --extrapolated outside the FPGA's (every conv then has a
diagnostic to report), then runs flydel-opt with --mlir-timing twice, with default flags: plain (parse + print) and
with --annotate-kpis. Prints the parser, pass and output times, the ratio pass / (parse + print) and the ratio of
the whole processes, of one run each.

usage: bench_annotate.py [--flydel-opt build/bin/flydel-opt] [--convs 100000] [--seed 1] [--work DIR]
                         [--extrapolated]
"""
import argparse
import os
import random
import re
import subprocess
import sys
import time


def generate(path, convs, seed, extrapolated=False):
    rng = random.Random(seed)
    unique = set()
    with open(path, "w") as f:
        # Inside every device's training range: in_hw 11-14, c_in 3-10, c_out 2-10, kernel 2-5, stride 1.
        f.write("func.func @synthetic(%zp: tensor<1xf32>) {\n")
        for i in range(convs):
            hw, c, n, k = rng.randint(11, 14), rng.randint(3, 10), rng.randint(2, 10), rng.randint(2, 5)
            if extrapolated:  # in_hw 16-20: outside the FPGA models' [2, 14]
                hw = rng.randint(16, 20)
            unique.add((hw, c, n, k))
            o = hw - k + 1
            f.write(
                f'  %x{i} = "tosa.const"() <{{values = dense<1.0> : tensor<1x{hw}x{hw}x{c}xf32>}}> : () -> tensor<1x{hw}x{hw}x{c}xf32>\n'
                f'  %w{i} = "tosa.const"() <{{values = dense<1.0> : tensor<{n}x{k}x{k}x{c}xf32>}}> : () -> tensor<{n}x{k}x{k}x{c}xf32>\n'
                f'  %b{i} = "tosa.const"() <{{values = dense<0.0> : tensor<{n}xf32>}}> : () -> tensor<{n}xf32>\n'
                f'  %c{i} = tosa.conv2d %x{i}, %w{i}, %b{i}, %zp, %zp {{acc_type = f32, dilation = array<i64: 1, 1>, '
                f'pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>}} : (tensor<1x{hw}x{hw}x{c}xf32>, '
                f'tensor<{n}x{k}x{k}x{c}xf32>, tensor<{n}xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x{o}x{o}x{n}xf32>\n')
        f.write("  return\n}\n")
    return len(unique)


def timed(cmd):
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit("command failed: %s\n%s" % (" ".join(cmd), proc.stderr[-2000:]))
    times = {"diagnostics": len(re.findall(r": (warning|remark|error): ", proc.stderr))}
    for m in re.finditer(r"^\s*([0-9.]+) \(\s*[0-9.]+%\)\s+(\S.*?)\s*$", proc.stderr, re.M):
        times[m.group(2)] = float(m.group(1))
    return wall, times


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--flydel-opt", default="build/bin/flydel-opt")
    ap.add_argument("--convs", type=int, default=100000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--work", default="build/bench")
    ap.add_argument("--extrapolated", action="store_true", help="shapes outside the FPGA domain: a diagnostic each")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    path = os.path.join(args.work, "convs-%d%s.mlir" % (args.convs, "-x" if args.extrapolated else ""))
    unique = generate(path, args.convs, args.seed, args.extrapolated)
    print("module: %d tosa.conv2d (%d distinct layer shapes), %.1f MB" % (args.convs, unique, os.path.getsize(path) / 1e6))

    base = [args.flydel_opt, path, "-o", os.devnull, "--mlir-timing"]
    wall_plain, plain = timed(base)
    # Default flags: what a user runs (diagnostics summed up per function, never printing the op).
    wall_annot, annot = timed(base + ["--annotate-kpis"])
    parse_print = plain["Parser"] + plain["Output"]
    print("plain:     parser %.3f s, output %.3f s, process %.3f s" % (plain["Parser"], plain["Output"], wall_plain))
    print("annotated: parser %.3f s, annotate-kpis %.3f s, output %.3f s, process %.3f s, %d diagnostics"
          % (annot["Parser"], annot["AnnotateKpis"], annot["Output"], wall_annot, annot["diagnostics"]))
    print("annotate-kpis / (parse + print of the plain module) = %.3f  (target <= 0.20)" % (annot["AnnotateKpis"] / parse_print))
    print("whole process, annotated / plain = %.3f (includes printing the added attributes)" % (wall_annot / wall_plain))


if __name__ == "__main__":
    main()
