#!/usr/bin/env bash
# End-to-end flow of a real model on a host CPU + FPGA platform (default: the mlperftiny keyword-spotting DS-CNN on
# platforms/host-xc7): ONNX import, KPI annotation, device assignment (pins put chosen layers on the FPGA: with
# this platform's models no objective moves a layer there on its own), FPGA folding within the budget,
# re-annotation at the folding, outlining; CPU partitions lowered to the LLVM dialect and to LLVM IR; FPGA
# partitions emitted as SystemVerilog engines, simulated bit-exactly with Verilator (cycles) and synthesized with
# Yosys synth_xilinx xc7 (resources); a table of predicted against measured per FPGA partition.
#
#   scripts/fpga-e2e.sh [-m MODEL.onnx] [-s NAME=1x..] [-p PINS.json] [-P PLATFORM.json] [-b BUDGET] [-r RESERVE]
#                       [-c CLOCK_MHZ] [-n] -o DIR
#     -b  budgets replacing the FPGA's capacities, e.g. dsp=80,lut=8000 (CI keeps synthesis small with one)
#     -c  clock the library's latency assumes (xc7-yosys states 100 MHz): predicted cycles = latency x clock
#     -n  no Verilator simulation (no measured cycles)
# Files in DIR: model.mlir, partitioned.mlir (with locations), partition.log (diagnostics: fold remarks), kpis.csv
# (--flydel-kpi-report), host.mlir, cpu.mlir (LLVM dialect), cpu.ll (LLVM IR), fpga.mlir, fpga/fpga.sv and ROM
# files, fpga/verify/ (simulation), fpga/<partition>.stat and .yosys.log (synthesis), summary.md, summary.json.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${FLYDEL_BIN:-$root/build/bin}"
mlir_translate="${MLIR_TRANSLATE:-/usr/lib/llvm-22/bin/mlir-translate}"
python="${PYTHON:-python3}"

model="$root/../shared/models/onnx/mlperftiny_v0.7_alibaba_kws.onnx"
pins="$root/platforms/host-xc7/pins-kws.json"
platform="$root/platforms/host-xc7/host-xc7.json"
shape="" budget="" reserve="0" clock="100" simulate=1 out=""
while getopts "m:s:p:P:b:r:c:no:" opt; do
  case "$opt" in
  m) model="$OPTARG" ;; s) shape="$OPTARG" ;; p) pins="$OPTARG" ;; P) platform="$OPTARG" ;;
  b) budget="$OPTARG" ;; r) reserve="$OPTARG" ;; c) clock="$OPTARG" ;; n) simulate=0 ;; o) out="$OPTARG" ;;
  *) echo "usage: $0 [-m MODEL.onnx] [-s NAME=SHAPE] [-p PINS.json] [-P PLATFORM.json] [-b BUDGET] [-r RESERVE] [-c CLOCK_MHZ] [-n] -o DIR" >&2
     exit 2 ;;
  esac
done
[ -n "$out" ] || { echo "fpga-e2e: error: -o DIR is required" >&2; exit 2; }
for f in "$model" "$pins" "$platform"; do
  [ -f "$f" ] || { echo "fpga-e2e: error: no such file: $f" >&2; exit 2; }
done
for tool in yosys "$mlir_translate"; do
  command -v "$tool" >/dev/null || { echo "fpga-e2e: error: $tool not found" >&2; exit 2; }
done
if [ "$simulate" = 1 ] && ! command -v verilator >/dev/null; then
  echo "fpga-e2e: error: verilator not found (-n skips the simulation)" >&2
  exit 2
fi
mkdir -p "$out/fpga"
out="$(cd "$out" && pwd)"
step() { printf '[%s] %s\n' "$(date +%T)" "$*"; }
start=$(date +%s)

step "import $(basename "$model")"
"$bin/flydel-translate" --import-onnx "$model" ${shape:+--input-shape "$shape"} -o "$out/model.mlir"

step "annotate, assign (pins $(basename "$pins")), fold, re-annotate, outline"
fold="platform=$platform reserve=$reserve${budget:+ budget=$budget}"
"$bin/flydel-opt" "$out/model.mlir" --mlir-print-op-on-diagnostic=false --mlir-print-debuginfo \
  --annotate-kpis="platform=$platform" --assign-devices="pins=$pins reserve=$reserve" \
  --flydel-fold-fpga="$fold" --annotate-kpis="platform=$platform" --outline-partitions \
  -o "$out/partitioned.mlir" 2>"$out/partition.log" || { cat "$out/partition.log" >&2; exit 1; }
grep "flydel-fold-fpga" "$out/partition.log" | grep -v "foldings left out" || true
"$bin/flydel-opt" "$out/partitioned.mlir" --flydel-kpi-report="format=csv output=$out/kpis.csv" -o /dev/null

step "CPU partitions -> LLVM dialect -> LLVM IR; host code"
"$bin/flydel-opt" "$out/partitioned.mlir" --flydel-extract-device=device=host -o "$out/host.mlir"
"$bin/flydel-opt" "$out/partitioned.mlir" --flydel-extract-device=device=cpu --flydel-lower-transfers \
  --flydel-strip-annotations --flydel-lower-cpu -o "$out/cpu.mlir"
"$mlir_translate" --mlir-to-llvmir "$out/cpu.mlir" -o "$out/cpu.ll"
echo "  $(grep -c '^define' "$out/cpu.ll") functions defined in cpu.ll"

step "FPGA partitions -> SystemVerilog"
"$bin/flydel-opt" "$out/partitioned.mlir" --flydel-extract-device=device=fpga -o "$out/fpga.mlir"
verify=()
[ "$simulate" = 1 ] && verify=(--verify-verilog "$out/fpga/verify")
# Progress and results in one stream (its stderr would otherwise interleave with the lines below).
"$bin/flydel-translate" --emit-verilog "$out/fpga.mlir" -o "$out/fpga/fpga.sv" "${verify[@]}" 2>&1 \
  | tee "$out/fpga/verify.log"
[ "${PIPESTATUS[0]}" = 0 ] || { echo "fpga-e2e: error: --emit-verilog failed" >&2; exit 1; }

hw="$root/hw"
for module in $(sed -n 's/^module \([A-Za-z0-9_]*\).*/\1/p' "$out/fpga/fpga.sv"); do
  step "yosys synth_xilinx -family xc7: $module"
  t0=$(date +%s)
  (cd "$out/fpga" && yosys -q -l "$module.yosys.log" -p "read_verilog -defer -sv $hw/flydel_window_engine.sv \
    $hw/flydel_add_engine.sv $hw/flydel_stream.sv fpga.sv; synth_xilinx -family xc7 -flatten -top $module; \
    tee -q -o $module.stat stat" >/dev/null 2>&1) || { echo "fpga-e2e: error: yosys failed, see $out/fpga/$module.yosys.log" >&2; exit 1; }
  echo "$(( $(date +%s) - t0 ))" > "$out/fpga/$module.seconds"
done

step "summary"
"$python" "$root/python/flydel_fpga_e2e.py" --dir "$out" --clock-mhz "$clock" --model "$(basename "$model")" \
  --platform "$(basename "$platform")" --pins "$(basename "$pins")" ${budget:+--budget "$budget"} \
  --reserve "$reserve" -o "$out/summary.md" --json "$out/summary.json"
cat "$out/summary.md"
step "done in $(( $(date +%s) - start )) s"
