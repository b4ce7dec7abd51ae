#!/usr/bin/env bash
# The hold-out figure of docs/recalibration.md, from committed data only: host-intel's library against its second
# validation run (166 real conv2d layers of 10 CNNs, cpu-onednn): 20 probes chosen from the validation plan by
# --choose-probes, the other 146 held out; the library as it stands, recalibrated with factors only, and with
# refits allowed, each scored on the held-out layers. Prints a Markdown table; with --doc, writes it into
# docs/recalibration.md between its markers (test/docs-recalibration.test checks the committed one).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BUILD:-$ROOT/build}/bin
H=$ROOT/platforms/host-intel
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
"$BIN/flydel-identify" --choose-probes "$H/host.json" --device cpu-onednn --from "$H/plans/validation-conv2d.csv" \
  --count 20 -o "$TMP/plan.csv" > /dev/null
/usr/bin/python3 - "$H/validation/cpu-onednn-conv2d-b.csv" "$TMP" <<'PY'
import sys
table, tmp = sys.argv[1], sys.argv[2]
lines = open(table).read().splitlines()
comments = [l for l in lines if l.startswith('#')]
data = [l for l in lines if not l.startswith('#')]
header, rows = data[0], data[1:]
width = header.split(',').index('dtype') + 1  # the layer columns
key = lambda line: tuple(line.split(',')[:width])
chosen = {key(l) for l in open(f'{tmp}/plan.csv').read().splitlines()[2:]}
open(f'{tmp}/probes.csv', 'w').write('\n'.join(comments + [header] + [r for r in rows if key(r) in chosen]) + '\n')
open(f'{tmp}/heldout.csv', 'w').write('\n'.join(comments + [header] + [r for r in rows if key(r) not in chosen]) + '\n')
PY
"$BIN/flydel-identify" --recalibrate "$H/host.json" --device cpu-onednn --probes "$TMP/probes.csv" --no-refit \
  -o "$TMP/factor.json" > /dev/null
"$BIN/flydel-identify" --recalibrate "$H/host.json" --device cpu-onednn --probes "$TMP/probes.csv" \
  -o "$TMP/refit.json" > "$TMP/refit.txt"
{
  echo "| library (cpu-onednn) | held-out layers | MAPE dense % | MAPE depthwise % | MAPE all % | median ratio |"
  echo "|---|--:|--:|--:|--:|--:|"
  for lib in "$H/host.json:as committed" "$TMP/factor.json:factors from 20 probes" \
             "$TMP/refit.json:factors or refits from 20 probes"; do
    "$BIN/flydel-identify" --drift "${lib%%:*}" --device cpu-onednn --probes "$TMP/heldout.csv" |
      awk -v name="${lib#*:}" '
        $2 == "conv2d/dense" { dense = $6 } $2 == "conv2d/depthwise" { dw = $6 }
        $2 == "all" { n = $4; all = $7; ratio = $5 }
        END { printf "| %s | %d | %.2f | %.2f | %.2f | %.3f |\n", name, n, dense, dw, all, ratio }'
  done
  echo
  echo "Decisions on the 20 probes (leave-one-out on them):"
  echo
  echo '```'
  sed -n '2,$p' "$TMP/refit.txt" | grep -v '^wrote'
  echo '```'
} > "$TMP/table.md"
if [ "${1:-}" = --doc ]; then
  DOC=$ROOT/docs/recalibration.md
  . "$ROOT/scripts/doc-section.sh"
  replace_doc_section "$DOC" recalibration-holdout "$TMP/table.md"
  echo "recalibration-holdout.sh: $DOC regenerated" >&2
else
  cat "$TMP/table.md"
fi
