#!/usr/bin/env bash
# Adapts a platform library to this machine from a few probe layers (docs/recalibration.md): chooses PROBES layers
# of the device's models from its excitation plans (spread over its models and from their smallest to largest
# layers), measures them with the backend, reports the drift per model, and writes the recalibrated library.
#
#   scripts/recalibrate.sh LIBRARY DEVICE BACKEND OUT.json PLAN.csv [PLAN.csv ...]
#   e.g. scripts/recalibrate.sh platforms/host-amd/host.json cpu-onednn cpu-onednn /tmp/host-now.json \
#          platforms/host-amd/plans/conv2d.csv platforms/host-amd/plans/depthwise.csv
#
# Environment: BUILD (default build), PROBES (20), THRESHOLD (10 %), WORK (where the probe plan and its measurement
# go; default OUT.json's directory), DRIFT_ONLY=1 (measure and report, write no library; exit status 3 when a KPI
# drifted beyond THRESHOLD). Measuring resumes: re-running skips the probes already measured.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BUILD:-$ROOT/build}/bin
if [ $# -lt 5 ]; then
  sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
LIB=$1 DEVICE=$2 BACKEND=$3 OUT=$4
shift 4
WORK=${WORK:-$(dirname "$OUT")}
mkdir -p "$WORK"
from=()
for plan in "$@"; do from+=(--from "$plan"); done
log() { echo "[recalibrate $(date +%H:%M:%S)] $*" >&2; }
plan="$WORK/probes-$DEVICE.csv"
measured="$WORK/probes-$DEVICE-measured.csv"
"$BIN/flydel-identify" --choose-probes "$LIB" --device "$DEVICE" "${from[@]}" --count "${PROBES:-20}" -o "$plan"
start=$(date +%s)
# Up to 3 passes over the probes (a layer is settled when two agree within 5 %): a few seconds more, and a slow
# spell of the machine (a VM waking from idle ran the first probes 30 % slow on host-amd) cannot pass for a drift.
"$BIN/flydel-measure" --backend "$BACKEND" --plan "$plan" -o "$measured" --passes 3 --agree 5
log "measured $(grep -vc '^#' "$plan") probes in $(( $(date +%s) - start )) s"
status=0
"$BIN/flydel-identify" --drift "$LIB" --device "$DEVICE" --probes "$measured" --threshold "${THRESHOLD:-10}" || status=$?
[ "$status" = 0 ] || [ "$status" = 3 ] || exit "$status"
if [ "${DRIFT_ONLY:-0}" = 1 ]; then
  exit "$status"
fi
"$BIN/flydel-identify" --recalibrate "$LIB" --device "$DEVICE" --probes "$measured" -o "$OUT"
