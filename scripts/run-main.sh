#!/usr/bin/env bash
# The README's first command: installs what is missing, builds, and runs the main job: the bundled example CNN
# (examples/small-resnet.txtpb, ONNX protobuf text) is encoded, imported to TOSA, annotated with the KPIs the
# embedded default platform (tx2-c10gx) predicts for every op and device, and reported per layer.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh flydel-opt flydel-translate
BUILD_DIR=${FLYDEL_BUILD_DIR:-build}
OUT="$BUILD_DIR/examples"
mkdir -p "$OUT"
protoc --encode=onnx.ModelProto -I/usr/include /usr/include/onnx/onnx.proto \
  < examples/small-resnet.txtpb > "$OUT/small-resnet.onnx"
"$BUILD_DIR/bin/flydel-translate" --import-onnx "$OUT/small-resnet.onnx" -o "$OUT/small-resnet.mlir"
# The diagnostics (one summary per function: ops without a model, extrapolated ones) go to
# $OUT/small-resnet.diagnostics.txt; the report to stdout.
"$BUILD_DIR/bin/flydel-opt" "$OUT/small-resnet.mlir" --annotate-kpis --flydel-kpi-report \
  --mlir-print-op-on-diagnostic=false --mlir-print-debuginfo \
  -o "$OUT/small-resnet.annotated.mlir" 2> "$OUT/small-resnet.diagnostics.txt"
echo
echo "annotated IR: $OUT/small-resnet.annotated.mlir"
echo "diagnostics:  $OUT/small-resnet.diagnostics.txt (one summary per function; --annotate-kpis=\"diagnostics=per-op\" lists every op)"
