// Totals of an assignment never count a missing prediction as zero: with no energy prediction at all the summary's
// energy is no_model, and with some missing it is a lower bound whose missing terms the summary counts.
// RUN: flydel-opt %s --split-input-file --assign-devices --mlir-print-op-on-diagnostic=false 2>%t.diag | FileCheck %s
// RUN: FileCheck %s --check-prefix=REMARK < %t.diag

// No energy model anywhere (a platform such as host-xc7): latency is summed, energy unavailable. Clamps: ops the FPGA
// engines can build.
module attributes {flydel.platform = #flydel.platform<"no-energy", devices = [#flydel.device<"cpu", cpu>, #flydel.device<"fpga", fpga>],
    links = [#flydel.link<"cpu" -> "fpga", latency_us = 1.0 + 0.0 per_kib>, #flydel.link<"fpga" -> "cpu", latency_us = 1.0 + 0.0 per_kib>]>} {
  // CHECK-LABEL: func.func @no_energy
  // CHECK-SAME: baselines = {cpu = #flydel.kpi<latency_us = 20, energy_uj = no_model>, fpga = #flydel.kpi<latency_us = 8, energy_uj = no_model>}
  // CHECK-SAME: chosen = #flydel.kpi<latency_us = 8, energy_uj = no_model>
  // CHECK-NOT: energy_missing
  // REMARK: assignment (latency, sequential, optimal, dp, {{[0-9.e+-]+}} ms): latency 8 us, energy unavailable; all-cpu latency 20 us, energy unavailable; all-fpga latency 8 us, energy unavailable
  func.func @no_energy(%x: tensor<1x2x2x1xf32>) -> tensor<1x2x2x1xf32> {
    %a = tosa.clamp %x {min_val = -1.0 : f32, max_val = 1.0 : f32, flydel.kpis = {cpu = #flydel.kpi<latency_us = 10.0>, fpga = #flydel.kpi<latency_us = 4.0>}}
        : (tensor<1x2x2x1xf32>) -> tensor<1x2x2x1xf32>
    %b = tosa.clamp %a {min_val = -1.0 : f32, max_val = 1.0 : f32, flydel.kpis = {cpu = #flydel.kpi<latency_us = 10.0>, fpga = #flydel.kpi<latency_us = 4.0>}}
        : (tensor<1x2x2x1xf32>) -> tensor<1x2x2x1xf32>
    return %b : tensor<1x2x2x1xf32>
  }
}

// -----

// The chosen device of one op has no energy prediction (another device has): energy is a lower bound.
module attributes {flydel.platform = #flydel.platform<"partial", devices = [#flydel.device<"cpu", cpu>, #flydel.device<"gpu", gpu>],
    links = [#flydel.link<"cpu" -> "gpu", latency_us = 100.0 + 0.0 per_kib>, #flydel.link<"gpu" -> "cpu", latency_us = 100.0 + 0.0 per_kib>]>} {
  // CHECK-LABEL: func.func @partial
  // CHECK-SAME: chosen = #flydel.kpi<latency_us = 4, energy_uj = 3>
  // CHECK-SAME: energy_missing_ops = 1 : i64
  // REMARK: assignment (latency, sequential, optimal, dp, {{[0-9.e+-]+}} ms): latency 4 us, energy 3 uJ (lower bound: 1 ops and 0 transfers without a model)
  func.func @partial(%x: tensor<4xf32>) -> tensor<4xf32> {
    %a = tosa.abs %x {flydel.kpis = {cpu = #flydel.kpi<latency_us = 10.0, energy_uj = 1.0>, gpu = #flydel.kpi<latency_us = 2.0, energy_uj = 3.0>}} : (tensor<4xf32>) -> tensor<4xf32>
    %b = tosa.abs %a {flydel.kpis = {cpu = #flydel.kpi<latency_us = 10.0, energy_uj = 1.0>, gpu = #flydel.kpi<latency_us = 2.0, energy_uj = no_model>}} : (tensor<4xf32>) -> tensor<4xf32>
    return %b : tensor<4xf32>
  }
}
