// RUN: flydel-opt %s --flydel-strip-annotations | FileCheck %s
// RUN: flydel-opt %s --flydel-strip-annotations="keep-platform keep-devices" | FileCheck %s --check-prefix=KEEP

// CHECK-LABEL: module {
// KEEP-LABEL: module attributes {flydel.platform = #flydel.platform<"p", devices = [<"cpu", cpu>, <"gpu", gpu>]>}
module attributes {flydel.platform = #flydel.platform<"p", devices = [#flydel.device<"cpu", cpu>, #flydel.device<"gpu", gpu>]>} {
  // CHECK-LABEL: func.func @f
  // CHECK-SAME: attributes {keep.me = 1 : i64} {
  // KEEP-LABEL: func.func @f
  // KEEP-NOT: flydel.kpi_totals
  func.func @f(%x: tensor<4xf32>) -> tensor<4xf32>
      attributes {flydel.kpi_totals = {cpu = #flydel.kpi<latency_us = 2.0>}, keep.me = 1} {
    // CHECK: tosa.abs %{{.*}} : (tensor<4xf32>) -> tensor<4xf32>
    // KEEP: tosa.abs %{{.*}} {flydel.device = #flydel.device<"gpu", gpu>, flydel.folding = #flydel.folding<pe = 2, simd = 2>} : (tensor<4xf32>) -> tensor<4xf32>
    %0 = tosa.abs %x {flydel.kpis = {cpu = #flydel.kpi<latency_us = 2.0>}, flydel.device = #flydel.device<"gpu", gpu>,
                      flydel.folding = #flydel.folding<pe = 2, simd = 2>}
        : (tensor<4xf32>) -> tensor<4xf32>
    return %0 : tensor<4xf32>
  }
}
