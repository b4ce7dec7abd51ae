#!/usr/bin/python3
"""Validation of a measured platform library on real-model layers (used by scripts/host-campaign.sh).

  flydel_validate.py merge-plans MODEL.layers.csv... [--op OP] -o PLAN.csv
      One plan of the distinct layers of several models (flydel-measure extract outputs; a layer two models share
      is measured once), of one op kind with --op.
  flydel_validate.py combine RUN_A.csv RUN_B.csv [RUN_C.csv...] -o TABLE.csv
      One measurement table from two or more runs of the same plan: per layer the run with the lowest median
      latency (other jobs on a shared machine only ever add time), with every run's provenance lines, and a column
      `retest_pct` = 100 * (highest - lowest) / lowest. Rows measured in only one run are kept as they are.
      --realistic leaves out convolutions no CNN has (1x1 depthwise layers, kernels larger than the input), which
      an independent draw of kernel, input size and groups produces.
  flydel_validate.py validate --library LIB.json --identify flydel-identify --validation-dir DIR --out OUT
      For each device of LIB (one per backend) and each op kind, reads DIR/<device>-<op>-a.csv, -b.csv and any
      further runs -c.csv, -d.csv ... (the same layers measured again; op kinds without a run a are skipped),
      predicts every layer with `flydel-identify --predict`, and writes OUT/summary.json, OUT/summary.md and
      OUT/<device>-layers.csv: per op kind, per-layer MAPE and share within +-10 % against the lowest median of the
      runs (the estimator the training tables use) and the noise floor (run b against run a, the same figures);
      and for each model (DIR/<model>.layers.csv) the error of the summed predictions against the summed
      measurements of its layers of the measured op kinds, each weighted by how often the model uses it; a row of
      all validated layers; a warning when a noise floor exceeds --noise-limit (default 10 %).
      End to end: where DIR/<device>-networks-a.csv (-b.csv, ...) hold whole networks timed by flydel-measure
      --network, each network's latency (the lowest of the runs) against the sum of the predictions of every op of
      the model (DIR/<model>.ops.csv: flydel-measure extract of every op kind, with counts; the sum --annotate-kpis
      records as flydel.kpi_totals), with the validated op kinds' share of that sum and run b against run a.
      Energy: where DIR/<device>-<op>-energy.csv holds one run with energy_j (the GPU campaign), per-layer figures
      of the energy predictions.
  flydel_validate.py stability RUN1.csv RUN2.csv [...] [--limit PCT]
      How far the machine's speed moved between runs of the same layers (per layer measured in every run, the
      slowest run against the fastest; the mean over layers); above --limit (default 10 %) a warning and exit
      status 3. Back-to-back runs show a drifting machine; a run against an earlier one (a resumed campaign) shows
      a machine that changed in between.

Standard library only (plus the flydel-identify binary). Comment lines ('#') of the CSVs are provenance.
"""
import argparse
import csv
import glob
import json
import os
import subprocess
import sys

RUN_LETTERS = "abcdefghijklmnopqrstuvwxyz"  # runs of one plan: <name>-a.csv, -b.csv, ...
OPS = ["conv2d", "pool2d", "matmul", "elementwise", "data_movement"]
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


def read_runs(directory, device, op):
    """The runs a, b, c, ... of one op kind's validation layers on a device (<device>-<op>-<letter>.csv, up to the
    first one missing): (their comment lines, run a's rows, per run {layer key: latency_ms}); all empty without a
    run a. A layer's latency is the lowest of its runs (other jobs on a machine only ever add time)."""
    comments, rows_a, runs = [], [], []
    for letter in RUN_LETTERS:
        path = os.path.join(directory, "%s-%s-%s.csv" % (device, op, letter))
        if not os.path.exists(path):
            break
        run_comments, rows = read_csv(path)
        comments += run_comments
        rows = [r for r in rows if r.get("latency_ms")]
        rows_a = rows_a or rows
        runs.append({key(r): float(r["latency_ms"]) for r in rows})
    return comments, rows_a, runs


def lowest(runs):
    """{layer key of run a: its lowest latency over the runs}: a layer's latency (other jobs on a machine only ever
    add time)."""
    return {k: min(run[k] for run in runs if k in run) for k in runs[0]} if runs else {}


def read_network_runs(directory, device):
    """Whole-network runs a, b, ... of a device (<device>-networks-<letter>.csv): [{network: latency_ms}], in run
    order, up to the first run missing."""
    runs = []
    for letter in RUN_LETTERS:
        path = os.path.join(directory, "%s-networks-%s.csv" % (device, letter))
        if not os.path.exists(path):
            break
        with open(path, newline="") as f:
            rows = list(csv.DictReader(l for l in f.read().splitlines() if l.strip() and not l.startswith("#")))
        if rows and not {"network", "latency_ms"} <= set(rows[0]):
            sys.exit("flydel_validate.py: error: %s: expected columns network and latency_ms" % path)
        runs.append({r["network"]: float(r["latency_ms"]) for r in rows if r.get("latency_ms")})
    return runs


def end_to_end(args, device, validated_ops):
    """Each whole network measured end to end against the sum of the predictions of all its ops."""
    runs = read_network_runs(args.validation_dir, device)
    result = {}
    only = args.only_models.split(",") if args.only_models else None
    for name in sorted(set().union(*runs)) if runs else []:
        if only and name not in only:
            continue
        path = os.path.join(args.validation_dir, name + ".ops.csv")
        if not os.path.exists(path):
            print("flydel_validate.py: %s: network %s measured but %s is missing, skipped" % (device, name, path),
                  file=sys.stderr)
            continue
        rows = read_csv(path)[1]
        if not rows:
            print("flydel_validate.py: %s: %s lists no op, network %s skipped" % (device, path, name), file=sys.stderr)
            continue
        times = [run[name] for run in runs if name in run]
        if min(times) <= 0:
            print("flydel_validate.py: %s: network %s has a non-positive latency, skipped" % (device, name),
                  file=sys.stderr)
            continue
        preds = predict(args.identify, args.library, device, [key(r) for r in rows])
        count = lambda r: float(r.get("count") or 1)
        total, validated, unpredicted, extrapolated, by_op = 0.0, 0.0, 0, 0, {}
        for r, (value, extra) in zip(rows, preds):
            if value is None:
                unpredicted += int(count(r))
                continue
            total += count(r) * value
            by_op[r["op"]] = by_op.get(r["op"], 0.0) + count(r) * value
            validated += count(r) * value if r["op"] in validated_ops else 0.0
            extrapolated += int(count(r)) if extra else 0
        measured = min(times)
        # An op without a model makes the sum a lower bound, not a prediction: no error figure then.
        error = (total - measured) / measured * 100 if not unpredicted else None
        entry = {"measured_ms": measured, "predicted_ms": total, "error_pct": error,
                 "predicted_validated_ops_ms": validated, "predicted_by_op_ms": by_op,
                 "ops": int(sum(count(r) for r in rows)), "unpredicted_ops": unpredicted,
                 "extrapolated_ops": extrapolated, "runs": len(times)}
        if len(runs) > 1 and name in runs[0] and name in runs[1]:
            entry["run_b_over_a"] = runs[1][name] / runs[0][name]
        result[name] = entry
    return result


def merge_plans(args):
    seen, order = set(), []
    for path in args.inputs:
        for row in read_csv(path)[1]:
            if args.op and row["op"] != args.op:
                continue
            if key(row) not in seen:
                seen.add(key(row))
                order.append(key(row))
    tmp = args.o + ".tmp"
    with open(tmp, "w") as f:
        f.write("# distinct %slayers of %d models: %s\n" % (args.op + " " if args.op else "", len(args.inputs), ", ".join(
            os.path.basename(p).replace(".layers.csv", "") for p in args.inputs)))
        f.write(",".join(LAYER_COLUMNS + ["latency_ms", "energy_j"]) + "\n")
        for k in order:
            f.write(",".join(k) + ",,\n")
    os.replace(tmp, args.o)


def unrealistic(row):
    """A convolution no CNN has: a 1x1 depthwise layer (a per-channel scale), or a kernel larger than its input
    (the padding then holds most taps, which the MAC count includes and libraries skip)."""
    if row["op"] != "conv2d":
        return False
    kh, kw = int(row["kernel_h"]), int(row["kernel_w"])
    depthwise = int(row["groups"]) > 1
    return (depthwise and kh * kw == 1) or kh > int(row["in_h"]) or kw > int(row["in_w"])


def combine(args):
    runs = [read_csv(path) for path in args.runs]
    comments_a, rows_a = runs[0]
    others = [{key(r): r for r in rows if r.get("latency_ms")} for _, rows in runs[1:]]
    header = list(rows_a[0].keys()) if rows_a else LAYER_COLUMNS + ["latency_ms"]
    if "retest_pct" not in header:
        header.append("retest_pct")
    out, dropped = [], 0
    for r in rows_a:
        if not r.get("latency_ms"):
            continue
        if args.realistic and unrealistic(r):
            dropped += 1
            continue
        measured = [r] + [o[key(r)] for o in others if key(r) in o]
        best = dict(min(measured, key=lambda m: float(m["latency_ms"])))
        if len(measured) > 1:
            values = [float(m["latency_ms"]) for m in measured]
            best["retest_pct"] = "%.3g" % (100.0 * (max(values) - min(values)) / min(values))
        out.append(best)
    tmp = args.o + ".tmp"
    with open(tmp, "w") as f:
        f.write("# combined by flydel_validate.py: per layer the lowest median of %d runs (%s)%s\n" % (
            len(args.runs), ", ".join(os.path.basename(p) for p in args.runs),
            "; %d unrealistic layers left out (1x1 depthwise, kernel larger than the input)" % dropped
            if args.realistic else ""))
        for index, (comments, _) in enumerate(runs):
            for c in comments:
                f.write(c.replace("# ", "# run %s: " % RUN_LETTERS[index], 1) + "\n")
        f.write(",".join(header) + "\n")
        for r in out:
            f.write(",".join(r.get(c) or "" for c in header) + "\n")
    os.replace(tmp, args.o)


def layer_spec(k):
    return ",".join("%s=%s" % (c, v) for c, v in zip(LAYER_COLUMNS, k))


def predict(identify, library, device, keys, kpi="latency_ms"):
    """[(value, extrapolated)] of `kpi` per layer key; (None, False) where the device has no model of it."""
    if not keys:
        return []
    out = subprocess.run([identify, "--predict", "--library", library, "--device", device] +
                         sum((["--layer", layer_spec(k)] for k in keys), []),
                         check=True, capture_output=True, text=True).stdout
    result = []
    for entry in json.loads(out):
        p = entry["predictions"].get(kpi)
        result.append((p["value"], p["extrapolated"]) if p else (None, False))
    return result


def percentile(sorted_values, percent):
    """The value at `percent` of a sorted, non-empty list (the upper one between two)."""
    return sorted_values[percent * len(sorted_values) // 100]


def stability(args):
    """How far the machine's speed moved between back-to-back runs of the same layers: per layer the slowest run's
    latency against the fastest's; the spread is the mean over layers (as a noise floor's MAPE). Exits 3 when it is
    above --limit (so a campaign can warn before spending its minutes)."""
    runs = [{key(r): float(r["latency_ms"]) for r in read_csv(path)[1] if r.get("latency_ms")} for path in args.runs]
    common = [k for k in runs[0] if all(k in r and r[k] > 0 for r in runs)]
    if not common:
        sys.exit("flydel_validate.py: error: stability: no layer measured in every run")
    spreads = sorted(max(r[k] for r in runs) / min(r[k] for r in runs) - 1 for k in common)
    mean, median, p90 = sum(spreads) / len(spreads), percentile(spreads, 50), percentile(spreads, 90)
    print("stability: %d runs of %d layers; slowest against fastest run per layer: mean %.1f %%, median %.1f %%, "
          "90th percentile %.1f %%" % (len(runs), len(common), 100 * mean, 100 * median, 100 * p90))
    sys.stdout.flush()  # the figures before the warning, in a log that takes both streams
    if 100 * mean > args.limit:
        print("flydel_validate.py: WARNING: the machine's speed moved by %.0f %% on average between the runs, "
              "above %g %%: measurements now will be noisy; stop other jobs or wait for a quiet machine" %
              (100 * mean, args.limit), file=sys.stderr)
        sys.exit(3)


def figures(pairs):
    """pairs: (predicted, measured) -> MAPE, median and largest APE, share within 10 %, n, and how many
    predictions were not a finite positive number (counted as errors of at least 100 %, never dropped)."""
    pairs = list(pairs)
    apes = sorted(abs(p - m) / m * 100 if p > 0 and p < float("inf") else max(100.0, abs(p - m) / m * 100)
                  for p, m in pairs)
    if not apes:
        return {"n": 0}
    return {"n": len(apes), "mape": sum(apes) / len(apes), "median_ape": percentile(apes, 50),
            "p90_ape": percentile(apes, 90), "max_ape": apes[-1],
            "within_10pct": 100.0 * sum(a <= 10 for a in apes) / len(apes),
            "non_positive": sum(1 for p, _ in pairs if not (p > 0 and p < float("inf")))}


def validate(args):
    with open(args.library) as f:
        library = json.load(f)
    devices = [d["name"] for d in library["devices"]]
    models = sorted(glob.glob(os.path.join(args.validation_dir, "*.layers.csv")))
    only = None
    if args.only_models:
        names = args.only_models.split(",")
        models = [m for m in models if os.path.basename(m).replace(".layers.csv", "") in names]
        only = {key(r) for m in models for r in read_csv(m)[1]}
    os.makedirs(args.out, exist_ok=True)
    summary = {"library": args.library, "devices": {}}
    for device in devices:
        # Runs a, b, c, ... of the same layers, per op kind (further runs on a machine whose speed drifts).
        comments, runs_of, retest_of, measured, ops, most_runs = [], {}, {}, {}, [], 0
        for op in OPS:
            run_comments, _, runs = read_runs(args.validation_dir, device, op)
            if not runs:
                continue
            ops.append(op)
            comments += run_comments
            most_runs = max(most_runs, len(runs))
            if len(runs) > 1:
                retest_of.update(runs[1])
            runs_of.update({k: [run[k] for run in runs if k in run] for k in runs[0]})  # run a's value first
            measured.update(lowest(runs))
        if not ops:
            print("flydel_validate.py: %s: no validation measurements (%s-<op>-a.csv in %s), skipped" %
                  (device, device, args.validation_dir), file=sys.stderr)
            continue
        # The layer's latency is the lowest median of the runs (as in the training tables); the noise floor
        # compares runs a and b.
        keys = [k for k in measured if not only or k in only]
        preds = dict(zip(keys, predict(args.identify, args.library, device, keys)))
        # One entry per model: "conv2d", or "conv2d/dense" and "conv2d/depthwise" when the library splits variants.
        cv = {m["op"] + ("/" + m["variant"] if m.get("variant") else ""): m["cv"]
              for m in library["models"] if m["device"] == device and m["kpi"] == "latency_ms"}
        def group(subset):
            return {"layers": figures([(preds[k][0], measured[k]) for k in subset if preds[k][0] is not None]),
                    "noise_floor": figures([(retest_of[k], runs_of[k][0]) for k in subset if k in retest_of]),
                    "extrapolated_layers": sum(1 for k in subset if preds[k][1]),
                    "unpredicted_layers": sum(1 for k in subset if preds[k][0] is None)}
        by_op = {op: group([k for k in keys if k[0] == op]) for op in ops}
        if len(ops) > 1:
            by_op["all"] = group(keys)  # every validated layer, whatever its op kind
        if args.large_ms > 0:  # the layers a placement decision turns on, where the noise floor is lowest
            by_op["above %g ms" % args.large_ms] = group([k for k in keys if measured[k] > args.large_ms])
        # A library with a launch floor (the GPU pool): the layers it predicts at the floor, where the time is the
        # host's issue rate, apart from those its terms predict.
        floors = [m["floor"] for m in library["models"]
                  if m["device"] == device and m["kpi"] == "latency_ms" and m.get("floor", 0) > 0]
        if floors:
            def at_floor(k):
                return any(abs(preds[k][0] - f) <= 1e-9 * f for f in floors)
            predicted = [k for k in keys if preds[k][0] is not None]
            by_op["predicted at the floor"] = group([k for k in predicted if at_floor(k)])
            by_op["predicted above it"] = group([k for k in predicted if not at_floor(k)])
        # The headline figures are conv2d's (most of a CNN's time), as before other op kinds were validated.
        head = by_op.get("conv2d", {"layers": {"n": 0}, "noise_floor": {"n": 0}, "extrapolated_layers": 0})
        entry = {"training_cv": cv, "layers": head["layers"], "noise_floor": head["noise_floor"],
                 "extrapolated_layers": head["extrapolated_layers"], "by_op": by_op, "validated_ops": ops,
                 "load_average": [c for c in comments if "load average" in c], "networks": {}}
        with open(os.path.join(args.out, "%s-layers.csv" % device), "w") as f:
            f.write("# %s: latency of the distinct %s layers of the validation models, ms\n" % (device, ", ".join(ops)))
            f.write("# measured_ms: the lowest median of the runs (%s); retest_ms: the highest\n" %
                    ", ".join(RUN_LETTERS[:most_runs]))
            f.write(",".join(LAYER_COLUMNS + ["measured_ms", "retest_ms", "predicted_ms", "extrapolated"]) + "\n")
            for k in keys:
                f.write(",".join(list(k) + ["%.6g" % measured[k], "%.6g" % max(runs_of[k]) if len(runs_of[k]) > 1 else "",
                                            "%.6g" % preds[k][0] if preds[k][0] is not None else "",
                                            "1" if preds[k][1] else "0"]) + "\n")
        for path in models:
            name = os.path.basename(path).replace(".layers.csv", "")
            rows = [r for r in read_csv(path)[1] if r["op"] in ops]
            if not rows or not all(key(r) in measured and preds.get(key(r), (None,))[0] is not None for r in rows):
                continue
            count = lambda r: float(r.get("count") or 1)
            meas = sum(count(r) * measured[key(r)] for r in rows)
            pred = sum(count(r) * preds[key(r)][0] for r in rows)
            entry["networks"][name] = {"layers": len(rows), "ops": sorted({r["op"] for r in rows}, key=OPS.index),
                                       "measured_ms": meas, "predicted_ms": pred,
                                       "error_pct": (pred - meas) / meas * 100,
                                       "per_layer": figures([(preds[key(r)][0], measured[key(r)]) for r in
                                                             {key(r): r for r in rows}.values()])}
        entry["end_to_end"] = end_to_end(args, device, ops)
        energy = validate_energy(args, device)
        if energy:
            entry["energy"] = energy
        # A noise floor above the accuracy target means the machine's speed changed between the runs (other
        # jobs, a throttled or shared VM): the figures then say more about the machine than about the models.
        ratios = sorted(retest_of[k] / runs_of[k][0] for k in keys if k in retest_of and runs_of[k][0] > 0)
        if ratios:
            entry["run_ratio"] = {"median": percentile(ratios, 50), "p10": percentile(ratios, 10),
                                  "p90": percentile(ratios, 90), "n": len(ratios)}
            noise = [f["noise_floor"]["mape"] for f in by_op.values() if f["noise_floor"].get("n")]
            if noise and max(noise) > args.noise_limit:
                r = entry["run_ratio"]
                entry["warning"] = ("noise floor above %g %% (up to %.1f %%): run b / run a median %.2f, 10th-90th "
                                    "percentile %.2f-%.2f; the machine's speed changed between the runs, re-measure "
                                    "on a quiet machine" % (args.noise_limit, max(noise), r["median"], r["p10"],
                                                             r["p90"]))
                print("flydel_validate.py: WARNING: %s: %s" % (device, entry["warning"]), file=sys.stderr)
        summary["devices"][device] = entry
    with open(os.path.join(args.out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1, sort_keys=True)
    with open(os.path.join(args.out, "summary.md"), "w") as f:
        f.write(markdown(summary))
    sys.stdout.write(markdown(summary))


def validate_energy(args, device):
    """{op: figures} of the energy predictions against DIR/<device>-<op>-energy.csv (one run, energy_j per layer, as
    the GPU campaign measures it); rows without a positive reading are counted, not compared."""
    result = {}
    for op in OPS:
        path = os.path.join(args.validation_dir, "%s-%s-energy.csv" % (device, op))
        if not os.path.exists(path):
            continue
        rows = read_csv(path)[1]
        read = [r for r in rows if r.get("energy_j") and float(r["energy_j"]) > 0]
        preds = predict(args.identify, args.library, device, [key(r) for r in read], kpi="energy_j")
        result[op] = {"layers": figures([(p, float(r["energy_j"])) for (p, _), r in zip(preds, read) if p is not None]),
                      "unpredicted_layers": sum(1 for p, _ in preds if p is None),
                      "extrapolated_layers": sum(1 for p, x in preds if p is not None and x),
                      "no_reading_layers": len(rows) - len(read)}
    return result


def accuracy_cells(figures_of_layers):
    """MAPE, median, p90, largest APE and share within 10 % of figures(), as table cells ("n/a" without layers)."""
    L = figures_of_layers
    if not L.get("n"):
        return ["n/a"] * 5
    return ["%.1f" % L["mape"], "%.1f" % L["median_ape"], "%.1f" % L["p90_ape"], "%.0f" % L["max_ape"],
            "%.0f %%" % L["within_10pct"]]


def short_name(model):
    """A model's name without its collection's prefix, for tables and plots."""
    return model.replace("torchvision_", "").replace("mlperftiny_v0.7_", "")


def table(header, rows):
    """Markdown lines of a table: a header row, its separator, then the rows (lists of cells)."""
    return ["| %s |" % " | ".join(header), "|" + "---|" * len(header)] + ["| %s |" % " | ".join(r) for r in rows]


def markdown(summary):
    head = []
    for device, e in summary["devices"].items():
        nets = ", ".join("%s %+.1f" % (short_name(n), v["error_pct"]) +
                         (" (layers %.0f)" % v["per_layer"]["mape"] if v.get("per_layer", {}).get("n") else "")
                         for n, v in sorted(e["networks"].items()))
        conv = sorted((op, c["mape"]) for op, c in e["training_cv"].items() if op.split("/")[0] == "conv2d")
        cv = " / ".join(("%s %.1f" % (op.split("/")[1], m)) if "/" in op else "%.1f" % m for op, m in conv) or "n/a"
        L, N = e["layers"], e["noise_floor"]
        head.append([device, cv, "%d" % L.get("n", 0), "%.1f" % L.get("mape", float("nan")),
                     "%.0f %%" % L.get("within_10pct", float("nan")), "%.1f" % N["mape"] if N.get("n") else "n/a",
                     "%.0f %%" % N["within_10pct"] if N.get("n") else "n/a", nets])
    out = table(["backend", "training CV MAPE conv2d (%)", "layers", "per-layer MAPE (%)", "within ±10 %",
                 "noise floor MAPE (%)", "noise within ±10 %",
                 "whole-network error (%) (per-layer MAPE of its layers)"], head)
    devices = summary["devices"].items()
    if any(len(e.get("by_op", {})) > 1 for e in summary["devices"].values()):
        out += [""] + table(
            ["backend", "op", "layers", "per-layer MAPE (%)", "median (%)", "p90 (%)", "max (%)", "within ±10 %",
             "noise floor MAPE (%)", "extrapolated"],
            [[device, op, "%d" % f["layers"].get("n", 0)] + accuracy_cells(f["layers"]) +
             ["%.1f" % f["noise_floor"]["mape"] if f["noise_floor"].get("n") else "n/a",
              "%d" % f["extrapolated_layers"]] for device, e in devices for op, f in e["by_op"].items()])
    if any(e.get("end_to_end") for e in summary["devices"].values()):
        out += [""] + table(
            ["backend", "network (end to end)", "measured (ms)", "run b / run a", "predicted, every op (ms)", "error",
             "share of the prediction in validated op kinds", "ops (extrapolated, no model)"],
            [[device, short_name(name), "%.4g" % n["measured_ms"],
              "%.2f" % n["run_b_over_a"] if "run_b_over_a" in n else "n/a", "%.4g" % n["predicted_ms"],
              "%+.1f %%" % n["error_pct"] if n["error_pct"] is not None else "n/a (ops without a model)",
              "%.0f %%" % (n["predicted_validated_ops_ms"] / n["predicted_ms"] * 100 if n["predicted_ms"]
                           else float("nan")),
              "%d (%d, %d)" % (n["ops"], n["extrapolated_ops"], n["unpredicted_ops"])]
             for device, e in devices for name, n in e.get("end_to_end", {}).items()])
    if any(e.get("energy") for e in summary["devices"].values()):
        out += [""] + table(
            ["backend", "op", "energy: layers", "per-layer MAPE (%)", "median (%)", "p90 (%)", "max (%)",
             "within ±10 %", "no reading", "no model"],
            [[device, op, "%d" % f["layers"].get("n", 0)] + accuracy_cells(f["layers"]) +
             ["%d" % f["no_reading_layers"], "%d" % f["unpredicted_layers"]]
             for device, e in devices for op, f in e.get("energy", {}).items()])
    for device, e in devices:
        if e.get("warning"):
            out += ["", "**Warning (%s):** %s." % (device, e["warning"])]
    nested = any("nested" in cv for e in summary["devices"].values() for cv in e["training_cv"].values())
    out += [""] + table(["backend", "op", "CV MAPE (%)", "CV within ±10 %", "rows"] +
                        (["nested CV MAPE (%)"] if nested else []),
                        [[device, op, "%.1f" % cv["mape"], "%.0f %%" % cv["within_10pct"], "%d" % cv["n"]] +
                         (["%.1f" % cv["nested"]["mape"] if "nested" in cv else "n/a"] if nested else [])
                         for device, e in devices for op, cv in sorted(e["training_cv"].items())])
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("combine", help="one table from two or more runs: per layer the lowest median")
    c.add_argument("runs", nargs="+", metavar="RUN.csv")
    c.add_argument("-o", required=True)
    c.add_argument("--realistic", action="store_true",
                   help="leave out convolutions no CNN has (1x1 depthwise, kernel larger than the input)")
    m = sub.add_parser("merge-plans", help="one plan of the distinct layers of several models")
    m.add_argument("inputs", nargs="+")
    m.add_argument("--op", default="", choices=[""] + OPS, help="only layers of this op kind")
    m.add_argument("-o", required=True)
    v = sub.add_parser("validate", help="predicted against measured, per layer and per network")
    v.add_argument("--library", required=True)
    v.add_argument("--identify", default="flydel-identify")
    v.add_argument("--validation-dir", required=True)
    v.add_argument("--out", required=True)
    v.add_argument("--only-models", default="", help="comma-separated model names: validate on their layers only")
    v.add_argument("--large-ms", type=float, default=0.0,
                   help="also a row of the layers measured above this latency, ms (default 0: none)")
    v.add_argument("--noise-limit", type=float, default=10.0,
                   help="warn when the noise floor MAPE of an op kind exceeds this (%%; default 10, the target)")
    st = sub.add_parser("stability", help="how far the machine's speed moved between back-to-back runs")
    st.add_argument("runs", nargs="+", metavar="RUN.csv")
    st.add_argument("--limit", type=float, default=10.0, help="warn (exit 3) above this spread, %% (default 10)")
    args = parser.parse_args()
    if args.command == "stability" and len(args.runs) < 2:
        parser.error("stability: needs two or more runs")
    if args.command == "combine" and not 2 <= len(args.runs) <= len(RUN_LETTERS):
        parser.error("combine: needs two or more runs (at most %d)" % len(RUN_LETTERS))
    {"merge-plans": merge_plans, "combine": combine, "validate": validate, "stability": stability}[args.command](args)


if __name__ == "__main__":
    main()
