#!/usr/bin/python3
"""Pareto front of device assignments (predicted latency against predicted energy) of one model.

  flydel_pareto.py MODEL.onnx|MODEL.mlir [--bin build/bin] [--platform tx2-c10gx] [--mode sequential]
                   [--weights W,W,...] [--input-shape NAME=DIMS] [-o FRONT.png|.svg] [--csv FILE] [--markdown FILE]

The model is imported (flydel-translate --import-onnx, for .onnx files) and annotated (flydel-opt --annotate-kpis,
unless it already carries flydel.platform), then assigned by `flydel-opt --assign-devices` once per objective:
latency, energy, edp, and weighted (weight * latency_us + (1 - weight) * energy_uj) for every weight of the grid
(default: 0, 1 and 25 weights w = s / (1 + s), s = 10^-3 ... 10^3 in quarter decades, since the weighted sum
trades microseconds against microjoules). Every distinct assignment (the device of every op) becomes a point, as
does every single-device baseline of the flydel.assignment summary. The non-dominated set (no other point with
lower or equal latency and energy, one strictly lower) is printed as a table and plotted.

All numbers are the flydels' predictions (the summary's `chosen` and `baselines`), not measurements. What the
predictions leave out is reported, never filled in:
  - an op with no model on any device is not counted in any point (the summary's unmodeled_ops);
  - an op placed on a device where its energy (or latency) has no model (`no_model`), though another device has
    one, makes that point's energy (latency) a lower bound: the point is listed and plotted hollow, but it takes
    no part in the front, which compares complete points only;
  - a weighted sum finds only the supported points (corners of the convex hull of the front); a non-convex part of
    the front between them is not searched.
Everything in one mode: a pipelined latency is the period of the busiest stage, not comparable to a sequential one.
"""
import argparse
import csv
import math
import os
import re
import subprocess
import sys
import tempfile

NUM = r'[0-9.eE+-]+'
ESTIMATE = r'(no_model|' + NUM + r'(?: extrapolated)?)'
KPI = r'#flydel\.kpi<latency_us = ' + ESTIMATE + r', energy_uj = ' + ESTIMATE
DEFAULT_WEIGHTS = [0.0, 1.0] + [round(10 ** (k / 4) / (1 + 10 ** (k / 4)), 6) for k in range(-12, 13)]


def fail(message):
    sys.exit("flydel_pareto.py: error: " + message)


def run(cmd, stdin=None):
    try:
        proc = subprocess.run(cmd, input=stdin, capture_output=True, text=True)
    except OSError as e:
        fail("%s: %s" % (cmd[0], e.strerror))
    if proc.returncode != 0:
        fail("%s failed:\n%s" % (" ".join(cmd), proc.stderr[-2000:]))
    return proc.stdout


def value(estimate):
    """(number or None, extrapolated)."""
    if estimate == "no_model":
        return None, False
    return float(estimate.split()[0]), estimate.endswith("extrapolated")


def braced(text, start):
    """The text of the {...} group opening at text[start]."""
    depth = 0
    for i in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth == 0:
            return text[start + 1:i]
    fail("unbalanced braces in flydel-opt's output")


def parse_summary(ir):
    starts = [m.end() - 1 for m in re.finditer(r'flydel\.assignment = \{', ir)]
    if len(starts) != 1:
        fail("expected one function with a flydel.assignment summary, found %d (a module with one function is "
             "supported)" % len(starts))
    text = braced(ir, starts[0])
    chosen = re.search(r'chosen = ' + KPI, text)
    base_text = braced(text, text.index("baselines = {") + len("baselines = "))
    baselines = {}
    for name, lat, en in re.findall(r'(\w+) = ' + KPI, base_text):
        baselines[name] = (value(lat)[0], value(en)[0])
    for name, why in re.findall(r'(\w+) = "infeasible: ([^"]*)"', base_text):
        baselines[name] = why
    ops_text = braced(text, text.index("ops = {") + len("ops = "))
    return {"latency_us": value(chosen.group(1))[0], "energy_uj": value(chosen.group(2))[0],
            "optimal": "optimal = true" in text, "baselines": baselines,
            "ops": {d: int(n) for d, n in re.findall(r'(\w+) = (\d+) : i64', ops_text)},
            "unmodeled": int(re.search(r'unmodeled_ops = (\d+)', text).group(1))}


def parse_ops(ir):
    """Per annotated op, in program order: (device, {device: (latency, energy, extrapolated)}, layer name)."""
    ops = []
    for line in ir.splitlines():
        dev = re.search(r'flydel\.device = #flydel\.device<"(\w+)"', line)
        at = line.find("flydel.kpis = {")
        if not dev or at < 0:
            continue
        kpis = {}
        for name, lat, en in re.findall(r'(\w+) = ' + KPI, braced(line, at + len("flydel.kpis = "))):
            (l, lx), (e, ex) = value(lat), value(en)
            kpis[name] = (l, e, lx or ex)
        loc = re.search(r'loc\("([^"]*)"', line[at:])
        ops.append((dev.group(1), kpis, loc.group(1) if loc else "?"))
    return ops


def completeness(ops):
    """Ops whose device has no latency (energy) model though another device has one, and extrapolated ops."""
    missing_lat, missing_en, extrapolated = [], [], 0
    for dev, kpis, name in ops:
        mine = kpis.get(dev, (None, None, False))
        if mine[0] is None and any(k[0] is not None for k in kpis.values()):
            missing_lat.append("%s (%s)" % (name, dev))
        if mine[1] is None and any(k[1] is not None for k in kpis.values()):
            missing_en.append("%s (%s)" % (name, dev))
        extrapolated += bool(mine[2])
    return missing_lat, missing_en, extrapolated


def objectives(weights):
    out = [("latency", "objective=latency"), ("energy", "objective=energy"), ("edp", "objective=edp")]
    for w in weights:
        if not 0 <= w <= 1:
            fail("weight %g is outside [0, 1]" % w)
        out.append(("weighted %g" % w, "objective=weighted weight=%r" % w))
    return out


def sweep(annotated, opt, mode, weights):
    """Distinct assignments and single-device baselines as a list of point dicts."""
    points, by_cost, baselines = [], {}, {}
    unmodeled, ops = None, []
    for label, option in objectives(weights):
        ir = run([opt, "--assign-devices=%s mode=%s" % (option, mode), "--mlir-print-op-on-diagnostic=false",
                  "--mlir-print-debuginfo", "--mlir-print-local-scope"], annotated)
        s, ops = parse_summary(ir), parse_ops(ir)
        unmodeled = s["unmodeled"]
        # Assignments with the same predicted totals are one point (they differ in where free ops go: ops with
        # no model anywhere, or ties); the first found names it.
        key = ("%.9g" % s["latency_us"], "%.9g" % s["energy_uj"])
        if key not in by_cost:
            miss_lat, miss_en, extrap = completeness(ops)
            by_cost[key] = {"name": ", ".join("%s %d" % (d, n) for d, n in s["ops"].items() if n),
                            "found_by": [], "latency_us": s["latency_us"], "energy_uj": s["energy_uj"],
                            "devices": sorted(d for d, n in s["ops"].items() if n),
                            "missing_latency": miss_lat, "missing_energy": miss_en,
                            "extrapolated_ops": extrap, "optimal": s["optimal"], "baseline": False}
            points.append(by_cost[key])
        by_cost[key]["found_by"].append(label)
        by_cost[key]["optimal"] &= s["optimal"]
        for d, b in s["baselines"].items():
            entry = baselines.setdefault(d, {"value": None, "why": ""})
            if isinstance(b, tuple):
                entry["value"] = b
            else:
                entry["why"] = entry["why"] or b
    for d, entry in baselines.items():
        if entry["value"] is None:
            points.append({"name": "all-" + d, "found_by": ["single-device baseline"], "latency_us": None,
                           "energy_uj": None, "devices": [], "missing_latency": [], "missing_energy": [],
                           "extrapolated_ops": None, "optimal": None, "baseline": True,
                           "infeasible": entry["why"]})
            continue
        key = ("%.9g" % entry["value"][0], "%.9g" % entry["value"][1])
        if key in by_cost:  # an objective chose this very single-device assignment
            by_cost[key]["baseline"] = True
            by_cost[key]["base_name"] = "all-" + d
            by_cost[key]["found_by"].append("single-device baseline")
            continue
        # The summary gives a baseline's totals; what they leave out comes from the ops' annotations.
        all_d = [(d, kpis, name) for _, kpis, name in ops]
        miss_lat, miss_en, extrap = completeness(all_d)
        points.append({"name": "all-" + d, "found_by": ["single-device baseline"], "latency_us": entry["value"][0],
                       "energy_uj": entry["value"][1], "devices": [d], "missing_latency": miss_lat,
                       "missing_energy": miss_en, "extrapolated_ops": extrap, "optimal": None, "baseline": True,
                       "base_name": "all-" + d})
    return points, unmodeled


def complete(p):
    return p["latency_us"] is not None and not p["missing_latency"] and not p["missing_energy"]


def mark_front(points):
    """Non-dominated among complete points (both KPIs minimised; a duplicate of a front point is on it too)."""
    pool = [p for p in points if complete(p)]
    for p in points:
        if not complete(p):
            p["pareto"] = None
            continue
        p["pareto"] = not any(q["latency_us"] <= p["latency_us"] and q["energy_uj"] <= p["energy_uj"] and
                              (q["latency_us"] < p["latency_us"] or q["energy_uj"] < p["energy_uj"]) for q in pool)


def names(ops, limit=3):
    return ", ".join(ops[:limit]) + (", ..." if len(ops) > limit else "")


def status(p):
    if p["latency_us"] is None:
        return "infeasible: " + p.get("infeasible", "")
    notes = []
    if p["missing_latency"]:
        notes.append("latency is a lower bound: %d op(s) without a latency model on their device: %s" % (
            len(p["missing_latency"]), names(p["missing_latency"])))
    if p["missing_energy"]:
        notes.append("energy is a lower bound: %d op(s) without an energy model on their device: %s" % (
            len(p["missing_energy"]), names(p["missing_energy"])))
    return "; ".join(notes) or "complete"


def order(points):
    """Table order (by latency, then energy); assignments get letters A, B, ... for the plot's labels."""
    ordered = sorted(points, key=lambda p: (p["latency_us"] is None, p["latency_us"] or 0,
                                            p["energy_uj"] or 0))
    for i, p in enumerate(q for q in ordered if "base_name" not in q and q["latency_us"] is not None):
        p["id"] = chr(ord("A") + i) if i < 26 else "Z%d" % (i - 25)
    for p in ordered:
        if p["baseline"]:
            p["id"] = p["base_name"] if "base_name" in p else p["name"]
    return ordered


YES_NO = {True: "yes", False: "no", None: "-"}  # None: the question does not apply to the point


def table_rows(points, digits=5):
    rows = []
    for p in order(points):
        found = p["found_by"]
        weights = sorted(float(f.split()[1]) for f in found if f.startswith("weighted "))
        others = [f for f in found if not f.startswith("weighted ")]
        if weights:
            others.append("weighted w=%g" % weights[0] if len(weights) == 1 else
                          "weighted w=%g..%g (%d weights)" % (weights[0], weights[-1], len(weights)))
        rows.append({"id": p["id"], "assignment": p["name"], "found_by": "; ".join(others),
                     "latency_ms": "" if p["latency_us"] is None else "%.*g" % (digits, p["latency_us"] / 1000),
                     "energy_mj": "" if p["energy_uj"] is None else "%.*g" % (digits, p["energy_uj"] / 1000),
                     "devices": " ".join(p["devices"]),
                     "pareto": YES_NO[p.get("pareto")], "proven": YES_NO[p["optimal"]],
                     "extrapolated_ops": "" if p["extrapolated_ops"] is None else str(p["extrapolated_ops"]),
                     "status": status(p)})
    return rows


# proven: every solve that found the point proved it optimal for its objective ("-": a baseline no solve chose).
COLUMNS = ["id", "assignment", "found_by", "latency_ms", "energy_mj", "devices", "pareto", "proven",
           "extrapolated_ops", "status"]


def markdown(rows, title, unmodeled):
    out = ["%s\n" % title, "| " + " | ".join(COLUMNS) + " |", "|---|---|---|--:|--:|---|---|---|--:|---|"]
    out += ["| " + " | ".join(r[c] for c in COLUMNS) + " |" for r in rows]
    out.append("\n%d annotated op(s) have no model on any device: not counted in any point." % unmodeled)
    return "\n".join(out) + "\n"


def draw(ax, shown):
    front = sorted((p for p in shown if p.get("pareto")), key=lambda p: p["latency_us"])
    if front:
        ax.step([p["latency_us"] / 1000 for p in front], [p["energy_uj"] / 1000 for p in front], where="post",
                color="C0", lw=1, zorder=1)
    for i, p in enumerate(sorted(shown, key=lambda p: p["latency_us"])):
        x, y = p["latency_us"] / 1000, p["energy_uj"] / 1000
        if p["baseline"]:
            style = dict(marker="s", s=60, color="C3")
            if p.get("pareto"):  # a single device on the front: framed in the front's colour
                style.update(edgecolors="C0", linewidths=2)
        elif p.get("pareto"):
            style = dict(marker="o", s=50, color="C0")
        else:
            style = dict(marker="o", s=30, color="grey")
        if not complete(p):
            style["facecolors"], style["edgecolors"] = "none", style.pop("color")
        elif "edgecolors" in style:
            style["facecolors"] = style.pop("color")
        ax.scatter([x], [y], zorder=2, **style)
        # A lower bound points the way the true value lies.
        if p["missing_energy"]:
            ax.annotate("", (x, y), xytext=(0, 30), textcoords="offset points",
                        arrowprops=dict(arrowstyle="<-", color="grey"))
        if p["missing_latency"]:
            ax.annotate("", (x, y), xytext=(30, 0), textcoords="offset points",
                        arrowprops=dict(arrowstyle="<-", color="grey"))
        # Alternate label sides: neighbouring points of a front are often close.
        ax.annotate(p["id"] + ("" if complete(p) else " (bound)"), (x, y), textcoords="offset points",
                    xytext=(5, 4) if i % 2 == 0 else (-12, -11), fontsize=8)


def plot(points, path, title, mode):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        # The table (and --csv, --markdown) are already written: only the plot is missing.
        print("flydel_pareto.py: matplotlib is not installed for %s: %s not written (Debian's /usr/bin/python3 has "
              "it: python3-matplotlib)" % (sys.executable, path), file=sys.stderr)
        return
    fig, ax = plt.subplots(figsize=(7, 5))
    shown = [p for p in points if p["latency_us"] is not None]
    lat = [p["latency_us"] / 1000 for p in shown]
    en = [p["energy_uj"] / 1000 for p in shown]
    log = max(lat) / min(lat) > 10 or max(en) / min(en) > 10
    if log:
        ax.set(xscale="log", yscale="log")
    draw(ax, shown)
    # The assignments often crowd into a corner far from the single-device points: zoom on them.
    mixed = [p for p in shown if not p["baseline"]]
    if not log and len(mixed) > 1:
        mx = [p["latency_us"] / 1000 for p in mixed]
        my = [p["energy_uj"] / 1000 for p in mixed]
        if max(mx) - min(mx) < 0.2 * (max(lat) - min(lat)) and max(my) - min(my) < 0.2 * (max(en) - min(en)):
            inset = ax.inset_axes([0.45, 0.3, 0.5, 0.45])
            draw(inset, mixed)
            padx, pady = 0.1 * (max(mx) - min(mx)) or 0.01, 0.1 * (max(my) - min(my)) or 0.01
            inset.set_xlim(min(mx) - padx, max(mx) + 2 * padx)
            inset.set_ylim(min(my) - pady, max(my) + 2 * pady)
            inset.tick_params(labelsize=7)
            ax.indicate_inset_zoom(inset, edgecolor="grey")
    handles = [plt.Line2D([], [], marker="o", color="C0", ls="-", label="non-dominated (front)"),
               plt.Line2D([], [], marker="o", color="grey", ls="", label="dominated"),
               plt.Line2D([], [], marker="s", color="C3", ls="", label="single device (blue frame: on the front)"),
               plt.Line2D([], [], marker="o", color="k", mfc="none", ls="",
                          label="lower bound (arrow): an op without a model on its device")]
    ax.legend(handles=handles, fontsize=7, loc="best")
    ax.set(xlabel="predicted latency (ms, %s)" % ("sum over ops" if mode == "sequential" else "pipeline period"),
           ylabel="predicted energy (mJ)")
    ax.set_title(title, fontsize=8)
    fig.tight_layout()
    fig.savefig(path)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model", help="ONNX model, or TOSA MLIR (annotated or not)")
    ap.add_argument("--bin", default="build/bin", help="directory of flydel-translate and flydel-opt")
    ap.add_argument("--platform", default="tx2-c10gx", help="embedded platform name or library JSON")
    ap.add_argument("--mode", default="sequential", choices=["sequential", "pipelined"])
    ap.add_argument("--weights", help="comma-separated weights of the weighted objective (default: 27 weights)")
    ap.add_argument("--input-shape", action="append", default=[], help="passed to flydel-translate (NAME=DIMS)")
    ap.add_argument("-o", help="plot (.png, .svg)")
    ap.add_argument("--csv", help="write the table as CSV")
    ap.add_argument("--markdown", help="write the table as Markdown")
    args = ap.parse_args()
    if not os.path.isfile(args.model):
        fail("%s: no such file" % args.model)
    try:
        weights = [float(w) for w in args.weights.split(",")] if args.weights else DEFAULT_WEIGHTS
    except ValueError:
        fail("--weights: '%s' is not a comma-separated list of numbers" % args.weights)
    opt = os.path.join(args.bin, "flydel-opt")
    if args.model.endswith(".onnx"):
        ir = run([os.path.join(args.bin, "flydel-translate"), "--import-onnx", "--elide-weights", args.model] +
                 ["--input-shape=" + s for s in args.input_shape])
    else:
        with open(args.model) as f:
            ir = f.read()
    if "flydel.platform" not in ir:
        ir = run([opt, "--annotate-kpis=platform=" + args.platform, "--mlir-print-op-on-diagnostic=false",
                  "--mlir-print-debuginfo"], ir)
    points, unmodeled = sweep(ir, opt, args.mode, weights)
    mark_front(points)
    platform = re.search(r'flydel\.platform = #flydel\.platform<"([^"]+)"', ir)
    title = ("%s on %s, %s: predicted by the flydels, not measured" %
             (os.path.basename(args.model), platform.group(1) if platform else args.platform, args.mode))
    rows = table_rows(points)
    text = markdown(rows, title, unmodeled)
    sys.stdout.write(text)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text)
    if args.csv:
        with open(args.csv, "w", newline="") as f:
            f.write("# %s; %d op(s) without a model on any device are not counted\n" % (title, unmodeled))
            w = csv.DictWriter(f, COLUMNS)
            w.writeheader()
            w.writerows(table_rows(points, digits=10))  # full precision: ties must stay ties
    if args.o:
        plot(points, args.o, title + "\n(%d op(s) with no model on any device not counted)" % unmodeled, args.mode)


if __name__ == "__main__":
    main()
