"""Checks the bookkeeping of a flydel_sample_efficiency.py runs.csv: a held-out set is exactly the rows not drawn
(rows - n), and the validation layers of a device's conv2d models add up to every measured validation layer."""
import csv
import sys

runs = list(csv.DictReader(l for l in open(sys.argv[1]) if not l.startswith("#")))
layers = {}
for device_file in sys.argv[2:]:  # DEVICE=VALIDATION_CSV
    device, path = device_file.split("=", 1)
    layers[device] = sum(1 for r in csv.DictReader(l for l in open(path) if not l.startswith("#")) if r["latency_ms"])
checked = 0
for r in runs:
    if r["evaluation"] == "held-out" and int(r["rows_evaluated"]) + int(r["n"]) != int(r["rows"]):
        sys.exit("%s %s n=%s: %s held-out rows, expected %d" % (r["device"], r["op"], r["n"], r["rows_evaluated"],
                                                                int(r["rows"]) - int(r["n"])))
    checked += r["evaluation"] == "held-out"
for device, count in layers.items():
    for (n, seed) in {(r["n"], r["seed"]) for r in runs if r["device"] == device}:
        val = [r for r in runs if r["device"] == device and r["n"] == n and r["seed"] == seed and
               r["evaluation"] == "validation" and r["op"] != "conv2d (all variants)"]
        got = sum(int(r["rows_evaluated"]) + int(r["missing"]) for r in val)
        if val and got != count:
            sys.exit("%s n=%s seed %s: validation layers of the conv2d models add up to %d, expected %d" % (
                device, n, seed, got, count))
        for r in runs:
            if (r["device"], r["n"], r["seed"], r["op"]) == (device, n, seed, "conv2d (all variants)") and \
                    int(r["rows_evaluated"]) != count:
                sys.exit("%s n=%s: all-variant validation on %s layers, expected %d" % (device, n,
                                                                                      r["rows_evaluated"], count))
print("runs ok: %d held-out sets, validation layers add up" % checked)
