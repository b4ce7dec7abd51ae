#!/usr/bin/python3
"""A NAS-like sweep with the flydel package: where does the GPU beat the CPU?

  PYTHONPATH=build/python /usr/bin/python3 examples/nas_sweep.py [--platform tx2-c10gx] [--plot sweep.png]

A search space of 3x3 (and 1x1, 5x5) convolutions -- every map size, channel width and kernel of the family -- is
predicted in one call on the CPU and the GPU of the platform (default: the embedded tx2-c10gx, the paper's Jetson
TX2), and the table says, per map size and width, which device is faster and by how much (CPU latency / GPU
latency). Predictions outside a model's training domain are marked '*': they are the flydels' extrapolations,
not measurements. With --plot (and matplotlib), a heat map of the speed-up; without matplotlib, one line says so.
"""
import argparse
import sys

import numpy as np

import flydel

SIZES = [7, 14, 28, 56, 112, 224]
WIDTHS = [16, 32, 64, 128, 256, 512]
KERNELS = [1, 3, 5]


def search_space() -> np.ndarray:
    rows = [("conv2d", hw, c, c, k, k // 2) for k in KERNELS for hw in SIZES for c in WIDTHS]
    return np.array(rows, dtype=[("op", "U8"), ("in_hw", np.int64), ("c_in", np.int64), ("c_out", np.int64),
                                 ("kernel", np.int64), ("pad", np.int64)])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--platform", default=flydel.DEFAULT_PLATFORM)
    parser.add_argument("--kpi", default="latency_ms")
    parser.add_argument("--plot", help="heat map of the GPU speed-up (PNG or SVG; needs matplotlib)")
    args = parser.parse_args()

    try:
        platform = flydel.Platform.load(args.platform)
        layers = search_space()
        batch = platform.predict(layers, devices=["cpu", "gpu"])
        cpu, gpu = batch.value("cpu", args.kpi), batch.value("gpu", args.kpi)
        extrapolated = batch.extrapolated("cpu", args.kpi) | batch.extrapolated("gpu", args.kpi)
    except flydel.Error as e:
        sys.exit(f"nas_sweep: error: {e}")
    speedup = cpu / gpu  # > 1: the GPU is faster

    print(f"platform {platform.name}: {len(layers)} convolutions, {args.kpi} on cpu and gpu "
          f"(speed-up = cpu / gpu; * extrapolated)")
    for k in KERNELS:
        print(f"\nkernel {k}x{k}: speed-up of the GPU by map size (rows) and channels (columns)")
        print("in_hw " + "".join(f"{c:>9}" for c in WIDTHS))
        for hw in SIZES:
            cells = []
            for c in WIDTHS:
                i = int(np.flatnonzero((layers["kernel"] == k) & (layers["in_hw"] == hw) & (layers["c_in"] == c))[0])
                cells.append(f"{speedup[i]:8.2f}" + ("*" if extrapolated[i] else " "))
            print(f"{hw:5} " + "".join(cells))
    wins = speedup > 1
    print(f"\nthe GPU is faster on {int(wins.sum())} of {len(layers)} layers; the CPU on {int((~wins).sum())}")
    if (~wins).any():
        macs = layers["in_hw"] ** 2 * layers["c_in"] * layers["c_out"] * layers["kernel"] ** 2
        i = int(np.flatnonzero(~wins)[np.argmax(macs[~wins])])
        print(f"the largest layer the CPU wins: in_hw {layers['in_hw'][i]}, {layers['c_in'][i]} channels, "
              f"{layers['kernel'][i]}x{layers['kernel'][i]} kernel ({macs[i] / 1e6:.1f} MMAC; speed-up "
              f"{speedup[i]:.2f})")

    if args.plot:
        try:
            import matplotlib
            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            print(f"nas_sweep: matplotlib is not installed for {sys.executable}: no plot (the table above is "
                  f"complete)")
            return 0
        fig, axes = plt.subplots(1, len(KERNELS), figsize=(4 * len(KERNELS), 3.6), constrained_layout=True)
        for ax, k in zip(axes, KERNELS):
            grid = np.array([[speedup[(layers["kernel"] == k) & (layers["in_hw"] == hw) & (layers["c_in"] == c)][0]
                              for c in WIDTHS] for hw in SIZES])
            image = ax.imshow(np.log2(grid), cmap="RdBu", vmin=-6, vmax=6, origin="lower")
            ax.set_xticks(range(len(WIDTHS)), WIDTHS)
            ax.set_yticks(range(len(SIZES)), SIZES)
            ax.set_xlabel("channels (c_in = c_out)")
            ax.set_ylabel("map size (in_hw)")
            ax.set_title(f"{k}x{k} conv: log2(cpu / gpu)")
        fig.colorbar(image, ax=axes, label="log2 speed-up of the GPU (blue: GPU faster)")
        fig.savefig(args.plot)
        print(f"wrote {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
