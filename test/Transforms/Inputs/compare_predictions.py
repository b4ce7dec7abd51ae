"""Checks that annotate-kpis (through the JSON KPI report) predicts what flydel-identify --predict predicts.

usage: compare_predictions.py REPORT.json IDENTIFY.json LAYER DEVICE
Prints one line per compared KPI (value and status: predicted, extrapolated, exceeds_capacity, does_not_fit) and 'compared N' at the end; exits non-zero on any mismatch.
"""
import json
import sys

SCALE = {"ms": ("latency_us", 1e3), "us": ("latency_us", 1.0), "s": ("latency_us", 1e6),
         "J": ("energy_uj", 1e6), "mJ": ("energy_uj", 1e3), "uJ": ("energy_uj", 1.0)}

report_path, identify_path, layer_name, device = sys.argv[1:5]
report = json.load(open(report_path))
identify = json.load(open(identify_path))[0]["predictions"]
layers = [l for f in report["functions"] for l in f["layers"] if l["name"] == layer_name]
if len(layers) != 1:
    sys.exit("layer %s found %d times in the report" % (layer_name, len(layers)))
annotated = layers[0]["kpis"][device]

compared = 0
for column, p in sorted(identify.items()):
    if column.startswith("power"):
        continue  # not a KPI of the attribute
    key, scale = SCALE.get(p["unit"], (column, 1.0))
    got = annotated[key]
    # Feasibility: both say exceeds_capacity (with the same demand and extrapolation) or does_not_fit (no value).
    status = p.get("status", "extrapolated" if p["extrapolated"] else "predicted")
    want = None if p["value"] is None else p["value"] * scale
    if want is None:
        ok = got["status"] == status and got["value"] is None
    else:
        ok = got["status"] == status and got["value"] is not None and abs(got["value"] - want) <= 1e-12 * abs(want)
        if status == "exceeds_capacity":
            ok = ok and got["extrapolated"] == p["extrapolated"]
    fmt = lambda v: "none" if v is None else "%.17g" % v
    print("%s %s %s: pass %s %s, identify %s %s" % ("OK" if ok else "MISMATCH", device, key,
                                                    fmt(got["value"]), got["status"], fmt(want), status))
    if not ok:
        sys.exit(1)
    compared += 1
print("compared %d" % compared)
