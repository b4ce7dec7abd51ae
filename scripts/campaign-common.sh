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

# excitation_plans OUT CONV_MAX_MACS MATMUL_MAX_MACS: the excitation designs of the campaigns in OUT/plans, sized by
# N_CONV, N_DW, N_SMALL, N_OTHER, N_FC and N_TINY; Latin hypercubes (log scale) over what real CNN layers use
# (docs/measurement.md): conv2d feature maps 3..230, 1..1024 input and 2..1280 output channels, kernels 1/3/5/7/11
# (1 and 3 weighted as real models use them), strides 1 and 2, 35 % depthwise and 40 % unpadded ("valid") layers,
# since a padded and an unpadded layer of the same size cost differently on cpu-mlir (the pad is a copy). Pools pad
# (kernel-1)/2 as models do. The MAC caps are the backend's: what one call may take.
excitation_plans() {
  local out=$1 conv_macs=$2 matmul_macs=$3
  mkdir -p "$out/plans"
  local P="$BIN/flydel-measure plan --design lhs --seed 1"
  $BIN/flydel-measure plan --design lhs --seed 7 --op conv2d --n "$N_CONV" --in-hw 3:230 --c-in 1:1024 --c-out 2:1280 \
     --kernel 1,1,3,3,3,5,7,11 --stride 1,2 --depthwise 0.35 --valid 0.4 --max-macs "$conv_macs" --min-macs 1e3 \
     --realistic --max-bytes 6.4e7 -o "$out/plans/conv2d.csv"
  # A depthwise-only excitation (depthwise layers are a third of a mobile CNN's and run their own kernels), and for
  # cpu-onednn a second dense and depthwise design whose channel counts are multiples of 8 as in real CNNs: oneDNN
  # runs whole 16-lane vectors, and a design of arbitrary counts alone over-predicts real layers by 10-20 %.
  $BIN/flydel-measure plan --design lhs --seed 21 --op conv2d --n "$N_DW" --in-hw 3:230 --c-in 8:1024 --c-out 8:1024 \
     --kernel 3,3,3,5,5,7 --stride 1,2 --depthwise 1 --valid 0.3 --max-macs "$conv_macs" --min-macs 1e3 --max-bytes 6.4e7 \
     --realistic -o "$out/plans/depthwise.csv"
  $BIN/flydel-measure plan --design lhs --seed 31 --op conv2d --n "$N_CONV" --in-hw 3:230 --c-in 1:1024 --c-out 2:1280 \
     --kernel 1,1,3,3,3,5,7,11 --stride 1,2 --valid 0.4 --channel-multiple 8 --max-macs "$conv_macs" --min-macs 1e3 \
     --realistic --max-bytes 6.4e7 -o "$out/plans/conv2d-aligned.csv"
  $BIN/flydel-measure plan --design lhs --seed 32 --op conv2d --n "$N_DW" --in-hw 3:230 --c-in 8:1024 --c-out 8:1024 \
     --kernel 3,3,3,5,5,7 --stride 1,2 --depthwise 1 --valid 0.3 --channel-multiple 8 --max-macs "$conv_macs" --min-macs 1e3 \
     --max-bytes 6.4e7 --realistic -o "$out/plans/depthwise-aligned.csv"
  # Small feature maps (1x1..8x8): the squeeze-and-excitation and classifier convolutions of real CNNs run on 1x1
  # maps, below the other designs' 3x3, where fixed costs dominate (the first campaigns flagged them as extrapolated).
  $BIN/flydel-measure plan --design lhs --seed 41 --op conv2d --n "$N_SMALL" --in-hw 1:8 --c-in 8:1024 --c-out 8:1280 \
     --kernel 1,1,1,3 --stride 1 --depthwise 0.2 --min-macs 64 --max-macs "$conv_macs" --realistic -o "$out/plans/smallmap.csv"
  # 1x1 windows too (a fifth): torchvision's adaptive pools are 1x1 on maps already of their output size, and cpu-mlir
  # runs them at ~1.1 ns per element where a 2x2 window on a large map costs ~12.
  $P --op pool2d --n "$N_OTHER" --in-hw 2:224 --c-in 3:1280 --kernel 1,2,2,3,3 --stride 1,2 --valid 0.4 --global 0.2 --pow2 0.3 \
     --max-bytes 6.4e7 -o "$out/plans/pool2d.csv"
  # oneDNN's AVX2 pooling runs about 35 % slower per output when the channels are not a multiple of 8 (a slower
  # path): half as many pools again with channel counts rounded to multiples of 8, as real CNNs have them.
  $BIN/flydel-measure plan --design lhs --seed 3 --op pool2d --n $((N_OTHER / 2)) --in-hw 2:224 --c-in 3:1280 --kernel 2,3 --stride 1,2 --valid 0.4 --global 0.2 --channel-multiple 8 --max-bytes 6.4e7 \
     -o "$out/plans/pool2d-aligned.csv"
  # Global pools as classifiers end (a 1x1 to 32x32 map, rectangular too, of up to 2048 channels, 40 % of them a
  # power of two): a window over the whole map walks memory at a stride of the channel count, which a power of two
  # maps into few cache sets (cpu-mlir: 7x7x512 ran 2.3x slower per element than 7x7x528), and the other designs'
  # global pools have large maps and few channels.
  $BIN/flydel-measure plan --design lhs --seed 61 --op pool2d --n "$N_OTHER" --in-hw 1:32 --c-in 8:2048 --global 1 --pow2 0.4 \
     -o "$out/plans/pool2d-global.csv"
  $P --op matmul --n "$N_OTHER" --rows 1:4096 --c-in 16:25088 --c-out 8:4096 --pow2 0.3 --max-macs "$matmul_macs" --max-bytes 6.4e7 \
     -o "$out/plans/matmul.csv"
  # Fully connected layers as CNNs end with them (batch 1: one row; oneDNN runs two to four rows with another, slower
  # kernel), with weights up to VGG-16's 411 MB that no cache holds: the general matmul design has few such points.
  # 40 % have power-of-two widths, as classifiers do (4096): cpu-mlir walks a weight column at that stride, which a
  # power of two maps into few cache sets (4096 x 1024: 7.9 ns per MAC against 4.7 at 1040 columns).
  $BIN/flydel-measure plan --design lhs --seed 51 --op matmul --n "$N_FC" --rows 1:1 --c-in 64:25088 --c-out 8:4096 --pow2 0.4 \
     --max-macs 1.1e8 --max-bytes 4.5e8 -o "$out/plans/fc.csv"
  # Classifier heads of small models (mlperftiny, keras: 2 to 12 outputs of 10 to 200 inputs, well under a
  # microsecond): below the other matmul designs' 8 outputs and 16 inputs, where fixed costs dominate.
  $BIN/flydel-measure plan --design lhs --seed 71 --op matmul --n "$N_TINY" --rows 1:1 --c-in 4:512 --c-out 2:64 \
     -o "$out/plans/fc-tiny.csv"
  $P --op elementwise --n "$N_OTHER" --in-hw 7:224 --c-in 3:512 --max-bytes 6.4e7 -o "$out/plans/elementwise.csv"
  $P --op data_movement --n "$N_OTHER" --in-hw 7:224 --c-in 3:512 --max-bytes 6.4e7 -o "$out/plans/data_movement.csv"
}
