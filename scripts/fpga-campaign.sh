#!/usr/bin/env bash
# FPGA campaign: excitation plans of small layers (conv2d dense and depthwise, pool2d, elementwise add), each with
# a PE/SIMD folding, measured by flydel-measure --backend fpga-yosys (Yosys synth_xilinx xc7 + Verilator cycles).
# Bounded: N layers per op kind (default conv2d 24, pool2d 8, elementwise 8); about 15-30 s per layer on 2 cores
# (Yosys and the Verilator build run side by side). Resumable: re-running skips measured layers.
#
#   scripts/fpga-campaign.sh [OUT_DIR]        (default platforms/xc7-yosys)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/platforms/xc7-yosys}"
bin="$root/build/bin"
n_conv="${N_CONV:-24}" n_pool="${N_POOL:-8}" n_elem="${N_ELEM:-8}"
mkdir -p "$out"

# Channels are rounded up to multiples of 4 and dtype set to i8 (what the engines compute).
# Folding: PE = the largest of 8, 4, 2, 1 dividing c_out, SIMD = the largest of 8, 4, 2, 1 dividing c_in (channel-
# wise engines: SIMD = PE), taken on alternate rows down to half of it so the campaign spans folding factors.
# Layers whose stride exceeds the kernel are dropped (the line buffer holds k rows).
fold() {
  awk -F, 'BEGIN{OFS=","}
    function fit(c, cap,  f) { for (f = cap; f > 1; f /= 2) if (c % f == 0) return f; return 1 }
    function up4(c) { return 4 * int((c + 3) / 4) }
    /^#/ { print; next }
    !hdr { for (i = 1; i <= NF; i++) col[$i] = i; hdr = $0; print hdr ",pe,simd"; next }
    { cap = (NR % 2) ? 8 : 4
      k = ("kernel_h" in col) ? $col["kernel_h"] : 1; s = ("stride_h" in col) ? $col["stride_h"] : 1
      if (s > k) next
      dw = ("groups" in col) && $col["groups"] > 1
      $col["c_in"] = up4($col["c_in"]); $col["c_out"] = dw || $col["op"] != "conv2d" ? $col["c_in"] : up4($col["c_out"])
      if (dw) $col["groups"] = $col["c_in"]
      if ("dtype" in col) $col["dtype"] = "i8"
      pe = fit($col["c_out"], cap); simd = fit($col["c_in"], cap)
      if (dw || $col["op"] != "conv2d") simd = pe
      print $0, pe, simd }'
}

start=$(date +%s)
measure() { # OP N SEED PLAN-OPTIONS...
  local op="$1" n="$2" seed="$3"; shift 3
  "$bin/flydel-measure" plan --design lhs --op "$op" --n "$n" --seed "$seed" "$@" -o "$out/plan-$op.raw.csv"
  fold < "$out/plan-$op.raw.csv" > "$out/plan-$op.csv" && rm "$out/plan-$op.raw.csv"
  echo "fpga-campaign: $op: $(grep -vc '^#' "$out/plan-$op.csv") rows (with header)"
  "$bin/flydel-measure" --backend fpga-yosys --plan "$out/plan-$op.csv" -o "$out/$op.csv" \
    --fpga-work "${FPGA_WORK:-$root/build/fpga-campaign}" --fpga-clock-mhz "${CLOCK_MHZ:-100}"
}
measure conv2d "$n_conv" 11 --in-hw 6:24 --c-in 4:32 --c-out 4:32 --kernel 1,3,5 --stride 1,2 --depthwise 0.25
measure pool2d "$n_pool" 12 --in-hw 6:24 --c-in 4:32 --kernel 2,3 --stride 1,2
measure elementwise "$n_elem" 13 --in-hw 4:24 --c-in 4:32
echo "fpga-campaign: done in $(($(date +%s) - start)) s"
