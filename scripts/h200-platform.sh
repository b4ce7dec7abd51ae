#!/usr/bin/env bash
# The NVIDIA H200 platform library from the measurements in ../shared/data/h200 (README there): import them into
# campaign tables (python/flydel_import.py h200), identify platforms/gpu-nvidia-h200/gpu.json from its spec, and
# validate it on the real layers of the 8 CNNs measured there. Regenerates everything the platform directory holds
# but its spec and README; test/python/h200-platform.test checks the committed files are what this computes.
#
#   scripts/h200-platform.sh [OUT]      OUT: platforms/gpu-nvidia-h200 (default); a test writes elsewhere
#
# Environment: SHARED (../shared beside the checkout), BUILD (build), PY (/usr/bin/python3).
# Writes OUT/gpu.json, OUT/results/ (layers against the lowest of runs a and b, the project's rule: summary.md,
# summary.json, gpu-torch-layers.csv) and OUT/results/run-a/ (the same against layers.csv alone, as measured).
# About 10 s on 2 cores.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$ROOT/platforms/gpu-nvidia-h200}
SHARED=${SHARED:-$ROOT/../shared}
BUILD=${BUILD:-$ROOT/build}
PY=${PY:-/usr/bin/python3}
SRC=$SHARED/data/h200
[ -f "$SRC/excitation.csv" ] || { echo "h200-platform.sh: no $SRC/excitation.csv (the reference data beside the checkout)" >&2; exit 1; }
[ -x "$BUILD/bin/flydel-identify" ] || { echo "h200-platform.sh: no $BUILD/bin/flydel-identify: build first (scripts/build.sh)" >&2; exit 1; }
SPEC=$ROOT/platforms/gpu-nvidia-h200/gpu.spec.json
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"
$PY "$ROOT/python/flydel_import.py" h200 "$SRC" "$WORK" >&2
"$BUILD/bin/flydel-identify" --spec "$SPEC" --data-dir "$WORK/excitation" -o "$WORK/gpu.json"
# The layers a placement decision turns on: above 50 us, where the retest noise is 2.3 % (README of the data).
validate() { # DIR OUT
  $PY "$ROOT/python/flydel_validate.py" validate --library "$WORK/gpu.json" --identify "$BUILD/bin/flydel-identify" \
    --validation-dir "$1" --out "$2" --large-ms 0.05 > /dev/null
}
validate "$WORK/validation" "$WORK/results"
mkdir -p "$WORK/validation-a"
for f in "$WORK"/validation/*; do case $f in *-b.csv) ;; *) cp "$f" "$WORK/validation-a/" ;; esac; done
validate "$WORK/validation-a" "$WORK/results/run-a"
# The summaries name the library they validated: the committed one, wherever this ran.
for s in "$WORK/results/summary.json" "$WORK/results/run-a/summary.json"; do
  sed -i "s|\"library\": \"[^\"]*\"|\"library\": \"platforms/gpu-nvidia-h200/gpu.json\"|" "$s"
done
rm -rf "$OUT/results"
mv "$WORK/results" "$OUT/results"
mv "$WORK/gpu.json" "$OUT/gpu.json"
if $PY -c "import matplotlib" 2> /dev/null; then
  $PY "$ROOT/python/flydel_plots.py" scatter "$OUT/results/gpu-torch-layers.csv" -o "$OUT/results/scatter.png" > /dev/null
else
  echo "h200-platform.sh: no matplotlib for $PY: plot not drawn" >&2
fi
cat "$OUT/results/summary.md"
