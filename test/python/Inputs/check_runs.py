"""Checks the bookkeeping of a flydel_sample_efficiency.py runs.csv: a held-out set is exactly the rows not drawn
(rows - n); per op kind of a device, the validation layers of its models add up to every measured validation layer
of that op kind, and its "<op> (all variants)" row takes them all; no op kind without given layers is validated.

  check_runs.py RUNS.csv [DEVICE=VALIDATION_A.csv ...] [--against SUMMARY.json]

--against: flydel_validate.py validate's summary.json of the library trained on every row; each variant-less
model's validation on all rows must give the same layer count, MAPE and share within +-10 % (the same layers, at
the lower median of runs a and b)."""
import csv
import json
import sys

args = sys.argv[1:]
against = None
if "--against" in args:
    i = args.index("--against")
    against = json.load(open(args[i + 1]))
    del args[i:i + 2]
runs = list(csv.DictReader(l for l in open(args[0]) if not l.startswith("#")))
layers = {}  # (device, op) -> measured layers of run a
for device_file in args[1:]:  # DEVICE=VALIDATION_CSV
    device, path = device_file.split("=", 1)
    for r in csv.DictReader(l for l in open(path) if not l.startswith("#")):
        if r["latency_ms"]:
            layers[(device, r["op"])] = layers.get((device, r["op"]), 0) + 1
checked = 0
for r in runs:
    if r["evaluation"] == "held-out" and int(r["rows_evaluated"]) + int(r["n"]) != int(r["rows"]):
        sys.exit("%s %s n=%s: %s held-out rows, expected %d" % (r["device"], r["op"], r["n"], r["rows_evaluated"],
                                                                int(r["rows"]) - int(r["n"])))
    checked += r["evaluation"] == "held-out"
    op = r["op"].split(" ")[0].split("/")[0]
    if r["evaluation"] == "validation" and (r["device"], op) not in layers:
        sys.exit("%s %s n=%s: validated, but no %s validation layers were given" % (r["device"], r["op"], r["n"], op))
for (device, op), count in sorted(layers.items()):
    for (n, seed) in sorted({(r["n"], r["seed"]) for r in runs if r["device"] == device}):
        val = [r for r in runs if r["device"] == device and r["n"] == n and r["seed"] == seed and
               r["evaluation"] == "validation" and r["op"].split("/")[0] == op]
        got = sum(int(r["rows_evaluated"]) + int(r["missing"]) for r in val)
        if val and got != count:
            sys.exit("%s n=%s seed %s: validation layers of the %s models add up to %d, expected %d" % (
                device, n, seed, op, got, count))
        for r in runs:
            if (r["device"], r["n"], r["seed"], r["op"]) == (device, n, seed, op + " (all variants)") and \
                    int(r["rows_evaluated"]) != count:
                sys.exit("%s n=%s: all-variant %s validation on %s layers, expected %d" % (
                    device, n, op, r["rows_evaluated"], count))
compared = 0
for device, entry in (against or {}).get("devices", {}).items():
    for op, f in entry["by_op"].items():
        if not any((r["device"], r["op"]) == (device, op) for r in runs):
            continue  # an op kind the study's spec has no table of
        mine = [r for r in runs if (r["device"], r["op"], r["n"], r["evaluation"]) == (device, op, "all", "validation")]
        if not mine:
            sys.exit("%s %s: no validation of the library trained on every row" % (device, op))
        r, ref = mine[0], f["layers"]
        if int(r["rows_evaluated"]) != ref["n"] or abs(float(r["mape"]) - ref["mape"]) > 1e-3 * ref["mape"] or \
                abs(float(r["within_10pct"]) - ref["within_10pct"]) > 0.01:
            sys.exit("%s %s: %s layers, MAPE %s, within 10 %% %s; flydel_validate.py: %d, %.4g, %.4g" % (
                device, op, r["rows_evaluated"], r["mape"], r["within_10pct"], ref["n"], ref["mape"],
                ref["within_10pct"]))
        compared += 1
print("runs ok: %d held-out sets, validation layers add up%s" % (
    checked, "; %d op kinds as flydel_validate.py" % compared if against else ""))
