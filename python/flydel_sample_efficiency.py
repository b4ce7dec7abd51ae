#!/usr/bin/python3
"""Sample-efficiency study of a measured platform library: accuracy against the number of excitation points.

  flydel_sample_efficiency.py --spec platforms/host-amd/host.spec.json --out DIR
                              [--validation-dir platforms/host-amd/validation] [--identify build/bin/flydel-identify]
                              [--n 25,50,100,200,400] [--seeds 10] [-o PLOT.png|.svg]

For every table of the spec (one op kind of one device), every n of the list below the table's number of rows and
every seed 1..S: n rows are drawn without replacement (numpy's default_rng(seed), the same subset for every table
of that size), a copy of the spec restricted to the subsets is trained by `flydel-identify --spec` with the spec's
own settings (structure, extra_pools, cv folds/seed/max_params), and the chosen model is evaluated by
`flydel-identify --predict` on
  (a) the held-out rest of the table (the rows not drawn), and
  (b) for every op kind of the device with real-model layers measured in --validation-dir (<device>-<op>-a.csv and
      optional -b.csv, -c.csv ..., as python/flydel_validate.py reads them: conv2d, pool2d, matmul, ...), those
      layers, each at the lowest median of its runs; a variant model is evaluated on the layers of its variant, a
      variant-less one on the layers of its op kind no variant model takes, and, when an op kind has several
      models, all its layers together ("<op> (all variants)").
An n that would hold out fewer than --min-held-out rows (10) is not run for that table; the row "all (CV)"
is the spec's own training on every row with its cross-validation figures, and its validation on (b).

Figures (relative errors e = (predicted - measured) / measured, in %): MAPE, median and p90 of |e| (linear
interpolation, as flydel-identify), share within +-10 %. Per n the summary gives the median over the seeds of each
figure and the range (min..max) of the MAPE. Writes DIR/runs.csv (one row per table, n, seed and evaluation),
DIR/summary.csv, DIR/summary.md and, with -o, a plot. Needs numpy (and matplotlib for -o).
"""
import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile

try:
    import numpy as np
except ImportError:
    sys.exit("flydel_sample_efficiency.py: error: needs numpy, which %s lacks (Debian's /usr/bin/python3 has it: "
             "python3-numpy)" % sys.executable)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import flydel_validate  # noqa: E402  (CSV reading, layer keys and specs shared with the validation)


def fail(message):
    sys.exit("flydel_sample_efficiency.py: error: " + message)


def read_table(path, kpi):
    """(comment lines, header line, data lines, measured KPI per data line), rows with a positive KPI only."""
    try:
        with open(path, newline="") as f:
            lines = f.read().splitlines()
    except OSError as e:
        fail("%s: %s" % (path, e.strerror))
    comments = [l for l in lines if l.startswith("#")]
    data = [l for l in lines if l.strip() and not l.startswith("#")]
    if not data:
        fail("%s: no header" % path)
    header, body = data[0], data[1:]
    rows = list(csv.DictReader([header] + body))
    if rows and kpi not in rows[0]:
        fail("%s: no column '%s'" % (path, kpi))
    kept, values = [], []
    for line, row in zip(body, rows):
        try:
            v = float(row[kpi]) if row[kpi] else 0.0
        except ValueError:
            fail("%s: %s '%s' is not a number" % (path, kpi, row[kpi]))
        if v > 0:  # flydel-identify leaves such rows out too
            kept.append((line, row))
            values.append(v)
    return comments, header, kept, np.array(values)


def figures(pred, meas):
    pred, meas = np.asarray(pred, float), np.asarray(meas, float)
    ok = np.isfinite(pred)
    ape = np.abs(pred[ok] - meas[ok]) / meas[ok] * 100
    if ape.size == 0:
        return {"rows_evaluated": 0, "missing": int((~ok).sum())}
    return {"rows_evaluated": int(ape.size), "missing": int((~ok).sum()), "mape": float(ape.mean()),
            "median_ape": float(np.median(ape)), "p90_ape": float(np.percentile(ape, 90)),
            "within_10pct": float(100.0 * np.mean(ape <= 10))}


def predict(identify, library, device, rows):
    """Predicted latency per row (NaN where the library has no model for it)."""
    if not rows:
        return []
    keys = [flydel_validate.key(r) for r in rows]
    try:
        out = flydel_validate.predict(identify, library, device, keys)
    except subprocess.CalledProcessError as e:
        fail("%s --predict failed on %s: %s" % (identify, library, (e.stderr or "").strip()[-500:]))
    return [np.nan if v is None else v for v, _ in out]


def variant_of(row):
    """As flydel's variantMatches: a convolution is dense (groups = 1), depthwise (groups = c_in > 1) or None
    (grouped); a pool is global (its unpadded window covers the map) or windowed; other ops have none."""
    if row.get("op") == "pool2d":
        whole = (row["kernel_h"], row["kernel_w"]) == (row["in_h"], row["in_w"])
        unpadded = int(row.get("pad_h") or 0) == 0 and int(row.get("pad_w") or 0) == 0
        return "global" if whole and unpadded else "windowed"
    if row.get("op", "conv2d") != "conv2d":
        return None
    groups, c_in = int(row["groups"]), int(row["c_in"])
    return "dense" if groups == 1 else "depthwise" if groups == c_in else None


def label(t):
    return t["op"] + ("/" + t["variant"] if t["variant"] else "")


def train(identify, spec, tables, workdir):
    """Trains the spec restricted to `tables` [(table, row indices)] in workdir: (library path, JSON) or
    (None, error)."""
    data_dir = os.path.join(workdir, "data")
    os.makedirs(data_dir, exist_ok=True)
    devices = []
    for device in spec["devices"]:
        entries = []
        for i, (t, chosen) in enumerate(tables):
            if t["device"] != device["name"]:
                continue
            # Files per entry (two variants of one mixed table get different subsets) and per source CSV (each
            # keeps its own header); a source none of whose rows were drawn is left out.
            names = []
            for k, (comments, header, base) in enumerate(t["sources"]):
                lines = [t["rows"][j][0] for j in chosen if t["src"][j] == k]
                if not lines:
                    continue
                names.append("%d-%d-%s" % (i, k, base))
                with open(os.path.join(data_dir, names[-1]), "w") as f:
                    f.write("\n".join(comments + [header] + lines) + "\n")
            entries.append(dict(t["entry"], file=names[0] if len(names) == 1 else names))
        if entries:
            devices.append(dict(device, tables=entries))
    sub = {k: v for k, v in spec.items() if k not in ("devices", "links", "data_dir")}
    sub.update(devices=devices, data_dir="data")
    with open(os.path.join(workdir, "spec.json"), "w") as f:
        json.dump(sub, f, indent=1)
    library = os.path.join(workdir, "library.json")
    proc = subprocess.run([identify, "--spec", os.path.join(workdir, "spec.json"), "-o", library, "--quiet"],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        return None, proc.stderr.strip()[-500:]
    with open(library) as f:
        return library, json.load(f)


def model_of(library_json, t, kpi):
    for m in library_json["models"]:
        if (m["device"], m["op"], m.get("variant"), m["kpi"]) == (t["device"], t["op"], t["variant"], kpi):
            return m
    return None


def validation_layers(directory, device, ops):
    """Validation layers of a device, of the op kinds `ops` that have measurements (flydel_validate.read_runs:
    <device>-<op>-a.csv, -b.csv, ...): (rows, measured latency as the lowest median of the runs)."""
    rows, meas = [], []
    for op in ops:
        _, rows_a, runs = flydel_validate.read_runs(directory, device, op)
        # Only the op kind's rows: the layers a model of another op kind would be asked for are not its own.
        rows_a = [r for r in rows_a if r["op"] == op]
        rows += rows_a
        low = flydel_validate.lowest(runs)
        meas += [low[flydel_validate.key(r)] for r in rows_a]
    if not rows:
        print("flydel_sample_efficiency.py: %s: no validation measurements (%s-<op>-a.csv in %s for %s)" % (
            device, device, directory, ", ".join(ops)), file=sys.stderr)
    return rows, np.array(meas)


def load_tables(spec, data_dir, kpi):
    tables = []
    for device in spec["devices"]:
        for entry in device["tables"]:
            if kpi not in entry.get("kpis", {}):
                continue
            files = entry["file"] if isinstance(entry["file"], list) else [entry["file"]]
            variant = entry.get("variant")
            variant = None if variant in (None, "any") else variant
            sources, rows, src, values = [], [], [], []
            for k, name in enumerate(files):  # a table may pool several CSVs
                comments, header, kept, vals = read_table(os.path.join(data_dir, name), kpi)
                sources.append((comments, header, os.path.basename(name)))
                for (line, row), v in zip(kept, vals):
                    # Only the variant's rows train its model (flydel-identify does the same).
                    if variant is None or variant_of(row) == variant:
                        rows.append((line, row))
                        src.append(k)
                        values.append(v)
            tables.append({"device": device["name"], "entry": entry, "op": entry["op"], "variant": variant,
                           "files": "+".join(files), "sources": sources, "rows": rows, "src": src,
                           "values": np.array(values)})
    return tables


def validation_share(t, tables, vrows):
    """Indices of the validation layers whose latency `t`'s model predicts: the layers of its op kind and variant;
    or, for a variant-less model, the layers of its op kind no variant model of the device takes."""
    mine = [i for i, r in enumerate(vrows) if r["op"] == t["op"]]
    if t["variant"]:
        return [i for i in mine if variant_of(vrows[i]) == t["variant"]]
    taken = {u["variant"] for u in tables if u["device"] == t["device"] and u["op"] == t["op"] and u["variant"]}
    return [i for i in mine if variant_of(vrows[i]) not in taken]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--spec", required=True, help="platform spec (flydel-platform-spec JSON)")
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--validation-dir", help="real-model layers measured twice (default: none)")
    ap.add_argument("--identify", default="build/bin/flydel-identify")
    ap.add_argument("--n", default="25,50,100,200,400", help="comma-separated subset sizes")
    ap.add_argument("--seeds", type=int, default=10, help="random subsets per n (seeds 1..S)")
    ap.add_argument("--kpi", default="latency_ms")
    ap.add_argument("--min-held-out", type=int, default=10,
                    help="run an n only for tables that keep at least this many rows out (default 10)")
    ap.add_argument("-o", help="plot (.png, .svg)")
    args = ap.parse_args()
    try:
        sizes = sorted({int(x) for x in args.n.split(",")})
    except ValueError:
        fail("--n: '%s' is not a comma-separated list of integers" % args.n)
    if sizes[0] < 2 or args.seeds < 1:
        fail("--n must be at least 2 and --seeds at least 1")
    if not shutil.which(args.identify):
        fail("%s: flydel-identify not found (build it, or pass --identify)" % args.identify)
    try:
        with open(args.spec) as f:
            spec = json.load(f)
    except (OSError, ValueError) as e:
        fail("%s: %s" % (args.spec, e))
    if spec.get("schema") != "flydel-platform-spec":
        fail("%s is not a flydel platform spec" % args.spec)
    data_dir = os.path.join(os.path.dirname(os.path.abspath(args.spec)), spec.get("data_dir", "."))
    tables = load_tables(spec, data_dir, args.kpi)
    if not tables:
        fail("%s: no table with the KPI '%s'" % (args.spec, args.kpi))
    validation = {}
    if args.validation_dir:
        for device in sorted({t["device"] for t in tables}):
            ops = [op for op in flydel_validate.OPS if any(t["device"] == device and t["op"] == op for t in tables)]
            validation[device] = validation_layers(args.validation_dir, device, ops)

    os.makedirs(args.out, exist_ok=True)
    runs = []

    def evaluate(library, library_json, n, seed, chosen):
        """chosen: {table index: row indices drawn}; None for the training on every row."""
        for device in sorted({t["device"] for t in tables}):
            mine = [i for i, t in enumerate(tables) if t["device"] == device and (chosen is None or i in chosen)]
            if not mine:  # no table of this device is large enough for this n
                continue
            vrows, vmeas = validation.get(device, ([], np.array([])))
            query, held = [], {}
            for i in mine:
                if chosen is not None:
                    rest = sorted(set(range(len(tables[i]["rows"]))) - set(chosen[i]))
                    held[i] = (len(query), rest)
                    query += [tables[i]["rows"][j][1] for j in rest]
            preds = predict(args.identify, library, device, query + list(vrows))
            vpreds = np.array(preds[len(query):], float)
            for i in mine:
                t = tables[i]
                model = model_of(library_json, t, args.kpi)
                if model is None:
                    fail("the library trained from %s has no %s model for %s" % (t["files"], label(t),
                                                                                device))
                base = {"device": device, "op": label(t), "file": t["files"], "n": n, "seed": seed,
                        "rows": len(t["rows"]), "structure": model["structure"], "params": len(model["params"]),
                        "cv_mape": model["cv"]["mape"]}
                if chosen is None:  # every row: the training's own CV stands in for a held-out set
                    cv = model["cv"]
                    runs.append(dict(base, evaluation="cv", rows_evaluated=cv["n"], missing=0, mape=cv["mape"],
                                     median_ape=cv["median_ape"], p90_ape=cv["p90_ape"],
                                     within_10pct=cv["within_10pct"]))
                else:
                    start, rest = held[i]
                    runs.append(dict(base, evaluation="held-out",
                                     **figures(preds[start:start + len(rest)], t["values"][rest])))
                share = validation_share(t, tables, vrows)
                if share:
                    runs.append(dict(base, evaluation="validation", **figures(vpreds[share], vmeas[share])))
            # Several models of one op kind (variants): also every validation layer of the op kind together, when
            # all were trained.
            for op in flydel_validate.OPS:
                models = [i for i, t in enumerate(tables) if t["device"] == device and t["op"] == op]
                share = [j for j, r in enumerate(vrows) if r["op"] == op]
                if len(models) > 1 and all(i in mine for i in models) and share:
                    runs.append({"device": device, "op": "%s (all variants)" % op, "file": "", "n": n, "seed": seed,
                                 "rows": sum(len(tables[i]["rows"]) for i in models), "structure": "",
                                 "params": sum(len(model_of(library_json, tables[i], args.kpi)["params"])
                                               for i in models),
                                 "cv_mape": np.nan, "evaluation": "validation",
                                 **figures(vpreds[share], vmeas[share])})

    with tempfile.TemporaryDirectory(prefix="flydel-se-") as tmp:
        library, info = train(args.identify, spec, [(t, range(len(t["rows"]))) for t in tables],
                              os.path.join(tmp, "all"))
        if library is None:
            fail("training on all rows failed: %s" % info)
        evaluate(library, info, "all", "", None)
        for n in sizes:
            usable = [i for i, t in enumerate(tables) if len(t["rows"]) - n >= args.min_held_out]
            for t in tables:
                if len(t["rows"]) - n < args.min_held_out:
                    print("%s %s: n=%d not run (%d rows; at least %d must be held out)" % (
                        t["device"], label(t), n, len(t["rows"]), args.min_held_out), file=sys.stderr)
            if not usable:
                continue
            for seed in range(1, args.seeds + 1):
                chosen = {i: sorted(np.random.default_rng(seed).choice(len(tables[i]["rows"]), n, replace=False))
                          for i in usable}
                work = os.path.join(tmp, "n%d-s%d" % (n, seed))
                library, info = train(args.identify, spec,
                                      [(tables[i], chosen[i]) for i in usable],
                                      work)
                if library is None:
                    for i in usable:
                        runs.append({"device": tables[i]["device"], "op": label(tables[i]), "n": n, "seed": seed,
                                     "file": tables[i]["files"], "evaluation": "failed", "structure": info})
                    print("n=%d seed %d: training failed: %s" % (n, seed, info), file=sys.stderr)
                    continue
                evaluate(library, info, n, seed, chosen)
                shutil.rmtree(work)
            print("n=%d: %d seeds done" % (n, args.seeds), file=sys.stderr)

    columns = ["device", "op", "file", "n", "seed", "rows", "evaluation", "rows_evaluated", "missing", "structure",
               "params", "cv_mape", "mape", "median_ape", "p90_ape", "within_10pct"]
    with open(os.path.join(args.out, "runs.csv"), "w", newline="") as f:
        f.write("# flydel_sample_efficiency.py --spec %s --n %s --seeds %d: one row per table, subset size, seed and "
                "evaluation; percentages\n" % (os.path.relpath(args.spec), args.n, args.seeds))
        w = csv.DictWriter(f, columns, extrasaction="ignore")
        w.writeheader()
        for r in runs:
            w.writerow({k: ("%.4g" % v if isinstance(v, float) else v) for k, v in r.items()})
    summary = summarise(runs)
    write_summary(summary, args)
    if args.o:
        plot(summary, args.o)


def summarise(runs):
    """Per (device, op, evaluation, n): medians over seeds, MAPE range, structures chosen."""
    groups = {}
    for r in runs:
        if r.get("evaluation") in ("failed",) or "mape" not in r:
            continue
        groups.setdefault((r["device"], r["op"], r["evaluation"], r["n"]), []).append(r)
    nanmed = lambda v: float(np.median(v)) if not all(np.isnan(v)) else float("nan")
    out = []
    for (device, op, evaluation, n), rs in groups.items():
        med = lambda k: float(np.median([r[k] for r in rs]))
        structures = {}
        for r in rs:
            structures[r["structure"]] = structures.get(r["structure"], 0) + 1
        params = [r["params"] for r in rs]
        out.append({"device": device, "op": op, "evaluation": "held-out" if evaluation == "cv" else evaluation,
                    "n": n, "seeds": len(rs) if n != "all" else 0, "rows": rs[0]["rows"],
                    "evaluated": int(np.median([r["rows_evaluated"] for r in rs])),
                    "mape": med("mape"), "mape_min": min(r["mape"] for r in rs),
                    "mape_max": max(r["mape"] for r in rs), "median_ape": med("median_ape"),
                    "mape_p25": float(np.percentile([r["mape"] for r in rs], 25)),
                    "mape_p75": float(np.percentile([r["mape"] for r in rs], 75)),
                    "p90_ape": med("p90_ape"), "within_10pct": med("within_10pct"),
                    "params": med("params"), "cv_mape": nanmed([r["cv_mape"] for r in rs]),
                    "missing": int(max(r.get("missing", 0) for r in rs)),
                    "structures": "" if not rs[0]["structure"] else
                    ", ".join("%s %d" % (k, v) for k, v in sorted(structures.items(), key=lambda kv: -kv[1])) +
                    ("; %d..%d params" % (min(params), max(params)) if min(params) != max(params) else
                     "; %d params" % params[0])})
    order = lambda s: (s["device"], not s["op"].startswith("conv2d"), s["op"], s["evaluation"],
                       float("inf") if s["n"] == "all" else s["n"])
    return sorted(out, key=order)


def write_summary(summary, args):
    columns = ["device", "op", "evaluation", "n", "seeds", "rows", "evaluated", "missing", "mape", "mape_min", "mape_p25",
               "mape_p75", "mape_max", "median_ape",
               "p90_ape", "within_10pct", "params", "cv_mape", "structures"]
    with open(os.path.join(args.out, "summary.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, columns, extrasaction="ignore")
        w.writeheader()
        for s in summary:
            w.writerow({k: ("%.4g" % v if isinstance(v, float) else v) for k, v in s.items()})
    lines = ["| backend | op | evaluated on (rows) | n | MAPE (%) median of seeds [min..max] | median APE | p90 APE | "
             "within ±10 % | params (median) | CV MAPE on the n rows | structures chosen (seeds) |",
             "|---|---|---|--:|---|--:|--:|--:|--:|--:|---|"]
    for s in summary:
        n = "all %d" % s["rows"] if s["n"] == "all" else str(s["n"])
        rng = "" if s["n"] == "all" else " [%.1f..%.1f]" % (s["mape_min"], s["mape_max"])
        if s["evaluation"] == "held-out":
            on = "10-fold CV (%d)" % s["evaluated"] if s["n"] == "all" else "held-out rows (%d)" % s["evaluated"]
        else:
            on = "validation layers (%d%s)" % (s["evaluated"], ", %d unpredicted" % s["missing"] if s["missing"]
                                               else "")
        lines.append("| %s | %s | %s | %s | %.1f%s | %.1f | %.1f | %.0f %% | %g | %s | %s |" % (
            s["device"], s["op"], on, n, s["mape"], rng, s["median_ape"], s["p90_ape"], s["within_10pct"],
            s["params"], "-" if np.isnan(s["cv_mape"]) else "%.1f" % s["cv_mape"], s["structures"]))
    text = "\n".join(lines) + "\n"
    with open(os.path.join(args.out, "summary.md"), "w") as f:
        f.write(text)
    sys.stdout.write(text)


def plot(summary, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        # summary.md and the table are already written: only the plot is missing.
        print("flydel_sample_efficiency.py: matplotlib is not installed for %s: %s not written (Debian's "
              "/usr/bin/python3 has it: python3-matplotlib)" % (sys.executable, path), file=sys.stderr)
        return
    devices = sorted({s["device"] for s in summary})
    fig, axes = plt.subplots(len(devices), 2, figsize=(11, 4 * len(devices)), squeeze=False, sharey=True)
    for row, device in zip(axes, devices):
        # The all-variants validation (variants trained on n rows each) is in the table only.
        ops = sorted({s["op"] for s in summary if s["device"] == device and "all variants" not in s["op"]},
                     key=lambda o: (not o.startswith("conv2d"), o))
        for ax, panel in zip(row, (lambda o: o.startswith("conv2d"), lambda o: not o.startswith("conv2d"))):
            shown = [o for o in ops if panel(o)]
            ticks, counts = set(), set()
            for i, op in enumerate(shown):
                for evaluation, ls, marker in (("held-out", "-", "o"), ("validation", "--", "s")):
                    pts = [s for s in summary if s["device"] == device and s["op"] == op and
                           s["evaluation"] == evaluation]
                    if not pts:
                        continue
                    # 'all' is drawn at the table's row count (for held-out rows: its 10-fold CV).
                    x = np.array([s["rows"] if s["n"] == "all" else s["n"] for s in pts], float)
                    y = np.array([s["mape"] for s in pts])
                    lo = np.array([s["mape"] if s["n"] == "all" else s["mape_p25"] for s in pts])
                    hi = np.array([s["mape"] if s["n"] == "all" else s["mape_p75"] for s in pts])
                    idx = np.argsort(x)
                    color = "C%d" % (i if len(shown) > 1 else {"held-out": 0, "validation": 1}[evaluation])
                    ax.plot(x[idx], y[idx], ls=ls, marker=marker, color=color, ms=4,
                            label="%s, %s" % (op, "held-out rows" if evaluation == "held-out" else
                                              "real-model layers"))
                    ax.fill_between(x[idx], lo[idx], hi[idx], color=color, alpha=0.15)
                    ticks |= {s["n"] for s in pts if s["n"] != "all"}
                    counts |= {s["rows"] for s in pts if s["n"] == "all"}
                    for s in pts:
                        if s["n"] == "all" and evaluation == "held-out":
                            ax.annotate("all", (s["rows"], s["mape"]), textcoords="offset points", xytext=(3, 3),
                                        fontsize=6, color=color)
            if not shown:
                ax.set_visible(False)
                continue
            ax.set(xscale="log", yscale="log", xlabel="excitation points used for training (n)",
                   title="%s, %s" % (device, "conv2d" if shown[0].startswith("conv2d") else "other op kinds"))
            # Row counts label the 'all' points unless they would crowd a subset size.
            ax.set_xticks(sorted(ticks | {c for c in counts if all(abs(np.log(c / t)) > 0.25 for t in ticks)}))
            ax.get_xaxis().set_major_formatter(matplotlib.ticker.ScalarFormatter())
            ax.get_xaxis().set_minor_formatter(matplotlib.ticker.NullFormatter())
            ax.axhline(10, color="grey", lw=0.8)
            ax.legend(fontsize=7)
        row[0].set_ylabel("MAPE (%)")
    fig.suptitle("Measured latency vs flydels fitted on n random excitation points: median MAPE over seeds, band = "
                 "interquartile range;\nrightmost point = all rows (held-out rows: their 10-fold CV)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path)


if __name__ == "__main__":
    main()
