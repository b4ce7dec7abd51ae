"""Checks that annotate-kpis (through the JSON KPI report) predicts what flydel-identify --predict predicts.

usage: compare_predictions.py REPORT.json IDENTIFY.json LAYER DEVICE
Prints one line per compared KPI and 'compared N' at the end; exits non-zero on any mismatch.
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
    want = p["value"] * scale
    status = "extrapolated" if p["extrapolated"] else "predicted"
    ok = got["status"] == status and abs(got["value"] - want) <= 1e-12 * abs(want)
    print("%s %s %s: pass %.17g %s, identify %.17g %s" % ("OK" if ok else "MISMATCH", device, key,
                                                          got["value"], got["status"], want, status))
    if not ok:
        sys.exit(1)
    compared += 1
print("compared %d" % compared)
