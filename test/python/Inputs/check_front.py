"""Checks a flydel_pareto.py CSV against the definition of the front: every 'yes' point is dominated by no complete
point, every complete 'no' point is dominated by a 'yes' point, incomplete and infeasible points are '-'."""
import csv
import sys

rows = list(csv.DictReader(l for l in open(sys.argv[1]) if not l.startswith("#")))
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
