#!/usr/bin/env python3
"""Summarise a flydel platform library (JSON written by flydel-identify --spec): devices, links and every model's
structure, parameter count, training domain and cross-validation figures, as a Markdown table; optionally a bar
chart of the CV MAPE per model (--plot FILE.png, needs matplotlib).

usage: flydel_library_report.py LIBRARY.json [--plot FILE.png]
"""
import argparse
import json
import sys


def load(path):
    try:
        with open(path) as f:
            library = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        sys.exit("flydel_library_report: error: %s: %s" % (path, e))
    if library.get("schema") != "flydel-platform-library":
        sys.exit("flydel_library_report: error: %s is not a flydel platform library" % path)
    return library


def markdown(library):
    out = ["Platform `%s`: %s" % (library["platform"]["name"], library["platform"].get("description", "")), ""]
    out.append("| device | kind | capacities |")
    out.append("|---|---|---|")
    for d in library["devices"]:
        caps = ", ".join("%s %g" % kv for kv in d.get("capacities", {}).items()) or "-"
        out.append("| %s | %s | %s |" % (d["name"], d["kind"], caps))
    out.append("")
    if library.get("links"):
        out.append("| link | latency model | fit MAPE % | n |")
        out.append("|---|---|--:|--:|")
        for l in library["links"]:
            lat = l["latency"]
            # An assumed link was fitted to nothing: say so instead of printing fit figures.
            fit = ("ASSUMED", "-") if l.get("assumed") else ("%.1f" % lat.get("fit_mape", float("nan")),
                                                              "%d" % lat.get("n", 0))
            out.append("| %s -> %s | %.4g + %.4g * %s (%s) | %s | %s |" % (
                l["from"], l["to"], lat["intercept"], lat["slope_per_kbit"], lat.get("size_unit", "kbit"),
                lat["unit"], fit[0], fit[1]))
        out.append("")
    # The nested CV (the structure chosen again inside every outer fold) where the library has it.
    nested = any("nested" in m["cv"] for m in library["models"])
    out.append("| device | op | KPI | structure | params | CV MAPE % | median | p90 | within ±10 % | bias | n |" +
               (" nested CV MAPE % |" if nested else ""))
    out.append("|---|---|---|---|--:|--:|--:|--:|--:|--:|--:|" + ("--:|" if nested else ""))
    for m in library["models"]:
        cv = m["cv"]
        # A fitted floor (GPU pool) is one more parameter.
        params = len(m["params"]) + (1 if m.get("floor") else 0)
        out.append("| %s | %s | %s | %s | %d | %.2f | %.2f | %.2f | %.1f | %.2f | %d |" % (
            m["device"], m["op"], m["kpi"], m["structure"], params, cv["mape"], cv["median_ape"],
            cv["p90_ape"], cv["within_10pct"], cv["bias"], cv["n"]) +
            ((" %.2f |" % cv["nested"]["mape"] if "nested" in cv else " n/a |") if nested else ""))
    folds = {(m["cv"]["folds"], m["cv"]["seed"]) for m in library["models"]}
    out.append("")
    out.append("Cross-validation: %s." % "; ".join("%d folds, seed %d" % f for f in sorted(folds)))
    return "\n".join(out)


def plot(library, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        # The table is already printed: only the chart is missing.
        print("flydel_library_report: matplotlib is not installed for %s: %s not written (Debian's /usr/bin/python3 "
              "has it: python3-matplotlib)" % (sys.executable, path), file=sys.stderr)
        return
    labels = ["%s %s" % (m["device"], m["kpi"]) for m in library["models"]]
    mape = [m["cv"]["mape"] for m in library["models"]]
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(labels) + 1))
    ax.barh(labels, mape)
    ax.invert_yaxis()
    ax.set_xlabel("10-fold CV MAPE (%)")
    ax.set_title("flydels of %s" % library["platform"]["name"])
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("library")
    ap.add_argument("--plot")
    args = ap.parse_args()
    library = load(args.library)
    print(markdown(library))
    if args.plot:
        plot(library, args.plot)


if __name__ == "__main__":
    main()
