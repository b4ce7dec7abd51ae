# Shared by the campaigns (scripts/host-campaign.sh, scripts/gpu-campaign.sh); sourced, not run. Expects BIN, PY,
# ROOT and a log function.

# Models with a dynamic batch or image size get the static input shape they are used with.
shape_of() {
  case "$1" in
    mlperftiny_v0.7_alibaba_ic) echo "--input-shape actual_input_1=1x3x32x32" ;;
    paddleocr_ch_ppocr_mobile_v2.0_cls_infer) echo "--input-shape x=1x3x48x192" ;;
  esac
}

# validation_plans OUT MODELS OPS...: the distinct layers of the given op kinds of each real model in MODELS
# (imported with flydel-translate) in OUT/validation/<model>.layers.csv, every op with a layer descriptor in
# <model>.ops.csv (what --annotate-kpis sums into a function's kpi_totals, for the end-to-end comparison), and per op
# kind one plan of its distinct layers across models in OUT/plans/validation-<op>.csv (a layer shared by two models
# is measured once). QUICK=1 keeps six layers per plan.
validation_plans() {
  local out=$1 models=$2 m name op
  shift 2
  local ops="$*"
  mkdir -p "$out/validation" "$out/plans"
  for m in "$models"/*.onnx; do
    [ -e "$m" ] || { log "no ONNX model in $models"; return 1; }
    name=$(basename "$m" .onnx)
    # shellcheck disable=SC2046
    "$BIN/flydel-translate" --import-onnx --elide-weights $(shape_of "$name") "$m" -o "$out/validation/$name.mlir" \
      2>/dev/null || { log "skip $name: import failed"; continue; }
    "$BIN/flydel-measure" extract "$out/validation/$name.mlir" --ops "${ops// /,}" \
      -o "$out/validation/$name.layers.csv" || log "skip $name: no ${ops// /, } layer"
    "$BIN/flydel-measure" extract "$out/validation/$name.mlir" -o "$out/validation/$name.ops.csv" ||
      log "skip $name: no layer"
    rm -f "$out/validation/$name.mlir"
  done
  for op in $ops; do
    $PY "$ROOT/python/flydel_validate.py" merge-plans "$out"/validation/*.layers.csv --op "$op" \
      -o "$out/plans/validation-$op.csv"
    if [ "${QUICK:-0}" = 1 ]; then
      $PY - "$out/plans/validation-$op.csv" <<'PYEOF'
import sys
lines = open(sys.argv[1]).read().splitlines()
data = [l for l in lines if l and not l.startswith('#')]
open(sys.argv[1], 'w').write('\n'.join([l for l in lines if l.startswith('#')] + data[:6]) + '\n')
PYEOF
    fi
  done
}
