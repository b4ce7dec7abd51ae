#!/usr/bin/env bash
# The sample-efficiency study of the host library (docs/experiments/sample-efficiency.md): for each op kind and
# backend of SPEC, fits on random subsets of n excitation points (10 seeds) with the spec's own settings and
# evaluates on the held-out rows and on the real-model validation layers (conv2d, pool2d and matmul where the
# validation dir holds them). Uses only the committed measurements (no timing is run); about 2 minutes on one core.
#
#   scripts/sample-efficiency.sh [SPEC] [OUT_DIR] [PLOT]
#     defaults: platforms/host-amd/host.spec.json docs/measurement/sample-efficiency docs/measurement/sample-efficiency.png
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SPEC=${1:-$ROOT/platforms/host-amd/host.spec.json}
OUT=${2:-$ROOT/docs/measurement/sample-efficiency}
PLOT=${3:-$ROOT/docs/measurement/sample-efficiency.png}
BUILD=${BUILD:-$ROOT/build}
nice /usr/bin/python3 "$ROOT/python/flydel_sample_efficiency.py" --spec "$SPEC" \
  --validation-dir "$(dirname "$SPEC")/validation" --identify "$BUILD/bin/flydel-identify" \
  --n 25,50,100,200,400 --seeds 10 --out "$OUT" -o "$PLOT"
