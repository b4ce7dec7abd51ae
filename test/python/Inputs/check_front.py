"""Checks a flydel_pareto.py CSV against the definition of the front: every 'yes' point is dominated by no complete
point, every complete 'no' point is dominated by a 'yes' point, incomplete and infeasible points are '-'.
With --proven, also that every point a solve found was proven optimal by each solve that found it.

usage: check_front.py FRONT.csv [--proven]"""
import csv
import sys

rows = list(csv.DictReader(l for l in open(sys.argv[1]) if not l.startswith("#")))
if "--proven" in sys.argv[2:]:
    found = [r for r in rows if r["proven"] != "-"]
    if not found:
        sys.exit("no point was found by a solve")
    for r in found:
        if r["proven"] != "yes":
            sys.exit("point %s (found by %s) is not proven optimal: %s" % (r["id"], r["found_by"], r["proven"]))
    print("all %d points found by a solve are proven optimal" % len(found))
pts = [(r["id"], float(r["latency_ms"]), float(r["energy_mj"]), r["pareto"]) for r in rows
       if r["status"] == "complete"]


def dominates(q, p):
    return q[1] <= p[1] and q[2] <= p[2] and (q[1] < p[1] or q[2] < p[2])


for p in pts:
    if p[3] == "yes" and any(dominates(q, p) for q in pts):
        sys.exit("front point %s is dominated" % p[0])
    if p[3] == "no" and not any(dominates(q, p) for q in pts if q[3] == "yes"):
        sys.exit("point %s is marked dominated but no front point dominates it" % p[0])
    if p[3] not in ("yes", "no"):
        sys.exit("complete point %s has pareto '%s'" % (p[0], p[3]))
for r in rows:
    if r["status"] != "complete" and r["pareto"] != "-":
        sys.exit("incomplete or infeasible point %s is on or off the front: %s" % (r["id"], r["pareto"]))
print("front ok: %d complete points, %d on the front, %d incomplete or infeasible" % (
    len(pts), sum(p[3] == "yes" for p in pts), len(rows) - len(pts)))
