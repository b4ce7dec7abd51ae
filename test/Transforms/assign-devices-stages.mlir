// Pipelined mode: the stage that sets the period, when several tie and when there is no latency to speak of.
// RUN: flydel-opt %s --split-input-file --assign-devices="mode=pipelined" -o /dev/null 2>&1 | FileCheck %s --check-prefix=REMARK
// RUN: flydel-opt %s --split-input-file --assign-devices="mode=pipelined diagnostics=none" 2>/dev/null | FileCheck %s

// a is faster on the CPU, b on the GPU, and the 5 us link leaves both devices at 10 us: the period is 10, set by
// both, and the remark names both.
module attributes {flydel.platform = #flydel.platform<"toy", devices = [#flydel.device<"cpu", cpu>, #flydel.device<"gpu", gpu>],
    links = [#flydel.link<"cpu" -> "gpu", latency_us = 5.0 + 0.0 per_kib>, #flydel.link<"gpu" -> "cpu", latency_us = 5.0 + 0.0 per_kib>]>} {
  func.func @tie(%x: tensor<1x2x2x1xf32>) -> tensor<1x2x2x1xf32> {
    %a = tosa.clamp %x {min_val = -1.0 : f32, max_val = 1.0 : f32, flydel.kpis = {cpu = #flydel.kpi<latency_us = 10.0, energy_uj = 1.0>, gpu = #flydel.kpi<latency_us = 30.0, energy_uj = 1.0>}}
        : (tensor<1x2x2x1xf32>) -> tensor<1x2x2x1xf32> loc("a")
    %b = tosa.clamp %a {min_val = -1.0 : f32, max_val = 1.0 : f32, flydel.kpis = {cpu = #flydel.kpi<latency_us = 30.0, energy_uj = 1.0>, gpu = #flydel.kpi<latency_us = 10.0, energy_uj = 1.0>}}
        : (tensor<1x2x2x1xf32>) -> tensor<1x2x2x1xf32> loc("b")
    return %b : tensor<1x2x2x1xf32>
  }
}
// REMARK: remark: assignment (latency, pipelined, optimal, {{.*}}): latency 10 us, energy 2 uJ {{.*}}; the period is set by cpu and gpu; all-cpu
// CHECK-LABEL: func.func @tie
// CHECK-SAME: stage_latency_us = {cpu = 1.000000e+01 : f64, "cpu->gpu" = 5.000000e+00 : f64, gpu = 1.000000e+01 : f64, "gpu->cpu" = 0.000000e+00 : f64}

// -----

// No op has a latency model: the period is no_model, so no stage loads (they would all read 0) and no stage named.
module attributes {flydel.platform = #flydel.platform<"toy", devices = [#flydel.device<"cpu", cpu>, #flydel.device<"gpu", gpu>],
    links = [#flydel.link<"cpu" -> "gpu", latency_us = 5.0 + 0.0 per_kib>]>} {
  func.func @unknown_latency(%x: tensor<1x2x2x1xf32>) -> tensor<1x2x2x1xf32> {
    %a = tosa.clamp %x {min_val = -1.0 : f32, max_val = 1.0 : f32, flydel.kpis = {cpu = #flydel.kpi<latency_us = no_model, energy_uj = 1.0>, gpu = #flydel.kpi<latency_us = no_model, energy_uj = 2.0>}}
        : (tensor<1x2x2x1xf32>) -> tensor<1x2x2x1xf32> loc("a")
    return %a : tensor<1x2x2x1xf32>
  }
}
// REMARK: remark: assignment (latency, pipelined,
// REMARK-NOT: period is set by
// REMARK-SAME: {{$}}
// CHECK-LABEL: func.func @unknown_latency
// CHECK-NOT: stage_latency_us
// CHECK-SAME: unmodeled_ops
