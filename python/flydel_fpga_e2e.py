#!/usr/bin/env python3
"""Predicted against measured resources and cycles of the FPGA partitions of scripts/fpga-e2e.sh.

Reads, in the flow's output directory: partitioned.mlir (which functions are FPGA partitions), kpis.csv (the
--flydel-kpi-report of the re-annotated module: FPGA predictions at the chosen foldings), partition.log (the
foldings, from flydel-fold-fpga's remarks), fpga/verify.log (Verilator cycles), fpga/<partition>.stat (Yosys cell
counts) and fpga/<partition>.seconds. Counts cells the way flydel-measure's fpga-yosys backend does (lib/Fpga):
LUT1..6 plus the LUTs of distributed RAM, FDRE/FDSE/FDCE/FDPE, DSP48E1, RAMB36E1 + RAMB18E1 / 2.

Predicted cycles = predicted latency x the clock the library's latency assumes (--clock-mhz), unless the library
predicts cycles itself. A partition of several layers streams: its predicted cycles are given as the slowest
layer's (the initiation interval of the pipeline) and the sum; measured cycles are one frame through the whole
partition. Nothing is filled in: a missing prediction or measurement is shown as "-".
"""
import argparse
import csv
import json
import os
import re
import sys

LUTRAM = {"RAM32M": 4, "RAM64M": 4, "RAM32X1D": 2, "RAM64X1D": 2, "RAM128X1D": 4, "RAM32X1S": 1, "RAM64X1S": 1,
          "RAM128X1S": 2, "RAM256X1S": 4, "SRL16E": 1, "SRLC32E": 1}
RESOURCES = ["lut", "ff", "dsp", "bram36"]


def synth_counts(path):
    cells = {}
    with open(path) as f:
        for line in f:
            m = re.match(r"^\s+(\w+)\s+(\d+)\s*$", line)
            if m:
                cells[m.group(1)] = cells.get(m.group(1), 0) + int(m.group(2))
    if not cells:
        raise SystemExit("flydel_fpga_e2e: error: no cell counts in %s" % path)
    r = {"lut": 0, "ff": 0, "dsp": 0, "bram36": 0.0}
    for name, n in cells.items():
        if len(name) == 4 and name.startswith("LUT"):
            r["lut"] += n
        elif name in LUTRAM:
            r["lut"] += n * LUTRAM[name]
        elif name in ("FDRE", "FDSE", "FDCE", "FDPE"):
            r["ff"] += n
        elif name == "DSP48E1":
            r["dsp"] += n
        elif name == "RAMB36E1":
            r["bram36"] += n
        elif name == "RAMB18E1":
            r["bram36"] += 0.5 * n
    return r


def fpga_partitions(path):
    """Function name -> FPGA device name, for the partition functions of the outlined module."""
    parts = {}
    pattern = re.compile(r'^\s*func\.func (?:private )?@([\w$.]+)\(.*flydel\.device = #flydel\.device<"([^"]+)", fpga>')
    with open(path) as f:
        for line in f:
            m = pattern.match(line)
            if m:
                parts[m.group(1)] = m.group(2)
    return parts


def fmt(v, digits=4):
    if v is None:
        return "-"
    if isinstance(v, float) and not v.is_integer():
        return ("%." + str(digits) + "g") % v
    return "%d" % v


def error_pct(predicted, measured):
    if predicted is None or measured is None or measured == 0:
        return None
    return 100.0 * (predicted - measured) / measured


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", required=True)
    ap.add_argument("--clock-mhz", type=float, required=True)
    ap.add_argument("--model", default="")
    ap.add_argument("--platform", default="")
    ap.add_argument("--pins", default="")
    ap.add_argument("--budget", default="")
    ap.add_argument("--reserve", default="0")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--json")
    args = ap.parse_args()
    d = args.dir

    parts = fpga_partitions(os.path.join(d, "partitioned.mlir"))
    if not parts:
        raise SystemExit("flydel_fpga_e2e: error: no FPGA partition in %s/partitioned.mlir" % d)

    # Per layer of an FPGA partition: its predictions on that partition's device.
    layers = {}  # (function, layer) -> {"op":..., kpi: (value, status)}
    with open(os.path.join(d, "kpis.csv")) as f:
        for row in csv.DictReader(f):
            fn = row["function"]
            if fn not in parts or row["device"] != parts[fn]:
                continue
            entry = layers.setdefault((fn, row["layer"]), {"op": row["op"], "shape": row["shape"]})
            value = float(row["value"]) if row["status"] in ("predicted", "extrapolated") else None
            entry[row["kpi"]] = (value, row["status"])

    foldings = {}
    fold_re = re.compile(r'loc\("([^"]*)".*?flydel-fold-fpga: pe (\d+), simd (\d+)')
    with open(os.path.join(d, "partition.log")) as f:
        for line in f:
            m = fold_re.search(line)
            if m:
                foldings[m.group(1)] = (int(m.group(2)), int(m.group(3)))

    cycles = {}
    verify_log = os.path.join(d, "fpga", "verify.log")
    if os.path.exists(verify_log):
        with open(verify_log) as f:
            for line in f:
                m = re.match(r"^PASS (\S+): cycles (\d+)", line)
                if m:
                    cycles[m.group(1)] = int(m.group(2))

    def predicted_cycles(entry):
        if "cycles" in entry:
            return entry["cycles"][0]
        lat = entry.get("latency_us", (None, "no_model"))[0]
        return None if lat is None else lat * args.clock_mhz

    rows = []
    for fn in sorted(parts, key=lambda n: [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", n)]):
        members = [(layer, e) for (f, layer), e in layers.items() if f == fn]
        pred = {}
        for r in RESOURCES:
            vals = [e.get(r, (None,))[0] for _, e in members]
            pred[r] = None if not vals or any(v is None for v in vals) else sum(vals)
        pc = [predicted_cycles(e) for _, e in members]
        pred["cycles_max"] = None if not pc or any(v is None for v in pc) else max(pc)
        pred["cycles_sum"] = None if not pc or any(v is None for v in pc) else sum(pc)
        extrapolated = sorted({k for _, e in members for k, v in e.items()
                               if isinstance(v, tuple) and v[1] == "extrapolated"})
        stat = os.path.join(d, "fpga", fn + ".stat")
        meas = synth_counts(stat) if os.path.exists(stat) else {r: None for r in RESOURCES}
        seconds_file = os.path.join(d, "fpga", fn + ".seconds")
        synth_s = float(open(seconds_file).read()) if os.path.exists(seconds_file) else None
        meas["cycles"] = cycles.get(fn)
        rows.append({
            "partition": fn,
            "device": parts[fn],
            "layers": [{"name": layer, "op": e["op"], "shape": e["shape"],
                        "folding": foldings.get(layer)} for layer, e in members],
            "predicted": pred,
            "extrapolated": extrapolated,
            "measured": meas,
            "synth_s": synth_s,
        })

    lines = ["# FPGA partitions: predicted (flydels at the chosen folding) vs measured (Yosys, Verilator)", ""]
    cycles_source = ("the library's cycles model" if any("cycles" in e for e in layers.values())
                     else "latency x %g MHz (the clock the library states)" % args.clock_mhz)
    lines.append("model `%s`, platform `%s`, pins `%s`, budget %s, reserve %s; predicted cycles: %s; measured: yosys "
                 "synth_xilinx -family xc7 cell counts, Verilator cycles of one frame (free-flowing)" % (
                     args.model, args.platform, args.pins, args.budget or "the device's capacities", args.reserve,
                     cycles_source))
    lines.append("")
    lines.append("| partition | layers (folding) | | LUT | FF | DSP48 | BRAM36 | cycles |")
    lines.append("|---|---|---|--:|--:|--:|--:|--:|")
    for row in rows:
        desc = "; ".join("%s %s%s" % (l["name"], l["op"], (" pe %d simd %d" % l["folding"]) if l["folding"] else "")
                         for l in row["layers"])
        p, m = row["predicted"], row["measured"]
        pc = p["cycles_max"]  # one layer: its cycles; several: the slowest (the pipeline's interval)
        extra = (" (sum %.0f)" % p["cycles_sum"]) if len(row["layers"]) > 1 and p["cycles_sum"] is not None else ""
        star = " (extrapolated: %s)" % ", ".join(row["extrapolated"]) if row["extrapolated"] else ""
        lines.append("| %s | %s | predicted%s | %s | %s | %s | %s | %s%s |" % (
            row["partition"], desc, star, fmt(p["lut"]), fmt(p["ff"]), fmt(p["dsp"]), fmt(p["bram36"]),
            "-" if pc is None else "%.0f" % pc, extra))
        lines.append("| | | measured | %s | %s | %s | %s | %s |" % (
            fmt(m["lut"]), fmt(m["ff"]), fmt(m["dsp"]), fmt(m["bram36"]), fmt(m["cycles"])))
        errs = [error_pct(p[r], m[r]) for r in RESOURCES] + [error_pct(pc, m["cycles"])]
        lines.append("| | | error % | " + " | ".join("-" if e is None else "%+.1f" % e for e in errs) + " |")
    # The whole model, one inference after another (sequential), from the re-annotated module: each layer on its
    # partition's device, plus the transfers the outlined host code carries (their cost is the link model's).
    devices, kinds = {}, {}
    with open(os.path.join(d, "partitioned.mlir")) as f:
        for line in f:
            m = re.match(r'^\s*func\.func (?:private )?@([\w$.]+)\(.*flydel\.device = #flydel\.device<"([^"]+)", (\w+)>',
                         line)
            if m:
                devices[m.group(1)] = m.group(2)
                kinds[m.group(2)] = m.group(3)
    cpus = [dev for dev, kind in kinds.items() if kind == "cpu"]
    per_device, missing = {}, 0
    cpu_only, cpu_only_missing = 0.0, 0
    with open(os.path.join(d, "kpis.csv")) as f:
        for row in csv.DictReader(f):
            if row["layer"] == "TOTAL" or row["kpi"] != "latency_us" or row["function"] not in devices:
                continue
            valid = row["status"] in ("predicted", "extrapolated")
            on = devices[row["function"]]
            if row["device"] == on:
                if valid:
                    per_device[on] = per_device.get(on, 0.0) + float(row["value"])
                else:
                    missing += 1
            if len(cpus) == 1 and row["device"] == cpus[0]:
                if valid:
                    cpu_only += float(row["value"])
                else:
                    cpu_only_missing += 1
    transfers, assumed = [], False
    host = os.path.join(d, "host.mlir")
    if os.path.exists(host):
        with open(host) as f:
            for line in f:
                m = re.search(r'flydel\.transfer .* cost #flydel\.kpi<latency_us = ([0-9.eE+-]+)[^>]*>( assumed)?', line)
                if m:
                    transfers.append(float(m.group(1)))
                    assumed = assumed or bool(m.group(2))
    measured_fpga = [r["measured"]["cycles"] for r in rows]
    lines.append("")
    total = sum(per_device.values()) + sum(transfers)
    lines.append("Whole model, sequential, predicted after folding: " +
                 " + ".join("%s %s us" % (dev, fmt(v)) for dev, v in sorted(per_device.items())) +
                 " + %d transfers %s us%s = %s us%s." % (
                     len(transfers), fmt(sum(transfers)), " (ASSUMED link)" if assumed else "", fmt(total),
                     " (%d layers without a prediction on their device, not counted)" % missing if missing else ""))
    if len(cpus) == 1:
        lines.append("All layers on %s, predicted: %s us%s." % (
            cpus[0], fmt(cpu_only), " (%d layers without a prediction, not counted)" % cpu_only_missing
            if cpu_only_missing else ""))
    if all(c is not None for c in measured_fpga):
        lines.append("FPGA partitions measured: %d cycles = %s us at %g MHz (the stated clock, not timed)." % (
            sum(measured_fpga), fmt(sum(measured_fpga) / args.clock_mhz), args.clock_mhz))
    total_s = [r["synth_s"] for r in rows if r["synth_s"] is not None]
    lines.append("")
    lines.append("Synthesis time: %s s in all (%s)." % (fmt(sum(total_s)) if total_s else "-",
                                                       ", ".join("%s %s s" % (r["partition"], fmt(r["synth_s"]))
                                                                 for r in rows)))
    text = "\n".join(lines) + "\n"
    with open(args.output, "w") as f:
        f.write(text)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"schema": "flydel-fpga-e2e", "schema_version": 1, "model": args.model,
                       "platform": args.platform, "clock_mhz": args.clock_mhz, "partitions": rows}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
