#!/usr/bin/python3
"""Plots of predicted against measured latency (numpy + matplotlib only; writes PNG or SVG files).

  flydel_plots.py scatter LAYERS.csv... -o scatter.png    predicted vs measured, log-log, one series per file
  flydel_plots.py cdf LAYERS.csv... -o cdf.png            cumulative distribution of |error| (and of the retest
                                                          noise, when the files have retest_ms)
  flydel_plots.py bars LAYERS.csv --model MODEL.layers.csv -o bars.png
                                                          per-layer measured and predicted latency of one model
  flydel_plots.py networks SUMMARY.json -o networks.png   whole networks timed end to end: the prediction of every
                                                          op as a share of the measured time, stacked by op kind

LAYERS.csv is what `flydel_validate.py validate` writes per backend (<device>-layers.csv): the layer columns,
measured_ms, retest_ms (may be empty), predicted_ms. A series is named after its file (cpu-mlir-layers.csv ->
cpu-mlir). SUMMARY.json is flydel_validate.py validate's summary (its end_to_end entries). Each command also prints
the figures it plots, so they can be checked without looking at the image.
"""
import argparse
import csv
import json
import os
import sys

try:
    import numpy as np
except ImportError:
    sys.exit("flydel_plots.py: error: needs numpy, which %s lacks (Debian's /usr/bin/python3 has it: "
             "python3-numpy)" % sys.executable)
try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    plt = None  # the figures are still computed and printed; no image (save() says so)

from flydel_validate import LAYER_COLUMNS, short_name  # noqa: E402  (beside this script)


class _NoFigure:
    """Stands for a figure and its axes when matplotlib is missing: every drawing call does nothing."""

    def __getattr__(self, name):
        return lambda *args, **kwargs: self


def subplots(**kwargs):
    return plt.subplots(**kwargs) if plt else (_NoFigure(), _NoFigure())


def save(fig, path):
    if plt:
        fig.savefig(path)
    else:
        sys.stdout.flush()  # after the figures, also when both streams go to one file
        print("flydel_plots.py: matplotlib is not installed for %s: %s not written (the figures above are complete)"
              % (sys.executable, path), file=sys.stderr)


def fail(message):
    sys.exit("flydel_plots.py: error: " + message)


def read_rows(path):
    try:
        with open(path, newline="") as f:
            data = [l for l in f.read().splitlines() if l.strip() and not l.startswith("#")]
    except OSError as e:
        fail("%s: %s" % (path, e.strerror))
    if not data:
        fail("%s: empty" % path)
    return list(csv.DictReader(data))


def read_layers(path):
    rows = read_rows(path)
    for need in ("measured_ms", "predicted_ms"):
        if need not in rows[0]:
            fail("%s: no column '%s' (expected flydel_validate.py's <device>-layers.csv)" % (path, need))
    out = []
    for i, r in enumerate(rows):
        try:
            m = float(r["measured_ms"])
            p = float(r["predicted_ms"]) if r["predicted_ms"] else np.nan
            t = float(r["retest_ms"]) if r.get("retest_ms") else np.nan
        except ValueError:
            fail("%s: data row %d: not a number" % (path, i + 1))
        if not m > 0:
            fail("%s: data row %d: measured_ms must be positive" % (path, i + 1))
        out.append((tuple(r[c] for c in LAYER_COLUMNS), m, p, t))
    return out


def series_name(path):
    return os.path.basename(path).replace("-layers.csv", "").replace(".csv", "")


def scatter(args):
    fig, ax = subplots(figsize=(5, 5))
    lo, hi = np.inf, 0
    for path in args.inputs:
        rows = read_layers(path)
        m = np.array([r[1] for r in rows])
        p = np.array([r[2] for r in rows])
        ok = np.isfinite(p)
        ax.scatter(m[ok], p[ok], s=12, label=series_name(path), alpha=0.8)
        lo, hi = min(lo, m.min(), np.nanmin(p)), max(hi, m.max(), np.nanmax(p))
        ape = np.abs(p[ok] - m[ok]) / m[ok] * 100
        print("%s: %d layers, MAPE %.1f %%, within 10 %% %.0f %%" % (series_name(path), ok.sum(), ape.mean(),
                                                                     100 * np.mean(ape <= 10)))
    line = np.array([lo / 1.2, hi * 1.2])
    ax.plot(line, line, "k-", lw=0.8)
    ax.fill_between(line, line * 0.9, line * 1.1, color="grey", alpha=0.2, label="±10 %")
    ax.set(xscale="log", yscale="log", xlabel="measured latency (ms)", ylabel="predicted latency (ms)")
    ax.legend()
    fig.tight_layout()
    save(fig, args.o)


def cdf(args):
    fig, ax = subplots(figsize=(6, 4))
    for path in args.inputs:
        rows = read_layers(path)
        for label, col in (("prediction", 2), ("retest noise", 3)):
            v = np.array([(r[col] - r[1]) / r[1] * 100 for r in rows if np.isfinite(r[col])])
            if v.size == 0:
                continue
            e = np.sort(np.abs(v))
            ax.step(e, np.arange(1, e.size + 1) / e.size * 100, where="post",
                    label="%s %s" % (series_name(path), label), ls="-" if col == 2 else "--")
            print("%s %s: median |error| %.1f %%, p90 %.1f %%" % (series_name(path), label, np.median(e),
                                                               np.percentile(e, 90)))
    ax.axvline(10, color="grey", lw=0.8)
    ax.set(xscale="symlog", xlabel="|relative error| (%)", ylabel="layers (%)", ylim=(0, 100))
    ax.legend(fontsize=8)
    fig.tight_layout()
    save(fig, args.o)


def bars(args):
    rows = {r[0]: r for r in read_layers(args.inputs[0])}
    model = read_rows(args.model)
    layers = [tuple(r[c] for c in LAYER_COLUMNS) for r in model]
    missing = [k for k in layers if k not in rows]
    if missing:
        fail("%s: %d layer(s) of the model were not measured in %s" % (args.model, len(missing), args.inputs[0]))
    counts = np.array([float(r.get("count") or 1) for r in model])
    m = np.array([rows[k][1] for k in layers])
    p = np.array([rows[k][2] for k in layers])
    x = np.arange(len(layers))
    fig, ax = subplots(figsize=(max(6, 0.35 * len(layers)), 4))
    ax.bar(x - 0.2, m, 0.4, label="measured")
    ax.bar(x + 0.2, p, 0.4, label="predicted")
    ax.set_xticks(x, ["%sx%s %s>%s k%s s%s%s" % (k[2], k[3], k[4], k[5], k[6], k[8], " dw" if k[13] != "1" else "")
                      for k in layers], rotation=90, fontsize=6)
    ax.set(yscale="log", ylabel="latency (ms)",
           title="%s on %s" % (series_name(args.model).replace(".layers", ""), series_name(args.inputs[0])))
    ax.legend()
    fig.tight_layout()
    save(fig, args.o)
    total_m, total_p = float((counts * m).sum()), float(np.nansum(counts * p))
    print("%d distinct layers; network sum measured %.4g ms, predicted %.4g ms (%+.1f %%)" % (
        len(layers), total_m, total_p, (total_p - total_m) / total_m * 100))


OP_KINDS = ["conv2d", "pool2d", "matmul", "elementwise", "data_movement"]


def networks(args):
    try:
        with open(args.inputs[0]) as f:
            summary = json.load(f)
    except (OSError, ValueError) as e:
        fail("%s: %s" % (args.inputs[0], e))
    entries = [(device, name, n) for device, e in sorted(summary.get("devices", {}).items())
               for name, n in sorted(e.get("end_to_end", {}).items())]
    if not entries:
        fail("%s: no whole-network measurements (end_to_end; flydel_validate.py validate with "
             "<device>-networks-a.csv)" % args.inputs[0])
    y = np.arange(len(entries))
    fig, ax = subplots(figsize=(8.5, 0.4 * len(entries) + 1.5))
    left = np.zeros(len(entries))
    for op in OP_KINDS:
        share = np.array([100 * n["predicted_by_op_ms"].get(op, 0.0) / n["measured_ms"] for _, _, n in entries])
        if share.any():
            ax.barh(y, share, left=left, label=op, zorder=2)
            left += share
    ax.axvline(100, color="k", lw=0.8)
    ax.axvspan(90, 110, color="grey", alpha=0.2, label="±10 %", zorder=0)
    ax.set_yticks(y, ["%s %s" % (d, short_name(name))
                      for d, name, _ in entries], fontsize=7)
    ax.invert_yaxis()
    ax.set(xlabel="predicted, every op, as % of the measured end-to-end latency")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.tight_layout()
    save(fig, args.o)
    for (device, name, n), total in zip(entries, left):
        print("%s %s: measured %.4g ms, predicted %.4g ms (%.0f %%)%s" % (
            device, name, n["measured_ms"], n["predicted_ms"], total,
            "" if n.get("error_pct") is not None else ", ops without a model"))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, fn in (("scatter", scatter), ("cdf", cdf), ("bars", bars), ("networks", networks)):
        p = sub.add_parser(name)
        p.add_argument("inputs", nargs="+" if name in ("scatter", "cdf") else 1)
        p.add_argument("-o", required=True, help="output image (.png, .svg)")
        if name == "bars":
            p.add_argument("--model", required=True, help="the model's layers (flydel-measure extract output)")
        p.set_defaults(fn=fn)
    args = parser.parse_args()
    args.fn(args)


if __name__ == "__main__":
    main()
