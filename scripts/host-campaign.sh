#!/usr/bin/env bash
# The closed loop on this machine (docs/measurement.md): measure an excitation of every op kind on the cpu-mlir and
# cpu-onednn backends, identify a `host` platform library from it, and validate the library on the distinct conv2d,
# pool2d and matmul layers of the real models in ../shared/models/onnx measured on the same backends (in two runs,
# for the noise floor).
#
#   scripts/host-campaign.sh [OUT_DIR]   default: platforms/host-<cpu vendor>, e.g. platforms/host-intel, host-amd
#
# Environment: BUILD (default build), MODELS (default ../shared/models/onnx), N_CONV (300; cpu-mlir measures the first
# N_CONV_MLIR, 200, of them), N_DW (150), N_OTHER (60),
# N_SMALL (60), N_FC (40), N_TINY (40), PASSES (3) and AGREE (5 %: excitation passes, step 3), REPS (validation runs, default
# "a b"), QUICK=1 (a few layers per op kind, a smoke test of about a minute), STEPS (default "measure identify
# validate": a subset runs only those steps; "network" times each validation model end to end on cpu-mlir, REPS
# runs of five passes, about 10 minutes more on the AMD VM in its slow state, e.g. STEPS="network validate" after a campaign), PREFLIGHT=0 (skip the stability check before measuring), STRICT=1 (stop
# when it fails). About 12-13 minutes on the 2-core AMD VM of host-amd (measured before the
# global-pool and tiny-head designs, which add about a minute; the log gives each step's start). Everything is resumable: re-running skips what is measured. Needs
# ./scripts/setup.sh and a built tree.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
BIN=$BUILD/bin
MODELS=${MODELS:-$ROOT/../shared/models/onnx}
PY=/usr/bin/python3
cpu=$(sed -n 's/^model name\s*:\s*//p' /proc/cpuinfo | head -1 | tr 'A-Z' 'a-z' | sed 's/([^)]*)//g' |
      grep -oE 'xeon|epyc|ryzen|core|neoverse|[a-z]+' | head -1)
OUT=${1:-$ROOT/platforms/host-${cpu:-cpu}}
N_CONV=${N_CONV:-300}
N_CONV_MLIR=${N_CONV_MLIR:-200}
N_DW=${N_DW:-150}
N_OTHER=${N_OTHER:-60}
N_SMALL=${N_SMALL:-60}
N_FC=${N_FC:-40}
N_TINY=${N_TINY:-40}
# Step 3 says how PASSES, AGREE and REPS fight a machine whose speed drifts.
REPS=${REPS:-a b}
PASSES=${PASSES:-3}
AGREE=${AGREE:-5}
if [ "${QUICK:-0}" = 1 ]; then N_CONV=24; N_CONV_MLIR=24; N_DW=12; N_OTHER=20; N_SMALL=8; N_FC=6; N_TINY=10; fi
mkdir -p "$OUT"/plans "$OUT"/excitation "$OUT"/validation
log() { echo "[host-campaign $(date +%H:%M:%S)] $*" >&2; }

# 1. Excitation plans (scripts/campaign-common.sh), capped so that the naive-loop code of cpu-mlir stays within
#    about 0.7 s per call.
# shellcheck source=campaign-common.sh
. "$ROOT/scripts/campaign-common.sh"
excitation_plans "$OUT" 1e9 1.5e8

# 2. Validation layers: the distinct conv2d, pool2d and matmul layers of each real model, one plan per op kind
#    (scripts/campaign-common.sh), and every op of each model for the end-to-end comparison. Elementwise and
#    data_movement layers are not validated: the importer maps adds, reshapes, concatenations and transposes alike to
#    them, and a backend measures one canonical op per kind.
STEPS=${STEPS:-measure identify validate}
VALIDATED="conv2d pool2d matmul"
has() { case " $STEPS " in *" $1 "*) return 0 ;; esac; return 1; }
# shellcheck disable=SC2086
validation_plans "$OUT" "$MODELS" $VALIDATED
# Timed end to end, a model keeps its weights (a weight-less model's stay arguments, filled with random data):
# elided ones are zero constants the compiler folds away.
if has network; then
  mkdir -p "$OUT/networks.tmp"
  for m in "$MODELS"/*.onnx; do
    name=$(basename "$m" .onnx)
    # shellcheck disable=SC2046
    "$BIN/flydel-translate" --import-onnx $(shape_of "$name") "$m" -o "$OUT/networks.tmp/$name.mlir" ||
      log "network: skip $name: import failed"
  done
fi

# 3. Measurements, one thread per backend so cpu-onednn sees the same share of a busy 2-core machine as the
#    cpu-mlir code. Other jobs and a drifting VM only ever add time, and a slow spell lasts tens of seconds: every
#    excitation layer is timed in up to PASSES passes over its plan (a plan's length apart) and keeps its lowest
#    pass median; one whose two lowest medians agree within AGREE % is settled after two passes. The validation
#    layers are measured in REPS runs (each layer's latency is the lowest of them; run b against run a is the
#    test-retest noise floor), the first before the excitation and the others after it, minutes apart.
designs() {
  echo conv2d depthwise smallmap
  [ "$1" = cpu-onednn ] && echo conv2d-aligned depthwise-aligned
  echo pool2d pool2d-aligned pool2d-global matmul fc fc-tiny elementwise data_movement
}
M="$BIN/flydel-measure --min-time 0.05 --warmup 0.01 --min-samples 3 --max-samples 50"
validation_run() {
  for backend in cpu-mlir cpu-onednn; do
    log "$backend: validation layers (run $1); $(uptime | sed 's/.*load/load/')"
    for op in $VALIDATED; do
      $M --backend $backend --plan "$OUT/plans/validation-$op.csv" -o "$OUT/validation/$backend-$op-$1.csv"
    done
  done
}
if has measure && [ "${PREFLIGHT:-1}" = 1 ]; then
  # Preflight (about 15 s): the same 20 convolutions and pools through oneDNN, three times back to back. A machine
  # whose speed moves by more than 10 % between them (other jobs, a VM sharing its host's memory bandwidth) will
  # give noisy tables; say so before the minutes are spent, and stop if STRICT=1.
  rm -rf "$OUT/preflight" && mkdir -p "$OUT/preflight"
  P="$BIN/flydel-measure plan --design lhs --seed 1"
  $P --op conv2d --n 10 --in-hw 14:56 --c-in 16:256 --c-out 16:256 --kernel 1,3 --max-macs 5e7 -o "$OUT/preflight/conv2d.csv"
  $P --op pool2d --n 10 --in-hw 28:112 --c-in 64:256 --kernel 2,3 --stride 2 -o "$OUT/preflight/pool2d.csv"
  for run in 1 2 3; do
    for op in conv2d pool2d; do
      $BIN/flydel-measure --backend cpu-onednn --plan "$OUT/preflight/$op.csv" -o "$OUT/preflight/$op-$run.csv" \
        --min-time 0.05 2>/dev/null
    done
  done
  for op in conv2d pool2d; do
    if ! $PY "$ROOT/python/flydel_validate.py" stability "$OUT"/preflight/$op-[123].csv; then
      log "preflight: the machine's speed is moving ($op layers, above); the tables will be noisy"
      [ "${STRICT:-0}" = 1 ] && { log "STRICT=1: stopping"; exit 3; }
    fi
  done
  # An existing library: how far is it from this machine now (20 probes of its cpu-onednn models, about 10 s;
  # docs/recalibration.md)? A drifted library is re-identified by this campaign, or recalibrated from the probes.
  if [ -s "$OUT/host.json" ] && [ -s "$OUT/plans/conv2d.csv" ]; then
    plans=("$OUT/plans/conv2d.csv")
    [ -s "$OUT/plans/depthwise.csv" ] && plans+=("$OUT/plans/depthwise.csv")
    if ! WORK="$OUT/preflight" DRIFT_ONLY=1 BUILD="$BUILD" "$ROOT/scripts/recalibrate.sh" "$OUT/host.json" cpu-onednn \
         cpu-onednn "$OUT/preflight/host-now.json" "${plans[@]}"; then
      log "preflight: $OUT/host.json has drifted from this machine (above); scripts/recalibrate.sh adapts it"
    fi
  fi
  # A resumed campaign: the first 10 validation layers of the first run, timed again. A machine now faster or slower
  # than when they were measured (another day, another neighbour) would mix two states in the resumed tables.
  read -r first_run _ <<< "$REPS"
  for op in conv2d pool2d; do
    earlier="$OUT/validation/cpu-onednn-$op-$first_run.csv"
    [ -s "$earlier" ] || continue
    awk '/^#/ { print; next } rows++ <= 10' "$OUT/plans/validation-$op.csv" > "$OUT/preflight/validation-$op.csv"
    $BIN/flydel-measure --backend cpu-onednn --plan "$OUT/preflight/validation-$op.csv" \
      -o "$OUT/preflight/validation-$op-now.csv" --min-time 0.05 2>/dev/null
    if ! $PY "$ROOT/python/flydel_validate.py" stability "$earlier" "$OUT/preflight/validation-$op-now.csv"; then
      log "preflight: this machine now runs $op layers at another speed than when $(basename "$earlier") was" \
          "measured; resumed tables would mix the two (remove $OUT/excitation and $OUT/validation to start afresh)"
      [ "${STRICT:-0}" = 1 ] && { log "STRICT=1: stopping"; exit 3; }
    fi
  done
fi
if has measure; then
  read -r -a runs <<< "$REPS"
  validation_run "${runs[0]}"
  for backend in cpu-mlir cpu-onednn; do
    for op in $(designs $backend); do
      log "$backend: excitation $op; $(uptime | sed 's/.*load/load/')"
      plan="$OUT/plans/$op.csv"
      if [ $backend = cpu-mlir ] && [ $op = conv2d ] && [ "$N_CONV_MLIR" -lt "$N_CONV" ]; then
        # The first N_CONV_MLIR layers of the same plan (LHS rows come in random order): cpu-mlir's naive loops
        # make this its slowest design, and its conv2d model is as accurate from 200 of them
        # (docs/experiments/sample-efficiency.md, sixth round in docs/experiments/measurement-rounds.md).
        plan="$OUT/plans/conv2d-mlir.csv"
        awk -v n="$N_CONV_MLIR" '/^#/ { print; next } rows++ <= n' "$OUT/plans/$op.csv" > "$plan"
      fi
      $M --passes "$PASSES" --agree "$AGREE" --backend $backend --plan "$plan" -o "$OUT/excitation/$backend-$op.csv"
    done
  done
  for run in "${runs[@]:1}"; do validation_run "$run"; done
fi

# 3b. Whole networks end to end (STEPS with "network"): each validation model's function compiled as one piece by
#    the CPU pipeline and timed like a layer, in REPS runs back to back (run b against run a: the noise floor).
#    cpu-mlir only: oneDNN has primitives, not a network executor. Predictions of all ops are summed in step 5.
if has network; then
  read -r -a runs <<< "$REPS"
  for run in "${runs[@]}"; do
    log "cpu-mlir: whole networks (run $run); $(uptime | sed 's/.*load/load/')"
    # Five passes over all models in one call, so a model's passes lie the other models' length apart (one pass per
    # run gave run b / run a 0.75-1.50 on the slow VM, five 0.94-1.04); each call one sample (VGG-16: 20 s a call).
    # If the backend refuses a model, nothing is measured: then one call per model, logging and skipping it.
    NET="$M --min-samples 1 --passes 5 --backend cpu-mlir -o $OUT/validation/cpu-mlir-networks-$run.csv"
    models=()
    for ir in "$OUT"/networks.tmp/*.mlir; do [ -e "$ir" ] && models+=(--network "$ir"); done
    [ ${#models[@]} -gt 0 ] || { log "network: no imported model"; break; }
    if ! $NET "${models[@]}"; then
      for ir in "$OUT"/networks.tmp/*.mlir; do
        $NET --network "$ir" || log "network: skip $(basename "$ir" .mlir) (above)"
      done
    fi
  done
fi
rm -rf "$OUT/networks.tmp"

# 4. Identification: one device per backend, every op kind's latency; besides the generic candidates, the CPU term
#    pool (physics(select-cpu): MACs, blocked work, padding copies, depthwise terms; docs/methodology.md).
# One spec table: OP, VARIANT (or ""), then the measurement files (without .csv) it trains on.
table() {
  local op=$1 variant=$2 files
  shift 2
  files=$(printf '"%s.csv", ' "$@")
  printf '      %s{"file": [%s], "op": "%s"%s, "dtype": "f32", "kpis": {"latency_ms": "ms"}}\n' \
    "$sep" "${files%, }" "$op" "${variant:+, \"variant\": \"$variant\"}"
  sep=","
}
if has identify; then
cat > "$OUT/host.spec.json" <<JSON
{
  "schema": "flydel-platform-spec",
  "schema_version": 1,
  "platform": {"name": "host", "description": "This machine's CPU ($(sed -n 's/^model name\s*:\s*//p' /proc/cpuinfo | head -1), $(nproc) cores), measured by flydel-measure (scripts/host-campaign.sh), f32, batch 1, one thread"},
  "data_dir": "excitation",
  "structure": "physics",
  "extra_pools": ["cpu"],
  "cv": {"folds": 10, "seed": 1, "max_params": 16},
  "devices": [
$(first=1; for backend in cpu-mlir cpu-onednn; do
  [ $first = 1 ] || echo ","; first=0
  desc="TOSA through flydel-lower-cpu and the MLIR ExecutionEngine (naive loops), 1 thread"
  [ $backend = cpu-onednn ] && desc="oneDNN $(dpkg-query -W -f='${Version}' libdnnl-dev 2>/dev/null) primitives, 1 thread"
  echo "    {\"name\": \"$backend\", \"kind\": \"cpu\", \"description\": \"$desc\", \"tables\": ["
  # conv2d: cpu-mlir runs dense and depthwise layers through the same loop nests (one model of both designs fits
  # real layers best); oneDNN runs them through different kernels, so each variant gets its own model.
  sep=""
  if [ $backend = cpu-onednn ]; then
    table conv2d dense $backend-conv2d $backend-conv2d-aligned $backend-smallmap
    table conv2d depthwise $backend-conv2d $backend-depthwise $backend-depthwise-aligned $backend-smallmap
  else
    table conv2d "" $backend-conv2d $backend-depthwise $backend-smallmap
  fi
  table matmul "" $backend-matmul $backend-fc $backend-fc-tiny
  # Windowed and global pools get a model each: with the global-pool design (60 more global pools) the split fits
  # real pools better than one model of all (eighth round: cpu-mlir 10.3 -> 10.0 %, oneDNN 13.6 -> 10.5 %); on the
  # fifth round's 23 global pools it did not (docs/experiments/measurement-rounds.md).
  table pool2d windowed $backend-pool2d $backend-pool2d-aligned $backend-pool2d-global
  table pool2d global $backend-pool2d $backend-pool2d-aligned $backend-pool2d-global
  table elementwise "" $backend-elementwise
  table data_movement "" $backend-data_movement
  echo "    ]}"
done)
  ]
}
JSON
log "identify"
"$BIN/flydel-identify" --spec "$OUT/host.spec.json" -o "$OUT/host.json" --quiet
fi

# 5. Validation: predictions against measurements, per layer and per whole network, beside the noise floor.
has validate && $PY "$ROOT/python/flydel_validate.py" validate --library "$OUT/host.json" --identify "$BIN/flydel-identify" \
  --validation-dir "$OUT/validation" --out "$OUT/results"
log "done: $OUT/host.json, results in $OUT/results"
