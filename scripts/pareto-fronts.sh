#!/usr/bin/env bash
# Regenerates the Pareto fronts of device assignments in docs/assign-devices.md (python/flydel_pareto.py): real
# models of ../shared/models/onnx on the embedded tx2-c10gx platform, sequential and pipelined. Predictions only;
# a few seconds per model.
#
#   scripts/pareto-fronts.sh [OUT_DIR]        default: docs/assign-devices
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$ROOT/docs/assign-devices}
MODELS=${MODELS:-$ROOT/../shared/models/onnx}
BIN=${BUILD:-$ROOT/build}/bin
mkdir -p "$OUT"
for m in mlperftiny_v0.7_alibaba_vww mlperftiny_v0.7_alibaba_kws torchvision_mobilenet_v2_noweights \
         torchvision_resnet18_noweights; do
  for mode in sequential pipelined; do
    /usr/bin/python3 "$ROOT/python/flydel_pareto.py" "$MODELS/$m.onnx" --bin "$BIN" --mode $mode \
      --csv "$OUT/$m-$mode.csv" --markdown "$OUT/$m-$mode.md" -o "$OUT/$m-$mode.png" > /dev/null
  done
done
echo "written: $OUT"
