#!/usr/bin/python3
"""Times Platform.predict on a batch of layers against the C++ evaluation of the same layers, in one process.

  PYTHONPATH=build/python /usr/bin/python3 benchmarks/python/predict_bench.py [--layers 10000] [--repeats 20]
                                                                              [--platform tx2-c10gx] [--seed 1]

The layers: a reproducible random mix (numpy seed) of convolutions (dense, depthwise), pools, matmuls and
elementwise ops of CNN-like sizes, as one numpy structured array. "python" is the wall time of one
platform.predict(array) call on every device (conversion in, evaluation, the columnar numpy results out); "c++" is
the time the same evaluation takes inside C++ alone (DevicePredictor over the same layers, extrapolation and
capacity texts included), measured by the module in the same run. Both are the best of --repeats runs (the
machine is shared: the best run is the least disturbed one); the medians are printed too.
"""
import argparse
import statistics
import sys
import time

import numpy as np

import flydel


def layers(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    ops = rng.choice(["conv2d", "conv2d", "conv2d", "pool2d", "matmul", "elementwise"], size=n)
    hw = rng.choice([7, 14, 28, 56, 112, 224], size=n)
    c_in = rng.choice([3, 16, 32, 64, 128, 256, 512], size=n)
    c_out = rng.choice([16, 32, 64, 128, 256, 512, 1024], size=n)
    kernel = rng.choice([1, 3, 5, 7], size=n)
    stride = rng.choice([1, 1, 2], size=n)
    depthwise = (ops == "conv2d") & (rng.random(n) < 0.25)
    groups = np.where(depthwise, c_in, 1)
    c_out = np.where(depthwise | (ops == "pool2d") | (ops == "elementwise"), c_in, c_out)
    kernel = np.where((ops == "matmul") | (ops == "elementwise"), 1, np.minimum(kernel, hw))
    hw = np.where(ops == "matmul", 1, hw)
    pad = kernel // 2
    out = np.zeros(n, dtype=[("op", "U12"), ("in_hw", np.int64), ("c_in", np.int64), ("c_out", np.int64),
                             ("kernel", np.int64), ("stride", np.int64), ("pad", np.int64), ("groups", np.int64)])
    out["op"], out["in_hw"], out["c_in"], out["c_out"] = ops, hw, c_in, c_out
    out["kernel"], out["stride"], out["pad"], out["groups"] = kernel, stride, pad, groups
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--layers", type=int, default=10000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--platform", default=flydel.DEFAULT_PLATFORM)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.layers < 1 or args.repeats < 1:
        parser.error("--layers and --repeats must be at least 1")

    platform = flydel.Platform.load(args.platform)
    batch = layers(args.layers, args.seed)
    result = platform.predict(batch)  # warm-up: first-call imports and allocations
    python_s, cpp_s = [], []
    for _ in range(args.repeats):
        start = time.perf_counter()
        result = platform.predict(batch)
        python_s.append(time.perf_counter() - start)
        cpp_s.append(platform.time_evaluation(batch))
    entries = sum(len(result.kpis(d)) for d in result.devices) * result.n
    extrapolated = sum(int(result._device(d)["extrapolated"].sum()) for d in result.devices)
    best_py, best_cpp = min(python_s), min(cpp_s)
    print(f"platform {platform.name}: {args.layers} layers x {len(result.devices)} devices "
          f"({entries} KPI entries, {extrapolated} extrapolated), best of {args.repeats}")
    print(f"python platform.predict: {best_py * 1e3:8.2f} ms  (median {statistics.median(python_s) * 1e3:.2f} ms)")
    print(f"c++ evaluation:          {best_cpp * 1e3:8.2f} ms  (median {statistics.median(cpp_s) * 1e3:.2f} ms)")
    print(f"ratio python / c++:      {best_py / best_cpp:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
