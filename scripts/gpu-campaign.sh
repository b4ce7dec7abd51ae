#!/usr/bin/env bash
# A GPU platform library from one campaign on a CUDA machine (docs/measurement.md, "A GPU campaign"): plans made
# here, measured there with python/measure_gpu_torch.py (PyTorch, cuDNN; NVML energy), identified and validated here.
# The GPU machine needs only python3 with PyTorch (pynvml for energy) and this repository's python/ and DIR.
#
#   scripts/gpu-campaign.sh prepare  DIR   here (a built tree and ../shared/models/onnx): excitation and validation
#                                          plans in DIR/plans, the models' layers in DIR/validation
#   scripts/gpu-campaign.sh measure  DIR   on the GPU machine: latency of every plan, validation runs a and b, then
#                                          energy of a subset, into DIR/excitation and DIR/validation; stops at
#                                          DEADLINE seconds (default 420) with complete rows, and a re-run resumes
#   scripts/gpu-campaign.sh identify DIR   here: DIR/gpu.spec.json, DIR/gpu.json (platform "gpu-<gpu name>", one
#                                          device "gpu-torch"), DIR/results (flydel_validate.py validate)
#
# Environment: DEVICE (cuda:0; cpu runs the same path on the CPU, a test of the scripts, not a GPU library),
# DEADLINE (measure: seconds, default 420), QUICK=1 (a few layers per plan), N_CONV (300), N_DW (150), N_OTHER
# (60), N_SMALL (60), N_FC (40), N_TINY (40), N_ENERGY (conv2d excitation layers with energy, 40; and 30 validation
# convolutions), ENERGY_WINDOW (seconds of launches per energy reading, 2), BUILD, MODELS (prepare), PY (python3
# with torch: measure; /usr/bin/python3 here).
#
# Budget on a lent H200 (unmeasured: no GPU has run it yet): about 900 excitation and 2 x 208 validation layers at
# about 0.1-0.3 s each (warm-up, cudnn.benchmark's search, 0.05 s of samples) is 3-5 minutes; energy, ENERGY_WINDOW
# and a warm-up per layer for 70 layers, about 3 more. Energy gets what DEADLINE leaves; a second call resumes.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
usage() { sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//'; exit "${1:-2}"; }
[ $# = 2 ] || usage
PHASE=$1
DIR=$2
BUILD=${BUILD:-$ROOT/build}
BIN=$BUILD/bin
MODELS=${MODELS:-$ROOT/../shared/models/onnx}
DEVICE=${DEVICE:-cuda:0}
DEADLINE=${DEADLINE:-420}
N_CONV=${N_CONV:-300}
N_DW=${N_DW:-150}
N_OTHER=${N_OTHER:-60}
N_SMALL=${N_SMALL:-60}
N_FC=${N_FC:-40}
N_TINY=${N_TINY:-40}
N_ENERGY=${N_ENERGY:-40}
ENERGY_WINDOW=${ENERGY_WINDOW:-2}
# QUICK: enough rows per table for 10-fold cross-validation.
if [ "${QUICK:-0}" = 1 ]; then N_CONV=16; N_DW=12; N_OTHER=12; N_SMALL=6; N_FC=8; N_TINY=4; N_ENERGY=12; fi
case $DEADLINE in ''|*[!0-9]*) echo "gpu-campaign.sh: DEADLINE must be whole seconds, not '$DEADLINE'" >&2; exit 2 ;; esac
# A table with fewer rows cannot be cross-validated (10 folds): left out, and said, rather than failing identify.
MIN_ROWS=10
log() { echo "[gpu-campaign $(date +%H:%M:%S)] $*" >&2; }
VALIDATED="conv2d pool2d matmul"
DESIGNS="conv2d depthwise smallmap pool2d pool2d-global matmul fc fc-tiny elementwise data_movement"

case $PHASE in
prepare)
  PY=${PY:-/usr/bin/python3}
  [ -x "$BIN/flydel-measure" ] || { log "no $BIN/flydel-measure: build first (scripts/build.sh)"; exit 1; }
  # The host campaign's designs (scripts/host-campaign.sh says why each exists), with the MAC caps that kept
  # cpu-mlir's naive loops under a second raised to cover VGG-16's largest convolutions (1.85 G MACs). The
  # channel-aligned designs are planned but not measured: they are oneDNN's remedy, and cuDNN picks its kernels per
  # shape.
  # shellcheck source=campaign-common.sh
  . "$ROOT/scripts/campaign-common.sh"
  excitation_plans "$DIR" 4e9 1.5e9
  # Energy: the first N_ENERGY conv2d layers (LHS rows come in random order), each over seconds of launches.
  awk -v n="$N_ENERGY" '/^#/ { print; next } rows++ <= n' "$DIR/plans/conv2d.csv" > "$DIR/plans/conv2d-energy.csv"
  # shellcheck disable=SC2086
  validation_plans "$DIR" "$MODELS" $VALIDATED
  # ... and 30 of the validation convolutions, every k-th of the plan (which runs model by model, small to large).
  awk '/^#/ { print; next } { rows[n++] = $0 } END { print rows[0]; m = n - 1 < 30 ? n - 1 : 30;
       for (j = 0; j < m; j++) print rows[1 + int(j * (n - 1) / m)] }' "$DIR/plans/validation-conv2d.csv" \
    > "$DIR/plans/validation-conv2d-energy.csv"
  # Every plan checked now, not on the GPU machine: a bad one would end the measure phase before its first layer.
  checks=()
  for f in "$DIR"/plans/*.csv; do checks+=(--plan "$f" -o "$f.check"); done
  $PY "$ROOT/python/measure_gpu_torch.py" --dry-run "${checks[@]}" > /dev/null
  log "plans in $DIR/plans; next, on the GPU machine: scripts/gpu-campaign.sh measure $DIR"
  ;;

measure)
  PY=${PY:-python3}
  [ -s "$DIR/plans/validation-conv2d.csv" ] || { log "$DIR/plans: run 'prepare' first (here, not on the GPU)"; exit 1; }
  mkdir -p "$DIR/excitation" "$DIR/validation"
  start=$SECONDS
  # Two processes (one CUDA start-up each), in the order a campaign cut short by DEADLINE still gets a library and
  # its noise floor from: validation run a, every design's latency, run b; then energy, which needs long windows.
  jobs=()
  for op in $VALIDATED; do jobs+=(--plan "$DIR/plans/validation-$op.csv" -o "$DIR/validation/gpu-torch-$op-a.csv"); done
  for op in $DESIGNS; do jobs+=(--plan "$DIR/plans/$op.csv" -o "$DIR/excitation/gpu-torch-$op.csv"); done
  for op in $VALIDATED; do jobs+=(--plan "$DIR/plans/validation-$op.csv" -o "$DIR/validation/gpu-torch-$op-b.csv"); done
  T="$PY $ROOT/python/measure_gpu_torch.py --device $DEVICE --min-time 0.05 --warmup 0.02 --min-samples 5"
  log "latency: $((${#jobs[@]} / 4)) tables, deadline $DEADLINE s"
  # A layer that fails is reported and skipped by the script (exit status 1): the energy step still runs.
  $T --deadline "$DEADLINE" --energy-window 0 "${jobs[@]}" || log "latency: some layers not measured (above)"
  left=$((DEADLINE - (SECONDS - start)))
  if [ "$left" -gt 30 ]; then # importing torch and the idle baseline alone take ~10 s
    log "energy: $ENERGY_WINDOW s windows, $left s left"
    $T --deadline "$left" --energy-window "$ENERGY_WINDOW" \
      --plan "$DIR/plans/conv2d-energy.csv" -o "$DIR/excitation/gpu-torch-conv2d-energy.csv" \
      --plan "$DIR/plans/validation-conv2d-energy.csv" -o "$DIR/validation/gpu-torch-conv2d-energy.csv" ||
      log "energy: some layers not measured (above)"
  else
    log "deadline: energy not measured; re-run to resume"
  fi
  log "measured in $((SECONDS - start)) s; next, here: scripts/gpu-campaign.sh identify $DIR"
  ;;

identify)
  PY=${PY:-/usr/bin/python3}
  first=""
  for f in "$DIR"/excitation/gpu-torch-*.csv; do [ -s "$f" ] && { first=$f; break; }; done
  [ -n "$first" ] || { log "$DIR/excitation: no gpu-torch measurements; run 'measure' on the GPU machine"; exit 1; }
  # The platform is named after the device its measurements name (provenance header of the measure phase).
  gpu=$(sed -n 's/^# gpu: \([^;]*\);.*/\1/p; s/^# device: \(cpu\) .*/\1/p' "$first" | head -1)
  backend=$(sed -n 's/^# backend: //p' "$first" | head -1)
  slug=$(echo "${gpu:-unknown}" | tr 'A-Z' 'a-z' | sed 's/[^a-z0-9]\{1,\}/-/g; s/^-//; s/-$//')
  name="gpu-$slug" kind=gpu
  # DEVICE=cpu: the scripts' test, not a platform anyone should mistake for a GPU's.
  [ "$gpu" = cpu ] && { name=torch-cpu-test; kind=cpu; gpu="the CPU (DEVICE=cpu: a test of the GPU campaign)"; }
  # Only the designs measured so far train (a deadline may have cut the campaign short); a missing one is named.
  sep=""
  rows() { # KPI FILE...: rows with a positive KPI value (what identification trains on) in the tables given
    PYTHONPATH="$ROOT/python" $PY -c 'import sys, flydel_validate as fv
print(sum(float(r.get(sys.argv[1]) or 0) > 0 for path in sys.argv[2:] for r in fv.read_csv(path)[1]))' "$@"
  }
  table() { # OP VARIANT KPI UNIT FILES...: a spec table of the files measured so far, if they are enough
    local op=$1 variant=$2 kpi=$3 unit=$4 files="" paths=() f n
    shift 4
    for f in "$@"; do
      if [ -s "$DIR/excitation/$f.csv" ]; then files="$files\"$f.csv\", "; paths+=("$DIR/excitation/$f.csv")
      else log "not measured: $f"; fi
    done
    [ -n "$files" ] || return 0
    n=$(rows "$kpi" "${paths[@]}")
    # A variant's share of mixed tables is not counted here: identify says so if it is too small.
    if [ "$n" -lt "$MIN_ROWS" ]; then log "left out: $op ${variant:+$variant }$kpi ($n rows)"; return 0; fi
    printf '      %s{"file": [%s], "op": "%s"%s, "dtype": "f32", "kpis": {"%s": "%s"}}\n' "$sep" "${files%, }" "$op" \
      "${variant:+, \"variant\": \"$variant\"}" "$kpi" "$unit"
    sep=","
  }
  # conv2d: cuDNN runs depthwise layers through their own kernels (as oneDNN does), so each variant gets a model.
  tables=$(
    table conv2d dense latency_ms ms gpu-torch-conv2d gpu-torch-smallmap
    table conv2d depthwise latency_ms ms gpu-torch-conv2d gpu-torch-depthwise gpu-torch-smallmap
    table pool2d "" latency_ms ms gpu-torch-pool2d gpu-torch-pool2d-global
    table matmul "" latency_ms ms gpu-torch-matmul gpu-torch-fc gpu-torch-fc-tiny
    table elementwise "" latency_ms ms gpu-torch-elementwise
    table data_movement "" latency_ms ms gpu-torch-data_movement
    table conv2d dense energy_j J gpu-torch-conv2d-energy
  )
  [ -n "$tables" ] || { log "no table has $MIN_ROWS measured rows: nothing to identify"; exit 1; }
  case $tables in *energy_j*) ;; *) log "no energy model (too few readings): the library has latency only" ;; esac
  cat > "$DIR/gpu.spec.json" <<JSON
{
  "schema": "flydel-platform-spec",
  "schema_version": 1,
  "platform": {"name": "$name", "description": "${gpu:-unknown device} measured by python/measure_gpu_torch.py (scripts/gpu-campaign.sh): $backend; f32, batch 1"},
  "data_dir": "excitation",
  "structure": "auto",
  "cv": {"folds": 10, "seed": 1, "max_params": 16},
  "devices": [
    {"name": "gpu-torch", "kind": "$kind", "description": "${gpu:-unknown device} through PyTorch eager ops (cuDNN, cuBLAS)", "tables": [
$tables
    ]}
  ]
}
JSON
  log "identify: platform $name"
  "$BIN/flydel-identify" --spec "$DIR/gpu.spec.json" -o "$DIR/gpu.json" --quiet
  $PY "$ROOT/python/flydel_validate.py" validate --library "$DIR/gpu.json" --identify "$BIN/flydel-identify" \
    --validation-dir "$DIR/validation" --out "$DIR/results"
  log "done: $DIR/gpu.json, results in $DIR/results"
  ;;
*) usage ;;
esac
