#!/usr/bin/python3
"""Import external measurement tables into flydel campaign tables (docs/formats.md), so a platform can be identified
and validated from measurements taken with another harness.

  flydel_import.py h200 SRC DIR [--backend gpu-torch]
      SRC: a directory in the format of ../shared/data/h200 (README there): excitation.csv and
      excitation-retest.csv (the same layers, same order, measured twice), layers.csv (real layers of CNNs, one
      row per layer and network, with counts) and layers-retest.csv (some of them measured again). Writes
        DIR/excitation/<backend>-{conv2d,depthwise,matmul,pool2d,elementwise}.csv   training tables:
            latency_ms = the lower of the two runs (other work on the host only ever adds time; flydel-measure's
            rule), latency_retest_ms = the higher;
        DIR/validation/<backend>-{conv2d,pool2d,matmul}-a.csv    the distinct real layers (run a),
        DIR/validation/<backend>-<op>-b.csv                      those measured again (run b), where any,
        DIR/validation/<network>.layers.csv                      each network's layers with their counts,
      the input files of scripts/gpu-campaign.sh identify and python/flydel_validate.py validate.

Energy is not imported: the source's per-call energies are whole-board NVML readings over 150 ms windows with the
idle power not subtracted, and their test-retest difference is about 42 % (README of the source), so energy_j stays
empty and each table's header says why. Rows the source marks as it does (dwconv: Cout = 0, g = 1; maxpool/add:
Cout = 0) become the layer descriptor flydel uses (depthwise: c_out = c_in = groups). A malformed row is an error
naming the file, line and column; nothing is written until every input has been read.

Standard library only.
"""
import argparse
import csv
import os
import sys

LAYER_COLUMNS = ["op", "batch", "in_h", "in_w", "c_in", "c_out", "kernel_h", "kernel_w", "stride_h", "stride_w",
                 "pad_h", "pad_w", "dilation", "groups", "dtype"]
RESULT_COLUMNS = ["latency_ms", "latency_iqr_pct", "latency_mad_pct", "samples", "outliers", "energy_j", "passes",
                  "latency_retest_ms"]
H200_COLUMNS = ["set", "network", "count", "op", "H", "Cin", "Cout", "k", "s", "pad", "g", "latency_us"]
# Source op -> (flydel op kind, excitation table design).
H200_OPS = {"conv": ("conv2d", "conv2d"), "dwconv": ("conv2d", "depthwise"), "linear": ("matmul", "matmul"),
            "maxpool": ("pool2d", "pool2d"), "add": ("elementwise", "elementwise")}


def fail(message):
    sys.exit("flydel_import.py: error: " + message)


def read_h200(path):
    """[(line number, row dict)] of one source table, every needed column present and numeric."""
    try:
        with open(path, newline="") as f:
            lines = f.read().splitlines()
    except OSError as e:
        fail("%s: %s" % (path, e.strerror))
    if not lines:
        fail("%s: empty file" % path)
    header = [h.strip() for h in next(csv.reader([lines[0]]))]
    missing = [c for c in H200_COLUMNS if c not in header]
    if missing:
        fail("%s:1: missing column(s) %s" % (path, ", ".join(missing)))
    rows = []
    for number, text in enumerate(lines[1:], start=2):
        if not text.strip():
            continue
        cells = [c.strip() for c in next(csv.reader([text]))]
        if len(cells) != len(header):
            fail("%s:%d: expected %d fields, found %d" % (path, number, len(header), len(cells)))
        row = dict(zip(header, cells))
        if row["op"] not in H200_OPS:
            fail("%s:%d: column 'op': unknown op '%s' (expected %s)" % (path, number, row["op"], ", ".join(H200_OPS)))
        for column in ["count", "H", "Cin", "Cout", "k", "s", "pad", "g"]:
            try:
                value = int(row[column])
            except ValueError:
                fail("%s:%d: column '%s': '%s' is not a whole number" % (path, number, column, row[column]))
            if value < 0 or (value == 0 and column not in ("Cout", "pad")):
                fail("%s:%d: column '%s': %d is out of range" % (path, number, column, value))
            row[column] = value
        try:
            row["latency_us"] = float(row["latency_us"])
        except ValueError:
            fail("%s:%d: column 'latency_us': '%s' is not a number" % (path, number, row["latency_us"]))
        if not (row["latency_us"] > 0 and row["latency_us"] < float("inf")):
            fail("%s:%d: column 'latency_us': %s is not a positive time" % (path, number, row["latency_us"]))
        rows.append((number, row))
    if not rows:
        fail("%s: no rows" % path)
    return rows


def layer_of(path, number, row):
    """(design, flydel layer descriptor as a dict of LAYER_COLUMNS)."""
    op, design = H200_OPS[row["op"]]
    h, cin, cout, k, s, pad, g = (row[c] for c in ("H", "Cin", "Cout", "k", "s", "pad", "g"))
    layer = {"op": op, "batch": 1, "in_h": h, "in_w": h, "c_in": cin, "c_out": cout, "kernel_h": k, "kernel_w": k,
             "stride_h": s, "stride_w": s, "pad_h": pad, "pad_w": pad, "dilation": 1, "groups": g, "dtype": "f32"}
    if row["op"] == "dwconv":  # the source writes Cout = 0, g = 1 for a depthwise layer
        layer["c_out"] = layer["groups"] = cin
    elif row["op"] in ("maxpool", "add"):  # Cout = 0: as many output channels as input channels
        layer["c_out"] = cin
    elif row["op"] == "linear":  # one input row: [1, Cin] x [Cin, Cout]
        layer.update(in_h=1, in_w=1, kernel_h=1, kernel_w=1, stride_h=1, stride_w=1, pad_h=0, pad_w=0)
    if row["op"] == "add":
        layer.update(kernel_h=1, kernel_w=1, stride_h=1, stride_w=1, pad_h=0, pad_w=0)
    if layer["c_out"] < 1 or layer["c_in"] % layer["groups"] or layer["c_out"] % layer["groups"]:
        fail("%s:%d: not a valid %s layer (channels %d -> %d, groups %d)" %
             (path, number, row["op"], layer["c_in"], layer["c_out"], layer["groups"]))
    if op in ("conv2d", "pool2d") and (h + 2 * pad - k) < 0:
        fail("%s:%d: kernel %d larger than the padded input %d" % (path, number, k, h + 2 * pad))
    return design, layer


def table_text(comments, columns, rows):
    out = "".join("# %s\n" % c for c in comments) + ",".join(columns) + "\n"
    for row in rows:
        out += ",".join(str(row.get(c, "")) for c in columns) + "\n"
    return out


def import_h200(args):
    src = args.src
    excitation = read_h200(os.path.join(src, "excitation.csv"))
    retest = read_h200(os.path.join(src, "excitation-retest.csv"))
    layers = read_h200(os.path.join(src, "layers.csv"))
    retest_path = os.path.join(src, "layers-retest.csv")
    layers_b = read_h200(retest_path) if os.path.exists(retest_path) else []
    if len(excitation) != len(retest):
        fail("%s: %d rows, but excitation.csv has %d (the retest must repeat the same layers in the same order)" %
             (os.path.join(src, "excitation-retest.csv"), len(retest), len(excitation)))
    provenance = [
        "flydel_import.py h200: imported from %s (its README says how it was measured)" % src,
        "backend: %s (PyTorch eager ops on the GPU: cuDNN, cuBLAS; fp32, TF32 off, cudnn.benchmark, batch 1, NCHW)"
        % args.backend,
        "energy: not imported (whole-board NVML readings over 150 ms windows, idle not subtracted, test-retest "
        "about 42 %: too noisy for per-op models)",
    ]
    try:
        with open(os.path.join(src, "info.txt")) as f:
            provenance += ["source info: " + l.strip() for l in f if l.strip()]
    except OSError:
        pass
    files = {}
    # Training tables: one per design, the lower of the two runs.
    designs = {}
    for (na, a), (nb, b) in zip(excitation, retest):
        da, la = layer_of(os.path.join(src, "excitation.csv"), na, a)
        db, lb = layer_of(os.path.join(src, "excitation-retest.csv"), nb, b)
        if la != lb:
            fail("%s:%d: not the layer of excitation.csv:%d" % (os.path.join(src, "excitation-retest.csv"), nb, na))
        low, high = sorted((a["latency_us"], b["latency_us"]))
        row = dict(la, latency_ms="%.6g" % (low / 1000), latency_retest_ms="%.6g" % (high / 1000), passes=2)
        designs.setdefault(da, []).append(row)
    for design, rows in designs.items():
        comments = provenance + ["passes: 2 (excitation.csv and excitation-retest.csv); latency_ms = the lower, "
                                 "latency_retest_ms = the higher"]
        files[os.path.join("excitation", "%s-%s.csv" % (args.backend, design))] = \
            table_text(comments, LAYER_COLUMNS + RESULT_COLUMNS, rows)
    # Validation: distinct layers per op kind (run a), their re-measurements (run b), each network's layers.
    def distinct(rows, path):
        seen, out = {}, []
        for number, row in rows:
            _, layer = layer_of(path, number, row)
            key = tuple(layer[c] for c in LAYER_COLUMNS)
            if key in seen:
                if seen[key] != row["latency_us"]:
                    fail("%s:%d: the same layer measured twice with different latencies (%g and %g us)" %
                         (path, number, seen[key], row["latency_us"]))
                continue
            seen[key] = row["latency_us"]
            out.append(dict(layer, latency_ms="%.6g" % (row["latency_us"] / 1000), passes=1))
        return out
    for run, rows, path in (("a", layers, os.path.join(src, "layers.csv")), ("b", layers_b, retest_path)):
        for op in ("conv2d", "pool2d", "matmul"):
            of_op = [r for r in distinct(rows, path) if r["op"] == op]
            if of_op:
                files[os.path.join("validation", "%s-%s-%s.csv" % (args.backend, op, run))] = table_text(
                    provenance + ["run %s: %s" % (run, os.path.basename(path))], LAYER_COLUMNS + RESULT_COLUMNS,
                    of_op)
    networks = {}
    for number, row in layers:
        if row["network"]:
            _, layer = layer_of(os.path.join(src, "layers.csv"), number, row)
            networks.setdefault(row["network"], []).append(dict(layer, count=row["count"]))
    for name, rows in networks.items():
        files[os.path.join("validation", "%s.layers.csv" % name)] = table_text(
            ["flydel_import.py h200: the conv, linear and max-pool layers of %s measured in %s/layers.csv (BN, "
             "activations, concatenations and residual adds were not measured one by one)" % (name, src)],
            LAYER_COLUMNS + ["count"], rows)
    # Everything was read and checked: now write, each file through a temporary and a rename.
    for rel, text in sorted(files.items()):
        path = os.path.join(args.dir, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    print("flydel_import.py: %d tables in %s (%d excitation layers, %d real layers of %d networks)" %
          (len(files), args.dir, len(excitation), len(layers), len(networks)))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    h = sub.add_parser("h200", help="tables in the format of ../shared/data/h200")
    h.add_argument("src")
    h.add_argument("dir")
    h.add_argument("--backend", default="gpu-torch", help="device name of the tables (default gpu-torch)")
    args = parser.parse_args()
    if args.command == "h200":
        import_h200(args)


if __name__ == "__main__":
    main()
