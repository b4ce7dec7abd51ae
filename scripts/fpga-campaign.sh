#!/usr/bin/env bash
# FPGA campaign: LHS excitation plans of layers for every engine kind (elementwise add, max pool2d, depthwise
# conv2d, dense conv2d), each layer with a pseudo-random PE/SIMD folding, measured by flydel-measure --backend
# fpga-yosys (Yosys synth_xilinx xc7 counts + Verilator cycles, every layer checked bit-exactly).
#
# Size (defaults): add 30, max pool 36, depthwise 52 planned (45 kept), dense 130 planned (108 kept): 219 layers
# (layers whose stride exceeds the kernel are dropped: the line buffer holds k rows).
# Duration, measured on 2026-11-26 on the 2-core machine with other builds beside it (load 2.5-8): 3799 s (63 min);
# add 500 s, pool 856 s, depthwise 762 s, dense 1681 s; Yosys 14 s per layer (median; 90th percentile 30 s).
# Kinds run cheapest first, so a cut-short campaign still covers every kind. Resumable: re-running skips measured
# layers. Runs under `nice -n 5` unless NICE says otherwise. FLYDEL_BIN and FLYDEL_HW_DIR pick (snapshots of) the
# binaries and engines, so concurrent edits cannot change a running campaign.
#
#   scripts/fpga-campaign.sh [OUT_DIR]        (default platforms/xc7-yosys)
#   N_ADD=30 N_POOL=36 N_DW=52 N_DENSE=130 MAX_CYCLES=300000 scripts/fpga-campaign.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/platforms/xc7-yosys}"
bin="${FLYDEL_BIN:-$root/build/bin}"
n_add="${N_ADD:-30}" n_pool="${N_POOL:-36}" n_dw="${N_DW:-52}" n_dense="${N_DENSE:-130}"
max_cycles="${MAX_CYCLES:-300000}"
nice_cmd=(nice -n "${NICE:-5}")
mkdir -p "$out"

# Channels are rounded up to multiples of 4 and dtype set to i8 (what the engines compute).
# Folding, drawn per layer with a fixed seed so the campaign spans folding factors (the folding pass queries the
# models across them): PE a divisor of c_out up to 16, SIMD a divisor of c_in up to 8 (dense, PE*SIMD <= 64;
# channel-wise engines: SIMD = PE). Redrawn while the schedule would exceed MAX_CYCLES (simulation time), else the
# widest folding is taken.
fold() { # SEED
  awk -F, -v seed="$1" -v maxc="$max_cycles" 'BEGIN{OFS=","; srand(seed)}
    function up4(c) { return 4 * int((c + 3) / 4) }
    function pick(c, cap,  n, d, list) { n = 0; for (d = 1; d <= cap && d <= c; d++) if (c % d == 0) list[++n] = d
                                          return list[1 + int(rand() * n)] }
    function widest(c, cap,  d, best) { best = 1; for (d = 1; d <= cap && d <= c; d++) if (c % d == 0) best = d
                                        return best }
    /^#/ { print; next }
    !hdr { for (i = 1; i <= NF; i++) col[$i] = i; hdr = $0; print hdr ",pe,simd"; next }
    { k = ("kernel_h" in col) ? $col["kernel_h"] : 1; s = ("stride_h" in col) ? $col["stride_h"] : 1
      p = ("pad_h" in col) ? $col["pad_h"] : 0
      if (s > k) next
      dw = ("groups" in col) && $col["groups"] > 1
      cw = dw || $col["op"] != "conv2d"
      $col["c_in"] = up4($col["c_in"]); $col["c_out"] = cw ? $col["c_in"] : up4($col["c_out"])
      if (dw) $col["groups"] = $col["c_in"]
      if ("dtype" in col) $col["dtype"] = "i8"
      h = $col["in_h"]; o = int((h + 2 * p - k) / s) + 1
      for (try = 0; try < 20; try++) {
        pe = pick($col["c_out"], 16); simd = cw ? pe : pick($col["c_in"], 8)
        if (!cw && pe * simd > 64) continue
        cyc = h * h * $col["c_in"] / simd + o * o * k * k * ($col["c_out"] / pe) * (cw ? 1 : $col["c_in"] / simd)
        if (cyc <= maxc) break
      }
      if (try == 20) { pe = widest($col["c_out"], cw ? 16 : 8); simd = cw ? pe : widest($col["c_in"], 8) }
      print $0, pe, simd }'
}

start=$(date +%s)
measure() { # NAME OP N SEED PLAN-OPTIONS...
  local name="$1" op="$2" n="$3" seed="$4"; shift 4
  local t0=$(date +%s)
  "$bin/flydel-measure" plan --design lhs --op "$op" --n "$n" --seed "$seed" "$@" -o "$out/plan-$name.raw.csv"
  fold "$seed" < "$out/plan-$name.raw.csv" > "$out/plan-$name.csv" && rm "$out/plan-$name.raw.csv"
  echo "fpga-campaign: $name: $(grep -v '^#' "$out/plan-$name.csv" | tail -n +2 | wc -l) layers"
  "${nice_cmd[@]}" "$bin/flydel-measure" --backend fpga-yosys --plan "$out/plan-$name.csv" -o "$out/$name.csv" \
    --fpga-work "${FPGA_WORK:-$root/build/fpga-campaign}" --fpga-clock-mhz "${CLOCK_MHZ:-100}"
  echo "fpga-campaign: $name done in $(($(date +%s) - t0)) s"
}
measure elementwise elementwise "$n_add" 13 --in-hw 4:32 --c-in 4:64
measure pool2d pool2d "$n_pool" 12 --in-hw 6:32 --c-in 4:64 --kernel 2,3 --stride 1,2
measure depthwise conv2d "$n_dw" 14 --in-hw 6:32 --c-in 4:64 --kernel 1,3,5 --stride 1,2 --depthwise 1
measure conv2d conv2d "$n_dense" 11 --in-hw 6:28 --c-in 4:48 --c-out 4:48 --kernel 1,3,5 --stride 1,2 --depthwise 0
echo "fpga-campaign: done in $(($(date +%s) - start)) s"
