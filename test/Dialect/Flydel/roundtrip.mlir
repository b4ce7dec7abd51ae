// RUN: flydel-opt %s --split-input-file | FileCheck %s
// RUN: flydel-opt %s --split-input-file | flydel-opt --split-input-file | FileCheck %s
// RUN: flydel-opt %s --split-input-file --mlir-print-op-generic | flydel-opt --split-input-file | FileCheck %s

// A module for a platform, with KPIs per device on ops and totals on the function.

// CHECK-LABEL: module attributes {flydel.platform = #flydel.platform<"tx2-c10gx", devices = [<"cpu", cpu>, <"gpu", gpu>, <"fpga", fpga, capacities = {alm = 80330 : i64, m20k = 587 : i64}>], links = [<"gpu" -> "fpga", latency_us = 13.06 + 0.4 per_kib>, <"fpga" -> "gpu", latency_us = 21.19 + 0.1 per_kib, energy_uj = 2.5 + 0.001 per_kib>]>}
module attributes {flydel.platform = #flydel.platform<"tx2-c10gx",
    devices = [#flydel.device<"cpu", cpu>, #flydel.device<"gpu", gpu>,
               #flydel.device<"fpga", fpga, capacities = {alm = 80330, m20k = 587}>],
    links = [#flydel.link<"gpu" -> "fpga", latency_us = 13.06 + 0.4 per_kib>,
             #flydel.link<"fpga" -> "gpu", latency_us = 21.19 + 0.1 per_kib, energy_uj = 2.5 + 1.0e-3 per_kib>]>} {
  // CHECK-LABEL: func.func @conv
  // CHECK-SAME: flydel.kpi_totals = {cpu = #flydel.kpi<latency_us = 412.5, energy_uj = 81.25, unmodeled_ops = 3>, fpga = #flydel.kpi<latency_us = 3.5, resources = {alm = 13756, m20k = 461}>}
  func.func @conv(%x: tensor<1x8x8x3xf32>) -> tensor<1x8x8x3xf32>
      attributes {flydel.kpi_totals = {cpu = #flydel.kpi<latency_us = 412.5, energy_uj = 81.25, unmodeled_ops = 3>,
                                       fpga = #flydel.kpi<latency_us = 3.5, resources = {m20k = 461, alm = 13756}>}} {
    // CHECK: tosa.abs
    // CHECK-SAME: flydel.device = #flydel.device<"gpu", gpu>
    // CHECK-SAME: flydel.kpis = {cpu = #flydel.kpi<latency_us = 412.5 extrapolated, energy_uj = 81.25>, fpga = #flydel.kpi<latency_us = no_model, energy_uj = no_model, resources = {alm = 13756 extrapolated, m20k = no_model}>, gpu = #flydel.kpi<latency_us = 1.0e-06>}
    %0 = tosa.abs %x {flydel.kpis = {cpu = #flydel.kpi<latency_us = 412.5 extrapolated, energy_uj = 81.25>,
                                     gpu = #flydel.kpi<latency_us = 1.0e-6>,
                                     fpga = #flydel.kpi<latency_us = no_model, energy_uj = no_model,
                                                        resources = {alm = 13756 extrapolated, m20k = no_model}>},
                      flydel.device = #flydel.device<"gpu", gpu>} : (tensor<1x8x8x3xf32>) -> tensor<1x8x8x3xf32>
    return %0 : tensor<1x8x8x3xf32>
  }
}

// -----

// Annotations need no platform; standalone estimates and devices print in their own syntax.

// CHECK-LABEL: func.func @no_platform
// CHECK-SAME: est = #flydel.estimate<2.5 extrapolated>
// CHECK-SAME: none = #flydel.estimate<no_model>
// CHECK-SAME: pinned = #flydel.device<"fpga0", fpga, capacities = {dsp = 220 : i64, lut = 63400 : i64}>
// CHECK: tosa.abs {{.*}}flydel.kpis = {anything = #flydel.kpi<energy_uj = 0>}
func.func @no_platform(%x: tensor<4xf32>) -> tensor<4xf32>
    attributes {est = #flydel.estimate<2.5 extrapolated>, none = #flydel.estimate<no_model>,
                pinned = #flydel.device<"fpga0", fpga, capacities = {lut = 63400, dsp = 220}>} {
  %0 = tosa.abs %x {flydel.kpis = {anything = #flydel.kpi<energy_uj = 0.0>}} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Large and small magnitudes survive printing and parsing exactly.

// CHECK-LABEL: func.func @magnitudes
// CHECK-SAME: a = #flydel.estimate<1.2345678901234568e+20>
// CHECK-SAME: b = #flydel.estimate<3.0e-12>
// CHECK-SAME: c = #flydel.estimate<0.1>
func.func @magnitudes() attributes {a = #flydel.estimate<123456789012345678901.0>, b = #flydel.estimate<3.0e-12>,
                                    c = #flydel.estimate<0.1>} {
  return
}

// -----

// A user-given FPGA folding on a layer op.

// CHECK-LABEL: func.func @folded
// CHECK: tosa.abs
// CHECK-SAME: flydel.folding = #flydel.folding<pe = 4, simd = 8>
func.func @folded(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = tosa.abs %x {flydel.folding = #flydel.folding<pe = 4, simd = 8>} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// A link whose cost is a stated assumption, with and without an energy model.
// CHECK-LABEL: module attributes {flydel.platform = #flydel.platform<"host-fpga", devices = [<"cpu", cpu>, <"fpga", fpga>], links = [<"cpu" -> "fpga", latency_us = 10 + 1 per_kib, assumed>, <"fpga" -> "cpu", latency_us = 10 + 1 per_kib, energy_uj = 2 + 0.5 per_kib, assumed>]>}
module attributes {flydel.platform = #flydel.platform<"host-fpga", devices = [#flydel.device<"cpu", cpu>, #flydel.device<"fpga", fpga>],
    links = [#flydel.link<"cpu" -> "fpga", latency_us = 10.0 + 1.0 per_kib, assumed>,
             #flydel.link<"fpga" -> "cpu", latency_us = 10.0 + 1.0 per_kib, energy_uj = 2.0 + 0.5 per_kib, assumed>]>} {
}

// -----

// Feasibility: a resource demand over capacity keeps its demand, flagged; the other KPIs of a layer that does not
// fit have no value; totals count the ops left out for not fitting; the note says why.

// CHECK-LABEL: func.func @does_not_fit
// CHECK-SAME: flydel.kpi_totals = {fpga = #flydel.kpi<latency_us = 3.5, resources = {alm = 90000 exceeds_capacity}, unmodeled_ops = 1, unfit_ops = 2, note = "the ops together exceed the device: alm demand 9e+04 > capacity 80330">}
// CHECK: flydel.kpis = {fpga = #flydel.kpi<latency_us = does_not_fit, energy_uj = does_not_fit, resources = {alm = 2100000 extrapolated exceeds_capacity, lab = does_not_fit}, note = "does not fit: alm demand 2.1e+06 > capacity 80330">}
func.func @does_not_fit(%x: tensor<4xf32>) -> tensor<4xf32>
    attributes {flydel.kpi_totals = {fpga = #flydel.kpi<latency_us = 3.5, resources = {alm = 90000.0 exceeds_capacity},
                unmodeled_ops = 1, unfit_ops = 2, note = "the ops together exceed the device: alm demand 9e+04 > capacity 80330">}} {
  %0 = tosa.abs %x {flydel.kpis = {fpga = #flydel.kpi<latency_us = does_not_fit, energy_uj = does_not_fit,
                    resources = {alm = 2.1e6 extrapolated exceeds_capacity, lab = does_not_fit},
                    note = "does not fit: alm demand 2.1e+06 > capacity 80330">}} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
