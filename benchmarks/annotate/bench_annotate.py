#!/usr/bin/env python3
"""Cost of --annotate-kpis (and, with --assign, of --annotate-kpis --assign-devices) against parsing and printing
the same module.

Generates a synthetic module of N TOSA convolutions (default 100,000) with seeded random shapes inside the
tx2-c10gx training domain of all three devices, or with --extrapolated outside the FPGA's (every conv then has a
diagnostic to report); with --assign the convolutions form one chain (each feeds the next), a graph the assignment
has to place op by op. Then runs flydel-opt with --mlir-timing, with default flags: plain (parse + print) and with
the passes, interleaved, --runs times each (default 3). Prints the median parser, pass and output times, the ratio
pass / (parse + print) and the ratio of the whole processes' median wall times.

usage: bench_annotate.py [--flydel-opt build/bin/flydel-opt] [--convs 100000] [--seed 1] [--work DIR]
                         [--extrapolated] [--assign] [--runs 3]
"""
import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import time


def const_input(name, hw, c):
    return f'  %{name} = "tosa.const"() <{{values = dense<1.0> : tensor<1x{hw}x{hw}x{c}xf32>}}> : () -> tensor<1x{hw}x{hw}x{c}xf32>\n'


def conv(i, x, hw, c, n, k, pad):
    """Convolution %c{i} of %{x} (1 x hw x hw x c) by n k x k filters, stride 1, `pad` on every side."""
    o = hw + 2 * pad - k + 1
    return (
        f'  %w{i} = "tosa.const"() <{{values = dense<1.0> : tensor<{n}x{k}x{k}x{c}xf32>}}> : () -> tensor<{n}x{k}x{k}x{c}xf32>\n'
        f'  %b{i} = "tosa.const"() <{{values = dense<0.0> : tensor<{n}xf32>}}> : () -> tensor<{n}xf32>\n'
        f'  %c{i} = tosa.conv2d %{x}, %w{i}, %b{i}, %zp, %zp {{acc_type = f32, dilation = array<i64: 1, 1>, '
        f'pad = array<i64: {pad}, {pad}, {pad}, {pad}>, stride = array<i64: 1, 1>}} : (tensor<1x{hw}x{hw}x{c}xf32>, '
        f'tensor<{n}x{k}x{k}x{c}xf32>, tensor<{n}xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x{o}x{o}x{n}xf32>\n')


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
            f.write(const_input(f"x{i}", hw, c) + conv(i, f"x{i}", hw, c, n, k, 0))
        f.write("  return\n}\n")
    return len(unique)


def generate_chain(path, convs, seed):
    """A chain of convolutions: in_hw 11-14 kept by 'same' padding (which the tx2-c10gx data never had, so every
    conv is extrapolated on pad), channels 3-10."""
    rng = random.Random(seed)
    unique = set()
    hw, c = rng.randint(11, 14), rng.randint(3, 10)
    body = [const_input("c0", hw, c)]
    for i in range(1, convs + 1):
        n, k = rng.randint(3, 10), rng.choice((3, 5))
        unique.add((hw, c, n, k))
        body.append(conv(i, f"c{i - 1}", hw, c, n, k, (k - 1) // 2))
        c = n
    with open(path, "w") as f:
        f.write(f"func.func @chain(%zp: tensor<1xf32>) -> tensor<1x{hw}x{hw}x{c}xf32> {{\n")
        f.writelines(body)
        f.write(f"  return %c{convs} : tensor<1x{hw}x{hw}x{c}xf32>\n}}\n")
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
    ap.add_argument("--assign", action="store_true", help="a chain, timed with --annotate-kpis --assign-devices")
    ap.add_argument("--runs", type=int, default=3, help="interleaved runs of each command; medians are printed")
    args = ap.parse_args()
    if args.assign and args.extrapolated:
        sys.exit("bench_annotate: --assign builds its own chain (padded, so extrapolated on pad); --extrapolated does not apply")
    os.makedirs(args.work, exist_ok=True)
    kind = "-chain" if args.assign else "-x" if args.extrapolated else ""
    path = os.path.join(args.work, "convs-%d%s.mlir" % (args.convs, kind))
    if args.assign:
        unique = generate_chain(path, args.convs, args.seed)
    else:
        unique = generate(path, args.convs, args.seed, args.extrapolated)
    print("module: %d tosa.conv2d%s (%d distinct layer shapes), %.1f MB"
          % (args.convs, " in a chain" if args.assign else "", unique, os.path.getsize(path) / 1e6))

    base = [args.flydel_opt, path, "-o", os.devnull, "--mlir-timing"]
    # Default flags: what a user runs (diagnostics summed up per function, never printing the op).
    passes = ["--annotate-kpis"] + (["--assign-devices"] if args.assign else [])
    runs = {"plain": [], "passes": []}
    for _ in range(max(1, args.runs)):
        runs["plain"].append(timed(base))
        runs["passes"].append(timed(base + passes))

    def median(which, key):
        return statistics.median(t[key] if key != "wall" else w for w, t in runs[which])

    plain = {k: median("plain", k) for k in ("wall", "Parser", "Output")}
    parse_print = plain["Parser"] + plain["Output"]
    print("plain:     parser %.3f s, output %.3f s, process %.3f s (medians of %d)"
          % (plain["Parser"], plain["Output"], plain["wall"], len(runs["plain"])))
    names = [("AnnotateKpis", "annotate-kpis")] + ([("AssignDevices", "assign-devices")] if args.assign else [])
    done = {label: median("passes", key) for key, label in names}
    print("%s: parser %.3f s, %s, output %.3f s, process %.3f s, %d diagnostics"
          % (" + ".join(label for _, label in names), median("passes", "Parser"),
             ", ".join("%s %.3f s" % (label, t) for label, t in done.items()), median("passes", "Output"),
             median("passes", "wall"), runs["passes"][-1][1]["diagnostics"]))
    for label, t in done.items():
        print("%s / (parse + print of the plain module) = %.3f" % (label, t / parse_print))
    print("whole process, with the passes / plain = %.3f (target <= %s; includes printing the added attributes)"
          % (median("passes", "wall") / plain["wall"], "2.0" if args.assign else "1.3"))


if __name__ == "__main__":
    main()
