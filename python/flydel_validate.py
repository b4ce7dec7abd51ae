#!/usr/bin/python3
"""Validation of a measured platform library on real-model layers (used by scripts/host-campaign.sh).

  flydel_validate.py merge-plans MODEL.layers.csv... -o PLAN.csv
      One plan of the distinct layers of several models (flydel-measure extract outputs; a layer two models share
      is measured once).
  flydel_validate.py validate --library LIB.json --identify flydel-identify --validation-dir DIR --out OUT
      For each device of LIB (one per backend), reads DIR/<device>-conv2d-a.csv and -b.csv (the same layers measured
      twice), predicts every layer with `flydel-identify --predict`, and writes OUT/summary.json, OUT/summary.md and
      OUT/<device>-layers.csv: per-layer MAPE and share within +-10 % against run a, the noise floor (run b
      against run a, the same figures), and for each model (DIR/<model>.layers.csv) the error of the summed
      predictions against the summed measurements of its layers, each weighted by how often the model uses it.

Standard library only (plus the flydel-identify binary). Comment lines ('#') of the CSVs are provenance.
"""
import argparse
import csv
import glob
import json
import os
import subprocess
import sys

LAYER_COLUMNS = ["op", "batch", "in_h", "in_w", "c_in", "c_out", "kernel_h", "kernel_w", "stride_h", "stride_w",
                 "pad_h", "pad_w", "dilation", "groups", "dtype"]


def read_csv(path):
    """(comment lines, rows as dicts)."""
    with open(path, newline="") as f:
        lines = f.read().splitlines()
    comments = [l for l in lines if l.startswith("#")]
    data = [l for l in lines if l.strip() and not l.startswith("#")]
    if not data:
        sys.exit("flydel_validate.py: error: %s: no header" % path)
    rows = list(csv.DictReader(data))
    for i, row in enumerate(rows):
        missing = [c for c in LAYER_COLUMNS if not row.get(c)]
        if missing:
            sys.exit("flydel_validate.py: error: %s: row %d: missing layer column(s) %s" % (path, i + 1, ", ".join(missing)))
    return comments, rows


def key(row):
    return tuple(row[c] for c in LAYER_COLUMNS)


def merge_plans(args):
    seen, order = set(), []
    for path in args.inputs:
        for row in read_csv(path)[1]:
            if key(row) not in seen:
                seen.add(key(row))
                order.append(key(row))
    tmp = args.o + ".tmp"
    with open(tmp, "w") as f:
        f.write("# distinct layers of %d models: %s\n" % (len(args.inputs), ", ".join(
            os.path.basename(p).replace(".layers.csv", "") for p in args.inputs)))
        f.write(",".join(LAYER_COLUMNS + ["latency_ms", "energy_j"]) + "\n")
        for k in order:
            f.write(",".join(k) + ",,\n")
    os.replace(tmp, args.o)


def layer_spec(k):
    return ",".join("%s=%s" % (c, v) for c, v in zip(LAYER_COLUMNS, k))


def predict(identify, library, device, keys):
    out = subprocess.run([identify, "--predict", "--library", library, "--device", device] +
                         sum((["--layer", layer_spec(k)] for k in keys), []),
                         check=True, capture_output=True, text=True).stdout
    result = []
    for entry in json.loads(out):
        p = entry["predictions"].get("latency_ms")
        result.append((p["value"], p["extrapolated"]) if p else (None, False))
    return result


def figures(pairs):
    """pairs: (predicted, measured) -> MAPE, median APE, share within 10 %, n."""
    apes = sorted(abs(p - m) / m * 100 for p, m in pairs)
    if not apes:
        return {"n": 0}
    return {"n": len(apes), "mape": sum(apes) / len(apes), "median_ape": apes[len(apes) // 2],
            "within_10pct": 100.0 * sum(a <= 10 for a in apes) / len(apes)}


def validate(args):
    with open(args.library) as f:
        library = json.load(f)
    devices = [d["name"] for d in library["devices"]]
    models = sorted(glob.glob(os.path.join(args.validation_dir, "*.layers.csv")))
    os.makedirs(args.out, exist_ok=True)
    summary = {"library": args.library, "devices": {}}
    for device in devices:
        run_a = os.path.join(args.validation_dir, "%s-conv2d-a.csv" % device)
        run_b = os.path.join(args.validation_dir, "%s-conv2d-b.csv" % device)
        if not os.path.exists(run_a):
            print("flydel_validate.py: %s: no validation measurements (%s), skipped" % (device, run_a), file=sys.stderr)
            continue
        comments, rows_a = read_csv(run_a)
        measured = {key(r): float(r["latency_ms"]) for r in rows_a if r.get("latency_ms")}
        retest = {}
        if os.path.exists(run_b):
            retest = {key(r): float(r["latency_ms"]) for r in read_csv(run_b)[1] if r.get("latency_ms")}
        keys = list(measured)
        preds = dict(zip(keys, predict(args.identify, args.library, device, keys)))
        layer_pairs = [(preds[k][0], measured[k]) for k in keys if preds[k][0] is not None]
        noise_pairs = [(retest[k], measured[k]) for k in keys if k in retest]
        cv = {m["op"]: m["cv"] for m in library["models"] if m["device"] == device and m["kpi"] == "latency_ms"}
        entry = {"training_cv": cv, "layers": figures(layer_pairs), "noise_floor": figures(noise_pairs),
                 "extrapolated_layers": sum(1 for k in keys if preds[k][1]),
                 "load_average": [c for c in comments if "load average" in c], "networks": {}}
        with open(os.path.join(args.out, "%s-layers.csv" % device), "w") as f:
            f.write("# %s: latency of the distinct conv2d layers of the validation models, ms\n" % device)
            f.write(",".join(LAYER_COLUMNS + ["measured_ms", "retest_ms", "predicted_ms", "extrapolated"]) + "\n")
            for k in keys:
                f.write(",".join(list(k) + ["%.6g" % measured[k], "%.6g" % retest[k] if k in retest else "",
                                            "%.6g" % preds[k][0] if preds[k][0] is not None else "",
                                            "1" if preds[k][1] else "0"]) + "\n")
        for path in models:
            name = os.path.basename(path).replace(".layers.csv", "")
            rows = read_csv(path)[1]
            if not all(key(r) in measured and preds[key(r)][0] is not None for r in rows):
                continue
            count = lambda r: float(r.get("count") or 1)
            meas = sum(count(r) * measured[key(r)] for r in rows)
            pred = sum(count(r) * preds[key(r)][0] for r in rows)
            entry["networks"][name] = {"layers": len(rows), "measured_ms": meas, "predicted_ms": pred,
                                       "error_pct": (pred - meas) / meas * 100}
        summary["devices"][device] = entry
    with open(os.path.join(args.out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1, sort_keys=True)
    with open(os.path.join(args.out, "summary.md"), "w") as f:
        f.write(markdown(summary))
    sys.stdout.write(markdown(summary))


def markdown(summary):
    out = ["| backend | training CV MAPE conv2d (%) | layers | per-layer MAPE (%) | within ±10 % | noise floor MAPE (%) "
           "| noise within ±10 % | whole-network error (%) |", "|---|---|---|---|---|---|---|---|"]
    for device, e in summary["devices"].items():
        nets = ", ".join("%s %+.1f" % (n.replace("torchvision_", "").replace("mlperftiny_v0.7_", ""), v["error_pct"])
                         for n, v in sorted(e["networks"].items()))
        cv = e["training_cv"].get("conv2d", {}).get("mape", float("nan"))
        L, N = e["layers"], e["noise_floor"]
        out.append("| %s | %.1f | %d | %.1f | %.0f %% | %s | %s | %s |" % (
            device, cv, L.get("n", 0), L.get("mape", float("nan")), L.get("within_10pct", float("nan")),
            "%.1f" % N["mape"] if N.get("n") else "n/a", "%.0f %%" % N["within_10pct"] if N.get("n") else "n/a", nets))
    out.append("")
    out.append("| backend | op | CV MAPE (%) | CV within ±10 % | rows |")
    out.append("|---|---|---|---|---|")
    for device, e in summary["devices"].items():
        for op, cv in sorted(e["training_cv"].items()):
            out.append("| %s | %s | %.1f | %.0f %% | %d |" % (device, op, cv["mape"], cv["within_10pct"], cv["n"]))
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("merge-plans", help="one plan of the distinct layers of several models")
    m.add_argument("inputs", nargs="+")
    m.add_argument("-o", required=True)
    v = sub.add_parser("validate", help="predicted against measured, per layer and per network")
    v.add_argument("--library", required=True)
    v.add_argument("--identify", default="flydel-identify")
    v.add_argument("--validation-dir", required=True)
    v.add_argument("--out", required=True)
    args = parser.parse_args()
    merge_plans(args) if args.command == "merge-plans" else validate(args)


if __name__ == "__main__":
    main()
