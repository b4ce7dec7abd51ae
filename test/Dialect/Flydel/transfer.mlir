// RUN: flydel-opt %s --split-input-file | FileCheck %s
// RUN: flydel-opt %s --split-input-file --mlir-print-op-generic | flydel-opt --split-input-file | FileCheck %s

module attributes {flydel.platform = #flydel.platform<"p", devices = [#flydel.device<"gpu", gpu>, #flydel.device<"fpga", fpga>],
                   links = [#flydel.link<"gpu" -> "fpga", latency_us = 10.0 + 0.5 per_kib>]>} {
  // CHECK-LABEL: func.func @move
  // CHECK: %[[T:.*]] = flydel.transfer %{{.*}} : tensor<1x32x32x1xf32> from "gpu" to "fpga" bytes 4096 cost #flydel.kpi<latency_us = 12>
  // CHECK: return %[[T]]
  func.func @move(%x: tensor<1x32x32x1xf32>) -> tensor<1x32x32x1xf32>
      attributes {flydel.assignment = {objective = "latency"}} {
    %0 = flydel.transfer %x : tensor<1x32x32x1xf32> from "gpu" to "fpga" bytes 4096 cost #flydel.kpi<latency_us = 12.0>
    return %0 : tensor<1x32x32x1xf32>
  }
}

// -----

// Without a platform, the devices are not checked.
// CHECK-LABEL: func.func @no_platform
// CHECK: flydel.transfer %{{.*}} : tensor<4xf32> from "a" to "b" bytes 0
func.func @no_platform(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = flydel.transfer %x : tensor<4xf32> from "a" to "b" bytes 0
  return %0 : tensor<4xf32>
}

// -----

// A cost from an assumed link is marked.
module attributes {flydel.platform = #flydel.platform<"p", devices = [#flydel.device<"cpu", cpu>, #flydel.device<"fpga", fpga>],
                   links = [#flydel.link<"cpu" -> "fpga", latency_us = 10.0 + 1.0 per_kib, assumed>]>} {
  // CHECK-LABEL: func.func @assumed
  // CHECK: flydel.transfer %{{.*}} : tensor<256xf32> from "cpu" to "fpga" bytes 1024 cost #flydel.kpi<latency_us = 11> assumed
  func.func @assumed(%x: tensor<256xf32>) -> tensor<256xf32> {
    %0 = flydel.transfer %x : tensor<256xf32> from "cpu" to "fpga" bytes 1024 cost #flydel.kpi<latency_us = 11.0> assumed
    return %0 : tensor<256xf32>
  }
}
