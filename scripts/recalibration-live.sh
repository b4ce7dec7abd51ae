#!/usr/bin/env bash
# Recalibration against re-identification, measured on this machine today (docs/recalibration.md, issue 22's
# validation): host-amd's committed library on its cpu-onednn convolutions, (a) recalibrated from PROBES (20) probe
# layers chosen from its excitation plans, (b) re-identified from the whole convolution excitation measured today,
# both scored on the real conv2d layers of the validation plan measured today (two runs: the lowest of the two per
# layer, and run b against run a as the noise floor). With EARLIER (a directory this script measured on another
# day, on another machine), the same for a second source library: those two models identified from EARLIER's
# excitation, with probes of its own choosing.
#
#   scripts/recalibration-live.sh measure DIR [EARLIER]
#                                               measures into DIR (resumable; minutes, keep the machine quiet):
#                                               probes, validation runs a and b, the excitation; the measuring time
#                                               of each path goes to DIR/times.txt
#   scripts/recalibration-live.sh score DIR [EARLIER] [--doc SECTION]
#                                               from the tables only: recalibrates, re-identifies, scores, prints a
#                                               Markdown table (with --doc, writes it into docs/recalibration.md
#                                               between the SECTION markers)
#
# Environment: BUILD (default build), PROBES (20).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BUILD:-$ROOT/build}/bin
H=$ROOT/platforms/host-amd
if [ $# -lt 2 ]; then
  sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
MODE=$1 DIR=$(mkdir -p "$2" && cd "$2" && pwd)
shift 2
EARLIER="" DOC_SECTION=""
while [ $# -gt 0 ]; do
  case $1 in
    --doc) DOC_SECTION=${2:?--doc needs a section name}; shift 2 ;;
    *) [ -z "$EARLIER" ] && [ -d "$1" ] || { echo "recalibration-live.sh: unexpected '$1'" >&2; exit 2; }
       EARLIER=$(cd "$1" && pwd); shift ;;
  esac
done
log() { echo "[recalibration-live $(date +%H:%M:%S)] $*" >&2; }
# The training tables of host-amd's two cpu-onednn convolution models (host.spec.json).
EXCITATION="conv2d conv2d-aligned smallmap depthwise depthwise-aligned"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# identify_day DATADIR OUT: host.spec.json's two cpu-onednn convolution models identified from DATADIR's tables.
identify_day() {
  cat > "$TMP/spec.json" <<JSON
{
  "schema": "flydel-platform-spec", "schema_version": 1,
  "platform": {"name": "host", "description": "host-amd's cpu-onednn convolutions identified from $(basename "$1")"},
  "data_dir": "$1", "structure": "physics", "extra_pools": ["cpu"],
  "cv": {"folds": 10, "seed": 1, "max_params": 16},
  "devices": [{"name": "cpu-onednn", "kind": "cpu", "description": "oneDNN, 1 thread", "tables": [
    {"file": ["cpu-onednn-conv2d.csv", "cpu-onednn-conv2d-aligned.csv", "cpu-onednn-smallmap.csv"],
     "op": "conv2d", "variant": "dense", "dtype": "f32", "kpis": {"latency_ms": "ms"}},
    {"file": ["cpu-onednn-conv2d.csv", "cpu-onednn-depthwise.csv", "cpu-onednn-depthwise-aligned.csv",
              "cpu-onednn-smallmap.csv"],
     "op": "conv2d", "variant": "depthwise", "dtype": "f32", "kpis": {"latency_ms": "ms"}}]}]
}
JSON
  "$BIN/flydel-identify" --spec "$TMP/spec.json" -o "$2" --quiet
}
EARLIER_TAG=""
if [ -n "$EARLIER" ]; then
  EARLIER_TAG=$(basename "$EARLIER")
  identify_day "$EARLIER" "$TMP/earlier.json"
fi

if [ "$MODE" = measure ]; then
  # The host campaign's measurement settings (scripts/host-campaign.sh: the excitation in up to 3 passes, each
  # validation run in one), so today's tables compare with its own; the probes as scripts/recalibrate.sh measures
  # them (up to 3 passes).
  M="$BIN/flydel-measure --backend cpu-onednn --min-time 0.05 --warmup 0.01 --min-samples 3 --max-samples 50"
  timed() {  # NAME COMMAND...: runs it, appends "NAME SECONDS" to times.txt (a resumed step adds its new time)
    local name=$1 start
    shift
    start=$(date +%s.%N)
    "$@"
    echo "$name $(echo "$(date +%s.%N) - $start" | bc)" >> "$DIR/times.txt"
  }
  from=()
  for plan in $EXCITATION; do from+=(--from "$H/plans/$plan.csv"); done
  [ -f "$DIR/probes-plan.csv" ] ||
    "$BIN/flydel-identify" --choose-probes "$H/host.json" --device cpu-onednn "${from[@]}" \
      --count "${PROBES:-20}" -o "$DIR/probes-plan.csv"
  log "probes; $(uptime | sed 's/.*load/load/')"
  timed probes $M --passes 3 --agree 5 --plan "$DIR/probes-plan.csv" -o "$DIR/probes.csv"
  if [ -n "$EARLIER" ]; then
    [ -f "$DIR/probes-plan-$EARLIER_TAG.csv" ] ||
      "$BIN/flydel-identify" --choose-probes "$TMP/earlier.json" --device cpu-onednn "${from[@]}" \
        --count "${PROBES:-20}" -o "$DIR/probes-plan-$EARLIER_TAG.csv"
    timed "probes-$EARLIER_TAG" $M --passes 3 --agree 5 --plan "$DIR/probes-plan-$EARLIER_TAG.csv" \
      -o "$DIR/probes-$EARLIER_TAG.csv"
  fi
  log "validation run a"
  timed validation-a $M --plan "$H/plans/validation-conv2d.csv" -o "$DIR/validation-conv2d-a.csv"
  for plan in $EXCITATION; do
    log "excitation $plan; $(uptime | sed 's/.*load/load/')"
    timed "excitation-$plan" $M --passes 3 --agree 5 --plan "$H/plans/$plan.csv" -o "$DIR/cpu-onednn-$plan.csv"
  done
  log "validation run b"
  timed validation-b $M --plan "$H/plans/validation-conv2d.csv" -o "$DIR/validation-conv2d-b.csv"
  log "done: $DIR/times.txt"
  cat "$DIR/times.txt"
  exit 0
fi

[ "$MODE" = score ] || { echo "recalibration-live.sh: unknown mode '$MODE' (measure or score)" >&2; exit 2; }
for f in probes.csv validation-conv2d-a.csv validation-conv2d-b.csv times.txt; do
  [ -f "$DIR/$f" ] || { echo "recalibration-live.sh: $DIR/$f is missing (run the measure step first)" >&2; exit 1; }
done
[ -z "$EARLIER" ] || [ -f "$DIR/probes-$EARLIER_TAG.csv" ] ||
  { echo "recalibration-live.sh: $DIR/probes-$EARLIER_TAG.csv is missing (run the measure step with $EARLIER)" >&2
    exit 1; }
PY=/usr/bin/python3
$PY "$ROOT/python/flydel_validate.py" combine "$DIR/validation-conv2d-a.csv" "$DIR/validation-conv2d-b.csv" \
  -o "$TMP/validation.csv" > /dev/null
"$BIN/flydel-identify" --recalibrate "$H/host.json" --device cpu-onednn --probes "$DIR/probes.csv" \
  -o "$TMP/recalibrated.json" > "$TMP/recalibrate.txt"
[ -z "$EARLIER" ] ||
  "$BIN/flydel-identify" --recalibrate "$TMP/earlier.json" --device cpu-onednn \
    --probes "$DIR/probes-$EARLIER_TAG.csv" -o "$TMP/earlier-recalibrated.json" > "$TMP/earlier-recalibrate.txt"
identify_day "$DIR" "$TMP/reidentified.json"
# One figure per library: the --drift report of the validation layers (MAPE per model and over all).
score() {  # LIB TABLE NAME MEASURING (--drift exits 3 on a drifted library: expected here)
  { "$BIN/flydel-identify" --drift "$1" --device cpu-onednn --probes "$2" || [ $? = 3 ]; } |
    awk -v name="$3" -v time="$4" '
      $2 == "conv2d/dense" { dense = $6 } $2 == "conv2d/depthwise" { dw = $6 }
      $2 == "all" { n = $4; all = $7; ratio = $5 }
      END { printf "| %s | %s | %d | %.2f | %.2f | %.2f | %.3f |\n", name, time, n, dense, dw, all, ratio }'
}
decisions() {  # TITLE REPORT: a --recalibrate report's decisions, as a titled block
  printf '\n%s\n\n```\n' "$1"
  sed -n '2,$p' "$2" | grep -v '^wrote'
  echo '```'
}
secs() { awk -v re="$1" '$1 ~ re { s += $2 } END { printf "%.0f s", s }' "$DIR/times.txt"; }
rows() { grep -vc '^#' "$1" | awk '{ print $1 - 1 }'; }
excitation_rows=0
for plan in $EXCITATION; do excitation_rows=$((excitation_rows + $(rows "$DIR/cpu-onednn-$plan.csv"))); done
{
  echo "| library (cpu-onednn, conv2d) | measured today | layers | MAPE dense % | MAPE depthwise % | MAPE all % | median ratio |"
  echo "|---|--:|--:|--:|--:|--:|--:|"
  score "$H/host.json" "$TMP/validation.csv" "as committed (measured 2026-11-27)" "none"
  score "$TMP/recalibrated.json" "$TMP/validation.csv" "recalibrated from $(rows "$DIR/probes.csv") probes" \
    "$(rows "$DIR/probes.csv") layers, $(secs '^probes$')"
  if [ -n "$EARLIER" ]; then
    score "$TMP/earlier.json" "$TMP/validation.csv" "identified on the machine of $EARLIER_TAG" "none"
    score "$TMP/earlier-recalibrated.json" "$TMP/validation.csv" \
      "$EARLIER_TAG's, recalibrated from $(rows "$DIR/probes-$EARLIER_TAG.csv") probes" \
      "$(rows "$DIR/probes-$EARLIER_TAG.csv") layers, $(secs "^probes-$EARLIER_TAG\$")"
  fi
  score "$TMP/reidentified.json" "$TMP/validation.csv" "re-identified from the excitation" \
    "$excitation_rows layers, $(secs '^excitation-')"
  echo
  $PY - "$DIR/validation-conv2d-a.csv" "$DIR/validation-conv2d-b.csv" "$(secs '^validation-')" <<'PY'
import csv, statistics, sys
def table(path):
    rows = [l for l in open(path) if not l.startswith('#')]
    header = rows[0].rstrip('\n').split(',')
    width, kpi = header.index('dtype') + 1, header.index('latency_ms')
    return {tuple(r.split(',')[:width]): float(r.split(',')[kpi]) for r in rows[1:]}
a, b = table(sys.argv[1]), table(sys.argv[2])
common = [k for k in a if k in b]
errs = [abs(b[k] - a[k]) / a[k] * 100 for k in common]
ratio = statistics.median(b[k] / a[k] for k in common)
print(f"Noise floor: validation run b against run a ({sys.argv[3]} for both runs of {len(common)} layers): "
      f"MAPE {statistics.fmean(errs):.2f} %, median {statistics.median(errs):.2f} %, median ratio b/a {ratio:.3f}.")
PY
  decisions "Decisions on the probes (leave-one-out on them):" "$TMP/recalibrate.txt"
  [ -z "$EARLIER" ] || decisions \
    "Decisions on the probes of the library identified on the machine of $EARLIER_TAG:" "$TMP/earlier-recalibrate.txt"
} > "$TMP/table.md"
if [ -n "$DOC_SECTION" ]; then
  DOC=$ROOT/docs/recalibration.md
  . "$ROOT/scripts/doc-section.sh"
  replace_doc_section "$DOC" "$DOC_SECTION" "$TMP/table.md"
  echo "recalibration-live.sh: $DOC regenerated" >&2
else
  cat "$TMP/table.md"
fi
